"""The screening theory of delay: an uninformed side's weekly offers screen the informed side.

Checked against: the one-type limit (no delay), the two-period two-type game of
Fudenberg & Tirole (1983, Rev. Econ. Stud. 50(2), one-sided case; closed form
derived in :func:`bargain.reputation.screening.two_period_value`), a brute-force
game-tree search over the offering side's cutoffs with each deviator's optimal
stopping found by enumeration (an independent backward induction), and a
simulation of types drawn from the prior that best-respond to the offers.
"""

from __future__ import annotations

import itertools
import math
from functools import cache

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.errors import ModelError
from bargain.model.modelfile import model_from_dict
from bargain.reputation.agreement import AgreementTime
from bargain.reputation.credibility import credibility
from bargain.reputation.screening import (
    Screening,
    annuity,
    screen,
    strike_screening,
    two_period_value,
)
from tests.conftest import broken_promise_data, shipped

# --- the paper's limits and examples -----------------------------------------------------


@given(
    st.floats(0.1, 10),
    st.floats(0.5, 40),
    st.floats(0, 5),
    st.floats(0, 0.2),
    st.floats(0, 0.2),
)
def test_one_type_agrees_at_once_on_its_strike_cost(
    cost: float, deadline: float, own: float, r_i: float, r_u: float
) -> None:
    s = strike_screening(
        (cost,), (1.0,), deadline, uninformed_cost=own, informed_rate=r_i, uninformed_rate=r_u
    )
    assert s.agreement_time().atoms == ((0.0, 1.0),)
    assert s.expected_delay() == 0 and s.never == 0
    assert s.offers[0] == pytest.approx(cost * annuity(r_i, deadline), rel=1e-12)
    assert s.value == pytest.approx(s.offers[0] + own * annuity(r_u, deadline), rel=1e-12)
    assert s.gains == (pytest.approx(0.0, abs=1e-9),)


@pytest.mark.parametrize(
    ("high", "low", "prior", "discount", "resolution"),
    [
        (2.0, 1.0, 0.75, 0.9, 3),  # asks 2 twice; the high type randomises (2/3 at once)
        (2.0, 1.0, 0.9, 0.9, 9),  # the same regime, remaining high mass 0.1
        (2.0, 1.0, 0.6, 0.5, 1),  # screening the high type at (1 − δ)2 + δ
        (2.0, 1.0, 0.4, 0.9, 1),  # prior below low/high: the low offer at once
        (3.0, 1.0, 0.5, 0.2, 4),
    ],
)
def test_two_period_two_types_matches_the_closed_form(
    high: float, low: float, prior: float, discount: float, resolution: int
) -> None:
    """Fudenberg & Tirole (1983), one-sided two-period case: the value on a cutoff grid
    that contains the critical posterior ``low/high`` equals the closed form."""
    s = screen(
        np.array([[high, high], [low, low]]),
        (prior, 1 - prior),
        informed_discount=discount,
        uninformed_discount=discount,
        resolution=resolution,
    )
    assert s.value == pytest.approx(two_period_value(high, low, prior, discount), rel=1e-12)


def test_two_period_regimes_give_the_predicted_paths() -> None:
    # screening the high type: it accepts (1 − δ) v_H + δ v_L, the low type v_L next period
    s = screen(np.array([[2.0, 2.0], [1.0, 1.0]]), (0.6, 0.4), informed_discount=0.5,
               uninformed_discount=0.5)  # fmt: skip
    assert s.offers == (pytest.approx(1.5), pytest.approx(1.0))
    assert s.settled == ((0.6, 0.0), (0.0, 0.4))
    # a prior below v_L / v_H: the low offer at once, no delay
    s = screen(np.array([[2.0, 2.0], [1.0, 1.0]]), (0.4, 0.6), informed_discount=0.9,
               uninformed_discount=0.9)  # fmt: skip
    assert s.offers[0] == 1.0 and s.expected_delay() == 0


@given(
    st.floats(1.1, 5),
    st.floats(0.05, 0.95),
    st.floats(0.05, 0.99),
    st.integers(1, 30),
)
def test_two_period_grid_converges_to_the_closed_form_from_below(
    high: float, prior: float, discount: float, resolution: int
) -> None:
    """Coarser cutoffs restrict the randomisation: the value is at most the closed form's
    and within one slice of the high type's mass times ``high`` of it."""
    closed = two_period_value(high, 1.0, prior, discount)
    s = screen(
        np.array([[high, high], [1.0, 1.0]]),
        (prior, 1 - prior),
        informed_discount=discount,
        uninformed_discount=discount,
        resolution=resolution,
    )
    assert s.value <= closed + 1e-12
    assert s.value >= closed - prior * high / resolution - 1e-12


# --- an independent route: a brute-force game-tree search -----------------------------------


def brute_force(v: np.ndarray, mass: tuple[float, ...], di: float, du: float,
                w: np.ndarray, resolution: int) -> tuple[float, tuple[float, ...]]:  # fmt: skip
    """The offering side's value and offers by recursion over (period, cutoff); what a slice
    gets by waiting is found by enumerating every later offer on the path it would face."""
    units = [(v[i], mass[i] / resolution) for i in range(len(mass)) for _ in range(resolution)]
    size, periods = len(units), v.shape[1]

    @cache
    def play(t: int, k: int) -> tuple[float, tuple[tuple[int, bool, float], ...]]:
        if t == periods:
            return 0.0, ()
        best: tuple[float, tuple[tuple[int, bool, float], ...]] | None = None
        for c in range(k, size + 1):
            later, path = play(t + 1, c)
            if c == k:
                total, step = du * later, (t, False, math.inf)
            else:
                price = units[c - 1][0][t] - di * wait(t + 1, c, c - 1)
                total = sum(m for _, m in units[k:c]) * (price + w[t]) + du * later
                step = (t, True, price)
            if best is None or total > best[0] + 1e-12 * max(1.0, abs(total)):
                best = (total, (step, *path))
        assert best is not None
        return best

    def wait(t: int, k: int, j: int) -> float:
        if t == periods:
            return 0.0
        _, path = play(t, k)
        options = [di ** (s - t) * (units[j][0][s] - p) for s, real, p in path if real]
        return max([0.0, *options])

    value, path = play(0, 0)
    return value, tuple(p for _, _, p in path)


@st.composite
def tiny_games(
    draw: st.DrawFn,
) -> tuple[np.ndarray, tuple[float, ...], float, float, np.ndarray, int]:
    n = draw(st.integers(1, 3))
    periods = draw(st.integers(1, 4))
    costs = sorted({round(draw(st.floats(0.5, 5)), 3) for _ in range(n)}, reverse=True)
    left = np.arange(periods, 0, -1, dtype=float)
    v = np.array([[c * s for s in left] for c in costs])
    raw = [draw(st.floats(0.05, 1)) for _ in costs]
    mass = tuple(x / sum(raw) for x in raw)
    di, du = draw(st.floats(0.5, 1)), draw(st.floats(0.5, 1))
    w = draw(st.floats(0, 3)) * left
    return v, mass, di, du, w, draw(st.integers(1, 3))


@given(tiny_games())
def test_backward_induction_matches_a_brute_force_search(game) -> None:  # type: ignore[no-untyped-def]
    v, mass, di, du, w, resolution = game
    s = screen(v, mass, informed_discount=di, uninformed_discount=du, uninformed_gain=w,
               resolution=resolution)  # fmt: skip
    value, offers = brute_force(v, mass, di, du, w, resolution)
    assert s.value == pytest.approx(value, rel=1e-10, abs=1e-12)
    assert s.offers == pytest.approx(offers, rel=1e-10)


@given(tiny_games())
def test_every_type_best_responds_to_the_offers(game) -> None:  # type: ignore[no-untyped-def]
    """Each type settles only in periods that are optimal stopping times against the
    equilibrium offers (found by enumeration), and the offering side's value is what the
    settlements pay it."""
    v, mass, di, du, w, resolution = game
    s = screen(v, mass, informed_discount=di, uninformed_discount=du, uninformed_gain=w,
               resolution=resolution)  # fmt: skip
    for i in range(len(mass)):
        payoff = [di**t * (v[i, t] - p) for t, p in enumerate(s.offers) if math.isfinite(p)]
        best = max([0.0, *payoff])
        for t, m in enumerate(s.settled[i]):
            if m > 0:
                assert di**t * (v[i, t] - s.offers[t]) == pytest.approx(best, abs=1e-9)
        assert s.gains[i] == pytest.approx(best * sum(s.settled[i]), abs=1e-9)
    paid = sum(
        du**t * m * (s.offers[t] + w[t]) for t, m in enumerate(s.settle_by_period()) if m > 0
    )
    assert s.value == pytest.approx(paid, rel=1e-10, abs=1e-12)


def test_simulated_types_reproduce_the_time_to_agreement() -> None:
    """Types drawn from the prior, each settling in a period drawn from its equilibrium
    settlements: the sample's mean delay and survival match the closed forms."""
    costs, priors = (74.6, 29.8, 7.5), (0.2, 0.6, 0.2)
    s = strike_screening(costs, priors, 34.0, uninformed_cost=20.2, resolution=20)
    tau = s.agreement_time()
    rng = np.random.default_rng(2007)
    n = 200_000
    kinds = rng.choice(3, size=n, p=priors)
    times = np.empty(n)
    for i in range(3):
        row = np.array(s.settled[i]) / priors[i]
        rest = max(1 - row.sum(), 0.0)
        picks = rng.choice(
            len(row) + 1, size=int((kinds == i).sum()), p=[*row, rest] / (row.sum() + rest)
        )
        times[kinds == i] = np.where(picks == len(row), math.inf, picks)
    assert np.minimum(times, s.horizon).mean() == pytest.approx(s.expected_delay(), abs=0.01)
    for t in (0.0, 1.0, 2.0):
        assert (times > t).mean() == pytest.approx(float(tau.survival(t)), abs=0.005)


# --- properties ------------------------------------------------------------------------------


@st.composite
def games(draw: st.DrawFn, most: int = 3) -> dict:
    """Two to ``most`` types, costs in decreasing order; ``weights`` split ``1 − cheap``
    among the types that cannot wait, the last (cheapest) type getting ``cheap``."""
    n = draw(st.integers(2, most))
    costs = [draw(st.floats(1.0, 5))]
    for _ in range(n - 1):
        costs.append(costs[-1] * draw(st.floats(0.1, 0.9)))
    raw = [draw(st.floats(0.1, 1)) for _ in range(n - 1)]
    return {
        "costs": tuple(costs),
        "weights": tuple(x / sum(raw) for x in raw),
        "deadline": float(draw(st.integers(2, 10))),
        "uninformed_cost": draw(st.floats(0, 3)),
        "informed_rate": draw(st.floats(0, 0.2)),
        "uninformed_rate": draw(st.floats(0.01, 0.2)),
        "resolution": draw(st.integers(1, 5)),
    }


def play(game: dict, cheap: float, **changes: float) -> Screening:
    args = {k: v for k, v in game.items() if k != "weights"}
    priors = (*(w * (1 - cheap) for w in game["weights"]), cheap)
    return strike_screening(priors=priors, **{**args, **changes})


@given(games(), st.floats(0.05, 0.95))
def test_more_patient_writers_gain(game: dict, cheap: float) -> None:
    """Halving the offering side's discount rate never lowers its value (a property checked
    here on two and three types, not a theorem quoted)."""
    impatient = play(game, cheap)
    patient = play(game, cheap, uninformed_rate=game["uninformed_rate"] / 2)
    assert patient.value >= impatient.value - 1e-9


def test_with_their_own_strike_cost_more_patient_writers_can_settle_at_once() -> None:
    """Found by hypothesis: patience also raises what the writers save of their own strike
    cost by settling early, so patient writers settle with both types at once while impatient
    ones screen (at every resolution tried: 1, 12, 60). "More patient writers wait longer"
    is therefore not a property of this game; the tests check only that they gain."""
    game = {
        "costs": (3.1875, 0.32373046875),
        "weights": (1.0,),
        "deadline": 2.0,
        "uninformed_cost": 2.625,
        "informed_rate": 0.0,
        "uninformed_rate": 0.125,
        "resolution": 1,
    }
    assert play(game, 0.5).expected_delay() == 0.5
    assert play(game, 0.5, uninformed_rate=0.0625).expected_delay() == 0


@given(games(), st.floats(0.05, 0.9), st.floats(0.01, 0.09))
def test_a_likelier_cheap_type_lowers_the_writers_value_and_delay_stops_for_good(
    game: dict, cheap: float, more: float
) -> None:
    """Raising the prior of the type that can wait never raises the offering side's value;
    once it is high enough for agreement at once, any higher prior also agrees at once (the
    priors with no delay are an interval up to 1). Checked with pure strategies
    (``resolution = 1``): finer cutoffs cut each type in slices proportional to its prior, so
    two priors are solved on different grids and their grid errors differ."""
    low = play(game, cheap, resolution=1)
    high = play(game, cheap + more, resolution=1)
    assert high.value <= low.value + 1e-9
    if low.expected_delay() == 0:
        assert high.expected_delay() == 0


def test_a_likelier_cheap_type_can_shorten_the_delay() -> None:
    """Not monotone: with even odds the writers screen (the cheap type waits a week); when
    the cheap type is likely they ask its terms at once and there is no delay."""
    even = strike_screening((3.0, 1.0), (0.5, 0.5), 4.0)
    likely = strike_screening((3.0, 1.0), (0.1, 0.9), 4.0)
    assert even.expected_delay() == 0.5
    assert likely.expected_delay() == 0
    assert likely.offers[0] == 4.0


@given(games(), st.floats(0.05, 0.95))
def test_costlier_types_gain_more_and_no_type_loses(game: dict, cheap: float) -> None:
    s = play(game, cheap)
    priors = (*(w * (1 - cheap) for w in game["weights"]), cheap)
    per_type = [g / p for g, p in zip(s.gains, priors, strict=True)]
    assert min(per_type) >= -1e-9
    assert all(a >= b - 1e-9 for a, b in itertools.pairwise(per_type))


# --- bad input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"costs": (1.0, 0.0)}, r"costs\[1\]: must be positive"),
        ({"costs": (1.0, math.nan)}, r"costs\[1\]: must be a finite number"),
        ({"costs": (math.inf, 1.0)}, r"costs\[0\]: must be a finite number"),
        ({"priors": (0.5, 0.6)}, "priors: must sum to 1"),
        ({"priors": (1.0,)}, r"\[screening\] priors: must give one prior per type"),
        ({"deadline": 0.0}, "deadline: must be positive"),
        ({"deadline": 1000.0}, "deadline: must be a finite number in"),
        ({"resolution": 0}, r"resolution: must be in \[1, 200\]"),
        ({"resolution": 1.5}, "resolution: must be an integer"),
        ({"uninformed_rate": -1.0}, "uninformed_rate: must be"),
    ],
)
def test_bad_input_is_refused_by_name(kwargs: dict, match: str) -> None:
    args = {"costs": (2.0, 1.0), "priors": (0.5, 0.5), "deadline": 3.0, **kwargs}
    with pytest.raises(ModelError, match=match):
        strike_screening(**args)


def test_values_out_of_rank_are_refused() -> None:
    with pytest.raises(ModelError, match="values: must rank the types"):
        screen(np.array([[1.0, 1.0], [2.0, 0.5]]), (0.5, 0.5))
    with pytest.raises(ModelError, match="values: must be positive"):
        screen(np.array([[1.0, 0.0]]), (1.0,))


# --- the registry hook and the model files ---------------------------------------------------

BASE = broken_promise_data(
    "s",
    parameters={"c": 0.05},
    focal_dates=[4, 10],
    W={"strike_payoff": -0.01, "discount_rate": 0.01},
    A={"strike_payoff": -0.02, "discount_rate": 0.01},
)


def flat(tau: AgreementTime) -> list[float]:
    return [x for atom in tau.atoms for x in atom]


def model(settings: dict) -> bargain.Model:
    return model_from_dict(
        {**BASE, "delay": {"theory": "screening", "screening": settings}}, file="s.toml"
    )


def test_credibility_uses_the_screening_time_with_breakdowns_and_dates() -> None:
    m = model({"cost_1": "4*c", "cost_2": "c", "prior_1": 0.5, "prior_2": 0.5})
    report = credibility(m, delay="screening")
    direct = strike_screening(
        (0.2, 0.05), (0.5, 0.5), 10.0, uninformed_cost=0.01, informed_rate=0.01,
        uninformed_rate=0.01, resolution=50,
    )  # fmt: skip
    for stage in (report.before, report.after):
        assert stage.duration is not None
        tau = stage.duration.time_to_agreement
        assert flat(tau) == pytest.approx(flat(direct.agreement_time()), rel=1e-12)
        expected = bargain.strike_duration(
            direct.agreement_time(), breakdown_rate=stage.duration.breakdown_rate,
            focal_dates=(4.0, 10.0),
        )  # fmt: skip
        assert stage.duration.mean == pytest.approx(expected.mean, rel=1e-12)
    assert report.before.duration.mean > 0


def test_wait_type_moves_its_prior_with_trust() -> None:
    m = model({"cost_1": "4*c", "cost_2": "c", "prior_1": 1, "wait_type": 2})
    report = credibility(m, delay="screening")
    for stage in (report.before, report.after):
        direct = strike_screening(
            (0.2, 0.05), (stage.trust, 1 - stage.trust), 10.0, uninformed_cost=0.01,
            informed_rate=0.01, uninformed_rate=0.01, resolution=50,
        )  # fmt: skip
        assert flat(stage.duration.time_to_agreement) == pytest.approx(
            flat(direct.agreement_time()), rel=1e-12
        )


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"cost_1": 1, "cost_2": 0.5, "prior_1": 1}, r"\[delay\.screening\] prior_2: missing"),
        ({"cost_1": 1, "prior_1": 0.5, "prior_2": 0.5}, r"prior_2: has no cost_2"),
        ({"cost_1": 1, "cost_3": 0.5, "prior_1": 1}, r"cost_1: must number the types"),
        (
            {"cost_1": 1, "cost_2": 0.5, "prior_1": 1, "prior_2": 0, "wait_type": 2},
            r"prior_2: must be left out",
        ),
        ({"cost_1": 1, "wait_type": 1}, "wait_type: needs at least two types"),
        ({"cost_1": 1, "prior_1": 1, "wait_type": 2}, r"wait_type: must be the number of a type"),
        (
            {"cost_1": 1, "prior_1": 1, "deadline": 11},
            r"deadline: must be one of the model.s focal dates",
        ),
        ({"cost_1": 1, "prior_1": 1, "resolution": 2.5}, r"resolution: must be an integer"),
        ({"cost_1": -1, "prior_1": 1}, r"s\.toml.*\[delay\.screening\] cost_1: must be a finite"),
        (
            {"cost_1": 1, "prior_1": 0.7},
            r"\[delay\.screening\] prior_1: prior_1 … prior_1 must sum to 1",
        ),
    ],
)
def test_bad_settings_are_named(settings: dict, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        credibility(model(settings), delay="screening")


def test_wga2007_screening_before_and_after() -> None:
    """The flagship: three cost types (m_A and the ends of its range), the prior on the type
    that can wait 1 − trust. Recomputed here from the parameters."""
    m = shipped("wga2007")
    report = credibility(m, delay="screening", exact=False)
    v = {k: float(m.parameter(k).value) for k in ("m_A", "m_A_hi", "m_A_lo", "prod_A", "s_hi")}
    costs = (
        v["m_A"] * v["prod_A"] * 7,
        v["m_A_hi"] * v["prod_A"] * 7,
        v["m_A_lo"] * v["prod_A"] * 7,
    )
    for stage in (report.before, report.after):
        t = stage.trust
        direct = strike_screening(
            costs,
            (t * (1 - v["s_hi"]), t * v["s_hi"], 1 - t),
            34.0,
            uninformed_cost=1051.32 * 7 / 365,
            informed_rate=0.05 * 7 / 365,
            uninformed_rate=0.10 * 7 / 365,
            resolution=50,
        )
        assert flat(stage.duration.time_to_agreement) == pytest.approx(
            flat(direct.agreement_time()), rel=1e-9
        )
    # the broken promise makes the producers likelier to be the type that can wait: the
    # writers then ask that type's terms at once, and the strike is shorter (docs say so)
    assert report.after.duration.mean < report.before.duration.mean


def test_types_with_one_cost_are_one_type() -> None:
    """A sweep may move one type's cost onto another's: they merge, and their settlements
    split in proportion to their priors."""
    merged = strike_screening((3.0, 1.0), (0.5, 0.5), 4.0, resolution=4)
    split = strike_screening((3.0, 1.0, 3.0), (0.2, 0.5, 0.3), 4.0, resolution=4)
    assert split.offers == merged.offers and split.value == merged.value
    assert split.settled[0] == pytest.approx([x * 0.4 for x in merged.settled[0]])
    assert split.settled[2] == pytest.approx([x * 0.6 for x in merged.settled[0]])
    assert split.settled[1] == merged.settled[1]
