"""Equality constraints that repeat each other, and that contradict each other by less
than the search's tolerance (user pass s26, faults 3, 4 and 11)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy
from scipy.optimize import linprog

import bargain
from bargain.axiomatic.program import Program, solve_program
from tests.conftest import two_party

a, b = sympy.symbols("a b", real=True)
BOX = {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}}

# The same line a + b = 1 written again: scaled, twice, squared, three times.
REDUNDANT = {
    "scaled": {"e1": "a + b == 1", "e2": "2*a + 2*b == 2"},
    "twice": {"e1": "a + b == 1", "e2": "a + b == 1"},
    "squared": {"e1": "a + b == 1", "e2": "(a + b)**2 == 1"},
    "three": {"e1": "a + b == 1", "e2": "a == 1 - b", "e3": "3*a + 3*b == 3"},
}

# u_P = a, u_Q = 2 b on a + b = 1 (b = 1 - a): the frontier u_Q = 2 (1 - u_P), ideals
# (1, 2). Closed forms: Nash maximises a (2 - 2 a), a = 1/2 (Nash 1950); KS puts
# u_P / 1 = u_Q / 2, a = 1 - a, a = 1/2 (Kalai & Smorodinsky, Econometrica 43, 1975);
# egalitarian u_P = u_Q, a = 2 (1 - a), a = 2/3 (Kalai, Econometrica 45, 1977);
# utilitarian a + 2 (1 - a) = 2 - a, a = 0.
CLOSED = {
    "nash": 0.5,
    "kalai-smorodinsky": 0.5,
    "egalitarian": 2 / 3,
    "utilitarian": 0.0,
}


def _grid(method: str) -> float:
    """The concept's maximiser on the line b = 1 - a by brute force (an independent route)."""
    x = np.linspace(0, 1, 300001)
    u, v = x, 2 * (1 - x)
    score = {
        "nash": u * v,
        "kalai-smorodinsky": np.minimum(u / 1, v / 2),
        "egalitarian": np.minimum(u, v),
        "utilitarian": u + v,
    }[method]
    return float(x[np.argmax(score)])


def _solve(model: bargain.Model, method: str) -> bargain.Solution:
    return bargain.SOLVERS[method](model)


def _model(constraints: dict[str, str], payoff_q: str = "2*b") -> bargain.Model:
    return two_party("a", payoff_q, variables=BOX, constraints=constraints)


@pytest.mark.parametrize("method", sorted(CLOSED))
@pytest.mark.parametrize("form", sorted(REDUNDANT))
def test_redundant_equalities_give_the_answer_of_one(form, method):
    solution = _solve(_model(REDUNDANT[form]), method)
    assert solution.agreement["a"] == pytest.approx(CLOSED[method], abs=1e-12)
    assert solution.agreement["b"] == pytest.approx(1 - CLOSED[method], abs=1e-12)
    assert solution.agreement["a"] == pytest.approx(_grid(method), abs=1e-5)
    assert solution.unique


def test_redundant_equalities_with_a_cap_ks():
    # u_P = a <= 0.4, u_Q = b on a + b = 1: ideals 0.4 and 1, KS a / 0.4 = 1 - a, a = 2/7.
    constraints = {**REDUNDANT["scaled"], "cap": "a <= 0.4"}
    solution = _solve(_model(constraints, "b"), "kalai-smorodinsky")
    assert solution.agreement["a"] == pytest.approx(2 / 7, abs=1e-12)
    x = np.linspace(0, 0.4, 400001)
    assert solution.agreement["a"] == pytest.approx(
        float(x[np.argmax(np.minimum(x / 0.4, 1 - x))]), abs=1e-5
    )


def test_a_program_with_a_redundant_equality_is_polished_and_exact():
    p = Program(
        2 * b,
        (a, b),
        (sympy.Integer(0),) * 2,
        (sympy.Integer(1),) * 2,
        equalities=(a + b - 1, 2 * a + 2 * b - 2),
        equality_names=("e1", "e2"),
    )
    for start in ([0.5, 0.5], [0.2, 0.3], [0.9, 0.0]):
        r = solve_program(p, {}, starts=[start])
        assert r.polished
        assert r.exact == {a: 0, b: 1}
        assert {"e1", "e2"} <= set(r.active)


def _projection(a_eq, b_eq, a_ub=None, b_ub=None, n=2) -> list[tuple[float, float]]:
    """Each variable's least and largest value on the polytope (linear programs, scipy's
    HiGHS): the range of the utilitarian set where the sum is the same everywhere on it."""
    out = []
    for k in range(n):
        c = np.eye(n)[k]
        lo = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=[(0, 1)] * n).fun
        hi = -linprog(-c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=[(0, 1)] * n).fun
        out.append((lo, hi))
    return out


@pytest.mark.parametrize(
    ("constraints", "a_ub", "b_ub"),
    [
        ({"split": "a + b == 1"}, None, None),
        ({"split": "a + b == 1", "cap": "a <= 0.6"}, [[1, 0]], [0.6]),
        ({"split": "a + b == 1", "floor": "b >= 0.25"}, [[0, -1]], [-0.25]),
    ],
)
def test_the_utilitarian_set_on_an_equality_is_the_whole_line(constraints, a_ub, b_ub):
    # u_P + u_Q = a + b = 1 at every agreement: every feasible one is utilitarian.
    solution = _solve(two_party("a", "b", variables=BOX, constraints=constraints), "utilitarian")
    assert not solution.unique
    expected = _projection([[1, 1]], [1], a_ub, b_ub)
    for name, (lo, hi) in zip("ab", expected, strict=True):
        assert solution.agreement_set[name] == pytest.approx((lo, hi), abs=1e-9)


def test_the_utilitarian_set_on_an_equality_at_a_large_scale():
    v = 1e9
    m = two_party(
        "a",
        "b",
        parameters={"V": v},
        variables={"a": {"min": 0, "max": "V"}, "b": {"min": 0, "max": "V"}},
        constraints={"split": "a + b == V"},
    )
    solution = _solve(m, "utilitarian")
    assert solution.agreement_set["a"] == pytest.approx((0, v), abs=1e-9 * v)
    assert solution.agreement_set["b"] == pytest.approx((0, v), abs=1e-9 * v)


def test_the_utilitarian_set_of_three_parties_on_an_equality():
    m = bargain.model_from_dict(
        {
            "model": {"name": "three"},
            "variables": {k: {"min": 0, "max": 1} for k in "abc"},
            "constraints": {"split": "a + b + c == 1"},
            "parties": {k.upper(): {"payoff": k} for k in "abc"},
        }
    )
    solution = _solve(m, "utilitarian")
    expected = _projection([[1, 1, 1]], [1], n=3)
    for name, ends in zip("abc", expected, strict=True):
        assert solution.agreement_set[name] == pytest.approx(ends, abs=1e-9)


def _pinned(second: str, more: dict[str, str] | None = None) -> bargain.Model:
    return bargain.model_from_dict(
        {
            "model": {"name": "pinned"},
            "variables": {"a": {"min": 0, "max": 1}},
            "constraints": {"eq1": "a == 0.3", "eq2": f"a == {second}", **(more or {})},
            "parties": {"P": {"payoff": "a"}, "Q": {"payoff": "1 - a"}},
        },
        file="pinned.toml",
    )


@pytest.mark.parametrize("method", sorted(CLOSED))
@pytest.mark.parametrize("second", ["0.30000000001", "0.3000000001"])
def test_equations_apart_by_less_than_the_tolerance_are_both_met(method, second):
    # Within 1e-9 of their sides (docs/solutions.md) a = 0.3 meets both equations.
    a_found = _solve(_pinned(second), method).agreement["a"]
    for rhs in (0.3, float(second)):
        assert abs(a_found - rhs) <= 1e-9 * rhs


@pytest.mark.parametrize("method", sorted(CLOSED))
@pytest.mark.parametrize("second", ["0.300000001", "0.30000001", "0.3000001"])
def test_equations_apart_by_more_than_the_tolerance_are_refused_by_name(method, second):
    # 0.3 and 0.3 + 1e-9 .. 1e-7: no a meets both to 1e-9 of their sides (|a - 0.3| and
    # |a - second| cannot both be below 3e-10), however close the search's tolerance lets it.
    model = _pinned(second, {"cap": "a <= 0.9", "floor": "a >= 0.1"})
    with pytest.raises(bargain.FeasibilityError) as info:
        _solve(model, method)
    message = str(info.value)
    assert message.startswith("pinned.toml: [constraints]")
    assert "eq1 (a == 3/10) and eq2" in message
    assert "cap" not in message
    assert "floor" not in message


@pytest.mark.parametrize("method", ["nash", "utilitarian"])
def test_an_equation_and_a_bound_apart_by_more_than_the_tolerance_are_refused(method):
    # a == 0.3 and a <= 0.299999999: no a within 1e-9 of 0.3 (relative) meets the cap.
    m = bargain.model_from_dict(
        {
            "model": {"name": "cap"},
            "variables": {"a": {"min": 0, "max": 1}},
            "constraints": {"eq": "a == 0.3", "cap": "a <= 0.299999999", "floor": "a >= 0.1"},
            "parties": {"P": {"payoff": "a"}, "Q": {"payoff": "1 - a"}},
        }
    )
    with pytest.raises(bargain.FeasibilityError) as info:
        bargain.SOLVERS[method](m)
    message = str(info.value)
    assert "eq (a == 3/10) and cap (a <= 299999999/1000000000) contradict" in message
    assert "floor" not in message
