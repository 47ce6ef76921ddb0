"""The solution-concept registry: every concept registers once and every surface reads it."""

from __future__ import annotations

import pytest
import sympy

import bargain
from bargain.cli import main, parser
from bargain.concepts import registry
from bargain.concepts.registry import Concept, concept, concepts, names, register
from bargain.concepts.solution import Solution
from bargain.reporting.brief import concepts as brief_rows
from bargain.sweeps.compile import compile_kernel, methods, vectorised

SPLIT = bargain.load_model(bargain.models_dir() / "split.toml")


def test_every_shipped_concept_is_registered_once_in_order():
    assert names() == (
        "nash",
        "rubinstein",
        "kalai-smorodinsky",
        "egalitarian",
        "utilitarian",
        "strike-or-holdout",
    )
    assert {c.name: c.solve for c in concepts()} == bargain.SOLVERS
    assert bargain.SOLVERS["nash"] is bargain.nash
    assert names(credibility=True) == names()[:5]


def test_the_surfaces_read_the_registry():
    sub = next(a for a in parser()._actions if a.dest == "command").choices
    for command, expected in (
        ("solve", names()),
        ("credibility", names(credibility=True)),
        ("sweep", names()),
    ):
        method = next(a for a in sub[command]._actions if a.dest == "method")
        assert sorted(method.choices) == sorted(expected)
    assert methods() == names()
    assert vectorised() == ("nash", "rubinstein", "kalai-smorodinsky", "egalitarian")
    assert [e.method for e in brief_rows(SPLIT)] == [
        "nash",
        "nash",
        "rubinstein",
        "rubinstein",
        "kalai-smorodinsky",
        "egalitarian",
    ]


def test_an_unknown_concept_names_the_registered_ones():
    with pytest.raises(bargain.ModelError, match=r"\[sweep\] method: unknown solution concept"):
        concept("shapley", table="sweep")
    with pytest.raises(bargain.ModelError, match="the concepts are nash, rubinstein"):
        concept("strike-or-holdout", table="credibility", credibility=True)


def test_a_second_concept_with_a_registered_name_is_refused():
    with pytest.raises(ValueError, match="two solution concepts are named 'nash'"):
        register(Concept(name="nash", solve=lambda model: None, summary="", order=0))


def _strong_first(model: bargain.Model, *, exact: bool = True) -> Solution:
    """A toy concept: the generalised Nash solution with power 3/4 for the first party."""
    first, second = model.party_names
    return bargain.nash(model, powers={first: 3, second: 1}, exact=exact)


def test_one_registration_reaches_the_cli_the_sweeps_the_brief_and_credibility(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The recipe of docs/architecture.md: a concept is one registration.
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    register(
        Concept(
            name="strong-first",
            solve=_strong_first,
            summary="the first party has three quarters of the power",
            order=55,
            credibility=True,
            brief=lambda model: (("strong first", {}),),
        )
    )
    assert main(["solve", "split", "--method", "strong-first", "--format", "json"]) == 0
    assert '"method": "nash"' in capsys.readouterr().out
    kernel = compile_kernel(SPLIT, "strong-first", ["d_W"])
    assert kernel.route == "loop"
    # Generalised Nash on a linear split (Muthoo 1999, §2.3): x = d_W + w_W (V − d_W − d_A).
    v, d_a = (SPLIT.parameter(n).value for n in ("V", "d_A"))
    expected = [float(d + sympy.Rational(3, 4) * (v - d - d_a)) for d in (0, sympy.Rational(1, 5))]
    assert kernel({"d_W": [0.0, 0.2]})["x"].tolist() == pytest.approx(expected, rel=1e-9)
    assert [e.label for e in brief_rows(SPLIT)][-1] == "strong first"
    package = bargain.load_model(bargain.models_dir() / "package_deal.toml")
    assert bargain.credibility(package, method="strong-first").method == "strong-first"


def test_an_option_a_concept_does_not_take_is_refused_by_name():
    with pytest.raises(bargain.ModelError, match=r"\[sweep\] proposer: not an option of nash"):
        compile_kernel(SPLIT, "nash", ["d_W"], proposer="W")
