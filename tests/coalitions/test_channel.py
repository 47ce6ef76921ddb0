"""The Horn–Wolinsky channel (issue 18; Horn & Wolinsky 1988, *RAND J. Econ.* 19(4)):
separate (Nash-in-Nash) against joint bargaining between a guild and competing producers.

The symmetric closed form (``symmetric_rate``) is derived from the pairs' first-order
conditions with linear demand and Cournot competition (``bargain.coalitions.channel``); it
is checked against the numeric fixed point, and the fixed point against a brute-force check
that no pair can raise its Nash product by moving its own rate.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bargain.coalitions.channel import Market, channel, joint, separate, symmetric_rate
from bargain.errors import ModelError, SolverError


@st.composite
def symmetric(draw: st.DrawFn) -> tuple[float, float, int, float, float]:
    """``(a, gamma, n, beta, delta)`` for identical producers."""
    n = draw(st.integers(2, 4))
    gamma = draw(st.floats(-1 / (n - 1) + 0.05, 0.95))
    a = draw(st.floats(0.5, 2.0))
    beta = draw(st.floats(0.2, 0.8))
    delta = draw(st.floats(-0.1, 0.0)) * a * a
    return a, gamma, n, beta, delta


def nash_log(market: Market, rates: np.ndarray, i: int) -> float:
    """Pair ``i``'s log Nash product from the market's primitives, computed afresh: the
    guild's earnings with every producer, minus its strike cost and its earnings from the
    others with ``i`` struck (their Cournot game solved without ``i``)."""
    n, g = market.n, market.gamma
    a = np.asarray(market.intercepts) - rates
    q = np.linalg.solve((2 - g) * np.eye(n) + g * np.ones((n, n)), a)
    keep = [j for j in range(n) if j != i]
    m = len(keep)
    q_out = np.linalg.solve((2 - g) * np.eye(m) + g * np.ones((m, m)), a[keep])
    gain = float(rates @ q) - market.deltas[i] - float(rates[keep] @ q_out)
    return market.power * math.log(gain) + (1 - market.power) * math.log(q[i] ** 2)


@given(symmetric())
def test_closed_form_against_the_fixed_point(case: tuple[float, float, int, float, float]) -> None:
    a, gamma, n, beta, delta = case
    market = Market(intercepts=(a,) * n, gamma=gamma, power=beta, strike_cost=delta)
    rates = separate(market)
    assert rates == pytest.approx(
        [symmetric_rate(a, gamma, n, beta, delta, joint=False)] * n, rel=1e-7
    )
    assert joint(market) == pytest.approx(
        symmetric_rate(a, gamma, n, beta, delta, joint=True), rel=1e-7, abs=1e-12 * a
    )


@given(symmetric(), st.floats(0.6, 1.6), st.data())
def test_no_pair_gains_by_moving_its_rate(
    case: tuple[float, float, int, float, float], spread: float, data: st.DataObject
) -> None:
    """The separate rates are a Nash-in-Nash equilibrium, with producers of different sizes:
    every pair's Nash product is lower a little above and a little below its rate."""
    a, gamma, n, beta, delta = case
    intercepts = tuple(a * spread**i for i in range(n))
    market = Market(intercepts=intercepts, gamma=gamma, power=beta, strike_cost=delta)
    try:
        rates = separate(market)
    except SolverError:  # a producer priced out at the rates: refused, not solved
        assume(False)
    h = 1e-4 * a
    for i in range(n):
        here = nash_log(market, rates, i)
        for step in (-h, h):
            moved = rates.copy()
            moved[i] += step
            try:
                there = nash_log(market, moved, i)
            except ValueError:  # outside the bargaining set
                continue
            assert there <= here + 1e-12


@given(symmetric())
def test_without_a_strike_cost_the_channel_cancels(
    case: tuple[float, float, int, float, float],
) -> None:
    """``w = beta a / 2`` separately and jointly, whatever the demand interaction."""
    a, gamma, n, beta, _ = case
    r = channel(Market(intercepts=(a,) * n, gamma=gamma, power=beta))
    assert r.separate_rates == pytest.approx([beta * a / 2] * n, rel=1e-7)
    assert r.joint_rate == pytest.approx(beta * a / 2, rel=1e-7)
    assert r.incentive == pytest.approx(0.0, abs=1e-9 * a * a)


@given(symmetric())
def test_producers_gain_by_bargaining_as_one_with_complements(
    case: tuple[float, float, int, float, float],
) -> None:
    """With a strike cost, the producers' incentive to bargain as one has the sign of
    ``-gamma``; the guild's threat point in a separate talk exceeds its strike cost plus the
    others' earnings with everyone selling by an amount with the sign of ``gamma`` (the
    rivals expand when a substitute is struck)."""
    a, gamma, n, beta, delta = case
    assume(delta < -1e-3 * a * a and abs(gamma) > 1e-3)
    r = channel(Market(intercepts=(a,) * n, gamma=gamma, power=beta, strike_cost=delta))
    assert math.copysign(1, r.incentive) == -math.copysign(1, gamma)
    w = r.separate_rates[0]
    q = (a - w) / (2 + (n - 1) * gamma)
    channel_term = r.threats[0] - delta - (n - 1) * w * q
    assert math.copysign(1, channel_term) == math.copysign(1, gamma * w)


def test_values_two_substitutes() -> None:
    """Two producers, ``a = 1``, ``gamma = 1/2``, ``beta = 1/2``, strike cost 0.05: the
    quadratic ``2 w^2 - 2.5 w + 0.5 - 0.05 m = 0`` with ``m = 2.5`` jointly and
    ``m = 2.5 * 2 / 1.5 = 10/3`` separately: ``w = (2.5 - sqrt(2.25 + 0.4 m))/4``."""
    r = channel(Market(intercepts=(1.0, 1.0), gamma=0.5, strike_cost=-0.05))
    w_joint = (2.5 - math.sqrt(2.25 + 0.4 * 2.5)) / 4
    w_sep = (2.5 - math.sqrt(2.25 + 0.4 * 10 / 3)) / 4
    assert r.joint_rate == pytest.approx(w_joint, rel=1e-9)
    assert r.separate_rates == pytest.approx([w_sep, w_sep], rel=1e-9)
    assert (w_sep, w_joint) == pytest.approx((0.151758, 0.174306), abs=1e-6)
    assert r.incentive == pytest.approx(2 * (((1 - w_joint) / 2.5) ** 2 - ((1 - w_sep) / 2.5) ** 2))


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"intercepts": (1.0,), "gamma": 0.0}, "intercepts"),
        ({"intercepts": (1.0, -1.0), "gamma": 0.0}, "intercepts"),
        ({"intercepts": (1.0, 1.0, 1.0), "gamma": -0.6}, "gamma"),
        ({"intercepts": (1.0, 1.0), "gamma": 1.0}, "gamma"),
        ({"intercepts": (1.0, 1.0), "gamma": 0.0, "power": 1.0}, "power"),
        ({"intercepts": (1.0, 1.0), "gamma": 0.0, "strike_cost": 0.1}, "strike_cost"),
        ({"intercepts": (1.0, 1.0), "gamma": 0.0, "strike_cost": (0.0,)}, "strike_cost"),
        ({"intercepts": (1.0, 1.0), "gamma": 0.0, "names": ("A", "A")}, "names"),
    ],
    ids=[
        "one",
        "negative",
        "gamma-low",
        "gamma-high",
        "power",
        "positive-cost",
        "cost-length",
        "names",
    ],
)
def test_bad_markets_name_the_key(kwargs: dict, key: str) -> None:
    with pytest.raises(ModelError, match=rf"\[channel\] {key}:"):
        Market(**kwargs)


def test_the_report_renders() -> None:
    r = channel(Market(intercepts=(1.0, 1.0), gamma=0.5, strike_cost=-0.05, names=("S", "N")))
    assert r.to_text().startswith("guild against 2 producers (gamma = 0.5, guild's power 0.5): the")
    assert "| S | 0.151758 | 0.0143636 | 0.174306 | 0.115122 | 0.109083 |" in r.to_markdown()
    assert json.loads(r.to_json())["producers"] == ["S", "N"]
