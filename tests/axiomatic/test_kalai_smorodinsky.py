"""Kalai–Smorodinsky against closed forms, a root-finding route, and its axioms."""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

import bargain
from tests.conftest import disagreements, four_parties_with_a_log, odd_power, two_party

TOL = 1e-9


def test_concave_golden_ratio(concave):
    # Kalai & Smorodinsky (1975): the maximal point on the segment from d = (0, 0) to the ideal
    # point a = (1, 1); x = sqrt(1 - x) gives x = (sqrt(5) - 1) / 2.
    s = bargain.kalai_smorodinsky(concave)
    assert s.exact
    assert sympy.simplify(s.exact_agreement["x"] - (sympy.sqrt(5) - 1) / 2) == 0
    assert s.agreement["x"] == pytest.approx((math.sqrt(5) - 1) / 2, abs=TOL)
    assert s.extra["ideal"] == {"A": pytest.approx(1), "B": pytest.approx(1)}


@given(p=st.floats(0.2, 4), d_a=disagreements, d_b=disagreements)
def test_against_root_finding(p, d_a, d_b):
    # Independent route: the ideal point is (1 - d_b**(1/p), (1 - d_a)**p) (each party's best
    # individually rational payoff); solve the proportionality condition with brentq.
    ideal_a = 1 - d_b ** (1 / p)
    ideal_b = (1 - d_a) ** p

    def gap(x: float) -> float:
        return (x - d_a) / (ideal_a - d_a) - ((1 - x) ** p - d_b) / (ideal_b - d_b)

    root = brentq(gap, d_a, ideal_a, xtol=1e-14)
    # p a parameter's value, not written in (see POWER below): the programs compile once.
    m = two_party("x", "(1 - x)**p", parameters={"p": p}, d_a=d_a, d_b=d_b)
    s = bargain.kalai_smorodinsky(m, exact=False)
    assert s.agreement["x"] == pytest.approx(root, abs=1e-8)


def test_split_equals_nash(split):
    # On a linear frontier KS and Nash coincide (both split the difference).
    m = split.with_values(d_W=0.1, d_A=0.3)
    assert bargain.kalai_smorodinsky(m).agreement["x"] == pytest.approx(0.4, abs=TOL)


POWER = two_party("x", "(1 - x)**p", parameters={"p": 1.0})
"""u_A = x, u_B = (1 - x)**p: hypothesis draws p as a value of this one model
(Model.with_values), so every example reuses its compiled programs, which are keyed by
structure (an exponent written in is compiled anew for each value); the solver sees the same
problem as with the number written in."""


@given(p_low=st.floats(0.3, 2), step=st.floats(0.1, 2))
def test_individual_monotonicity(p_low, step):
    # Kalai & Smorodinsky (1975), individual monotonicity: B's frontier (1 - x)**p rises
    # pointwise as p falls while A's ideal payoff stays 1, so B's payoff must not fall.
    high = bargain.kalai_smorodinsky(POWER.with_values(p=p_low + step), exact=False)
    low = bargain.kalai_smorodinsky(POWER.with_values(p=p_low), exact=False)
    assert low.payoffs["B"] >= high.payoffs["B"] - 1e-9


@given(alpha=st.floats(0.1, 10), beta=st.floats(-5, 5))
def test_affine_invariance(alpha, beta):
    base = bargain.kalai_smorodinsky(two_party("x", "sqrt(1 - x)"), exact=False)
    scaled = bargain.kalai_smorodinsky(
        two_party("x", f"{alpha!r} * sqrt(1 - x) + {beta!r}", d_b=beta), exact=False
    )
    assert scaled.agreement["x"] == pytest.approx(base.agreement["x"], abs=1e-8)


CANCELLING = {
    "sqrt(1 + x) - 1": lambda z: mpmath.sqrt(1 + z) - 1,
    "(1 + x)**(1/3) - 1": lambda z: mpmath.cbrt(1 + z) - 1,
    "exp(1 + x) - exp(1)": lambda z: mpmath.e * mpmath.expm1(z),
}


@pytest.mark.parametrize("payoff", sorted(CANCELLING))
@pytest.mark.parametrize("v", ["1e-12", "1e-9", "1e-7"])
def test_the_ideal_point_of_a_root_or_exponential_beside_a_number(v, payoff):
    # u_W = sqrt(1 + x) - 1 (or a cube root, or exp(1 + x) - E) against V - x on [0, V]:
    # the ideal point is (u_W(V), V) and KS (Kalai & Smorodinsky 1975) solves
    # u_W(x)/u_W(V) = (V - x)/V, here in mpmath at 50 digits. In floats sqrt(1 + x) - 1
    # keeps 7 digits at 1e-9: the ideal point's search stopped at its start (ideal
    # W = 0.904 u_W(V)), and x was 5% off (40% at 1e-12).
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "parameters": {"V": v},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {"W": {"payoff": payoff}, "A": {"payoff": "V - x"}},
        }
    )
    with mpmath.workdps(50):
        top = mpmath.mpf(v)
        u = CANCELLING[payoff]
        x = mpmath.findroot(lambda z: u(z) / u(top) - (top - z) / top, top / 2)
    s = bargain.kalai_smorodinsky(m, exact=False)
    assert s.extra["ideal"]["W"] == pytest.approx(float(u(top)), rel=1e-13)
    assert s.agreement["x"] == pytest.approx(float(x), rel=1e-13)


def test_an_ideal_payoff_with_a_log_of_a_large_parameter_is_not_a_huge_power():
    # Four parties: P = a (d = 0.1 S), Q = b, R = c, T = S log(1 + (S - a - b - c)/S), with
    # a + b + c <= S, S = 1e9. T's ideal is S log(19/10) (a = S/10, b = c = 0); simplify
    # wrote it log((19/10)**S), whose value at S = 1e9 is a rational of a billion digits:
    # the solve ran for more than ten minutes. KS (1975): equal gain ratios, P's, Q's and
    # R's ideal gains 0.9 S: a = (0.1 + g) S, b = c = g S, each ratio g/0.9, T's
    # log(1 + r)/log(1.9) with r = 0.9 - 3 g the budget left (a shares of S), by brentq.
    m = four_parties_with_a_log(1e9)
    g = brentq(lambda g: g / 0.9 - math.log(1 + 0.9 - 3 * g) / math.log(1.9), 0.0, 0.3, xtol=1e-15)
    s = bargain.kalai_smorodinsky(m)
    assert s.extra["ideal"]["T"] == pytest.approx(1e9 * math.log(1.9), rel=1e-12)
    assert s.agreement == pytest.approx(
        {"a": 1e9 * (0.1 + g), "b": 1e9 * g, "c": 1e9 * g}, rel=1e-9
    )


@pytest.mark.parametrize("exact", [True, False])
def test_a_power_whose_exponent_rounds_to_a_whole_one_is_real(exact):
    # u_A = x/2 - x**3.0000000000000000001 - (y - 0.3)**2, u_B = sqrt(y), d = -100 each, on
    # x in [-1, 1]: computed in floating point as x**3; exactly, at x = -1, a complex
    # number whose imaginary part is 3e-19, rounding (the convention of the payoffs'
    # values). It was a raw TypeError (the session-30 battery). A's ideal is 1/2 at
    # (-1, 0.3), B's 1 at y = 1; KS equalises the gain ratios (Kalai & Smorodinsky 1975):
    # (100.5 - (y - 0.3)**2)/100.5 = (sqrt(y) + 100)/101 at x = -1, solved by brentq.
    m = odd_power()
    y = brentq(lambda t: (100.5 - (t - 0.3) ** 2) / 100.5 - (math.sqrt(t) + 100) / 101, 0.3, 1)
    s = bargain.kalai_smorodinsky(m, exact=exact)
    assert s.agreement["x"] == pytest.approx(-1.0, abs=1e-12)
    assert s.agreement["y"] == pytest.approx(y, rel=1e-9)
    assert s.extra["ideal"] == pytest.approx({"A": 0.5, "B": 1.0}, rel=1e-12)
