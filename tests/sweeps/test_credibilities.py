"""Batched credibility reports (bargain.sweeps.credibilities) against the scalar report,
bargain.credibility, point by point: the same numbers to 1e-9 and the same refusals."""

from __future__ import annotations

import math

import numpy as np
import pytest

import bargain
from bargain.errors import BargainError
from bargain.reputation.credibility import CredibilityReport, Stage
from bargain.sweeps.credibilities import STAGE_PARAMETERS, credibilities, parametric_model
from tests.conftest import shipped

KERNEL_ROUTE = "vectorised nash sweep kernel (batched credibility stages)"
RTOL = 1e-9


def scalar(model: bargain.Model, point: dict[str, float], **settings) -> object:
    """``bargain.credibility`` at ``point``, or the error it raises there."""
    try:
        return bargain.credibility(model.with_values(**point), **settings)
    except BargainError as err:
        return err


def close(a: float | None, b: float | None, size: float) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=RTOL, abs_tol=RTOL * size)


def same_stage(s: Stage, t: Stage) -> None:
    size = max(abs(v) for v in s.solution.payoffs.values())
    assert (s.label, s.trust, s.keep_probability, s.package) == (
        t.label,
        t.trust,
        t.keep_probability,
        t.package,
    )
    assert close(s.breakdown_probability, t.breakdown_probability, 1.0)
    for k, v in s.solution.agreement.items():
        assert close(v, t.solution.agreement[k], max(size, abs(v))), (k, v, t.solution.agreement)
    for k, v in s.solution.payoffs.items():
        assert close(v, t.solution.payoffs[k], size), (k, v, t.solution.payoffs)
    assert s.solution.disagreement == pytest.approx(t.solution.disagreement, rel=RTOL)
    assert close(s.surplus, t.surplus, size)
    assert close(s.expected_strike, t.expected_strike, 1.0)
    assert close(s.mean_strike, t.mean_strike, 1.0)
    if s.duration is not None:
        assert t.duration is not None
        assert close(s.duration.median, t.duration.median, 1.0)


def same_answer(expected: object, got: object) -> None:
    """The batch's answer at a point is the scalar route's: its report to 1e-9, or the
    same error (type, message, table and key)."""
    if isinstance(expected, BargainError):
        assert isinstance(got, BargainError), got
        assert (type(got), str(got), got.table, got.key) == (
            type(expected),
            str(expected),
            expected.table,
            expected.key,
        )
        return
    assert isinstance(expected, CredibilityReport) and isinstance(got, CredibilityReport), got
    same_stage(expected.before, got.before)
    same_stage(expected.after, got.after)
    assert (expected.trust_threshold, expected.rebuild) == (got.trust_threshold, got.rebuild)
    assert expected.settings == got.settings and expected.assumptions == got.assumptions
    size = max(abs(v) for v in expected.before.solution.payoffs.values())
    for key, value in expected.cost.items():
        if isinstance(value, bool):
            assert got.cost[key] is value
        else:
            assert close(value, got.cost[key], size), (key, value, got.cost[key])


def test_the_flagships_draws_agree_with_the_scalar_report() -> None:
    """Random points of the flagship's uncertain parameters (their declared ranges): every
    stage the kernel solves agrees with the scalar solver to 1e-9, every refusal is the
    scalar route's."""
    m = shipped("wga2007")
    names = [p.name for p in m.parameters if p.distribution is not None]
    rng = np.random.default_rng(7)
    points = {
        k: rng.uniform(*(float(x) for x in m.parameter(k).range), 6)  # type: ignore[union-attr]
        for k in names
    }
    got = credibilities(m, points, exact=False)
    routes = []
    for i, answer in enumerate(got):
        expected = scalar(m, {k: float(v[i]) for k, v in points.items()}, exact=False)
        same_answer(expected, answer)
        if isinstance(answer, CredibilityReport):
            routes += [answer.before.solution.route, answer.after.solution.route]
    assert routes.count(KERNEL_ROUTE) >= 4  # the kernel solved most stages, not the scalar loop
    assert any(isinstance(a, BargainError) for a in got)  # a refused draw is among them


def test_refusals_before_during_and_after_the_solve_are_the_scalar_routes() -> None:
    """With the package always in, a concession of 0.6 leaves less surplus than W's demand
    (the war of attrition refuses the stage the kernel solved) and one of 2 leaves no
    agreement that both prefer to disagreement (the solver refuses); a negative trust is
    refused before any solve."""
    m = shipped("package_deal")
    points = {"c": [0.05, 0.6, 2.0, 0.05], "p": [0.8, 0.8, 0.8, -0.5]}
    got = credibilities(m, points, package="always")
    for i, answer in enumerate(got):
        expected = scalar(m, {k: v[i] for k, v in points.items()}, package="always")
        same_answer(expected, answer)
    assert isinstance(got[0], CredibilityReport)
    assert got[0].after.solution.route == KERNEL_ROUTE
    assert [type(a).__name__ for a in got[1:]] == ["ModelError", "FeasibilityError", "ModelError"]
    assert (got[1].table, got[1].key) == ("parties.W", "demand")  # type: ignore[union-attr]


def test_a_first_point_the_solver_refuses_leaves_the_others_to_the_kernel() -> None:
    """The scalar solver solves stages up to the first it can; the rest go to the kernel."""
    m = shipped("package_deal")
    points = {"c": [2.0, 0.05, 0.06]}
    got = credibilities(m, points, package="always")
    for i, answer in enumerate(got):
        same_answer(scalar(m, {"c": points["c"][i]}, package="always"), answer)
    assert isinstance(got[0], bargain.FeasibilityError)
    assert isinstance(got[2], CredibilityReport)
    assert got[2].before.solution.route == got[2].after.solution.route == KERNEL_ROUTE


def test_the_limit_concept_is_solved_point_by_point() -> None:
    """The alternating-offers limit's threat point is not the model's disagreement
    payoffs: its stages are the scalar solver's (same answers, its route)."""
    m = shipped("package_deal")
    points = {"p": [0.9, 0.95]}
    got = credibilities(m, points, limit=True, exact=False)
    for i, answer in enumerate(got):
        same_answer(scalar(m, {"p": points["p"][i]}, limit=True, exact=False), answer)
        assert isinstance(answer, CredibilityReport)
        assert answer.after.solution.route != KERNEL_ROUTE


def test_the_parametric_model_is_the_adjusted_model_at_the_stages_numbers() -> None:
    """The kernel's model at a stage's numbers has that stage's payoffs and breakdown risk
    (a check of the parameters' order and meaning)."""
    m = shipped("package_deal")
    report = bargain.credibility(m)
    promise = m.promise()
    for stage in (report.before, report.after):
        at = dict(
            zip(
                STAGE_PARAMETERS,
                (stage.trust, 0.1, 0.0, 0.02, float(stage.package)),
                strict=True,
            )
        )
        model = parametric_model(m, promise).with_values(**at)
        assert stage.model is not None
        for p in m.parties:
            x = {v.symbol: 0.3 for v in m.variables}
            expected = float(stage.model.numeric(stage.model.party(p.name).payoff).subs(x))
            assert float(model.numeric(model.party(p.name).payoff).subs(x)) == pytest.approx(
                expected, rel=1e-14
            )
        q = float(model.numeric(model.bargaining.breakdown_probability))
        assert q == pytest.approx(stage.breakdown_probability, rel=1e-14)


def test_bad_points_are_refused() -> None:
    m = shipped("package_deal")
    with pytest.raises(bargain.ModelError, match="unknown parameter 'nope'"):
        credibilities(m, {"nope": [1.0]})
    with pytest.raises(bargain.ModelError, match="one-dimensional"):
        credibilities(m, {"p": [[0.5, 0.6]]})
