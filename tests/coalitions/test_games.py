"""The rule in the strategic games: alternating offers with a coalition, and the strike.

Closed forms checked here, each against a second route:

- the stationary alternating-offers proposals with strike costs and breakdown
  (Osborne & Rubinstein 1990, *Bargaining and Markets*, ch. 3; Binmore, Rubinstein &
  Wolinsky 1986, *RAND J. Econ.* 17(2), §4): ``x_W = ((1 − β_C) Π − a_C + β_C a_W) /
  (1 − β_W β_C)``, ``x_C = a_W + β_W x_W``, with the coalition's ``a_C, β_C`` its pivot's
  per dollar of stake — against the finite game played member by member
  (:func:`member_backward_induction`) and against the rule's vote counted by hand;
- the coalition's side of the war of attrition (Abreu & Gul 2000, *Econometrica* 68(1)):
  the guild concedes at the rate that leaves the pivotal member indifferent — against the
  member's expected payoff from conceding at each time, integrated with scipy — and the
  strike's length against a simulation.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.integrate import quad

import bargain
from bargain.coalitions import coalition
from bargain.coalitions.alternating import coalition_rubinstein, member_backward_induction
from bargain.coalitions.joint import joint_model
from bargain.coalitions.strike import coalition_strike
from bargain.concepts.registry import concept
from bargain.errors import ModelError
from bargain.reputation.duration import simulate_duration

COMPANION = bargain.models_dir() / "wga2007_coalition.toml"


def game_model(
    members: list[tuple[float, float, float, float]],
    *,
    rule: str = "unanimity",
    veto: str | None = None,
    weights: list[float] | None = None,
    guild: tuple[float, float, float] = (10.0, -400.0, 0.01),
    q: float = 0.05,
    z: tuple[float, float] = (0.2, 0.2),
    demands: tuple[float, float] = (60.0, 40.0),
    first: str = "W",
) -> bargain.Model:
    """A guild W and members M0, M1, ... bargaining over a transfer F in [0, 10000]. Member
    ``i`` is ``(s_i, b_i, d_i, r_i)``: its stake share (``s_i`` normalised to sum to one),
    weekly strike cost, disagreement payoff and weekly discount rate; the guild's are
    ``guild``. The guild demands ``demands[0]``, the coalition ``demands[1]`` (each member
    its share); obstinacy ``z`` (guild, every member); focal dates 4 and 20 weeks."""
    names = [f"M{i}" for i in range(len(members))]
    total = sum(m[0] for m in members)
    shares = [m[0] / total for m in members]
    b_w, d_w, r_w = guild
    parties: dict[str, dict[str, object]] = {
        "W": {
            "payoff": "F",
            "disagreement": d_w,
            "strike_payoff": -b_w,
            "discount_rate": r_w,
            "demand": demands[0],
            "hardliner": z[0],
        }
    }
    for name, s, (_, b, d, r) in zip(names, shares, members, strict=True):
        parties[name] = {
            "payoff": f"-{s!r}*F",
            "disagreement": d,
            "strike_payoff": -b,
            "discount_rate": r,
            "demand": -s * demands[1],
            "hardliner": z[1],
        }
    table: dict[str, object] = {
        "members": names,
        "rule": rule,
        "shares": {n: repr(s) for n, s in zip(names[:-1], shares, strict=False)}
        | {names[-1]: "1 - " + " - ".join(repr(s) for s in shares[:-1])},
    }
    if veto is not None:
        table["veto"] = veto
    if weights is not None:
        table["weights"] = dict(zip(names, weights, strict=True))
    return bargain.model_from_dict(
        {
            "model": {"name": "game", "period": "week"},
            "variables": {"F": {"min": 0, "max": 10_000}},
            "parties": parties,
            "bargaining": {
                "breakdown_probability": q,
                "focal_dates": [4.0, 20.0],
                "first_proposer": first,
            },
            "coalitions": {"C": table},
        }
    )


def agreement(m: bargain.Model) -> bargain.Solution:
    """The coalition's Nash agreement as one player: with payoffs linear in F the surplus
    the demands share is the same at every agreement, so one solve serves every rule and
    every split of the members."""
    joint, _ = joint_model(m, m.coalitions[0])
    return concept("nash").solve(joint, exact=False)


def closed_form(
    strike: float, d: float, rate: float, share: float, q: float
) -> tuple[float, float]:
    """``(a, β)`` of a responder per dollar of stake: ``R(y) = a + β y``."""
    delta = math.exp(-rate)
    per_round = strike * (1 - delta) / rate
    return (per_round + q * d) / share, (1 - q) * delta


def proposals(
    w: tuple[float, float], c: tuple[float, float], pie: float = 0.0
) -> tuple[float, float]:
    """The closed form: the guild gets ``x``, the coalition ``pie − x``."""
    (a_w, b_w), (a_c, b_c) = w, c
    x_w = ((1 - b_c) * pie - a_c + b_c * a_w) / (1 - b_w * b_c)
    return x_w, a_w + b_w * x_w


def by_vote(
    values: dict[str, float], weights: dict[str, float], rule: str, veto: str | None
) -> float:
    """The rule's aggregate, counted by hand: the least level at which the members asking
    no more than it hold more than half the weight (every member under unanimity), and the
    veto member among them."""
    levels = sorted(values.values())
    for level in levels:
        ayes = [m for m, v in values.items() if v <= level]
        enough = (
            len(ayes) == len(values)
            if rule == "unanimity"
            else sum(weights[m] for m in ayes) > sum(weights.values()) / 2
        )
        if enough and (veto is None or veto in ayes):
            return level
    raise AssertionError("unreachable")


def test_companion_closed_form() -> None:
    """The flagship's companion: the networks hold out for the coalition under unanimity;
    the closed form with their terms, the library and the member-by-member game agree."""
    m = bargain.load_model(COMPANION)
    p = {k.name: float(v) for k, v in m.substitutions.items()}
    weekly_a = p["m_A"] * p["prod_A"] * 7
    c = {"S": p["c_S"], "N": p["c_N"], "B": 1 - p["c_S"] - p["c_N"]}
    sigma = {"S": p["sigma_S"], "N": p["sigma_N"], "B": 1 - p["sigma_S"] - p["sigma_N"]}
    w = closed_form(
        -p["pay_W"] * 7 / 365,
        -p["pay_W"] * 7 / 365 * p["T_D"],
        p["rho_W"] * 7 / 365,
        1.0,
        p["q"],
    )
    stand_in = {
        g: proposals(
            w,
            closed_form(
                -c[g] * weekly_a,
                -c[g] * weekly_a * p["T_D"],
                p["rho_A"] * 7 / 365,
                sigma[g],
                p["q"],
            ),
        )
        for g in c
    }
    # the coalition pays F: its payoff is -x, so the toughest member is the least F
    assert min(stand_in, key=lambda g: stand_in[g][0]) == "N"
    for first, index in (("W", 0), ("AMPTP", 1)):
        game = coalition_rubinstein(m, proposer=first)
        assert game.pivot == "N"
        assert game.solution.agreement["F"] == pytest.approx(stand_in["N"][index], rel=1e-9)
        walked = member_backward_induction(m, 2000, proposer=first)
        assert walked["F"] == pytest.approx(stand_in["N"][index], rel=1e-9)
    assert stand_in["N"][0] == pytest.approx(128.132, abs=1e-3)
    # a majority (one vote each): the film studios are the median
    assert coalition_rubinstein(m, rule="majority").solution.agreement["F"] == pytest.approx(
        stand_in["S"][0], rel=1e-9
    )


def test_backward_induction_converges() -> None:
    """The finite game's agreement approaches the stationary one as the horizon grows."""
    m = bargain.load_model(COMPANION)
    target = coalition_rubinstein(m).solution.agreement["F"]
    gaps = [abs(member_backward_induction(m, n)["F"] - target) for n in (50, 200, 1000)]
    assert gaps[0] > gaps[1] > gaps[2]
    assert gaps[2] < 1e-9 * target


@pytest.mark.parametrize("rounds", [10**9, 10**9 + 1])
def test_a_billion_rounds_member_by_member_are_the_cycle_they_settle_into(rounds) -> None:
    # A billion rounds, one brentq each, ran for hours: the rounds before two that repeat
    # the two after them to the last bit repeat them too, and round 0 plays as the one of
    # its parity, the stationary agreement (the same as 2,000 or 2,001 rounds give).
    m = bargain.load_model(COMPANION)
    target = coalition_rubinstein(m).solution.agreement["F"]
    long = member_backward_induction(m, rounds)
    assert long == member_backward_induction(m, 2000 + rounds % 2)
    assert long["F"] == pytest.approx(target, rel=1e-9)


member = st.tuples(
    st.floats(0.2, 1.0),  # stake
    st.floats(5.0, 60.0),  # weekly cost
    st.floats(-400.0, -50.0),  # disagreement payoff
    st.floats(0.002, 0.05),  # weekly discount rate
)


@given(
    members=st.lists(member, min_size=2, max_size=4),
    rule=st.sampled_from(["unanimity", "majority", "veto"]),
    pick=st.integers(0, 3),
    weights=st.lists(st.integers(1, 3), min_size=4, max_size=4),
)
def test_rule_counted_by_hand(
    members: list[tuple[float, float, float, float]], rule: str, pick: int, weights: list[int]
) -> None:
    """The coalition's payoff is the rule's vote over its members' stand-in closed forms,
    and the member-by-member game agrees."""
    names = [f"M{i}" for i in range(len(members))]
    veto = names[pick % len(names)] if rule == "veto" else None
    w = dict(zip(names, map(float, weights), strict=False))
    m = game_model(members, rule=rule, veto=veto, weights=list(w.values()))
    total = sum(x[0] for x in members)
    guild = closed_form(-10.0, -400.0, 0.01, 1.0, 0.05)
    both = {
        n: proposals(guild, closed_form(-b, d, r, s / total, 0.05))
        for n, (s, b, d, r) in zip(names, members, strict=True)
    }
    assume(all(0 < x < 10_000 for pair in both.values() for x in pair))  # no bound binds
    x_w = {n: pair[0] for n, pair in both.items()}
    expected = -by_vote({n: -x for n, x in x_w.items()}, w, rule, veto)
    game = coalition_rubinstein(m)
    assert game.solution.agreement["F"] == pytest.approx(expected, rel=1e-8, abs=1e-9)
    assert member_backward_induction(m, 3000)["F"] == pytest.approx(expected, rel=1e-7, abs=1e-8)


@given(
    members=st.lists(member, min_size=2, max_size=3),
    which=st.integers(0, 2),
    rule=st.sampled_from(["unanimity", "majority"]),
)
def test_identical_member_changes_nothing(
    members: list[tuple[float, float, float, float]], which: int, rule: str
) -> None:
    """Splitting a member into two identical halves (half the stake, cost and disagreement
    payoff each, half the weight) changes neither the flat payment nor the strike."""
    i = which % len(members)
    s, b, d, r = members[i]
    half = (s / 2, b / 2, d / 2, r)
    split = [*members[:i], half, half, *members[i + 1 :]]
    weights = [1.0] * len(members)
    split_weights = [*weights[:i], 0.5, 0.5, *weights[i + 1 :]]
    one = game_model(members, rule=rule, weights=weights)
    two = game_model(split, rule=rule, weights=split_weights)
    f1 = coalition_rubinstein(one).solution.agreement["F"]
    f2 = coalition_rubinstein(two).solution.agreement["F"]
    assert f2 == pytest.approx(f1, rel=1e-9, abs=1e-9)
    deal = agreement(one)
    d1 = coalition_strike(one, agreement=deal).duration
    d2 = coalition_strike(two, agreement=deal).duration
    assert d2.mean == pytest.approx(d1.mean, rel=1e-9)
    assert d2.settled_by == pytest.approx(d1.settled_by, rel=1e-9)


@given(members=st.lists(member, min_size=2, max_size=3))
def test_unanimity_at_least_as_tough_as_any_veto(
    members: list[tuple[float, float, float, float]],
) -> None:
    """Unanimity gives the coalition at least what any one member's veto does, and its
    pivot's weekly cost of waiting per dollar of stake is the least."""
    unanimity = game_model(members)
    pay = coalition_rubinstein(unanimity).solution.payoffs["C"]
    deal = agreement(unanimity)
    strike = coalition_strike(unanimity, agreement=deal)
    for v in (f"M{i}" for i in range(len(members))):
        vetoed = game_model(members, rule="veto", veto=v)
        assert pay >= coalition_rubinstein(vetoed).solution.payoffs["C"] - 1e-9 * (1 + abs(pay))
        other = coalition_strike(vetoed, agreement=deal)
        assert strike.costs[strike.pivot] <= other.costs[other.pivot]
        if strike.war.weaker == other.war.weaker == "C":  # the coalition concedes at once
            assert strike.duration.mean >= other.duration.mean - 1e-12


def _veto_strike(cost: float, z_c: float = 0.2) -> bargain.Model:
    """Two members, M0 with the veto and weekly cost ``cost``."""
    return game_model(
        [(0.5, cost, -200.0, 0.01), (0.5, 60.0, -200.0, 0.01)],
        rule="veto",
        veto="M0",
        z=(0.2, z_c),
    )


@given(low=st.floats(5.0, 40.0), step=st.floats(0.5, 20.0))
def test_costlier_veto_shortens_the_strike(low: float, step: float) -> None:
    """While the coalition is the weaker side of the war (it concedes at once with some
    chance), a veto member whose week of strike costs more makes the guild concede faster
    and the strike shorter: S(t) falls at every t (Abreu & Gul 2000: the weaker side's atom
    grows and T0 comes sooner)."""
    cheap, dear = coalition_strike(_veto_strike(low)), coalition_strike(_veto_strike(low + step))
    assert cheap.pivot == dear.pivot == "M0"
    assume(cheap.war.weaker == dear.war.weaker == "C")
    assert dear.war.concession_rates["W"] > cheap.war.concession_rates["W"]
    assert dear.duration.mean < cheap.duration.mean
    for t in np.linspace(0.0, 19.9, 40):
        assert dear.duration.survival(t) <= cheap.duration.survival(t) + 1e-12


def test_costlier_veto_can_lengthen_the_strike() -> None:
    """Once the guild is the weaker side, the guild's faster concession after time 0 is
    matched by a smaller chance that it gives in at once: the strike gets longer."""
    cheap, dear = coalition_strike(_veto_strike(5.0, 0.5)), coalition_strike(_veto_strike(8.0, 0.5))
    assert cheap.war.weaker == dear.war.weaker == "W"
    assert dear.war.concession_rates["W"] > cheap.war.concession_rates["W"]
    assert dear.duration.at_zero < cheap.duration.at_zero
    assert dear.duration.mean > cheap.duration.mean


@pytest.mark.parametrize("rule", ["unanimity", "majority"])
def test_pivot_is_indifferent(rule: str) -> None:
    """The pivot's expected payoff from conceding at time t, integrated over the guild's
    concession times from its own stake, weekly cost and discount rate, does not depend on
    t before T0; a member that can wait longer gains by waiting, a costlier one by
    conceding."""
    m = bargain.load_model(COMPANION)
    s = coalition_strike(m, rule=rule)
    war = s.war
    assert war.weaker == "AMPTP"
    lam, c_w, t0 = war.concession_rates["W"], war.no_concession_at_zero["W"], war.t0
    p = {k.name: float(v) for k, v in m.substitutions.items()}
    weekly_a = p["m_A"] * p["prod_A"] * 7
    c = {"S": p["c_S"], "N": p["c_N"], "B": 1 - p["c_S"] - p["c_N"]}
    sigma = {"S": p["sigma_S"], "N": p["sigma_N"], "B": 1 - p["sigma_S"] - p["sigma_N"]}
    r = p["rho_A"] * 7 / 365

    def payoff(g: str, t: float) -> float:
        win, lose = -sigma[g] * p["offer_A"], -sigma[g] * p["offer_W"]
        d = -c[g] * weekly_a * p["T_D"]
        cost = c[g] * weekly_a + r * (lose - d)  # a week of strike and of interest

        def density(u: float) -> float:
            return lam * c_w * math.exp(-lam * u) * (win - cost * u)

        conceded_first = quad(density, 0.0, t, epsabs=1e-12, epsrel=1e-12)[0]
        return conceded_first + c_w * math.exp(-lam * t) * (lose - cost * t)

    times = [0.1 * t0, 0.5 * t0, 0.9 * t0]
    values = {g: [payoff(g, t) for t in times] for g in c}
    assert values[s.pivot] == pytest.approx([values[s.pivot][0]] * 3, rel=1e-9)
    for g in c:
        if s.costs[g] < s.costs[s.pivot]:
            assert values[g][2] > values[g][0]
        elif s.costs[g] > s.costs[s.pivot]:
            assert values[g][2] < values[g][0]


def test_strike_against_simulation() -> None:
    """The strike's mean and P(settled by Dec 15) under unanimity, against 200,000
    simulated strikes (four standard errors)."""
    d = coalition_strike(bargain.load_model(COMPANION)).duration
    n = 200_000
    draws = simulate_duration(d, n, seed=18)
    assert abs(draws.mean() - d.mean) < 4 * draws.std() / math.sqrt(n)
    settled = float(np.mean(draws <= d.focal_dates[0]))
    assert abs(settled - d.settled_by[0]) < 4 * math.sqrt(settled * (1 - settled) / n)
    assert d.mean == pytest.approx(1.455, abs=1e-3)


def test_companion_rules() -> None:
    """The hard-liners' veto: the networks' veto is unanimity's, the others' a majority's."""
    m = bargain.load_model(COMPANION)
    mean = {
        (rule, veto): coalition_strike(m, rule=rule, veto=veto).duration.mean
        for rule, veto in [("unanimity", None), ("majority", None)]
        + [("veto", g) for g in ("S", "N", "B")]
    }
    assert mean["veto", "N"] == mean["unanimity", None] > mean["majority", None]
    assert mean["veto", "S"] == mean["veto", "B"] == mean["majority", None]


def test_missing_inputs_are_named() -> None:
    """Each game names the key the model lacks; the report says so instead of failing."""
    three = bargain.load_model(bargain.models_dir() / "coalition_three.toml")
    with pytest.raises(ModelError, match=r"\[parties.G\] discount_factor: missing"):
        coalition_rubinstein(three)
    with pytest.raises(ModelError, match=r"\[bargaining\] focal_dates: missing"):
        coalition_strike(three)
    report = coalition(three)
    assert report.game is None and report.strike is None
    assert "[parties.G] discount_factor" in report.unsolved["alternating offers"]
    assert "alternating offers: not solved" in report.to_text()
    m = bargain.load_model(COMPANION)
    parties = tuple(replace(p, demand=None) if p.name == "N" else p for p in m.parties)
    bare = replace(m, parties=parties)
    with pytest.raises(ModelError, match=r"\[parties.N\] demand: missing"):
        coalition_strike(bare)
    with pytest.raises(ModelError, match=r"\[coalition\] delay: .*'reputation' only"):
        coalition_strike(m, delay="deadline")
    with pytest.raises(ModelError, match=r"\[coalitions.AMPTP\] veto"):
        coalition_rubinstein(m, rule="veto")


def test_report_solves_what_the_model_allows() -> None:
    """Without demands the report has the alternating-offers game but not the strike, and
    says which key is missing; a member's outside option and an unknown proposer are
    refused by name."""
    members = [(0.5, 10.0, -200.0, 0.01), (0.5, 30.0, -200.0, 0.01)]
    m = game_model(members)
    parties = tuple(replace(p, demand=None) if p.name == "W" else p for p in m.parties)
    report = coalition(replace(m, parties=parties))
    assert report.game is not None and report.strike is None
    assert report.game.solution.agreement == coalition_rubinstein(m).solution.agreement
    assert report.unsolved["strike length"].startswith("[parties.W] demand: missing")
    assert "strike length: not solved ([parties.W] demand" in report.to_markdown()
    walks = tuple(
        replace(p, outside_option=p.disagreement) if p.name == "M1" else p for p in m.parties
    )
    with pytest.raises(ModelError, match=r"\[parties.M1\] outside_option"):
        coalition_rubinstein(replace(m, parties=walks))
    with pytest.raises(ModelError, match=r"\[bargaining\] first_proposer: must be W, C or one"):
        coalition_rubinstein(m, proposer="X")
    with pytest.raises(ModelError, match=r"\[bargaining\] first_proposer"):
        member_backward_induction(m, 10, proposer="X")


@pytest.mark.parametrize("first", ["W", "AMPTP"])
def test_routes_agree_where_a_bound_binds(first: str) -> None:
    """With the film studios bearing 5% of the strike's cost they hold out for the coalition
    under unanimity, and when the producers propose they offer F = 0 (the bound binds, the
    closed form does not hold): the member-by-member game agrees with the stand-in result."""
    m = bargain.load_model(COMPANION).with_values(c_S=0.05)
    for rule in ("unanimity", "majority"):
        game = coalition_rubinstein(m, rule=rule, proposer=first)
        walked = member_backward_induction(m, 2000, rule=rule, proposer=first)
        assert walked["F"] == pytest.approx(game.solution.agreement["F"], rel=1e-9, abs=1e-9)
    assert coalition_rubinstein(m, proposer=first).pivot == "S"
    assert (coalition_rubinstein(m, proposer=first).solution.agreement["F"] == 0.0) == (
        first == "AMPTP"
    )
