"""A parameter or variable named as a function of the compiled code (``log``, ``exp``,
``select``, ``less``, ``minimum``, ``sqrt``, ``numpy``, ``math``, ``where``, ``reduce``)
solves and sweeps as the same model with a plain name: the compiled code renames it."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from sympy.printing.numpy import NumPyPrinter

import bargain
from bargain.model.model import lambdify, lambdify_each, reserved

NAMES = ["log", "exp", "select", "less", "minimum", "sqrt", "numpy", "math", "where", "reduce"]
PAYOFFS = {"U": "sqrt({v}) + log(1 + {v})", "F": "min(1 - {v}, {p}) * exp(-{v}/10)"}


def model(variable: str, parameter: str) -> bargain.Model:
    return bargain.model_from_dict(
        {
            "model": {"name": "names"},
            "parameters": {parameter: {"value": 0.6}},
            "variables": {variable: {"min": 0, "max": 1}},
            "parties": {
                p: {"payoff": f.format(v=variable, p=parameter)} for p, f in PAYOFFS.items()
            },
        }
    )


@pytest.fixture(scope="module")
def plain() -> dict[str, object]:
    m = model("w", "c")
    return {
        "nash": bargain.nash(m, exact=False).agreement["w"],
        "egalitarian": bargain.egalitarian(m, exact=False).agreement["w"],
        "sweep": bargain.sweep(m, "nash", vary={"c": (0.2, 0.6, 3)})["w"].to_numpy(),
    }


@pytest.mark.parametrize("role", ["variable", "parameter"])
@pytest.mark.parametrize("name", NAMES)
def test_a_reserved_name_solves_and_sweeps_as_a_plain_one(name, role, plain):
    m = model(name, "c") if role == "variable" else model("w", name)
    var, par = (name, "c") if role == "variable" else ("w", name)
    assert bargain.nash(m, exact=False).agreement[var] == pytest.approx(plain["nash"], rel=1e-12)
    got = bargain.egalitarian(m, exact=False).agreement[var]
    assert got == pytest.approx(plain["egalitarian"], rel=1e-12)
    frame = bargain.sweep(m, "nash", vary={par: (0.2, 0.6, 3)})
    np.testing.assert_allclose(frame[var].to_numpy(), plain["sweep"], rtol=1e-9)


def test_the_minimum_wage_of_the_report():
    """w in [minimum, 1], U = w, F = min(1 - w, 0.6): w (1 - w) on w >= 0.4 peaks at 1/2,
    above the best of 0.6 w below it (0.24 < 0.25): w = 1/2 (Nash 1950)."""
    m = bargain.model_from_dict(
        {
            "model": {"name": "minwage"},
            "parameters": {"minimum": {"value": 0.3}},
            "variables": {"w": {"min": "minimum", "max": 1}},
            "parties": {"U": {"payoff": "w"}, "F": {"payoff": "min(1 - w, 0.6)"}},
        }
    )
    assert bargain.nash(m).agreement["w"] == pytest.approx(0.5, rel=1e-12)
    frame = bargain.sweep(m, "nash", vary={"minimum": (0.1, 0.3, 3)})
    np.testing.assert_allclose(frame["w"].to_numpy(), 0.5, rtol=1e-12)


def test_lambdify_renames_reserved_symbols():
    log, minimum, select = sympy.symbols("log minimum select")
    expr = sympy.log(log) + sympy.Min(minimum, 1) + sympy.Piecewise((select, log > 1), (0, True))
    assert {"log", "minimum", "select", "numpy"} <= reserved("numpy")
    f = lambdify([log, minimum, select], expr, "numpy")
    assert float(f(math.e, 0.5, 2.0)) == pytest.approx(3.5, rel=1e-15)
    (g,) = lambdify_each([((log, minimum, select), expr)], "numpy", _printer())
    assert float(g(math.e, 0.5, 2.0)) == pytest.approx(3.5, rel=1e-15)
    h = lambdify([log], sympy.log(log), "mpmath")
    assert float(h(math.e)) == pytest.approx(1.0, rel=1e-15)


def _printer() -> NumPyPrinter:
    return NumPyPrinter({"fully_qualified_modules": False, "inline": True, "user_functions": {}})


def test_functions_with_a_reserved_name_are_still_written_as_one_module(monkeypatch):
    # The flagship's contract variables e and d are numpy's names (numpy.e): each program's
    # dozens of functions fell back to one sympy.lambdify each (154 compilations in a brief,
    # 0.9 s). They are renamed (_e) and written as one module like any others.
    from bargain.model import model as module

    e, d = sympy.Symbol("e", real=True), sympy.Symbol("d", real=True)
    calls = []
    monkeypatch.setattr(module, "lambdify", lambda *a, **k: calls.append(a))
    f, g = module.lambdify_each(
        [((e, d), e * sympy.exp(d)), (((e, d),), [e - d, sympy.log(e)])], "numpy", NumPyPrinter()
    )
    assert calls == []
    assert float(f(2.0, 0.0)) == 2.0
    assert g((3.0, 1.0)) == [2.0, pytest.approx(1.0986122886681098)]
