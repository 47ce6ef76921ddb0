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


# --- the alternating-offers limit with breakdown risk (Binmore, Rubinstein & Wolinsky 1986,
# RAND Journal of Economics 17(2), §3-4; Muthoo 1999, Bargaining Theory with Applications,
# §4.4-4.5): powers proportional to 1/(r_i + λ), threat point the impasse point
# (s_i + λ d_i)/(r_i + λ), λ = -ln(1 - q) per period. The derivation is in
# bargain.model.patience; here it is checked against the game itself with ever shorter
# rounds (bargain.rubinstein, brentq on the responders' indifference conditions), an
# independent route from the Nash maximiser (SLSQP).


def _with_breakdown(q: float) -> bargain.Model:
    """W gets x, A gets 1 - x; rates 0.02 and 0.01, breakdown risk q, strike flows and
    disagreement payoffs of both signs."""
    return bargain.model_from_dict(
        {
            "model": {"name": "brw"},
            "parameters": {"q": q},
            "variables": {"x": {"min": -5, "max": 5}},
            "parties": {
                "W": {
                    "payoff": "x",
                    "discount_rate": 0.02,
                    "strike_payoff": -0.01,
                    "disagreement": 0.1,
                },
                "A": {
                    "payoff": "1 - x",
                    "discount_rate": 0.01,
                    "strike_payoff": 0.005,
                    "disagreement": 0.2,
                },
            },
            "bargaining": {"breakdown_probability": "q"},
        }
    )


def _rounds_of(model: bargain.Model, dt: float) -> tuple[float, float]:
    """The game with rounds of dt periods (the model's breakdown risk q per period is
    1 - (1 - q)**dt per round, as the game applies it): the agreement with W and with A
    proposing first."""
    return tuple(  # type: ignore[return-value]
        bargain.rubinstein(model, proposer=p, period=dt, exact=False).agreement["x"]
        for p in ("W", "A")
    )


def test_the_limit_on_a_line_is_the_closed_form_and_the_game_with_short_rounds():
    q = 0.1
    lam = -math.log(1 - q)
    m = _with_breakdown(q)
    r_w, r_a, s_w, s_a, d_w, d_a = 0.02, 0.01, -0.01, 0.005, 0.1, 0.2
    # Closed form: on the line u_W + u_A = 1 the generalised Nash solution gives W its
    # threat point plus its power times the surplus over the threat points.
    e_w, e_a = (s_w + lam * d_w) / (r_w + lam), (s_a + lam * d_a) / (r_a + lam)
    alpha_w = (1 / (r_w + lam)) / (1 / (r_w + lam) + 1 / (r_a + lam))
    expected = e_w + alpha_w * (1 - e_w - e_a)
    assert patience_powers(m)["W"] == pytest.approx(alpha_w, rel=1e-12)
    limit = bargain.nash(m, limit=True, exact=False)
    assert limit.agreement["x"] == pytest.approx(expected, abs=1e-9)
    assert limit.disagreement == pytest.approx({"W": e_w, "A": e_a}, rel=1e-12)
    # The game: the first proposer's advantage vanishes like the round's length, and the
    # two agreements close in on the limit from either side.
    gaps = []
    for dt in (1e-2, 1e-3):
        by_w, by_a = _rounds_of(m, dt)
        assert by_a < expected < by_w
        gaps.append(max(by_w - expected, expected - by_a))
    assert gaps[1] < 2e-4 and 8 < gaps[0] / gaps[1] < 12


def test_without_breakdown_the_limit_is_the_powers_from_patience_and_the_inside_options():
    # λ = 0: powers r_A/(r_W + r_A) = 1/3 for W (BRW 1986, §3), threat point s_i / r_i.
    m = _with_breakdown(0.0)
    assert patience_powers(m) == pytest.approx({"W": 1 / 3, "A": 2 / 3}, rel=1e-12)
    e_w, e_a = -0.01 / 0.02, 0.005 / 0.01
    limit = bargain.nash(m, limit=True, exact=False)
    assert limit.agreement["x"] == pytest.approx(e_w + (1 - e_w - e_a) / 3, abs=1e-9)
    by_w, by_a = _rounds_of(m, 1e-3)
    assert by_a < limit.agreement["x"] < by_w and by_w - by_a < 1e-4


def test_the_flagships_limit_lies_between_its_rubinstein_rows_and_is_their_short_round_limit():
    # The WGA model: 5% breakdown risk a week, about 25 times the weekly discount rates, so
    # the powers are nearly equal (0.4955 for the writers), not the two thirds the
    # producers' patience alone would give them.
    m = bargain.load_model(bargain.models_dir() / "wga2007.toml")
    lam = -math.log(0.95)
    r_w, r_a = 0.10 * 7 / 365, 0.05 * 7 / 365
    assert patience_powers(m)["W"] == pytest.approx((r_a + lam) / (r_w + r_a + 2 * lam))
    limit = bargain.nash(m, limit=True, exact=False).agreement["F"]
    weekly = [bargain.rubinstein(m, proposer=p, exact=False).agreement["F"] for p in "AW"]
    assert weekly[0] < limit < weekly[1]
    # The risk is per week: rounds of a thousandth of a week carry 1 - 0.95**1e-3 each.
    fast = [
        bargain.rubinstein(m, proposer=p, period=1e-3, exact=False).agreement["F"] for p in "AW"
    ]
    assert fast[0] < limit < fast[1] and fast[1] - fast[0] < 0.1


def test_the_limit_refuses_powers_beside_it_and_certain_breakdown():
    m = _with_breakdown(0.1)
    with pytest.raises(bargain.ModelError, match=r"\[nash\] powers: .*give powers or limit"):
        bargain.nash(m, limit=True, powers={"W": 1, "A": 2})
    with pytest.raises(bargain.ModelError, match=r"\[bargaining\] breakdown_probability"):
        patience_powers(m.with_values(q=1))
