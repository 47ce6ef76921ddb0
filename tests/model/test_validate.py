"""Validate once: an entry point checks a model, the routines below it do not check it again."""

from __future__ import annotations

import pytest

import bargain
from bargain.model import validate
from bargain.sweeps.compile import compile_kernel


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    seen: list[str] = []
    real = validate._validate

    def counted(model: bargain.Model) -> None:
        seen.append(model.name)
        real(model)

    monkeypatch.setattr(validate, "_validate", counted)
    return seen


def test_a_model_is_checked_once_whatever_solves_it(checks: list[str]) -> None:
    model = bargain.load_model(bargain.models_dir() / "split.toml")
    assert checks == ["split"]
    bargain.nash(model)
    bargain.rubinstein(model)
    compile_kernel(model, "nash", ["d_W"])
    assert len(checks) == 1
    bargain.sweep(model, "rubinstein", {"d_W": (0.0, 0.2)}, n=3)
    # The sweep checks new models only: the two corners of its box and its centre.
    assert len(checks) == 1 + 2 + 1


def test_a_changed_model_is_checked_anew(checks: list[str]) -> None:
    model = bargain.load_model(bargain.models_dir() / "split.toml")
    with pytest.raises(bargain.ModelError, match=r"\[parties.W\] discount_factor"):
        bargain.rubinstein(model.with_values(delta_W=1.5))
    assert len(checks) == 2
