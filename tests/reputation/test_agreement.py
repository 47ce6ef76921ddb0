"""The time to agreement: a piecewise-exponential survival with atoms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bargain.errors import ModelError
from bargain.reputation.agreement import AgreementTime, certain, steps
from bargain.reputation.attrition import abreu_gul


def test_war_of_attrition_matches_its_survival() -> None:
    # Abreu & Gul (2000), Econometrica 68(1), Prop. 4: G(t) = c_W c_A e^{−(λ_W+λ_A) t} on
    # [0, T0], z_W z_A after; the AgreementTime is the same function.
    war = abreu_gul({"W": 0.6, "A": 0.6}, {"W": 0.1, "A": 0.2}, {"W": 0.1, "A": 0.1})
    tau = war.agreement_time()
    times = np.linspace(0.0, 2 * war.t0, 41)
    c = math.prod(war.no_concession_at_zero.values())
    rate = sum(war.concession_rates.values())
    expected = np.where(times < war.t0, c * np.exp(-rate * times), war.impasse)
    np.testing.assert_allclose(tau.survival(times), expected, rtol=1e-12)
    assert tau.atoms == ((0.0, pytest.approx(war.atom)),)
    assert tau.never == pytest.approx(war.impasse)


def test_steps_give_atoms_and_the_rest_never() -> None:
    tau = steps((1.0, 2.5), (0.25, 0.5), "x")
    assert tau.atoms == ((1.0, 0.25), (2.5, 0.5))
    assert tau.never == 0.25
    assert tau.survival(0.0) == 1.0 and tau.survival(1.0) == 0.75 and tau.survival(2.4) == 0.75


@given(
    st.lists(st.floats(0.01, 10.0), min_size=1, max_size=6, unique=True),
    st.integers(0, 2**32 - 1),
)
def test_sampling_inverts_the_survival(times: list[float], seed: int) -> None:
    # An independent route: the empirical survival of inverse-transform draws.
    times = sorted(times)
    masses = tuple(1.0 / (len(times) + 1) for _ in times)
    tau = steps(tuple(times), masses, "x")
    draws = tau.sample(4000, seed=seed)
    for t in times:
        empirical = float(np.mean(draws > t))
        assert abs(empirical - float(tau.survival(t))) < 0.05  # 6 standard errors
    assert float(np.mean(np.isinf(draws))) == pytest.approx(tau.never, abs=0.05)


def test_sampling_a_continuous_piece() -> None:
    tau = AgreementTime(((0.0, math.inf, 0.5, 0.25),), "x")
    draws = tau.sample(200_000, seed=2007)
    assert float(np.mean(draws == 0.0)) == pytest.approx(0.5, abs=0.005)
    assert float(np.mean(draws[draws > 0])) == pytest.approx(4.0, rel=0.02)  # 1/κ


def test_certain_agreement() -> None:
    assert certain(0.0, "x").survival(0.0) == 0.0
    assert certain(3.0, "x").survival(2.999) == 1.0 and certain(3.0, "x").survival(3.0) == 0.0
    assert certain(math.inf, "x").never == 1.0


@pytest.mark.parametrize(
    "pieces",
    [
        ((0.5, math.inf, 1.0, 0.0),),  # does not start at 0
        ((0.0, 2.0, 1.0, 0.0),),  # does not end at inf
        ((0.0, 1.0, 0.5, 0.0), (1.0, math.inf, 0.9, 0.0)),  # G rises
        ((0.0, 1.0, 0.5, 0.0), (2.0, math.inf, 0.1, 0.0)),  # a gap
        ((0.0, math.inf, 1.0, -1.0),),  # a negative hazard
    ],
)
def test_malformed_pieces_are_refused(pieces) -> None:
    with pytest.raises(ModelError, match=r"\[agreement\] pieces"):
        AgreementTime(pieces, "x")


def test_steps_refuse_masses_above_one() -> None:
    with pytest.raises(ModelError, match="at most 1"):
        steps((1.0, 2.0), (0.6, 0.6), "x")


def test_survival_refuses_nan() -> None:
    with pytest.raises(ModelError, match="NaN"):
        certain(1.0, "x").survival(float("nan"))
