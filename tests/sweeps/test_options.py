"""A sweep's (and a calibration's) solver options are checked up front as the scalar
solvers check them: a typed error naming the option, never every point ``infeasible``."""

from __future__ import annotations

import math

import pytest

import bargain
from bargain.errors import ModelError
from tests.conftest import shipped

BAD = [
    ("nash", {"powers": {"W": "2", "A": 1}}, ("power", "W")),
    ("nash", {"powers": {"W": "abc", "A": 1}}, ("power", "W")),
    ("nash", {"powers": {"Z": 1}}, ("parties", "Z")),
    ("nash", {"powers": "W"}, ("sweep", "powers")),
    ("nash", {"limit": "yes"}, ("sweep", "limit")),
    ("rubinstein", {"period": "0.5"}, ("rubinstein", "period")),
    ("rubinstein", {"period": -1}, ("rubinstein", "period")),
    ("rubinstein", {"proposer": "Z"}, ("parties", "Z")),
    ("rubinstein", {"proposer": 0}, ("sweep", "proposer")),
    ("rubinstein", {"horizon": 2.5}, ("bargaining", "horizon")),
    ("rubinstein", {"horizon": "x"}, ("bargaining", "horizon")),
]


@pytest.mark.parametrize(("method", "options", "where"), BAD, ids=[str(i) for i in range(len(BAD))])
def test_a_bad_option_is_refused_before_any_point(method, options, where):
    split = shipped("split")
    with pytest.raises(ModelError) as err:
        bargain.sweep(split, method, vary={"V": (0.5, 2.0, 3)}, **options)
    assert (err.value.table, err.value.key) == where
    with pytest.raises(ModelError):
        bargain.tornado(split, method, {"V": (0.5, 2.0)}, output="x", **options)


def test_the_scalar_solvers_refuse_the_same():
    split = shipped("split")
    for method, options, where in BAD:
        if where[0] == "sweep":
            continue  # the sweep's own checks of a value's type
        with pytest.raises(ModelError) as err:
            bargain.SOLVERS[method](split, **options)
        assert (err.value.table, err.value.key) == where


@pytest.mark.parametrize("match", ["rubinstein[proposer=Z]:x=0.3", "rubinstein[period=abc]:x=0.3"])
def test_calibrate_refuses_a_bad_option(match):
    with pytest.raises(ModelError, match=r"\[parties\] Z|\[rubinstein\] period"):
        bargain.calibrate(shipped("split"), ["d_W"], [match])


def test_a_horizon_written_inf_sweeps_as_the_scalar_solver_reads_it():
    """Infinite horizon: x = V (1 - δ_A)/(1 - δ_W δ_A) (Rubinstein 1982, *Econometrica*
    50(1)), with the split's δ_W = 0.9, δ_A = 0.8 at V = 1: 0.2/0.28."""
    split = shipped("split")
    frame = bargain.sweep(split, "rubinstein", vary={"V": (0.5, 2.0, 4)}, horizon="inf")
    scalar = [
        bargain.rubinstein(split.with_values({"V": v}), horizon=math.inf).agreement["x"]
        for v in (0.5, 1.0, 1.5, 2.0)
    ]
    assert frame["x"].tolist() == pytest.approx(scalar, rel=1e-12)
    assert frame["x"].iloc[1] == pytest.approx(0.2 / 0.28, rel=1e-12)
