"""Payoffs undefined outside the constraints, and the leximin step of the egalitarian
solution.

A payoff such as ``sqrt(1 - x - y)`` with the constraint ``x + y <= 1`` is defined on the
whole contract set; the box's starting points outside the constraints must not make the
solvers refuse it (only a value undefined at a contract meeting every constraint is an
error). The closed forms are derived in the comments (first-order conditions of the
log Nash product, Nash 1950 / Roth 1979 §I.A for unequal powers; Kalai & Smorodinsky 1975;
Kalai 1977; the leximin point, Imai 1983, *Econometrica* 51) and checked against an
independent numeric route: a search in the coordinates ``s = 1 - x - y`` and ``y``, where
every payoff is defined, or a brute-force leximin over a grid.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from scipy.optimize import minimize

import bargain
from bargain.axiomatic.problem import BargainingProblem
from bargain.errors import UndefinedPayoffError


def three_eq(v: str = "1") -> bargain.Model:
    """The tryout's three_eq.toml: A x, B y, C sqrt(V) sqrt(V - x - y), x + y <= V."""
    return bargain.model_from_dict(
        {
            "model": {"name": "three_eq"},
            "parameters": {"V": v},
            "variables": {"x": {"min": 0, "max": "V"}, "y": {"min": 0, "max": "V"}},
            "constraints": {"budget": "x + y <= V"},
            "parties": {
                "A": {"payoff": "x"},
                "B": {"payoff": "y"},
                "C": {"payoff": "sqrt(V)*sqrt(V - x - y)"},
            },
        }
    )


def two_var() -> bargain.Model:
    """The tryout's two_var.toml: A x + y/2, B sqrt(1 - x - y) + y, x + y <= 1."""
    return bargain.model_from_dict(
        {
            "model": {"name": "two_var"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"budget": "x + y <= 1"},
            "parties": {"A": {"payoff": "x + y/2"}, "B": {"payoff": "sqrt(1 - x - y) + y"}},
        }
    )


def capped(cap: str) -> bargain.Model:
    """The tryout's three_kink.toml with C's cap a parameter: A x, B y, C min(1 - x - y, c)."""
    return bargain.model_from_dict(
        {
            "model": {"name": "three_kink"},
            "parameters": {"c": cap},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"budget": "x + y <= 1"},
            "parties": {
                "A": {"payoff": "x"},
                "B": {"payoff": "y"},
                "C": {"payoff": "min(1 - x - y, c)"},
            },
        }
    )


def two_var_payoffs(z: np.ndarray) -> tuple[float, float]:
    """two_var's payoffs at s = 1 - x - y and y (z's first two entries)."""
    s, y = z[0], z[1]
    return 1 - s - y + y / 2, math.sqrt(s) + y


def two_var_numeric(objective=None, weights=None) -> tuple[float, float]:
    """Maximise ``objective(A, B)`` of two_var, or (``weights``) the largest ``t`` with
    ``A >= w_A t`` and ``B >= w_B t``, over s = 1 - x - y >= 0, y >= 0, x >= 0, where every
    payoff is defined; returns (x, y)."""
    cons = [{"type": "ineq", "fun": lambda z: 1 - z[0] - z[1]}]
    if weights is not None:
        cons += [
            {"type": "ineq", "fun": lambda z, k=k: two_var_payoffs(z)[k] - weights[k] * z[2]}
            for k in range(2)
        ]

        def negative(z: np.ndarray) -> float:
            return -z[2]
    else:

        def negative(z: np.ndarray) -> float:
            return -objective(*two_var_payoffs(z))

    best = None
    for z0 in ([0.1, 0.5, 0.0], [0.3, 0.3, 0.0], [0.05, 0.8, 0.0]):
        found = minimize(
            negative,
            z0 if weights is not None else z0[:2],
            bounds=[(1e-12, 1), (0, 1), (None, None)][: 3 if weights is not None else 2],
            constraints=cons,
            method="SLSQP",
            options={"ftol": 1e-15, "maxiter": 1000},
        )
        if best is None or found.fun < best.fun:
            best = found
    s, y = best.x[:2]
    return 1 - s - y, y


@pytest.mark.parametrize("v", ["1", "4"])
def test_three_parties_nash_with_a_payoff_undefined_outside_the_budget(v):
    # max log x + log y + (1/2) log(V - x - y): 1/x = 1/(2 (V - x - y)) = 1/y, so x = y = 2V/5.
    s = bargain.nash(three_eq(v))
    assert s.agreement["x"] == pytest.approx(0.4 * float(v), rel=1e-12)
    assert s.agreement["y"] == pytest.approx(0.4 * float(v), rel=1e-12)
    exact = sympy.Rational(2, 5) * int(v)
    assert s.exact_agreement == {"x": exact, "y": exact}


def test_three_parties_weighted_nash():
    # Powers 1:2:1: max log x + 2 log y + (1/2) log(1 - x - y): with s = 1 - x - y,
    # 1/x = 1/(2s), 2/y = 1/(2s): x = 2s, y = 4s, 7s = 1: x = 2/7, y = 4/7.
    s = bargain.nash(three_eq(), powers={"A": 1, "B": 2, "C": 1})
    assert s.agreement["x"] == pytest.approx(2 / 7, rel=1e-12)
    assert s.agreement["y"] == pytest.approx(4 / 7, rel=1e-12)


@pytest.mark.parametrize("method", ["kalai-smorodinsky", "egalitarian"])
def test_three_parties_ks_and_egalitarian(method):
    # Ideal payoffs 1 each (the disagreement point 0): both equalise the payoffs,
    # x = y = sqrt(1 - 2x), x^2 + 2x - 1 = 0: x = sqrt(2) - 1.
    s = bargain.SOLVERS[method](three_eq())
    for name in ("x", "y"):
        assert s.agreement[name] == pytest.approx(math.sqrt(2) - 1, rel=1e-12)


def test_three_parties_utilitarian():
    # x + y + sqrt(1 - x - y) is maximal where 1 = 1 / (2 sqrt(1 - x - y)): x + y = 3/4, a
    # whole segment; its tie-break (the Nash product) takes x = y = 3/8. Sum 5/4.
    s = bargain.utilitarian(three_eq())
    assert s.extra["total"]["sum"] == pytest.approx(1.25, rel=1e-9)
    assert s.agreement["x"] == pytest.approx(0.375, abs=1e-6)
    assert s.agreement["y"] == pytest.approx(0.375, abs=1e-6)


def test_two_parties_nash_with_a_payoff_undefined_outside_the_budget():
    # A = x + y/2, B = sqrt(s) + y with s = 1 - x - y. d/dx: 1/A = 1/(2 sqrt(s) B), so
    # A = 2 sqrt(s) B; d/dy: 1/(2A) = (1/(2 sqrt(s)) - 1)/B. Together B/2 + 2 sqrt(s) B - B = 0:
    # sqrt(s) = 1/4, s = 1/16; A = B/2 gives x = 1/8, y = 13/16.
    s = bargain.nash(two_var())
    assert s.exact_agreement == {"x": sympy.Rational(1, 8), "y": sympy.Rational(13, 16)}
    x, y = two_var_numeric(lambda a, b: math.log(a) + math.log(b))
    assert (x, y) == pytest.approx((1 / 8, 13 / 16), abs=1e-6)


def test_two_parties_other_concepts_with_a_payoff_undefined_outside_the_budget():
    # Utilitarian: x + 3y/2 + sqrt(s) rises faster in y: x = 0, sqrt(1 - y) = 1/3, y = 8/9.
    # Egalitarian: for each s, A = B at y = 2(1 - s - sqrt(s))/3; t = 2(1 - s)/3 + sqrt(s)/3
    # is maximal at sqrt(s) = 1/4: y = 11/24, x = 23/48 (t = 17/24).
    # KS: ideals A 1 (x = 1), B 5/4 (x = 0, s = 1/4); B = 5A/4 is again best at
    # sqrt(s) = 1/4: y = 59/104, x = 77/208.
    expected = {
        "utilitarian": ((0, 8 / 9), {"objective": lambda a, b: a + b}),
        "egalitarian": ((23 / 48, 11 / 24), {"weights": (1, 1)}),
        "kalai-smorodinsky": ((77 / 208, 59 / 104), {"weights": (1, 1.25)}),
    }
    for method, (point, route) in expected.items():
        s = bargain.SOLVERS[method](two_var())
        assert (s.agreement["x"], s.agreement["y"]) == pytest.approx(point, abs=1e-12), method
        assert two_var_numeric(**route) == pytest.approx(point, abs=1e-6), method


def test_starts_outside_the_constraints_are_moved_in_or_dropped():
    problem = BargainingProblem(three_eq())
    box = problem.box_starts()
    inside = problem.contract_starts()
    assert any(not problem.satisfies(x) for x in box)  # the Sobol sample leaves the budget
    assert all(x[0] + x[1] <= 1 for x in inside)
    assert len(inside) >= len(box) - 2


def test_a_payoff_undefined_inside_the_constraints_is_still_refused():
    # sqrt(x - y) is undefined where y > x, which the budget allows.
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"budget": "x + y <= 1"},
            "parties": {"A": {"payoff": "x + y"}, "B": {"payoff": "sqrt(x - y)"}},
        }
    )
    with pytest.raises(UndefinedPayoffError, match=r"parties\.B.*inside the contract set"):
        bargain.nash(m)


def leximin_on_grid(cap: float, n: int = 240) -> tuple[float, float]:
    """The leximin contract of ``capped(cap)`` among the grid points ``k / n``."""
    best, where = None, None
    for i in range(n + 1):
        for j in range(n + 1 - i):
            x, y = i / n, j / n
            key = tuple(sorted(round(g, 12) for g in (x, y, min(1 - x - y, cap))))
            if best is None or key > best:
                best, where = key, (x, y)
    return where


def test_leximin_fixes_the_capped_party_and_shares_the_rest_equally():
    # C's gain is capped at 1/4, below the equal split 1/3: C is held at 1/4, and A and B
    # share the remaining 3/4 equally (leximin, Imai 1983): x = y = 3/8. The sum of gains is
    # 1 on the whole segment x + y = 3/4 beyond it, so a largest-sum rule does not pick this.
    s = bargain.egalitarian(capped("0.25"))
    assert s.exact_agreement == {"x": sympy.Rational(3, 8), "y": sympy.Rational(3, 8)}
    assert s.extra["gain"]["t"] == pytest.approx(0.25, rel=1e-12)
    assert leximin_on_grid(0.25) == (0.375, 0.375)
    numeric = bargain.egalitarian(capped("0.25"), exact=False)
    assert numeric.agreement["x"] == pytest.approx(0.375, abs=1e-9)
    assert numeric.agreement["y"] == pytest.approx(0.375, abs=1e-9)


@pytest.mark.parametrize("k", [1, 13, 39])
def test_leximin_is_symmetric_in_symmetric_parties(k):
    # Caps k/120 below 1/3: C is held at the cap, A and B get (1 - cap)/2 each.
    cap = k / 120
    s = bargain.egalitarian(capped(f"{k}/120"), exact=False)
    assert s.agreement["x"] == pytest.approx((1 - cap) / 2, abs=1e-8)
    assert s.agreement["y"] == pytest.approx((1 - cap) / 2, abs=1e-8)


def test_a_leximin_stage_starting_outside_the_floors(search_methods):
    # The second stage holds C at its cap 1/120: the box's starts break C's floor, and from
    # three of them SLSQP ended outside it, where trust-constr took its 3000 steps (4 s
    # each) to stop short of the maximum the other starts had found. Each is first moved
    # into the floors (a phase one of its own), which lands at that maximum.
    s = bargain.egalitarian(capped("1/120"), exact=False)
    assert s.agreement["x"] == pytest.approx((1 - 1 / 120) / 2, rel=1e-12)
    assert s.agreement["y"] == pytest.approx((1 - 1 / 120) / 2, rel=1e-12)
    assert "SLSQP" in search_methods
    assert search_methods.count("trust-constr") <= 1


@pytest.mark.parametrize("method", ["nash", "kalai-smorodinsky", "utilitarian", "egalitarian"])
def test_a_payoff_outside_its_domain_is_named_so_by_every_concept(method):
    # The tryout's wb4: A = sqrt(1 - x) on x in [-1e300, 1e300] is undefined for x > 1,
    # inside the contract set: every concept refuses it the same way, saying it is outside
    # the payoff's domain (not "a pole"; the egalitarian once claimed that no agreement
    # improves on disagreement, though x in (0, 1) gives both parties more).
    m = bargain.model_from_dict(
        {
            "model": {"name": "wb4"},
            "variables": {"x": {"min": "-1e300", "max": "1e300"}},
            "parties": {"W": {"payoff": "x"}, "A": {"payoff": "sqrt(1 - x)"}},
        }
    )
    with pytest.raises(UndefinedPayoffError) as info:
        bargain.SOLVERS[method](m)
    message = str(info.value)
    assert "[parties.A] payoff" in message and "outside its domain" in message
    assert "pole" not in message


def test_a_pole_is_named_a_pole():
    # W = -log(1 - x) at x = 1 (the tryout's pole3, for Rubinstein's game): infinite there.
    m = bargain.model_from_dict(
        {
            "model": {"name": "pole3"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "-log(1 - x)", "discount_factor": 0.9},
                "A": {"payoff": "sqrt(1 - x)", "discount_factor": 0.9},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )
    with pytest.raises(UndefinedPayoffError, match=r"at x = 1 \(infinite: the payoff has a pole"):
        BargainingProblem(m).payoff_values({m.variables[0].symbol: 1.0})
