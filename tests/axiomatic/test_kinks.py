"""Kinked payoffs and constraints: ``min``, ``max``, ``abs`` and ``Piecewise``.

Every axiomatic concept must give the same answer for a kinked frontier as for the
same frontier written with constraints (a concave piecewise-linear frontier
``u_A = min(l_1, l_2)`` is the set ``a <= l_1, a <= l_2``), and a kink can be the
answer. The right values follow from the first-order conditions on each piece
(Nash 1950; Kalai & Smorodinsky 1975; Muthoo 1999, §2.2).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

import bargain
from bargain.model.expr import parse_expression
from tests.conftest import two_party

AXIOMATIC = ("nash", "kalai-smorodinsky", "egalitarian", "utilitarian")
TOL = 1e-9


def constrained(pieces: tuple[str, ...], x_max: float) -> bargain.Model:
    """The frontier ``u_B = min(pieces)`` written as constraints on a second variable."""
    return two_party(
        "x",
        "a",
        variables={"x": {"min": 0, "max": x_max}, "a": {"min": 0, "max": 10}},
        constraints={f"piece{k}": f"a <= {p}" for k, p in enumerate(pieces)},
    )


def kinked(payoff_b: str, x_max: float) -> bargain.Model:
    return two_party("x", payoff_b, variables={"x": {"min": 0, "max": x_max}})


def assert_same(method: str, kink: bargain.Model, reference: bargain.Model) -> bargain.Solution:
    s, r = bargain.SOLVERS[method](kink), bargain.SOLVERS[method](reference)
    assert s.agreement["x"] == pytest.approx(r.agreement["x"], abs=TOL)
    for party in ("A", "B"):
        assert s.payoffs[party] == pytest.approx(r.payoffs[party], abs=TOL)
    return s


@pytest.mark.parametrize("method", AXIOMATIC)
def test_min_frontier_matches_constraints(method):
    # The shared case kink_min.toml: u_B = min(1 - x/2, 7/4 - 2x) on [0, 7/8], kink at x = 1/2.
    # Nash and utilitarian: on the left piece x (1 - x/2) and x + 1 - x/2 still rise at 1/2,
    # on the right piece x (7/4 - 2x) and x + 7/4 - 2x fall: the kink x = 1/2 is the answer.
    # KS: ideal (7/8, 1), x / (7/4 - 2x) = 7/8 gives x = 49/88; egalitarian: x = 7/4 - 2x.
    s = assert_same(
        method,
        kinked("min(1 - 0.5*x, 1.75 - 2*x)", 0.875),
        constrained(("1 - 0.5*x", "1.75 - 2*x"), 0.875),
    )
    expected = {
        "nash": sympy.Rational(1, 2),
        "utilitarian": sympy.Rational(1, 2),
        "kalai-smorodinsky": sympy.Rational(49, 88),
        "egalitarian": sympy.Rational(7, 12),
    }[method]
    assert s.agreement["x"] == pytest.approx(float(expected), abs=TOL)
    assert s.exact_agreement == {"x": expected}


@pytest.mark.parametrize("method", AXIOMATIC)
def test_max_zero_is_the_line(method):
    # The shared case max_zero.toml: max(0, 1 - x) is 1 - x on [0, 1], so every concept
    # answers as for payoffs x and 1 - x (x = 1/2; utilitarian: a tie broken at 1/2).
    s = bargain.SOLVERS[method](kinked("max(0, 1 - x)", 1))
    line = bargain.SOLVERS[method](kinked("1 - x", 1))
    assert s.agreement["x"] == pytest.approx(0.5, abs=TOL)
    assert s.agreement["x"] == pytest.approx(line.agreement["x"], abs=TOL)
    assert s.payoffs["B"] == pytest.approx(0.5, abs=TOL)


@pytest.mark.parametrize("method", AXIOMATIC)
@pytest.mark.parametrize(
    "payoff_b",
    [
        "1.5 - 1.25*x - abs(x - 0.6)",
        "Piecewise((0.9 - 0.25*x, x <= 0.6), (2.1 - 2.25*x, True))",
        "min(0.9 - 0.25*x, 2.1 - 2.25*x, 3)",
    ],
)
def test_other_kink_matches_constraints(method, payoff_b):
    # One frontier written with abs, Piecewise and min: u_B = 0.9 - x/4 up to x = 0.6, then
    # 2.1 - 9x/4. Nash: d/dx x (0.9 - x/4) = 0.6 > 0 and d/dx x (2.1 - 9x/4) = -0.6 < 0 at
    # 0.6, so the kink x = 3/5 is the Nash point.
    s = assert_same(
        method, kinked(payoff_b, 0.9), constrained(("0.9 - 0.25*x", "2.1 - 2.25*x"), 0.9)
    )
    if method == "nash":
        assert s.exact_agreement == {"x": sympy.Rational(3, 5)}


@pytest.mark.parametrize("method", AXIOMATIC)
def test_kink_in_a_constraint(method):
    # The frontier of the first test as one kinked constraint instead of a kinked payoff.
    kink = two_party(
        "x",
        "a",
        variables={"x": {"min": 0, "max": 0.875}, "a": {"min": 0, "max": 10}},
        constraints={"frontier": "a <= min(1 - 0.5*x, 1.75 - 2*x)"},
    )
    assert_same(method, kink, constrained(("1 - 0.5*x", "1.75 - 2*x"), 0.875))


@pytest.mark.parametrize("method", ["nash", "egalitarian", "utilitarian"])
def test_sweep_across_the_kink(method):
    # u_B = min(c - x/2, 7/4 - 2x): the kink is at x = (7/4 - c) / (3/2). Nash: at c = 0.9 the
    # kink (0.5667) is the answer; at c = 1.1 the right piece's maximum x = 7/16 lies right
    # of the kink (0.4333). Utilitarian: always the kink. Egalitarian: x = 7/4 - 2x.
    m = two_party(
        "x",
        "min(c - 0.5*x, 1.75 - 2*x)",
        parameters={"c": {"value": 1, "range": [0.9, 1.1]}},
        variables={"x": {"min": 0, "max": 0.875}},
    )
    df = bargain.sweep(m, method, {"c": (0.9, 1.1, 3)})
    kink = [(1.75 - c) / 1.5 for c in (0.9, 1.0, 1.1)]
    expected = {
        "nash": [kink[0], kink[1], 7 / 16],
        "utilitarian": kink,
        "egalitarian": [7 / 12] * 3,
    }[method]
    assert list(df["status"]) == ["ok"] * 3
    assert list(df["x"]) == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize("scale", [1.0, 1e9, 1e-9])
def test_the_kink_named_in_binding_holds_at_the_answer(scale):
    # u_A = x, u_B = min(1.2 V - x, 2 V - 3 x) on [0, V]: the Nash point is the kink
    # x = 0.4 V (Nash 1950; both pieces equal there). The numeric route named the kink in
    # its scaled unknowns ("4*x - 4/5 = 0", which holds at 0.2); it holds at the answer now.
    m = two_party(
        "x",
        "min(1.2*V - x, 2*V - 3*x)",
        parameters={"V": scale},
        variables={"x": {"min": 0, "max": "V"}},
    )
    s = bargain.nash(m, exact=False)
    assert s.agreement["x"] == pytest.approx(0.4 * scale, rel=1e-9)
    (kink,) = [b for b in s.binding if b.startswith("kink ")]
    x = sympy.Symbol("x")
    equation = parse_expression(kink.removeprefix("kink ").removesuffix(" = 0"), {"x": x})
    assert float(sympy.solve(equation, x)[0]) == pytest.approx(0.4 * scale, rel=1e-9)


# u_A = x, u_B = min(1.2 V - x, 2 V - 3 x) on [0, V] (the frontier's kink at x = 0.4 V), in
# units of V. Nash: x (1.2 V - x) rises up to the kink and x (2 V - 3 x) falls after it, so
# the kink 0.4 V (Nash 1950). Kalai–Smorodinsky: the ideal point is (2 V / 3, 1.2 V) (B's
# payoff nil at x = 2 V / 3, A's at x = 0), and 2 V - 3 x = 1.8 x on the right piece gives
# 5 V / 12 (Kalai & Smorodinsky 1975). Egalitarian: x = 2 V - 3 x, V / 2. Utilitarian: the
# sum is 1.2 V on [0, 0.4 V] and falls after it, so every x there. Every solution is
# scale-invariant (Nash 1950; Kalai & Smorodinsky 1975, axiom of invariance under positive
# affine transformations): in units of V the answers are the same at every V.
IN_UNITS_OF_V = {
    "nash": sympy.Rational(2, 5),
    "kalai-smorodinsky": sympy.Rational(5, 12),
    "egalitarian": sympy.Rational(1, 2),
}


def kink_at(scale: float) -> bargain.Model:
    return two_party(
        "x",
        "min(1.2*V - x, 2*V - 3*x)",
        parameters={"V": scale},
        variables={"x": {"min": 0, "max": "V"}},
    )


@pytest.mark.parametrize("exact", [False, True], ids=["numeric", "exact"])
@pytest.mark.parametrize("scale", [1e-200, 1e-9, 1e-6, 1.0, 1e9, 1e200])
def test_the_kinked_frontier_in_units_of_v_at_every_scale(scale, exact):
    # At V = 1e-9 the ideal point was 6.66637e-10 (1.7e-5 of KS's answer off): the kink's
    # size was its own value, so at its root any rounding was a violation of 100%, and the
    # search's point on it was refused. At V = 1e-200 the kink's equation, of size 1e-200,
    # made Newton's system singular and Nash was left unpolished (9e-15 off).
    m = kink_at(scale)
    for method, share in IN_UNITS_OF_V.items():
        s = bargain.SOLVERS[method](m, exact=exact)
        assert s.agreement["x"] / scale == pytest.approx(float(share), rel=1e-14), method
        if exact:
            # The same closed form at every scale: the exact route once chose the kink's
            # piece at the scaled point (x / unit, 0.33 for 0.67 at V = 1), so Nash, and KS
            # at V = 1 and 1e9, had none.
            assert s.formula["x"] == share * m.parameter("V").symbol, method
    ks = bargain.kalai_smorodinsky(m, exact=exact)
    assert ks.extra["ideal"]["A"] / scale == pytest.approx(2 / 3, rel=1e-14)
    assert ks.extra["ideal"]["B"] / scale == pytest.approx(1.2, rel=1e-14)
    u = bargain.utilitarian(m, exact=exact)
    low, high = u.agreement_set["x"]
    assert (low / scale, high / scale) == pytest.approx((0.0, 0.4), abs=1e-12)


def test_the_utilitarian_set_far_from_one_is_spanned_by_slsqp(search_methods):
    # The upper end of the maximisers at V = 1e200, searched from the lower end: the sum
    # x + min(1.2 V - x, 2 V - 3 x) is flat below the kink, so SLSQP's step ran over it to
    # the box's bound, and trust-constr took its 3000 steps (4 s, four times) to stop far
    # short of 0.4 V. From the edge of SLSQP's step the sum binds, and the end is polished.
    u = bargain.utilitarian(kink_at(1e200), exact=False)
    low, high = u.agreement_set["x"]
    assert (low / 1e200, high / 1e200) == pytest.approx((0.0, 0.4), abs=1e-12)
    assert "SLSQP" in search_methods
    assert "trust-constr" not in search_methods and "COBYQA" not in search_methods


@pytest.mark.parametrize("route", ["auto", "loop"])
@pytest.mark.parametrize("scale", [1e-9, 1e9])
def test_the_kinked_frontier_sweeps_in_units_of_v(scale, route):
    # The sweep's routes (the vectorised kernels, the loop) against the same closed forms.
    for method, share in IN_UNITS_OF_V.items():
        df = bargain.sweep(kink_at(scale), method, {"V": (scale, 2 * scale, 2)}, route=route)
        assert list(df["status"]) == ["ok", "ok"]
        assert list(df["x"] / df["V"]) == pytest.approx([float(share)] * 2, rel=1e-12), method


# A narrow bump between the search's starts: u_B = 1 - x + max(0, 0.01 - |x - 0.537|) against
# u_A = x on [0, 1], d = 0, written three ways. By hand: outside [0.527, 0.547] the Nash
# product x (1 - x) peaks at 1/2 (0.25); on [0.527, 0.537] u_B = 0.473 and x 0.473 rises; on
# [0.537, 0.547] u_B = 1.547 - 2 x and d/dx x (1.547 - 2 x) = 1.547 - 4 x < 0: the kink x =
# 0.537 is the bump's peak, 0.537 * 0.473 = 0.254001 > 0.25, and the Nash point (Nash 1950,
# Econometrica 18(2)). The sum of payoffs is 1 outside the bump and 1 + 0.01 - |x - 0.537|
# on it: the utilitarian point (Harsanyi 1955) is 0.537 alone, sum 1.01. Every search started
# at the box's centre and a Sobol sample, none on the bump, and found 1/2 ("exact") and the
# set [0, 1].
BUMP = (
    "1 - x + max(0, 0.01 - abs(x - 0.537))",
    "Piecewise((1.01 - x - abs(x - 0.537), abs(x - 0.537) <= 0.01), (1 - x, True))",
    "1 - x + Piecewise((0, x < 0.527), (x - 0.527, x < 0.537), (0.547 - x, x < 0.547), (0, True))",
)


def bump_b(x):
    """u_B of the bump, in numpy (independent of the tool's compiled code)."""
    import numpy as np

    return 1 - x + np.maximum(0.0, 0.01 - np.abs(x - 0.537))


@pytest.mark.parametrize("payoff_b", BUMP, ids=["max-abs", "piecewise-abs", "piecewise"])
def test_nash_finds_a_narrow_bump_between_the_starts(payoff_b):
    import numpy as np

    grid = np.linspace(0.0, 1.0, 1_000_001)  # spacing 1e-6, 0.537 on it
    product = grid * bump_b(grid)
    assert grid[np.argmax(product)] == pytest.approx(0.537, abs=1e-6)
    assert product.max() == pytest.approx(0.254001, abs=1e-12)
    s = bargain.nash(kinked(payoff_b, 1))
    assert s.agreement["x"] == pytest.approx(0.537, abs=TOL)
    assert s.payoffs["A"] * s.payoffs["B"] == pytest.approx(0.254001, abs=TOL)
    assert s.payoffs["A"] * s.payoffs["B"] >= product.max() - 1e-12
    assert s.exact_agreement == {"x": sympy.Rational(537, 1000)}


def test_utilitarian_finds_a_narrow_bump_between_the_starts():
    import numpy as np

    grid = np.linspace(0.0, 1.0, 1_000_001)
    total = grid + bump_b(grid)
    best = np.flatnonzero(total >= total.max() - 1e-12)
    assert list(grid[best]) == pytest.approx([0.537], abs=1e-6)  # one maximiser
    s = bargain.utilitarian(kinked(BUMP[0], 1))
    assert s.unique
    assert s.agreement["x"] == pytest.approx(0.537, abs=TOL)
    assert s.extra["total"]["sum"] == pytest.approx(1.01, abs=TOL)
    assert s.extra["total"]["sum"] == pytest.approx(total.max(), abs=1e-12)


@pytest.mark.parametrize("e", ["0.05", "0.1", "0.15"])
def test_utilitarian_separate_maximisers_with_a_maximum_between(e):
    # u_A = x, u_B = 1 - x + e min(|x - 1/4|, |x - 3/4|): the sum 1 + e min(|x - 1/4|,
    # |x - 3/4|) is largest where the distance to the nearer of 1/4 and 3/4 is, at x = 0,
    # 1/2 and 1 (distance 1/4, sum 1 + e/4; Harsanyi 1955), with worse points between. The
    # midpoint of 0 and 1 is the maximiser 1/2, so a midpoint as good as both ends is no sign
    # of a flat set: 0 was dropped as "flat" beside 1, leaving {1/2, 1}.
    import numpy as np

    k = float(e)
    grid = np.linspace(0.0, 1.0, 100_001)
    total = 1 + k * np.minimum(np.abs(grid - 0.25), np.abs(grid - 0.75))
    best = grid[total >= total.max() - 1e-12]
    assert list(best) == pytest.approx([0.0, 0.5, 1.0], abs=1e-9)
    s = bargain.utilitarian(kinked(f"1 - x + {e}*min(abs(x - 0.25), abs(x - 0.75))", 1))
    assert not s.unique and s.agreement_set is None
    assert [p["x"] for p in s.agreement_points] == pytest.approx([0.0, 0.5, 1.0], abs=TOL)
    assert s.extra["total"]["sum"] == pytest.approx(1 + k / 4, abs=TOL)


@pytest.mark.parametrize("route", ["auto", "loop"])
def test_nash_sweep_finds_the_bump_at_every_point(route):
    # The bump of the tests above centred at c: on [c - 0.01, c] u_B = 1.01 - c and the
    # product rises; on [c, c + 0.01] d/dx x (1.01 + c - 2 x) = 1.01 - 3 c < 0 at x = c; and
    # c (1.01 - c) > 0.25 for c in [0.52, 0.56]: the Nash point is x = c (Nash 1950). The
    # vectorised kernel, checked on nine grid points, said 1/2, "ok", at each.
    import numpy as np

    m = two_party(
        "x",
        "1 - x + max(0, 0.01 - abs(x - c))",
        parameters={"c": {"value": 0.537, "range": [0.5, 0.6]}},
    )
    df = bargain.sweep(m, "nash", {"c": (0.52, 0.56, 3)}, route=route)
    grid = np.linspace(0.0, 1.0, 1_000_001)
    for c, x in zip(df["c"], df["x"], strict=True):
        product = grid * (1 - grid + np.maximum(0.0, 0.01 - np.abs(grid - c)))
        assert grid[np.argmax(product)] == pytest.approx(c, abs=1e-6)
        assert x == pytest.approx(c, abs=1e-9)
    assert list(df["status"]) == ["ok"] * 3


@given(t=st.floats(-1, 1), h=st.floats(1e-4, 0.05))
def test_nash_finds_a_bump_of_any_width(t, h):
    # u_A = x, u_B = 1 - x + max(0, h - |x - c|), a bump of half-width h down to a tenth of
    # the breakpoint grid's spacing. The maximum of the Nash product (Nash 1950) is at a
    # candidate of a piece (the product is smooth between the breakpoints c - h, c, c + h):
    # on [c - h, c] u_B = 1 + h - c and the product rises to c; on [c, c + h] u_B = 1 + h +
    # c - 2 x, stationary at (1 + h + c) / 4; outside, x (1 - x), stationary at 1/2. With
    # c = 1/2 + 0.9 t sqrt(h / 2), c (1 - c + h) = 1/4 + h (c - 0.405 t**2) > 1/4: the bump
    # is the answer.
    c = 0.5 + 0.9 * t * (h / 2) ** 0.5

    def product(x: float) -> float:
        return x * (1 - x + max(0.0, h - abs(x - c)))

    candidates = [c, min(max((1 + h + c) / 4, c), c + h)]
    if abs(0.5 - c) >= h:
        candidates.append(0.5)
    best = max(product(x) for x in candidates)
    s = bargain.nash(kinked(f"1 - x + max(0, {h!r} - abs(x - {c!r}))", 1), exact=False)
    assert product(s.agreement["x"]) == pytest.approx(best, rel=1e-12)


def _crossings(ratio: float) -> list[float]:
    """The x in [0, 1] where |x - 1/2| = ratio (1 - |x - 1/2|), each by brentq on its branch."""
    gap = lambda x: abs(x - 0.5) - ratio * (1 - abs(x - 0.5))  # noqa: E731
    return [brentq(gap, 0.0, 0.5, xtol=1e-15), brentq(gap, 0.5, 1.0, xtol=1e-15)]


@pytest.mark.parametrize(
    ("method", "ratio", "expected"),
    [("kalai-smorodinsky", 0.5, (1 / 6, 5 / 6)), ("egalitarian", 1.0, (0.0, 1.0))],
    ids=["kalai-smorodinsky", "egalitarian"],
)
def test_two_branches_of_one_frontier_are_two_separate_maximisers(method, ratio, expected):
    # u_A = |x - 1/2|, u_B = 1 - |x - 1/2|, d = 0: both branches x < 1/2 and x > 1/2 trace
    # the same frontier u_A + u_B = 1, u_A in [0, 1/2]. KS (Kalai & Smorodinsky 1975): ideal
    # (1/2, 1), gains in the ratio u_A / u_B = 1/2, so |x - 1/2| = 1/3: x = 1/6 and 5/6; the
    # egalitarian gains are equal at |x - 1/2| = 1/2: x = 0 and 1. Between the two, on the
    # segment of x, the gains fall (at x = 1/2, u_A = 0): two separate maximisers, which
    # were reported as one (5/6, 1), the common gain t being the same all along the segment.
    roots = _crossings(ratio)
    assert roots == pytest.approx(list(expected), abs=1e-12)
    grid = np.linspace(0, 1, 100001)
    a, b = np.abs(grid - 0.5), 1 - np.abs(grid - 0.5)
    gain = np.minimum(a / 0.5, b / 1.0) if ratio == 0.5 else np.minimum(a, b)
    best = grid[gain >= gain.max() - 1e-12]
    assert best.min() == pytest.approx(expected[0], abs=1e-5)
    assert best.max() == pytest.approx(expected[1], abs=1e-5)
    assert gain[np.argmin(np.abs(grid - 0.5))] < gain.max() - 0.1  # smaller between
    s = bargain.SOLVERS[method](two_party("abs(x - 0.5)", "1 - abs(x - 0.5)"))
    assert not s.unique and s.agreement == {}
    assert [p["x"] for p in s.agreement_points] == pytest.approx(roots, abs=TOL)


def test_egalitarian_finds_a_narrow_bump_between_the_starts():
    # u_W = x/2 + 10 max(0, 0.01 - |x - 0.537|) against u_B = 1 - x (d = 0): outside the
    # bump the gains cross at x/2 = 1 - x, x = 2/3, t = 1/3 (what was reported). By hand, on
    # the bump's left side [0.527, 0.537] u_W = 10.5 x - 5.27 rises to 0.3685 at its peak
    # x = 0.537, below u_B = 0.463 there, and on its right side u_W = 5.47 - 9.5 x falls:
    # the least gain min(u_W, u_B) is largest at the peak, t = 0.3685 > 1/3 (Kalai 1977,
    # Econometrica 45(7); the leximin point, Imai 1983, is the same: only x = 0.537 gives
    # u_W >= 0.3685 with u_B above 0.263). Checked on a grid of 2e6 points.
    import numpy as np

    grid = np.linspace(0.0, 1.0, 2_000_001)  # spacing 5e-7, 0.537 on it
    least = np.minimum(grid / 2 + 10 * np.maximum(0.0, 0.01 - np.abs(grid - 0.537)), 1 - grid)
    assert grid[np.argmax(least)] == pytest.approx(0.537, abs=1e-6)
    assert least.max() == pytest.approx(0.3685, abs=1e-12)
    s = bargain.egalitarian(two_party("x/2 + 10*max(0, 0.01 - abs(x - 0.537))", "1 - x"))
    assert s.agreement["x"] == pytest.approx(0.537, abs=TOL)
    assert s.payoffs["A"] == pytest.approx(0.3685, abs=TOL)
    assert s.payoffs["B"] == pytest.approx(0.463, abs=TOL)
    assert s.extra["gain"]["t"] >= least.max() - 1e-12


def test_egalitarian_sweep_finds_the_bump_at_every_point():
    # The bump above centred at c: its peak c gives u_W = c/2 + 0.1 and u_B = 1 - c, the
    # least gain c/2 + 0.1 > 1/3 for c in [0.47, 0.6] (Kalai 1977); checked on a grid.
    import numpy as np

    m = two_party(
        "x/2 + 10*max(0, 0.01 - abs(x - c))",
        "1 - x",
        parameters={"c": {"value": 0.537, "range": [0.5, 0.6]}},
    )
    df = bargain.sweep(m, "egalitarian", {"c": (0.52, 0.56, 3)})
    grid = np.linspace(0.0, 1.0, 2_000_001)
    for c, x in zip(df["c"], df["x"], strict=True):
        least = np.minimum(grid / 2 + 10 * np.maximum(0.0, 0.01 - np.abs(grid - c)), 1 - grid)
        assert grid[np.argmax(least)] == pytest.approx(c, abs=1e-6)
        assert x == pytest.approx(c, abs=1e-9)
    assert list(df["status"]) == ["ok"] * 3


@given(c=st.floats(0.1, 0.9), h=st.floats(1e-4, 0.05), k=st.floats(1, 20))
def test_egalitarian_finds_a_bump_of_any_width(c, h, k):
    # u_W = x/2 + k max(0, h - |x - c|) against u_B = 1 - x (d = 0). Both are linear between
    # the breakpoints c - h, c, c + h, so the least gain min(u_W, u_B) (Kalai 1977,
    # Econometrica 45(7)) is largest at a breakpoint, a bound or where the two lines of a
    # piece cross: computed here piece by piece, by hand.
    def u_w(x: float) -> float:
        return x / 2 + k * max(0.0, h - abs(x - c))

    ends = sorted({0.0, 1.0, *(min(max(b, 0.0), 1.0) for b in (c - h, c, c + h))})
    candidates = list(ends)
    for a, b in itertools.pairwise(ends):
        ga, gb = u_w(a) - (1 - a), u_w(b) - (1 - b)
        if ga * gb < 0:
            candidates.append(a + (b - a) * ga / (ga - gb))  # the crossing of two lines
    best = max(min(u_w(x), 1 - x) for x in candidates)
    s = bargain.egalitarian(
        two_party(f"x/2 + {k!r}*max(0, {h!r} - abs(x - {c!r}))", "1 - x"), exact=False
    )
    assert min(s.payoffs.values()) == pytest.approx(best, abs=1e-9)
    assert s.extra["gain"]["t"] == pytest.approx(best, abs=1e-9)
