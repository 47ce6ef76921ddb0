"""One formatter for printed numbers: significant figures, no -0, optional noise floor."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bargain.rounding import sig


def test_significant_figures_and_zero():
    assert sig(2 / 3, 4) == "0.6667"
    assert sig(-0.0) == "0" and sig(-1e-300, 3) == "-1e-300"
    assert sig(-4e-7, 2) == "-4e-07" and sig(-4e-7, 2, zero=1e-6) == "0"


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(1, 12))
def test_it_never_prints_minus_zero_and_rounds_to_the_digits_asked(x, digits):
    text = sig(x, digits)
    assert text != "-0"
    assert float(text) == float(f"{x:.{digits}g}")
