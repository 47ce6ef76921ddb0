"""The alternating-offers game at the edges of floating point: very patient parties,
discount factors below the smallest float, and kinked frontiers.

The closed form is Rubinstein's (1982): with payoffs ``x`` and ``V - x`` and W
proposing first, ``x* = V (1 - δ_A) / (1 - δ_W δ_A)`` (Muthoo 1999, §3.2,
eq. 3.3), with ``δ_i = exp(-r_i)`` for a discount rate ``r_i``.
"""

from __future__ import annotations

import math

import mpmath
import pytest

import bargain
from bargain.model.patience import patience_powers
from tests.conftest import two_party


def rubinstein_share(delta_w: mpmath.mpf, delta_a: mpmath.mpf) -> float:
    """Muthoo (1999), eq. 3.3, in 40 digits."""
    with mpmath.workdps(40):
        return float((1 - delta_a) / (1 - delta_w * delta_a))


def by_rates(r_w: str, r_a: str) -> bargain.Model:
    """Payoffs x and 1 - x for A (proposing first, as the first party) and B."""
    return two_party(
        "x",
        "1 - x",
        parameters={"r_W": r_w, "r_A": r_a},
        A={"discount_rate": "r_W"},
        B={"discount_rate": "r_A"},
    )


def from_rates(r_w: str, r_a: str) -> float:
    with mpmath.workdps(40):
        return rubinstein_share(mpmath.exp(-mpmath.mpf(r_w)), mpmath.exp(-mpmath.mpf(r_a)))


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize(("r_w", "r_a"), [("1e-12", "2e-12"), ("3e-13", "1e-13")])
def test_very_patient_parties_keep_their_digits(r_w, r_a, exact):
    # Rates of 1e-12 per round: the float fixed point is off by ~1e-5 (0.66665741 for
    # the first pair); the proposals are polished in 40 digits and the closed form kept.
    s = bargain.rubinstein(by_rates(r_w, r_a), exact=exact)
    assert s.agreement["x"] == pytest.approx(from_rates(r_w, r_a), rel=1e-13, abs=0)
    assert s.exact is exact


def test_the_patient_limit_is_the_nash_split_with_powers_from_rates():
    # Binmore, Rubinstein & Wolinsky (1986), §3: as the rates shrink, W's share tends to
    # r_A / (r_W + r_A) = 2/3 (here the first-mover advantage is ~1e-12).
    m = by_rates("1e-12", "2e-12")
    assert bargain.rubinstein(m).agreement["x"] == pytest.approx(2 / 3, abs=1e-12)
    assert patience_powers(m)["A"] == pytest.approx(2 / 3, rel=1e-15)


def test_discount_factors_a_hair_below_one():
    # Factors given as 1 - 1e-12 and 1 - 2e-12 (exact decimals): x* = 2e-12 / (3e-12 - 2e-24).
    m = two_party(
        "x",
        "1 - x",
        A={"discount_factor": "1 - 1e-12"},
        B={"discount_factor": "1 - 2e-12"},
    )
    expected = rubinstein_share(1 - mpmath.mpf("1e-12"), 1 - mpmath.mpf("2e-12"))
    assert expected == pytest.approx(0.666666666667111, rel=1e-14)
    for exact in (True, False):
        s = bargain.rubinstein(m, exact=exact)
        assert s.agreement["x"] == pytest.approx(expected, rel=1e-13, abs=0)


def split(delta_w: str, delta_a: str, proposer: str = "W") -> bargain.Model:
    """The shared case df_pow_10000.toml: split.toml with powers of discount factors."""
    return bargain.model_from_dict(
        {
            "model": {"name": "split"},
            "parameters": {"V": 1.0, "delta_W": 0.9, "delta_A": 0.8, "half": 0.5},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": delta_w},
                "A": {"payoff": "V - x", "discount_factor": delta_a},
            },
            "bargaining": {"first_proposer": proposer},
        }
    )


def test_discount_factor_below_floating_point_is_accepted():
    # df_pow_10000.toml: 0.9**10000 ~ 2.7e-458 lies in (0, 1] but rounds to 0.0:
    # x* = (1 - δ_A) / (1 - δ_W δ_A) = 0.2 to all digits a float holds.
    s = bargain.rubinstein(split("delta_W**10000", "delta_A"))
    assert s.agreement["x"] == 0.2
    assert s.exact
    # Solved and evaluated (the power is a coefficient to the solver, and evaluating is
    # cheap in it), but not simplified: degree 10000 exceeds the budget's MAX_DEGREE.
    formula = "(V*delta_A - V)/(delta_A*delta_W**10000 - 1)"
    assert str(s.formula["x"]) == formula
    assert s.exact_agreement is None  # a rational of ~10,000 digits is not written out
    assert "0.2" in s.to_text()
    assert s.to_dict()["formula"] == {"x": formula}


def test_discount_factor_written_as_a_power_of_a_number():
    # The same case with the power written out: 0.9**10000 has 9,543 digits exactly, so
    # the parser keeps it to 30 significant digits (2.66130342721741979197820171225e-458),
    # never refusing it for its digits; x* = 0.2 as above, and the formula keeps the
    # rounded number as it is (sympy.solve would round it to 15 digits). A formula with that
    # 30-digit number in it is not a closed form (report s26 §13: it was claimed exact):
    # the answer is numeric, as the axiomatic concepts' with a float (no_floats).
    s = bargain.rubinstein(split("0.9**10000", "delta_A"))
    assert s.agreement["x"] == 0.2
    assert (s.exact, s.formula, s.exact_agreement) == (False, None, None)
    # The same, written otherwise or far smaller (0.5**(10**6) is 1.01e-301030: as a
    # fraction in sympy's polynomial routines it took the 10 s safety net).
    for written in ("exp(10000*log(0.9))", "1e-1500", "0.5**(10**6)"):
        other = bargain.rubinstein(split(written, "delta_A"))
        assert other.agreement["x"] == 0.2
        assert not other.exact


def test_brw_limit_with_a_factor_below_floating_point():
    # The brief's BRW row of the same case (Binmore, Rubinstein & Wolinsky 1986, §3):
    # powers r_A / (r_W + r_A) for W, r_W = -ln(0.9**10000) = 10000 ln(10/9) = 1053.6,
    # r_A = ln(1.25); the rate computed from the float δ_W = 0.0 would be infinite and
    # made the program's constants NaN ("the feasible set is empty"). They are
    # computed in 30 digits from the exact values now, so x = V * power_W.
    r_w, r_a = 10000 * math.log(10 / 9), math.log(1.25)
    for written in ("delta_W**10000", "0.9**10000"):
        s = bargain.nash(split(written, "delta_A"), limit=True)
        assert s.agreement["x"] == pytest.approx(r_a / (r_w + r_a), rel=1e-12)
        assert s.powers["W"] == pytest.approx(r_a / (r_w + r_a), rel=1e-12)


def test_another_factor_below_floating_point():
    # 0.5**5000 ~ 7e-1506 for A, A proposing first: A offers W its continuation value,
    # x = δ_W x_W with x_W = (1 - δ_A) / (1 - δ_W δ_A) ~ 1, so x = 0.9.
    s = bargain.rubinstein(split("delta_W", "half**5000", proposer="A"))
    assert s.agreement["x"] == pytest.approx(0.9, abs=1e-15)
    assert s.extra["proposals"]["W"] == pytest.approx(1.0, abs=1e-15)


def test_discount_factor_above_one_by_a_power_is_refused_with_a_short_message():
    with pytest.raises(bargain.ModelError, match=r"must lie in \(0, 1\], got 3\.75756e\+457"):
        split("(1/delta_W)**10000", "delta_A")


def test_kinked_frontier():
    # u_W = x, u_A = min(1 - x/2, 7/4 - 2x) on [0, 7/8] (the shared kink_min.toml) with
    # δ_W = 0.9, δ_A = 0.8: u_A(x_W) = δ_A u_A(x_A), x_A = δ_W x_W. On the right piece,
    # 7/4 - 2 x_W = 0.8 (7/4 - 1.8 x_W) gives x_W = 0.35 / 0.56 = 0.625 (and x_A = 0.5625,
    # also right of the kink at 1/2).
    m = two_party(
        "x",
        "min(1 - 0.5*x, 1.75 - 2*x)",
        variables={"x": {"min": 0, "max": 0.875}},
        A={"discount_factor": 0.9},
        B={"discount_factor": 0.8},
    )
    s = bargain.rubinstein(m)
    assert s.agreement["x"] == pytest.approx(0.625, abs=1e-12)
    assert s.extra["proposals"]["B"] == pytest.approx(0.5625, abs=1e-12)


@pytest.mark.parametrize("route", ["auto", "numeric"])
def test_sweep_of_very_patient_parties(route):
    # The vectorised kernel and the compiled closed form cannot resolve 1 - δ_W δ_A ~ 3e-12
    # in floats: those points go to the scalar solver, and agree with eq. 3.3.
    m = two_party(
        "x",
        "1 - x",
        parameters={"r_W": {"value": 1e-12, "range": [1e-12, 3e-12]}, "r_A": 2e-12},
        A={"discount_rate": "r_W"},
        B={"discount_rate": "r_A"},
    )
    df = bargain.sweep(m, "rubinstein", {"r_W": (1e-12, 3e-12, 3)}, route=route)
    assert list(df["status"]) == ["ok"] * 3
    for r_w, x in zip(["1e-12", "2e-12", "3e-12"], df["x"], strict=True):
        assert x == pytest.approx(from_rates(r_w, "2e-12"), rel=1e-12)


@pytest.mark.parametrize("size", [1e-12, 1.0, 1e12])
def test_very_patient_parties_at_any_scale(size):
    # The same game over a pie of 1e-12, 1 or 1e12: the share is the same to its last
    # digits (the polish's error estimate is on the contract range's own scale, with no
    # absolute floor of 1).
    m = two_party(
        "x",
        "s - x",
        parameters={"r_W": "1e-12", "r_A": "2e-12", "s": size},
        variables={"x": {"min": 0, "max": "s"}},
        A={"discount_rate": "r_W"},
        B={"discount_rate": "r_A"},
    )
    s = bargain.rubinstein(m, exact=False)
    assert s.agreement["x"] / size == pytest.approx(from_rates("1e-12", "2e-12"), rel=1e-13)
