"""Payoffs near or beyond floating point: the right answer, or a typed error.

``exp(705 x)`` on ``[0, 1]`` peaks at ``e^705 ~ 1.7e306``, within floating point, but its
slope ``705 e^705`` is not: the solvers must still answer (no ``LinAlgError``, no hang).
A power tower ``(1 + x)**(1 + x)**...`` of eight or twelve levels is beyond floating point
inside the box: a typed error, never a ``MemoryError``.
"""

from __future__ import annotations

import resource

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
