"""A closed form derived on one piece of a kinked payoff is not used where another piece is
active: sweeps and tornado charts against the scalar solver and the closed forms by hand,
on both sides of the kink."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.sweeps.compile import compile_kernel

KINK = {
    "model": {"name": "kink"},
    "parameters": {"c": {"value": 1.5}},
    "variables": {"x": {"min": 0, "max": 1}},
    "parties": {"W": {"payoff": "x"}, "A": {"payoff": "min(1 - 0.5*x, c - 2*x)"}},
}
C = np.array([1.2, 1.5, 1.7, 1.8, 2.0, 2.2, 2.4, 2.6])


def egalitarian_by_hand(c: np.ndarray) -> np.ndarray:
    """Equal gains x = A(x) (Kalai 1977, *Econometrica* 45(7)): x = c - 2x on the piece
    c - 2x, which is active for x >= (c - 1)/1.5, i.e. c <= 2; x = 1 - x/2 = 2/3 beyond."""
    return np.minimum(c / 3, 2 / 3)


def nash_by_hand(c: np.ndarray) -> np.ndarray:
    """The maximum of x A(x) (Nash 1950, *Econometrica* 18(2)): x = c/4 on the piece c - 2x
    while c/4 >= (c - 1)/1.5 (c <= 1.6); beyond, x (1 - x/2) rises on [0, 1], so the kink
    (c - 1)/1.5, or the bound 1."""
    kink = (c - 1) / 1.5
    return np.where(c / 4 >= kink, c / 4, np.minimum(kink, 1.0))


@pytest.mark.parametrize(
    ("method", "by_hand"), [("egalitarian", egalitarian_by_hand), ("nash", nash_by_hand)]
)
def test_sweep_of_a_kinked_payoff_matches_the_pieces(method, by_hand):
    m = bargain.model_from_dict(KINK)
    kernel = compile_kernel(m, method, ["c"])
    assert kernel.route != "closed"  # the formula of the centre's piece is not reused
    out = kernel({"c": C})
    assert out["status"].tolist() == [0] * C.size
    np.testing.assert_allclose(out["x"], by_hand(C), rtol=1e-9)
    for i, c in enumerate(C):
        sol = bargain.SOLVERS[method](m.with_values({"c": float(c)}), exact=False)
        assert out["x"][i] == pytest.approx(sol.agreement["x"], rel=1e-9)
        assert out["payoff_A"][i] == pytest.approx(sol.payoffs["A"], rel=1e-9)
    frame = bargain.sweep(m, method, vary={"c": (1.2, 2.6, 8)})
    np.testing.assert_allclose(frame["x"], by_hand(np.linspace(1.2, 2.6, 8)), rtol=1e-9)


@pytest.mark.parametrize("capped", ["P", "Q"])
def test_a_sweep_of_a_capped_party_is_the_leximin_agreement(capped):
    # min(x, c) against 2 - x on [0, 2] (or x against min(2 - x, c)): for c < 1 the least
    # gain is c wherever the capped party is at its cap, x in [c, 2 - c], and the leximin
    # agreement (Imai 1983) raises the other's gain to 2 - c; for c >= 1, equal gains at
    # x = 1. The vectorised equal-gains root gave the Pareto-dominated other end of the
    # interval, the other party's payoff c for 2 - c (1.0 off at c = 0.5), marked ok.
    payoffs = (
        {"P": "min(x, c)", "Q": "2 - x"} if capped == "P" else {"P": "x", "Q": "min(2 - x, c)"}
    )
    m = bargain.model_from_dict(
        {
            "model": {"name": "cap"},
            "parameters": {"c": {"value": 0.7, "range": [0.5, 1.5]}},
            "variables": {"x": {"min": 0, "max": 2}},
            "parties": {p: {"payoff": u} for p, u in payoffs.items()},
        }
    )
    frame = bargain.sweep(m, "egalitarian", vary={"c": (0.5, 1.5, 11)})
    c = frame["c"].to_numpy()
    capped_pays = np.minimum(c, 1.0)
    other_pays = np.where(c < 1, 2 - c, 1.0)
    assert (frame["status"] == "ok").all()
    np.testing.assert_allclose(frame[f"payoff_{capped}"], capped_pays, rtol=1e-9)
    other = "Q" if capped == "P" else "P"
    np.testing.assert_allclose(frame[f"payoff_{other}"], other_pays, rtol=1e-9)


def test_tornado_of_a_kinked_payoff():
    m = bargain.model_from_dict(KINK)
    row = bargain.tornado(m, "egalitarian", {"c": (1.5, 2.5)}, output="x").loc["c"]
    assert (row["low"], row["high"]) == pytest.approx((0.5, 2 / 3), rel=1e-9)


def test_a_kink_in_the_parameters_alone_is_checked_point_by_point():
    """A = min(c, 1) - x: the equal split of min(c, 1), x = min(c, 1)/2 (Kalai 1977). A
    formula derived at c = 1.5 on the piece 1 (x = 1/2) meets every other check at c = 0.6
    (x = 1/2 in [0, 1], A = 0.1 >= 0), where the answer is 0.3."""
    m = bargain.model_from_dict(
        {
            "model": {"name": "cap"},
            "parameters": {"c": {"value": 1.5}},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {"W": {"payoff": "x"}, "A": {"payoff": "min(c, 1) - x"}},
        }
    )
    c = np.array([0.2, 0.6, 0.9, 1.0, 1.5, 3.0])
    for method in ("egalitarian", "nash", "kalai-smorodinsky"):
        out = compile_kernel(m, method, ["c"])({"c": c})
        np.testing.assert_allclose(out["x"], np.minimum(c, 1) / 2, rtol=1e-12)


@functools.cache
def kink_kernel(method: str):
    return compile_kernel(bargain.model_from_dict(KINK), method, ["c"])


@given(
    st.lists(st.floats(1.0, 3.0), min_size=1, max_size=8), st.sampled_from(["nash", "egalitarian"])
)
def test_any_points_of_a_kinked_sweep_match_the_pieces(cs, method):
    c = np.array(cs)
    by_hand = {"nash": nash_by_hand, "egalitarian": egalitarian_by_hand}[method]
    out = kink_kernel(method)({"c": c})
    np.testing.assert_allclose(out["x"], by_hand(c), rtol=1e-9, atol=1e-12)
