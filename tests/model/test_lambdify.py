"""``lambdify_each``: several functions written as one module compute what ``lambdify``
computes for each, to the last bit (the solvers' answers must not move)."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy
from hypothesis import given
from hypothesis import strategies as st
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.pycode import MpmathPrinter

from bargain.model.expr import parse_expression
from bargain.model.model import _xreplaced, lambdify, lambdify_each, printed_once

x, y, a, b = sympy.symbols("x y a b", real=True)
ATOMS = [x, y, a, b, sympy.Rational(1, 3), sympy.Integer(2), sympy.Integer(10) ** 30]


def _expressions() -> st.SearchStrategy[sympy.Expr]:
    """Sums, products, quotients, powers, exp and log of the atoms."""
    leaf = st.sampled_from(ATOMS)
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, inner).map(lambda p: p[0] + p[1]),
            st.tuples(inner, inner).map(lambda p: p[0] * p[1]),
            st.tuples(inner, inner).map(lambda p: p[0] / (1 + p[1] ** 2)),
            inner.map(lambda e: e**2),
            inner.map(lambda e: sympy.exp(e / (1 + e**2))),
            inner.map(lambda e: sympy.log(1 + e**2)),
        ),
        max_leaves=8,
    )


def _same(u: object, v: object) -> bool:
    """Equal to the last bit (nan equal to nan), element by element."""
    if isinstance(u, list | tuple) or isinstance(v, list | tuple):
        return (
            type(u) is type(v)
            and len(u) == len(v)  # type: ignore[arg-type]
            and all(_same(p, q) for p, q in zip(u, v, strict=True))  # type: ignore[call-overload]
        )
    return repr(u) == repr(v)


SETTINGS = {
    "fully_qualified_modules": False,
    "inline": True,
    "allow_unknown_functions": True,
    "user_functions": {},
}
"""``sympy.lambdify``'s own printer settings."""

POINTS = [((0.5, -1.25), (2.0, 3.5)), ((1e-3, 7.0), (-0.75, 1e6))]


@given(st.lists(_expressions(), min_size=1, max_size=4))
def test_numpy_functions_match_lambdify_bit_for_bit(exprs):
    args = [(x, y), (a, b)]
    functions = [(args, e) for e in exprs] + [(args, list(exprs)), (args, tuple(exprs))]
    each = lambdify_each(functions, "numpy", NumPyPrinter(SETTINGS))
    for (arguments, e), f in zip(functions, each, strict=True):
        one = lambdify(arguments, e, "numpy", printer=NumPyPrinter(SETTINGS))
        for point in POINTS:
            with np.errstate(all="ignore"):
                assert _same(f(*point), one(*point)), e


@given(st.lists(_expressions(), min_size=1, max_size=3))
def test_mpmath_functions_match_lambdify_bit_for_bit(exprs):
    flat = [x, y, a, b]
    column = sympy.Matrix(exprs)
    constants = [e.xreplace({x: a, y: b}) for e in exprs]
    functions = [(flat, column), (flat, column.jacobian([x, y])), ([a, b], constants)]
    each = lambdify_each(functions, "mpmath", MpmathPrinter(SETTINGS))
    with mpmath.workdps(30):
        values = [mpmath.mpf(v) for v in ("0.5", "-1.25", "2", "3.5")]
        for (arguments, e), f in zip(functions, each, strict=True):
            one = lambdify(arguments, e, "mpmath", printer=MpmathPrinter(SETTINGS))
            point = values if len(arguments) == 4 else values[2:]
            try:
                expected = one(*point)
            except (ZeroDivisionError, ValueError) as err:
                with pytest.raises(type(err)):
                    f(*point)
                continue
            assert _same(f(*point), expected)


# Floats print to all their digits alone and to those that matter inside another
# expression; two equal in value but not in precision print different digits.
NUMBERS = [sympy.Float("0.1", 30), sympy.Float(2.0**-30, 15), sympy.Float(2.0**-30, 30)]


@given(st.lists(_expressions(), min_size=1, max_size=4), st.sampled_from(NUMBERS))
def test_each_subexpression_printed_once_prints_the_same_text(exprs, number):
    # PrintedOnce reuses a subexpression's text inside one printer; the code must be what
    # a fresh printer writes for each expression, to the character.
    exprs = [number * x, *exprs, *(e.xreplace({b: number}) for e in exprs), number]
    for kind in (NumPyPrinter, MpmathPrinter):
        printer = printed_once(kind)(SETTINGS)
        assert [printer.doprint(e) for e in exprs] == [kind(SETTINGS).doprint(e) for e in exprs]


@given(st.lists(_expressions(), min_size=1, max_size=4))
def test_renaming_with_shared_subexpressions_is_sympys_xreplace(exprs):
    # Renaming a symbol in the functions of one module (a flagship's variable e, which
    # numpy's namespace holds) walks each shared subexpression once: the same expressions.
    rule = {x: sympy.Symbol("_x", real=True), a: b}
    done: dict = {}
    for e in [*exprs, *exprs]:
        assert sympy.srepr(_xreplaced(e, rule, done)[0]) == sympy.srepr(e.xreplace(rule))


def test_arguments_lambdify_would_rename_are_left_to_it():
    # A Dummy and a keyword as arguments: sympy.lambdify renames them, and so each
    # function is its own lambdify call (the answers are the same either way).
    d, keyword = sympy.Dummy("d"), sympy.Symbol("lambda")
    printer = NumPyPrinter(SETTINGS)
    f, g = lambdify_each([([d], d**2), ([keyword, x], keyword + x)], "numpy", printer)
    assert f(3.0) == 9.0 and g(1.0, 2.0) == 3.0


def test_huge_numbers_and_complex_infinity_as_lambdify_compiles_them():
    f, g = lambdify_each(
        [([x], sympy.Integer(10) ** 30 * x), ([x], x + sympy.zoo)], "numpy", NumPyPrinter(SETTINGS)
    )
    assert f(2.0) == 2e30 and math.isnan(g(1.0))
    # Beyond floating point: inf and 0 where the code runs, the terms kept (as sympy's own
    # infinity, 10**400 times a product was complex infinity, which no printer has).
    h = lambdify([x, y], sympy.Integer(10) ** 400 * x * (y - 1) + sympy.Rational(1, 10**400) + x)
    assert h(1.0, 2.0) == math.inf and h(0.5, 1.5) == math.inf and h(1.0, 0.0) == -math.inf
    assert lambdify([x], sympy.Rational(1, 10**400) * x + x)(0.25) == 0.25


FLOATS = [
    sympy.Float(0.1 + 0.2),  # 0.30000000000000004: "0.3" to a Float's 15 digits
    sympy.Float(1 / 3),
    sympy.Float(-2.0 / 3.0 * 1e-300),
]
HUGE = [
    sympy.Rational(2**996, 10**300),  # the double nearest it, 0.6696928794914171
    sympy.Rational(10**40 + 1, 3),
]


@pytest.mark.parametrize(
    ("number", "modules"),
    # mpmath computes a huge rational from its big integers, in its working precision.
    [(n, m) for n in FLOATS for m in ("numpy", "math", "mpmath")]
    + [(n, m) for n in HUGE for m in ("numpy", "math")],
)
def test_a_number_is_compiled_as_the_double_nearest_it(number, modules):
    # Printed to 15 digits, 0.1 + 0.2 read back as 0.3, and the cap 2**996 10**-300 as
    # 0.669692879491417, one unit in the last place below its double 0.6696928794914171;
    # c min(x, 1/2) - c/2 was then -5e-16 where it is 0. Seventeen digits read back as the
    # same double (IEEE 754-2008, §5.12.2).
    f = lambdify([x], number * x, modules)
    assert float(f(1.0)) == float(number)
    g = lambdify([x], number * sympy.Min(x, sympy.Rational(1, 2)) - number / 2, modules)
    assert float(g(0.75)) == 0.0


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("exp(x) - exp(y)", (7e-10, 5e-10)),  # a payoff exp(x) - 1 at two close contracts
        ("3*exp(-x) - 3*exp(-y) + 1", (2e-9, 1e-9)),
        ("exp(x) - exp(y)", (400.0, -400.0)),  # no overflow where both exponentials are finite
        ("1e9 - 1e9*exp(-x/1e9)", (0.7, 0.0)),  # (1 - exp(-a x))/a at a = 1e-9, a number
        ("exp(x) - 1", (1e-12, 0.0)),
    ],
)
def test_differences_of_exponentials_keep_their_digits(text, point):
    # Computed as written, exp(7e-10) - exp(5e-10) keeps 7 digits (Higham, Accuracy and
    # Stability of Numerical Algorithms, 2nd ed. 2002, §1.7: cancellation); compiled, the
    # difference is 2 exp((x + y)/2) sinh((x - y)/2) or c expm1(u), checked here against
    # mpmath at 50 digits of the expression as written.
    x, y = sympy.symbols("x y", real=True)
    expr = parse_expression(text, {"x": x, "y": y})
    f = lambdify((x, y), expr, "math")
    at = {x: sympy.Float(point[0], 50), y: sympy.Float(point[1], 50)}
    right = float(expr.evalf(50, subs=at))
    assert f(*point) == pytest.approx(right, rel=4e-16)


@pytest.mark.parametrize("x", [1e-12, 1e-6, 0.5, 3.0])
def test_the_logarithm_of_one_less_an_exponential_keeps_its_digits(x):
    # log(1 - exp(-x)), a Nash product's log of the payoff 1 - exp(-x): written log1p(-exp(-x))
    # it computed 1 - exp(-x) inside, and lost all but 4 digits at x = 1e-12 (Nash of
    # 1 - exp(-x) against 1e-12 - x was 3.3e-5 off); written log(-expm1(-x)) it keeps them
    # (Mächler, "Accurately computing log(1 - exp(-|a|))", 2012, the R package Rmpfr's
    # note: log(-expm1(-a)) for a <= log 2). Against mpmath at 50 digits.
    t = sympy.Symbol("x", real=True)
    expr = parse_expression("log(1 - exp(-x))", {"x": t})
    f = lambdify((t,), expr, "math")
    right = float(expr.evalf(50, subs={t: sympy.Float(x, 50)}))
    assert f(x) == pytest.approx(right, rel=4e-16)


def test_the_logarithm_of_one_less_a_small_exponential_is_right_absolutely():
    # Beyond log 2 (Mächler 2012) log1p(-exp(-x)) would keep log(1 - exp(-x))'s relative
    # digits, and log(-expm1(-x)) keeps its absolute ones: at x = 40, -4.2e-18 is 0 to
    # the rounding of the 1 it is the logarithm of, which is what a sum of such terms needs.
    t = sympy.Symbol("x", real=True)
    f = lambdify((t,), parse_expression("log(1 - exp(-x))", {"x": t}), "math")
    assert f(40.0) == pytest.approx(-math.exp(-40.0), abs=2e-16)
