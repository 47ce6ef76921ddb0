"""The strike's length: war, breakdowns and focal dates (bargain.reputation.duration)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from bargain.errors import ModelError
from bargain.reputation.attrition import abreu_gul
from bargain.reputation.duration import simulate_duration, strike_duration

WAR = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})

wars = st.builds(
    lambda aw, aa, zw, za, rw, ra: abreu_gul(
        {"W": aw, "A": aa}, {"W": zw, "A": za}, {"W": rw, "A": ra}
    ),
    st.floats(0.55, 0.95),
    st.floats(0.55, 0.95),
    st.floats(0.02, 0.9),
    st.floats(0.02, 0.9),
    st.floats(0.02, 1.0),
    st.floats(0.02, 1.0),
)
rates = st.floats(0.0, 0.5)
dates = (
    st.lists(st.floats(0.5, 40.0), min_size=1, max_size=3, unique=True)
    .map(sorted)
    .filter(lambda d: all(b - a > 1e-3 for a, b in itertools.pairwise(d)))
)


def integral_of_survival(d) -> float:
    """∫_0^{d_K} S(t) dt by quadrature, window by window (S jumps at the dates)."""
    edges = [0.0, *d.focal_dates]
    kinks = [lo for lo, *_ in d.time_to_agreement.pieces]
    return sum(
        quad(
            d.survival,
            a,
            b,
            points=[t for t in kinks if a < t < b] or None,
            limit=200,
        )[0]
        for a, b in itertools.pairwise(edges)
    )


def test_one_date_no_breakdown_is_abreu_gul_plus_the_impasse() -> None:
    # E[L] = E[min(τ, T0)] + z_W z_A (D − T0): the impasse strikes to the date.
    d = strike_duration(WAR, breakdown_rate=0.0, focal_dates=(20.0,))
    assert d.mean == pytest.approx(1.2 + 0.02 * (20 - WAR.t0), rel=1e-12)
    assert d.at_date == pytest.approx((0.02,))
    assert d.agreement == pytest.approx(0.98)
    assert d.breakdown == 0.0
    assert d.survival(5.0) == pytest.approx(WAR.survival(5.0), rel=1e-12)


def test_breakdowns_end_at_the_next_date_by_hand() -> None:
    # β = 0.1; breakdowns before agreement in (0, 4] end at 4: ∫_0^4 0.1 e^{−0.1 s} G(s) ds,
    # G(s) = 0.5 e^{−0.4 s} before T0 = 8.047 (Abreu & Gul's timing).
    d = strike_duration(WAR, breakdown_rate=0.1, focal_dates=(4.0, 20.0))
    first = 0.1 * 0.5 * (1 - math.exp(-0.5 * 4)) / 0.5
    assert d.at_date[0] == pytest.approx(first, rel=1e-12)
    assert d.settled_by[0] == pytest.approx(1 - d.survival(4.0))
    assert d.settled_by[-1] == 1.0
    assert d.survival(20.0) == 0.0
    assert sum(d.at_date) + d.agreement == pytest.approx(1.0, rel=1e-12)
    assert d.breakdown + d.to_last == pytest.approx(sum(d.at_date), rel=1e-12)


def test_mean_and_survival_match_a_simulation() -> None:
    d = strike_duration(WAR, breakdown_rate=0.08, focal_dates=(4.0, 20.0))
    lengths = simulate_duration(d, 200_000, seed=2007)
    se = lengths.std() / math.sqrt(lengths.size)
    assert abs(lengths.mean() - d.mean) < 4 * se
    for t in (0.0, 1.0, 3.9, 4.0, 10.0):
        p = d.survival(t)
        assert abs((lengths > t).mean() - p) < 4 * math.sqrt(p * (1 - p) / lengths.size) + 1e-9
    assert abs((lengths == 4.0).mean() - d.at_date[0]) < 0.005
    assert abs(np.median(lengths) - d.median) < 0.05


def test_median_at_a_date_when_survival_jumps_across_a_half() -> None:
    # Both sides nearly surely obstinate: almost every strike runs to a date.
    war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.9, "A": 0.9}, {"W": 0.1, "A": 0.1})
    d = strike_duration(war, breakdown_rate=0.5, focal_dates=(2.0, 30.0))
    assert d.survival(2.0) < 0.5 < d.survival(1.999)
    assert d.median == 2.0


def test_focal_dates_are_a_set() -> None:
    # `--set T_D=...` can move a date onto or before another: sorted, repeats merged.
    d = strike_duration(WAR, breakdown_rate=0.1, focal_dates=(20.0, 4.0, 4.0))
    assert d.focal_dates == (4.0, 20.0)
    assert d.mean == strike_duration(WAR, breakdown_rate=0.1, focal_dates=(4.0, 20.0)).mean


def test_compatible_demands_end_at_once() -> None:
    war = abreu_gul({"W": 0.5, "A": 0.4}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
    d = strike_duration(war, breakdown_rate=0.2, focal_dates=(5.0, 30.0))
    assert (d.mean, d.median, d.at_zero, d.settled_by) == (0.0, 0.0, 1.0, (1.0, 1.0))
    assert d.expected_cost({"W": 20.0, "A": 30.0}) == {"W": 0.0, "A": 0.0}


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"breakdown_rate": -0.1, "focal_dates": (5.0,)}, "breakdown_rate"),
        ({"breakdown_rate": math.nan, "focal_dates": (5.0,)}, "breakdown_rate"),
        ({"breakdown_rate": 0.1, "focal_dates": ()}, "focal_dates"),
        ({"breakdown_rate": 0.1, "focal_dates": "5"}, "focal_dates"),
        ({"breakdown_rate": 0.1, "focal_dates": (0.0, 5.0)}, "focal_dates"),
        ({"breakdown_rate": 0.1, "focal_dates": (math.inf,)}, "focal_dates"),
    ],
)
def test_refusals_name_the_key(kwargs: dict, key: str) -> None:
    with pytest.raises(ModelError) as err:
        strike_duration(WAR, **kwargs)
    assert err.value.key == key


@settings(max_examples=40, deadline=None)
@given(wars, rates, dates)
def test_survival_properties(war, beta, focal) -> None:
    d = strike_duration(war, breakdown_rate=beta, focal_dates=focal)
    assert d.survival(0.0) == pytest.approx(1 - d.at_zero, abs=1e-12)
    grid = np.linspace(0.0, focal[-1] * 1.01, 301)
    values = [d.survival(float(t)) for t in grid]
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(values))
    assert d.mean == pytest.approx(integral_of_survival(d), rel=1e-7, abs=1e-9)
    assert d.agreement + sum(d.at_date) == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(wars, rates, st.floats(1.0, 10.0))
def test_a_far_deadline_leaves_the_war_alone(war, beta, extra) -> None:
    # Beyond T0 a date changes neither λ nor T0, nor S before T0; only where the
    # impasse paths end.
    near = war.t0 + 1.0
    one = strike_duration(war, breakdown_rate=beta, focal_dates=(near,))
    two = strike_duration(war, breakdown_rate=beta, focal_dates=(near, near + extra))
    assert two.time_to_agreement == one.time_to_agreement
    for t in np.linspace(0.0, war.t0, 7):
        assert two.survival(float(t)) == pytest.approx(one.survival(float(t)), rel=1e-12)
    assert two.agreement == pytest.approx(one.agreement, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(wars, rates, st.floats(0.0, 0.5), st.floats(0.5, 60.0))
def test_more_breakdown_never_shortens_with_one_date(war, beta, more, date) -> None:
    # With one focal date a breakdown ends the strike at the date, never earlier
    # than the agreement it pre-empts: L is non-increasing in B, so S rises with β.
    a = strike_duration(war, breakdown_rate=beta, focal_dates=(date,))
    b = strike_duration(war, breakdown_rate=beta + more, focal_dates=(date,))
    assert b.mean >= a.mean - 1e-9


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0.55, 0.95),
    st.floats(0.55, 0.95),
    st.floats(0.02, 0.9),
    st.floats(0.02, 0.9),
    st.floats(0.0, 0.9),
    rates,
    st.floats(0.5, 60.0),
)
def test_broken_promise_lengthens_when_the_promiser_is_weaker(aw, aa, zw, za, up, beta, date):
    # A broken promise raises the promiser's obstinacy z_A and the breakdown rate. While A
    # stays the weaker side, G(t) = P(τ > t) rises at every t (c_A ∝ z_A, T0 = T_W fixed,
    # the impasse z_W z_A rises): the strike is stochastically longer.
    rates_ = {"W": 0.1, "A": 0.1}
    before = abreu_gul({"W": aw, "A": aa}, {"W": zw, "A": za}, rates_)
    za2 = za + up * (1 - za) * 0.99
    after = abreu_gul({"W": aw, "A": aa}, {"W": zw, "A": za2}, rates_)
    if after.stronger == "A" or before.stronger == "A":
        return
    a = strike_duration(before, breakdown_rate=beta, focal_dates=(date,))
    b = strike_duration(after, breakdown_rate=beta * 1.5, focal_dates=(date,))
    assert b.mean >= a.mean - 1e-9


def test_a_broken_promise_can_shorten_the_strike() -> None:
    # Where it fails. (1) The promiser is the stronger side: a likelier obstinate A ends
    # the war sooner (T0 = −ln z_A / λ_A falls, W's atom grows) by more than the impasse
    # adds, when the date is close to T0. (2) An intermediate date: more breakdowns end
    # impasse strikes at the first date instead of the last.
    rates_ = {"W": 0.1, "A": 0.1}
    demands = {"W": 0.6, "A": 0.6}
    before = abreu_gul(demands, {"W": 0.1, "A": 0.3}, rates_)
    after = abreu_gul(demands, {"W": 0.1, "A": 0.6}, rates_)
    assert before.stronger == after.stronger == "A"
    date = (before.t0,)
    assert (
        strike_duration(after, breakdown_rate=0.0, focal_dates=date).mean
        < strike_duration(before, breakdown_rate=0.0, focal_dates=date).mean
    )
    sure = abreu_gul(demands, {"W": 0.9, "A": 0.9}, rates_)
    calm = strike_duration(sure, breakdown_rate=0.01, focal_dates=(5.0, 34.0))
    angry = strike_duration(sure, breakdown_rate=0.5, focal_dates=(5.0, 34.0))
    assert angry.mean < calm.mean
