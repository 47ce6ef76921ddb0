"""The egalitarian solution (Kalai 1977): equal gains over disagreement, as large as possible.

It is the maximal point of the utility-possibility set at which every party
gains the same amount over its disagreement payoff, ``u_i - d_i = t`` for all
``i`` with ``t`` maximal (Kalai 1977; Thomson 1994, §3). Unlike the Nash and
Kalai–Smorodinsky solutions it compares utility *differences* across
parties, so it is not invariant to rescaling one party's utility.

Examples
--------
>>> import bargain
>>> s = bargain.egalitarian(bargain.load_model(bargain.models_dir() / "concave.toml"))
>>> s.exact_agreement["x"]
-1/2 + sqrt(5)/2
"""

from __future__ import annotations

from .model import Model
from .problem import GAIN, problem_of
from .solution import Solution


def egalitarian(model: Model, *, exact: bool = True, timeout: float = 10.0) -> Solution:
    """The egalitarian solution: the largest equal gain ``t`` over the disagreement point.

    Parameters
    ----------
    model
        The model.
    exact
        Whether to look for a closed form with sympy (else numeric only).
    timeout
        Seconds allowed for the closed-form attempt.

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
    return problem.solution(
        "egalitarian",
        result,
        route="maximise the common gain t subject to u_i - d_i >= t (SLSQP, KKT Newton polish)",
        exact=exact,
        extra={"gain": {"t": result.point[GAIN]}},
        assumptions=("gains are compared in the payoffs' own units (not scale-invariant)",),
    )


__all__ = ["egalitarian"]
