"""The exact route's work budget: deterministic refusals, one budget per solve."""

from __future__ import annotations

import math
import time

import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.concepts.budget import (
    MAX_BEZOUT,
    MAX_DEGREE,
    MAX_DIGITS,
    Budget,
    _Timeout,
    bounded,
    degree,
    digits,
    exact_budget,
    plain,
    time_limit,
)

x, y = sympy.symbols("x y", real=True)


def test_measures():
    assert digits([x + sympy.Rational(1, 10**20)]) == 21
    assert digits([x + 1]) == 1
    assert degree([sympy.exp(sympy.Rational(501, 10000)) + sympy.exp(sympy.Rational(1, 20))]) == 501
    assert degree([x**7 + y]) == 7
    assert degree([sympy.sqrt(x) + x**2]) == 4  # a polynomial in x**(1/2)
    assert degree([sympy.exp(-x) + sympy.exp(x / 3)]) == 3


@pytest.mark.parametrize(
    ("equation", "reason"),
    [
        (x - sympy.Rational(10**MAX_DIGITS + 1, 3), f"(at most {MAX_DIGITS})"),
        (sympy.exp(x / 100) + sympy.exp(x / 3) - 2, f"degree 100 (at most {MAX_DEGREE})"),
        (sum(sympy.sin(k * x) for k in range(1, 200)), "operations"),
    ],
)
def test_a_step_beyond_the_budget_is_declined_before_any_work(equation, reason):
    budget = Budget()
    assert budget.solve([equation], [x]) == []
    assert reason in budget.declined and budget.steps == 0


def test_the_step_count_is_a_budget_too():
    budget = Budget(max_steps=2)
    assert budget.solve([x - 1], [x]) == [{x: 1}]
    assert budget.solve([x - 2], [x]) == [{x: 2}]
    assert budget.solve([x - 3], [x]) == []
    assert budget.declined == "more than 2 exact steps"


def test_a_step_is_kept_with_why_it_was_declined(monkeypatch):
    """The same step under the same work bounds gives the kept result without sympy: roots
    found (in the floats written, not in the symbols standing for them inside the step),
    and a step a checkpoint declined inside sympy, with its reason (a Bézout number of 20,
    Cox, Little & O'Shea, *Ideals, Varieties, and Algorithms*, §8.7); other bounds run
    it again."""
    a = sympy.Float("2.5e-3", 30)
    roots = Budget().solve([a * x**2 - 1], [x])
    assert sorted(float(s[x]) for s in roots) == [-20.0, 20.0]
    system = [x**5 - y, y**4 - x - 1]
    declined = Budget()
    assert declined.solve(system, [x, y]) == []
    reason = declined.declined
    assert reason == f"a polynomial system of Bézout number 20 (at most {MAX_BEZOUT})"
    calls = []
    monkeypatch.setattr(sympy, "solve", lambda *a, **k: calls.append(a) or [])
    again = Budget()
    assert again.solve([a * x**2 - 1], [x]) == roots
    assert again.solve([a * x**2 - 1], [x])[0] is not roots[0]  # each caller its own dicts
    repeat = Budget()
    assert repeat.solve(system, [x, y]) == [] and repeat.declined == reason
    assert calls == []
    assert Budget(max_ops=399).solve(system, [x, y]) == [] and len(calls) == 1


def test_a_declined_tidy_leaves_the_expression_exact():
    e = (sympy.exp(sympy.Rational(501, 10000)) - 1) / (sympy.exp(sympy.Rational(1, 20)) - 1)
    budget = Budget()
    assert budget.tidy(e) is e and budget.declined is None  # tidying is optional
    assert budget.tidy((x**2 - 1) / (x - 1)) == x + 1


def test_one_budget_per_solve():
    with exact_budget(5.0) as outer, exact_budget(99.0) as inner:
        assert inner is outer and outer.seconds == 5.0
    with exact_budget(7.0) as fresh:
        assert fresh is not outer and fresh.seconds == 7.0


def test_bounded_solvers_share_it_across_their_programs():
    seen = []

    @bounded
    def solver(*, timeout: float = 4.0) -> None:
        for _ in range(3):
            with exact_budget() as budget:
                seen.append(budget)

    solver()
    assert len({id(b) for b in seen}) == 1 and seen[0].seconds == 4.0


def test_the_safety_net_interrupts():
    with pytest.raises(_Timeout), time_limit(0.2):
        while True:
            pass


_WAITING = """
import math
import time
from bargain.concepts.budget import Budget, time_limit
with time_limit(0.05):
    time.sleep(0.3)
budget = Budget(seconds=0.05)
time.sleep(0.1)
assert budget.attempt(lambda: 1) == 1
"""


def test_the_safety_net_counts_cpu_time_not_waiting():
    # Waiting (as on a machine busy with other work) uses no CPU time of this process, so
    # the net does not run out: a busy machine cannot change whether a closed form is found.
    # In a process of its own: the net counts the whole process's CPU time, and a test
    # worker may hold threads of earlier tests (a Dask cluster's) that use CPU meanwhile.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _WAITING], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_numeric_work_does_not_use_up_the_safety_net():
    # The net counts the exact steps' CPU time only: a solve whose numeric search takes
    # longer than the net (x**50 against 0.5 (1 - x)**50: 11 s of trust-constr and
    # COBYQA) still has the whole net for its closed form, so whether it is found does not
    # depend on how fast the machine ran the search.
    x = sympy.Symbol("x")

    @bounded
    def solver(*, timeout: float = 0.05) -> tuple[list, str | None, float]:
        with exact_budget() as budget:
            start = time.process_time()
            while time.process_time() - start < 0.1:  # numeric work, twice the net
                pass
            return budget.solve([x**2 - 2], [x]), budget.declined, budget.spent

    found, declined, spent = solver()
    assert found == [{x: -sympy.sqrt(2)}, {x: sympy.sqrt(2)}] and declined is None
    assert 0 <= spent < 0.05


def test_a_solver_reports_why_it_declined():
    m = bargain.model_from_dict(
        {
            "model": {"name": "t"},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "A": {"payoff": "x", "disagreement": "0.021072103131565264"},
                "B": {"payoff": "1 - x"},
            },
        }
    )
    s = bargain.nash(m)
    assert not s.exact
    assert s.agreement["x"] == pytest.approx((1 + 0.021072103131565264) / 2, abs=1e-12)
    assert "closed form declined: a number of 17 digits" in s.route


def test_transcendental_systems_are_bounded_by_their_unknowns_and_size():
    a = sympy.Symbol("a", positive=True)
    budget = Budget()
    two = [sympy.exp(-a * x) - y, sympy.exp(-a * y) - x / 2]
    assert budget.solve(two, [x, y]) == []
    assert budget.declined == "2 unknowns inside transcendental functions (at most 1)"
    big = [sum(sympy.exp(-k * a * x) / k for k in range(1, 12)) - y, y - 1]
    assert Budget().admits(big, unknowns=[x, y]) is False
    one = [(1 - sympy.exp(-a * x)) / a - y, y - sympy.Rational(1, 10)]
    (found,) = Budget().solve(one, [x, y])
    for value in (1, 2, 7):  # x = -log(1 - a/10) / a
        exact = found[x].subs(a, value) + sympy.log(1 - sympy.Rational(value, 10)) / value
        assert float(exact) == pytest.approx(0, abs=1e-15)


def test_a_large_system_is_declined_by_its_operations_times_unknowns():
    a, b, c, t = sympy.symbols("a b c t", real=True)
    small = [x + y - a, x - y - b]
    assert Budget().solve(small, [x, y]) == [{x: (a + b) / 2, y: (a - b) / 2}]
    big = [(a * x + b * y + c * t) ** 2 - k for k in range(1, 40)]
    budget = Budget()
    assert budget.solve(big, [x, y, t]) == []
    assert budget.declined.startswith("a system of 3 unknowns and")


@given(
    st.fractions(max_denominator=1000).filter(bool),
    st.sampled_from([{}, {"real": True}, {"positive": True}, {"negative": True}]),
    st.sampled_from(["monomial", "exp", "linear"]),
)
def test_plain_expressions_are_what_simplify_returns(c, assumptions, shape):
    # tidy (and the alternating-offers game's discount) skip simplify on a plain
    # expression: that must be exactly what simplify returns, so skipping it changes no
    # formula and no compiled code.
    r, s = sympy.symbols("r s", **assumptions)
    c = sympy.Rational(c.numerator, c.denominator)
    expr = {"monomial": c * r, "exp": sympy.exp(-c * r), "linear": c * r - s / 3 + 1}[shape]
    assert plain(expr)
    assert sympy.simplify(expr) == expr
    assert Budget().tidy(expr) is expr


def test_a_complex_root_of_a_high_degree_is_not_evaluated():
    # Choosing among a system's solutions, the exact route evaluated each candidate in 30
    # digits, among them complex roots of a degree-14 polynomial (a 3-party utilitarian
    # with sqrt, log and a 0.3 power): isolating one took 9 s, and the safety net, not a
    # work bound, decided the route. No contract is complex: such a root is no candidate.
    x = sympy.Symbol("x")
    p = x**6 - 3 * x + 1
    n_real = len(sympy.real_roots(p))
    budget = Budget()
    assert budget.evaluate(sympy.CRootOf(p, n_real), {}) is None  # the first complex root
    real = budget.evaluate(sympy.CRootOf(p, 0), {})
    assert real is not None and abs(real.real**6 - 3 * real.real + 1) < 1e-12
    assert budget.evaluate(sympy.CRootOf(x**4 + 1, 0), {}) == pytest.approx(
        complex(-(2**-0.5), -(2**-0.5))
    )


def test_a_rational_to_a_huge_power_is_not_evaluated():
    # (19/10)**S at S = 1e9 is a rational of a billion digits, which sympy computes whole on
    # substitution: the exact route's check of a candidate declines it (None), at once.
    from bargain.concepts.budget import Budget

    s = sympy.Symbol("S", positive=True)
    big = sympy.log(sympy.Rational(19, 10) ** s)
    assert Budget().evaluate(big, {s: sympy.Integer(10**9)}) is None
    assert Budget().evaluate(big, {s: sympy.Integer(10)}) == pytest.approx(10 * math.log(1.9))
