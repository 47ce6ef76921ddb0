"""The alternating-offers game on payoffs near and below the smallest normal float.

On the linear frontier ``u_W = x s``, ``u_A = (1 - x) s`` with discount factors ``δ_W``,
``δ_A`` and W proposing first, the subgame-perfect equilibrium agreement is
``x* = (1 - δ_A) / (1 - δ_W δ_A)`` (Rubinstein, "Perfect Equilibrium in a Bargaining
Model", *Econometrica* 50(1), 1982; Osborne & Rubinstein, *Bargaining and Markets*, 1990,
§3.10), whatever the scale ``s > 0``: each responder's indifference condition
``u_i(x) = δ_i u_i(y)`` is homogeneous in its own utility. With δ_W = 0.6, δ_A = 0.5:
``x* = 0.5 / 0.7 = 5/7``. At payoffs of order 1e-321 (a few significant bits) the game gave
0.7129. The independent route: backward induction over a long finite horizon, whose first
offer tends to ``x*`` (Osborne & Rubinstein 1990, §3.10.3; Ståhl 1972).
"""

from __future__ import annotations

import math

import pytest
import sympy

import bargain
from tests.conftest import two_party

SCALES = ("1e-321", "1e-320", "1e-310", "1e-300", "1")
PATIENCE = {"A": {"discount_factor": 0.6}, "B": {"discount_factor": 0.5}}
X_STAR = sympy.Rational(5, 7)  # (1 - δ_B) / (1 - δ_A δ_B), A (the first party) first


def linear(scale: str, *, parameter: bool = False) -> bargain.Model:
    s = "s" if parameter else scale
    return two_party(
        f"x*{s}",
        f"(1 - x)*{s}",
        parameters={"s": scale} if parameter else None,
        **PATIENCE,
    )


@pytest.mark.parametrize("parameter", [False, True], ids=["literal", "parameter"])
@pytest.mark.parametrize("scale", SCALES)
def test_the_equilibrium_is_five_sevenths_at_every_scale(scale, parameter):
    s = bargain.rubinstein(linear(scale, parameter=parameter))
    assert s.agreement["x"] == pytest.approx(float(X_STAR), rel=1e-15)
    assert s.exact_agreement["x"] == X_STAR
    # The proposals are contracts (no unit); the payoffs in the model's own unit.
    assert s.extra["proposals"]["B"] == pytest.approx(0.6 * 5 / 7, rel=1e-15)  # δ_A x*
    size = float(scale)
    assert s.payoffs["A"] == pytest.approx(5 / 7 * size, rel=1e-12, abs=2.0**-1074)
    assert s.payoffs["B"] == pytest.approx(2 / 7 * size, rel=1e-12, abs=2.0**-1074)
    assert set(s.parameters) == ({"s"} if parameter else set())


@pytest.mark.parametrize("scale", ["1e-320", "1"])
def test_backward_induction_agrees(scale):
    # 200 rounds: the first offer is within 0.3**100 of x* (the map contracts by δ_A δ_B).
    s = bargain.rubinstein(linear(scale), horizon=200)
    assert s.agreement["x"] == pytest.approx(float(X_STAR), rel=1e-12)
    assert s.payoffs["A"] == pytest.approx(5 / 7 * float(scale), rel=1e-12, abs=2.0**-1074)


def test_each_party_in_its_own_unit():
    # u_A = x**2 1e-320, u_B = 1 - x: A's indifference at B's proposal, x_B**2 = δ_A x_A**2,
    # and B's at A's, 1 - x_A = δ_B (1 - x_B): x_A = (1 - δ_B) / (1 - δ_B √δ_A). The game
    # refused it ("not monotone": A's payoff in floats had steps of 0).
    s = bargain.rubinstein(two_party("x**2*1e-320", "1 - x", **PATIENCE))
    expected = 0.5 / (1 - 0.5 * math.sqrt(0.6))
    assert s.agreement["x"] == pytest.approx(expected, rel=1e-14)
    assert s.payoffs["B"] == pytest.approx(1 - expected, rel=1e-12)
    assert s.payoffs["A"] == pytest.approx(expected**2 * 1e-320, abs=2.0**-1074)


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "numeric"])
@pytest.mark.parametrize("scale", ["1e-320", "1e-310", "1e-200"])
def test_a_tiny_contract_box_is_measured_in_its_own_unit(scale, exact):
    # A split of V = scale: u_A = x, u_B = V - x, x in [0, V]. The game is a statement about
    # preferences over contracts, the same in any unit of x: x* = V (1 - δ_B)/(1 - δ_A δ_B)
    # = 5/7 V (Rubinstein 1982), and B's proposal δ_A x* (Osborne & Rubinstein 1990, §3.10).
    # Solved in the floats of the box (numeric route at 1e-320), the proposals were tens
    # of subnormal spacings off; the box is now measured in a power of two of its size.
    v = float(scale)
    m = two_party("x", "V - x", parameters={"V": scale}, **PATIENCE)
    data = bargain.model_to_dict(m)
    data["variables"]["x"]["max"] = "V"
    s = bargain.rubinstein(bargain.model_from_dict(data), exact=exact)
    spacing = 2.0**-1074
    assert s.agreement["x"] == pytest.approx(5 / 7 * v, rel=1e-15, abs=spacing)
    assert s.extra["proposals"]["A"] == pytest.approx(5 / 7 * v, rel=1e-15, abs=spacing)
    assert s.extra["proposals"]["B"] == pytest.approx(0.6 * 5 / 7 * v, rel=1e-15, abs=spacing)
    # The independent route: backward induction over 200 rounds, in the same unit.
    b = bargain.rubinstein(bargain.model_from_dict(data), horizon=200, exact=False)
    assert b.agreement["x"] == pytest.approx(5 / 7 * v, rel=1e-12, abs=spacing)
