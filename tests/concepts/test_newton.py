"""Newton's method in many digits with its work bounded (bargain.concepts.newton)."""

from __future__ import annotations

import mpmath
import pytest
import sympy

from bargain.concepts.newton import EVALUATIONS, NewtonStalled, newton, newton_system


def test_newton_finds_the_root_in_the_working_digits():
    # x**2 = 2, x y = 1: (sqrt 2, 1/sqrt 2), checked against mpmath's own sqrt in 40 digits.
    x, y = sympy.symbols("x y")
    system, jacobian = newton_system((x**2 - 2, x * y - 1), (x, y))
    with mpmath.workdps(40):
        root = newton(system, [1, 1], jacobian)
        assert abs(root[0] - mpmath.sqrt(2)) < mpmath.mpf(10) ** -38
        assert abs(root[1] - 1 / mpmath.sqrt(2)) < mpmath.mpf(10) ** -38


def test_newton_system_is_compiled_once_per_system():
    x, y = sympy.symbols("x y")
    assert newton_system((x - 1, y), (x, y)) is newton_system((x - 1, y), (x, y))


def test_newton_gives_up_after_its_evaluations():
    # x**2 + 1 = 0 has no real root: mpmath's damped Newton wanders; counted, it stops.
    x, y = sympy.symbols("x y")
    system, jacobian = newton_system((x**2 + 1, y), (x, y))
    calls = 0

    def counted(*v):
        nonlocal calls
        calls += 1
        return system(*v)

    with mpmath.workdps(30), pytest.raises(NewtonStalled, match="7 evaluations"):
        newton(counted, [2, 0], jacobian, evaluations=7)
    assert calls == 7
    assert issubclass(NewtonStalled, ArithmeticError) and EVALUATIONS >= 100
