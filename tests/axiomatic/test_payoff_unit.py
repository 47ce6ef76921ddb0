"""Payoffs near and below the smallest normal float (2.2e-308) are solved in their own unit.

Below 2.2e-308 a double keeps fewer than 53 significant bits (about 10 at 1e-320), and well
above it a square or a product of two payoffs falls there. Each concept is invariant under a
common change of the payoffs' unit (Nash, "The Bargaining Problem", *Econometrica* 18(2),
1950; Kalai & Smorodinsky, *Econometrica* 43(3), 1975; Kalai, "Proportional Solutions to
Bargaining Situations", *Econometrica* 45(7), 1977; the utilitarian sum likewise), and Nash
and Kalai–Smorodinsky under each party's own, so the answer at 1e-320 is the answer at 1.

The closed forms, on the frontier ``u_W = x s``, ``u_A = (1 - x**2) s``, ``x`` in ``[0, 1]``,
disagreement 0, any scale ``s > 0``:

- egalitarian: equal gains, ``x = 1 - x**2``, ``x = (√5 - 1)/2`` (Kalai 1977);
- Kalai–Smorodinsky: the ideal point is ``(s, s)``, so the gains in proportion to it are again
  ``x = 1 - x**2`` (Kalai & Smorodinsky 1975);
- utilitarian: the largest ``x + 1 - x**2``, ``1 - 2 x = 0``, ``x = 1/2``, unique (the sum is
  strictly concave);
- Nash: the largest ``log x + log(1 - x**2)``, ``1/x = 2 x / (1 - x**2)``, ``x = 1/√3``
  (Nash 1950).

Each is checked against an independent numeric route (``brentq`` on the first-order or
equal-gains condition, ``minimize_scalar`` on the objective at scale 1).
"""

from __future__ import annotations

import math
from dataclasses import replace

import mpmath
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq, minimize_scalar

import bargain
from bargain.axiomatic.payoff_unit import (
    TINY,
    _unit_out,
    contract_units,
    in_units,
    payoff_units,
)
from tests.conftest import two_party

SCALES = ("1e-320", "1e-310", "1e-300", "1")
GOLDEN = (math.sqrt(5) - 1) / 2
CLOSED = {
    "egalitarian": (GOLDEN, (sympy.sqrt(5) - 1) / 2),
    "kalai-smorodinsky": (GOLDEN, (sympy.sqrt(5) - 1) / 2),
    "utilitarian": (0.5, sympy.Rational(1, 2)),
    "nash": (1 / math.sqrt(3), 1 / sympy.sqrt(3)),
}


def frontier(scale: str, *, parameter: bool = False) -> bargain.Model:
    """``u_W = x s``, ``u_A = (1 - x**2) s``: ``s`` written in the payoffs, or a parameter."""
    s = "s" if parameter else scale
    return two_party(f"x*{s}", f"(1 - x**2)*{s}", parameters={"s": scale} if parameter else None)


def test_the_closed_forms_against_an_independent_route():
    # At scale 1, in floats: the roots and maxima found by scipy, not by bargain.
    assert brentq(lambda x: x - (1 - x * x), 0, 1, xtol=1e-15) == pytest.approx(GOLDEN, abs=1e-14)
    best_sum = minimize_scalar(lambda x: -(x + 1 - x * x), bounds=(0, 1), method="bounded")
    assert best_sum.x == pytest.approx(0.5, abs=1e-6)
    best_log = minimize_scalar(
        lambda x: -(math.log(x) + math.log(1 - x * x)), bounds=(1e-9, 1 - 1e-9), method="bounded"
    )
    assert best_log.x == pytest.approx(1 / math.sqrt(3), abs=1e-6)
    for value, exact in CLOSED.values():
        assert float(exact) == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("parameter", [False, True], ids=["literal", "parameter"])
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("method", sorted(CLOSED))
def test_the_same_answer_at_every_scale(method, scale, parameter):
    # At 1e-320 the egalitarian solution was 0.5 (not 0.618…) and the utilitarian one the
    # set [0.38, 0.62] (not 1/2); KS 0.61808 without a closed form.
    s = bargain.SOLVERS[method](frontier(scale, parameter=parameter))
    value, exact = CLOSED[method]
    assert s.agreement["x"] == pytest.approx(value, rel=1e-15)
    assert s.agreement_set is None and not s.agreement_points
    assert sympy.simplify(s.exact_agreement["x"] - exact) == 0
    # The payoffs in the model's own unit, rounded once to its floats (a subnormal float
    # is a multiple of 2**-1074).
    size = float(scale)
    for party, payoff in (("A", value * size), ("B", (1 - value**2) * size)):
        assert s.payoffs[party] == pytest.approx(payoff, rel=1e-12, abs=2.0**-1074)
    # No unit parameter shows; the unit is stated where one was used.
    assert set(s.parameters) == ({"s"} if parameter else set())
    stated = [a for a in s.assumptions if a.startswith("payoffs below 2**-511 or above 2**511")]
    assert len(stated) == (scale != "1")


@given(exponent=st.integers(-323, 0))
def test_egalitarian_is_the_golden_section_at_every_power_of_ten(exponent):
    s = bargain.egalitarian(frontier(f"1e{exponent}"))
    assert s.agreement["x"] == pytest.approx(GOLDEN, rel=1e-15)


def test_units_are_powers_of_two_of_the_payoffs_size():
    tiny = frontier("1e-320")
    two = sympy.Rational(2)
    assert payoff_units(tiny, common=True) == {"A": two**-1063, "B": two**-1063}
    assert payoff_units(frontier("1e-300"), common=False) == {"A": two**-996, "B": two**-996}
    # Normal payoffs are left as they are: 1e-150 squared is still a normal float.
    assert payoff_units(frontier("1e-150"), common=True) == {"A": 1, "B": 1}
    assert 1e-150 > TINY > 1e-155
    # The rescaled model: the same payoffs over a unit parameter, the rest untouched.
    rescaled = in_units(tiny, payoff_units(tiny, common=True))
    unit = rescaled.parameter("_unit")
    assert unit.value == sympy.Rational(1, 2**1063)
    size = rescaled.parameter("_size")
    assert size.value == sympy.Rational(1, 10**320)
    payoff = (rescaled.party("A").payoff * unit.symbol).xreplace({size.symbol: size.value})
    assert payoff == tiny.party("A").payoff
    assert rescaled.variables == tiny.variables


@pytest.mark.parametrize("scale", SCALES)
def test_the_division_meets_a_parameter_in_every_piece(scale, search_methods):
    # A min of tiny payoffs, a product with a sum and a negative factor: each solved as at 1
    # (a lone 1/_unit, 2**1063, is beyond floating point). Egalitarian on u_A = min(x, 1/2),
    # u_B = 1 - x**2: the least gain is at most 1/2 (A's ceiling), reached for x in
    # [1/2, 1/√2] (1 - x**2 >= 1/2); the lexicographic egalitarian solution takes the
    # largest sum of gains among them (Kalai 1977; Imai 1983): x = 1/2.
    m = two_party(f"min(x, 1/2)*{scale}", f"-(x - 1)*(1 + x)*{scale}")
    assert bargain.egalitarian(m).agreement["x"] == pytest.approx(0.5, rel=1e-12)
    # At 1e-300 the stage that holds A at its cap, c min(x, 1/2) - c/2 >= 0 with c =
    # 2**996 10**-300, was -5e-16 wherever it holds (c and c/2 compiled to 15 digits):
    # SLSQP failed on it, and trust-constr ran for 13 s.
    assert set(search_methods) <= {"SLSQP", "L-BFGS-B"}


def test_parties_of_different_sizes():
    # u_A = x**2 1e-320 beside u_B = 1 - x. Nash: the largest 2 log x + log(1 - x), at
    # x = 2/3; KS: the ideal point (1e-320, 1), x**2 = 1 - x, x = (√5 - 1)/2 (each party
    # in its own unit). The egalitarian and utilitarian solutions compare the two in one
    # unit, where A's payoffs keep a few bits: refused by name, not solved (egalitarian
    # gave 0.4998 where equal gains are at x = 1 - 1e-320, 1 in floats).
    m = two_party("x**2*1e-320", "1 - x")
    assert bargain.nash(m).exact_agreement["x"] == sympy.Rational(2, 3)
    assert brentq(lambda x: 2 / x - 1 / (1 - x), 0.1, 0.9) == pytest.approx(2 / 3, rel=1e-12)
    assert bargain.kalai_smorodinsky(m).agreement["x"] == pytest.approx(GOLDEN, rel=1e-15)
    for method in ("egalitarian", "utilitarian"):
        with pytest.raises(
            bargain.ModelError,
            match=r"\[parties\.A\] payoff: is below floating point's normal range",
        ):
            bargain.SOLVERS[method](m)


@pytest.mark.parametrize("method", sorted(CLOSED))
def test_a_tiny_box_is_measured_in_its_own_unit(method):
    # A split of V = 1e-320 on x in [0, V]: the payoffs are tiny because the contracts are.
    # The contracts are measured in a unit of the box's size (x = 2**-1063 x', exactly), and
    # then the payoffs in theirs: every solution is V/2 (the same split at every unit). KS
    # refused this box ("no contract satisfies the bounds and constraints"), the unknown's
    # unit being held at the smallest normal float, 1e13 times the box.
    m = two_party("x", "V - x", parameters={"V": 1e-320}, variables={"x": {"min": 0, "max": "V"}})
    assert payoff_units(m, common=True) == {"A": 1, "B": 1}
    assert contract_units(m) == {"x": sympy.Rational(1, 2**1063)}
    s = bargain.SOLVERS[method](m)
    assert s.agreement["x"] == 1e-320 / 2
    assert s.payoffs == {"A": 1e-320 / 2, "B": 1e-320 / 2}
    if s.formula is not None:
        assert s.formula["x"] == sympy.Symbol("V", real=True) / 2


def test_a_tiny_box_with_constants_in_the_payoffs():
    # package_deal's threshold stage at 1e-320 (the credibility report was refused: "no
    # contract satisfies the constraints"): u_W = x - c + k v, u_A = V + c_A - k v_A - x with
    # k = 0.72, x in [0, V], d = 0. Nash (1950) splits the surplus of the line equally,
    # x = (V + c + c_A - k v - k v_A) / 2; Kalai & Smorodinsky (1975): the ideal point is
    # (V - c + k v, V + c_A - k v_A), and x solves u_W / a_W = u_A / a_A, linear in x.
    # Each is checked against a root in 50-digit mpmath at the scale 1e-320 itself.
    values = {"V": 1, "c": 0.05, "c_A": 0.15, "v": 0.08, "v_A": 0.04}
    m = two_party(
        "x - c + 18*v/25",
        "V + c_A - 18*v_A/25 - x",
        parameters={k: f"{v}e-320" for k, v in values.items()},
        variables={"x": {"min": 0, "max": "V"}},
    )
    with mpmath.workdps(50):
        q = {k: mpmath.mpf(str(v)) * mpmath.mpf("1e-320") for k, v in values.items()}
        k = mpmath.mpf("0.72")
        a_w, a_a = q["V"] - q["c"] + k * q["v"], q["V"] + q["c_A"] - k * q["v_A"]
        nash = (q["V"] + q["c"] + q["c_A"] - k * q["v"] - k * q["v_A"]) / 2
        # Each condition as a ratio of order one, for x = V z with z bracketed in the box
        # (mpmath's steps are absolute: in x itself, 1e-320, it stops at its first one).
        v = q["V"]
        ks = v * mpmath.findroot(
            lambda z: (v * z - q["c"] + k * q["v"]) / a_w / ((a_a - v * z) / a_a) - 1,
            (0.25, 1),
            solver="anderson",
        )
        first_order = v * mpmath.findroot(
            lambda z: (v * z - q["c"] + k * q["v"]) / (a_a - v * z) - 1,
            (0.25, 1),
            solver="anderson",
        )
        assert abs(nash / first_order - 1) < mpmath.mpf("1e-40")
    tiny = 2.0**-1074  # the spacing of the subnormal floats
    assert abs(bargain.nash(m).agreement["x"] - float(nash)) <= tiny
    assert abs(bargain.kalai_smorodinsky(m).agreement["x"] - float(ks)) <= tiny
    assert abs(bargain.egalitarian(m).agreement["x"] - float(nash)) <= tiny  # equal gains


@pytest.mark.parametrize("scale", ["1e-320", "2e-320", "1e-315"])
def test_a_tiny_box_inside_a_payoffs_function(scale):
    # u_A = x, u_B = sqrt(V) sqrt(V - x), x in [0, V]. Utilitarian (Harsanyi 1955; Myerson,
    # "Utilitarianism, egalitarianism, and the timing effect", Econometrica 49(4), 1981):
    # d/dx [x + sqrt(V (V - x))] = 1 - sqrt(V) / (2 sqrt(V - x)) = 0, so sqrt(V - x) =
    # sqrt(V)/2, x = 3V/4 and u_B = V/2; the sum is strictly concave, so the maximiser is
    # unique. With V - x computed from two subnormal floats (V - 2**-1063 x', about 10
    # significant bits) it was "not unique", x = 7.48509e-321 = 3 spacings off, in 6 s.
    v = float(scale)
    m = two_party(
        "x",
        "sqrt(V)*sqrt(V - x)",
        parameters={"V": v},
        variables={"x": {"min": 0, "max": "V"}},
    )
    # Independent route: the sum in units of V (y = x / V, the same problem at V = 1,
    # by its invariance under a common unit), maximised by scipy (to its ~1e-8 of a flat
    # maximum), its first-order condition's root by brentq, then scaled in mpmath.
    best = minimize_scalar(lambda y: -(y + math.sqrt(1 - y)), bounds=(0, 1), method="bounded")
    root = brentq(lambda y: 1 - 1 / (2 * math.sqrt(1 - y)), 0, 0.99, xtol=1e-15)
    assert best.x == pytest.approx(root, abs=1e-6)
    assert root == pytest.approx(0.75, abs=1e-14)
    with mpmath.workdps(50):
        x_star = float(mpmath.mpf(root) * mpmath.mpf(scale))
    s = bargain.utilitarian(m)
    assert s.unique
    assert s.agreement["x"] == float(mpmath.mpf(3) / 4 * mpmath.mpf(scale))  # the nearest float
    assert abs(s.agreement["x"] - x_star) <= 2.0**-1074
    assert s.payoffs["B"] == pytest.approx(v / 2, abs=2.0**-1074)
    assert s.extra["total"]["sum"] == pytest.approx(1.25 * v, abs=2 * 2.0**-1074)
    at_one = bargain.utilitarian(
        two_party(
            "x", "sqrt(V)*sqrt(V - x)", parameters={"V": 1}, variables={"x": {"min": 0, "max": "V"}}
        )
    )
    assert at_one.unique and at_one.agreement["x"] == 0.75


def test_a_unit_is_taken_out_of_a_sum_of_tiny_terms():
    # x = s x' in V - x gives V - s x', two subnormals; s (V/s - x') computes V/s once in 30
    # digits. A sum with an ordinary variable (y / s would overflow) is left as it is.
    s, x, y, v = sympy.symbols("s x y v", positive=True)
    assert _unit_out(sympy.sqrt(v * (v - s * x)), {s}, {s, v}) == sympy.sqrt(v) * sympy.sqrt(
        s
    ) * sympy.sqrt(v / s - x)
    assert _unit_out(v**2 - s**2 * x**2, {s}, {s, v}) == s**2 * (v**2 / s**2 - x**2)
    assert _unit_out(v - s * x + y, {s}, {s, v}) == v - s * x + y
    assert _unit_out(sympy.exp(s * x) - v, {s}, {s, v}) == sympy.exp(s * x) - v


@pytest.mark.parametrize(
    ("method", "condition"),
    [
        # Nash (1950): the largest log y + log sqrt(1 - y), 1/y = 1/(2 (1 - y)): y = 2/3.
        ("nash", lambda y: 1 / y - 1 / (2 * (1 - y))),
        # Kalai (1977), equal gains: y = sqrt(1 - y), y = (√5 - 1)/2; Kalai & Smorodinsky
        # (1975): the ideal point is (V, V), so the same equation.
        ("egalitarian", lambda y: y - math.sqrt(1 - y)),
        ("kalai-smorodinsky", lambda y: y - math.sqrt(1 - y)),
    ],
)
def test_a_tiny_box_inside_a_payoffs_function_for_every_concept(method, condition):
    # u_A = x, u_B = sqrt(V) sqrt(V - x) at V = 1e-320, x = V y: each condition in units of
    # V (y), its root by brentq, scaled in mpmath; the agreement is that float to one
    # subnormal spacing (the egalitarian and KS solutions took 3.9 s with V - x of two
    # subnormals, 0.2 s with the unit taken out).
    m = two_party(
        "x",
        "sqrt(V)*sqrt(V - x)",
        parameters={"V": 1e-320},
        variables={"x": {"min": 0, "max": "V"}},
    )
    root = brentq(condition, 0.01, 0.99, xtol=1e-15)
    closed = {"nash": 2 / 3}.get(method, (math.sqrt(5) - 1) / 2)
    assert root == pytest.approx(closed, abs=1e-14)
    with mpmath.workdps(50):
        x_star = float(mpmath.mpf(root) * mpmath.mpf("1e-320"))
    s = bargain.SOLVERS[method](m)
    assert s.unique
    assert abs(s.agreement["x"] - x_star) <= 2.0**-1074


@pytest.mark.parametrize(("a", "w"), [(1e12, 1.0), (1e9, 1e-3), (1e6, 1e-6), (1.0, 1.0)])
def test_a_window_far_from_zero_is_measured_from_its_lower_bound(a, w):
    # x in [a, a + w], u_W = x - a, u_A = sqrt(a + w - x), d = 0: with u = x - a, the Nash
    # product u sqrt(w - u) is largest at u = 2w/3 (Nash 1950); equal gains u = sqrt(w - u)
    # at u = (sqrt(1 + 4w) - 1)/2 (Kalai 1977); the ideal point (w, sqrt w) scales both
    # gains alike, so Kalai-Smorodinsky (1975) is u = w (sqrt 5 - 1)/2. A dollar's window
    # on a term of 1e12 was Nash x = a, "(exact)", W's gain 0: x - a in floats holds four
    # digits of the window there.
    m = bargain.model_from_dict(
        {
            "model": {"name": "window"},
            "parameters": {"a": a, "w": w},
            "variables": {"x": {"min": "a", "max": "a + w"}},
            "parties": {"W": {"payoff": "x - a"}, "A": {"payoff": "sqrt(a + w - x)"}},
        }
    )
    A, W = sympy.symbols("a w", real=True)
    gains = {
        bargain.nash: (2 * W / 3, 2 * w / 3),
        bargain.egalitarian: (
            sympy.sqrt(4 * W + 1) / 2 - sympy.Rational(1, 2),
            (math.sqrt(1 + 4 * w) - 1) / 2,
        ),
        bargain.kalai_smorodinsky: (W * (sympy.sqrt(5) - 1) / 2, w * (math.sqrt(5) - 1) / 2),
    }
    for solve, (formula, gain) in gains.items():
        s = solve(m)
        assert sympy.simplify(s.formula["x"] - (A + formula)) == 0, (solve, s.formula)
        assert s.payoffs["W"] == pytest.approx(gain, rel=1e-12), solve


def test_a_nash_point_where_a_party_gains_nothing_is_refused(monkeypatch):
    # With the window measured in floats (the far box's measurement switched off), the
    # Nash search started where W's gain was a rounding of the window's 1e12 and ended at
    # x = a, where W gains nothing; the net below refused it. A start's gains are now
    # judged against what the contract moves the payoffs by (1e12 here), so the search
    # starts where W gains, and finds the maximum of (x - a) sqrt(a + w - x), x - a = 2w/3.
    from bargain.axiomatic import payoff_unit
    from bargain.axiomatic.nash import _require_gains
    from bargain.axiomatic.problem import problem_of

    monkeypatch.setattr(payoff_unit, "FAR", 0.0)
    m = bargain.model_from_dict(
        {
            "model": {"name": "window"},
            "parameters": {"a": 1e12, "w": 1.0},
            "variables": {"x": {"min": "a", "max": "a + w"}},
            "parties": {"W": {"payoff": "x - a"}, "A": {"payoff": "sqrt(a + w - x)"}},
        }
    )
    s = bargain.nash(m)
    assert s.agreement["x"] - 1e12 == pytest.approx(2 / 3, abs=1e-4)
    # The net itself: a Nash point where a party of positive power gains nothing (its
    # product is 0 there, positive inside: no maximum, Nash 1950) is refused by name.
    at_a = replace(s, agreement={"x": 1e12}, payoffs={"W": 0.0, "A": 1.0})
    weights = {"W": sympy.Rational(1, 2), "A": sympy.Rational(1, 2)}
    with pytest.raises(bargain.SolverError, match="W gains nothing over its disagreement"):
        _require_gains(problem_of(m), at_a, weights)


@pytest.mark.parametrize("size", [1e-300, 1e-200, 1e160, 1e200, 1e300])
def test_a_square_of_the_contract_beyond_floating_point(size):
    # u_W = x, u_A = V - x**2/V on [0, V]: x**2 underflows (V = 1e-200) or overflows
    # (V = 1e160) in floats, while every payoff is of size V. Nash (1950): x (V - x**2/V)
    # is largest at x = V/sqrt 3; KS (1975): ideal (V, V), x = V - x**2/V, x = V (sqrt 5 -
    # 1)/2, the egalitarian point (Kalai 1977) too. At 1e-200 KS gave 5.898e-201 (its ideal
    # 9.04e-201 for V), at 1e160 Nash and KS "the feasible set is empty": a box's unit
    # was taken for tiny boxes only, and a payoff's size read in floats, where its unit's
    # square (2**-1328) is 0.
    m = bargain.model_from_dict(
        {
            "model": {"name": "square"},
            "parameters": {"V": size},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {"W": {"payoff": "x"}, "A": {"payoff": "V - x**2/V"}},
        }
    )
    golden = (math.sqrt(5) - 1) / 2
    assert bargain.nash(m).agreement["x"] == pytest.approx(size / math.sqrt(3), rel=1e-12)
    ks = bargain.kalai_smorodinsky(m)
    assert ks.agreement["x"] == pytest.approx(size * golden, rel=1e-12)
    assert ks.extra["ideal"] == pytest.approx({"W": size, "A": size}, rel=1e-12)
    assert bargain.egalitarian(m).agreement["x"] == pytest.approx(size * golden, rel=1e-12)
