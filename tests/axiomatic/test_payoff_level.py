"""Payoffs on a high level are measured from it (bargain.axiomatic.payoff_level).

Every axiomatic solution is invariant under adding a number L to a party's payoffs and its
disagreement payoff alike (Nash 1950 and Kalai & Smorodinsky 1975, affine invariance; Kalai
1977, whose gains do not move; the utilitarian sum moves by the same number everywhere).
Each model below is a documented one with L added, checked against its value at L = 0
(its closed form in the comment) at levels where the tolerances, relative to the payoffs'
size, once swallowed the gains.
"""

from __future__ import annotations

import pytest
import sympy

import bargain
from bargain.axiomatic.payoff_level import LEVEL, in_levels, payoff_levels

LEVELS = [0.0, 1e6, 1e9, 1e12]


def model(parties: dict, variables: dict, level: float, constraints: dict | None = None):
    data = {
        "model": {"name": "level"},
        "parameters": {"L": level},
        "variables": variables,
        "parties": {
            name: {"payoff": f"L + {payoff}", "disagreement": "L"}
            for name, payoff in parties.items()
        },
    }
    if constraints:
        data["constraints"] = constraints
    return bargain.model_from_dict(data)


@pytest.mark.parametrize("level", LEVELS)
def test_egalitarian_caps_on_a_level(level):
    # a <= 1, b <= 2, a + b <= 2.5, gains a and b: equal gains stop at a = b = 1 (a's cap),
    # and the leximin solution (Imai 1983) gives b the rest of the budget: (1, 1.5). At
    # L = 1e6 and above, (1, 1) was reported, "(exact)", Pareto-dominated.
    m = model(
        {"P": "a", "Q": "b"},
        {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 2}},
        level,
        {"budget": "a + b <= 2.5"},
    )
    s = bargain.egalitarian(m)
    assert s.agreement == pytest.approx({"a": 1.0, "b": 1.5}, abs=1e-12)
    assert s.payoffs == pytest.approx({"P": level + 1, "Q": level + 1.5}, rel=1e-15)


@pytest.mark.parametrize("level", LEVELS)
def test_three_party_leximin_on_a_level(level):
    # x, y and min(1 - x - y, 0.25) with x + y <= 1: C's gain is capped at 1/4, so the
    # least gain is 1/4 at best; leximin then splits the rest equally between A and B,
    # x = y = 3/8 (docs/solutions.md). 21/62 was reported at L = 1e6 and 1e9. The formula
    # is 3/8 at every L: at L = 0 (the level not moved out) it was L/2 + 3/8, C's held level
    # read as the kink's piece 1/4 less the disagreement payoff L, without the payoff's L.
    m = model(
        {"A": "x", "B": "y", "C": "min(1 - x - y, 1/4)"},
        {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
        level,
        {"budget": "x + y <= 1"},
    )
    s = bargain.egalitarian(m)
    assert s.agreement == pytest.approx({"x": 0.375, "y": 0.375}, abs=1e-12)
    assert s.formula == {"x": sympy.Rational(3, 8), "y": sympy.Rational(3, 8)}


@pytest.mark.parametrize("level", LEVELS)
def test_utilitarian_maximum_larger_by_a_thousandth_on_a_level(level):
    # 1.001 x + (1 - x)**2 is convex, largest at the ends: 1.001 at x = 1 against 1 at 0, so
    # x = 1 alone. At L = 1e6 a tie {0, 1} was reported, at 1e9 the worse end x = 0.
    m = model({"P": "1.001*x", "Q": "(1 - x)**2"}, {"x": {"min": 0, "max": 1}}, level)
    s = bargain.utilitarian(m)
    assert s.unique and s.agreement["x"] == 1.0
    assert s.extra["total"]["sum"] == pytest.approx(2 * level + 1.001, rel=1e-15)


@pytest.mark.parametrize("level", LEVELS)
def test_utilitarian_tie_on_a_level(level):
    # x + (1 - x)**2: 1 at both ends, less between: the set {0, 1} (separate maximisers).
    # At L = 1e9 a unique x = 0 was reported.
    m = model({"P": "x", "Q": "(1 - x)**2"}, {"x": {"min": 0, "max": 1}}, level)
    s = bargain.utilitarian(m)
    assert not s.unique
    assert sorted(p["x"] for p in s.agreement_points) == pytest.approx([0.0, 1.0], abs=1e-12)


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("method", ["nash", "kalai-smorodinsky", "egalitarian"])
def test_equal_payoffs_on_an_interval_on_a_level(level, method):
    # min(x, 0.3) against min(1 - x, 0.3): (0.3, 0.3) on every x in [0.3, 0.7]
    # (test_equivalent_agreements). At L = 1e9 the ends were 1e-3 outside it.
    m = model({"W": "min(x, 0.3)", "A": "min(1 - x, 0.3)"}, {"x": {"min": 0, "max": 1}}, level)
    s = bargain.SOLVERS[method](m, exact=False)
    lo, hi = s.agreement_set["x"]
    assert lo == pytest.approx(0.3, rel=1e-12) and hi == pytest.approx(0.7, rel=1e-12)


@pytest.mark.parametrize("level", [5e9, 0.0])
def test_utilitarian_faint_beside_a_level_in_two_variables(level):
    # W = L + 1e-4 (x + 2 y), A = 7 L / 5 + 1e-4 (1 - x - y), x + y <= 1: the sum is
    # 2.4 L + 1e-4 (1 + y), strictly rising in y: x = 0, y = 1 alone. At L = 5e9 the set
    # x in [0, 0.34], y in [0.66, 1] was reported, and a point 3.4e-5 short of the sum.
    m = bargain.model_from_dict(
        {
            "model": {"name": "faint"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"budget": "x + y <= 1"},
            "parties": {
                "W": {"payoff": f"{level!r} + 1e-4*(x + 2*y)"},
                "A": {"payoff": f"{1.4 * level!r} + 1e-4*(1 - x - y)"},
            },
        }
    )
    s = bargain.utilitarian(m)
    assert s.unique and s.agreement == pytest.approx({"x": 0.0, "y": 1.0}, abs=1e-12)


def test_a_party_at_its_disagreement_payoff_on_the_whole_set():
    # A = x, B = y, C = 2 - x - 2 y: the sum 2 - y is largest at y = 0, every x in [0, 1],
    # where B's gain is 0: the tie-break's Nash product is that of A and C, x (2 - x),
    # largest at x = 1. "The feasible set is empty" was reported.
    m = bargain.model_from_dict(
        {
            "model": {"name": "face"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "parties": {"A": {"payoff": "x"}, "B": {"payoff": "y"}, "C": {"payoff": "2 - x - 2*y"}},
        }
    )
    s = bargain.utilitarian(m)
    assert s.agreement == pytest.approx({"x": 1.0, "y": 0.0}, abs=1e-12)
    assert s.agreement_set["x"] == pytest.approx((0.0, 1.0), abs=1e-12)


def test_a_level_is_the_part_in_the_parameters_alone_where_it_is_large():
    # L + a at L = 1e9 has the level L (it takes 30 bits of the payoff); at L = 3 it has
    # none (2 bits, below LEVEL): models of ordinary payoffs solve as written.
    for value, moved in ((1e9, True), (3.0, False)):
        m = model({"P": "a", "Q": "1 - a"}, {"a": {"min": 0, "max": 1}}, value)
        levels = payoff_levels(m)
        assert bool(levels) == moved and (value > LEVEL) == moved
        if moved:
            assert str(in_levels(m, levels).party("P").payoff) == "a"
            assert in_levels(m, levels).party("P").disagreement == 0


@pytest.mark.parametrize("level", [0.0, 1e6])
def test_three_parties_faint_on_a_level_with_one_held(level):
    # A = L + e (x - y) with d_A = L - e, B = L + e y, C = L + e (1 - x - y), e = 1e-6,
    # x + y <= 1: the sum 3 L + e (1 - y) is largest at y = 0, every x in [0, 1], where B's
    # gain is 0; the tie-break's Nash product of A and C, e**2 (1 + x)(1 - x), is largest
    # at x = 0. It crashed ("math domain error": the tie-break's program holds y at a value,
    # and a step inside its empty box was taken), then said the feasible set was empty.
    m = bargain.model_from_dict(
        {
            "model": {"name": "held"},
            "parameters": {"L": level, "e": 1e-6},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"budget": "x + y <= 1"},
            "parties": {
                "A": {"payoff": "L + e*(x - y)", "disagreement": "L - e"},
                "B": {"payoff": "L + e*y", "disagreement": "L"},
                "C": {"payoff": "L + e*(1 - x - y)", "disagreement": "L"},
            },
        }
    )
    s = bargain.utilitarian(m)
    assert s.agreement == pytest.approx({"x": 0.0, "y": 0.0}, abs=1e-9)
    assert s.agreement_set["x"] == pytest.approx((0.0, 1.0), abs=1e-9)
    assert s.agreement_set["y"] == pytest.approx((0.0, 0.0), abs=1e-9)


@pytest.mark.parametrize("level", [1e9, 1e11, 1e13])
def test_kalai_smorodinsky_on_a_level_with_disagreement_zero(level):
    # L + x against L + sqrt(1 - x), d = 0: the ideal point is (L + 1, L + 1) (Kalai &
    # Smorodinsky 1975), so equal relative gains are L + x = L + sqrt(1 - x):
    # x = (sqrt(5) - 1)/2 at every L. The gains vary by 1e-11 of themselves at L = 1e11:
    # the ideal point's search stayed at its start (its slope 1 was taken for rounding of
    # terms of 1e13), and the search's point x = 0.5 was reported, "accuracy ~1e-7".
    m = bargain.model_from_dict(
        {
            "model": {"name": "ks"},
            "parameters": {"L": level},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {"W": {"payoff": "L + x"}, "A": {"payoff": "L + sqrt(1 - x)"}},
        }
    )
    s = bargain.kalai_smorodinsky(m)
    assert s.agreement["x"] == pytest.approx((5**0.5 - 1) / 2, rel=1e-12)
    assert s.extra["ideal"] == pytest.approx({"W": level + 1, "A": level + 1}, rel=1e-15)
