"""Compiled kernels against the scalar solvers, at random points of each model's ranges."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.concepts.vectorised import INFEASIBLE, OK, STATUSES, bracketed_newton
from bargain.strategic.rubinstein import _Kernel
from bargain.sweeps.compile import compile_kernel
from tests.conftest import shipped, two_party


def random_points(model: bargain.Model, names: list[str], n: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    out = {}
    for name in names:
        lo, hi = (float(v) for v in model.parameter(name).range)
        out[name] = rng.uniform(lo, hi, n)
    return out


def scalar(model: bargain.Model, method: str, point: dict, **options) -> bargain.Solution:
    at = model.with_values({k: float(v) for k, v in point.items()})
    return bargain.SOLVERS[method](at, exact=False, **options)


def check_against_scalar(kernel, model, method, points, *, rtol=1e-9, **options):
    out = kernel(points)
    n = len(next(iter(points.values())))
    assert np.all(out["status"] == OK), [STATUSES[s] for s in out["status"]]
    var = model.variable_names[0]
    for i in range(n):
        sol = scalar(model, method, {k: v[i] for k, v in points.items()}, **options)
        assert out[var][i] == pytest.approx(sol.agreement[var], rel=rtol, abs=rtol)
        for p in model.party_names:
            assert out[f"payoff_{p}"][i] == pytest.approx(sol.payoffs[p], rel=rtol, abs=rtol)


@pytest.fixture(scope="module")
def cara() -> bargain.Model:
    return shipped("cara")


def test_closed_form_nash_on_split_matches_scalar(split):
    names = ["V", "d_W", "d_A"]
    kernel = compile_kernel(split, "nash", names)
    assert kernel.route == "closed"
    check_against_scalar(kernel, split, "nash", random_points(split, names, 4, seed=1))


def test_closed_form_rubinstein_on_split_matches_scalar(split):
    names = ["V", "delta_W", "delta_A"]
    kernel = compile_kernel(split, "rubinstein", names)
    assert kernel.route == "closed"
    check_against_scalar(kernel, split, "rubinstein", random_points(split, names, 4, seed=2))


def test_a_closed_form_whose_constants_cancel_is_exact_to_rounding():
    """The alternating-offers game on sqrt(x) against (1 - x)**2 with W's strike payoff s,
    a flow worth s (1 - d) / r over a round, r = -log d (Rubinstein 1982; Muthoo 1999,
    *Bargaining Theory with Applications*, ch. 6; docs/rubinstein.md): W's offer x and
    A's offer y meet A's indifference (1 - x)**2 = 0.9 (1 - y)**2 and W's, sqrt(y) =
    s (1 - 0.95) / r + 0.95 sqrt(x). The closed form holds 7249 log(19)**2 - 14498
    log(19) log(20) + 7249 log(20)**2, which cancels to 3e-4 of its terms: compiled as
    written the sweep was off by 2.4e-7 relative. Checked against brentq on the two
    conditions."""
    from scipy.optimize import brentq

    m = two_party(
        "sqrt(x)",
        "(1 - x)**2",
        parameters={"s": -0.01},
        A={"discount_factor": 0.95, "strike_payoff": "s"},
        B={"discount_factor": 0.9},
    )
    kernel = compile_kernel(m, "rubinstein", ["s"])
    assert kernel.route == "closed"
    s = np.array([-0.02, 0.0, 0.02])
    got = kernel({"s": s})["x"]

    def offer(s: float) -> float:
        def gap(x: float) -> float:  # W's offer x: the y that A's indifference gives, ...
            y = 1 - np.sqrt((1 - x) ** 2 / 0.9)
            strike = s * (1 - 0.95) / -np.log(0.95)
            return np.sqrt(max(y, 0.0)) - (strike + 0.95 * np.sqrt(x))  # ... meets W's

        return brentq(gap, 1 - np.sqrt(0.9), 1.0, xtol=1e-16, rtol=1e-15)

    assert got == pytest.approx([offer(v) for v in s], rel=1e-13)


@pytest.mark.parametrize("method", ["nash", "egalitarian", "rubinstein"])
def test_numeric_route_matches_scalar_on_a_nonlinear_frontier(cara, method):
    names = ["a", "d_W", "d_A", "delta_W", "delta_A"]
    kernel = compile_kernel(cara, method, names, route="numeric")
    check_against_scalar(kernel, cara, method, random_points(cara, names, 5, seed=3))


def test_rubinstein_on_cara_has_no_closed_form_so_auto_is_numeric(cara):
    kernel = compile_kernel(cara, "rubinstein", ["a"], timeout=2)
    assert kernel.route == "numeric" and kernel.formula is None


def test_closed_and_numeric_routes_agree(cara):
    # Nash on the CARA frontier has a LambertW closed form (scipy evaluates it). No time
    # limit on sympy (timeout=0): on a busy machine (parallel tests) 10 s may not be enough.
    names = ["a", "d_W", "d_A"]
    closed = compile_kernel(cara, "nash", names, timeout=0)
    numeric = compile_kernel(cara, "nash", names, route="numeric")
    assert closed.route == "closed" and "LambertW" in str(closed.formula["x"])
    points = random_points(cara, names, 200, seed=4)
    a, b = closed(points), numeric(points)
    assert np.all(a["status"] == OK) and np.all(b["status"] == OK)
    np.testing.assert_allclose(a["x"], b["x"], rtol=1e-11)


def test_points_outside_the_formula_go_to_the_numeric_route():
    # x = c/2 while c <= 2; beyond, the bound x <= 1 binds and the formula does not hold.
    m = two_party("x", "c - x", parameters={"c": {"value": 1.5, "range": [1, 3]}})
    kernel = compile_kernel(m, "nash", ["c"])
    assert kernel.route == "closed" and str(kernel.formula["x"]) == "c/2"
    c = np.array([1.0, 1.9, 2.5, 3.0])
    check_against_scalar(kernel, m, "nash", {"c": c})
    np.testing.assert_allclose(kernel({"c": c})["x"], np.minimum(c / 2, 1), rtol=1e-12)


def test_outside_option_switches_branch_point_by_point():
    # The producers' outside option binds above some level; the formula found at o = 0
    # (not binding) must not be used there.
    m = two_party(
        "x",
        "1 - x",
        parameters={"o": {"value": 0.0, "range": [0, 0.6]}},
        A={"discount_factor": 0.9},
        B={"discount_factor": 0.9, "outside_option": "o"},
    )
    kernel = compile_kernel(m, "rubinstein", ["o"])
    assert kernel.route == "closed"
    o = np.array([0.0, 0.2, 0.45, 0.55])
    check_against_scalar(kernel, m, "rubinstein", {"o": o})
    x = kernel({"o": o})["x"]
    assert x[0] == pytest.approx(1 / 1.9) and x[3] == pytest.approx(0.45)


def test_fixed_point_fallback_equals_newton(cara):
    names = ["a", "delta_W", "delta_A"]
    game = _Kernel(cara, names, {})
    points = random_points(cara, names, 50, seed=5)
    params = {**points, "_n": np.arange(50)}
    lo, hi = np.zeros(50), np.ones(50)
    x_r, _, status = game._fixed_point(params, lo, hi)
    newton = game.evaluate(params, newton_only=True)
    assert np.all(status == OK) and np.all(newton["status"] == OK)
    np.testing.assert_allclose(x_r, newton["x"], rtol=1e-9)


def test_infeasible_points_are_flagged_not_guessed(split):
    kernel = compile_kernel(split, "nash", ["d_W", "d_A"], route="numeric")
    out = kernel({"d_W": [0.2, 0.6], "d_A": [0.2, 0.6]})
    assert list(out["status"]) == [OK, INFEASIBLE]
    assert out["x"][0] == pytest.approx(0.5) and np.isnan(out["x"][1])
    with pytest.raises(bargain.FeasibilityError):
        scalar(split, "nash", {"d_W": 0.6, "d_A": 0.6})


def test_loop_route_equals_closed_route(split):
    points = random_points(split, ["V", "d_W"], 3, seed=6)
    for method in ("kalai-smorodinsky", "nash"):
        loop = compile_kernel(split, method, ["V", "d_W"], route="loop")
        assert loop.route == "loop"
        closed = compile_kernel(split, "nash", ["V", "d_W"])
        np.testing.assert_allclose(loop(points)["x"], closed(points)["x"], rtol=1e-9)


def test_kernel_pickles_by_recipe(split):
    import pickle

    kernel = compile_kernel(split, "rubinstein", ["delta_W"])
    again = pickle.loads(pickle.dumps(kernel))
    assert again.route == kernel.route
    np.testing.assert_array_equal(
        again({"delta_W": [0.6, 0.7]})["x"], kernel({"delta_W": [0.6, 0.7]})["x"]
    )


def test_bad_input_names_what_is_allowed(split):
    with pytest.raises(
        bargain.ModelError, match="unknown parameter 'c'; the parameters are V, d_W"
    ):
        compile_kernel(split, "nash", ["c"])
    with pytest.raises(bargain.ModelError, match="the concepts are nash"):
        compile_kernel(split, "bogus")
    three = bargain.model_from_dict(
        {
            "model": {"name": "three"},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "parties": {"A": {"payoff": "x"}, "B": {"payoff": "y"}, "C": {"payoff": "2 - x - y"}},
        }
    )
    with pytest.raises(bargain.ModelError, match="two parties"):
        compile_kernel(three, "egalitarian", [], route="numeric")
    constrained = two_party(
        "x + y",
        "2 - x - y",
        parameters={"c": {"value": 1, "range": [0, 2]}},
        variables={"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
        constraints={"cap": "x + y <= c"},
    )
    with pytest.raises(bargain.ModelError, match=r"the variables' bounds, not \[constraints\]"):
        compile_kernel(constrained, "nash", ["c"], route="numeric")
    kernel = compile_kernel(split, "nash", ["V"])
    with pytest.raises(bargain.ModelError, match="the inputs are V"):
        kernel({"d_W": [0.1]})


@pytest.mark.parametrize("method", ["rubinstein", "strike-or-holdout"])
def test_a_two_party_concept_refuses_three_parties(method):
    # The alternating-offers game has two players (Rubinstein 1982): a sweep of a three-party
    # model under it is refused once, as `bargain solve` refuses it, not written as a file of
    # rows whose status is "infeasible" at every point.
    three = bargain.model_from_dict(
        {
            "model": {"name": "three"},
            "parameters": {"delta": {"value": 0.9, "range": [0.5, 0.99]}},
            "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
            "constraints": {"budget": "x + y <= 1"},
            "parties": {
                "A": {"payoff": "x", "discount_factor": "delta"},
                "B": {"payoff": "y", "discount_factor": "delta"},
                "C": {"payoff": "1 - x - y", "discount_factor": "delta"},
            },
        }
    )
    match = rf"\[parties\]: {method} solves two-party models only; the model has 3 parties"
    for route in ("auto", "loop"):
        with pytest.raises(bargain.ModelError, match=match):
            compile_kernel(three, method, ["delta"], route=route)


@given(st.lists(st.floats(-50, 50), min_size=1, max_size=20))
def test_bracketed_newton_finds_every_cube_root(values):
    c = np.array(values)
    a, b = np.full(c.size, -4.0), np.full(c.size, 4.0)
    root, ok = bracketed_newton(lambda x, i: (x**3 - c[i], 3 * x**2), a, b, -np.ones(c.size))
    assert ok.all()
    np.testing.assert_allclose(root, np.cbrt(c), rtol=1e-14, atol=1e-14)


def test_points_the_kernel_cannot_vouch_for_are_solved_point_by_point():
    # Every point the scalar solver solves, the sweep solves: a kernel whose iteration
    # gives up at some points has them re-solved by the scalar solver.
    from bargain.concepts.registry import concept
    from bargain.concepts.vectorised import NO_CONVERGENCE
    from bargain.sweeps.compile import _loop, _rescued

    split = bargain.load_model(bargain.models_dir() / "split.toml")
    nash = concept("nash")
    d_w = np.array([0.0, 0.1, 0.2, 0.3])

    def gives_up(params: dict) -> dict:
        n = params["_n"].size
        nan = np.full(n, np.nan)
        status = np.where(np.arange(n) % 2 == 1, NO_CONVERGENCE, OK).astype(np.int8)
        x = np.where(status == OK, 0.5 + params["d_W"] / 2, nan)  # split: x = (V + d_W − d_A)/2
        return {"x": x, "payoff_W": x, "payoff_A": 1 - x, "status": status}

    rescued = _rescued(gives_up, _loop(nash, split, ["d_W"], {}))
    out = rescued({"d_W": d_w, "_n": np.empty(d_w.size)})
    expected = [
        bargain.nash(split.with_values(d_W=float(d)), exact=False).agreement["x"] for d in d_w
    ]
    assert out["status"].tolist() == [OK] * 4
    assert out["x"] == pytest.approx(expected, rel=1e-12)


def test_rubinstein_kernel_matches_scalar_on_a_sample_of_a_large_sweep(cara):
    """Issue 16, item 5: the faster kernel (rough steps in single precision, a compiled
    Newton step) keeps the scalar solver's answers to 1e-9 at a sample of the points of a
    sweep over the benchmark's box (benchmarks/numeric.py), patient parties included, and
    keeps every point of the sweep."""
    names = ["a", "delta_W", "delta_A"]
    kernel = compile_kernel(cara, "rubinstein", names, route="numeric")
    rng = np.random.default_rng(16)
    box = {"a": (0.5, 4.0), "delta_W": (0.5, 0.99), "delta_A": (0.5, 0.99)}
    points = {k: rng.uniform(lo, hi, 20_000) for k, (lo, hi) in box.items()}
    out = kernel(points)
    assert np.all(out["status"] == OK)
    sample = rng.choice(20_000, size=12, replace=False)
    check_against_scalar(kernel, cara, "rubinstein", {k: v[sample] for k, v in points.items()})
    np.testing.assert_array_equal(
        kernel({k: v[sample] for k, v in points.items()})["x"], out["x"][sample]
    )


def test_rubinstein_kernel_with_an_outside_option_on_a_nonlinear_frontier():
    # The Newton step with outside options is not compiled as one function (which option
    # binds changes point by point): the general step, in single then double precision.
    m = two_party(
        "(1 - exp(-2*x))/2",
        "1 - x",
        parameters={
            "o": {"value": 0.0, "range": [0, 0.6]},
            "dA": {"value": 0.9, "range": [0.5, 0.99]},
        },
        A={"discount_factor": "dA"},
        B={"discount_factor": 0.9, "outside_option": "o"},
    )
    kernel = compile_kernel(m, "rubinstein", ["o", "dA"], route="numeric")
    points = {"o": np.array([0.0, 0.2, 0.45, 0.55]), "dA": np.array([0.6, 0.9, 0.95, 0.7])}
    check_against_scalar(kernel, m, "rubinstein", points)
    assert kernel(points)["x"][2] == pytest.approx(0.55, rel=1e-12)  # the option binds: 1 - x = o


def test_rough_steps_beyond_single_precision_keep_the_start():
    # exp(x) overflows single precision beyond x = 88: those points start double
    # precision's Newton from the linear frontier's proposals, and still solve.
    m = two_party(
        "exp(x)",
        "c - x",
        parameters={"c": {"value": 100, "range": [100, 120]}},
        variables={"x": {"min": 0, "max": 100}},
        A={"discount_factor": 0.9},
        B={"discount_factor": 0.8},
    )
    game = _Kernel(m, ["c"], {})
    c = np.array([100.0, 110.0])
    lo, hi = np.zeros(2), np.full(2, 100.0)
    start = np.array([60.0, 95.0])
    with np.errstate(all="ignore"):
        r, f = game._rough(start, start, lo, hi, game.terms(params={"c": c}, n=2), {"c": c})
    assert (r[1], f[1]) == (95.0, 95.0)  # exp(95) is beyond single precision: kept
    assert np.isfinite(r[0]) and r[0] != 60.0  # within it: moved
    kernel = compile_kernel(m, "rubinstein", ["c"], route="numeric")
    check_against_scalar(kernel, m, "rubinstein", {"c": c})


def test_monotone_frontier_is_proven_where_sympy_can_tell(cara):
    # d/dx (1 - exp(-a x))/a = exp(-a x) > 0 and d/dx (1 - x) = -1 for every real a:
    # no grid is needed. sqrt(x)'s derivative is not real at x < 0: sympy cannot tell.
    from bargain.concepts.vectorised import Frontier

    assert Frontier(cara, ["a"]).proven
    assert not Frontier(two_party("sqrt(x)", "1 - x"), []).proven
    # The grid still catches a frontier that is not monotone at some points.
    bent = two_party("x * (c - x)", "1 - x", parameters={"c": {"value": 3, "range": [1, 3]}})
    fr = Frontier(bent, ["c"])
    assert not fr.proven
    params = {"c": np.array([3.0, 1.0]), "_n": np.empty(2)}
    assert fr.monotone(np.zeros(2), np.ones(2), params).tolist() == [True, False]


def test_a_proven_frontier_is_checked_at_its_bounds_point_by_point():
    # Where monotonicity is proven, the payoffs at the bounds are compiled as expressions
    # (u_r(0) = c**2 for every point here, a constant u_f(0) = 1): a payoff beyond floating
    # point at one point's bound (exp(800)) still fails that point, and only it.
    from bargain.concepts.vectorised import Frontier

    m = two_party(
        "c**2 * exp(x)",
        "1 - x",
        parameters={"c": {"value": 1, "range": [0.5, 2]}, "m": {"value": 1, "range": [1, 800]}},
        variables={"x": {"min": 0, "max": "m"}},
    )
    fr = Frontier(m, ["c", "m"])
    assert fr.proven
    params = {"c": np.array([1.0, 2.0, 1.0]), "m": np.array([1.0, 5.0, 800.0]), "_n": np.empty(3)}
    with np.errstate(over="ignore"):
        ok = fr.monotone(np.zeros(3), params["m"], params)
    assert ok.tolist() == [True, True, False]


def test_points_where_newton_never_settles_are_not_vouched_for_and_still_solved(cara):
    # A point whose Newton step never falls below its stopping size within the iteration's
    # steps is not vouched for, even where its residuals are small at every step, and the
    # kernel solves it by the scalar solver's bisection instead.
    game = _Kernel(cara, ["a"], {})
    newton_step = game._step
    calls = []

    def restless(x_r, x_f, terms, params):
        # Newton's step, off by 1e-11 (5 times the stopping size) one way then the other:
        # the iterates stay within about 1e-11 of the answer, so both residuals are small
        # enough to vouch for, but the step never is.
        calls.append(None)
        out = newton_step(x_r, x_f, terms, params)
        out[2] = out[2] + 1e-11 * (-1) ** len(calls)
        return out

    a = np.array([1.0, 2.0, 3.0])
    params = {"a": a, "_n": np.empty(3)}
    lo, hi = np.zeros(3), np.ones(3)
    with np.errstate(all="ignore"):
        _, _, ok = game._newton(params, lo, hi, game.terms(params=params, n=3))
        assert ok.all()  # the real step settles
        game._step = restless
        _, _, ok = game._newton(params, lo, hi, game.terms(params=params, n=3))
        assert not ok.any()
        out = game.evaluate(params)
    assert np.all(out["status"] == OK)
    for i, value in enumerate(a):
        sol = scalar(cara, "rubinstein", {"a": value})
        assert out["x"][i] == pytest.approx(sol.agreement["x"], rel=1e-9)


def test_negative_integer_powers_compile_to_divisions_with_the_same_values():
    # numpy computes x**(-1.0) and x**(-2.0) by its general power function, several times
    # the cost of a division: compiled kernels print them as 1/x and 1/x**2.
    from bargain.concepts.vectorised import compile_exprs

    m = two_party("x", "1 - x", parameters={"c": {"value": 1, "range": [0.1, 10]}})
    c = m.symbols["c"]
    f = compile_exprs(m, ["c"], [c**-1, (c + 1) ** -2, c**-3 + c])
    values = np.random.default_rng(3).uniform(0.1, 10, 1000)
    inverse, square, cube = f(params={"c": values}, n=values.size)
    np.testing.assert_allclose(inverse, values**-1.0, rtol=1e-15)
    np.testing.assert_allclose(square, (values + 1) ** -2.0, rtol=1e-15)
    np.testing.assert_allclose(cube, values**-3.0 + values, rtol=1e-15)


@pytest.mark.parametrize("method", ["egalitarian", "nash"])
def test_the_closed_routes_checks_are_relative_to_each_point(method):
    # Split V with W's disagreement payoff r V: both concepts' formula is x = V (1 + r)/2
    # (equal gains on a line: Nash 1950; Kalai 1977), an agreement only while r < 1. At
    # V = 1e-6, r = 1.0001 it is 5e-11 above V: the check's tolerance, fixed at the box's
    # centre (V about 1), let that point be "ok" with A's payoff -5e-11 (the scalar
    # solver: no agreement improves on disagreement).
    m = bargain.model_from_dict(
        {
            "model": {"name": "split_with_threat"},
            "parameters": {"V": {"value": 1}, "r": {"value": 0.5}},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {"W": {"payoff": "x", "disagreement": "r*V"}, "A": {"payoff": "V - x"}},
        }
    )
    df = bargain.sweep(m, method, {"V": (1e-6, 2, 3), "r": (0.9, 1.0001, 3)})
    assert df.attrs["route"] == "closed"
    beyond = df["r"] > 1
    assert (df.loc[beyond, "status"] == "infeasible").all()
    inside = df.loc[~beyond]
    assert (inside["status"] == "ok").all()
    np.testing.assert_allclose(inside["x"], inside["V"] * (1 + inside["r"]) / 2, rtol=1e-12)
    # The scalar solver at the same points (the independent route).
    loop = bargain.sweep(m, method, {"V": (1e-6, 2, 3), "r": (0.9, 1.0001, 3)}, route="loop")
    assert list(loop["status"]) == list(df["status"])
