"""The utilitarian solution: closed forms, a scalar-search route, and the tie-break."""

from __future__ import annotations

import itertools
import json
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize, minimize_scalar

import bargain
from tests.conftest import four_parties_with_a_log, shares_and_the_rest, shipped, two_party

TOL = 1e-9


def test_concave_three_quarters(concave):
    # Harsanyi (1955) / Thomson (1994): maximise x + sqrt(1 - x): 1 = 1 / (2 sqrt(1 - x)),
    # so x = 3/4 and the total is 5/4.
    s = bargain.utilitarian(concave)
    assert s.exact
    assert s.exact_agreement["x"] == sympy.Rational(3, 4)
    assert s.extra["total"]["sum"] == pytest.approx(1.25, abs=TOL)


@given(p=st.floats(0.2, 0.9), k=st.floats(0.5, 3))
def test_against_scalar_search(p, k):
    route = minimize_scalar(
        lambda x: -(x + k * (1 - x) ** p),
        bounds=(0, 1),
        method="bounded",
        options={"xatol": 1e-12},
    ).x
    # p a parameter's value, not written in: every example reuses the compiled programs.
    s = bargain.utilitarian(two_party("x", f"{k!r} * (1 - x)**p", parameters={"p": p}), exact=False)
    assert s.agreement["x"] == pytest.approx(route, abs=1e-7)


def test_transferable_utility_tie_broken_by_nash(split):
    # Every split has the same sum V; the tie-break picks the Nash split.
    m = split.with_values(d_W=0.2)
    s = bargain.utilitarian(m)
    assert s.agreement["x"] == pytest.approx(0.6, abs=TOL)
    assert "Nash product" in s.assumptions[0]
    # The solution is the whole set of individually rational splits, x in [d_W, V - d_A]
    # (the shared fault report: `unique` was true while the assumption said "a whole set").
    assert not s.unique
    assert s.agreement_set["x"] == pytest.approx((0.2, 1.0), abs=TOL)
    assert json.loads(s.to_json())["unique"] is False


def test_flagship_maximisers_range_over_the_transfer_only():
    # The flat payment F is a transfer: the sum is the same for every F, so the maximisers
    # run over F between a bound and a party's disagreement payoff, with e and d fixed.
    m = shipped("wga2007")
    s = bargain.utilitarian(m)
    assert not s.unique
    (lo, hi), (e_lo, e_hi), (d_lo, d_hi) = (s.agreement_set[k] for k in ("F", "e", "d"))
    assert (e_lo, d_lo) == (e_hi, d_hi) == (s.agreement["e"], s.agreement["d"])
    assert lo < s.agreement["F"] < hi
    for end in (lo, hi):
        at = {v.symbol: x for v, x in zip(m.variables, (end, e_lo, d_lo), strict=True)}
        pay = {p.name: float(m.numeric(p.payoff).xreplace(at)) for p in m.parties}
        # Each end is a maximiser (the same sum) ...
        assert sum(pay.values()) == pytest.approx(s.extra["total"]["sum"], abs=1e-6)
        # ... where F's bound or a party's disagreement payoff binds.
        assert end in (0.0, 2000.0) or any(
            math.isclose(pay[p], s.disagreement[p], rel_tol=1e-7, abs_tol=1e-6) for p in pay
        )


def test_disagreement_constrains(concave):
    # With d_B = 0.6 the utilitarian optimum x = 3/4 (u_B = 1/2) is not individually rational:
    # the answer moves to the boundary u_B = 0.6, x = 1 - 0.36.
    m = two_party("x", "sqrt(1 - x)", d_b=0.6)
    s = bargain.utilitarian(m)
    assert s.agreement["x"] == pytest.approx(0.64, abs=TOL)
    assert math.isclose(s.payoffs["B"], 0.6, abs_tol=TOL)


def test_weights_move_the_optimum():
    # Maximise 2 x + sqrt(1 - x): 2 = 1 / (2 sqrt(1 - x)), so sqrt(1 - x) = 1/4, x = 15/16.
    s = bargain.utilitarian(two_party("x", "sqrt(1 - x)"), weights={"A": 2})
    assert s.exact_agreement["x"] == sympy.Rational(15, 16)
    assert s.extra["total"]["sum"] == pytest.approx(2 * 15 / 16 + 1 / 4, abs=TOL)
    assert "weighted sum" in s.route


def test_without_individual_rationality(split):
    # d_B = 0.6 makes x = 3/4 irrational (u_B = 1/2); without the constraint it is the answer.
    m = two_party("x", "sqrt(1 - x)", d_b=0.6)
    s = bargain.utilitarian(m, individually_rational=False)
    assert s.exact_agreement["x"] == sympy.Rational(3, 4)
    # A flat sum without individual rationality: the tie goes to the centre of the box.
    flat = bargain.utilitarian(split.with_values(d_W=0.2), individually_rational=False)
    assert flat.agreement["x"] == pytest.approx(0.5, abs=TOL)
    assert "centre" in flat.assumptions[0]


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ({"Z": 1}, r"\[parties\] Z: unknown party"),
        ({"A": 0}, r"\[utilitarian\] weights.A: must be positive"),
    ],
)
def test_bad_weights(weights, match):
    with pytest.raises(bargain.ModelError, match=match):
        bargain.utilitarian(two_party("x", "1 - x"), weights=weights)


# -- separate maximisers are a set, not a point ------------------------------------------

CASES = Path(__file__).resolve().parent / "cases"


def test_tie_case_reports_both_ends():
    # The shared case: x + (1 - x)**2 is 1 at x = 0 and at x = 1, and less between.
    s = bargain.utilitarian(bargain.load_model(CASES / "utilitarian_tie.toml"))
    assert not s.unique and not s.exact
    assert s.agreement == {} and s.payoffs == {}
    assert s.agreement_points == ({"x": 0.0}, {"x": 1.0})
    # Only the two ends: a range [0, 1] would claim every agreement between is a solution,
    # where x + (1 - x)**2 < 1 (the JSON once wrote both).
    assert s.agreement_set is None
    assert s.extra["total"]["sum"] == 1.0
    data = json.loads(s.to_json())
    assert data["unique"] is False and data["agreement_points"] == [{"x": 0.0}, {"x": 1.0}]
    assert data["agreement_set"] is None


@pytest.mark.parametrize(
    ("payoff_a", "payoff_b", "hi", "ends"),
    [
        ("x**2", "(1 - x)**2", 1, (0.0, 1.0)),
        ("x", "(2 - x)**2 / 2", 2, (0.0, 2.0)),  # 2 at both ends, 3/2 at x = 1
        ("3 * x**3", "3 * (1 - x)**3", 1, (0.0, 1.0)),
    ],
)
def test_other_ties_report_both_ends(payoff_a, payoff_b, hi, ends):
    m = two_party(payoff_a, payoff_b, variables={"x": {"min": 0, "max": hi}})
    for exact in (True, False):
        s = bargain.utilitarian(m, exact=exact)
        assert not s.unique
        assert tuple(p["x"] for p in s.agreement_points) == ends


def test_a_near_tie_is_a_unique_maximiser():
    # 1.001 x + (1 - x)**2: 1.001 at x = 1 beats 1 at x = 0.
    s = bargain.utilitarian(two_party("1001/1000 * x", "(1 - x)**2"))
    assert s.unique and s.exact_agreement["x"] == 1


# -- a sum flat on a piece of the set: the maximiser is a set, not the polished point ---


@pytest.mark.parametrize(
    ("payoff_a", "payoff_b", "variables", "chosen", "ranges", "total"),
    [
        # The shared case max_zero.toml: max(0, 1 - x) is 1 - x on [0, 1], so the sum is 1
        # for every x, as for payoffs x and 1 - x; the Nash product x (1 - x) picks 1/2.
        ("x", "max(0, 1 - x)", None, {"x": 0.5}, {"x": (0.0, 1.0)}, 1.0),
        # x + min(1 - x, 1/2) is x + 1/2 (rising) below 1/2 and 1 above: the maximisers are
        # [1/2, 1]; the Nash product x min(1 - x, 1/2) is largest at the kink x = 1/2.
        ("x", "min(1 - x, 1/2)", None, {"x": 0.5}, {"x": (0.5, 1.0)}, 1.0),
        # Smooth, two variables: the sum (x + y) + (1 - x) = 1 + y is largest at y = 1 for
        # every x; the Nash product (x + 1)(1 - x) = 1 - x**2 picks x = 0.
        (
            "x + y",
            "1 - x",
            {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            {"x": 0.0, "y": 1.0},
            {"x": (0.0, 1.0), "y": (1.0, 1.0)},
            2.0,
        ),
    ],
)
def test_a_sum_flat_on_a_piece_is_a_set(payoff_a, payoff_b, variables, chosen, ranges, total):
    # These polished to a point and were reported unique (the Newton polish of a KKT system
    # that is identically zero along the flat directions converges at once).
    s = bargain.utilitarian(two_party(payoff_a, payoff_b, variables=variables))
    assert not s.unique
    assert "Nash product" in s.assumptions[0]
    assert s.agreement == pytest.approx(chosen, abs=1e-7)
    for name, (lo, hi) in ranges.items():
        assert s.agreement_set[name] == pytest.approx((lo, hi), abs=1e-7)
    assert s.extra["total"]["sum"] == pytest.approx(total, abs=TOL)


@pytest.mark.parametrize("scale", [1.0, 750.0, 7.5e8])
def test_a_flat_maximum_on_a_kinked_frontier_is_a_set_at_every_scale(scale):
    # u_A = x, u_B = min(1.2 V - x, 2 V - 3 x) on [0, V]: the sum is min(1.2 V, 2 V - 2 x),
    # 1.2 V on all of [0, 0.4 V] and smaller after (Harsanyi 1955; Thomson 1994, §2). At
    # V = 750 and 7.5e8 it was reported as the unique x = 0: ranging the maximisers from
    # x = 0, where the kinked constraint's gradient is zero, did not move.
    m = two_party(
        "x",
        "min(1.2*V - x, 2*V - 3*x)",
        parameters={"V": scale},
        variables={"x": {"min": 0, "max": "V"}},
    )
    s = bargain.utilitarian(m)
    assert not s.unique
    low, high = s.agreement_set["x"]
    assert low == pytest.approx(0.0, abs=1e-9 * scale)
    assert high == pytest.approx(0.4 * scale, rel=1e-6)


def test_a_sum_that_varies_at_the_centre_is_not_simplified(monkeypatch, split):
    # Whether every contract has the same sum (transferable utility) is asked of sympy's
    # simplify only where the sum's slope is zero at the centre of the box: a slope of
    # 1 - 1/(2 sqrt(1/2)) there rules the flat sum out at no cost, and the answer is as
    # before (x = 3/4, see test_without_individual_rationality).
    from bargain.concepts.budget import Budget

    asked: list[sympy.Expr] = []
    real = Budget.is_zero

    def counted(self: Budget, expr: sympy.Expr) -> bool:
        asked.append(expr)
        return real(self, expr)

    monkeypatch.setattr(Budget, "is_zero", counted)
    s = bargain.utilitarian(two_party("x", "sqrt(1 - x)"), individually_rational=False)
    assert s.exact_agreement["x"] == sympy.Rational(3, 4) and asked == []
    # A flat sum (x + V - x) has slope 0 everywhere: simplify is asked, and says so.
    flat = bargain.utilitarian(split, individually_rational=False)
    assert len(asked) == 1 and "centre" in flat.assumptions[0]


def _wga_sum_maximiser(m: bargain.Model) -> float:
    # The flagship's sum of payoffs does not depend on F (a transfer) and is strictly concave
    # in e: d/de [(e - e0)/100 E_W (1 - h_W) - a_W/2 (e/100)^2 (cv_E E_W)^2
    #             - (e - e0)/100 phi_A E_W (1 - h_A)] = 0 gives
    # e* = 100 E_W ((1 - h_W) - phi_A (1 - h_A)) / (a_W (cv_E E_W)^2), inside [e0, e_max]
    # (docs/wga2007.md; the same e as the Nash solution, whose F is a transfer).
    v = {k: float(x) for k, x in m.values.items()}
    return (
        100
        * v["E_W"]
        * ((1 - v["h_W"]) - v["phi_A"] * (1 - v["h_A"]))
        / (v["a_W"] * (v["cv_E"] * v["E_W"]) ** 2)
    )


def test_flagship_set_ends_polished_against_the_closed_form():
    # The maximisers are e = e*, d = d0 (the DVD rate's slope is negative: 1 - h_W < 1 - h_A)
    # and F from 0 to where A's payoff meets its disagreement payoff:
    # F_max = m_A prod_A 7 T_D - (e* - e0)/100 phi_A E_W (1 - h_A) (Harsanyi 1955;
    # Thomson 1994, §3). Polished ends are these to the last digits; held by a numeric level
    # (the sum >= its maximum, a float) e was off in its 8th digit and F_max in its 9th.
    m = shipped("wga2007")
    v = {k: float(x) for k, x in m.values.items()}
    e_star = _wga_sum_maximiser(m)
    f_max = v["m_A"] * v["prod_A"] * 7 * v["T_D"] - (e_star - v["e0"]) / 100 * v["phi_A"] * v[
        "E_W"
    ] * (1 - v["h_A"])
    s = bargain.utilitarian(m, exact=False)
    assert not s.unique
    assert s.agreement_set["e"] == pytest.approx((e_star, e_star), rel=1e-12)
    assert s.agreement_set["d"] == (v["d0"], v["d0"])
    assert s.agreement_set["F"][0] == 0.0
    assert s.agreement_set["F"][1] == pytest.approx(f_max, rel=1e-12)
    # The tie-break by the Nash product is the Nash solution itself (an independent program).
    nash = bargain.nash(m, exact=False)
    assert s.agreement == pytest.approx(nash.agreement, rel=1e-12)
    assert "maximal sum" in s.binding and "d = min" in s.binding


@given(c=st.floats(0.3, 0.9))
def test_a_transfer_and_a_concave_issue_polished(c):
    # u_A = F + log(1 + e), u_B = -F - c e, d_B = -2: the sum log(1 + e) - c e is flat in F and
    # largest at e* = 1/c - 1; F runs from 0 (A's gain log(1/c) > 0) to 2 - c e* = 1 + c (B's
    # disagreement), and the Nash product (F + log(1/c)) (1 + c - F) picks
    # F = (1 + c + log c) / 2 (Harsanyi 1955; Nash 1950). Every number to 1e-12.
    m = two_party(
        "F + log(1 + e)",
        f"-F - {c!r}*e",
        variables={"F": {"min": 0, "max": 5}, "e": {"min": 0, "max": 10}},
        d_b=-2,
    )
    s = bargain.utilitarian(m, exact=False)
    e_star = 1 / c - 1
    assert s.agreement_set["e"] == pytest.approx((e_star, e_star), rel=1e-12)
    assert s.agreement_set["F"] == pytest.approx((0.0, 1 + c), rel=1e-12, abs=1e-15)
    assert s.agreement["F"] == pytest.approx((1 + c + math.log(c)) / 2, rel=1e-12)
    assert s.agreement["e"] == pytest.approx(e_star, rel=1e-12)


def test_flat_variables_decided_without_simplifying_a_nonzero_slope(monkeypatch):
    # The sum of the flagship does not depend on F alone; e and d are ruled out by their
    # slope's exact value at the box centre, without sympy.simplify.
    from bargain.axiomatic.problem import problem_of

    m = shipped("wga2007")
    problem = problem_of(m)
    total = sum(problem.payoffs, sympy.Integer(0))
    tidied = []
    monkeypatch.setattr(sympy, "simplify", lambda e, **k: tidied.append(e) or e)
    assert [str(v) for v in problem.flat(total)] == ["F"]
    assert tidied == []


def test_a_transfer_with_little_room_is_still_a_set():
    # As above with c = 1/2 (e* = 1) and disagreement payoffs that leave F only
    # [0.5, 0.50005] (A: F + log 2 >= 0.5 + log 2; B: -F - 1/2 >= -1.00005). Narrower than
    # 1e-3 of its box, but every F there has the maximal sum, and it is all the individually
    # rational room there is: a set (a point once, judged against the box's width 5). The
    # Nash product (F - 0.5)(0.50005 - F) picks the midpoint (Nash 1950).
    m = two_party(
        "F + log(1 + e)",
        "-F - 0.5*e",
        variables={"F": {"min": 0, "max": 5}, "e": {"min": 0, "max": 10}},
        d_a="0.5 + log(2)",
        d_b=-1.00005,
    )
    s = bargain.utilitarian(m, exact=False)
    assert not s.unique
    assert s.agreement_set["F"] == pytest.approx((0.5, 0.50005), rel=1e-12)
    assert s.agreement_set["e"] == pytest.approx((1.0, 1.0), rel=1e-12)
    assert s.agreement["e"] == pytest.approx(1.0, rel=1e-12)
    assert s.agreement["F"] == pytest.approx(0.500025, rel=1e-12)


# -- at scale: tolerances on the payoffs' scale and the individually rational room ---------------


def test_a_concave_sum_in_a_box_far_wider_than_the_agreements():
    # The tryout's wb3: x in [0, 1e15], u_W = sqrt(x), u_A = 1 - x. Only x in [0, 1] is
    # individually rational; d/dx [sqrt(x) + 1 - x] = 0 gives x = 1/4, sum 5/4 (Harsanyi
    # 1955). It was "not unique; every agreement in x = 1/3", sum 1.00000003: the search's
    # objective unit came from payoffs of 1e15 at contracts nobody accepts.
    route = minimize_scalar(
        lambda x: -(math.sqrt(x) + 1 - x), bounds=(0, 1), method="bounded", options={"xatol": 1e-12}
    ).x
    for top in (1.0, 1e9, 1e15):
        m = bargain.model_from_dict(
            {
                "model": {"name": "w"},
                "variables": {"x": {"min": 0, "max": top}},
                "parties": {"W": {"payoff": "sqrt(x)"}, "A": {"payoff": "1 - x"}},
            }
        )
        s = bargain.utilitarian(m, exact=False)
        assert s.unique, top
        assert s.agreement["x"] == pytest.approx(0.25, rel=1e-12) == pytest.approx(route, abs=1e-7)
        assert s.extra["total"]["sum"] == pytest.approx(1.25, rel=1e-12)
    s = bargain.utilitarian(bargain.load_model(CASES / "utilitarian_wide_sqrt.toml"))
    assert s.unique and s.agreement["x"] == pytest.approx(0.25, rel=1e-12)


@pytest.mark.parametrize("v", [1.0, 1e9])
@pytest.mark.parametrize("k", [0.9999999, 0.99999999])
def test_a_near_tie_of_two_corners_is_the_better_corner(v, k):
    # The tryout's ut_scale: u_P = x, u_Q = k (V - x)^2 / V on [0, V]. The sum
    # x + k (V - x)^2 / V is convex, so largest at a corner: V at x = V, k V at x = 0.
    # For k < 1 the one maximiser is x = V, however near k is to 1: sums differing by
    # 1e-7 or 1e-8 of them are far above their rounding. It was "the feasible set is empty"
    # and sets [7.8e-13, 1e9] and [3.1e-14, 1].
    m = bargain.load_model(CASES / "utilitarian_near_tie.toml").with_values(k=k, V=v)
    corners = {0.0: k * v, v: v}  # the sum at each corner, by hand
    s = bargain.utilitarian(m)
    assert s.unique and s.agreement_points in (None, ())
    assert s.agreement["x"] == max(corners, key=corners.get) == v
    assert s.extra["total"]["sum"] == pytest.approx(v, rel=1e-12)
    assert bargain.utilitarian(m, exact=False).agreement["x"] == v


@pytest.mark.parametrize("v", [1.0, 1e9])
def test_an_exact_tie_of_two_corners_is_both(v):
    # k = 1: the sum is V at both corners and lower between (at x = V/2 it is 3V/4): two
    # separate maximisers, reported as the set {0, V} with no point picked.
    m = bargain.load_model(CASES / "utilitarian_near_tie.toml").with_values(k=1, V=v)
    s = bargain.utilitarian(m)
    assert not s.unique and s.agreement == {}
    assert [p["x"] for p in s.agreement_points] == [0.0, v]
    assert s.extra["total"]["sum"] == pytest.approx(v, rel=1e-12)


@pytest.mark.parametrize("top", [1.0, 1e3, 1e6, 1e15])
def test_a_flat_sum_in_a_wide_box_is_every_rational_agreement(top):
    # The reported wide_bound_1e15 (/work/shared/cases/core): u_W = x, u_A = 1 - x on
    # [0, top]. The sum is 1 everywhere; the individually rational agreements are x in
    # [0, 1] (u_A >= 0), all of them maximisers. Judged against the box's width, the set
    # was [0.5, 0.5] at top = 1e6 and 1e15, [0, 0.9992] at 1e3.
    m = two_party("x", "1 - x", variables={"x": {"min": 0, "max": top}})
    s = bargain.utilitarian(m)
    assert not s.unique
    assert s.agreement["x"] == pytest.approx(0.5, rel=1e-12)
    assert s.agreement_set["x"] == (0.0, 1.0)


def test_disagreement_payoffs_far_below_rounding_leave_every_agreement():
    # The tryout's tiny: u_W = x, u_A = V - x with d_W = 1e-320, d_A = 0.5**5000 (both 0 to
    # rounding): every x in [0, 1] is individually rational and has the sum V = 1. The
    # least end was 6.4e-05 (then 3e-43): the search stopped short of the subnormal.
    s = bargain.utilitarian(bargain.load_model(CASES / "utilitarian_tiny.toml"))
    assert not s.unique
    assert s.agreement["x"] == pytest.approx(0.5, rel=1e-12)
    assert s.agreement_set["x"] == (0.0, 1.0)


@pytest.mark.parametrize(
    ("k", "c"),
    [(100, "1e40"), (150, "1e63"), (200, "1e85"), (300, "1e128"), (500, "1e214"), (700, "1e300")],
)
def test_a_steep_payoff_against_a_huge_one_is_its_corner(k, c):
    # u_W = exp(k x), u_A = c (1 - x) on [0, 1] (Harsanyi 1955: maximise the sum). The sum
    # is convex, so largest at a corner: exp(k) at x = 1, c + 1 at x = 0, and exp(k) > c
    # for each pair. From every start below ln(c / k) / k (0.934 at k = 150) the search
    # fell to x = 0, and x = 4.9e-16 was reported as a set of one point with sum c.
    corners = {0.0: float(c) + 1, 1.0: math.exp(k)}  # the sum at each corner, by hand
    grid = [i / 1000 for i in range(1001)]  # an independent route: the sum on a grid
    on_grid = max(grid, key=lambda x: math.exp(k * x) + float(c) * (1 - x))
    s = bargain.utilitarian(two_party(f"exp({k}*x)", f"{c}*(1 - x)"))
    assert s.unique and s.agreement_points in (None, ())
    assert s.agreement["x"] == max(corners, key=corners.get) == on_grid == 1.0
    assert s.extra["total"]["sum"] == pytest.approx(math.exp(k), rel=1e-12)


def _interior_a() -> float:
    """The interior maximiser of sqrt(a) + (1 - a)**2 on [0, 1]: 1/(2 sqrt(a)) = 2 (1 - a),
    a root bracketed in (0.01, 0.2) (the slope is +inf at 0 and -0.63 at 0.2)."""
    return brentq(lambda t: 1 / (2 * math.sqrt(t)) - 2 * (1 - t), 0.01, 0.2, xtol=1e-15)


def _multi_start(f, d: int, n: int = 40) -> tuple[float, np.ndarray]:
    """scipy's L-BFGS-B from n seeded random starts in [0, 1]**d, and a dense grid: the best
    value of f found and its point (an independent numeric route)."""
    rng = np.random.default_rng(1)
    best = (-math.inf, np.zeros(d))
    for start in rng.uniform(0, 1, (n, d)):
        r = minimize(lambda z: -f(z), start, bounds=[(0, 1)] * d, method="L-BFGS-B")
        if -r.fun > best[0]:
            best = (-r.fun, r.x)
    grid = np.linspace(0, 1, 201 if d == 2 else 41)
    mesh = np.meshgrid(*([grid] * d), indexing="ij")
    values = f(mesh)
    k = np.unravel_index(np.argmax(values), values.shape)
    assert best[0] >= values[k] - 1e-12  # the local searches beat the grid's best point
    return best


def test_an_interior_maximum_beside_an_infinite_slope_at_a_bound():
    # u_W = sqrt(a) + log(1 + b), u_A = (1 - a)**2 + 2 (1 - b), a, b in [0, 1]. The
    # utilitarian solution maximises u_W + u_A (Harsanyi, J. Political Economy 63, 1955;
    # Myerson, Econometrica 49(4), 1981). It separates: log(1 + b) + 2 (1 - b) falls
    # (slope 1/(1 + b) - 2 < 0), so b = 0; sqrt(a) + (1 - a)**2 is 1 at both ends and
    # 1.1295 at its interior local maximum 1/(2 sqrt a) = 2 (1 - a), a = 0.0726812. It was
    # reported "not unique; each of (0, 0), (1, 0); sum 3": SLSQP stopped at a = 0, where
    # the slope is infinite (no number), a start in the interior maximum's basin was not
    # searched (its segment to (1, 0) rises), and the stuck end was declared a tie.
    m = two_party(
        "sqrt(a) + log(1 + b)",
        "(1 - a)**2 + 2*(1 - b)",
        variables={"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
    )
    a_star = _interior_a()
    total = math.sqrt(a_star) + (1 - a_star) ** 2 + 2
    value, point = _multi_start(
        lambda z: np.sqrt(z[0]) + np.log1p(z[1]) + (1 - z[0]) ** 2 + 2 * (1 - z[1]), 2
    )
    assert value == pytest.approx(total, abs=1e-9)
    assert point == pytest.approx([a_star, 0], abs=1e-4)
    s = bargain.utilitarian(m)
    assert s.unique and s.agreement_points == ()
    assert s.agreement["a"] == pytest.approx(a_star, abs=1e-12)
    assert s.agreement["b"] == 0
    assert s.extra["total"]["sum"] == pytest.approx(total, rel=1e-14)
    assert total == pytest.approx(3.129515, abs=1e-6)


def test_an_interior_maximum_beside_an_infinite_slope_in_three_variables():
    # As above with a third variable c and k = 1.2345: u_W = sqrt(a) + log(1 + k b) + 1 -
    # exp(-c), u_A = (1 - a)**2 + 2 (1 - b) + sqrt(1 - c). The sum separates again: a as
    # above; b = 0 (k/(1 + k b) - 2 < 0 as k < 2); c: exp(-c) = 1/(2 sqrt(1 - c)), which is
    # c = 1 - W(e**2/2)/2 (Lambert's W). The maximum is 4.234045; "unique, exact a = 1, b =
    # 0, 4.104531" was reported (the corner a = 1's 1 in place of 1.1295).
    k = 1.2345
    m = two_party(
        f"sqrt(a) + log(1 + {k}*b) + 1 - exp(-c)",
        "(1 - a)**2 + 2*(1 - b) + sqrt(1 - c)",
        variables={v: {"min": 0, "max": 1} for v in "abc"},
    )
    a_star = _interior_a()
    c_star = brentq(lambda t: math.exp(-t) - 1 / (2 * math.sqrt(1 - t)), 0, 0.9, xtol=1e-15)
    assert c_star == pytest.approx(1 - float(sympy.LambertW(sympy.E**2 / 2)) / 2, abs=1e-14)
    total = math.sqrt(a_star) + (1 - a_star) ** 2 + 2 + 1 - math.exp(-c_star)
    total += math.sqrt(1 - c_star)
    value, point = _multi_start(
        lambda z: (
            np.sqrt(z[0])
            + np.log1p(k * z[1])
            + 1
            - np.exp(-z[2])
            + (1 - z[0]) ** 2
            + 2 * (1 - z[1])
            + np.sqrt(1 - z[2])
        ),
        3,
    )
    assert value == pytest.approx(total, abs=1e-9)
    assert point == pytest.approx([a_star, 0, c_star], abs=1e-4)
    s = bargain.utilitarian(m)
    assert s.unique
    assert [s.agreement[v] for v in "abc"] == pytest.approx([a_star, 0, c_star], abs=1e-12)
    assert s.extra["total"]["sum"] == pytest.approx(total, rel=1e-14)
    assert total == pytest.approx(4.234045, abs=1e-6)


@given(m=st.floats(1.0, 2.0))
def test_an_interior_maximum_beside_an_infinite_slope_for_any_weight(m):
    # u_W = sqrt(a) + log(1 + b), u_A = m (1 - a)**2 + 2 (1 - b): b = 0 as above, and
    # sqrt(a) + m (1 - a)**2 has its interior maximum where 1/(2 sqrt a) = 2 m (1 - a)
    # (bracketed in (1e-4, 0.2) for m in [1, 2]: the slope is +inf at 0, negative at 0.2),
    # above both ends (m at a = 0, 1 at a = 1) for m >= 1 (Harsanyi 1955).
    a_star = brentq(lambda t: 1 / (2 * math.sqrt(t)) - 2 * m * (1 - t), 1e-4, 0.2, xtol=1e-15)
    best = math.sqrt(a_star) + m * (1 - a_star) ** 2
    assert best > max(m, 1.0) + 1e-3
    grid = np.linspace(0, 1, 100001)
    assert best >= np.max(np.sqrt(grid) + m * (1 - grid) ** 2) - 1e-12  # a dense grid
    s = bargain.utilitarian(
        two_party(
            "sqrt(a) + log(1 + b)",
            f"{m!r}*(1 - a)**2 + 2*(1 - b)",
            variables={"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
        )
    )
    assert s.unique
    assert s.agreement["a"] == pytest.approx(a_star, abs=1e-9)
    assert s.agreement["b"] == 0
    assert s.extra["total"]["sum"] == pytest.approx(best + 2, rel=1e-12)


def test_a_flat_sum_whose_tie_break_is_tied_is_every_agreement():
    # u_A = |x - 1/2|, u_B = 1 - |x - 1/2|: the sum is 1 for every x in [0, 1], so every
    # agreement maximises it (Harsanyi 1955), and the Nash product s (1 - s), s = |x - 1/2|
    # <= 1/2, is largest at both x = 0 and x = 1, smaller between: the tie-break is tied and
    # picks nothing (it raised KeyError: 'x').
    grid = np.linspace(0, 1, 100001)
    a, b = np.abs(grid - 0.5), 1 - np.abs(grid - 0.5)
    assert np.ptp(a + b) < 1e-15
    product = a * b
    assert {grid[k] for k in np.flatnonzero(product >= product.max() - 1e-15)} == {0.0, 1.0}
    s = bargain.utilitarian(two_party("abs(x - 0.5)", "1 - abs(x - 0.5)"))
    assert not s.unique
    assert s.agreement == {} and s.payoffs == {} and s.agreement_points == ()
    assert s.agreement_set == {"x": (0.0, 1.0)}
    assert s.extra["total"]["sum"] == pytest.approx(1.0, rel=1e-15)
    assert "Nash product is itself maximal" in s.assumptions[0]


def _rise_max(slope, lo: float = 1e-30, hi: float = 1.0) -> float:
    """The zero of a slope decreasing from +inf at 0, by brentq in log x."""
    return math.exp(brentq(lambda s: slope(math.exp(s)), math.log(lo), math.log(hi), xtol=1e-15))


@pytest.mark.parametrize(
    ("payoff_a", "payoff_b", "c", "k"),
    [("1e-5*sqrt(x)", "1 - x", 1e-5, 1.0)]
    + [("sqrt(x)", f"{k!r}*(1 - x)", 1.0, k) for k in (1e5, 1e6, 1e7, 1e8, 1e9)],
    ids=["1e-5", "1e5", "1e6", "1e7", "1e8", "1e9"],
)
def test_an_infinite_slope_into_the_box_is_no_maximum(payoff_a, payoff_b, c, k):
    # c sqrt(x) + k (1 - x) rises infinitely fast from x = 0, so x = 0 is no KKT point
    # (Nocedal & Wright 2006, Thm 12.1: no finite multiplier balances the slope); the sum
    # (Harsanyi 1955) is maximal where c / (2 sqrt x) = k, x = c^2 / (4 k^2), far inside a
    # step of 1e-6 of the box (it was reported exact at x = 0).
    x_star = _rise_max(lambda x: c / (2 * math.sqrt(x)) - k)
    assert x_star == pytest.approx(c**2 / (4 * k**2), rel=1e-12)
    grid = np.logspace(-40, 0, 400001)  # the rise over x = 0, without the constant k
    assert grid[np.argmax(c * np.sqrt(grid) - k * grid)] == pytest.approx(x_star, rel=1e-3)
    s = bargain.utilitarian(two_party(payoff_a, payoff_b))
    assert s.unique
    assert s.agreement["x"] == pytest.approx(x_star, rel=1e-9)
    if s.exact:
        assert float(s.exact_agreement["x"]) == pytest.approx(x_star, rel=1e-12)
    assert "x = min" not in s.binding


def test_infinite_slopes_into_the_box_in_two_variables():
    # sqrt(x) + y**0.3 against 1e5 (2 - x - y): the sum is separable, each coordinate
    # maximal where its slope is zero: 0.5 / sqrt(x) = 1e5 (x = 2.5e-11) and
    # 0.3 y**-0.7 = 1e5 (y = (3e-6)**(1/0.7) = 1.289e-8); both slopes are +inf at 0
    # (Nocedal & Wright 2006, Thm 12.1; Harsanyi 1955). It was reported exact at (0, 0).
    x_star = _rise_max(lambda x: 0.5 / math.sqrt(x) - 1e5)
    y_star = _rise_max(lambda y: 0.3 * y**-0.7 - 1e5)
    assert (x_star, y_star) == pytest.approx((2.5e-11, 3e-6 ** (1 / 0.7)), rel=1e-12)
    grid = np.logspace(-30, 0, 300001)
    assert grid[np.argmax(grid**0.3 - 1e5 * grid)] == pytest.approx(y_star, rel=1e-3)
    s = bargain.utilitarian(
        two_party(
            "sqrt(x) + y**0.3",
            "1e5*(2 - x - y)",
            variables={"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
        )
    )
    assert s.unique
    assert s.agreement["x"] == pytest.approx(x_star, rel=1e-9)
    assert s.agreement["y"] == pytest.approx(y_star, rel=1e-9)
    assert s.binding == ()


@given(e=st.floats(4.0, 9.0), c=st.floats(0.5, 2.0))
def test_an_infinite_slope_into_the_box_for_any_size(e, c):
    # c sqrt(x) + 10**e (1 - x): its maximum x = c^2 / (4 k^2) (c / (2 sqrt x) = k; Harsanyi
    # 1955) lies below rounding of the sum's size from x = 0 for the larger k, yet x = 0,
    # where the slope into the box is +inf, is no maximum (Nocedal & Wright 2006, Thm 12.1).
    k = 10.0**e
    x_star = _rise_max(lambda x: c / (2 * math.sqrt(x)) - k)
    s = bargain.utilitarian(two_party(f"{c!r}*sqrt(x)", f"{k!r}*(1 - x)"), exact=False)
    assert s.agreement["x"] == pytest.approx(x_star, rel=1e-9)


@pytest.mark.parametrize("width", [1e3, 1e5, 1e6, 1e12])
def test_a_vertex_maximum_in_a_wide_box_is_one_agreement(width):
    # u_W = x + y, u_A = 1 - x - y/2 on [0, width]**2, d = 0. The sum 1 + y/2 grows with y
    # until A's gain is 0: the individually rational agreements are the triangle x, y >= 0,
    # x + y/2 <= 1, and the sum is largest at its vertex (0, 2) alone (sum 2). In a box
    # 1e3 wide "the feasible set is empty" was reported (the tie-break's search found no
    # other agreement of the one-point set), in one 1e6 wide the set y in [1.9999998, 2]
    # (the individually rational set's widths, searched in the box's units, came out 0).
    m = bargain.model_from_dict(
        {
            "model": {"name": "vertex"},
            "variables": {"x": {"min": 0, "max": width}, "y": {"min": 0, "max": width}},
            "parties": {"W": {"payoff": "x + y"}, "A": {"payoff": "1 - x - y/2"}},
        }
    )
    s = bargain.utilitarian(m)
    assert s.unique
    assert s.agreement == pytest.approx({"x": 0.0, "y": 2.0}, abs=1e-12)
    assert s.extra["total"]["sum"] == pytest.approx(2.0, rel=1e-12)


def test_a_face_of_maximisers_with_a_log_payoff_is_one_set(search_methods):
    # P = a (d = 0.1 S), Q = b, R = c, T = S log(1 + (S - a - b - c)/S), a + b + c <= S,
    # S = 1e9: the sum is S - r + S log(1 + r/S) with r the budget left, largest at r = 0,
    # so every agreement of the face a + b + c = S (a >= 0.1 S) maximises it. It was
    # "seven separate maximisers": between two of them T's gain, a rounding of S (1e-7)
    # beside terms of that size, was taken for a miss of its constraint. The tie-break
    # (T gains nothing on the face) is the Nash product of P, Q, R: (0.4, 0.3, 0.3) S.
    size = 1e9
    m = four_parties_with_a_log(size)
    s = bargain.utilitarian(m)
    assert not s.agreement_points
    ends = {"a": (0.1, 1.0), "b": (0.0, 0.9), "c": (0.0, 0.9)}
    for name, (low, high) in ends.items():
        assert s.agreement_set[name] == pytest.approx((low * size, high * size), rel=1e-6)
    # T's gain on the face is a rounding of S, in its constraint (log1p's summands) and at
    # the tie-break's start: the set's ends are found by SLSQP, with no slower method
    # (trust-constr ran 4 to 6 s an end, 25 to 40 s in all), and the tie-break is polished.
    assert "degenerate" not in s.route
    assert "trust-constr" not in search_methods and "COBYQA" not in search_methods
    for name, share in {"a": 0.4, "b": 0.3, "c": 0.3}.items():
        assert s.agreement[name] / size == pytest.approx(share, rel=1e-9)


@pytest.mark.parametrize("size", [1.0, 1e9])
@pytest.mark.parametrize(
    "payoff",
    [
        "S*log(1 + (S - a - b)/S)",
        "S*log((2*S - a - b)/S)",
        "S*log(2 - a/S - b/S)",
        "S*(1 - exp((a + b - S)/S))",
        "S*(sqrt(1 + 2*(S - a - b)/S) - 1)",
        "(S - a - b) - (S - a - b)**2/S",
    ],
)
def test_a_party_with_a_rounding_of_the_budget_on_the_face_is_held_out(
    payoff, size, search_methods
):
    # P = a (d = 0.1 S), Q = b, T's payoff a function of the budget left r = S - a - b,
    # zero at r = 0 with slope -1 there (so the sum's slope across the face a + b = S is
    # zero, and the sum is largest on the whole face). T gains nothing on the face: the
    # tie-break is the Nash product of P and Q, equal gains (Nash 1950): a - 0.1 S = b =
    # 0.45 S. It was 0.525 S, 0.534 S or 0.532 S at S = 1, "accuracy ~1e-7" (T put in the
    # product by its gain of 4.5e-4 S beyond the face, the square root of the level's
    # tolerance), "2 separate maximisers" (expm1's value 0 its only summand, or the root's
    # sum times 1/(sqrt(...) + 1)), or "the budget cannot hold within the bounds" (the
    # level 1.0 S and S, in the maximal sum's constraint, added to one summand 0).
    m = shares_and_the_rest(size, [0.1, 0], payoff)
    s = bargain.utilitarian(m)
    assert "degenerate" not in s.route
    assert s.agreement["a"] / size == pytest.approx(0.55, rel=1e-9)
    assert s.agreement["b"] / size == pytest.approx(0.45, rel=1e-9)
    assert s.agreement_set["a"] == pytest.approx((0.1 * size, size), rel=1e-6)
    assert s.agreement_set["b"] == pytest.approx((0.0, 0.9 * size), rel=1e-6, abs=1e-6 * size)
    assert "trust-constr" not in search_methods


@pytest.mark.parametrize("scale", [1.0, 1e9])
def test_the_tie_break_is_the_same_at_every_scale_of_the_payoffs(scale):
    # u = s (x, y, z), d = s (0.1, 0.2, 0), x + y + z <= 1: the sum is s on the whole face
    # x + y + z = 1 (x >= 0.1, y >= 0.2); its Nash product is largest where each gains the
    # same, 0.7/3 (Nash 1950): (1/3, 13/30, 7/30). At s = 1e9 the check of whether C can
    # gain on the face, searched in dollars, stopped where it started, held C out, and the
    # tie-break picked (0.45, 0.55, 0), where C gains nothing.
    m = bargain.model_from_dict(
        {
            "model": {"name": "face"},
            "parameters": {"s": scale},
            "variables": {k: {"min": 0, "max": 1} for k in "xyz"},
            "constraints": {"budget": "x + y + z <= 1"},
            "parties": {
                "A": {"payoff": "s*x", "disagreement": "0.1*s"},
                "B": {"payoff": "s*y", "disagreement": "0.2*s"},
                "C": {"payoff": "s*z"},
            },
        }
    )
    s = bargain.utilitarian(m)
    ends = {"x": (0.1, 0.8), "y": (0.2, 0.9), "z": (0.0, 0.7)}
    for name, (low, high) in ends.items():
        assert s.agreement_set[name] == pytest.approx((low, high), abs=1e-9)
    assert s.agreement == pytest.approx({"x": 1 / 3, "y": 13 / 30, "z": 7 / 30}, abs=1e-9)


@pytest.mark.parametrize(
    ("rest", "size"),
    [
        ("S*(sqrt(1 + 2*(S - a - b - c)/S) - 1)", 1e9),
        ("(S - a - b - c) - (S - a - b - c)**2/S", 1e-3),
        ("(S - a - b - c) - (S - a - b - c)**2/S", 3e-6),
    ],
)
def test_three_parties_beside_a_function_of_the_budget_left(rest, size):
    # P = a (d = 0.1 S), Q = b (d = 0.2 S), R = c, T = f(r) with r = S - a - b - c, 0 with
    # slope -1 at r = 0: the sum is largest on the whole face r = 0, where T gains nothing;
    # the tie-break is the Nash product of P, Q, R, equal gains of 0.7 S / 3 (Nash 1950):
    # (1/3, 13/30, 7/30) S, and the set spans a in [0.1, 0.8] S, b in [0.2, 0.9] S, c in
    # [0, 0.7] S. The root was "5 separate maximisers" at S = 1e9, and 40 to 58 s at S = 1
    # and 1e-3. For r - r**2/S at S = 1e-3 the float maximum 0.001 is 2.1e-20 above the
    # sum's 1/1000: the level constraint, its constants in 30 digits, was unmet everywhere
    # by that, and the ends' searches stopped near the tie-break (a in [0.327, 0.8] S; at
    # S = 3e-6, c in [0, 0.646] S).
    m = shares_and_the_rest(size, [0.1, 0.2, 0], rest)
    s = bargain.utilitarian(m, exact=False)
    for name, share in {"a": 1 / 3, "b": 13 / 30, "c": 7 / 30}.items():
        assert s.agreement[name] / size == pytest.approx(share, rel=1e-9)
    ends = {"a": (0.1, 0.8), "b": (0.2, 0.9), "c": (0.0, 0.7)}
    for name, (low, high) in ends.items():
        assert s.agreement_set[name] == pytest.approx((low * size, high * size), abs=1e-6 * size)


XY = {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}}


@pytest.mark.parametrize(
    ("payoff_a", "payoff_b", "constraints", "point", "active", "strict"),
    [
        # Flat in x, curved along the budget: u = x + sqrt(y) on x + y = 1 is largest where
        # 1 = 1/(2 sqrt y), y = 1/4, and its second derivative along the line is
        # -1/(4 y**1.5) = -2 < 0 (Nocedal & Wright 2006, Thm 12.6).
        ("x", "sqrt(y)", {"budget": "x + y <= 1"}, (0.75, 0.25), ("budget",), True),
        ("x", "sqrt(y)", {"budget": "x + y == 1"}, (0.75, 0.25), (), True),
        # A cap that binds with a zero multiplier leaves the budget's direction free, where
        # the sum is curved: still strict.
        (
            "x",
            "sqrt(y)",
            {"budget": "x + y <= 1", "cap": "y <= 1/4"},
            (0.75, 0.25),
            ("budget", "cap"),
            True,
        ),
        # A vertex held by positive multipliers: 2x + y, budget and x <= 0.6 (no direction
        # is left that keeps both at 0, first order alone holds it).
        (
            "2*x",
            "y",
            {"budget": "x + y <= 1", "cap": "x <= 0.6"},
            (0.6, 0.4),
            ("budget", "cap"),
            True,
        ),
        # A linear sum on the budget line: every point of it is a maximiser, no strict one.
        ("x", "y", {"budget": "x + y <= 1"}, (0.5, 0.5), ("budget",), False),
        # Convex along the line (x + y**2 on x + y = 1, first order at y = 1/2): a minimum.
        ("x", "y**2", {"budget": "x + y == 1"}, (0.5, 0.5), (), False),
        # Not a first-order point (the slopes 1 and 1/sqrt(2) against the budget's 1, 1).
        ("x", "sqrt(y)", {"budget": "x + y <= 1"}, (0.5, 0.5), ("budget",), False),
        # A kink where the point is: no slope to test.
        ("x", "min(y, 1/4)", {"budget": "x + y <= 1"}, (0.75, 0.25), ("budget",), False),
    ],
)
def test_a_strict_maximum_on_the_active_set(payoff_a, payoff_b, constraints, point, active, strict):
    from bargain.axiomatic.problem import problem_of
    from bargain.axiomatic.program import ProgramResult
    from bargain.axiomatic.utilitarian import _strict_on_the_active_set

    m = two_party(payoff_a, payoff_b, variables=XY, constraints=constraints)
    problem = problem_of(m)
    total = sum(problem.payoffs, sympy.Integer(0))
    result = ProgramResult(
        point=dict(zip(problem.variables, point, strict=True)),
        exact=None,
        active=active,
        polished=True,
    )
    assert _strict_on_the_active_set(problem, problem.program(total), result) is strict


def test_a_sum_flat_in_one_variable_is_strict_along_the_budget(monkeypatch):
    # u_A = x, u_B = sqrt(y) on x + y <= 1: the unique maximiser (3/4, 1/4) (1 = 1/(2 sqrt
    # y)), told strict by second order on the budget line; before, its singular Hessian
    # sent it to twelve searches for the set's ends (4 s) to find the same point.
    from bargain.axiomatic.problem import BargainingProblem

    ranged: list[tuple[str, ...]] = []
    original = BargainingProblem.ends

    def ends(self, start, inequalities, *args, **kwargs):
        ranged.append(tuple(name for name, _ in inequalities))
        return original(self, start, inequalities, *args, **kwargs)

    monkeypatch.setattr(BargainingProblem, "ends", ends)
    s = bargain.utilitarian(
        two_party("x", "sqrt(y)", variables=XY, constraints={"budget": "x + y <= 1"})
    )
    assert s.unique
    assert s.agreement == pytest.approx({"x": 0.75, "y": 0.25}, abs=1e-12)
    best = minimize_scalar(lambda y: -(1 - y + math.sqrt(y)), bounds=(0, 1), method="bounded")
    assert s.agreement["y"] == pytest.approx(best.x, abs=1e-5)
    assert not any("maximal sum" in names for names in ranged)


def test_a_separate_maximiser_beside_a_face_of_maximisers():
    # A = x, B = y, C = (1 - x - y)**2 on x + y <= 1: with s = x + y the sum is
    # s + (1 - s)**2, convex in s, 1 at s = 0 and s = 1 and below 1 between: the maximisers
    # are (0, 0) alone and the whole edge x + y = 1. The edge was reported as its middle
    # point (0.5, 0.5) alone, as if no other agreement on it maximised the sum.
    m = bargain.model_from_dict(
        {
            "model": {"name": "tri"},
            "variables": XY,
            "constraints": {"budget": "x + y <= 1"},
            "parties": {
                "A": {"payoff": "x"},
                "B": {"payoff": "y"},
                "C": {"payoff": "(1 - x - y)**2"},
            },
        }
    )
    s = bargain.utilitarian(m)
    assert not s.unique and len(s.agreement_points) == 2
    alone, on_edge = s.agreement_points
    assert alone == pytest.approx({"x": 0.0, "y": 0.0}, abs=1e-9)
    assert on_edge["x"] + on_edge["y"] == pytest.approx(1.0, abs=1e-9)
    assert s.agreement_point_sets[0] is None
    assert s.agreement_point_sets[1] == pytest.approx({"x": (0.0, 1.0), "y": (0.0, 1.0)}, abs=1e-7)
    # The reference, on a grid of the triangle in twentieths (exact in fractions): the sum
    # is 1 at (0, 0) and on the edge, and below 1 everywhere else.
    grid = [(Fraction(i, 20), Fraction(j, 20)) for i in range(21) for j in range(21 - i)]
    best = [(x, y) for x, y in grid if x + y + (1 - x - y) ** 2 == 1]
    assert best == [(x, y) for x, y in grid if x + y in (0, 1)]
    assert all(x + y + (1 - x - y) ** 2 < 1 for x, y in grid if (x, y) not in best)
    assert "(one of a set of maximisers spanning x in [0, 1], y in [0, 1])" in s.to_text()
    assert s.to_dict()["agreement_point_sets"] == [None, {"x": [0.0, 1.0], "y": [0.0, 1.0]}]


@pytest.mark.parametrize("n", [2, 3])
@pytest.mark.parametrize("power", [2, 3])
def test_vertices_that_maximise_the_sum_alone_are_points_not_sets(n, power):
    # P_i = a_i**k (k = 2, 3) on a_1 + ... + a_n <= 1: sum(a_i**k) <= (sum a_i)**k <= 1, with
    # equality only where one a_i is 1 and the rest 0, so the maximisers are the n vertices,
    # each alone. At a vertex the payoffs at disagreement (a_i**k >= 0 at a_i = 0) bind with
    # a zero gradient, the multipliers are not unique, and a vertex was reported as "one of
    # a set of maximisers spanning" the whole box (its span reached the other vertices).
    names = "abc"[:n]
    m = bargain.model_from_dict(
        {
            "model": {"name": "vertices"},
            "variables": {v: {"min": 0, "max": 1} for v in names},
            "constraints": {"budget": " + ".join(names) + " <= 1"},
            "parties": {v.upper(): {"payoff": f"{v}**{power}"} for v in names},
        }
    )
    s = bargain.utilitarian(m)
    assert not s.unique
    found = sorted(tuple(round(p[v], 9) for v in names) for p in s.agreement_points)
    assert found == sorted(tuple(float(i == j) for i in range(n)) for j in range(n))
    assert not any(s.agreement_point_sets)  # each a maximiser alone
    # The reference, on a grid of the simplex in tenths (exact in fractions): the sum is 1
    # at the vertices alone.
    steps = [Fraction(i, 10) for i in range(11)]
    grid = [p for p in itertools.product(steps, repeat=n) if sum(p) <= 1]
    best = [p for p in grid if sum(a**power for a in p) == 1]
    assert sorted(best) == sorted(tuple(Fraction(int(i == j)) for i in range(n)) for j in range(n))
    assert "one of a set" not in s.to_text()


@pytest.mark.parametrize("size", [1.0, 1e10, 1e12])
def test_a_peak_at_a_kink_is_one_maximiser_at_any_scale(size):
    # x against min(S - x/2, 7S/4 - 2x) (written with abs) on [0, 7S/8]: the sum is
    # S + x/2 up to x = S/2 and 7S/4 - x beyond, a strict peak 5S/4 at x = S/2 alone. A
    # kink's maximum is not polished, and the maximisers' span was then never measured:
    # at S = 1e10 and above the peak was reported "not unique", a set [S/2, S/2].
    half = "(S - 0.5*x)"
    steep = "(1.75*S - 2*x)"
    m = bargain.model_from_dict(
        {
            "model": {"name": "kink"},
            "parameters": {"S": size},
            "variables": {"x": {"min": 0, "max": "0.875*S"}},
            "parties": {
                "W": {"payoff": "x"},
                "A": {"payoff": f"({half} + {steep} - abs({half} - {steep}))/2"},
            },
        }
    )
    s = bargain.utilitarian(m)
    assert s.unique
    assert s.agreement["x"] == pytest.approx(size / 2, rel=1e-9)
    assert s.extra["total"]["sum"] == pytest.approx(1.25 * size, rel=1e-9)


def test_a_set_of_maximisers_beside_a_separate_one_is_spanned_to_its_own_end():
    # W = x, A = 1 - x up to x = 0.2 and (1 - x)(1.2 - x) beyond: the sum is 1 on [0, 0.2],
    # 1.2 - 1.2 x + x**2 beyond (0.84 at x = 0.6, 1 again at x = 1 alone). The search for the
    # set's end from x = 0 leapt to the other maximiser, and the set was [0, 1].
    m = two_party("x", "Piecewise((1 - x, x <= 0.2), ((1 - x)*(1.2 - x), True))")
    s = bargain.utilitarian(m)
    assert not s.unique and len(s.agreement_points) == 2
    on_set, alone = sorted(s.agreement_points, key=lambda p: p["x"])
    assert alone["x"] == pytest.approx(1.0, abs=1e-9)
    spans = dict(zip((p["x"] for p in s.agreement_points), s.agreement_point_sets, strict=True))
    assert spans[alone["x"]] is None
    lo, hi = spans[on_set["x"]]["x"]
    assert lo == pytest.approx(0.0, abs=1e-9) and hi == pytest.approx(0.2, abs=1e-9)
    # The reference, on a grid in hundredths (exact in fractions).
    grid = [Fraction(i, 100) for i in range(101)]
    total = [x + ((1 - x) if x <= Fraction(1, 5) else (1 - x) * (Fraction(6, 5) - x)) for x in grid]
    assert [x for x, t in zip(grid, total, strict=True) if t == 1] == [*grid[:21], grid[-1]]
