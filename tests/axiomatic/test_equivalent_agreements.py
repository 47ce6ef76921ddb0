"""Agreements that give the same payoffs: the solution is their set
(``BargainingProblem.equivalent``)."""

from __future__ import annotations

import pytest
from conftest import two_party
from hypothesis import given
from hypothesis import strategies as st

import bargain

POINT_METHODS = ("nash", "kalai-smorodinsky", "egalitarian")
BOX = {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}}


@pytest.mark.parametrize("method", POINT_METHODS)
def test_two_issues_that_only_their_sum_moves_are_a_line_of_agreements(method):
    # x + y against 2 - x - y: the frontier is u_A + u_B = 2, and Nash (Nash 1950), KS
    # (Kalai & Smorodinsky 1975) and egalitarian (Kalai 1977) all give (1, 1), reached on the
    # whole line x + y = 1 of the box: x and y each range over [0, 1]. The search found two
    # points of it and called them "separate maximisers, smaller between them" (Nash) or
    # one point, unique (the others).
    m = two_party("x + y", "2 - x - y", variables=BOX)
    s = bargain.SOLVERS[method](m, exact=False)
    assert s.payoffs == pytest.approx({"A": 1.0, "B": 1.0}, rel=1e-12)
    assert s.agreement["x"] + s.agreement["y"] == pytest.approx(1.0, rel=1e-12)
    for name in ("x", "y"):
        lo, hi = s.agreement_set[name]
        assert lo == pytest.approx(0.0, abs=1e-9) and hi == pytest.approx(1.0, abs=1e-9)
    assert (
        "the payoffs are unique but the agreements that give them are a set" in (s.assumptions[-1])
    )


@pytest.mark.parametrize("method", POINT_METHODS)
def test_a_curve_of_agreements_is_one_set_not_separate_maximisers(method):
    # x**2 + y against 1.5 - x**2 - y: the frontier is u_A + u_B = 1.5, and Nash, KS (ideal
    # (1.5, 1.5) from d = 0) and egalitarian all give (0.75, 0.75), reached on the curve
    # x**2 + y = 0.75 of the box: x in [0, sqrt(0.75)], y in [0, 0.75]. The multi-start
    # search found nine points of it, and they were reported as "separate maximisers,
    # smaller between them" (the check for a flat set between them looked along straight
    # segments, which leave the curve).
    m = two_party("x**2 + y", "1.5 - x**2 - y", variables=BOX)
    s = bargain.SOLVERS[method](m, exact=False)
    assert not s.agreement_points
    # (Where the set is a curve the polish's KKT system is singular: the point is the
    # search's, its payoffs to 1e-9.)
    assert s.payoffs == pytest.approx({"A": 0.75, "B": 0.75}, rel=1e-9)
    assert s.agreement["x"] ** 2 + s.agreement["y"] == pytest.approx(0.75, rel=1e-9)
    assert s.agreement_set["x"] == pytest.approx((0.0, 0.75**0.5), abs=1e-9)
    assert s.agreement_set["y"] == pytest.approx((0.0, 0.75), abs=1e-9)


@pytest.mark.parametrize("method", POINT_METHODS)
def test_capped_payoffs_are_the_same_on_an_interval(method):
    # min(x, 0.3) against min(1 - x, 0.3): (0.3, 0.3) is the only Pareto point, given by every
    # x in [0.3, 0.7] (each party at its cap); the ends within 1e-12 of their size.
    s = bargain.SOLVERS[method](two_party("min(x, 0.3)", "min(1 - x, 0.3)"), exact=False)
    assert s.payoffs == pytest.approx({"A": 0.3, "B": 0.3}, rel=1e-12)
    lo, hi = s.agreement_set["x"]
    assert lo == pytest.approx(0.3, abs=1e-11) and hi == pytest.approx(0.7, abs=1e-11)


@pytest.mark.parametrize("power", [2, 4, 6])
@pytest.mark.parametrize("method", POINT_METHODS)
def test_a_maximum_flat_to_a_high_order_alone_is_one_agreement(method, power):
    # x - (y - 1/2)**k against 1 - x - (y - 1/2)**k: y = 1/2 is best for both, so the solution
    # is the one point (1/2, 1/2), although no payoff moves with y there to order k - 1 (a
    # set of width 0.02 was reported at k = 6, 0.004 at k = 4; and at k = 4 the exact route
    # crashed in sympy's quartic formula, whose resolvent reached the work budget as a list).
    m = two_party(f"x - (y - 1/2)**{power}", f"1 - x - (y - 1/2)**{power}", variables=BOX)
    for exact in (False, True):
        s = bargain.SOLVERS[method](m, exact=exact)
        assert s.agreement_set is None
        assert s.agreement["x"] == pytest.approx(0.5, abs=1e-7)
        assert s.agreement["y"] == pytest.approx(0.5, abs=0.5 * 1e-7 ** (1 / power))


@given(
    a=st.floats(0.5, 2.0),
    b=st.floats(0.5, 2.0),
    t=st.floats(0.1, 0.9),
)
def test_a_linear_two_issue_split_is_the_segment_of_its_level_line(a, b, t):
    # a x + b y against c - (a x + b y), c = 2 t (a + b): the symmetric Nash solution splits
    # the total equally (Nash 1950), a x + b y = c / 2 = L, on the segment of that line in
    # the unit box, where x ranges over [max(0, (L - b)/a), min(1, L/a)] (and y likewise).
    level = t * (a + b)
    m = two_party(
        "a*x + b*y",
        "c - (a*x + b*y)",
        parameters={"a": repr(a), "b": repr(b), "c": repr(2 * level)},
        variables=BOX,
    )  # one model whose parameters change: compiled once for the examples
    s = bargain.nash(m, exact=False)
    assert a * s.agreement["x"] + b * s.agreement["y"] == pytest.approx(level, rel=1e-9)
    ranges = {
        "x": (max(0.0, (level - b) / a), min(1.0, level / a)),
        "y": (max(0.0, (level - a) / b), min(1.0, level / b)),
    }
    for name, (lo, hi) in ranges.items():
        found = s.agreement_set[name]
        assert found == pytest.approx((lo, hi), abs=1e-8), name


@pytest.mark.parametrize("size", [1e-6, 1.0, 1e3, 1e9])
@pytest.mark.parametrize("solve", [bargain.kalai_smorodinsky, bargain.egalitarian, bargain.nash])
def test_a_flat_topped_frontier_is_a_set_at_every_scale(solve, size):
    # u_W = min(x, 0.3 S), u_A = min(S - x, 0.3 S), x in [0, S]: every x in [0.3 S, 0.7 S]
    # gives both 0.3 S, the one point of the utility-possibility set the concepts choose,
    # so each solution is that set (docs/solutions.md). At S = 1e3 and 1e9 Kalai-Smorodinsky
    # and the egalitarian solution reported x = 0.3 S alone: there x is 0.3 S exactly, and
    # each payoff's gradient was one piece's, the one its tie picked, not the kink's.
    m = bargain.model_from_dict(
        {
            "model": {"name": "flat_top"},
            "parameters": {"S": size},
            "variables": {"x": {"min": 0, "max": "S"}},
            "parties": {"W": {"payoff": "min(x, 0.3*S)"}, "A": {"payoff": "min(S - x, 0.3*S)"}},
        }
    )
    s = solve(m)
    assert not s.unique
    low, high = s.agreement_set["x"]
    assert low == pytest.approx(0.3 * size, rel=1e-9)
    assert high == pytest.approx(0.7 * size, rel=1e-9)
