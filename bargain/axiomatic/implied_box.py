"""The box of contracts that linear constraints leave, where it is far narrower than the
declared one.

A model may declare bounds far wider than its agreements can reach: ``x`` and ``y`` in
``[0, 1e15]`` with ``x + y <= 1``. The searches measure the contracts in units of the box,
where the feasible triangle is 1e-15 of it: Nash then reported "no agreement improves on
disagreement" and the Kalai–Smorodinsky ideal point "does not exceed the disagreement
point". The bounds that the linear inequalities imply, given the other variables' bounds
(``x <= 1 - min y``; the bound propagation of linear programming presolve: Andersen &
Andersen 1995, *Mathematical Programming* 71, §3), are computed exactly, in rationals at
the model's values; where a variable's implied range is narrower than :data:`WIDER` of
its declared one, its bounds are moved in to the implied range widened by its own width
on each side. No agreement is left out (the implied range holds every feasible one), and
none is added; the widening keeps the new bounds from binding where a constraint does.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({"model": {"name": "m"},
...     "variables": {"x": {"min": 0, "max": 1e15}, "y": {"min": 0, "max": 1e15}},
...     "constraints": {"budget": "x + y <= 1"},
...     "parties": {"A": {"payoff": "x"}, "B": {"payoff": "y"}}})
>>> implied_box(m, rational=False)
{'x': (0, 2), 'y': (0, 2)}
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import sympy

from bargain.model.model import Model, as_expression

WIDER = sympy.Rational(1, 2**10)
"""A variable's implied range narrower than this of its declared one moves its bounds in."""

PASSES = 3
"""Rounds of propagation (each variable's implied bounds feed the others')."""


def _linear(
    expr: sympy.Expr, variables: Sequence[sympy.Symbol], values: dict[sympy.Symbol, sympy.Expr]
) -> tuple[sympy.Rational, list[sympy.Rational]] | None:
    """``expr`` at ``values`` as ``c + sum a_i x_i`` with rational ``c`` and ``a_i``, or
    ``None`` where it is not linear in ``variables`` with rational coefficients."""
    at = expr.xreplace(values)
    if not at.is_polynomial(*variables):  # (a far cheaper test than expanding it)
        return None
    try:
        poly = sympy.Poly(sympy.expand(at), *variables)
    except sympy.PolynomialError:
        return None
    if poly.total_degree() > 1:
        return None
    coefficients = [poly.coeff_monomial(v) for v in variables]
    constant = poly.coeff_monomial(1)
    if not all(c.is_Rational for c in (*coefficients, constant)):
        return None
    return constant, coefficients


def implied_box(
    model: Model, *, rational: bool
) -> dict[str, tuple[sympy.Rational, sympy.Rational]]:
    """The new bounds of each contract variable whose range the model's linear inequalities
    (and, with ``rational``, the parties' linear gains over disagreement, which must be
    non-negative) imply to be narrower than :data:`WIDER` of its declared range: the
    implied range widened by its width on each side, within the declared bounds. Empty
    where none is, or where a bound is not a rational number at the model's values. Kept
    per model (every concept of a brief asks, each solve of a loop at the same values)."""
    return dict(_implied(model, rational))


@functools.lru_cache(maxsize=256)
def _implied(
    model: Model, rational: bool
) -> tuple[tuple[str, tuple[sympy.Rational, sympy.Rational]], ...]:
    """:func:`implied_box`, computed, as the items of its dict (immutable)."""
    values = {p.symbol: p.value for p in model.parameters}
    variables = [v.symbol for v in model.variables]
    lo, hi = [], []
    for v in model.variables:
        a, b = (as_expression(e).xreplace(values) for e in (v.min, v.max))
        if not (a.is_Rational and b.is_Rational) or not a < b:
            return ()
        lo.append(a)
        hi.append(b)
    slacks = [c.slack for c in model.constraints if not c.is_equality]
    if rational:
        slacks += [p.payoff - p.disagreement for p in model.parties]
    rows = [row for s in slacks if (row := _linear(s, variables, values)) is not None]
    if not rows:
        return ()
    new_lo, new_hi = list(lo), list(hi)
    for _ in range(PASSES):
        for constant, a in rows:  # constant + sum a_i x_i >= 0
            for j, aj in enumerate(a):
                if aj == 0:
                    continue
                # the most the others can add: each a_i x_i at its larger end
                rest = constant + sum(
                    (ai * (new_hi[i] if ai > 0 else new_lo[i]) for i, ai in enumerate(a) if i != j),
                    sympy.Integer(0),
                )
                if aj < 0:
                    new_hi[j] = min(new_hi[j], rest / -aj)
                else:
                    new_lo[j] = max(new_lo[j], -rest / aj)
    out = []
    for v, a, b, c, d in zip(model.variables, lo, hi, new_lo, new_hi, strict=True):
        if not c <= d:
            return ()  # empty: the solver refuses it with its own message
        width = d - c
        if 0 < width < WIDER * (b - a):  # (a point is left as declared)
            out.append((v.name, (max(a, c - width), min(b, d + width))))
    return tuple(out)


__all__ = ["PASSES", "WIDER", "implied_box"]
