"""Whether a program is convex, certified by the rules of disciplined convex programming.

A program that maximises a concave function over a convex set (concave inequalities
``g >= 0``, affine equalities, a box) has no local maximum that is not global, and its
maximisers form one convex set: a multi-start search needs no more than the starts that
agree on the maximum (:func:`bargain.axiomatic.program._search`). The certificate reads
the expressions alone, at the parameter values, by the composition rules of disciplined
convex programming (Grant, Boyd & Ye, "Disciplined convex programming", in *Global
Optimization: From Theory to Implementation*, Springer 2006, §3; Boyd & Vandenberghe,
*Convex Optimization*, 2004, §3.2.4): a sum of concave functions is concave, a positive
multiple keeps the curvature and a negative one reverses it, ``log`` and ``x**p``
(``0 < p < 1``) of a concave function are concave, ``exp`` of a convex one and ``x**p``
(``p < 0``) of a concave one are convex, ``min`` of concave ones is concave, ``max`` of
convex ones and ``abs`` of an affine one are convex, an even power of an affine function
is convex. Anything else (a product of two functions of the unknowns, ``Piecewise``, a
power whose exponent holds an unknown) is not certified: ``UNKNOWN`` proves nothing, and
the search then runs from every start. The rules are sufficient, not necessary: a
concave function written otherwise (``log(exp(x) + 1)``'s negative) is not certified.

Examples
--------
>>> x, y, a = sympy.symbols("x y a")
>>> curvature(sympy.log(1 - x) + a * sympy.sqrt(y), {x, y}, {a: 2})
'concave'
>>> curvature(sympy.log(1 - x) + a * sympy.sqrt(y), {x, y}, {a: -2})
'unknown'
>>> curvature(x * y, {x, y}, {})
'unknown'
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping

import sympy

from bargain.model.model import as_expression

CONSTANT, AFFINE, CONVEX, CONCAVE, UNKNOWN = "constant", "affine", "convex", "concave", "unknown"

_NEGATED = {CONSTANT: CONSTANT, AFFINE: AFFINE, CONVEX: CONCAVE, CONCAVE: CONVEX, UNKNOWN: UNKNOWN}


def _sum(parts: Iterable[str]) -> str:
    """The curvature of a sum of terms of these curvatures."""
    kinds = set(parts) - {CONSTANT}
    if not kinds:
        return CONSTANT
    if kinds == {AFFINE}:
        return AFFINE
    for kind in (CONVEX, CONCAVE):
        if kinds <= {AFFINE, kind}:
            return kind
    return UNKNOWN


def _number(value: sympy.Expr) -> sympy.Expr | None:
    """``value`` in 15 digits where it is a finite real number, else ``None``."""
    number = sympy.N(value, 15)
    return number if number.is_number and number.is_real and number.is_finite else None


def _sign(value: sympy.Expr) -> int | None:
    """The sign of a number (``None`` where it is not a real number)."""
    number = _number(value)
    return None if number is None else int(bool(number > 0)) - int(bool(number < 0))


def _composed(outer: str, increasing: bool, inner: str) -> str:
    """The curvature of ``f(inner)`` for ``f`` of curvature ``outer`` (convex or concave)
    and monotone (``increasing``, or decreasing): convex if ``f`` is convex and
    nondecreasing of a convex ``inner`` or nonincreasing of a concave one, and likewise
    for concave (Boyd & Vandenberghe §3.2.4)."""
    if inner == CONSTANT:
        return CONSTANT
    needed = outer if increasing else _NEGATED[outer]
    return outer if inner in (AFFINE, needed) else UNKNOWN


def curvature(
    expr: sympy.Expr, unknowns: set[sympy.Symbol], values: Mapping[sympy.Symbol, sympy.Expr]
) -> str:
    """The curvature of ``expr`` in ``unknowns`` at the parameter ``values``: one of
    ``"constant"``, ``"affine"``, ``"convex"``, ``"concave"`` or ``"unknown"`` (not
    certified). Where a function is defined only on part of the space (``log`` of a
    concave function, a root of one), the curvature is on that part, which is convex.

    >>> x = sympy.Symbol("x")
    >>> root = sympy.sqrt(1 - x)
    >>> [curvature(e, {x}, {}) for e in (3 * x - 1, (1 - x) ** 2, 1 / root, 1 / (1 - x), x**3)]
    ['affine', 'convex', 'convex', 'unknown', 'unknown']
    """
    return _curvature(as_expression(expr), frozenset(unknowns), frozenset(values.items()))


@functools.lru_cache(maxsize=4096)
def _curvature(
    e: sympy.Expr,
    unknowns: frozenset[sympy.Symbol],
    values: frozenset[tuple[sympy.Symbol, sympy.Expr]],
) -> str:
    if not e.free_symbols & unknowns:
        return CONSTANT
    if e in unknowns:
        return AFFINE

    def of(sub: sympy.Expr) -> str:
        return _curvature(sub, unknowns, values)

    if e.is_Add:
        return _sum(of(a) for a in e.args)
    if e.is_Mul:
        varying = [a for a in e.args if a.free_symbols & unknowns]
        if len(varying) != 1:
            return UNKNOWN
        factor = sympy.Mul(*(a for a in e.args if not a.free_symbols & unknowns))
        sign = _sign(factor.xreplace(dict(values)))
        if sign is None:
            return UNKNOWN
        inner = of(varying[0])
        return CONSTANT if sign == 0 else inner if sign > 0 else _NEGATED[inner]
    if e.is_Pow:
        base, exponent = e.args
        if exponent.free_symbols & unknowns:
            return UNKNOWN
        number = _number(exponent.xreplace(dict(values)))
        if number is None:
            return UNKNOWN
        p = float(number)
        # Whole as the compiled code reads it (a float): 3.0000000000000000001 is no
        # integer to sympy, but x**3 in floating point, defined (and not convex) for x < 0.
        integer = p.is_integer()
        inner = of(base)
        if p == 1:
            return inner
        if p == 0:
            return CONSTANT
        if 0 < p < 1:  # concave and increasing where defined (base >= 0)
            return _composed(CONCAVE, True, inner)
        if p < 0:
            # Convex and decreasing where the base is positive, where alone a fractional
            # power is defined; an integer power is defined for a negative base too, where
            # 1/x is concave.
            return UNKNOWN if integer else _composed(CONVEX, False, inner)
        # p > 1 of an affine base: an even power is convex everywhere, a fractional one
        # where defined (base >= 0); an odd one is not convex where the base is negative.
        if inner != AFFINE or (integer and int(p) % 2):
            return UNKNOWN
        return CONVEX
    from sympy.codegen.cfunctions import expm1, log1p  # (where a payoff is rewritten)

    if isinstance(e, sympy.exp | expm1):
        return _composed(CONVEX, True, of(e.args[0]))
    if isinstance(e, sympy.log | log1p):
        return _composed(CONCAVE, True, of(e.args[0]))
    if isinstance(e, sympy.Min):
        return CONCAVE if all(of(a) in (CONSTANT, AFFINE, CONCAVE) for a in e.args) else UNKNOWN
    if isinstance(e, sympy.Max):
        return CONVEX if all(of(a) in (CONSTANT, AFFINE, CONVEX) for a in e.args) else UNKNOWN
    if isinstance(e, sympy.Abs):
        return CONVEX if of(e.args[0]) in (CONSTANT, AFFINE) else UNKNOWN
    return UNKNOWN


def convex_program(
    objective: sympy.Expr,
    inequalities: Iterable[sympy.Expr],
    equalities: Iterable[sympy.Expr],
    unknowns: Iterable[sympy.Symbol],
    values: Mapping[sympy.Symbol, sympy.Expr],
) -> bool:
    """Whether maximising ``objective`` subject to ``g >= 0`` for each of ``inequalities``
    and ``h == 0`` for each of ``equalities`` (and bounds) is certified a convex program:
    the objective concave, each inequality concave, each equality affine.

    >>> x, y = sympy.symbols("x y")
    >>> convex_program(sympy.log(x) + sympy.log(1 - x - y), [1 - x - y], [], [x, y], {})
    True
    >>> convex_program(x + y, [x * y - 1], [], [x, y], {})
    False
    """
    z = set(unknowns)
    return (
        curvature(objective, z, values) in (CONSTANT, AFFINE, CONCAVE)
        and all(curvature(g, z, values) in (CONSTANT, AFFINE, CONCAVE) for g in inequalities)
        and all(curvature(h, z, values) in (CONSTANT, AFFINE) for h in equalities)
    )


__all__ = ["AFFINE", "CONCAVE", "CONSTANT", "CONVEX", "UNKNOWN", "convex_program", "curvature"]
