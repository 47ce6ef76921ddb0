"""The egalitarian solution against closed forms and an independent root-finding route."""

from __future__ import annotations

import math

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

import bargain
from tests.conftest import disagreements, two_party

TOL = 1e-9


def test_concave_equal_gains(concave):
    # Kalai (1977): equal gains x = sqrt(1 - x), so x**2 + x - 1 = 0 and x = (sqrt(5) - 1) / 2.
    s = bargain.egalitarian(concave)
    assert s.exact
    assert sympy.simplify(s.exact_agreement["x"] - (sympy.sqrt(5) - 1) / 2) == 0
    assert s.payoffs["A"] == pytest.approx(s.payoffs["B"], abs=TOL)
    assert s.extra["gain"]["t"] == pytest.approx((math.sqrt(5) - 1) / 2, abs=TOL)


@given(p=st.floats(0.2, 4), d_a=disagreements, d_b=disagreements)
def test_against_root_finding(p, d_a, d_b):
    root = brentq(lambda x: (x - d_a) - ((1 - x) ** p - d_b), 0, 1, xtol=1e-14)
    s = bargain.egalitarian(two_party("x", f"(1 - x)**{p!r}", d_a=d_a, d_b=d_b), exact=False)
    assert s.agreement["x"] == pytest.approx(root, abs=1e-8)
    assert s.payoffs["A"] - d_a == pytest.approx(s.payoffs["B"] - d_b, abs=1e-8)


def test_split_formula(split):
    # Equal gains on a split: x - d_W = V - x - d_A.
    s = bargain.egalitarian(split)
    V, d_W, d_A = (sympy.Symbol(n, real=True) for n in ("V", "d_W", "d_A"))
    assert sympy.simplify(s.formula["x"] - (V + d_W - d_A) / 2) == 0


def test_not_scale_invariant():
    # Doubling A's utility changes the egalitarian agreement (unlike Nash and KS).
    base = bargain.egalitarian(two_party("x", "1 - x"))
    scaled = bargain.egalitarian(two_party("2 * x", "1 - x"))
    assert base.agreement["x"] == pytest.approx(1 / 2, abs=TOL)
    assert scaled.agreement["x"] == pytest.approx(1 / 3, abs=TOL)
