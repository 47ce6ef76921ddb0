"""The utilitarian solution: the agreement with the largest sum of payoffs.

It maximises ``sum_i u_i`` over the individually rational agreements
(Harsanyi 1955; Thomson 1994, §3). With transferable utility every split of
the surplus has the same sum, so the maximiser is not unique; ``bargain``
then breaks the tie by the Nash product among the maximisers, and says so
in the solution's assumptions.

Examples
--------
>>> import bargain
>>> s = bargain.utilitarian(bargain.load_model(bargain.models_dir() / "concave.toml"))
>>> s.exact_agreement["x"]
3/4
>>> s = bargain.utilitarian(bargain.load_model(bargain.models_dir() / "split.toml"))
>>> s.agreement["x"], s.assumptions[0][:30]
(0.5, 'the sum of payoffs is maximal ')
"""

from __future__ import annotations

import sympy

from .model import Model
from .problem import problem_of
from .solution import Solution

ROUTE = "maximise the sum of payoffs (SLSQP, KKT Newton polish)"


def utilitarian(model: Model, *, exact: bool = True, timeout: float = 10.0) -> Solution:
    """The utilitarian solution of a model, ties broken by the Nash product.

    Parameters
    ----------
    model
        The model.
    exact
        Whether to look for a closed form with sympy (else numeric only).
    timeout
        Seconds allowed for each closed-form attempt.

    Returns
    -------
    Solution
        ``method="utilitarian"``; ``extra["total"]`` holds the maximal sum.

    Raises
    ------
    FeasibilityError
        If the contract set is empty or no agreement improves on disagreement.
    """
    problem = problem_of(model)
    starts = problem.interior_start(timeout)
    total = sum(problem.payoffs, sympy.Integer(0))
    nash_product = problem.log_nash_product()
    tie = (
        "the sum of payoffs is maximal on a whole set of agreements; the one chosen "
        "maximises the Nash product among them",
    )
    if all(sympy.simplify(sympy.diff(total, v)) == 0 for v in problem.variables):
        # Transferable utility: the sum is the same for every contract, so every
        # individually rational contract is utilitarian; the tie-break is the Nash solution.
        result = problem.solve(
            problem.program(nash_product, inequalities=problem.rational()),
            starts,
            exact=exact,
            timeout=timeout,
        )
        return problem.solution(
            "utilitarian",
            result,
            route=ROUTE + "; ties broken by the Nash product",
            exact=exact,
            extra={"total": {"sum": float(sum(problem.payoff_values(result.point)))}},
            assumptions=tie,
        )
    first = problem.solve(
        problem.program(total, inequalities=problem.rational()),
        starts,
        exact=exact,
        timeout=timeout,
    )
    if first.polished:
        # The KKT system at the maximiser is regular, so the maximiser is unique.
        return problem.solution(
            "utilitarian",
            first,
            route=ROUTE,
            exact=exact,
            extra={"total": {"sum": first.objective}},
        )
    # A flat maximum along some directions only: among the maximisers, take the one
    # with the largest Nash product (numerically; the level is a float).
    level = sympy.Float(first.objective, 30)
    second = problem.solve(
        problem.program(
            nash_product, inequalities=[*problem.rational(), ("maximal sum", total - level)]
        ),
        starts,
        exact=False,
        timeout=timeout,
    )
    return problem.solution(
        "utilitarian",
        second,
        route=ROUTE + "; ties broken by the Nash product",
        exact=False,
        extra={"total": {"sum": first.objective}},
        assumptions=tie,
    )


__all__ = ["utilitarian"]
