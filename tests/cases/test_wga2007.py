"""The flagship model, models/wga2007.toml: sources, and its equilibria by independent routes."""

from __future__ import annotations

import math
import shlex
from fractions import Fraction
from pathlib import Path

import pytest
from scipy.optimize import minimize_scalar

import bargain
from bargain.model.patience import patience_powers
from tests.conftest import DOCS_GROUP

pytestmark = DOCS_GROUP

MODEL = bargain.load_model(bargain.models_dir() / "wga2007.toml")
V = {k: float(v) for k, v in MODEL.values.items()}


def test_every_parameter_is_sourced_or_called_an_assumption():
    for p in MODEL.parameters:
        text = p.source.lower()
        assert text, p.name
        # The case's two articles are cited by author, outlet and date, never "article 000".
        cited = "la weekly" in text or "deadline hollywood daily" in text
        assert "assumption" in text or "http" in text or "derived" in text or cited, p.name
        assert "article 0" not in text, p.name


def _gains(e: float) -> tuple[float, float]:
    """The writers' certainty-equivalent gain and the producers' cost of EST rate e (%),
    written out by hand from the model's description (mean minus half a_W times variance)."""
    s = (V["cv_E"] * V["E_W"]) ** 2
    gain = (e - V["e0"]) / 100 * V["E_W"] * (1 - V["h_W"]) - V["a_W"] / 2 * (
        (e / 100) ** 2 - (V["e0"] / 100) ** 2
    ) * s
    cost = (e - V["e0"]) / 100 * V["phi_A"] * V["E_W"] * (1 - V["h_A"])
    return gain, cost


def _threats() -> tuple[float, float]:
    """Strike to the next focal date: weekly cost times weeks."""
    return (
        -V["pay_W"] * 7 / 365 * V["T_D"],
        -V["m_A"] * V["prod_A"] * 7 * V["T_D"],
    )


def test_nash_flat_rate_by_an_independent_route(wga2007_nash):
    # With transferable utility (payoffs linear in F with slopes +1 and -1) the Nash
    # solution picks the terms that maximise the joint surplus, then splits the gains
    # over the disagreement point equally (Nash 1950; Muthoo 1999, §2.5, TU case).
    # Route: maximise the joint surplus over e by scipy, with d at its lower bound
    # (every point of DVD rate costs the producers (1 - h_A) and is worth at most
    # (1 - h_W) < (1 - h_A) to the writers), then solve the equal-gains condition for F.
    best = minimize_scalar(
        lambda e: -(_gains(e)[0] - _gains(e)[1]),
        bounds=(V["e0"], V["e_max"]),
        method="bounded",
        options={"xatol": 1e-10},
    )
    gain, cost = _gains(best.x)
    d_w, d_a = _threats()
    # u_W - d_W = u_A - d_A with u_W = F + gain, u_A = -F - cost:
    flat = ((-cost - d_a) - (gain - d_w)) / 2
    s = wga2007_nash
    assert s.agreement["e"] == pytest.approx(best.x, abs=1e-6)
    assert s.agreement["d"] == pytest.approx(V["d0"], abs=1e-9)
    assert s.agreement["F"] == pytest.approx(flat, rel=1e-8)
    # The closed form of the EST rate: where the writers' marginal certainty equivalent
    # equals the producers' marginal cost.
    e_star = (
        100
        * (V["E_W"] * (1 - V["h_W"]) - V["phi_A"] * V["E_W"] * (1 - V["h_A"]))
        / (V["a_W"] * (V["cv_E"] * V["E_W"]) ** 2)
    )
    assert s.agreement["e"] == pytest.approx(e_star, rel=1e-12)


def test_the_flat_rate_is_half_the_difference_in_strike_costs_to_the_deadline(wga2007_nash):
    # dF/dT_D = (s_A - s_W)/2: each week to the deadline shifts the Nash flat rate by half
    # the difference of the weekly strike costs.
    s_w = V["pay_W"] * 7 / 365
    s_a = V["m_A"] * V["prod_A"] * 7
    near = bargain.nash(MODEL.with_values(T_D=5.714)).agreement["F"]
    far = wga2007_nash.agreement["F"]
    assert (far - near) / (V["T_D"] - 5.714) == pytest.approx((s_a - s_w) / 2, rel=1e-9)


def test_the_broken_promise_drops_the_package_and_lowers_trust_by_bayes_rule(
    wga2007_nash, wga2007_credibility
):
    r = wga2007_credibility
    p, err = V["p"], V["err"]
    assert r.after.trust == pytest.approx(p * err / (p * err + (1 - p)), rel=1e-12)
    assert r.before.package and not r.after.package
    # After the break the agreement is the plain Nash solution of the model.
    assert r.after.solution.agreement["F"] == pytest.approx(wga2007_nash.agreement["F"], rel=1e-9)
    assert r.cost["surplus_lost"] > 0 and r.after.expected_strike > r.before.expected_strike
    # The trust threshold: conceding pays iff p (1 - err) v >= c, v = v_mult c.
    assert r.trust_threshold == pytest.approx(1 / (V["v_mult"] * (1 - err)), rel=1e-9)
    assert math.isclose(r.before.keep_probability, p * (1 - err))


def test_the_surplus_lost_is_the_dvd_swap_plus_the_promises_expected_net_value(
    wga2007_credibility,
):
    from bargain.cases import wga2007 as flagship

    # By hand from the model's description: the DVD demand (d0 -> d_dem) is worth its
    # reported-revenue certainty equivalent to the writers and its expected cost to the
    # producers; the promised EST formula is v_mult times the former to the writers and
    # costs the producers phi_A (1 - h_A)/(1 - h_W) of that.
    dvd = (V["d_dem"] - V["d0"]) / 100 * V["Y"] * V["D"]
    c = (
        dvd * (1 - V["h_W"])
        - V["a_W"]
        / 2
        * ((V["d_dem"] / 100) ** 2 - (V["d0"] / 100) ** 2)
        * (V["cv_D"] * V["Y"] * V["D"]) ** 2
    )
    c_a = dvd * (1 - V["h_A"])
    v = V["v_mult"] * c
    v_a = V["phi_A"] * (1 - V["h_A"]) / (1 - V["h_W"]) * v
    keep = V["p"] * (1 - V["err"])
    swap, promise = flagship.package_parts()
    assert swap == pytest.approx(c_a - c, rel=1e-12)
    assert promise == pytest.approx(keep * (v - v_a), rel=1e-12)
    # ... and their sum is what the Nash solution loses (solved twice, an independent route).
    assert swap + promise == pytest.approx(wga2007_credibility.cost["surplus_lost"], rel=1e-9)


def test_the_surplus_lost_does_not_depend_on_the_concept_but_who_bears_it_does():
    from bargain.cases import wga2007 as flagship

    reports = dict(flagship._reports())
    nash = reports["Nash (equal powers)"]
    for label in (
        "Rubinstein, W proposes first",
        "Rubinstein, A proposes first",
        "Kalai–Smorodinsky",
        "egalitarian",
    ):
        # The EST rate is at its efficient level before and after under these concepts,
        # so the surplus lost is the package's, whoever gets it.
        assert reports[label].cost["surplus_lost"] == pytest.approx(
            nash.cost["surplus_lost"], rel=1e-6
        ), label
    # Nash with equal powers splits the loss equally (transferable utility).
    change = {k: nash.after.solution.payoffs[k] - nash.before.solution.payoffs[k] for k in "WA"}
    assert change["W"] == pytest.approx(change["A"], rel=1e-9)
    # With the producers proposing first the writers bear most of it.
    r = reports["Rubinstein, A proposes first"]
    loss = {k: r.before.solution.payoffs[k] - r.after.solution.payoffs[k] for k in "WA"}
    assert loss["W"] > 5 * loss["A"] > 0


PAGE = Path(__file__).resolve().parents[2] / "docs" / "wga2007.md"


def test_the_case_pages_numbers_are_the_models(wga2007_nash, wga2007_credibility):
    """The few numbers the case page writes out in prose, recomputed from the model."""
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    s_w = V["pay_W"] * 7 / 365
    s_a = V["m_A"] * V["prod_A"] * 7
    r = wga2007_credibility
    powers = patience_powers(MODEL)

    def frac(x: float) -> Fraction:
        return Fraction(x).limit_denominator(12)

    shown = [
        f"about ${s_w:.1f}M",  # the writers' weekly cost
        f"${s_a:.1f}M a week",  # the producers'
        f"half the difference, ${(s_a - s_w) / 2:.1f}M a week",
        f"({V['T_D']:.0f} weeks)",
        f"margin below about {100 * s_w / (7 * V['prod_A']):.0f}%",  # equal weekly costs
        f"(about {wga2007_nash.agreement['e']:.2f}%)",  # the efficient EST rate
        f"trust falls to {frac(r.after.trust)}",
        f"obstinate type with probability {frac(1 - r.after.trust)}",
        f"at least {1 / r.before.keep_probability:.2f} times",  # revealed preference
    ]
    for phrase in shown:
        assert phrase in text, phrase
    assert r.after.trust == pytest.approx(1 / 6, rel=1e-12)
    # The BRW limit with the 5% weekly breakdown risk: nearly equal powers; patience alone
    # (r_W = 2 r_A) would give the producers two thirds.
    lam = -math.log(1 - V["q"])
    r_w, r_a = V["rho_W"] * 7 / 365, V["rho_A"] * 7 / 365
    assert powers["W"] == pytest.approx((r_a + lam) / (r_w + r_a + 2 * lam), rel=1e-12)
    assert (
        f"(writers {powers['W']:.4f})" in text
        and f"about {lam / r_w:.0f} times the writers'" in text
    )
    assert f"and {lam / r_a:.0f} times the producers'" in text
    assert r_w / (r_w + r_a) == pytest.approx(2 / 3) and "two thirds" in text
    assert 5.5 < V["T_D"] / (40 / 7) < 6.5 and "six times as much" in text
    # "It lands a few $M above the WGA's $151M"
    assert 0 < wga2007_nash.agreement["F"] - V["offer_W"] < 10


def test_the_case_pages_commands_run_and_the_finite_deadline_game_is_as_described(
    capsys, tmp_path, monkeypatch, flagship_briefs
):
    from bargain.cli import main

    monkeypatch.chdir(tmp_path)  # a command may write a figure where it runs
    lines = [ln[2:] for ln in PAGE.read_text(encoding="utf-8").splitlines() if ln.startswith("$ ")]
    assert len(lines) == 6
    for line in lines:
        argv = shlex.split(line, comments=True)
        assert argv[0] == "bargain" and main(argv[1:]) == 0, line
        assert capsys.readouterr().out, line
    assert flagship_briefs == ["brief", "uncertain"]
    # Six weekly rounds to December 15, then a strike to June 30: the AMPTP opens, so the
    # WGA makes the last offer and takes most of the gains the date puts at stake ...
    deadline = MODEL.with_values(T_D=28.29)
    s = bargain.rubinstein(deadline, proposer="A", horizon=6, exact=False)
    gains = {k: s.payoffs[k] - s.disagreement[k] for k in "WA"}
    assert gains["W"] > 5 * gains["A"] > 0
    # ... and with the WGA opening the AMPTP would push F below its floor: refused.
    with pytest.raises(bargain.ModelError, match="binds"):
        bargain.rubinstein(deadline, proposer="W", horizon=6, exact=False)


def test_the_download_forecast_joins_the_two_sourced_points_by_constant_growth():
    # $20M in 2006 and $1.8B in 2011 (LA Times, Nov 19 2007): growth g = 90^(1/5) a year;
    # the contract's years 2008-2010 are 20 g^2 + 20 g^3 + 20 g^4.
    g = 90 ** (1 / 5)
    assert V["E_W"] == pytest.approx(sum(20 * g**k for k in (2, 3, 4)), abs=0.05)


def test_the_focal_dates_are_the_articles_and_the_strike_table_counts_every_path():
    from bargain.cases import wga2007

    dates = [float(MODEL.numeric(d)) for d in MODEL.bargaining.focal_dates]
    assert dates == pytest.approx(list(wga2007.DEADLINES.values()), rel=1e-12)
    assert dates == pytest.approx([40 / 7, 34.0], rel=1e-12)  # Dec 15 and June 30, 2008
    r = bargain.credibility(MODEL, exact=False)
    after = r.after.duration
    table = wga2007.strike_table()
    assert f"| P(settled by December 15) | 1 | {wga2007._n(after.settled_by[0])} |" in table
    assert "| P(settled December 15 – June 30) | 0 | 0 | 0 |" in table  # T0 < Dec 15
    assert f"| mean strike (weeks) | 0 | {wga2007._n(after.mean)} |" in table
    # After the break: the impasse (1/6) strikes to Dec 15 if talks broke down by then, else
    # to June 30; so P(strike to June 30) = P(no agreement, no breakdown by Dec 15) minus
    # what the war still settles (nothing: T0 < Dec 15) = (1/6) e^{−5.714 β}, β = −ln(1 − q).
    beta = -math.log(1 - r.after.breakdown_probability)
    assert after.at_date[-1] == pytest.approx(math.exp(-beta * 40 / 7) / 6, rel=1e-9)
    assert f"**{wga2007._n(r.cost['total'])}** $M" in table
    text = " ".join(PAGE.read_text(encoding="utf-8").split())
    assert "tables/wga2007-strike.md" in text
    war = r.after.strike
    assert war.weaker == "W" and f"probability about {war.atom:.2f}" in text
    assert f"within about {war.t0:.1f} weeks" in text and war.t0 < 40 / 7
    assert round(1 / after.at_date[-1]) == 10 and "about one in ten runs to June" in text
    war_only = r.cost["surplus_lost"] + war.expected_delay * sum(r.strike_cost.values())
    assert war_only == pytest.approx(102.276, abs=1e-3)  # the figure issue 15 started from
    assert r.cost["total"] > 2 * war_only and "more than twice" in text
