"""The utilitarian solution: the agreement with the largest sum of payoffs.

It maximises ``sum_i u_i`` over the individually rational agreements
(Harsanyi 1955; Thomson 1994, §3). With transferable utility every split of
the surplus has the same sum, so the maximiser is not unique: the solution
reports the set (``unique`` false, the range of each variable over the
maximisers in ``agreement_set``) and, in ``agreement``, the one maximiser
that the Nash product picks among them, saying so in its assumptions (where the
Nash product is itself maximal at several separate agreements among them, no
point is picked: ``agreement`` is empty, ``agreement_set`` the set). Where
the sum is maximal at several *separate* agreements instead (a non-convex
frontier, e.g. ``u_Q = (1 - x)**2`` against ``u_P = x``: both ends), no point
is picked: the solution is that set (``unique`` false, ``agreement_points``).

The *weighted* utilitarian solution maximises ``sum_i w_i u_i`` instead
(``weights=``), and ``individually_rational=False`` drops the constraints
``u_i >= d_i``: the maximiser of the joint surplus over the contract set
alone. That is the step :mod:`bargain.strategic.transfer` needs (the surplus in units
of a transfer, whose split is left to the transfer). Without individual
rationality the Nash product is not defined everywhere, so a tie is broken
by the contract nearest the centre of the variables' box instead.

Examples
--------
>>> import bargain
>>> s = bargain.utilitarian(bargain.load_model(bargain.models_dir() / "concave.toml"))
>>> s.exact_agreement["x"]
3/4
>>> s = bargain.utilitarian(bargain.load_model(bargain.models_dir() / "split.toml"))
>>> s.agreement["x"], s.unique, s.agreement_set, s.assumptions[0][:30]
(0.5, False, {'x': (0.0, 1.0)}, 'the sum of payoffs is maximal ')
>>> tie = bargain.model_from_dict({
...     "model": {"name": "tie"}, "variables": {"x": {"min": 0, "max": 1}},
...     "parties": {"P": {"payoff": "x"}, "Q": {"payoff": "(1 - x)**2"}}})
>>> s = bargain.utilitarian(tie)
>>> s.unique, s.agreement, s.agreement_points
(False, {}, ({'x': 0.0}, {'x': 1.0}))
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import sympy
from scipy.optimize import linprog, nnls

from bargain.axiomatic.breakpoints import KINKED, breakpoints
from bargain.axiomatic.payoff_unit import in_payoff_units
from bargain.axiomatic.problem import BargainingProblem, problem_of
from bargain.axiomatic.program import Program, ProgramResult, gradient
from bargain.concepts.budget import bounded
from bargain.concepts.registry import Concept, register
from bargain.concepts.solution import Solution
from bargain.errors import BargainError, FeasibilityError, ModelError
from bargain.model.expr import derivative
from bargain.model.model import Model, as_expression, lambdify
from bargain.model.validate import numeric_value, shown
from bargain.scale import ROUNDING, RTOL, exceeds, magnitude

ROUTE = "maximise the sum of payoffs (SLSQP, KKT Newton polish)"
SNAP = 1e-6  # an end of a maximiser range this close to the chosen value (x box width) is it
# A maximiser is unique when every variable's range over the agreements with the maximal sum
# is this close to it (x box width): the level's tolerance moves a variable by ~3e-4 of its
# width at most (the square root of the search's 1e-7), a flat set far more.
FLAT = 1e-3


def _weights(model: Model, weights: Mapping[str, object] | None) -> list[sympy.Expr]:
    """Each party's weight as a sympy expression (1 if not given), checked positive."""
    given = dict(weights or {})
    for name in given:
        model.party(name)  # refuses an unknown name
    out = []
    for p in model.parties:
        w = as_expression(
            given.get(p.name, 1),
            model.symbols,
            file=model.file,
            table="utilitarian",
            key=f"weights.{p.name}",
        )
        if numeric_value(model, w, "utilitarian", f"weights.{p.name}") <= 0:
            raise ModelError(
                f"must be positive, got {shown(model.numeric(w))}",
                file=model.file,
                table="utilitarian",
                key=f"weights.{p.name}",
            )
        out.append(w)
    return out


@in_payoff_units(common=True, tables=("total",), contracts=True, rational=True, levels=("total",))
@bounded
def utilitarian(
    model: Model,
    *,
    weights: Mapping[str, object] | None = None,
    individually_rational: bool = True,
    exact: bool = True,
    timeout: float = 10.0,
) -> Solution:
    """The (weighted) utilitarian solution of a model, ties broken by the Nash product.

    Parameters
    ----------
    model
        The model.
    weights
        Weight of each party's payoff in the sum, by party name: a number or
        a sympy expression in the parameters, positive; parties not named
        weigh 1.
    individually_rational
        Whether agreements must give each party at least its disagreement
        payoff. Without, the sum is maximised over the contract set alone and
        a tie is broken by the contract nearest the centre of the box.
    exact
        Whether to look for a closed form with sympy (else numeric only).
    timeout
        CPU-time safety net, in seconds, of the whole solve's closed-form attempts,
        which are bounded by their work first (:mod:`bargain.concepts.budget`).

    Returns
    -------
    Solution
        ``method="utilitarian"``; ``extra["total"]`` holds the maximal
        (weighted) sum.

    Raises
    ------
    FeasibilityError
        If the contract set is empty or (with individual rationality) no
        agreement improves on disagreement.
    ModelError
        If a weight names no party or is not positive.

    Examples
    --------
    Weights tilt a linear frontier to one corner: with ``u_W = x``,
    ``u_A = 1 - x`` and W weighing 2, all goes to W.

    >>> import bargain
    >>> split = bargain.load_model(bargain.models_dir() / "split.toml")
    >>> bargain.utilitarian(split, weights={"W": 2}).agreement
    {'x': 1.0}
    """
    problem = problem_of(model)
    w = _weights(model, weights)
    total = sum((wi * u for wi, u in zip(w, problem.payoffs, strict=True)), sympy.Integer(0))
    what = "sum of payoffs" if weights is None else "weighted sum of payoffs"
    route = ROUTE if weights is None else ROUTE.replace("sum", "weighted sum")
    if not individually_rational:
        return _unconstrained(problem, w, what, route, exact=exact, timeout=timeout)
    return _maximise(
        problem,
        w,
        total,
        route,
        starts=problem.interior_start(timeout),
        inequalities=problem.rational(),
        tie_objective=problem.log_nash_product(),
        tie_by=NASH_TIE,
        tie=(
            f"the {what} is maximal on a whole set of agreements; the one chosen "
            "maximises the Nash product among them",
        ),
        exact=exact,
        timeout=timeout,
    )


def _weighted(problem: BargainingProblem, w: list[sympy.Expr], values: list[float]) -> float:
    """The weighted sum of payoff values."""
    return sum(
        numeric_value(problem.model, wi, "utilitarian", "weights") * u
        for wi, u in zip(w, values, strict=True)
    )


def _unconstrained(
    problem: BargainingProblem,
    w: list[sympy.Expr],
    what: str,
    route: str,
    *,
    exact: bool,
    timeout: float,
) -> Solution:
    """Maximise the weighted sum over the contract set alone (no individual rationality); a
    tie is broken by the contract nearest the centre of the box (the Nash product needs
    ``u_i > d_i``)."""
    total = sum((wi * u for wi, u in zip(w, problem.payoffs, strict=True)), sympy.Integer(0))
    centre = [(v.min + v.max) / 2 for v in problem.model.variables]
    return _maximise(
        problem,
        w,
        total,
        route,
        starts=problem.contract_starts(),
        inequalities=[],
        tie_objective=-sum(
            ((x - c) ** 2 for x, c in zip(problem.variables, centre, strict=True)),
            sympy.Integer(0),
        ),
        tie_by="the distance to the box centre",
        tie=(
            f"the {what} is maximal on a whole set of contracts; the one chosen is the "
            "nearest to the centre of the variables' box",
        ),
        exact=exact,
        timeout=timeout,
    )


NASH_TIE = "the Nash product"


def _nash_tie(
    problem: BargainingProblem,
    total: sympy.Expr,
    point: Mapping[sympy.Symbol, float],
    maximal: list[tuple[str, sympy.Expr]],
    timeout: float,
) -> sympy.Expr:
    """The log Nash product that breaks a tie among the sum's maximisers (``maximal``: the
    constraints that hold the sum at its maximum), of every party but those held at their
    disagreement payoff on the whole set: a party whose gain at the maximiser ``point`` is
    within the rounding of its payoff there (:meth:`BargainingProblem.payoff_inputs`:
    ``S log(1 + (S - a - b)/S)`` on the face ``a + b = S`` is a rounding of ``S``), and
    whose largest gain over the set (searched from ``point``, :func:`_largest_gain`) is
    too. Such a party has no logarithm anywhere on the set (``y`` against ``x`` and ``2 -
    x - 2 y``, whose sum ``2 - y`` is largest at ``y = 0``, every ``x``), and the
    tie-break's search found no point where the product was defined ("the feasible set is
    empty"); a party at its disagreement payoff at one end of the set only (``y`` at ``(1,
    0)`` of the segment ``x + y = 1``) keeps its place."""
    parties = problem.model.parties
    payoffs = problem.payoff_values(point)
    inputs = problem.payoff_inputs(point)
    held = []
    disagreement = problem.disagreement_values.values()
    for k, (u, d, size) in enumerate(zip(payoffs, disagreement, inputs, strict=True)):
        if exceeds(u, d, inputs=size):
            continue
        # From the maximiser alone (every start cost 10 s of a property test of five
        # parties, most of them held at a corner); polished, with its zooms (a set thin in a
        # box 1e15 wide is not seen from the box's unit).
        found = _largest_gain(problem, total, k, point, maximal, timeout)
        if found is None or found[0]:
            continue
        if not found[1]:
            # Not polished: searched again in the unit of the payoffs at the point, and kept
            # where that polished search finds it gaining (every payoff times 1e9 on
            # x + y + z <= 1: the search in dollars stopped where it started, and a party
            # that gains 0.7e9 elsewhere on the face was held out of the tie-break).
            unit = sympy.Rational(magnitude(payoffs) or 1)
            again = _largest_gain(problem, total, k, point, maximal, timeout, unit)
            if again is not None and again[1] and again[0]:
                continue
        held.append(k)
    if not held or len(held) == len(parties):
        return problem.log_nash_product()
    return problem.log_nash_product(
        [sympy.Integer(0 if k in held else 1) for k in range(len(parties))]
    )


def _largest_gain(
    problem: BargainingProblem,
    total: sympy.Expr,
    k: int,
    point: Mapping[sympy.Symbol, float],
    maximal: list[tuple[str, sympy.Expr]],
    timeout: float,
    unit: sympy.Rational = sympy.S.One,
) -> tuple[bool, bool] | None:
    """Whether party ``k`` gains, beyond 64 units of the rounding of its payoff (of what the
    contract variables move it by, :meth:`BargainingProblem.payoff_inputs`), at its
    largest payoff over the sum's maximisers (``maximal``), its gain searched from the
    maximiser ``point`` in ``unit``; and whether the search was polished. ``None`` where
    the search fails.

    A polished search's point is on the level that holds the sum at its maximum. An
    unpolished one's meets that level (a float) to the search's tolerance only, and where
    the polish failed because the sum's slope across the set is zero (``a + b + S log(1 +
    (S - a - b)/S)`` on ``a + b = S``), the agreements meeting it reach about the square
    root of that tolerance beyond the set, where the party gains that much (``4.5e-4 S``,
    which put it in the tie-break's product and the agreement 3% off): the party's gain
    is then taken where the point is moved back to the set (:func:`_along_the_set`)."""
    party = problem.model.parties[k]
    start = np.array([point[v] for v in problem.variables])
    try:
        best = problem.solve(
            problem.program((party.payoff - party.disagreement) / unit, inequalities=maximal),
            [start],
            exact=False,
            timeout=timeout,
        )
    except BargainError:
        return None
    at = best.point if best.polished else _along_the_set(problem, total, point, best.point)
    try:
        u = problem.payoff_values(at, only=party.name)[0]
    except BargainError:
        return None
    (size,) = problem.payoff_inputs(at, only=party.name)
    return exceeds(u, problem.disagreement_values[party.name], inputs=size), best.polished


def _along_the_set(
    problem: BargainingProblem,
    total: sympy.Expr,
    point: Mapping[sympy.Symbol, float],
    found: Mapping[sympy.Symbol, float],
) -> dict[sympy.Symbol, float]:
    """``found``, an agreement near the sum's maximiser ``point`` that meets the level of
    its maximum to the search's tolerance, moved back to ``point`` along every direction in
    which the sum curves there: ``point`` plus the part of ``found - point`` in the null
    space of the sum's Hessian at ``point`` (each variable in the unit of the two
    agreements' size; an eigenvalue within ``RTOL`` of the largest is zero). Along those
    directions the sum falls quadratically and the level's tolerance alone lets the
    search go (by its square root); along the others the sum is flat to second order,
    the set of maximisers itself (Nocedal & Wright, *Numerical Optimization*, 2nd ed.
    2006, §12.4). ``found`` as it is where the Hessian is no finite real matrix (a kink)."""
    names = problem.variables
    h = _hessian_at(problem, total, point, names)
    if h is None:
        return dict(found)
    x0 = np.array([float(point[v]) for v in names])
    x1 = np.array([float(found[v]) for v in names])
    scale = np.maximum(np.maximum(np.abs(x0), np.abs(x1)), np.finfo(float).tiny)
    eigenvalues, vectors = np.linalg.eigh(scale[:, None] * h * scale[None, :])
    flat = vectors[:, np.abs(eigenvalues) <= RTOL * magnitude(eigenvalues)]
    moved = x0 + scale * (flat @ (flat.T @ ((x1 - x0) / scale)))
    return dict(zip(names, (float(x) for x in moved), strict=True))


def _maximise(
    problem: BargainingProblem,
    w: list[sympy.Expr],
    total: sympy.Expr,
    route: str,
    *,
    starts: list[np.ndarray],
    inequalities: list[tuple[str, sympy.Expr]],
    tie_objective: sympy.Expr,
    tie_by: str,
    tie: tuple[str, ...],
    exact: bool,
    timeout: float,
) -> Solution:
    """Maximise ``total`` subject to ``inequalities``; where the maximum is not unique, take
    the maximiser with the largest ``tie_objective``."""
    tied = f"{route}; ties broken by {tie_by}"
    starts = [*starts, *_ideals(problem, inequalities, starts, timeout)]
    flat = problem.flat(total)
    if len(flat) == len(problem.variables):
        # The sum is the same for every contract (transferable utility): every feasible
        # contract maximises it, and the tie-break alone chooses.
        result = problem.solve(
            problem.program(tie_objective, inequalities=inequalities),
            starts,
            exact=exact,
            timeout=timeout,
        )
        if result.ties:
            return _unpicked(problem, w, result, tied, tie_by, tie, inequalities, timeout)
        chosen = problem.solution(
            "utilitarian",
            result,
            route=tied,
            exact=exact,
            extra={"total": {"sum": _weighted(problem, w, problem.payoff_values(result.point))}},
            assumptions=tie,
            timeout=timeout,
        )
        return _with_maximisers(chosen, problem, inequalities, inequalities, timeout)
    program = problem.program(total, inequalities=inequalities)
    first = problem.solve(program, starts, exact=exact, timeout=timeout)
    maximal = [*inequalities, ("maximal sum", total - _level(problem, first))]
    if first.ties:
        sets = [
            _set_of(problem, total, program, point, maximal, inequalities, timeout)
            for point in (first.point, *first.ties)
        ]
        return problem.separate(
            "utilitarian", first, route, {"total": {"sum": first.objective}}, sets=sets
        )
    at = np.array([first.point[v] for v in problem.variables])

    @functools.cache
    def tie_break() -> sympy.Expr:
        """The tie objective, asked for only where a tie is broken (the Nash product's
        parties held on the set take a search each, :func:`_nash_tie`)."""
        if tie_by == NASH_TIE:
            return _nash_tie(problem, total, first.point, maximal, timeout)
        return tie_objective

    if flat:
        point = first.point
        if _bounds_only(problem, first.active) is None:
            # A constraint binds where the search stopped along the variables the sum does
            # not depend on: hold them where the tie-break puts them instead. Where the
            # tie-break's search finds no agreement of the set, the maximiser stands (it may
            # be the set's only point, where a party's log gain is not defined: x + y
            # against 1 - x - y/2 in [0, 1e3]**2 is largest at (0, 2) alone).
            with contextlib.suppress(FeasibilityError):
                point = problem.solve(
                    problem.program(tie_break(), inequalities=maximal),
                    [at, *starts],
                    exact=False,
                    timeout=timeout,
                ).point
        fixed = _determined(problem, total, flat, point, inequalities, timeout)
        if fixed is not None:
            return _flat_in_the_others(
                problem, first, fixed, route, tied, tie_break(), inequalities, tie, timeout
            )
    ends = None
    # The second-order tests need the polished point; the maximisers' span does not (a
    # kink's maximum is not polished: at S = 1e10 the peak of x + min(S - x/2, 7S/4 - 2x)
    # was reported as a set spanning [S/2, S/2]).
    if (
        first.polished
        and (
            _strict_maximum(problem, total, first.point, active=first.active)
            or _strict_on_the_active_set(problem, program, first)
        )
    ) or _a_point(
        problem,
        first.point,
        ends := problem.ends(at, maximal, timeout),
        FLAT,
        _widths(problem, first.point, inequalities, timeout),
    ):
        if len(problem.variables) > 1:
            # A unique maximiser is told from a set of the individually rational set's
            # width, which the searches do not resolve where the gains are below their
            # tolerance (x + y/2 against 1 - x - y over 1/2 and 1/2 - 1e-12: every x in
            # [1/2, 1/2 + 1e-12] at y = 0 maximises the sum).
            problem.require_resolved(problem.payoff_values(first.point))
        return problem.solution(
            "utilitarian",
            first,
            route=route,
            exact=exact,
            extra={"total": {"sum": first.objective}},
            timeout=timeout,
        )
    # A flat maximum along some directions: among the maximisers, take the one with the
    # largest tie objective (numerically). The centre of the maximisers' ranges starts the
    # search first: a set thin in a box far wider than it (x + y = 1 of a box 1e15 wide)
    # holds none of the box's starts, and its ends where the tie objective is defined.
    centre = [] if ends is None else [np.array([(a + b) / 2 for a, b in ends])]
    second = problem.solve(
        problem.program(tie_break(), inequalities=maximal),
        [*centre, *starts],
        exact=False,
        timeout=timeout,
    )
    chosen = problem.solution(
        "utilitarian",
        second,
        route=tied,
        exact=False,
        # The sum at the agreement chosen (the search's may be a constraint's miss above it).
        extra={"total": {"sum": _weighted(problem, w, problem.payoff_values(second.point))}},
        assumptions=tie,
        timeout=timeout,
    )
    return _with_maximisers(chosen, problem, maximal, inequalities, timeout, ends=ends)


def _level(problem: BargainingProblem, first: ProgramResult) -> sympy.Float:
    """The level that holds the sum at its maximum ``first.objective``, a float: every
    agreement whose sum is at least it is a maximiser (numerically).

    An unpolished maximiser may miss a constraint by the search's tolerance, and its sum
    exceed the maximum by about as much of the sum's terms (x + y = 1 + 2.8e-12 of
    x + y <= 1): the level is lowered by that, or no agreement but the start meets it
    and the set's ends stop there (x in [0.4999999999, 1] of every x in [0, 1]). And by
    a unit in the last place of the float: the maximum itself may be a rounding below
    it (a sum of 1/1000 against the float 0.001, 2.1e-20 above), and the constraint,
    compiled with its constants in 30 digits, was then unmet everywhere by that: the
    searches for the set's ends stopped where they were (a in [0.327, 0.8] S for [0.1,
    0.8] S at S = 1e-3)."""
    level = sympy.Float(first.objective, 30) - sympy.Float(math.ulp(first.objective), 30)
    if not first.polished:
        missed = -problem.slack_margin(np.array([first.point[v] for v in problem.variables]))
        if 0 < missed < math.inf:
            size = magnitude([first.objective, *problem.payoff_values(first.point)])
            level -= sympy.Float(missed * size, 30)
    return level


def _set_of(
    problem: BargainingProblem,
    total: sympy.Expr,
    program: Program,
    point: Mapping[sympy.Symbol, float],
    maximal: list[tuple[str, sympy.Expr]],
    inequalities: list[tuple[str, sympy.Expr]],
    timeout: float,
) -> dict[str, tuple[float, float]] | None:
    """The range of each contract variable over the set of maximisers of the sum that
    ``point``, one of several separate maximisers, lies in (``maximal`` holds the sum at
    its maximum); ``None`` where it is a maximiser alone: strict (:func:`_strict_maximum`,
    :func:`_strict_on_the_active_set`, at ``point`` polished again), or spanning less than
    :data:`FLAT` of the individually rational ranges. ``A = x``, ``B = y``, ``C = (1 - x -
    y)**2`` on ``x + y <= 1``: the sum is 1 at ``(0, 0)`` alone and on the whole edge ``x +
    y = 1``, which was reported as its middle point alone."""
    at = np.array([point[v] for v in problem.variables])
    again = problem.solve(program, [at], exact=False, timeout=timeout)
    if again.polished and (
        _strict_maximum(problem, total, again.point, active=again.active)
        or _strict_on_the_active_set(problem, program, again)
    ):
        return None
    ends = problem.ends(at, maximal, timeout, reach=True)
    if _a_point(problem, point, ends, FLAT, _widths(problem, point, inequalities, timeout)):
        return None
    return {v.name: (lo, hi) for v, (lo, hi) in zip(problem.model.variables, ends, strict=True)}


def _unpicked(
    problem: BargainingProblem,
    w: list[sympy.Expr],
    result: ProgramResult,
    tied: str,
    tie_by: str,
    tie: tuple[str, ...],
    inequalities: list[tuple[str, sympy.Expr]],
    timeout: float,
) -> Solution:
    """The utilitarian solution where the sum is the same for every feasible agreement and
    the tie-break is itself maximal at several separate agreements (``result.ties``):
    ``|x - 1/2|`` against ``1 - |x - 1/2|`` sums to 1 everywhere, and its Nash product
    ``s (1 - s)``, ``s = |x - 1/2| <= 1/2``, is largest at both ``x = 0`` and ``x = 1``. The
    solution is every feasible agreement (``agreement_set``, ranged from one of the
    tie-break's maximisers), and no point is picked (``agreement`` and ``payoffs`` empty)."""
    m = problem.model
    start = {v.name: float(result.point[v.symbol]) for v in m.variables}
    unpicked = Solution(
        model=m.name,
        method="utilitarian",
        agreement=start,
        payoffs={},
        disagreement=dict(problem.disagreement_values),
        parameters={p.name: float(p.value) for p in m.parameters},
        route=f"{tied}; numeric: {1 + len(result.ties)} separate maximisers of the "
        "tie-break, none picked",
        extra={"total": {"sum": _weighted(problem, w, problem.payoff_values(result.point))}},
        assumptions=(
            f"{tie[0].split(';')[0]}; {tie_by} is itself maximal at several separate "
            "agreements among them, so no one is picked",
        ),
    )
    return replace(
        _with_maximisers(unpicked, problem, inequalities, inequalities, timeout), agreement={}
    )


def _ideals(
    problem: BargainingProblem,
    inequalities: list[tuple[str, sympy.Expr]],
    starts: list[np.ndarray],
    timeout: float,
) -> list[np.ndarray]:
    """Each party's best agreement subject to ``inequalities`` (found numerically from
    ``starts``, unpolished), as more starts for the sum's search.

    Where the sum is convex its maximum is at an extreme point of the set (Rockafellar,
    *Convex Analysis*, 1970, Cor. 32.3.2), and each party's best agreement is one. Where
    one party's payoff is far the larger there, the sum's basin round that point can hold
    none of the box's starts: ``exp(150 x)`` against ``1e63 (1 - x)`` on ``[0, 1]``
    falls towards ``x = 0`` from every ``x`` below ``ln(1e63 / 150) / 150 = 0.934``, and
    its maximum is ``x = 1`` (``e**150 = 1.4e65`` against ``1e63 + 1``).
    """
    return [
        np.array([found.point[v] for v in problem.variables])
        for found in (
            problem.solve(
                problem.program(party.payoff, inequalities=inequalities),
                starts,
                exact=False,
                timeout=timeout,
                polish=False,
            )
            for party in problem.model.parties
        )
    ]


def _determined(
    problem: BargainingProblem,
    total: sympy.Expr,
    flat: list[sympy.Symbol],
    point: Mapping[sympy.Symbol, float],
    inequalities: list[tuple[str, sympy.Expr]],
    timeout: float,
) -> dict[sympy.Symbol, float] | None:
    """The contract variables the sum depends on, at its maximiser, where they are its only
    maximiser whatever the others (the variables ``flat``, on which the sum does not depend
    at all, such as a transfer: :func:`_flat`); else ``None``.

    The polish of the sum's maximiser fails where the sum is flat in some variables (their
    rows of the KKT system are zero), so the sum is maximised again with those held at their
    values in ``point`` (a maximiser, :meth:`BargainingProblem.pinned`), and polished. The
    values are the only maximiser where no constraint but bounds binds there (a constraint
    could tie the two kinds of variable), each variable the sum depends on that sits at a bound is
    held there by the sum's slope (its derivative is nonzero, pointing out of the box), and
    the sum's Hessian in those inside their box is negative definite (a strict maximum in
    them). The maximisers are then these values with any feasible value of the others."""
    rest = [v for v in problem.variables if v not in flat]
    program, values = problem.pinned(
        problem.program(total, inequalities=inequalities), {v: point[v] for v in flat}
    )
    start = np.array([point[v] for v in problem.variables])
    again = problem.solve(program, [start], exact=False, timeout=timeout, values=values)
    at_bound = _bounds_only(problem, again.active)
    if not again.polished or at_bound is None:
        return None
    held = _held(problem, total, again.point, at_bound)
    if any(str(v) in at_bound and v not in held for v in rest):
        return None
    inside = [v for v in rest if str(v) not in at_bound]
    if inside and not _strict_maximum(problem, total, again.point, inside):
        return None
    return {v: again.point[v] for v in rest}


def _bounds_only(problem: BargainingProblem, active: Sequence[str]) -> dict[str, str] | None:
    """The variables at a bound (``"min"`` or ``"max"``, by name) in the names ``active``
    of what binds at a program's maximiser; ``None`` if a constraint binds too."""
    out = _at_bounds(problem, active)
    return out if len(out) == len(active) else None


def _at_bounds(problem: BargainingProblem, active: Sequence[str]) -> dict[str, str]:
    """The variables at a bound (``"min"`` or ``"max"``, by name) among the names
    ``active`` of what binds at a program's maximiser, whatever else binds."""
    names = {str(v) for v in problem.variables}
    out = {}
    for name in active:
        variable, _, side = name.partition(" = ")
        if variable in names and side in ("min", "max"):
            out[variable] = side
    return out


def _flat_in_the_others(
    problem: BargainingProblem,
    first: ProgramResult,
    fixed: dict[sympy.Symbol, float],
    route: str,
    tied: str,
    tie_objective: sympy.Expr,
    inequalities: list[tuple[str, sympy.Expr]],
    tie: tuple[str, ...],
    timeout: float,
) -> Solution:
    """The utilitarian solution where the sum's maximisers are the variables ``fixed`` at
    their values (:func:`_determined`) and any feasible value of the others: the tie-break
    and the range of each other variable are found with those held there
    (:meth:`BargainingProblem.pinned`), subject to ``inequalities`` alone, and polished.
    Holding the sum at its maximum by a numeric level instead (the general route) makes a
    constraint that only touches the set: its points are then known to about the square
    root of the level's rounding (the flagship's ``e`` to 8 digits), and depend on the
    last bits of the compiled code."""
    extra = {"total": {"sum": first.objective}}
    start = np.array([first.point[v] for v in problem.variables])
    ends = problem.ends(start, inequalities, timeout, fixed=fixed)
    program, values = problem.pinned(
        problem.program(tie_objective, inequalities=inequalities), fixed
    )
    second = problem.solve(
        program, [start, *problem.box_starts()], exact=False, timeout=timeout, values=values
    )
    # What binds: the variables held at the maximiser bind as the maximal sum, not as bounds
    # (those at a bound of their box bind there too).
    lo, hi = problem.bounds
    box = {
        f"{v} = {side}": (lo, hi)[k][i]
        for i, v in enumerate(problem.variables)
        for k, side in enumerate(("min", "max"))
    }
    held = {f"{v} = {side}": x for v, x in fixed.items() for side in ("min", "max")}
    active = [a for a in second.active if a not in held or held[a] == box[a]]
    second = replace(second, active=(*active, "maximal sum"))
    if _a_point(
        problem, second.point, ends, FLAT, _widths(problem, first.point, inequalities, timeout)
    ):
        # The constraints leave the others no room either: one maximiser.
        return problem.solution(
            "utilitarian", second, route=route, exact=False, extra=extra, timeout=timeout
        )
    chosen = problem.solution(
        "utilitarian",
        second,
        route=tied,
        exact=False,
        extra=extra,
        assumptions=tie,
        timeout=timeout,
    )
    return _with_maximisers(chosen, problem, inequalities, inequalities, timeout, ends=ends)


@functools.lru_cache(maxsize=64)
def _hessian(total: sympy.Expr, variables: tuple[sympy.Symbol, ...]) -> sympy.Matrix:
    """The sum's Hessian in the contract variables (kept per expression: a model at other
    values has the same one)."""
    return sympy.hessian(total, variables)


def _hessian_at(
    problem: BargainingProblem,
    total: sympy.Expr,
    point: Mapping[sympy.Symbol, float],
    variables: tuple[sympy.Symbol, ...],
) -> np.ndarray | None:
    """The sum's Hessian in ``variables`` at ``point`` (the model's values), symmetric, in
    floating point; ``None`` where it is no finite real matrix there (a kink)."""
    try:
        h = np.array(
            _hessian(total, variables).xreplace({**problem.subs, **point}).evalf(), dtype=float
        )
    except (TypeError, ValueError):
        return None
    return (h + h.T) / 2 if np.all(np.isfinite(h)) else None


def _held(
    problem: BargainingProblem,
    total: sympy.Expr,
    point: Mapping[sympy.Symbol, float],
    at_bound: Mapping[str, str],
) -> set[sympy.Symbol]:
    """The contract variables at a bound of their box (``at_bound``: ``"min"`` or ``"max"``
    by name, :func:`_bounds_only`) that the sum's slope at ``point`` holds there: its
    derivative in them is nonzero and points out of the box, so that moving inwards lowers
    the sum at first order (a corner maximum, whatever the curvature)."""
    at = {**problem.subs, **point}
    out = set()
    for v in problem.variables:
        side = at_bound.get(str(v))
        if side is None:
            continue
        try:
            slope = float(sympy.diff(total, v).xreplace(at))
        except (TypeError, ValueError):
            continue
        if slope > 0 if side == "max" else slope < 0:
            out.add(v)
    return out


def _kink_peak(
    problem: BargainingProblem, total: sympy.Expr, point: Mapping[sympy.Symbol, float]
) -> bool:
    """Whether ``point``, inside the box of the one contract variable, is a breakpoint of
    the sum's kinks (:func:`bargain.axiomatic.breakpoints.breakpoints`) where the sum's slope
    is positive just left of it and negative just right of it (on the pieces beside it, a
    millionth of the way to the next breakpoint or bound): a strict maximum at first order
    (``x + 1 - x + max(0, 0.01 - |x - 0.537|)`` at ``0.537``), whose Hessian is not
    defined. With several variables, ``False``."""
    if len(problem.variables) != 1:
        return False
    (v,) = problem.variables
    lo, hi = (float(b[0]) for b in problem.bounds)
    x = float(point[v])
    at = as_expression(total).xreplace(problem.subs)
    found = breakpoints([at], (v,), {v: (lo, hi)})[v]
    width = hi - lo
    if not lo < x < hi or not any(abs(b - x) <= ROUNDING * width for b in found):
        return False
    gap = min(abs(b - x) for b in [lo, hi, *found] if abs(b - x) > ROUNDING * width)
    slope = lambdify([v], derivative(at, v))
    with np.errstate(all="ignore"):
        left, right = (complex(slope(x + side * 1e-6 * gap)) for side in (-1, 1))
    if left.imag or right.imag:
        return False
    size = RTOL * magnitude([left.real, right.real])
    return left.real > size and right.real < -size


def _strict_maximum(
    problem: BargainingProblem,
    total: sympy.Expr,
    point: Mapping[sympy.Symbol, float],
    among: Sequence[sympy.Symbol] | None = None,
    *,
    active: Sequence[str] = (),
) -> bool:
    """Whether ``point`` is a strict maximum of the sum, the only maximiser near it (and,
    the sum being concave there, the multi-start search's ties aside, the only one): the
    variables at a bound of their box that the sum's slope holds there (:func:`_held`;
    ``active`` names what binds at ``point``, where only bounds do) are fixed by first
    order, and where they are all of them (a vertex: every move into the box lowers the
    sum at first order), ``point`` is strict whatever else binds there; else the sum's
    Hessian in the others (of ``among``, all if not given; in all of them where a
    constraint binds too) is negative definite (the second-order sufficient conditions;
    Nocedal & Wright, *Numerical Optimization*, 2nd ed. 2006, Thm 12.6). ``u_P = x``
    against ``u_Q = k (1 - x)**2`` with ``k`` just below 1 is a corner maximum, at
    ``x = 1``, of a convex sum. Where the Hessian
    is not defined (a kink) or not definite, ``False``: the maximisers are then ranged
    (:meth:`BargainingProblem.ends`), except at a peak of a kink in the one contract
    variable (:func:`_kink_peak`), which is strict at first order."""
    variables = tuple(problem.variables if among is None else among)
    held = _held(problem, total, point, _at_bounds(problem, active))
    if all(v in held for v in variables) or _kink_peak(problem, total, point):
        return True
    if _bounds_only(problem, active) is not None:
        # No constraint binds: the sum's slope in the others is zero, and its curvature in
        # them decides.
        variables = tuple(v for v in variables if v not in held)
    h = _hessian_at(problem, total, point, variables)
    if h is None:
        return False
    eigenvalues = np.linalg.eigvalsh(h)
    return bool(eigenvalues.max() < -RTOL * magnitude(eigenvalues))


def _strict_on_the_active_set(
    problem: BargainingProblem, program: Program, result: ProgramResult
) -> bool:
    """Whether ``result.point``, where a constraint of ``program`` binds, is a strict
    maximum of its objective by the second-order sufficient conditions (Nocedal & Wright,
    *Numerical Optimization*, 2nd ed. 2006, Thm 12.6): it meets the first-order conditions
    with the multipliers of what binds (``result.active``) at least 0 (Thm 12.1), and the
    Hessian of the Lagrangian is negative definite on the directions that keep every
    binding equality and every inequality with a positive multiplier at 0 (a subspace that
    holds the critical cone, so the test is sufficient). Where the critical cone holds no
    direction (:func:`_no_critical_direction`: a vertex, even where the multipliers are not
    unique), first order alone holds it. ``x + sqrt(y)`` on ``x + y <= 1`` is flat in
    ``x`` but curved along the budget line: a strict maximum at ``(3/4, 1/4)``, which
    :func:`_strict_maximum` (the sum's own Hessian, singular) leaves to twelve searches for
    the set's ends (4 s). ``False`` where a derivative is not a finite real number there
    (a kink) or the first-order conditions do not hold to :data:`~bargain.scale.RTOL`."""
    unknowns = program.unknowns
    binding: list[tuple[sympy.Expr, bool]] = [  # (g, whether an equality), g >= 0 or g == 0
        (g, False)
        for g, name in zip(program.inequalities, program.inequality_names, strict=True)
        if name in result.active
    ]
    binding += [(h, True) for h in program.equalities]
    at_bounds = _at_bounds(problem, result.active)
    for v, lo, hi in zip(unknowns, program.lower, program.upper, strict=True):
        side = at_bounds.get(str(v))
        if side is not None:
            binding.append((v - lo if side == "min" else hi - v, False))
    exprs = [as_expression(program.objective), *(as_expression(g) for g, _ in binding)]
    if any(e.has(*KINKED) for e in exprs):
        return False  # a kink's derivative at it (Heaviside(0) = 1/2) is no slope
    hessians = [_hessian_at(problem, e, result.point, unknowns) for e in exprs]
    at = {**problem.subs, **{v: sympy.Float(x, 30) for v, x in result.point.items()}}
    try:
        grads = np.array(
            [[d.xreplace(at).evalf() for d in gradient(e, unknowns)] for e in exprs], dtype=float
        )
    except (TypeError, ValueError):
        return False
    if any(h is None for h in hessians) or not np.all(np.isfinite(grads)):
        return False
    # grad f + sum_i lambda_i grad g_i = 0: lambda_i >= 0 for an inequality, free for an
    # equality (its two signs as two columns).
    columns = [grads[k + 1] for k in range(len(binding))]
    columns += [-grads[k + 1] for k, (_, eq) in enumerate(binding) if eq]
    if not columns:
        return False
    found, residual = nnls(np.array(columns).T, -grads[0])
    size = magnitude([*grads[0], *(np.abs(np.array(columns)).T @ found)])
    if residual > RTOL * size:
        return False
    if _no_critical_direction(grads[0], grads[1:], [eq for _, eq in binding]):
        return True
    multipliers = found[: len(binding)].copy()
    for j, k in enumerate(k for k, (_, eq) in enumerate(binding) if eq):
        multipliers[k] -= found[len(binding) + j]
    norms = [max(magnitude(grads[k + 1]), math.ulp(0.0)) for k in range(len(binding))]
    held = [  # each normal as a unit vector: the rank below is one of directions
        grads[k + 1] / norms[k]
        for k, (_, eq) in enumerate(binding)
        if eq or multipliers[k] * norms[k] > RTOL * size
    ]
    lagrangian = hessians[0] + sum(m * h for m, h in zip(multipliers, hessians[1:], strict=True))
    if held:
        _, singular, rows = np.linalg.svd(np.array(held))
        rank = int(np.sum(singular > RTOL * singular.max()))
        free = rows[rank:].T  # the directions that keep them at 0
    else:
        free = np.eye(len(unknowns))
    if free.shape[1] == 0:
        return True
    eigenvalues = np.linalg.eigvalsh(free.T @ lagrangian @ free)
    return bool(eigenvalues.max() < -RTOL * magnitude(lagrangian.ravel()))


def _no_critical_direction(
    objective: np.ndarray, rows: np.ndarray, equalities: Sequence[bool]
) -> bool:
    """Whether the critical cone at a point meeting the first-order conditions holds no
    direction: no ``d`` with ``∇g·d >= 0`` for each binding inequality ``g >= 0``,
    ``∇h·d = 0`` for each equality and ``∇f·d >= 0`` for the objective (the directions
    that stay feasible to first order and do not lose the objective; Nocedal & Wright 2006,
    eq. 12.53 and the remark after it: without multipliers, so a degenerate vertex, whose
    multipliers are not unique, is judged the same whichever of them was found). Then the
    point is a strict maximum (Thm 12.6, with nothing to test). Each row is a unit vector
    and may miss by :data:`~bargain.scale.RTOL` (the gradients' rounding), so the relaxed
    cone holds the true one; it is judged empty where each coordinate's largest and
    smallest value over it, within the unit box, is within ``sqrt(RTOL)`` of 0 (2n linear
    programs, HiGHS). Rows of zero (``a**2 >= 0`` at ``a = 0``) bound nothing.

    >>> f = np.array([0.0, 2.0, 0.0])  # a**2 + b**2 + c**2 at (0, 1, 0), a + b + c <= 1
    >>> rows = np.array([[1.0, 0, 0], [0, -1.0, 0], [0, 0, 1.0], [-1.0, -1.0, -1.0]])
    >>> _no_critical_direction(f, rows, [False] * 4)
    True
    >>> _no_critical_direction(np.array([1.0, 1.0]), np.array([[-1.0, -1.0]]), [False])
    False
    """
    n = len(objective)
    unit: list[np.ndarray] = []
    equal: list[np.ndarray] = []
    for row, eq in [(objective, False), *zip(rows, equalities, strict=True)]:
        size = float(np.max(np.abs(row))) if len(row) else 0.0
        if size > 0 and math.isfinite(size):
            (equal if eq else unit).append(row / size)
    # -row.d <= RTOL for the inequalities; |row.d| <= RTOL for the equalities.
    upper = [-r for r in unit] + equal + [-r for r in equal]
    a_ub = np.array(upper) if upper else None
    b_ub = np.full(len(upper), RTOL) if upper else None
    for k in range(n):
        for sign in (1.0, -1.0):
            c = np.zeros(n)
            c[k] = -sign  # maximise sign * d_k
            found = linprog(c, A_ub=a_ub, b_ub=b_ub, bounds=[(-1.0, 1.0)] * n, method="highs")
            if found.status != 0 or -found.fun > math.sqrt(RTOL):
                return False
    return True


def _widths(
    problem: BargainingProblem,
    point: Mapping[sympy.Symbol, float],
    inequalities: list[tuple[str, sympy.Expr]],
    timeout: float,
) -> np.ndarray:
    """The width of each contract variable's range over the agreements that meet
    ``inequalities`` (the individually rational ones), spanned from ``point`` among them
    (:meth:`BargainingProblem.ends`): the width against which a range of maximisers is
    judged a point or a set. Not the box's: agreements in ``[0, 1]`` of a box ``1e15`` wide
    are all of the room there is, where ``1e-6`` of the box is ``1e9``."""
    start = np.array([point[v] for v in problem.variables])
    return np.array([hi - lo for lo, hi in problem.ends(start, inequalities, timeout)])


def _a_point(
    problem: BargainingProblem,
    point: Mapping[sympy.Symbol, float],
    ends: list[tuple[float, float]],
    tol: float,
    widths: np.ndarray,
) -> bool:
    """Whether every variable's ``ends`` lie within ``tol`` of its ``widths`` (:func:`_widths`)
    of ``point``."""
    return all(
        abs(e - point[v]) <= tol * w
        for v, pair, w in zip(problem.variables, ends, widths, strict=True)
        for e in pair
    )


def _with_maximisers(
    chosen: Solution,
    problem: BargainingProblem,
    inequalities: list[tuple[str, sympy.Expr]],
    feasible: list[tuple[str, sympy.Expr]],
    timeout: float,
    *,
    ends: list[tuple[float, float]] | None = None,
) -> Solution:
    """The tie-broken solution with the range of each contract variable over all the
    maximisers (``agreement_set``, so ``unique`` is false).

    Each end is the least or largest value of the variable subject to ``inequalities``
    (:meth:`~bargain.axiomatic.problem.BargainingProblem.ends`, from the chosen maximiser
    unless ``ends`` are given). Where the sum is held at its maximum by a numeric level,
    the variables it depends on can move by about the square root of the level's
    tolerance; an end within ``SNAP`` of the width of the variable's range over the
    agreements meeting ``feasible`` (:func:`_widths`) from the chosen value is that
    tolerance, not a set, and is reported as the chosen value; an end within rounding
    (``ROUNDING`` of that width) of a bound of the box is that bound (a disagreement payoff
    of ``1e-320`` against payoffs of 1: the least agreement is ``x = 0`` to rounding, where
    the search stops short of the subnormal).
    """
    m = problem.model
    start = np.array([chosen.agreement[v.name] for v in m.variables])
    if ends is None:
        ends = problem.ends(start, inequalities, timeout)
    point = dict(zip(problem.variables, start, strict=True))
    widths = ends if inequalities is feasible else None
    spans = (
        np.array([hi - lo for lo, hi in widths])
        if widths is not None
        else _widths(problem, point, feasible, timeout)
    )
    lo, hi = problem.bounds

    def reported(e: float, x: float, width: float, bounds: tuple[float, float]) -> float:
        if abs(e - x) <= SNAP * width:
            return float(x)
        return next((float(b) for b in bounds if abs(e - b) <= ROUNDING * width), e)

    ranges = {
        v.name: tuple(reported(e, x, width, (a, b)) for e in pair)
        for v, x, pair, width, a, b in zip(m.variables, start, ends, spans, lo, hi, strict=True)
    }
    return replace(chosen, agreement_set=ranges)


register(
    Concept(
        name="utilitarian",
        levels=True,
        solve=utilitarian,
        summary="the utilitarian solution: the largest sum of payoffs",
        order=50,
        credibility=True,
    )
)


__all__ = ["utilitarian"]
