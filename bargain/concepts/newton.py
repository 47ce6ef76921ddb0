"""Newton's method for a system of equations in many digits, its work bounded.

mpmath's ``findroot`` (which ``sympy.nsolve`` calls) solves a system of several
equations by a damped Newton method (``MDNewton``): where a step does not lower
the residual's norm, it is halved, and halved again, until it does or the
iterate no longer changes. An iterate with a component exactly zero changes with
every halving, however small the step (mpmath's exponents have no floor), so
where no step lowers the norm (a residual at its least, not zero) the halving
never ends: a polish of the Kalai–Smorodinsky ideal point of
``7 + 1e-9 (1 - x)`` ran for minutes. :func:`newton` counts the system's
evaluations and gives up after :data:`EVALUATIONS` of them, a bound on work done,
not on time, so that the same system gives the same answer on any machine.

Examples
--------
The root of ``x**2 = 2, x y = 1`` near ``(1, 1)``:

>>> import mpmath, sympy
>>> x, y = sympy.symbols("x y")
>>> system, jacobian = newton_system((x**2 - 2, x * y - 1), (x, y))
>>> with mpmath.workdps(30):
...     root = newton(system, [1, 1], jacobian)
>>> mpmath.nstr(root[0], 20), mpmath.nstr(root[1], 20)
('1.4142135623730950488', '0.70710678118654752440')

``x**2 + 1 = 0`` has no real root: refused after the bounded work.

>>> system, jacobian = newton_system((x**2 + 1, y), (x, y))
>>> with mpmath.workdps(30):
...     newton(system, [2, 0], jacobian, evaluations=5)
Traceback (most recent call last):
...
bargain.concepts.newton.NewtonStalled: Newton's method did not converge in 5 evaluations
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import mpmath
import sympy

from bargain.model.model import lambdify

EVALUATIONS = 400  # evaluations of a system before Newton gives up (mpmath takes 10 steps)
KEPT = 256  # systems kept compiled


class NewtonStalled(ArithmeticError):
    """Newton's method evaluated its system :data:`EVALUATIONS` times without converging."""


@functools.lru_cache(maxsize=KEPT)
def newton_system(
    equations: tuple[sympy.Expr, ...], unknowns: tuple[sympy.Symbol, ...]
) -> tuple[Callable[..., mpmath.matrix], Callable[..., mpmath.matrix]]:
    """A system of equations and its Jacobian compiled to mpmath (what ``sympy.nsolve``
    builds on every call), kept for the next solve of the same system.

    Parameters
    ----------
    equations
        The equations ``e = 0``, as expressions in ``unknowns`` alone.
    unknowns
        The unknowns, in the order the compiled functions take them.

    Returns
    -------
    tuple
        The system (a column of ``len(equations)``) and its Jacobian
        (``len(equations)`` by ``len(unknowns)``), each a function of the unknowns.
    """
    column = sympy.Matrix(list(equations))
    return (
        lambdify(unknowns, column, "mpmath"),
        lambdify(unknowns, column.jacobian(list(unknowns)), "mpmath"),
    )


def newton(
    system: Callable[..., Any],
    start: Sequence[Any],
    jacobian: Callable[..., Any],
    *,
    evaluations: int = EVALUATIONS,
) -> list[mpmath.mpc | mpmath.mpf]:
    """A root of ``system`` near ``start`` by mpmath's multidimensional Newton method
    (``findroot``, ``verify=True``) at the working precision, with at most
    ``evaluations`` evaluations of the system.

    Parameters
    ----------
    system, jacobian
        Functions of the unknowns: the equations' values (a sequence or an mpmath
        column) and their Jacobian.
    start
        The starting point, one number per unknown.
    evaluations
        The bound on the system's evaluations.

    Returns
    -------
    list
        The root, one number per unknown.

    Raises
    ------
    NewtonStalled
        After ``evaluations`` evaluations (an ``ArithmeticError``).
    ValueError
        Where mpmath's Newton stops at a point that is no root (``verify``).
    """
    count = 0

    def counted(*v: Any) -> Any:
        nonlocal count
        count += 1
        if count > evaluations:
            raise NewtonStalled(f"Newton's method did not converge in {evaluations} evaluations")
        return system(*v)

    root = mpmath.findroot(counted, list(start), J=jacobian, verify=True)
    return list(root) if isinstance(root, mpmath.matrix) else [root]


__all__ = ["EVALUATIONS", "NewtonStalled", "newton", "newton_system"]
