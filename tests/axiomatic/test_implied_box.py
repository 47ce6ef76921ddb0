"""The box linear constraints leave (bargain.axiomatic.implied_box)."""

from __future__ import annotations

import math

import pytest
import sympy

import bargain
from bargain.axiomatic.implied_box import implied_box


def split(width: float, b_payoff: str, variables: int = 2) -> bargain.Model:
    names = "xyz"[:variables]
    return bargain.model_from_dict(
        {
            "model": {"name": "wide"},
            "variables": {n: {"min": 0, "max": width} for n in names},
            "constraints": {"budget": " + ".join(names) + " <= 1"},
            "parties": {"A": {"payoff": "x"}, "B": {"payoff": b_payoff}},
        }
    )


@pytest.mark.parametrize("width", [1.0, 1e6, 1e15])
def test_wide_bounds_with_a_budget_give_the_closed_forms(width):
    # x, y in [0, width], x + y <= 1, u_A = x: Nash (1950) of u_B = y splits the unit,
    # (1/2, 1/2); KS (1975) of u_B = sqrt(y): ideal (1, 1), x = sqrt(1 - x), x = (sqrt 5 -
    # 1)/2. In [0, 1e15]**2 Nash said "no agreement improves on disagreement" and KS "the
    # ideal point does not exceed the disagreement point": the feasible triangle is 1e-15
    # of the box the searches measure in.
    nash = bargain.nash(split(width, "y"))
    assert nash.exact_agreement == {"x": sympy.Rational(1, 2), "y": sympy.Rational(1, 2)}
    ks = bargain.kalai_smorodinsky(split(width, "sqrt(y)"))
    golden = (math.sqrt(5) - 1) / 2
    assert ks.agreement == pytest.approx({"x": golden, "y": 1 - golden}, rel=1e-12)


def test_three_variables_in_a_wide_box():
    # Nash of u_A = x, u_B = y + z/2 with x + y + z <= 1 in [0, 1e15]**3: a unit of z
    # gives B half what a unit of y does, so z = 0 and the unit is split (1/2, 1/2).
    m = split(1e15, "y + z/2", variables=3)
    s = bargain.nash(m)
    assert s.agreement == pytest.approx({"x": 0.5, "y": 0.5, "z": 0.0}, abs=1e-12)


def test_the_implied_box_is_exact_and_widened():
    # x + y <= 1 with x, y >= 0: each in [0, 1], widened by its width on each side within
    # the declared bounds: [0, 2]. A box not much wider than that is left as declared.
    assert implied_box(split(1e15, "y"), rational=False) == {
        "x": (0, 2),
        "y": (0, 2),
    }
    assert implied_box(split(1e3, "y"), rational=False) == {}  # 1e3 < 2**10 times 1
    # With individual rationality, a party's linear gain counts too: u_B = 1 - x - y/2
    # over 0 bounds y by 2 (x + y unbounded above otherwise).
    m = bargain.model_from_dict(
        {
            "model": {"name": "ir"},
            "variables": {"x": {"min": 0, "max": 1e15}, "y": {"min": 0, "max": 1e15}},
            "parties": {"A": {"payoff": "x + y"}, "B": {"payoff": "1 - x - y/2"}},
        }
    )
    assert implied_box(m, rational=False) == {}
    assert implied_box(m, rational=True) == {"x": (0, 2), "y": (0, 4)}


@pytest.mark.parametrize("width", [1e3, 1e5, 1e6, 1e9])
def test_a_kinked_leximin_and_a_utilitarian_maximum_in_a_wide_box(width):
    # x + y <= 1 in [0, width]**2. Egalitarian of u_A = x, u_B = min(y, 0.3): equal gains
    # stop at 0.3 (B's cap), and leximin (Imai 1983) gives A the rest, (0.7, 0.3); at 1e5
    # the Pareto-dominated (0.3, 0.7) was reported, "(exact)". Utilitarian of x + sqrt(y):
    # the slope 1 = 1/(2 sqrt y) at y = 1/4, (3/4, 1/4); at 1e6 a set of y was reported.
    egalitarian = bargain.egalitarian(split(width, "min(y, 0.3)"))
    assert egalitarian.agreement == pytest.approx({"x": 0.7, "y": 0.3}, abs=1e-12)
    utilitarian = bargain.utilitarian(split(width, "sqrt(y)"))
    assert utilitarian.unique
    assert utilitarian.agreement == pytest.approx({"x": 0.75, "y": 0.25}, abs=1e-12)
