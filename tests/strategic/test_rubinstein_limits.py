"""The alternating-offers game at the limits of its numbers: rounds of a million periods
or of 1e-300, discount factors within 1e-20 of 1, breakdown risks of 1e-200 without
discounting, contracts of 1e-300, fixed strike costs of 1e-9.

The closed forms: with payoffs ``x`` and ``V - x`` and W proposing first, Rubinstein's
(1982) ``x* = V (1 - δ_A) / (1 - δ_W δ_A)`` (Osborne & Rubinstein 1990, *Bargaining and
Markets*, ch. 3, Proposition 3.5), with ``δ_i`` per round (``δ_i^Δ`` for rounds of ``Δ``
periods); as the rounds shorten it tends to ``r_A / (r_W + r_A)`` with ``r_i = -ln δ_i``
(Binmore, Rubinstein & Wolinsky 1986, *RAND J. Econ.* 17(2), §3); with a breakdown risk
``q`` per round and no discounting, ``x* = (1 + (1 - q) d_W) / (2 - q)`` (BRW 1986, §4,
with disagreement payoffs ``d_W`` and 0); with fixed strike costs ``c_W > c_A`` and no
discounting, ``x* = c_A`` (Rubinstein 1982, §5). Each is computed here in mpmath with
enough digits, independently of the solver.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import mpmath
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from scipy.optimize import brentq

import bargain
from bargain.errors import UndefinedPayoffError
from bargain.strategic.rubinstein import backward_induction, game_of
from tests.strategic.test_rubinstein import split_game

CASES = Path(__file__).resolve().parent / "cases"


def share(delta_w: str, delta_a: str, period: str = "1", digits: int = 60) -> float:
    """Rubinstein (1982): W's share, W proposing first, rounds of ``period`` periods."""
    with mpmath.workdps(digits):
        k_w = mpmath.mpf(delta_w) ** mpmath.mpf(period)
        k_a = mpmath.mpf(delta_a) ** mpmath.mpf(period)
        return float((1 - k_a) / (1 - k_w * k_a))


def patient(delta_w: str, delta_a: str) -> float:
    """W's share ``(1 - δ_A) / (1 - δ_W δ_A)`` with δ given as ``1 - e``: in terms of the
    ``e``, ``e_A / (e_W + e_A - e_W e_A)``, exact at any size."""
    with mpmath.workdps(40):
        e_w = mpmath.mpf(delta_w.removeprefix("1 - "))
        e_a = mpmath.mpf(delta_a.removeprefix("1 - "))
        return float(e_a / (e_w + e_a - e_w * e_a))


def cpu_seconds(solve) -> tuple[bargain.Solution, float]:
    """The solution and the CPU time of this thread it took (not wall time: the machine's
    load)."""
    start = time.thread_time()
    s = solve()
    return s, time.thread_time() - start


# -- 1. the work of a round's discount factor is bounded ----------------------------------


@pytest.mark.parametrize("period", [1_000_000, 3_000_000])
def test_rounds_of_millions_of_periods_cost_no_exact_power(split, period):
    # δ^Δ of 0.9 and 0.8 has a million digits exactly; kept to 30 digits it is ≈ 0: x = V.
    s, seconds = cpu_seconds(lambda: bargain.rubinstein(split, period=period))
    assert s.agreement["x"] == pytest.approx(share("0.9", "0.8", str(period)), rel=1e-15)
    assert s.agreement["x"] == 1.0
    assert seconds < 5.0


@pytest.mark.parametrize("period", [1_000_000, 3_000_000])
def test_a_formula_writes_the_rounds_exponent_as_an_integer(split, period):
    # x = V (1 - δ_A^Δ) / (1 - δ_W^Δ δ_A^Δ) (Rubinstein 1982): the exponent Δ is kept as a
    # 30-digit Float (δ^Δ is computed in 30 digits, not exactly), and was written
    # "delta_A**1000000.0".
    s = bargain.rubinstein(split, period=period)
    text = json.loads(s.to_json())["formula"]["x"]
    assert text == (f"V*(delta_A**{period} - 1)/(delta_A**{period}*delta_W**{period} - 1)"), text
    assert f"delta_A**{period}" in str(s) and ".0" not in str(s).split("formula:")[1].split()[0]


def test_a_power_of_a_number_in_the_file_is_rounded_not_computed():
    # δ written as numbers (not parameters), A first: A offers W δ_W^Δ x_W* = 0.9**5000 x_W*
    # (1.63e-229), a number of 5,000 digits exactly.
    m = split_game(W={"discount_factor": 0.9}, A={"discount_factor": 0.8})
    s, seconds = cpu_seconds(lambda: bargain.rubinstein(m, period=5000, proposer="A"))
    with mpmath.workdps(60):
        expected = float(mpmath.mpf("0.9") ** 5000 * share("0.9", "0.8", "5000"))
    assert s.agreement["x"] == pytest.approx(expected, rel=1e-13)
    assert seconds < 5.0


@pytest.mark.parametrize("period", ["1e-12", "1e-3"])
def test_short_rounds_are_roots_of_bounded_degree(period):
    # 0.9**(1/10**12) is an algebraic number of degree 10**12: the closed form was once
    # 10 s of polynomial arithmetic (1e-3: 25 s). It is rounded to 30 digits (1e-12) or
    # declined by the degree of its number field (1e-3).
    m = split_game(W={"discount_factor": 0.9}, A={"discount_factor": 0.8})
    s, seconds = cpu_seconds(lambda: bargain.rubinstein(m, period=float(period)))
    assert s.agreement["x"] == pytest.approx(share("0.9", "0.8", period), rel=1e-13)
    assert seconds < 5.0
    if period == "1e-3":
        assert "closed form declined: a polynomial of degree" in s.route


# -- 2. discount factors a hair below 1 are discounting --------------------------------------


@pytest.mark.parametrize("exact", [True, False])
@pytest.mark.parametrize(
    ("delta_w", "delta_a", "limit"),
    [
        ("1 - 1e-20", "1 - 1e-20", 0.5),
        ("1 - 1e-20", "1 - 2e-20", 2 / 3),
        ("1 - 1e-17", "1 - 3e-17", 0.75),
        ("1 - 1e-300", "1 - 4e-300", 0.8),  # invented: the rates at the float range's end
    ],
)
def test_discount_factors_within_1e_16_of_one(delta_w, delta_a, limit, exact):
    # 1 - δ is 0 in floats: the game once looked undiscounted ("every x in [0, 1]").
    m = split_game(W={"discount_factor": delta_w}, A={"discount_factor": delta_a})
    s = bargain.rubinstein(m, exact=exact)
    assert s.unique
    assert s.agreement["x"] == pytest.approx(patient(delta_w, delta_a), rel=1e-14)
    assert s.agreement["x"] == pytest.approx(limit, rel=1e-14)  # BRW 1986, §3
    assert not any("no discounting" in a for a in s.assumptions)


@given(
    k=st.integers(-300, -2),
    j=st.integers(-6, 6),
    m_w=st.floats(1, 10),
    m_a=st.floats(1, 10),
)
def test_any_patience_down_to_1e_300(k, j, m_w, m_a):
    # 1 - δ_W = m_w 10^k, 1 - δ_A = m_a 10^(k + j) (at most 10^-2), rates apart by at most
    # 10^7: every regime, the float fixed point (1 - δ_W δ_A above 1e-10), its polish in
    # more digits (down to 1e-20) and the patient limit (below), against the closed form.
    e_w, e_a = m_w * 10.0**k, m_a * 10.0 ** min(k + j, -3)
    d_w, d_a = f"1 - {e_w!r}", f"1 - {e_a!r}"
    m = split_game(W={"discount_factor": d_w}, A={"discount_factor": d_a})
    x = bargain.rubinstein(m, exact=False).agreement["x"]
    assert x == pytest.approx(patient(d_w, d_a), rel=1e-12)


def test_toml_discount_factors_of_nineteen_nines():
    # 0.9999999999999999999 and ...998 are read as the decimals written (not as 1.0).
    s = bargain.rubinstein(bargain.load_model(CASES / "df_toml_19nines.toml"))
    assert s.agreement["x"] == pytest.approx(patient("1 - 1e-19", "1 - 2e-19"), rel=1e-14)


def test_rounds_of_1e_300_periods_are_the_brw_limit(split):
    # δ^Δ = 1 - 1e-301: the share is r_A / (r_W + r_A) to 1e-300 (BRW 1986, §3).
    s = bargain.rubinstein(split, period=1e-300)
    with mpmath.workdps(40):
        r_w, r_a = -mpmath.log(mpmath.mpf("0.9")), -mpmath.log(mpmath.mpf("0.8"))
        limit = float(r_a / (r_w + r_a))
    assert limit == pytest.approx(0.6793, abs=1e-4)
    assert s.agreement["x"] == pytest.approx(limit, rel=1e-14)


def test_a_patient_responders_outside_option_binds():
    # Invented. The patient split gives A 0.5 < its outside option 0.7: W offers it exactly
    # 0.7 (the outside option principle: Binmore, Shaked & Sutton 1989; Osborne &
    # Rubinstein 1990, §3.12). The same game with δ = 1 - 1e-4 (the float route) agrees.
    def game(delta: str) -> bargain.Model:
        return split_game(
            W={"discount_factor": delta}, A={"discount_factor": delta, "outside_option": 0.7}
        )

    s = bargain.rubinstein(game("1 - 1e-20"))
    assert s.agreement["x"] == pytest.approx(0.3, abs=1e-15)
    assert bargain.rubinstein(game("1 - 1e-4")).agreement["x"] == pytest.approx(0.3, abs=1e-15)


@pytest.mark.parametrize(
    ("u_w", "options", "right"),
    [
        ("x", {"A": 0.5}, 0.5),  # the BRW point x = r_A/(r_W + r_A) = 0.679 gives A 0.321
        ("x", {"W": 0.7}, 0.7),  # W's own option binds: it gets exactly 0.7
        ("x", {"A": 0.3}, None),  # A's option below its share: the BRW point stands
        ("sqrt(x)", {"A": 0.6}, 0.4),  # a curved frontier: A gets exactly 0.6
    ],
)
def test_the_limit_keeps_each_party_at_its_outside_option(u_w, options, right):
    # As offers come faster with outside options, the game's agreement tends to the Nash
    # point of the limit (BRW 1986, §3) where it gives each party at least its option, else
    # to the agreement that gives the party whose option binds exactly that (the outside
    # option principle: Binmore, Shaked & Sutton 1989; Muthoo 1999, ch. 5). The limit
    # ignored the options (A at 0.321 below its 0.5). Checked against the game itself at a
    # period of 1e-6 (the independent route: backward induction's fixed point).
    m = bargain.model_from_dict(
        {
            "model": {"name": "g"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": u_w, "discount_factor": 0.9, **_option(options, "W")},
                "A": {"payoff": "1 - x", "discount_factor": 0.8, **_option(options, "A")},
            },
        }
    )
    limit = bargain.nash(m, limit=True)
    game = bargain.rubinstein(m, period=1e-6, exact=False)
    assert limit.agreement["x"] == pytest.approx(game.agreement["x"], abs=1e-6)
    if right is None:
        assert not any(b.startswith("outside_option") for b in limit.binding)
    else:
        assert limit.agreement["x"] == pytest.approx(right, rel=1e-12)
    for name, option in options.items():
        assert limit.payoffs[name] >= option * (1 - 1e-12)


def _option(options: dict[str, float], name: str) -> dict[str, float]:
    return {"outside_option": options[name]} if name in options else {}


@pytest.mark.parametrize(
    ("u_w", "u_a", "nash_point"),
    [
        ("x", "1 - x**2", 3**-0.5),  # argmax x (1 - x**2)
        ("x", "sqrt(1 - x)", 2 / 3),  # argmax x sqrt(1 - x): A's slope is infinite at x = 1
        ("sqrt(x)", "sqrt(1 - x)", 0.5),  # both slopes infinite at a bound
    ],
)
def test_a_patient_curved_frontier_is_the_nash_point(u_w, u_a, nash_point):
    # Invented. δ = 1 - 1e-20 for both: the agreement is within 1e-20 of the Nash point
    # (BRW 1986, §3), here also by an optimiser.
    d = "1 - 1e-20"
    m = bargain.model_from_dict(
        {
            "model": {"name": "g"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": u_w, "discount_factor": d},
                "A": {"payoff": u_a, "discount_factor": d},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )
    x = bargain.rubinstein(m).agreement["x"]
    assert x == pytest.approx(bargain.nash(m).agreement["x"], rel=1e-12)
    assert x == pytest.approx(nash_point, rel=1e-12)


# -- 3. a tiny breakdown risk without discounting ---------------------------------------------


def breakdown_share(q: str, d_w: str) -> float:
    """BRW (1986), §4: W's share with breakdown risk q, no discounting, d = (d_W, 0)."""
    with mpmath.workdps(400):
        q_, d = mpmath.mpf(q), mpmath.mpf(d_w)
        return float((1 + (1 - q_) * d) / (2 - q_))


def test_the_breakdown_formula_against_backward_induction():
    # The formula checked by an independent route where floats resolve it (q = 0.01):
    # backward induction over many rounds converges to the stationary split.
    m = split_game(
        {"breakdown_probability": 0.01},
        W={"discount_factor": 1, "disagreement": 0.2},
        A={"discount_factor": 1},
    )
    x, *_ = backward_induction(game_of(m), 20_001)
    assert x == pytest.approx(breakdown_share("0.01", "0.2"), rel=1e-12)
    assert bargain.rubinstein(m).agreement["x"] == pytest.approx(x, rel=1e-12)


@pytest.mark.parametrize(
    ("q", "d_w"), [("1e-200", "0"), ("1e-30", "0.2"), ("1e-17", "0.2"), ("1e-300", "0.5")]
)
def test_a_tiny_breakdown_risk_without_discounting(q, d_w):
    # 1e-200 once gave x = 0: the risk was lost in 1 - (1 - q) δ.
    m = split_game(
        {"breakdown_probability": q},
        W={"discount_factor": 1, "disagreement": float(d_w)},
        A={"discount_factor": 1},
    )
    s = bargain.rubinstein(m)
    assert s.agreement["x"] == pytest.approx(breakdown_share(q, d_w), rel=1e-14)


# -- 4. contracts of 1e-300 ---------------------------------------------------------------------


def test_a_contract_range_of_1e_300():
    # Once "no solution in the contract range" (a product of two gaps of 1e-300 is 0).
    s = bargain.rubinstein(bargain.load_model(CASES / "V_1e-300.toml"))
    assert s.agreement["x"] == pytest.approx(5e-300 / 7, rel=1e-14)  # δ = 0.9, 0.8
    assert str(s.formula["x"]) == "5*V/7"


def test_a_contract_range_below_the_normal_floats():
    # V = 1e-320 (subnormal: a few digits): once "ValueError: xtol too small".
    s = bargain.rubinstein(bargain.load_model(CASES / "V_1e-320.toml"))
    assert abs(s.agreement["x"] - 5e-320 / 7) <= 4 * 5e-324


def test_a_tiny_range_with_the_other_proposer():
    # Invented: A proposes first and offers W δ_W x_W* = 9 V / 14.
    m = bargain.load_model(CASES / "V_1e-300.toml").with_values(V=1e-250)
    s = bargain.rubinstein(m, proposer="A")
    assert s.agreement["x"] == pytest.approx(9e-250 / 14, rel=1e-14)


def test_a_solver_error_names_the_file(tmp_path):
    path = tmp_path / "walk.toml"
    text = (CASES / "V_1e-300.toml").read_text(encoding="utf-8")
    # A's outside option is more than any contract gives it.
    path.write_text(
        text.replace("[parties.A]\n", '[parties.A]\noutside_option = "2 * V"\n'),
        encoding="utf-8",
    )
    with pytest.raises(bargain.SolverError, match=r"walk\.toml: no contract gives"):
        bargain.rubinstein(bargain.load_model(path))


# -- 7. fixed strike costs keep their digits ----------------------------------------------------


@pytest.mark.parametrize(
    ("c_w", "c_a", "proposer", "expected"),
    [
        (2e-9, 1e-9, "W", 1e-9),  # c_W > c_A: W gets c_A
        (3e-12, 1e-12, "W", 1e-12),
        (1e-9, 2e-9, "A", 1 - 1e-9),  # c_A > c_W, A first: A gets c_W
        (0.1, 0.2, "W", 1.0),  # c_W < c_A: W gets everything
    ],
)
def test_fixed_strike_costs_exactly(c_w, c_a, proposer, expected):
    # Rubinstein (1982), §5. 2e-9 and 1e-9 once gave 9.99999971718e-10: the offer was
    # solved from u_A(x) = 1 - 1e-9 in floats.
    m = split_game(
        W={"discount_factor": 1, "strike_payoff": -c_w},
        A={"discount_factor": 1, "strike_payoff": -c_a},
    )
    s = bargain.rubinstein(m, proposer=proposer)
    assert s.agreement["x"] == pytest.approx(expected, rel=1e-15, abs=0)


@pytest.mark.parametrize("rounds", [10**300 + 1, 10**400])
def test_a_horizon_beyond_floating_point_is_refused_by_name(rounds):
    # A horizon of 1e400 rounds (TOML 1e400, "10**400" or --horizon) raised OverflowError
    # where its rounds were reported as a float; 1e300 rounds still solve (5/7 for split).
    m = bargain.load_model(bargain.models_dir() / "split.toml")
    with pytest.raises(bargain.ModelError, match=r"\[bargaining\] horizon: must be at most 1e300"):
        bargain.rubinstein(m, horizon=rounds)
    s = bargain.rubinstein(m, horizon=10**300)
    assert s.agreement["x"] == pytest.approx(5 / 7, rel=1e-12)


@pytest.mark.parametrize(
    ("w", "a", "q", "key"),
    [
        ({"discount_rate": "1e-400"}, {"discount_rate": "2e-400"}, 0, r"W\] discount_rate"),
        ({"discount_factor": "exp(-1e-400)"}, {"discount_factor": "exp(-2e-400)"}, 0, "factor"),
        ({"discount_factor": 1}, {"discount_factor": 1}, "1e-400", "breakdown_probability"),
    ],
)
def test_impatience_below_floating_point_is_refused_not_taken_for_none(w, a, q, key):
    # Rates of 1e-400 round to 0 in floats, and the game was taken for one without
    # discounting: "every x in [0, 1]", where the answer is 2/3 (BRW 1986) or 1/(2 - q).
    m = split_game({"breakdown_probability": q}, W=w, A=a)
    with pytest.raises(bargain.ModelError, match=rf"{key}.*below floating point"):
        bargain.rubinstein(m)


@pytest.mark.parametrize("k", [100, 200, 300])
def test_impatience_times_tiny_payoffs_is_solved_in_the_payoffs_unit(k):
    # ε = 1e-k per round on payoffs of 1e-k: ε u underflowed, and x = 0 came out as ok
    # (then: refused), where the split is 2/3 at any scale of the payoffs (Rubinstein
    # 1982). The payoffs are now solved in a unit of their size
    # (bargain.axiomatic.payoff_unit), where ε u is ε, a normal float.
    m = split_game(
        W={"payoff": f"x*10**(-{k})", "discount_factor": f"exp(-10**(-{k}))"},
        A={"payoff": f"(1 - x)*10**(-{k})", "discount_factor": f"exp(-2*10**(-{k}))"},
    )
    assert bargain.rubinstein(m).agreement["x"] == pytest.approx(2 / 3, rel=1e-12)


def test_impatience_times_payoffs_below_the_normal_floats_is_refused():
    # ε = 1e-310 per round on payoffs of 1: ε u is below the normal floats whatever the
    # payoffs' unit; refused by name, not solved with the bits it has.
    m = split_game(
        W={"payoff": "x", "discount_factor": "exp(-10**(-310))"},
        A={"payoff": "1 - x", "discount_factor": "exp(-2*10**(-310))"},
    )
    with pytest.raises(bargain.ModelError, match=r"payoff: the impatience per round"):
        bargain.rubinstein(m)


def tiny_split(**discount: str) -> bargain.Model:
    """The split of test_impatience_times_payoffs…, its payoffs' scale ``10**(-a)`` a
    parameter to sweep."""
    w, a = discount.get("W", "0.9"), discount.get("A", "0.8")
    return bargain.model_from_dict(
        {
            "model": {"name": "tiny"},
            "parameters": {"a": 1, "b": 1},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x*10**(-a)", "discount_factor": w},
                "A": {"payoff": "(1 - x)*10**(-a)", "discount_factor": a},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )


@pytest.mark.parametrize(
    ("discount", "vary", "routes", "refused"),
    [
        # δ = 0.9, 0.8: x = 5/7 (Rubinstein 1982). At a = 307, ε u = 1e-308 was below the
        # normal floats and the scalar solver refused; now it solves in the payoffs' unit
        # (5/7 at every point). The closed form reported ok at a = 324 and 328, where the
        # payoffs are 0 (the scalar: below floating point).
        ({}, {"a": (303, 309, 7)}, ("closed", "numeric"), False),
        ({}, {"a": (304, 328, 7)}, ("closed", "numeric"), True),
        # ε = 1e-b per round: the numeric kernel reported ok at a = 305, b = 4 (ε u = 1e-309)
        # and x = 1 ok where the payoffs are 0 (a = 325).
        (
            {"W": "exp(-10**(-b))", "A": "exp(-2*10**(-b))"},
            {"a": (295, 325, 7), "b": (1, 16, 6)},
            ("numeric", "auto"),
            True,
        ),
    ],
)
def test_a_sweep_point_has_the_scalar_solvers_status(discount, vary, routes, refused):
    # Every route gives each point the status of `bargain solve` there (the loop's): an
    # error status where the scalar solver refuses, never ok with a bound.
    m = tiny_split(**discount)
    loop = bargain.sweep(m, "rubinstein", vary, route="loop")
    for row in loop.itertuples():
        point = m.with_values({k: getattr(row, k) for k in vary})
        try:
            x = bargain.rubinstein(point, exact=False).agreement["x"]
        except bargain.ModelError:
            assert row.status == "infeasible"
        else:
            assert (row.status, row.x) == ("ok", x)
    assert ("infeasible" in set(loop["status"])) == refused
    for route in routes:
        df = bargain.sweep(m, "rubinstein", vary, route=route)
        assert list(df["status"]) == list(loop["status"]), route
        ok = (df["status"] == "ok").to_numpy()
        assert df["x"][ok].to_numpy() == pytest.approx(loop["x"][ok].to_numpy(), rel=1e-9)
        # Where the payoffs are normal floats, the closed form (Rubinstein 1982).
        normal = ok & (df["payoff_A"] > 1e-300).to_numpy()
        for row in df[normal].itertuples():
            with mpmath.workdps(60):  # δ = exp(-1e-16) keeps its digits
                exponent = mpmath.mpf(10) ** -int(getattr(row, "b", 0))
                w, a = (
                    (str(mpmath.exp(-exponent)), str(mpmath.exp(-2 * exponent)))
                    if discount
                    else ("0.9", "0.8")
                )
            assert row.x == pytest.approx(share(w, a), rel=1e-9)


def test_a_sweep_of_breakdown_risks_below_floating_point_has_the_scalar_status():
    # The tryout case sw_brk.toml: no discounting, a breakdown risk q = 10**-k per round:
    # x = 1 / (2 - q) (BRW 1986, §4, with disagreement payoffs 0). At k = 400, q rounds to 0
    # and the scalar solver refuses it by name; the sweep once wrote not_unique there.
    m = bargain.model_from_dict(
        {
            "model": {"name": "brk"},
            "parameters": {"k": 10},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 1},
                "A": {"payoff": "1 - x", "discount_factor": 1},
            },
            "bargaining": {"first_proposer": "W", "breakdown_probability": "10**(-k)"},
        }
    )
    with pytest.raises(bargain.ModelError, match=r"breakdown_probability: .*below floating point"):
        bargain.rubinstein(m.with_values(k=400))
    for route in ("auto", "numeric", "loop"):
        df = bargain.sweep(m, "rubinstein", {"k": (100, 400, 4)}, route=route)
        assert list(df["status"]) == ["ok", "ok", "ok", "infeasible"], route
        assert list(df["x"][:3]) == pytest.approx([0.5] * 3, rel=1e-15)


def pole3(**bargaining: object) -> bargain.Model:
    """u_W = -log(1 - x), infinite at the bound x = 1; u_A = sqrt(1 - x); δ = 0.9 each."""
    return bargain.model_from_dict(
        {
            "model": {"name": "pole3"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "-log(1 - x)", "discount_factor": 0.9},
                "A": {"payoff": "sqrt(1 - x)", "discount_factor": 0.9},
            },
            "bargaining": {"first_proposer": "W", **bargaining},
        }
    )


def test_a_pole_at_a_bound_with_the_equilibrium_inside():
    # The stationary equilibrium's indifference conditions (Rubinstein 1982; Osborne &
    # Rubinstein 1990, Proposition 3.5, for a non-linear frontier): A accepts W's x when
    # sqrt(1 - x) = 0.9 sqrt(1 - y), W accepts A's y when -log(1 - y) = -0.9 log(1 - x).
    # So 1 - x = 0.81 (1 - y) and 1 - y = (1 - x)**0.9: (1 - x)**0.1 = 0.81, x = 1 - 0.81**10,
    # y = 1 - 0.81**9. The game was refused ("a pole inside the contract set"): W's payoff
    # is infinite at the bound x = 1, which no equilibrium offer reaches.
    with mpmath.workdps(30):
        x, y = mpmath.findroot(
            lambda x, y: [
                mpmath.sqrt(1 - x) - mpmath.mpf("0.9") * mpmath.sqrt(1 - y),
                -mpmath.log(1 - y) + mpmath.mpf("0.9") * mpmath.log(1 - x),
            ],
            (0.8, 0.8),
        )
        assert abs(x - (1 - mpmath.mpf("0.81") ** 10)) < 1e-25
        assert abs(y - (1 - mpmath.mpf("0.81") ** 9)) < 1e-25
    s = bargain.rubinstein(pole3())
    assert s.agreement["x"] == pytest.approx(float(x), rel=1e-14)
    assert s.extra["proposals"]["A"] == pytest.approx(float(y), rel=1e-14)
    assert s.payoffs["W"] == pytest.approx(-10 * math.log(0.81), rel=1e-13)
    assert bargain.rubinstein(pole3(first_proposer="A")).agreement["x"] == pytest.approx(
        float(y), rel=1e-14
    )
    # Backward induction over 1000 rounds, A proposing last (W's pole is never offered):
    # the finite game's agreement tends to the stationary one.
    assert bargain.rubinstein(pole3(horizon=1000)).agreement["x"] == pytest.approx(
        float(x), rel=1e-14
    )


@pytest.mark.parametrize("rounds", [1, 3])
def test_an_agreement_at_the_pole_is_refused(rounds):
    # W proposes last: it demands x = 1, worth an infinite payoff, and every earlier offer
    # carries that value back: no finite equilibrium, a typed error naming the pole.
    with pytest.raises(UndefinedPayoffError, match=r"at x = 1 \(infinite: the payoff has a pole"):
        bargain.rubinstein(pole3(horizon=rounds))
    # A proposes last: backward induction by hand, u_W(x) = 0.9 u_W(next) for W's acceptance
    # and sqrt(1 - x) = 0.9 sqrt(1 - next) for A's. Two rounds: A offers 0, W offers 0.19.
    assert bargain.rubinstein(pole3(horizon=rounds + 1)).agreement["x"] == pytest.approx(
        {1: 0.19, 3: 1 - 0.81 * math.exp(0.9 * math.log(0.81))}[rounds], rel=1e-14
    )


def pole_ratio(c: str = "1") -> bargain.Model:
    """u_W = x/(c - x), infinite at x = c = 1; u_A = 1 - x; δ_W = 0.9, δ_A = 0.8."""
    return bargain.model_from_dict(
        {
            "model": {"name": "pole_ratio"},
            "parameters": {"c": {"value": c}},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x/(c - x)", "discount_factor": 0.9},
                "A": {"payoff": "1 - x", "discount_factor": 0.8},
            },
        }
    )


def test_no_equilibrium_short_of_the_pole_is_a_typed_error_not_a_crash():
    # The indifference conditions (Osborne & Rubinstein 1990, §3.10) at c = 1: with
    # a = 1 - x_W, b = 1 - x_A, a = δ_A b and (1 - b)/b = δ_W (1 - a)/a, so
    # b = (δ_W - δ_A) / (δ_A (δ_W - 1)) = -1.25: no equilibrium inside [0, 1); the closed
    # form's offer is the pole x = 1 itself, where W's payoff is infinite. This ended in a
    # ZeroDivisionError (the solve and the brief); a sweep said "ok" with payoff -inf.
    with pytest.raises(UndefinedPayoffError, match=r"at x = 1 \(infinite: the payoff has a pole"):
        bargain.rubinstein(pole_ratio())
    rows = {r.label: r for r in bargain.brief(pole_ratio()).rows}
    assert "has a pole" in rows["Rubinstein, W proposes first"].refused
    # At c = 2: W's indifference (1 - b)/(1 + b) = δ_W (1 - a)/(1 + a), solved by brentq.
    a_of = lambda b: 0.8 * b  # noqa: E731  (A's indifference: 1 - x_W = δ_A (1 - x_A))
    b = brentq(lambda b: (1 - b) / (1 + b) - 0.9 * (1 - a_of(b)) / (1 + a_of(b)), 1e-9, 1)
    s = bargain.rubinstein(pole_ratio("2"))
    assert s.agreement["x"] == pytest.approx(1 - a_of(b), rel=1e-12)
    df = bargain.sweep(pole_ratio(), "rubinstein", {"c": (1, 2, 3)})
    assert list(df["status"]) == ["undefined", "ok", "ok"]
    assert df["x"].iloc[2] == pytest.approx(1 - a_of(b), rel=1e-12)


@pytest.mark.parametrize(
    ("payoff", "x_star"), [("1/x - 1", 5 / 9), ("-log(x)", 0.9**4)], ids=["ratio", "log"]
)
def test_a_pole_of_the_responder_at_the_lower_bound(payoff, x_star):
    # u_W = x, u_A with a pole at x = 0, δ_W = 0.9, δ_A = 0.8, W first. The indifference
    # conditions (Osborne & Rubinstein 1990, §3.10): W accepts A's y = 0.9 x; A accepts x
    # when u_A(x) = 0.8 u_A(y). For 1/x - 1: 1/x - 1 = 0.8 (1/(0.9 x) - 1), x = 5/9; for
    # -log x: x = (0.9 x)**0.8, x = 0.9**4. 1/x - 1 ended in a ZeroDivisionError (1/5e-324
    # overflows, so the end was not moved off the pole); -log x was refused: every offer
    # near the moved end was the end itself, to brentq's tolerance in the contract, a
    # spurious fixed point at the pole.
    m = bargain.model_from_dict(
        {
            "model": {"name": "low_pole"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.9},
                "A": {"payoff": payoff, "discount_factor": 0.8},
            },
        }
    )
    assert bargain.rubinstein(m).agreement["x"] == pytest.approx(x_star, rel=1e-12)
    # Backward induction over 401 rounds, W proposing last (A's last demand would be the
    # pole), tends to it (Ståhl 1972; the map contracts).
    b = bargain.rubinstein(m, horizon=401, exact=False)
    assert b.agreement["x"] == pytest.approx(x_star, rel=1e-9)


# -- 6. the breakdown risk is per period: 1 - (1 - q)^Δ per round --------------------------


BRW = {
    "model": {"name": "brw"},
    "variables": {"x": {"min": 0, "max": 1}},
    "parties": {
        "W": {
            "payoff": "sqrt(x)",
            "discount_rate": 0.02,
            "strike_payoff": -0.001,
            "disagreement": 0.05,
        },
        "A": {
            "payoff": "1 - x",
            "discount_rate": 0.05,
            "strike_payoff": 0.002,
            "disagreement": 0.1,
        },
    },
    "bargaining": {"first_proposer": "A", "breakdown_probability": 0.01},
}


def brw_proposals(period: str, digits: int = 50) -> tuple[float, float]:
    """The two indifference conditions of :data:`BRW` in mpmath, with the risk of a round of
    ``period`` periods ``1 - (1 - q)^Δ`` and the strike payoff of a round ``b (1 - e^{-rΔ}) / r``
    (docs/rubinstein.md, timing): A's proposal (the agreement, A first) and W's."""
    with mpmath.workdps(digits):
        dt, q = mpmath.mpf(period), 1 - (1 - mpmath.mpf("0.01")) ** mpmath.mpf(period)
        r = {"W": mpmath.mpf("0.02"), "A": mpmath.mpf("0.05")}
        b = {"W": mpmath.mpf("-0.001"), "A": mpmath.mpf("0.002")}
        d = {"W": mpmath.mpf("0.05"), "A": mpmath.mpf("0.1")}
        c = {n: b[n] * -mpmath.expm1(-r[n] * dt) / r[n] + q * d[n] for n in r}
        k = {n: (1 - q) * mpmath.exp(-r[n] * dt) for n in r}

        def conditions(x_w, x_a):
            return [
                1 - x_w - (c["A"] + k["A"] * (1 - x_a)),
                mpmath.sqrt(x_a) - (c["W"] + k["W"] * mpmath.sqrt(x_w)),
            ]

        x_w, x_a = mpmath.findroot(conditions, (mpmath.mpf("0.4"), mpmath.mpf("0.3")))
        return float(x_a), float(x_w)


@pytest.mark.parametrize("period", ["1", "0.5", "0.001"])
def test_the_breakdown_risk_of_a_round_is_per_period(period):
    # q is the risk per period (a week on the flagship): a round of Δ periods carries the
    # hazard -ln(1 - q) per period over Δ, 1 - (1 - q)^Δ (BRW 1986, §4), as the strike
    # payoff's b (1 - δ^Δ) / r does. Δ = 1 is q itself (every answer at one period unchanged).
    m = bargain.model_from_dict(BRW)
    s = bargain.rubinstein(m, period=float(period), exact=False)
    x_a, x_w = brw_proposals(period)
    assert s.agreement["x"] == pytest.approx(x_a, rel=1e-10)
    assert s.extra["proposals"]["W"] == pytest.approx(x_w, rel=1e-10)


def test_short_rounds_tend_to_the_brw_limit_with_breakdown():
    # Report s26 §14: as Δ -> 0 the game tends to the generalised Nash solution with powers
    # proportional to 1 / (r_i + λ), λ = -ln(1 - q) per period, over the impasse point
    # (Binmore, Rubinstein & Wolinsky 1986, §4-5): bargain's own Nash limit route. With the
    # risk applied per round instead, it tended to 0.31590.
    m = bargain.model_from_dict(BRW)
    limit = bargain.nash(m, limit=True).agreement["x"]
    assert limit == pytest.approx(0.469108301, abs=1e-8)
    for period in (1e-6, 1e-8):
        x = bargain.rubinstein(m, period=period, exact=False).agreement["x"]
        assert x == pytest.approx(limit, abs=1e-6)
        assert x == pytest.approx(brw_proposals(str(period))[0], rel=1e-9)


# -- 7. a formula with a float in it is not exact ---------------------------------------------


def test_a_formula_of_floats_is_numeric_not_exact():
    # Report s26 §13: discount factors 0.9**10000 and 0.8**10000 (kept to 30 digits) gave the
    # "exact" formula 1.0, where x* = (1 - δ_A)/(1 - δ_W δ_A) (Rubinstein 1982; Osborne &
    # Rubinstein 1990, Proposition 3.5) is not 1. Numeric, as the axiomatic concepts' are.
    m = split_game(W={"discount_factor": "0.9**10000"}, A={"discount_factor": "0.8**10000"})
    s = bargain.rubinstein(m)
    assert (s.exact, s.formula, s.exact_agreement) == (False, None, None)
    with mpmath.workdps(30):
        d_w, d_a = mpmath.mpf("0.9") ** 10000, mpmath.mpf("0.8") ** 10000
        assert s.agreement["x"] == pytest.approx(float((1 - d_a) / (1 - d_w * d_a)), rel=1e-15)


@pytest.mark.parametrize(("period", "exact"), [("1e-4", True), ("1e-5", False), ("1e-6", False)])
def test_short_rounds_are_exact_only_with_a_true_closed_form(period, exact):
    # Report s26 §13: u_W = sqrt(x), u_A = V - x, rates 0.1 and 0.3, A first; with
    # k_i = e^{-r_i Δ} the conditions sqrt(x_A) = k_W sqrt(x_W), V - x_W = k_A (V - x_A) give
    # x_A = V k_W^2 (1 - k_A)/(1 - k_W^2 k_A) (Rubinstein 1982, with u_W's square root). At
    # Δ = 1e-5 the formula was a 31-digit decimal times V, claimed exact.
    m = bargain.model_from_dict(
        {
            "model": {"name": "r2s"},
            "parameters": {"V": 1e9},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {
                "W": {"payoff": "sqrt(x)", "discount_rate": 0.1},
                "A": {"payoff": "V - x", "discount_rate": 0.3},
            },
            "bargaining": {"first_proposer": "A"},
        }
    )
    s = bargain.rubinstein(m, period=float(period))
    with mpmath.workdps(50):
        dt = mpmath.mpf(period)
        k_w2, k_a = mpmath.exp(-2 * dt / 10), mpmath.exp(-3 * dt / 10)
        x_a = 10**9 * k_w2 * (1 - k_a) / (1 - k_w2 * k_a)
    assert s.agreement["x"] == pytest.approx(float(x_a), rel=1e-14)
    assert s.exact is exact
    assert (s.formula is None, s.exact_agreement is None) == (not exact, not exact)
    if exact:
        with mpmath.workdps(50):
            value = sympy.N(s.exact_agreement["x"], 40)
            assert abs(mpmath.mpf(str(value)) - x_a) < mpmath.mpf(10) ** -25 * x_a


def test_an_outside_option_binds_beside_inside_options_in_the_limit():
    # Strike payoffs (0.05, 0.02) a period at δ = (0.9, 0.8) lift W's impasse point to
    # 0.05 / -ln 0.9 = 0.4746, above the 0.45 that A's outside option 0.55 leaves it: the
    # game gives A exactly its option (x = 0.45, the outside-option principle: Muthoo 1999,
    # ch. 6), at periods of 1 and 1e-6 alike. No agreement improves on both impasse points,
    # so the Nash program refused ("the disagreement point is not improved upon"); the limit
    # is the best agreement for W that leaves A its option.
    m = bargain.model_from_dict(
        {
            "model": {"name": "g"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 0.9, "strike_payoff": 0.05},
                "A": {
                    "payoff": "1 - x",
                    "discount_factor": 0.8,
                    "strike_payoff": 0.02,
                    "outside_option": 0.55,
                },
            },
        }
    )
    assert 0.05 / -math.log(0.9) > 1 - 0.55
    game = bargain.rubinstein(m, period=1e-6, exact=False)
    assert game.agreement["x"] == pytest.approx(0.45, abs=1e-6)
    limit = bargain.nash(m, limit=True)
    assert limit.agreement["x"] == pytest.approx(0.45, rel=1e-12)
    assert limit.payoffs["A"] == pytest.approx(0.55, rel=1e-12)
    assert "A's outside option binds" in limit.assumptions[-1]
