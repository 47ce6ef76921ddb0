"""The tabulated Sobol starts are scipy's scrambled Sobol sample (Sobol 1967; Owen scrambling)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc

from bargain.axiomatic.starts import N_RANDOM_STARTS, TABULATED, sobol_starts


@pytest.mark.parametrize("d", list(range(1, TABULATED + 2)))
def test_starts_are_scipys_sobol_sample(d):
    expected = qmc.Sobol(d=d, scramble=True, seed=0).random(N_RANDOM_STARTS)
    assert np.array_equal(sobol_starts(d), expected)
    assert not sobol_starts(d).flags.writeable
