"""Alternating offers over several variables by the transfer reduction (bargain.transfer)."""

from __future__ import annotations

import tomllib
from typing import Any

import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import minimize

import bargain
from bargain.model.modelfile import dumps_model
from bargain.strategic.transfer import find_transfer, reduce_transfer
from tests.conftest import shipped

TOL = 1e-9


def tu_model(
    *,
    w: str = "t + a*y - y**2/2",
    a_: str = "-t + b*y - y**2",
    variables: dict[str, Any] | None = None,
    bargaining: dict[str, Any] | None = None,
    constraints: dict[str, Any] | None = None,
    d_w: float = 0.9,
    d_a: float = 0.8,
    **parameters: float,
) -> bargain.Model:
    """Two parties, a transfer t and terms y: u_W = t + f_W(y), u_A = -t + f_A(y)."""
    data: dict[str, Any] = {
        "model": {"name": "tu"},
        "parameters": {"a": 1.0, "b": 1.0, "dW": d_w, "dA": d_a, **parameters},
        "variables": variables or {"t": {"min": -10, "max": 10}, "y": {"min": 0, "max": 2}},
        "parties": {
            "W": {"payoff": w, "discount_factor": "dW"},
            "A": {"payoff": a_, "discount_factor": "dA"},
        },
        "bargaining": {"first_proposer": "W", **(bargaining or {})},
    }
    if constraints:
        data["constraints"] = constraints
    return bargain.model_from_dict(data)


def share(first: float, second: float) -> float:
    """The first proposer's share of the pie: (1 - δ_2) / (1 - δ_1 δ_2) (Rubinstein 1982;
    Muthoo 1999, ch. 3)."""
    return (1 - second) / (1 - first * second)


def test_closed_form_split_of_the_maximal_surplus():
    # f_W = a y - y²/2, f_A = b y - y²: the joint surplus (a + b) y - 3y²/2 is maximal at
    # y* = (a + b)/3, where it is (a + b)²/6 (= 2/3 at a = b = 1; f_W(y*) = 4/9). The
    # first proposer W gets Rubinstein's share of it, so t = share * 2/3 - 4/9.
    m = tu_model()
    s = bargain.rubinstein(m)
    assert s.exact
    a, b = sympy.symbols("a b", real=True)
    dW, dA = sympy.symbols("dW dA", real=True)
    assert sympy.simplify(s.formula["y"] - (a + b) / 3) == 0
    expected_t = (1 - dA) / (1 - dW * dA) * (a + b) ** 2 / 6 - (a * (a + b) / 3 - (a + b) ** 2 / 18)
    assert sympy.simplify(s.formula["t"] - expected_t) == 0
    # At dW = 9/10, dA = 4/5 the share is 5/7: u_W = 10/21 and t = 10/21 - 4/9 = 2/63.
    assert s.exact_agreement == {"t": sympy.Rational(2, 63), "y": sympy.Rational(2, 3)}
    assert s.agreement["y"] == pytest.approx(2 / 3, abs=TOL)
    assert s.payoffs["W"] == pytest.approx(share(0.9, 0.8) * 2 / 3, abs=TOL)
    assert s.payoffs["A"] == pytest.approx((1 - share(0.9, 0.8)) * 2 / 3, abs=TOL)
    assert s.agreement["t"] == pytest.approx(share(0.9, 0.8) * 2 / 3 - 4 / 9, abs=TOL)
    # The same payoffs as the one-variable game on the surplus computed by hand.
    by_hand = bargain.model_from_dict(
        {
            "model": {"name": "hand"},
            "variables": {"t": {"min": -10, "max": 10}},
            "parties": {
                "W": {"payoff": "t + 4/9", "discount_factor": 0.9},
                "A": {"payoff": "-t + 2/9", "discount_factor": 0.8},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )
    one = bargain.rubinstein(by_hand)
    assert s.payoffs == pytest.approx(one.payoffs, abs=TOL)
    assert s.agreement["t"] == pytest.approx(one.agreement["t"], abs=TOL)
    # A proposing first gets its share of the same surplus; y does not move.
    other = bargain.rubinstein(m, proposer="A")
    assert other.payoffs["A"] == pytest.approx(share(0.8, 0.9) * 2 / 3, abs=TOL)
    assert other.agreement["y"] == pytest.approx(2 / 3, abs=TOL)


def test_the_reduction_is_recorded():
    s = bargain.rubinstein(tu_model())
    assert list(s.agreement) == ["t", "y"]
    assert set(s.formula) == set(s.exact_agreement) == {"t", "y"}
    assert s.exact_agreement["y"] == sympy.Rational(2, 3)
    assert s.exact_agreement["t"] == sympy.Rational(2, 63)
    reduction = s.extra["transfer reduction"]
    assert reduction["coefficient of t in u_W"] == 1
    assert reduction["coefficient of t in u_A"] == -1
    assert reduction["joint payoff (sum of payoffs)"] == pytest.approx(2 / 3, abs=TOL)
    # The surplus over disagreement is labelled as such (coefficients ±1: plain sums).
    gains = sum(s.payoffs[k] - s.disagreement[k] for k in s.payoffs)
    assert reduction["joint gain over disagreement"] == pytest.approx(gains, abs=TOL)
    assert "joint surplus" not in reduction
    assert s.extra["joint-surplus maximiser"] == pytest.approx({"y": 2 / 3}, abs=TOL)
    assert any(a.startswith("transferable utility: t is a transfer") for a in s.assumptions)
    assert "over the transfer t" in s.route


def test_the_flagships_joint_gain_is_the_surplus_over_a_strike_to_june():
    m = bargain.load_model(bargain.models_dir() / "wga2007.toml")
    s = bargain.rubinstein(m, exact=False)
    reduction = s.extra["transfer reduction"]
    v = m.values
    strike = v["pay_W"] * 7 / 365 * v["T_D"] + v["m_A"] * v["prod_A"] * 7 * v["T_D"]
    total = reduction["joint payoff (sum of payoffs)"]
    assert total == pytest.approx(s.payoffs["W"] + s.payoffs["A"], rel=1e-9)
    assert reduction["joint gain over disagreement"] == pytest.approx(total + strike, rel=1e-9)


def test_general_coefficients():
    # u_W = 2t + f_W, u_A = -t/2 + f_A: the frontier is u_W/2 + 2 u_A = S* with
    # S(y) = f_W/2 + 2 f_A. In W's units the pie is 2 S*, and W, proposing, gets
    # Rubinstein's share of it. f_W = y - y²/2, f_A = y - y²: S = 5y/2 - 9y²/4, y* = 5/9,
    # S* = 25/36.
    m = tu_model(w="2*t + y - y**2/2", a_="-t/2 + y - y**2")
    s = bargain.rubinstein(m)
    assert s.exact_agreement["y"] == sympy.Rational(5, 9)
    assert s.payoffs["W"] == pytest.approx(2 * 25 / 36 * share(0.9, 0.8), abs=TOL)
    assert s.payoffs["W"] / 2 + 2 * s.payoffs["A"] == pytest.approx(25 / 36, abs=TOL)
    assert s.extra["transfer reduction"]["coefficient of t in u_A"] == -0.5


def pareto_model() -> bargain.Model:
    """A flat payment F and two terms e, d with a binding budget e + d <= 6/5."""
    return tu_model(
        w="F + 3*e - e**2 - e*d",
        a_="-F + 2*d - d**2 - e**2/2",
        variables={
            "F": {"min": -10, "max": 10},
            "e": {"min": 0, "max": 2},
            "d": {"min": 0, "max": 2},
        },
        constraints={"budget": "e + d <= 6/5"},
    )


def test_agreement_is_on_the_pareto_frontier():
    # An independent route: scipy maximises u_A over (F, e, d) subject to u_W >= the
    # equilibrium u_W, within the bounds and the budget. Nothing beats the agreement.
    s = bargain.rubinstein(pareto_model())
    # The joint surplus 3e - 3e²/2 - ed + 2d - d² on e + d = 6/5: 3 - 3e - d = 2 - e - 2d,
    # so e = 11/15, d = 7/15.
    assert s.exact_agreement["e"] == sympy.Rational(11, 15)
    assert s.exact_agreement["d"] == sympy.Rational(7, 15)
    assert "budget" in s.binding

    def u_w(z: np.ndarray) -> float:
        f, e, d = z
        return f + 3 * e - e**2 - e * d

    def u_a(z: np.ndarray) -> float:
        f, e, d = z
        return -f + 2 * d - d**2 - e**2 / 2

    target = s.payoffs["W"]
    best = -np.inf
    for start in ([0, 0.1, 0.1], [5, 1, 0.1], [-5, 0.1, 1], [0, 0.6, 0.6]):
        res = minimize(
            lambda z: -u_a(z),
            np.array(start, dtype=float),
            method="SLSQP",
            bounds=[(-10, 10), (0, 2), (0, 2)],
            constraints=[
                {"type": "ineq", "fun": lambda z: u_w(z) - target},
                {"type": "ineq", "fun": lambda z: 6 / 5 - z[1] - z[2]},
            ],
            options={"ftol": 1e-14, "maxiter": 500},
        )
        assert res.success
        best = max(best, -res.fun)
    assert best == pytest.approx(s.payoffs["A"], abs=1e-7)
    # And the agreement itself reproduces its payoffs under the hand-written functions.
    z = np.array([s.agreement[k] for k in ("F", "e", "d")])
    assert u_w(z) == pytest.approx(s.payoffs["W"], abs=TOL)
    assert u_a(z) == pytest.approx(s.payoffs["A"], abs=TOL)


@given(d_w=st.floats(0.5, 0.95), d_a=st.floats(0.5, 0.95), step=st.floats(0.01, 0.04))
def test_efficiency_and_patience(d_w, d_a, step):
    # Efficiency: the non-transfer terms are the joint-surplus maximiser, whatever the
    # patience. Patience: F, paid to W, rises with W's discount factor and falls with A's.
    m = pareto_model()

    def solve(dw: float, da: float) -> bargain.Solution:
        return bargain.rubinstein(m.with_values(dW=dw, dA=da), exact=False)

    s = solve(d_w, d_a)
    assert s.agreement["e"] == pytest.approx(11 / 15, abs=1e-9)
    assert s.agreement["d"] == pytest.approx(7 / 15, abs=1e-9)
    assert solve(d_w + step, d_a).agreement["F"] > s.agreement["F"]
    assert solve(d_w, d_a + step).agreement["F"] < s.agreement["F"]


def test_finite_horizon_last_proposer_takes_the_surplus():
    # One round: W offers A exactly its disagreement payoff 0, t = f_A(y*) = 2/9, and keeps
    # the whole surplus 2/3.
    s = bargain.rubinstein(tu_model(), horizon=1)
    assert s.agreement["t"] == pytest.approx(2 / 9, abs=TOL)
    assert s.agreement["y"] == pytest.approx(2 / 3, abs=TOL)
    assert s.payoffs["W"] == pytest.approx(2 / 3, abs=TOL)


def test_logrolling_is_not_transferable_over_the_whole_range():
    # Logrolling with patience: both issues are linear with constant coefficients of opposite
    # signs, so either could be the transfer. With a as the transfer, b* = 0 (the surplus in
    # units of a is b/2 + 3 - 2b), u_W = 2a and u_A = 3 - a: W, proposing, would take 3 * 10/19
    # of the pie in units of a, i.e. a > 1, past the bound of a share. The reduction refuses.
    data = tomllib.loads(dumps_model(shipped("logrolling")))
    for p in data["parties"].values():
        p["discount_factor"] = 0.9
    data["bargaining"] = {"transfer": "a", "first_proposer": "W"}
    m = bargain.model_from_dict(data)
    assert bargain.model_from_dict(tomllib.loads(dumps_model(m))) == m  # the key round-trips
    with pytest.raises(bargain.ModelError, match=r"\[variables.a\] max: binds in equilibrium"):
        bargain.rubinstein(m)
    assert reduce_transfer(m).others == pytest.approx({"b": 0}, abs=TOL)


def test_credibility_with_rubinstein_on_a_tu_model():
    # The package deal shifts payoffs by constants: W's by 0.9 * 0.2 - 0.1 = 0.08 and A's by
    # 0.3 - 0.9 * 0.2 = 0.12, so the surplus grows by 0.2. The terms stay at the surplus
    # maximiser y* = 2/3; only the transfer moves between before (package) and after (none).
    data = tomllib.loads(dumps_model(tu_model()))
    data["promises"] = {
        "p": {
            "by": "A",
            "to": "W",
            "concession": 0.1,
            "concession_value": 0.3,
            "promised": 0.2,
            "trust": 0.8,
            "error": 0.1,
        }
    }
    report = bargain.credibility(bargain.model_from_dict(data), method="rubinstein")
    before, after = report.before.solution, report.after.solution
    assert report.before.package and not report.after.package
    assert before.agreement["y"] == pytest.approx(2 / 3, abs=TOL)
    assert after.agreement["y"] == pytest.approx(2 / 3, abs=TOL)
    keep = 0.8 * 0.9
    gain_w, gain_a = keep * 0.2 - 0.1, 0.3 - keep * 0.2
    assert before.payoffs["W"] == pytest.approx(5 / 7 * (2 / 3 + gain_w + gain_a), abs=1e-9)
    assert before.agreement["t"] == pytest.approx(
        5 / 7 * (2 / 3 + gain_w + gain_a) - 4 / 9 - gain_w, abs=1e-9
    )
    assert after.agreement["t"] == pytest.approx(2 / 63, abs=1e-9)
    assert report.cost["surplus_lost"] == pytest.approx(gain_w + gain_a, abs=1e-9)


# -- refusals -----------------------------------------------------------------------------------


def test_no_transfer_variable():
    m = tu_model(w="t*y", a_="1 - t*y")
    with pytest.raises(bargain.ModelError, match=r"\[parties\] payoff: .* no variable is"):
        bargain.rubinstein(m)


def test_two_candidates_without_the_key():
    m = tu_model(w="t + 2*y", a_="-t - y")
    with pytest.raises(
        bargain.ModelError, match=r"\[bargaining\] transfer: several variables .* \(t, y\)"
    ):
        bargain.rubinstein(m)
    # Naming one resolves it (y is then fixed at the surplus maximiser, its upper bound).
    s = bargain.rubinstein(tu_model(w="t + 2*y", a_="-t - y", bargaining={"transfer": "t"}))
    assert s.agreement["y"] == pytest.approx(2, abs=TOL)


def test_unknown_transfer_name():
    with pytest.raises(
        bargain.ModelError, match=r"\[bargaining\] transfer: unknown variable 'z'; the variables"
    ):
        tu_model(bargaining={"transfer": "z"})
    with pytest.raises(bargain.ModelError, match=r"\[bargaining\] transfer: must be the name"):
        tu_model(bargaining={"transfer": 3})
    # A model built in code is checked again by the solver.
    from dataclasses import replace

    m = tu_model()
    bad = replace(m, bargaining=replace(m.bargaining, transfer="z"))
    with pytest.raises(bargain.ModelError, match=r"\[bargaining\] transfer: unknown variable"):
        bargain.rubinstein(bad)


def test_named_variable_is_not_a_transfer():
    m = tu_model(bargaining={"transfer": "y"})
    with pytest.raises(bargain.ModelError, match=r"\[bargaining\] transfer: y is not a transfer"):
        bargain.rubinstein(m)


def test_constraint_on_the_transfer():
    m = tu_model(constraints={"cap": "t + y <= 1"})
    with pytest.raises(bargain.ModelError, match=r"\[constraints\] cap: involves the transfer t"):
        bargain.rubinstein(m)


def test_three_parties():
    m = bargain.model_from_dict(
        {
            "model": {"name": "three"},
            "variables": {"t": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "t + y"},
                "A": {"payoff": "-t"},
                "C": {"payoff": "y"},
            },
        }
    )
    with pytest.raises(bargain.ModelError, match=r"\[parties\]: .* two parties"):
        find_transfer(m)


@pytest.mark.parametrize("scale", [1.0, 1e-9, 1e-12])
def test_a_binding_transfer_bound_is_refused_at_every_scale(scale):
    # The first case below in other units: payoffs and the transfer's range times `scale`.
    # Scaling every payoff and the transfer's range scales the equilibrium transfer: W,
    # proposing, would take t = 2/63 * scale (the unscaled value of the case below), above the
    # bound 0.01 * scale, at every scale. At 1e-9 the check compared the excess with
    # 1e-9 * (1 + demand), an absolute floor, and reported t at its bound instead.
    m = tu_model(
        w="t + s*(y - y**2/2)",
        a_="-t + s*(y - y**2)",
        variables={"t": {"min": -scale, "max": 0.01 * scale}, "y": {"min": 0, "max": 2}},
        s=scale,
    )
    with pytest.raises(bargain.ModelError, match=r"\[variables.t\] max: binds in equilibrium"):
        bargain.rubinstein(m)


@pytest.mark.parametrize(
    ("bounds", "horizon", "key"),
    [
        ({"min": -1, "max": 0.01}, None, "max"),  # W proposes t = 2/63 > 0.01
        ({"min": 0, "max": 1}, None, "min"),  # A, responding to W, proposes t = -1/63 < 0
        ({"min": -1, "max": 0.1}, 1, "max"),  # one round: W takes t = 2/9 > 0.1
    ],
)
def test_binding_transfer_bounds_are_refused(bounds, horizon, key):
    m = tu_model(variables={"t": bounds, "y": {"min": 0, "max": 2}})
    with pytest.raises(bargain.ModelError, match=rf"\[variables.t\] {key}: binds in equilibrium"):
        bargain.rubinstein(m, horizon=horizon)


def test_reduced_model_has_one_variable():
    r = reduce_transfer(tu_model())
    assert r.transfer == "t"
    assert r.reduced.variable_names == ("t",)
    assert r.exact
    assert r.others == pytest.approx({"y": 2 / 3}, abs=TOL)


def test_sweep_goes_through_the_reduction():
    # The vectorised kernel is one-variable; the sweep falls back to solving point by point,
    # which reduces each point. The terms stay put, the transfer rises with W's patience.
    table = bargain.sweep(pareto_model(), "rubinstein", {"dW": (0.6, 0.9)}, n=3)
    assert list(table["status"]) == ["ok"] * 3
    assert table["e"].to_numpy() == pytest.approx([11 / 15] * 3, abs=1e-9)
    assert np.all(np.diff(table["F"].to_numpy()) > 0)


def test_quick_disproof_of_a_transfer():
    # y enters with -y²/2: the derivative in y depends on y (second derivative -1), so y is
    # ruled out without the simplifying test; t's second derivatives are all zero, so t
    # goes to the full test, which finds it. A y whose quadratic terms cancel only when
    # expanded is no disproof (its second derivative is 0): the full test finds it linear.
    from bargain.strategic.transfer import _visibly_nonlinear

    m = tu_model()
    t, y = m.variables
    assert (_visibly_nonlinear(m, t), _visibly_nonlinear(m, y)) == (False, True)
    assert find_transfer(m) == ("t", {"W": 1, "A": -1})
    flat = tu_model(w="t + a*y + (y + 1)**2/2 - y**2/2 - y", a_="-t - b*y")
    assert _visibly_nonlinear(flat, flat.variables[1]) is False
    with pytest.raises(bargain.ModelError, match="several variables could be the transfer"):
        find_transfer(flat)


def test_the_surplus_payoffs_are_the_payoffs_less_the_transfer_term_as_written():
    # The joint-surplus problem takes each payoff less its transfer term a_i t. Where the
    # payoff has the term a_i t written out (the flagship's F and -F), it is dropped and
    # the other terms are kept as written, not simplified (which cost a fifth of a second
    # and gave the same numbers); where t cancels only after simplifying (t + c*t less
    # (c + 1)*t), the rest is simplified, or t would seem to be left in it.
    from bargain.strategic.transfer import surplus_of

    m = shipped("wga2007")
    f = m.variables[0].symbol
    t, coefficients = find_transfer(m)
    assert (t, coefficients) == ("F", {"W": 1, "A": -1})
    surplus, weights = surplus_of(m, t, coefficients)
    for party, reduced in zip(m.parties, surplus.parties, strict=True):
        term = coefficients[party.name] * f
        assert term in party.payoff.args
        assert reduced.payoff.args == tuple(a for a in party.payoff.args if a != term)
        # the same function of the terms as the simplified rest
        assert sympy.simplify(reduced.payoff - sympy.simplify(party.payoff - term)) == 0
    assert weights == {"W": 1, "A": 1}
    spread = tu_model(w="t + c*t + a*y - y**2/2", a_="-t + b*y - y**2", c=0.5)
    t, coefficients = find_transfer(spread)
    assert str(coefficients["W"]) == "c + 1"
    surplus, weights = surplus_of(spread, t, coefficients)
    y = spread.variables[1].symbol
    rest = surplus.parties[0].payoff
    (a,) = (x for x in rest.free_symbols if str(x) == "a")
    assert t not in {str(x) for x in rest.free_symbols}
    assert sympy.expand(rest) == sympy.expand(a * y - y**2 / 2)
    # The joint surplus in units of t, f_W/(3/2) + f_A = (y - y²/2)/(3/2) + y - y² at
    # a = b = 1, is maximal where (1 - y)/(3/2) + 1 - 2y = 0: y* = 5/8.
    s = bargain.rubinstein(spread)
    assert s.exact_agreement["y"] == sympy.Rational(5, 8)
    found = minimize(lambda v: -((v[0] - v[0] ** 2 / 2) / 1.5 + v[0] - v[0] ** 2), [1.0])
    assert found.x[0] == pytest.approx(5 / 8, abs=1e-6)
