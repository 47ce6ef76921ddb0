"""Reputational bargaining with a deadline: limits, routes, properties and the flagship.

References:

- AG: Abreu, D. & Gul, F. (2000). Bargaining and reputation. *Econometrica* 68(1),
  85–117 — the war of attrition without a deadline (:mod:`bargain.reputation.attrition`):
  ``λ_i = r_j (1 − α_i)/(α_i + α_j − 1)``, ``T_i = −ln(z_i)/λ_i``, ``T0 = min T_i``, the
  split of simultaneous concessions.
- Fanning, J. (2016). Reputational bargaining and deadlines. *Econometrica* 84(3),
  1131–1179 — deadlines make concessions cluster before the deadline, and rational types
  may fail to agree. Its text was not available here: the equilibrium is derived from
  AG's indifference conditions with a terminal payoff at the deadline
  (docs/delay-deadline.md), so no proposition numbers are quoted; every closed form is
  checked by a discrete-time backward induction of each side's best response and by
  simulation.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bargain.errors import ModelError
from bargain.model.modelfile import model_from_dict
from bargain.reputation.attrition import abreu_gul
from bargain.reputation.credibility import credibility
from bargain.reputation.deadline import (
    best_response_gap,
    deadline_war,
    simulate_deadline,
)
from bargain.reputation.duration import strike_duration
from tests.conftest import broken_promise_data, shipped

PARTIES = ("W", "A")
EXAMPLE = ({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})


def other(party: str) -> str:
    return "A" if party == "W" else "W"


@st.composite
def wars(draw):
    """Incompatible demands (sum >= 1.05), obstinacy in [0.01, 0.95], rates in [0.01, 2]."""
    a_w = draw(st.floats(0.3, 0.95))
    a_a = draw(st.floats(max(0.3, 1.05 - a_w), 0.95))
    z = {p: draw(st.floats(0.01, 0.95)) for p in PARTIES}
    r = {p: draw(st.floats(0.01, 2.0)) for p in PARTIES}
    return {"W": a_w, "A": a_a}, z, r


def split_gain(alpha, i):
    j = other(i)
    return (alpha[i] + alpha[j] - 1) / (2 * (1 - alpha[j]))


# -- the worked example: the deadline binds, every rational type concedes by D ----------


def test_worked_example_satisfies_the_indifference_conditions():
    # AG: λ = 0.2 each, T0 = 5 ln 5 = 8.05 > D = 4. k = 0.2/(2·0.4) = 0.25 for both.
    # At t1 each side is indifferent between conceding (0.4) and the deadline's split,
    # 0.4 e^{−0.1 δ}(1 + k x_j) with x_j = 1 − μ_j(D); A (stronger) has no atom, so
    # μ_A(D) = 0.2 e^{0.2 t1}; W's atom makes μ_W(D) = μ_W(0+) e^{0.2 t1}.
    war = deadline_war(*EXAMPLE, 4.0)
    t1, delta = war.last_concession, war.quiet
    assert war.binds and 0 < t1 < 4 and t1 + delta == pytest.approx(4.0, rel=1e-15)
    assert (war.weaker, war.stronger) == ("W", "A")
    mu = war.reputations_at_deadline
    for i in PARTIES:
        assert math.exp(-0.1 * delta) * (1 + 0.25 * (1 - mu[other(i)])) == pytest.approx(1, 1e-12)
    assert mu["A"] == pytest.approx(0.2 * math.exp(0.2 * t1), rel=1e-12)
    c_w = war.no_concession_at_zero["W"]
    assert mu["W"] == pytest.approx(0.1 / c_w * math.exp(0.2 * t1), rel=1e-12)
    # every rational type concedes at D: the deadline's atom is P(reach D) − z_W z_A
    assert war.concession_at_deadline == pytest.approx({p: 1 - mu[p] for p in PARTIES})
    reach = c_w * math.exp(-0.4 * t1)
    assert war.deadline_atom == pytest.approx(reach - 0.02, rel=1e-12)
    assert war.impasse == pytest.approx(0.02, rel=1e-14)
    tau = war.agreement_time()
    (t_a, m_a), (t_b, m_b) = tau.atoms
    assert (t_a, t_b) == (0.0, 4.0)
    assert (m_a, m_b) == pytest.approx((1 - c_w, reach - 0.02), rel=1e-12)
    assert tau.survival(3.9) == pytest.approx(reach, rel=1e-12)  # the quiet interval
    # rational payoffs as in AG: the weaker gets 1 − α_A, the stronger its atom's worth
    assert war.payoffs == pytest.approx({"W": 0.4, "A": 0.6 * war.atom + 0.4 * (1 - war.atom)})


def test_a_short_deadline_leaves_rational_types_disagreeing():
    # D = 1: the cap of the quiet interval binds (δ = D, nobody concedes before D). W is
    # rational with probability 0.9 > π_A = 1/(1 + 0.25) = 0.8, so W concedes at 0 down to
    # 1 − μ_W = 0.8 (c_W = 0.1/0.2 = 0.5); at D W concedes with probability 0.8, leaving A
    # indifferent, and A concedes with p_A = (e^{0.1} − 1)/0.25, which keeps W indifferent
    # at 0. Some rational A types miss the deadline: P(never) > z_W z_A (Fanning 2016).
    war = deadline_war(*EXAMPLE, 1.0)
    assert war.last_concession == 0.0 and war.quiet == 1.0
    assert war.no_concession_at_zero == pytest.approx({"W": 0.5, "A": 1.0}, rel=1e-14)
    p = war.concession_at_deadline
    assert p["W"] == pytest.approx(0.8, rel=1e-14)
    assert p["A"] == pytest.approx(math.expm1(0.1) / 0.25, rel=1e-14)
    assert war.impasse == pytest.approx(0.5 * 0.2 * (1 - p["A"]), rel=1e-13)
    assert war.impasse > 0.02
    assert war.deadline_atom == pytest.approx(0.5 - war.impasse, rel=1e-13)


def test_patient_sides_agree_at_once_or_at_the_deadline():
    # Fanning's working paper (Reputational bargaining and deadlines, Oct 2013, abstract):
    # with patient agents agreement follows a U shape, deals at time zero or at the
    # deadline, and a positive fraction of rational agents fail to agree. Here: with
    # r = 0.01 per period and D = 4 nobody concedes in (0, D), and P(never) > z_W z_A.
    war = deadline_war({"W": 0.6, "A": 0.65}, {"W": 0.1, "A": 0.2}, {"W": 0.01, "A": 0.01}, 4.0)
    times = [t for t, _mass in war.agreement_time().atoms]
    assert war.last_concession == 0.0 and times == [0.0, 4.0]
    assert war.impasse > 4 * 0.1 * 0.2
    impatient = deadline_war({"W": 0.6, "A": 0.65}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1}, 4.0)
    assert impatient.last_concession > 1  # impatient sides concede gradually first


# -- limits ------------------------------------------------------------------------------


@given(wars(), st.floats(1.0, 5.0))
def test_a_far_deadline_is_abreu_gul(war_inputs, beyond):
    # D >= T0: rates, T0, atom and the whole time to agreement as in AG.
    plain = abreu_gul(*war_inputs)
    war = deadline_war(*war_inputs, plain.t0 * beyond)
    assert not war.binds and war.deadline_atom == 0.0
    assert war.war.concession_rates == plain.concession_rates
    assert war.last_concession == plain.t0 and war.atom == plain.atom
    assert war.agreement_time().pieces == plain.agreement_time().pieces
    assert war.payoffs == plain.payoffs


def test_the_deadline_theory_equals_the_reputation_theory_when_far():
    war = deadline_war(*EXAMPLE, 9.0)  # T0 = 8.05
    ours, theirs = war.agreement_time(), abreu_gul(*EXAMPLE).agreement_time()
    assert (ours.pieces, ours.theory, theirs.theory) == (theirs.pieces, "deadline", "reputation")


def test_a_deadline_just_before_t0_barely_matters():
    t0 = abreu_gul(*EXAMPLE).t0
    war = deadline_war(*EXAMPLE, t0 * (1 - 1e-9))
    assert war.deadline_atom < 1e-7 and war.last_concession == pytest.approx(t0, rel=1e-6)
    assert war.atom == pytest.approx(0.5, rel=1e-7)


@given(wars(), st.floats(0.02, 0.98))
def test_a_binding_deadline_has_an_atom_at_the_deadline(war_inputs, where):
    plain = abreu_gul(*war_inputs)
    d = plain.t0 * where
    assume(d > 1e-6)
    war = deadline_war(*war_inputs, d)
    assert war.binds
    assert war.deadline_atom > 0
    assert dict(war.agreement_time().atoms)[d] == pytest.approx(war.deadline_atom, rel=1e-9)
    assert 0 <= war.last_concession < d and war.quiet > 0
    # the rates are AG's; nobody concedes in the quiet interval
    tau = war.agreement_time()
    mid = (war.last_concession + d) / 2
    assert tau.survival(mid) == pytest.approx(tau.survival(war.last_concession), rel=1e-12)
    assert war.impasse >= plain.impasse * (1 - 1e-12)


# -- independent routes: discrete-time best responses and simulation ----------------------

CASES = [
    (EXAMPLE, 4.0),  # gradual concessions, then quiet; every rational type concedes at D
    (EXAMPLE, 2.0),
    (EXAMPLE, 1.0),  # no concession before D; W's atom at 0; A mixes at D
    (({"W": 0.7, "A": 0.7}, {"W": 0.2, "A": 0.1}, {"W": 0.1, "A": 0.1}), 4.0),  # a cap binds
    (({"W": 0.6, "A": 0.8}, {"W": 0.05, "A": 0.3}, {"W": 0.3, "A": 0.1}), 1.5),
    (({"W": 0.55, "A": 0.6}, {"W": 0.4, "A": 0.5}, {"W": 0.2, "A": 0.05}), 0.5),  # no atom
]
CASE_IDS = ["ex-4", "ex-2", "ex-1", "cap", "asym", "no-atom"]


@pytest.mark.parametrize(("inputs", "d"), CASES, ids=CASE_IDS)
def test_no_side_gains_by_deviating_in_discrete_time(inputs, d):
    # Backward induction of each rational side's stopping problem against the other's
    # strategy, in periods of D/n: its best value equals its equilibrium payoff, and, when
    # concessions run from 0+, holding on is worth exactly conceding (1 − α_j) in the limit.
    war = deadline_war(*inputs, d)
    assert war.binds
    for i in PARTIES:
        errors = []
        for n in (250, 1000, 4000):
            best, eq, hold = best_response_gap(war, i, n)
            assert best == pytest.approx(eq, abs=2e-4)
            lose = 1 - inputs[0][other(i)]
            if war.last_concession > 0:
                errors.append(abs(hold - lose))
            else:  # nobody concedes before D: waiting is at least as good as conceding,
                # and exactly as good for the side with an atom at 0
                assert hold >= lose - 1e-9
                if war.no_concession_at_zero[i] < 1:
                    assert hold == pytest.approx(lose, rel=1e-9)
        if errors:
            assert errors[-1] < 1e-6
            assert errors[-1] <= errors[0] / 4 or errors[0] < 1e-12  # converges in n


@given(wars(), st.floats(0.02, 0.98))
def test_discrete_best_responses_over_random_wars(war_inputs, where):
    # The same backward induction over random wars and deadlines, every case of the last
    # move included: no side gains by deviating, and a side that concedes at 0 or from 0+
    # is indifferent there (up to the period's length).
    alpha = war_inputs[0]
    d = abreu_gul(*war_inputs).t0 * where
    assume(d > 1e-6)
    war = deadline_war(*war_inputs, d)
    for i in PARTIES:
        best, eq, hold = best_response_gap(war, i, 400)
        lose = 1 - alpha[other(i)]
        assert best == pytest.approx(eq, abs=1e-3)
        if war.last_concession > 0 or war.no_concession_at_zero[i] < 1:
            assert hold == pytest.approx(lose, abs=1e-3)  # concedes from 0+ or at 0
        else:
            assert hold >= lose - 1e-12  # waits for the deadline


def test_a_wrong_quiet_interval_is_caught_by_the_discrete_route():
    # The check can fail: shorten the quiet interval and holding on is worth less than
    # conceding in the gradual phase (no longer an equilibrium).
    from dataclasses import replace

    war = deadline_war(*EXAMPLE, 4.0)
    wrong = replace(war, last_concession=war.last_concession + 0.5)
    _best, _eq, hold = best_response_gap(wrong, "W", 2000)
    assert abs(hold - 0.4) > 1e-3


@pytest.mark.parametrize(("inputs", "d"), CASES, ids=CASE_IDS)
def test_simulated_wars_match_the_agreement_time(inputs, d):
    war = deadline_war(*inputs, d)
    n = 200_000
    times = simulate_deadline(war, n, seed=7)
    tau = war.agreement_time()
    for t in (0.0, war.last_concession / 2, (war.last_concession + d) / 2, d):
        g = float(tau.survival(t))
        assert np.mean(times > t) == pytest.approx(g, abs=5 * math.sqrt(g * (1 - g) / n) + 1e-9)
    assert np.mean(np.isinf(times)) == pytest.approx(tau.never, abs=5e-3)


# -- a broken promise ----------------------------------------------------------------------


@given(wars(), st.floats(0.05, 0.95), st.floats(0.0, 1.0), st.floats(0.1, 20.0))
def test_a_broken_promise_lengthens_the_strike_while_the_promiser_stays_weaker(
    war_inputs, trust, fall, d
):
    # Trust enters as in the reputation theory: the promiser A is obstinate w.p. 1 − trust.
    # A broken promise lowers trust. While A still has the atom at 0 afterwards, the quiet
    # interval is set by W's side alone and A's atom shrinks, so P(τ > t) rises at every t
    # and so does every strike-length statistic, impasse paths counted (docs/delay-deadline.md).
    alpha, z, r = war_inputs
    after_trust = trust * (1 - fall)
    before = deadline_war(alpha, {"W": z["W"], "A": 1 - trust}, r, d)
    after = deadline_war(alpha, {"W": z["W"], "A": 1 - after_trust}, r, d)
    assume(after.weaker == "A")
    ts = np.linspace(0, 2 * d, 101)
    g0, g1 = before.agreement_time(), after.agreement_time()
    assert (g1.survival(ts) >= g0.survival(ts) - 1e-12).all()
    s0, s1 = (
        strike_duration(g, breakdown_rate=0.05, focal_dates=(d, 2 * d)).mean for g in (g0, g1)
    )
    assert s1 >= s0 - 1e-9


def test_a_broken_promise_can_shorten_the_strike_when_the_promiser_becomes_stronger():
    # Exactly when it can: after the break the promiser A is the stronger side, so the
    # recipient W gives in at once with an atom that outweighs the longer impasse.
    alpha, _z, r = EXAMPLE
    means = {}
    for trust in (0.9, 0.5):
        war = deadline_war(alpha, {"W": 0.1, "A": 1 - trust}, r, 4.0)
        means[trust] = strike_duration(
            war.agreement_time(), breakdown_rate=0.05, focal_dates=(4.0, 20.0)
        ).mean
        assert war.weaker == ("A" if trust == 0.9 else "W")
    assert means[0.5] < means[0.9] - 0.5


# -- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0.0, -1.0, math.nan, math.inf, True, "4"])
def test_bad_deadlines_are_refused(bad):
    with pytest.raises(ModelError, match="deadline"):
        deadline_war(*EXAMPLE, bad)


def test_a_demand_of_the_whole_surplus_is_refused_when_the_deadline_binds():
    with pytest.raises(ModelError, match=r"demands\.A: A demands the whole surplus"):
        deadline_war({"W": 0.6, "A": 1.0}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1}, 1.0)


def test_bad_inputs_of_the_routes_are_refused():
    war = deadline_war(*EXAMPLE, 4.0)
    with pytest.raises(ModelError, match="periods"):
        best_response_gap(war, "W", 0)
    with pytest.raises(ModelError, match="n: must be a positive integer"):
        simulate_deadline(war, 0)
    with pytest.raises(ModelError, match="does not bind"):
        best_response_gap(deadline_war(*EXAMPLE, 9.0), "W", 10)
    with pytest.raises(ModelError, match=r"obstinate\.W"):
        deadline_war(EXAMPLE[0], {"W": 1.5, "A": 0.2}, EXAMPLE[2], 4.0)


# -- through the registry: credibility(model, delay="deadline") -----------------------------

BASE = broken_promise_data(
    "d",
    parameters={"h": 0.3, "T1": 12.0},
    focal_dates=["T1", 30],
    W={"strike_payoff": -0.01, "discount_rate": 0.1, "demand": 0.7, "hardliner": 0.2},
    A={"strike_payoff": -0.01, "discount_rate": 0.1, "demand": 0.7},
)


def small(**tables):
    return model_from_dict({**BASE, **tables}, file="d.toml")


def test_credibility_with_the_deadline_theory():
    # Default deadline: the first focal date (T1 = 12). Before the break A is obstinate
    # w.p. 1 − 0.9 (T0 = 21.5 > 12: the deadline binds); the stage's strike length is the
    # deadline war's, with breakdowns and the focal dates.
    report = credibility(small(), delay="deadline")
    assert report.settings["delay"] == "deadline"
    for stage in (report.before, report.after):
        w = stage.strike
        war = deadline_war(w.demands, w.obstinate, w.rates, 12.0)
        direct = strike_duration(
            war.agreement_time(),
            breakdown_rate=stage.duration.breakdown_rate,
            focal_dates=(12.0, 30.0),
        )
        assert stage.duration.mean == pytest.approx(direct.mean, rel=1e-12)
        assert stage.strike.obstinate["A"] == pytest.approx(1 - stage.trust)
    assert report.before.strike.t0 > 12  # binds before the break
    reputation = credibility(small(), delay="reputation")
    assert report.before.duration.mean != pytest.approx(reputation.before.duration.mean)


def test_the_deadline_setting_is_an_expression_naming_a_focal_date():
    at_last = credibility(small(delay={"deadline": {"deadline": "T1 + 18"}}), delay="deadline")
    war = at_last.before.strike
    d = deadline_war(war.demands, war.obstinate, war.rates, 30.0)
    assert at_last.before.duration.mean == pytest.approx(
        strike_duration(
            d.agreement_time(),
            breakdown_rate=at_last.before.duration.breakdown_rate,
            focal_dates=(12.0, 30.0),
        ).mean,
        rel=1e-12,
    )
    with pytest.raises(
        ModelError, match=re.escape("d.toml: [delay.deadline] deadline: must be one of")
    ):
        credibility(small(delay={"deadline": {"deadline": 5}}), delay="deadline")
    with pytest.raises(ModelError, match=re.escape("[delay.deadline] when: unknown key")):
        credibility(small(delay={"deadline": {"when": 5}}), delay="deadline")


def test_wga2007_deadline_is_december_15_and_does_not_bind():
    # The flagship's [delay.deadline] names T_dec (Dec 15, 5.71 weeks). Before the broken
    # promise the demands are compatible (no war); after it A is obstinate w.p. 5/6 and
    # T0 = 2.24 weeks < 5.71: the deadline does not bind, and the strike is the reputation
    # theory's to the last digit.
    model = shipped("wga2007")
    assert [(t.name, t.keys) for t in model.delays if t.name == "deadline"] == [
        ("deadline", ("deadline",))
    ]
    ours = credibility(model, delay="deadline", exact=False)
    theirs = credibility(model, delay="reputation", exact=False)
    assert ours.after.strike.t0 < 40 / 7
    for a, b in ((ours.before, theirs.before), (ours.after, theirs.after)):
        assert a.duration.mean == pytest.approx(b.duration.mean, rel=1e-12)
    assert ours.after.duration.mean > 3
