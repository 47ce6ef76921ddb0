"""Checkpoints inside sympy: work that grows inside a step is declined by its size, so that
whether an answer is exact never depends on the machine's speed (the safety net)."""

from __future__ import annotations

from pathlib import Path

import mpmath
import pytest
import sympy

import bargain
from bargain.concepts.budget import (
    MAX_BEZOUT,
    MAX_DEGREE,
    MAX_OPS,
    NODES_PER_OP,
    Budget,
    _Timeout,
    time_limit,
)
from bargain.concepts.checkpoints import Declined, Watch, watched
from tests.conftest import two_party

CASES = Path(__file__).parent / "cases"
x, y = sympy.symbols("x y", real=True)
a, b, c = sympy.symbols("a b c", positive=True)
HANG = 120.0  # CPU seconds after which a solve with the safety net off counts as a hang


def test_a_lambert_equation_of_high_degree_is_declined_before_its_roots_are_built():
    # sympy's Lambert route writes exp(A/p) as the p roots of t**p - exp(A): of
    # log(x) = (1000/333)(1 - x), p = 333, though the equation has small degree and size.
    # Combining 333 log(x) into log(x**333) comes first, and is declined there; the roots
    # of the binomial are declined where a system reaches them (log_base below).
    u = sympy.Symbol("u", positive=True)
    budget = Budget()
    assert budget.solve([sympy.log(u) - sympy.Rational(1000, 333) * (1 - u)], [u]) == []
    assert budget.declined == (
        f"a logarithm to combine into a power of degree 333 (at most {MAX_DEGREE})"
    )
    # With p = 3, the roots are built: x = 3 W(10 exp(1/3) / 3) / 10 is among them.
    found = Budget().solve([sympy.log(u) - sympy.Rational(10, 3) * (1 - u) + 3], [u])
    w = sympy.LambertW(10 * sympy.exp(sympy.Rational(1, 3)) / 3)
    assert 3 * w / 10 in [s[u] for s in found]


def test_roots_larger_than_the_budget_are_dropped_where_they_are_made():
    quartic = x**4 + a * x**3 + b * x**2 + c * x + 1  # Ferrari's radicals
    budget = Budget()
    assert budget.solve([quartic], [x]) == []
    assert budget.declined.startswith("roots of ") and f"(at most {MAX_OPS})" in budget.declined
    # The reason is true: unchecked, sympy writes roots beyond the budget.
    unchecked = sympy.solve(quartic, x, dict=True, check=False, simplify=False)
    assert max(sympy.count_ops(s[x]) for s in unchecked) > MAX_OPS
    # Only the roots too large are dropped: the small root of a product is still found.
    budget = Budget()
    assert budget.solve([sympy.expand((x - a) * quartic)], [x]) == [{x: a}]
    # A quartic with small roots is solved.
    (root,) = [s[x] for s in Budget().solve([x**4 - 4], [x]) if s[x].is_positive]
    assert root == sympy.sqrt(2)


def test_a_polynomial_system_is_bounded_by_its_bezout_number_before_elimination():
    budget = Budget()
    assert budget.solve([x**5 - y, y**4 - x - 1], [x, y]) == []  # Bézout number 20
    assert budget.declined == f"a polynomial system of Bézout number 20 (at most {MAX_BEZOUT})"
    found = Budget().solve([x**2 + y**2 - 1, x - y], [x, y])  # Bézout number 2
    assert sorted(s[x] for s in found) == [-sympy.sqrt(2) / 2, sympy.sqrt(2) / 2]


def test_the_number_of_checkpoints_in_one_step_is_bounded():
    watch = Watch(max_degree=24, max_ops=400, max_bezout=16, max_calls=1, max_digits=15)
    with pytest.raises(Declined, match="more than 1 root or Gröbner computations"), watched(watch):
        sympy.solve([x**2 + y**2 - 1, x - y**2], [x, y], dict=True)


def test_outside_a_step_sympy_is_unchanged():
    with watched(Watch(max_degree=1, max_ops=1, max_bezout=1, max_calls=0, max_digits=1)):
        pass  # installs the checkpoints
    assert len(sympy.roots(x**30 - 1, x)) == 30
    basis = sympy.groebner([x**5 - y, y**4 - x - 1], x, y, order="lex")
    assert sympy.degree(basis.exprs[-1], y) == 20  # the Bézout number, reached


def _ks_log_base() -> float:
    """The Kalai–Smorodinsky agreement of cases/log_base.toml, independently.

    W's payoff log10(x), d_W = -3, A's 1 - x, d_A = 0 on x in [0, 1]: the ideal point is
    (0, 0.999) (W's best at x = 1; A's best where W just gets d_W, x = 10**-3), and the
    solution is the agreement on the segment from d to it (Kalai & Smorodinsky 1975,
    Econometrica 43(3), 513-518): (log10(x) + 3)/3 = (1 - x)/0.999. Solved by
    mpmath.findroot at 30 digits, and checked against its closed form
    x = 333 W(1000 * 10**(1/333) * ln 10 / 333) / (1000 ln 10) (W: Lambert's function).
    """
    mpmath.mp.dps = 30
    root = mpmath.findroot(lambda t: (mpmath.log10(t) + 3) / 3 - (1 - t) / mpmath.mpf("0.999"), 0.2)
    ln10 = mpmath.log(10)
    closed = 333 * mpmath.lambertw(1000 * mpmath.root(10, 333) * ln10 / 333) / (1000 * ln10)
    assert abs(root - closed) < mpmath.mpf(10) ** -25
    return float(root)


def _ntie_share(method: str) -> float:
    """x / V of cases/ntie.toml's egalitarian or Kalai–Smorodinsky agreement.

    With s = x/V, P gets sV and Q gets q(s) V, q(s) = (1/4 - (s - 3/10)**2 (s - 7/10)**2)/s,
    decreasing on [1/10, 1]; d = 0. Egalitarian (Kalai 1977, Econometrica 45(7)): equal
    gains, s = q(s). Kalai–Smorodinsky: the ideal point is (V, q(1/10) V) and the gains
    are proportional to it, s = q(s) / q(1/10). Solved by mpmath.findroot at 30 digits.
    """
    mpmath.mp.dps = 30

    def q(s: mpmath.mpf) -> mpmath.mpf:
        return (mpmath.mpf(1) / 4 - (s - mpmath.mpf("0.3")) ** 2 * (s - mpmath.mpf("0.7")) ** 2) / s

    scale = q(mpmath.mpf("0.1")) if method == "kalai-smorodinsky" else 1
    return float(mpmath.findroot(lambda s: s - q(s) / scale, 0.5))


def _pole_edge(method: str) -> float:
    """x of cases/pole_edge.toml's Kalai–Smorodinsky or egalitarian agreement.

    W = x/(1 - x), d_W = 0; A = sqrt(1 - x), d_A = 1/10; x in [0, 1]. With s = sqrt(1 - x),
    W = (1 - s**2)/s**2. The ideal point is (99, 1): W's best where A just gets d_A
    (s = 1/10), A's best at x = 0. Kalai–Smorodinsky (Kalai & Smorodinsky 1975,
    Econometrica 43(3), 513-518): W/99 = (A - 1/10)/(9/10), i.e.
    99 s**3 - 9 s**2 - 9/10 = 0; egalitarian (Kalai 1977, Econometrica 45(7), 1623-1630):
    W = A - 1/10, i.e. s**3 + (9/10) s**2 - 1 = 0. Each cubic has one real root in (0, 1)
    (mpmath.polyroots at 30 digits), and x = 1 - s**2.
    """
    mpmath.mp.dps = 30
    cubic = [99, -9, 0, mpmath.mpf("-0.9")] if method == "kalai-smorodinsky" else [1, 0.9, 0, -1]
    (s,) = [r for r in mpmath.polyroots(cubic, maxsteps=100) if abs(mpmath.im(r)) < 1e-25]
    assert 0 < s < 1
    return float(1 - s**2)


CASES_TO_SOLVE = [
    ("log_base", "kalai-smorodinsky", None),
    *[("pole_edge", m, None) for m in ("kalai-smorodinsky", "egalitarian")],
    *[("ntie", m, v) for m in ("kalai-smorodinsky", "egalitarian") for v in (1e9, 1.0, 1e-9)],
]


@pytest.mark.parametrize(("name", "method", "V"), CASES_TO_SOLVE, ids=lambda p: str(p))
def test_the_answer_does_not_depend_on_the_safety_net(name, method, V):
    model = bargain.load_model(CASES / f"{name}.toml")
    if V is not None:
        model = model.with_values({"V": V})
    solve = bargain.SOLVERS[method]
    with_net = solve(model)
    try:
        with time_limit(HANG):  # CPU time: a hang fails the test instead of stalling it
            without = solve(model, timeout=0)  # the safety net off: the work bounds alone
    except _Timeout:
        pytest.fail(f"the solve ran {HANG:g} s of CPU time with the safety net off")
    assert without.route == with_net.route and without.exact == with_net.exact
    assert without.agreement == with_net.agreement
    assert "closed form declined: " in with_net.route and "safety limit" not in with_net.route
    if name == "log_base":
        reason = f"roots of a polynomial of degree 333 (at most {MAX_DEGREE})"
        assert with_net.route.endswith(reason)
        assert with_net.extra["ideal"] == pytest.approx({"W": 0.0, "A": 0.999}, abs=1e-12)
        assert with_net.agreement["x"] == pytest.approx(_ks_log_base(), rel=1e-10)
    elif name == "pole_edge":
        # Its linear solve's solutions are too large to hand to solve's sort, which
        # evaluates each (over 10 s of CPU time): dropped where they are made.
        reason = (
            f"a solution of more than {MAX_OPS} operations (over {NODES_PER_OP * MAX_OPS} nodes)"
        )
        assert with_net.route.endswith(reason)
        assert with_net.agreement["x"] == pytest.approx(_pole_edge(method), rel=1e-10)
    else:
        assert with_net.agreement["x"] == pytest.approx(_ntie_share(method) * V, rel=1e-9)


@pytest.mark.parametrize("method", ["kalai-smorodinsky", "egalitarian"])
def test_the_quartic_system_is_declined_inside_sympy_without_the_system_bound(method, monkeypatch):
    # Without the bound on a system's operations times unknowns (which declines it first),
    # sympy would eliminate down to a quartic and substitute its radicals back (30 s of
    # CPU time): the Bézout checkpoint declines it before the elimination starts.
    monkeypatch.setattr("bargain.concepts.budget.MAX_SYSTEM_OPS", 10**9)
    model = bargain.load_model(CASES / "ntie.toml")
    try:
        with time_limit(HANG):
            s = bargain.SOLVERS[method](model, timeout=0)
    except _Timeout:
        pytest.fail(f"the solve ran {HANG:g} s of CPU time with the safety net off")
    assert s.route.endswith(f"a polynomial system of Bézout number 24 (at most {MAX_BEZOUT})")
    assert s.agreement["x"] == pytest.approx(_ntie_share(method) * 1e9, rel=1e-9)


def test_an_expression_too_large_to_measure_is_declined_without_measuring_it():
    # Each step doubles the tree (a shared subtree counts once per occurrence): 2**40 nodes,
    # which sympy.count_ops would walk for days.
    e = x
    for _ in range(40):
        e = sympy.Mul(sympy.Add(e, 1, evaluate=False), sympy.Add(e, 2, evaluate=False))
    budget = Budget()
    try:
        with time_limit(HANG):
            assert budget.evaluate(e, {x: 1}) is None
    except _Timeout:
        pytest.fail("measuring the expression ran into the CPU-time limit")
    over = NODES_PER_OP * MAX_OPS
    assert budget.declined == f"expressions of more than {MAX_OPS} operations (over {over} nodes)"
    assert budget.steps == 0


def test_a_logarithm_is_not_combined_into_a_power_of_high_degree():
    # Nash (1950) on 0.333 x + log(x + 1/2000) against 1.05 (1 - x): sympy's solve combines
    # the stationarity condition 2000000 x log(x + 1/2000) + 1000 log(x + 1/2000) + ... into
    # log((x + 1/2000)**1000 ...) and factors it, a polynomial of degree 1000 (10 s of CPU
    # time, the safety net's limit). Declined before combining, by the largest coefficient.
    # The numeric route's answer is the root of the first-order condition
    # u'(x) v(x) + u(x) v'(x) = 0 (Osborne & Rubinstein 1990, §2.3), by mpmath at 30 digits.
    model = two_party("0.333*x + log(0.0005 + x)", "1.05*(1 - x)")
    try:
        with time_limit(HANG):
            s = bargain.nash(model, timeout=0)
    except _Timeout:
        pytest.fail(f"the solve ran {HANG:g} s of CPU time with the safety net off")
    reason = f"a logarithm to combine into a power of degree 2000000 (at most {MAX_DEGREE})"
    assert s.route.endswith(reason)
    mpmath.mp.dps = 30
    k, d, c = mpmath.mpf("0.333"), mpmath.mpf("0.0005"), mpmath.mpf("1.05")

    def condition(t: mpmath.mpf) -> mpmath.mpf:
        return (k + 1 / (d + t)) * c * (1 - t) - (k * t + mpmath.log(d + t)) * c

    assert s.agreement["x"] == pytest.approx(float(mpmath.findroot(condition, 0.9)), rel=1e-12)


@pytest.mark.parametrize("method", ["kalai-smorodinsky", "egalitarian"])
def test_an_equation_freed_of_a_radical_is_held_to_the_limits_of_a_step(method):
    # 0.95 x + log(x + 9/10) against (1 - x)**(9/10): freeing the radical raises the
    # logarithm to the 10th power with coefficients of 16 digits, which solve worked on
    # until the 10 s safety net (Kalai-Smorodinsky); declined where it is made. The
    # numeric answers against mpmath at 30 digits: Kalai & Smorodinsky (1975, Econometrica
    # 43(3)) u_W / I_W = u_A / I_A with the ideal payoffs I_W = 0.95 + log(1.9) (x = 1) and
    # I_A = (1 - x0)**0.9 (A's best where W gets 0: 0.95 x0 + log(x0 + 0.9) = 0);
    # the egalitarian solution (Kalai 1977, Econometrica 45(7)) u_W = u_A.
    model = two_party("0.95*x + log(0.9 + x)", "(1 - x)**0.9")
    try:
        with time_limit(HANG):
            s = bargain.SOLVERS[method](model, timeout=0)
    except _Timeout:
        pytest.fail(f"the solve ran {HANG:g} s of CPU time with the safety net off")
    mpmath.mp.dps = 30
    k, d, p = mpmath.mpf("0.95"), mpmath.mpf("0.9"), mpmath.mpf("0.9")

    def w(t: mpmath.mpf) -> mpmath.mpf:
        return k * t + mpmath.log(d + t)

    def a(t: mpmath.mpf) -> mpmath.mpf:
        return (1 - t) ** p

    if method == "kalai-smorodinsky":
        x0 = mpmath.findroot(w, 0.1)
        ideal_w, ideal_a = w(mpmath.mpf(1)), a(x0)
        root = mpmath.findroot(lambda t: w(t) / ideal_w - a(t) / ideal_a, 0.5)
    else:
        root = mpmath.findroot(lambda t: w(t) - a(t), 0.5)
    assert s.agreement["x"] == pytest.approx(float(root), rel=1e-10)
    assert s.exact is False
