"""Mutual optimism up to a deadline: closed form, backward induction, brute force, the flagship.

References:

- Yildiz, M. (2003). Bargaining without a common prior — an immediate agreement
  theorem. *Econometrica* 71(3), 793–811: the random-proposer game in which
  each player has its own belief about who proposes; its main result (as its
  working paper, MIT 01-43, states it): players who will remain sufficiently
  optimistic for a sufficiently long future agree immediately.
- Yildiz, M. (2004). Optimism, deadline effect, and stochastic deadlines.
  MIT working paper 04-36: under a firm deadline, optimism delays agreement
  until the deadline.
- Merlo, A. & Wilson, C. (1995). A stochastic model of sequential bargaining
  with complete information. *Econometrica* 63(2), 371–399: with a common prior
  the agreement is efficient, hence immediate when waiting only shrinks the pie.

The papers' texts were not available here beyond their abstracts: the
recursion and the closed form ``u*`` are derived in docs/delay-optimism.md and
checked below against a brute-force solver written in time-0 present values.
"""

from __future__ import annotations

import json
import math
import tomllib

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import bargain
from bargain.cli import main
from bargain.errors import ModelError
from bargain.model.modelfile import model_from_dict
from bargain.reputation.credibility import credibility
from bargain.reputation.optimism import (
    offer_dates,
    optimism_bargaining,
    waiting_time,
)
from tests.conftest import broken_promise_data, shipped

PARTIES = ("W", "A")


def brute_force(pie, beliefs, deadline, rates, costs, deadline_payoffs, round_length):
    """The agreement date by checking each proposer's choice at each date, in time-0 values.

    A share ``y`` agreed at ``t`` is worth ``e^{−r t} y − c (1 − e^{−r t})/r`` at time 0;
    the deadline outcome ``b`` is worth that with ``t = T``. At each date, walking back,
    each proposer either offers the other exactly the other's believed value of
    rejecting (the least it accepts) or makes an offer that is refused, whichever it
    believes is better; what a side believes the date is worth is then the value of
    rejecting at the date before. Independent of the module's recursion in values
    at each date.
    """

    def flows(i, t):
        return -costs[i] * (t if rates[i] == 0 else -math.expm1(-rates[i] * t) / rates[i])

    def worth(i, share, t):
        return math.exp(-rates[i] * t) * share + flows(i, t)

    dates = offer_dates(deadline, round_length)
    reject = {i: worth(i, deadline_payoffs[i], dates[-1]) for i in PARTIES}
    agreed = []
    for t in reversed(dates):
        least = {j: (reject[j] - flows(j, t)) * math.exp(rates[j] * t) for j in PARTIES}
        proposes = {}
        for i, j in (PARTIES, PARTIES[::-1]):
            proposes[i] = worth(i, pie - least[j], t) >= reject[i]
        assert proposes["W"] == proposes["A"] or abs(pie - sum(least.values())) < 1e-9
        agreed.append(proposes["W"])
        reject = {
            i: beliefs[i] * max(worth(i, pie - least[j], t), reject[i])
            + (1 - beliefs[i]) * reject[i]
            for i, j in (PARTIES, PARTIES[::-1])
        }
    agreed.reverse()
    return next((t for t, ok in zip(dates, agreed, strict=True) if ok), math.inf)


probability = st.floats(0.0, 1.0)
rates = st.one_of(st.just(0.0), st.floats(1e-6, 0.2))  # no subnormal rates
games = st.fixed_dictionaries(
    {
        "pie": st.floats(0.1, 10.0),
        "beliefs": st.fixed_dictionaries({"W": probability, "A": probability}),
        "deadline": st.floats(0.0, 30.0),
        "rates": st.fixed_dictionaries({"W": rates, "A": rates}),
        "costs": st.fixed_dictionaries({"W": st.floats(0.0, 1.0), "A": st.floats(0.0, 1.0)}),
        "deadline_payoffs": st.fixed_dictionaries(
            {"W": st.floats(-2.0, 2.0), "A": st.floats(-2.0, 2.0)}
        ),
        "round_length": st.floats(0.3, 3.0),
    }
)


def solve(game):
    return optimism_bargaining(
        game["pie"],
        game["beliefs"],
        game["deadline"],
        rates=game["rates"],
        costs=game["costs"],
        deadline_payoffs=game["deadline_payoffs"],
        round_length=game["round_length"],
    )


def clear(result) -> bool:
    """No date is a tie of the agreement condition (rounding could decide it either way)."""
    return all(abs(w - result.pie) > 1e-9 * (1 + abs(result.pie)) for w in result.waiting)


# --- the closed form and the papers' limits ---------------------------------------------------


def test_undiscounted_closed_form_is_premium_over_cost() -> None:
    # u* = ε s / C: ε = 0.7 + 0.6 − 1 = 0.3, s = 2 − 0.5 = 1.5, C = 0.15 → 3 periods.
    args = dict(costs={"W": 0.05, "A": 0.1}, deadline_payoffs={"W": 0.5, "A": 0.0})
    beliefs = {"W": 0.7, "A": 0.6}
    assert waiting_time(2.0, beliefs, **args) == pytest.approx(3.0, rel=1e-14)
    assert optimism_bargaining(2.0, beliefs, 2.9, **args).date == 2.9  # T < u*: the deadline
    assert optimism_bargaining(2.0, beliefs, 3.1, **args).date == 0.0  # T > u*: at once


def test_discounted_closed_form() -> None:
    # u* = ln(1 + ε s / (pie + C/r)) / r = ln(1 + 0.4 / (1 + 0.04/0.1)) / 0.1
    beliefs = {"W": 0.7, "A": 0.7}
    u = waiting_time(1.0, beliefs, rate=0.1, costs={"W": 0.02, "A": 0.02})
    assert u == pytest.approx(math.log(1 + 0.4 / 1.4) / 0.1, rel=1e-14)
    rates = {"W": 0.1, "A": 0.1}
    costs = {"W": 0.02, "A": 0.02}
    assert optimism_bargaining(1.0, beliefs, u - 0.01, rates=rates, costs=costs).date == u - 0.01
    assert optimism_bargaining(1.0, beliefs, u + 0.01, rates=rates, costs=costs).date == 0.0


def test_no_optimism_agrees_at_once() -> None:
    # A common prior (p_W + p_A = 1): u* = 0 and agreement is immediate (Merlo & Wilson 1995;
    # the benchmark of Yildiz 2003), with or without costs, discounting or a deadline payoff.
    for p in (0.0, 0.3, 0.5, 1.0):
        beliefs = {"W": p, "A": 1 - p}
        assert waiting_time(1.0, beliefs, costs={"W": 0.01, "A": 0.0}) == 0.0
        game = optimism_bargaining(
            1.0,
            beliefs,
            20.0,
            rates={"W": 0.05, "A": 0.05},
            costs={"W": 0.01, "A": 0.0},
            deadline_payoffs={"W": 0.2, "A": 0.1},
        )
        assert game.date == 0.0 and game.excess == pytest.approx(0.0, abs=1e-15)
        # the believed values add up to the pie: nothing is wasted
        assert sum(game.values.values()) == pytest.approx(1.0, rel=1e-12)


def test_enough_optimism_waits_for_the_deadline() -> None:
    # Both sure to propose, no costs, no discounting: u* = inf and every deadline is reached
    # (the deadline effect, Yildiz 2004 WP 04-36); the proposer at the deadline offers the
    # other its deadline payoff and each believes it gets the whole surplus over it.
    beliefs = {"W": 1.0, "A": 1.0}
    assert waiting_time(1.0, beliefs) == math.inf
    game = optimism_bargaining(1.0, beliefs, 10.0, deadline_payoffs={"W": 0.1, "A": 0.2})
    assert game.date == 10.0 and game.agree == (False,) * 10 + (True,)
    assert game.offers == {"W": {"W": 0.8, "A": 0.2}, "A": {"A": 0.9, "W": 0.1}}
    assert game.values == {"W": pytest.approx(0.8), "A": pytest.approx(0.9)}
    assert game.agreement_time().atoms == ((10.0, 1.0),)


def test_a_long_future_brings_immediate_agreement() -> None:
    # Yildiz (2003): sufficiently optimistic players with a sufficiently long future agree at
    # once. Here the premium 0.4 against 0.04 a period: u* = 10; deadlines beyond it agree at 0.
    beliefs = {"W": 0.7, "A": 0.7}
    costs = {"W": 0.02, "A": 0.02}
    assert [optimism_bargaining(1.0, beliefs, t, costs=costs).date for t in (9, 10, 11, 100)] == [
        9.0,
        0.0,
        0.0,
        0.0,
    ]


def test_no_surplus_over_the_deadline_never_agrees_without_costs() -> None:
    game = optimism_bargaining(1.0, {"W": 0.5, "A": 0.5}, 3.0, deadline_payoffs={"W": 1, "A": 1})
    assert game.date == math.inf and game.offers == {}
    assert game.agreement_time().never == 1.0


def test_offer_dates() -> None:
    assert offer_dates(3.0) == (0.0, 1.0, 2.0, 3.0)
    assert offer_dates(5.714285714285714) == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 5.714285714285714)
    assert offer_dates(1.0, 0.25) == (0.0, 0.25, 0.5, 0.75, 1.0)


def expects_no_loss(game) -> bool:
    """Agreement at the deadline, where each side believes it gets ``b_i + p_i s >= 0``.

    Outside this domain a side that expects to lose at the deadline, and discounts, gains by
    putting the loss off, whatever its optimism: the monotone properties need it.
    """
    surplus = game["pie"] - sum(game["deadline_payoffs"].values())
    believed = (b + game["beliefs"][i] * surplus for i, b in game["deadline_payoffs"].items())
    return surplus >= 0 and all(v >= 0 for v in believed)


# --- a second route, and properties -----------------------------------------------------------


@given(games)
def test_backward_induction_matches_brute_force(game) -> None:
    result = solve(game)
    assume(clear(result))
    assert result.date == brute_force(**game)


@given(games, rates)
def test_equal_rates_agree_at_once_or_at_the_deadline_as_the_closed_form_says(game, rate) -> None:
    game = {**game, "rates": {"W": rate, "A": rate}}
    assume(game["pie"] >= sum(game["deadline_payoffs"].values()))
    result = solve(game)
    u = waiting_time(
        game["pie"],
        game["beliefs"],
        rate=rate,
        costs=game["costs"],
        deadline_payoffs=game["deadline_payoffs"],
    )
    assume(clear(result) and abs(u - result.deadline) > 1e-9 * (1 + u))
    assert result.date == (result.deadline if result.deadline < u else 0.0)


@given(games, st.floats(0.0, 1.0))
def test_more_optimism_never_brings_agreement_earlier(game, more) -> None:
    beliefs = game["beliefs"]
    bolder = {**beliefs, "W": beliefs["W"] + more * (1 - beliefs["W"])}
    assume(expects_no_loss(game) and expects_no_loss({**game, "beliefs": bolder}))
    before, after = solve(game), solve({**game, "beliefs": bolder})
    assume(clear(before) and clear(after))
    assert after.date >= before.date


@given(games, st.floats(0.0, 2.0))
def test_more_strike_cost_never_delays_agreement(game, more) -> None:
    assume(expects_no_loss(game))
    costlier = {**game["costs"], "A": game["costs"]["A"] + more}
    before, after = solve(game), solve({**game, "costs": costlier})
    assume(clear(before) and clear(after))
    assert after.date <= before.date


@given(games)
def test_a_common_prior_agrees_at_once(game) -> None:
    beliefs = {"W": game["beliefs"]["W"], "A": 1 - game["beliefs"]["W"]}
    rate = game["rates"]["W"]
    game = {**game, "beliefs": beliefs, "rates": {"W": rate, "A": rate}}
    assume(game["pie"] >= sum(game["deadline_payoffs"].values()))
    result = solve(game)
    assume(clear(result))
    assert result.date == 0.0


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"beliefs": {"W": 1.2, "A": 0.5}}, r"beliefs\.W: must be a probability in \[0, 1\]"),
        ({"beliefs": {"W": 0.5}}, r"beliefs: needs exactly two parties"),
        ({"beliefs": {"W": 0.5, "A": math.nan}}, r"beliefs\.A: must be a finite number"),
        ({"deadline": -1.0}, r"deadline: must be a time >= 0"),
        ({"round_length": 0.0}, r"round: must be positive"),
        ({"round_length": 1e-6}, r"round: gives 1000000 offer dates"),
        ({"costs": {"W": -1.0, "A": 0.0}}, r"costs\.W: must be at least 0"),
        ({"rates": {"W": 0.1}}, r"rates\.A: missing party 'A'"),
        ({"rates": {"W": 0.1, "A": 0.1, "B": 0.1}}, r"rates\.B: unknown party 'B'"),
        ({"pie": "1"}, r"pie: must be a number"),
    ],
    ids=[
        "belief-above-one",
        "one-party",
        "nan-belief",
        "negative-deadline",
        "zero-round",
        "too-many-dates",
        "negative-cost",
        "missing-rate",
        "unknown-party",
        "string-pie",
    ],
)
def test_bad_input_is_refused_with_the_key(kwargs, match) -> None:
    args = {"pie": 1.0, "beliefs": {"W": 0.6, "A": 0.6}, "deadline": 1.0, **kwargs}
    with pytest.raises(ModelError, match=match):
        optimism_bargaining(**args)


def test_closed_form_refuses_a_deadline_worth_more_than_the_pie() -> None:
    with pytest.raises(ModelError, match=r"deadline_payoffs: the pie 1 must be at least"):
        waiting_time(1.0, {"W": 0.6, "A": 0.6}, deadline_payoffs={"W": 1.0, "A": 0.5})
    with pytest.raises(ModelError, match=r"rate: must be a discount rate >= 0"):
        waiting_time(1.0, {"W": 0.6, "A": 0.6}, rate=-0.1)


# --- through credibility: a small model and the flagship --------------------------------------

SMALL = {
    **broken_promise_data(
        "o",
        parameters={"pw": 0.7, "pa": 0.7},
        focal_dates=[4, 20],
        W={"strike_payoff": -0.01, "disagreement": -0.2, "discount_rate": 0.001},
        A={"strike_payoff": -0.03, "disagreement": -0.6, "discount_rate": 0.001},
    ),
    "delay": {"theory": "optimism", "optimism": {"optimism_1": "pw", "optimism_2": "pa"}},
}


def small(**optimism):
    data = {**SMALL, "delay": {"theory": "optimism", "optimism": {**SMALL["delay"]["optimism"]}}}
    data["delay"]["optimism"].update(optimism)
    return model_from_dict(data, file="o.toml")


def test_small_model_waits_for_the_deadline_before_and_after() -> None:
    # Deadline 20 (the last focal date); deadline payoffs d_i − 20 s_i = 0 for both sides, so
    # s = pie = 1 (the stage's payoffs add to 1), C = 0.04 and r = 0.001:
    # u* = ln(1 + 0.4 / (1 + 0.04/0.001)) / 0.001 = 9.71 < 20: at once. With the deadline at
    # the first focal date, 4 < 9.71: the strike runs to it. The beliefs are the same before
    # and after the broken promise, and so is the date.
    report = credibility(small())
    assert report.settings["delay"] == "optimism"
    for stage in (report.before, report.after):
        assert stage.duration.mean == 0.0
    report = credibility(small(deadline=4))
    for stage in (report.before, report.after):
        assert stage.duration.median == pytest.approx(4.0, rel=1e-14)
        assert stage.duration.mean == pytest.approx(4.0, rel=1e-14)
    u = waiting_time(1.0, {"W": 0.7, "A": 0.7}, rate=0.001, costs={"W": 0.01, "A": 0.03})
    assert u == pytest.approx(math.log(1 + 0.4 / 41) / 0.001, rel=1e-14)
    assert 4 < u < 20


def test_small_model_with_a_common_prior_agrees_at_once() -> None:
    report = credibility(small(deadline=4).with_values(pa=0.3))
    assert report.before.duration.mean == 0.0 and report.after.duration.mean == 0.0


@pytest.mark.parametrize(
    ("optimism", "match"),
    [
        ({"optimism_1": 1.5}, r"o\.toml: \[delay\.optimism\] optimism_1: must be a probability"),
        (
            {"deadline": -1},
            r"o\.toml: \[delay\.optimism\] deadline: must be one of the model.s focal dates",
        ),
        ({"round": 0}, r"o\.toml: \[delay\.optimism\] round: must be positive"),
        ({"hunch": 1}, r"\[delay\.optimism\] hunch: unknown key"),
    ],
    ids=["belief", "deadline", "round", "unknown-key"],
)
def test_bad_settings_are_named_in_the_model_file(optimism, match) -> None:
    with pytest.raises(ModelError, match=match):
        credibility(small(**optimism))


def test_missing_belief_and_a_strike_that_pays_are_refused() -> None:
    data = {**SMALL, "delay": {"theory": "optimism", "optimism": {"optimism_1": "pw"}}}
    with pytest.raises(ModelError, match=r"\[delay\.optimism\] optimism_2: missing"):
        credibility(model_from_dict(data, file="o.toml"))
    data = bargain.model_to_dict(small())
    data["parties"]["W"]["strike_payoff"] = 0.01  # a strike that pays W
    with pytest.raises(ModelError, match=r"\[parties\.W\] strike_payoff: must be <= 0"):
        credibility(model_from_dict(data, file="o.toml"))


def test_wga2007_settles_on_december_15_before_and_after() -> None:
    # The flagship's [delay.optimism]: beliefs pi_W = 0.6, pi_A = 0.75 (ε = 0.35), deadline
    # December 15 (T_dec = 40/7 weeks); failing it, the strike runs to June 30 (the model's
    # disagreement payoffs). The optimism premium ε s is far above the strike's cost until
    # December 15, so both stages wait for it; the broken promise changes only the pie.
    model = shipped("wga2007")
    assert model.delay_theory == "reputation"  # the optimism table is there, not the default
    report = credibility(model, delay="optimism", exact=False)
    t_dec = 40 / 7
    for stage in (report.before, report.after):
        assert stage.duration.median == pytest.approx(t_dec, rel=1e-12)
        assert stage.duration.mean == pytest.approx(t_dec, rel=1e-12)
        assert stage.duration.at_date[-1] == 0.0  # no path runs to June 30


def test_wga2007_without_optimism_settles_at_once() -> None:
    model = shipped("wga2007").with_values(pi_W=0.5, pi_A=0.5)
    report = credibility(model, delay="optimism", exact=False)
    assert report.before.duration.mean == 0.0 and report.after.duration.mean == 0.0


def test_wga2007_broken_promise_shortens_the_strike_between_the_thresholds() -> None:
    # The broken promise removes the package deal from the pie (82.4 -> 1.7 $M), so the surplus
    # over the December 15 outcome falls (1496 -> 1415 $M) and the optimism needed to wait,
    # about C T / s, rises (0.193 -> 0.203). At ε = 0.198 the strike is 40/7 weeks before and
    # none after: the one case docs/delay-optimism.md names where this theory shortens it.
    report = credibility(
        shipped("wga2007").with_values(pi_W=0.599, pi_A=0.599), delay="optimism", exact=False
    )
    assert report.before.duration.mean == pytest.approx(40 / 7, rel=1e-12)
    assert report.after.duration.mean == 0.0
    c = 1051.32 * 7 / 365 + 0.2 * 21.3 * 7  # both sides' strike costs per week
    pies = [sum(stage.solution.payoffs.values()) for stage in (report.before, report.after)]
    ends = sum(report.before.solution.disagreement.values()) + 40 / 7 * c  # Σ b_i = Σ d_i + T C
    premium = [0.198 * (pie - ends) for pie in pies]  # ε s, undiscounted
    assert premium[0] > c * 40 / 7 > premium[1]


def test_the_command_line_switch(capsys) -> None:
    code = main(["credibility", "wga2007", "--delay", "optimism", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["settings"]["delay"] == "optimism"
    for stage in ("before", "after"):
        assert report[stage]["strike"]["median"] == pytest.approx(40 / 7, rel=1e-12)
        assert report[stage]["strike"]["settled_by"] == [1.0, 1.0]  # all by December 15


def test_wga2007_table_parses() -> None:
    table = tomllib.loads((bargain.models_dir() / "wga2007.toml").read_text())["delay"]
    assert table["optimism"] == {"optimism_1": "pi_W", "optimism_2": "pi_A", "deadline": "T_dec"}
