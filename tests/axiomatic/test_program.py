"""The optimisation core: numeric search, Newton polish, exact KKT route, time limit."""

from __future__ import annotations

import pytest
import sympy

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
    # The compiled program is reused for the same values and never for others.
    from bargain.axiomatic.program import Scale, _numeric

    p = Program(sympy.log(x) + a * sympy.log(1 - x), (x,), (sympy.Integer(0),), (sympy.Integer(1),))
    half, one = {a: sympy.Rational(1, 2)}, {a: sympy.Integer(1)}
    scale = Scale.of(p, half, [[0.5]])
    assert _numeric(p, half, scale) is _numeric(p, dict(half), scale)
    assert _numeric(p, half, scale) is not _numeric(p, one, scale)
    first = solve_program(p, half, starts=[[0.5]], exact=False).point[x]
    second = solve_program(p, one, starts=[[0.5]], exact=False).point[x]
    assert (first, second) == (pytest.approx(2 / 3, abs=1e-15), pytest.approx(0.5, abs=1e-15))
