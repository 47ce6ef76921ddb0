"""The generalised Nash solution with a very small bargaining power.

Maximising ``x**w * (V - x)`` over ``x`` in ``[0, V]`` (the generalised Nash product,
Kalai 1977, *Int. J. Game Theory* 6; Roth 1979, *Axiomatic Models of Bargaining*, ch. 1)
gives ``x = V w / (1 + w)``: with a small ``w`` the maximum is within ``w V`` of the bound,
where the log Nash product cannot resolve it in floating point. The solver, the Python API
with ``powers`` and the sweep's ``loop`` route must all find it.
"""

from __future__ import annotations

import math

import mpmath
import pytest

import bargain
from bargain.model.modelfile import model_from_dict

POWERS = [1e-300, 1e-50, 1e-20, 1e-12, 1e-7, 0.5]
SURPLUSES = [1.0, 1e9]
REL = 1e-9


def _model() -> bargain.Model:
    """/tmp tryout's split_pw.toml: W's payoff x with power w, A's V - x with power 1."""
    return model_from_dict(
        {
            "model": {"name": "split_pw"},
            "parameters": {"V": 1e9, "w": 1e-12},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {
                "W": {"payoff": "x", "bargaining_power": "w"},
                "A": {"payoff": "V - x", "bargaining_power": 1},
            },
        }
    )


def _closed(w: float, v: float) -> float:
    """Kalai (1977) / Roth (1979): the first-order condition w/x = 1/(V - x)."""
    return v * w / (1 + w)


def _foc_root(w: float, v: float) -> float:
    """Independent route: the first-order condition ``w (V - x) - x = 0`` solved by
    mpmath's bisection-safeguarded Anderson method in 40 digits on ``[0, V]``."""
    with mpmath.workdps(40):
        wm, vm = mpmath.mpf(w), mpmath.mpf(v)
        return float(mpmath.findroot(lambda x: wm * (vm - x) - x, (0, vm), solver="anderson"))


@pytest.mark.parametrize("v", SURPLUSES, ids=["V1", "V1e9"])
@pytest.mark.parametrize("w", POWERS, ids=[f"w{w:g}" for w in POWERS])
def test_solver_and_api_find_the_closed_form(w, v):
    expected = _closed(w, v)
    assert _foc_root(w, v) == pytest.approx(expected, rel=1e-12)
    m = _model().with_values(w=w, V=v)
    by_field = bargain.nash(m).agreement["x"]
    by_powers = bargain.nash(m, powers={"W": w, "A": 1}).agreement["x"]
    numeric = bargain.nash(m, exact=False).agreement["x"]
    for found in (by_field, by_powers, numeric):
        assert found == pytest.approx(expected, rel=REL)


@pytest.mark.parametrize(
    "w", [1e-300, 1e-50, 1e-20, 1e-12, 5e-7], ids=["w1e-300", "w1e-50", "w1e-20", "w1e-12", "w5e-7"]
)
def test_sweep_loop_agrees_with_numeric_route(w):
    m = _model()
    vary = {"w": (w, 4 * w, 3)}
    loop = bargain.sweep(m, "nash", vary, route="loop")
    auto = bargain.sweep(m, "nash", vary)
    for frame in (loop, auto):
        for wi, x, status in zip(frame["w"], frame["x"], frame["status"], strict=True):
            assert str(status) == "ok"
            assert x == pytest.approx(_closed(wi, 1e9), rel=REL)


def test_split_with_tiny_power_flag():
    # `bargain solve split --power W=1e-300 --power A=1`: x = 1e-300 / (1 + 1e-300).
    s = bargain.nash(
        bargain.load_model(bargain.models_dir() / "split.toml"), powers={"W": 1e-300, "A": 1}
    )
    assert s.agreement["x"] == pytest.approx(1e-300, rel=REL)
    assert math.isfinite(s.payoffs["A"])
