"""The largest least gain of a model of one contract variable, by bracketing in 40 digits.

The egalitarian solution (Kalai 1977, *Econometrica* 45(7)) maximises the least gain
``t = min_i (u_i(x) - d_i)``. With one contract variable ``x`` in ``[lo, hi]`` and payoffs
smooth between the breakpoints of their kinks
(:func:`bargain.axiomatic.breakpoints.breakpoints`), ``t`` is largest at a bound, at a
breakpoint, at a stationary point of one gain (where the search lands) or where two gains
cross: ``u_i(x) - d_i = u_j(x) - d_j``. The crossings are bracketed between consecutive
candidates and refined in 40 digits of their distance from the bracket's nearer end
(:mod:`bargain.axiomatic.one_variable`; false position safeguarded by bisection), so
that one sitting within ``1e-15`` of a bound is found where floats cannot hold ``1 - x``
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
from collections.abc import Sequence
from typing import TYPE_CHECKING

import mpmath
import numpy as np
import sympy

from bargain.axiomatic.one_variable import DIGITS, OneVariable, held_digits
from bargain.axiomatic.program import GAIN, ProgramResult
from bargain.scale import ROUNDING, magnitude, negligible

if TYPE_CHECKING:  # the problem builds on these (its faint starts), not they on it
    from bargain.axiomatic.problem import BargainingProblem


def best_least_gain(
    problem: BargainingProblem,
    result: ProgramResult | None,
    weights: Sequence[float] | None = None,
) -> ProgramResult | None:
    """The agreement of one contract variable with the largest least gain, where it is
    better than the search's ``result`` (``None``: the search found none): strictly, by more
    than the payoffs' rounding; or, where it is a crossing and ``result`` is numeric (no
    closed form, no separate maximisers), as well to the rounding of ``t`` itself: the
    crossing is the maximiser the search's point approximates (``1e9 sqrt(x)`` against
    ``1e-9 (1 - x)``: the search stops at ``x = 5.6e-17``, gains ``7.45`` and ``1e-9``; the
    crossing is ``x = 1e-36``), and its payoffs are reported at the crossing's digits
    (``ProgramResult.digits``), not at its float's.
    A model's ``[constraints]`` (in its one variable) are met at every candidate to a few
    units of the working digits, their boundaries candidates as well (bracketed like the
    crossings). ``None`` where there is no better one, the model has other than one
    variable, or no candidate improves on disagreement for every party. With ``weights``,
    each party's gain is counted in units of its weight (the common-gain program's
    ``u_i - d_i >= w_i t``, :meth:`~bargain.axiomatic.problem.BargainingProblem.solve_gains`)."""
    one = OneVariable.of(problem)
    if one is None:
        return None
    (v,) = problem.variables
    lo, hi = one.lo, one.hi
    w = [1.0] * len(problem.model.parties) if weights is None else list(weights)
    with mpmath.workdps(one.digits):

        def at(x: mpmath.mpf) -> list[mpmath.mpf]:
            return [g / wi for g, wi in zip(one.gains(x), w, strict=True)]

        ends = one.points([] if result is None else [float(result.point[v])])
        # The constraints' boundaries between them (x <= 2 - 1e-20: 40 digits of it).
        bounds = one.boundaries(ends)
        # A candidate where the two least gains are equal is a crossing as well (the
        # search's point may sit on it exactly: x = 3/4 splitting 5/4 from (0.3, 0.05)).
        candidates = [(x, _tied(at(x))) for x in map(mpmath.mpf, ends)]
        candidates += [(x, True) for x in bounds]
        pairs = list(itertools.combinations(range(len(problem.model.parties)), 2))

        def differences(x: mpmath.mpf) -> list[mpmath.mpf]:
            g = at(x)
            return [g[i] - g[j] for i, j in pairs]

        points = sorted([*map(mpmath.mpf, ends), *bounds])
        candidates += [(x, True) for x in one.changes(points, differences)]
        candidates = [(x, crossing) for x, crossing in candidates if one.meets(x)]
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
            # A crossing as good as a numeric point (no closed form, no separate maximisers)
            # is the maximiser that point approximates: its payoffs are the crossing's.
            evener = (
                crossing
                and result.exact is None
                and not result.ties
                and t - t0 >= -64 * ROUNDING * abs(t0)
            )
            if not (better or evener):
                return None
        # The float nearest the crossing, or a neighbour where that one does not improve
        # for every party (x = 1 - 1e-18 rounds to 1, where 1e9 (1 - x) gains nothing).
        near = float(x)
        found = [
            (f, t)
            for f in (near, float(np.nextafter(near, lo)), float(np.nextafter(near, hi)))
            if lo <= f <= hi
            and problem.satisfies(np.array([f]))
            and (t := _least_gain(problem, f, w)) is not None
        ]
        if not found:
            return None
        best, least = found[0]
        digits = None
        if crossing:
            # The crossing's own payoffs, not its float's: x against 1e15 (1 - x) at
            # x = 1e15 / (1e15 + 1), whose float holds 1 - x to 4 digits.
            held = held_digits(x)
            digits = {v: sympy.Float(mpmath.nstr(x, held), held)}
            least = float(min(g))
        return ProgramResult(
            point={v: best, GAIN: least},
            exact=None,
            active=(),
            polished=True,
            objective=least,
            declined=None if result is None else result.declined,  # why no closed form
            digits=digits,
        )


def _tied(gains: list[mpmath.mpf]) -> bool:
    """Whether the two least of ``gains`` are equal to a few units of the working digits."""
    low = sorted(gains)[:2]
    if len(low) < 2 or not all(mpmath.isfinite(g) for g in low):
        return False
    return bool(low[1] - low[0] <= mpmath.mpf(10) ** (4 - mpmath.mp.dps) * abs(low[1]))


def _least_gain(problem: BargainingProblem, x: float, weights: Sequence[float]) -> float | None:
    """The least gain at the contract ``x`` in units of each party's weight (payoffs in 30
    digits); ``None`` unless every party gains more than its payoff's rounding there."""
    payoffs = problem.payoff_values({problem.variables[0]: x})
    gains = [u - d for u, d in zip(payoffs, problem.disagreement_values.values(), strict=True)]
    if any(g <= 0 or negligible(g, [u, g], ROUNDING) for u, g in zip(payoffs, gains, strict=True)):
        return None
    return min(g / w for g, w in zip(gains, weights, strict=True))


__all__ = ["best_least_gain"]
