"""The brief: every concept in one place, each row the same as its solver's answer."""

from __future__ import annotations

import math

import pytest

import bargain
from bargain.brief import brief, patience_powers


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
