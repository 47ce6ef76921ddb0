"""The simulator: the equilibrium path reproduces the solved equilibrium; other strategies."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.strategic.simulate import Demand, simulate
from tests.strategic.test_rubinstein import split_game

TOL = 1e-9


@given(d_w=st.floats(0.5, 0.98), d_a=st.floats(0.5, 0.98), first=st.sampled_from("WA"))
def test_equilibrium_path_reproduces_the_solution(d_w, d_a, first):
    m = split_game(W={"discount_factor": d_w}, A={"discount_factor": d_a})
    solved = bargain.rubinstein(m, proposer=first, exact=False)
    path = simulate(m, proposer=first)
    assert path.ended == "agreement"
    assert len(path.rounds) == 1 and path.rounds[0].proposer == first
    assert path.agreement == pytest.approx(solved.agreement["x"], abs=TOL)
    assert path.payoffs == {n: pytest.approx(v, abs=TOL) for n, v in solved.payoffs.items()}


@given(rounds=st.integers(1, 15), d=st.floats(0.3, 0.95))
def test_equilibrium_path_finite_horizon(rounds, d):
    m = split_game(W={"discount_factor": d}, A={"discount_factor": d})
    solved = bargain.rubinstein(m, horizon=rounds)
    path = simulate(m, horizon=rounds)
    assert path.agreement == pytest.approx(solved.agreement["x"], abs=TOL)
    assert path.delay == solved.delay


def test_stubborn_players_strike_until_the_deadline():
    # Both demand everything; each round of strike costs each side 0.1 per period.
    m = split_game(
        W={"discount_factor": 0.9, "strike_payoff": -0.1, "disagreement": 0.0},
        A={"discount_factor": 0.9, "strike_payoff": -0.1},
    )
    path = simulate(m, {"W": Demand(1.0), "A": Demand(0.0)}, horizon=3)
    assert path.ended == "deadline" and path.agreement is None
    assert [r.proposer for r in path.rounds] == ["W", "A", "W"]
    # Three rounds of strike flows, each worth 0.1 (1 - 0.9) / log(1/0.9) at its start.
    per_round = -0.1 * (1 - 0.9) / -math.log(0.9)
    expected = per_round * (1 + 0.9 + 0.81)
    assert path.payoffs["W"] == pytest.approx(expected, abs=TOL)


def test_equilibrium_responder_rejects_a_bad_offer_then_agrees():
    # W demands everything in round 0; A (equilibrium strategy) rejects, and in round 1 A's
    # equilibrium offer, 0.9 * 5/7 to W, is accepted.
    m = split_game(W={"discount_factor": 0.9}, A={"discount_factor": 0.8})

    class GreedyOnce:
        def offer(self, index, history):
            return 1.0

        def respond(self, index, offer, history):
            return "accept" if offer >= 0.9 * 5 / 7 - 1e-12 else "reject"

    path = simulate(m, {"W": GreedyOnce()})
    assert [r.response for r in path.rounds] == ["reject", "accept"]
    assert path.agreement == pytest.approx(0.9 * 5 / 7, abs=TOL)
    assert path.delay == 1


@pytest.mark.parametrize("scale", [1.0, 1e-9, 1e-12])
def test_equilibrium_responder_rejects_a_greedy_demand_at_every_scale(scale):
    # A pie of `scale`: W always demands 99% of it. A, responding in equilibrium, accepts at
    # least 1 - 5/7 of the pie (Rubinstein 1982: W's share (1 - 0.8)/(1 - 0.72) = 5/7), far
    # more than the 1% offered, so A rejects every round; W's demand rejects A's offers too.
    # At 1e-12 A accepted: the shortfall was compared with 1e-12 * (1 + demand), an absolute
    # floor as large as the pie.
    m = bargain.model_from_dict(
        {
            "model": {"name": "r"},
            "parameters": {"s": scale},
            "variables": {"x": {"min": 0, "max": "s"}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.9},
                "A": {"payoff": "s - x", "discount_factor": 0.8},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )
    path = simulate(m, {"W": Demand(0.99 * scale)}, max_rounds=6)
    assert path.ended == "max rounds" and path.agreement is None
    assert [r.response for r in path.rounds if r.proposer == "W"] == ["reject"] * 3


def test_outside_option_taken_off_the_equilibrium_path():
    m = split_game(W={"discount_factor": 0.9}, A={"discount_factor": 0.8, "outside_option": 0.5})
    path = simulate(m, {"W": Demand(0.9)})
    assert path.ended == "opt out"
    assert path.payoffs == {"W": 0.0, "A": 0.5}


def test_breakdown_draws_are_seeded():
    m = split_game(
        {"breakdown_probability": 0.5}, W={"discount_factor": 1}, A={"discount_factor": 1}
    )
    stubborn = {"W": Demand(1.0), "A": Demand(0.0)}
    a = simulate(m, stubborn, seed=7)
    b = simulate(m, stubborn, seed=7)
    assert a == b
    assert a.ended == "breakdown"
