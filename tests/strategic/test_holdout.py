"""Strike or hold out (Fernandez & Glazer 1991): the range of wages and the credible threat."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import bargain

TOL = 1e-9


def wages(
    w0: float,
    d_u: float,
    d_f: float,
    *,
    frontier: str = "1 - w",
    first: str = "U",
    top: float = 1,
):
    return bargain.model_from_dict(
        {
            "model": {"name": "wages"},
            "parameters": {"w0": w0},
            "variables": {"w": {"min": 0, "max": top}},
            "parties": {
                "U": {"payoff": "w", "discount_factor": d_u},
                "F": {"payoff": frontier, "discount_factor": d_f},
            },
            "bargaining": {"first_proposer": first, "status_quo": "w0"},
        }
    )


@given(w0=st.floats(0.05, 0.95), delta=st.floats(0.3, 0.99))
def test_common_discount_factor(w0, delta):
    # Derived from the indifference conditions of Fernandez & Glazer's (1991) game (see
    # bargain/strategic/holdout.py): highest wage (1 + delta w0)/(1 + delta) with the union
    # proposing,
    # credible iff w0 <= delta**2; otherwise the only equilibrium wage is w0.
    assume(abs(w0 - delta**2) > 1e-6)
    s = bargain.strike_or_holdout(wages(w0, delta, delta))
    threat = s.extra["strike threat"]
    assert threat["highest, union proposes"] == pytest.approx(
        (1 + delta * w0) / (1 + delta), abs=TOL
    )
    assert threat["highest, firm proposes"] == pytest.approx((delta + w0) / (1 + delta), abs=TOL)
    if w0 < delta**2:
        assert threat["credible"] == 1.0
        assert s.agreement_set["w"] == (
            pytest.approx(w0, abs=TOL),
            pytest.approx((1 + delta * w0) / (1 + delta), abs=TOL),
        )
    else:
        assert threat["credible"] == 0.0
        assert s.agreement == {"w": pytest.approx(w0, abs=TOL)}


@given(w0=st.floats(0.05, 0.6), d_u=st.floats(0.5, 0.95), d_f=st.floats(0.5, 0.99))
def test_highest_wage_is_the_inside_option_formula(w0, d_u, d_f):
    # Independent route: the strike-threat equilibrium is the plain alternating-offers game in
    # which the union's inside option is the holdout flow (impasse point w0) and the firm's is
    # the strike (0). Muthoo (1999), ch. 6: x = c_U + (1 - d_F)/(1 - d_U d_F) (1 - c_U - c_F).
    assume(d_u <= d_f)
    s = bargain.strike_or_holdout(wages(w0, d_u, d_f))
    closed = w0 + (1 - d_f) / (1 - d_u * d_f) * (1 - w0)
    assert s.extra["strike threat"]["highest, union proposes"] == pytest.approx(closed, abs=TOL)
    inside = bargain.model_from_dict(
        {
            "model": {"name": "inside"},
            "variables": {"w": {"min": 0, "max": 1}},
            "parties": {
                "U": {"payoff": "w", "discount_factor": d_u, "strike_payoff": w0 * -math.log(d_u)},
                "F": {"payoff": "1 - w", "discount_factor": d_f},
            },
            "bargaining": {"first_proposer": "U"},
        }
    )
    assert bargain.rubinstein(inside, exact=False).agreement["w"] == pytest.approx(closed, abs=TOL)


@pytest.mark.parametrize("scale", [1e-12, 1e-9, 1.0, 1e9, 1e12])
def test_the_same_game_at_every_scale(scale):
    # A pie of `scale` (wages in $bn or in dollars): the same set of equilibrium wages, scaled.
    # Common discount factor 0.9 on a linear frontier (Fernandez & Glazer 1991, derived in
    # bargain/strategic/holdout.py): credible since w0 = 0.5 <= 0.81, wages from w0 to
    # (1 + 0.9 w0)/(1 + 0.9) = 0.763157894737 times the scale. At 1e-9 the set was reported as
    # the single wage w0 (a width compared with 1e-9 * (1 + range), an absolute floor).
    m = wages(0.5 * scale, 0.9, 0.9, frontier=f"{scale!r} - w", top=scale)
    s = bargain.strike_or_holdout(m)
    assert s.extra["strike threat"]["credible"] == 1.0
    assert s.agreement_set["w"] == (
        pytest.approx(0.5 * scale, rel=TOL),
        pytest.approx((1 + 0.9 * 0.5) / 1.9 * scale, rel=TOL),
    )


@pytest.mark.parametrize(
    ("pie", "w0"), [(1e12, 1e-3), (1.0, 1e-12), (1.0, 1e-15), (1e-12, 1e-27), (1e12, 1.0)]
)
def test_an_old_contract_small_beside_the_pie(pie, w0):
    # The lowest wage is the old contract w0 itself, and the highest, with the union
    # proposing, w0 + (1 - δ_F)(V - w0)/(1 - δ_U δ_F) (the inside-option formula above,
    # on a pie V). With w0 = 0.001 beside a pie of 1e12 the lowest came out 0.00108 (the
    # firm's holdout flow and its share of the next offer, both about 1e11, subtracted in
    # floats); with 1e-15 beside 1, 7% off.
    m = wages(w0, 0.8, 0.9, frontier=f"{pie!r} - w", top=pie)
    low, high = bargain.strike_or_holdout(m).agreement_set["w"]
    assert low == pytest.approx(w0, rel=1e-12)
    assert high == pytest.approx(w0 + 0.1 * (pie - w0) / (1 - 0.72), rel=1e-12)


@pytest.mark.parametrize("frontier", ["sqrt(1 - w)", "(1 - w)**2"])
def test_lowest_wage_is_the_old_contract_on_any_frontier(frontier):
    s = bargain.strike_or_holdout(wages(0.9, 0.8, 0.8, frontier=frontier))
    assert s.agreement == {"w": pytest.approx(0.9, abs=TOL)}  # threat not credible: 0.9 > 0.64
    low, _ = bargain.strike_or_holdout(wages(0.3, 0.9, 0.9, frontier=frontier)).agreement_set["w"]
    assert low == pytest.approx(0.3, abs=TOL)


def test_firm_proposing_first_uses_the_firm_proposal():
    s = bargain.strike_or_holdout(wages(0.5, 0.9, 0.9, first="F"))
    assert s.agreement_set["w"][1] == pytest.approx((0.9 + 0.5) / 1.9, abs=TOL)


def test_refusals():
    with pytest.raises(bargain.SolverError, match="more patient"):
        bargain.strike_or_holdout(wages(0.5, 0.95, 0.8))
    no_status_quo = bargain.model_from_dict(
        {
            "model": {"name": "w"},
            "variables": {"w": {"min": 0, "max": 1}},
            "parties": {
                "U": {"payoff": "w", "discount_factor": 0.9},
                "F": {"payoff": "1 - w", "discount_factor": 0.9},
            },
        }
    )
    with pytest.raises(bargain.ModelError, match=r"\[bargaining\] status_quo: .*give status_quo"):
        bargain.strike_or_holdout(no_status_quo)
    with pytest.raises(bargain.ModelError, match="outside the contract range"):
        bargain.strike_or_holdout(wages(1.5, 0.9, 0.9))


def test_a_threat_short_by_more_than_rounding_is_not_credible():
    # Fernandez & Glazer (1991), common delta = 0.9: the strike threat is credible iff
    # w0 <= delta**2 = 0.81 (see test_common_discount_factor). At w0 = 0.810000000001 the
    # margin is -5e-13, 500 times its rounding: not credible, and the only equilibrium
    # wage is w0. It was called credible (at 1e-12 of the payoffs), with the set
    # [w0, 0.91] and "credible = 1" printed beside a negative margin.
    s = bargain.strike_or_holdout(wages(0.810000000001, 0.9, 0.9))
    threat = s.extra["strike threat"]
    assert threat["margin"] < 0 and threat["credible"] == 0.0
    assert s.agreement_set is None
    assert s.agreement["w"] == pytest.approx(0.810000000001, rel=1e-15)


def test_no_discounting_is_refused_by_name():
    # With delta = 1 the holdout's value per round, u(w0)(1 - delta), is 0, and w = 0 (below
    # the old contract 0.3) was reported as the one equilibrium.
    with pytest.raises(bargain.ModelError, match=r"\[parties\.U\] discount_factor: .*discount"):
        bargain.strike_or_holdout(wages(0.3, 1, 1))
