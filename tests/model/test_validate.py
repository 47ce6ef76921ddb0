"""Validate once: an entry point checks a model, the routines below it do not check it again."""

from __future__ import annotations

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

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


@given(st.lists(st.integers(-3, 3), min_size=6, max_size=6))
def test_surely_nonzero_is_a_disproof(c: list[int]) -> None:
    # A polynomial in x and a parameter a, written as products (not expanded): surely
    # nonzero exactly when its value at a = 2 and the box's centre x = 1/2, worked out
    # here by hand from the coefficients, is not 0; and then it is not zero once simplified.
    # The same polynomial less its expansion is zero, though not as written: never surely
    # nonzero.
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "parameters": {"a": 2},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
        }
    )
    x, a = m.variables[0].symbol, m.parameters[0].symbol
    p = c[0] * (x + 1) * (a - c[1]) + c[2] * (x - c[3]) ** 2 + c[4] * a * (c[5] - x)
    half = sympy.Rational(1, 2)
    by_hand = c[0] * (half + 1) * (2 - c[1]) + c[2] * (half - c[3]) ** 2 + c[4] * 2 * (c[5] - half)
    assert validate.surely_nonzero(m, p) == (by_hand != 0)
    if by_hand != 0:
        assert sympy.simplify(p) != 0
    assert not validate.surely_nonzero(m, p - sympy.expand(p))


def test_a_value_beyond_a_bound_by_less_than_its_rounding_says_by_how_much():
    # 1 + 1e-22 reads "1" at six figures, which is inside (0, 1]: the refusal says by how
    # much it is beyond.
    with pytest.raises(bargain.ModelError, match=r"got 1, above 1 by 1e-22"):
        bargain.model_from_dict(
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {
                    "W": {"payoff": "x", "discount_factor": "1.0000000000000000000001"},
                    "A": {"payoff": "1 - x", "discount_factor": 0.9},
                },
            }
        )
