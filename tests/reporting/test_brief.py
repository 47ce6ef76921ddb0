"""The brief: every concept in one place, each row the same as its solver's answer."""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

import bargain
from bargain.model.patience import patience_powers
from bargain.reporting.brief import brief
from bargain.rounding import sig
from tests.conftest import shipped, two_party


def test_rows_are_the_solvers_answers_and_powers_come_from_patience():
    m = bargain.load_model(bargain.models_dir() / "package_deal.toml")
    b = brief(m)
    rows = {r.label: r.solution for r in b.rows}
    # r_W = 0.01, r_A = 0.005 per week, no breakdown risk: W's power r_A / (r_W + r_A) = 1/3
    # (BRW 1986, §3); the threat point is the impasse point s_i / r_i = (-1, -2), and on the
    # line x + (1 - x) = 1 W gets -1 + (1 + 1 + 2)/3 = 1/3.
    assert patience_powers(m) == pytest.approx({"W": 1 / 3, "A": 2 / 3}, rel=1e-12)
    limit = rows["generalised Nash (BRW limit)"]
    assert limit.agreement["x"] == pytest.approx(1 / 3, abs=1e-9)
    assert limit.disagreement == pytest.approx({"W": -1.0, "A": -2.0}, rel=1e-12)
    # Rubinstein with the producers proposing: the writers get less than when they propose.
    assert (
        rows["Rubinstein, A proposes first"].agreement["x"]
        < rows["Rubinstein, W proposes first"].agreement["x"]
    )
    assert rows["Nash (equal powers)"].agreement["x"] == pytest.approx(0.5, abs=1e-9)
    assert b.credibility is not None
    assert math.isclose(b.credibility.after.trust, 0.08 / (0.08 + 0.2))


def test_patience_powers_refuse_a_model_without_patience():
    m = bargain.model_from_dict(
        {
            "model": {"name": "t"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
        }
    )
    with pytest.raises(bargain.ModelError, match="discount_rate"):
        patience_powers(m)


def test_a_refused_concept_gets_a_row_with_the_reason_and_the_others_are_still_solved():
    # If the producers lose less a week than the writers, every concept that splits the
    # gains wants the writers to pay for new media; F stops at 0, and the alternating-
    # offers game over the transfer refuses (its reduction needs F free to move).
    m = bargain.load_model(bargain.models_dir() / "wga2007.toml").with_values(m_A=0.1)
    b = brief(m)
    rows = {r.label: r for r in b.rows}
    for label in ("Rubinstein, W proposes first", "Rubinstein, A proposes first"):
        assert rows[label].solution is None and "[variables.F] min" in rows[label].refused
        with pytest.raises(bargain.ModelError, match="binds"):
            bargain.rubinstein(m, proposer=label.split()[1], exact=False)
    nash = rows["Nash (equal powers)"]
    assert nash.refused is None and nash.solution.agreement["F"] == pytest.approx(0, abs=1e-9)
    text = b.to_text()
    # A short reason, no file path, no advice to widen the bounds; then what the corner means.
    reason = (
        "not solved: [variables.F] min: binds in equilibrium: A would offer F below 0, its "
        "lower bound (W gets 9.159 at the bound, would accept -7.93)"
    )
    assert f"Rubinstein, A proposes first{' ' * 19}{reason}" in text
    assert "widen" not in text and "/" not in reason
    assert (
        "not solved: a proposer would want F (flat new-media (streaming) payment to the "
        "writers) below 0, its lower bound, so the game over F has no equilibrium inside its "
        "bounds; the rows with F = 0 show the terms at that corner" in text
    )
    assert rows["Rubinstein, W proposes first"].bound == ("F", "min")
    # F = 0 is marked as the floor; the egalitarian solution stays at the old terms: its
    # payoffs are zero, and solver noise (of order 1e-15 against payoffs in the hundreds)
    # is printed as 0; its gains are the disagreement payoffs' magnitudes.
    assert (
        "  egalitarian                                    F = 0 (floor), e = 0.3 (floor), "
        "d = 0.3 (floor)   payoffs W 0, A 0; gains W 685.5, A 506.9" in text
    )
    assert "(floor), (ceiling): the term is at a bound of the model" in text


def test_the_brief_says_what_its_numbers_are_in_and_from():
    b = brief(shipped("wga2007"))
    text = b.to_text()
    lines = text.splitlines()
    # Units of the terms and of the payoffs, and the payoffs' origin (models/wga2007.toml).
    assert lines[1] == "F in $M over the contract; e in % of gross; d in % of gross"
    assert lines[2] == (
        "payoffs in $M over the contract, as gains over the pre-strike terms "
        "(F = 0, e = d = 0.3% of gross)"
    )
    # The disagreement payoffs: a strike to June 30, T_D = 34 weeks at each side's weekly cost.
    m = b.model
    d_w = -m.values["pay_W"] * 7 / 365 * 34
    d_a = -m.values["m_A"] * m.values["prod_A"] * 7 * 34
    assert lines[3] == (
        f"disagreement (the payoffs if talks fail): W {sig(d_w, 4)}, A {sig(d_a, 4)}; "
        "gain = payoff - disagreement"
    )
    # The Nash row reads as an equal split of the gains over disagreement.
    nash = b.rows[0].solution
    gain = nash.payoffs["W"] - d_w
    assert gain == pytest.approx(nash.payoffs["A"] - d_a, rel=1e-9)
    assert f"gains W {sig(gain, 4)}, A {sig(gain, 4)}" in lines[5]
    assert "d = 0.3 (floor)" in lines[5] and "F = 155.9," in lines[5]
    # The two offers, as context rows.
    assert "  WGA counteroffer (W's demand)                  payoff W 151" in lines
    assert "  AMPTP 'New Economic Partnership' (A's demand)  payoff A -130" in lines
    # The alternating-offers limit with breakdown risk: its threat point is named, and the
    # note gives its powers and the breakdown rate -ln(0.95) a week.
    limit = next(line for line in lines if line.startswith("  generalised Nash (BRW limit)"))
    assert "over the impasse point W -1040, A -1566" in limit
    assert (
        "powers W 0.4955, A 0.5045, proportional to 1/(r_i + breakdown rate 0.05129 a week)" in text
    )
    # "total cost" is gone: the cost of the broken promise is defined where it is given.
    c = b.credibility.cost
    assert "total cost" not in text
    weekly = sum(b.credibility.strike_cost.values())
    assert (
        f"  cost of the broken promise {sig(c['total'], 4)} = surplus lost "
        f"{sig(c['surplus_lost'], 4)} (the gains from agreement, summed over both sides, before "
        f"minus after) + the strike's cost {sig(c['strike_cost'], 4)} (the strike "
        f"{sig(c['longer_strike'], 4)} weeks longer, every path counted, times "
        f"{sig(weekly, 4)} a week for both sides)" in lines
    )
    assert c["total"] == pytest.approx(c["surplus_lost"] + c["longer_strike"] * weekly)


def test_the_brief_reports_the_strike_every_path_counted():
    b = brief(shipped("wga2007"))
    after = b.credibility.after.duration
    text = b.to_text()
    assert "war of attrition alone (the impasse left out) 0 -> 0.4313 weeks" in text
    assert f"mean 0 -> {sig(after.mean, 4)} weeks" in text
    settled = sig(after.settled_by[0], 4)
    assert f"P(settled by the first focal date, 5.714 weeks) 1 -> {settled}" in text
    # A model without focal dates has no such line.
    assert "every path counted" not in brief(shipped("package_deal")).to_text()


def test_the_brief_lists_every_theory_of_delay_the_model_sets():
    m = shipped("wga2007")
    b = brief(m)
    given = {t.name for t in m.delays}
    theories = [r.settings["delay"] for r in b.theories]
    # every other theory with a [delay.NAME] table, in the registry's order
    assert theories == [n for n in bargain.reputation.delay.names() if n in given - {"reputation"}]
    text = b.to_text()
    for r in (b.credibility, *b.theories):
        before, after = r.before.duration, r.after.duration
        line = f"{sig(before.mean, 4)} -> {sig(after.mean, 4)} weeks; {sig(after.at_date[-1], 4)}"
        assert f"    {r.settings['delay']:<11} {line}; {sig(r.cost['total'], 4)}" in text
    # each is the credibility report under that theory
    screening = next(r for r in b.theories if r.settings["delay"] == "screening")
    direct = bargain.credibility(m, delay="screening", exact=False)
    assert screening.after.duration.mean == pytest.approx(direct.after.duration.mean, rel=1e-12)


def test_a_refused_promise_report_leaves_the_rest_of_the_brief():
    # A strike to week 3 leaves a surplus smaller than the AMPTP's demand: the war of
    # attrition has no equilibrium, and the brief says so in the promise's place.
    b = brief(shipped("wga2007").with_values(T_D=3))
    assert b.credibility is None and "[parties.A] demand" in b.promise_refused
    text = b.to_text()
    assert "the broken promise: not solved: [parties.A] demand: must be a payoff" in text
    assert sum(r.solution is not None for r in b.rows) >= 4


CASES = Path(__file__).resolve().parents[1] / "strategic" / "cases"


def fixed_costs(c: float) -> bargain.Model:
    """Splitting one unit with equal fixed strike costs ``c`` and no discounting."""
    return bargain.model_from_dict(
        {
            "model": {"name": "fixed"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 1, "strike_payoff": -c},
                "A": {"payoff": "1 - x", "discount_factor": 1, "strike_payoff": -c},
            },
        }
    )


@pytest.mark.parametrize(
    ("model", "c"),
    [(bargain.load_model(CASES / "fixed_costs_equal.toml"), 0.1), (fixed_costs(0.25), 0.25)],
    ids=["case", "invented"],
)
def test_a_set_of_rubinstein_agreements_is_shown_as_the_set(model, c):
    # Rubinstein (1982), §5: with equal fixed costs c, every x in [c, 1] is an equilibrium
    # agreement when W proposes first, every x in [0, 1 - c] when A does (once KeyError 'x').
    b = brief(model)
    rows = {r.label: r for r in b.rows}
    assert rows["Rubinstein, W proposes first"].solution.agreement_set["x"] == pytest.approx(
        (c, 1.0), abs=1e-12
    )
    text = b.to_text()
    w_row = next(line for line in text.splitlines() if "W proposes first" in line)
    a_row = next(line for line in text.splitlines() if "A proposes first" in line)
    assert f"x any in [{sig(c, 4)}, 1] (every one an equilibrium)" in w_row
    assert f"payoffs from W {sig(c, 4)}, A {sig(1 - c, 4)} to W 1, A 0" in w_row
    assert f"x any in [0, {sig(1 - c, 4)}]" in a_row


def test_an_end_of_a_set_computed_as_rounding_noise_reads_0():
    # Rubinstein (1982), §5: with A proposing first and equal fixed costs 1/4, every x in
    # [0, 3/4] is an equilibrium agreement. An end of a range computed as 1e-16 (a solver's
    # rounding beside 0.75) reads 0 in the range's own scale; one of 1e-16 beside 3e-16
    # (a set of that size) is a number.
    b = brief(fixed_costs(0.25))
    rows = [r for r in b.rows if r.label == "Rubinstein, A proposes first"]
    s = rows[0].solution
    assert s.agreement_set["x"] == pytest.approx((0.0, 0.75), abs=1e-12)

    def text(low: float, high: float) -> str:
        noisy = dataclasses.replace(s, agreement_set={"x": (low, high)})
        changed = [dataclasses.replace(r, solution=noisy) if r in rows else r for r in b.rows]
        lines = dataclasses.replace(b, rows=tuple(changed)).to_text().splitlines()
        return next(line for line in lines if "A proposes first" in line)

    assert "x any in [0, 0.75]" in text(1e-16, 0.75)
    assert "x any in [1e-16, 3e-16]" in text(1e-16, 3e-16)


def test_the_brief_of_parties_a_hair_from_no_discounting():
    # δ = 0.9999999999999999999 and ...998 in the file (1 - 1e-19, 1 - 2e-19): every
    # Rubinstein row and the BRW limit give W r_A / (r_W + r_A) = 2/3 (BRW 1986, §3).
    # The Rubinstein rows were once "every agreement", which the brief failed on.
    b = brief(bargain.load_model(CASES / "df_toml_19nines.toml"))
    for r in b.rows:
        if r.label.startswith(("Rubinstein", "generalised Nash (BRW")):
            assert r.solution.agreement["x"] == pytest.approx(2 / 3, rel=1e-15), r.label


def test_separate_nash_maximisers_are_shown_each_with_its_payoffs():
    # The Nash product x u_Q(x) = 1/4 - (x - 0.3)^2 (x - 0.7)^2 is maximal at 0.3 and 0.7
    # only (smaller between): two solutions, not "any in [0.3, 0.7]" (and once KeyError).
    m = two_party(
        "x", "(0.25 - (x - 0.3)**2*(x - 0.7)**2)/x", variables={"x": {"min": 0.1, "max": 1}}
    )
    row = next(line for line in brief(m).to_text().splitlines() if "Nash (equal powers)" in line)
    q = [sig((0.25 - (x - 0.3) ** 2 * (x - 0.7) ** 2) / x, 4) for x in (0.3, 0.7)]
    assert f"x = 0.3 (payoffs A 0.3, B {q[0]}) or x = 0.7 (payoffs A 0.7, B {q[1]})" in row
    assert "any in" not in row


@pytest.mark.parametrize("scale", [1.0, 1e9])
def test_a_small_agreement_is_printed_not_zeroed(scale):
    # x in [0, V], u_W = x, u_A = V - x, d_A = V (1 - 1e-9): the Nash, Kalai–Smorodinsky and
    # egalitarian solutions split the surplus 1e-9 V equally (Nash 1950; Kalai &
    # Smorodinsky 1975; Kalai 1977): x = 5e-10 V, each gain 5e-10 V. The brief printed
    # "x = 0 ... gains W 0, A 0" under its rule for noise (1e-9 of the payoffs).
    m = bargain.model_from_dict(
        {
            "model": {"name": "t"},
            "parameters": {"V": scale},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {
                "W": {"payoff": "x"},
                "A": {"payoff": "V - x", "disagreement": "V*(1 - 1e-9)"},
            },
        }
    )
    lines = brief(m).to_text().splitlines()
    small = sig(5e-10 * scale, 4)
    for label in ("Nash (equal powers)", "Kalai–Smorodinsky", "egalitarian"):
        row = next(line for line in lines if line.lstrip().startswith(label))
        assert f"x = {small}   payoffs W {small}, A {sig(scale, 4)}" in row, row
        assert f"gains W {small}, A {small}" in row, row


def test_each_party_is_printed_in_its_own_scale():
    # u_W = 1e9 x, u_A = 1e-9 (1 - x) on [0, 1], d = 0. Nash (1950) maximises
    # 1e9 x 1e-9 (1 - x): x = 1/2, payoffs 5e8 and 5e-10; the egalitarian solution (Kalai
    # 1977) equates 1e9 x = 1e-9 (1 - x): x = 1e-9 / (1e9 + 1e-9), each payoff about 1e-9.
    # A's payoffs printed as 0 (rounded against W's 5e8), and the egalitarian's both.
    m = two_party("1e9*x", "1e-9*(1 - x)")
    lines = brief(m).to_text().splitlines()
    nash = next(line for line in lines if line.lstrip().startswith("Nash (equal powers)"))
    assert "x = 0.5   payoffs A 5e+08, B 5e-10; gains A 5e+08, B 5e-10" in nash, nash
    egal = next(line for line in lines if line.lstrip().startswith("egalitarian"))
    x = 1e-9 / (1e9 + 1e-9)
    assert sig(1e9 * x, 4) == sig(1e-9 * (1 - x), 4) == "1e-09"
    assert f"x = {sig(x, 4)}   payoffs A 1e-09, B 1e-09; gains A 1e-09, B 1e-09" in egal, egal


def test_a_flat_proposer_payoff_is_shown_as_a_set_of_offers():
    # u_W = min(x, 0.4), u_A = 1 - x, δ_W = 0.9, δ_A = 0.8 (Rubinstein 1982; Osborne &
    # Rubinstein 1990, §3.10). W first: A's own proposal is 0.36 (min(x, 0.4) = 0.9 * 0.4), so
    # A accepts x <= 1 - 0.8 * 0.64 = 0.488, and W gets 0.4 from every x in [0.4, 0.488]: the
    # row is that set, with A's payoff from 0.6 to 0.512. A first: A's payoff is strictly
    # decreasing, so its offer 0.36 alone.
    m = bargain.model_from_dict(
        {
            "model": {"name": "flat"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "min(x, 0.4)", "discount_factor": 0.9},
                "A": {"payoff": "1 - x", "discount_factor": 0.8},
            },
        }
    )
    lines = brief(m).to_text().splitlines()
    w_row = next(line for line in lines if "W proposes first" in line)
    a_row = next(line for line in lines if "A proposes first" in line)
    assert "x any in [0.4, 0.488] (every one an equilibrium)" in w_row
    assert "payoffs from W 0.4, A 0.6 to W 0.4, A 0.512" in w_row
    assert "x = 0.36 " in a_row


def test_the_promise_line_prints_terms_as_terms_not_as_amounts():
    # Payoffs 1e10 x and 1e10 (1 - x), δ 0.9 and 0.8, a promise worth 0.05 to 0.08: Nash's
    # x = 1/2 before and after (Nash 1950; the promise's amounts move no gain of 1e10 by
    # more than 1e-9 of it). The term was printed as an amount in the payoffs' unit, where
    # anything below 1e-9 of 1e10 is 0: "x 0 -> 0".
    m = bargain.model_from_dict(
        {
            "model": {"name": "big"},
            "parameters": {"p": 0.8, "e": 0.1, "c": 0.05, "c_A": 0.15, "v": 0.08, "v_A": 0.04},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "1e10*x", "discount_factor": 0.9},
                "A": {"payoff": "1e10*(1 - x)", "discount_factor": 0.8},
            },
            "promises": {
                "pr": {
                    "by": "A",
                    "to": "W",
                    "concession": "c",
                    "concession_value": "c_A",
                    "promised": "v",
                    "promised_cost": "v_A",
                    "trust": "p",
                    "error": "e",
                }
            },
        }
    )
    b = brief(m)
    # With the package, W gains c + c_A and A the promise's expected net value: x = 1/2 +
    # (c + c_A - 0.72 (v + v_A)) / (2e10), trust 0.8 (1 - 0.1) = 0.72 (as for package_deal).
    x_before = 0.5 + (0.05 + 0.15 - 0.72 * (0.08 + 0.04)) / 2e10
    assert b.credibility.before.solution.agreement["x"] == pytest.approx(x_before, abs=1e-15)
    line = next(x for x in b.to_text().splitlines() if x.startswith("the broken promise"))
    assert line.endswith("x 0.5 -> 0.5")


def test_the_nash_row_names_the_models_unequal_powers():
    # Powers 1 : 3 in the file: the row is the generalised Nash solution (Roth 1979, §I.G),
    # x = w_W = 1/4 on the split x against 1 - x, and says so; it was labelled "Nash (equal
    # powers)" beside the 1 : 3 point. Equal powers keep the old label.
    parties = {
        "W": {"payoff": "x", "bargaining_power": 1, "discount_factor": 0.9},
        "A": {"payoff": "1 - x", "bargaining_power": 3, "discount_factor": 0.9},
    }
    m = bargain.model_from_dict(
        {"model": {"name": "m"}, "variables": {"x": {"min": 0, "max": 1}}, "parties": parties}
    )
    rows = {row.label: row for row in bargain.brief(m).rows}
    label = "generalised Nash (the model's powers: W = 0.25, A = 0.75)"
    assert rows[label].solution.agreement["x"] == pytest.approx(0.25, abs=1e-12)
    equal = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.9},
                "A": {"payoff": "1 - x", "discount_factor": 0.9},
            },
        }
    )
    assert "Nash (equal powers)" in {row.label for row in bargain.brief(equal).rows}
