"""The optimisation core: numeric search, Newton polish, exact KKT route, time limit."""

from __future__ import annotations

import contextlib
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st

from bargain.axiomatic.program import Program, solve_program

x, y = sympy.symbols("x y", real=True)
a = sympy.Symbol("a", real=True)


def test_interior_maximum_exact_in_parameter():
    # max log(x) + a log(1 - x): x = 1 / (1 + a).
    p = Program(sympy.log(x) + a * sympy.log(1 - x), (x,), (sympy.Integer(0),), (sympy.Integer(1),))
    r = solve_program(p, {a: sympy.Rational(1, 2)}, starts=[[0.5]])
    assert sympy.simplify(r.exact[x] - 1 / (1 + a)) == 0
    assert r.point[x] == pytest.approx(2 / 3, abs=1e-15)
    assert r.polished


def test_a_bound_whose_multiplier_has_the_wrong_sign_is_no_maximum():
    # Nocedal & Wright, Numerical Optimization (2006), Theorem 12.1: at a maximum of f with
    # g >= 0, grad f + mu grad g = 0 with mu >= 0 for every binding g, a bound included.
    # max t s.t. e^(600 x) - t e^600 >= 0 and 1 - x - t >= 0 on x in [0, 1], from (0, 0):
    # at x = 0, t = e^-600 with W's constraint binding, stationarity in t gives it
    # mu = e^-600 > 0, but the Lagrangian's slope in x is 600 e^-600 > 0 at the lower bound,
    # whose multiplier is then negative (raising x raises t). The polish took that point for
    # the maximum (polished, x = 0). The maximum is x = 1 - W(600)/600 (Lambert's W, both
    # constraints binding); a point reported polished must be it.
    t = sympy.Symbol("t", real=True)
    p = Program(
        t,
        (x, t),
        (sympy.Integer(0), -sympy.oo),
        (sympy.Integer(1), sympy.oo),
        inequalities=(sympy.exp(600 * x) - t * sympy.exp(600), 1 - x - t),
        inequality_names=("W gain", "A gain"),
    )
    best = 1 - float(mpmath.lambertw(600).real) / 600
    root = mpmath.findroot(
        lambda z: mpmath.exp(600 * (z - 1)) - (1 - z), (0.9, 0.99999), solver="anderson"
    )
    assert best == pytest.approx(float(root), rel=1e-15)
    r = solve_program(p, {}, starts=[[0.0, 0.0]], exact=False)
    assert not r.polished or r.point[x] == pytest.approx(best, rel=1e-14)
    # From a start near it, the maximum itself, polished.
    r = solve_program(p, {}, starts=[[0.99, 0.005]], exact=False)
    assert r.polished and r.point[x] == pytest.approx(best, rel=1e-14)
    assert set(r.active) == {"W gain", "A gain"}


def test_bound_active_and_constraint_names():
    # max x + y subject to x + 2 y <= 2 on [0, 1]^2: x = 1 (bound), y = 1/2 (constraint).
    p = Program(
        x + y,
        (x, y),
        (sympy.Integer(0),) * 2,
        (sympy.Integer(1),) * 2,
        inequalities=(2 - x - 2 * y,),
        inequality_names=("budget",),
    )
    r = solve_program(p, {}, starts=[[0.2, 0.2]])
    assert r.point == {x: 1.0, y: 0.5}
    assert set(r.active) == {"x = max", "budget"}
    assert r.exact == {x: 1, y: sympy.Rational(1, 2)}


def test_equality_constraint():
    p = Program(
        -(x**2) - y**2,
        (x, y),
        (sympy.Integer(-5),) * 2,
        (sympy.Integer(5),) * 2,
        equalities=(x + y - 1,),
        equality_names=("sum",),
    )
    r = solve_program(p, {}, starts=[[0.0, 0.0]])
    assert r.exact == {x: sympy.Rational(1, 2), y: sympy.Rational(1, 2)}


def test_degenerate_point_uses_probe():
    # max x s.t. x <= 1 (bound) and x <= 1 - a (constraint). At a = 0 both bind; the formula
    # is min(1, 1 - a), which is 1 - a for a > 0: the probe (a = 1/1000) picks that branch.
    p = Program(
        x,
        (x,),
        (sympy.Integer(0),),
        (sympy.Integer(1),),
        inequalities=(1 - a - x,),
        inequality_names=("cap",),
    )
    r = solve_program(p, {a: 0}, starts=[[0.5]], probe={a: sympy.Rational(1, 1000)})
    assert r.exact == {x: 1 - a}
    no_probe = solve_program(p, {a: 0}, starts=[[0.5]])
    assert no_probe.exact is None
    assert no_probe.point[x] == 1.0


def test_steep_constraint_needs_fallback_and_refinement():
    # max x s.t. (1 - x)**(1/4) >= 1/4: x = 1 - 4**-4 = 0.99609375. SLSQP alone jumps to the
    # bound x = 1, where the constraint's slope is infinite; the fallbacks recover.
    p = Program(
        x,
        (x,),
        (sympy.Integer(0),),
        (sympy.Integer(1),),
        inequalities=((1 - x) ** sympy.Rational(1, 4) - sympy.Rational(1, 4),),
        inequality_names=("floor",),
    )
    r = solve_program(p, {}, starts=[[0.5]], exact=False)
    assert r.point[x] == pytest.approx(1 - 4**-4, abs=1e-14)
    assert r.polished


def test_empty_feasible_set():
    from bargain import FeasibilityError

    p = Program(
        x,
        (x,),
        (sympy.Integer(0),),
        (sympy.Integer(1),),
        inequalities=(x - 2,),
        inequality_names=("impossible",),
    )
    with pytest.raises(FeasibilityError, match="feasible set is empty"):
        solve_program(p, {}, starts=[[0.5]])


def test_empty_feasible_set_refused_before_the_slow_searches(monkeypatch):
    # A phase one (least violation) tells an empty set before trust-constr and COBYQA would
    # search from every start.
    from bargain import FeasibilityError
    from bargain.axiomatic import program

    methods = []
    original = program.minimize

    def minimize(*args, **kwargs):
        methods.append(kwargs.get("method"))
        return original(*args, **kwargs)

    monkeypatch.setattr(program, "minimize", minimize)
    p = Program(
        x + y,
        (x, y),
        (sympy.Integer(0),) * 2,
        (sympy.Integer(1),) * 2,
        inequalities=(sympy.Rational(1, 5) - x, x - sympy.Rational(4, 5)),
        inequality_names=("low", "high"),
    )
    with pytest.raises(FeasibilityError, match="feasible set is empty"):
        solve_program(p, {}, starts=[[0.5, 0.5], [0.1, 0.9], [0.9, 0.1]])
    assert "trust-constr" not in methods and "COBYQA" not in methods
    assert methods.count("SLSQP") == 1


def test_compiled_program_kept_per_parameter_values():
    # The numeric program is kept per values; its code is compiled once per program's
    # structure, the values passed at each call, and each set of values gets its own answer.
    from bargain.axiomatic.program import Scale, _kkt_system, _numeric

    p = Program(sympy.log(x) + a * sympy.log(1 - x), (x,), (sympy.Integer(0),), (sympy.Integer(1),))
    half, one = {a: sympy.Rational(1, 2)}, {a: sympy.Integer(1)}
    scale = Scale.of(p, half, [[0.5]])
    assert _numeric(p, half, scale) is _numeric(p, dict(half), scale)
    assert _numeric(p, half, scale) is not _numeric(p, one, scale)
    assert _numeric(p, half, scale).compiled is _numeric(p, one, scale).compiled
    systems = _kkt_system.cache_info().currsize
    first = solve_program(p, half, starts=[[0.5]], exact=False)
    second = solve_program(p, one, starts=[[0.5]], exact=False)
    third = solve_program(p, {a: sympy.Rational(1, 3)}, starts=[[0.5]], exact=False)
    # x = 1 / (1 + a), polished to machine precision at each value.
    assert (first.point[x], second.point[x], third.point[x]) == (
        pytest.approx(2 / 3, abs=1e-15),
        pytest.approx(0.5, abs=1e-15),
        pytest.approx(3 / 4, abs=1e-15),
    )
    assert first.polished and second.polished and third.polished
    assert _kkt_system.cache_info().currsize <= systems + 1  # one KKT system for all three


def test_compiled_program_keyed_by_structure():
    # Another structure (the same values) is another program; a program the numpy code
    # cannot take with its parameters as arguments (a kink) is compiled at its values.
    from bargain.axiomatic.program import Scale, _numeric

    box = ((sympy.Integer(0),), (sympy.Integer(1),))
    p = Program(sympy.log(x) + a * sympy.log(1 - x), (x,), *box)
    q = Program(a * sympy.log(x) + sympy.log(1 - x), (x,), *box)
    kinked = Program(sympy.Min(a * x, 1 - x), (x,), *box)
    half, one = {a: sympy.Rational(1, 2)}, {a: sympy.Integer(1)}
    scale = Scale.of(p, half, [[0.5]])
    assert _numeric(p, half, scale).compiled is not _numeric(q, half, scale).compiled
    assert _numeric(kinked, half, scale).compiled is not _numeric(kinked, one, scale).compiled
    assert _numeric(kinked, one, scale).compiled.params == ()
    # x = a / (1 + a) for q; min(a x, 1 - x) peaks where a x = 1 - x, at 1 / (1 + a).
    for values, target in ((half, 1 / 3), (one, 0.5)):
        r = solve_program(q, values, starts=[[0.5]], exact=False)
        assert r.point[x] == pytest.approx(target, abs=1e-12)
    for values, target in ((half, 2 / 3), (one, 0.5)):
        r = solve_program(kinked, values, starts=[[0.3]], exact=False)
        assert r.point[x] == pytest.approx(target, abs=1e-12)


@given(
    c=st.fractions(min_value=-5, max_value=5).filter(lambda f: f != 0),
    d=st.fractions(min_value=-5, max_value=5),
)
def test_summands_are_the_terms_at_rational_values(c, d):
    # The terms whose sizes set the units and tolerances are those of the expression at the
    # values, as sympy writes it there, though the code is compiled with symbols.
    from bargain.axiomatic.program import _summands

    b = sympy.Symbol("b", real=True)
    expr = (1 - sympy.exp(-a * x)) / a + b * x + a * x - b + a * (x - y) * (1 + b)
    at = {
        a: sympy.Rational(c.numerator, c.denominator),
        b: sympy.Rational(d.numerator, d.denominator),
    }
    ours = sorted(
        abs(complex(t.xreplace(at).subs({x: 0.3, y: 0.7}))) for t in _summands(expr, (x, y))
    )
    theirs = sorted(
        abs(complex(t.subs({x: 0.3, y: 0.7}))) for t in sympy.Add.make_args(expr.xreplace(at))
    )
    assert [t for t in ours if t] == pytest.approx([t for t in theirs if t], rel=1e-12)


def per_level(call):
    """``call()`` solved as if each program were compiled at its own numbers (no
    ``_canonical``): the route before numbers were made symbols; every cache of compiled code
    and results is emptied before and after, so nothing computed one way is reused the
    other."""
    from unittest import mock

    from bargain.axiomatic import program as module

    caches = [
        module._compile,
        module._canonical,
        module._numeric_at,
        module._cached_units,
        module._numeric_result,
        module._constants_at,
        module._kkt_system,
    ]

    def clear() -> None:
        for cache in caches:
            cache.cache_clear()
        module._EXACT.clear()

    clear()
    try:
        with mock.patch.object(module, "_canonical", lambda program: (program, ())):
            return call()
    finally:
        clear()


def test_trust_levels_share_one_compiled_program():
    # A credibility report's stage writes its trust level into the payoffs as a number
    # (bargain.reputation.credibility.adjusted_model): two levels, one compiled program.
    from bargain.axiomatic.program import _compiled

    def at(k):
        return Program(
            sympy.log(x) + k * sympy.log(1 - x) + a * x,
            (x,),
            (sympy.Integer(0),),
            (sympy.Integer(1),),
        )

    half, third = sympy.Rational(1, 2), sympy.Rational(1, 3)
    assert _compiled(at(half), {a: half})[0] is _compiled(at(third), {a: half})[0]
    assert solve_program(at(half), {a: 0}, starts=[[0.5]]).point[x] == pytest.approx(
        2 / 3, abs=1e-15
    )
    assert solve_program(at(third), {a: 0}, starts=[[0.5]]).point[x] == pytest.approx(
        3 / 4, abs=1e-15
    )


def _stage(name: str, trust: Fraction) -> object:
    """The shipped model ``name`` at a credibility stage's trust level (its first promise,
    the package in the agreement)."""
    import bargain
    from bargain.reputation.credibility import adjusted_model

    m = bargain.load_model(bargain.models_dir() / f"{name}.toml")
    return adjusted_model(
        m,
        m.promises[0],
        sympy.Rational(trust),
        error=sympy.Rational(1, 20),
        opportunist_keeps=sympy.Integer(0),
        package=True,
        breakdown_per_distrust=sympy.Rational(1, 20),
    )


def _same_polished_answers(stage: object, method: str) -> None:
    import bargain

    solver = bargain.SOLVERS[method]
    shared = solver(stage, exact=False)
    alone = per_level(lambda: solver(stage, exact=False))
    assert shared.agreement == pytest.approx(alone.agreement, rel=1e-13, abs=1e-13)
    assert shared.payoffs == pytest.approx(alone.payoffs, rel=1e-13, abs=1e-13)


@given(trust=st.fractions(0, 1, max_denominator=97))
def test_shared_and_per_level_programs_give_the_same_polished_answers(trust):
    # A stage's Nash solution through the one program shared by every trust level and
    # through a program compiled at that level's numbers: the polished answers agree
    # (Newton in 30 digits from either code's SLSQP point).
    _same_polished_answers(_stage("package_deal", trust), "nash")


@pytest.mark.parametrize("trust", [Fraction(4, 5), Fraction(0), Fraction(37, 97)])
def test_shared_and_per_level_programs_on_the_flagship(trust):
    # The same on the flagship (three terms, the DVD rate at its bound), at the prior trust,
    # after the broken promise, and between, under the Nash and egalitarian solutions.
    for method in ("nash", "egalitarian"):
        _same_polished_answers(_stage("wga2007", trust), method)


@contextlib.contextmanager
def _within(budget):
    """Run the block inside ``budget``, as a solver's entry point opens its own."""
    from bargain.concepts import budget as module

    token = module._CURRENT.set(budget)
    try:
        yield budget
    finally:
        module._CURRENT.reset(token)


def test_exact_route_kept_with_its_budget(monkeypatch):
    # Solved exactly again from the same budget state, a program's result is the kept one,
    # and the budget is left as computing it left it (steps taken, what was declined).
    from bargain.axiomatic import program as module
    from bargain.concepts.budget import Budget

    p = Program(sympy.log(x) + a * sympy.log(1 - x), (x,), (sympy.Integer(0),), (sympy.Integer(1),))
    subs = {a: sympy.Rational(2, 7)}
    module._EXACT.clear()
    runs = []
    compute = module._solve
    monkeypatch.setattr(module, "_solve", lambda *args: runs.append(1) or compute(*args))

    def solve(steps=0):
        budget = Budget(seconds=0)
        budget.steps = steps
        with _within(budget):
            found = solve_program(p, subs, starts=[[0.5]])
        return found, (budget.steps, budget.declined)

    (first, after_first), (again, after_again) = solve(), solve()
    assert len(runs) == 1
    assert after_first == after_again and after_first[0] > 0
    assert again.exact == first.exact and again.exact[x] == 1 / (1 + a)
    assert again.point == first.point and again.point is not first.point
    # Another budget state (steps already taken) is computed, not taken from the kept one.
    solve(steps=5)
    assert len(runs) == 2


def _interior_root() -> float:
    """The interior maximiser of sqrt(a) + (1 - a)**2 on [0, 1], 1/(2 sqrt(a)) = 2 (1 - a),
    by scipy's brentq (bracketed: the slope is +inf at 0 and -0.63 at 0.2)."""
    from scipy.optimize import brentq

    return brentq(lambda t: 1 / (2 * math.sqrt(t)) - 2 * (1 - t), 0.01, 0.2, xtol=1e-15)


def _red() -> Program:
    """sqrt(a) + log(1 + b) + (1 - a)**2 + 2 (1 - b) on [0, 1]**2: 3 at (0, 0) and (1, 0),
    its maximum 3.1295 at (a*, 0), a* = 0.0726812 (b's terms fall: 1/(1 + b) - 2 < 0)."""
    return Program(
        sympy.sqrt(x) + sympy.log(1 + y) + (1 - x) ** 2 + 2 * (1 - y),
        (x, y),
        (sympy.Integer(0),) * 2,
        (sympy.Integer(1),) * 2,
    )


def test_a_start_at_a_bound_of_infinite_slope_is_moved_inside():
    # sqrt(a) + (1 - a)**2 from a = 0 alone: the slope there is +inf, which SLSQP sees as no
    # gradient and stopped (a = 0, value 1). A bound where the objective rises infinitely
    # fast into the box is no maximum (Nocedal & Wright 2006, Thm 12.1): from just inside,
    # SLSQP climbs to the interior maximum a* (first order: 1/(2 sqrt a) = 2 (1 - a)).
    p = Program(sympy.sqrt(x) + (1 - x) ** 2, (x,), (sympy.Integer(0),), (sympy.Integer(1),))
    r = solve_program(p, {}, starts=[[0.0]], exact=False)
    assert r.point[x] == pytest.approx(_interior_root(), abs=1e-12)
    assert r.polished


def test_a_start_whose_segment_to_a_maximum_rises_is_still_searched():
    # From (0.5, 0.5) the sum rises all the way along the segment to (1, 0), a local maximum
    # found from (1, 0) first (b's fall outweighs a's dip), and that start was skipped as
    # "in its basin"; SLSQP from it climbs to the global maximum (a*, 0) instead. A rising
    # segment does not make a basin: every start is searched.
    r = solve_program(_red(), {}, starts=[[1.0, 0.0], [0.5, 0.5]], exact=False)
    assert r.point[x] == pytest.approx(_interior_root(), abs=1e-12)
    assert r.point[y] == 0
    assert r.ties == ()


def test_a_stuck_end_as_good_as_the_maximum_is_no_tie():
    # (0, 0) and (1, 0) of _red() are both 3 and (0.5, 0) between them is worse (2.957), so
    # (0, 0) passed for a separate maximum tied with (1, 0) ("not unique"); it is no local
    # maximum at all (the infinite slope into the box at a = 0), and (1, 0) is one (the
    # slopes 1/(2 sqrt a) - 2 (1 - a) = 1/2 at a = 1 and 1/(1 + b) - 2 = -1 at b = 0 point
    # out of the box). The neighbourhood search tells them apart.
    from bargain.axiomatic.program import _no_better_near, _numeric, _units

    p = _red()
    starts = [[1.0, 0.0]]
    num = _numeric(p, {}, _units(p, {}, starts))
    units = np.array(num.scale.unknowns)

    def value(point: list[float]) -> float:
        return num.f(np.array(point) / units)

    top = value([1.0, 0.0])
    assert top == value([0.0, 0.0]) == pytest.approx(3.0 / num.scale.objective)
    assert value([0.5, 0.0]) < top
    assert not _no_better_near(num, np.array([0.0, 0.0]) / units, top)
    assert _no_better_near(num, np.array([1.0, 0.0]) / units, top)
    best = value([_interior_root(), 0.0])
    assert _no_better_near(num, np.array([_interior_root(), 0.0]) / units, best)


@pytest.mark.parametrize("big", [1e15, 1e16, 1e20])
def test_a_closed_form_meets_the_constraints_at_its_own_value(big):
    # max t s.t. x - t >= 0 and L (1 - x) - t >= 0 on x in [0, 1] (the common gain of x
    # against L (1 - x); Kalai 1977): t = x = L / (L + 1). The search ends at the float point
    # x = t = 1, which misses L (1 - x) - t >= 0 by 1, a rounding of its terms (L); the KKT
    # system of that point's active set (x at its bound, t = x) has the closed form x = t = 1,
    # which misses the constraint by exactly 1 and was returned as the exact answer. A closed
    # form must meet every constraint at its own value.
    t, big_l = sympy.Symbol("t", real=True), sympy.Symbol("L", positive=True)
    p = Program(
        t,
        (x, t),
        (sympy.Integer(0), -sympy.oo),
        (sympy.Integer(1), sympy.oo),
        inequalities=(x - t, big_l * (1 - x) - t),
        inequality_names=("A gain", "B gain"),
    )
    value = sympy.Rational(big)
    r = solve_program(p, {big_l: value}, starts=[[0.5, 0.0]])
    if r.exact is not None:
        at = {**r.exact, big_l: value}
        assert all(g.xreplace(at) >= 0 for g in p.inequalities)
        assert r.exact[x].xreplace({big_l: value}) == value / (value + 1)


def test_a_maximum_a_hair_inside_a_bound_where_both_gains_are_tiny():
    # max log(x - d) + log(1 - x) on [0, 1], d = 1 - 2e-12 (the Nash product of x against
    # 1 - x with A's disagreement payoff a hair below 1; Nash 1950): x = (1 + d) / 2 = 1 - 1e-12.
    # At the search's point both gains and the bound 1 are within 1e-12 of it, below the
    # tolerances of their units: every candidate active set had a gain or the bound binding,
    # none polished, and the point was set at the bound x = 1, where log(1 - x) = -inf, and
    # reported. The set with nothing binding is a candidate too, and a point is set at a
    # bound only where that is no worse.
    d = sympy.Integer(1) - sympy.Rational(2, 10**12)
    p = Program(
        sympy.log(x - d) + sympy.log(1 - x),
        (x,),
        (sympy.Integer(0),),
        (sympy.Integer(1),),
        inequalities=(x - d, 1 - x),
        inequality_names=("A gain", "B gain"),
    )
    r = solve_program(p, {}, starts=[[1 - 1e-12], [0.5]], exact=False)
    assert r.point[x] == pytest.approx(1 - 1e-12, rel=1e-15)
    assert r.polished


def test_stationarity_tells_a_maximum_from_a_point_where_the_objective_rises():
    # Nocedal & Wright (2006), Theorem 12.1: at a maximum, grad f + sum mu_k grad g_k = 0
    # with mu_k >= 0 for the binding constraints and bounds. _stationarity is the distance
    # to such a point, |slope| / |curvature| along the residual.
    # log(5 + e x) + log(5 + e (1.2 - x)), e = 1e-9: values flat to rounding, maximum at
    # x = 0.6; from 0.5 the slope 2 e**2 (0.1) / 25 over the curvature 2 e**2 / 25 is 0.1.
    # log(5 + e x) + log(7 + e (1 - x)) rises on all of [0, 1]: at the bound x = 1 the
    # conditions hold (the bound's multiplier is the slope), at 0.904 the maximum is far.
    # log x + log(1 - x): 0 at its maximum 1/2; from 0.3 the distance is the slope 1.905
    # over the curvature -(1/0.09 + 1/0.49) = 13.15, 0.145 (a Newton step, not 0.2).
    from bargain.axiomatic.program import Scale, _numeric, _stationarity

    e = sympy.Float("1e-9")

    def distance(objective, x0):
        p = Program(objective, (x,), (sympy.Integer(0),), (sympy.Integer(1),))
        num = _numeric(p, {}, Scale.of(p, {}, [[0.5]]))
        unit = num.scale.unknowns[0]  # the distance is in the search's units: back in x's
        return _stationarity(num, np.array([x0 / unit])) * unit

    flat = sympy.log(5 + e * x) + sympy.log(5 + e * (sympy.Rational(6, 5) - x))
    assert distance(flat, 0.5) == pytest.approx(0.1, rel=1e-3)
    rising = sympy.log(5 + e * x) + sympy.log(7 + e * (1 - x))
    assert distance(rising, 0.904) > 1e6
    assert distance(rising, 1.0) == 0.0
    simple = sympy.log(x) + sympy.log(1 - x)
    assert distance(simple, 0.5) == 0.0
    slope, curvature = 1 / 0.3 - 1 / 0.7, 1 / 0.09 + 1 / 0.49
    assert distance(simple, 0.3) == pytest.approx(slope / curvature, rel=1e-3)
