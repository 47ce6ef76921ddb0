"""Discount rates from discount factors, and the powers from patience, at the edges of
floating point (Binmore, Rubinstein & Wolinsky 1986, §3: powers r_j / (r_i + r_j))."""

from __future__ import annotations

import math

import pytest

import bargain
from bargain.model.patience import discount_rates, patience_powers
from tests.conftest import two_party


def test_rates_of_factors_a_hair_below_one_keep_their_digits():
    # -ln(1 - 1e-12) = 1e-12 + 5e-25; from the float 1 - 1e-12 it would be 1.00008890058e-12.
    m = two_party(
        "x",
        "1 - x",
        A={"discount_factor": "1 - 1e-12"},
        B={"discount_factor": "1 - 2e-12"},
    )
    rates = discount_rates(m)
    assert rates["A"] == pytest.approx(1e-12, rel=1e-15)
    assert rates["B"] == pytest.approx(2e-12, rel=1e-15)
    assert patience_powers(m)["A"] == pytest.approx(2 / 3, rel=1e-14)


def test_factor_below_floating_point_has_a_finite_rate():
    # 0.9**10000 rounds to 0.0 as a float; its rate is 10000 ln(10/9) = 1053.605...
    m = two_party(
        "x",
        "1 - x",
        parameters={"d": 0.9},
        A={"discount_factor": "d**10000"},
        B={"discount_factor": 0.5},
    )
    assert discount_rates(m)["A"] == pytest.approx(10000 * math.log(10 / 9), rel=1e-14)
    assert patience_powers(m)["B"] == pytest.approx(
        10000 * math.log(10 / 9) / (10000 * math.log(10 / 9) + math.log(2)), rel=1e-14
    )


def test_factor_above_one_by_a_power_is_refused_naming_it():
    with pytest.raises(bargain.ModelError, match=r"\[parties\.A\] discount_factor: must lie"):
        two_party("x", "1 - x", parameters={"d": 1.1}, A={"discount_factor": "d**10000"})
