"""The alternating-offers game: closed forms, backward induction, the Nash limit, properties."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import mpmath
import pytest
import sympy
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy.optimize import brentq

import bargain
from bargain.concepts.budget import MAX_DEGREE, degree
from bargain.strategic.rubinstein import backward_induction, game_of
from tests.conftest import shipped, two_party

TOL = 1e-9


def split_game(bargaining: dict | None = None, **parties: dict) -> bargain.Model:
    """Splitting one unit: W gets x, A gets 1 - x (each party's fields can be overridden);
    W proposes first unless ``bargaining`` says otherwise."""
    spec = {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}}
    for name, fields in parties.items():
        spec[name].update(fields)
    return bargain.model_from_dict(
        {
            "model": {"name": "g"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": spec,
            "bargaining": {"first_proposer": "W", **(bargaining or {})},
        }
    )


def test_rubinstein_closed_form(split):
    # Rubinstein (1982); Muthoo (1999), ch. 3: the first proposer W gets
    # (1 - delta_A) / (1 - delta_W delta_A); as responder W gets delta_W times its proposal.
    s = bargain.rubinstein(split)
    dW, dA = sympy.symbols("delta_W delta_A", real=True)
    V = sympy.Symbol("V", real=True)
    assert sympy.simplify(s.formula["x"] - V * (1 - dA) / (1 - dW * dA)) == 0
    assert s.exact_agreement["x"] == sympy.Rational(5, 7)
    assert s.extra["proposals"]["A"] == pytest.approx(0.9 * 5 / 7, abs=TOL)
    assert s.delay == 0
    other = bargain.rubinstein(split, proposer="A")
    assert 1 - other.agreement["x"] == pytest.approx((1 - 0.9) / (1 - 0.72), abs=TOL)


@given(delta=st.floats(0.05, 0.95), rounds=st.integers(1, 12))
def test_finite_horizon_stahl(delta, rounds):
    # Ståhl (1972): with a common discount factor and T rounds (the last proposer takes all),
    # the first proposer's share is (1 - (-delta)**T) / (1 + delta).
    m = split_game(W={"discount_factor": delta}, A={"discount_factor": delta})
    s = bargain.rubinstein(m, horizon=rounds)
    assert s.agreement["x"] == pytest.approx((1 - (-delta) ** rounds) / (1 + delta), abs=TOL)
    assert s.delay == 0


@given(d_w=st.floats(0.5, 0.98), d_a=st.floats(0.5, 0.98))
def test_backward_induction_converges_to_fixed_point(d_w, d_a):
    m = split_game(W={"discount_factor": d_w}, A={"discount_factor": d_a})
    stationary = bargain.rubinstein(m, exact=False).agreement["x"]
    x, delay, _, _ = backward_induction(game_of(m), 2000)
    assert x == pytest.approx(stationary, abs=1e-9)
    assert delay == 0


def test_concave_frontier_against_indifference_conditions():
    # u_W = x, u_A = sqrt(1 - x): the proposals solve sqrt(1 - x_W) = delta_A sqrt(1 - x_A)
    # and x_A = delta_W x_W, so x_W = (1 - delta_A**2) / (1 - delta_A**2 delta_W).
    m = two_party("x", "sqrt(1 - x)", A={"discount_factor": 0.9}, B={"discount_factor": 0.8})
    s = bargain.rubinstein(m)
    assert s.agreement["x"] == pytest.approx((1 - 0.64) / (1 - 0.64 * 0.9), abs=TOL)
    assert s.exact


@pytest.mark.parametrize("frontier", ["1 - x", "sqrt(1 - x)", "(1 - x)**3"])
def test_nash_limit_as_offers_come_faster(frontier):
    # Binmore, Rubinstein & Wolinsky (1986): as the period length goes to zero the
    # equilibrium converges to the generalised Nash solution with W's power r_A / (r_W + r_A).
    r_w, r_a = 0.05, 0.15
    m = two_party("x", frontier, A={"discount_rate": r_w}, B={"discount_rate": r_a})
    limit = bargain.nash(m, powers={"A": r_a, "B": r_w}, exact=False).agreement["x"]
    errors = [
        abs(bargain.rubinstein(m, period=dt, exact=False).agreement["x"] - limit)
        for dt in (1.0, 0.1, 0.01, 0.001)
    ]
    assert errors[-1] < 1e-4
    for coarse, fine in itertools.pairwise(errors):
        assert fine < coarse / 5  # first order in the period length


@given(r=st.floats(0.01, 0.5))
def test_first_mover_advantage_vanishes(r):
    m = split_game(W={"discount_rate": r}, A={"discount_rate": r})
    first = bargain.rubinstein(m, period=0.001, exact=False).agreement["x"]
    assert first == pytest.approx(0.5, abs=r * 0.001)


@given(
    b_w=st.floats(-0.3, 0.3),
    b_a=st.floats(-0.3, 0.3),
    d_w=st.floats(0.6, 0.95),
    d_a=st.floats(0.6, 0.95),
)
def test_inside_options_impasse_point(b_w, b_a, d_w, d_a):
    # Muthoo (1999), ch. 6 (inside options): with impasse payoffs b_i (present value of
    # striking forever), x_W = b_W + (1 - delta_A) / (1 - delta_W delta_A) (1 - b_W - b_A).
    # Strike payoffs are flows per period: the impasse payoff is flow / r with r = -log delta.
    m = split_game(
        W={"discount_factor": d_w, "strike_payoff": b_w * -math.log(d_w)},
        A={"discount_factor": d_a, "strike_payoff": b_a * -math.log(d_a)},
    )
    closed = b_w + (1 - d_a) / (1 - d_w * d_a) * (1 - b_w - b_a)
    partner = b_w * (1 - d_w) + d_w * closed  # A's proposal: W indifferent
    assume(0.001 < closed < 0.999 and 0.001 < partner < 0.999)  # the formula's own domain
    s = bargain.rubinstein(m, exact=False)
    assert s.agreement["x"] == pytest.approx(closed, abs=1e-9)


def test_inside_option_at_the_contract_bound():
    # A strike so costly for W that the unbounded formula would have W pay A: A's proposal
    # sits at the bound x = 0, and W's proposal leaves A indifferent: 1 - x_W = 0.6 * 1.
    b_w = -1.6
    m = split_game(
        W={"discount_factor": 0.6, "strike_payoff": b_w * -math.log(0.6)},
        A={"discount_factor": 0.6},
    )
    s = bargain.rubinstein(m)
    assert s.extra["proposals"] == {"W": pytest.approx(0.4, abs=TOL), "A": 0.0}


@pytest.mark.parametrize(("o_a", "expected"), [(0.2, 5 / 7), (0.5, 0.5)])
def test_outside_option_principle(o_a, expected):
    # Binmore, Shaked & Sutton (1989); Muthoo (1999), ch. 5: A's outside option changes the
    # outcome only if it beats what A gets in the game without it (here 0.8 * 5/14 = 0.2857).
    m = split_game(W={"discount_factor": 0.9}, A={"discount_factor": 0.8, "outside_option": o_a})
    s = bargain.rubinstein(m)
    assert s.agreement["x"] == pytest.approx(expected, abs=TOL)
    assert ("A outside option" in s.binding) == (o_a == 0.5)


@given(q=st.floats(0.01, 0.99))
def test_breakdown_risk_without_discounting(q):
    # Binmore, Rubinstein & Wolinsky (1986); Muthoo (1999), ch. 4: with no discounting and a
    # probability q of breakdown after each rejection (payoffs 0), the proposer gets 1/(2-q).
    m = split_game({"breakdown_probability": q}, W={"discount_factor": 1}, A={"discount_factor": 1})
    assert bargain.rubinstein(m, exact=False).agreement["x"] == pytest.approx(1 / (2 - q), abs=TOL)


@given(low=st.floats(0.3, 0.9), step=st.floats(0.01, 0.09))
def test_more_patient_gets_more(low, step):
    base = bargain.rubinstein(
        split_game(W={"discount_factor": low}, A={"discount_factor": 0.8}), exact=False
    )
    patient = bargain.rubinstein(
        split_game(W={"discount_factor": low + step}, A={"discount_factor": 0.8}), exact=False
    )
    assert patient.payoffs["W"] > base.payoffs["W"]


@given(cost=st.floats(0, 0.05), extra=st.floats(0.001, 0.05))
def test_higher_strike_cost_gets_less(cost, extra):
    def share(c: float) -> float:
        m = split_game(W={"discount_factor": 0.9, "strike_payoff": -c}, A={"discount_factor": 0.9})
        return bargain.rubinstein(m, exact=False).payoffs["W"]

    assert share(cost + extra) < share(cost)


def test_deadline_payoffs_are_discounted():
    # One round, W proposes; if A rejects, the deadline passes and A gets d_A = 0.3 one round
    # later, worth 0.9 * 0.3 = 0.27 now: W offers A exactly that.
    m = split_game(
        W={"discount_factor": 0.9, "disagreement": 0.2},
        A={"discount_factor": 0.9, "disagreement": 0.3},
    )
    assert bargain.rubinstein(m, horizon=1).agreement["x"] == pytest.approx(0.73, abs=TOL)


def test_no_agreement_before_the_deadline_is_an_error():
    # Deadline payoffs worth 0.54 + 0.54 > 1 to the two sides: no contract beats waiting.
    m = split_game(
        W={"discount_factor": 0.9, "disagreement": 0.6},
        A={"discount_factor": 0.9, "disagreement": 0.6},
    )
    with pytest.raises(bargain.FeasibilityError, match="no agreement within 1 rounds"):
        bargain.rubinstein(m, horizon=1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"period": 0}, "period: must be a positive number"),
        ({"period": -1.0}, "period: must be a positive number"),
        ({"horizon": 0}, r"\[bargaining\] horizon: must be a positive integer"),
        ({"horizon": 2.5}, r"\[bargaining\] horizon"),
        ({"proposer": "Z"}, "unknown party 'Z'"),
    ],
)
def test_bad_options(split, kwargs, match):
    with pytest.raises(bargain.ModelError, match=match):
        bargain.rubinstein(split, **kwargs)


def test_frontier_must_be_decreasing():
    both_rise = split_game(W={"discount_factor": 0.9}, A={"payoff": "x", "discount_factor": 0.9})
    with pytest.raises(bargain.ModelError, match="frontier must be decreasing"):
        bargain.rubinstein(both_rise)
    hump = split_game(
        W={"discount_factor": 0.9}, A={"payoff": "x * (1 - x)", "discount_factor": 0.9}
    )
    with pytest.raises(
        bargain.ModelError, match=r"\[parties.A\] payoff: must be finite and strictly monotone"
    ):
        bargain.rubinstein(hump)


def test_needs_patience_and_one_variable():
    with pytest.raises(bargain.ModelError, match=r"\[parties.A\] discount_factor"):
        bargain.rubinstein(shipped("concave"))
    # Two variables, each linear with constant coefficients of opposite signs: both could be
    # the transfer (bargain.transfer), and the solver asks which.
    with pytest.raises(
        bargain.ModelError, match=r"\[bargaining\] transfer: several variables .* \(a, b\)"
    ):
        bargain.rubinstein(shipped("logrolling"))
    # The one-variable game itself (used by simulate and strike_or_holdout) does not reduce.
    with pytest.raises(bargain.ModelError, match=r"\[variables\]: .* one contract variable"):
        bargain.simulate(shipped("logrolling"))


def test_weekly_case_model_is_fast(split):
    import time

    # CPU time of this thread (wall time is the machine's load): patient parties once
    # took minutes of bisection; the solve is milliseconds.
    start = time.thread_time()
    bargain.rubinstein(split.with_values(delta_W=0.999, delta_A=0.998), exact=False)
    assert time.thread_time() - start < 5.0


@given(c_w=st.floats(0.01, 0.4), c_a=st.floats(0.01, 0.4))
def test_fixed_costs(c_w, c_a):
    # Rubinstein (1982), §5 (fixed bargaining costs, no discounting), W proposing first:
    # c_W < c_A: W gets everything; c_W > c_A: W gets c_A; c_W = c_A = c: every share in
    # [c, 1] is an equilibrium outcome, reported as a set.
    assume(abs(c_w - c_a) > 1e-3)
    m = split_game(
        W={"discount_factor": 1, "strike_payoff": -c_w},
        A={"discount_factor": 1, "strike_payoff": -c_a},
    )
    s = bargain.rubinstein(m)
    assert s.unique
    assert s.agreement["x"] == pytest.approx(1.0 if c_w < c_a else c_a, abs=1e-9)


@given(c=st.floats(0.01, 0.6))
def test_equal_fixed_costs_give_a_set(c):
    m = split_game(
        W={"discount_factor": 1, "strike_payoff": -c},
        A={"discount_factor": 1, "strike_payoff": -c},
    )
    s = bargain.rubinstein(m)
    assert not s.unique and s.agreement == {} and s.payoffs == {}
    low, high = s.agreement_set["x"]
    assert low == pytest.approx(c, abs=1e-9)
    assert high == pytest.approx(1.0, abs=1e-9)
    data = s.to_dict()
    assert data["unique"] is False and data["agreement_set"]["x"] == [low, high]


@given(q=st.floats(0.01, 0.5), d_w=st.floats(0.5, 0.99), d_a=st.floats(0.5, 0.99))
def test_discounting_and_breakdown_combined(q, d_w, d_a):
    # Muthoo (1999), ch. 4 with discounting: the responder's alternative is (1 - q) delta_j
    # times its next-round share, so x_W = (1 - (1-q) d_A) / (1 - (1-q)**2 d_W d_A).
    m = split_game(
        {"breakdown_probability": q}, W={"discount_factor": d_w}, A={"discount_factor": d_a}
    )
    closed = (1 - (1 - q) * d_a) / (1 - (1 - q) ** 2 * d_w * d_a)
    assert bargain.rubinstein(m, exact=False).agreement["x"] == pytest.approx(closed, abs=TOL)


def test_nash_limit_with_strike_payoffs_uses_the_impasse_point():
    # Binmore, Rubinstein & Wolinsky (1986): with inside options the limit is the generalised
    # Nash solution whose disagreement point is the impasse point b_i / r_i.
    r_w, r_a, b_w, b_a = 0.05, 0.1, -0.004, 0.01
    m = two_party(
        "x",
        "sqrt(1 - x)",
        A={"discount_rate": r_w, "strike_payoff": b_w},
        B={"discount_rate": r_a, "strike_payoff": b_a},
    )
    impasse = two_party("x", "sqrt(1 - x)", d_a=b_w / r_w, d_b=b_a / r_a)
    limit = bargain.nash(impasse, powers={"A": r_a, "B": r_w}, exact=False).agreement["x"]
    near = bargain.rubinstein(m, period=0.001, exact=False).agreement["x"]
    far = bargain.rubinstein(m, period=0.1, exact=False).agreement["x"]
    assert abs(near - limit) < 1e-4
    assert abs(near - limit) < abs(far - limit) / 10


@given(o_a=st.floats(0.3, 0.9), d_w=st.floats(0.5, 0.95), d_a=st.floats(0.5, 0.95))
def test_binding_outside_option_sets_the_share_exactly(o_a, d_w, d_a):
    # Outside-option principle: if A's outside option beats its game payoff as responder,
    # W's offer gives A exactly o_A.
    rubinstein_share_a = d_a * (1 - d_w) / (1 - d_w * d_a)
    assume(o_a > rubinstein_share_a + 1e-6)
    m = split_game(W={"discount_factor": d_w}, A={"discount_factor": d_a, "outside_option": o_a})
    s = bargain.rubinstein(m, exact=False)
    assert s.payoffs["A"] == pytest.approx(o_a, abs=TOL)
    assert "A outside option" in s.binding


def test_exact_agreement_keeps_its_numbers_small():
    # Strike flows with rational discount factors put log(99/100) and log(199/200) in the
    # closed form; sympy's default simplify measure would fold them into the logarithm of a
    # rational with thousands of digits. The value is unchanged, the numbers stay small.
    m = bargain.model_from_dict(
        {
            "model": {"name": "logs"},
            "variables": {"F": {"min": -200, "max": 200}},
            "parties": {
                "W": {"payoff": "F + 3", "discount_factor": 0.99, "strike_payoff": -1},
                "A": {"payoff": "100 - F", "discount_factor": 0.995, "strike_payoff": -3},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )
    s = bargain.rubinstein(m)
    e = s.exact_agreement["F"]
    assert (
        max(abs(int(r.p)).bit_length() + int(r.q).bit_length() for r in e.atoms(sympy.Rational))
        < 64
    )
    assert float(e) == pytest.approx(s.agreement["F"], abs=1e-9)


# -- the exact route is bounded by work (bargain.concepts.budget) -------------------------

CASES = Path(__file__).resolve().parent / "cases"


def _linear_share(delta_a: float, delta_b: float, flow_a: float = 0, flow_b: float = 0) -> float:
    """The first proposer's share of a unit with strike flows (Rubinstein 1982; Muthoo 1999,
    §3.2 and §4.4): ``x = (1 - s_B - δ_B + δ_B s_A) / (1 - δ_A δ_B)``, each round's strike
    payoff ``s_i = b_i (1 - δ_i) / (-log δ_i)``."""
    s_a = flow_a * (1 - delta_a) / -math.log(delta_a)
    s_b = flow_b * (1 - delta_b) / -math.log(delta_b)
    return (1 - s_b - delta_b + delta_b * s_a) / (1 - delta_a * delta_b)


def test_rates_hang_case_is_solved_with_its_closed_form():
    # The shared case: rates 0.0001 and 0.05 per week. exp(501/10000) is a polynomial of
    # degree 501 to sympy, which simplified it for minutes; the closed form stands untidied.
    s = bargain.rubinstein(bargain.load_model(CASES / "rubinstein_rates_hang.toml"))
    assert s.agreement["x"] == pytest.approx(0.998053477209, abs=1e-12)
    assert s.agreement["x"] == pytest.approx(_linear_share(math.exp(-0.0001), math.exp(-0.05)))
    assert s.exact and degree([s.exact_agreement["x"]]) == 501 > MAX_DEGREE
    assert float(s.exact_agreement["x"]) == pytest.approx(s.agreement["x"], abs=1e-15)


def test_a_breakdown_risk_beside_strike_and_disagreement_payoffs_is_solved_in_bounded_work():
    # W: x, delta 0.9, d 0.1; A: 1 - x, delta 0.95, strike 0.0005, d 0.05; breakdown 0.01, A
    # first. The closed form holds 2142760 log(19/20), which simplify combined into
    # log((19/20)**2142760), a rational of millions of digits: 100 s in C code that neither
    # the safety net nor Ctrl-C interrupts (and 8 of 40 such games took the 10 s net, so
    # whether they had a formula depended on the machine's speed). The reference: the
    # stationary equations with a risk of breakdown (Binmore, Rubinstein & Wolinsky 1986;
    # Muthoo 1999, §4.4), each responder offered what rejecting is worth,
    # x_A = q d_W + (1 - q) delta_W x_W and 1 - x_W = s_A + q d_A + (1 - q) delta_A (1 - x_A),
    # with the strike payoff per round s_A = b (1 - delta_A) / (-log delta_A), in 40 digits.
    m = bargain.model_from_dict(
        {
            "model": {"name": "risk"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.9, "disagreement": 0.1},
                "A": {
                    "payoff": "1 - x",
                    "discount_factor": 0.95,
                    "strike_payoff": 0.0005,
                    "disagreement": 0.05,
                },
            },
            "bargaining": {"first_proposer": "A", "breakdown_probability": 0.01},
        }
    )
    with mpmath.workdps(40):
        q, d_w, d_a = mpmath.mpf("0.01"), mpmath.mpf("0.9"), mpmath.mpf("0.95")
        s_a = mpmath.mpf("0.0005") * (1 - d_a) / -mpmath.log(d_a)
        keep_w, keep_a = q * mpmath.mpf("0.1"), s_a + q * mpmath.mpf("0.05")
        # x_W = 1 - keep_a - (1 - q) d_a (1 - keep_w - (1 - q) d_w x_W), solved for x_W
        x_w = (1 - keep_a - (1 - q) * d_a * (1 - keep_w)) / (1 - (1 - q) ** 2 * d_a * d_w)
        x_a = keep_w + (1 - q) * d_w * x_w
    s = bargain.rubinstein(m)
    assert s.agreement["x"] == pytest.approx(float(x_a), rel=1e-13)
    assert s.agreement["x"] == pytest.approx(0.32796282251899, abs=1e-13)
    assert s.exact and "safety" not in s.route
    assert float(s.exact_agreement["x"]) == pytest.approx(float(x_a), rel=1e-13)


@pytest.mark.parametrize("r_w", [0.123, 0.0217, 0.4999])
def test_rates_at_other_values_keep_the_formula(r_w):
    m = shipped("rates").with_values({"r_W": r_w})
    s = bargain.rubinstein(m)
    assert s.agreement["x"] == pytest.approx(_linear_share(math.exp(-r_w), math.exp(-0.05)))
    assert s.exact and s.formula == bargain.rubinstein(shipped("rates")).formula


def test_float_strike_payoffs_decline_the_exact_route_by_digits():
    # The shared case: strike payoffs written with a float's 17 digits. The exact route
    # declines at once (the rationals have 19 digits); the numeric answer is returned.
    m = bargain.load_model(CASES / "inside_options_floats.toml")
    s = bargain.rubinstein(m)
    assert s.agreement["x"] == pytest.approx(0.592857142857, abs=1e-12)
    assert s.agreement["x"] == bargain.rubinstein(m, exact=False).agreement["x"]
    assert s.agreement["x"] == pytest.approx(
        _linear_share(0.9, 0.8, 0.021072103131565264, 0.05578588782855244), abs=1e-14
    )
    assert not s.exact
    assert s.route.endswith("closed form declined: a number of 19 digits (at most 15)")


def test_other_float_payoffs_decline_the_same_way():
    m = split_game(
        W={"strike_payoff": "0.0123456789012345", "discount_factor": "0.95"},
        A={"strike_payoff": "0.0456789012345678", "discount_factor": "0.85"},
    )
    s = bargain.rubinstein(m)
    expected = _linear_share(0.95, 0.85, 0.0123456789012345, 0.0456789012345678)
    assert s.agreement["x"] == pytest.approx(expected, abs=1e-13)
    assert not s.exact and "closed form declined: a number of" in s.route


def test_cara_game_declines_the_exact_route_by_work():
    # Two proposals inside exp(): sympy's transcendental solver took seconds to find
    # nothing; the budget declines it before any work, whatever the machine.
    s = bargain.rubinstein(shipped("cara"))
    assert not s.exact
    assert s.route.endswith("declined: 2 unknowns inside transcendental functions (at most 1)")

    # Rubinstein (1982): u_A(x_W) = δ_A u_A(x_A) and u_W(x_A) = δ_W u_W(x_W), with
    # u_W = (1 - exp(-2 x)) / 2, u_A = 1 - x, δ_W = 0.9, δ_A = 0.8.
    def gap(x_w: float) -> float:
        x_a = 1 - (1 - x_w) / 0.8
        return (1 - math.exp(-2 * x_a)) - 0.9 * (1 - math.exp(-2 * x_w))

    assert s.agreement["x"] == pytest.approx(brentq(gap, 0.2, 1, xtol=1e-15), abs=1e-12)


def capped_split(**constraints: str) -> bargain.Model:
    """Splitting one unit with a cap on W's share (a parameter) and other constraints."""
    return bargain.model_from_dict(
        {
            "model": {"name": "capped"},
            "parameters": {"cap": 0.4, "dW": 0.9, "dA": 0.8},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": "dW"},
                "A": {"payoff": "1 - x", "discount_factor": "dA"},
            },
            "constraints": constraints or {"cap": "x <= cap"},
            "bargaining": {"first_proposer": "W"},
        }
    )


@pytest.mark.parametrize(
    ("constraints", "named"),
    [
        ({"high": "x >= 2"}, r"the constraint high \(x >= 2\) cannot hold"),
        ({"high": "x >= sqrt(2)"}, r"the constraint high \(x >= sqrt\(2\)\) cannot hold"),
        ({"low": "x <= cap", "high": "x >= 0.5"}, r"low \(x <= cap\) and high \(x >= 1/2\)"),
        ({"low": "x <= cap/1e11", "high": "x >= cap/5e10"}, r"low .* and high .* contradict"),
    ],
)
def test_constraints_that_leave_no_contract_are_refused_by_name(constraints, named):
    # Folded into the bounds, x >= 2 of [0, 1] was played on [2, 1] and gave x = 1; x <= 0.4
    # with x >= 0.5 gave 0.5, a contract that breaks the first: the game has no contract to
    # bargain over, refused as the axiomatic solutions refuse it.
    m = capped_split(**constraints)
    with pytest.raises(bargain.FeasibilityError, match=r"\[constraints\]: no contract .*" + named):
        bargain.rubinstein(m)
    with pytest.raises(bargain.FeasibilityError, match=named):
        bargain.nash(m)


def test_constraints_that_leave_one_contract_say_so():
    # x <= 1/2 and x >= 1/2: one contract, where the message was that the payoffs must be
    # "strictly monotone in x on [0.5, 0.5]".
    m = capped_split(low="x <= 1/2", high="x >= 1/2")
    with pytest.raises(bargain.FeasibilityError, match=r"leave one contract, x = 0.5"):
        bargain.rubinstein(m)


def test_a_sweep_over_a_bound_that_empties_the_set_marks_those_points():
    m = capped_split(low="x <= cap", high="x >= 0.6")
    for route in ("auto", "loop"):
        frame = bargain.sweep(m, "rubinstein", {"cap": (0.2, 1.0, 5)}, route=route)
        assert list(frame["status"]) == ["infeasible"] * 2 + ["ok"] * 3
        # On [0.6, cap]: the stationary proposal 5/7 where it fits, else the cap.
        expected = [min(cap, 5 / 7) for cap in (0.8, 1.0)]
        assert list(frame["x"][3:]) == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("cap", [0.3, 0.5, 0.7, 0.9])
def test_a_constraint_on_the_one_variable_is_a_bound_of_the_game(cap):
    # The shared fault (found with a coalition's threshold): `rubinstein` ignored
    # [constraints] with one variable. On [0, cap] the stationary proposals are
    # x_W = min(cap, 1 - dA (1 - x_A)) and x_A = dW x_W (Osborne & Rubinstein 1990, §3.10:
    # each proposer offers the responder exactly its continuation value, within the
    # contract set); the unconstrained x_W is (1 - dA) / (1 - dW dA) = 5/7.
    m = capped_split().with_values(cap=cap)
    s = bargain.rubinstein(m)
    x_w = min(cap, 5 / 7)
    assert s.agreement["x"] == pytest.approx(x_w, abs=TOL)
    assert s.extra["proposals"]["A"] == pytest.approx(0.9 * x_w, abs=TOL)
    # Backward induction over many rounds reaches the same agreement (a second route).
    long = bargain.rubinstein(m, horizon=400)
    assert long.agreement["x"] == pytest.approx(x_w, abs=1e-9)


def test_a_sweep_folds_the_constraint_point_by_point():
    swept = bargain.sweep(capped_split(), "rubinstein", {"cap": (0.3, 0.9, 7)})
    assert (swept["status"] == "ok").all()
    for cap, x in zip(swept["cap"], swept["x"], strict=True):
        assert x == pytest.approx(min(cap, 5 / 7), abs=TOL)
    # A coefficient whose sign changes across the sweep: (cap - 0.5) x <= 0.1 caps x at
    # 0.1 / (cap - 0.5) above cap = 0.5 and is a floor -0.1 / (0.5 - cap) < 0 below it.
    flips = capped_split(c="(cap - 0.5)*x <= 0.1")
    swept = bargain.sweep(flips, "rubinstein", {"cap": (0.3, 0.9, 7)})
    for cap, x in zip(swept["cap"], swept["x"], strict=True):
        want = min(5 / 7, 0.1 / (cap - 0.5)) if cap > 0.5 else 5 / 7
        assert x == pytest.approx(want, abs=TOL)
        assert bargain.rubinstein(flips.with_values(cap=cap)).agreement["x"] == pytest.approx(
            want, abs=TOL
        )


@pytest.mark.parametrize(
    ("constraint", "match"),
    [
        ("x**2 <= 0.2", "linear in x"),
        ("x == 0.5", "linear in x"),
    ],
)
def test_a_constraint_that_is_not_a_bound_is_refused(constraint, match):
    with pytest.raises(bargain.ModelError, match=match) as err:
        bargain.rubinstein(capped_split(c=constraint))
    assert (err.value.table, err.value.key) == ("constraints", "c")


def test_a_constraint_without_the_variable_at_these_values_holds_or_is_infeasible():
    # (cap - 0.4) x <= 0.3 - cap at cap = 0.4: 0 <= -0.1 holds for no contract.
    with pytest.raises(bargain.FeasibilityError, match="no contract satisfies") as err:
        bargain.rubinstein(capped_split(c="(cap - 0.4)*x <= 0.3 - cap"))
    assert (err.value.table, err.value.key) == ("constraints", "c")
    # ... and 0 <= 0.1 holds for every contract: the game on [0, 1].
    s = bargain.rubinstein(capped_split(c="(cap - 0.4)*x <= 0.5 - cap"))
    assert s.agreement["x"] == pytest.approx(5 / 7, abs=TOL)


@pytest.mark.parametrize("rounds", [10**9, 10**9 + 1])
def test_a_horizon_of_a_billion_rounds_is_the_cycle_backward_induction_settles_into(split, rounds):
    # The shared fault: --horizon 1e9 ran for minutes (one brentq per round). The finite game
    # converges to the infinite one geometrically (Stahl 1972; Osborne & Rubinstein 1990,
    # §3.6): W's proposal is (1 - δ_A)/(1 - δ_W δ_A) = 5/7 to machine precision long before
    # a billion rounds, and A's is δ_W of it.
    game = game_of(split)
    x, delay, values, plan = backward_induction(game, rounds)
    assert x == pytest.approx(5 / 7, rel=1e-14) and delay == 0
    assert values["W"] == pytest.approx(5 / 7, rel=1e-14)
    assert len(plan) == rounds and plan[0].offer == x and plan[0].proposer == "W"
    assert plan[1].proposer == "A" and plan[1].offer == pytest.approx(0.9 * 5 / 7, rel=1e-14)
    # The rounds before the stored tail repeat its two-round cycle, which is the infinite
    # game's stationary pair (a second route: the fixed point of the proposal map).
    stationary = bargain.rubinstein(split, exact=False).extra["proposals"]
    for k in (0, 2, 10**6, rounds - len(plan.tail) - 2 + plan.start % 2):
        move = plan[k]
        assert move.offer == pytest.approx(stationary[move.proposer], rel=1e-14)
    # Play under the plan: agreement at once on W's proposal.
    path = bargain.simulate(split, horizon=rounds)
    assert path.ended == "agreement" and path.agreement == x


def _factor(written: str) -> mpmath.mpf:
    """A discount factor as written in the model, ``"0.9"`` or ``"1 - 1e-20"``, in the
    working precision."""
    if written.startswith("1 - "):
        return 1 - mpmath.mpf(written.removeprefix("1 - "))
    return mpmath.mpf(written)


def _stahl(d_w: str, d_a: str, rounds: int) -> float:
    """W's share, W proposing first, of the linear split in ``rounds`` rounds: the last
    proposer takes all, and each earlier one offers the responder its discounted share as
    the next proposer (Ståhl 1972), two rounds at a time s = (1 - δ_A) + δ_A δ_W s', whose
    fixed point is Rubinstein's (1982) (1 - δ_A)/(1 - δ_W δ_A): the power in 50 digits."""
    with mpmath.workdps(50):
        dw, da = _factor(d_w), _factor(d_a)
        last = rounds - 1  # W proposes in the even rounds
        steps, share = (last // 2, 1) if last % 2 == 0 else ((last - 1) // 2, 1 - da)
        star = (1 - da) / (1 - da * dw)
        return float(star + (da * dw) ** steps * (share - star))


@pytest.mark.parametrize(
    ("d_w", "d_a", "rounds"),
    [
        ("0.999999999", "0.999999999", 10**9 + 1),
        ("0.999999999", "0.999999999", 3 * 10**9),
        ("0.999999", "0.999998", 10**7 + 1),
        ("0.9", "0.8", 2001),  # settles into its cycle first: the closed form is not needed
        # δ within ulps of 1: each round's offer is the last one's in floating point, and
        # the offers seemed to repeat at once (x = 1 was reported, for 0.684).
        ("1 - 1e-20", "1 - 1e-20", 10**20 + 1),
        ("1 - 2e-16", "1 - 5e-16", 10**16 + 1),
    ],
)
def test_a_long_horizon_between_patient_parties_in_closed_form(d_w, d_a, rounds):
    # A billion rounds with δ = 1 - 1e-9 never settle into the two-round cycle (each two
    # rounds close the gap to it by 1 - 2e-9): backward induction ran one brentq a round
    # for hours. With payoffs linear in the contract the earlier rounds are a closed form.
    m = split_game(W={"discount_factor": d_w}, A={"discount_factor": d_a})
    s = bargain.rubinstein(m, horizon=rounds)
    assert s.agreement["x"] == pytest.approx(_stahl(d_w, d_a, rounds), rel=1e-14)
    assert s.payoffs["A"] == pytest.approx(1 - s.agreement["x"], rel=1e-14)
    assert s.delay == 0
    x, _, _, plan = backward_induction(game_of(m), rounds)
    assert x == s.agreement["x"] and plan.rounds == rounds
    # Every round's move: the responder is offered exactly what it demands, its share as the
    # next proposer discounted (A's 1 - x against δ_A x_next's complement, W's x against
    # δ_W x_next), and the next proposer is the responder.
    delta = {"W": float(_factor(d_w)), "A": float(_factor(d_a))}
    for k in (0, 1, 2, 3, 1001, plan.start - 2, plan.start - 1, rounds - 3):
        move, after = plan[k], plan[k + 1]
        share = (lambda x: x) if move.responder == "W" else (lambda x: 1 - x)
        assert after.proposer == move.responder
        assert share(move.offer) == pytest.approx(move.demand, rel=1e-12, abs=1e-15)
        assert move.demand == pytest.approx(
            delta[move.responder] * share(after.offer), rel=1e-12, abs=1e-15
        )


def test_a_long_horizon_without_a_closed_form_is_refused_by_name(monkeypatch):
    # sqrt(x) against 1 - x between parties with δ = 1 - 1e-9: no cycle within the rounds
    # computed one by one, and no closed form for the rest. A typed error naming the key,
    # where the run went on for hours (here after 5,000 rounds, not the 200,000 allowed).
    from bargain.strategic import rubinstein

    monkeypatch.setattr(rubinstein, "MAX_INDUCTED", 5000)
    m = split_game(
        W={"payoff": "sqrt(x)", "discount_factor": "0.999999999"},
        A={"discount_factor": "0.999999999"},
    )
    with pytest.raises(bargain.SolverError, match=r"\[bargaining\] horizon: .*5,000 rounds"):
        bargain.rubinstein(m, horizon=10**9)
    # δ within ulps of 1: every offer is the last round's in floating point, and the offers
    # seem to repeat at once. Refused by name, where x = 1 was reported.
    frozen = split_game(
        W={"payoff": "sqrt(x)", "discount_factor": "1 - 1e-20"},
        A={"discount_factor": "1 - 1e-20"},
    )
    with pytest.raises(bargain.SolverError, match=r"\[bargaining\] horizon: .*less than floating"):
        bargain.rubinstein(frozen, horizon=10**20 + 1)
    # The same game with less patient parties settles into its cycle within them.
    quick = split_game(
        W={"payoff": "sqrt(x)", "discount_factor": 0.99}, A={"discount_factor": 0.99}
    )
    s = bargain.rubinstein(quick, horizon=10**9)
    assert s.agreement["x"] == pytest.approx(bargain.rubinstein(quick).agreement["x"], rel=1e-12)


@given(
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12).filter(bool),
    st.sampled_from([{}, {"real": True}, {"positive": True}, {"negative": True}]),
)
def test_a_float_rate_discount_is_what_simplify_returns(c, assumptions):
    # The game's discount at a period written as a float (exp(-0.00177828 r_W), the
    # Rubinstein-limit figure) is not simplified: sympy.simplify returns it node for node.
    from bargain.strategic.rubinstein import _float_rate, _simplified

    r = sympy.Symbol("r", **assumptions)
    discount = sympy.exp(-sympy.Float(c) * r)
    assert _float_rate(discount)
    assert sympy.srepr(sympy.simplify(discount)) == sympy.srepr(discount)
    assert _simplified(discount) is discount


def _grid_equilibrium_offers(u_w, u_a, d_w, d_a, first):
    """The stationary subgame-perfect first offers of the alternating-offers game on a grid of
    contracts (spacing 1e-5), by iterating the proposers' problems to their fixed point
    (Rubinstein 1982; Osborne & Rubinstein 1990, §3.10): each proposer maximises its payoff
    over the offers the responder accepts, those giving it at least its discounted payoff as
    the next proposer. Returns the ends of the first proposer's maximisers."""
    import numpy as np

    x = np.linspace(0.0, 1.0, 100_001)
    uw, ua = u_w(x), u_a(x)
    value = {"W": 0.0, "A": 0.0}  # each party's payoff from its own proposal
    for _ in range(400):
        accepted_by_a = ua >= d_a * value["A"] - 1e-12
        w_best = uw[accepted_by_a].max()
        accepted_by_w = uw >= d_w * value["W"] - 1e-12
        a_best = ua[accepted_by_w].max()
        value = {"W": w_best, "A": a_best}
    if first == "W":
        offers = x[accepted_by_a & (uw >= w_best - 1e-12)]
    else:
        offers = x[accepted_by_w & (ua >= a_best - 1e-12)]
    return offers.min(), offers.max()


@pytest.mark.parametrize(
    ("w", "a", "d_w", "d_a", "first", "ends"),
    [
        # W's payoff flat above 0.4. By hand: A proposes x_A with min(x_A, 0.4) = 0.9 * 0.4,
        # so x_A = 0.36; A accepts x when 1 - x >= 0.8 (1 - 0.36) = 0.512, x <= 0.488; W gets
        # 0.4 from every x in [0.4, 0.488], each an equilibrium first offer (x = 0.488 alone
        # was reported, unique, and is Pareto-dominated by x = 0.4).
        ("min(x, 0.4)", "1 - x", 0.9, 0.8, "W", (0.4, 0.488)),
        # The mirror image: A's payoff flat below x = 0.6, A first: [0.512, 0.6].
        ("x", "min(1 - x, 0.4)", 0.8, 0.9, "A", (0.512, 0.6)),
    ],
    ids=["W-flat", "A-flat"],
)
def test_a_flat_stretch_of_the_proposers_payoff_gives_a_set_of_first_offers(
    w, a, d_w, d_a, first, ends
):
    import numpy as np

    funcs = {
        "x": lambda x: x,
        "1 - x": lambda x: 1 - x,
        "min(x, 0.4)": lambda x: np.minimum(x, 0.4),
        "min(1 - x, 0.4)": lambda x: np.minimum(1 - x, 0.4),
    }
    grid = _grid_equilibrium_offers(funcs[w], funcs[a], d_w, d_a, first)
    assert grid == pytest.approx(ends, abs=1e-9)
    m = split_game(
        {"first_proposer": first},
        W={"payoff": w, "discount_factor": d_w},
        A={"payoff": a, "discount_factor": d_a},
    )
    s = bargain.rubinstein(m)
    assert not s.unique and s.agreement == {} and s.payoffs == {}
    assert s.agreement_set["x"] == pytest.approx(ends, abs=1e-12)
    flat = "W" if first == "W" else "A"
    range_ = s.extra["payoff range"]
    assert range_[f"{flat} at low x"] == pytest.approx(range_[f"{flat} at high x"], abs=1e-12)
    assert any("indifferent" in text for text in s.assumptions)


def test_a_flat_stretch_with_one_round():
    # One round (horizon 1): A accepts any x (rejecting gives it d_A = 0), so W may offer
    # anything; min(x, 0.4) is 0.4 for every x in [0.4, 1]: each is an equilibrium offer.
    m = split_game(
        {"horizon": 1},
        W={"payoff": "min(x, 0.4)", "discount_factor": 0.9},
        A={"discount_factor": 0.8},
    )
    s = bargain.rubinstein(m)
    assert not s.unique
    assert s.agreement_set["x"] == pytest.approx((0.4, 1.0), abs=1e-12)


def test_a_strictly_monotone_proposer_still_gives_one_offer():
    # The flat-stretch check leaves a strictly increasing payoff alone (Rubinstein 1982):
    # x_W = (1 - 0.8) / (1 - 0.72) = 5/7.
    s = bargain.rubinstein(split_game(W={"discount_factor": 0.9}, A={"discount_factor": 0.8}))
    assert s.unique
    assert s.agreement["x"] == pytest.approx(5 / 7, abs=1e-12)


@pytest.mark.parametrize("route", ["auto", "loop"])
def test_a_flat_stretch_in_a_sweep_is_no_point(route):
    # u_W = min(x, c) against 1 - x, δ 0.9 and 0.8, W first: every x in [c, 1 - 0.8 (1 - 0.9 c)]
    # is an equilibrium first offer (see the test above); the vectorised kernel once said
    # x = 1 - 0.8 (1 - 0.9 c), "ok", at every c.
    m = bargain.model_from_dict(
        {
            "model": {"name": "flat"},
            "parameters": {"c": {"value": 0.4, "range": [0.3, 0.5]}},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "min(x, c)", "discount_factor": 0.9},
                "A": {"payoff": "1 - x", "discount_factor": 0.8},
            },
        }
    )
    df = bargain.sweep(m, "rubinstein", {"c": (0.3, 0.5, 3)}, route=route)
    assert list(df["status"]) == ["not_unique"] * 3


def test_a_numpy_integer_horizon_is_a_horizon_and_a_non_name_proposer_is_refused():
    # horizon=np.int64(5) was refused where numpy's numbers are accepted elsewhere, and
    # proposer=0 silently fell back to the model's first proposer.
    import numpy as np

    m = bargain.load_model(bargain.models_dir() / "split.toml")
    assert bargain.rubinstein(m, horizon=np.int64(5)).agreement == (
        bargain.rubinstein(m, horizon=5).agreement
    )
    with pytest.raises(bargain.ModelError, match=r"\[rubinstein\] proposer: must be a party"):
        bargain.rubinstein(m, proposer=0)


def test_an_endless_strike_worth_more_than_any_agreement_is_no_agreement():
    # Strike payoffs of 0.08 a period at δ = 0.9 are worth 0.08 / (1 - 0.9) = 0.8 to each
    # side over an endless strike: 1.6 together, more than the 1 any agreement shares, so no
    # offer is accepted (Muthoo 1999, ch. 6, inside options: agreement needs s_W/(1 - δ_W) +
    # s_A/(1 - δ_A) <= 1 here). The refusal says that the parties never agree.
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.9, "strike_payoff": 0.08},
                "A": {"payoff": "1 - x", "discount_factor": 0.9, "strike_payoff": 0.08},
            },
        }
    )
    assert 0.08 / (1 - 0.9) * 2 > 1
    with pytest.raises(bargain.FeasibilityError, match="the parties never agree"):
        bargain.rubinstein(m)


def test_a_sweep_point_without_agreement_is_infeasible():
    # The impasse points b/(-ln δ) of strike payoffs 0.05 and 0.0457 at δ = 0.95 and 0.85
    # sum to 0.975 + 0.281 > 1: no agreement. The sweep marked that point no_convergence
    # (the solver "did not converge"), where docs/sweeps.md says infeasible: the
    # equilibrium is found, and it has no agreement.
    m = bargain.model_from_dict(
        {
            "model": {"name": "io"},
            "parameters": {"b_W": {"value": 0.01, "range": [0.0, 0.05]}},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.95, "strike_payoff": "b_W"},
                "A": {"payoff": "1 - x", "discount_factor": 0.85, "strike_payoff": 0.0456789},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )
    assert 0.05 / -math.log(0.95) + 0.0456789 / -math.log(0.85) > 1
    for route in ("numeric", "loop"):
        frame = bargain.sweep(m, "rubinstein", {"b_W": (0.0, 0.05, 3)}, route=route)
        assert list(frame["status"]) == ["ok", "ok", "infeasible"]


V_TINY = mpmath.mpf("1e-9")


@pytest.mark.parametrize(
    ("payoff_w", "payoff_a", "top", "u_w", "u_a"),
    [
        # V = 1e-9: each payoff's differences near 1e-9
        ("exp(x) - 1", "V - x", "V", mpmath.expm1, lambda x: V_TINY - x),
        # CARA at a = 1e-9, nearly linear
        (
            "(1 - exp(-V*x))/V",
            "1 - x",
            "1",
            lambda x: -mpmath.expm1(-V_TINY * x) / V_TINY,
            lambda x: 1 - x,
        ),
        # exp(1 + x) - E: a number that is exp of a rational (E expm1(x) when compiled)
        (
            "exp(1 + x) - exp(1)",
            "V - x",
            "V",
            lambda x: mpmath.e * mpmath.expm1(x),
            lambda x: V_TINY - x,
        ),
        # a difference of logarithms, and the logarithm of a number near 1 (log(1 + 1e-9) in
        # floats is off by 1e-7 of itself: the offers were 8e-8 off)
        (
            "x",
            "log(1 + V) - log(1 + x)",
            "V",
            lambda x: x,
            lambda x: mpmath.log1p(V_TINY) - mpmath.log1p(x),
        ),
        # a cube root beside one
        (
            "(1 + x)**(1/3) - 1",
            "V - x",
            "V",
            lambda x: mpmath.cbrt(1 + x) - 1,
            lambda x: V_TINY - x,
        ),
    ],
    ids=["exp", "cara", "exp-e", "log", "cbrt"],
)
def test_stationary_offers_where_utilities_hold_their_digits_only_as_expm1(
    payoff_w, payoff_a, top, u_w, u_a
):
    # Rubinstein (1982), Muthoo (1999, §3.2.1, non-linear utilities): the stationary offers
    # x_W, x_A solve u_A(x_W) = δ_A u_A(x_A) and u_W(x_A) = δ_W u_W(x_W). At V = 1e-9 the
    # responders' indifference in differences, exp(x) - exp(y), kept 7 digits as written
    # (x_W = 7.14285769361e-10 for 7.142857143513e-10), and CARA's 1e9 - 1e9 exp(-x/1e9)
    # made the offers a set of width 2e-8. The right offer here: mpmath, 50 digits.
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "parameters": {"V": "1e-9"},
            "variables": {"x": {"min": 0, "max": top}},
            "parties": {
                "W": {"payoff": payoff_w, "discount_factor": 0.9},
                "A": {"payoff": payoff_a, "discount_factor": 0.8},
            },
        }
    )
    s = bargain.rubinstein(m, exact=False)
    with mpmath.workdps(50):
        x_a = lambda x_w: mpmath.findroot(  # noqa: E731
            lambda y: u_a(y) * mpmath.mpf("0.8") - u_a(x_w), x_w
        )
        x_w = mpmath.findroot(lambda z: u_w(x_a(z)) - mpmath.mpf("0.9") * u_w(z), s.agreement["x"])
    assert s.agreement_set is None
    assert s.agreement["x"] == pytest.approx(float(x_w), rel=1e-14)


@pytest.mark.parametrize("b", ["1e9", "1e10", "1e12", "1e15"])
@pytest.mark.parametrize("exact", [True, False])
def test_breakdown_on_a_large_base_is_one_offer(b, exact):
    # BRW (1986), §4: no discounting, breakdown risk q = 0.2, disagreement payoffs d each:
    # the first proposer's share is 1/(2 - q) = 5/9 whatever the common base d. On a base
    # of 1e9 the payoffs change by less than their rounding over 5e-7 of the contracts,
    # which was taken for a flat stretch: "not unique, x in [0.5555550, 0.5555556]"; on
    # 1e10 the offer was 7.5e-7 off (the responder's q d - q u(y) lost the base's
    # rounding), and from 1e12 the model was refused as not strictly monotone.
    base = {"disagreement": b, "discount_factor": 1}
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": f"{b} + x", **base},
                "A": {"payoff": f"{b} + 1 - x", **base},
            },
            "bargaining": {"first_proposer": "W", "breakdown_probability": "0.2"},
        }
    )
    s = bargain.rubinstein(m, exact=exact)
    assert s.unique
    assert s.agreement["x"] == pytest.approx(5 / 9, rel=1e-15)


@pytest.mark.parametrize("gain", ["1e-6", "1e-9", "1e-11"])
def test_a_gain_tiny_beside_its_payoff_is_asked_for_in_full(gain):
    # u_W = 5 + g x, u_A = 7 + g (1 - x), δ = (0.9, 0.8), discounting the payoffs: rejecting
    # is worth at most 0.8 (7 + g) < 7 to A, so A accepts every offer and W asks for x = 1
    # (Rubinstein 1982, the responder's indifference never binds). At g = 1e-6 a set
    # [0.999999997, 1] was reported; at 1e-9 the model was refused as not strictly
    # monotone (its steps, 5e-12, were below 1e-12 of the payoffs).
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": f"5 + {gain}*x", "disagreement": 5, "discount_factor": 0.9},
                "A": {"payoff": f"7 + {gain}*(1 - x)", "disagreement": 7, "discount_factor": 0.8},
            },
        }
    )
    assert 0.8 * (7 + float(gain)) < 7
    s = bargain.rubinstein(m)
    assert s.unique and s.agreement["x"] == 1.0


def test_a_square_root_beside_one_keeps_its_digits():
    # u_W = sqrt(1 + x) - 1 on [0, V], V = 1e-9, against V - x, δ = (0.9, 0.8): the
    # stationary offers (Rubinstein 1982) solve u_A(x_W) = δ_A u_A(x_A) and
    # u_W(x_A) = δ_W u_W(x_W); in mpmath (50 digits, u_W written as it is). The responder's
    # difference sqrt(1 + x) - sqrt(1 + y) kept 6 digits: a set around 7.142861e-10 was
    # reported, then a point off by 1e-6.
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "parameters": {"V": "1e-9"},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {
                "W": {"payoff": "sqrt(1 + x) - 1", "discount_factor": 0.9},
                "A": {"payoff": "V - x", "discount_factor": 0.8},
            },
        }
    )
    with mpmath.workdps(50):
        v = mpmath.mpf(1) / 10**9
        u_w = lambda z: mpmath.sqrt(1 + z) - 1  # noqa: E731
        x_w = mpmath.findroot(
            lambda z: u_w(v - (v - z) / mpmath.mpf("0.8")) - mpmath.mpf("0.9") * u_w(z),
            mpmath.mpf("7e-10"),
        )
    for exact in (True, False):
        s = bargain.rubinstein(m, exact=exact)
        assert s.unique
        assert s.agreement["x"] == pytest.approx(float(x_w), rel=1e-13)


@pytest.mark.parametrize(("w", "a", "party"), [("0.5", "0.6", "A"), ("0.6", "0.5", "W")])
def test_strike_payoffs_above_the_surplus_refused_naming_the_responder(w, a, party):
    # Strike payoffs of 0.5 and 0.6 a round at delta = 0.9 are worth 5 and 6 for ever,
    # more than the whole contract (1) to either side: no offer is accepted. The message
    # named no party.
    m = split_game(
        W={"payoff": "1 - x", "discount_factor": "0.9", "strike_payoff": w},
        A={"payoff": "x", "discount_factor": "0.9", "strike_payoff": a},
    )
    with pytest.raises(bargain.SolverError, match=f"the responder {party} what it can get"):
        bargain.rubinstein(m)
