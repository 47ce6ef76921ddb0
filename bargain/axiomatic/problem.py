"""The bargaining problem a model induces: the utility-possibility set and the threat point.

A :class:`Model` defines a set of contracts (the box of variable bounds cut by
the constraints) and each party's payoff over it. The utility-possibility set
is the image of that set under the payoffs; the disagreement point is the
vector of disagreement payoffs. The axiomatic solutions are all maximisers of
some objective over the contracts, so they share this module: it builds their
:class:`~bargain.axiomatic.program.Program`, finds the point of largest common gain
(which also proves that some agreement improves on disagreement), and turns
a :class:`~bargain.axiomatic.program.ProgramResult` into a :class:`~bargain.Solution`.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

import numpy as np
import sympy
from scipy.optimize import least_squares, minimize
from sympy.calculus.util import singularities

from bargain.axiomatic.equal_gains import best_least_gain
from bargain.axiomatic.program import (
    COMPILED,
    FEASIBILITY_TOL,
    GAIN,
    KINKED,
    SEARCH_TOL,
    STATIONARY_TOL,
    Constants,
    Program,
    ProgramResult,
    gradient,
    hoisted,
    smooth_piece,
    solve_program,
    towards,
)
from bargain.axiomatic.starts import sobol_starts
from bargain.concepts.budget import SAFETY_SECONDS, declined_note, exact_budget, huge_power
from bargain.concepts.solution import Solution
from bargain.concepts.vectorised import scale_tol
from bargain.errors import (
    BargainError,
    FeasibilityError,
    ModelError,
    SolverError,
    UnboundedError,
    UndefinedPayoffError,
)
from bargain.model.expr import derivative, exponent_beyond, expression_to_string, log_of
from bargain.model.model import (
    Constraint,
    Model,
    Variable,
    accurate,
    as_expression,
    lambdify,
)
from bargain.model.validate import numeric_value, shown, surely_nonzero, validate_model
from bargain.scale import ROUNDING, exceeds, magnitude, negligible, unit

SEARCH_GAIN = 1e-6  # an unpolished gain this small (relative) is polished before it is judged
EQUIVALENT_LEVEL = 1e-12  # of its size: how far below a payoff its equivalent agreements go
EQUIVALENT_WIDTH = 1e-4  # of a variable's range: a narrower spread of them is one agreement
EQUIVALENT_PROBE = 1e-2  # of the box: how far a set of them must reach to be looked for
ENDS_WIDE = 1e3  # a box this many times wider than a start: a set's ends are polished
REACH_SAMPLES = 32  # points between a start and a set's end checked to lie in the set
# (the box's units hide a set 5e4 times narrower than the box from the unpolished search:
# the individually rational agreements of x + y against 1 - x - y/2, in [0, 1e5]**2)


def _real(value: complex) -> bool:
    """Whether a computed payoff is a finite real number (an imaginary part within
    rounding of its real part is rounding)."""
    return math.isfinite(value.real) and negligible(value.imag, [value.real], 1e-12)


@functools.lru_cache(maxsize=COMPILED)
def _compiled_payoffs(
    payoffs: tuple[sympy.Expr, ...],
    variables: tuple[sympy.Symbol, ...],
    parameters: tuple[sympy.Symbol, ...],
) -> tuple[Callable[[np.ndarray, Sequence[float]], list[complex]], Constants]:
    """The parties' payoffs compiled to one numpy function of the contract variables and
    their parts in the parameters alone (:func:`~bargain.axiomatic.program.hoisted`,
    computed in 30 digits at the values: ``1 - a`` at ``a = 1 - 1e-17`` is 1e-17, not the 0
    of floats), and those parts. Kept per payoffs: every set of values uses the same code."""
    body, constants = hoisted(payoffs, parameters)
    fn = lambdify([variables, constants.symbols], body, "numpy")
    return fn, constants


@functools.lru_cache(maxsize=COMPILED)
def _compiled_inequalities(
    inequalities: tuple[sympy.Expr, ...],
    variables: tuple[sympy.Symbol, ...],
    extra: tuple[sympy.Symbol, ...],
) -> Callable[[np.ndarray, Sequence[float]], list[Any]]:
    return lambdify([variables, extra], list(inequalities), "numpy")


def _digits(value: float | sympy.Expr) -> sympy.Expr:
    """A contract's value in at least 30 digits: a sympy Float of more keeps its own."""
    if isinstance(value, sympy.Float) and value._prec > sympy.Float(0, 30)._prec:
        return value
    return sympy.N(value, 30)


@dataclass(frozen=True)
class BargainingProblem:
    """Contracts, payoffs and disagreement point of a model, ready to optimise over."""

    model: Model

    @property
    def variables(self) -> tuple[sympy.Symbol, ...]:
        return tuple(v.symbol for v in self.model.variables)

    @property
    def payoffs(self) -> tuple[sympy.Expr, ...]:
        return tuple(p.payoff for p in self.model.parties)

    @property
    def disagreement(self) -> tuple[sympy.Expr, ...]:
        return tuple(p.disagreement for p in self.model.parties)

    @property
    def subs(self) -> dict[sympy.Symbol, sympy.Rational]:
        return self.model.substitutions

    @cached_property
    def disagreement_values(self) -> dict[str, float]:
        """Each party's disagreement payoff at the model's values."""
        return {
            p.name: numeric_value(self.model, p.disagreement, f"parties.{p.name}", "disagreement")
            for p in self.model.parties
        }

    @cached_property
    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Lower and upper bounds of the contract variables at the model's values."""
        lo, hi = (
            np.array([_bound(self.model, v, side) for v in self.model.variables])
            for side in ("min", "max")
        )
        return lo, hi

    def log_nash_product(
        self, weights: Sequence[sympy.Expr] | None = None, *, shift: sympy.Expr | int = 0
    ) -> sympy.Expr:
        """``sum_i w_i log(u_i - d_i + shift)``: the (weighted) Nash product on a log scale
        (``shift`` zero); equal weights when none are given."""
        weights = weights if weights is not None else [sympy.Integer(1)] * len(self.model.parties)
        return sum(
            (
                w * log_of(p.payoff - p.disagreement + shift)
                for p, w in zip(self.model.parties, weights, strict=True)
            ),
            sympy.Integer(0),
        )

    @property
    def probe(self) -> dict[sympy.Symbol, sympy.Rational]:
        """Parameter values moved 1/1000 of the way towards the centre of their ranges
        (parameters without a range stay put): where the active set is degenerate at the
        model's values, closed forms are those valid on this side."""
        out = {}
        for p in self.model.parameters:
            centre = (p.range[0] + p.range[1]) / 2 if p.range else p.value
            out[p.symbol] = p.value + (centre - p.value) / 1000
        return out

    def solve(
        self,
        program: Program,
        starts: Sequence[np.ndarray],
        *,
        exact: bool,
        timeout: float,
        polish: bool = True,
        values: Mapping[sympy.Symbol, sympy.Expr] | None = None,
    ) -> ProgramResult:
        """Solve a program of this problem at the model's parameter values (and ``values``
        of symbols of the program's own); an empty feasible set is refused naming the file
        and the constraints that contradict."""
        try:
            return solve_program(
                program,
                {**self.subs, **(values or {})},
                starts=starts,
                exact=exact,
                timeout=timeout,
                probe=self.probe if exact else None,
                polish=polish,
            )
        except FeasibilityError as err:
            own = {c.name for c in self.model.constraints}
            extra = [n for n in program.inequality_names if n not in own]
            if err.table == "constraints" and extra and self._satisfiable(self.model.constraints):
                # The model's bounds and constraints hold somewhere; what no contract the
                # search found meets is the program's own (a party's gain, its payoff at
                # least the disagreement payoff): x <= 0 of [0, 1] leaves W = x no gain,
                # which was reported as "the constraint cannot hold".
                raise FeasibilityError(
                    "no contract found meets the bounds and constraints and also "
                    f"{', '.join(extra)} (the bounds and constraints alone are met): the "
                    "disagreement point is not improved upon",
                    file=self.model.file,
                    table="parties",
                    key="disagreement",
                ) from None
            if err.table != "constraints" or not self.model.constraints:
                raise err.located(file=self.model.file) from None
            raise FeasibilityError(
                f"{err.message}: {self.contradiction()}",
                file=self.model.file,
                table="constraints",
            ) from None

    def contradiction(self) -> str:
        """Which constraints contradict each other within the variables' bounds, in words.

        A deletion filter (Chinneck & Dravnieks 1991): drop each constraint in turn
        and keep it out if the rest is still infeasible; what remains is a minimal
        set that no contract in the box satisfies. Feasibility is judged by the
        least squared violation a bounded local search finds from the box starts.

        Examples
        --------
        >>> import bargain
        >>> m = bargain.model_from_dict({"model": {"name": "m"},
        ...     "variables": {"x": {"min": 0, "max": 1}},
        ...     "constraints": {"low": "x <= 0.2", "mid": "x <= 0.5", "high": "x >= 0.8"},
        ...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}}})
        >>> print(problem_of(m).contradiction())  # low is not needed: mid already contradicts high
        the constraints mid (x <= 1/2) and high (x >= 4/5) contradict each other
        within the bounds 0 <= x <= 1
        """
        kept = list(self.model.constraints)
        for c in list(kept):
            rest = [k for k in kept if k is not c]
            if not self._satisfiable(rest):
                kept = rest
        if not kept:  # the search found the whole set feasible: say so rather than guess
            kept = list(self.model.constraints)
        listed = [f"{c.name} ({expression_to_string(c.relation)})" for c in kept]
        names = listed[0] if len(listed) == 1 else ", ".join(listed[:-1]) + " and " + listed[-1]
        box = ", ".join(
            f"{expression_to_string(v.min)} <= {v.name} <= {expression_to_string(v.max)}"
            for v in self.model.variables
        )
        verb = "cannot hold" if len(kept) == 1 else "contradict each other"
        return f"the constraint{'s' * (len(kept) > 1)} {names} {verb} within the bounds {box}"

    def _satisfiable(self, constraints: Sequence[Constraint]) -> bool:
        """Whether some contract in the box meets ``constraints`` to ``FEASIBILITY_TOL`` of
        each one's sides (as an answer must: :meth:`slack_margin`'s measure). A local search
        (:meth:`_least_violation`), its point then refined by Gauss–Newton within the box
        (scipy's ``least_squares``; Nocedal & Wright 2006, §10.3), which meets the equations
        of a feasible set to rounding where L-BFGS-B stops near the square root of its
        tolerance: ``a == 0.3`` and ``a == 0.30000001`` have no common solution to this
        tolerance, either alone has."""
        if not constraints:
            return True
        lo, hi = self.bounds
        _, z0 = self._least_violation(constraints)
        parts = lambdify(
            [self.variables],
            [self.model.numeric(e) for c in constraints for e in (c.slack, *c.relation.args)],
            "numpy",
        )
        equal = np.array([c.is_equality for c in constraints])

        def violations(z: np.ndarray, units: np.ndarray | None = None) -> np.ndarray:
            """Each constraint's violation at ``z``, in ``units`` (its sides' size at ``z``)."""
            with np.errstate(all="ignore"):
                v = np.array(parts(z), dtype=float).reshape(-1, 3)
            sizes = np.array([magnitude(list(row[1:])) or 1.0 for row in v])
            s = np.where(equal, v[:, 0], np.minimum(v[:, 0], 0.0))
            return np.nan_to_num(s / (sizes if units is None else units), nan=1e30)

        found = [z0]
        if np.all(lo < hi):
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                units = np.array(
                    [magnitude(list(r[1:])) or 1.0 for r in np.reshape(parts(z0), (-1, 3))],
                    dtype=float,
                )
                refined = least_squares(
                    lambda z: violations(z, units),
                    z0,
                    bounds=(lo, hi),
                    xtol=1e-15,
                    ftol=1e-15,
                    gtol=1e-15,
                )
            found.append(np.clip(refined.x, lo, hi))
        return any(float(np.max(np.abs(violations(z)))) <= FEASIBILITY_TOL for z in found)

    def _least_violation(self, constraints: Sequence[Constraint]) -> tuple[float, np.ndarray]:
        """The least sum of squared violations of ``constraints`` (each in units of the
        box's size) that a bounded local search (L-BFGS-B) finds from the box's starts, and
        the contract where it found it: a phase one. The search moves the contract in units
        of the box's size too: in dollars of a box 1e9 wide, the slope of the scaled sum is
        below L-BFGS-B's tolerance on it (1e-5), and the search stopped where it started (no
        start met ``a + b + c + d + e <= S``, and five parties were refused as "the feasible
        set is empty")."""
        lo, hi = self.bounds
        slacks = [self.model.numeric(c.slack) for c in constraints]
        equal = np.array([c.is_equality for c in constraints])
        f = lambdify([self.variables], slacks, "numpy")
        scale = 1 + max((abs(float(b)) for b in (*lo, *hi) if math.isfinite(b)), default=0.0)

        def violation(z: np.ndarray) -> float:
            with np.errstate(all="ignore"):
                s = np.array(f(z), dtype=float) / scale
            s = np.where(equal, s, np.minimum(s, 0.0))
            return float(np.sum(s * s)) if np.all(np.isfinite(s)) else 1e30

        box = [
            (None if math.isinf(a) else a / scale, None if math.isinf(b) else b / scale)
            for a, b in zip(lo, hi, strict=True)
        ]
        starts = self.box_starts() if np.all(np.isfinite([*lo, *hi])) else [np.clip(0 * lo, lo, hi)]
        found = [
            minimize(lambda y: violation(y * scale), z / scale, bounds=box, method="L-BFGS-B")
            for z in starts
        ]
        best = min(found, key=lambda r: r.fun)
        return float(best.fun), np.clip(best.x * scale, lo, hi)

    @cached_property
    def _constraint_sides(self) -> Callable[[np.ndarray], list[Any]]:
        """Each constraint's slack and its two sides at the model's values, compiled."""
        m = self.model
        sides = [
            m.numeric(e) for c in m.constraints for e in (c.slack, c.relation.lhs, c.relation.rhs)
        ]
        return lambdify([self.variables], sides, "numpy")

    def slack_margin(self, x: np.ndarray) -> float:
        """The least slack of the constraints at contract ``x``, each relative to the size
        of its sides (an equation's: minus its residual's): non-negative where ``x`` meets
        every inequality, ``-inf`` where a side is not a finite real number; ``inf``
        without constraints."""
        constraints = self.model.constraints
        if not constraints:
            return math.inf
        with np.errstate(all="ignore"):
            values = [complex(v) for v in self._constraint_sides(np.asarray(x, dtype=float))]
        if not all(math.isfinite(v.real) and v.imag == 0 for v in values):
            return -math.inf
        margins = []
        for k, c in enumerate(constraints):
            slack, lhs, rhs = values[3 * k : 3 * k + 3]
            size = magnitude([lhs.real, rhs.real]) or 1.0
            margins.append((-abs(slack.real) if c.is_equality else slack.real) / size)
        return min(margins)

    def satisfies(self, x: np.ndarray) -> bool:
        """Whether contract ``x`` (inside the box) meets every constraint: an inequality
        exactly in floating point, an equation to ``FEASIBILITY_TOL`` of its sides' size.

        Examples
        --------
        >>> import bargain
        >>> m = bargain.model_from_dict({"model": {"name": "m"},
        ...     "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
        ...     "constraints": {"budget": "x + y <= 1"},
        ...     "parties": {"A": {"payoff": "x"}, "B": {"payoff": "sqrt(1 - x - y)"}}})
        >>> p = BargainingProblem(m)
        >>> p.satisfies(np.array([0.5, 0.5])), p.satisfies(np.array([0.85, 0.93]))
        (True, False)
        """
        return self.slack_margin(x) >= (-FEASIBILITY_TOL if self._equations else 0.0)

    @cached_property
    def _equations(self) -> bool:
        return any(c.is_equality for c in self.model.constraints)

    @cached_property
    def _contract_starts(self) -> tuple[np.ndarray, ...]:
        starts = self.box_starts()
        kept = [self.satisfies(x) or self._defined(x) for x in starts]
        if all(kept) or not np.all(np.isfinite(starts)):
            return tuple(starts)
        inside = [x for x in starts if self.satisfies(x)]
        if inside:
            anchor = max(inside, key=self.slack_margin)
        else:
            _, anchor = self._least_violation(self.model.constraints)
            if not self.satisfies(anchor):
                return tuple(x for x, k in zip(starts, kept, strict=True) if k)
        out: list[np.ndarray] = []
        for x, k in zip(starts, kept, strict=True):
            z = x if k else self._towards(anchor, x)
            if z is not None and not any(np.array_equal(z, y) for y in out):
                out.append(z)
        return tuple(out)

    def _defined(self, x: np.ndarray) -> bool:
        """Whether every payoff is a finite real number at contract ``x``."""
        values = self.float_payoffs(x)
        return all(_real(v) for v in values)

    def contract_starts(self) -> list[np.ndarray]:
        """The search's starting contracts: the box's starts (:meth:`box_starts`), each
        one outside the constraints where a payoff is not defined (``sqrt(1 - x - y)`` at
        ``x + y > 1``, which the constraint ``x + y <= 1`` excludes) moved towards the start
        that meets them with most room (:meth:`satisfies`; or, where none does, the
        contract a least-violation search finds), half way to where the segment between
        them leaves the set, or dropped where that point is outside too. A payoff need not
        be defined outside the constraints, so no payoff is evaluated there; a start
        outside them where every payoff is defined is kept as it is (the local search
        moves it into the set).

        Examples
        --------
        >>> import bargain
        >>> m = bargain.model_from_dict({"model": {"name": "m"},
        ...     "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
        ...     "constraints": {"budget": "x + y <= 1"},
        ...     "parties": {"A": {"payoff": "x"}, "B": {"payoff": "sqrt(1 - x - y)"}}})
        >>> p = BargainingProblem(m)
        >>> all(p.satisfies(x) for x in p.contract_starts()), len(p.box_starts())
        (True, 9)
        """
        return [x.copy() for x in self._contract_starts]

    def _towards(self, anchor: np.ndarray, x: np.ndarray) -> np.ndarray | None:
        """The contract half way from ``anchor`` (meeting the constraints) to where the
        segment towards ``x`` leaves the set (found by bisection); ``None`` if that
        contract does not meet them (a set that is not convex)."""
        return towards(self.satisfies, anchor, x)[1]

    def program(
        self,
        objective: sympy.Expr,
        *,
        gain: bool = False,
        inequalities: Sequence[tuple[str, sympy.Expr]] = (),
    ) -> Program:
        """A program over the contract variables (and the common gain ``t`` if ``gain``)
        with the model's bounds and constraints plus ``inequalities`` (each ``>= 0``)."""
        cons = [c for c in self.model.constraints if not c.is_equality]
        eqs = [c for c in self.model.constraints if c.is_equality]
        extra = (GAIN,) if gain else ()
        return Program(
            objective=objective,
            unknowns=self.variables + extra,
            lower=tuple(v.min for v in self.model.variables) + (-sympy.oo,) * len(extra),
            upper=tuple(v.max for v in self.model.variables) + (sympy.oo,) * len(extra),
            inequalities=tuple(c.slack for c in cons) + tuple(e for _, e in inequalities),
            inequality_names=tuple(c.name for c in cons) + tuple(n for n, _ in inequalities),
            equalities=tuple(c.relation.lhs - c.relation.rhs for c in eqs),
            equality_names=tuple(c.name for c in eqs),
        )

    def rational(self) -> list[tuple[str, sympy.Expr]]:
        """Individual rationality, ``u_i - d_i >= 0``, as named inequalities."""
        return [
            (f"{p.name} at disagreement", p.payoff - p.disagreement) for p in self.model.parties
        ]

    def box_starts(self) -> list[np.ndarray]:
        """Starting contracts: the centre of the box and a scrambled Sobol sample of it."""
        lo, hi = self.bounds
        return [(lo + hi) / 2, *(lo + (hi - lo) * s for s in sobol_starts(len(lo)))]

    def pinned(
        self, program: Program, fixed: Mapping[sympy.Symbol, float]
    ) -> tuple[Program, dict[sympy.Symbol, sympy.Expr]]:
        """``program`` with each contract variable in ``fixed`` held at its value: both its
        bounds a symbol of the program's own (``_at_x``: a model's names never start with an
        underscore) with that value, so that the program is the same, and compiled once, for
        every value (as the egalitarian level is). Returns the program and the symbols'
        values.

        >>> import bargain
        >>> p = problem_of(bargain.load_model(bargain.models_dir() / "split.toml"))
        >>> x = p.variables[0]
        >>> q, values = p.pinned(p.program(x), {x: 0.25})
        >>> q.lower, q.upper, values
        ((_at_x,), (_at_x,), {_at_x: 0.250000000000000})
        """
        pins = {v: sympy.Symbol(f"_at_{v}", real=True) for v in fixed}

        def bound(side: tuple[sympy.Expr, ...]) -> tuple[sympy.Expr, ...]:
            return tuple(pins.get(v, b) for v, b in zip(program.unknowns, side, strict=True))

        pinned = replace(program, lower=bound(program.lower), upper=bound(program.upper))
        return pinned, {pins[v]: sympy.Float(float(x), 30) for v, x in fixed.items()}

    def ends(
        self,
        start: np.ndarray,
        inequalities: Sequence[tuple[str, sympy.Expr]],
        timeout: float,
        *,
        fixed: Mapping[sympy.Symbol, float] | None = None,
        values: Mapping[sympy.Symbol, sympy.Expr] | None = None,
        reach: bool = False,
    ) -> list[tuple[float, float]]:
        """The least and largest value of each contract variable subject to ``inequalities``,
        found numerically from ``start`` (a convex set, such as the maximisers of a concave
        sum, is spanned from one start). Where a constraint is flat at ``start``, a search
        that does not move from it is tried again from the box's starts too: SLSQP stays
        where a constraint's gradient is zero (the sum ``min(1.2 V, 2 V - 2 x)`` held at
        ``1.2 V`` from ``x = 0``, on a flat piece of a kinked frontier). Where the search finds no
        point meeting them (a numeric level held only at the start itself), the end is the
        start's.

        Where the search's ends span a set (beyond :data:`SEARCH_GAIN` of the box), or the
        box is far wider than the start (:data:`ENDS_WIDE`: its units could hide the set), each
        end is polished (Newton in 30 digits on the bounds and constraints that
        bind there, :func:`bargain.axiomatic.program.solve_program`, which searches again in
        the units of the point found where that fails): an end in ``[0, 1]`` of a box
        ``1e15`` wide is then found, where the box's units alone stop the search at the
        start (``x = 1/2``). Where they do not, the maximiser is the start alone: polishing
        every end of a degenerate maximum (three parties, one at its bound) cost seconds of
        scipy's trust-constr fallback for each. With ``fixed``, the variables it names are held at
        its values (:meth:`pinned`; their ends are those values): then ``inequalities``
        hold no numeric level, and the ends, polished, are known to the last digit, whatever
        the order of the compiled code's floating-point operations. ``values`` are those of
        symbols of ``inequalities`` of their own (a level that changes from solve to solve:
        the programs are compiled once for every value). With ``reach`` (a set beside
        others that meet ``inequalities`` too: a separate maximiser's), an end is of the
        part of the set the segment from ``start`` stays in (:meth:`_reached`): the sum
        ``x + A(x)`` largest on ``[0, 0.2]`` and at ``x = 1`` alone was spanned from ``0``
        to ``1``. (Not by default: a set that is a curve, ``x**2 + y = 0.75``, leaves the
        segments between its points.)"""

        fixed = dict(fixed or {})
        at = {**self.subs, **dict(zip(self.variables, (float(x) for x in start), strict=True))}
        # Whether some constraint is flat at the start (its gradient zero there).
        flat = any(
            all(derivative(as_expression(g), v).xreplace(at) == 0 for v in self.variables)
            for _, g in inequalities
        )

        lo, hi = self.bounds
        width = max((b - a for a, b in zip(lo, hi, strict=True) if math.isfinite(b - a)), default=0)
        wide = width > ENDS_WIDE * magnitude([float(x) for x in start])

        def end(k: int, sign: int, polish: bool) -> float:
            v = self.variables[k]
            if v in fixed:
                return float(fixed[v])
            program, held = self.pinned(self.program(sign * v, inequalities=inequalities), fixed)
            found = start
            for starts in ([start], [start, *self.contract_starts()])[: 2 if flat else 1]:
                try:
                    point = self.solve(
                        program,
                        starts,
                        exact=False,
                        timeout=timeout,
                        polish=polish,
                        values={**held, **(values or {})},
                    ).point
                except FeasibilityError:
                    continue
                found = np.array([float(point[u]) for u in self.variables])
                if found[k] != float(start[k]):
                    break
            if reach:
                found = self._reached(start, found, inequalities, values or {})
            return float(found[k])

        def moved(k: int, x: float) -> bool:
            return abs(x - float(start[k])) > SEARCH_GAIN * (hi[k] - lo[k])

        n = range(len(self.variables))
        if not fixed and not wide:
            searched = [(end(k, -1, False), end(k, 1, False)) for k in n]
            if not any(moved(k, x) for k in n for x in searched[k]):
                return searched  # the maximiser is one point: its ends are the start
        return [(end(k, -1, True), end(k, 1, True)) for k in n]

    def _reached(
        self,
        start: np.ndarray,
        end: np.ndarray,
        inequalities: Sequence[tuple[str, sympy.Expr]],
        values: Mapping[sympy.Symbol, sympy.Expr],
    ) -> np.ndarray:
        """The farthest point towards ``end`` on the segment from ``start`` that the set of
        agreements meeting ``inequalities`` holds all of: ``end`` where each of
        :data:`REACH_SAMPLES` points between meets them (to 64 times
        :data:`~bargain.scale.ROUNDING` of the payoffs' size, the rounding of a sum of them;
        a convex set holds the whole segment), else the last point met
        before the first that is not, found by bisection (to the floats' resolution). A
        search for a set's end from one of its points can leap to another part of it (a
        separate maximiser of the same sum), and the set was then spanned across the gap."""
        if np.array_equal(start, end) or not inequalities:
            return end
        check = self._inequalities_in_floats(tuple(g for _, g in inequalities), tuple(values))
        extra = [float(values[s]) for s in values]
        d = list(self.disagreement_values.values())
        size = magnitude([*(u.real for u in self.float_payoffs(start)), *d])
        tol = 64 * ROUNDING * size

        def meets(t: float) -> bool:
            x = start + t * (end - start)
            with np.errstate(all="ignore"):
                found = np.array([complex(g).real for g in check(x, extra)])
            return bool(np.all(found >= -tol))

        ts = np.arange(1, REACH_SAMPLES + 1) / (REACH_SAMPLES + 1)
        out = next((t for t in ts if not meets(float(t))), None)
        if out is None:
            return end
        inside = float(ts[ts < out][-1]) if np.any(ts < out) else 0.0
        outside = float(out)
        while outside - inside > 2 * np.finfo(float).eps:
            mid = (inside + outside) / 2
            inside, outside = (mid, outside) if meets(mid) else (inside, mid)
        return start + inside * (end - start)

    def _inequalities_in_floats(
        self, inequalities: tuple[sympy.Expr, ...], extra: tuple[sympy.Symbol, ...]
    ) -> Callable[[np.ndarray, Sequence[float]], list[Any]]:
        """``inequalities`` compiled at the model's values to one numpy function of a contract
        and the values of the symbols ``extra`` (kept per inequalities)."""
        return _compiled_inequalities(
            tuple(as_expression(g).xreplace(self.subs) for g in inequalities),
            self.variables,
            extra,
        )

    def idle(self) -> tuple[Variable, ...]:
        """The contract variables no party's payoff depends on."""
        used = set().union(*(p.payoff.free_symbols for p in self.model.parties))
        return tuple(v for v in self.model.variables if v.symbol not in used)

    def payoff_values(
        self, point: Mapping[sympy.Symbol, float | sympy.Expr], only: str | None = None
    ) -> list[float]:
        """Each party's payoff at a contract (floats, or exact values such as a closed
        form's), computed in 30 digits, refusing non-finite values (naming the contract:
        a pole or a singularity of the payoff lies in the contract set); with ``only``, that
        party's alone (at its own ideal point, where another's may be undefined: a root of
        a rounding below zero at the box's bound)."""
        out = []
        # A point known to more digits (a Float of 40, ProgramResult.digits) keeps them.
        subs = {**self.subs, **{v: _digits(point[v]) for v in self.variables}}
        for party in self.model.parties:
            if only is not None and party.name != only:
                continue
            at = ", ".join(f"{v} = {float(subs[v]):.12g}" for v in self.variables)
            try:
                if exponent_beyond(party.payoff, subs):
                    raise OverflowError
                exact = sympy.N(party.payoff.xreplace(subs), 30)
                size = shown(exact)
            except OverflowError:  # an exponent too long to hold (exp(exp(...)))
                exact, size = sympy.oo, "a number whose exponent has too many digits to hold"
            value = complex(exact)
            if exact is sympy.oo or (
                exact.is_finite and exact.is_real and not math.isfinite(value.real)
            ):
                raise UndefinedPayoffError(
                    f"payoff is beyond floating point at {at} ({size}): "
                    "values above about 1.8e308 in size cannot be computed; measure the "
                    "payoffs in a larger unit",
                    file=self.model.file,
                    table=f"parties.{party.name}",
                    key="payoff",
                )
            if not _real(value):
                if exact.has(sympy.zoo):
                    what = "infinite: the payoff has a pole there"
                elif math.isnan(value.real):
                    what = "not a number: the payoff is undefined there (such as 0/0)"
                elif value.imag != 0:
                    what = (
                        "not a real number: the payoff is undefined there, outside its "
                        "domain (a square root, logarithm or power of a negative number)"
                    )
                else:
                    what = f"{value.real:g}: the payoff has a pole there"
                raise UndefinedPayoffError(
                    f"payoff is not a finite real number at {at} ({what}), inside the "
                    "contract set; restrict the variables' ranges or the constraints so that "
                    "it stays defined and finite",
                    file=self.model.file,
                    table=f"parties.{party.name}",
                    key="payoff",
                )
            out.append(value.real)
        return out

    def payoff_inputs(
        self, point: Mapping[sympy.Symbol, float], only: str | None = None
    ) -> list[float]:
        """What each party's payoff (with ``only``, that party's alone, as
        :meth:`payoff_values`) moves by at a contract when each contract variable moves
        by its own size there, ``sum_j |du/dx_j x_j|``: the size against which its value is
        zero to rounding. A payoff can be far smaller than the numbers it is computed from:
        ``S log(1 + (S - a - b - c)/S)`` on the face ``a + b + c = S`` is a rounding of
        ``S`` (6e-8 at ``S = 1e9``), not a gain. A slope that is no finite real number
        there (``sqrt(x)`` at 0) adds nothing.

        >>> import bargain
        >>> m = bargain.model_from_dict({"model": {"name": "m"},
        ...     "variables": {"x": {"min": 0, "max": 4}},
        ...     "parties": {"A": {"payoff": "x**2"}, "B": {"payoff": "sqrt(x)"}}})
        >>> p = BargainingProblem(m)
        >>> p.payoff_inputs({p.variables[0]: 3.0}), p.payoff_inputs({p.variables[0]: 0.0})
        ([18.0, 0.8660254037844386], [0.0, 0.0])
        """
        subs = {**self.subs, **{v: _digits(point[v]) for v in self.variables}}
        out = []
        for party in self.model.parties:
            if only is not None and party.name != only:
                continue
            total = 0.0
            slopes = gradient(party.payoff, self.variables)
            for slope, v in zip(slopes, self.variables, strict=True):
                value = complex(sympy.N(slope.xreplace(subs), 17))
                if _real(value):
                    total += abs(value.real * float(subs[v]))
            out.append(total)
        return out

    def gains_program(self, weights: Sequence[sympy.Expr]) -> Program:
        """Maximise the common gain ``t`` with ``u_i - d_i >= t * w_i`` for every party."""
        return self.program(
            GAIN,
            gain=True,
            inequalities=[
                (f"{p.name} gain", p.payoff - p.disagreement - GAIN * w)
                for p, w in zip(self.model.parties, weights, strict=True)
            ],
        )

    @cached_property
    def _payoffs(
        self,
    ) -> tuple[Callable[[np.ndarray, Sequence[float]], list[complex]], list[float]]:
        """The compiled payoffs (:func:`_compiled_payoffs`) and their constants' values."""
        m = self.model
        parameters = tuple(p.symbol for p in m.parameters)
        payoffs = tuple(as_expression(p.payoff, m.symbols) for p in m.parties)
        fn, constants = _compiled_payoffs(payoffs, self.variables, parameters)
        return fn, constants.values(self.subs)

    def payoffs_in_floats(self, x: Sequence[Any]) -> list[Any]:
        """Each party's payoff at the contract ``x`` in floating point (or at the contracts
        of arrays ``x``, one a variable, broadcast), as computed: compiled once per payoffs,
        their parts in the parameters alone computed at the values in 30 digits
        (:func:`_compiled_payoffs`). A pole is infinite, nothing is refused."""
        fn, constants = self._payoffs
        with np.errstate(all="ignore"):
            return fn(x, constants)

    def float_payoffs(self, x: np.ndarray) -> list[complex]:
        """Each party's payoff at a contract ``x`` (:meth:`payoffs_in_floats`)."""
        return [complex(v) for v in self.payoffs_in_floats(x)]

    def start_payoffs(self, x: np.ndarray) -> list[float] | None:
        """Each party's payoff at a starting contract ``x``, in floating point
        (:meth:`float_payoffs`): :meth:`payoff_values` for a start, which needs no 30
        digits. Where a value is not a finite real number: ``None`` if ``x`` is outside the
        constraints (where a payoff need not be defined), else refused as there."""
        values = self.float_payoffs(x)
        if not all(_real(v) for v in values):
            if not self.satisfies(x):
                return None
            return self.payoff_values(dict(zip(self.variables, x, strict=True)))
        return [v.real for v in values]

    def with_gain(
        self,
        starts: Sequence[np.ndarray],
        weights: Sequence[float],
        among: Sequence[int] | None = None,
    ) -> list[np.ndarray]:
        """Extend contract starting points with the largest gain ``t`` they allow; ``among``:
        the parties (by index) whose gains bound ``t``, every party's if ``None``. A start
        outside the constraints where a payoff is not defined is left out; one meeting them
        is refused (:meth:`start_payoffs`), as every concept refuses it."""
        counted = range(len(weights)) if among is None else among
        out = []
        for x in starts:
            u = self.start_payoffs(x)
            if u is None:
                continue  # outside the constraints, where a payoff need not be defined
            d = list(self.disagreement_values.values())
            t = min((u[i] - d[i]) / weights[i] for i in counted)
            out.append(np.append(x, t))
        return out

    def solve_gains(
        self,
        weights: Sequence[sympy.Expr],
        *,
        exact: bool,
        timeout: float,
        polish: bool = True,
        values: Mapping[sympy.Symbol, sympy.Expr] | None = None,
    ) -> ProgramResult:
        """Solve the common-gain program; refuse if no agreement improves on disagreement.
        The weights may be symbols of their own with ``values``.

        Without ``polish`` (a starting point is all that is wanted) the search's point is
        returned unpolished, unless a gain there is within ``SEARCH_GAIN`` of its payoffs
        (the answer may be that no agreement improves on disagreement, which only the
        polished point can tell)."""
        at = {**self.subs, **(values or {})}
        w_num = [float(sympy.N(as_expression(w).xreplace(at))) for w in weights]
        if any(not (w > 0) for w in w_num):
            raise FeasibilityError(
                "the ideal point does not exceed the disagreement point for every party: "
                "no agreement improves on disagreement",
                file=self.model.file,
                table="parties",
            )
        program = self.gains_program(weights)
        starts = self.with_gain(self.contract_starts(), w_num)
        # The gains at the contract found, not ``t`` (which is in units of the weights): an
        # agreement improves on disagreement if each gain exceeds the rounding of its payoff.
        disagreement = list(self.disagreement_values.values())

        def improves(point: Mapping[sympy.Symbol, float], payoffs: Sequence[float]) -> bool:
            # Each gain beyond the rounding of its payoff and of what the contract moves it
            # by (payoff_inputs): W = x - 0.2 at the float 0.2 is 1.1e-17, a rounding of the
            # bound 1/5, not a gain (the Nash search that started there found nothing, and
            # called the contract set empty).
            inputs = self.payoff_inputs(point)
            return all(
                exceeds(u, d, ROUNDING, inputs=i)
                for u, d, i in zip(payoffs, disagreement, inputs, strict=True)
            )

        def not_improved() -> FeasibilityError:
            d = ", ".join(f"{name} = {value:g}" for name, value in self.disagreement_values.items())
            return FeasibilityError(
                f"no agreement found gives every party more than its disagreement payoff "
                f"({d}) by more than the payoffs' rounding (a gain below about "
                f"{ROUNDING:.1e} of a payoff's size is not told from none); the "
                "disagreement point is not improved upon",
                file=self.model.file,
                table="parties",
                key="disagreement",
            )

        @functools.cache
        def from_logs() -> tuple[ProgramResult, list[float]] | None:
            """The program solved from its log form (:meth:`_gains_from_logs`) where that is
            polished and improves on disagreement, with its payoffs; computed once."""
            again = self._gains_from_logs(weights, w_num, starts, exact, timeout, values)
            if again is None or not again.polished:
                return None
            found = self.payoff_values(again.point)
            return (again, found) if improves(again.point, found) else None

        faint = bool(starts) and max(x[-1] for x in starts) <= SEARCH_GAIN
        if faint and (logs := from_logs()) is not None:
            # Every start's common gain is faint in the weights' units (x**50 against
            # 0.5 (1 - x)**50: at most 9e-16 of gains that reach 1 on the box): the program
            # is flat at the scale its search measures, which then tries every method from
            # every start (10 s), and its form on a log scale is not.
            return logs[0]
        result = self.solve(
            program, starts, exact=exact, timeout=timeout, polish=polish, values=values
        )
        if not polish:
            # A start needs no 30 digits where every gain in floating point is twice the
            # threshold below: then so is every gain in 30 digits, and both tests pass.
            quick = self.start_payoffs(np.array([result.point[v] for v in self.variables]))
            inputs = self.payoff_inputs(result.point)
            if all(
                u - d > 2 * SEARCH_GAIN * magnitude([u, d, i])
                for u, d, i in zip(quick, disagreement, inputs, strict=True)
            ):
                return result
        payoffs = self.payoff_values(result.point)
        polished = polish
        if not polish and any(
            u - d <= SEARCH_GAIN * magnitude([u, d, i])
            for u, d, i in zip(payoffs, disagreement, inputs, strict=True)
        ):
            if len(self.variables) == 1:
                # One contract variable, a gain faint beside its payoff (a surplus of 1e-12 on
                # payoffs of one): in floats the gains are rounding (sqrt(1/4 + s x) - 1/2
                # holds 4 digits), where the polish and the log form's searches wandered for
                # 17 s; the weighted gains' crossings, in many digits, are not.
                crossing = best_least_gain(self, None, w_num)
                if crossing is not None:
                    if not improves(crossing.point, self.payoff_values(crossing.point)):
                        raise not_improved()
                    return crossing
            polished = True
            result = self.solve(program, starts, exact=exact, timeout=timeout, values=values)
            payoffs = self.payoff_values(result.point)

        if polished and not (result.polished and improves(result.point, payoffs)):
            logs = from_logs()
            worse = logs is not None and logs[0].objective < result.objective
            if logs is not None and not (improves(result.point, payoffs) and worse):
                result, payoffs = logs
        if not improves(result.point, payoffs):
            raise not_improved()
        return result

    def _gains_from_logs(
        self,
        weights: Sequence[sympy.Expr],
        w_num: Sequence[float],
        starts: Sequence[np.ndarray],
        exact: bool,
        timeout: float,
        values: Mapping[sympy.Symbol, sympy.Expr] | None,
    ) -> ProgramResult | None:
        """The common-gain program solved again from the maximiser of its form on a log
        scale, ``max s`` with ``log(u_i - d_i) - log(w_i) >= s`` (``s = log t``), searched
        from the ``starts`` where every gain is positive; ``None`` where there is none, or
        the log form has no maximiser found, or a payoff has a kink (``min``, ``max``,
        ``abs``, ``Piecewise``: the polish chooses its pieces, and a piece of gain zero has
        no logarithm).

        The two programs have the same maximisers where ``t > 0`` (the logarithm is
        increasing), but a payoff that grows like ``exp(700 x)`` makes the first's gain
        constraint range over 300 orders of magnitude on the box, where its search stops
        short (SLSQP's line search fails) or at a point that is no maximum, and is linear
        in the second (the same reason the Nash product is maximised in logs: Nash 1950).
        """
        positive = [np.append(x[:-1], math.log(x[-1])) for x in starts if x[-1] > 0]
        if not positive or any(p.payoff.has(*KINKED) for p in self.model.parties):
            return None  # (a kink's pieces are chosen where the program is polished)
        logs = self.program(
            GAIN,
            gain=True,
            inequalities=[
                (f"{p.name} gain", sympy.log(p.payoff - p.disagreement) - sympy.log(w) - GAIN)
                for p, w in zip(self.model.parties, weights, strict=True)
            ],
        )
        try:
            # Its search's point is start enough (the first program polishes).
            found = self.solve(
                logs, positive, exact=False, timeout=timeout, polish=False, values=values
            )
            x = np.array([found.point[v] for v in self.variables])
            return self.solve(
                self.gains_program(weights),
                self.with_gain([x], w_num),
                exact=exact,
                timeout=timeout,
                values=values,
            )
        except (FeasibilityError, SolverError, UndefinedPayoffError):
            return None

    def gain_units(self) -> list[float]:
        """Each party's unit of gain: the size of its gains over disagreement across the box
        (:func:`bargain.scale.unit`), so that parties whose utilities are in different units
        are compared in their own."""
        gains = [g for x in self.contract_starts() if (g := self.start_payoffs(x)) is not None]
        d = list(self.disagreement_values.values())
        return [unit([g[i] - d[i] for g in gains]) for i in range(len(d))]

    def interior_start(self, timeout: float) -> list[np.ndarray]:
        """Contracts that give every party strictly more than disagreement, to start from:
        the largest common gain, each party's gain in its own unit (``gain_units``). The
        units are symbols of the program with values (they change with the parameter
        values), so that the program is compiled once for all values. Kept per problem
        and ``timeout`` (a copy to each caller): the Nash, Kalai–Smorodinsky and utilitarian
        solutions of one model start from the same contracts."""
        kept: dict[float, list[np.ndarray]] = self.__dict__.setdefault("_interior", {})
        if timeout not in kept:
            kept[timeout] = self._interior_start(timeout)
        return [x.copy() for x in kept[timeout]]

    def _interior_start(self, timeout: float) -> list[np.ndarray]:
        """:meth:`interior_start`, computed."""
        units = {
            sympy.Symbol(f"_unit_{p.name}", positive=True): sympy.Rational(u)
            for p, u in zip(self.model.parties, self.gain_units(), strict=True)
        }
        result = self.solve_gains(
            list(units), exact=False, timeout=timeout, polish=False, values=units
        )
        x = np.array([result.point[v] for v in self.variables])
        return [x, *self.contract_starts()]

    def solution(
        self,
        method: str,
        result: ProgramResult,
        *,
        route: str,
        exact: bool = True,
        powers: dict[str, float] | None = None,
        extra: dict[str, dict[str, float]] | None = None,
        assumptions: Sequence[str] = (),
        formula_filter: Callable[[sympy.Expr], bool] = lambda e: True,
        timeout: float = SAFETY_SECONDS,
    ) -> Solution:
        """Package a program result over the contract variables as a :class:`Solution`
        (``timeout``: the solve's, for ranging the variables no payoff depends on). Where
        the search found separate maximisers (``result.ties``), the solution is that set
        (:meth:`separate`), unless they all give its payoffs and :meth:`equivalent` finds
        the set of agreements that do (``x**2 + y`` against ``2 - x**2 - y``: the curve
        ``x**2 + y = 1``, not nine separate maximisers)."""
        if result.ties:
            if self._same_payoffs(result):
                point = self.solution(
                    method,
                    replace(result, ties=()),
                    route=route,
                    exact=exact,
                    powers=powers,
                    extra=extra,
                    assumptions=assumptions,
                    formula_filter=formula_filter,
                    timeout=timeout,
                )
                found = self.equivalent(point, timeout)
                if found.agreement_set is not None:
                    return found
            return self.separate(method, result, route, extra)
        m = self.model
        formula = None
        exact_agreement = None
        # The payoffs of the exact agreement where there is one (below), not of its rounding
        # to floats: near a bound, x = 1 - 1e-9 rounds by 1e-16, which moves 1e9 (1 - x) by
        # 1e-7.
        at: Mapping[sympy.Symbol, float | sympy.Expr] = {**result.point, **(result.digits or {})}
        if exact and result.exact is not None:
            candidate = {v.name: result.exact[v.symbol] for v in m.variables}
            if all(formula_filter(e) and not huge_power(e, self.subs) for e in candidate.values()):
                formula = candidate
                with exact_budget() as budget:
                    exact_agreement = {
                        k: budget.tidy(e.xreplace(self.subs)) for k, e in candidate.items()
                    }
                at = {v.symbol: result.exact[v.symbol].xreplace(self.subs) for v in m.variables}
        payoffs = self.payoff_values(at)
        how = "exact: sympy.solve on the KKT conditions" if formula else "numeric"
        if formula is None and len(m.variables) > 1 and not self._met_exactly(result):
            self.require_resolved(payoffs)
        if formula is None and not result.polished:
            self.require_stationary(result)
            # The search's tolerance where the first-order conditions hold at it, else only
            # the first-order check's bound (a tie-break on a face of maximisers whose
            # polish failed was 1.4e-3 of the contracts' scale off, and said 1e-7).
            stationary = not result.stationarity > SEARCH_TOL
            how += (
                " (degenerate optimum: Newton polish not applied, accuracy ~1e-7)"
                if stationary
                else " (degenerate optimum: Newton polish not applied; the first-order "
                f"conditions put a maximum about {result.stationarity:.0e} of the "
                f"contracts' scale away, to within {STATIONARY_TOL:g} checked)"
            )
        if formula is None and exact:
            how += declined_note(result.declined)
        solution = Solution(
            model=m.name,
            method=method,
            agreement={v.name: float(result.point[v.symbol]) for v in m.variables},
            payoffs=dict(zip(m.party_names, payoffs, strict=True)),
            disagreement=dict(self.disagreement_values),
            parameters={p.name: float(p.value) for p in m.parameters},
            exact=formula is not None,
            formula=formula,
            exact_agreement=exact_agreement,
            route=f"{route}; {how}",
            binding=tuple(a for a in result.active if not a.endswith(" gain")),
            powers=powers,
            extra=extra or {},
            assumptions=(*assumptions, *self._options_left_out(payoffs)),
        )
        return self._with_idle(solution, timeout)

    def _options_left_out(self, payoffs: Sequence[float]) -> tuple[str, ...]:
        """The assumption that the parties' outside options are not part of the axiomatic
        problem (its threat point is the disagreement point), where the model has some
        that no constraint ``outside_option_<party>`` of the alternating-offers limit holds
        (:func:`bargain.model.patience.limit_model`), naming a party the agreement leaves
        below its option."""
        m = self.model
        held = {c.name for c in m.constraints}
        left = [
            (p, u)
            for p, u in zip(m.parties, payoffs, strict=True)
            if p.outside_option is not None and f"outside_option_{p.name}" not in held
        ]
        if not left:
            return ()
        below = []
        for p, u in left:
            o = float(m.numeric(p.outside_option))
            if u < o:
                below.append(f"{p.name} gets {u:.12g}, below its outside option {o:.12g}")
        names = ", ".join(p.name for p, _ in left)
        return (
            f"outside options ({names}) are not part of this solution's problem, whose "
            "threat point is the disagreement point"
            + (f" ({'; '.join(below)})" if below else "")
            + "; the alternating-offers game (rubinstein) and its limit "
            "(nash with limit=True) use them",
        )

    def require_stationary(self, result: ProgramResult) -> None:
        """Refuse an unpolished ``result`` far from the first-order conditions of a maximum
        (:attr:`ProgramResult.stationarity` above ``STATIONARY_TOL``): the search stopped
        where the objective can still be raised, and the answer would be wrong. Checked at
        every solution, and at each leximin stage (whose level the next stage holds).

        Raises
        ------
        SolverError
            Naming the point and how far the conditions put a maximum."""
        if result.polished or not result.stationarity > STATIONARY_TOL:
            return
        m = self.model
        point = ", ".join(f"{v.name} = {result.point[v.symbol]:.12g}" for v in m.variables)
        raise SolverError(
            f"no maximum found: the search stopped at {point}, where the objective "
            "can still be raised: its slope and curvature there put the nearest point "
            "that meets the first-order conditions of a maximum "
            + (
                "nowhere near (it is not concave there)"
                if math.isinf(result.stationarity)
                else f"{result.stationarity:.2g} of the contracts' scale away"
            )
            + "; the answer would be wrong",
            file=m.file,
        )

    def _met_exactly(self, result: ProgramResult) -> bool:
        """Whether ``result`` is polished and its contract meets every constraint to 64 units
        of rounding of its sides (:meth:`slack_margin`), not only to the searches'
        feasibility tolerance: then its gains, however small, are the polished KKT point's
        (Newton in 30 digits on its binding constraints), not a search's misses."""
        x = np.array([float(result.point[v]) for v in self.variables])
        return result.polished and self.slack_margin(x) >= -64 * ROUNDING

    def require_resolved(self, payoffs: Sequence[float]) -> None:
        """Refuse a numeric answer of several contract variables where a party's gain over
        its disagreement payoff is not zero (beyond 64 units of the payoffs' rounding: a
        party at its disagreement payoff is common) but below the search's feasibility
        tolerance
        (``FEASIBILITY_TOL`` of its payoffs' size): the search cannot tell such gains from
        its own misses of the constraints. A surplus of 1e-12 on payoffs of 1/2 in two
        variables gave the Nash point ``x + y = 1 + 1.4e-11``, each gain ten times the
        surplus, and a Kalai–Smorodinsky point 93% off. (With one variable the individually
        rational interval is narrowed first and solved in its own unit,
        :func:`~bargain.axiomatic.payoff_unit.narrowed`; a polished answer that meets every
        constraint to rounding is not refused, :meth:`_met_exactly`.)"""
        for p, u in zip(self.model.parties, payoffs, strict=True):
            d = self.disagreement_values[p.name]
            size = magnitude([u, d])
            if 64 * ROUNDING * size < abs(u - d) < FEASIBILITY_TOL * size:
                raise SolverError(
                    f"{p.name}'s gain over its disagreement payoff, about {u - d:.2g}, is below "
                    f"what the search resolves in several contract variables ({FEASIBILITY_TOL:g} "
                    f"of its payoffs, about {FEASIBILITY_TOL * size:.2g}): the answer would "
                    "not be reliable; measure the contract variables from the agreement "
                    "the disagreement point sits at, in a unit of the surplus, or write the "
                    "model in one contract variable",
                    file=self.model.file,
                )

    def _same_payoffs(self, result: ProgramResult) -> bool:
        """Whether every tied maximiser of ``result`` gives each party its payoff at
        ``result.point`` to the search's tolerance (``SEARCH_TOL`` of the payoff's size: a
        tie is a search's end, not polished); :meth:`equivalent` then tells whether they
        are one set, from the polished point and to the payoffs' rounding."""
        at = self.payoff_values(result.point)
        for tie in result.ties:
            other = self.payoff_values(tie)
            if any(
                abs(u - v) > SEARCH_TOL * magnitude([u, v]) for u, v in zip(at, other, strict=True)
            ):
                return False
        return True

    def separate(
        self,
        method: str,
        result: ProgramResult,
        route: str,
        extra: dict[str, dict[str, float]] | None = None,
        sets: Sequence[dict[str, tuple[float, float]] | None] = (),
    ) -> Solution:
        """The solution when the objective is maximal at several separate agreements,
        smaller between them (``result.ties``, from the multi-start search): the set of them
        (``agreement_points``; no range in ``agreement_set``, whose agreements between them
        are not solutions), no point picked, ``unique`` false. ``sets``, where given, are
        the ranges of the sets of solutions they lie in, by point (``result.point`` first,
        then ``result.ties``; ``None`` for one alone)."""
        m = self.model
        found = [
            ({v.name: float(p[v.symbol]) for v in m.variables}, r)
            for p, r in zip(
                (result.point, *result.ties), sets or [None] * (1 + len(result.ties)), strict=True
            )
        ]
        found.sort(key=lambda a: tuple(a[0].values()))
        points = [p for p, _ in found]
        ranged = tuple(r for _, r in found) if any(r for _, r in found) else ()
        return Solution(
            model=m.name,
            method=method,
            agreement={},
            payoffs={},
            disagreement=dict(self.disagreement_values),
            parameters={p.name: float(p.value) for p in m.parameters},
            route=f"{route}; numeric: {len(points)} separate maximisers from the multi-start "
            "search",
            extra=extra or {},
            assumptions=(
                "the objective is maximal at each of these separate agreements and smaller "
                "between them: the solution is the set, and no tie-break picks one"
                + ("; where one lies in a set of maximisers, that set too" if ranged else ""),
            ),
            agreement_points=tuple(points),
            agreement_point_sets=ranged,
        )

    def equivalent(self, solution: Solution, timeout: float) -> Solution:
        """``solution`` as the set of agreements that give its payoffs, where they are a set
        (``agreement_set``: each contract variable's range over it), the point found in
        ``agreement``: the Nash, Kalai–Smorodinsky and egalitarian solutions are points of
        the utility-possibility set (Nash 1950; Kalai & Smorodinsky 1975; Kalai 1977), and
        every agreement that gives those payoffs is one of them (``x + y`` against
        ``2 - x - y``: the line ``x + y = 1``; ``min(x, 0.3)`` against ``min(1 - x, 0.3)``:
        ``[0.3, 0.7]``).

        They are looked for only where the payoffs' gradients at the point, with the
        binding constraints' and the bounds where a variable sits, leave a direction in
        which nothing changes to first order (or a gradient is not a number there, at a
        kink), and along it an agreement :data:`EQUIVALENT_PROBE` of the box away gives
        every payoff to a few units of its rounding (:meth:`_may_move`): a strict maximum
        flat to a high order (``-(y - 1/2)**6`` in both payoffs) falls by 1e-12 there, a
        set not at all. Each variable's range is then its least and largest value at which
        every payoff is within :data:`EQUIVALENT_LEVEL` of its size below the solution's
        (:meth:`ends`); ranges narrower than :data:`EQUIVALENT_WIDTH` of the variable's
        range are the point alone. A set narrower than the probe's reach is taken for
        the point (an assumption of the solution, in docs/solutions.md)."""
        if solution.agreement_set is not None or not solution.payoffs:
            return solution
        m = self.model
        x = np.array([solution.agreement[v.name] for v in m.variables])
        payoffs = [solution.payoffs[p.name] for p in m.parties]
        sizes = [
            magnitude([u, solution.disagreement[p.name]])
            for u, p in zip(payoffs, m.parties, strict=True)
        ]
        room = [EQUIVALENT_LEVEL * size for size in sizes]
        rounding = [64 * ROUNDING * size for size in sizes]
        if not self._may_move(x, payoffs, rounding, solution.binding):
            return solution
        # Each level a symbol of the programs' own with its value (a model's names never
        # start with an underscore): compiled once for every solution.
        levels = {
            sympy.Symbol(f"_held_{p.name}", real=True): sympy.Rational(u - r)
            for p, u, r in zip(m.parties, payoffs, room, strict=True)
        }
        held = [
            (f"{p.name} payoff held", p.payoff - level)
            for p, level in zip(m.parties, levels, strict=True)
        ]
        ends = self.ends(x, held, timeout, values=levels)
        lo, hi = self.bounds
        wide = [
            b - a > EQUIVALENT_WIDTH * (top - bottom)
            for (a, b), bottom, top in zip(ends, lo, hi, strict=True)
        ]
        if not any(wide):
            return solution
        ranges = {
            v.name: pair if w else (float(c), float(c))
            for v, pair, w, c in zip(m.variables, ends, wide, x, strict=True)
        }
        return replace(
            solution,
            agreement_set=ranges,
            assumptions=(
                *solution.assumptions,
                "the payoffs are unique but the agreements that give them are a set (each "
                "variable's range over it shown; not every combination of values in the "
                "ranges is in it): no tie-break picks one, the one reported is where the "
                "search left it",
            ),
        )

    def _may_move(
        self,
        x: np.ndarray,
        payoffs: Sequence[float],
        levels: Sequence[float],
        binding: Sequence[str],
    ) -> bool:
        """Whether the agreements near ``x`` that keep every payoff within ``levels`` of
        ``payoffs`` reach :data:`EQUIVALENT_PROBE` of the box from it, in some direction
        that changes no payoff to first order (:meth:`_still_directions`, the constraints
        named in ``binding`` held: the solution's active set). Along each such
        direction ``n``, the point that far is moved back to the payoffs by Gauss–Newton
        steps orthogonal to ``n`` (a set that curves, ``x**2 + y`` held, is followed; a
        strict maximum flat to first order, ``-(y - 1/2)**2`` in both payoffs, is not
        reached)."""
        lo, hi = (np.asarray(b, dtype=float) for b in self.bounds)
        widths = np.where(np.isfinite(hi - lo), hi - lo, np.maximum(1.0, np.abs(x)))
        target, room = np.asarray(payoffs, dtype=float), np.asarray(levels, dtype=float)

        def residual(z: np.ndarray) -> np.ndarray | None:
            u = self.float_payoffs(np.clip(z, lo, hi))
            if not all(map(_real, u)):
                return None
            with np.errstate(all="ignore"):
                r = np.array([v.real for v in u]) - target
            return r if np.all(np.isfinite(r)) else None

        def jacobian(z: np.ndarray) -> np.ndarray | None:
            columns = []
            for k, h in enumerate(1e-7 * widths):
                e = np.eye(len(z))[k] * h
                up, down = residual(z + e), residual(z - e)
                if up is None or down is None:
                    return None
                columns.append((up - down) / (2 * h))
            found = np.array(columns).T
            return found if np.all(np.isfinite(found)) else None  # (near overflow)

        for d in self._still_directions(x, widths, binding):
            across = np.eye(len(x)) - np.outer(d, d) / (d @ d)
            for side in (1.0, -1.0):
                z = np.clip(x + side * EQUIVALENT_PROBE * widths * d, lo, hi)
                for _ in range(6):
                    r = residual(z)
                    if r is None:
                        break
                    if np.all(np.abs(r) <= room):
                        far = np.max(np.abs(z - x) / widths) >= EQUIVALENT_PROBE / 2
                        if far and self.satisfies(z):
                            return True
                        break
                    j = jacobian(z)
                    if j is None:
                        break
                    z = np.clip(z + across @ np.linalg.lstsq(j @ across, -r, rcond=None)[0], lo, hi)
        return False

    def _still_directions(
        self, x: np.ndarray, widths: np.ndarray, binding: Sequence[str]
    ) -> list[np.ndarray]:
        """The directions from ``x`` (each variable in units of its ``widths``, the largest
        step one) that change no payoff to first order: the null space of the payoffs'
        gradients, those of the constraints named in ``binding`` and a unit row for each
        variable at a bound (each row scaled to length one); every direction where a
        gradient is not a finite number or a payoff or constraint is on a kink (a ``min``,
        ``max``, ``abs`` or ``Piecewise`` whose pieces tie there, to 64 units of rounding)."""
        n = len(self.variables)
        at = {**self.subs, **dict(zip(self.variables, (float(c) for c in x), strict=True))}
        exprs = [p.payoff for p in self.model.parties]
        exprs += [c.slack for c in self.model.constraints if c.name in binding]
        rows: list[np.ndarray] = []
        try:
            if any(smooth_piece(e, at, 64 * ROUNDING)[1] for e in exprs):
                # At a kink (min(x, 0.3 S) at x = 0.3 S exactly): each gradient is one
                # piece's, chosen by the tie's side, not the payoff's.
                raise ValueError
            for e in exprs:
                row = np.array(
                    [complex(sympy.N(d.xreplace(at))) for d in gradient(e, tuple(self.variables))]
                )
                if not np.all(np.isfinite(row)) or np.any(row.imag != 0):
                    raise ValueError  # a kink
                with np.errstate(all="ignore"):
                    norm = np.linalg.norm(row.real)
                if not math.isfinite(norm):
                    raise ValueError  # a slope beyond floating point: judged as a kink
                if norm > 0:
                    rows.append(row.real / norm)
        except (TypeError, ValueError, ArithmeticError):
            rows = []  # a kink: no payoff's gradient is kept
        lo, hi = self.bounds
        for k in range(n):
            if min(x[k] - lo[k], hi[k] - x[k]) <= ROUNDING * 64 * widths[k]:
                rows.append(np.eye(n)[k])
        free = list(np.eye(n))
        if rows:
            _, sv, vt = np.linalg.svd(np.array(rows))
            free = list(vt[int(np.sum(sv > 1e-8 * sv[0])) :])
        return [d * widths / np.max(np.abs(d * widths)) for d in free]

    def _with_idle(self, solution: Solution, timeout: float) -> Solution:
        """A solution in which some contract variables move no payoff: every value of
        theirs that the constraints allow, the others held, is a solution too, so the
        solution is that set (``agreement_set``), with the point found in ``agreement``."""
        idle = self.idle()
        if not idle or solution.agreement_set is not None:
            return solution
        names = ", ".join(v.name for v in idle)
        return self.spread(
            solution,
            [v.symbol for v in idle],
            [],
            timeout,
            f"no party's payoff depends on {names}: every value the bounds and "
            "constraints allow is a solution; the one reported is where the search "
            "left it",
        )

    def flat(self, objective: sympy.Expr) -> list[sympy.Symbol]:
        """The contract variables ``objective`` does not depend on (its derivative in them is
        zero). A derivative that is a finite nonzero number at the model's values and the
        centre of the box is not zero: decided in exact arithmetic, without the
        simplification that decides the others (``sympy.simplify``, within the solve's
        budget), which was most of a numeric solve of the flagship
        (:func:`bargain.model.validate.surely_nonzero`)."""
        out = []
        # Differentiated once for every model that differs from this one only in its numbers.
        slopes = gradient(accurate(as_expression(objective)), tuple(self.variables))
        with exact_budget() as budget:
            for v, slope in zip(self.variables, slopes, strict=True):
                if surely_nonzero(self.model, slope) or self._nonzero_at_starts(slope):
                    continue
                if budget.is_zero(slope):
                    out.append(v)
        return out

    def _nonzero_at_starts(self, slope: sympy.Expr) -> bool:
        """Whether ``slope`` is plainly nonzero, in 30 digits, at one of the box's starts:
        above 1e-15 of its terms' size there (a slope that is zero as a function comes out
        as rounding of its terms), where :func:`surely_nonzero`'s exact test is undecided
        (a logarithm of an algebraic number)."""
        terms = sympy.Add.make_args(slope)
        for x in self.box_starts()[:3]:
            at = {
                **self.subs,
                **{v: sympy.Float(c, 30) for v, c in zip(self.variables, x, strict=True)},
            }
            try:
                values = [complex(sympy.N(t.xreplace(at), 30)) for t in terms]
            except (TypeError, ValueError, ArithmeticError):
                continue
            if not all(math.isfinite(abs(u)) for u in values):
                continue
            size = max(abs(u) for u in values)
            if abs(sum(values)) > 1e-15 * size:
                return True
        return False

    def spread(
        self,
        solution: Solution,
        free: Sequence[sympy.Symbol],
        inequalities: Sequence[tuple[str, sympy.Expr]],
        timeout: float,
        assumption: str,
    ) -> Solution:
        """``solution`` as the set of agreements that move the ``free`` variables, the
        others held at the point found, within the bounds, the constraints and
        ``inequalities`` (``agreement_set``: each variable's range), with ``assumption``."""
        m = self.model
        held = [
            (f"{v.name} held", sign * (v.symbol - solution.agreement[v.name]))
            for v in m.variables
            if v.symbol not in free
            for sign in (1, -1)
        ]
        start = np.array([solution.agreement[v.name] for v in m.variables])
        ends = self.ends(start, [*inequalities, *held], timeout)
        ranges = {
            v.name: (x, x) if v.symbol not in free else pair
            for v, x, pair in zip(m.variables, start.tolist(), ends, strict=True)
        }
        return replace(
            solution, agreement_set=ranges, assumptions=(*solution.assumptions, assumption)
        )


def _bound(model: Model, variable: Variable, side: str) -> float:
    """A bound of a contract variable at the model's values, as a float.

    A bound that is not zero but rounds to zero (below about 4.9e-324 in size) is taken
    as 0 where the box keeps its width to rounding (``-1e-400`` beside a bound of 1: an
    assumption, the difference being below floating point), and refused like one beyond
    floating point where the box would collapse to a point that is not the model's
    (``[0, 1e-400]``). Every concept, the alternating-offers game too, reads the bounds
    through here.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"}, "parameters": {"V": "1e-400"},
    ...     "variables": {"x": {"min": "-V", "max": 1}, "y": {"min": 0, "max": "V"}},
    ...     "parties": {"W": {"payoff": "x + y"}, "A": {"payoff": "1 - x - y"}}})
    >>> _bound(m, m.variables[0], "min")
    0.0
    >>> _bound(m, m.variables[1], "max")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [variables.y] max: is not zero but below the smallest ...
    """
    expr = getattr(variable, side)
    table = f"variables.{variable.name}"
    value = numeric_value(model, expr, table, side)
    exact = sympy.N(model.numeric(expr), 30)
    if value == 0 and exact != 0:
        other = "max" if side == "min" else "min"
        far = sympy.N(model.numeric(getattr(variable, other)), 30)
        rounded = numeric_value(model, getattr(variable, other), table, other)
        width = abs(far - exact)
        if not abs(abs(rounded) - width) <= ROUNDING * width:
            raise ModelError(
                "is not zero but below the smallest floating-point number (about 4.9e-324 in "
                f"size), got {shown(model.numeric(expr))}, and the box [{variable.name} min, "
                "max] would lose its width with it: measure the contract variables in a "
                "smaller unit",
                file=model.file,
                table=table,
                key=side,
            )
    return value


@functools.lru_cache(maxsize=COMPILED)
def _shared(model: Model, file: str | None) -> BargainingProblem:
    return BargainingProblem(model)


def shared_problem(model: Model) -> BargainingProblem:
    """The bargaining problem of ``model``, one for every model equal to it (and read from the
    same file): what it computes at the model's values (bounds, compiled payoffs, starting
    points, disagreement payoffs) is computed once for the payoff units and every concept
    solved at those values (a brief's rows, a sweep's loops at the same draws)."""
    return _shared(model, model.file)


def problem_of(model: Model) -> BargainingProblem:
    """Validate the model's values, refuse payoffs below floating point (see
    :func:`require_representable`) and an unbounded problem (see :func:`require_bounded`),
    and return its bargaining problem."""
    validate_model(model)
    problem = shared_problem(model)
    require_representable(problem)
    require_bounded(problem)
    return problem


def require_representable(problem: BargainingProblem) -> None:
    """Refuse a payoff that is not zero but rounds to zero at every contract tried.

    A payoff such as ``x * 1e-1500`` is below the smallest floating-point number (about
    4.9e-324 in size) wherever it is not zero: in floats every agreement gives it 0, and
    the solvers would report that no agreement improves on disagreement, or that the
    payoffs are not monotone, when the model says otherwise. The payoffs are evaluated in
    floats at the search's starting points (:meth:`BargainingProblem.contract_starts`), and,
    where all of a party's are 0, again in 30 digits (a pole at a start is left to the
    checks of poles and of the payoffs' values). Every solution concept refuses
    such a payoff the same way (the alternating-offers game too,
    :func:`bargain.strategic.rubinstein.game_of`).

    Raises
    ------
    ModelError
        Naming the party's payoff, its size in 30 digits and the contract where it was
        evaluated.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x*1e-1500"}, "A": {"payoff": "1 - x"}}})
    >>> require_representable(BargainingProblem(m))
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [parties.W] payoff: is not zero but below floating point ...
    """
    model = problem.model
    lo, hi = problem.bounds
    finite = np.all(np.isfinite([*lo, *hi]))
    starts = problem.contract_starts() if finite else [np.clip(0 * lo, lo, hi)]
    values = [problem.float_payoffs(x) for x in starts]  # a pole is not this check's to refuse
    for k, party in enumerate(model.parties):
        if any(v[k] != 0 for v in values):
            continue
        for x in starts:
            point = dict(zip(problem.variables, x.tolist(), strict=True))
            at = {**problem.subs, **{v: sympy.Float(z, 30) for v, z in point.items()}}
            exact = sympy.N(party.payoff.xreplace(at), 30)
            if exact != 0 and float(exact) == 0:
                where = ", ".join(f"{v} = {z:.6g}" for v, z in point.items())
                raise ModelError(
                    f"is not zero but below floating point at every contract tried ({shown(exact)} "
                    f"at {where}, which rounds to 0; floats hold sizes from about 4.9e-324 to "
                    "1.8e308): no solver can tell its values apart; measure the payoffs in a "
                    "smaller unit",
                    file=model.file,
                    table=f"parties.{party.name}",
                    key="payoff",
                )


def require_bounded(problem: BargainingProblem, timeout: float = 5.0) -> None:
    """Refuse a payoff that grows without bound inside the contract set.

    Every axiomatic solution assumes a bounded utility-possibility set. A payoff with
    a pole (``1/x`` at ``x = 0``) inside the range of a contract variable, where it
    tends to ``+oo`` while every other party still gets at least its disagreement
    payoff (and the constraints hold), makes the utility-possibility set unbounded:
    the party's ideal payoff is infinite, and the Nash product and the sum of payoffs
    have no maximum. Only payoffs with a denominator or a logarithm (``-log(x)`` at
    ``x = 0``) are examined: their poles in
    each variable are found with sympy (``singularities``, then one-sided limits),
    with the other variables at the centre of their ranges and at the starting
    points of the search. A pole that depends on the other variables (``1/(1.3 - a -
    b)``: ``b = 1.3 - a``, a line across the box) is placed at each of those points
    and then at :data:`POLE_GRID` points along each other variable's range (the rest at
    the centre), up to :data:`POLE_TRIES` of them where it falls inside the range: a
    line that misses the centre is found where it crosses the box. What sympy cannot
    decide (within the solve's safety net,
    :meth:`~bargain.concepts.budget.Budget.attempt`) is left to the solvers.

    Raises
    ------
    UnboundedError
        (a :class:`~bargain.errors.ModelError`) Naming the party's payoff, the pole,
        the side from which the payoff grows and the other variables' values there.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "variables": {"x": {"min": -1, "max": 1}},
    ...     "parties": {"W": {"payoff": "1/x"}, "A": {"payoff": "1 - x"}}})
    >>> require_bounded(BargainingProblem(m))
    Traceback (most recent call last):
    ...
    bargain.errors.UnboundedError: [parties.W] payoff: grows without bound as x -> 0 from above...

    A pole on a line inside a box of two variables:

    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "variables": {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "1/(1.3 - a - b)"}, "A": {"payoff": "2 - a - b"}}})
    >>> require_bounded(BargainingProblem(m))
    Traceback (most recent call last):
    ...
    bargain.errors.UnboundedError: [parties.W] payoff: grows without bound as a -> 0.8 from
    below (at b = 0.5)...
    """
    model = problem.model
    for party in model.parties:
        u = model.numeric(party.payoff)
        if not (u.has(sympy.log) or any(a.exp.is_negative for a in u.atoms(sympy.Pow))):
            continue
        for k, v in enumerate(model.variables):
            if v.symbol not in u.free_symbols:
                continue
            lo, hi = model.numeric(v.min), model.numeric(v.max)
            box = sympy.Interval(lo, hi)
            with exact_budget(timeout) as budget:
                poles = budget.attempt(lambda u=u, x=v.symbol, box=box: singularities(u, x, box))
            for pole in _poles(poles, {w.symbol for w in model.variables} - {v.symbol}):
                for side in ("+", "-"):
                    found = _unbounded_at(problem, party.name, k, pole, side, timeout)
                    if found is not None:
                        where, pole_at = found
                        raise UnboundedError(
                            f"grows without bound as {v.name} -> {pole_at} from "
                            f"{'above' if side == '+' else 'below'}{where}, inside the "
                            f"contract range [{float(lo):g}, {float(hi):g}], where every "
                            "other party gets at least its disagreement payoff: the "
                            f"utility-possibility set is unbounded ({party.name}'s ideal "
                            "payoff is infinite: the ideal point and the sum of payoffs have "
                            "no maximum, and the Nash product need have none), which every "
                            "axiomatic solution here excludes (Nash 1950 and Kalai & "
                            "Smorodinsky 1975 take the set compact). "
                            f"Keep {v.name} away from {pole} (its min or max"
                            f"{'' if pole.is_number else ', or a constraint'}) or the "
                            "payoff finite",
                            file=model.file,
                            table=f"parties.{party.name}",
                            key="payoff",
                        )


POLE_GRID = 33  # points along each other variable's range where a moving pole is placed
POLE_TRIES = 12  # points, at most, where a moving pole inside the range is examined


def _poles(found: object, others: set[sympy.Symbol]) -> list[sympy.Expr]:
    """The poles in ``found`` (what ``singularities`` returns: a finite set, or one cut by
    the variable's range where a pole depends on the other variables) that are numbers
    or expressions in the variables ``others`` alone: the numbers first, in order."""
    sets = [found] if isinstance(found, sympy.FiniteSet) else []
    if isinstance(found, sympy.Intersection):
        sets = [a for a in found.args if isinstance(a, sympy.FiniteSet)]
    poles = [p for s in sets for p in s if p.free_symbols <= others]
    return sorted((p for p in poles if p.is_number), key=float) + [
        p for p in poles if not p.is_number
    ]


def _unbounded_at(
    problem: BargainingProblem, name: str, k: int, pole: sympy.Expr, side: str, timeout: float
) -> tuple[str, str] | None:
    """Where party ``name``'s payoff tends to ``+oo`` as variable ``k`` tends to ``pole``
    (a number, or an expression in the other variables) from ``side``, inside its range,
    the other variables fixed at a starting point of the search, while the others' payoffs
    tend to at least their disagreement payoffs and the constraints hold: ``""`` for a
    one-variable model, else the other variables' values, with the pole there; ``None``
    if at none. A pole that moves with the others is tried at the starting points, then
    along each other variable's range (:data:`POLE_GRID`, :data:`POLE_TRIES`)."""
    model = problem.model
    x = model.variables[k].symbol
    lo, hi = (float(model.numeric(b)) for b in (model.variables[k].min, model.variables[k].max))
    others = [v for j, v in enumerate(model.variables) if j != k]
    # The centre of the box first, then the other starting points, without repeats.
    starts = problem.box_starts()
    if not pole.is_number:
        box_lo, box_hi = problem.bounds
        for j in (j for j in range(len(starts[0])) if j != k):
            if math.isfinite(box_lo[j]) and math.isfinite(box_hi[j]):
                for s in np.linspace(box_lo[j], box_hi[j], POLE_GRID):
                    z = starts[0].copy()
                    z[j] = s
                    starts.append(z)
    points = dict.fromkeys(tuple(float(z[j]) for j in range(len(z)) if j != k) for z in starts)
    tries = 0

    def unbounded(fixed: dict[sympy.Symbol, sympy.Expr], pole: sympy.Expr) -> bool:
        def limit(e: sympy.Expr) -> sympy.Expr:
            return sympy.limit(model.numeric(e).xreplace(fixed), x, pole, side)

        if limit(model.party(name).payoff) != sympy.oo:
            return False
        gains = [
            limit(p.payoff) - model.numeric(p.disagreement) for p in model.parties if p.name != name
        ]
        hold = [
            limit(c.slack) == 0 if c.is_equality else limit(c.slack).is_nonnegative
            for c in model.constraints
        ]
        return all(g.is_nonnegative for g in gains) and all(hold)

    for values in points:
        fixed = {v.symbol: sympy.Float(val, 30) for v, val in zip(others, values, strict=True)}
        at = pole.xreplace(fixed)
        if not at.is_number or not (at.is_real or at.is_real is None):
            continue
        at_float = complex(at)
        if at_float.imag or not (lo <= at_float.real <= hi):
            continue
        if (at_float.real >= hi) if side == "+" else (at_float.real <= lo):
            continue  # approached from outside the range
        if not pole.is_number:
            if tries >= POLE_TRIES:
                return None
            tries += 1
            at = sympy.Float(at_float.real, 15)
        with exact_budget(timeout) as budget:
            found = budget.attempt(lambda fixed=fixed, at=at: unbounded(fixed, at))
        if found:
            shown = ", ".join(f"{v.name} = {val:g}" for v, val in zip(others, values, strict=True))
            return (
                f" (at {shown})" if shown else "",
                str(pole) if pole.is_number else f"{at_float.real:g}",
            )
    return None


def no_floats(expr: sympy.Expr) -> bool:
    """Whether an expression is free of floating-point numbers (so it is a true closed form)."""
    return not expr.atoms(sympy.Float)


# -- the closed form for sweeps ---------------------------------------------------------------


def sweep_formula(
    solve: Callable[..., Solution], *, strict: bool = False
) -> Callable[
    [Model, Mapping[str, Any], float],
    tuple[dict[str, sympy.Expr], list[sympy.Expr], list[sympy.Expr]] | None,
]:
    """The closed form of an axiomatic concept for sweeps (a registry ``formula``).

    The concept's exact solution at the model's values, with the checks under which
    it holds at other parameter values: inside the bounds and constraints, and at
    least the disagreement payoff (``strict``: more than it, as the Nash product's
    logarithm needs, and as the egalitarian solver refuses a common gain of 0: "the
    disagreement point is not improved upon"). ``None`` if the solver finds no formula,
    or one with a binding bound or constraint (which cannot be checked point by point
    without its multipliers; the numeric route or the loop decides those points). The numeric
    solution comes first: the exact route solves the KKT system of the active set the
    numeric one found, so where a bound or constraint binds there, no formula is sought.
    """

    def formula(
        model: Model, options: Mapping[str, Any], timeout: float
    ) -> tuple[dict[str, sympy.Expr], list[sympy.Expr], list[sympy.Expr]] | None:
        try:
            if solve(model, exact=False, timeout=timeout, **options).binding:
                return None
            sol = solve(model, exact=True, timeout=timeout, **options)
        except BargainError:
            return None
        return _checked(model, sol, strict)

    return formula


def _checked(
    model: Model, sol: Solution, strict: bool
) -> tuple[dict[str, sympy.Expr], list[sympy.Expr], list[sympy.Expr]] | None:
    if sol.formula is None or sol.binding:
        return None
    formula = dict(sol.formula)
    sub = {v.symbol: formula[v.name] for v in model.variables}
    exprs = [p.payoff for p in model.parties] + [c.slack for c in model.constraints]
    if any(huge_power(e, sub) for e in exprs):
        return None  # a root of a degree beyond exact work: the sweep solves numerically
    payoffs = [p.payoff.xreplace(sub) for p in model.parties]
    tol = scale_tol([*formula.values(), *payoffs])
    checks: list[sympy.Expr] = []
    for v in model.variables:
        checks += [formula[v.name] - v.min + tol, v.max - formula[v.name] + tol]
    for c in model.constraints:
        slack = c.slack.xreplace(sub)
        checks += [slack + tol] + ([tol - slack] if c.is_equality else [])
    for p, u in zip(model.parties, payoffs, strict=True):
        # Strictly better than disagreement for Nash and egalitarian, weakly otherwise.
        checks.append(u - p.disagreement - (tol if strict else -tol))
    return formula, [*formula.values(), *payoffs], checks


__all__ = [
    "GAIN",
    "BargainingProblem",
    "no_floats",
    "problem_of",
    "require_bounded",
    "require_representable",
    "shared_problem",
    "sweep_formula",
]
