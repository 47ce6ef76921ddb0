"""Where kinked functions change piece: the breakpoints of ``min``, ``max``, ``abs`` and
``Piecewise`` on the box of one unknown.

A payoff built from ``min``, ``max``, ``abs`` and ``Piecewise`` is smooth between its
*breakpoints*: where two arguments of a ``min`` or ``max`` are equal, where the argument
of an ``abs`` is zero, where a ``Piecewise`` condition's two sides are equal. A function of
one variable that is smooth between finitely many breakpoints has its maximum on a closed
interval at a bound, at a breakpoint or at a stationary point of a piece (the extreme
value theorem on each piece; e.g. Rockafellar & Wets, *Variational Analysis*, 1998, §10.C
on piecewise-smooth functions), so the breakpoints are the places a local search from a
few starts may step over: a narrow bump ``max(0, 0.01 - abs(x - 0.537))`` lies between the
starts and is flat (zero slope) outside its 0.02 width.

Each *switch function* (the difference that is zero at a breakpoint) that depends on a
single unknown with finite bounds is sampled on a grid of that unknown's interval, the
breakpoints of the switch functions inside it added to the grid first (a switch function
is smooth between them, so that ``abs(x - 0.537) - 0.01`` is sampled at its minimum
``0.537`` whatever the grid's spacing); every sign change is then refined by Brent's
method (``scipy.optimize.brentq``; Brent, *Algorithms for Minimization without
Derivatives*, 1973, ch. 4). The work is bounded by the number of switch functions
(:data:`MAX_SWITCHES`) and the grid (:data:`GRID`), not by time.

Examples
--------
>>> x = sympy.Symbol("x", real=True)
>>> bump = sympy.Max(0, sympy.Rational(1, 100) - sympy.Abs(x - sympy.Rational(537, 1000)))
>>> [round(b, 12) for b in breakpoints([1 - x + bump], (x,), {x: (0.0, 1.0)})[x]]
[0.527, 0.537, 0.547]
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import sympy
from scipy.optimize import brentq

from bargain.model.model import as_expression, lambdify

KINKED = (sympy.Min, sympy.Max, sympy.Abs, sympy.Piecewise)
"""The functions whose pieces :mod:`bargain.axiomatic.program` selects, and whose
breakpoints this module finds."""

GRID = 1025  # points of an unknown's interval where each switch function is sampled
MAX_SWITCHES = 64  # switch functions sampled in one program (the rest are not searched)
MAX_BREAKPOINTS = 64  # breakpoints kept per unknown (the first, in order along it)


def switches(expr: sympy.Expr) -> list[sympy.Expr]:
    """The switch functions of ``expr``: for each ``min`` and ``max`` the differences of
    its arguments, for each ``abs`` its argument, for each ``Piecewise`` condition the
    difference of the sides of each of its relations; inner ones first.

    Examples
    --------
    >>> x = sympy.Symbol("x", real=True)
    >>> switches(sympy.Min(sympy.Abs(x - 1), 2 - x))
    [x - 1, x + Abs(x - 1) - 2]
    >>> switches(sympy.Piecewise((x, x <= sympy.Rational(3, 5)), (1 - x, True)))
    [x - 3/5]
    """
    out: list[sympy.Expr] = []

    def walk(e: sympy.Basic) -> None:
        if not isinstance(e, sympy.Basic) or not e.has(*KINKED):
            return
        for a in e.args:
            walk(a)
        if isinstance(e, sympy.Min | sympy.Max):
            args = e.args
            out.extend(a - b for k, a in enumerate(args) for b in args[k + 1 :])
        elif isinstance(e, sympy.Abs):
            out.append(e.args[0])
        elif isinstance(e, sympy.Piecewise):
            for _, cond in e.args:
                for rel in as_expression(cond).atoms(sympy.core.relational.Relational):
                    out.append(rel.lhs - rel.rhs)

    walk(as_expression(expr))
    return [s for k, s in enumerate(out) if s not in out[:k]]


def breakpoints(
    exprs: Iterable[sympy.Expr],
    unknowns: Sequence[sympy.Symbol],
    box: Mapping[sympy.Symbol, tuple[float, float]],
) -> dict[sympy.Symbol, list[float]]:
    """The breakpoints of the kinked functions in ``exprs`` (numbers but for the
    ``unknowns``), by unknown: the roots in the unknown's interval ``box[v]`` (finite
    bounds) of each switch function (:func:`switches`) of that unknown alone, sorted.
    Switch functions of several unknowns (or of a symbol without a value), and unknowns
    without finite bounds, have none here.

    Examples
    --------
    >>> x = sympy.Symbol("x", real=True)
    >>> kinked = sympy.Rational(1, 10) * sympy.Min(sympy.Abs(x - 0.25), sympy.Abs(x - 0.75))
    >>> [round(b, 12) for b in breakpoints([1 - x + kinked], (x,), {x: (0.0, 1.0)})[x]]
    [0.25, 0.5, 0.75]
    """
    found: dict[sympy.Symbol, list[float]] = {v: [] for v in unknowns}
    seen: list[sympy.Expr] = []
    for e in exprs:
        for s in switches(e):
            if s not in seen:
                seen.append(s)
    for s in seen[:MAX_SWITCHES]:
        (v, *others) = [u for u in unknowns if s.has(u)] or [None]
        if v is None or others or v not in box or s.free_symbols - {v}:
            continue
        lo, hi = box[v]
        if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
            continue
        found[v].extend(_roots(s, v, lo, hi, found[v]))
    return {v: _distinct(points)[:MAX_BREAKPOINTS] for v, points in found.items()}


def linear_pieces(expr: sympy.Expr, x: sympy.Symbol) -> list[tuple[sympy.Expr, sympy.Expr]] | None:
    """Where every breakpoint of ``expr`` in ``x`` is a root of a piece linear in ``x``: each
    such piece of each switch function (:func:`switches`; the inner ``min``, ``max``, ``abs``
    and ``Piecewise`` of a switch function replaced by each of their pieces) as ``(slope,
    value at x = 0)``, expressions in the parameters, so that ``-value / slope`` is a
    candidate breakpoint at any parameter values (a vectorised kernel's check points; a
    piece's root where the piece does not apply is a point too many, never one too few).
    ``None`` where some piece is not linear in ``x`` or a switch function has more than
    :data:`MAX_PIECES` pieces.

    Examples
    --------
    >>> x, c = sympy.symbols("x c", real=True)
    >>> bump = sympy.Max(0, sympy.Rational(1, 100) - sympy.Abs(x - c))
    >>> [-value / slope for slope, value in linear_pieces(1 - x + bump, x)]
    [c, c - 1/100, c + 1/100]
    >>> linear_pieces(sympy.Min(x**2, 1 - x), x) is None
    True
    """
    out: list[tuple[sympy.Expr, sympy.Expr]] = []
    for switch in switches(expr):
        if not switch.has(x):
            continue
        pieces = _smooth(switch)
        if pieces is None:
            return None
        for piece in pieces:
            slope = sympy.diff(piece, x)
            if slope.has(x):
                return None
            if slope != 0 and (slope, piece.xreplace({x: 0})) not in out:
                out.append((slope, piece.xreplace({x: 0})))
    return out


MAX_PIECES = 16  # smooth pieces of one switch function (linear_pieces)


def _smooth(e: sympy.Expr) -> list[sympy.Expr] | None:
    """The smooth pieces of ``e``: each ``min``, ``max``, ``abs`` and ``Piecewise`` in it
    replaced by each of its pieces (``None`` beyond :data:`MAX_PIECES`)."""
    if not isinstance(e, sympy.Basic) or not e.has(*KINKED):
        return [e]
    if isinstance(e, sympy.Piecewise):
        parts = [_smooth(piece) for piece, _ in e.args]
    elif isinstance(e, sympy.Min | sympy.Max):
        parts = [_smooth(a) for a in e.args]
    elif isinstance(e, sympy.Abs):
        inner = _smooth(e.args[0])
        parts = [inner, None if inner is None else [-p for p in inner]]
    else:
        combos = [_smooth(a) for a in e.args]
        if any(c is None for c in combos) or math.prod(len(c) for c in combos) > MAX_PIECES:
            return None
        return [e.func(*args) for args in itertools.product(*combos)]
    if any(p is None for p in parts):
        return None
    flat = [q for p in parts for q in p]
    return flat if len(flat) <= MAX_PIECES else None


def _roots(s: sympy.Expr, v: sympy.Symbol, lo: float, hi: float, known: list[float]) -> list[float]:
    """The roots of ``s`` (in ``v`` alone) in ``[lo, hi]``: its sign changes on a grid of
    :data:`GRID` points and the breakpoints ``known`` so far, each refined by ``brentq``,
    and the grid's points where it is zero."""
    f = lambdify([v], s)
    grid = np.unique(np.concatenate([np.linspace(lo, hi, GRID), [k for k in known if lo < k < hi]]))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = np.broadcast_to(np.asarray(f(grid), dtype=complex), grid.shape)
    real = np.isfinite(values) & (values.imag == 0)
    y = values.real
    out = [float(x) for x, r, w in zip(grid, real, y, strict=True) if r and w == 0]
    for k in np.flatnonzero(real[:-1] & real[1:] & (np.sign(y[:-1]) * np.sign(y[1:]) < 0)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                root = brentq(
                    lambda t: float(np.real(f(t))), grid[k], grid[k + 1], xtol=1e-15, rtol=1e-15
                )
            except (ValueError, RuntimeError):
                continue
        out.append(float(root))
    return out


def _distinct(points: list[float]) -> list[float]:
    """``points`` sorted, one of each cluster within ``1e-12`` of its size."""
    out: list[float] = []
    for p in sorted(points):
        if not out or abs(p - out[-1]) > 1e-12 * (1 + abs(p)):
            out.append(p)
    return out


__all__ = [
    "GRID",
    "KINKED",
    "MAX_BREAKPOINTS",
    "MAX_PIECES",
    "MAX_SWITCHES",
    "breakpoints",
    "linear_pieces",
    "switches",
]
