"""Credibility-adjusted bargaining: before and after a broken promise.

The expected value of the promise, the package deal's feasibility and the breakdown risk are
checked against hand derivations (the Nash solution of a transferable-utility problem gives
each side half the surplus: Nash 1950, Econometrica 18, 155-162; Osborne & Rubinstein,
*Bargaining and Markets* 1990, §2.3) and against an independent route (the same model written
out by hand with the adjusted payoffs and breakdown risk, then solved directly).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st

import bargain
from bargain.errors import ModelError
from bargain.reputation.credibility import CredibilityReport, adjusted_model, credibility
from bargain.reputation.duration import strike_duration
from bargain.reputation.promise import promise_game, solve_promise
from bargain.reputation.trust import posterior
from bargain.rounding import sig
from tests.conftest import shipped

TOL = 1e-9


@pytest.fixture(scope="module")
def deal() -> bargain.Model:
    return shipped("package_deal")


@pytest.fixture(scope="module")
def report(deal: bargain.Model) -> CredibilityReport:
    """``credibility(deal)`` with its defaults, solved once for the tests that read it."""
    return credibility(deal)


def values(model: bargain.Model) -> dict[str, float]:
    return {k: float(v) for k, v in model.values.items()}


def package_terms(v: dict[str, float], trust: float) -> tuple[float, float]:
    """The package deal's expected gain to W and to A, written out from the model file."""
    keep = trust * (1 - v["e"])
    return keep * v["v"] - v["c"], v["c_A"] - keep * v["v_A"]


def test_nash_before_and_after_a_broken_promise_by_hand(deal, report):
    v = values(deal)
    # Before: trust p, the package is worth keep*v - c to W and c_A - keep*v_A to A; Nash
    # with transferable utility gives each side half the surplus, so W's payoff is
    # (V + both gains)/2 and x is that minus W's gain from the package.
    w_gain, a_gain = package_terms(v, v["p"])
    assert w_gain > 0 and a_gain > 0
    assert report.before.package
    assert report.before.solution.agreement["x"] == pytest.approx(
        (v["V"] + w_gain + a_gain) / 2 - w_gain, abs=TOL
    )
    assert report.before.surplus == pytest.approx(v["V"] + w_gain + a_gain, abs=TOL)
    # After one broken promise: Bayes, p e / (p e + 1 - p); below the threshold, no package.
    after = v["p"] * v["e"] / (v["p"] * v["e"] + 1 - v["p"])
    assert report.after.trust == pytest.approx(after, abs=TOL)
    assert package_terms(v, after)[0] < 0 and not report.after.package
    assert report.after.solution.agreement["x"] == pytest.approx(v["V"] / 2, abs=TOL)
    assert report.cost["surplus_lost"] == pytest.approx(w_gain + a_gain, abs=TOL)


def test_breakdown_risk_rises_with_distrust_and_matches_a_hand_written_model(deal):
    v = values(deal)
    report = credibility(deal, method="rubinstein")
    for stage in (report.before, report.after):
        assert stage.breakdown_probability == pytest.approx(v["b"] * (1 - stage.trust), abs=TOL)
    # Independent route: the model written out with the package removed and the breakdown
    # risk as a number, solved by rubinstein directly.
    data = bargain.model_to_dict(deal)
    del data["promises"]
    data["bargaining"]["breakdown_probability"] = report.after.breakdown_probability
    direct = bargain.rubinstein(bargain.model_from_dict(data))
    assert report.after.solution.agreement["x"] == pytest.approx(direct.agreement["x"], abs=1e-9)
    assert report.after.breakdown_probability > report.before.breakdown_probability


def test_adjusted_model_keeps_parameters_symbolic(deal):
    promise = deal.promise()
    adjusted = adjusted_model(
        deal,
        promise,
        trust=bargain.model.model.exact_number(0.5, table="t", key="k"),
        error=bargain.model.model.exact_number(0.1, table="t", key="k"),
        opportunist_keeps=bargain.model.model.exact_number(0, table="t", key="k"),
        package=True,
        breakdown_per_distrust=bargain.model.model.exact_number(0.02, table="t", key="k"),
    )
    w = adjusted.party("W").payoff
    assert {s.name for s in w.free_symbols} == {"x", "v", "c"}
    assert bargain.nash(adjusted).formula["x"] is not None


def test_package_rules_switch_the_package(deal):
    never = credibility(deal, package="never")
    assert not never.before.package and not never.after.package
    assert never.cost["surplus_lost"] == pytest.approx(0, abs=TOL)
    always = credibility(deal, package="always")
    assert always.before.package and always.after.package
    v = values(deal)
    w_gain, a_gain = package_terms(v, always.after.trust)
    assert always.after.surplus == pytest.approx(v["V"] + w_gain + a_gain, abs=TOL)


def test_package_follows_the_trust_threshold(deal):
    threshold = solve_promise(promise_game(deal)).trust_threshold
    for prior in (threshold - 0.01, threshold + 0.01):
        report = credibility(deal, prior=prior, observed=())
        assert report.before.package is (prior >= threshold)


def test_kept_promises_raise_trust(deal):
    report = credibility(deal, observed=["kept"])
    assert report.after.trust == pytest.approx(posterior(0.8, ["kept"], error=0.1), abs=TOL)
    assert report.after.trust > report.before.trust
    # The package's expected surplus grows with the probability it is kept: (k1 - k0)(v - v_A).
    v = values(deal)
    gained = (report.after.keep_probability - report.before.keep_probability) * (v["v"] - v["v_A"])
    assert report.cost["surplus_lost"] == pytest.approx(-gained, abs=TOL)


def test_reputational_strike_uses_the_promiser_distrust(deal, report):
    for stage in (report.before, report.after):
        assert stage.strike.obstinate == pytest.approx({"W": 0.1, "A": 1 - stage.trust})
        assert stage.strike.demands["W"] == pytest.approx(0.6 / stage.surplus)
        assert stage.impasse_probability == pytest.approx(0.1 * (1 - stage.trust))
    assert report.after.impasse_probability > report.before.impasse_probability
    # A model with no demands has no strike model: the table says so rather than guessing.
    data = bargain.model_to_dict(deal)
    del data["parties"]["W"]["demand"]
    bare = credibility(bargain.model_from_dict(data))
    assert bare.after.strike is None and bare.cost["longer_strike"] is None


def test_renderings(report):
    text = report.to_text()
    assert "surplus lost: 0.1288" in text and "package deal" in text
    markdown = report.to_markdown()
    assert "| trust | 0.8 | 0.285714 | -0.514286 |" in markdown
    data = report.to_dict()
    assert data["before"]["agreement"]["x"] == pytest.approx(0.5568, abs=TOL)
    assert data["cost"]["surplus_lost"] == pytest.approx(0.1288, abs=TOL)


@pytest.mark.parametrize(
    ("kwargs", "key"),
    [
        ({"method": "strike-or-holdout"}, "method"),
        ({"package": "maybe"}, "package"),
        ({"observed": ["lost"]}, "observed"),
        ({"prior": 1.5}, "prior"),
        ({"error": -0.1}, "error"),
        ({"promise": "nope"}, "nope"),
        ({"error": 0.6, "opportunist_keeps": 0.5}, "error"),
    ],
)
def test_bad_settings_name_the_key(deal, kwargs, key):
    with pytest.raises(ModelError) as info:
        credibility(deal, **kwargs)
    assert info.value.key == key


@pytest.mark.parametrize(
    ("promise", "key"),
    [
        ({"concession": 0}, "concession"),
        ({"error": 1.5}, "error"),
        ({"breakdown_per_distrust": -0.1}, "breakdown_per_distrust"),
        ({"by": "Z"}, "by"),
    ],
)
def test_bad_promises_name_the_key(deal, promise, key):
    data = bargain.model_to_dict(deal)
    data["promises"]["dvd_for_est"].update(promise)
    with pytest.raises(ModelError) as info:
        credibility(bargain.model_from_dict(data))
    assert info.value.key == key and info.value.table == "promises.dvd_for_est"


def test_bad_hardliner_names_the_key(deal):
    data = bargain.model_to_dict(deal)
    data["parties"]["W"]["hardliner"] = 1
    with pytest.raises(ModelError) as info:
        bargain.model_from_dict(data)
    assert (info.value.table, info.value.key) == ("parties.W", "hardliner")


priors = st.floats(0.05, 0.95)


@given(prior=priors, lower=st.floats(0.0, 1.0))
def test_a_lower_prior_never_brings_the_package_back(deal, prior, lower):
    low = prior * lower
    high = credibility(deal, prior=prior, observed=())
    assert not credibility(deal, prior=low, observed=()).before.package or high.before.package


@given(prior=priors, error=st.floats(0.01, 0.5))
def test_a_broken_promise_never_raises_trust_or_lowers_the_impasse_risk(deal, prior, error):
    report = credibility(deal, prior=prior, error=error)
    assert report.after.trust <= report.before.trust
    assert report.after.impasse_probability >= report.before.impasse_probability - TOL
    assert report.cost["surplus_lost"] >= -TOL


@given(
    prior=st.floats(0.5, 0.99),
    error=st.floats(0.05, 0.5),
    z_w=st.floats(0.2, 0.5),
    r_a=st.floats(0.02, 0.05),
)
def test_lower_trust_never_shortens_the_strike_while_the_promiser_is_the_weaker_side(
    deal, prior, error, z_w, r_a
):
    # Abreu & Gul (2000): the delay rises with the obstinacy of the weaker side (it concedes
    # less often at once) and falls with that of the stronger one. Only trust changes here
    # (no package, so the demands are the same shares of the same surplus); an impatient A
    # (r_A high) keeps A the weaker side in most draws.
    model = deal.with_values(z_W=z_w, r_A=r_a)
    report = credibility(model, prior=prior, error=error, package="never")
    after = report.after.strike
    assume(after.weaker == "A")
    assert report.after.expected_strike >= report.before.expected_strike - TOL


def test_lower_trust_can_shorten_the_strike_once_the_promiser_is_the_stronger_side(deal):
    # Past the point where A's reputation builds faster than W's, more distrust of A makes
    # the rational writers give in at once more often: a result of the model, stated in
    # docs/credibility.md, not a property to enforce.
    report = credibility(deal.with_values(z_W=0.5), prior=0.6, error=0.05, package="never")
    assert report.before.strike.weaker == "W"
    assert report.after.expected_strike < report.before.expected_strike
    assert report.after.impasse_probability > report.before.impasse_probability


def test_strike_cost_is_the_longer_strike_times_the_weekly_costs(report):
    longer = report.after.expected_strike - report.before.expected_strike
    assert report.cost["strike_cost"] == pytest.approx(longer * (0.01 + 0.01), abs=TOL)
    assert report.cost["total"] == pytest.approx(
        report.cost["surplus_lost"] + report.cost["strike_cost"], abs=TOL
    )
    assert math.isfinite(report.cost["total"])


def with_dates(model: bargain.Model, dates: list) -> bargain.Model:
    data = bargain.model_to_dict(model)
    data["bargaining"]["focal_dates"] = dates
    return bargain.model_from_dict(data)


def test_focal_dates_give_each_stage_the_strike_length(deal):
    # The stage's duration is strike_duration of its war at β = −ln(1 − q), q the stage's
    # breakdown risk per round; the cost of the broken promise counts every path.
    model = with_dates(deal, [3, "10/2"])
    assert bargain.model_from_dict(bargain.model_to_dict(model)).bargaining.focal_dates == (
        3,
        sympy.Rational(5),
    )
    report = credibility(model)
    for stage in (report.before, report.after):
        direct = strike_duration(
            stage.strike,
            breakdown_rate=-math.log(1 - stage.breakdown_probability),
            focal_dates=(3.0, 5.0),
        )
        assert stage.duration.mean == pytest.approx(direct.mean, rel=1e-12)
    cost = report.cost
    assert cost["full_strike"]
    assert cost["longer_strike"] == pytest.approx(
        report.after.duration.mean - report.before.duration.mean, abs=TOL
    )
    assert cost["strike_cost"] == pytest.approx(cost["longer_strike"] * 0.02, abs=TOL)
    data = report.to_dict()
    assert data["after"]["strike"]["mean"] == pytest.approx(report.after.duration.mean)
    assert data["after"]["strike"]["settled_by"][-1] == 1.0
    assert data["after"]["expected_strike"] == report.after.expected_strike  # kept
    text = report.to_text()
    # The model's period ("week") names every length and rate: never "periods" or "round".
    assert "P(settled by 3 weeks)" in text and "mean strike, every path (weeks)" in text
    assert "P(strike to 5 weeks)" in text and "breakdown risk per week" in text
    assert "periods" not in text and "round" not in text
    assert data["period"] == "week"
    assert "every path counted" in text
    # Without focal dates the report is as before: the war's E[min(τ, T0)].
    assert credibility(deal).before.duration is None
    assert not credibility(deal).cost["full_strike"]


@pytest.mark.parametrize(
    ("dates", "where"),
    [
        ([-5, 3], "[bargaining] focal_dates:"),
        ([0, 3], "[bargaining] focal_dates:"),
        (["x_unknown"], "focal_dates[0]"),
        ("T_D", "[bargaining] focal_dates: must be a list"),
    ],
)
def test_bad_focal_dates_name_the_key(deal, dates, where):
    with pytest.raises(ModelError, match=re.escape(where)):  # from the file or the report
        credibility(with_dates(deal, dates))


def test_talks_that_surely_break_down_are_refused_with_focal_dates():
    model = with_dates(shipped("wga2007"), ["T_dec", "T_D"]).with_values(q=1)
    with pytest.raises(ModelError, match=re.escape("[bargaining] breakdown_probability: must be")):
        credibility(model, exact=False)


def test_wga2007_counts_the_impasse():
    # Issue 15: the war alone says 0.43 weeks; with the impasse (1/6 after the break) and
    # breakdowns ending at Dec 15 or June 30 the expected strike is several weeks.
    report = credibility(shipped("wga2007"), exact=False)
    after = report.after
    assert after.expected_strike == pytest.approx(0.4313, abs=1e-4)
    assert after.impasse_probability == pytest.approx(1 / 6)
    assert 3 < after.mean_strike < 34 * (1 - after.duration.agreement)
    assert after.duration.settled_by[0] < 1 and after.duration.at_date[-1] > 0
    assert report.cost["total"] > report.cost["surplus_lost"] + 21.55


def test_the_package_switch_replaces_the_assumption_it_overrides(deal):
    default = credibility(deal)
    assert "the package deal is in the agreement only when both sides gain from it" in (
        default.assumptions
    )
    for rule, says in (
        ("never", "the package deal is left out of the agreement at every trust level"),
        ("always", "the package deal is in the agreement at every trust level"),
    ):
        report = credibility(deal, package=rule)
        text = report.to_text()
        assert f"assumption: {says} (package '{rule}')" in text
        assert "only when both sides gain" not in text
        assert len(report.assumptions) == len(default.assumptions)


def test_a_shorter_strike_is_reported_as_shorter_and_why_it_is(deal):
    # With the package never in, only the war of attrition changes: after the break the
    # producers are obstinate with probability 1 - 0.2857 = 0.714 instead of 0.2. The
    # promiser is the stronger side of the war at both trust levels (docs/credibility.md),
    # so more distrust of it makes the writers give in at once more often and the war
    # (the impasse left out) is shorter, while the impasse becomes likelier.
    report = credibility(deal, package="never")
    b, a = report.before, report.after
    change = report.cost["longer_strike"]
    assert change == pytest.approx(a.expected_strike - b.expected_strike, abs=TOL) and change < 0
    assert a.strike.agreement_at_zero > b.strike.agreement_at_zero
    assert a.impasse_probability > b.impasse_probability
    text = report.to_text()
    saving = -report.cost["strike_cost"]
    assert (
        "war of attrition (the impasse left out, P(impasse) 0.02 -> 0.0714286) shorter by "
        f"{sig(-change, 6)} weeks, saving {sig(saving, 6)}" in text
    )
    assert "longer by -" not in text
    assert "war of attrition, impasse left out (weeks)" in text
    assert (
        f"cost of the broken promise: {sig(report.cost['total'], 6)} (surplus lost plus the "
        "longer strike's cost; a shorter strike counts as a gain)" in text
    )


def test_the_brw_limit_loses_the_same_surplus_as_the_other_concepts():
    # Its threat point (the impasse point) moves with the breakdown risk that distrust
    # raises; the surplus is measured over the model's disagreement payoffs all the same, so
    # what the broken promise loses is the package's value, as under the Nash solution.
    m = bargain.load_model(bargain.models_dir() / "wga2007.toml")
    limit = credibility(m, limit=True, exact=False)
    plain = credibility(m, exact=False)
    assert limit.before.solution.disagreement != plain.before.solution.disagreement
    assert limit.cost["surplus_lost"] == pytest.approx(plain.cost["surplus_lost"], rel=1e-6)
    assert limit.after.duration.mean == pytest.approx(plain.after.duration.mean, rel=1e-9)


def test_a_set_of_agreements_is_refused_not_costed_at_zero():
    # With equal fixed strike costs and no discounting the Rubinstein answer is a set
    # (Rubinstein 1982, §5): the surplus, and the cost, depend on which agreement is struck.
    # The report once gave a cost of 0; Nash's answer is one agreement and is costed.
    m = bargain.load_model(
        Path(__file__).resolve().parents[1] / "strategic" / "cases" / "cred_set.toml"
    )
    with pytest.raises(bargain.SolverError, match=r"cred_set\.toml: .*a set \(x in \[0\.1, 1\]\)"):
        credibility(m, method="rubinstein")
    # Invented: the other proposer's set, [0, 0.9], is refused the same way.
    with pytest.raises(bargain.SolverError, match=r"a set \(x in \[0, 0\.9\]\)"):
        credibility(m, method="rubinstein", proposer="A")
    assert credibility(m).cost["total"] > 0.1


@pytest.mark.parametrize("method", ["nash", "kalai-smorodinsky", "egalitarian", "rubinstein"])
def test_package_deal_at_1e_320(deal, method):
    # Every money amount of package_deal times 1e-320 (the flat rate's box is [0, 1e-320]):
    # the report ended in "no contract satisfies the constraints" (the contract's unit was
    # held at 2.2e-308, 1e13 times its box). Every concept here is invariant under a common
    # unit of the payoffs (and the game's indifference conditions likewise), so each stage's
    # flat rate is the unit model's times 1e-320, to the subnormal floats' spacing there.
    # Nash before: x = (V + c + c_A - 0.72 (v + v_A)) / 2 = 0.5568 (package included, trust
    # 0.8 (1 - 0.1)); after: 0.5 (Nash 1950, the equal split of a line's surplus).
    data = bargain.model_to_dict(deal)
    for name in ("V", "c", "c_A", "v", "v_A", "s_W", "s_A"):
        data["parameters"][name]["value"] = float(data["parameters"][name]["value"]) * 1e-320
        data["parameters"][name].pop("range", None)
    tiny = bargain.model_from_dict(data)
    one, small = credibility(deal, method=method), credibility(tiny, method=method)
    spacing = 2.0**-1074
    for a, b in ((one.before, small.before), (one.after, small.after)):
        assert abs(b.solution.agreement["x"] - a.solution.agreement["x"] * 1e-320) <= 2 * spacing
    if method == "nash":
        assert one.before.solution.agreement["x"] == pytest.approx(0.5568, rel=1e-12)
        assert one.after.solution.agreement["x"] == pytest.approx(0.5, rel=1e-12)


def test_a_set_of_agreements_is_shown_as_one():
    # package_deal with a transfer: the utilitarian sum is flat along it, and every x in
    # [0, 1] is a utilitarian solution before and after (bargain solve says "not unique").
    # The table showed "agreement x 0.5568 -> 0.5" as if those were the solutions.
    r = bargain.credibility(
        bargain.load_model(bargain.find_model("package_deal")), method="utilitarian"
    )
    assert r.before.solution.agreement_set == {"x": (0.0, 1.0)}
    rows = {label: (before, after) for label, before, after in r.rows()}
    assert "agreement x" not in rows
    assert rows["agreement x (the tie-break's, of a set)"] == (
        r.before.solution.agreement["x"],
        r.after.solution.agreement["x"],
    )
    assert rows["  the set's lowest x"] == (0.0, 0.0)
    assert rows["  the set's highest x"] == (1.0, 1.0)


def test_an_impossible_observation_names_the_model_file():
    # With p = 0 (no honest type) and opportunists that never keep, a kept promise is
    # impossible (Bayes' rule has nothing to condition on); the refusal named no file.
    m = bargain.load_model(bargain.find_model("package_deal")).with_values({"p": 0})
    with pytest.raises(ModelError, match=r"package_deal\.toml: \[promises\.\w+\] observed: "):
        credibility(m, observed=["kept"])
