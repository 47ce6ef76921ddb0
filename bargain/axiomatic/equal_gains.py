"""The largest least gain of a model of one contract variable, by bracketing in 40 digits.

The egalitarian solution (Kalai 1977, *Econometrica* 45(7)) maximises the least gain
``t = min_i (u_i(x) - d_i)``. With one contract variable ``x`` in ``[lo, hi]`` and payoffs
smooth between the breakpoints of their kinks
(:func:`bargain.axiomatic.breakpoints.breakpoints`), ``t`` is largest at a bound, at a
breakpoint, at a stationary point of one gain (where the search lands) or where two gains
cross: ``u_i(x) - d_i = u_j(x) - d_j``. The crossings are bracketed between consecutive
candidates and refined in 40 digits (mpmath; false position safeguarded by bisection),
so that one sitting within ``1e-15`` of a bound is found where floats cannot hold ``1 - x``
(``x`` against ``1e15 (1 - x)``: ``x = 1e15 / (1e15 + 1)``) or near zero (``1e9 sqrt(x)``
against ``1e-9 (1 - x)``: ``x = 1e-36``). The common-gain program's search
(:meth:`~bargain.axiomatic.problem.BargainingProblem.solve_gains`), a two-unknown program
``(x, t)``, may stop short of these and step over a narrow bump between its starts.

Examples
--------
>>> import bargain
>>> from bargain.axiomatic.problem import GAIN, problem_of
>>> m = bargain.model_from_dict({"model": {"name": "t"},
...     "variables": {"x": {"min": 0, "max": 1}},
...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1e15*(1 - x)"}}})
>>> found = best_least_gain(problem_of(m), None)
>>> found.point[m.variables[0].symbol] == 1e15 / (1e15 + 1), round(found.point[GAIN], 3)
(True, 1.0)
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import mpmath
import numpy as np
import sympy

from bargain.axiomatic.breakpoints import breakpoints
from bargain.axiomatic.problem import GAIN, BargainingProblem
from bargain.axiomatic.program import ProgramResult
from bargain.model.model import lambdify
from bargain.scale import ROUNDING, magnitude, negligible

DIGITS = 40  # working digits of the crossings
EQUAL = 1e-9  # gains this close (relative to their own size) are equal
MAX_HALVINGS = 4000  # bisection steps: a root near 1e-640 in [0, 1] to 40 digits


def best_least_gain(
    problem: BargainingProblem, result: ProgramResult | None
) -> ProgramResult | None:
    """The agreement of one contract variable with the largest least gain, where it is
    better than the search's ``result`` (``None``: the search found none): strictly, by more
    than the payoffs' rounding; or as well to the rounding of ``t`` itself with the gains
    equal where ``result``'s are not (``1e9 sqrt(x)`` against ``1e-9 (1 - x)``: the search
    stops at ``x = 5.6e-17``, gains ``7.45`` and ``1e-9``; the crossing is ``x = 1e-36``).
    ``None`` where there is no better one, the model has other than one variable, or
    ``[constraints]``, or no candidate improves on disagreement for every party."""
    if len(problem.variables) != 1 or problem.model.constraints:
        return None
    (v,) = problem.variables
    lo, hi = (float(b[0]) for b in problem.bounds)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        return None
    gains = [(p.payoff - p.disagreement).xreplace(problem.subs) for p in problem.model.parties]
    functions = [lambdify([v], g, "mpmath") for g in gains]
    with mpmath.workdps(DIGITS):

        def at(x: mpmath.mpf) -> list[mpmath.mpf]:
            try:
                return [mpmath.re(mpmath.mpf(1) * f(x)) for f in functions]
            except (ArithmeticError, ValueError):  # a pole at a bound (x/(1 - x) at 1)
                return [mpmath.nan] * len(functions)

        points = {lo, hi, *breakpoints(gains, (v,), {v: (lo, hi)})[v]}
        if result is not None:
            points.add(float(result.point[v]))
        points = sorted(points)
        candidates = [(mpmath.mpf(p), False) for p in points]
        for a, b in itertools.pairwise(points):
            ga, gb = at(mpmath.mpf(a)), at(mpmath.mpf(b))
            for i, j in itertools.combinations(range(len(gains)), 2):
                if (ga[i] - ga[j]) * (gb[i] - gb[j]) < 0:
                    candidates.append((_crossing(at, i, j, a, b), True))
        scored = []
        for x, crossing in candidates:
            g = at(x)
            if all(mpmath.isfinite(gi) for gi in g):
                scored.append((min(g), crossing, x, g))
        if not scored:
            return None
        t, crossing, x, g = max(scored, key=lambda s: s[0])
        if result is not None:
            # At the closed form where there is one (its float is off by a rounding, which
            # moves 1e9 (1 - x) by 3e-8 near x = 1).
            exact = None if result.exact is None else result.exact.get(v)
            x0 = mpmath.mpf(
                float(result.point[v])
                if exact is None
                else str(sympy.N(exact.xreplace(problem.subs), DIGITS))
            )
            g0 = at(x0)
            t0 = min(g0)
            size = magnitude([*g0, *g, *problem.disagreement_values.values()])
            better = t - t0 > 64 * ROUNDING * size
            evener = (
                crossing and not _equal(g0) and _equal(g) and t - t0 >= -64 * ROUNDING * abs(t0)
            )
            if not (better or evener):
                return None
        # The float nearest the crossing, or a neighbour where that one does not improve
        # for every party (x = 1 - 1e-18 rounds to 1, where 1e9 (1 - x) gains nothing).
        near = float(x)
        found = [
            (f, t)
            for f in (near, float(np.nextafter(near, lo)), float(np.nextafter(near, hi)))
            if lo <= f <= hi and (t := _least_gain(problem, f)) is not None
        ]
        if not found:
            return None
        best, least = found[0]
        return ProgramResult(
            point={v: best, GAIN: least}, exact=None, active=(), polished=True, objective=least
        )


def _crossing(
    at: Callable[[mpmath.mpf], list[mpmath.mpf]], i: int, j: int, a: float, b: float
) -> mpmath.mpf:
    """Where gains ``i`` and ``j`` cross between ``a`` and ``b`` (their difference changes
    sign there), to :data:`DIGITS` relative to the point's own size: the Illinois variant
    of false position (Dowell & Jarratt 1971, *BIT* 11), safeguarded by bisection wherever
    a step has not halved the bracket (so at most twice bisection's steps, and a root near
    zero of a wide bracket, 1e-36 in ``[0, 0.5]``, to its own digits)."""
    lo, hi = mpmath.mpf(a), mpmath.mpf(b)

    def diff(x: mpmath.mpf) -> mpmath.mpf:
        g = at(x)
        return g[i] - g[j]

    f_lo, f_hi = diff(lo), diff(hi)
    side, bisect = 0, False
    for _ in range(2 * MAX_HALVINGS):
        width = hi - lo
        if width <= mpmath.mpf(10) ** (2 - DIGITS) * max(abs(lo), abs(hi)):
            break
        x = (lo + hi) / 2 if bisect else (lo * f_hi - hi * f_lo) / (f_hi - f_lo)
        if not lo < x < hi:
            x = (lo + hi) / 2
            if not lo < x < hi:
                break
        f = diff(x)
        if f == 0:
            return x
        if mpmath.sign(f) == mpmath.sign(f_lo):
            lo, f_lo = x, f
            f_hi = f_hi / 2 if side == -1 else f_hi  # Illinois: the kept end twice in a row
            side = -1
        else:
            hi, f_hi = x, f
            f_lo = f_lo / 2 if side == 1 else f_lo
            side = 1
        bisect = not bisect and hi - lo > width / 2
    return (lo + hi) / 2


def _equal(gains: list[mpmath.mpf]) -> bool:
    """Whether the ``gains`` are equal to :data:`EQUAL` of their own size."""
    return bool(max(gains) - min(gains) <= EQUAL * max(abs(g) for g in gains))


def _least_gain(problem: BargainingProblem, x: float) -> float | None:
    """The least gain at the contract ``x`` (payoffs in 30 digits); ``None`` unless every
    party gains more than its payoff's rounding there."""
    payoffs = problem.payoff_values({problem.variables[0]: x})
    gains = [u - d for u, d in zip(payoffs, problem.disagreement_values.values(), strict=True)]
    if any(g <= 0 or negligible(g, [u, g], ROUNDING) for u, g in zip(payoffs, gains, strict=True)):
        return None
    return min(gains)


__all__ = ["best_least_gain"]
