"""Reputational bargaining as a war of attrition: closed forms, routes and properties.

References (cited as AG and HWW below):

- AG: Abreu, D. & Gul, F. (2000). Bargaining and reputation. *Econometrica*
  68(1), 85–117 — the continuous-time game with one obstinate type per side:
  concession rates ``λ_i = r_j (1 − α_i)/(α_i + α_j − 1)``, ``T_i = −ln(z_i)/λ_i``,
  ``T0 = min(T_W, T_A)`` and the concession distributions
  ``F_i(t) = 1 − c_i e^{−λ_i t}``, ``c_i = z_i e^{λ_i T0}``. (The section and
  proposition numbers could not be checked against the paper's text, so none
  are quoted; the formulas are re-derived in docs/attrition.md.)
- HWW: Hendricks, K., Weiss, A. & Wilson, C. (1988). The war of attrition in
  continuous time with complete information. *IER* 29(4), 663–680 — the
  indifference condition: the opponent's hazard is the flow cost of waiting
  over the gain from the other side conceding.
- Bishop, D. T. & Cannings, C. (1978). A generalized war of attrition.
  *J. Theor. Biol.* 70, 85–124 (after Maynard Smith 1974): for a prize ``V``
  and cost ``c`` per unit of time, persistence is exponential with mean ``V/c``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.integrate import quad

import bargain
from bargain.reputation.attrition import (
    abreu_gul,
    hazard_rate,
    integrate_reputations,
    simulate_attrition,
)

PARTIES = ("W", "A")
EXAMPLE = ({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})


@st.composite
def wars(draw, min_z=0.01):
    """Incompatible demands (sum >= 1.05), obstinacy in [min_z, 0.95], rates in [0.01, 2]."""
    a_w = draw(st.floats(0.3, 0.95))
    a_a = draw(st.floats(max(0.3, 1.05 - a_w), 0.95))
    z = {p: draw(st.floats(min_z, 0.95)) for p in PARTIES}
    r = {p: draw(st.floats(0.01, 2.0)) for p in PARTIES}
    return {"W": a_w, "A": a_a}, z, r


def other(party):
    return "A" if party == "W" else "W"


# -- closed forms ------------------------------------------------------------------------


def test_worked_example():
    # AG closed forms by hand: λ = 0.1·0.4/0.2 = 0.2 for both; T_W = 5 ln 10 > T_A = 5 ln 5,
    # so W is weaker, c_W = 0.1·e^{0.2·5 ln 5} = 0.5; E[min(τ, T0)] = c_W (1 − e^{−0.4 T0})/0.4
    # = 0.5 (1 − 5^{−2})/0.4 = 1.2; payoffs 1 − α_A = 0.4 and 0.5·0.6 + 0.5·0.4 = 0.5.
    war = abreu_gul(*EXAMPLE)
    assert war.concession_rates == pytest.approx({"W": 0.2, "A": 0.2}, rel=1e-15)
    assert war.reputation_times == pytest.approx({"W": 5 * math.log(10), "A": 5 * math.log(5)})
    assert (war.weaker, war.stronger) == ("W", "A")
    assert war.t0 == pytest.approx(5 * math.log(5), rel=1e-15)
    assert war.atom == pytest.approx(0.5, rel=1e-14)
    assert war.atoms == pytest.approx({"W": 0.5, "A": 0.0}, abs=1e-14)
    assert war.agreement_at_zero == pytest.approx(0.5, rel=1e-14)
    assert war.impasse == pytest.approx(0.02, rel=1e-15)
    assert war.expected_delay == pytest.approx(1.2, rel=1e-14)
    # E[τ | agreement] = (E[min(τ, T0)] − T0 · P(impasse)) / (1 − P(impasse)).
    assert war.expected_delay_given_agreement == pytest.approx(
        (1.2 - 5 * math.log(5) * 0.02) / 0.98, rel=1e-13
    )
    assert war.payoffs == pytest.approx({"W": 0.4, "A": 0.5}, rel=1e-14)


@given(wars())
def test_concession_rates_are_the_war_of_attrition_hazard(args):
    # AG: λ_i = r_j (1 − α_i)/(α_i + α_j − 1); HWW: the hazard that leaves j indifferent is
    # cost/(win − lose) with win = α_j, lose = 1 − α_i and cost = r_j (1 − α_i).
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    for i in PARTIES:
        j = other(i)
        closed = r[j] * (1 - demands[i]) / (demands[i] + demands[j] - 1)
        assert war.concession_rates[i] == pytest.approx(closed, rel=1e-12)
        lose = 1 - demands[i]
        assert hazard_rate(win=demands[j], lose=lose, cost=r[j] * lose) == pytest.approx(
            closed, rel=1e-12
        )
        assert war.reputation_times[i] == pytest.approx(-math.log(z[i]) / closed, rel=1e-12)


def test_hazard_rate_of_the_classic_war_of_attrition():
    # Bishop & Cannings (1978): prize V, cost c per unit of time: exponential persistence
    # with mean V/c, i.e. hazard c/V.
    assert hazard_rate(win=2.0, lose=0.0, cost=0.5) == 0.25
    assert 1 / hazard_rate(win=10.0, lose=0.0, cost=1.0) == pytest.approx(10.0, rel=1e-15)
    # Only the gain from outlasting the rival counts (HWW): shifting both payoffs changes nothing.
    assert hazard_rate(win=3.0, lose=1.0, cost=0.5) == 0.25


@given(wars())
def test_rational_types_are_indifferent_during_the_war(args):
    # AG: a rational j mixes over (0, T0], so conceding at any t gives its equilibrium payoff:
    # U_j(t) = (1 − c_i) α_j + ∫_0^t α_j e^{−r_j s} c_i λ_i e^{−λ_i s} ds
    #          + c_i e^{−λ_i t} (1 − α_i) e^{−r_j t}, computed here by quadrature.
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    for j in PARTIES:
        i = other(j)
        c, lam = war.no_concession_at_zero[i], war.concession_rates[i]

        def concede_at(t, i=i, j=j, c=c, lam=lam):
            waiting, _ = quad(
                lambda s: demands[j] * math.exp(-r[j] * s) * c * lam * math.exp(-lam * s), 0, t
            )
            return (
                (1 - c) * demands[j]
                + waiting
                + c * math.exp(-lam * t) * (1 - demands[i]) * math.exp(-r[j] * t)
            )

        for t in np.linspace(0, war.t0, 4)[1:]:
            assert concede_at(t) == pytest.approx(war.payoffs[j], rel=1e-7, abs=1e-9)


@given(wars())
def test_payoffs_closed_form(args):
    # AG: the weaker rational type gets 1 − α_s; the stronger q α_s + (1 − q)(1 − α_w).
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    if war.weaker is None:
        assert war.payoffs == pytest.approx({p: 1 - demands[other(p)] for p in PARTIES})
        return
    w, s = war.weaker, war.stronger
    q = 1 - z[w] * math.exp(war.concession_rates[w] * war.t0)
    assert war.payoffs[w] == pytest.approx(1 - demands[s], rel=1e-14)
    assert war.payoffs[s] == pytest.approx(q * demands[s] + (1 - q) * (1 - demands[w]), rel=1e-9)


@given(wars())
def test_expected_delay_is_the_integral_of_survival(args):
    # E[min(τ, T0)] = ∫_0^T0 P(τ > t) dt; E[τ; τ < ∞] = ∫_0^T0 (P(τ > t) − z_W z_A) dt.
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    capped, _ = quad(war.survival, 0, war.t0, epsabs=1e-13, epsrel=1e-11)
    assert war.expected_delay == pytest.approx(capped, rel=1e-8, abs=1e-12)
    agreed, _ = quad(lambda t: war.survival(t) - war.impasse, 0, war.t0, epsabs=1e-13)
    assert war.expected_delay_given_agreement == pytest.approx(
        agreed / (1 - war.impasse), rel=1e-7, abs=1e-10
    )


# -- properties ---------------------------------------------------------------------------


@given(wars())
def test_survival_reaches_the_impasse_probability_at_t0(args):
    # AG: c_W c_A e^{−(λ_W + λ_A) T0} = z_W z_A, the probability that both are obstinate.
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    assert war.survival(war.t0) == pytest.approx(z["W"] * z["A"], rel=1e-12)
    assert war.survival(0.0) == pytest.approx(
        war.no_concession_at_zero["W"] * war.no_concession_at_zero["A"], rel=1e-15
    )
    grid = np.linspace(-1, 2 * war.t0, 50)
    values = war.survival(grid)
    assert values.shape == grid.shape
    assert np.all(np.diff(values) <= 1e-15)
    assert values[0] == 1.0
    assert values[-1] == pytest.approx(war.impasse, rel=1e-15)


@given(wars())
def test_exactly_one_atom_or_none_at_a_tie(args):
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    atoms = [p for p in PARTIES if war.atoms[p] > 0]
    if war.weaker is None:
        assert atoms == []
    else:
        assert atoms == [war.weaker]
        times = war.reputation_times
        assert times[war.weaker] > times[war.stronger]
        # AG: the atom is 1 − z_w e^{λ_w T0}.
        assert war.atom == pytest.approx(
            1 - z[war.weaker] * math.exp(war.concession_rates[war.weaker] * war.t0),
            rel=1e-12,
            abs=1e-15,
        )


@given(wars())
def test_delays_are_non_negative_and_bounded_by_t0(args):
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    assert 0 <= war.expected_delay <= war.t0
    assert 0 <= war.expected_delay_given_agreement <= war.t0


@given(wars(), st.floats(0.01, 100))
def test_scaling_the_rates_rescales_time_only(args, k):
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    fast = abreu_gul(demands, z, {p: k * r[p] for p in PARTIES})
    assert fast.t0 == pytest.approx(war.t0 / k, rel=1e-12)
    assert fast.expected_delay == pytest.approx(war.expected_delay / k, rel=1e-9, abs=1e-300)
    assert fast.expected_delay_given_agreement == pytest.approx(
        war.expected_delay_given_agreement / k, rel=1e-9, abs=1e-300
    )
    assert fast.weaker == war.weaker
    for name in ("atom", "impasse", "agreement_at_zero"):
        assert getattr(fast, name) == pytest.approx(getattr(war, name), rel=1e-9, abs=1e-15)
    assert fast.payoffs == pytest.approx(war.payoffs, rel=1e-9)


@given(wars(), st.sampled_from(PARTIES), st.floats(0.01, 0.5))
def test_impasse_rises_with_each_obstinacy(args, party, step):
    demands, z, r = args
    higher = {**z, party: min(0.99, z[party] + step)}
    assert abreu_gul(demands, higher, r).impasse > abreu_gul(demands, z, r).impasse


@given(st.floats(0.51, 0.95), st.floats(0.01, 0.95), st.floats(0.01, 2))
def test_symmetric_parties_have_no_atom(alpha, z, r):
    war = abreu_gul({"W": alpha, "A": alpha}, {"W": z, "A": z}, {"W": r, "A": r})
    assert (war.weaker, war.stronger, war.atom) == (None, None, 0.0)
    assert war.payoffs == pytest.approx({"W": 1 - alpha, "A": 1 - alpha}, rel=1e-15)
    # No atom: P(no agreement by t) = e^{−2λt}, so E[min(τ, T0)] = (1 − z²)/(2λ).
    lam = r * (1 - alpha) / (2 * alpha - 1)
    assert war.expected_delay == pytest.approx((1 - z * z) / (2 * lam), rel=1e-12)


@st.composite
def z_a_pairs(draw):
    """A war, the tie point z* = z_W^{λ_A/λ_W}, and two fractions u1 < u2 (gap >= 0.05)."""
    demands, z, r = draw(wars())
    u1 = draw(st.floats(0.05, 0.9))
    u2 = draw(st.floats(u1 + 0.05, 0.95))
    war = abreu_gul(demands, z, r)
    lam = war.concession_rates
    tie = z["W"] ** (lam["A"] / lam["W"])  # T_A = T_W
    return demands, z, r, tie, u1, u2


@given(z_a_pairs())
def test_raising_z_a_lengthens_the_war_while_a_is_weaker(args):
    # A weaker (z_A < z*): T0 = T_W does not depend on z_A and c_A = z_A e^{λ_A T_W}, so
    # E[min(τ, T0)] = c_A (1 − e^{−(λ_W+λ_A) T0})/(λ_W + λ_A) is proportional to z_A.
    demands, z, r, tie, u1, u2 = args
    low = abreu_gul(demands, {**z, "A": tie * u1}, r)
    high = abreu_gul(demands, {**z, "A": tie * u2}, r)
    assert low.weaker == high.weaker == "A"
    assert high.expected_delay > low.expected_delay
    assert high.expected_delay / low.expected_delay == pytest.approx(u2 / u1, rel=1e-9)


@given(z_a_pairs())
def test_raising_z_a_shortens_the_war_once_a_is_stronger(args):
    # A stronger (z_A > z*): T0 = T_A = −ln(z_A)/λ_A and c_W = z_W z_A^{−k}, k = λ_W/λ_A, so
    # E[min(τ, T0)] = z_W (z_A^{−k} − z_A)/(λ_W + λ_A), decreasing in z_A: W's atom grows.
    demands, z, r, tie, u1, u2 = args
    low_z, high_z = tie + (1 - tie) * u1, tie + (1 - tie) * u2
    low = abreu_gul(demands, {**z, "A": low_z}, r)
    high = abreu_gul(demands, {**z, "A": high_z}, r)
    assert low.stronger == high.stronger == "A"
    assert high.expected_delay < low.expected_delay
    assert high.atom > low.atom
    lam = low.concession_rates
    k = lam["W"] / lam["A"]
    for z_a, war in ((low_z, low), (high_z, high)):
        closed = z["W"] * (z_a**-k - z_a) / (lam["W"] + lam["A"])
        assert war.expected_delay == pytest.approx(closed, rel=1e-9)


def test_delay_peaks_where_the_parties_tie():
    # The two regimes meet at z_A = z*: the longest war, and no atom.
    demands, z, r = {"W": 0.7, "A": 0.55}, {"W": 0.15, "A": 0.3}, {"W": 0.2, "A": 0.05}
    lam = abreu_gul(demands, z, r).concession_rates
    tie = z["W"] ** (lam["A"] / lam["W"])
    at_tie = abreu_gul(demands, {**z, "A": tie}, r)
    assert (at_tie.weaker, at_tie.atom) == (None, 0.0)
    for z_a in (tie * 0.9, tie * 0.99, tie + 0.01 * (1 - tie), tie + 0.1 * (1 - tie)):
        assert abreu_gul(demands, {**z, "A": z_a}, r).expected_delay < at_tie.expected_delay


# -- the integration route -----------------------------------------------------------------


@given(wars())
def test_integrated_reputations_match_the_closed_form(args):
    demands, z, r = args
    war = abreu_gul(demands, z, r)
    route = integrate_reputations(demands, z, r)
    assert route.t0 == pytest.approx(war.t0, rel=1e-8)
    assert route.atom == pytest.approx(war.atom, abs=1e-8)
    if war.atom > 1e-6:
        assert route.weaker == war.weaker


def test_integrated_reputations_one_sided_and_tie():
    one_sided = integrate_reputations({"W": 0.6, "A": 0.6}, {"W": 0.0, "A": 0.2}, EXAMPLE[2])
    assert (one_sided.weaker, one_sided.atom) == ("W", 1.0)
    assert one_sided.t0 == pytest.approx(5 * math.log(5), rel=1e-9)
    tie = integrate_reputations({"W": 0.6, "A": 0.6}, {"W": 0.2, "A": 0.2}, EXAMPLE[2])
    assert (tie.weaker, tie.atom) == (None, 0.0)
    assert tie.t0 == pytest.approx(5 * math.log(5), rel=1e-9)


# -- simulation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        EXAMPLE,
        ({"W": 0.7, "A": 0.55}, {"W": 0.15, "A": 0.3}, {"W": 0.2, "A": 0.05}),
        ({"W": 0.6, "A": 0.6}, {"W": 0.3, "A": 0.3}, {"W": 0.5, "A": 0.5}),  # a tie
    ],
)
def test_simulation_matches_the_formulas(args):
    war = abreu_gul(*args)
    n = 200_000
    delays = simulate_attrition(war, n, seed=20071105)
    capped = np.minimum(delays, war.t0)
    assert abs(capped.mean() - war.expected_delay) < 4 * capped.std() / math.sqrt(n)
    for freq, p in ((np.mean(delays == 0), war.atom), (np.mean(np.isinf(delays)), war.impasse)):
        assert abs(freq - p) < 4 * math.sqrt(p * (1 - p) / n) + 1e-12
    agreed = delays[np.isfinite(delays)]
    assert abs(agreed.mean() - war.expected_delay_given_agreement) < 4 * agreed.std() / math.sqrt(
        agreed.size
    )
    for t in (0.1 * war.t0, 0.5 * war.t0):
        p = war.survival(t)
        assert abs(np.mean(delays > t) - p) < 4 * math.sqrt(p * (1 - p) / n)


def test_simulation_is_reproducible():
    war = abreu_gul(*EXAMPLE)
    first = simulate_attrition(war, 1000, seed=np.random.default_rng(7))
    assert np.array_equal(first, simulate_attrition(war, 1000, seed=7))
    assert first.max() == math.inf  # impasses occur (2 %)


# -- degenerate but accepted cases ---------------------------------------------------------


def test_compatible_demands_agree_at_once():
    war = abreu_gul({"W": 0.5, "A": 0.5}, {"W": 0.3, "A": 0.3}, {"W": 0.1, "A": 0.1})
    assert war.compatible
    assert (war.agreement_at_zero, war.impasse, war.expected_delay, war.t0) == (1.0, 0.0, 0.0, 0.0)
    assert war.payoffs == {"W": 0.5, "A": 0.5}
    assert war.survival(np.array([-0.5, 0.0, 3.0])).tolist() == [1.0, 0.0, 0.0]
    assert simulate_attrition(war, 10, seed=1).tolist() == [0.0] * 10
    assert integrate_reputations({"W": 0.5, "A": 0.5}, war.obstinate, war.rates).t0 == 0.0


def test_one_sided_reputation_the_rational_side_concedes_at_once():
    # z_W = 0: T_W = ∞, W is weaker and c_W = 0, so a (surely rational) W concedes at time 0.
    war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.0, "A": 0.2}, {"W": 0.1, "A": 0.1})
    assert (war.weaker, war.atom, war.impasse, war.expected_delay) == ("W", 1.0, 0.0, 0.0)
    assert war.reputation_times["W"] == math.inf
    assert war.payoffs == pytest.approx({"W": 0.4, "A": 0.6})
    assert simulate_attrition(war, 1000, seed=3).tolist() == [0.0] * 1000


def test_demanding_everything():
    # α_W = 1: λ_W = r_A · 0 / α_A = 0, so T_W = ∞ and every rational W concedes at 0
    # (atom 1 − z_W); a rational A gets (1 − z_W) α_A.
    war = abreu_gul({"W": 1.0, "A": 0.6}, {"W": 0.2, "A": 0.1}, {"W": 0.1, "A": 0.1})
    assert war.concession_rates["W"] == 0.0
    assert (war.weaker, war.atom) == ("W", pytest.approx(0.8))
    assert war.payoffs == pytest.approx({"W": 0.4, "A": 0.8 * 0.6})
    route = integrate_reputations(war.demands, war.obstinate, war.rates)
    assert (route.weaker, route.atom) == ("W", pytest.approx(0.8))


# -- refusals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"obstinate": {"W": 1.5, "A": 0.2}}, r"obstinate\.W: must be a probability in \[0, 1"),
        ({"obstinate": {"W": -0.1, "A": 0.2}}, r"obstinate\.W: must be a probability"),
        ({"obstinate": {"W": 0.1, "A": math.nan}}, r"obstinate\.A: must be a finite number"),
        ({"obstinate": {"W": 0.0, "A": 0.0}}, r"obstinate: at least one party must be obstinate"),
        ({"demands": {"W": 0.0, "A": 0.6}}, r"demands\.W: must be a share in \(0, 1\]"),
        ({"demands": {"W": 1.2, "A": 0.6}}, r"demands\.W: must be a share"),
        ({"demands": {"W": 1.0, "A": 1.0}}, r"demands\.W: W demands the whole surplus"),
        ({"demands": {"W": "0.6", "A": 0.6}}, r"demands\.W: must be a number, got '0.6'"),
        ({"demands": {"W": True, "A": 0.6}}, r"demands\.W: must be a number"),
        ({"demands": {"W": 0.6}}, r"demands: needs exactly two parties, got 1"),
        ({"rates": {"W": 0.0, "A": 0.1}}, r"rates\.W: must be a positive discount rate"),
        ({"rates": {"W": 0.1, "A": -1}}, r"rates\.A: must be a positive"),
        ({"rates": {"W": 0.1, "A": math.inf}}, r"rates\.A: must be a finite number"),
        ({"rates": {"W": 0.1, "U": 0.1}}, r"rates\.U: unknown party 'U'; the parties"),
        ({"obstinate": {"W": 0.1}}, r"obstinate\.A: missing party 'A'"),
        ({"rates": [0.1, 0.1]}, r"rates: must map each party's name to a number"),
    ],
)
def test_bad_input_is_refused(change, match):
    kwargs = dict(zip(("demands", "obstinate", "rates"), EXAMPLE, strict=True)) | change
    with pytest.raises(bargain.ModelError, match=match):
        abreu_gul(**kwargs)
    with pytest.raises(bargain.ModelError, match=match):
        integrate_reputations(**kwargs)


def test_demanding_everything_against_a_surely_rational_party_is_refused():
    with pytest.raises(bargain.ModelError, match=r"demands\.W: .* the war has no end"):
        abreu_gul({"W": 1.0, "A": 0.6}, {"W": 0.2, "A": 0.0}, {"W": 0.1, "A": 0.1})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"win": 1.0, "lose": 1.0, "cost": 0.1}, r"win: .*need win > lose"),
        ({"win": 1.0, "lose": 0.0, "cost": -0.1}, r"cost: must be non-negative"),
        ({"win": math.nan, "lose": 0.0, "cost": 0.1}, r"win: must be a finite number"),
    ],
)
def test_hazard_rate_refuses_bad_input(kwargs, match):
    with pytest.raises(bargain.ModelError, match=match):
        hazard_rate(**kwargs)


def test_survival_and_simulation_refuse_bad_arguments():
    war = abreu_gul(*EXAMPLE)
    with pytest.raises(bargain.ModelError, match="t: must be a time"):
        war.survival(np.array([0.0, math.nan]))
    for n in (0, -5, 2.5, True):
        with pytest.raises(bargain.ModelError, match="n: must be a positive integer"):
            simulate_attrition(war, n, seed=1)


def test_a_side_obstinate_for_sure_ends_the_war_at_once_as_the_limit_of_the_formulas():
    # z_A = 1: T_A = 0, so the rational writers concede at once; the impasse is z_W.
    war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.2, "A": 1.0}, {"W": 0.1, "A": 0.1})
    assert (war.weaker, war.t0, war.expected_delay) == ("W", 0.0, 0.0)
    assert war.atom == pytest.approx(0.8, abs=1e-15) and war.impasse == 0.2
    assert war.payoffs == {"W": pytest.approx(0.4)}
    near = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.2, "A": 1 - 1e-9}, {"W": 0.1, "A": 0.1})
    assert near.atom == pytest.approx(war.atom, abs=1e-6)
    assert near.expected_delay == pytest.approx(0.0, abs=1e-6)
    with pytest.raises(bargain.ModelError, match=r"obstinate: both parties are obstinate"):
        abreu_gul({"W": 0.6, "A": 0.6}, {"W": 1.0, "A": 1.0}, {"W": 0.1, "A": 0.1})
    route = integrate_reputations({"W": 0.6, "A": 0.6}, {"W": 0.2, "A": 1.0}, {"W": 0.1, "A": 0.1})
    assert (route.weaker, route.t0) == ("W", 0.0) and route.atom == pytest.approx(0.8, abs=1e-12)
