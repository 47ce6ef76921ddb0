"""What the solvers keep across models: each kept answer is the one computed again."""

from __future__ import annotations

import sympy
from hypothesis import given
from hypothesis import strategies as st

import bargain
from bargain.axiomatic.problem import shared_problem
from bargain.model.expr import EXP_ARGUMENT, _small_power, exponent_beyond
from bargain.model.model import symbol

x = sympy.Symbol("x", real=True)


@given(
    st.floats(min_value=1e-300, max_value=1e300) | st.floats(min_value=-1e300, max_value=-1e-300),
    st.integers(min_value=-6000, max_value=6000) | st.floats(min_value=-100, max_value=100),
)
def test_a_power_decided_in_floats_is_bounded_in_15_digits(base, exponent):
    # exponent_beyond decides x**k in floats only well below its threshold: there the
    # 15-digit size it computes otherwise, |k log|b||, is below the threshold too.
    node = x ** sympy.sympify(exponent)
    if not node.is_Pow:
        return  # x**0, x**1: no power left
    at = {x: sympy.Float(base, 30)}
    if _small_power(node, at):
        size = sympy.N(node.exp, 15) * sympy.log(abs(sympy.N(base, 15)))
        assert abs(size) <= EXP_ARGUMENT / 16 * (1 + 1e-12)
        assert exponent_beyond(node, at) is False


def test_a_power_beyond_floats_is_still_found():
    at = {x: sympy.Float(10, 30)}
    assert exponent_beyond(x**100000, at) is True  # 100000 log 10 > 1e5
    assert _small_power(x**100000, at) is False
    assert exponent_beyond(x**2, at) is False


def test_substituted_values_are_shared_by_models_at_the_same_values():
    m = bargain.load_model(bargain.models_dir() / "wga2007.toml")
    payoff = m.parties[0].payoff
    moved = m.with_values(pi_W=0.5)  # not in the writers' payoff
    assert moved.numeric(payoff) is m.numeric(payoff)
    assert moved.numeric(payoff) == payoff.xreplace(moved.substitutions)
    other = m.with_values(a_W=0.07)  # in it
    assert other.numeric(payoff) == payoff.xreplace(other.substitutions)
    assert other.numeric(payoff) != m.numeric(payoff)
    assert symbol("a_W") is symbol("a_W") and symbol("a_W") == sympy.Symbol("a_W", real=True)


def test_equal_models_share_one_bargaining_problem():
    m = bargain.load_model(bargain.models_dir() / "split.toml")
    same = m.with_values(V=m.values["V"])
    assert shared_problem(same) is shared_problem(m)
    assert shared_problem(m.with_values(V=2)) is not shared_problem(m)
    starts = shared_problem(m).interior_start(10.0)
    again = shared_problem(m).interior_start(10.0)
    assert [a.tolist() for a in starts] == [b.tolist() for b in again]
    assert all(a is not b for a, b in zip(starts, again, strict=True))  # copies


def test_a_nash_solve_at_a_parameter_its_program_lacks_is_the_same_solve():
    from bargain.axiomatic.program import _numeric_result

    m = bargain.load_model(bargain.models_dir() / "wga2007.toml")
    first = bargain.nash(m, exact=False)
    hits = _numeric_result.cache_info().hits
    moved = bargain.nash(m.with_values(pi_W=0.5), exact=False)  # a hard-liner probability
    assert _numeric_result.cache_info().hits > hits
    assert moved.agreement == first.agreement and moved.payoffs == first.payoffs
