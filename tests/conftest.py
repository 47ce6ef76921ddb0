"""Shared fixtures and model builders for the tests."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.database import DirectoryBasedExampleDatabase

import bargain
from bargain.reputation.credibility import CredibilityReport

# The profile is chosen by HYPOTHESIS_PROFILE (docs/design-notes.md, "The test suite").
# "ci", the default: derandomised (the same examples on every run, on every xdist worker)
# and without the shrink phase, which can take minutes on a failing numeric property: the
# failing example is printed as found.
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=20,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
# "long", for a local run before a release: fifty times the examples, new ones on every run,
# shrunk to a minimal failing example and replayed from the example database (.hypothesis/).
# Its settings are all explicit: on a CI machine (CI=true) hypothesis would otherwise
# inherit its own CI defaults (derandomised, no database).
settings.register_profile(
    "long",
    deadline=None,
    max_examples=1000,
    derandomize=False,
    database=DirectoryBasedExampleDatabase(".hypothesis/examples"),
    phases=tuple(Phase),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# Under pytest-xdist with --dist loadgroup (CI and the README's test command) the tests of a
# group run on one worker, so what they share is computed once: the docs build and the case
# modules' cached solutions (functools.cache), and the Dask cluster of a module fixture.
DOCS_GROUP = pytest.mark.xdist_group("docs")
DASK_GROUP = pytest.mark.xdist_group("dask")
DOCTESTS_THAT_BUILD_THE_DOCS = ("docs/cli.md::cli.md",)
"""Doctests that run ``bargain docs`` (they join :data:`DOCS_GROUP`)."""


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist names the groups from the marks
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid in DOCTESTS_THAT_BUILD_THE_DOCS:
            item.add_marker(DOCS_GROUP)


@pytest.fixture
def search_methods(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The scipy methods the axiomatic search runs while a test runs, in order (each call of
    ``bargain.axiomatic.program.minimize``), with the kept numeric and exact results
    forgotten first, so that every program is searched."""
    from bargain.axiomatic import program

    program._numeric_result.cache_clear()
    monkeypatch.setattr(program, "_EXACT", {})
    methods: list[str] = []
    original = program.minimize

    def minimize(*args: Any, **kwargs: Any) -> Any:
        methods.append(kwargs.get("method"))
        return original(*args, **kwargs)

    monkeypatch.setattr(program, "minimize", minimize)
    return methods


def shares_and_the_rest(size: float, floors: Sequence[float], rest: str) -> bargain.Model:
    """Parties P, Q, R, ... with payoffs a, b, c, ... in [0, S] (disagreement payoffs
    ``floors`` times S), the budget a + b + c + ... <= S, and a party T whose payoff is
    ``rest``, an expression of S and the variables (a function of the budget left)."""
    names = "abcde"[: len(floors)]
    return bargain.model_from_dict(
        {
            "model": {"name": "rest"},
            "parameters": {"S": size},
            "variables": {k: {"min": 0, "max": "S"} for k in names},
            "constraints": {"budget": " + ".join(names) + " <= S"},
            "parties": {
                **{
                    p: {"payoff": k, **({"disagreement": f"{f}*S"} if f else {})}
                    for p, k, f in zip("PQRUV", names, floors, strict=False)
                },
                "T": {"payoff": rest},
            },
        }
    )


def four_parties_with_a_log(size: float) -> bargain.Model:
    """P = a (d = 0.1 S), Q = b, R = c and T = S log(1 + (S - a - b - c)/S), the budget
    a + b + c <= S: the budget left is T's (the fresh user's four-party case of session 29)."""
    return shares_and_the_rest(size, [0.1, 0, 0], "S*log(1 + (S - a - b - c)/S)")


def odd_power(exponent: str = "3.0000000000000000001") -> bargain.Model:
    """u_A = x/2 - x**exponent - (y - 0.3)**2, u_B = sqrt(y), d = -100 each, x in [-1, 1],
    y in [0, 1]: by default an exponent that floating point rounds to 3, so that the search
    computes x**3 where sympy's exact value at x < 0 is complex (the session-30 battery's
    case)."""
    return bargain.model_from_dict(
        {
            "model": {"name": "odd"},
            "variables": {"x": {"min": -1, "max": 1}, "y": {"min": 0, "max": 1}},
            "parties": {
                "A": {
                    "payoff": f"x/2 - x**({exponent}) - (y - 0.3)**2",
                    "disagreement": -100,
                },
                "B": {"payoff": "sqrt(y)", "disagreement": -100},
            },
        }
    )


def option_of_nearly_everything(first: str = "W") -> bargain.Model:
    """W gets x, A gets 1 - x, both with discount factor 1/2, A with an outside option of
    1 - 1e-12 (the fresh user's r16 of session 29); ``first`` proposes first."""
    return bargain.model_from_dict(
        {
            "model": {"name": "near_all"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.5},
                "A": {"payoff": "1 - x", "discount_factor": 0.5, "outside_option": "1 - 1e-12"},
            },
            "bargaining": {"first_proposer": first},
        }
    )


def two_party(
    payoff_a: str,
    payoff_b: str,
    *,
    parameters: dict[str, Any] | None = None,
    variables: dict[str, Any] | None = None,
    d_a: Any = 0,
    d_b: Any = 0,
    constraints: dict[str, Any] | None = None,
    **extra: Any,
) -> bargain.Model:
    """A two-party model from payoff strings; one variable x in [0, 1] unless given."""
    data: dict[str, Any] = {
        "model": {"name": "t"},
        "parameters": parameters or {},
        "variables": variables or {"x": {"min": 0, "max": 1}},
        "parties": {
            "A": {"payoff": payoff_a, "disagreement": d_a, **extra.get("A", {})},
            "B": {"payoff": payoff_b, "disagreement": d_b, **extra.get("B", {})},
        },
    }
    if constraints:
        data["constraints"] = constraints
    return bargain.model_from_dict(data)


def broken_promise_data(
    name: str,
    *,
    parameters: dict[str, object],
    focal_dates: list[object],
    W: dict[str, object],
    A: dict[str, object],
) -> dict[str, object]:
    """The small model of the delay-theory tests, as a model-file dict: W and A split a
    unit (``x`` to W), talks break down with probability 0.05 a period, and A broke a
    promise to W (concession 0.1, promised 0.2, trust 0.9, error 0.1). ``W`` and ``A``
    give each party's other keys (strike payoff, discount rate, demand, ...)."""
    return {
        "model": {"name": name},
        "parameters": parameters,
        "variables": {"x": {"min": 0, "max": 1}},
        "parties": {"W": {"payoff": "x", **W}, "A": {"payoff": "1 - x", **A}},
        "bargaining": {"focal_dates": focal_dates, "breakdown_probability": 0.05},
        "promises": {
            "p": {
                "by": "A",
                "to": "W",
                "concession": 0.1,
                "promised": 0.2,
                "trust": 0.9,
                "error": 0.1,
            }
        },
    }


def shipped(name: str) -> bargain.Model:
    """A model from the models folder."""
    return bargain.load_model(bargain.models_dir() / f"{name}.toml")


@pytest.fixture
def split() -> bargain.Model:
    return shipped("split")


@pytest.fixture
def concave() -> bargain.Model:
    return shipped("concave")


# Solved once per test session (per xdist worker): the flagship's solutions take seconds
# each and several tests read them. Results are frozen dataclasses; tests only read them.
@pytest.fixture(scope="session")
def wga2007_nash() -> bargain.Solution:
    """The Nash solution of the flagship model, ``bargain.nash`` of models/wga2007.toml."""
    return bargain.nash(shipped("wga2007"))


@pytest.fixture(scope="session")
def wga2007_credibility() -> CredibilityReport:
    """``bargain.credibility`` of models/wga2007.toml with its defaults."""
    return bargain.credibility(shipped("wga2007"))


@pytest.fixture
def flagship_briefs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The commands ``bargain brief wga2007`` and ``bargain brief wga2007 --uncertainty 32``
    answer from the flagship case module's cached brief and uncertain brief
    (``bargain.cases.wga2007._brief``, ``._uncertain``: the same calls on the same model,
    which the docs build tabulates) instead of solving the model again; any other model,
    ``--set`` or draw count is solved as usual. The returned list names each brief taken
    from the cache, for the test to check. Used by tests of the docs group, whose worker
    computes those briefs once."""
    import bargain.reporting.brief as briefs
    from bargain.cases import wga2007 as flagship

    taken: list[str] = []
    plain_brief, plain_uncertain = briefs.brief, briefs.uncertain_brief

    def brief(model: bargain.Model, *args: Any, **kwargs: Any) -> Any:
        if model == flagship.model() and not args and not kwargs:
            taken.append("brief")
            return flagship._brief()
        return plain_brief(model, *args, **kwargs)

    def uncertain_brief(model: bargain.Model, n: int, *, seed: int, **kwargs: Any) -> Any:
        drawn = (flagship.UNCERTAIN_DRAWS, flagship.UNCERTAIN_SEED)
        if model == flagship.model() and (n, seed) == drawn and not kwargs:
            taken.append("uncertain")
            return flagship._uncertain()
        return plain_uncertain(model, n, seed=seed, **kwargs)

    monkeypatch.setattr(briefs, "brief", brief)
    monkeypatch.setattr(briefs, "uncertain_brief", uncertain_brief)
    return taken


# Disagreement payoffs for property tests: zero, or well-scaled positive values (a payoff
# below the search tolerance, ~1e-7, is not a well-posed numeric problem).
disagreements = st.one_of(st.just(0.0), st.floats(0.01, 0.3))
