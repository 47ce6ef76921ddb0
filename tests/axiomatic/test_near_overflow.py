"""Payoffs near or beyond floating point: the right answer, or a typed error.

``exp(705 x)`` on ``[0, 1]`` peaks at ``e^705 ~ 1.7e306``, within floating point, but its
slope ``705 e^705`` is not: the solvers must still answer (no ``LinAlgError``, no hang),
and answer right: the Kalai–Smorodinsky solution of ``exp(k x)`` against ``1 - x`` is the
root of ``e^(k (x - 1)) = 1 - x``, ``x = 1 - W(k) / k`` with Lambert's ``W`` (Corless,
Gonnet, Hare, Jeffrey & Knuth, "On the Lambert W function", *Adv. Comput. Math.* 5,
329-359, 1996), checked against ``mpmath.findroot`` in 50 digits.
A power tower ``(1 + x)**(1 + x)**...`` of eight or twelve levels is beyond floating point
inside the box: a typed error, never a ``MemoryError``.
"""

from __future__ import annotations

import resource

import mpmath
import pytest

import bargain
from bargain.errors import UndefinedPayoffError
from bargain.model.modelfile import model_from_dict


def _model(payoff: str) -> bargain.Model:
    return model_from_dict(
        {
            "model": {"name": "overflow"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {"W": {"payoff": payoff, "disagreement": 0}, "A": {"payoff": "1 - x"}},
        }
    )


@pytest.fixture
def cpu_bound():
    """At most 120 s of CPU time for the test (a hang fails, it does not wait)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    used = int(resource.getrusage(resource.RUSAGE_SELF).ru_utime)
    resource.setrlimit(resource.RLIMIT_CPU, (used + 120, hard))
    yield
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


@pytest.mark.parametrize("exact", [True, False], ids=["exact", "numeric"])
def test_exp705_nash(cpu_bound, exact):
    # Nash (1950): maximise log(e^(705 x)) + log(1 - x) = 705 x + log(1 - x);
    # the first-order condition 705 = 1 / (1 - x) gives x = 1 - 1/705 = 704/705.
    s = bargain.nash(_model("exp(705*x)"), exact=exact)
    assert s.agreement["x"] == pytest.approx(704 / 705, rel=1e-12)


def test_exp705_utilitarian(cpu_bound):
    # The sum e^(705 x) + 1 - x is convex and increasing on [0, 1] (slope 705 e^(705 x) - 1
    # > 0): its maximum is the bound x = 1 (Harsanyi 1955; utilitarian sum of payoffs).
    s = bargain.SOLVERS["utilitarian"](_model("exp(705*x)"))
    assert s.agreement["x"] == 1.0


def test_exp705_egalitarian(cpu_bound):
    # Kalai (1977), egalitarian: equal gains e^(705 x) = 1 - x hold at x = 0 (both gain 1).
    s = bargain.SOLVERS["egalitarian"](_model("exp(705*x)"))
    assert s.agreement["x"] == pytest.approx(0.0, abs=1e-12)


def ks_share(k: int) -> float:
    """Kalai & Smorodinsky (1975) on u_W = e^(k x), u_A = 1 - x, x in [0, 1], d = 0: the
    ideal point is (e^k, 1) (x = 1 for W, x = 0 for A), and the agreement on the segment
    from d to it has e^(k x) / e^k = (1 - x) / 1. With y = 1 - x, y e^(k y) = 1, so
    k y = W(k) (Lambert's W, Corless et al. 1996, eq. 1.5); the root found by mpmath in
    50 digits from a bracket must be the same."""
    with mpmath.workdps(50):
        closed = 1 - mpmath.lambertw(k).real / k
        root = mpmath.findroot(
            lambda x: mpmath.exp(k * (x - 1)) - (1 - x), (0.9, 0.99999), solver="anderson"
        )
        assert abs(closed - root) < mpmath.mpf(10) ** -40
        return float(closed)


@pytest.mark.parametrize("k", [600, 700, 705, 709])
@pytest.mark.parametrize("exact", [True, False], ids=["exact", "numeric"])
def test_kalai_smorodinsky_near_overflow(cpu_bound, k, exact):
    # The common-gain program's weights are the ideal gains (e^k, 1): its gain constraint
    # e^(k x) - t e^k ranges over 300 orders of magnitude on the box. At k = 700 it gave
    # x = 0.238 (the zooms took the gain towards 0), at k = 600 x = 0 (a point whose bound
    # multiplier had the wrong sign, taken for a maximum), at 705 and 709 "no agreement
    # improves on disagreement".
    s = bargain.kalai_smorodinsky(_model(f"exp({k}*x)"), exact=exact)
    assert s.agreement["x"] == pytest.approx(ks_share(k), rel=1e-13)
    assert s.extra["gain_ratio"]["W"] == pytest.approx(s.extra["gain_ratio"]["A"], rel=1e-9)


@pytest.mark.parametrize("k", [700, 709])
def test_the_other_concepts_near_overflow(cpu_bound, k):
    # Nash (1950): 1 - 1/k, as at 705; utilitarian: the bound x = 1 (the sum is increasing);
    # egalitarian (Kalai 1977): x = 0, where both gain 1 (at 709 it gave 1.16e-8).
    m = _model(f"exp({k}*x)")
    assert bargain.nash(m).agreement["x"] == pytest.approx(1 - 1 / k, rel=1e-12)
    assert bargain.SOLVERS["utilitarian"](m).agreement["x"] == 1.0
    assert bargain.SOLVERS["egalitarian"](m).agreement["x"] == pytest.approx(0.0, abs=1e-12)


@pytest.mark.parametrize("levels", [8, 12])
def test_power_tower_beyond_floating_point(cpu_bound, levels):
    # (1 + x) tower of 8 levels at x = 0.85 has an exponent of millions of digits.
    tower = "**".join(["(1+x)"] * levels)
    with pytest.raises(UndefinedPayoffError, match="beyond floating point"):
        bargain.nash(_model(tower))


def test_power_tower_overflowing_before_the_optimum(cpu_bound):
    # Five levels: finite where the search starts, but the log Nash product
    # log(W) + log(1 - x) keeps rising towards x = 1, where W = 2**2**2**2**2 = 2**65536
    # is beyond floating point (W's log rises like 65536 log 2 against log(1 - x)).
    tower = "**".join(["(1+x)"] * 5)
    with pytest.raises(UndefinedPayoffError, match="beyond floating point"):
        bargain.nash(_model(tower))
