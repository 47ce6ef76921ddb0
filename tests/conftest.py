"""Shared fixtures and model builders for the tests."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st

import bargain

# Derandomised (the same examples on every run) and without the shrink phase, which can
# take minutes on a failing numeric property: the failing example is printed as found.
settings.register_profile(
    "ci",
    deadline=None,
    max_examples=20,
    derandomize=True,
    database=None,
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
settings.load_profile("ci")


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


def shipped(name: str) -> bargain.Model:
    """A model from the models folder."""
    return bargain.load_model(bargain.models_dir() / f"{name}.toml")


@pytest.fixture
def split() -> bargain.Model:
    return shipped("split")


@pytest.fixture
def concave() -> bargain.Model:
    return shipped("concave")


# Disagreement payoffs for property tests: zero, or well-scaled positive values (a payoff
# below the search tolerance, ~1e-7, is not a well-posed numeric problem).
disagreements = st.one_of(st.just(0.0), st.floats(0.01, 0.3))
