"""Sweeps of models with several contract variables: vectorised, and equal to the scalar
solvers point by point (the flagship wga2007 under Nash and the alternating-offers game)."""

from __future__ import annotations

import numpy as np
import pytest

import bargain
from bargain.concepts.registry import concept
from bargain.concepts.vectorised import INFEASIBLE, OK, STATUSES
from bargain.sweeps.compile import compile_kernel
from tests.conftest import shipped

VARY = ("a_W", "m_A")  # risk aversion moves e, the producers' strike cost moves F (to its floor)


@pytest.fixture(scope="module")
def wga() -> bargain.Model:
    return shipped("wga2007")


def sample(model: bargain.Model, n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {k: rng.uniform(*(float(v) for v in model.parameter(k).range), n) for k in VARY}


def test_the_flagship_is_swept_without_the_loop(wga):
    for method in ("nash", "rubinstein"):
        kernel = compile_kernel(wga, method, VARY)
        assert kernel.route == "numeric", method


@pytest.mark.parametrize("method", ["nash", "rubinstein"])
def test_the_flagship_sweep_equals_the_scalar_solver(wga, method):
    # 12 random points of the declared ranges, plus points where a bound binds: Nash at
    # the flat rate's floor F = 0 (and e at its floor e0), the alternating-offers game
    # where a proposal reaches F = 0, which the scalar solver refuses.
    points = sample(wga, 4000, seed=7)
    out = concept(method).kernel(wga, VARY, {})({**points, "_n": np.empty(4000)})
    assert np.all(np.isin(out["status"], [OK, INFEASIBLE]))
    rng = np.random.default_rng(8)
    chosen = list(rng.choice(4000, 12, replace=False))
    floor = np.flatnonzero((out["status"] == OK) & (out["F"] == 0))
    refused = np.flatnonzero(out["status"] == INFEASIBLE)
    low_e = np.flatnonzero((out["status"] == OK) & (out["e"] == 0.3))
    if method == "nash":
        assert floor.size > 0 and low_e.size > 0
        chosen += [*floor[:5], *low_e[:3]]
    else:
        assert refused.size > 0
        chosen += list(refused[:4])
    for i in chosen:
        at = wga.with_values({k: float(v[i]) for k, v in points.items()})
        if out["status"][i] == INFEASIBLE:
            with pytest.raises(bargain.ModelError, match="binds in equilibrium"):
                bargain.SOLVERS[method](at, exact=False)
            continue
        sol = bargain.SOLVERS[method](at, exact=False)
        for name in wga.variable_names:
            assert out[name][i] == pytest.approx(sol.agreement[name], rel=1e-9, abs=1e-9)
        for p in wga.party_names:
            assert out[f"payoff_{p}"][i] == pytest.approx(sol.payoffs[p], rel=1e-9, abs=1e-9)


def transferable(c_range: tuple[float, float] = (0.0, 0.9)) -> bargain.Model:
    return bargain.model_from_dict(
        {
            "model": {"name": "tu"},
            "parameters": {
                "c": {"value": 0.0, "range": list(c_range)},
                "delta": {"value": 0.9, "range": [0.5, 0.95]},
            },
            "variables": {"t": {"min": -10, "max": 10}, "y": {"min": 0, "max": 2}},
            "parties": {
                "W": {"payoff": "t + y - y**2/2", "disagreement": "c", "discount_factor": "delta"},
                "A": {"payoff": "-t + y - y**2/2", "discount_factor": "delta"},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )


def test_nash_with_a_transfer_splits_the_surplus_where_the_start_is_not_rational():
    # Transferable utility: y maximises the joint surplus (y = 1, worth 1/2 to each), and
    # the symmetric Nash solution splits the gains equally, t = c/2 (Nash 1950; Muthoo
    # 1999, §2.4). At c > 0.5 the start (t = 0) gives W less than c: the first phase.
    model = transferable()
    c = np.linspace(0.0, 0.9, 10)
    out = concept("nash").kernel(model, ["c"], {})({"c": c, "_n": c})
    assert [STATUSES[s] for s in out["status"]] == ["ok"] * 10
    np.testing.assert_allclose(out["t"], c / 2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(out["y"], 1.0, rtol=1e-12)
    np.testing.assert_allclose(out["payoff_W"] - c, out["payoff_A"], rtol=1e-12, atol=1e-12)


def test_rubinstein_with_a_transfer_matches_the_closed_form_of_the_split():
    # y = 1, and the surplus 1 (1/2 each without t) is split over t as in Rubinstein (1982):
    # the first proposer W gets (1 - δ_A)/(1 - δ_W δ_A) of it, so t = 1/(1 + δ) - 1/2.
    model = transferable()
    delta = np.linspace(0.5, 0.95, 7)
    kernel = compile_kernel(model, "rubinstein", ["delta"])
    assert kernel.route == "numeric"
    out = kernel({"delta": delta})
    assert np.all(out["status"] == OK)
    np.testing.assert_allclose(out["t"], 1 / (1 + delta) - 0.5, rtol=1e-12)
    np.testing.assert_allclose(out["y"], 1.0, rtol=1e-12)
    for i in (0, 3, 6):
        sol = bargain.rubinstein(model.with_values(delta=float(delta[i])), exact=False)
        assert out["t"][i] == pytest.approx(sol.agreement["t"], rel=1e-9)


def test_the_alternating_offers_limit_sweeps_with_its_powers_point_by_point():
    # The BRW limit's powers and impasse point move with the discount rates and the
    # breakdown risk (Binmore, Rubinstein & Wolinsky 1986, §3-4): each point of the sweep
    # is the scalar solve at that point.
    m = bargain.load_model(bargain.find_model("wga2007"))
    df = bargain.sweep(m, "nash", {"rho_W": (0.03, 0.3), "q": (0.01, 0.2)}, n=6, limit=True)
    assert set(df["status"]) == {"ok"}
    flats = set()
    for i in (0, 13, 35):
        row = df.iloc[i]
        at = m.with_values(rho_W=float(row["rho_W"]), q=float(row["q"]))
        s = bargain.nash(at, limit=True, exact=False)
        for v in ("F", "e", "d"):
            assert row[v] == pytest.approx(s.agreement[v], rel=1e-9, abs=1e-9)
        flats.add(round(float(row["F"]), 6))
    assert len(flats) == 3  # the powers are not frozen at the model's values
