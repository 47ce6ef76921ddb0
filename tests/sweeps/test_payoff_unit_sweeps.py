"""Sweeps of models whose payoffs are near or below the smallest normal float (2.2e-308).

Every route gives the scalar solver's answer, or its status: the vectorised kernels compute
payoffs in floats (a few bits at 1e-320: the Nash kernel gave 0.5773221, the egalitarian one
0.6179732, both ``ok``), so a point whose payoffs are below
:data:`~bargain.axiomatic.payoff_unit.TINY` is solved again by the scalar solver, which
solves in the payoffs' own unit (:mod:`bargain.axiomatic.payoff_unit`).

Closed forms on ``u_W = x s``, ``u_A = (1 - x**2) s``, ``x`` in ``[0, 1]``, disagreement
``(k s, 0)``, at any scale ``s > 0``:

- egalitarian (Kalai, *Econometrica* 45(7), 1977): equal gains ``x - k = 1 - x**2``,
  ``x = (sqrt(5 + 4 k) - 1) / 2``;
- Nash (Nash, *Econometrica* 18(2), 1950): the largest ``log(x - k) + log(1 - x**2)``,
  ``1 / (x - k) = 2 x / (1 - x**2)``, ``3 x**2 - 2 k x - 1 = 0``, ``x = (k + sqrt(k**2 + 3)) / 3``;
- utilitarian: the largest ``x + 1 - x**2``, ``x = 1/2`` (individually rational for k <= 1/2).

Alternating offers on ``u_W = x s``, ``u_A = (1 - x) s``, W first: ``x = (1 - δ_A) /
(1 - δ_W δ_A)`` (Rubinstein, *Econometrica* 50(1), 1982; Osborne & Rubinstein 1990, §3.10).
"""

from __future__ import annotations

import numpy as np
import pytest

import bargain
from tests.conftest import two_party

SCALES = ("1e-320", "1e-310", "1e-300", "1")
KS = np.array([0.0, 0.05, 0.1])
CLOSED = {
    "egalitarian": lambda k: (np.sqrt(5 + 4 * k) - 1) / 2,
    "nash": lambda k: (k + np.sqrt(k * k + 3)) / 3,
    "utilitarian": lambda k: 0.5 + 0 * k,
}
ROUTES = {"egalitarian": ("auto", "numeric", "loop"), "nash": ("auto", "numeric", "loop")}


def frontier(scale: str) -> bargain.Model:
    return two_party(f"x*{scale}", f"(1 - x**2)*{scale}", parameters={"k": 0}, d_a=f"k*{scale}")


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize(
    ("method", "route"),
    [(m, r) for m in sorted(CLOSED) for r in ROUTES.get(m, ("auto", "loop"))],
)
def test_a_sweep_is_the_closed_form_at_every_scale(method, route, scale):
    df = bargain.sweep(frontier(scale), method, {"k": (0.0, 0.1, 3)}, route=route)
    assert list(df["status"]) == ["ok"] * 3
    np.testing.assert_allclose(df["k"], KS)
    np.testing.assert_allclose(df["x"], CLOSED[method](KS), rtol=1e-12)


@pytest.mark.parametrize("scale", SCALES)
def test_kalai_smorodinsky_sweep_is_the_scalar_solvers(scale):
    m = frontier(scale)
    df = bargain.sweep(m, "kalai-smorodinsky", {"k": (0.0, 0.1, 3)})
    scalar = [bargain.kalai_smorodinsky(m.with_values(k=k)).agreement["x"] for k in KS]
    assert list(df["status"]) == ["ok"] * 3
    np.testing.assert_allclose(df["x"], scalar, rtol=1e-12)
    assert scalar[0] == pytest.approx((5**0.5 - 1) / 2, rel=1e-15)  # x = 1 - x**2 at k = 0


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("route", ["auto", "numeric", "loop"])
def test_an_alternating_offers_sweep_at_every_scale(route, scale):
    m = two_party(
        f"x*{scale}",
        f"(1 - x)*{scale}",
        parameters={"d": 0.6},
        A={"discount_factor": "d"},
        B={"discount_factor": 0.5},
    )
    df = bargain.sweep(m, "rubinstein", {"d": (0.5, 0.7, 3)}, route=route)
    d = np.array([0.5, 0.6, 0.7])
    assert list(df["status"]) == ["ok"] * 3
    np.testing.assert_allclose(df["x"], 0.5 / (1 - 0.5 * d), rtol=1e-12)


@pytest.mark.parametrize("route", ["auto", "numeric", "loop"])
def test_a_party_below_the_normal_floats_in_a_common_unit_has_the_scalar_status(route):
    # u_A = x**2 1e-320 beside u_B = 1 - x: the egalitarian solution refuses it by name
    # (bargain solve says so); the sweep's every point is infeasible with NaN, never ok.
    m = two_party("x**2*1e-320", "1 - x", parameters={"k": 0}, d_b="k")
    with pytest.raises(bargain.ModelError, match="below floating point's normal range"):
        bargain.egalitarian(m)
    df = bargain.sweep(m, "egalitarian", {"k": (0.0, 0.1, 3)}, route=route)
    assert list(df["status"]) == ["infeasible"] * 3
    assert df["x"].isna().all()
