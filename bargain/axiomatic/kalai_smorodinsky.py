"""The Kalai–Smorodinsky solution: gains proportional to each party's ideal gain.

Each party's *ideal* payoff ``a_i`` is the most it can get from an agreement
that leaves every party at least its disagreement payoff. The
Kalai–Smorodinsky solution is the maximal agreement on the segment from the
disagreement point ``d`` to the ideal point ``a``:
``(u_i - d_i) / (a_i - d_i)`` equal for all parties and as large as possible
(Kalai & Smorodinsky 1975; Osborne & Rubinstein 1990, §2.6 exercise;
Thomson 1994, §3).

**n parties.** What is computed is the largest ``t`` such that some agreement gives
every party *at least* ``d_i + t (a_i - d_i)``: the Kalai–Smorodinsky point of the set
with free disposal (its comprehensive hull). Where the set is comprehensive (every
payoff can be given away, as with two parties on a frontier, or any money transfer)
the agreement found lies on the segment and this is the Kalai–Smorodinsky solution.
With three or more parties it may not be: on the set spanned by ``(0, 0, 0)``,
``(1, 1, 0)`` and ``(1, 0, 1)`` the only point of the segment from ``d = 0`` to the
ideal ``(1, 1, 1)`` is ``d`` itself, which every other agreement improves upon for
all three parties (Roth 1979, *Axiomatic Models of Bargaining*, Springer, where the
example shows that no n-party solution has the Kalai–Smorodinsky axioms; Thomson 1994,
*Handbook of Game Theory* vol. 2, ch. 35, §3). The solution then says so
(``extra["gain_ratio"]``, each party's ``(u_i - d_i) / (a_i - d_i)``, unequal; and an
assumption) and reports the free-disposal point, which is Pareto optimal there.

Examples
--------
>>> import bargain
>>> s = bargain.kalai_smorodinsky(bargain.load_model(bargain.models_dir() / "concave.toml"))
>>> s.exact_agreement["x"]
-1/2 + sqrt(5)/2
>>> s.extra["ideal"]
{'A': 1.0, 'B': 1.0}
>>> {p: round(r, 12) for p, r in s.extra["gain_ratio"].items()}  # equal: on the segment
{'A': 0.618033988750, 'B': 0.618033988750}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import mpmath
import numpy as np
import sympy

from bargain.axiomatic.equal_gains import best_least_gain
from bargain.axiomatic.payoff_unit import in_payoff_units
from bargain.axiomatic.problem import BargainingProblem, no_floats, problem_of
from bargain.axiomatic.program import ProgramResult
from bargain.concepts.budget import bounded, exact_budget
from bargain.concepts.common_gain import CommonGain
from bargain.concepts.registry import Concept, register
from bargain.concepts.solution import Solution
from bargain.concepts.vectorised import Columns, Evaluate, relative_start, scalar_start
from bargain.model.model import Model


def ideal_point(
    problem: BargainingProblem, *, exact: bool, timeout: float
) -> tuple[list[sympy.Expr], bool]:
    """Each party's ideal payoff, exactly where sympy finds it (else a 30-digit float).

    Returns the payoffs and whether all of them are exact.
    """
    starts = problem.interior_start(timeout)
    ideal: list[sympy.Expr] = []
    all_exact = True
    for party in problem.model.parties:
        # The gain, not the payoff, is maximised (the same maximiser): its terms are in the
        # gain's size, so the search sees gains of 1e-12 on payoffs of one.
        result = problem.solve(
            problem.program(party.payoff - party.disagreement, inequalities=problem.rational()),
            starts,
            exact=exact,
            timeout=timeout,
        )
        # The payoff there refused by name where it is no finite real number; one whose
        # imaginary part is rounding of its real part is that real part (a power of a
        # negative number whose exponent floating point rounds to a whole one: real in
        # the search, complex exactly, where it was a raw TypeError).
        problem.payoff_values(result.point, only=party.name)
        if result.exact is not None:
            with exact_budget(timeout) as budget:
                found = budget.tidy(party.payoff.xreplace(result.exact))
            if sympy.N(found.xreplace(problem.subs), 30).is_real:
                ideal.append(found)
                continue
        all_exact = False
        point = {v: sympy.Float(result.point[v], 30) for v in problem.variables}
        value = sympy.N(party.payoff.xreplace(point).xreplace(problem.subs), 30)
        ideal.append(sympy.Float(sympy.re(value), 30))
    return ideal, all_exact


@in_payoff_units(common=False, tables=("ideal",), contracts=True, rational=True, levels=("ideal",))
@bounded
def kalai_smorodinsky(model: Model, *, exact: bool = True, timeout: float = 10.0) -> Solution:
    """The Kalai–Smorodinsky solution of a model.

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
        ``method="kalai-smorodinsky"``; ``extra["ideal"]`` holds the ideal point.

    Raises
    ------
    FeasibilityError
        If the contract set is empty or no agreement improves on disagreement.
    """
    problem = problem_of(model)
    ideal, ideal_exact = ideal_point(problem, exact=exact, timeout=timeout)
    weights = [a - p.disagreement for a, p in zip(ideal, model.parties, strict=True)]
    if exact:
        result = problem.solve_gains(weights, exact=exact, timeout=timeout)
    else:
        # The ideal payoffs as symbols of the program with their values (they change with the
        # parameter values), so that the program is compiled once for all values.
        ideals = {
            sympy.Symbol(f"_ideal_{p.name}", real=True): a
            for p, a in zip(model.parties, ideal, strict=True)
        }
        result = problem.solve_gains(
            [i - p.disagreement for i, p in zip(ideals, model.parties, strict=True)],
            exact=False,
            timeout=timeout,
            values=ideals,
        )
    route = (
        "ideal point, then the maximal point of the segment from d to it (SLSQP, KKT Newton polish)"
    )
    # One contract variable, the search's point not polished: the weighted gains' crossings
    # bracketed in many digits, where better than it (payoffs of 1e11 + x against
    # 1e11 + sqrt(1 - x), d = 0, vary by 1e-11 of themselves: the search's point was
    # x = 0.5, "accuracy ~1e-7", for 0.618). Only there: the ideal gains as weights carry
    # their own rounding, and where gains vary by 1e-9 of themselves a weight's 1e-16
    # moved a polished crossing by 4e-8.
    crossing = None
    if not result.polished:
        ideal_gains = [mpmath.mpf(str(sympy.N(w.xreplace(problem.subs), 50))) for w in weights]
        crossing = best_least_gain(problem, result, ideal_gains)
    if crossing is not None:
        result = crossing
        route += "; one variable: the weighted gains' crossings bracketed in 40 digits"
    if len(model.variables) > 1 and not (exact and ideal_exact and result.exact is not None):
        # The segment's end is the ideal point's, itself a search's answer: a polished
        # point on it is no better than the ideal gains (a surplus of 1e-12 on payoffs of
        # 1/2 in two variables: W's ideal 2.7e-11 above it, the point 96% off).
        problem.require_resolved(problem.payoff_values(result.point))
    ratios = _gain_ratios(problem, weights, result)
    solution = problem.solution(
        "kalai-smorodinsky",
        result,
        route=route,
        exact=exact and ideal_exact,
        extra={
            "ideal": {
                p.name: float(sympy.N(a.xreplace(problem.subs)))
                for p, a in zip(model.parties, ideal, strict=True)
            },
            "gain_ratio": ratios,
        },
        formula_filter=no_floats,
        assumptions=(
            "ideal payoffs are taken over individually rational agreements",
            *(() if _on_segment(ratios) else (OFF_SEGMENT,)),
        ),
        timeout=timeout,
    )
    return problem.equivalent(solution, timeout)


OFF_SEGMENT = (
    "the set is not comprehensive: the gains are not in proportion to the ideal gains "
    "(gain_ratio), the segment from disagreement to the ideal point holds no Pareto "
    "optimal agreement (Roth 1979), and the agreement reported is the Kalai–Smorodinsky "
    "point of the set with free disposal"
)


def _gain_ratios(
    problem: BargainingProblem, weights: list[sympy.Expr], result: ProgramResult
) -> dict[str, float]:
    """Each party's gain over disagreement as a fraction of its ideal gain, in 30 digits (a
    gain of 1e-12 on payoffs of one keeps 4 digits as a difference of floats), at the
    closed form's agreement where there is one, else at the point in all the digits known
    (a gain of 5e-13 beside 1/2 is 1e-4 off at the point's floats)."""
    at: dict[sympy.Symbol, sympy.Expr] = {
        v: sympy.Float(result.point[v], 30) for v in problem.variables
    }
    at.update(result.digits or {})
    if result.exact is not None:
        at.update({v: result.exact[v].xreplace(problem.subs) for v in problem.variables})
    subs = {**problem.subs, **at}
    # (the real part: an imaginary part that is rounding, as the payoffs' own, is none)
    return {
        p.name: complex(sympy.N(((p.payoff - p.disagreement) / w).xreplace(subs), 30)).real
        for p, w in zip(problem.model.parties, weights, strict=True)
    }


def _on_segment(ratios: dict[str, float]) -> bool:
    """Whether the gain ratios are equal (up to the solver's tolerance, 1e-7 relative)."""
    values = list(ratios.values())
    return max(values) - min(values) <= 1e-7 * max(abs(v) for v in values)


def kalai_smorodinsky_kernel(
    model: Model, inputs: Sequence[str], options: Mapping[str, Any]
) -> Evaluate:
    """The Kalai–Smorodinsky solution (Kalai & Smorodinsky 1975, *Econometrica* 43(3)) of
    two parties with contract variables in their bounds, over arrays of parameter points (a
    registry ``kernel``): each party's ideal gain (:meth:`CommonGain.ideal
    <bargain.concepts.common_gain.CommonGain.ideal>`), then the largest common gain with the
    ideal gains as weights (:class:`~bargain.concepts.common_gain.CommonGain`), started from
    the scalar solution at the model's values moved with each point's bounds. A point whose
    ideal point or solution is not vouched for is left ``no_convergence`` (solved again point
    by point).

    Raises
    ------
    ModelError
        If the model has ``[constraints]`` or other than two parties, or its scalar
        solution at the model's values cannot be found (no start).
    """
    gains = CommonGain(model, inputs)
    start = relative_start(model, scalar_start(model, lambda m: kalai_smorodinsky(m, exact=False)))

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        lo, hi = gains.bounds(params)
        x = lo + start * (hi - lo)
        (a0, ok0), (a1, ok1) = (gains.ideal(i, x, params) for i in (0, 1))
        w = np.stack([a0, a1], axis=1)
        x, _, ok = gains.solve(np.where(np.isfinite(w), w, 1.0), x, params)
        return gains.columns(x, ok & ok0 & ok1, params)

    return evaluate


register(
    Concept(
        name="kalai-smorodinsky",
        levels=True,
        solve=kalai_smorodinsky,
        summary="the Kalai–Smorodinsky solution: gains in proportion to the ideal point's",
        order=30,
        kernel=kalai_smorodinsky_kernel,
        credibility=True,
        brief=lambda model: (("Kalai–Smorodinsky", {}),),
    )
)


__all__ = ["ideal_point", "kalai_smorodinsky", "kalai_smorodinsky_kernel"]
