"""One contract variable in many digits: roots, and a narrow individually rational set."""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.axiomatic.one_variable import OneVariable, narrow_rational_box, root
from bargain.axiomatic.problem import problem_of
from tests.conftest import two_party


@pytest.mark.parametrize("big", [1e15, 1e100, 1e300])
def test_a_root_is_found_to_its_distance_from_the_bound(big):
    # x = L (1 - x) at x = L / (L + 1) (exact, in rationals): 1 - x = 1 / (L + 1), which at
    # L = 1e300 needs 340 digits of x; the root carries 40 of its distance from the bound 1.
    one = OneVariable(problem_of(two_party("x", "L*(1 - x)", parameters={"L": big})))
    with mpmath.workdps(one.digits):
        x = root(lambda x: one.gains(x)[0] - one.gains(x)[1], 0.0, 1.0)
        distance = mpmath.nstr(1 - x, 45)
    exact = 1 / (Fraction(repr(big)) + 1)  # the parameter is the decimal it is written as
    assert float(abs(Fraction(distance) - exact) / exact) < 1e-35


def test_a_narrow_rational_interval_is_boxed_with_a_margin():
    # x against 1 - x with d = (0.4, 0.6 - 1e-12): the individually rational contracts are
    # [0.4, 0.4 + 1e-12]; the box around them is within the bounds and 2**-8 wider each side.
    m = two_party("x", "1 - x", d_a=0.4, d_b="0.6 - 1e-12")
    lo, hi = narrow_rational_box(problem_of(m))
    a, b = Fraction(2, 5), Fraction(2, 5) + Fraction(1, 10**12)
    margin = (b - a) / 256
    assert abs(Fraction(str(lo)) - (a - margin)) < Fraction(1, 10**30)
    assert abs(Fraction(str(hi)) - (b + margin)) < Fraction(1, 10**30)


@pytest.mark.parametrize("d_b", ["0.5", "0.6"], ids=["wide", "a point"])
def test_a_wide_or_single_point_rational_set_is_not_narrowed(d_b):
    assert narrow_rational_box(problem_of(two_party("x", "1 - x", d_a=0.4, d_b=d_b))) is None


@given(a=st.floats(0.05, 0.9), e=st.integers(3, 14))
def test_a_tiny_surplus_is_split_as_the_closed_form_says(a, e):
    # x against 1 - x with disagreement payoffs (a, 1 - a - s), a surplus s = 10**-e on payoffs
    # of one ("payoffs in $bn, the surplus $1"). Nash (Nash 1950), Kalai–Smorodinsky (Kalai &
    # Smorodinsky 1975) and egalitarian (Kalai 1977) all split it equally: x = a + s / 2, each
    # gain s / 2 (in rationals here); the utilitarian sum is 1 on the whole individually
    # rational set [a, a + s]. The searches' tolerances are relative to the box and the
    # payoffs: at s = 1e-12 the Kalai–Smorodinsky solution was refused ("no agreement gives
    # every party more than its disagreement payoff"), and its numeric gains at s = 1e-9 were
    # 2.6e-6 off; the utilitarian set's ends lay outside the set.
    m = two_party("x", "1 - x", d_a=repr(a), d_b=f"1 - {a!r} - 1e-{e}")
    d_a, d_b = (Fraction(int(p.disagreement.p), int(p.disagreement.q)) for p in m.parties)
    surplus = 1 - d_a - d_b
    assert surplus == Fraction(1, 10**e)
    half = surplus / 2
    for method in ("nash", "kalai-smorodinsky", "egalitarian"):
        sol = bargain.SOLVERS[method](m, exact=False)
        x = sol.agreement["x"]
        assert abs(Fraction(x) - (d_a + half)) <= math.ulp(x), method  # the float nearest
        for p, d in zip(("A", "B"), (d_a, d_b), strict=True):
            assert sol.payoffs[p] == pytest.approx(float(d + half), rel=1e-15), method
    u = bargain.utilitarian(m, exact=False)
    lo, hi = u.agreement_set["x"]
    # Each end the float nearest it (to 1e-6 of the surplus beyond).
    slack = float(surplus) * 1e-6 + math.ulp(float(d_a))
    assert abs(Fraction(lo) - d_a) <= slack
    assert abs(Fraction(hi) - (d_a + surplus)) <= slack


@pytest.mark.parametrize("e", [12, 15, 17, 20])
def test_a_tiny_surplus_at_the_top_of_the_range(e):
    # x against 1 - x with d = (1 - s, 0): the individually rational contracts are
    # [1 - s, 1], at the top of the range, where 1 - x is the window's size. Nash (Nash 1950),
    # Kalai–Smorodinsky (1975) and egalitarian (Kalai 1977) give each party s / 2, so
    # x = 1 - s / 2; the utilitarian sum is 1 on the whole window. Measured from a parameter
    # of value 1 - s, B's payoff 1 - x was computed log1p(-(1 - s) - ...), -1.0 in floats:
    # at s = 1e-17 it was refused as "below floating point" (it is 5e-18) and then as "the
    # disagreement point is not improved upon".
    m = two_party("x", "1 - x", d_a=f"1 - 1e-{e}", d_b=0)
    s = Fraction(1, 10**e)
    for method in ("nash", "kalai-smorodinsky", "egalitarian"):
        sol = bargain.SOLVERS[method](m, exact=False)
        x = sol.agreement["x"]
        assert abs(Fraction(x) - (1 - s / 2)) <= math.ulp(1.0) / 2, method  # the float nearest
        assert sol.payoffs["B"] == pytest.approx(float(s / 2), rel=1e-12), method
        assert sol.payoffs["A"] == pytest.approx(float(1 - s / 2), rel=1e-15), method
    lo, hi = bargain.utilitarian(m, exact=False).agreement_set["x"]
    assert abs(Fraction(lo) - (1 - s)) <= math.ulp(1.0) / 2
    assert hi == 1.0


@pytest.mark.parametrize("e", [6, 9, 12])
def test_a_tiny_surplus_of_a_concave_payoff_against_an_independent_route(e):
    # sqrt(x) against 1 - x with d = (1/2, 3/4 - s): the individually rational contracts are
    # [1/4, 1/4 + s]. The Nash product (sqrt(x) - 1/2)(1/4 + s - x) is maximised where its
    # derivative vanishes, found here by mpmath in 60 digits: independent of the solver's
    # search (SLSQP in floats, then Newton's polish).
    m = two_party("sqrt(x)", "1 - x", d_a=0.5, d_b=f"0.75 - 1e-{e}")
    with mpmath.workdps(60):
        s = mpmath.mpf(10) ** -e

        def slope(x: mpmath.mpf) -> mpmath.mpf:
            return (0.25 + s - x) / (2 * mpmath.sqrt(x)) - (mpmath.sqrt(x) - mpmath.mpf(1) / 2)

        x = mpmath.findroot(slope, (mpmath.mpf(1) / 4, mpmath.mpf(1) / 4 + s), solver="anderson")
        gain_b = 0.25 + s - x
    sol = bargain.nash(m, exact=False)
    assert sol.agreement["x"] == pytest.approx(float(x), rel=1e-15)
    assert sol.payoffs["A"] == pytest.approx(float(mpmath.sqrt(x)), rel=1e-15)
    assert sol.payoffs["B"] == pytest.approx(float(1 - x), rel=1e-15)
    # Both gain: B's is between 0 and the surplus (not at a bound of the rational set).
    assert 0 < float(gain_b) < float(s)
