"""Equilibria with delay in the alternating-offers game: inside options (strike payoffs) with
outside options, where a proposer gains by an offer that is refused (Muthoo 1999,
*Bargaining Theory with Applications*, §6.3; Osborne & Rubinstein 1990, *Bargaining and
Markets*, §3.12), in the infinite game and with a finite horizon. Each answer is checked
against a backward induction of this file's own, over a long horizon for the infinite game."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.strategic.rubinstein import backward_induction, game_of

NAMES = ("W", "A")


def game(
    first: str = "W",
    q: float = 0.0,
    horizon: int | None = None,
    parameters: dict | None = None,
    **parties: dict,
):
    """Splitting one unit, W gets x and A 1 - x; each party's fields as given."""
    spec = {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}}
    for name, fields in parties.items():
        spec[name].update({k: v for k, v in fields.items() if v is not None})
    bargaining = {"first_proposer": first, "breakdown_probability": q}
    if horizon is not None:
        bargaining["horizon"] = horizon
    return bargain.model_from_dict(
        {
            "model": {"name": "g"},
            "parameters": parameters or {},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": spec,
            "bargaining": bargaining,
        }
    )


def induct(model: bargain.Model, rounds: int) -> tuple[int | None, float | None, dict]:
    """Backward induction over ``rounds`` rounds of the split game (the timing of
    docs/rubinstein.md): the round and contract of the agreement on the path (``None``
    without one) and both parties' payoffs at time 0. A proposer offers the responder what
    rejecting is worth to it (its outside option, or a round of strike, breakdown risk and
    the next round), or the proposer's best contract where the responder gets more from it;
    the offer is accepted where that leaves the proposer at least its own value of rejection."""
    p = {party.name: party for party in model.parties}
    value = model.numeric
    q = float(value(model.bargaining.breakdown_probability))
    first = model.bargaining.first_proposer
    delta = {n: float(value(p[n].discount_factor)) for n in NAMES}
    strike = {
        n: float(value(p[n].strike_payoff)) * (1 - delta[n]) / -math.log(delta[n]) for n in NAMES
    }
    d = {n: float(value(p[n].disagreement)) for n in NAMES}
    o = {
        n: None if p[n].outside_option is None else float(value(p[n].outside_option)) for n in NAMES
    }
    share = {"W": lambda x: x, "A": lambda x: 1 - x}
    values, path = dict(d), (None, None)
    for k in reversed(range(rounds)):
        proposer = first if k % 2 == 0 else next(n for n in NAMES if n != first)
        responder = next(n for n in NAMES if n != proposer)
        keep = {n: strike[n] + q * d[n] + (1 - q) * delta[n] * values[n] for n in NAMES}
        if o[responder] is not None and o[responder] > keep[responder]:
            keep = {responder: o[responder], proposer: d[proposer]}
        x = min(max(keep[responder] if responder == "W" else 1 - keep[responder], 0.0), 1.0)
        accepts = share[responder](x) >= keep[responder] - 1e-13
        if accepts and share[proposer](x) >= keep[proposer] - 1e-13:
            values, path = {n: share[n](x) for n in NAMES}, (k, x)
        else:
            values = keep
    return *path, values


def test_waiting_for_the_outside_option_is_delay():
    # Report s26 §1: W first, o_W = 0.3, A strikes at 0.2 a period. The offer A accepts at
    # once (x = 0.2607) is worth less to W than a refused offer: after a round of strike A
    # must offer W its outside option, worth 0.9 * 0.3 = 0.27 to W now (Muthoo 1999, §6.3).
    m = game(
        W={"discount_factor": 0.9, "outside_option": 0.3},
        A={"discount_factor": 0.8, "strike_payoff": 0.2},
    )
    s = bargain.rubinstein(m)
    strike_a = 0.2 * 0.2 / -math.log(0.8)
    assert s.agreement["x"] == pytest.approx(0.3, abs=1e-12)
    assert s.delay == 1.0
    assert s.payoffs["W"] == pytest.approx(0.27, abs=1e-12)
    assert s.payoffs["A"] == pytest.approx(strike_a + 0.8 * 0.7, abs=1e-12)
    assert not s.exact
    for rounds in (3000, 3001):
        k, x, values = induct(m, rounds)
        assert (k, x) == (1, pytest.approx(0.3, abs=1e-12))
        assert values["W"] == pytest.approx(s.payoffs["W"], abs=1e-9)
        assert values["A"] == pytest.approx(s.payoffs["A"], abs=1e-9)
    path = bargain.simulate(m)
    assert [r.response for r in path.rounds] == ["reject", "accept"]
    assert (path.agreement, path.delay) == (pytest.approx(0.3, abs=1e-12), 1.0)
    assert path.payoffs["W"] == pytest.approx(0.27, abs=1e-12)
    # A first: it offers W's outside option at once.
    other = bargain.rubinstein(m, proposer="A")
    assert (other.agreement["x"], other.delay) == (pytest.approx(0.3, abs=1e-12), 0.0)


@pytest.mark.parametrize(("first", "expected"), [("A", 0.2), ("W", None)])
def test_a_demand_beyond_the_contracts_at_an_end_is_no_refusal(first, expected):
    # Report s26 §12: the proposal map is bracketed at the ends of the contracts, where A's
    # demand (0.2689 + 0.8 * 1) is more than any contract gives; the game is solvable. W
    # first: x_W = 1 - (s_A + 0.8 * 0.8) with W's outside option 0.2 binding in A's offer.
    m = game(
        first,
        W={"discount_factor": 0.9, "strike_payoff": -0.3, "outside_option": 0.2},
        A={"discount_factor": 0.8, "strike_payoff": 0.3},
    )
    s = bargain.rubinstein(m)
    if expected is None:
        expected = 1 - (0.3 * 0.2 / -math.log(0.8) + 0.8 * 0.8)
    assert s.agreement["x"] == pytest.approx(expected, abs=1e-12)
    assert s.delay == 0
    k, x, _ = induct(m, 3000)
    assert (k, x) == (0, pytest.approx(expected, abs=1e-9))


@pytest.mark.parametrize("horizon", [2, 6, 10, 401])
def test_finite_horizon_reports_the_accepted_offer_and_its_delay(horizon):
    # Report s26 §2: no offer in round 0 is acceptable to A (rejecting is worth 1.029 to it);
    # in round 1 A offers W its outside option 0.05. Backward induction over the horizon.
    m = game(
        horizon=horizon,
        W={"discount_factor": 0.9, "strike_payoff": -0.3, "outside_option": 0.05},
        A={"discount_factor": 0.8, "strike_payoff": 0.3},
    )
    s = bargain.rubinstein(m)
    k, x, values = induct(m, horizon)
    assert (k, x) == (1, pytest.approx(0.05, abs=1e-12))
    assert s.agreement["x"] == pytest.approx(0.05, abs=1e-12)
    assert s.delay == 1.0
    assert s.payoffs["W"] == pytest.approx(values["W"], abs=1e-9)
    path = bargain.simulate(m)
    assert (path.agreement, path.delay) == (pytest.approx(s.agreement["x"], abs=1e-12), s.delay)


party = st.fixed_dictionaries(
    {
        "discount_factor": st.sampled_from([0.6, 0.7, 0.8, 0.9, 0.95]),
        "strike_payoff": st.sampled_from([0.0, -0.3, -0.1, 0.1, 0.2, 0.3]),
        "disagreement": st.sampled_from([0.0, 0.1, 0.2]),
        "outside_option": st.sampled_from([None, 0.05, 0.1, 0.3, 0.4, 0.7]),
    }
)


@given(
    w=party,
    a=party,
    q=st.sampled_from([0.0, 0.05, 0.2]),
    first=st.sampled_from(NAMES),
    horizon=st.sampled_from([None, 2, 3, 6, 11]),
)
def test_equilibrium_is_the_backward_induction(w, a, q, first, horizon):
    # The infinite game's stationary equilibrium (with or without delay) is the limit of
    # backward induction as the horizon grows (Osborne & Rubinstein 1990, §3.10), where the
    # two parities agree; a finite horizon is the induction itself.
    m = game(first, q, horizon, W=w, A=a)
    rounds = (2000, 2001) if horizon is None else (horizon,)
    limits = [induct(m, n) for n in rounds]
    (k, x, values), last = limits[0], limits[-1]
    if horizon is None and (k is None or k > 1) and (last[0] is None or last[0] > 1):
        # Agreement only near the deadline, or none: striking for ever is worth more to
        # both than any agreement (Muthoo 1999, §6.3), and the infinite game has none.
        with pytest.raises(bargain.BargainError):
            bargain.rubinstein(m, exact=False)
        return
    if k is None or last[0] != k or abs(last[1] - x) > 1e-9:
        return  # no agreement within the horizon, or no limit: not compared
    s = bargain.rubinstein(m, exact=False)
    assert s.agreement["x"] == pytest.approx(x, abs=1e-8)
    assert s.delay == k
    for n in NAMES:
        assert s.payoffs[n] == pytest.approx(values[n], abs=1e-8)


@pytest.mark.parametrize("route", ["auto", "numeric"])
def test_sweep_solves_delayed_points_as_the_solver(route):
    # The closed form and the kernel of immediate agreement hold only where no proposer
    # gains by waiting: elsewhere the sweep's row is the scalar solver's (delayed) answer.
    m = game(
        parameters={"o": 0.3},
        W={"discount_factor": 0.9, "outside_option": "o"},
        A={"discount_factor": 0.8, "strike_payoff": 0.2},
    )
    table = bargain.sweep(m, method="rubinstein", vary={"o": (0.1, 0.5, 5)}, route=route)
    for o, x, w in zip(table["o"], table["x"], table["payoff_W"], strict=True):
        point = m.with_values({"o": float(o)})
        k, x_bi, values = induct(point, 2000)
        assert (x, w) == (pytest.approx(x_bi, abs=1e-9), pytest.approx(values["W"], abs=1e-9))
        assert bargain.rubinstein(point, exact=False).delay == k
    assert table["x"].iloc[-1] == pytest.approx(0.5, abs=1e-12)  # o = 0.5, after a round


def test_offers_refused_by_a_walk_out_where_the_other_proposes_first():
    # W: x**2, δ 0.8, strike -0.2, d 0.1, o 0.3; A: (1 - x)**2, δ 0.6, strike 0.3, o 0.5; A
    # first. Where W proposes, A's outside option 0.5 costs W more (x = 1 - sqrt(0.5), W
    # 0.0858) than A walking out (d_W = 0.1): W's offers are refused and A walks out. So
    # where A proposes W can get max(o_W, s_W + 0.8 d_W) = 0.3, and A offers x = sqrt(0.3)
    # at once (Muthoo 1999, §6.3: outside options). The game was refused ("no stationary
    # equilibrium"); backward induction over 2000 rounds agrees (from every even round).
    m = game(
        "A",
        W={
            "payoff": "x**2",
            "discount_factor": 0.8,
            "strike_payoff": -0.2,
            "disagreement": 0.1,
            "outside_option": 0.3,
        },
        A={
            "payoff": "(1 - x)**2",
            "discount_factor": 0.6,
            "strike_payoff": 0.3,
            "outside_option": 0.5,
        },
    )
    s = bargain.rubinstein(m, exact=False)
    assert (s.agreement["x"], s.delay) == (pytest.approx(math.sqrt(0.3), abs=1e-12), 0.0)
    assert s.payoffs == pytest.approx({"W": 0.3, "A": (1 - math.sqrt(0.3)) ** 2}, abs=1e-12)
    x, delay, *_ = backward_induction(game_of(m, horizon=2000), 2000)
    assert (x, delay) == (pytest.approx(math.sqrt(0.3), abs=1e-12), 0)
    path = bargain.simulate(m)
    assert (path.agreement, path.delay) == (pytest.approx(math.sqrt(0.3), abs=1e-12), 0.0)
    # W first: its offers are refused and A walks out: no agreement.
    with pytest.raises(bargain.FeasibilityError, match="A takes its outside option"):
        bargain.rubinstein(m, proposer="W", exact=False)
