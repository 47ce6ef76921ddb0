"""Renderings of a Solution: text, Markdown, JSON, LaTeX."""

from __future__ import annotations

import dataclasses
import json

import pytest

import bargain


@pytest.fixture
def solution(concave) -> bargain.Solution:
    return bargain.nash(concave)


def test_frozen(solution):
    with pytest.raises(dataclasses.FrozenInstanceError):
        solution.method = "other"


def test_json_is_strict_and_complete(solution):
    data = json.loads(solution.to_json())
    assert data["model"] == "concave"
    assert data["method"] == "nash"
    assert data["exact"] is True
    assert data["exact_agreement"] == {"x": "2/3"}
    assert data["powers"] == {"A": 0.5, "B": 0.5}
    assert data["delay"] == 0


def test_text_and_markdown_show_formula(solution):
    assert "x = 0.666666666667 (= 2/3)" in solution.to_text()
    md = solution.to_markdown()
    assert "| x | 0.666666666667 (= 2/3) | `2/3` |" in md
    assert "| B | 0.57735026919 | 0 |" in md


def test_latex(split):
    latex = bargain.nash(split)._repr_latex_()
    assert latex.startswith("$\\displaystyle x = ")
    assert "\\frac{V}{2}" in latex


def test_separate_agreements_render_as_a_set():
    s = bargain.Solution(
        model="m",
        method="utilitarian",
        agreement={},
        payoffs={},
        disagreement={"P": 0.0, "Q": 0.0},
        parameters={},
        agreement_points=({"x": 0.0}, {"x": 1.0}),
    )
    assert not s.unique
    assert "not unique; each of these agreements:\n    x = 0\n    x = 1" in s.to_text()
    assert "| agreement | one of: x = 0; x = 1 | |" in s.to_markdown()
    assert json.loads(s.to_json())["agreement_points"] == [{"x": 0.0}, {"x": 1.0}]


def test_a_payoff_beside_its_disagreement_payoff_shows_the_digits_that_differ():
    # Payoffs on a base of 1e12 at δ = 0.95: waiting costs each party 5e10, so A accepts any
    # offer and W asks for x = 1 (Rubinstein 1982): W gets 1e12 + 1 against 1e12. In 12
    # digits both print as 1e+12.
    base = {"disagreement": "1e12", "discount_factor": 0.95}
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "1e12 + x", **base},
                "A": {"payoff": "1e12 + 1 - x", **base},
            },
        }
    )
    s = bargain.rubinstein(m)
    assert s.agreement["x"] == 1.0
    assert "W = 1000000000001   (disagreement 1000000000000)" in s.to_text()
    assert "| W | 1000000000001 | 1000000000000 |" in s.to_markdown()
    assert "A = 1e+12   (disagreement 1e+12)" in s.to_text()


def test_markdown_says_what_the_text_says():
    # The Markdown left out the powers, the extras (the strike threat of strike-or-holdout,
    # the ideal point of Kalai-Smorodinsky) and the binding constraints, and printed an
    # empty payoff table for a set of agreements.
    s = bargain.Solution(
        model="m",
        method="strike-or-holdout",
        agreement={},
        payoffs={},
        disagreement={"U": 0.0, "F": 0.0},
        parameters={},
        powers={"U": 0.25, "F": 0.75},
        binding=("x <= 1",),
        extra={"strike threat": {"credible": 1.0, "margin": 2 / 3}},
        agreement_set={"w": (0.5, 0.75)},
    )
    text, md = s.to_text(), s.to_markdown()
    assert "  strike threat: credible = 1, margin = 0.666666666667" in text
    assert "- strike threat: credible = 1, margin = 0.666666666667" in md
    assert "Bargaining powers: U = 0.25, F = 0.75." in md
    assert "Binding: x <= 1." in md
    assert "| party |" not in md
