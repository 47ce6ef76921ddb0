"""Tolerances on the problem's own scale: the same model in dollars, $M or $bn, same answer.

Every tolerance in ``bargain`` is *relative*: a quantity is compared with the
size of the numbers it was computed from, never with a fixed absolute number.
A model whose payoffs are in dollars (1e9) and the same model in billions
(1) then take the same decisions: which constraints bind, whether an agreement
improves on disagreement, whether a strategy is a best response. This module
holds the one rule, used by the optimiser (:mod:`bargain.axiomatic.program`),
the bargaining problem, Rubinstein's game and the promise games.

Examples
--------
>>> magnitude([3e9, -5e9, float("nan")])
5000000000.0
>>> unit([3e9, -5e9]), unit([0.0]), unit([3e-10]), unit([1.7e308])
(8589934592.0, 1.0, 4.656612873077393e-10, 8.98846567431158e+307)
>>> negligible(1e-3, [1e9, 2e9]), negligible(1e-3, [1.0])
(True, False)
>>> negligible(0.5, [6e8 + 0.5, 6e8], ROUNDING), negligible(1e-7, [6e8], ROUNDING)
(False, True)
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable

RTOL = 1e-9  # two numbers agree when they differ by this much relative to their scale
# The rounding a float carries: a few units in the last place of the numbers it came from.
# A difference larger than this is real (a gain of $1 on payoffs of 1e9 is 1e-9 of them).
ROUNDING = 8 * sys.float_info.epsilon


def magnitude(values: Iterable[float]) -> float:
    """The largest absolute value among the finite ``values``; ``0.0`` if there is none."""
    return max((abs(float(v)) for v in values if math.isfinite(float(v))), default=0.0)


def unit(values: Iterable[float], default: float = 1.0) -> float:
    """The power of two nearest above the ``magnitude`` of ``values`` (``default`` if it is
    zero).

    A power of two, so that dividing by it and multiplying back is exact in
    floating point: scaling a problem to this unit adds no rounding error. The
    ``default`` is used only when every value is zero, where the values show no scale.
    The unit stays within the normal floating-point numbers, ``2**-1022`` to ``2**1023``
    (about 2.2e-308 to 9e307), so that a ratio of two units is finite: values above
    ``2**1023`` are at most 2 in it, subnormal ones (1e-320) less than 1.

    >>> unit([0.3]), unit([1e308]) == 2.0**1023, unit([1e-320]) == 2.0**-1022
    (0.5, True, True)
    """
    size = magnitude(values)
    return default if size == 0 else math.ldexp(1.0, min(max(math.frexp(size)[1], -1022), 1023))


def negligible(x: float, reference: Iterable[float], rtol: float = RTOL) -> bool:
    """Whether ``|x|`` is at most ``rtol`` times the ``magnitude`` of ``reference``: zero up to
    the rounding of the numbers ``x`` was computed from."""
    return abs(float(x)) <= rtol * magnitude(reference)


def exceeds(a: float, b: float, rounding: float = 64 * ROUNDING, inputs: float = 0.0) -> bool:
    """Whether ``a`` exceeds ``b`` by more than ``rounding`` of their magnitude, or of
    ``inputs`` where that is larger (the size of the numbers ``a`` was computed from): a
    payoff above its disagreement payoff beyond the rounding of the two (a gain, not noise).

    >>> exceeds(1.0 + 1e-12, 1.0), exceeds(1.0 + 1e-15, 1.0), exceeds(1e-8, 0.0, inputs=1e9)
    (True, False, False)
    """
    return a - b > rounding * magnitude([a, b, inputs])


__all__ = ["ROUNDING", "RTOL", "exceeds", "magnitude", "negligible", "unit"]
