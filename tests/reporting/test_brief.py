"""The brief: every concept in one place, each row the same as its solver's answer."""

from __future__ import annotations

import math

import pytest

import bargain
from bargain.model.patience import patience_powers
from bargain.reporting.brief import brief
from bargain.rounding import sig
from tests.conftest import shipped


def test_rows_are_the_solvers_answers_and_powers_come_from_patience():
    m = bargain.load_model(bargain.models_dir() / "package_deal.toml")
    b = brief(m)
    rows = {r.label: r.solution for r in b.rows}
    # r_W = 0.01, r_A = 0.005 per week: W's power r_A / (r_W + r_A) = 1/3 (BRW 1986, §3).
    assert patience_powers(m) == pytest.approx({"W": 1 / 3, "A": 2 / 3}, rel=1e-12)
    assert rows["generalised Nash (powers from patience)"].agreement["x"] == pytest.approx(
        1 / 3, abs=1e-9
    )
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
    assert "Rubinstein, A proposes first             not solved: " in text
    # The egalitarian solution stays at the old terms: its payoffs are zero, and solver
    # noise (of order 1e-15 against payoffs in the hundreds) is printed as 0.
    assert (
        "egalitarian                              F = 0, e = 0.3, d = 0.3   (payoffs W 0, A 0)"
        in text
    )


def test_the_brief_reports_the_strike_every_path_counted():
    b = brief(shipped("wga2007"))
    after = b.credibility.after.duration
    text = b.to_text()
    assert "war of attrition alone 0 -> 0.4313 weeks" in text
    assert f"mean 0 -> {sig(after.mean, 4)} weeks" in text
    settled = sig(after.settled_by[0], 4)
    assert f"P(settled by the first focal date, 5.714 weeks) 1 -> {settled}" in text
    # A model without focal dates has no such line.
    assert "every path counted" not in brief(shipped("package_deal")).to_text()
