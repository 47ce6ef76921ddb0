"""Constrained maximisation, numerically and — where sympy can — exactly.

Every axiomatic solution is the maximiser of some objective over the
contract variables (plus auxiliary unknowns) subject to bounds and
constraints. :func:`solve_program` solves such a :class:`Program` in three
steps:

0. **Scale.** Each unknown is measured in a unit of its own size (a power of
   two near its bounds and starting values) and the objective and every
   constraint in a unit of the size of its terms at the starting points
   (:func:`bargain.scale.unit`): the steps below see numbers of order one
   whether the model is in dollars or in billions. Every tolerance is
   relative: to the size of a quantity's own terms at the point (is a
   constraint violated, does it bind) or to one of these units. A search
   that cannot be polished is repeated in the units of the point it found
   (a *zoom*, for a box far wider than the optimum's own scale).
1. **Numeric search.** scipy's SLSQP from several starting points; the best
   feasible local maximum wins.
2. **Polish.** The bounds and constraints that bind there (the *active set*)
   turn the Karush–Kuhn–Tucker conditions into a square system of equations,
   solved by Newton's method in 30-digit arithmetic (``sympy.nsolve``,
   i.e. mpmath's ``findroot``) from the SLSQP point. This takes the answer
   from SLSQP's ~1e-8 to machine precision. ``min``, ``max``, ``abs`` and
   ``Piecewise`` are replaced by the pieces that apply at the SLSQP point; where
   it sits on a kink, the kink (the two pieces equal) binds as one more equation,
   so a kink can be the answer.

   Steps 1 and 2 run code compiled once per program, with the parameters as arguments
   (the values are passed at each solve), so a model with new parameter values compiles
   nothing; a program with kinks or functions numpy lacks is compiled at its values.
3. **Exact.** The same KKT system with the parameters kept as symbols is
   handed to ``sympy.solve``, within the solve's work budget
   (:mod:`bargain.concepts.budget`). The candidate that agrees with the
   polished numeric point is the closed form, valid wherever the active set
   stays the same.

Examples
--------
Maximise ``log(x) + log(1 - x)`` on ``[0, 1]``:

>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> p = Program(objective=sympy.log(x) + sympy.log(1 - x), unknowns=(x,),
...             lower=(sympy.Integer(0),), upper=(sympy.Integer(1),))
>>> r = solve_program(p, {}, starts=[[0.3]])
>>> r.exact[x], round(r.point[x], 12)
(1/2, 0.5)
"""

from __future__ import annotations

import cmath
import contextlib
import dataclasses
import functools
import math
import sys
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy
from scipy.optimize import (
    Bounds,
    NonlinearConstraint,
    brentq,
    least_squares,
    lsq_linear,
    minimize,
)
from sympy.codegen.cfunctions import expm1, log1p
from sympy.printing.codeprinter import CodePrinter
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import MpmathPrinter

from bargain.axiomatic.breakpoints import KINKED, breakpoints
from bargain.axiomatic.curvature import convex_program
from bargain.concepts.budget import Budget, exact_budget, huge_power
from bargain.concepts.newton import newton, newton_system
from bargain.errors import FeasibilityError, SolverError, UndefinedPayoffError
from bargain.model.expr import derivative, expressible, rebuilt
from bargain.model.model import accurate, as_expression, lambdify, lambdify_each, printed_once
from bargain.scale import ROUNDING, magnitude, unit

# Tolerances, relative to the size of each quantity's own terms at the point (or, for
# BOUND_TOL and ACTIVE_TOL's second test, to one unit of :class:`Scale`).
FEASIBILITY_TOL = 1e-9  # a polished point must satisfy every constraint to this
SEARCH_TOL = 1e-7  # an SLSQP end point may miss a binding constraint by this much
ACTIVE_TOL = 1e-6  # a constraint this close to zero at the SLSQP point binds
EMPTY_TOL = 1e-4  # a feasible set whose least violation found is larger than this is empty
POLISH_ROUNDS = 12  # Newton polishes in 30 digits from each other's point: 12 x 30 > 308 digits
DEPENDENT_TOL = 1e-6  # a unit gradient this near the span of the other binding ones is dependent
BOUND_TOL = 1e-10  # an unknown this close to a bound sits on it (SLSQP clips to bounds)
MATCH_TOL = 1e-6  # a closed form must reproduce the numeric answer to this
MULTIPLIER_TOL = 1e-9  # a multiplier of the wrong sign by this much (relative) is no maximum
ZOOMS = 8  # searches again, each in the units of the point found, when the polish fails
GAIN = sympy.Symbol("_t", real=True)  # the common gain of the common-gain programs
TIE_TOL = 1e-9  # two maxima this close in value (relative) are tied
COMPILED = 256  # programs (with their parameter values and units) kept compiled
BASIN_POINTS = 8  # points on the segment from a start to a maximum found (see _search)
WIDE = 1e6  # a box this many times wider than a start may hide a set in its units
NEAR = 1e-3  # of each unknown's width, the neighbourhood where a tied maximum is checked
INWARD = 1e-6  # of its width, a start is moved off a bound the objective's slope is infinite at
STATIONARY_TOL = 1e-3  # an unpolished point this far (in its units) from stationary: no maximum
CURVATURE_STEP = 1e-4  # the step (in the search's units) the objective's curvature is taken over
FAINT = 1e-6  # an objective's change, or an unknown's effect, below this (relative) is faint
SAMPLES = 3  # points of the box where an equality's gradient is tried for independence


@dataclass(frozen=True)
class Program:
    """Maximise ``objective`` over ``unknowns`` subject to bounds and constraints.

    All expressions may contain parameter symbols, which :func:`solve_program`
    substitutes for the numeric steps and keeps for the exact one.

    Attributes
    ----------
    objective
        Expression to maximise.
    unknowns
        The symbols to choose.
    lower, upper
        Bounds of each unknown (``-oo`` / ``oo`` for none).
    inequalities
        Expressions that must be ``>= 0``, with ``inequality_names`` for reports.
    equalities
        Expressions that must be ``== 0``.
    """

    objective: sympy.Expr
    unknowns: tuple[sympy.Symbol, ...]
    lower: tuple[sympy.Expr, ...]
    upper: tuple[sympy.Expr, ...]
    inequalities: tuple[sympy.Expr, ...] = ()
    inequality_names: tuple[str, ...] = ()
    equalities: tuple[sympy.Expr, ...] = ()
    equality_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProgramResult:
    """The maximiser of a :class:`Program`.

    Attributes
    ----------
    point
        Numeric value of every unknown (polished when possible).
    exact
        Closed form of every unknown in the parameters, or ``None``.
    active
        Names of the bounds and constraints that bind.
    polished
        Whether the KKT Newton polish converged.
    objective
        The objective's value there.
    declined
        Why the exact route gave up (its work budget), or ``None``.
    ties
        Other maximisers, as good as ``point`` to working precision and apart from
        it, with worse points between (separate maxima, not one flat set); found
        by the multi-start search, numeric and polished.
    digits
        The unknowns to more digits than a float holds, where a route found them so and
        there is no closed form: the payoffs are computed there, not at ``point``'s
        rounding (``x`` against ``1e15 (1 - x)``: floats hold ``1 - x`` at ``x = 1e15 /
        (1e15 + 1)`` to 4 digits). ``None`` otherwise.
    stationarity
        Where ``point`` is not polished, how far it is from a point that meets the
        first-order conditions of a maximum, in the search's units (:func:`_stationarity`:
        0 where it meets them, ``inf`` where the objective is not concave towards one,
        ``nan`` where no slope tells: a kink, an infinite slope); 0 where it is polished.
    """

    point: dict[sympy.Symbol, float]
    exact: dict[sympy.Symbol, sympy.Expr] | None
    active: tuple[str, ...]
    polished: bool
    objective: float = field(default=math.nan)
    declined: str | None = None
    ties: tuple[dict[sympy.Symbol, float], ...] = ()
    digits: dict[sympy.Symbol, sympy.Float] | None = None
    stationarity: float = 0.0


def _scale(values: Sequence[float]) -> float:
    """``1 + max |value|``: a tolerance's reference for numbers already in :class:`Scale`
    units (so the ``1`` is one unit of the problem, not an absolute floor)."""
    return 1.0 + max((abs(v) for v in values if math.isfinite(v)), default=0.0)


def _finite(values: object) -> list[float]:
    """The absolute values of the finite real numbers among ``values``."""
    v = np.asarray(values, dtype=complex).ravel()
    return [abs(t) for t in v if np.isfinite(t) and t.imag == 0]


def _summands(expr: sympy.Expr, unknowns: tuple[sympy.Symbol, ...]) -> list[sympy.Expr]:
    """The summands of ``expr`` as they are at any parameter values: its terms, a
    coefficient in the parameters alone distributed over a sum it multiplies, the terms with
    the same part in the unknowns collected (their coefficients added) and the terms in the
    parameters alone as one — what sympy makes of the terms when the parameters are
    rational numbers (``(1 - exp(-a x))/a`` at ``a = 2`` is ``1/2 - exp(-2 x)/2``).

    The summands give sizes (the rounding a value is judged against), not the sum. Each
    of these is a summand as well:

    - where a float is among several terms in the parameters alone, each of them (a float
      stands for a computed value: a sum held at its maximum ``L = 1.0e9`` by ``total - L
      >= 0``, with ``S = 1e9`` in ``total``: ``S - L`` is 0 at the values, but its miss is
      a rounding of ``S``, not of 0);
    - a ``log`` term's coefficient, the size of its rounding;
    - a ``log1p(u)`` or ``expm1(u)`` term's coefficient times each of ``u``'s summands
      times its slope, the size of its rounding where it is near 0;
    - a product with a sum: each of the sum's summands times the other factors.

    A ``min``, ``max``, ``abs`` or ``Piecewise`` of the unknowns is as large as its pieces'
    terms, whichever piece applies: its summands are each piece's (not collected across
    pieces, which may cancel), so that a kink's value at its root is zero relative to the
    numbers it was computed from. (As one summand, its size would be its own value, and at
    a root any rounding would be a violation of 100%.)

    >>> a, b, x = sympy.symbols("a b x")
    >>> _summands((1 - sympy.exp(-a * x)) / a + b * x + a * x - b, (x,))
    [-b + 1/a, x*(a + b), -exp(-a*x)/a]
    >>> _summands(a - x**2 - sympy.Float(2.5), (x,))  # a level 2.5 of a sum a - x**2
    [a - 2.5, -x**2, -2.50000000000000, a]
    >>> _summands(a * x * (a - x), (x,))  # a product with a sum: each of its terms too
    [a*x*(a - x), a**2*x, -a*x**2]
    >>> _summands(2 * sympy.Min(a - x, 2 * a - 3 * x), (x,))
    [-2*x, 2*a, -6*x, 4*a]
    >>> _summands(a * sympy.log(x) / 2, (x,))
    [a*log(x)/2, a/2]
    >>> _summands(a * log1p((a - x) / a), (x,))  # log(1 + (a - x)/a), accurately
    [a*log1p((a - x)/a), a/(1 + (a - x)/a), -x/(1 + (a - x)/a)]
    """
    collected: dict[sympy.Expr, sympy.Expr] = {}
    pieces: list[sympy.Expr] = []
    constants: list[sympy.Expr] = []

    def add(expr: sympy.Expr, coefficient: sympy.Expr) -> None:
        for term in sympy.Add.make_args(expr):
            c, rest = term.as_independent(*unknowns, as_Add=False)
            if rest.is_Add:
                add(rest, coefficient * c)
            elif isinstance(rest, KINKED):
                for piece in _branches(rest):
                    pieces.extend(_summands(coefficient * c * piece, unknowns))
            else:
                collected[rest] = collected.get(rest, sympy.Integer(0)) + coefficient * c
                if rest == 1:
                    constants.append(coefficient * c)
                for f in rest.args if rest.is_Mul else ():
                    if f.is_Add:
                        # A product with a sum rounds by the sum's rounding times the other
                        # factors: each of the sum's summands so multiplied (a square root
                        # less 1, as :func:`accurate` writes it, ``2 r/(sqrt(1 + 2 r/S) +
                        # 1)`` with ``r = S - a - b`` at ``r = 0``: a rounding of ``S``).
                        other = coefficient * c * rest / f
                        pieces.extend(other * t for t in _summands(f, unknowns))
                if isinstance(rest, sympy.log):
                    # A logarithm rounds by its argument's relative rounding: absolutely, a
                    # unit of its coefficient, however small its value (log(x + y) at
                    # x + y = 1, a log Nash product at its maximum 0).
                    pieces.append(coefficient * c)
                elif isinstance(rest, log1p | expm1):
                    # log1p(u) and expm1(u), log(1 + u) and exp(u) - 1 as :func:`accurate`
                    # writes them, are near 0 where u is, and round by u's rounding times
                    # their slope, 1/(1 + u) and 1 + expm1(u): each of u's summands so
                    # multiplied, times the coefficient (S log(1 + (S - a - b - c)/S) on
                    # the face a + b + c = S is a rounding of S, not of its value there, 0).
                    (u,) = rest.args
                    slope = 1 / (1 + u) if isinstance(rest, log1p) else 1 + rest
                    pieces.extend(coefficient * c * t * slope for t in _summands(u, unknowns))

    add(as_expression(expr), sympy.Integer(1))
    rounded = len(constants) > 1 and any(t.has(sympy.Float) for t in constants)
    return [c * rest for rest, c in collected.items()] + pieces + (constants if rounded else [])


def _branches(kinked: sympy.Expr) -> tuple[sympy.Expr, ...]:
    """The pieces of a ``min``, ``max``, ``abs`` or ``Piecewise`` (without the conditions)."""
    if isinstance(kinked, sympy.Piecewise):
        return tuple(e for e, _ in kinked.args)
    return tuple(kinked.args)


def _at(expr: sympy.Expr, subs: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """``expr`` at the parameter values ``subs``, its constant function values (e.g. a
    LambertW in a closed-form level that another program passes on) as 30-digit numbers:
    numpy has no LambertW to compile.

    >>> a, x = sympy.symbols("a x")
    >>> _at(sympy.LambertW(a) + x, {a: 1})
    x + 0.567143290409783872999968662...
    """
    return (
        as_expression(expr)
        .xreplace(dict(subs))
        .replace(
            lambda n: isinstance(n, sympy.Function) and not n.free_symbols,
            lambda n: sympy.N(n, 30),
        )
    )


def _relative(excess: float, size: float) -> float:
    """``excess`` relative to ``size`` (an excess of zero is zero whatever the size; one
    that is not a number, where a constraint is undefined, is infinite).

    >>> _relative(-1.0, 2.0), _relative(1.0, 2.0), _relative(math.nan, 2.0)
    (0.0, 0.5, inf)
    """
    if math.isnan(excess):
        return math.inf
    if excess <= 0:
        return 0.0
    return excess / size if size > 0 else math.inf


@dataclass(frozen=True)
class Scale:
    """The units a program is solved in: one per unknown, the objective and each constraint.

    Each is a power of two (:func:`bargain.scale.unit`), so converting is exact.

    Attributes
    ----------
    unknowns
        Unit of each unknown: the size of its finite bounds and starting values.
    objective, inequalities, equalities
        Unit of each function: the size of its terms (the summands of its
        expression) at the starting points, the numbers whose rounding its
        value carries.

    Examples
    --------
    A split of a surplus of 1e9: the unknown and the constraint are measured in 2**30.

    >>> x = sympy.Symbol("x", real=True)
    >>> p = Program(objective=sympy.log(x), unknowns=(x,), lower=(sympy.Integer(0),),
    ...             upper=(sympy.Integer(10**9),), inequalities=(10**9 - x,))
    >>> s = Scale.of(p, {}, [[5e8]])
    >>> s.unknowns, s.inequalities
    ((1073741824.0,), (1073741824.0,))
    """

    unknowns: tuple[float, ...]
    objective: float
    inequalities: tuple[float, ...]
    equalities: tuple[float, ...]

    @classmethod
    def of(
        cls,
        program: Program,
        subs: Mapping[sympy.Symbol, sympy.Expr],
        starts: Sequence[Sequence[float]],
        *,
        around: Scale | None = None,
        where_feasible: bool = False,
    ) -> Scale:
        """The units of ``program`` at the parameter values ``subs``, seen from ``starts``.

        With ``around``, the units of a *zoom*: from ``starts`` alone (not the bounds),
        keeping ``around``'s unit wherever the starts show no scale (all zero). With
        ``where_feasible``, each function's unit is the size of its terms at the starts
        that meet the constraints, where at all the starts they would be below the
        search's tolerance there (the unknowns' units are the box's still).
        """
        z = program.unknowns
        points = [np.asarray(s, dtype=float) for s in starts]

        def bound(b: sympy.Expr) -> float:
            return float(as_expression(b).xreplace(dict(subs)))

        def box(i: int) -> list[float]:
            return [] if around else [bound(program.lower[i]), bound(program.upper[i])]

        compiled, at = _compiled(program, subs)
        values = compiled.values(at)
        feasible = [p for p in points if where_feasible and _meets(compiled, p, values)]

        def size(terms: Callable[..., Any], default: float) -> float:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                found = [t for p in points for t in _finite(terms(p, values))]
                where = [t for p in feasible for t in _finite(terms(p, values))]
            inside = magnitude(where)
            if 0 < inside < SEARCH_TOL * magnitude(found):
                return unit(where)
            return unit(found, default)

        old = around or cls(
            (1.0,) * len(z),
            1.0,
            (1.0,) * len(program.inequalities),
            (1.0,) * len(program.equalities),
        )
        # A zoom's unknown that is zero at every start takes the starts' own size where that
        # is smaller than its unit before: x = 0 beside a gain t = 0.8, where the unit of a
        # box 1e15 wide hides the x = 0.06 an infinite slope at x = 0 leads to.
        shown = unit([v for p in points for v in p], math.inf) if around else math.inf
        unknowns = tuple(
            unit([*box(i), *(p[i] for p in points)], min(old.unknowns[i], shown))
            for i in range(len(z))
        )
        objective = size(compiled.f_terms, old.objective)

        def slope(p: np.ndarray) -> float:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                d = _finite(compiled.df(p, values))
            return float(np.dot(d, unknowns)) if len(d) == len(z) else math.nan

        # A zoom's objective that is faint at the point found (the log Nash product of
        # 5 + 1e-9 x and 7 + 1e-9 (1 - x): its terms are 5 and 7, its change across the box
        # 1e-9 of them) is measured in the unit of its change there, its slope times each
        # unknown's unit: in the unit of its terms SLSQP's steps change it by less than its
        # tolerance, and it stopped where it started. Only a zoom's, and only a slope above
        # its own rounding: at a start on a maximiser's level set the slope is rounding
        # (one search polishes there).
        change = magnitude(slope(p) for p in points)
        if around and 0 < change < FAINT * objective:
            # Above the rounding of the slope itself (its derivative's summands): L + x at
            # L = 1e13 changes by 1e-13 of its terms, its slope 1 exactly.
            rounding = magnitude(
                ROUNDING * float(np.dot(compiled.gradient_sizes(p, at), unknowns)) for p in points
            )
            if change > 64 * rounding:
                objective = unit([change])
        return cls(
            unknowns=unknowns,
            objective=objective,
            inequalities=tuple(
                size(g, u) for g, u in zip(compiled.g_terms, old.inequalities, strict=True)
            ),
            equalities=tuple(
                size(h, u) for h, u in zip(compiled.h_terms, old.equalities, strict=True)
            ),
        )

    def unfaint(self, num: _Numeric, z: np.ndarray) -> Scale:
        """These units with each *faint* unknown's made larger: one whose largest effect at
        the point ``z`` (in these units) on the objective and on the constraints that bind
        there, each in its unit, is below :data:`FAINT` (and above rounding) is measured in
        the unit that makes that effect one.

        Such an unknown moves its functions by less than SLSQP's steps can see: x and y,
        beside the least gain ``t``, in ``t <= 3 + 1e-9 (1 - x - y)`` (the other gains of
        5 and 7 and ``x + y <= 1`` slack). SLSQP's first step, from its unit model of the
        curvature, moves ``t`` by the square of that effect, 1e-19, below its tolerance, and
        it stops at its start; in the larger unit it reaches ``x = y = 0``."""
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = [np.asarray(num._df(z), dtype=complex), *num.binding_gradients(z)[0]]
        effects = np.nan_to_num(np.abs(np.array(rows)), nan=0.0, posinf=np.inf).max(axis=0)
        units = tuple(
            u * unit([1.0 / e]) if 64 * ROUNDING < e < FAINT else u
            for u, e in zip(self.unknowns, effects, strict=True)
        )
        return dataclasses.replace(self, unknowns=units)

    def to_units(self, program: Program, expr: sympy.Expr, unit_of: float) -> sympy.Expr:
        """``expr`` in scaled unknowns (``x = unit_x * y``), divided by ``unit_of``."""
        sub = {
            v: sympy.Rational(s) * v for v, s in zip(program.unknowns, self.unknowns, strict=True)
        }
        return as_expression(expr).xreplace(sub) / sympy.Rational(unit_of)

    def point(
        self, program: Program, y: Mapping[sympy.Symbol, float], num: _Numeric | None = None
    ) -> dict[sympy.Symbol, float]:
        """A point in scaled unknowns back in the program's own; with ``num`` (the program
        compiled in these units), each unknown first moved into its bounds: a point a
        rounding outside a bound (a transfer at -5e-14 of its floor 0, where a polish's
        active set left the bound out) is at the bound."""
        if num is not None:
            y = {
                v: min(max(y[v], lo), hi)
                for v, lo, hi in zip(program.unknowns, num.lo, num.hi, strict=True)
            }
        return {v: s * y[v] for v, s in zip(program.unknowns, self.unknowns, strict=True)}


def _meets(compiled: _Compiled, x: np.ndarray, values: Sequence[float]) -> bool:
    """Whether the point ``x`` (in the program's units) meets the program's constraints to
    ``SEARCH_TOL`` of each one's terms there."""
    pairs = [
        *((g, t, False) for g, t in zip(compiled.g, compiled.g_terms, strict=True)),
        *((h, t, True) for h, t in zip(compiled.h, compiled.h_terms, strict=True)),
    ]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for fn, terms, equal in pairs:
            value = complex(fn(x, values))
            size = magnitude(_finite(terms(x, values)))
            miss = abs(value.real) if equal else -value.real
            if not (math.isfinite(value.real) and miss <= SEARCH_TOL * size):
                return False
    return True


@functools.lru_cache(maxsize=COMPILED)
def gradient(expr: sympy.Expr, unknowns: tuple[sympy.Symbol, ...]) -> tuple[sympy.Expr, ...]:
    """The derivatives of ``expr`` (in the parameters) by each unknown, taken once for all
    expressions that differ only in their numbers (:func:`_canonical_numbers`: the stages
    of a credibility report, whose trust level is written into the payoffs as a number,
    share one symbolic differentiation).

    >>> x = sympy.Symbol("x")
    >>> gradient(sympy.log(x - sympy.Rational(1, 3)) + x / 5, (x,))
    (1/5 + 1/(x - 1/3),)
    """
    (canonical,), numbers = _canonical_numbers((as_expression(expr),))
    slopes = _derivatives(canonical, unknowns)
    back = dict(numbers)
    return tuple(s.xreplace(back) for s in slopes) if back else slopes


@functools.lru_cache(maxsize=COMPILED)
def _derivatives(expr: sympy.Expr, unknowns: tuple[sympy.Symbol, ...]) -> tuple[sympy.Expr, ...]:
    return tuple(derivative(expr, v) for v in unknowns)


def _key(subs: Mapping[sympy.Symbol, sympy.Expr]) -> frozenset[tuple[sympy.Symbol, sympy.Expr]]:
    """Parameter values as a key of a cache."""
    return frozenset(subs.items())


@functools.lru_cache(maxsize=COMPILED)
def _elementary(program: Program) -> bool:
    """Whether ``program`` is compiled once with its parameters as arguments: no ``min``,
    ``max``, ``abs`` or ``Piecewise`` (whose pieces are chosen at the values) and no function
    but ``exp`` and ``log`` (numpy has no LambertW, which sympy evaluates at the values)."""
    exprs = [as_expression(e) for e in (program.objective, *program.inequalities)]
    exprs += [as_expression(e) for e in program.equalities]
    return not any(e.has(*KINKED) for e in exprs) and all(
        isinstance(f, (sympy.exp, sympy.log)) for e in exprs for f in e.atoms(sympy.Function)
    )


@functools.lru_cache(maxsize=COMPILED)
def _at_values(program: Program, subs: frozenset[tuple[sympy.Symbol, sympy.Expr]]) -> Program:
    """``program`` at the parameter values ``subs`` (:func:`_at`): a program without
    parameters, for one that is not :func:`_elementary` (compiled at each set of values)."""
    at = dict(subs)
    return dataclasses.replace(
        program,
        objective=_at(program.objective, at),
        inequalities=tuple(_at(g, at) for g in program.inequalities),
        equalities=tuple(_at(h, at) for h in program.equalities),
    )


def _compiled(
    program: Program, subs: Mapping[sympy.Symbol, sympy.Expr]
) -> tuple[_Compiled, dict[sympy.Symbol, sympy.Expr]]:
    """The compiled form of ``program``, to be evaluated at ``subs``, and the values of its
    parameters: compiled once with the parameters as arguments when it is
    :func:`_elementary` (and its numbers, :func:`_canonical`), else at the values."""
    if not _elementary(program):
        return _compile(_at_values(program, _key(subs))), dict(subs)
    canonical, numbers = _canonical(program)
    return _compile(canonical), {**subs, **dict(numbers)}


@functools.lru_cache(maxsize=COMPILED)
def _canonical(
    program: Program,
) -> tuple[Program, tuple[tuple[sympy.Symbol, sympy.Rational], ...]]:
    """``program`` with each number in its functions that is neither an integer nor an
    exponent made a symbol of its own (``_q0``, ``_q1``, … by first appearance, the same for
    the same number), and their values: programs that differ only in such numbers — a
    credibility report's stages, whose trust level is written into the payoffs as a
    number — are compiled once for all. An exponent is kept (``x**(1/2)`` is compiled as a
    square root, and its derivative is another power), and so are integers. The bounds are
    left out (none, ``()``): the compiled functions and KKT systems do not read them (the
    searches take them from the program itself, :class:`_Numeric`), and programs that differ
    only in them — a narrow box of contracts measured in its own unit, whose upper bound
    is another rational at each model — are compiled once for all.

    >>> x, a = sympy.symbols("x a")
    >>> p = Program(objective=sympy.sqrt(x) - 3 * x / 4 + a / 4, unknowns=(x,),
    ...             lower=(sympy.Integer(0),), upper=(sympy.Integer(1),))
    >>> q, numbers = _canonical(p)
    >>> q.objective, numbers, q.lower, q.upper
    (_q0*x + _q1*a + sqrt(x), ((_q0, -3/4), (_q1, 1/4)), (), ())
    """
    exprs = [as_expression(e) for e in (program.objective, *program.inequalities)]
    exprs += [as_expression(e) for e in program.equalities]
    (objective, *rest), numbers = _canonical_numbers(tuple(exprs))
    n = len(program.inequalities)
    canonical = dataclasses.replace(
        program,
        objective=objective,
        lower=(),
        upper=(),
        inequalities=tuple(rest[:n]),
        equalities=tuple(rest[n:]),
    )
    return canonical, numbers


def _canonical_numbers(
    exprs: tuple[sympy.Expr, ...],
) -> tuple[tuple[sympy.Expr, ...], tuple[tuple[sympy.Symbol, sympy.Rational], ...]]:
    """``exprs`` with each number that is neither an integer nor an exponent made a symbol
    of its own (:func:`_canonical`), and the symbols' values."""
    stem = _apart("_q", {str(s) for e in exprs for s in e.free_symbols})
    numbers: dict[sympy.Rational, sympy.Symbol] = {}
    done: dict[sympy.Basic, sympy.Basic] = {}  # each subexpression once; rebuilt if it changed

    def walk(e: sympy.Expr) -> sympy.Expr:
        if e in done:
            return done[e]
        if e.is_Rational and not e.is_Integer:
            if e not in numbers:
                numbers[e] = sympy.Symbol(f"{stem}{len(numbers)}", real=True)
            out = numbers[e]
        else:
            old = e.args[:1] if e.is_Pow else e.args
            new = [walk(a) for a in old]
            changed = any(a is not b for a, b in zip(new, old, strict=True))
            out = rebuilt(e, [*new, *e.args[len(old) :]]) if changed else e
        done[e] = out
        return out

    return tuple(walk(e) for e in exprs), tuple((q, r) for r, q in numbers.items())


@functools.lru_cache(maxsize=COMPILED)
def _compile(program: Program) -> _Compiled:
    return _Compiled(program)


class _Compiled:
    """A program compiled to numpy with its parameters as arguments: each function of
    ``(x, c)``, the unknowns in the program's own units and the program's *constants* at
    the parameter values (:meth:`values`: its parts in the parameters alone, evaluated once
    per set of values, :class:`_Hoisted`). Build it with :func:`_compiled`, which keeps it
    per program: every set of parameter values uses the same code.

    Attributes
    ----------
    params
        The parameters the program's functions use, by name.
    f, df, g, dg, h, dh
        The objective, the inequalities and the equalities, and their gradients (each
        derivative taken once, in the parameters).
    f_terms, g_terms, h_terms
        Their summands (:func:`_summands`): the numbers whose rounding their values carry.
    kinked
        Whether any of them has a ``min``, ``max``, ``abs`` or ``Piecewise``.
    """

    def __init__(self, program: Program) -> None:
        z = program.unknowns
        self.program = program
        # Written as computed accurately (expm1, log1p) before anything is taken from them:
        # the gradients, and the summands whose size is a value's rounding.
        exprs = [accurate(as_expression(e)) for e in (program.objective, *program.inequalities)]
        exprs += [accurate(as_expression(e)) for e in program.equalities]
        symbols: set[sympy.Symbol] = set().union(*(e.free_symbols for e in exprs))
        self.params = tuple(sorted(symbols - set(z), key=str))
        self.kinked = any(e.has(*KINKED) for e in exprs)
        consts: dict[sympy.Expr, sympy.Symbol] = {}
        hoist = _Hoisted(set(self.params), consts, _apart("_c", {str(s) for s in symbols}))

        # Each function as a list of expressions, hoisted; compiled once all are.
        n = len(program.inequalities)
        f, gs, hs = exprs[0], exprs[1 : 1 + n], exprs[1 + n :]
        parts = {
            "f": hoist(f),
            "df": [hoist(d) for d in gradient(f, z)],
            "f_terms": [hoist(t) for t in _summands(f, z)],
            "g": [hoist(g) for g in gs],
            "dg": [[hoist(d) for d in gradient(g, z)] for g in gs],
            "g_terms": [[hoist(t) for t in _summands(g, z)] for g in gs],
            "h": [hoist(h) for h in hs],
            "dh": [[hoist(d) for d in gradient(h, z)] for h in hs],
            "h_terms": [[hoist(t) for t in _summands(h, z)] for h in hs],
        }
        self.constants = Constants(self.params, consts)
        args = [z, self.constants.symbols]
        # One module for all the numpy functions (lambdify_each), split back into each.
        single = ("f", "df", "f_terms")
        several = ("g", "dg", "g_terms", "h", "dh", "h_terms")
        exprs = [parts[k] for k in single] + [e for k in several for e in parts[k]]
        functions = iter(lambdify_each([(args, e) for e in exprs], "numpy", _printer(NumPyPrinter)))
        self.f, self.df, self.f_terms = (next(functions) for _ in single)
        self.g, self.dg, self.g_terms, self.h, self.dh, self.h_terms = (
            [next(functions) for _ in parts[k]] for k in several
        )

    @functools.cached_property
    def df_terms(self) -> Callable[..., Any]:
        """The summands of the objective's derivative in each unknown (:func:`_summands`),
        a function of the unknowns and the parameters' values: the numbers whose rounding
        a slope carries. Compiled on first use: only a polish that goes far from the
        search's point asks for them (:func:`_climbs`)."""
        z = self.program.unknowns
        f = accurate(as_expression(self.program.objective))
        return lambdify([z, self.params], [_summands(d, z) for d in gradient(f, z)], "numpy")

    def gradient_sizes(self, x: np.ndarray, at: Mapping[sympy.Symbol, Any]) -> np.ndarray:
        """The size of each derivative's summands (:attr:`df_terms`) at ``x`` (in the
        program's units), the parameters at their values ``at``: the numbers whose rounding
        each component of the slope carries."""
        params = [_float(at[q]) for q in self.params]
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            terms = self.df_terms(x, params)
        return np.array([magnitude(_finite(t)) for t in terms])

    def values(self, subs: Mapping[sympy.Symbol, sympy.Expr]) -> list[float]:
        """Its constants at the parameter values ``subs`` (:meth:`Constants.values`)."""
        return self.constants.values(subs)


class Constants:
    """The parts of some functions in their parameters alone (their *constants*, named by
    :class:`_Hoisted`), computed at the parameters' values in 30 digits from the exact
    values and rounded to floats once: a part that passes through a number beyond floating
    point on its way to a finite one (``-log(d**10000)`` at ``d = 0.9``, 1053.6) keeps its
    value, and so does one that cancels (``1 - a`` at ``a = 1 - 1e-17``, 1e-17, which is 0
    in floats). Where mpmath refuses (a pole at the values), they are computed with
    NumPy's floats, where a pole is infinite.

    Attributes
    ----------
    params
        The parameters.
    parts
        The constants' expressions in the parameters.
    symbols
        The symbol naming each (an argument of the compiled functions).

    >>> a, c = sympy.symbols("a c")
    >>> Constants((a,), {1 - a: c}).values({a: 1 - sympy.Rational(1, 10**17)})
    [1e-17]
    """

    def __init__(
        self, params: tuple[sympy.Symbol, ...], consts: Mapping[sympy.Expr, sympy.Symbol]
    ) -> None:
        self.params = params
        self.parts = list(consts)
        self.symbols = tuple(consts.values())
        (self._exact,) = lambdify_each([([params], self.parts)], "mpmath", _printer(MpmathPrinter))

    @functools.cached_property
    def _floats(self) -> Callable[[np.ndarray], list[Any]]:
        """The constants compiled to NumPy, for the values mpmath refuses."""
        return lambdify([self.params], self.parts, "numpy")

    def values(self, subs: Mapping[sympy.Symbol, sympy.Expr]) -> list[float]:
        """The constants at the parameter values ``subs``, kept per values (a solve asks for
        them for its units and again for its search)."""
        return list(_constants_at(self, _key({p: subs[p] for p in self.params})))

    def computed(self, subs: Mapping[sympy.Symbol, sympy.Expr]) -> list[float]:
        """:meth:`values`, computed."""
        with mpmath.workdps(30):
            try:
                found = self._exact(_mp_values(subs, self.params))
            except (ArithmeticError, ValueError, TypeError):
                found = None
            if found is not None:
                return [_float(c) for c in found]
        p = np.array([float(subs[q]) for q in self.params], dtype=float)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [_float(c) for c in self._floats(p)]


@functools.lru_cache(maxsize=COMPILED)
def _constants_at(
    constants: Constants, subs: frozenset[tuple[sympy.Symbol, sympy.Expr]]
) -> tuple[float, ...]:
    return tuple(constants.computed(dict(subs)))


def _mp_values(
    subs: Mapping[sympy.Symbol, sympy.Expr], params: Sequence[sympy.Symbol]
) -> list[mpmath.mpf]:
    """The values of ``params`` in ``subs`` as mpmath numbers at the working precision."""
    return [_mp_value(subs[p], mpmath.mp.dps) for p in params]


@functools.lru_cache(maxsize=4096)
def _mp_value(value: sympy.Expr, dps: int) -> mpmath.mpf:
    """``value`` as an mpmath number of ``dps`` digits, kept per value (a model at other
    values shares most of its parameters' values; mpmath numbers are immutable)."""
    return mpmath.mpf(sympy.N(value, dps))


def _float(value: Any) -> float:
    """A computed constant as a float: its real part when it is real, else ``nan``."""
    z = complex(value)
    return z.real if z.imag == 0 else math.nan


@functools.lru_cache(maxsize=COMPILED)
def _convex(program: Program, subs: frozenset[tuple[sympy.Symbol, sympy.Expr]]) -> bool:
    """:attr:`_Numeric.convex`'s certificate, kept per program and values (every scale)."""
    return convex_program(
        program.objective, program.inequalities, program.equalities, program.unknowns, dict(subs)
    )


def _numeric(program: Program, subs: Mapping[sympy.Symbol, sympy.Expr], scale: Scale) -> _Numeric:
    """The compiled program at ``subs`` in the units of ``scale``, kept (the
    :data:`COMPILED` most recent) so that solving the same model again, or a second program
    of a solve at the same point, builds nothing. Its code is shared by every set of
    values (:func:`_compiled`)."""
    return _numeric_at(program, _key(subs), scale)


def _units(
    program: Program, subs: Mapping[sympy.Symbol, sympy.Expr], starts: Sequence[Sequence[float]]
) -> Scale:
    """:meth:`Scale.of` the program at ``subs`` from ``starts``, kept like :func:`_numeric`
    (the same model solved again starts from the same points)."""
    return _cached_units(program, _key(subs), tuple(tuple(float(v) for v in s) for s in starts))


@functools.lru_cache(maxsize=COMPILED)
def _cached_units(
    program: Program,
    subs: frozenset[tuple[sympy.Symbol, sympy.Expr]],
    starts: tuple[tuple[float, ...], ...],
) -> Scale:
    return Scale.of(program, dict(subs), [list(s) for s in starts])


@functools.lru_cache(maxsize=COMPILED)
def _numeric_at(
    program: Program, subs: frozenset[tuple[sympy.Symbol, sympy.Expr]], scale: Scale
) -> _Numeric:
    return _Numeric(program, dict(subs), scale)


class _Numeric:
    """The program at the parameter values ``subs``, in the units of ``scale``: the compiled
    program (:func:`_compiled`) with the values and units bound (build it with
    :func:`_numeric`, which keeps it). Each unit is a power of two, so converting between
    the program's units and these is exact."""

    def __init__(
        self, program: Program, subs: Mapping[sympy.Symbol, sympy.Expr], scale: Scale
    ) -> None:
        self.program = program
        self.scale = scale
        self.subs = dict(subs)
        self.compiled, self.at = c, at = _compiled(program, subs)
        self.p = c.values(at)
        self.units = np.array(scale.unknowns)
        self.lo, self.hi = (
            np.array(
                [
                    float(as_expression(b).xreplace(self.subs)) / s
                    for b, s in zip(bounds, scale.unknowns, strict=True)
                ]
            )
            for bounds in (program.lower, program.upper)
        )
        self._f = self._scaled(c.f, scale.objective)
        self._df = self._gradient(c.df, scale.objective)
        self._f_terms = self._terms(c.f_terms, scale.objective)
        self._g = [self._scaled(g, u) for g, u in zip(c.g, scale.inequalities, strict=True)]
        self._dg = [self._gradient(g, u) for g, u in zip(c.dg, scale.inequalities, strict=True)]
        self._g_terms = [
            self._terms(g, u) for g, u in zip(c.g_terms, scale.inequalities, strict=True)
        ]
        self._h = [self._scaled(h, u) for h, u in zip(c.h, scale.equalities, strict=True)]
        self._dh = [self._gradient(h, u) for h, u in zip(c.dh, scale.equalities, strict=True)]
        self._h_terms = [
            self._terms(h, u) for h, u in zip(c.h_terms, scale.equalities, strict=True)
        ]

    def x(self, y: np.ndarray) -> np.ndarray:
        """Scaled unknowns ``y`` (a vector, or one column per point) in the program's units."""
        y = np.asarray(y, dtype=float)
        return self.units.reshape((-1,) + (1,) * (y.ndim - 1)) * y

    def _scaled(self, fn: Callable[..., Any], unit_of: float) -> Callable[[np.ndarray], Any]:
        return lambda y: fn(self.x(y), self.p) / unit_of

    def _gradient(self, fn: Callable[..., Any], unit_of: float) -> Callable[[np.ndarray], Any]:
        factor = self.units / unit_of  # d/dy_i [e(unit * y) / unit_of]
        return lambda y: np.asarray(fn(self.x(y), self.p)) * factor

    def _terms(self, fn: Callable[..., Any], unit_of: float) -> Callable[[np.ndarray], list]:
        def at(y: np.ndarray) -> list[float]:
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return [t / unit_of for t in _finite(fn(self.x(y), self.p))]

        return at

    def expression(self, e: sympy.Expr, unit_of: float) -> sympy.Expr:
        """``e`` at the values, in the units of :attr:`scale` and divided by ``unit_of``."""
        return self.scale.to_units(self.program, _at(e, self.subs), unit_of)

    @functools.cached_property
    def f_expr(self) -> sympy.Expr:
        """The objective at the values, in scaled unknowns (built for kinked programs)."""
        return self.expression(self.program.objective, self.scale.objective)

    @functools.cached_property
    def g_expr(self) -> list[sympy.Expr]:
        return [
            self.expression(g, u)
            for g, u in zip(self.program.inequalities, self.scale.inequalities, strict=True)
        ]

    @functools.cached_property
    def h_expr(self) -> list[sympy.Expr]:
        return [
            self.expression(h, u)
            for h, u in zip(self.program.equalities, self.scale.equalities, strict=True)
        ]

    @functools.cached_property
    def mp_values(self) -> list[mpmath.mpf]:
        """The parameter values in 30 digits, for the polish (:func:`_newton`)."""
        with mpmath.workdps(30):
            return _mp_values(self.at, self.compiled.params)

    def smooth(self, spec: _Active) -> bool:
        """Whether the objective, the inequalities binding in ``spec`` and the equalities
        have no kink (their KKT system is then compiled once: :func:`_kkt_system`)."""
        base = self.compiled.program
        rows = [base.objective, *(base.inequalities[k] for k in spec.inequalities)]
        return not any(as_expression(e).has(*KINKED) for e in [*rows, *base.equalities])

    def newton(self, spec: _Active, fixed: Mapping[sympy.Symbol, sympy.Expr]) -> _Newton:
        """The compiled KKT system of the smooth active set ``spec`` at these values, in
        these units, its unknowns in ``fixed`` at their values there."""
        at = tuple(sorted(i for i, _ in spec.bounds))
        equalities = spec.equalities(len(self._h))
        system, jacobian, constants = _kkt_system(
            self.compiled.program, at, spec.inequalities, equalities
        )
        s, z = self.scale, self.program.unknowns
        units = [
            *(s.inequalities[k] for k in spec.inequalities),
            *(s.equalities[k] for k in equalities),
        ]
        free = [u for i, u in enumerate(s.unknowns) if i not in at]
        with mpmath.workdps(30):
            x_fixed = [mpmath.mpf(fixed[z[i]]) * s.unknowns[i] for i in at]
            return _Newton(
                system,
                jacobian,
                tuple(constants(*x_fixed, *self.mp_values)),
                # d/dy of e(unit * y) / unit_e; the multiplier of g / unit_g is mu * unit_f / unit_g
                tuple(mpmath.mpf(u / s.objective) for u in free)
                + tuple(1 / mpmath.mpf(u) for u in units),
                tuple(mpmath.mpf(u) for u in free)
                + tuple(mpmath.mpf(s.objective / u) for u in units),
            )

    def multipliers(self, kkt: _KKT, z: np.ndarray) -> list[float]:
        """The multipliers of a smooth KKT system at ``z`` (:func:`_multipliers` from the
        compiled gradients): least squares on the stationarity rows."""
        if not kkt.multipliers:
            return []
        free = [i for i, v in enumerate(self.program.unknowns) if v in kkt.free]
        with np.errstate(all="ignore"):
            rows = [self._dg[k](z) for k in kkt.spec.inequalities]
            rows += [self._dh[k](z) for k in kkt.spec.equalities(len(self._dh))]
            a = np.array([np.asarray(r, dtype=float)[free] for r in rows]).T
            b = -np.asarray(self._df(z), dtype=float)[free]
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            # A gradient beyond floating point (exp(705 x) near x = 1): Newton starts the
            # multipliers at zero and finds them in 30 digits, which do not overflow.
            return [0.0] * len(kkt.multipliers)
        mu, *_ = np.linalg.lstsq(a.reshape(len(free), -1), b, rcond=None)
        return [float(m) for m in mu]

    @functools.cached_property
    def convex(self) -> bool:
        """Whether the program is smooth and certified convex at these values (a concave
        objective over a convex set, :mod:`bargain.axiomatic.curvature`): every local
        maximum is global, and :func:`_search` stops once two starts agree on it."""
        return not self.compiled.kinked and _convex(self.program, _key(self.subs))

    def f(self, z: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            v = complex(self._f(z))
        return v.real if math.isfinite(v.real) and v.imag == 0 else -1e30

    def neg_f(self, z: np.ndarray) -> float:
        return -self.f(z)

    def neg_df(self, z: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            g = np.array(self._df(z), dtype=complex)
        if not np.all(np.isfinite(g)) or np.any(g.imag != 0):
            return np.zeros(len(z))
        return -g.real

    def binding_gradients(self, z: np.ndarray) -> tuple[list[np.ndarray], list[bool]]:
        """The gradients at ``z`` (in these units, complex: a root of a negative number) of
        the inequalities that bind there and of every equality, with whether each one's
        multiplier has a sign (an inequality's) or not (an equality's)."""
        rows: list[np.ndarray] = []
        signs: list[bool] = []
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for k, dg in enumerate(self._dg):
                if self.binds(k, z):
                    rows.append(np.asarray(dg(z), dtype=complex))
                    signs.append(True)
            for dh in self._dh:
                rows.append(np.asarray(dh(z), dtype=complex))
                signs.append(False)
        return rows, signs

    def gradient_rounding(self, z: np.ndarray) -> np.ndarray:
        """The rounding of each component of the objective's gradient at ``z`` (in these
        units): :data:`ROUNDING` of the size of that derivative's summands."""
        sizes = self.compiled.gradient_sizes(self.x(z), self.at)
        return ROUNDING * sizes * self.units / self.scale.objective

    def slope_rounding(self, z: np.ndarray, d: np.ndarray) -> float:
        """The rounding of the objective's slope along ``d`` at ``z`` (both in these
        units): each component's (:meth:`gradient_rounding`) times ``|d|`` in it."""
        return float(np.dot(self.gradient_rounding(z), np.abs(d)))

    def objective_size(self, z: np.ndarray) -> float:
        """The size of the objective's terms at ``z``."""
        return magnitude(self._f_terms(z))

    def inequality_size(self, k: int, z: np.ndarray) -> float:
        """The size of inequality ``k``'s terms at ``z``: its value is zero up to rounding
        relative to this."""
        return magnitude(self._g_terms[k](z))

    def binds(self, k: int, z: np.ndarray, tol: float = ACTIVE_TOL) -> bool:
        """Whether inequality ``k`` is zero at ``z`` up to ``tol`` of its terms' size."""
        with np.errstate(all="ignore"):
            value = float(self._g[k](z))
        return abs(value) <= tol * self.inequality_size(k, z)

    def violation(self, z: np.ndarray) -> float:
        """The largest violation of a bound or constraint at ``z``, each relative to the size
        of its own terms there (a bound's: the bound and the unknown)."""
        with np.errstate(all="ignore"):
            worst = max(
                [0.0]
                + [
                    _relative(-float(g(z)), self.inequality_size(k, z))
                    for k, g in enumerate(self._g)
                ]
                + [
                    _relative(abs(float(h(z))), magnitude(terms(z)))
                    for h, terms in zip(self._h, self._h_terms, strict=True)
                ]
                + [
                    _relative(max(lo - zi, zi - hi), magnitude([lo, hi, zi]))
                    for lo, hi, zi in zip(self.lo, self.hi, z, strict=True)
                ]
            )
        return worst if math.isfinite(worst) else math.inf

    def meets(self, z: np.ndarray, tol: float = SEARCH_TOL) -> bool:
        """Whether ``z`` meets the bounds and constraints to ``tol`` (:meth:`violation`)."""
        return self.violation(z) <= tol

    def slope(self, z: np.ndarray) -> np.ndarray:
        """The objective's gradient at ``z``, complex (a root of a negative number) and its
        floating-point warnings silenced: the caller judges an entry that is no finite real
        number (an infinite slope at a bound, ``sqrt(x)`` at ``x = 0``)."""
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(self._df(z), dtype=complex)

    def widths(self) -> np.ndarray:
        """Each unknown's width in the box (one unit where the box is unbounded)."""
        return np.where(np.isfinite(self.hi - self.lo), self.hi - self.lo, 1.0)

    @functools.cached_property
    def searched(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The inequalities and the equalities the local searches are given. An equality
        is kept where its gradient is independent of those kept before it at one of
        :data:`SAMPLES` points of the box at least (:func:`_rank`); an inequality unless its
        gradient is in the span of the kept equalities' at every one of them (then it is
        constant along the set they define: met everywhere on it, or nowhere). A redundant
        equality (``2 a + 2 b == 2`` beside ``a + b == 1``) makes the Jacobian of the
        equality constraints singular everywhere, and SLSQP's subproblem with it (Kraft
        1988: the equality rows must have full rank) went nowhere: from ``(0.2, 0.3)`` it
        stopped at ``b = 0.53`` with ``2 b`` to maximise; an inequality parallel to an
        equality (a utilitarian sum ``a + b`` held at its maximum on ``a + b == 1``) kept
        it at its start. An end point must still meet every constraint (:meth:`meets`)."""
        width = self.widths()
        base = np.where(np.isfinite(self.lo), self.lo, np.where(np.isfinite(self.hi), self.hi, 0))
        base = base - np.where(np.isfinite(self.lo), 0, width)
        golden = (math.sqrt(5) - 1) / 2
        points = [
            base
            + width
            * np.array([((j + 1) * golden + i * math.sqrt(2)) % 1 for i in range(len(width))])
            for j in range(SAMPLES)
        ]

        def unit(gradient: Callable[..., Any], z: np.ndarray) -> np.ndarray:
            r = np.real(np.asarray(gradient(z), dtype=complex))
            return r / (np.linalg.norm(r) or 1.0)

        def new(gradient: Callable[..., Any], kept: Sequence[int], z: np.ndarray) -> bool:
            """Whether ``gradient`` at ``z`` is independent of the kept equalities'."""
            rows = [unit(self._dh[j], z) for j in kept]
            r = unit(gradient, z)
            return not np.all(np.isfinite([*rows, r])) or _rank([*rows, r]) > _rank(rows)

        equalities: list[int] = []
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for k, dh in enumerate(self._dh):
                if any(new(dh, equalities, z) for z in points):
                    equalities.append(k)
            inequalities = [
                k
                for k, dg in enumerate(self._dg)
                if not equalities or any(new(dg, equalities, z) for z in points)
            ]
        return tuple(inequalities), tuple(equalities)

    def nonlinear_constraints(self) -> list[NonlinearConstraint]:
        cons = []
        inequalities, equalities = self.searched
        for k in inequalities:
            g, dg = self._g[k], self._dg[k]
            cons.append(NonlinearConstraint(g, 0, np.inf, jac=lambda z, dg=dg: _row(dg(z))))
        for k in equalities:
            h, dh = self._h[k], self._dh[k]
            cons.append(NonlinearConstraint(h, 0, 0, jac=lambda z, dh=dh: _row(dh(z))))
        return cons

    def scipy_constraints(self, finite: bool = False) -> list[dict[str, object]]:
        """The constraints for scipy's SLSQP and COBYQA, the inequalities as one vector
        function and the equalities as another (the unknowns converted once per point,
        one call each: scipy stacks the functions of a kind in order, so that this is the
        same problem as one function per constraint, at a fraction of the calls); with
        ``finite``, an infinite slope in a gradient is a large finite one (:func:`_row`)."""
        c, units, (ineqs, eqs) = self.compiled, self.units, self.searched
        cons: list[dict[str, object]] = []
        for kind, fns, grads, sizes in (
            (
                "ineq",
                [c.g[k] for k in ineqs],
                [c.dg[k] for k in ineqs],
                [self.scale.inequalities[k] for k in ineqs],
            ),
            (
                "eq",
                [c.h[k] for k in eqs],
                [c.dh[k] for k in eqs],
                [self.scale.equalities[k] for k in eqs],
            ),
        ):
            if not fns:
                continue
            per = np.array(sizes, dtype=float)
            factors = [units / u for u in sizes]

            def fun(y: np.ndarray, fns: Sequence[Any] = fns, per: np.ndarray = per) -> Any:
                x = self.x(y)
                return np.array([fn(x, self.p) for fn in fns]) / per

            def jac(
                y: np.ndarray, grads: Sequence[Any] = grads, factors: list = factors
            ) -> np.ndarray:
                x = self.x(y)
                rows = [
                    np.asarray(d(x, self.p), dtype=float) * k
                    for d, k in zip(grads, factors, strict=True)
                ]
                if finite:
                    rows = [_row(r)[0] for r in rows]
                return np.array(rows, dtype=float)

            cons.append({"type": kind, "fun": fun, "jac": jac})
        return cons

    def infinite_slope(self, z: np.ndarray) -> bool:
        """Whether a constraint's gradient has an infinite entry at ``z``."""
        with np.errstate(all="ignore"):
            rows = [np.asarray(d(z), dtype=float) for d in (*self._dg, *self._dh)]
        return any(np.any(np.isinf(r)) for r in rows)


def _row(values: object) -> np.ndarray:
    """A constraint gradient as a finite 2-D row (an infinite slope becomes a large one)."""
    return np.atleast_2d(np.nan_to_num(np.asarray(values, dtype=float), posinf=1e12, neginf=-1e12))


def _search(
    num: _Numeric,
    starts: Sequence[Sequence[float]],
    candidates: Sequence[np.ndarray] = (),
) -> list[tuple[float, np.ndarray]]:
    """Multi-start local search; the feasible end points with their values, by start,
    and the ``candidates`` that meet the constraints (where the objective is defined), as
    they are: points where a maximum may be that a local search need not stop at (a
    kinked program's breakpoints and bounds, :func:`_kink_points`). A candidate is no
    maximum found: no start is skipped for being in its basin.

    SLSQP (gradient-based) runs first from each start. Where it ends infeasible —
    typically near a constraint whose derivative is unbounded, such as
    ``(1 - x)**(1/4)`` at ``x = 1`` — the interior-point trust-constr, which
    approaches such a boundary from inside, runs from the same start, and after
    it the derivative-free COBYQA. The first start SLSQP leaves infeasible, with no
    feasible end yet, is followed by a phase one (:func:`_least_violation`: an empty
    set is refused there) and SLSQP from its point (phase two). The rest wait until
    SLSQP has run from every start; then each start where it ended infeasible goes
    through these, in order, to the first that keeps a point (or skips the start):

    - nothing, where the start or SLSQP's end is at or in a maximum found
      (:meth:`_Peak.reached`): SLSQP missed, by more than its tolerance, a constraint
      whose terms are tiny there (a party's ``u_i >= d_i`` with ``d_i = 1e-37``) or one
      at a kink, at or beside a maximum another start found;
    - SLSQP from the edge of its step, or that edge, where it ran from a feasible start
      to the box's bound over a constraint flat at the start (:func:`_edge`);
    - SLSQP from the start moved into a feasible set far smaller than it, which the
      box's units hide (agreements in ``[0, 1]`` of a box ``1e15`` wide;
      :func:`_moved_in`), or that moved start itself, where SLSQP ends outside again
      (the slow methods spent seconds each there to end outside too);
    - from a start outside the constraints, a phase one and two of its own, nothing
      where phase one meets the constraints nowhere near the start and an end is kept
      (the start is in no feasible part's basin), nothing where phase one's point is at
      or in a maximum found, or where no end is kept yet
      and Gauss–Newton from that point meets the constraints nowhere
      (:func:`_met_nowhere`: equations apart by more than the search's tolerance), and
      the slower methods from that point rather than from the start (trust-constr from
      outside took its 3000 steps, 3 to 4 s, to stop short of the maximum; from phase
      one's point, 0.15 s);
    - nothing, where the start meets the constraints and is one of the ``candidates``,
      which are kept as they are;
    - the slower methods.

    Starts outside the objective's domain (a Nash
    product of a party below its disagreement payoff) are used only when no start is
    inside it: there the local methods have no slope to follow. SLSQP runs from every
    start: a start from which the objective rises along the segment to a maximum already
    found is not therefore in its basin (the clustering idea of multi-level single
    linkage, Rinnooy Kan & Timmer, *Math. Programming* 39, 1987, skipped it): from
    ``(a, b) = (0.5, 0.5)`` the sum ``sqrt(a) + log(1 + b) + (1 - a)**2 + 2 (1 - b)``
    rises all the way to ``(1, 0)``, where it is 3, while SLSQP climbs from there to its
    maximum 3.1295 at ``a = 0.0727``. SLSQP stopped at a bound where the objective's
    slope is infinite into the box (``sqrt(a)`` at ``a = 0``) runs again from just inside
    it (:func:`_inward`).
    """
    points = [np.clip(np.asarray(start, dtype=float), num.lo, num.hi) for start in starts]
    inside = [z0 for z0 in points if num.f(z0) > -1e29]
    bounds = [
        (None if math.isinf(lo) else lo, None if math.isinf(hi) else hi)
        for lo, hi in zip(num.lo, num.hi, strict=True)
    ]
    ends: list[tuple[float, np.ndarray]] = []
    peaks: list[_Peak] = []
    empty = FeasibilityError(
        "no contract satisfies the bounds and constraints (the feasible set is empty)",
        table="constraints",
    )
    checked = False

    def kept(z: np.ndarray) -> bool:
        """Keep a local search's end point if it is feasible and the objective is defined."""
        value = num.f(z)
        if not num.meets(z) or value <= -1e29:
            return False
        ends.append((value, z))
        peaks.append(_Peak.at(num, z))
        return True

    missed: list[tuple[np.ndarray, np.ndarray]] = []  # starts where SLSQP ended infeasible
    # A convex program's kept SLSQP ends where every slope is finite, with their starts.
    reached: list[tuple[float, np.ndarray, np.ndarray]] = []
    for z0 in inside or points:
        if _agreed(num, reached):
            break  # a convex program's maximum, found from two starts: the rest add nothing
        end = _local(num, z0, bounds, "SLSQP")
        if kept(end):
            if num.convex and _smooth_at(num, end):
                reached.append((*ends[-1], z0))
            continue
        if not ends and not checked:
            # SLSQP ended infeasible: first make sure that some contract is feasible at
            # all, or the searches would go on from every start of an empty set; then
            # SLSQP from the feasible contract found (phase two after phase one).
            checked = True
            violation, feasible = _least_violation(num, points, bounds)
            if violation > EMPTY_TOL:
                raise empty
            if kept(_local(num, feasible, bounds, "SLSQP")):
                continue
        missed.append((z0, end))
    for z0, end in missed:
        if any(peak.holds(num, z0) or peak.reached(num, end) for peak in peaks):
            continue
        edge = _edge(num, z0, end)
        if edge is not None and (kept(_local(num, edge, bounds, "SLSQP")) or kept(edge)):
            continue
        moved = _moved_in(num, _best(ends), z0) if ends else None
        if moved is not None and (kept(_local(num, moved, bounds, "SLSQP")) or kept(moved)):
            continue
        if not num.meets(z0):
            # Phase one from this start, as from the first above; then phase two, unless
            # the point phase one found is at or in a maximum found, and the slower methods
            # from that point too.
            violation, feasible = _least_violation(num, [z0], bounds)
            if violation <= EMPTY_TOL:
                if any(peak.reached(num, feasible) for peak in peaks) or kept(
                    _local(num, feasible, bounds, "SLSQP")
                ):
                    continue
                if not ends and _met_nowhere(num, [feasible]):
                    # No contract met yet, and Gauss-Newton from phase one's point meets
                    # the constraints nowhere there either (a == 0.3 beside a ==
                    # 0.3000001, apart by more than the search's tolerance): the slower
                    # methods from that point would end outside too, 0.25 s a start.
                    continue
                z0 = feasible
            elif ends:
                # Phase one from this start meets the constraints nowhere near it, and a
                # maximum is found elsewhere: the start is in no feasible part's basin, and
                # the slower methods, local too, ended outside from it as well (three
                # starts, 17 s of trust-constr, in a leximin stage that holds a party at its
                # isolated largest payoff, beside a local maximum of that payoff).
                continue
        if num.meets(z0) and any(np.array_equal(z0, z) for z in candidates):
            # A breakpoint of a program of one unknown, kept below as a candidate as it
            # is: the slower methods from it found that point again, after up to 3000
            # steps of trust-constr (5 s) at a kink where SLSQP stepped just outside.
            continue
        for method in ("trust-constr", "COBYQA"):
            if kept(_local(num, z0, bounds, method)):
                break
    for z in candidates:
        value = num.f(z)
        if num.meets(z) and value > -1e29:
            ends.append((value, z))
    if not ends:
        raise empty
    return ends


def _edge(num: _Numeric, z0: np.ndarray, end: np.ndarray) -> np.ndarray | None:
    """Where SLSQP went from a start ``z0`` that meets the constraints (to
    ``SEARCH_TOL``) to an ``end`` on a bound of the box that does not: the last point of
    the segment between them that meets them (:func:`towards`), where it is better than
    ``z0``; else ``None``.

    SLSQP sees a constraint only through its gradient at the point, and a constraint flat
    there (a sum ``x + min(1.2 V - x, 2 V - 3 x)`` held at ``1.2 V``, whose gradient is zero
    below its kink) does not stop its step, which runs on to the box's bound; from the
    edge of the step, the constraint binds. (The utilitarian set's upper end at ``V =
    1e200``: trust-constr took its 3000 steps, 4 s, to climb from ``x = 1.7e-16 V`` to
    ``2.3e-13 V`` of the ``0.4 V`` where it does.)"""
    on_bound = np.any((end <= num.lo) | (end >= num.hi))
    if not on_bound or not num.meets(z0):
        return None
    edge, _ = towards(num.meets, z0, end)
    z = np.clip(z0 + edge * (end - z0), num.lo, num.hi)
    return z if num.f(z) > num.f(z0) else None


def towards(
    inside: Callable[[np.ndarray], bool], anchor: np.ndarray, x: np.ndarray
) -> tuple[float, np.ndarray | None]:
    """Where the segment from ``anchor`` (in the set ``inside``) towards ``x`` leaves the
    set, as a fraction of the way (by bisection), and the point half way to there (``None``
    if that point is not inside: a set that is not convex).

    Examples
    --------
    >>> towards(lambda z: z[0] <= 1, np.array([0.0]), np.array([4.0]))
    (0.25, array([0.5]))
    """
    inner, outer = 0.0, 1.0
    for _ in range(60):
        mid = (inner + outer) / 2
        if inside(anchor + mid * (x - anchor)):
            inner = mid
        else:
            outer = mid
    z = anchor + inner / 2 * (x - anchor)
    return inner, z if inside(z) else None


def _moved_in(num: _Numeric, anchor: np.ndarray, z0: np.ndarray) -> np.ndarray | None:
    """A start ``z0`` that does not meet the constraints (:data:`SEARCH_TOL`), moved half
    way from the feasible ``anchor`` to where the segment towards ``z0`` leaves the feasible
    set, where the set is that far from the start's scale: the anchor and that edge both
    :data:`WIDE` times smaller than the start (agreements in ``[0, 1]`` of a box ``1e15``
    wide, which the box's units hide). SLSQP from such a start ends where the constraints
    fail, or on the set's edge, and trust-constr searched it for seconds (thousands of
    iterations) to end outside it too. ``None`` where the start meets the constraints or
    the set is not that small beside it (a maximum on the set's edge, where the segment
    leaves the set at once, is not a small set)."""

    size = magnitude(z0)
    if WIDE * magnitude(anchor) >= size or num.meets(z0):
        return None
    edge, moved = towards(num.meets, anchor, z0)
    return moved if WIDE * magnitude(anchor + edge * (z0 - anchor)) < size else None


def _least_violation(
    num: _Numeric, starts: Sequence[np.ndarray], bounds: list[tuple[float | None, float | None]]
) -> tuple[float, np.ndarray]:
    """The least violation of the constraints (:meth:`_Numeric.violation`, each relative
    to its terms) that a bounded local search (L-BFGS-B on the sum of squared violations,
    each in units of its terms at the search's start) finds from ``starts``: a phase one,
    which tells an empty feasible set quickly. From where a search stops, it searches again
    in the units of that point (up to :data:`ZOOMS` times, while the violation falls): a
    feasible set far smaller than the box (``x + y <= 1`` with ``x <= 1e15``) is small in
    the units of the box, where a violation of 1e5 is negligible. Returns the least
    violation and the point where it was found."""

    def squared(z0: np.ndarray) -> Callable[[np.ndarray], float]:
        g_units = [num.inequality_size(k, z0) or 1.0 for k in range(len(num._g))]
        h_units = [magnitude(terms(z0)) or 1.0 for terms in num._h_terms]

        def total(z: np.ndarray) -> float:
            with np.errstate(all="ignore"):
                v = [min(float(g(z)), 0.0) / u for g, u in zip(num._g, g_units, strict=True)]
                v += [float(h(z)) / u for h, u in zip(num._h, h_units, strict=True)]
            found = float(np.sum(np.square(v)))
            return found if math.isfinite(found) else 1e30

        return total

    best, point = math.inf, starts[0]
    for start in starts:
        z, previous = start, math.inf
        for _ in range(ZOOMS + 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                z = np.clip(
                    minimize(squared(z), z, bounds=bounds, method="L-BFGS-B").x, num.lo, num.hi
                )
            violation = num.violation(z)
            if violation < best:
                best, point = violation, z
            if best <= EMPTY_TOL or not violation < previous:
                break
            previous = violation
        if best <= EMPTY_TOL:
            break
    return best, point


def _met_nowhere(num: _Numeric, starts: Sequence[np.ndarray]) -> bool:
    """Whether no contract meets the constraints to :data:`FEASIBILITY_TOL`
    (:meth:`_Numeric.violation`), as far as a least-squares phase one from ``starts`` tells:
    Gauss–Newton in a trust region within the box (scipy's ``least_squares``, method
    ``trf``) on the equalities and the violated inequalities, each in units of its terms
    at the start, which meets a feasible set's constraints to rounding where
    :func:`_least_violation` (L-BFGS-B on their squares) stops at about the square root of
    its tolerance (Nocedal & Wright 2006, §10.3). Two equations that differ by less than
    the search's tolerance (``a == 0.3`` and ``a == 0.30000001``) have no common solution
    to this one; a box with an unknown fixed (no interior) is not tried (``False``)."""
    if not np.all(num.lo < num.hi):
        return False

    def residuals(z0: np.ndarray) -> tuple[Callable[..., Any], Callable[..., Any]]:
        g_units = [num.inequality_size(k, z0) or 1.0 for k in range(len(num._g))]
        h_units = [magnitude(terms(z0)) or 1.0 for terms in num._h_terms]

        def fun(z: np.ndarray) -> np.ndarray:
            v = [min(float(g(z)), 0.0) / u for g, u in zip(num._g, g_units, strict=True)]
            v += [float(h(z)) / u for h, u in zip(num._h, h_units, strict=True)]
            return np.nan_to_num(np.array(v, dtype=float), nan=1e30, posinf=1e30, neginf=-1e30)

        def jac(z: np.ndarray) -> np.ndarray:
            rows = [
                _row(dg(z))[0] / u * (float(g(z)) < 0)
                for g, dg, u in zip(num._g, num._dg, g_units, strict=True)
            ]
            rows += [_row(dh(z))[0] / u for dh, u in zip(num._dh, h_units, strict=True)]
            return np.nan_to_num(np.array(rows, dtype=float).reshape(len(rows), len(z0)))

        return fun, jac

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for start in starts:
            z0 = np.clip(start, num.lo, num.hi)
            fun, jac = residuals(z0)
            found = least_squares(
                fun, z0, jac=jac, bounds=(num.lo, num.hi), xtol=1e-15, ftol=1e-15, gtol=1e-15
            )
            if num.meets(np.clip(found.x, num.lo, num.hi), FEASIBILITY_TOL):
                return False
    return True


@dataclass(frozen=True)
class _Peak:
    """A maximum found by the search, with the tolerances of :meth:`holds` at it."""

    z: np.ndarray
    f_tol: float
    g_tols: tuple[float, ...]
    h_tols: tuple[float, ...]

    @classmethod
    def at(cls, num: _Numeric, z: np.ndarray) -> _Peak:
        return cls(
            z,
            SEARCH_TOL * num.objective_size(z),
            tuple(SEARCH_TOL * num.inequality_size(k, z) for k in range(len(num._g))),
            tuple(SEARCH_TOL * magnitude(terms(z)) for terms in num._h_terms),
        )

    def holds(self, num: _Numeric, start: np.ndarray) -> bool:
        """Whether the objective rises (never falls, to ``SEARCH_TOL`` of its terms here)
        from ``start`` to here at :data:`BASIN_POINTS` points of the segment between them,
        each meeting the constraints to ``SEARCH_TOL`` of their terms here: taken as
        ``start`` being in this maximum's basin only where SLSQP from it ended outside the
        constraints (:func:`_search` then skips the slower methods). It is no proof of a
        basin: a local search from ``start`` can climb elsewhere (see :func:`_search`),
        so SLSQP itself runs from every start."""
        t = np.linspace(0.0, 1.0, BASIN_POINTS + 1)
        path = start[:, None] + (self.z - start)[:, None] * t  # one column per point
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            f = np.broadcast_to(np.asarray(num._f(path), dtype=complex), t.shape)
            if not np.all(np.isfinite(f) & (f.imag == 0)):
                return False
            for g, tol in zip(num._g, self.g_tols, strict=True):
                if not np.all(np.asarray(g(path), dtype=complex).real >= -tol):
                    return False
            for h, tol in zip(num._h, self.h_tols, strict=True):
                if not np.all(np.abs(np.asarray(h(path), dtype=complex)) <= tol):
                    return False
        return bool(np.all(np.diff(f.real) >= -self.f_tol))

    def reached(self, num: _Numeric, end: np.ndarray) -> bool:
        """Whether a local search that ended at ``end`` (feasible or not) found this
        maximum: ``end`` is it, to ``MATCH_TOL`` of the scale (as :func:`_ties` tells two
        end points of one maximum) with the objective defined there, or is in its basin
        (:meth:`holds`, the constraints met along the way to the tolerances here). An end
        where the objective is not defined (a Nash product at a party's disagreement
        payoff, beside an end of another search that stopped there) found nothing."""
        near = np.max(np.abs(end - self.z)) <= MATCH_TOL * _scale(list(end))
        return bool(near and num.f(end) > -1e29) or self.holds(num, end)


def _smooth_at(num: _Numeric, z: np.ndarray) -> bool:
    """Whether every slope at ``z`` (the objective's and the constraints') is a finite real
    number. Where one is infinite, SLSQP stops without a maximum (``x + (1 - x)**0.76`` at
    ``x = 1``, where two starts ended together, the maximum at ``0.858``): such an end
    proves nothing to :func:`_agreed`."""
    slope = num.slope(z)
    return bool(np.all(np.isfinite(slope))) and not slope.imag.any() and not num.infinite_slope(z)


def _agreed(num: _Numeric, reached: Sequence[tuple[float, np.ndarray, np.ndarray]]) -> bool:
    """Whether SLSQP from two different starts ended at one point (to :data:`MATCH_TOL` of
    the scale) with the best value (to :data:`SEARCH_TOL` of the objective's terms there):
    the maximum of a convex program, whose every local maximum is global. ``reached`` holds
    the value, point and start of each kept end where every slope is finite
    (:func:`_smooth_at`). An end that stopped short of the maximum lies elsewhere; ends on
    a flat set of maximisers, or where the objective is too faint for SLSQP to move (it
    stops where it starts), lie apart, and every start is searched; one start given twice
    (the interior start at the box's centre) is one search."""
    if len(reached) < 2:
        return False
    best = _best([(v, z) for v, z, _ in reached])
    top = num.f(best) - SEARCH_TOL * num.objective_size(best)
    starts = {
        tuple(z0)
        for v, z, z0 in reached
        if v >= top and np.max(np.abs(z - best)) <= MATCH_TOL * _scale(list(best))
    }
    return len(starts) >= 2


def _best(ends: Sequence[tuple[float, np.ndarray]]) -> np.ndarray:
    """The best end point of a search (the first found, among equals)."""
    best = ends[0]
    for value, z in ends[1:]:
        if value > best[0] + 1e-12 * _scale([*z, value]):
            best = (value, z)
    return best[1]


def _met_instead(
    num: _Numeric, ends: Sequence[tuple[float, np.ndarray]], z: np.ndarray
) -> np.ndarray | None:
    """The best of the ``ends`` that meet the constraints to :data:`FEASIBILITY_TOL`, where
    the unpolished point ``z`` misses one by more and is better than it by no more than
    :data:`SEARCH_TOL` of the objective's terms (what such a miss can buy); else ``None``.
    An unpolished answer should meet the constraints: a common gain ``t`` that SLSQP left
    ``6e-9`` above a party's gain is ``2e-9`` above the maximum, and where a variable no
    payoff depends on keeps the polish from converging, its ``x`` was ``1e-9`` off."""
    if num.meets(z, FEASIBILITY_TOL):
        return None
    top = num.f(z) - SEARCH_TOL * num.objective_size(z)
    met = [(v, y) for v, y in ends if v >= top and num.meets(y, FEASIBILITY_TOL)]
    return _best(met) if met else None


def _local(
    num: _Numeric, z0: np.ndarray, bounds: list[tuple[float | None, float | None]], method: str
) -> np.ndarray:
    """One local maximisation from ``z0``: SLSQP with gradients, or derivative-free COBYQA."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "SLSQP":

            def slsqp(finite: bool, start: np.ndarray = z0) -> Any:
                return minimize(
                    num.neg_f,
                    start,
                    jac=num.neg_df,
                    bounds=bounds,
                    constraints=num.scipy_constraints(finite),
                    method="SLSQP",
                    options={"ftol": 1e-15, "maxiter": 1000},
                )

            res = slsqp(False)
            end = _clipped(num, res.x)
            if num.infinite_slope(z0) or num.infinite_slope(end):
                # An infinite slope (sqrt(x) at x = 0) stops SLSQP where it meets it:
                # again with it a large finite one, whose end is kept where it meets the
                # constraints and is no worse. Not in place of the first: a finite
                # stand-in for a slope that overflowed (709 e^(709 x)) sent SLSQP outside
                # the constraints where it had stopped inside, and the slower methods then
                # ran for 20 to 40 s.
                again = slsqp(True)
                other = _clipped(num, again.x)
                if num.meets(other) and (not num.meets(end) or num.f(other) >= num.f(end)):
                    res = again
            inward = _inward(num, _clipped(num, res.x))
            if inward is not None:
                # The objective's slope is infinite into the box at a bound where SLSQP
                # stopped (sqrt(a) at a = 0: its gradient is no number there, and a large
                # finite stand-in made SLSQP's subproblem "incompatible"): again from a
                # point just inside, kept where it meets the constraints and is no worse (to
                # rounding: the rise from the bound can be below it, see _inward).
                again = slsqp(False, inward)
                other = _clipped(num, again.x)
                if num.meets(other) and num.f(other) >= num.f(_clipped(num, res.x)):
                    res = again
        elif method == "trust-constr":
            res = minimize(
                num.neg_f,
                z0,
                jac=num.neg_df,
                bounds=Bounds(num.lo, num.hi, keep_feasible=True),
                constraints=num.nonlinear_constraints(),
                method="trust-constr",
                options={"xtol": 1e-14, "gtol": 1e-12, "maxiter": 3000},
            )
        else:
            cons = [{"type": c["type"], "fun": c["fun"]} for c in num.scipy_constraints()]
            res = minimize(
                num.neg_f,
                z0,
                bounds=bounds,
                constraints=cons,
                method="COBYQA",
                options={"maxiter": 5000, "feasibility_tol": 1e-12, "final_tr_radius": 1e-12},
            )
    return _clipped(num, res.x)


def _inward(num: _Numeric, z: np.ndarray) -> np.ndarray | None:
    """``z`` with each unknown at a bound of the box where the objective's slope is
    infinite into the box (``sqrt(a)`` at ``a = 0``) moved inside: :data:`INWARD` of its
    width (of one unit where the box is unbounded), or, where the objective's slope in it
    is negative there already, to where that slope is zero (:func:`_stationary_inside`);
    ``None`` where there is none, or the point moved is no better or misses the
    constraints.

    A bound where the objective rises infinitely fast into the box is no maximum
    (Nocedal & Wright, *Numerical Optimization*, 2nd ed. 2006, Thm 12.1: no finite
    multiplier balances the slope), but SLSQP cannot leave it: the gradient there is no
    number. Its maximum along the unknown can be far nearer the bound than a fixed step:
    ``1e-5 sqrt(x) + 1 - x`` rises from ``x = 0`` to ``x = 2.5e-11`` only, and is below
    its value at 0 from ``x = 1e-10`` on."""
    slope = num.slope(z)
    if np.any(slope.imag != 0):
        return None
    slope = slope.real
    # (An unknown held at a value, both its bounds one, has nowhere inside to go.)
    free = num.hi > num.lo
    up = (z <= num.lo) & (slope == math.inf) & free
    down = (z >= num.hi) & (slope == -math.inf) & free
    if not np.any(up | down):
        return None
    width = num.widths()
    moved = z.astype(float)
    for i in np.flatnonzero(up | down):
        moved = _stationary_inside(num, moved, i, 1.0 if up[i] else -1.0, INWARD * width[i])
    # Not worse, to rounding: rising from the bound, the objective can gain less than its
    # rounding (sqrt(x) + 1e8 (1 - x) gains 2.5e-9 of 1e8 up to x = 2.5e-17).
    if not num.meets(moved) or not num.f(moved) >= num.f(z):
        return None
    return moved


def _stationary_inside(
    num: _Numeric, z: np.ndarray, i: int, side: float, step: float
) -> np.ndarray:
    """``z`` (scaled units) with unknown ``i``, at a bound where the objective's slope into
    the box (``side``: +1 up from the lower bound, -1 down from the upper) is infinite,
    moved ``step`` inside; or, where the objective's slope in it is negative into the box
    there, to the zero of that slope between (bracketed, found by ``brentq`` in the log of
    the distance to the bound: the distance can be any size down to the least float), a
    stationary point of the objective along the unknown. With no sign change found (a
    slope that is no number on the way), the point ``step`` inside."""

    def at(distance: float) -> np.ndarray:
        out = z.copy()
        out[i] = np.clip(z[i] + side * distance, num.lo[i], num.hi[i])
        return out

    def rise(log_distance: float) -> float:
        value = complex(num.slope(at(math.exp(log_distance)))[i])
        return side * value.real if value.imag == 0 else math.nan

    far = math.log(step)
    if not rise(far) < 0:
        return at(step)
    near = far
    # Down to a few units in the last place of the bound (of the least normal float at 0).
    while near > math.log(4 * max(math.ulp(abs(float(z[i]))), sys.float_info.min)):
        near -= 3 * math.log(10)
        value = rise(near)
        if math.isnan(value):
            return at(step)
        if value > 0:
            found = brentq(rise, near, far, xtol=1e-15, rtol=1e-15)
            return at(math.exp(found))
    return at(step)


def _clipped(num: _Numeric, x: np.ndarray) -> np.ndarray:
    """A local method's point in the box (a NaN coordinate at 0)."""
    return np.clip(np.nan_to_num(x, nan=0.0), num.lo, num.hi)


@dataclass(frozen=True)
class _Active:
    """An active set: unknowns at a bound (index -> 0 for lower, 1 for upper), the
    indices of the binding inequality constraints, the point ``at`` where the pieces of
    ``min``, ``max``, ``abs`` and ``Piecewise`` are selected, and whether the kinks
    within tolerance of it bind (each as an equation between the pieces that meet);
    ``dependent``: binding inequalities left out of the KKT system, their gradients
    dependent on the others' (:func:`_independent`), which the polished point must
    make zero to rounding (``ROUNDING`` of their terms: a degenerate optimum, not a
    constraint slack by less than the search's tolerance); ``redundant``: equalities left
    out of it likewise (``a + b == 1`` beside ``2 a + 2 b == 2``), which the polished point
    must meet to :data:`FEASIBILITY_TOL` as every constraint."""

    bounds: tuple[tuple[int, int], ...]
    inequalities: tuple[int, ...]
    at: tuple[float, ...]
    kinks: bool = False
    dependent: tuple[int, ...] = ()
    redundant: tuple[int, ...] = ()

    def equalities(self, n: int) -> tuple[int, ...]:
        """The equalities of the KKT system, of a program's ``n``."""
        return tuple(k for k in range(n) if k not in self.redundant)


@dataclass(frozen=True)
class _KKT:
    """The KKT system of an active set, with bound-fixed unknowns substituted: its
    ``equations`` (numeric ones at the values; none for a smooth numeric system, whose
    compiled form is ``newton``)."""

    free: tuple[sympy.Symbol, ...]
    fixed: dict[sympy.Symbol, sympy.Expr]
    multipliers: tuple[sympy.Symbol, ...]
    equations: tuple[sympy.Expr, ...]
    active: tuple[str, ...]
    spec: _Active
    newton: _Newton | None = None


def _number(expr: sympy.Expr, at: Mapping[sympy.Symbol, sympy.Expr]) -> float:
    """The real value of ``expr`` at ``at`` (NaN where it is not a finite real number)."""
    with contextlib.suppress(TypeError, ValueError):
        value = complex(sympy.N(as_expression(expr).xreplace(dict(at)), 30))
        if value.imag == 0:
            return value.real
    return math.nan


def smooth_piece(
    expr: sympy.Expr, at: Mapping[sympy.Symbol, sympy.Expr], tol: float
) -> tuple[sympy.Expr, list[sympy.Expr]]:
    """The smooth piece of ``expr`` that applies at the point ``at``, and its kinks there.

    Each ``min``, ``max``, ``abs`` and ``Piecewise`` is replaced by the argument
    or piece it selects at ``at``; where another argument ties with it (within
    ``tol``, relative), or a ``Piecewise`` condition or the argument of ``abs``
    is on its boundary, the difference of the two is a *kink*, returned as an
    expression that is zero there.

    Examples
    --------
    >>> import sympy
    >>> x = sympy.Symbol("x", real=True)
    >>> smooth_piece(sympy.Min(1 - x / 2, sympy.Rational(7, 4) - 2 * x), {x: 0.5}, 1e-9)
    (1 - x/2, [3*x/2 - 3/4])
    >>> smooth_piece(sympy.Max(0, 1 - x), {x: 0.25}, 1e-9)
    (1 - x, [])
    """
    kinks: list[sympy.Expr] = []

    def near(a: sympy.Expr, b: float = 0.0) -> bool:
        v = _number(a, at)
        return abs(v - b) <= tol * (1 + abs(v) + abs(b))

    def walk(e: sympy.Expr) -> sympy.Expr:
        if not isinstance(e, sympy.Basic) or not e.has(*KINKED):
            return e
        if isinstance(e, sympy.Piecewise):
            for piece, cond in e.args:
                for rel in as_expression(cond).atoms(sympy.core.relational.Relational):
                    if near(rel.lhs - rel.rhs):
                        kinks.append(walk(rel.lhs - rel.rhs))
                if cond == sympy.true or as_expression(cond).xreplace(dict(at)) == sympy.true:
                    return walk(piece)
            return e  # no piece applies: undefined here
        args = [walk(a) for a in e.args]
        if isinstance(e, sympy.Min | sympy.Max):
            values = [_number(a, at) for a in args]
            if all(math.isnan(v) for v in values):
                return e.func(*args)  # undefined here: no piece to select
            pick = int((np.nanargmin if isinstance(e, sympy.Min) else np.nanargmax)(values))
            kinks.extend(
                args[pick] - a for j, a in enumerate(args) if j != pick and near(a, values[pick])
            )
            return args[pick]
        if isinstance(e, sympy.Abs):
            if near(args[0]):
                kinks.append(args[0])
            return args[0] if _number(args[0], at) >= 0 else -args[0]
        return e.func(*args)

    return walk(as_expression(expr)), kinks


def _active_sets(program: Program, num: _Numeric, z: np.ndarray, tries: int = 3) -> list[_Active]:
    """Candidate active sets at ``z``.

    First the bounds and constraints that bind to the rounding of their own terms at
    ``z``; then, where it differs, those that bind on the problem's scale (one unit of
    :class:`Scale`); then that set plus each of the ``tries`` nearest others (by
    ``|g| / |grad g|``), for when the search stopped a little short of a steep
    constraint; last, that set with each bound let go in turn (alone, and with the
    nearest other constraint binding instead), for an optimum a hair inside a bound
    (``x = 1e11/(1e11 + 1)`` in ``[0, 1]``); then the bounds alone, and nothing binding,
    for constraints a hair from zero at the optimum. The first two differ where the optimum is
    near a bound or constraint only on the box's scale (``x = 0.5`` in ``[0, 1e15]``),
    or where a value that is zero comes out as rounding noise (``x = 2e-16`` at the
    bound ``0``). Where ``z`` sits on a kink of the objective or a constraint, the set
    with the kinks binding comes first.
    """
    strict: tuple[list[tuple[int, int]], list[int]] = ([], [])
    bounds: list[tuple[int, int]] = []
    near: list[tuple[float, str, tuple[int, int]]] = []
    slope = np.real(num.slope(z))
    for i in range(len(program.unknowns)):
        # An unknown sits on one bound at most. In a box narrower than the tolerance
        # ([0.5, 0.5 + 1e-12]), on the one the objective rises towards (the lower where it
        # falls), else on the nearer, ties to the lower.
        narrow = num.hi[i] - num.lo[i] <= BOUND_TOL * (1 + abs(num.hi[i]))
        toward = 1 if narrow and slope[i] > 0 else 0 if narrow and slope[i] < 0 else None
        sides = sorted(
            ((abs(z[i] - b), side, b) for side, b in ((0, num.lo[i]), (1, num.hi[i]))),
            key=lambda t: (toward is not None and t[1] != toward, *t[:2]),
        )
        on_strict = on_scale = False
        for gap, side, b in sides:
            if not math.isfinite(b):
                continue
            if not on_strict and gap <= BOUND_TOL * magnitude([b, z[i]]):
                strict[0].append((i, side))
                on_strict = True
            if not on_scale and gap <= BOUND_TOL * (1 + abs(b)):
                bounds.append((i, side))
                on_scale = True
            elif not on_scale:
                near.append((gap, "bound", (i, side)))
    binding: list[int] = []
    for k, (g, dg) in enumerate(zip(num._g, num._dg, strict=True)):
        with np.errstate(all="ignore"):
            value = float(np.real(g(z)))
        if num.binds(k, z):
            strict[1].append(k)
        if abs(value) <= ACTIVE_TOL * _scale([value, *z]):
            binding.append(k)
        else:
            with np.errstate(all="ignore"):
                norm = float(np.linalg.norm(np.array(dg(z), dtype=float)))
            gap = abs(value) / norm if math.isfinite(norm) and norm > 0 else math.inf
            near.append((gap, "ineq", (k, 0)))
    fixed_unknowns = {i for i, _ in bounds}
    at = tuple(float(v) for v in z)
    out = [_Active(tuple(bounds), tuple(binding), at)]
    for _, kind, (k, side) in sorted(near)[:tries]:
        if kind == "bound" and k not in fixed_unknowns:
            out.append(_Active((*bounds, (k, side)), tuple(binding), at))
        elif kind == "ineq":
            out.append(_Active(tuple(bounds), (*binding, k), at))
    # Last, each bound let go (with the nearest constraint binding instead, where there is
    # one): an optimum a hair inside a bound.
    ineqs = [(k,) for _, kind, (k, _) in sorted(near) if kind == "ineq"][:1]
    for b in bounds:
        rest = tuple(c for c in bounds if c != b)
        out += [_Active(rest, (*binding, *extra), at) for extra in ((), *ineqs)]
    # Then the bounds with the constraints let go: an optimum whose constraints' values
    # are all below the tolerance of their units but not zero (x + y/2 against 1 - x - y,
    # gains over 1/2 and 1/2 - 1e-12: the Nash point has y = 0 and both gains 5e-13).
    if binding:
        out.append(_Active(tuple(bounds), (), at))
    # And nothing binding: an interior optimum whose gains are all below the tolerance of
    # their units (x against 1 - x with d_A = 1 - 2e-12: x = 1 - 1e-12, where both gains
    # and the bound 1 are within 1e-12 of the point).
    out.append(_Active((), (), at))
    own = _Active(tuple(strict[0]), tuple(strict[1]), at)
    if own != out[0]:
        out.insert(0, own)
    # Each set, then the set with its dependent constraints left out.
    out = list(dict.fromkeys(s for spec in out for s in (spec, _independent(num, spec, z))))
    if num.compiled.kinked:
        kinked = _Active(tuple(bounds), tuple(binding), at, kinks=True)
        if _kkt(program, kinked, num, symbolic=False).spec.kinks:
            out.insert(0, kinked)
    return out


def _independent(num: _Numeric, spec: _Active, z: np.ndarray) -> _Active:
    """``spec`` without each equality, then each binding inequality, whose gradient at
    ``z``, in the unknowns no bound of ``spec`` fixes, is a linear combination (to
    :data:`DEPENDENT_TOL`, rows of unit length) of those kept before it (the equalities
    first: they bind wherever the point is feasible).

    Where the gradients of the binding constraints are dependent (linear independence
    fails), the KKT multipliers are not unique and Newton's Jacobian is singular; the
    constraints kept give the same point, one choice of the multipliers being zero for
    those left out (Nocedal & Wright 2006, §12.3 and §12.6). A party's gain bound
    ``w f(x_1) >= 0`` at the bound ``x_1 = 0`` has no gradient left once ``x_1`` is fixed.
    A constraint whose gradient is not a finite number is kept. The same line written
    twice (``a + b == 1`` and ``2 a + 2 b == 2``) keeps the first."""
    if not spec.inequalities and not num._dh:
        return spec
    fixed = {i for i, _ in spec.bounds}
    free = [i for i in range(len(z)) if i not in fixed]

    def row(gradient: Callable[..., Any]) -> np.ndarray:
        """The gradient at ``z`` in the free unknowns, of unit length where it is finite."""
        with np.errstate(all="ignore"):
            r = np.real(np.asarray(gradient(z), dtype=complex))[free]
            top = float(np.max(np.abs(r), initial=0.0))
            if not (math.isfinite(top) and top > 0):
                return r
            r = r / top  # first to entries of at most one, whose squares cannot overflow
        return r / float(np.linalg.norm(r))

    rows: list[np.ndarray] = []

    def kept(gradients: Sequence[Callable[..., Any]], indices: Sequence[int]) -> list[int]:
        out = []
        for k in indices:
            r = row(gradients[k])
            if not np.all(np.isfinite(r)):
                out.append(k)
                continue
            if _rank([*rows, r]) > _rank(rows):
                rows.append(r)
                out.append(k)
        return out

    equalities = kept(num._dh, range(len(num._dh)))
    inequalities = kept(num._dg, spec.inequalities)
    left = tuple(k for k in spec.inequalities if k not in inequalities)
    redundant = tuple(k for k in range(len(num._dh)) if k not in equalities)
    if not left and not redundant:
        return spec
    return dataclasses.replace(
        spec, inequalities=tuple(inequalities), dependent=left, redundant=redundant
    )


def _rank(rows: Sequence[np.ndarray]) -> int:
    """The rank of ``rows`` (unit gradients) to :data:`DEPENDENT_TOL`; 0 for none."""
    return int(np.linalg.matrix_rank(np.array(rows), DEPENDENT_TOL)) if rows else 0


def _kkt(program: Program, spec: _Active, num: _Numeric, symbolic: bool) -> _KKT:
    """Build the KKT equations of an active set.

    With ``symbolic`` the expressions keep their parameters; otherwise the
    parameter values are in. Each ``min``, ``max``, ``abs`` and ``Piecewise``
    is replaced by its piece at ``spec.at`` (see :func:`_pieces`); with
    ``spec.kinks`` the kinks there bind as equations (a kink that involves no
    free unknown is left out, and a set without any kink is returned with
    ``kinks`` false).
    """
    unknowns = program.unknowns
    fixed: dict[sympy.Symbol, sympy.Expr] = {}
    active: list[str] = []
    for i, side in spec.bounds:
        v = unknowns[i]
        if symbolic:
            fixed[v] = as_expression((program.lower, program.upper)[side][i])
        else:
            fixed[v] = sympy.Float(float((num.lo, num.hi)[side][i]), 30)
        active.append(f"{v} = {('min', 'max')[side]}")
    free = tuple(v for v in unknowns if v not in fixed)
    if not symbolic and num.smooth(spec):
        # Compiled once per program and active set, the values passed at each polish.
        active.extend(program.inequality_names[k] for k in spec.inequalities)
        active.extend(program.equality_names)
        n = len(spec.inequalities) + len(spec.equalities(len(program.equalities)))
        mus = tuple(sympy.Symbol(f"_mu{k}", real=True) for k in range(n))
        spec = dataclasses.replace(spec, kinks=False)
        system = num.newton(spec, fixed) if free else None
        return _KKT(free, fixed, mus, (), tuple(active), spec, system)
    f = program.objective if symbolic else num.f_expr
    gs = program.inequalities if symbolic else tuple(num.g_expr)
    hs = program.equalities if symbolic else tuple(num.h_expr)
    binding: list[sympy.Expr] = [gs[k] for k in spec.inequalities]
    active.extend(program.inequality_names[k] for k in spec.inequalities)
    binding.extend(hs[k] for k in spec.equalities(len(hs)))
    active.extend(program.equality_names)
    # The point where the pieces are selected, in the units of the expressions: ``spec.at``
    # is in the scaled unknowns, the symbolic system in the program's own (x = unit * y).
    point = (
        [a * u for a, u in zip(spec.at, num.scale.unknowns, strict=True)] if symbolic else spec.at
    )
    at = {**(num.subs if symbolic else {}), **dict(zip(unknowns, point, strict=True))}
    f, kinks = smooth_piece(f, at, ACTIVE_TOL)
    for k, b in enumerate(binding):
        binding[k], more = smooth_piece(b, at, ACTIVE_TOL)
        kinks.extend(more)
    binding = [as_expression(b).xreplace(fixed) for b in binding]
    f = as_expression(f).xreplace(fixed)
    kinks = [as_expression(k).xreplace(fixed) for k in kinks] if spec.kinks else []
    kinks = list(dict.fromkeys(k for k in kinks if k.free_symbols & set(free)))
    binding.extend(kinks)
    # Named in the program's own unknowns (the numeric route's are scaled, x = unit * y).
    own = (
        {}
        if symbolic
        else {v: v / sympy.Rational(u) for v, u in zip(unknowns, num.scale.unknowns, strict=True)}
    )
    active.extend(f"kink {as_expression(k).xreplace(own)} = 0" for k in kinks)
    if not symbolic:
        # Each kink in the unit of its own terms, as the binding constraints are: inside a
        # function (log(min(1.2 V - x, 2 V - 3 x))) it is in the payoffs' own unit, and a
        # row of size 1e-200 beside rows of order one is singular to Newton's solver.
        binding[len(binding) - len(kinks) :] = [
            k / sympy.Rational(unit(_finite([_number(t, at) for t in _summands(k, free)])))
            for k in kinks
        ]
    mus = tuple(sympy.Symbol(f"_mu{k}", real=True) for k in range(len(binding)))
    equations = [
        sympy.diff(f, v) + sum((m * sympy.diff(b, v) for m, b in zip(mus, binding, strict=True)), 0)
        for v in free
    ]
    equations.extend(binding)
    if spec.kinks and not kinks:
        spec = dataclasses.replace(spec, kinks=False)
    return _KKT(free, fixed, mus, tuple(equations), tuple(active), spec)


def _multipliers(kkt: _KKT, at: Mapping[sympy.Symbol, sympy.Expr]) -> list[float]:
    """The multipliers at the point ``at`` (values of the unknowns, and of the parameters
    if the system keeps them): least squares on the stationarity rows, which are linear
    in them."""
    if not kkt.multipliers:
        return []
    n_free = len(kkt.free)
    grad_rows = []
    zero = {m: sympy.Integer(0) for m in kkt.multipliers}
    for row in kkt.equations[:n_free]:
        row = as_expression(row)
        coeffs = [float(sympy.diff(row, m).xreplace(at)) for m in kkt.multipliers]
        const = float(as_expression(row.xreplace(zero)).xreplace(at))
        grad_rows.append((coeffs, const))
    a = np.array([c for c, _ in grad_rows], dtype=float).reshape(n_free, -1)
    b = -np.array([k for _, k in grad_rows], dtype=float)
    mu, *_ = np.linalg.lstsq(a, b, rcond=None)
    return [float(m) for m in mu]


@dataclass(frozen=True)
class _Newton:
    """A smooth KKT system in scaled unknowns and multipliers (``x = unit * y``), evaluated
    through its form in the program's own (:func:`_kkt_system`, compiled once): each
    equation and each unknown is multiplied by a power of two (``rows``, ``columns``), which
    is exact, and Newton's iterates do not depend on it; ``args`` are the values of its
    constants (:class:`_Hoisted`) at the fixed unknowns and the parameters."""

    system: Callable[..., list[mpmath.mpf]]
    jacobian: Callable[..., list[list[mpmath.mpf]]]
    args: tuple[mpmath.mpf, ...]
    rows: tuple[mpmath.mpf, ...]
    columns: tuple[mpmath.mpf, ...]

    @functools.cached_property
    def cells(self) -> list[list[mpmath.mpf]]:
        """Each Jacobian entry's factor ``row * column``: a power of two, so multiplying by
        it is multiplying by the two in turn, exactly."""
        return [[r * c for c in self.columns] for r in self.rows]

    def _own(self, v: Sequence[mpmath.mpf]) -> list[mpmath.mpf]:
        return [*(a * c for a, c in zip(v, self.columns, strict=True)), *self.args]

    def f(self, *v: mpmath.mpf) -> mpmath.matrix:
        values = self.system(*self._own(v))
        return mpmath.matrix([e * r for e, r in zip(values, self.rows, strict=True)])

    def j(self, *v: mpmath.mpf) -> mpmath.matrix:
        values = self.jacobian(*self._own(v))
        return mpmath.matrix(
            [
                [e * rc for e, rc in zip(row, cells, strict=True)]
                for row, cells in zip(values, self.cells, strict=True)
            ]
        )


@functools.lru_cache(maxsize=COMPILED)
def _kkt_system(
    program: Program,
    fixed: tuple[int, ...],
    inequalities: tuple[int, ...],
    equalities: tuple[int, ...],
) -> tuple[Callable[..., list], Callable[..., list], Callable[..., list]]:
    """The KKT system of a smooth program in its own units, its unknowns ``fixed`` at a
    bound, its ``inequalities`` binding and its ``equalities``, with its Jacobian, compiled
    to mpmath once (the differentiation is what ``sympy.nsolve`` did at every call): every
    set of values uses the same code. The system and the Jacobian take the free unknowns,
    the multipliers and their *constants* (:class:`_Hoisted`: what is in the fixed unknowns
    and the parameters alone, evaluated once a polish), which the third function computes
    from the fixed unknowns and the parameters (:attr:`_Compiled.params`)."""
    z = program.unknowns
    rows = [program.objective, *(program.inequalities[k] for k in inequalities)]
    rows += [program.equalities[k] for k in equalities]
    free = [i for i in range(len(z)) if i not in fixed]
    # Named symbols (lambdify renames a Dummy throughout the system, which costs more than
    # printing it), named apart from the program's own.
    taken = {str(s) for e in rows for s in as_expression(e).free_symbols}
    mus = [sympy.Symbol(f"{_apart('_mu', taken)}{k}", real=True) for k in range(len(rows) - 1)]
    grads = [[gradient(e, z)[i] for i in free] for e in rows]
    equations = [
        grads[0][j] + sum((m * g[j] for m, g in zip(mus, grads[1:], strict=True)), 0)
        for j in range(len(free))
    ]
    equations += [as_expression(e) for e in rows[1:]]
    unknowns = [z[i] for i in free] + mus
    jacobian = sympy.Matrix(equations).jacobian(unknowns)
    constant = [z[i] for i in fixed] + list(_compile(program).params)
    consts: dict[sympy.Expr, sympy.Symbol] = {}
    hoist = _Hoisted(set(constant), consts, _apart("_c", taken))
    # Lists, not matrices: the same entries, without building an mpmath matrix per call.
    column = [hoist(e) for e in equations]
    jacobian = jacobian.applyfunc(hoist).tolist()
    args = [*unknowns, *consts.values()]
    system, jacobian_of, constants = lambdify_each(
        [(args, column), (args, jacobian), (constant, list(consts))],
        "mpmath",
        _printer(MpmathPrinter),
    )
    return system, jacobian_of, constants


def _apart(stem: str, taken: set[str]) -> str:
    """``stem``, with underscores added until no name in ``taken`` begins with it."""
    return next(
        p
        for p in (stem + "_" * k for k in range(len(taken) + 1))
        if not any(t.startswith(p) for t in taken)
    )


class _Hoisted:
    """Expressions with each largest part in the ``constant`` symbols alone — a
    subexpression, or the arguments of a sum or product that are — replaced by a symbol of
    its own (the same for the same part, kept in ``consts``, named ``stem`` and a number):
    the polish evaluates those parts once, not at every Newton step, so that a system
    compiled with parameters costs no more to evaluate than one with the values
    substituted. One for all the functions of a program (its objective, derivatives and
    terms share their parts): each subexpression's symbols and hoisted form are found once,
    the same as found again (its parts are named at their first appearance).

    >>> a, b, x = sympy.symbols("a b x")
    >>> hoist = _Hoisted({a, b}, {}, "_c")
    >>> hoist(a * b * x + sympy.exp(a) - x**2), hoist(sympy.exp(a) * x), hoist.consts
    (_c0*x + _c1 - x**2, _c1*x, {a*b: _c0, exp(a): _c1})
    """

    def __init__(
        self, constant: set[sympy.Symbol], consts: dict[sympy.Expr, sympy.Symbol], stem: str
    ) -> None:
        self.constant = constant
        self.consts = consts
        self.stem = stem
        self._symbols: dict[sympy.Basic, frozenset[sympy.Basic]] = {}
        self._done: dict[sympy.Basic, sympy.Basic] = {}

    def __call__(self, expr: sympy.Expr) -> sympy.Expr:
        return self._walk(as_expression(expr))

    def _free(self, e: sympy.Basic) -> frozenset[sympy.Basic]:
        # ``e.free_symbols``, each subexpression's computed once (sympy does not keep them)
        found = self._symbols.get(e)
        if found is None:
            if isinstance(e, sympy.Add | sympy.Mul | sympy.Pow | sympy.exp | sympy.log):
                found = frozenset().union(*(self._free(a) for a in e.args))
            else:
                found = frozenset(e.free_symbols)
            self._symbols[e] = found
        return found

    def _name(self, e: sympy.Expr) -> sympy.Expr:
        if not self._free(e):
            return e
        if e not in self.consts:
            self.consts[e] = sympy.Symbol(f"{self.stem}{len(self.consts)}", real=True)
        return self.consts[e]

    def _walk(self, e: sympy.Expr) -> sympy.Expr:
        if e in self._done:
            return self._done[e]
        constant = self.constant
        if self._free(e) <= constant:
            out = self._name(e)
        elif e.is_Add or e.is_Mul:
            fixed = [a for a in e.args if self._free(a) <= constant]
            rest = [self._walk(a) for a in e.args if not self._free(a) <= constant]
            out = e.func(self._name(e.func(*fixed)), *rest) if fixed else e.func(*rest)
        else:
            out = rebuilt(e, [self._walk(a) for a in e.args]) if e.args else e
        self._done[e] = out
        return out


def hoisted(
    exprs: Sequence[sympy.Expr], params: tuple[sympy.Symbol, ...]
) -> tuple[list[sympy.Expr], Constants]:
    """``exprs`` with each largest part in the parameters ``params`` alone named
    (:class:`_Hoisted`), and those parts as :class:`Constants`: compiled with them as
    arguments, the functions compute each part at the values in 30 digits, once.

    >>> a, x = sympy.symbols("a x")
    >>> (f,), constants = hoisted([1 - a - x], (a,))
    >>> f, constants.values({a: 1 - sympy.Rational(1, 10**17)})
    (_c0 - x, [1e-17])
    """
    consts: dict[sympy.Expr, sympy.Symbol] = {}
    taken = {str(s) for e in exprs for s in e.free_symbols}
    hoist = _Hoisted(set(params), consts, _apart("_c", taken))
    return [hoist(e) for e in exprs], Constants(params, consts)


def _printer(kind: type[CodePrinter]) -> CodePrinter:
    """A printer for ``lambdify`` with lambdify's own settings, but that prints sums in the
    order they are stored rather than sorting their terms (a third of the printing of a
    program with many parameters, which is printed once for all its values), and each
    subexpression once however often it comes (:class:`~bargain.model.model.PrintedOnce`)."""
    return printed_once(kind)(
        {
            "fully_qualified_modules": False,
            "inline": True,
            "allow_unknown_functions": True,
            "user_functions": {},
            "order": "none",
        }
    )


def _polish(
    kkt: _KKT, z: np.ndarray, program: Program, num: _Numeric
) -> tuple[dict[sympy.Symbol, float], list[float]] | None:
    """Newton on the numeric KKT system in 30 digits, from the SLSQP point (mpmath's
    ``findroot``, as ``sympy.nsolve`` runs it, on a system compiled once): the free unknowns
    and the multipliers found (in the units of ``num.scale``)."""
    if not kkt.free:
        return {}, []
    zmap = dict(zip(program.unknowns, z, strict=True))
    unknowns = list(kkt.free) + list(kkt.multipliers)
    guess = [zmap[v] for v in kkt.free]
    if kkt.newton is not None:
        guess.extend(num.multipliers(kkt, z))
        system, jacobian = kkt.newton.f, kkt.newton.j
    else:
        guess.extend(_multipliers(kkt, zmap))
        if len(kkt.equations) != len(unknowns):
            return None
        system, jacobian = newton_system(kkt.equations, tuple(unknowns))
    try:
        with mpmath.workdps(30):
            values = [complex(s) for s in newton(system, guess, jacobian)]
    except (ArithmeticError, ValueError, TypeError):  # OverflowError: exp(exp(exp(x))) far off
        values = []
    if not values or any(abs(v.imag) > 1e-20 or not math.isfinite(v.real) for v in values):
        return None
    n = len(kkt.free)
    return {v: values[i].real for i, v in enumerate(kkt.free)}, [v.real for v in values[n:]]


def _bracketed(
    kkt: _KKT, z: np.ndarray, program: Program, num: _Numeric
) -> dict[sympy.Symbol, float] | None:
    """The stationary point of a one-unknown KKT system (no constraint binding) between
    the search's point ``z`` and the bound nearer it, where Newton's method does not
    converge: the sign change of the first-order condition, bracketed on distances from
    the bound that halve, then quarter, ... (``2**-1``, ``2**-2``, ``2**-4``, ...,
    ``2**-4096`` of the search's distance), then bisected in the logarithm of the
    distance, in 30 digits.

    The maximum of ``w log(x) + log(V - x)`` with a small power ``w`` is at ``x = w V /
    (1 + w)``, within ``w V`` of the bound (Roth 1979, ch. 1; Kalai 1977), where the
    objective's value cannot resolve it in floating point and Newton's method from a
    point ``1 / w`` times further off jumps out of the domain. Its first-order condition
    changes sign there at every scale. Returns ``None`` where there is no such bracket.
    """
    if len(kkt.free) != 1 or kkt.multipliers:
        return None
    i = program.unknowns.index(kkt.free[0])
    lo, hi, at = float(num.lo[i]), float(num.hi[i]), float(z[i])
    ends = [b for b in (lo, hi) if math.isfinite(b)]
    if not ends:
        return None
    bound = min(ends, key=lambda b: (abs(at - b), b != lo))
    side = 1 if bound == lo else -1
    if kkt.newton is not None:
        system = kkt.newton.f
    else:
        system, _ = newton_system(kkt.equations, tuple(kkt.free))

    with mpmath.workdps(30):

        def sign(t: mpmath.mpf) -> int:
            """The sign of the condition (towards the optimum, from the bound) at
            distance ``exp(t)`` from the bound; 0 where it is not a finite real number."""
            try:
                value = complex(system(mpmath.mpf(bound) + side * mpmath.exp(t))[0])
            except (ValueError, ZeroDivisionError, TypeError, OverflowError):
                return 0
            if value.imag != 0 or not cmath.isfinite(value) or value == 0:
                return 0
            return side if value.real > 0 else -side

        width = abs(at - bound) or (hi - lo if len(ends) == 2 else 1.0)
        far = mpmath.log(mpmath.mpf(width))
        if sign(far) != -1:
            return None
        near = None
        for k in range(13):
            t = far - mpmath.ln2 * 2**k
            found = sign(t)
            if found == 1:
                near = t
                break
            if found != -1:
                return None
            far = t
        if near is None:
            return None
        # To 1e-25 relative in the distance (t carries 30 digits, its own size's worth).
        while far - near > mpmath.mpf(10) ** -25 * (1 + abs(far)):
            mid = (near + far) / 2
            found = sign(mid)
            if found == 0:
                return None
            near, far = (mid, far) if found == 1 else (near, mid)
        y = float(mpmath.mpf(bound) + side * mpmath.exp((near + far) / 2))
    return {kkt.free[0]: y} if math.isfinite(y) else None


def _agrees(value: complex | None, target: float, unit_of: float) -> bool:
    """A closed form's value (``None`` where it could not be evaluated) reproduces the
    numeric answer, to ``MATCH_TOL`` of its unit."""
    return value is not None and (
        abs(value.imag) <= MATCH_TOL * unit_of and abs(value.real - target) <= MATCH_TOL * unit_of
    )


def _exact(
    kkt: _KKT,
    point: Mapping[sympy.Symbol, float],
    subs: Mapping[sympy.Symbol, sympy.Expr],
    budget: Budget,
    units: Mapping[sympy.Symbol, float],
) -> dict[sympy.Symbol, sympy.Expr] | None:
    """Solve the symbolic KKT system and keep the root that matches ``point`` (each unknown
    to ``MATCH_TOL`` of its unit in ``units``), if the expression language can write it."""
    if not kkt.free:
        # Every unknown sits at a bound; the binding constraints must hold identically.
        return dict(kkt.fixed) if all(budget.is_zero(e) for e in kkt.equations) else None
    by_issue = _by_issue(kkt, point, subs, budget)
    if by_issue is not None:
        candidates = [by_issue] if by_issue else []
    else:
        candidates = budget.solve(kkt.equations, list(kkt.free) + list(kkt.multipliers))
    params = set(subs)
    for cand in candidates:
        if any(v not in cand for v in kkt.free):
            continue
        if any(not (as_expression(cand[v]).free_symbols <= params) for v in kkt.free):
            continue
        if all(_agrees(budget.evaluate(cand[v], subs), point[v], units[v]) for v in kkt.free):
            # Issue by issue, a common denominator is tidy enough: simplify would cost more
            # than the whole solve.
            tidy = budget.cancel if by_issue else budget.tidy
            out = {v: tidy(cand[v]) for v in kkt.free}
            out.update(kkt.fixed)
            # A formula the expression language cannot write (CRootOf, say) is true but
            # cannot be reported: the numeric answer stands.
            return out if all(expressible(e, special=True) for e in out.values()) else None
    return None


class _Coupled(Exception):
    """A stationarity condition involves another unknown outside a separable sum."""


def _localised(
    row: sympy.Expr, own: sympy.Symbol, others: set[sympy.Symbol], sums: dict
) -> sympy.Expr | None:
    """The stationarity condition ``row`` of the unknown ``own`` with every *separable
    sum* that involves ``others`` (a sum each of whose terms has at most one unknown, such
    as a separable payoff ``sum_i u_i(x_i)``) replaced by a symbol of its own (kept in
    ``sums``, shared by all rows); ``None`` if another unknown appears elsewhere."""

    def walk(node: sympy.Expr) -> sympy.Expr:
        if not node.free_symbols & others:
            return node
        if node.is_Add and all(
            len(t.free_symbols & (others | {own})) <= 1 for t in sympy.Add.make_args(node)
        ):
            if node not in sums:
                sums[node] = sympy.Symbol(f"_S{len(sums)}", real=True)
            return sums[node]
        if node.is_Symbol or not node.args:
            raise _Coupled
        return node.func(*(walk(a) for a in node.args))

    try:
        return walk(as_expression(row))
    except _Coupled:
        return None


def _by_issue(
    kkt: _KKT,
    point: Mapping[sympy.Symbol, float],
    subs: Mapping[sympy.Symbol, sympy.Expr],
    budget: Budget,
) -> dict[sympy.Symbol, sympy.Expr] | None:
    """The KKT system solved issue by issue, for payoffs separable in the unknowns.

    Where the stationarity condition of each of at least two unknowns involves the others
    only through separable sums (the payoffs ``sum_i u_i(x_i)`` of a multi-issue model,
    say, in the Nash product's denominators), each sum becomes an unknown of its own and
    each such condition an equation in its own unknown alone: it is solved for it
    (one unknown at a time, which sympy does quickly), and what is left — the sums'
    definitions, the binding constraints and the remaining conditions, in the sums, the
    multipliers and the other unknowns — is solved one equation and one unknown at a time,
    the lowest degree first. Of each step's roots the one nearest the numeric answer
    (unknowns, sums and multipliers there) is kept, so no branch is followed that the
    maximiser does not take (the numeric answer found the active set, the exact algebra
    the formula; the caller checks the formula against the answer).

    Returns ``None`` where the system is not of that shape (it is then solved whole), an
    empty dict where it is but no closed form was found, else the closed form of every
    free unknown.
    """
    free = kkt.free
    sums: dict[sympy.Expr, sympy.Symbol] = {}
    local: dict[sympy.Symbol, sympy.Expr] = {}
    rows: list[sympy.Expr] = []
    for v, row in zip(free, kkt.equations[: len(free)], strict=True):
        eq = _localised(row, v, set(free) - {v}, sums)
        if eq is not None and v in eq.free_symbols:
            local[v] = eq
        else:
            rows.append(row)
    if len(local) < 2:
        return None
    # The numeric answer: unknowns, parameters, sums and multipliers.
    env: dict[sympy.Symbol, sympy.Expr] = {**subs, **{v: sympy.Float(point[v], 30) for v in point}}
    multipliers = _multipliers(kkt, env)
    env.update({m: sympy.Float(v, 30) for m, v in zip(kkt.multipliers, multipliers, strict=True)})
    for total, name in sums.items():
        env[name] = sympy.Float(_number(total, env), 30)
    solved: dict[sympy.Symbol, sympy.Expr] = {}

    def nearest(equation: sympy.Expr, unknown: sympy.Symbol) -> sympy.Expr | None:
        """The root of ``equation`` for ``unknown`` nearest its numeric value."""
        best, gap = None, math.inf
        target = complex(env[unknown])
        for found in budget.solve([equation], [unknown]):
            root = found.get(unknown)
            value = None if root is None else budget.evaluate(root, env)
            if value is not None and cmath.isfinite(value) and abs(value - target) < gap:
                best, gap = root, abs(value - target)
        return best

    for v, eq in local.items():
        root = nearest(eq, v)
        if root is None:
            return {}
        solved[v] = root
    unknowns = set(sums.values()) | set(kkt.multipliers) | (set(free) - set(local))
    system = [name - total for total, name in sums.items()]
    system += [*rows, *kkt.equations[len(free) :]]
    system = [as_expression(e).xreplace(solved) for e in system]
    while system:
        ops = [int(sympy.count_ops(e)) for e in system]
        pending = [k for k, e in enumerate(system) if e.free_symbols & unknowns]
        if not pending:  # what is left must hold whatever the values solved for
            if not all(budget.is_zero(e) for e in system):
                return {}
            break
        small = [k for k in pending if ops[k] <= budget.max_ops]
        if not small:  # every equation left is too large to solve: say so, and stop
            budget.admits([system[min(pending, key=lambda k: ops[k])]])
            return {}
        pairs = [
            (_degree(system[k], u), ops[k], k, u)
            for k in small
            for u in sorted(system[k].free_symbols & unknowns, key=str)
        ]
        *_, k, u = min(pairs, key=lambda p: p[:3])
        root = nearest(system[k], u)
        if root is None:
            return {}
        system = [as_expression(e.xreplace({u: root})) for j, e in enumerate(system) if j != k]
        solved = {w: as_expression(e.xreplace({u: root})) for w, e in solved.items()}
        solved[u] = root
        unknowns.discard(u)
    out = {v: solved[v] for v in free if v in solved}
    known = set(subs)
    return (
        out if len(out) == len(free) and all(e.free_symbols <= known for e in out.values()) else {}
    )


def _degree(expr: sympy.Expr, unknown: sympy.Symbol) -> int:
    """The degree of ``expr`` in ``unknown`` read off its tree (sums take the largest,
    products add, integer powers multiply, a denominator's counting as a numerator's: no
    polynomial is built, which with many parameters costs more than the solve); 1000
    where ``unknown`` is inside a function or a non-integer power. The elimination's
    order, easiest first.

    >>> x, a = sympy.symbols("x a")
    >>> _degree(a * x**2 + 1 / (x - a), x), _degree(sympy.sqrt(x) + a, x)
    (2, 1000)
    """
    if unknown not in expr.free_symbols:
        return 0
    if expr == unknown:
        return 1
    if expr.is_Add:
        return max(_degree(t, unknown) for t in expr.args)
    if expr.is_Mul:
        return min(1000, sum(_degree(t, unknown) for t in expr.args))
    if expr.is_Pow and expr.exp.is_Integer:
        return min(1000, abs(int(expr.exp)) * _degree(expr.base, unknown))
    return 1000


def _degenerate(kkt: _KKT, program: Program) -> bool:
    """More constraints bind than there are unknowns: the active set is ambiguous, and
    which formula holds depends on the direction in which the parameters move."""
    return len(kkt.active) > len(program.unknowns)


def _climbs(num: _Numeric, z: np.ndarray, to: np.ndarray) -> bool:
    """Whether the objective climbs from ``z`` to ``to`` as a concave function does to its
    maximum: its slope towards ``to`` positive and falling at :data:`BASIN_POINTS` points
    of the segment between them (``to`` itself left out), each meeting the constraints. The
    polish may then go that far from the search's point. Where the objective's values are
    flat to rounding its slopes are not (``log(5 + 1e-9 x) + log(5 + 1e-9 (1.2 - x))``
    changes by 1e-22 from ``x = 0.5`` to its maximum at 0.6; its slope at 0.5 is 8e-21,
    against a rounding of 1e-25, and falls to 0 at 0.6): the search stops wherever it
    starts, and Newton, on the slopes, finds the maximum. Along a set of maximisers (a
    level line of the payoffs) the slopes are rounding (:meth:`_Numeric.slope_rounding`):
    the polish stays near the search's point there."""
    d = to - z
    slopes = []
    for t in np.arange(BASIN_POINTS) / BASIN_POINTS:
        p = z + t * d
        if not num.meets(p):
            return False
        slopes.append(float(np.dot(-num.neg_df(p), d)))
    return (
        slopes[-1] > 0
        and bool(np.all(np.diff(slopes) < 0))
        and slopes[0] > num.slope_rounding(z, d)
    )


def _locate(
    program: Program, num: _Numeric, z: np.ndarray
) -> tuple[dict[sympy.Symbol, float], _KKT, bool]:
    """Polish the search's point ``z``: the maximiser, its numeric KKT system, and whether
    Newton converged.

    Everything is in the units of ``num.scale`` (the starts too, and the point returned).
    Unknowns at a bound are set to the bound exactly. A polished point is kept only if it
    is feasible, near the search's point, (up to the search's own tolerance) as good, and
    its binding constraints are zero there (which Newton ensures, except where every
    unknown sits at a bound). A search's point at a bound where the objective's slope into
    the box is infinite is no maximum (:func:`_inward`): the polish starts from the point
    inside that it moves to instead (its search stopped where the objective's rise is
    below rounding: ``sqrt(x) + 1e8 (1 - x)`` at ``x = 0``, whose maximum is ``2.5e-17``).
    """
    inside = _inward(num, z)
    z = z if inside is None else inside
    point = dict(zip(program.unknowns, (float(v) for v in z), strict=True))
    scale = _scale(list(z))
    f_tol = SEARCH_TOL * 10 * num.objective_size(z)
    candidates = _active_sets(program, num, z)
    for spec in candidates:
        kkt = _kkt(program, spec, num, symbolic=False)
        start = z
        # Newton stops on an absolute step; a constraint whose terms are far below one unit
        # (a disagreement payoff of 1e-40) binds only to that step after the first polish,
        # and exactly after a second one from the polished point. Each polish gains about
        # 30 digits, so POLISH_ROUNDS of them reach terms as small as floating point holds
        # (a disagreement payoff of 1e-266 against payoffs of one): a point near the
        # search's and as good is polished again until it is feasible and its constraints
        # bind, or a polish no longer moves it (x_1 = -1e-62, then 5e-100, ..., 1e-266).
        for _ in range(POLISH_ROUNDS):
            polished = _polish(kkt, start, program, num)
            bracketed = polished is None and start is z
            if bracketed:
                # Between the search's point and a bound: no nearness to ask of it.
                found = _bracketed(kkt, z, program, num)
                polished = None if found is None else (found, [])
            if polished is None:
                break
            values, mu = polished
            candidate = {**point, **{v: float(e) for v, e in kkt.fixed.items()}, **values}
            cz = np.array([candidate[v] for v in program.unknowns])
            if not (
                (bracketed or np.max(np.abs(cz - z)) <= 1e-3 * scale or _climbs(num, z, cz))
                and num.f(cz) >= num.f(z) - f_tol - _misses_worth(num, kkt, z, mu)
            ):
                break
            if (
                num.meets(cz, FEASIBILITY_TOL)
                and all(num.binds(k, cz) for k in spec.inequalities)
                and all(num.binds(k, cz, ROUNDING) for k in spec.dependent)
            ):
                if not _signs_hold(num, kkt, cz, mu):
                    break  # a stationary point where leaving a constraint gains: no maximum
                return candidate, kkt, True
            if start is not z and np.array_equal(cz, start):
                break
            start = cz
    kkt = _kkt(program, candidates[0], num, symbolic=False)
    fixed = {**point, **{v: float(e) for v, e in kkt.fixed.items()}}
    fz = np.array([fixed[v] for v in program.unknowns])
    with np.errstate(all="ignore"):
        if num.f(fz) >= num.f(z) - f_tol:
            # At the bounds that bind, exactly, unless that is worse (log(1 - x) at x = 1).
            point = fixed
    return point, kkt, False


def _misses_worth(num: _Numeric, kkt: _KKT, z: np.ndarray, mu: Sequence[float]) -> float:
    """What the search's point ``z`` gains in the objective by missing the constraints of
    the active set that the polish found binding (multipliers ``mu``), to first order:
    twice the sum of each multiplier's size times its constraint's miss at ``z`` (an
    inequality below zero, an equality off zero). A polished point on the constraints is
    that much worse than a point just outside them and is no worse a maximum: the common
    gain of ``x + y/2`` and ``1 - x - y`` over ``1/2`` and ``1/2 - 1e-12``, weighted 1 and 2,
    is ``1e-12/3``, and the search's point, outside by 1.6e-10, claimed ``1.0013e-12/3``
    (the polished point was refused as worse, and the model as not improving on
    disagreement). Zero where the multipliers are not known."""
    n = len(kkt.spec.inequalities)
    equalities = kkt.spec.equalities(len(num._dh))
    if len(mu) < n + len(equalities):
        return 0.0
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        misses = [max(0.0, -float(np.real(num._g[k](z)))) for k in kkt.spec.inequalities]
        misses += [abs(float(np.real(num._h[k](z)))) for k in equalities]
    worth = 2 * sum(abs(m) * miss for m, miss in zip(mu, misses, strict=False))
    return worth if math.isfinite(worth) else 0.0


def _signs_hold(num: _Numeric, kkt: _KKT, z: np.ndarray, mu: Sequence[float]) -> bool:
    """Whether the polished point ``z`` (scaled units) meets the sign conditions of a
    maximum's KKT conditions: each binding inequality's multiplier ``mu_k >= 0`` (the
    objective would rise by letting it go slack otherwise), and at each bound the slope of
    the Lagrangian ``f + sum mu_k g_k + sum lambda_j h_j`` points out of the box (it falls
    into the box: the bound's own multiplier is not negative). Nocedal & Wright,
    *Numerical Optimization*, 2nd ed., Springer 2006, Theorem 12.1 (12.34d-e). Each
    product ``mu_k |grad g_k|`` is compared with the largest term of the stationarity
    rows, and each bound's slope with the largest term of its own row, to
    :data:`MULTIPLIER_TOL`. Where only bounds bind, the objective's own slope at each must
    point out of the box, and an infinite slope into it (``sqrt(x)`` at ``x = 0``, which no
    finite multiplier balances) is refused too. Where a constraint's gradient is not a
    finite number, or the multipliers are not known (every unknown at a bound with a
    constraint binding; a kink binding, whose gradient is either piece's), nothing is
    refused, except a bound where the objective's slope into the box is infinite and a
    point inside meets the constraints and is no worse (:func:`_inward`), with or without
    constraints binding there: no maximum, whatever the multipliers (``1e-5 sqrt(x) + 1 - x``
    at ``x = 0``, with ``u_A = 1e-5 sqrt(x) >= 0`` binding too)."""
    if _inward(num, z) is not None:
        return False
    n = len(kkt.spec.inequalities)
    equalities = kkt.spec.equalities(len(num._dh))
    if (not kkt.free and (n or num._dh or kkt.spec.kinks)) or len(mu) < n:
        return True
    kinks = len(mu) > n + len(equalities)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = num.slope(z)
        dg = [np.asarray(num._dg[k](z), dtype=complex) for k in kkt.spec.inequalities]
        dh = [np.asarray(num._dh[k](z), dtype=complex) for k in equalities]
    if not all(np.all(np.isfinite(r)) and not np.any(r.imag) for r in [*dg, *dh]):
        return True
    if np.any(df.imag) or np.any(np.isnan(df.real)):
        return True
    df, dg, dh = df.real, [g.real for g in dg], [h.real for h in dh]
    if not np.all(np.isfinite(df)):
        # The objective's slope beyond floating point (sqrt(x) at x = 0): no finite
        # multiplier balances it, so a bound it points into the box from is no maximum.
        return kinks or not any(
            math.isinf(df[i]) and (df[i] < 0 if side else df[i] > 0) for i, side in kkt.spec.bounds
        )
    weighted = [m * g for m, g in zip(mu[:n], dg, strict=True)]
    weighted += [m * h for m, h in zip(mu[n : n + len(dh)], dh, strict=True)]
    size = max(float(np.max(np.abs(r), initial=0.0)) for r in [df, *weighted])
    tol = MULTIPLIER_TOL * size
    if any(
        m * float(np.max(np.abs(g), initial=0.0)) < -tol for m, g in zip(mu[:n], dg, strict=True)
    ):
        return False
    if kinks:
        return True
    # A bound's slope against the terms of its own row: at x = 0 a constraint's slope
    # e^(600 x) / 1e260 is tiny beside the other rows', and its sign is what counts.
    terms = np.abs(np.array([df, *weighted]))
    slope = df + sum(weighted, np.zeros_like(df))
    return all(
        side * slope[i] >= -MULTIPLIER_TOL * float(np.max(terms[:, i]))
        if side
        else slope[i] <= MULTIPLIER_TOL * float(np.max(terms[:, i]))
        for i, side in kkt.spec.bounds
    )


def solve_program(
    program: Program,
    subs: Mapping[sympy.Symbol, sympy.Expr],
    *,
    starts: Sequence[Sequence[float]],
    exact: bool = True,
    timeout: float = 10.0,
    probe: Mapping[sympy.Symbol, sympy.Expr] | None = None,
    polish: bool = True,
) -> ProgramResult:
    """Maximise a :class:`Program` at the parameter values ``subs``.

    Parameters
    ----------
    program
        The problem, in the unknowns and the parameters.
    subs
        Parameter values, by symbol.
    starts
        Starting points for the multi-start numeric search.
    exact
        Whether to attempt the closed form with ``sympy.solve``.
    timeout
        The CPU-time safety net of the exact attempt, in seconds (of the whole
        solve when a solver's budget is open; see :mod:`bargain.concepts.budget`).
    probe
        Parameter values a little way from ``subs``. When more constraints bind
        at ``subs`` than there are unknowns (a degenerate point, where the
        closed form depends on the direction the parameters move in), the
        active set for the exact attempt is taken at ``probe`` instead; the
        formula is still checked against the answer at ``subs``.
    polish
        Whether to polish the search's point (step 2); without, the best point of the
        search is returned as it is (``polished`` false, no active set, no ties and no
        closed form): a starting point for another program needs no more.

    Raises
    ------
    FeasibilityError
        When no starting point leads to a point satisfying the constraints.
    SolverError
        When the answer is not finite.
    """
    if not exact:
        # The numeric route depends on nothing but these: kept (a copy for each caller).
        found = _numeric_result(program, _used(program, subs), _starts_key(starts), polish)
        return dataclasses.replace(
            found,
            point=dict(found.point),
            ties=tuple(dict(t) for t in found.ties),
        )
    with exact_budget(timeout) as budget:
        return _exact_route(program, subs, starts, timeout, probe, polish, budget)


EXACT_KEPT = 64  # exact-route results kept (see _exact_route)
_EXACT: dict[tuple[Any, ...], tuple[ProgramResult, int, str | None]] = {}


def _exact_route(
    program: Program,
    subs: Mapping[sympy.Symbol, sympy.Expr],
    starts: Sequence[Sequence[float]],
    timeout: float,
    probe: Mapping[sympy.Symbol, sympy.Expr] | None,
    polish: bool,
    budget: Budget,
) -> ProgramResult:
    """:func:`solve_program` with ``exact=True``, kept (the :data:`EXACT_KEPT` most recent)
    per program, values, starts, probe, ``polish`` and the state of ``budget`` before it (its
    work bounds, the steps admitted, why it last declined): the docs build solves the
    flagship's Nash solution exactly for the tornado and again for each calibration. A kept
    result leaves the budget as computing it did (the steps it took, what it declined), so
    the solve's later programs see the same budget as if it had been computed again; a
    result computed after the safety net ran out (a time, not a work bound, decided) is not
    kept."""
    key = (
        program,
        _key(subs),
        _starts_key(starts),
        None if probe is None else _key(probe),
        polish,
        budget.limits,
        budget.steps,
        budget.declined,
    )
    if key in _EXACT:
        found, budget.steps, budget.declined = _EXACT[key] = _EXACT.pop(key)  # most recent last
    else:
        found = _solve(program, subs, starts, True, timeout, probe, polish)
        if budget.ran_out():
            return found
        _EXACT[key] = (found, budget.steps, budget.declined)
        while len(_EXACT) > EXACT_KEPT:
            del _EXACT[next(iter(_EXACT))]
    return dataclasses.replace(
        found,
        point=dict(found.point),
        exact=None if found.exact is None else dict(found.exact),
        ties=tuple(dict(t) for t in found.ties),
    )


@functools.lru_cache(maxsize=COMPILED)
def _parameters(program: Program) -> frozenset[sympy.Symbol]:
    """The symbols of ``program``'s functions and bounds other than its unknowns."""
    exprs = [program.objective, *program.inequalities, *program.equalities]
    exprs += [*program.lower, *program.upper]
    found: set[sympy.Symbol] = set().union(*(as_expression(e).free_symbols for e in exprs))
    return frozenset(found - set(program.unknowns))


def _used(
    program: Program, subs: Mapping[sympy.Symbol, sympy.Expr]
) -> frozenset[tuple[sympy.Symbol, sympy.Expr]]:
    """The values in ``subs`` of ``program``'s parameters (:func:`_parameters`), as a key of a
    cache: the numeric route reads no other, so a model that differs only in parameters the
    program does not contain (a strike's focal dates, a promise's trust in the Nash program)
    shares its result."""
    used = _parameters(program)
    return frozenset((s, v) for s, v in subs.items() if s in used)


def _starts_key(starts: Sequence[Sequence[float]]) -> tuple[bytes, ...]:
    """Starting points as a key of a cache: their floats' bits (``-0.0`` is not ``0.0``)."""
    return tuple(np.asarray(s, dtype=float).tobytes() for s in starts)


@functools.lru_cache(maxsize=4 * COMPILED)
def _numeric_result(
    program: Program,
    subs: frozenset[tuple[sympy.Symbol, sympy.Expr]],
    starts: tuple[bytes, ...],
    polish: bool,
) -> ProgramResult:
    """:func:`solve_program` on its numeric route (``exact=False``), kept per program, values,
    starts and ``polish``: the builders of ``bargain docs`` solve many programs again at the
    same point (a credibility report's stage, a brief's concept). Nothing else enters the
    numeric route, so a kept result is the one it would compute again."""
    points = [np.frombuffer(s, dtype=float) for s in starts]
    return _solve(program, dict(subs), points, False, 0.0, None, polish)


def _solve(
    program: Program,
    subs: Mapping[sympy.Symbol, sympy.Expr],
    starts: Sequence[Sequence[float]],
    exact: bool,
    timeout: float,
    probe: Mapping[sympy.Symbol, sympy.Expr] | None,
    polish: bool,
) -> ProgramResult:
    """:func:`solve_program`, computed."""
    scale = first = _units(program, subs, starts)
    kink_starts, kink_candidates = _kink_points(program, _key(subs), _starts_key(starts[:1]))
    starts = [*starts, *kink_starts]
    y_starts = [np.asarray(s, dtype=float) / scale.unknowns for s in starts]
    num = _numeric(program, subs, scale)
    found = _search(num, y_starts, [z / scale.unknowns for z in kink_candidates])
    if not polish:
        y = _best(found)
        point = scale.point(program, dict(zip(program.unknowns, y, strict=True)), num)
        if not all(math.isfinite(v) for v in point.values()):
            raise SolverError("the optimum is not finite")
        return ProgramResult(point, None, (), False, objective=num.f(y) * scale.objective)
    ends = [z * scale.unknowns for _, z in found]  # in the program's units
    y, kkt_num, ok = _locate(program, num, _best(found))
    point = scale.point(program, y, num)
    for _ in range(ZOOMS):
        if ok:
            break
        # Unpolished: the optimum may lie where the box's unit cannot resolve it (agreements
        # in [0, 1] of a box 1e16 wide). Search again in the units of the point found.
        x = np.array([point[v] for v in program.unknowns])
        zoom = Scale.of(program, subs, [x], around=scale)
        if zoom == scale:
            break
        scale, num = zoom, _numeric(program, subs, zoom)
        y_starts = [x / scale.unknowns]
        found = _search(num, y_starts)
        ends += [z * scale.unknowns for _, z in found]
        y, kkt_num, ok = _locate(program, num, _best(found))
        point = scale.point(program, y, num)
    inside = Scale.of(program, subs, starts, where_feasible=True) if not ok else scale
    # Unpolished after the zooms: search again, from the starts, with each function in its
    # size at those that meet the constraints (Scale.of, where_feasible), where the
    # functions' units at the box's starts hide them where the optimum can be (payoffs of
    # 1e15 at contracts of a box 1e15 wide that no party accepts, of 1 where they do:
    # sqrt(x) + 1 - x, x = 1/4); then from the point found, with its faint unknowns in
    # larger units (Scale.unfaint). In the first search's units either would be the first
    # search again, whose point did not polish (the search and the polish depend on
    # nothing else): a leximin stage of tiny payoffs searched twice, 7 s.
    tried = {scale, first}
    for again in ("inside", "unfaint"):
        if ok:
            break
        x = np.array([point[v] for v in program.unknowns])
        units = inside if again == "inside" else scale.unfaint(num, x / scale.unknowns)
        if units in tried:
            continue
        tried.add(units)
        num_in = _numeric(program, subs, units)
        starts_in = [
            np.asarray(s, dtype=float) / units.unknowns
            for s in (starts if again == "inside" else [x])
        ]
        found_in = _search(num_in, starts_in)
        y_in, kkt_in, ok_in = _locate(program, num_in, _best(found_in))
        if ok_in:
            scale, num, y_starts, y, kkt_num, ok = units, num_in, starts_in, y_in, kkt_in, True
            ends += [z * scale.unknowns for _, z in found_in]
            point = scale.point(program, y, num)
    if not ok and _rises_beyond(
        num, np.array([point[v] for v in program.unknowns]) / scale.unknowns
    ):
        at = ", ".join(f"{v} = {point[v]:.12g}" for v in program.unknowns)
        raise UndefinedPayoffError(
            f"the objective rises beyond floating point next to the point found ({at}): "
            "a payoff there is above about 1.8e308 in size, so the optimum cannot be "
            "computed; measure the payoffs in a larger unit"
        )
    # Ties among the end points of every search, compared in the final units.
    y_ends = [(num.f(x / scale.unknowns), x / scale.unknowns) for x in ends]
    met = None if ok else _met_instead(num, y_ends, np.array([y[v] for v in program.unknowns]))
    if met is not None:
        y, kkt_num, ok = _locate(program, num, met)
        point = scale.point(program, y, num)
    found_y = np.array([y[v] for v in program.unknowns])
    if not ok and not num.meets(found_y, FEASIBILITY_TOL) and _met_nowhere(num, [found_y]):
        # The search's tolerance let a point through that misses an equation by more than
        # an answer may (a == 0.3 beside a == 0.30000001): no contract meets them all.
        raise FeasibilityError(
            "no contract satisfies the bounds and constraints to "
            f"{FEASIBILITY_TOL:g} of their sides (the feasible set is empty)",
            table="constraints",
        )
    ties = tuple(scale.point(program, t) for t in _ties(program, num, y_ends, y))
    formula = None
    declined = None
    if exact:
        with exact_budget(timeout) as budget:
            formula = _closed_form(program, num, kkt_num, point, subs, y_starts, probe, budget)
            declined = None if formula is not None else budget.declined
    values = [point[v] for v in program.unknowns]
    if not all(math.isfinite(v) for v in values):
        raise SolverError("the optimum is not finite")
    return ProgramResult(
        point=point,
        exact=formula,
        active=kkt_num.active,
        polished=ok,
        objective=num.f(np.array(values) / scale.unknowns) * scale.objective,
        declined=declined,
        ties=ties,
        stationarity=0.0 if ok else _stationarity(num, np.array(values) / scale.unknowns),
    )


def _stationarity(num: _Numeric, z: np.ndarray) -> float:
    """How far the point ``z`` (in the units of ``num.scale``) is from a point that meets the
    first-order (Karush–Kuhn–Tucker) conditions of a maximum (Nocedal & Wright, *Numerical
    Optimization*, 2nd ed., 2006, Theorem 12.1), in those units.

    The residual ``r = grad f + sum mu_k grad g_k + sum lambda_j grad h_j`` is least over
    multipliers ``mu_k >= 0`` of the inequalities and bounds that bind there and any
    ``lambda_j`` of the equalities (``scipy.optimize.lsq_linear``). Where each component,
    less 64 units of its rounding (the size of the derivative's summands,
    :meth:`_Numeric.gradient_rounding`), is within :data:`STATIONARY_TOL` of its own
    terms (the slope's and each multiplier's share: an end of SLSQP, its constraints met
    to its tolerance), the distance is 0; else it is ``|r|`` over the objective's
    curvature along ``r`` (its slope's change over :data:`CURVATURE_STEP`),
    ``inf`` where the objective is not concave that way, and ``nan`` where the slope is no
    number or the program has a kink. A slope small beside its terms is no miss where the
    maximum is that near (a point 1e-11 off a line of maxima), and a large one where it is
    far: the log Nash product of ``5 + 1e-9 x`` against ``5 + 1e-9 (1.2 - x)``, whose
    values are flat to rounding, at the search's start ``x = 0.5``: 0.1 from its maximum.
    """
    if num.compiled.kinked:
        return math.nan
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = np.asarray(num._df(z), dtype=complex)
    columns, signs = num.binding_gradients(z)  # signs: True for a multiplier >= 0
    for i, (lo, hi, zi) in enumerate(zip(num.lo, num.hi, z, strict=True)):
        for bound, sign in ((lo, 1.0), (hi, -1.0)):
            if math.isfinite(bound) and abs(zi - bound) <= BOUND_TOL * magnitude([1.0, bound]):
                columns.append(sign * np.eye(len(z))[i])
                signs.append(True)
    if not all(np.all(np.isfinite(c)) and np.all(c.imag == 0) for c in [g, *columns]):
        return math.nan
    grad = g.real
    if not np.any(grad):
        return 0.0
    rounding = 64 * num.gradient_rounding(z)
    terms = np.abs(grad)
    if columns:
        a = np.array([c.real for c in columns]).T
        lower = np.where(signs, 0.0, -np.inf)
        # Bounded-variable least squares, an active-set method, exact where a multiplier's
        # least is at its bound 0: the default trust-region reflective method stops a
        # tolerance inside (a multiplier of 8.5e-5 for 0 left a residual of 5e-6, and a
        # maximum of the egalitarian's common gain on a set was "not concave there").
        mu = lsq_linear(a, -grad, bounds=(lower, np.full(len(signs), np.inf)), method="bvls").x
        residual = grad + a @ mu
        terms = np.maximum(terms, np.max(np.abs(a * mu), axis=1))
        # The least-squares solve's own rounding, of the system's largest term: a component
        # whose terms are all zero (a contract that only a constraint with multiplier 0
        # holds: b in max t, t <= a <= 1/2, t <= b, t <= c, a + b + c <= 3) is left
        # 1e-17 off by it, not by a miss of its condition.
        rounding = np.maximum(rounding, 64 * np.finfo(float).eps * np.max(np.abs(a * mu)))
    else:
        residual = grad
    # Each component against its own terms: a faint unknown beside a steep one (x and y at
    # 1e-9 beside the common gain t) misses its condition by as much as its terms.
    if np.all(np.abs(residual) - rounding <= STATIONARY_TOL * terms):
        return 0.0
    u = residual / np.linalg.norm(residual)
    ahead = np.clip(z + CURVATURE_STEP * u, num.lo, num.hi)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        moved = np.asarray(num._df(ahead), dtype=complex)
    if not (np.all(np.isfinite(moved)) and np.all(moved.imag == 0)):
        return math.nan
    along = float(np.dot(ahead - z, u))
    if along <= 0:
        return math.nan
    curvature = float(np.dot(moved.real - grad, u)) / along
    return math.inf if curvature >= 0 else float(np.linalg.norm(residual) / -curvature)


@functools.lru_cache(maxsize=COMPILED)
def _kink_points(
    program: Program,
    subs: frozenset[tuple[sympy.Symbol, sympy.Expr]],
    first: tuple[bytes, ...],
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """More starts and candidate points of a kinked program at the values ``subs``: the
    breakpoints of its ``min``, ``max``, ``abs`` and ``Piecewise`` on the box
    (:func:`bargain.axiomatic.breakpoints.breakpoints`, each of one unknown with finite
    bounds), each as the ``first`` start with that unknown moved there; and, where the
    program has one unknown and a breakpoint, those breakpoints and the finite bounds as
    candidates (a maximum of a function of one variable that is smooth between its
    breakpoints is at a bound, a breakpoint or a stationary point of a piece, which the
    local searches find). A narrow feature between the starts, flat outside it (a bump
    ``max(0, 0.01 - abs(x - 0.537))``), is missed by every local search otherwise. Kept per
    program and values (in the program's units)."""
    exprs = [program.objective, *program.inequalities, *program.equalities]
    if not any(as_expression(e).has(*KINKED) for e in exprs):
        return (), ()
    box = {}
    for v, lo, hi in zip(program.unknowns, program.lower, program.upper, strict=True):
        with contextlib.suppress(TypeError, ValueError):
            box[v] = (float(_at(lo, subs)), float(_at(hi, subs)))
    found = breakpoints([_at(e, subs) for e in exprs], program.unknowns, box)
    (base,) = [np.frombuffer(s, dtype=float) for s in first] or [None]
    starts = []
    for k, v in enumerate(program.unknowns):
        for b in found[v]:
            if base is not None:
                z = base.copy()
                z[k] = b
                starts.append(z)
    if len(program.unknowns) != 1 or not starts:
        return tuple(starts), ()
    (v,) = program.unknowns
    ends = [b for b in box.get(v, ()) if math.isfinite(b)]
    return tuple(starts), tuple(np.array([b]) for b in [*ends, *found[v]])


def _rises_beyond(num: _Numeric, y: np.ndarray) -> bool:
    """Whether the objective, finite at the unpolished point ``y`` (scaled units), is
    ``+inf`` a little way up its slope (``1e-9``, ``1e-6``, ``1e-3`` of ``1 + |y|``, within
    the bounds): the search stopped at the edge of floating point, not at a maximum (the
    log Nash product of a payoff ``(1+x)**(1+x)**...`` that overflows before ``x = 1``)."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        slope = np.real(num.slope(y))
        up = np.where(np.isfinite(slope), np.sign(slope), 0.0)
        if not np.any(up):
            return False
        for h in (1e-9, 1e-6, 1e-3):
            step = np.clip(y + h * (1 + np.abs(y)) * up, num.lo, num.hi)
            value = complex(num._f(step))
            if value.imag == 0 and value.real == math.inf:
                return True
    return False


def _ties(
    program: Program,
    num: _Numeric,
    ends: Sequence[tuple[float, np.ndarray]],
    point: Mapping[sympy.Symbol, float],
) -> tuple[dict[sympy.Symbol, float], ...]:
    """The search's other maxima as good as ``point`` (to :data:`TIE_TOL` of the objective's
    terms there), each polished, apart from ``point`` and from each other, with a worse or
    infeasible point on the segment to each of them: separate maximisers, where a flat set
    of maximisers (every one of :data:`BASIN_POINTS` points between feasible and as good,
    :func:`_as_good`) is left out. One point
    between is not enough: the midpoint of two separate maxima can be a third (the sum
    ``1 + 0.1 min(|x - 1/4|, |x - 3/4|)`` is maximal at 0, 1/2 and 1, and 1/2 hid 0 beside
    1). Each is a local maximum (:func:`_no_better_near`): an end where a search stopped
    without being at one (``sqrt(a)`` at ``a = 0``, as good as the maximum found at ``a = 1``
    and worse between, but not a maximum) is no tie. Everything is in the units of
    ``num.scale``."""
    best = np.array([point[v] for v in program.unknowns])
    top = num.f(best)
    tol = TIE_TOL * num.objective_size(best)
    found = [best]
    out = []
    between = np.linspace(0.0, 1.0, BASIN_POINTS + 1)[1:-1]

    def known(z: np.ndarray) -> bool:
        """Whether ``z`` is a point found, or joined to one by a flat set."""
        return any(
            np.max(np.abs(z - y)) <= MATCH_TOL * _scale(list(z))
            or all(_as_good(num, y + t * (z - y), top - tol) for t in between)
            for y in found
        )

    for value, z in ends:
        if value < top - tol or known(z):
            continue
        tied, _, _ = _locate(program, num, z)
        zt = np.array([tied[v] for v in program.unknowns])
        # Polished, an end may land on a point found (a flat but strict maximum: 1 -
        # (1 - x)**30 against 1 - x**30, whose search ended 3e-6 off x = 1/2).
        if num.f(zt) >= top - tol and not known(zt) and _no_better_near(num, zt, top + tol):
            found.append(zt)
            out.append(tied)
    return tuple(out)


def _as_good(num: _Numeric, z: np.ndarray, level: float) -> bool:
    """Whether ``z`` (scaled units) meets the constraints and its objective is at least
    ``level``: a point of a flat set of maximisers. The objective alone is not enough: a
    common-gain program's objective ``t`` is the same all along the segment between two
    separate maximisers of equal gain, whose points between miss the constraints. (A
    constraint ``S log(1 + (S - a - b - c)/S) >= 0`` on the face ``a + b + c = S`` is met
    to a rounding of ``S``, the size of its logarithm's summands, :func:`_summands`.)"""
    return num.f(z) >= level and num.meets(z)


def _no_better_near(num: _Numeric, z: np.ndarray, level: float) -> bool:
    """Whether no point near ``z`` (scaled units) that meets the constraints is better than
    ``level``: none where the objective's slope is infinite into the box (:func:`_inward`),
    and none that SLSQP finds from ``z`` moved :data:`NEAR` of each unknown's width (of one
    unit where the box is unbounded) either way, within that distance of ``z``: a search
    restricted near it. A local maximum passes (Nocedal & Wright, *Numerical
    Optimization*, 2nd ed. 2006, §12.1: no feasible point nearby is better)."""
    if _inward(num, z) is not None:
        return False
    width = num.widths() * NEAR
    lo, hi = np.maximum(num.lo, z - width), np.minimum(num.hi, z + width)
    bounds = list(zip(lo, hi, strict=True))
    for i in range(len(z)):
        for side in (-1.0, 1.0):
            start = z.copy()
            start[i] = np.clip(z[i] + side * width[i], lo[i], hi[i])
            if start[i] == z[i] or not num.meets(start):
                continue
            end = _local(num, start, bounds, "SLSQP")
            if num.meets(end) and num.f(end) > level:
                return False
    return True


EXACT_MISS = 1e-20
"""What a closed form may miss a constraint by, evaluated in 30 digits, relative to the
constraint's terms at the point (the digits the evaluation carries, less a margin)."""


def _formula_meets(
    program: Program,
    num: _Numeric,
    formula: Mapping[sympy.Symbol, sympy.Expr],
    point: Mapping[sympy.Symbol, float],
    subs: Mapping[sympy.Symbol, sympy.Expr],
    budget: Budget,
) -> bool:
    """Whether a closed form meets the program's constraints at its own exact value (in 30
    digits, to :data:`EXACT_MISS` of each constraint's terms at the float ``point``). The
    float point met them to the search's tolerance of those terms, which at mixed scales
    hides a miss of the formula's: ``L (1 - x) - t >= 0`` at ``x = t = 1`` misses by 1, a
    rounding of the terms' 1e15 at ``L = 1e15``, but the formula ``x = t = 1`` is not the
    answer. Where the constraint at the formula and the parameter values is a rational
    number, it must meet the constraint exactly. A constraint the budget declines to
    evaluate is left to the float check."""
    x = np.array([point[v] for v in program.unknowns])
    c = num.compiled
    checks = [
        *((g, t, False) for g, t in zip(program.inequalities, c.g_terms, strict=True)),
        *((h, t, True) for h, t in zip(program.equalities, c.h_terms, strict=True)),
    ]
    for expr, terms, equal in checks:
        if huge_power(as_expression(expr), {**formula, **subs}):
            continue  # a root of a degree beyond exact work: left to the float check
        at_formula = as_expression(expr).xreplace(dict(formula))
        value = budget.evaluate(at_formula, subs)
        if value is None:
            continue
        rational = at_formula.xreplace(dict(subs))
        if rational.is_Rational:  # a rational formula at rational values: no rounding at all
            miss = abs(rational) if equal else -rational
            if miss > 0:
                return False
            continue
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            size = magnitude(_finite(terms(x, num.p)))
        miss = abs(value.real) if equal else -value.real
        if miss > EXACT_MISS * size:
            return False
    return True


def _defined_at(
    program: Program,
    formula: Mapping[sympy.Symbol, sympy.Expr],
    subs: Mapping[sympy.Symbol, sympy.Expr],
    budget: Budget,
) -> bool:
    """Whether ``program``'s objective is a finite number at the closed form ``formula`` (at
    the parameter values ``subs``, in 30 digits); so taken where the budget declines to
    evaluate it."""
    value = budget.evaluate(as_expression(program.objective).xreplace(dict(formula)), subs)
    return value is None or math.isfinite(value.real)


def _closed_form(
    program: Program,
    num: _Numeric,
    kkt_num: _KKT,
    point: dict[sympy.Symbol, float],
    subs: Mapping[sympy.Symbol, sympy.Expr],
    starts: Sequence[Sequence[float]],
    probe: Mapping[sympy.Symbol, sympy.Expr] | None,
    budget: Budget,
) -> dict[sympy.Symbol, sympy.Expr] | None:
    """The closed form of the maximiser ``point`` (in the program's units), within
    ``budget``, each unknown matched to ``MATCH_TOL`` of its unit in ``num.scale``;
    ``starts`` are in those units. On success ``point`` is updated to the formula's values
    in 30 digits."""
    scale = num.scale
    units = dict(zip(program.unknowns, scale.unknowns, strict=True))
    kkt_sym = _kkt(program, kkt_num.spec, num, symbolic=True)
    # An overdetermined (degenerate) system has a solution only where its extra
    # equations hold identically in the parameters, so this is safe to try first.
    formula = _exact(kkt_sym, point, subs, budget, units)
    if (
        formula is not None
        and kkt_num.spec.bounds
        and not _defined_at(program, formula, subs, budget)
    ):
        # A bound where the objective is not defined (log(1 - x) at x = 1) is no maximum:
        # the search's point is the float nearest one a hair inside it (the Nash product
        # of x and 1 - x with powers 1 and 1e-17, at x = 1/(1 + 1e-17)), whose KKT system
        # is the one without the bounds.
        inside = dataclasses.replace(kkt_num.spec, bounds=())
        formula = _exact(_kkt(program, inside, num, symbolic=True), point, subs, budget, units)
    if formula is None and _degenerate(kkt_sym, program) and probe and probe != subs:
        # Identify the active set a little way into the parameter ranges instead.
        num_p = _numeric(program, probe, scale)
        array = np.array([point[v] for v in program.unknowns]) / scale.unknowns
        y_p, kkt_p, _ = _locate(program, num_p, _best(_search(num_p, [array, *starts])))
        kkt_p_sym = _kkt(program, kkt_p.spec, num_p, symbolic=True)
        formula = _exact(kkt_p_sym, scale.point(program, y_p), probe, budget, units)
    if formula is None:
        return None
    values = {v: budget.evaluate(e, subs) for v, e in formula.items()}
    if not all(_agrees(values[v], point[v], units[v]) for v in formula):
        return None
    if not _formula_meets(program, num, formula, point, subs, budget):
        return None
    point.update({v: value.real for v, value in values.items() if value is not None})
    return formula


__all__ = ["Program", "ProgramResult", "gradient", "solve_program"]
