"""Payoffs far below one, measured exactly in a unit of their own size before floats see them.

A double keeps 53 significant bits only down to about 2.2e-308 (``2**-1022``, the smallest
*normal* float); below it, down to 4.9e-324, the *subnormal* floats keep fewer and fewer
(about 10 at 1e-320), and well above it a product or a square of two payoffs (1e-300 each)
falls there. Payoffs of ``x * 1e-320`` and ``(1 - x**2) * 1e-320`` then cannot tell the
egalitarian solution ``x = (√5 - 1)/2`` from ``x = 0.5``. Every solution concept is
invariant under the change of unit that multiplies all payoffs by one positive number
(Nash 1950; Kalai & Smorodinsky 1975; Kalai 1977 for the egalitarian solution, whose
invariance is under a *common* unit; the utilitarian sum likewise), and Nash,
Kalai–Smorodinsky and the alternating-offers game under one of each party's own (Osborne &
Rubinstein 1990, §2.3 and §3.10: each party's indifference conditions involve its own
payoffs only). So a model whose payoffs are tiny is solved in a unit of their size:

1. each party's payoffs are sized in floats (its payoff at the box's starting points, its
   disagreement, strike and outside-option payoffs and its demand);
2. where they are below :data:`TINY`, the party's payoff expressions are divided by a power
   of two of their size, *symbolically* (an exact rational), so that nothing is rounded
   on the way (a parameter of 1e-320 meets ``2**1063`` in the 30-digit constants of the
   compiled program, never in floats);
3. the concept solves the rescaled model, and the payoffs it reports are multiplied back
   (exactly, a power of two; the result rounded once to the floats of the original size).

Concepts invariant under a common unit only (egalitarian, utilitarian) take the largest
party's unit for all; a party still below the normal floats in it (``x * 1e-320`` beside
``1 - x``) is refused, naming it, rather than solved with the few bits it has. Where the contract
variables' box is itself that small (a split of ``V = 1e-320``), the axiomatic concepts first
measure each such variable in a power of two of its box's size, exactly (``x = 2**-1063 x'``,
:func:`in_contract_units`), and then the payoffs in theirs; the agreement is multiplied back
(:func:`contracts_back`). The program's unit of an unknown stays within the normal floats
(:func:`bargain.scale.unit`), 1e13 times such a box. Payoffs that
round to zero altogether (``x * 1e-1500``) are not sized here: they are refused by
:func:`~bargain.axiomatic.problem.require_representable`, as before.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({"model": {"name": "m"},
...     "variables": {"x": {"min": 0, "max": 1}},
...     "parties": {"W": {"payoff": "x*1e-320"}, "A": {"payoff": "(1 - x**2)*1e-320"}}})
>>> units = payoff_units(m, common=True)
>>> units["W"] == units["A"] == sympy.Rational(1, 2**1063)
True
>>> in_units(m, units).party("W").payoff
_size*x/_unit
"""

from __future__ import annotations

import functools
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import sympy

from bargain.axiomatic.implied_box import implied_box
from bargain.axiomatic.one_variable import exact_bound, narrow_rational_box
from bargain.axiomatic.payoff_level import (
    in_levels,
    levels_back,
    movable,
    party_of,
    payoff_levels,
)
from bargain.axiomatic.problem import BargainingProblem, shared_problem
from bargain.axiomatic.program import COMPILED
from bargain.concepts.solution import Solution
from bargain.errors import BargainError, ModelError, SolverError
from bargain.model.model import Model, Parameter, Party, Variable
from bargain.model.validate import numeric_value, require_model
from bargain.scale import magnitude

FAR = 2.0**-10
"""A contract variable's box narrower than this of its lower bound's size is measured from
that bound (:func:`far_boxes`): ``[1e9, 1e9 + 1e-3]`` holds a few thousand floats."""

TINY = 2.0**-511
"""Payoffs below this size are rescaled: the square of a payoff (or a product of two) is then
below the normal floats, 2.2e-308, which a Nash product, a derivative or a Newton step meets."""

_FIELDS = ("payoff", "disagreement", "strike_payoff", "outside_option", "demand")


def _sizes(problem: BargainingProblem) -> dict[str, float]:
    """Each party's size in floats: the largest finite magnitude of its payoff at the box's
    starting points and of its other payoffs at the model's values (0 where all round to 0);
    where all of them that are not 0 are beyond ``2**511`` in size, the least of them, and
    where only some are, ``2**511`` (a payoff uniformly huge is measured in a unit of its
    size; one that reaches it at some contracts only, ``exp(705 x)``, is not: its unit
    would move the others below floating point)."""
    model = problem.model
    points = problem.box_starts()
    starts = [[u.real for u in problem.float_payoffs(x)] for x in points]
    sizes = {}
    for k, party in enumerate(model.parties):
        where = f"parties.{party.name}"
        others = [
            numeric_value(model, getattr(party, key), where, key)
            for key in _FIELDS[1:]
            if getattr(party, key) is not None
        ]
        values = [s[k] for s in starts]
        if not magnitude(values) and party.payoff.free_symbols:
            # Every value 0 in floats: an intermediate of the payoff may leave them (a box of
            # 1e-200 measured in its unit, 2**-664, squared), which 30 digits do not.
            values = _in_digits(problem, points, k)
        largest = magnitude([*values, *others])
        nonzero = [abs(v) for v in (*values, *others) if v and math.isfinite(v)]
        uniform = largest > 1 / TINY and min(nonzero) > 1 / TINY
        sizes[party.name] = min(nonzero) if uniform else min(largest, 1 / TINY)
    return sizes


def _in_digits(problem: BargainingProblem, points: Sequence[np.ndarray], k: int) -> list[float]:
    """Party ``k``'s payoff at each of ``points``, in 30 digits (0 where it is not a finite
    real number there)."""
    out = []
    for x in points:
        try:
            out.append(problem.payoff_values(dict(zip(problem.variables, x, strict=True)))[k])
        except BargainError:
            out.append(0.0)
    return out


def _extreme(size: float) -> bool:
    """Whether a payoff's or a box's ``size`` is below :data:`TINY` or above its inverse
    (``2**511``): its square, or a product of two, leaves the normal floats (a payoff
    ``V - x**2/V`` in a box of ``1e160`` overflowed at ``x**2``)."""
    return 0 < size < TINY or size > 1 / TINY


def _power_of_two(size: float) -> sympy.Rational:
    """The power of two just above ``size`` (> 0), exactly."""
    return sympy.Rational(2) ** math.frexp(size)[1]


def payoff_units(model: Model, *, common: bool) -> dict[str, sympy.Rational]:
    """Each party's payoff unit: 1, or the power of two just above its payoffs' size where
    that is below :data:`TINY` or above its inverse (with ``common``, the largest party's
    for all).

    A model the sizing cannot read (its values or bounds refused) gets units of 1: the
    solver then refuses it with its own message.

    Raises
    ------
    ModelError
        With ``common``, naming a party whose payoffs are not zero but below the normal
        floats (about 2.2e-308) in the common unit.
    """
    ones = {p.name: sympy.Integer(1) for p in model.parties}
    problem = shared_problem(model)
    try:
        box = problem.bounds
        sizes = _sizes(problem)
    except BargainError:
        return ones
    if 0 < magnitude([*box[0], *box[1]]) < TINY:
        return ones  # tiny contracts: the program measures its unknowns in their own unit
    if not common:
        return {
            name: _power_of_two(size) if _extreme(size) else sympy.Integer(1)
            for name, size in sizes.items()
        }
    largest = max(sizes.values(), default=0.0)
    shared = _power_of_two(largest) if _extreme(largest) else sympy.Integer(1)
    for name, size in sizes.items():
        if 0 < float(sympy.Rational(size) / shared) < sys.float_info.min:
            raise ModelError(
                f"is below floating point's normal range (about 2.2e-308) beside the other "
                f"parties' payoffs: about {size:.3g} in a unit of {sympy.N(shared, 3)}, where "
                "floats keep only a few significant bits, and this solution compares the "
                "parties' payoffs in one common unit; measure this party's payoffs in a "
                "smaller unit or use a scale-invariant solution (nash, kalai-smorodinsky, "
                "rubinstein)",
                file=model.file,
                table=f"parties.{name}",
                key="payoff",
            )
    return {name: shared for name in sizes}


def _apart(stem: str, taken: set[str]) -> str:
    """``stem``, with underscores added until it is a name not in ``taken``."""
    return next(p for p in (stem + "_" * k for k in range(len(taken) + 1)) if p not in taken)


def unit_parameters(model: Model, units: Mapping[str, sympy.Rational]) -> dict[str, Parameter]:
    """The parameters that stand for the units other than 1, by party: one per distinct unit
    (``_unit``, or ``_unit_W`` where the parties' differ), named apart from the model's."""
    stem = _apart("_unit", {q.name for q in (*model.parameters, *model.variables)})
    distinct = {u for u in units.values() if u != 1}
    return {
        name: Parameter(
            stem if len(distinct) == 1 else f"{stem}_{name}",
            u,
            description=f"the unit of {name}'s payoffs (bargain.axiomatic.payoff_unit)",
            source="the payoffs' size at the box's starting points",
        )
        for name, u in units.items()
        if u != 1
    }


def in_units(model: Model, units: Mapping[str, sympy.Rational]) -> Model:
    """``model`` with each party's payoff expressions divided by its unit, exactly.

    The unit is a parameter of its value (:func:`unit_parameters`), and so is each number
    below :data:`TINY` in a rescaled payoff (``_size`` for the ``1e-320`` of
    ``x * 1e-320``): the closed-form route then works with symbols, not numbers of hundreds
    of digits, and the compiled programs meet ``_size / _unit`` among their constants,
    computed once in 30 digits, never ``10**320 * _unit`` in floats (beyond them).
    """
    unit_of = unit_parameters(model, units)
    taken = {q.name for q in (*model.parameters, *model.variables, *unit_of.values())}
    sizes: dict[sympy.Rational, Parameter] = {}
    constant = {q.symbol for q in model.parameters}  # and the sizes, as they are lifted

    def size(r: sympy.Rational) -> sympy.Symbol:
        if r not in sizes:
            name = _apart(f"_size{len(sizes) or ''}", taken)
            taken.add(name)
            sizes[r] = Parameter(name, r, description="a number of a rescaled payoff")
            constant.add(sizes[r].symbol)
        return sizes[r].symbol

    def lifted(e: sympy.Expr) -> sympy.Expr:
        tiny = [r for r in e.atoms(sympy.Rational) if 0 < abs(r) < TINY]
        return e.xreplace({r: sympy.sign(r) * size(abs(r)) for r in tiny})

    def rescaled(party: Party) -> Party:
        if party.name not in unit_of:
            return party
        u = unit_of[party.name].symbol
        changes = {
            key: _over(lifted(getattr(party, key)), u, constant)
            for key in _FIELDS
            if getattr(party, key) is not None
        }
        return replace(party, **changes)

    parties = tuple(rescaled(p) for p in model.parties)
    added = (*{q.name: q for q in unit_of.values()}.values(), *sizes.values())
    return replace(model, parameters=(*model.parameters, *added), parties=parties)


def _over(e: sympy.Expr, u: sympy.Symbol, constant: set[sympy.Symbol]) -> sympy.Expr:
    """``e / u``, the division taken into sums, ``min``, ``max`` and ``Piecewise`` pieces and
    onto a product's factor in the parameters alone, so that ``1 / u`` (beyond floating
    point for a unit of 2**-1063) meets a parameter's value in one constant of the compiled
    program (:class:`bargain.axiomatic.program._Hoisted`), never alone.

    >>> x, s, u = sympy.symbols("x s u")
    >>> _over(sympy.Min(s * x, s * (1 - x)) + 2, u, {s})
    Min(s*x/u, s*(1 - x)/u) + 2/u
    """
    if isinstance(e, sympy.Add | sympy.Min | sympy.Max):
        return e.func(*(_over(a, u, constant) for a in e.args))
    if isinstance(e, sympy.Piecewise):
        return sympy.Piecewise(*((_over(v, u, constant), c) for v, c in e.args))
    if isinstance(e, sympy.Mul) and not any(
        a.free_symbols and a.free_symbols <= constant for a in e.args
    ):
        k = next(
            (i for i, a in enumerate(e.args) if isinstance(a, sympy.Add | sympy.Min | sympy.Max)),
            None,
        )
        if k is not None:
            return sympy.Mul(*e.args[:k], _over(e.args[k], u, constant), *e.args[k + 1 :])
    return e / u


def _back(
    table: Mapping[str, float], units: Mapping[str, sympy.Rational], shared: sympy.Rational
) -> dict[str, float]:
    """Values keyed by party (``W``, or ``W at low x``) back in that party's unit; other keys
    in the ``shared`` one (each product exact, then one rounding: a unit of ``2**1024``
    is beyond floating point, the value in it is not)."""

    def of(key: str) -> sympy.Rational:
        party = party_of(key, units)
        return shared if party is None else units[party]

    return {k: _times(v, of(k)) for k, v in table.items()}


def _times(value: float, unit: sympy.Rational) -> float:
    """``value`` times a power of two ``unit``, rounded once (in floats where the unit is
    one)."""
    if unit == 1 or not math.isfinite(value):
        return value * float(unit)
    return float(sympy.Rational(value) * unit)


def _solved_in(units: Mapping[str, sympy.Rational]) -> str:
    """The assumption a rescaled solution states: the units its payoffs were solved in."""
    each = sorted({(n, u) for n, u in units.items() if u != 1}, key=lambda p: p[0])
    if len({u for _, u in each}) == 1 and len(each) == len(units):
        where = f"2**{sympy.log(each[0][1], 2)}"
    else:
        where = ", ".join(f"{n}'s in 2**{sympy.log(u, 2)}" for n, u in each)
    return (
        f"payoffs below 2**-511 or above 2**511 solved in a unit of their size ({where}), "
        "exactly: the answer is the same at every scale, and the payoffs are reported in the "
        "model's unit"
    )


def _added(model: Model, rescaled: Model) -> dict[sympy.Symbol, sympy.Expr]:
    """The parameters ``rescaled`` has beyond ``model``'s (the units it was measured in),
    with their values: what a solution of ``rescaled`` reports without."""
    own = set(model.parameter_names)
    return {q.symbol: q.value for q in rescaled.parameters if q.name not in own}


def solution_back(
    solution: Solution,
    model: Model,
    rescaled: Model,
    units: Mapping[str, sympy.Rational],
    tables: Sequence[str] = (),
) -> Solution:
    """A solution of ``rescaled`` (:func:`in_units` of ``model``) with its payoffs (and the
    payoff ``tables`` of its ``extra``) back in ``model``'s own units, and without the
    parameters ``rescaled`` added (a formula that kept one, where sympy did not cancel it,
    has its value put in)."""
    shared = max(units.values())
    added = _added(model, rescaled)
    formula = solution.formula and {k: e.xreplace(added) for k, e in solution.formula.items()}
    return replace(
        solution,
        payoffs=_back(solution.payoffs, units, shared),
        disagreement=_back(solution.disagreement, units, shared),
        parameters={p.name: solution.parameters[p.name] for p in model.parameters},
        formula=formula,
        assumptions=(*solution.assumptions, _solved_in(units)),
        extra={
            name: _back(table, units, shared) if name in tables else dict(table)
            for name, table in solution.extra.items()
        },
    )


def contract_units(model: Model) -> dict[str, sympy.Rational]:
    """Each contract variable's unit where its box is tiny or huge: the power of two just
    above the size of its bounds, where both are finite and that size is below
    :data:`TINY` (a split of ``V = 1e-320``) or above its inverse (of ``V = 1e160``); the
    variables of a box the sizing cannot read (its bounds refused)
    or of an ordinary size have none."""
    return {
        v.name: _power_of_two(size)
        for v, a, b in _finite_boxes(model)
        if _extreme(size := magnitude([a, b]))
    }


def _finite_boxes(model: Model) -> list[tuple[Variable, float, float]]:
    """Each contract variable with both bounds finite, and its bounds at the model's values
    (the shared problem's: read once for every concept); none where the sizing cannot read
    them (the solver then refuses the model with its own message)."""
    try:
        lo, hi = shared_problem(model).bounds
    except BargainError:
        return []
    return [
        (v, a, b)
        for v, a, b in zip(model.variables, lo, hi, strict=True)
        if math.isfinite(a) and math.isfinite(b)
    ]


def far_boxes(model: Model) -> dict[str, tuple[sympy.Rational, sympy.Expr]]:
    """Each contract variable whose box is far narrower than its distance from zero (its
    width below :data:`FAR` of its lower bound's size: a term of 1e12 dollars bargained in a
    window of one dollar), with the power of two just above its width and its lower bound as
    written (an expression in the parameters): such a variable is measured from that bound,
    in that unit (:func:`in_contract_units`), so that ``x - a`` is cancelled symbolically
    rather than computed in floats, where ``1e12 + 0.5`` keeps four digits of the window.
    Variables of a box the sizing cannot read have none."""
    return {
        v.name: (_power_of_two(b - a), v.min)
        for v, a, b in _finite_boxes(model)
        if 0 < b - a < FAR * abs(a)
    }


def in_contract_units(
    model: Model,
    units: Mapping[str, sympy.Rational],
    offsets: Mapping[str, sympy.Rational] | None = None,
    bounds: Mapping[str, tuple[sympy.Rational, sympy.Rational]] | None = None,
    parametric: Sequence[str] = (),
) -> Model:
    """``model`` with each contract variable ``x`` of a unit ``s`` in ``units`` measured in
    it: ``x = s x'``, exactly, in every payoff and constraint, and its bounds divided by
    ``s`` (the unit a parameter of its value, ``_box_x``, so that ``V / _box_x`` is one
    constant computed in 30 digits, never ``2**1063`` in floats). With an offset ``o`` in
    ``offsets`` (exact: a number, or a bound written in the parameters, ``a``, which then
    cancels symbolically from ``x - a``), measured from it: ``x = o + s x'``; the offsets
    of the variables named in ``parametric`` are parameters of their values too
    (``_at_x``: a closed form then reads in the model's parameters, not in a number of 40
    digits), the others
    numbers (a bound of the model, where a payoff may vanish identically). With ``bounds``
    (in the model's units, exact), on those bounds instead of the model's."""
    offsets, bounds = offsets or {}, bounds or {}
    taken = {q.name for q in (*model.parameters, *model.variables)}
    stem = _apart("_box", taken)
    of = {
        v.name: Parameter(
            f"{stem}_{v.name}",
            units[v.name],
            description=f"the unit of {v.name} (bargain.axiomatic.payoff_unit)",
            source="the size of its bounds",
        )
        for v in model.variables
        if v.name in units
    }
    at_stem = _apart("_at", taken)
    at = {
        name: Parameter(
            f"{at_stem}_{name}",
            offsets[name],
            description=f"the origin {name} is measured from (bargain.axiomatic.payoff_unit)",
            source="the individually rational contracts' lower end",
        )
        for name in parametric
    }
    zero = sympy.Integer(0)

    def origin(name: str) -> sympy.Expr:
        return at[name].symbol if name in at else offsets.get(name, zero)

    sub = {
        v.symbol: origin(v.name) + of[v.name].symbol * v.symbol
        for v in model.variables
        if v.name in of
    }
    # A tiny box's unit is taken out of the sums (_unit_out); a variable measured from an
    # offset keeps its sums flat, so that the offset and the other constants of a sum are
    # one constant (u - d = o + _box x - d: o - d computed once, exactly or in 30 digits).
    box = {q.symbol for name, q in of.items() if name not in offsets}
    constant = {q.symbol for q in (*model.parameters, *of.values(), *at.values())}

    def measured(e: sympy.Expr) -> sympy.Expr:
        return _unit_out(e.xreplace(sub), box, constant)

    def party(p: Party) -> Party:
        fields = {k: measured(getattr(p, k)) for k in _FIELDS if getattr(p, k) is not None}
        return replace(p, **fields)

    def measured_bounds(v: Any) -> Any:
        if v.name not in of:
            return v
        o = offsets.get(v.name, zero)
        lo, hi = bounds.get(v.name, (v.min, v.max))
        if units[v.name] < 0:  # measured down from ``o``: the bounds change places
            lo, hi = hi, lo
        if v.name in bounds:
            return replace(v, min=(lo - o) / units[v.name], max=(hi - o) / units[v.name])
        unit = of[v.name].symbol
        return replace(v, min=(lo - o) / unit, max=(hi - o) / unit)

    return replace(
        model,
        parameters=(*model.parameters, *of.values(), *at.values()),
        variables=tuple(measured_bounds(v) for v in model.variables),
        parties=tuple(party(p) for p in model.parties),
        constraints=tuple(
            replace(c, relation=c.relation.func(*(measured(side) for side in c.relation.args)))
            for c in model.constraints
        ),
    )


def _box_part(term: sympy.Expr, box: set[sympy.Symbol]) -> sympy.Expr | None:
    """The factor of a sum's ``term`` in the ``box`` units (a product of their powers; 1
    where it has none), or ``None`` where a unit is inside a function of it instead."""
    _, part = term.as_independent(*box, as_Add=False)
    factors = sympy.Mul.make_args(part)
    if part == 1 or all(
        f in box or (f.is_Pow and f.base in box and f.exp.is_number) for f in factors
    ):
        return part
    return None


def _degree(part: sympy.Expr, box: set[sympy.Symbol]) -> sympy.Expr:
    """The total degree of a product of powers of the ``box`` units (:func:`_box_part`)."""
    return sympy.Add(*(1 if f in box else f.exp for f in sympy.Mul.make_args(part)))


def _unit_out(e: sympy.Expr, box: set[sympy.Symbol], constant: set[sympy.Symbol]) -> sympy.Expr:
    """``e`` (its contract variables already measured in their ``box`` units, ``x = s x'``)
    with each unit taken out of every sum of such terms and constants: ``V - s x'`` becomes
    ``s (V/s - x')``, and a power of that product ``s**e (V/s - x')**e`` (``s > 0``).

    A sum ``V - s x'`` of two subnormal floats (``V = 1e-320``, ``s = 2**-1063``) keeps
    about 10 significant bits, and a payoff ``sqrt(V (V - x))`` computed from it put the
    utilitarian maximiser 3 subnormal spacings off ``3 V / 4`` and its sum flat in them:
    taken out, the constant ``V / s`` (1.35) is computed once in 30 digits
    (:class:`bargain.axiomatic.program._Hoisted`), and the program sees ``x'`` beside it.
    A sum with a term that is neither a constant nor a product with a unit (another
    variable of an ordinary size, whose ``y / s`` would overflow), or a unit inside a
    function of a term (``exp(s x')``), is left as it is.

    >>> s, x, v = sympy.symbols("s x v", positive=True)
    >>> _unit_out(sympy.sqrt(v - s * x), {s}, {s, v})
    sqrt(s)*sqrt(-x + v/s)
    """
    if not e.args or not e.has(*box):
        return e
    args = [_unit_out(a, box, constant) for a in e.args]
    if e.is_Add:
        parts = [_box_part(t, box) for t in args]
        if any(p is None for p in parts) or any(
            p == 1 and not t.free_symbols <= constant for p, t in zip(parts, args, strict=True)
        ):
            return e.func(*args)
        units = [p for p in parts if p != 1]
        unit = max(units, key=lambda p: (_degree(p, box), sympy.default_sort_key(p)))
        return unit * sympy.Add(*(t / unit for t in args))
    if e.is_Pow and args[0].is_Mul:
        factors = sympy.Mul.make_args(args[0])
        units = [f for f in factors if _box_part(f, box) not in (None, 1)]
        if units:
            rest = [f for f in factors if f not in units]
            return sympy.Mul(*units) ** args[1] * sympy.Mul(*rest) ** args[1]
    return e.func(*args)


def contracts_back(
    solution: Solution,
    model: Model,
    rescaled: Model,
    units: Mapping[str, sympy.Rational],
    tables: Sequence[str] = (),
    offsets: Mapping[str, sympy.Rational] | None = None,
    assumption: str | None = None,
) -> Solution:
    """A solution of ``rescaled`` (:func:`in_contract_units` of ``model``) with its contracts
    back in ``model``'s units (each multiplied by its unit, a power of two, and its offset
    added, exactly: one rounding to the floats of the original size) and without the
    parameters ``rescaled`` added. ``tables`` are ``extra`` tables of values of the model's
    one contract variable (the alternating-offers game's proposals, keyed by party).
    ``assumption`` says how the contracts were measured (default: a tiny box's unit)."""
    offsets = offsets or {}
    added = _added(model, rescaled)
    if tables and len(model.variables) != 1:
        raise ValueError("contract tables are values of a model's one contract variable")
    zero = sympy.Integer(0)
    s = {v.name: units.get(v.name, sympy.Integer(1)) for v in model.variables}
    written = {v.name: offsets.get(v.name, zero) for v in model.variables}
    values = {p.symbol: p.value for p in model.parameters}
    o = {k: e.xreplace(values) for k, e in written.items()}  # exact numbers

    def one(k: str, value: float) -> float:
        if o[k] == 0:
            return _times(value, s[k])
        return float(o[k] + s[k] * sympy.Rational(value))

    def back(values: Mapping[str, float]) -> dict[str, float]:
        return {k: one(k, v) for k, v in values.items()}

    def span(k: str, a: float, b: float) -> tuple[float, float]:
        """A range back in the model's units, low end first (a unit of -1 turns it)."""
        ends = sorted((one(k, a), one(k, b)))
        return ends[0], ends[1]

    only = model.variables[0].name

    def exact(e: sympy.Expr, k: str, origin: Mapping[str, sympy.Expr] = o) -> sympy.Expr:
        return origin[k] + e * s[k]

    if assumption is None:
        measured = ", ".join(f"{k} in 2**{sympy.log(u, 2)}" for k, u in sorted(units.items()))
        assumption = (
            "contracts of a box below 2**-511 or above 2**511 solved in a unit of its size "
            f"({measured}), exactly, and reported in the model's unit"
        )
    return replace(
        solution,
        agreement=back(solution.agreement),
        agreement_set=solution.agreement_set
        and {k: span(k, a, b) for k, (a, b) in solution.agreement_set.items()},
        agreement_points=tuple(back(p) for p in solution.agreement_points),
        agreement_point_sets=tuple(
            r and {k: span(k, a, b) for k, (a, b) in r.items()}
            for r in solution.agreement_point_sets
        ),
        formula=solution.formula
        and {k: exact(e, k, written).xreplace(added) for k, e in solution.formula.items()},
        exact_agreement=solution.exact_agreement
        and {k: exact(e, k) for k, e in solution.exact_agreement.items()},
        parameters={p.name: solution.parameters[p.name] for p in model.parameters},
        extra={
            name: {k: one(only, v) for k, v in table.items()} if name in tables else dict(table)
            for name, table in solution.extra.items()
        },
        assumptions=(*solution.assumptions, assumption),
    )


def _top_bound(model: Model) -> tuple[str, sympy.Rational] | None:
    """The one contract variable's name and its upper bound at the model's values, exact,
    where the model has one variable and that bound is a finite number other than zero;
    else ``None``:
    an agreement within floats' rounding of that bound can be measured down from it
    (:func:`_rounds_to_top`)."""
    if len(model.variables) != 1:
        return None
    v = model.variables[0]
    hi = model.numeric(v.max)
    if not hi.is_Rational or hi == 0:
        return None
    return v.name, hi


def _rounds_to_top(model: Model, solution: Solution, name: str, bound: sympy.Rational) -> bool:
    """Whether ``solution``'s agreement lies within four units in the last place of the
    upper ``bound`` of ``name``, where some party gains, but less than its payoff moves over
    that many: the rounding of the contract is then most of that gain (the Nash
    product of ``x`` and ``1 - x`` with powers 1 and ``1e-17`` is largest at
    ``x = 1/(1 + 1e-17)``, whose float is ``1``, where ``1 - x`` is 0: refused, and at its
    float below, 1.1e-16 for 1e-17)."""
    x = solution.agreement.get(name)
    if x is None:
        return False
    step = 4 * math.ulp(float(bound))
    if abs(float(bound) - x) > step:
        return False
    problem = shared_problem(model)
    below = problem.float_payoffs(np.array([float(bound) - step]))
    at = problem.float_payoffs(np.array([float(bound)]))
    d = list(problem.disagreement_values.values())
    for k, gain in enumerate(solution.payoffs.get(p.name) for p in model.parties):
        moved = abs(below[k].real - at[k].real)
        if gain is not None and 0 < abs(gain - d[k]) <= moved:
            return True
    return False


def narrowed(
    model: Model,
) -> tuple[str, tuple[sympy.Rational, sympy.Rational], sympy.Rational] | None:
    """The one contract variable's name, a box around its individually rational contracts
    where those lie in a narrow interval
    (:func:`~bargain.axiomatic.one_variable.narrow_rational_box`) and the variable's lower
    bound, all exact; ``None`` otherwise, or where the model's problem cannot be built (the
    solver then refuses it)."""
    if len(model.variables) != 1:
        return None
    try:
        problem = shared_problem(model)
        box = _narrow_box(problem)
    except BargainError:
        return None
    if box is None:
        return None
    return model.variables[0].name, box, exact_bound(problem, "min")


@functools.lru_cache(maxsize=COMPILED)
def _narrow_box(problem: BargainingProblem) -> tuple[sympy.Rational, sympy.Rational] | None:
    """:func:`~bargain.axiomatic.one_variable.narrow_rational_box` of a shared problem,
    kept: each concept solving the model asks for it (a brief's rows, a test's four
    solvers), and it is thousands of evaluations in many digits where the interval is
    narrow. Its ends are exact rationals, immutable."""
    return narrow_rational_box(problem)


CANCELLED = 2.0**-26
"""A payoff at a contract smaller than this times the contract's value there has cancelled
it (:func:`_cancelled_at`)."""


def _cancelled_at(model: Model, name: str, origin: sympy.Rational) -> bool:
    """Whether some party's payoff at ``name = origin`` is less than :data:`CANCELLED` times
    ``origin`` in size (``1 - x`` at ``x = 1 - 1e-17``): measured from a parameter of that
    value, the payoff would be the difference of a number and the parameter, which a
    logarithm of it computes in floats before its constants are (``log(1 - a)`` is computed
    as ``log1p(-a)``, :func:`~bargain.model.model.accurate`): ``-a`` is ``-1.0``, and the
    Nash product of the window ``[1 - 1e-17, 1]`` was nowhere defined. Measured from the
    number, the payoff is ``1e-17 - s x'``, exactly.

    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}}})
    >>> near_one, two_fifths = 1 - sympy.Rational(1, 10**17), sympy.Rational(2, 5)
    >>> _cancelled_at(m, "x", near_one), _cancelled_at(m, "x", two_fifths)
    (True, False)
    """
    x = next(v.symbol for v in model.variables if v.name == name)
    size = abs(origin)
    for party in model.parties:
        value = model.numeric(party.payoff.xreplace({x: origin}))
        if value.is_number and abs(sympy.N(value, 30)) < CANCELLED * size:
            return True
    return False


def in_payoff_units(
    *,
    common: bool | Callable[[Model], bool],
    tables: Sequence[str] = (),
    contracts: bool | Callable[[Model], bool] = False,
    contract_tables: Sequence[str] = (),
    rational: bool = False,
    levels: Sequence[str] | None = None,
    windows: bool = False,
) -> Callable[[Callable[..., Solution]], Callable[..., Solution]]:
    """Solve a concept in its payoffs' units (:func:`payoff_units`, :func:`in_units`) and
    report in the model's (:func:`solution_back`); ``tables`` are the ``extra`` tables in
    payoff units. ``common``: whether the concept is invariant under a common unit only
    (or a function of the model saying so). With ``contracts`` (or where a function of the
    model says so), a tiny box of contracts is first measured in its own unit
    (:func:`contract_units`, :func:`in_contract_units`, :func:`contracts_back`, which puts
    the ``contract_tables`` back too): every axiomatic concept is a statement about the
    payoffs, and the alternating-offers game one about the parties' preferences over
    contracts, the same whatever the contracts' unit. With ``rational`` (a concept whose
    agreements are individually rational), a model of one contract variable whose
    individually rational contracts lie in a narrow interval (:func:`~bargain.axiomatic.
    one_variable.narrow_rational_box`) is solved on that interval, measured from its lower
    end in a power of two of its width (:func:`narrowed`). With ``rational`` or
    ``windows``, a contract variable whose box is far narrower than its distance from zero
    is measured from its lower bound (:func:`far_boxes`). With
    ``levels`` (the ``extra`` tables of payoffs, a concept invariant under adding a number
    to a party's payoffs and disagreement payoff), payoffs on a high level are first
    measured from it (:mod:`bargain.axiomatic.payoff_level`)."""

    def decorate(solve: Callable[..., Solution]) -> Callable[..., Solution]:
        def in_payoffs(model: Model, *args: Any, **kwargs: Any) -> Solution:
            moves = levels is not None and movable(kwargs)
            found = payoff_levels(model) if moves else {}
            if not found:
                return in_units_of(model, *args, **kwargs)
            moved = in_levels(model, found)
            return levels_back(in_units_of(moved, *args, **kwargs), model, found, levels or ())

        @functools.wraps(solve)
        def in_units_of(model: Model, *args: Any, **kwargs: Any) -> Solution:
            shared = common(model) if callable(common) else common
            units = payoff_units(model, common=shared)
            if all(u == 1 for u in units.values()):
                return solve(model, *args, **kwargs)
            rescaled = in_units(model, units)
            solution = solve(rescaled, *args, **kwargs)
            return solution_back(solution, model, rescaled, units, tables)

        def from_lower_end(
            model: Model,
            name: str,
            ends: tuple[sympy.Rational, sympy.Rational],
            parametric: Sequence[str],
            what: str,
            *args: Any,
            **kwargs: Any,
        ) -> Solution:
            lo, hi = ends
            unit = {name: _power_of_two(float(hi - lo))}
            offset = {name: lo}
            rescaled = in_contract_units(model, unit, offset, {name: ends}, parametric)
            solution = in_payoffs(rescaled, *args, **kwargs)
            how = (
                f"{what}: solved on [{float(lo):.17g}, {float(hi):.17g}], {name} measured "
                f"from its lower end in 2**{sympy.log(unit[name], 2)}, exactly, and reported "
                "in the model's unit"
            )
            return contracts_back(solution, model, rescaled, unit, contract_tables, offset, how)

        @functools.wraps(solve)
        def solved(model: Model, *args: Any, **kwargs: Any) -> Solution:
            require_model(model)
            top = _top_bound(model) if rational else None
            if top is None:
                return unreflected(model, *args, **kwargs)
            failed: SolverError | None = None
            try:
                solution = unreflected(model, *args, **kwargs)
            except SolverError as error:
                solution, failed = None, error
            if solution is not None and not _rounds_to_top(model, solution, *top):
                return solution
            name, bound = top
            flipped = in_contract_units(model, {name: sympy.Integer(-1)}, {name: bound})
            try:
                found = unreflected(flipped, *args, **kwargs)
            except BargainError:
                # The model's own error, not the reflected model's, when both fail.
                if failed is not None:
                    raise failed from None
                return solution
            how = (
                f"the agreement is within floats' rounding of the upper bound of {name}: "
                f"solved with {name} measured down from it ({name} = {bound} - y), exactly, "
                "and reported in the model's unit"
            )
            return contracts_back(
                found,
                model,
                flipped,
                {name: sympy.Integer(-1)},
                contract_tables,
                {name: bound},
                how,
            )

        def unreflected(model: Model, *args: Any, **kwargs: Any) -> Solution:
            if rational and (box := narrowed(model)) is not None:
                name, ends, bound = box
                # From the model's own bound where the interval reaches it (a number: a
                # payoff vanishing there vanishes identically), or where a payoff there is
                # a number cancelled by the lower end (_cancelled_at), else from a parameter.
                numeric = ends[0] == bound or _cancelled_at(model, name, ends[0])
                parametric = () if numeric else (name,)
                what = f"the individually rational contracts are a narrow interval of {name}"
                return from_lower_end(model, name, ends, parametric, what, *args, **kwargs)
            if (rational or windows) and (box := implied_box(model, rational=rational)):
                # The same model on the box its linear constraints leave (no agreement is
                # left out or added): its searches then measure contracts in that box.
                moved = replace(
                    model,
                    variables=tuple(
                        replace(v, min=box[v.name][0], max=box[v.name][1]) if v.name in box else v
                        for v in model.variables
                    ),
                )
                solution = solved(moved, *args, **kwargs)
                where = ", ".join(
                    f"{name} in [{float(a):.17g}, {float(b):.17g}]" for name, (a, b) in box.items()
                )
                how = (
                    "the linear constraints leave a box far narrower than the bounds: solved "
                    f"on it ({where}, each the implied range widened by its width on each "
                    "side), which holds every feasible agreement"
                )
                return replace(solution, assumptions=(*solution.assumptions, how))
            if (rational or windows) and (far := far_boxes(model)):
                units = {name: unit for name, (unit, _) in far.items()}
                offsets = {name: bound for name, (_, bound) in far.items()}
                rescaled = in_contract_units(model, units, offsets)
                solution = solved(rescaled, *args, **kwargs)
                where = ", ".join(
                    f"{name} from its lower bound {bound} in 2**{sympy.log(units[name], 2)}"
                    for name, bound in offsets.items()
                )
                how = (
                    "contracts in a box far narrower than its distance from zero measured "
                    f"from its lower bound, exactly ({where}), and reported in the model's unit"
                )
                return contracts_back(
                    solution, model, rescaled, units, contract_tables, offsets, how
                )
            measured = contracts(model) if callable(contracts) else contracts
            box = contract_units(model) if measured else {}
            if not box:
                return in_payoffs(model, *args, **kwargs)
            rescaled = in_contract_units(model, box)
            solution = in_payoffs(rescaled, *args, **kwargs)
            return contracts_back(solution, model, rescaled, box, contract_tables)

        return solved

    return decorate


__all__ = [
    "FAR",
    "TINY",
    "contract_units",
    "contracts_back",
    "far_boxes",
    "in_contract_units",
    "in_payoff_units",
    "in_units",
    "narrowed",
    "payoff_units",
    "solution_back",
    "unit_parameters",
]
