"""Solvable models whose closed form lies outside the expression language, and unbounded
models refused with a typed error naming where.

A closed form with ``LambertW`` is reported with that special function; one with
``CRootOf`` cannot be written at all, so the numeric answer, polished to machine
precision, stands. A payoff with a pole inside the contract range makes the
utility-possibility set unbounded, which every axiomatic solution excludes (Nash
1950 assumes a compact set; Muthoo 1999, §2.2).
"""

from __future__ import annotations

import json
import math

import pytest
from scipy.optimize import brentq

import bargain
from tests.conftest import two_party

AXIOMATIC = ("nash", "kalai-smorodinsky", "egalitarian", "utilitarian")


def root(f, lo: float, hi: float) -> float:
    return brentq(f, lo, hi, xtol=1e-15, rtol=1e-15)


def log_payoff() -> bargain.Model:
    """The shared case log_payoff_lambertw.toml: u_W = log(x) with d_W = -5, u_A = 1 - x."""
    return two_party("log(x)", "1 - x", d_a=-5)


def test_log_payoff_with_a_lambertw_closed_form_gives_numbers():
    # Nash: maximise (log x + 5)(1 - x); the first-order condition 1/x - log x = 6 has the
    # root exp(W(e^6) - 6) (Lambert W), outside the expression language.
    # KS: ideal gains 5 (x = 1) and 1 - e^-5 (x = e^-5); (log x + 5)/5 = (1 - x)/(1 - e^-5).
    # Egalitarian: log x + 5 = 1 - x. Utilitarian: log x + 1 - x rises on (0, 1]: x = 1.
    expected = {
        "nash": root(lambda x: 1 / x - math.log(x) - 6, 1e-3, 1),
        "kalai-smorodinsky": root(
            lambda x: (math.log(x) + 5) / 5 - (1 - x) / (1 - math.exp(-5)), 1e-3, 1
        ),
        "egalitarian": root(lambda x: math.log(x) + 5 - (1 - x), 1e-3, 1),
        "utilitarian": 1.0,
    }
    for method, x in expected.items():
        s = bargain.SOLVERS[method](log_payoff())
        assert s.agreement["x"] == pytest.approx(x, abs=1e-12), method
        json.loads(s.to_json())  # renders
        assert "agreement" in s.to_text()
    nash = bargain.nash(log_payoff())
    assert nash.agreement["x"] == pytest.approx(0.2223870766251749, abs=1e-12)
    # The closed form is reported, LambertW written as such (a special function of
    # closed forms, not of the model language).
    assert nash.exact
    assert json.loads(nash.to_json())["formula"] == {"x": "exp(-6 + LambertW(exp(6)))"}


def test_quintic_closed_form_gives_numbers():
    # u_B = 1 - x - x**5. Nash: 1/x = (1 + 5x^4)/(1 - x - x^5), i.e. 6x^5 + 2x - 1 = 0;
    # egalitarian: x^5 + 2x - 1 = 0. Both roots are CRootOf objects in sympy.
    m = two_party("x", "1 - x - x**5")
    nash = bargain.nash(m)
    assert nash.agreement["x"] == pytest.approx(
        root(lambda x: 6 * x**5 + 2 * x - 1, 0, 1), abs=1e-12
    )
    assert nash.formula is None
    egalitarian = bargain.egalitarian(m)
    assert egalitarian.agreement["x"] == pytest.approx(
        root(lambda x: x**5 + 2 * x - 1, 0, 1), abs=1e-12
    )
    json.loads(egalitarian.to_json())


@pytest.mark.parametrize("method", AXIOMATIC)
def test_pole_inside_the_contract_range_is_refused_naming_where(method):
    # The shared case pole_inside.toml: u_W = 1/x on [-1, 1], u_A = 1 - x, d = 0: as x -> 0+
    # u_W -> oo while A gets 1 > 0.
    m = two_party("1/x", "1 - x", variables={"x": {"min": -1, "max": 1}})
    with pytest.raises(
        bargain.ModelError, match=r"\[parties\.A\] payoff: grows without bound as x -> 0 from above"
    ):
        bargain.SOLVERS[method](m)


@pytest.mark.parametrize("method", AXIOMATIC)
@pytest.mark.parametrize(
    ("payoff_a", "payoff_b", "lo", "where"),
    [
        ("exp(1/(x - 0.25))", "1 - x", 0, "x -> 1/4 from above"),
        ("2/(1 - x)**2", "1 - x", 0, "x -> 1 from below"),  # at a bound; B at disagreement
        ("-1/x", "1 + x", -1, "x -> 0 from below"),
    ],
)
def test_other_poles_are_refused(method, payoff_a, payoff_b, lo, where):
    m = two_party(payoff_a, payoff_b, variables={"x": {"min": lo, "max": 1}})
    with pytest.raises(bargain.ModelError, match=where):
        bargain.SOLVERS[method](m)


def test_pole_where_no_one_gains_is_not_a_problem():
    # u_A = 1/x on [-1, 0]: it tends to -oo at the pole, and the usual refusal follows.
    m = two_party("1/x", "1 - x", variables={"x": {"min": -1, "max": 0}})
    with pytest.raises(bargain.FeasibilityError, match="no agreement found gives every party more"):
        bargain.nash(m)
    # A pole outside the range is no concern: 1/(x + 1) on [0, 1], Nash of 1/(x+1) and ...
    s = bargain.nash(two_party("x", "1/(x + 1)"))
    # ... maximise log x - log(x + 1): increasing, so x = 1.
    assert s.agreement["x"] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("method", AXIOMATIC)
def test_pole_in_one_of_two_variables_is_refused_naming_where(method):
    # u_A = 1/x + y on [-1, 1] x [0, 1]: as x -> 0+ (y = 0.5, the centre) u_A -> oo while
    # B = 2 - x - y -> 1.5 > 0. Before, the search ran towards the pole and reported that
    # no agreement improves on disagreement.
    m = two_party(
        "1/x + y",
        "2 - x - y",
        variables={"x": {"min": -1, "max": 1}, "y": {"min": 0, "max": 1}},
    )
    with pytest.raises(bargain.ModelError, match=r"x -> 0 from above \(at y = 0\.5\)"):
        bargain.SOLVERS[method](m)


@pytest.mark.parametrize("method", AXIOMATIC)
@pytest.mark.parametrize("scale", ["1e400", "10**10**10", "0.5**(-5000)"])
def test_payoff_beyond_floating_point_is_named_as_such(method, scale):
    # Finite, but beyond a float's 1.8e308: not "a pole" (the payoff has none), and never a
    # number; the message says how to fix it.
    m = two_party(f"x * {scale}", "1 - x")
    with pytest.raises(
        bargain.SolverError, match=r"\[parties\.A\] payoff: payoff is beyond floating"
    ):
        bargain.SOLVERS[method](m)
