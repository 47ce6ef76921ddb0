"""The Nash sweep solves every point the scalar solver solves: payoffs that reach the
disagreement payoff exactly at a bound (convex-falling ones included), and payoffs far
from scale 1 or a grid spanning many scales (each point judged at its own scale).

Closed forms: the Nash solution maximises the product of the gains (Nash 1950, "The
Bargaining Problem", *Econometrica* 18(2), 155-162); with W = x and A's payoff below,
x (V - x)**2, x (V - x)**3 and x (V - sqrt(V x)) peak at V/3, V/4 and 4V/9, and
x (1 - x**k) at (k + 1)**(-1/k).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import bargain
from bargain.concepts.vectorised import OK, STATUSES
from bargain.sweeps.compile import compile_kernel


def model(w: str, a: str, parameter: str, value: float, top: str = "V") -> bargain.Model:
    return bargain.model_from_dict(
        {
            "model": {"name": "edge"},
            "parameters": {parameter: value},
            "variables": {"x": {"min": 0, "max": top}},
            "parties": {"W": {"payoff": w}, "A": {"payoff": a}},
        }
    )


def swept(m: bargain.Model, name: str, values: list[float], route: str) -> dict:
    """The sweep's columns, after checking each point's status is the scalar solver's
    (ok: every point here has a Nash solution) and its agreement the scalar one."""
    kernel = compile_kernel(m, "nash", [name], route=route)
    out = kernel({name: np.array(values)})
    assert [STATUSES[s] for s in out["status"]] == ["ok"] * len(values)
    for i, v in enumerate(values):
        sol = bargain.nash(m.with_values({name: v}), exact=False)
        assert out["x"][i] == pytest.approx(sol.agreement["x"], rel=1e-8)
    return out


def test_a_bound_at_the_disagreement_payoff_on_a_curved_frontier():
    # F1: W = log(1 + x) + x, A = (V - x)**2: both bounds give a party exactly its
    # disagreement payoff (0). No closed form: the first-order condition of the log
    # product, (1/(1 + x) + 1)/(log(1 + x) + x) = 2/(V - x), checks the answer.
    m = model("log(1 + x) + x", "(V - x)**2", "V", 1)
    out = swept(m, "V", [1.0, 2.0], "auto")
    for x, v in zip(out["x"], [1.0, 2.0], strict=True):
        foc = (1 / (1 + x) + 1) / (math.log1p(x) + x) - 2 / (v - x)
        assert abs(foc) < 1e-9
        assert 0 < x < v


@pytest.mark.parametrize(
    ("a", "share"),
    [("(V - x)**2", 1 / 3), ("(V - x)**3/V**2", 1 / 4), ("V - sqrt(V*x)", 4 / 9)],
    ids=["square", "cube", "sqrt"],
)
def test_convex_falling_payoffs_on_the_numeric_route(a, share):
    out = swept(model("x", a, "V", 1), "V", [1.0, 2.0], "numeric")
    assert out["x"] == pytest.approx([share, 2 * share], rel=1e-9)


@pytest.mark.parametrize("grid", [[1e-12, 1e12], [1e-12, 2e-12]], ids=["wide", "narrow"])
def test_a_points_answer_does_not_depend_on_the_rest_of_the_grid(grid):
    out = swept(model("x", "(V - x)**2 / V", "V", 1e-7), "V", grid, "closed")
    assert out["x"] == pytest.approx([v / 3 for v in grid], rel=1e-9)


@pytest.mark.parametrize("scale", ["1e-9", "1e-8", "1"])
def test_payoffs_far_from_scale_one(scale):
    # F2: W = s x, A = s (1 - x**k) on [0, 1]; right at every scale s.
    m = model(f"x*{scale}", f"(1 - x**k)*{scale}", "k", 2, top="1")
    ks = [1.0, 2.0, 3.0]
    out = swept(m, "k", ks, "closed")
    assert out["x"] == pytest.approx([(k + 1) ** (-1 / k) for k in ks], rel=1e-9)
    assert out["status"].tolist() == [OK] * 3
