"""The largest common gain over arrays of points (bargain.concepts.common_gain): the
Kalai–Smorodinsky and egalitarian kernels of several contract variables against their
closed forms and against the scalar solvers, point by point.

The model: a transfer ``x`` in ``[lo, 3]`` and an issue ``y`` in ``[0, 1]``; the writers get
``x + 2y - y**2`` (disagreement ``-k``), the producers ``c - x - y/2`` (disagreement 0). Where
``x`` is inside its bounds, the joint gain ``c + k + 3y/2 - y**2`` is largest at ``y = 3/4``
(``c + k + 9/16``) and ``x`` divides it.

- Egalitarian (Kalai 1977, *Econometrica* 45(7), 1623–1630: equal gains, as large as
  possible): each gains ``t = (c + k + 9/16)/2``, ``x = t - k - 15/16``. Where that ``x`` is
  below ``lo``, the bound binds: ``x = lo`` and the gains are equal along the frontier,
  ``lo + 2y - y**2 + k = c - lo - y/2``, a quadratic in ``y``.
- Kalai–Smorodinsky (Kalai & Smorodinsky 1975, *Econometrica* 43(3), 513–518: gains in
  proportion to the ideal gains): with ``k = 0`` and ``lo = -1/2``, the writers' ideal gain is
  the joint gain ``c + 9/16`` (``x = c - 3/8``); the producers' is held by the bound and the
  writers' floor together: ``x = -1/2`` and ``2y - y**2 = 1/2``, so ``y = 1 - 1/sqrt(2)`` and
  the producers gain ``c + 1/(2 sqrt(2))``. The solution has ``y = 3/4`` and the writers'
  gain ``a_W**2 / (a_W + a_A)`` of the joint gain ``a_W``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.axiomatic.egalitarian import egalitarian_kernel
from bargain.axiomatic.kalai_smorodinsky import kalai_smorodinsky_kernel
from bargain.concepts.common_gain import CommonGain
from bargain.concepts.vectorised import INFEASIBLE, NO_CONVERGENCE, OK
from bargain.sweeps.compile import compile_kernel
from tests.conftest import shipped

INPUTS = ["c", "k", "lo"]


def ray_model() -> bargain.Model:
    return bargain.model_from_dict(
        {
            "model": {"name": "ray"},
            "parameters": {
                "c": {"value": 1, "range": [-3, 3]},
                "k": {"value": 0, "range": [0, 3]},
                "lo": {"value": -0.5, "range": [-1, -0.1]},
            },
            "variables": {"x": {"min": "lo", "max": 3}, "y": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x + 2*y - y**2", "disagreement": "-k"},
                "A": {"payoff": "c - x - y/2"},
            },
        }
    )


def points(*rows: tuple[float, float, float]) -> dict[str, np.ndarray]:
    columns = np.array(rows, dtype=float).T
    return {**dict(zip(INPUTS, columns, strict=True)), "_n": columns[0]}


def assert_scalar(out: dict, model: bargain.Model, params: dict, solver) -> None:
    """Every point of ``out`` is the scalar solver's answer to 1e-9 relative."""
    for i in range(len(out["status"])):
        at = model.with_values(**{k: float(params[k][i]) for k in params if k != "_n"})
        sol = solver(at, exact=False)
        for v in model.variable_names:
            assert out[v][i] == pytest.approx(sol.agreement[v], rel=1e-9, abs=1e-12)
        for p in model.party_names:
            assert out[f"payoff_{p}"][i] == pytest.approx(sol.payoffs[p], rel=1e-9, abs=1e-12)


def test_the_egalitarian_kernel_is_kalai_1977s_closed_form():
    m = ray_model()
    c = np.array([0.5, 1.0, 2.0])
    interior = points(*((ci, 0.0, -0.5) for ci in c))
    # x = lo binds at c = 0.5, k = 2, lo = -1: lo + 2y - y**2 + k = c - lo - y/2.
    bound = points((0.5, 2.0, -1.0))
    # The producers cannot reach the writers' gain: at their best agreement (-1, 0) they
    # gain 1.5 and the writers 2; the producers' floor alone binds (one-sided).
    one_sided = points((0.5, 3.0, -1.0))
    kernel = egalitarian_kernel(m, INPUTS, {})
    out = kernel(interior)
    assert np.all(out["status"] == OK)
    t = (c + 9 / 16) / 2
    np.testing.assert_allclose(out["x"], t - 15 / 16, rtol=1e-12)
    np.testing.assert_allclose(out["y"], 0.75, rtol=1e-12)
    np.testing.assert_allclose(out["payoff_A"], t, rtol=1e-12)
    out = kernel(bound)
    y = (2.5 - math.sqrt(2.5**2 - 4 * (0.5 + 2 - 2.0))) / 2  # y**2 - 5y/2 + (c + 2 - k) = 0
    assert out["status"].tolist() == [OK]
    assert out["x"][0] == -1.0 and out["y"][0] == pytest.approx(y, rel=1e-12)
    assert out["payoff_A"][0] == pytest.approx(0.5 + 1 - y / 2, rel=1e-12)
    out = kernel(one_sided)
    assert out["status"].tolist() == [OK]
    assert (out["x"][0], out["y"][0], out["payoff_A"][0]) == (-1.0, 0.0, 1.5)
    for params in (interior, bound, one_sided):
        assert_scalar(kernel(params), m, params, bargain.egalitarian)


def test_the_kalai_smorodinsky_kernel_is_the_1975_closed_form():
    m = ray_model()
    c = np.array([0.5, 1.0, 2.0])
    params = points(*((ci, 0.0, -0.5) for ci in c))
    gains = CommonGain(m, INPUTS)
    start = np.tile([0.0, 0.5], (c.size, 1))
    # The ideal gains: the writers' where the producers' floor binds (x inside its bounds),
    # the producers' where the bound x = -1/2 and the writers' floor bind together.
    (a_w, ok_w), (a_a, ok_a) = (gains.ideal(i, start, params) for i in (0, 1))
    assert ok_w.all() and ok_a.all()
    np.testing.assert_allclose(a_w, c + 9 / 16, rtol=1e-12)
    np.testing.assert_allclose(a_a, c + 1 / (2 * math.sqrt(2)), rtol=1e-12)
    out = kalai_smorodinsky_kernel(m, INPUTS, {})(params)
    assert np.all(out["status"] == OK)
    ideal_w, ideal_a = c + 9 / 16, c + 1 / (2 * math.sqrt(2))
    np.testing.assert_allclose(out["x"], ideal_w**2 / (ideal_w + ideal_a) - 15 / 16, rtol=1e-12)
    np.testing.assert_allclose(out["y"], 0.75, rtol=1e-12)
    assert_scalar(out, m, params, bargain.kalai_smorodinsky)
    for i, ci in enumerate(c):
        ideal = bargain.kalai_smorodinsky(m.with_values(c=float(ci)), exact=False).extra["ideal"]
        assert ideal == pytest.approx({"W": a_w[i], "A": a_a[i]}, rel=1e-9)


@pytest.mark.parametrize("method", ["kalai-smorodinsky", "egalitarian"])
def test_a_point_without_a_positive_gain_goes_back_to_the_scalar_solver(method):
    # c = -2: the producers lose at every agreement the writers accept: no common gain is
    # positive, the kernel does not decide, and the sweep's scalar solver says infeasible.
    m = ray_model()
    params = points((1.0, 0.0, -0.5), (-2.0, 0.0, -1.0))
    kernel = {"kalai-smorodinsky": kalai_smorodinsky_kernel, "egalitarian": egalitarian_kernel}
    raw = kernel[method](m, INPUTS, {})(params)
    assert raw["status"].tolist() == [OK, NO_CONVERGENCE]
    swept = compile_kernel(m, method, INPUTS, route="numeric")
    out = swept({k: v for k, v in params.items() if k != "_n"})
    assert out["status"].tolist() == [OK, INFEASIBLE]
    with pytest.raises(bargain.FeasibilityError):
        bargain.SOLVERS[method](m.with_values(c=-2.0, lo=-1.0), exact=False)
    assert out["x"][0] == raw["x"][0] and np.isnan(out["x"][1])


@given(
    st.floats(0.2, 3.0),
    st.floats(0.0, 2.5),
    st.floats(-1.0, -0.1),
)
def test_the_egalitarian_kernel_gives_equal_gains_or_holds_the_one_at_its_best(c, k, lo):
    # Kalai 1977: the gains are equal, or (one-sided) the party that gains less is at the
    # single best agreement for itself. Either way the scalar solver agrees.
    m = ray_model()
    params = points((c, k, lo))
    out = egalitarian_kernel(m, INPUTS, {})(params)
    if out["status"][0] != OK:
        return  # handed back to the scalar solver (tested above)
    gain_w, gain_a = out["payoff_W"][0] + k, out["payoff_A"][0]
    if gain_w != pytest.approx(gain_a, rel=1e-9):
        assert gain_a < gain_w and (out["x"][0], out["y"][0]) == (lo, 0.0)
    assert_scalar(out, m, params, bargain.egalitarian)


def flagship_draws() -> tuple[bargain.Model, list[str], dict[str, np.ndarray]]:
    # The model's values, and each parameter at a quarter and at three quarters of its range.
    # (At the ends of the ranges the flagship is degenerate: with a_W = 0, h_W = 0.1,
    # h_A = 0 and phi_A = 0.9 both payoffs are linear and the rate e is worth to the writers
    # what it costs the producers, so the agreement is not unique and the kernel hands it
    # back, as it should.)
    m = shipped("wga2007")
    names = ["m_A", "q", "phi_A", "h_W", "h_A", "a_W", "cv_E", "cv_D"]
    draws = {}
    for name in names:
        lo, hi = (float(v) for v in m.parameter(name).range)
        draws[name] = np.array([float(m.values[name]), lo + (hi - lo) / 4, hi - (hi - lo) / 4])
    return m, names, {**draws, "_n": draws["m_A"]}


@pytest.mark.parametrize(
    ("method", "solver"),
    [
        ("kalai-smorodinsky", bargain.kalai_smorodinsky),
        ("egalitarian", bargain.egalitarian),
    ],
)
def test_the_flagships_kernels_are_the_scalar_solvers(method, solver):
    # Three terms (F, e, d) in their bounds: the flagship's uncertainty table solves its 32
    # draws of both concepts with these kernels (docs/sweeps.md).
    m, names, params = flagship_draws()
    kernel = {"kalai-smorodinsky": kalai_smorodinsky_kernel, "egalitarian": egalitarian_kernel}
    out = kernel[method](m, names, {})(params)
    assert np.all(out["status"] == OK)
    assert_scalar(out, m, params, solver)
    assert compile_kernel(m, method, names).route == "numeric"


def test_three_parties_or_constraints_are_refused_by_name():
    three = bargain.model_from_dict(
        {
            "model": {"name": "three"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "parties": {"A": {"payoff": "x"}, "B": {"payoff": "y"}, "C": {"payoff": "2 - x - y"}},
        }
    )
    with pytest.raises(bargain.ModelError, match="two parties"):
        CommonGain(three, [])
    capped = bargain.model_from_dict(
        {
            "model": {"name": "capped"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"cap": "x + y <= 1"},
            "parties": {"A": {"payoff": "x + y"}, "B": {"payoff": "2 - x - y"}},
        }
    )
    with pytest.raises(bargain.ModelError, match=r"not \[constraints\]"):
        CommonGain(capped, [])


def test_one_variable_kalai_smorodinsky_on_a_line_splits_the_surplus_over_disagreement():
    # Kalai & Smorodinsky 1975: on the frontier u_W + u_A = V the ideal gains are both
    # V - d_W - d_A, so the gains are equal: x = (V + d_W - d_A) / 2, as the Nash solution.
    m = shipped("split")
    v, d_w, d_a = np.array([0.5, 1.0, 2.0]), np.array([0.0, 0.1, 0.4]), np.array([0.3, 0.0, 0.2])
    params = {"V": v, "d_W": d_w, "d_A": d_a, "_n": v}
    out = kalai_smorodinsky_kernel(m, ["V", "d_W", "d_A"], {})(params)
    assert np.all(out["status"] == OK)
    np.testing.assert_allclose(out["x"], (v + d_w - d_a) / 2, rtol=1e-12)
    assert_scalar(out, m, params, bargain.kalai_smorodinsky)
