"""The Nash bargaining solution, symmetric and generalised.

The (generalised) Nash solution maximises the weighted Nash product
``prod_i (u_i - d_i) ** w_i`` over the agreements that give every party at
least its disagreement payoff (Nash 1950; with bargaining powers ``w_i``,
Kalai 1977 / Roth 1979; Muthoo 1999, §2.2–2.3). The powers are normalised
to sum to one; without any, they are equal.

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "concave.toml")
>>> s = bargain.nash(m)
>>> s.formula["x"], s.exact_agreement["x"]
(2/3, 2/3)
>>> bargain.nash(m, powers={"A": 1, "B": 3}).exact_agreement["x"]
2/5
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy

from .errors import ModelError
from .model import Model, exact_number
from .problem import problem_of
from .solution import Solution


def bargaining_powers(
    model: Model, powers: Mapping[str, float] | None = None
) -> dict[str, sympy.Expr]:
    """Normalised bargaining powers: ``powers`` if given, else the parties' own, else equal.

    Raises
    ------
    ModelError
        For an unknown party, a power that is not positive, or powers given
        for some parties but not others.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "split.toml")
    >>> bargaining_powers(m, {"W": 1, "A": 3})
    {'W': 1/4, 'A': 3/4}
    >>> bargaining_powers(m, {"X": 1})
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: ...[parties] X: unknown party 'X'; the parties are W, A
    """
    if powers:
        for name in powers:
            model.party(name)
        raw = {
            p.name: exact_number(powers[p.name], table="power", key=p.name)
            for p in model.parties
            if p.name in powers
        }
        where = "--power"
    else:
        raw = {p.name: p.bargaining_power for p in model.parties if p.bargaining_power is not None}
        where = "bargaining_power"
    if not raw:
        return {p.name: sympy.Rational(1, len(model.parties)) for p in model.parties}
    missing = [p.name for p in model.parties if p.name not in raw]
    if missing:
        raise ModelError(
            f"{where} is given for {', '.join(raw)} but not for {', '.join(missing)}; "
            "give every party a power, or none",
            file=model.file,
            table="parties",
            key=missing[0],
        )
    for name, value in raw.items():
        if not float(model.numeric(value)) > 0:
            raise ModelError(
                f"bargaining power must be positive, got {model.numeric(value)}",
                file=model.file,
                table=f"parties.{name}",
                key="bargaining_power",
            )
    total = sum(raw.values())
    return {name: sympy.simplify(value / total) for name, value in raw.items()}


def nash(
    model: Model,
    *,
    powers: Mapping[str, float] | None = None,
    exact: bool = True,
    timeout: float = 10.0,
) -> Solution:
    """The (generalised) Nash bargaining solution of a model.

    Parameters
    ----------
    model
        The model; its parties' ``bargaining_power`` fields are used unless
        ``powers`` is given.
    powers
        Bargaining power of each party (any positive numbers; normalised).
    exact
        Whether to look for a closed form with sympy (else numeric only).
    timeout
        Seconds allowed for the closed-form attempt.

    Returns
    -------
    Solution
        ``method="nash"``, with ``powers`` recorded.

    Raises
    ------
    FeasibilityError
        If the contract set is empty or no agreement improves on disagreement.
    """
    problem = problem_of(model)
    weights = bargaining_powers(model, powers)
    objective = problem.log_nash_product(list(weights.values()))
    program = problem.program(objective, inequalities=problem.rational())
    result = problem.solve(program, problem.interior_start(timeout), exact=exact, timeout=timeout)
    equal = len(set(weights.values())) == 1
    return problem.solution(
        "nash",
        result,
        route="maximise the weighted log Nash product (SLSQP, KKT Newton polish)",
        exact=exact,
        powers={k: float(model.numeric(v)) for k, v in weights.items()},
        assumptions=(
            "symmetric Nash solution (equal bargaining powers)"
            if equal
            else "generalised Nash solution with the bargaining powers shown",
        ),
    )


__all__ = ["bargaining_powers", "nash"]
