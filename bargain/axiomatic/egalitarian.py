"""The egalitarian solution (Kalai 1977): equal gains over disagreement, as large as possible.

It is the maximal point of the utility-possibility set at which every party
gains the same amount over its disagreement payoff, ``u_i - d_i = t`` for all
``i`` with ``t`` maximal (Kalai 1977; Thomson 1994, §3). Unlike the Nash and
Kalai–Smorodinsky solutions it compares utility *differences* across
parties, so it is not invariant to rescaling one party's utility.

Where the set is not strictly comprehensive, the largest least gain ``t`` may
be reached at several agreements, some Pareto-dominated: with ``a ≤ 1``,
``b ≤ 2`` and ``a + b ≤ 2.5``, both ``(1, 1)`` and ``(1, 1.5)`` give ``t = 1``.
``bargain`` takes the *lexicographic* egalitarian solution (Chun &
Peters 1988; Thomson 1994, §3): among the agreements whose least gain is
``t``, the one with the largest sum of gains — for two parties exactly the
leximin point, and Pareto optimal for any number.

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

from bargain.axiomatic.payoff_unit import in_payoff_units
from bargain.axiomatic.problem import GAIN, BargainingProblem, problem_of, sweep_formula
from bargain.axiomatic.program import ProgramResult
from bargain.concepts.budget import bounded
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
    subset,
)
from bargain.errors import FeasibilityError
from bargain.model.model import Model
from bargain.scale import negligible

LEVEL = "_level"  # the symbol of the least gain t in the second program (numeric route)


@in_payoff_units(common=True, tables=("gain",))
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
    result = problem.solve_gains([1] * len(model.parties), exact=exact, timeout=timeout)
    route = "maximise the common gain t subject to u_i - d_i >= t (SLSQP, KKT Newton polish)"
    assumptions = ["gains are compared in the payoffs' own units (not scale-invariant)"]
    better = _lexicographic(problem, result, exact=exact, timeout=timeout)
    if better is not None:
        route += "; then the largest sum of gains among the agreements with least gain t"
        assumptions.append(
            "the least gain t is reached at agreements some of which are Pareto-dominated: "
            "the one chosen has the largest sum of gains among them (lexicographic "
            "egalitarian solution)"
        )
    return problem.solution(
        "egalitarian",
        better or result,
        route=route,
        exact=exact,
        extra={"gain": {"t": result.point[GAIN]}},
        assumptions=tuple(assumptions),
        timeout=timeout,
    )


def _lexicographic(
    problem: BargainingProblem, result: ProgramResult, *, exact: bool, timeout: float
) -> ProgramResult | None:
    """The agreement with the largest sum of gains among those whose least gain is the
    egalitarian ``t`` of ``result``, if that sum beats ``result``'s (its point is then
    Pareto-dominated); else ``None``. The comparison is numeric: on the search's point first
    (unpolished: a point that is not better needs no 30 digits), then, where that is better,
    on the polished point; only a better point is solved again exactly, with ``t`` as its
    closed form where there is one. Without the exact route, ``t`` is a symbol of the
    program with its value (it changes with the parameter values), so that the program is
    compiled once for all values."""
    level = sympy.Float(result.point[GAIN], 30)
    values: dict[sympy.Symbol, sympy.Expr] | None = None
    if exact:
        t = result.exact[GAIN] if result.exact is not None else level
    else:
        t = sympy.Symbol(LEVEL, real=True)
        values = {t: level}
    gains = [p.payoff - p.disagreement for p in problem.model.parties]
    program = problem.program(
        sum(gains, sympy.Integer(0)),
        inequalities=[
            (f"{p.name} gain", g - t) for p, g in zip(problem.model.parties, gains, strict=True)
        ],
    )
    start = np.array([result.point[v] for v in problem.variables])
    starts = [start, *problem.box_starts()]
    payoffs = problem.payoff_values(result.point)
    disagreement = list(problem.disagreement_values.values())

    def better(found: ProgramResult) -> bool:
        """Whether ``found`` has a larger sum of gains than ``result``, beyond the rounding
        of the payoffs (relative: the same in dollars or billions)."""
        gain = found.objective - (sum(payoffs) - sum(disagreement))
        return gain > 0 and not negligible(gain, [*payoffs, *disagreement])

    try:
        # The search alone first: where the egalitarian point is Pareto optimal (as it mostly
        # is) the agreements with least gain t are that point alone, a degenerate active set
        # (every gain binds where the sum is flat) that the polish takes hundreds of Newton
        # steps on, and zooms after, to find the same point again.
        if not better(
            problem.solve(
                program, starts, exact=False, timeout=timeout, values=values, polish=False
            )
        ):
            return None
        second = problem.solve(program, starts, exact=False, timeout=timeout, values=values)
    except FeasibilityError:
        # Only the egalitarian point reaches the level (a float, a rounding above the true
        # maximum where the gains are of very different sizes, as 5e11 x against 1 - x):
        # no other agreement has least gain t, so none is better.
        return None
    if not better(second):
        return None
    return problem.solve(program, starts, exact=True, timeout=timeout) if exact else second


def egalitarian_kernel(model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> Evaluate:
    """The egalitarian solution over arrays of parameter points (a registry ``kernel``):
    safeguarded Newton on the equal-gains condition, one variable and two parties."""
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
        gain = np.minimum(u[0] - d_r, u[3] - d_f)
        scale = np.abs(u[0]) + np.abs(u[3]) + np.abs(d_r) + np.abs(d_f)
        status = np.where((status == OK) & ~(gain > TOL * scale), INFEASIBLE, status)
        status = np.where((status == OK) & ~fr.monotone(lo, hi, params), NO_CONVERGENCE, status)
        return fr.columns(x, status, params)

    return evaluate


register(
    Concept(
        name="egalitarian",
        solve=egalitarian,
        summary="the egalitarian solution: equal gains over disagreement, as large as possible",
        order=40,
        formula=sweep_formula(egalitarian),
        kernel=egalitarian_kernel,
        credibility=True,
        brief=lambda model: (("egalitarian", {}),),
    )
)


__all__ = [
    "egalitarian",
    "egalitarian_kernel",
]
