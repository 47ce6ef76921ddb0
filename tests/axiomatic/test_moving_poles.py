"""A payoff with a pole that moves with the other variables (a line, a curve across the
box) is refused naming the payoff and where, as a pole in one variable is (user pass s26,
fault 10)."""

from __future__ import annotations

import re

import mpmath
import numpy as np
import pytest

import bargain
from tests.conftest import two_party

AXIOMATIC = ["nash", "kalai-smorodinsky", "egalitarian", "utilitarian"]
BOX = {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}}


def _pole(message: str) -> tuple[str, float, dict[str, float]]:
    """The variable, the pole and the other variables' values a refusal names."""
    found = re.search(r"as (\w+) -> ([-\d.e+]+) from \w+ \(at ([^)]*)\)", message)
    assert found is not None, message
    others = dict(pair.split(" = ") for pair in found.group(3).split(", "))
    return found.group(1), float(found.group(2)), {k: float(v) for k, v in others.items()}


@pytest.mark.parametrize("method", AXIOMATIC)
@pytest.mark.parametrize(
    ("payoff_w", "denominator"),
    [
        # The pole line a + b = 1.3 crosses the centre's row (b = 0.8 at a = 0.5).
        ("1/(1.3 - a - b)", lambda a, b: 1.3 - a - b),
        # a + b = 1.9 misses the centre's rows: found along a variable's range.
        ("1/(1.9 - a - b)", lambda a, b: 1.9 - a - b),
        # A hyperbola a b = 0.1.
        ("1/(a*b - 0.1)", lambda a, b: a * b - 0.1),
    ],
)
def test_a_pole_across_a_box_of_two_variables_is_refused_where_it_is(method, payoff_w, denominator):
    # A's payoff -> oo towards the curve while B's, 2 - a - b, is >= 0.1 > 0 there: the set
    # of payoffs is unbounded (Nash 1950 and Kalai & Smorodinsky 1975 assume it compact).
    m = two_party(payoff_w, "2 - a - b", variables=BOX)
    with pytest.raises(bargain.UnboundedError) as info:
        bargain.SOLVERS[method](m)
    message = str(info.value)
    assert message.startswith("[parties.A] payoff: grows without bound as ")
    name, pole, others = _pole(message)
    point = {**others, name: pole}
    assert 0 <= point["a"] <= 1 and 0 <= point["b"] <= 1
    # The point named is on the pole (to the digits shown), and A's payoff is unbounded
    # beside it:
    # the payoff at a millionth of the width from it, in 30 digits, is beyond 1e5.
    assert abs(denominator(point["a"], point["b"])) <= 1e-5
    with mpmath.workdps(30):
        step = mpmath.mpf("1e-7")
        near = {k: mpmath.mpf(v) for k, v in point.items()}
        values = []
        for sign in (-1, 1):
            moved = {**near, name: near[name] + sign * step}
            if 0 <= moved[name] <= 1 and denominator(moved["a"], moved["b"]) != 0:
                values.append(abs(1 / denominator(moved["a"], moved["b"])))
        assert max(values) > 1e5


def test_a_pole_plane_in_three_variables_is_refused():
    m = bargain.model_from_dict(
        {
            "model": {"name": "three"},
            "variables": {k: {"min": 0, "max": 1} for k in "abc"},
            "parties": {
                "W": {"payoff": "1/(2.6 - a - b - c)"},
                "A": {"payoff": "3 - a - b - c"},
            },
        }
    )
    with pytest.raises(bargain.UnboundedError) as info:
        bargain.nash(m)
    _, pole, others = _pole(str(info.value))
    assert sum(others.values()) + pole == pytest.approx(2.6, abs=1e-5)


@pytest.mark.parametrize(
    ("payoff_w", "w", "corner"),
    [
        # (2 - s) / (2.5 - s), s = a + b, falls in s: a = b = 0.
        ("1/(2.5 - a - b)", lambda a, b: 1 / (2.5 - a - b), (0.0, 0.0)),
        # (2 - a - b) / (a - b + 1.5) falls in a and rises in b: (0, 1).
        ("1/(a - b + 1.5)", lambda a, b: 1 / (a - b + 1.5), (0.0, 1.0)),
    ],
)
def test_a_pole_line_outside_the_box_is_no_refusal(payoff_w, w, corner):
    # a + b <= 2 < 2.5 and a - b >= -1 > -1.5 in the box: A's payoff is finite everywhere, and the
    # Nash product's maximum is a corner (its slopes' signs), checked on a grid too.
    m = two_party(payoff_w, "2 - a - b", variables=BOX)
    s = bargain.nash(m)
    assert (s.agreement["a"], s.agreement["b"]) == pytest.approx(corner, abs=1e-12)
    grid = np.linspace(0, 1, 201)
    a, b = np.meshgrid(grid, grid, indexing="ij")
    product = w(a, b) * (2 - a - b)
    k = np.unravel_index(np.argmax(product), product.shape)
    assert (grid[k[0]], grid[k[1]]) == pytest.approx(corner, abs=1e-12)
