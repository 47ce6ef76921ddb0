"""Credibility reports at many parameter points at once (issue 16).

:func:`credibilities` is :func:`bargain.credibility` at every point of a table of
parameter values, with the stages' solves batched: every stage of every point (before
and after the broken promise) is one point of a single vectorised sweep kernel
(:func:`bargain.sweeps.compile.compile_kernel`). The stages' credibility-adjusted models
differ only in numbers — the trust level, the promise's settings and whether the
package deal is in the agreement — so these numbers are parameters of one model
(:func:`parametric_model`), compiled once. Everything else is the scalar report's own
code (:class:`bargain.reputation.credibility.ReportPlan`): the settings and the promise
game before the solve, the surplus, the war of attrition and the strike's length after
it.

A stage the kernel cannot vouch for, and every stage where the concept has no kernel,
is solved by the scalar solver, so every point :func:`bargain.credibility` reports, the
batch reports, and every point it refuses, the batch refuses with the same error.

Examples
--------
>>> import bargain
>>> model = bargain.load_model(bargain.models_dir() / "package_deal.toml")
>>> reports = credibilities(model, {"p": [0.6, 0.9]})
>>> [(r.before.package, round(r.cost["surplus_lost"], 4)) for r in reports]
[(False, 0.0), (True, 0.1324)]
>>> reports[1].after.solution.route
'vectorised nash sweep kernel (batched credibility stages)'
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from bargain.concepts.registry import concept
from bargain.concepts.solution import Solution
from bargain.errors import BargainError, ModelError
from bargain.model.model import Model, Parameter, Promise
from bargain.model.validate import require_model
from bargain.reputation.credibility import (
    CredibilityReport,
    ReportPlan,
    Stage,
    StageSetup,
    adjusted_model,
    disagreement_payoffs,
    report_plan,
)
from bargain.sweeps.compile import OK, Kernel, compile_kernel

STAGE_PARAMETERS = ("_trust", "_error", "_opportunist_keeps", "_breakdown_per_distrust", "_package")
"""The parameters of :func:`parametric_model`: a stage's trust, the promise's error and
``opportunist_keeps``, the breakdown risk per distrust and the package deal (1 in the
agreement, 0 left out)."""

AGREE = 1e-12
"""How close (relative) the scalar solution's threat point must be to the model's
disagreement payoffs for the kernel's answers to be reported with them."""


def parametric_model(model: Model, promise: Promise) -> Model:
    """The credibility-adjusted model (:func:`bargain.reputation.credibility.adjusted_model`)
    with the stage's numbers as parameters (:data:`STAGE_PARAMETERS`, valued 0 until set):
    one model for every stage of every point.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "package_deal.toml")
    >>> parametric_model(m, m.promise()).party("W").payoff
    _package*(-c + v*(_opportunist_keeps*(1 - _trust) + _trust*(1 - _error))) + x
    """
    extra = tuple(Parameter(name, 0) for name in STAGE_PARAMETERS)
    widened = replace(model, parameters=(*model.parameters, *extra))
    trust, error, keeps, distrust, package = (p.symbol for p in extra)
    return adjusted_model(
        widened,
        promise,
        trust,
        error=error,
        opportunist_keeps=keeps,
        package=package,
        breakdown_per_distrust=distrust,
    )


def _stage_values(plan: ReportPlan, setup: StageSetup) -> dict[str, float]:
    """A stage's values of :data:`STAGE_PARAMETERS`."""
    numbers = (
        setup.trust,
        plan.error,
        plan.opportunist_keeps,
        plan.breakdown_per_distrust,
        int(setup.package),
    )
    return {k: float(v) for k, v in zip(STAGE_PARAMETERS, numbers, strict=True)}


_KERNELS: dict[tuple[Any, ...], Kernel | None] = {}
_LOCK = threading.Lock()


def _kernel(
    model: Model, method: str, inputs: tuple[str, ...], options: Mapping[str, Any]
) -> Kernel | None:
    """The concept's vectorised kernel of the parametric model over ``inputs`` without the
    scalar rescue (compiled once per process), or ``None`` where it has none."""
    # The solver's own arguments (exact, timeout) are no options of the kernel.
    options = {k: v for k, v in options.items() if k in concept(method).options}
    key = (model, method, inputs, repr(sorted(options.items())))
    with _LOCK:
        if key in _KERNELS:
            return _KERNELS[key]
    try:
        kernel: Kernel | None = compile_kernel(
            model, method, inputs, route="numeric", rescue=False, **options
        )
    except BargainError:
        kernel = None  # no vectorised route for this concept or model: the scalar solver
    with _LOCK:
        if len(_KERNELS) >= 8:
            _KERNELS.pop(next(iter(_KERNELS)))
        _KERNELS[key] = kernel
    return kernel


def _close(a: Mapping[str, float], b: Mapping[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        math.isclose(a[k], b[k], rel_tol=AGREE, abs_tol=0.0) for k in a
    )


Solved = Solution | BargainError


def _scalar(plan: ReportPlan, setup: StageSetup) -> Solved:
    try:
        return plan.solve(setup)
    except BargainError as err:
        return err


def _kernel_model(
    model: Model,
    promise: str | None,
    settings: Mapping[str, Any],
    solved: tuple[ReportPlan, StageSetup],
) -> Model:
    """The parametric model at a stage's values (the kernel's start is its scalar
    solution there): the model's own first stage where its report can be planned (so that
    every batch of one model shares one kernel), else the ``solved`` stage's."""
    try:
        plan = report_plan(model, promise, **settings)
        setup = plan.setup(*plan.trusts[0])
    except BargainError:
        plan, setup = solved
    return parametric_model(plan.model, plan.promise).with_values(**_stage_values(plan, setup))


def _solve_stages(
    model: Model,
    promise: str | None,
    settings: Mapping[str, Any],
    values: Mapping[str, np.ndarray],
    stages: list[tuple[int, ReportPlan, StageSetup]],
) -> list[Solved]:
    """Each stage's solution (or the scalar solver's error there): by the scalar solver
    up to the first it solves, the others by one kernel where that solution's threat
    point is the model's disagreement payoffs (the report reads them from the solution),
    the points the kernel cannot vouch for by the scalar solver."""
    out: list[Solved] = []
    for _, plan0, setup0 in stages:
        out.append(_scalar(plan0, setup0))
        if isinstance(out[-1], Solution):
            break
    rest = stages[len(out) :]
    first = out[-1] if out else None
    usable = isinstance(first, Solution) and _close(
        first.disagreement, disagreement_payoffs(setup0.adjusted)
    )
    kernel = None
    names = tuple(p.name for p in model.parameters)  # every parameter: one kernel per model
    if usable and rest:
        base = _kernel_model(model, promise, settings, (plan0, setup0))
        kernel = _kernel(base, plan0.method, (*names, *STAGE_PARAMETERS), plan0.options)
    if kernel is None:
        return out + [_scalar(plan, setup) for _, plan, setup in rest]
    fixed = {k: float(v) for k, v in model.values.items()}
    columns = {
        k: np.array([values[k][i] for i, _, _ in rest]) if k in values else fixed[k] for k in names
    }
    stage_values = [_stage_values(plan, setup) for _, plan, setup in rest]
    columns.update({k: np.array([v[k] for v in stage_values]) for k in STAGE_PARAMETERS})
    solved = kernel(columns)
    variables, parties = model.variable_names, model.party_names
    for j, (_, plan, setup) in enumerate(rest):
        if solved["status"][j] != OK:
            out.append(_scalar(plan, setup))
            continue
        adjusted = setup.adjusted
        out.append(
            Solution(
                model=adjusted.name,
                method=plan.method,
                agreement={v: float(solved[v][j]) for v in variables},
                payoffs={p: float(solved[f"payoff_{p}"][j]) for p in parties},
                disagreement=disagreement_payoffs(adjusted),
                parameters={p.name: float(p.value) for p in adjusted.parameters},
                route=f"vectorised {plan.method} sweep kernel (batched credibility stages)",
            )
        )
    return out


def credibilities(
    model: Model,
    points: Mapping[str, ArrayLike],
    promise: str | None = None,
    *,
    observed: Iterable[str] = ("broken",),
    prior: float | None = None,
    error: float | None = None,
    opportunist_keeps: float | None = None,
    package: str = "threshold",
    breakdown_per_distrust: float | None = None,
    method: str = "nash",
    delay: str | None = None,
    **options: Any,
) -> list[CredibilityReport | BargainError]:
    """:func:`bargain.credibility` at many parameter points, the stages solved at once.

    Parameters
    ----------
    model
        A model with at least one ``[promises.NAME]`` table; parameters not in
        ``points`` keep its values.
    points
        Parameter name → values, one per point (equal lengths; a pandas DataFrame
        of parameter columns will do).
    promise, observed, prior, error, opportunist_keeps, package
        As :func:`bargain.credibility`, the same at every point.
    breakdown_per_distrust, method, delay, **options
        As :func:`bargain.credibility`, the same at every point.

    Returns
    -------
    list
        Per point, what ``credibility(model.with_values(point), ...)`` returns, or the
        :class:`bargain.BargainError` it raises there (the same error: type, message,
        table and key). The numbers agree with it to about 1e-12 relative (the kernel's
        answers are vouched for to 1e-9 of the payoffs' size). A stage solved by the
        kernel has a :class:`bargain.Solution` with the agreement, the payoffs, the
        model's disagreement payoffs and the parameter values, and its ``route`` says so;
        it does not record the scalar solver's binding bounds, powers or assumptions.

    Raises
    ------
    ModelError
        For a name in ``points`` that is not a parameter of the model, or values that
        are not one-dimensional arrays of one length.

    Notes
    -----
    The stages are solved by the scalar solver in order up to the first it solves; the
    kernel is used only where that solution's threat point is the model's disagreement
    payoffs, taken to hold at every stage (every concept but the
    alternating-offers limit of the Nash solution, ``limit=True``, whose impasse point
    moves with the breakdown risk: those stages are all solved by the scalar solver).

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "package_deal.toml")
    >>> one, two, refused = credibilities(m, {"p": [0.8, 0.95, 2.0]})
    >>> scalar = bargain.credibility(m.with_values(p=0.95)).after.solution.agreement["x"]
    >>> abs(two.after.solution.agreement["x"] - scalar) < 1e-9 * abs(scalar)
    True
    >>> refused
    ModelError(...)
    """
    require_model(model)
    names = tuple(points)
    for name in names:
        model.parameter(name)  # names the parameters otherwise
    arrays = np.broadcast_arrays(*(np.asarray(points[k], dtype=float) for k in names))
    if arrays and arrays[0].ndim != 1:
        raise ModelError("parameter values must be one-dimensional", table="credibilities")
    values = dict(zip(names, arrays, strict=True))
    n = arrays[0].size if arrays else 1
    settings: dict[str, Any] = {
        "observed": tuple(observed),
        "prior": prior,
        "error": error,
        "opportunist_keeps": opportunist_keeps,
        "package": package,
        "breakdown_per_distrust": breakdown_per_distrust,
        "method": method,
        "delay": delay,
        **options,
    }
    # The scalar route's steps, in its order: the plan, then per stage its setup, solve
    # and finish; a point's answer is its first error, else its report.
    plans: list[ReportPlan | BargainError] = []
    setups: list[list[StageSetup | BargainError]] = []
    for i in range(n):
        try:
            at = model.with_values(**{k: float(values[k][i]) for k in names})
            plan = report_plan(at, promise, **settings)
        except BargainError as err:
            plans.append(err)
            setups.append([])
            continue
        plans.append(plan)
        row: list[StageSetup | BargainError] = []
        for label, trust in plan.trusts:
            try:
                row.append(plan.setup(label, trust))
            except BargainError as err:
                row.append(err)
                break  # the scalar route stops at its first error
        setups.append(row)
    pending = [
        (i, plan, setup)
        for i, plan in enumerate(plans)
        if isinstance(plan, ReportPlan)
        for setup in setups[i]
        if isinstance(setup, StageSetup)
    ]
    solved = dict(
        zip(
            ((i, s.label) for i, _, s in pending),
            _solve_stages(model, promise, settings, values, pending),
            strict=True,
        )
    )
    out: list[CredibilityReport | BargainError] = []
    for i, plan in enumerate(plans):
        if not isinstance(plan, ReportPlan):
            out.append(plan)
            continue
        out.append(_report(plan, setups[i], [solved.get((i, label)) for label, _ in plan.trusts]))
    return out


def _report(
    plan: ReportPlan, setups: list[StageSetup | BargainError], solutions: list[Solved | None]
) -> CredibilityReport | BargainError:
    """A point's report from its stages, or the first error in the scalar route's order."""
    stages: list[Stage] = []
    for setup, solution in zip(setups, solutions, strict=False):
        if isinstance(setup, BargainError):
            return setup
        if isinstance(solution, BargainError):
            return solution
        assert solution is not None
        try:
            stages.append(plan.stage(setup, solution))
        except BargainError as err:
            return err
    return plan.report(*stages)


__all__ = ["AGREE", "STAGE_PARAMETERS", "credibilities", "parametric_model"]
