"""The egalitarian solution (Kalai 1977): equal gains over disagreement, as large as possible.

It is the maximal point of the utility-possibility set at which every party
gains the same amount over its disagreement payoff, ``u_i - d_i = t`` for all
``i`` with ``t`` maximal (Kalai 1977; Thomson 1994, §3). Unlike the Nash and
Kalai–Smorodinsky solutions it compares utility *differences* across
parties, so it is not invariant to rescaling one party's utility.

Where the set is not strictly comprehensive, the largest least gain ``t`` may
be reached at several agreements, some Pareto-dominated: with ``a ≤ 1``,
``b ≤ 2`` and ``a + b ≤ 2.5``, both ``(1, 1)`` and ``(1, 1.5)`` give ``t = 1``.
``bargain`` takes the *lexicographic* egalitarian solution (Imai 1983,
*Econometrica* 51; Chun & Peters 1988; Thomson 1994, §3), the leximin
agreement: the parties held at ``t`` are fixed there, the least gain of the
others is maximised again, and so on — with three parties ``x``, ``y`` and
``min(1 - x - y, 1/4)``, the third is held at ``1/4`` and the first two share
the rest equally, ``x = y = 3/8``.

Examples
--------
>>> import bargain
>>> s = bargain.egalitarian(bargain.load_model(bargain.models_dir() / "concave.toml"))
>>> s.exact_agreement["x"]
-1/2 + sqrt(5)/2
>>> caps = bargain.model_from_dict({
...     "model": {"name": "caps"},
...     "variables": {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 2}},
...     "constraints": {"budget": "a + b <= 2.5"},
...     "parties": {"P": {"payoff": "a"}, "Q": {"payoff": "b"}}})
>>> s = bargain.egalitarian(caps)
>>> s.exact_agreement, s.extra["gain"]
({'a': 1, 'b': 3/2}, {'t': 1.0})
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import sympy

from bargain.axiomatic.equal_gains import best_least_gain
from bargain.axiomatic.payoff_unit import in_payoff_units
from bargain.axiomatic.problem import (
    GAIN,
    SEARCH_GAIN,
    BargainingProblem,
    problem_of,
    sweep_formula,
)
from bargain.axiomatic.program import ProgramResult
from bargain.concepts.budget import bounded
from bargain.concepts.common_gain import CommonGain
from bargain.concepts.registry import Concept, register
from bargain.concepts.solution import Solution
from bargain.concepts.vectorised import (
    INFEASIBLE,
    NO_CONVERGENCE,
    OK,
    TOL,
    Columns,
    Evaluate,
    Frontier,
    bracketed_newton,
    relative_start,
    scalar_start,
    subset,
)
from bargain.errors import FeasibilityError
from bargain.model.model import Model
from bargain.scale import ROUNDING, magnitude, negligible

LEVEL = "_level"  # the symbol of the least gain t in the second program (numeric route)


@in_payoff_units(common=True, tables=("gain",), contracts=True, rational=True, levels=())
@bounded
def egalitarian(model: Model, *, exact: bool = True, timeout: float = 10.0) -> Solution:
    """The egalitarian solution: the largest equal gain ``t`` over the disagreement point.

    Parameters
    ----------
    model
        The model.
    exact
        Whether to look for a closed form with sympy (else numeric only).
    timeout
        CPU-time safety net, in seconds, of the whole solve's closed-form attempts,
        which are bounded by their work first (:mod:`bargain.concepts.budget`).

    Returns
    -------
    Solution
        ``method="egalitarian"``; ``extra["gain"]`` holds the common gain.

    Raises
    ------
    FeasibilityError
        If the contract set is empty or no agreement improves on disagreement.
    """
    problem = problem_of(model)
    route = "maximise the common gain t subject to u_i - d_i >= t (SLSQP, KKT Newton polish)"
    refused: FeasibilityError | None = None
    try:
        result: ProgramResult | None = problem.solve_gains(
            [1] * len(model.parties), exact=exact, timeout=timeout
        )
    except FeasibilityError as err:
        result, refused = None, err
    crossing = best_least_gain(problem, result)
    if crossing is None and result is None:
        raise refused  # type: ignore[misc]
    if crossing is None and result is not None:
        # Each leximin stage holds the last one's level: a level short of its maximum
        # makes the later stages' answer wrong however well they are solved.
        problem.require_stationary(result)
    assumptions = ["gains are compared in the payoffs' own units (not scale-invariant)"]
    if crossing is not None:
        result = crossing
        route += (
            "; one variable: the bounds, the kinks' breakpoints and the gains' crossings "
            "between them (bracketed in 40 digits) compared"
        )
    assert result is not None
    better = None if crossing else _lexicographic(problem, result, exact=exact, timeout=timeout)
    if better is not None:
        route += (
            "; then the least gain of the parties not held at t maximised again, "
            "and so on (leximin)"
        )
        assumptions.append(
            "the least gain t is reached at agreements some of which are Pareto-dominated: "
            "the one chosen is the leximin agreement among them (lexicographic "
            "egalitarian solution)"
        )
    solution = problem.solution(
        "egalitarian",
        better or result,
        route=route,
        exact=exact,
        extra={"gain": {"t": result.point[GAIN]}},
        assumptions=tuple(assumptions),
        timeout=timeout,
    )
    return problem.equivalent(solution, timeout)


def _lexicographic(
    problem: BargainingProblem, result: ProgramResult, *, exact: bool, timeout: float
) -> ProgramResult | None:
    """The leximin agreement (Imai 1983; Thomson 1994, §3) from the egalitarian ``result``:
    the parties whose gain cannot exceed the least gain ``t`` while every other keeps at
    least ``t`` are fixed at it (:func:`_held`); the least gain of the others is maximised
    again, those fixed kept at their levels; and so on until every party is fixed. ``None``
    where every party is held at ``t`` already (``result`` is the leximin point). Each stage
    is the common-gain program of the parties not yet fixed; with the exact route, its
    closed form carries on as the level of the next stage (and where a stage has none, the
    later stages are numeric: a formula in a float level is no closed form). Without it,
    each level is a symbol of the program with its value (it changes with the parameter
    values), so that the programs are compiled once for all values."""
    parties = problem.model.parties
    gains = [p.payoff - p.disagreement for p in parties]
    fixed: dict[int, sympy.Expr] = {}
    values: dict[sympy.Symbol, sympy.Expr] = {}

    exact_levels = exact  # every level so far a closed form

    def level_of(found: ProgramResult, stage: int) -> sympy.Expr:
        value = sympy.Float(found.point[GAIN], 30)
        if exact_levels:
            # A level without a closed form (its maximisers a set) is settled once the
            # parties it holds are known (:func:`settled`).
            return found.exact[GAIN] if found.exact is not None else value
        symbol = sympy.Symbol(f"{LEVEL}{stage}", real=True)
        values[symbol] = value
        return symbol

    def settled(t: sympy.Expr, held: set[int]) -> sympy.Expr:
        """``t``; where it is a float level (a stage without a closed form), the gain a held
        party has where a kink of its payoff takes a piece free of the contract variables,
        if ``t`` equals it to rounding (``min(1 - x - y, c) + L`` against ``L`` held at
        ``t = c``: that gain never exceeds ``c``, so the level is ``c``); else
        the level stays a float, and no later stage's formula is exact (a formula in
        ``t = 1.0000000000000069`` was reported as one): they are solved numerically."""
        nonlocal exact_levels
        if not (exact_levels and isinstance(t, sympy.Float)):
            return t
        for i in sorted(held):
            for piece in _constant_pieces(parties[i].payoff, problem.variables):
                level = piece - parties[i].disagreement
                value = float(problem.model.numeric(level))
                if negligible(value - float(t), [value, float(t)], 64 * ROUNDING):
                    return level
        exact_levels = False
        return t

    def floors(t: sympy.Expr, free: set[int]) -> list[tuple[str, sympy.Expr]]:
        out = []
        for i, (p, g) in enumerate(zip(parties, gains, strict=True)):
            if i in free:
                out.append((f"{p.name} gain", g - t))
                continue
            pieces = _pieces_at_least(g, fixed[i], problem)
            out += [(f"{p.name} gain" + (f" ({k + 1})" if k else ""), e) for k, e in pieces]
        return out

    free = set(range(len(parties)))
    found, stage, t = result, 0, level_of(result, 0)
    while True:
        x = np.array([found.point[v] for v in problem.variables])
        starts = [x, *problem.contract_starts()]
        held = {
            i
            for i in sorted(free)
            if _held(problem, i, floors(t, free), x, float(found.point[GAIN]), values, timeout)
        }
        if stage == 0 and held in (set(), free):
            return None
        t = settled(t, held or free)
        fixed.update(dict.fromkeys(held or free, t))
        free -= held or free
        if not free:
            return (
                None
                if _same_payoffs(problem, result, found) or _lowered(problem, result, found)
                else found
            )
        stage += 1
        program = problem.program(
            GAIN,
            gain=True,
            inequalities=floors(GAIN, free),
        )
        ones = [1.0] * len(parties)
        try:
            found = problem.solve(
                program,
                problem.with_gain(starts, ones, among=sorted(free)),
                exact=exact_levels,
                timeout=timeout,
                values=values,
            )
        except FeasibilityError:
            # The levels (floats, a rounding above the true maxima where the gains are of
            # very different sizes) are reached only at the agreement found: it stands.
            return None if stage == 1 or _lowered(problem, result, found) else found
        problem.require_stationary(found)
        t = level_of(found, stage)


def _pieces_at_least(
    gain: sympy.Expr, level: sympy.Expr, problem: BargainingProblem
) -> list[tuple[int, sympy.Expr]]:
    """A held party's floor ``gain >= level`` as constraints without its kink, where its gain
    is ``a min(p_1, ..., p_k) + b`` (``a`` a positive number at the values, ``b`` free of
    the ``min``; or ``a max(...) + b`` with ``a`` negative): the gain is at least the level
    exactly where each ``a p_j + b`` is. A piece free of the contract variables is left out:
    the party is held at most at it (``c min(x, 1/2) >= c/2`` is ``c x >= c/2``, and the
    constant piece, ``c/2 >= c/2``, holds to rounding or not at all). Held at the kink's
    flat side, the floor's slope is 0 wherever it holds, and no Newton polish can bind it:
    at ``c = 2**1029 10**-310`` the leximin stage's search stopped at ``x = 0.50002`` for
    ``1/2``. ``[(0, gain - level)]`` otherwise.

    >>> import bargain
    >>> from bargain.axiomatic.problem import problem_of
    >>> m = bargain.model_from_dict({"model": {"name": "m"}, "parameters": {"c": 3},
    ...     "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"A": {"payoff": "c*min(x, 1/2)"}, "B": {"payoff": "1 - x"}}})
    >>> t = sympy.Symbol("t")
    >>> _pieces_at_least(m.parties[0].payoff, t, problem_of(m))
    [(0, c*x - t)]
    """
    variables = problem.variables
    whole = [(0, gain - level)]
    kinks = [n for n in gain.atoms(sympy.Min, sympy.Max) if n.has(*variables)]
    if len(kinks) != 1:
        return whole
    (kink,) = kinks
    u = sympy.Dummy("u")
    linear = gain.xreplace({kink: u})
    slope = sympy.diff(linear, u)
    if slope.has(u, *variables) or linear.has(*kinks):
        return whole
    sign = float(problem.model.numeric(slope))
    if not (sign > 0 if isinstance(kink, sympy.Min) else sign < 0):
        return whole
    pieces = [linear.xreplace({u: arg}) - level for arg in kink.args if arg.has(*variables)]
    return list(enumerate(pieces)) if pieces else whole


def _constant_pieces(expr: sympy.Expr, variables: Sequence[sympy.Symbol]) -> list[sympy.Expr]:
    """The values ``expr`` takes, free of the contract ``variables``, where one ``min``/``max``
    argument or ``Piecewise`` value in it is: ``expr`` itself where it is free of them, and
    ``expr`` with such a node replaced by each of its pieces that leaves no variable (a level
    beside the kink counts: ``min(1 - x, c) + L`` is ``c + L`` where the kink takes ``c``).

    >>> x, c, L = sympy.symbols("x c L")
    >>> _constant_pieces(sympy.Min(1 - x, c), [x])
    [c]
    >>> _constant_pieces(sympy.Min(1 - x, c) + L, [x])
    [L + c]
    """
    out = [] if expr.has(*variables) else [expr]
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Min | sympy.Max):
            args = node.args
        elif isinstance(node, sympy.Piecewise):
            args = tuple(e for e, _ in node.args)
        else:
            continue
        for arg in args:
            value = expr.xreplace({node: arg})
            if not value.has(*variables) and value not in out:
                out.append(value)
    return out


def _same_payoffs(problem: BargainingProblem, first: ProgramResult, last: ProgramResult) -> bool:
    """Whether the leximin stages ended where the egalitarian program did, to the payoffs'
    rounding (:data:`bargain.scale.ROUNDING`): then the egalitarian point, polished with its
    bounds exactly, stands (a later stage's level, a float, moves a transfer off its floor 0
    by 1e-14 without raising any gain)."""
    payoffs = [
        problem.payoff_values({v: x[v] for v in problem.variables})
        for x in (first.point, last.point)
    ]
    size = [*payoffs[0], *payoffs[1], *problem.disagreement_values.values()]
    return all(negligible(a - b, size, ROUNDING * 64) for a, b in zip(*payoffs, strict=True))


def _lowered(problem: BargainingProblem, first: ProgramResult, last: ProgramResult) -> bool:
    """Whether the leximin stages' agreement gives some party less than the least gain of the
    egalitarian point (to :data:`~bargain.concepts.vectorised.TOL` of that gain's own size):
    no leximin point does (Imai 1983), but a stage's level, a float, may stand a rounding above
    a gain of its size (``x y`` against ``1e12 (2 - x - y)``: the stage moved to ``x = y = 1``,
    where the second party gains nothing)."""
    d = list(problem.disagreement_values.values())
    gains = [
        [u - di for u, di in zip(problem.payoff_values(r.point), d, strict=True)]
        for r in (first, last)
    ]
    least = min(gains[0])
    return min(gains[1]) < least - TOL * abs(least)


def _held(
    problem: BargainingProblem,
    party: int,
    floors: list[tuple[str, sympy.Expr]],
    start: np.ndarray,
    level: float,
    values: Mapping[sympy.Symbol, sympy.Expr],
    timeout: float,
) -> bool:
    """Whether ``party``'s gain is at most ``level`` wherever every gain meets its floor
    (``floors``, each ``>= 0``): the most it can gain there, found numerically from
    ``start`` (which meets the floors; the gains being concave, one local search suffices),
    exceeds ``level`` by no more than the search's accuracy (``SEARCH_GAIN`` of the
    payoffs)."""
    p = problem.model.parties[party]
    program = problem.program(p.payoff - p.disagreement, inequalities=floors)
    try:
        top = problem.solve(
            program, [start], exact=False, timeout=timeout, polish=False, values=values
        ).objective
    except FeasibilityError:
        return True  # only the start meets the floors: no room to gain
    d = list(problem.disagreement_values.values())
    at = dict(zip(problem.variables, start, strict=True))
    size = magnitude([*problem.payoff_values(at), *d, level])
    return top - level <= SEARCH_GAIN * size


def egalitarian_kernel(model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> Evaluate:
    """The egalitarian solution over arrays of parameter points (a registry ``kernel``):
    safeguarded Newton on the equal-gains condition, one variable and two parties; with
    several contract variables in their bounds, :func:`egalitarian_box_kernel`."""
    if len(model.variables) > 1:
        return egalitarian_box_kernel(model, inputs, options)
    fr = Frontier(model, inputs)

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        lo, hi, d_r, d_f = fr.constants(params=params, n=n)

        def fdf(x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            u = fr.payoffs(x, subset(params, idx))
            return (u[0] - d_r[idx]) - (u[3] - d_f[idx]), u[1] - u[4]

        all_idx = np.arange(n)
        g_lo, g_hi = fdf(lo, all_idx)[0], fdf(hi, all_idx)[0]
        x = np.where(g_lo >= 0, lo, np.where(g_hi <= 0, hi, np.nan))
        status = np.full(n, OK)
        inner = np.flatnonzero((g_lo < 0) & (g_hi > 0))
        if inner.size:
            root, ok = bracketed_newton(
                lambda xx, idx: fdf(xx, inner[idx]), lo[inner], hi[inner], -np.ones(inner.size)
            )
            x[inner] = root
            status[inner[~ok]] = NO_CONVERGENCE
        u = fr.payoffs(x, params)
        g_r, g_f = u[0] - d_r, u[3] - d_f
        gain = np.minimum(g_r, g_f)
        # A root inside the bounds vouched for only where the gains are equal to their own
        # size (Kalai 1977): with A = L (1 - x), L = 1e12, floats hold 1 - x near x = 1 to
        # 4 digits, and the sign change between two floats is no root (gains 1 and 0.56);
        # the scalar solver decides there, infeasibility included.
        unequal = np.zeros(n, dtype=bool)
        unequal[inner] = ~(np.abs(g_r - g_f) <= TOL * np.maximum(np.abs(g_r), np.abs(g_f)))[inner]
        status = np.where((status == OK) & unequal, NO_CONVERGENCE, status)
        scale = np.abs(u[0]) + np.abs(u[3]) + np.abs(d_r) + np.abs(d_f)
        status = np.where((status == OK) & ~(gain > TOL * scale), INFEASIBLE, status)
        status = np.where((status == OK) & ~fr.monotone(lo, hi, params), NO_CONVERGENCE, status)
        # Where a party's payoff is flat at the point (a cap: min(x, c) beyond c), the equal
        # gains may be Pareto-dominated along the flat piece, where the leximin agreement
        # raises the other's gain (Imai 1983): the scalar solver decides there. At c = 0.5,
        # min(x, c) against 2 - x gave x = 1.5 for the leximin x = c (the other's payoff 0.5
        # for 1.5).
        slopes = np.abs(u[1]), np.abs(u[4])
        flat = np.minimum(*slopes) <= TOL * (slopes[0] + slopes[1])
        status = np.where((status == OK) & flat, NO_CONVERGENCE, status)
        return fr.columns(x, status, params)

    return evaluate


def egalitarian_box_kernel(
    model: Model, inputs: Sequence[str], options: Mapping[str, Any]
) -> Evaluate:
    """The egalitarian solution (Kalai 1977, *Econometrica* 45(7)) of two parties with
    several contract variables in their bounds, over arrays of parameter points: the
    largest common gain with weights one (:class:`~bargain.concepts.common_gain.CommonGain`),
    started from the scalar solution at the model's values moved with each point's bounds.
    A point not vouched for is left ``no_convergence`` (solved again point by point).

    Raises
    ------
    ModelError
        If the model has ``[constraints]`` or other than two parties, or its scalar
        solution at the model's values cannot be found (no start).
    """
    gains = CommonGain(model, inputs)
    start = relative_start(model, scalar_start(model, lambda m: egalitarian(m, exact=False)))

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        lo, hi = gains.bounds(params)
        w = np.ones((lo.shape[0], 2))
        x, _, ok = gains.solve(w, lo + start * (hi - lo), params)
        return gains.columns(x, ok, params)

    return evaluate


register(
    Concept(
        name="egalitarian",
        levels=True,
        solve=egalitarian,
        summary="the egalitarian solution: equal gains over disagreement, as large as possible",
        order=40,
        formula=sweep_formula(egalitarian, strict=True),
        kernel=egalitarian_kernel,
        credibility=True,
        brief=lambda model: (("egalitarian", {}),),
    )
)


__all__ = [
    "egalitarian",
    "egalitarian_box_kernel",
    "egalitarian_kernel",
]
