"""Sweeps: designs, reproducibility, values against the solvers, bad input, sensitivity."""

from __future__ import annotations

import importlib

import numpy as np
import pandas as pd
import pytest

import bargain
from bargain.sweeps.sweep import (
    CHUNK_SIZE,
    CHUNKS_PER_WORKER,
    MIN_PARALLEL_CHUNK,
    chunk_size_for,
    plan,
)
from tests.conftest import shipped

# The package exports the function `sweep`, which shadows the module of the same name.
sweep_module = importlib.import_module("bargain.sweeps.sweep")


def nash_split(df: pd.DataFrame, values: dict) -> np.ndarray:
    """The Nash split of a surplus, written out by hand: x = d_W + (V - d_W - d_A) / 2."""
    col = {k: df[k].to_numpy() if k in df else float(v) for k, v in values.items()}
    return col["d_W"] + (col["V"] - col["d_W"] - col["d_A"]) / 2


def test_grid_is_the_full_factorial_in_c_order(split):
    df = bargain.sweep(split, "nash", {"V": (1, 2, 3), "d_W": (0, 0.4, 5)})
    assert len(df) == 15 and list(df.index) == list(range(15))
    assert list(df.columns) == ["V", "d_W", "x", "payoff_W", "payoff_A", "status"]
    np.testing.assert_array_equal(df["V"], np.repeat(np.linspace(1, 2, 3), 5))
    np.testing.assert_array_equal(df["d_W"], np.tile(np.linspace(0, 0.4, 5), 3))
    assert (df["status"] == "ok").all()
    np.testing.assert_allclose(df["x"], nash_split(df, split.values), rtol=1e-14)
    np.testing.assert_allclose(df["payoff_A"], df["V"] - df["x"], rtol=1e-14)
    assert df.attrs["route"] == "closed" and df.attrs["parameters"]["d_A"] == 0


def test_grid_count_from_n(split):
    df = bargain.sweep(split, "nash", {"V": (1, 2), "d_W": (0, 0.4, 2)}, n=4)
    assert len(df) == 8 and sorted(set(df["V"])) == list(np.linspace(1, 2, 4))


@pytest.mark.parametrize("design", ["random", "lhs", "sobol"])
def test_sampled_designs_are_reproducible_and_inside_the_box(split, design):
    vary = {"V": (1, 2), "d_W": (0, 0.4)}
    a = bargain.sweep(split, "nash", vary, design=design, n=64, seed=7)
    b = bargain.sweep(split, "nash", vary, design=design, n=64, seed=7, chunk_size=10)
    c = bargain.sweep(split, "nash", vary, design=design, n=64, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not np.array_equal(a["V"], c["V"])
    assert a["V"].between(1, 2).all() and a["d_W"].between(0, 0.4).all()
    np.testing.assert_allclose(a["x"], nash_split(a, split.values), rtol=1e-14)


def test_latin_hypercube_fills_every_stratum_once(split):
    df = bargain.sweep(split, "nash", {"V": (1, 2), "d_W": (0, 0.4)}, design="lhs", n=50, seed=1)
    for name, (lo, hi) in {"V": (1, 2), "d_W": (0, 0.4)}.items():
        strata = np.floor((df[name] - lo) / (hi - lo) * 50).astype(int)
        assert sorted(strata) == list(range(50))


def test_without_a_seed_one_is_drawn_and_recorded(split):
    vary = {"d_W": (0, 0.4)}
    a = bargain.sweep(split, "nash", vary, design="random", n=5)
    b = bargain.sweep(split, "nash", vary, design="random", n=5, seed=a.attrs["seed"])
    pd.testing.assert_frame_equal(a, b)


def test_declared_range_is_used_for_none(split):
    df = bargain.sweep(split, "rubinstein", {"delta_W": None}, n=3)
    assert list(df["delta_W"]) == [0.5, 0.745, 0.99]
    expected = (1 - 0.8) / (1 - 0.8 * df["delta_W"])  # Rubinstein 1982: (1 - δ_A) / (1 - δ_A δ_W)
    np.testing.assert_allclose(df["x"], expected, rtol=1e-14)


def test_numeric_sweep_matches_scalar_solver():
    cara = shipped("cara")
    df = bargain.sweep(cara, "rubinstein", {"a": (0.5, 4), "delta_A": (0.6, 0.95)}, n=3)
    assert df.attrs["route"] == "numeric"
    for i in (0, 4, 8):
        row = df.loc[i]
        sol = bargain.rubinstein(
            cara.with_values(a=float(row["a"]), delta_A=float(row["delta_A"])), exact=False
        )
        assert row["x"] == pytest.approx(sol.agreement["x"], rel=1e-10)


def test_failed_points_are_flagged_with_nan(split):
    df = bargain.sweep(split, "nash", {"d_W": (0, 0.8, 3), "d_A": (0.1, 0.8, 2)})
    bad = df["d_W"] + df["d_A"] >= df.attrs["parameters"]["V"]
    assert (df.loc[bad, "status"] == "infeasible").all() and df.loc[bad, "x"].isna().all()
    assert (df.loc[~bad, "status"] == "ok").all() and df.loc[~bad, "x"].notna().all()


@pytest.fixture
def no_work(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("work started before the input was checked")

    monkeypatch.setattr(sweep_module, "compile_kernel", refuse)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"vary": {"c": (0, 1, 2)}}, "unknown parameter 'c'; the parameters are V, d_W, d_A"),
        ({"vary": {"V": (1, 1, 2)}}, r"V: the range \[1, 1\] is empty"),
        ({"vary": {"V": (2, 1, 2)}}, r"V: the range \[2, 1\] is reversed"),
        ({"vary": {"V": (1, 2, 0)}}, "the count must be a positive whole number"),
        (
            {"vary": {"V": (1, 2)}, "design": "random", "n": 0},
            r"\[sweep\] n: n \(the number of points\) must be a positive whole",
        ),
        ({"vary": {"V": (1, 2)}, "design": "random"}, "needs the number of points"),
        ({"vary": {"V": (1, 2, 3)}, "design": "sobol", "n": 8}, "count per parameter"),
        ({"vary": {"V": (1, 2)}}, "needs a count for every parameter"),
        ({"vary": {"V": (1, 2, 3)}, "n": 4}, "every parameter has its own count"),
        ({"vary": {"V": (1, 2, 2)}, "design": "halton"}, "the designs are grid, random"),
        ({"vary": {}}, "name at least one parameter"),
        ({"vary": {"delta_W": (0.5, 1.2, 3)}}, r"delta_W = 1.2.*must lie in \(0, 1\]"),
        ({"vary": {"V": (1, float("nan"), 2)}}, "the high end must be finite"),
    ],
)
def test_bad_input_is_refused_before_any_work(split, no_work, kwargs, message):
    with pytest.raises(bargain.ModelError, match=message):
        bargain.sweep(split, "rubinstein", **kwargs)


def test_sobol_indices_of_an_additive_formula(split):
    # x = d_W/2 - d_A/2 + V/2: first-order indices are the shares of variance, coef² · width².
    widths = {"d_W": 0.4, "d_A": 0.2}
    s = bargain.sensitivity(split, "nash", {k: (0, w) for k, w in widths.items()}, n=1024)
    share = {k: w**2 / sum(v**2 for v in widths.values()) for k, w in widths.items()}
    for name in widths:
        assert s.loc[name, "S1"] == pytest.approx(share[name], abs=0.03)
        assert s.loc[name, "ST"] == pytest.approx(share[name], abs=0.03)
    assert s.attrs["points"] == 1024 * 4


def test_morris_effects_of_a_linear_formula(split):
    s = bargain.sensitivity(
        split, "nash", {"d_W": (0, 0.4), "V": (1, 2)}, analysis="morris", n=20, seed=3
    )
    # Elementary effects over the unit-scaled range: coefficient times width.
    assert s.loc["d_W", "mu_star"] == pytest.approx(0.5 * 0.4, rel=1e-9)
    assert s.loc["V", "mu"] == pytest.approx(0.5 * 1, rel=1e-9)
    assert s.loc["V", "sigma"] == pytest.approx(0, abs=1e-9)


def test_sensitivity_refuses_points_without_a_solution(split):
    with pytest.raises(bargain.SolverError, match="have no solution"):
        bargain.sensitivity(split, "nash", {"d_W": (0, 0.9), "d_A": (0, 0.9)}, n=64)
    with pytest.raises(bargain.ModelError, match="the outputs are x, payoff_W, payoff_A"):
        bargain.sensitivity(split, "nash", {"d_W": (0, 0.4)}, output="y")


def test_tornado_swings_are_the_solution_at_the_ends(split):
    vary = {"delta_W": (0.5, 0.9), "delta_A": (0.6, 0.95), "V": (1, 2)}
    t = bargain.tornado(split, "rubinstein", vary, output="payoff_W")
    assert list(np.abs(t["swing"])) == sorted(np.abs(t["swing"]), reverse=True)
    centre = {k: (lo + hi) / 2 for k, (lo, hi) in vary.items()}
    for name, (lo, hi) in vary.items():
        for end, column in ((lo, "low"), (hi, "high")):
            sol = bargain.rubinstein(split.with_values({**centre, name: end}))
            assert t.loc[name, column] == pytest.approx(sol.payoffs["W"], rel=1e-12)


def test_plan_fingerprint_depends_on_what_determines_values(split):
    a = plan(split, "nash", {"V": (1, 2)}, design="random", n=10, seed=1)
    assert (
        a.fingerprint()
        == plan(split, "nash", {"V": (1, 2)}, design="random", n=10, seed=1).fingerprint()
    )
    assert (
        a.fingerprint()
        != plan(split, "nash", {"V": (1, 2)}, design="random", n=10, seed=2).fingerprint()
    )
    assert (
        a.fingerprint()
        != plan(
            split.with_values(d_A=0.1), "nash", {"V": (1, 2)}, design="random", n=10, seed=1
        ).fingerprint()
    )


def test_a_cluster_run_gets_chunks_for_every_worker():
    split = shipped("split")
    vary = {"d_W": (0.0, 0.4)}
    alone = plan(split, "nash", vary, design="random", n=40_000, seed=1, chunk_size=None)
    assert alone.n_chunks == 1
    two = plan(split, "nash", vary, design="random", n=40_000, seed=1, chunk_size=None, workers=2)
    assert two.n_chunks == 2 * CHUNKS_PER_WORKER
    assert chunk_size_for(10**7, 2) == CHUNK_SIZE  # big sweeps keep the memory bound
    assert chunk_size_for(100, 4) == MIN_PARALLEL_CHUNK  # and tiny chunks are not made
    # The values do not depend on the chunk size.
    a = alone.points(0, 40_000)
    b = two.points(*two.chunk(3))
    np.testing.assert_array_equal(a["d_W"][slice(*two.chunk(3))], b["d_W"])


@pytest.mark.parametrize("route", ["auto", "numeric", "loop"])
@pytest.mark.parametrize(
    ("method", "x"),
    [
        ("nash", 2 / 3),  # max x sqrt(1 - x): 1 - x = x/2 (Nash 1950)
        ("kalai-smorodinsky", (5**0.5 - 1) / 2),  # ideal (1, 1): x = sqrt(1 - x)
        ("egalitarian", (5**0.5 - 1) / 2),  # equal gains x = sqrt(1 - x) (Kalai 1977)
    ],
)
def test_a_sweep_over_a_common_level_keeps_the_gains(method, x, route):
    # L + x against L + sqrt(1 - x), disagreement L each: the gains are x and sqrt(1 - x)
    # at every L. Swept over L up to 1e12 the Nash kernel computed (L + x) - L in floats
    # and returned x = 0.666656494140625 with status ok; each party's level is now moved
    # out of the model the kernels solve and added back to its payoff at each point.
    m = bargain.model_from_dict(
        {
            "model": {"name": "level"},
            "parameters": {"L": 0},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "A": {"payoff": "L + x", "disagreement": "L"},
                "B": {"payoff": "L + sqrt(1 - x)", "disagreement": "L"},
            },
        }
    )
    df = bargain.sweep(m, method, {"L": (0, 1e12, 4)}, route=route)
    assert (df["status"] == "ok").all()
    assert df["x"].to_numpy() == pytest.approx([x] * 4, rel=1e-12)
    assert df["payoff_A"].to_numpy() == pytest.approx(df["L"].to_numpy() + x, rel=1e-15)


@pytest.mark.parametrize("route", ["closed", "numeric", "loop"])
def test_a_point_no_agreement_improves_on_is_infeasible_on_every_route(route):
    # W = x against A = sqrt(1 - x), d_W = dW: the egalitarian gains are equal where
    # x - dW = sqrt(1 - x); at dW = 1 only x = 1 leaves both gains at least 0, and both are
    # 0 there: the scalar solver says the disagreement point is not improved upon. The
    # closed route's checks asked gains of at least 0, and marked the point ok at x = 1.
    m = bargain.model_from_dict(
        {
            "model": {"name": "edge"},
            "parameters": {"dW": {"value": 0.5, "range": [0, 1.5]}},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "disagreement": "dW"},
                "A": {"payoff": "sqrt(1 - x)"},
            },
        }
    )
    with pytest.raises(bargain.FeasibilityError, match="not improved upon"):
        bargain.egalitarian(m.with_values(dW=1.0))
    frame = bargain.sweep(m, "egalitarian", vary={"dW": (0, 1.5, 7)}, route=route)
    assert list(frame["status"]) == ["ok"] * 4 + ["infeasible"] * 3
    # x - dW = sqrt(1 - x), a quadratic in
    # s = sqrt(1 - x): s**2 + s + dW - 1 = 0, s = (-1 + sqrt(5 - 4 dW)) / 2.
    d_w = frame["dW"].to_numpy()[:4]
    s = (-1 + np.sqrt(5 - 4 * d_w)) / 2
    np.testing.assert_allclose(frame["x"].to_numpy()[:4], 1 - s**2, rtol=1e-12)
