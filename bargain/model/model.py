"""The symbolic model: parameters, contract variables, parties, constraints.

A :class:`Model` is an immutable description of a negotiation. Every
expression in it is a sympy expression in the contract variables and the
parameters; every parameter is a sympy ``Symbol`` that carries a value, an
optional sweep range, a unit, a description and a source.

Models are usually loaded from TOML (:func:`bargain.load_model`) or built from
a plain dictionary of the same shape (:func:`bargain.model_from_dict`); the
dataclasses here can also be built directly from sympy expressions.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({
...     "model": {"name": "split"},
...     "parameters": {"V": 1.0},
...     "variables": {"x": {"min": 0, "max": "V"}},
...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "V - x"}},
... })
>>> m.party("A").payoff
V - x
>>> m.values
{'V': 1}
>>> m.with_values(V=2).values
{'V': 2}
"""

from __future__ import annotations

import builtins
import keyword
import math
import numbers
import sys
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import cache, cached_property, lru_cache
from typing import Any, TypeVar

import sympy
from sympy.logic.boolalg import ITE

from bargain.errors import ExpressionError, ModelError
from bargain.model.expr import MAX_DEPTH, log_of, parse_expression, rebuilt

Number = int | float | sympy.Rational
ZERO = sympy.Integer(0)


class WrittenFloat(float):
    """A float read from a model file that keeps the decimal it was written as.

    TOML's floats are binary doubles: ``1e-1500`` reads as 0.0, ``1e400`` as ``inf`` and
    ``0.1000000000000000055511151231257827`` as 0.1. The model file reader keeps the
    text too (``tomllib``'s ``parse_float``), so :func:`exact_number` takes the number
    written, and anything that wants a float gets the same float as before.

    >>> w = WrittenFloat("1e-1_500")
    >>> float(w), w.text
    (0.0, '1e-1500')
    """

    __slots__ = ("text",)

    def __new__(cls, text: str) -> WrittenFloat:
        out = super().__new__(cls, text)
        out.text = text.replace("_", "")
        return out

    @property
    def finite(self) -> bool:
        """Whether the text is a finite literal (not ``inf`` or ``nan``), whatever the
        float it rounds to."""
        return self.text.lstrip("+-") not in ("inf", "nan")


def exact_number(value: object, *, table: str, key: str, file: str | None = None) -> sympy.Rational:
    """Convert a finite real number to an exact sympy rational.

    Floats (Python's or NumPy's) are read as the decimal they print as (``0.9``
    becomes ``9/10``), a float from a model file as the decimal written there
    (:class:`WrittenFloat`), so a value written in a model file is kept exactly;
    integers (NumPy's too) and fractions are exact. A string is refused (see
    :func:`exact_value` for values that may be written as arithmetic).

    Examples
    --------
    >>> import numpy
    >>> exact_number(0.9, table="parameters", key="d")
    9/10
    >>> exact_number(numpy.float64(0.28), table="parameters", key="d")
    7/25
    >>> exact_number(numpy.int64(3), table="parameters", key="d")
    3
    >>> from fractions import Fraction
    >>> exact_number(Fraction(1, 3), table="parameters", key="d")
    1/3
    >>> exact_number(WrittenFloat("0.1000000000000000055511151231257827"), table="p", key="d")
    1000000000000000055511151231257827/10000000000000000000000000000000000
    >>> exact_number(float("nan"), table="parameters", key="d")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [parameters] d: must be a finite number, got nan
    """
    if isinstance(value, sympy.Rational):
        return value
    if isinstance(value, WrittenFloat) and value.finite:
        return exact_value(value.text, table=table, key=key, file=file)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ModelError(
            f"must be a number, got {type(value).__name__} {value!r}",
            file=file,
            table=table,
            key=key,
        )
    if isinstance(value, numbers.Rational):  # int, NumPy integers, fractions.Fraction
        return sympy.Rational(int(value.numerator), int(value.denominator))
    number = float(value)
    if not math.isfinite(number):
        raise ModelError(
            f"must be a finite number, got {number!r}", file=file, table=table, key=key
        )
    return sympy.Rational(repr(number))


def exact_value(value: object, *, table: str, key: str, file: str | None = None) -> sympy.Rational:
    """A parameter's value as an exact rational: a number (:func:`exact_number`) or a string
    of arithmetic on numbers such as ``"1/3"``. A number too large to write exactly (more
    than 1,000 digits, such as ``1e-1500``) is refused: expressions keep such a number to
    30 significant digits, parameter values are exact.

    Examples
    --------
    >>> exact_value("2/3 - 1/6", table="parameters", key="d")
    1/2
    >>> exact_value("1e-1500", table="parameters", key="d")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [parameters] d: must be an exact number of at most 1,000 digits, ...
    """
    if not isinstance(value, str):
        return exact_number(value, table=table, key=key, file=file)
    number = as_expression(value, table=table, key=key, file=file)
    if isinstance(number, sympy.Rational):
        return number
    if isinstance(number, sympy.Float):
        raise ModelError(
            f"must be an exact number of at most 1,000 digits, got {value!r}; parameter "
            "values are kept exactly: write such a number into the expressions that use "
            "the parameter, which keep it to 30 significant digits",
            file=file,
            table=table,
            key=key,
        )
    raise ModelError(
        f'must be a rational number (e.g. 0.25 or "1/3"), got {value!r}',
        file=file,
        table=table,
        key=key,
    )


def as_expression(
    value: object,
    symbols: Mapping[str, sympy.Symbol] | None = None,
    *,
    relational: bool = False,
    file: str | None = None,
    table: str | None = None,
    key: str | None = None,
    elsewhere: Mapping[str, str] | None = None,
) -> sympy.Basic:
    """The one conversion of a user's value to sympy: never ``eval``, never ``sympify``.

    A sympy object is kept, a number becomes an exact rational
    (:func:`exact_number`), a string is parsed by the safe expression language
    (:func:`bargain.model.expr.parse_expression`) over ``symbols`` (``elsewhere``: the
    model's names it may not use, each with what it is); anything else is refused.

    Examples
    --------
    >>> x = symbol("x")
    >>> as_expression("1 - x", {"x": x})
    1 - x
    >>> as_expression(0.25)
    1/4
    >>> as_expression("__import__('os')", table="parties.W", key="bargaining_power")
    Traceback (most recent call last):
    ...
    bargain.errors.ExpressionError: [parties.W] bargaining_power: name '__import__' ...
    """
    if isinstance(value, sympy.Basic):
        return value
    if isinstance(value, WrittenFloat) and value.finite:
        value = value.text
    if isinstance(value, str):
        try:
            return parse_expression(
                value, symbols or {}, relational=relational, elsewhere=elsewhere
            )
        except ExpressionError as err:
            raise err.located(file=file, table=table, key=key) from None
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return exact_number(value, table=table or "", key=key or "", file=file)
    raise ModelError(
        f"must be an expression string, a number or a sympy expression, got {type(value).__name__}",
        file=file,
        table=table,
        key=key,
    )


DOUBLE_BITS = 53
"""The significand of a double, in bits."""

FLOAT_INTEGERS = 2**DOUBLE_BITS
"""Integers up to this magnitude are exact in floating point; larger ones are compiled as
floats by :func:`lambdify`."""


def lambdify(args: Any, expr: Any, modules: Any = "numpy", **kwargs: Any) -> Callable[..., Any]:
    """``sympy.lambdify`` for the solvers: the one place model expressions become code.

    A number whose numerator or denominator exceeds :data:`FLOAT_INTEGERS` is
    compiled for NumPy as a float (``10**30`` as ``1e30``; beyond floating point,
    ``inf``, which the solvers refuse as not finite): left as a Python integer, NumPy
    would hold it as an object, on which its functions (``log``, ``exp``) fail
    (mpmath, whose numbers are exact, keeps it).
    Complex infinity (``1/0`` at the parameter values) is compiled as ``nan``.
    A symbol named as something the printed code refers to (a parameter ``log``,
    ``minimum``, ``select``, ``where``, ``numpy``: :func:`reserved`) is renamed in the
    code, which would otherwise call the number passed for it.

    Examples
    --------
    >>> x = symbol("x")
    >>> f = lambdify([x], sympy.Integer(10) ** 30 * sympy.log(x))
    >>> float(f(math.e))
    1e+30
    >>> lambdify([x], x + sympy.zoo, "math")(1.0)
    nan
    >>> log, minimum = symbol("log"), symbol("minimum")
    >>> float(lambdify([log, minimum], sympy.log(log) + sympy.Min(minimum, 1))(math.e, 0.5))
    1.5
    """
    # No docstring: sympy would print every expression once more just to document it.
    kwargs.setdefault("docstring_limit", 0)
    args, expr = _renamed(args, expr, reserved(modules))
    try:
        key = (_frozen(args), _frozen(expr), _frozen(modules), tuple(sorted(kwargs.items())))
        hash(key)
    except TypeError:  # a mutable matrix, an array: compiled each time
        key = None
    if key is not None and key in _COMPILED:
        _COMPILED[key] = found = _COMPILED.pop(key)  # the most recent last
        return found
    code = _float_huge(accurate(expr), floats=modules != "mpmath")
    found = sympy.lambdify(args, code, modules, **kwargs)
    if key is not None:
        _COMPILED[key] = found
        while len(_COMPILED) > COMPILED_KEPT:
            del _COMPILED[next(iter(_COMPILED))]
    return found


COMPILED_KEPT = 4096
"""Functions :func:`lambdify` keeps, keyed by what it was handed: a solve compiles its
model's payoffs again each time (the alternating-offers game six functions per solve), and
the same model is solved again and again (a brief's concepts, a report's stages, a
sweep's loop; in a coalition's tests, 923 compilations of 54 functions). sympy
expressions compare by structure and type (``2.0*x`` is not ``2*x``), so a kept function
is the one compiling would give."""
_COMPILED: dict[Any, Callable[..., Any]] = {}


def reserved(modules: Any) -> frozenset[str]:
    """The names an argument of :func:`lambdify` must not have, lest it hide what the
    printed code refers to: the namespace ``sympy.lambdify`` builds for ``modules`` (its
    functions, ``select``, ``less``, ``numpy``, ...), Python's builtins, the modules'
    names and what the printers import (``reduce``).

    Examples
    --------
    >>> names = reserved(["numpy", "scipy"])
    >>> [n in names for n in ("log", "select", "reduce", "where", "numpy", "abs", "x", "V")]
    [True, True, True, True, True, True, False, False]
    """
    key = _frozen(modules)
    try:
        return _RESERVED[key]
    except KeyError:
        pass
    except TypeError:  # a dict of functions among the modules
        key = None
    names = frozenset(
        {
            *sympy.lambdify([], 0, modules, docstring_limit=0).__globals__,
            *dir(builtins),
            *("numpy", "scipy", "math", "mpmath", "sympy", "cmath"),
            # what the printers import as they print (functools.reduce for min and max)
            *("functools", "reduce", "sys", "stderr", "stdout"),
        }
    )
    if key is not None:
        _RESERVED[key] = names
    return names


_RESERVED: dict[Any, frozenset[str]] = {}


def _symbols(value: Any) -> set[sympy.Symbol]:
    """The symbols among ``value`` (nested lists and tuples of symbols and expressions)."""
    if isinstance(value, list | tuple):
        return {s for v in value for s in _symbols(v)}
    if isinstance(value, sympy.Basic | sympy.MatrixBase):
        return set(value.atoms(sympy.Symbol))
    return set()


def _renamed(args: Any, expr: Any, taken: frozenset[str]) -> tuple[Any, Any]:
    """``args`` and ``expr`` with each symbol whose name is in ``taken`` (:func:`reserved`)
    renamed (:func:`_safely_named`): a symbol named ``minimum`` would otherwise hide
    ``numpy.minimum`` from the printed code (as an argument, and in the namespace sympy
    builds, where it puts each symbol by its name)."""
    ((args, expr),) = _safely_named([(args, expr)], taken)
    return args, expr


def _safely_named(
    functions: Sequence[tuple[Any, Any]], taken: frozenset[str]
) -> list[tuple[Any, Any]]:
    """``functions`` (pairs of arguments and expressions) with each symbol whose name is in
    ``taken`` (:func:`reserved`) renamed ``_<name>`` (underscores added until the name is
    free), a plain symbol with the same assumptions: functions are then written as one
    module (:func:`lambdify_each`) as any others, where a ``Dummy`` would leave each to
    :func:`lambdify` (the flagship's variables ``e`` and ``d``: 154 compilations a brief)."""
    found = _symbols([args for args, _ in functions])  # every free symbol is an argument
    clash = sorted((s for s in found if s.name in taken), key=lambda s: s.name)
    if not clash:
        return list(functions)
    used = {s.name for s in found} | taken
    mapping = {}
    for s in clash:
        new = f"_{s.name}"
        while new in used:
            new = f"_{new}"
        used.add(new)
        mapping[s] = sympy.Symbol(new, **s.assumptions0)

    done: dict[sympy.Basic, tuple[Any, bool]] = {}

    def swap(value: Any) -> Any:
        if isinstance(value, list | tuple):
            return type(value)(swap(v) for v in value)
        if isinstance(value, sympy.Basic):
            return _xreplaced(value, mapping, done)[0]
        if isinstance(value, sympy.MatrixBase):
            return value.xreplace(mapping)
        return value

    return [(swap(args), swap(expr)) for args, expr in functions]


def _xreplaced(
    expr: sympy.Basic, rule: Mapping[sympy.Basic, Any], done: dict[sympy.Basic, tuple[Any, bool]]
) -> tuple[Any, bool]:
    """``expr.xreplace(rule)`` and whether it changed, as sympy computes them
    (``Basic._xreplace``), each subexpression once for all the expressions that share
    ``done``: the functions of a program hold its payoffs many times over."""
    found = done.get(expr)
    if found is None:
        if expr in rule:
            found = (rule[expr], True)
        else:
            args, changed = [], False
            for a in expr.args:
                if getattr(a, "_xreplace", None) is None:
                    args.append(a)
                    continue
                new, moved = _xreplaced(a, rule, done)
                args.append(new)
                changed |= moved
            found = (rebuilt(expr, args), True) if changed else (expr, False)
        done[expr] = found
    return found


def _frozen(value: Any) -> Any:
    """``value`` with its lists and tuples made tuples tagged with their type (a key)."""
    if isinstance(value, list | tuple):
        return (type(value).__name__, *(_frozen(v) for v in value))
    return value


def lambdify_each(
    functions: Sequence[tuple[Any, Any]], modules: str, printer: Any
) -> list[Callable[..., Any]]:
    """``[lambdify(args, expr, modules, printer=printer) for args, expr in functions]``,
    written as one module: the same code for each function (its expression printed by
    ``printer``, its arguments unpacked as ``sympy.lambdify`` unpacks them), so the same
    numbers, but the arguments checked, the namespace built and the source compiled once.

    ``sympy.lambdify`` sorts its arguments, looks for ``Subs`` and implemented functions
    and builds its namespace at every call: most of the cost of compiling a program's
    dozens of functions (objective, constraints, gradients, terms), all of the same
    arguments. Where ``sympy.lambdify`` would rename an argument (a ``Dummy``, a name that is
    not an identifier), a symbol's name is :func:`reserved` or an expression holds a
    ``Subs``, each function is left to :func:`lambdify`.

    Examples
    --------
    >>> from sympy.printing.numpy import NumPyPrinter
    >>> x, c = symbol("x"), symbol("c")
    >>> f, g = lambdify_each([((x, c), c * x**2), (([x], c), [x, 2 * c])], "numpy", NumPyPrinter())
    >>> float(f(3.0, 2.0)), g([3.0], 2.0)
    (18.0, [3.0, 4.0])
    """
    functions = _safely_named(functions, reserved(modules))
    names = [_argument_names(args) for args, _ in functions]
    exprs = [_float_huge(accurate(expr), floats=modules != "mpmath") for _, expr in functions]
    if any(n is None for n in names) or any(_has_subs(e) for e in exprs):
        return [lambdify(args, expr, modules, printer=printer) for args, expr in functions]
    taken = {name for n in names for name in _flat(n)}  # type: ignore[arg-type]
    stem = next(s for s in ("_arg" + "_" * k for k in range(len(taken) + 1)) if s not in taken)
    lines = []
    for k, (arguments, expr) in enumerate(zip(names, exprs, strict=True)):
        signature, body = [], []
        for i, a in enumerate(arguments):  # type: ignore[arg-type]
            if isinstance(a, str):
                signature.append(a)
            else:
                signature.append(f"{stem}{i}")
                body.append(f"{_unpack(a)} = {stem}{i}")
        text = _printed(printer, expr)
        body.append(f"return {f'({text})' if chr(10) in text else text}")
        lines.append(f"def _f{k}({', '.join(signature)}):")
        lines.extend("    " + line for line in body)
    namespace = _namespace(modules, printer)
    defined: dict[str, Any] = {}
    exec(compile("\n".join(lines) + "\n", "<bargain-lambdify-each>", "exec"), namespace, defined)
    return [defined[f"_f{k}"] for k in range(len(functions))]


def _namespace(modules: Any, printer: Any) -> dict[str, Any]:
    """``sympy.lambdify``'s own namespace for ``modules`` and the imports of ``printer`` (all
    printed by now): the names the printed code of :func:`lambdify_each` refers to. Built once
    per modules, kind of printer and imports, and shared by the functions compiled with it
    (they read it, and nothing writes to it: the printed code defines its functions apart)."""
    imports = getattr(printer, "module_imports", {})
    try:
        key = (
            _frozen(modules),
            type(printer),
            tuple(sorted((m, tuple(sorted(names))) for m, names in imports.items())),
        )
        hash(key)
    except TypeError:  # a dict of functions among the modules
        key = None
    if key is None or key not in _NAMESPACES:
        found = sympy.lambdify([], 0, modules, printer=printer, docstring_limit=0).__globals__
        if key is None:
            return found
        _NAMESPACES[key] = found
    return _NAMESPACES[key]


_NAMESPACES: dict[Any, dict[str, Any]] = {}


class PrintedOnce:
    """A mixin for a sympy code printer (``class P(PrintedOnce, NumPyPrinter)``, or
    :func:`printed_once`): each subexpression printed inside another is printed once per
    printer and its text reused wherever it comes again (a payoff in the objective, in
    each of its derivatives and in its terms; a third of the printing of a flagship's
    program). The same text as printing it again: a code printer's text of a subexpression
    inside another depends on the subexpression alone (sympy compares floats by value and
    precision, the digits printed). The whole expression of a ``doprint`` (a float alone is
    printed to all its digits, inside another to the digits that matter) and a print with
    options are printed as they are. For ``lambdify``'s settings: numbers inline and what
    the language lacks refused (a printer that declares numbers or notes what it lacks, per
    ``doprint``, would write them once).

    Examples
    --------
    >>> from sympy.printing.numpy import NumPyPrinter
    >>> x = symbol("x")
    >>> p = printed_once(NumPyPrinter)({"inline": True})
    >>> e = sympy.log(x + 1) / (x + 1) ** 2 + sympy.Float(0.25, 30) * sympy.log(x + 1)
    >>> p.doprint(e) == NumPyPrinter({"inline": True}).doprint(e)
    True
    """

    def _print(self, expr: Any, **kwargs: Any) -> str:
        top = self._print_level == 0  # type: ignore[attr-defined]
        if kwargs or top or not isinstance(expr, sympy.Basic):
            return super()._print(expr, **kwargs)  # type: ignore[misc]
        memo: dict[sympy.Basic, str] = self.__dict__.setdefault("_printed_once", {})
        if expr not in memo:
            memo[expr] = super()._print(expr)  # type: ignore[misc]
        return memo[expr]


@cache
def printed_once(kind: type) -> type:
    """The printer class ``kind`` with :class:`PrintedOnce` (one class per ``kind``)."""
    return type(f"PrintedOnce{kind.__name__}", (PrintedOnce, kind), {})


def _argument_names(args: Any) -> Any:
    """The names ``sympy.lambdify`` gives ``args`` (nested as they are), or ``None`` where it
    would rename one (see :func:`lambdify_each`)."""
    if isinstance(args, list | tuple):
        inner = [_argument_names(a) for a in args]
        return None if any(i is None for i in inner) else inner
    # A plain symbol prints as its name (str() would run the printer).
    name = args.name if type(args) is sympy.Symbol else str(args)
    if (
        not isinstance(args, sympy.Symbol)
        or isinstance(args, sympy.Dummy)
        or not name.isidentifier()
        or keyword.iskeyword(name)
    ):
        return None
    return name


def _flat(names: Any) -> list[str]:
    return [names] if isinstance(names, str) else [n for a in names for n in _flat(a)]


def _unpack(names: Any) -> str:
    """The target of ``sympy.lambdify``'s unpacking of a nested argument: ``[x, [y, z]]``."""
    return names if isinstance(names, str) else f"[{', '.join(_unpack(n) for n in names)}]"


def _has_subs(expr: Any) -> bool:
    if isinstance(expr, list | tuple):
        return any(_has_subs(e) for e in expr)
    return isinstance(expr, sympy.Basic | sympy.MatrixBase) and expr.has(sympy.Subs)


def _printed(printer: Any, expr: Any) -> str:
    """``expr`` printed as ``sympy.lambdify`` prints it: lists as lists, tuples as tuples."""
    if isinstance(expr, list):
        return f"[{', '.join(_printed(printer, e) for e in expr)}]"
    if isinstance(expr, tuple):
        return f"({', '.join(_printed(printer, e) for e in expr)},)" if expr else "()"
    return printer.doprint(expr)


def accurate(expr: Any) -> Any:
    """``expr`` (or each of a list's or tuple's) with ``exp(u) - 1`` written ``expm1(u)``,
    ``log(1 + u)`` written ``log1p(u)`` (``sympy.codegen.rewriting``; NumPy and mpmath have
    both), and the other differences that cancel rewritten (:func:`_optimize`): computed as
    written, each loses the digits of ``u`` where ``u`` is small, a payoff
    ``(1 - exp(-a x)) / a`` at ``a = 1e-9`` all but 7 of them (the Kalai–Smorodinsky ideal
    point came out 0.904 for 1; Higham, *Accuracy and Stability of Numerical Algorithms*,
    2nd ed., 2002, §1.14.1).

    >>> a, x = symbol("a"), symbol("x")
    >>> accurate((1 - sympy.exp(-a * x)) / a)
    -expm1(-a*x)/a
    """
    if isinstance(expr, list | tuple):
        return type(expr)(accurate(e) for e in expr)
    if not isinstance(expr, sympy.Expr):
        return expr
    return _accurate(expr)


@lru_cache(maxsize=4096)
def _accurate(expr: sympy.Expr) -> sympy.Expr:
    """:func:`accurate` of one expression, kept per expression (2,850 of the docs build's
    3,700 calls are for an expression rewritten before: a model's payoffs, solved at many
    points)."""
    from sympy.codegen.cfunctions import expm1, log1p

    if not expr.has(sympy.exp, sympy.log, expm1, log1p) and not any(
        _root_degree(p) for p in expr.atoms(sympy.Pow)
    ):
        return expr
    return _optimize(expr)


def _optimize(expr: sympy.Expr) -> sympy.Expr:
    """``expr`` with ``log(1 + u)`` as ``log1p(u)`` (a number's logarithm near 0 too) unless
    ``1 + u`` is itself a sum rewritten below (``log(1 - exp(v))`` is ``log(-expm1(v))``),
    and in each sum a number less an exponential (:func:`_exponential_less_number`), two
    exponentials (:func:`_exponentials_paired`), two logarithms
    (:func:`_logarithms_paired`) or a root less a number (:func:`_root_less_number`)
    rewritten, as written otherwise (no factoring: ``sympy.codegen.rewriting.log1p_opt``
    factors the argument of every ``log``, a polynomial of degree 30 into eight factors)."""
    from sympy.codegen.cfunctions import log1p

    one = sympy.Integer(1)

    def log_rule(e: sympy.Expr) -> sympy.Expr:
        (arg,) = e.args
        if arg.is_Rational and arg != one and abs(arg - one) < sympy.Rational(1, 2):
            # A number's logarithm near 0 too: log(1000000001/1000000000) in floats is off by
            # 1e-7 of itself, log1p(1/1000000000) is not (unevaluated: sympy would write it
            # back; beyond floats' integers, as a float: log(1 + 1e-20) is not 0).
            delta = arg - one
            if max(abs(delta.p), delta.q) > FLOAT_INTEGERS:
                delta = sympy.Float(delta, 30)
            return log1p(delta, evaluate=False)
        if not (arg.is_Add and one in arg.args):
            return e
        # 1 - exp(v) as -expm1(v) first (and the other sums that cancel): log1p(-exp(v))
        # computes 1 - exp(v) inside, all but 3 digits lost at v = -1e-12, where the
        # Nash product of 1 - exp(-x) was 3.3e-5 off.
        rewritten = add_rule(arg)
        return log_of(rewritten) if rewritten != arg else log1p(arg - one)

    def add_rule(e: sympy.Expr) -> sympy.Expr:
        terms = list(e.args)
        for rule in (_exponential_less_number, _exponentials_paired, _logarithms_paired):
            found = rule(terms)
            if found is not None:
                return found
        found = _root_less_number(terms)
        return e if found is None else found

    expr = _replaced(expr, lambda e: isinstance(e, sympy.log), log_rule)
    return _replaced(expr, lambda e: e.is_Add, add_rule)


def _replaced(
    expr: sympy.Basic,
    query: Callable[[sympy.Basic], bool],
    value: Callable[[sympy.Basic], sympy.Basic],
) -> sympy.Basic:
    """``expr.replace(query, value)``, as sympy's walks it (bottom up, each node whose
    arguments changed rebuilt, then ``value`` of it where ``query``; a node rebuilt equal
    to an argument that was replaced left as it is), each subexpression once, and each
    logarithm rebuilt by :func:`~bargain.model.expr.rebuilt` (sympy's would ask whether
    every payoff's sum it takes is zero).

    >>> x = symbol("x")
    >>> _replaced(sympy.log(1 + x**2) + x**2, lambda e: e.is_Pow, lambda e: e.base**3)
    x**3 + log(x**3 + 1)
    """
    done: dict[sympy.Basic, sympy.Basic] = {}

    def walk(e: sympy.Basic) -> sympy.Basic:
        if e in done:
            return done[e]
        out = e
        if e.args:
            new = [walk(a) for a in e.args]
            if any(a != b for a, b in zip(e.args, new, strict=True)):
                out = rebuilt(e, new)
                if any(out == a and a != b for a, b in zip(e.args, new, strict=True)):
                    done[e] = out
                    return out
        if query(out):
            v = value(out)
            if v is not None and v != out:
                out = v
        done[e] = out
        return out

    return walk(expr)


_Terms = list[sympy.Expr]


def _less_number(
    terms: _Terms, takes: Callable[[sympy.Expr, sympy.Expr], bool]
) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr, _Terms] | None:
    """The first term ``c f`` of ``terms`` beside a number ``-c s``, ``s > 0``, with
    ``takes(f, s)``: ``(c, f, s, the other terms)``; ``None`` where there is none."""
    numbers = [t for t in terms if t.is_number and t.is_real and t != 0]
    for t in terms:
        c, f = t.as_coeff_Mul()
        if f.is_number:
            continue
        for k in numbers:
            s = -k / c
            if s.is_positive and takes(f, s):
                return c, f, s, [u for u in terms if u is not t and u is not k]
    return None


def _opposite_pair(
    terms: _Terms, takes: Callable[[sympy.Expr], bool]
) -> tuple[sympy.Expr, sympy.Expr, sympy.Expr, _Terms] | None:
    """The first two terms ``c f`` and ``-c g`` of ``terms`` with ``f`` and ``g`` the same
    function and ``takes`` of each: ``(c, f, g, the other terms)``; ``None`` where there
    are none."""
    parts = [t.as_coeff_Mul() for t in terms]
    for i, (c, f) in enumerate(parts):
        if not takes(f):
            continue
        for j in range(i + 1, len(parts)):
            d, g = parts[j]
            if type(g) is type(f) and c == -d and takes(g):
                return c, f, g, [t for k, t in enumerate(terms) if k not in (i, j)]
    return None


def _exponential_less_number(terms: _Terms) -> sympy.Expr | None:
    """The sum of ``terms`` with ``c exp(u) - c`` written ``c expm1(u)``, for any number
    ``c`` (``1e9 - 1e9 exp(-x/1e9)``, a CARA utility ``(1 - exp(-a x))/a`` at ``a = 1e-9``
    once its parameter is a number), and ``c exp(u) - c s`` with ``s = exp(q)``, ``q``
    rational, written ``c s expm1(u - q)`` (``exp(1 + x) - E`` is ``E expm1(x)``); not for
    other ``s``, whose rounded ``log(s)`` would lose what the cancellation does. ``None``
    where there is no such pair."""
    from sympy.codegen.cfunctions import expm1

    found = _less_number(terms, lambda f, s: isinstance(f, sympy.exp) and sympy.log(s).is_Rational)
    if found is None:
        return None
    c, f, s, rest = found
    return sympy.Add(c * s * expm1(f.args[0] - sympy.log(s)), *rest)


def _exponentials_paired(terms: _Terms) -> sympy.Expr | None:
    """The sum of ``terms`` with a pair ``c exp(u) - c exp(v)`` written
    ``2 c exp((u + v)/2) sinh((u - v)/2)``; ``None`` where there is no such pair. As
    written, the difference of two exponentials of nearly equal arguments loses the digits
    of ``u - v`` (``exp(7e-10) - exp(5e-10)``, a difference of payoffs ``exp(x) - 1`` at
    two close contracts, kept 7 of them); ``sinh`` of a small argument is accurate, and
    neither factor overflows where both exponentials are finite and ``|u - v| < 1400``."""
    found = _opposite_pair(terms, lambda f: isinstance(f, sympy.exp))
    if found is None:
        return None
    c, f, g, rest = found
    u, v = f.args[0], g.args[0]
    return sympy.Add(2 * c * sympy.exp((u + v) / 2) * sympy.sinh((u - v) / 2), *rest)


def _root_less_number(terms: _Terms) -> sympy.Expr | None:
    """The sum of ``terms`` with a pair ``c u**(1/n) - c s`` (``s > 0`` a number, ``n`` from
    2 to 6) written ``c (u - s**n) / (sum of u**(k/n) s**(n-1-k), k < n)``; ``None`` where
    there is no such pair. As written, a root near the number loses the digits of their
    difference (``sqrt(1 + x) - 1`` at ``x = 1e-9`` keeps 7; ``sqrt(x) - 1/2`` beside
    ``x = 1/4``; ``(1 + x)**(1/3) - 1``), which ``u - s**n`` keeps where ``u`` is computed
    exactly or nearly (``1 + x - 1`` is ``x``); the denominator is at least ``s**(n-1)``,
    never zero."""
    found = _less_number(terms, lambda f, s: _root_degree(f) is not None)
    if found is None:
        return None
    c, root, s, rest = found
    n = _root_degree(root)
    assert n is not None
    base = root.base
    below = sum(base ** sympy.Rational(j, n) * s ** (n - 1 - j) for j in range(n))
    return sympy.Add(c * (base - s**n) / below, *rest)


def _root_degree(f: sympy.Expr) -> int | None:
    """``n`` where ``f`` is ``u**(1/n)``, ``n`` from 2 to 6 (:func:`_root_less_number`)."""
    if not f.is_Pow:
        return None
    e = f.exp
    return int(e.q) if e.is_Rational and e.p == 1 and 2 <= e.q <= 6 else None


def _logarithms_paired(terms: _Terms) -> sympy.Expr | None:
    """The sum of ``terms`` with a pair ``c log(u) - c log(v)`` written
    ``c log1p((u - v)/v)``, or ``c log1p(u) - c log1p(v)`` written
    ``c log1p((u - v)/(1 + v))``; ``None`` where there is none. As written, two logarithms of
    nearly equal arguments lose the digits of their difference (``log(1 + V) - log(1 + x)``
    at ``x`` near ``V = 1e-9``: the alternating-offers game's differences were 8e-8 off)."""
    from sympy.codegen.cfunctions import log1p

    found = _opposite_pair(terms, lambda f: isinstance(f, sympy.log | log1p) and not f.is_number)
    if found is None:
        return None
    c, f, g, rest = found
    u, v = f.args[0], g.args[0]
    base = v if isinstance(f, sympy.log) else 1 + v
    return sympy.Add(c * log1p((u - v) / base), *rest)


ROUND_TRIP_DIGITS = 17
"""The significant digits that print a double so that reading it back gives the same double
(IEEE 754-2008, §5.12.2). A float of a double's precision or less, and a huge rational (as
the double nearest it), are compiled printed to these digits: printed to a Float's default
15, ``c·min(x, 1/2) − c/2`` at ``c = 2**996 · 10**-300`` was ``−5e−16`` where ``x ≥ 1/2``,
not 0, as ``c`` and ``c/2`` were each rounded to 15 decimal digits (a leximin stage's
constraint that holds a party at its cap, violated everywhere it holds: SLSQP failed on
it, and trust-constr ran 13 s)."""


def _nearest_double(n: sympy.Number) -> sympy.Float:
    """``n`` as the double nearest it, printed to :data:`ROUND_TRIP_DIGITS`; outside the
    normal doubles (``10**400``, ``10**-320``, ``10**-400``) as a Float of a double's
    precision and its own exponent, which the compiled code reads as ``inf``, a subnormal
    or 0: sympy would make ``inf`` its infinity ``oo`` (a product with it complex
    infinity), and sums of subnormals, with their few digits, cancel to 0 where the
    numbers do not (a term ``1/(2c - c - c')`` was complex infinity at ``c ≈ 5e-321``)."""
    x = float(n)
    if not sys.float_info.min <= abs(x) < math.inf:
        return sympy.Float(n)
    return sympy.Float(x, ROUND_TRIP_DIGITS)


def _float_huge(expr: Any, floats: bool = True) -> Any:
    """``expr`` with complex infinity as ``nan``, (with ``floats``; mpmath has big
    integers of its own) huge rationals as the doubles nearest them, each float of a
    double's precision or less printed to :data:`ROUND_TRIP_DIGITS`, and each ``ITE``
    (if-then-else, which sympy writes in the conditions of a ``Piecewise`` folded from a
    kinked payoff's derivative) as its ``&``/``|`` form: the same truth values, but NumPy's
    printer would simplify each such condition by ``simplify_logic``, half the cost of
    compiling a program with a ``max(0, h - abs(x - c))`` in a payoff.

    >>> x = symbol("x")
    >>> _float_huge(sympy.Piecewise((1, sympy.ITE(x > 0, x > 1, x < -1)), (0, True)))
    Piecewise((1, ((x <= 0) | (x > 1)) & ((x > 0) | (x < -1))), (0, True))
    >>> c = sympy.Rational(2**996, 10**300)
    >>> str(sympy.Float(c)), str(_float_huge(c)), float(c)
    ('0.669692879491417', '0.66969287949141709', 0.6696928794914171)
    """
    if isinstance(expr, list | tuple):
        return type(expr)(_float_huge(e, floats) for e in expr)
    if not isinstance(expr, sympy.Basic):
        return expr
    numbers = (sympy.Number, type(sympy.zoo))
    found = expr.atoms(*numbers, ITE)  # one walk of the tree for all four
    ites = {i: i.to_nnf() for i in found if isinstance(i, ITE)}
    if ites:
        expr = expr.xreplace(ites)
        found = expr.atoms(*numbers)
    huge: dict[sympy.Basic, sympy.Basic] = {}
    for n in found:
        if n is sympy.zoo:  # no printer has complex infinity: it is not a number
            huge[n] = sympy.nan
        elif (floats and n.is_Rational and max(abs(n.p), n.q) > FLOAT_INTEGERS) or (
            n.is_Float and n._prec <= DOUBLE_BITS
        ):
            huge[n] = _nearest_double(n)
    return expr.xreplace(huge) if huge else expr


def _printable(text: str, *, file: str | None, table: str, key: str) -> None:
    r"""Refuse a text field with a control character other than a line break or a tab: it
    is printed to terminals (``bargain show``, ``brief``), where ``ESC [2J`` clears the
    screen and ``ESC ]0;…`` sets the window's title.

    >>> _printable("wages, $M\tper week\n", file=None, table="model", key="title")
    >>> _printable("\x1b[2J", file=None, table="model", key="title")
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [model] title: holds the control character U+001B; ...
    """
    for ch in text:
        if ch not in "\n\t" and unicodedata.category(ch) == "Cc":
            raise ModelError(
                f"holds the control character U+{ord(ch):04X}; text is printed to "
                "terminals, where it would act: remove it",
                file=file,
                table=table,
                key=key,
            )


class _Named:
    """A named quantity that expressions refer to by a sympy symbol."""

    name: str

    @property
    def symbol(self) -> sympy.Symbol:
        """The sympy symbol standing for this quantity in expressions."""
        return symbol(self.name)


DISTRIBUTIONS: dict[str, str] = {
    "triangular": "triang",
    "uniform": "uniform",
    "normal": "norm",
    "lognormal": "lognorm",
    "beta": "beta",
}
"""The kinds of a parameter's ``distribution`` and the :mod:`scipy.stats` family of each
(the scipy name is accepted as a kind too); the keys are that family's shape parameters
and ``loc``, ``scale``."""

SHAPES: dict[str, tuple[str, ...]] = {
    "triang": ("c",),
    "uniform": (),
    "norm": (),
    "lognorm": ("s",),
    "beta": ("a", "b"),
}
"""The shape parameters of each :mod:`scipy.stats` family of :data:`DISTRIBUTIONS` (its
``shapes``; a test checks them against scipy), so that a model file is checked without
importing scipy.stats, which costs more than the rest of loading."""


def allowed_arguments(family: str, arguments: Mapping[str, float]) -> bool:
    """Whether :mod:`scipy.stats` accepts ``arguments`` for ``family``: finite numbers,
    ``scale > 0`` and the family's own conditions (triangular ``0 <= c <= 1``; lognormal
    ``s > 0``; beta ``a, b > 0``), as its ``_argcheck`` does (a test compares the two).

    >>> allowed_arguments("triang", {"c": 0.5, "scale": 2.0}), allowed_arguments("beta", {"a": 0})
    (True, False)
    """
    if not all(math.isfinite(v) for v in arguments.values()):
        return False
    if not arguments.get("scale", 1.0) > 0:
        return False
    if family == "triang":
        return 0 <= arguments["c"] <= 1
    return all(arguments[shape] > 0 for shape in SHAPES[family])


@dataclass(frozen=True)
class Distribution:
    """The uncertainty of a parameter's value: a :mod:`scipy.stats` family and its arguments.

    Attributes
    ----------
    kind
        A key or value of :data:`DISTRIBUTIONS`, e.g. ``"triangular"``.
    arguments
        The family's arguments by name (its shapes, ``loc``, ``scale``), e.g.
        ``(("c", 0.5), ("loc", 0.1), ("scale", 0.3))``.

    Examples
    --------
    >>> d = Distribution("triangular", (("c", 0.5), ("loc", 0.0), ("scale", 2.0)))
    >>> float(d.frozen().ppf(0.5))
    1.0
    """

    kind: str
    arguments: tuple[tuple[str, float], ...] = ()

    @property
    def family(self) -> str:
        """The :mod:`scipy.stats` name of the family (``"triang"`` for ``"triangular"``)."""
        return DISTRIBUTIONS.get(self.kind, self.kind)

    def frozen(self) -> object:
        """The frozen :mod:`scipy.stats` distribution (``ppf``, ``rvs``, ``mean``, …)."""
        from scipy import stats

        return getattr(stats, self.family)(**dict(self.arguments))


@dataclass(frozen=True)
class Parameter(_Named):
    """A named model parameter: a sympy symbol with a value and its provenance.

    Parameters
    ----------
    name
        Identifier used in expressions.
    value
        Exact value (a sympy rational).
    range
        Optional ``(low, high)`` sweep range, ``low < high``.
    unit, description, source
        Free text; ``source`` says where the value comes from, or that it is an
        assumption and why.
    distribution
        How uncertain the value is (:func:`bargain.uncertainty` samples it), or ``None``.
    """

    name: str
    value: sympy.Rational
    range: tuple[sympy.Rational, sympy.Rational] | None = None
    unit: str = ""
    description: str = ""
    source: str = ""
    distribution: Distribution | None = None

    def __post_init__(self) -> None:
        table = f"parameters.{self.name}"
        object.__setattr__(self, "value", exact_value(self.value, table=table, key="value"))
        if self.range is not None:
            if not isinstance(self.range, tuple | list) or len(self.range) != 2:
                raise ModelError("must be a pair (low, high)", table=table, key="range")
            bounds = tuple(exact_value(v, table=table, key="range") for v in self.range)
            object.__setattr__(self, "range", bounds)


@dataclass(frozen=True)
class Variable(_Named):
    """A contract term bargained over, bounded by expressions in the parameters."""

    name: str
    min: sympy.Expr
    max: sympy.Expr
    unit: str = ""
    description: str = ""


@dataclass(frozen=True)
class Party:
    """One side of the negotiation and what each outcome is worth to it.

    Attributes
    ----------
    payoff
        Value of an agreement, an expression in the variables and parameters.
    disagreement
        Payoff if no agreement is ever reached (the threat point).
    strike_payoff
        Flow payoff per period while bargaining (a strike is a negative one).
    outside_option
        Payoff if this party walks away, or ``None``.
    discount_factor, discount_rate
        Patience per period; at most one of them is set.
    bargaining_power
        Weight in the generalised Nash solution, or ``None`` (equal powers).
    demand
        The payoff this party publicly insists on, or ``None`` (used by the
        reputational strike of :mod:`bargain.credibility`).
    hardliner
        Prior probability that this party is an obstinate type who never
        accepts less than its demand, or ``None``.
    """

    name: str
    payoff: sympy.Expr
    title: str = ""
    disagreement: sympy.Expr = ZERO
    strike_payoff: sympy.Expr = ZERO
    outside_option: sympy.Expr | None = None
    discount_factor: sympy.Expr | None = None
    discount_rate: sympy.Expr | None = None
    bargaining_power: sympy.Expr | None = None
    demand: sympy.Expr | None = None
    hardliner: sympy.Expr | None = None


@dataclass(frozen=True)
class Constraint:
    """A constraint on the contract variables, e.g. ``a + b <= 1``."""

    name: str
    relation: sympy.core.relational.Relational
    description: str = ""

    @property
    def slack(self) -> sympy.Expr:
        """The expression that must be non-negative (``1 - a - b`` for ``a + b <= 1``)."""
        lhs, rhs = self.relation.lhs, self.relation.rhs
        if isinstance(self.relation, sympy.GreaterThan | sympy.StrictGreaterThan):
            return lhs - rhs
        return rhs - lhs

    @property
    def is_equality(self) -> bool:
        """Whether the constraint is an equation rather than an inequality."""
        return isinstance(self.relation, sympy.Equality)


@dataclass(frozen=True)
class Bargaining:
    """Options of the strategic (alternating-offers) game; all optional.

    ``status_quo`` is the contract in force while talks go on if nobody strikes
    (the old contract), for the strike-or-hold-out game. ``transfer`` names the
    contract variable that is a transfer between the parties, for the
    alternating-offers game over several variables (:mod:`bargain.strategic.transfer`).
    ``focal_dates`` are the dates, in periods from the strike's start, at which a
    strike whose talks have broken down ends, the last ending every strike
    (:mod:`bargain.reputation.duration`).
    """

    first_proposer: str | None = None
    breakdown_probability: sympy.Expr = ZERO
    horizon: sympy.Expr = sympy.oo
    status_quo: sympy.Expr | None = None
    transfer: str | None = None
    focal_dates: tuple[sympy.Expr, ...] = ()


@dataclass(frozen=True)
class DelayTable:
    """The settings of one theory of delay (a ``[delay.NAME]`` table).

    ``keys`` and ``values`` are parallel: each key's value is an expression in
    the parameters. Which keys a theory reads, and what each allows, is the
    theory's to say (:mod:`bargain.reputation.delay`).
    """

    name: str
    keys: tuple[str, ...] = ()
    values: tuple[sympy.Expr, ...] = ()

    def value(self, key: str) -> sympy.Expr | None:
        """The expression given for ``key``, or ``None`` when the table has no such key."""
        return dict(zip(self.keys, self.values, strict=True)).get(key)


@dataclass(frozen=True)
class Promise:
    """An off-the-record promise: ``to`` concedes first, ``by`` promised something back.

    Attributes
    ----------
    concession, promised
        What the concession is worth to ``to``, and what keeping the promise
        is worth to ``to``.
    trust
        Prior probability that ``by`` is an honest type.
    error, opportunist_keeps
        Probability that an honest ``by`` fails to deliver, and that an
        opportunist keeps the promise anyway (:mod:`bargain.reputation.trust`).
    concession_value, promised_cost
        What the concession is worth to ``by`` and what keeping the promise
        costs ``by``; ``None`` means the same as to ``to`` (pure transfers).
    breakdown_per_distrust
        Per-round probability that talks break down because of distrust,
        when ``by`` is surely an opportunist (:mod:`bargain.credibility`).
    """

    name: str
    by: str
    to: str
    concession: sympy.Expr
    promised: sympy.Expr
    trust: sympy.Expr
    description: str = ""
    error: sympy.Expr = ZERO
    opportunist_keeps: sympy.Expr = ZERO
    concession_value: sympy.Expr | None = None
    promised_cost: sympy.Expr | None = None
    breakdown_per_distrust: sympy.Expr = ZERO

    def to_promiser(self) -> tuple[sympy.Expr, sympy.Expr]:
        """What the concession is worth to ``by``, and what keeping the promise costs it.

        ``concession_value`` and ``promised_cost``, each defaulting to the
        recipient's value (a pure transfer).
        """
        return (
            self.concession if self.concession_value is None else self.concession_value,
            self.promised if self.promised_cost is None else self.promised_cost,
        )


RULES: tuple[str, ...] = ("unanimity", "majority", "veto")
"""The internal rules of a coalition (:class:`Coalition`)."""


@dataclass(frozen=True)
class Coalition:
    """Several parties that bargain as one player, with an internal rule and shares.

    Attributes
    ----------
    name
        The coalition's name (the key of ``[coalitions.NAME]``).
    members
        The member parties, in file order (at least two).
    rule
        How the coalition decides to sign (one of :data:`RULES`): ``"unanimity"``
        (every member must gain), ``"majority"`` (members holding more than half of
        the ``weights`` must gain) or ``"veto"`` (a majority and the ``veto`` member).
    shares
        Each member's share of the coalition's joint payoff, aligned with ``members``;
        expressions in the parameters that sum to one identically.
    weights
        Each member's vote, aligned with ``members`` (equal when not given).
    veto
        The member whose consent the ``"veto"`` rule needs, else ``None``.
    counterpart
        The party on the other side of the table (``None``: the one party outside the
        coalition; :func:`counterpart_of`).
    counterpart_payoff, counterpart_disagreement
        The counterpart's payoff from, and disagreement payoff against, each member
        separately, aligned with ``members``; they sum identically to the
        counterpart's payoff and disagreement. ``None``: split by ``shares``.
    description
        Free text.

    The derivation of the coalition's payoff and disagreement from these is in
    :mod:`bargain.coalitions` and ``docs/coalitions.md``.
    """

    name: str
    members: tuple[str, ...]
    shares: tuple[sympy.Expr, ...]
    rule: str = "unanimity"
    weights: tuple[sympy.Expr, ...] | None = None
    veto: str | None = None
    counterpart: str | None = None
    counterpart_payoff: tuple[sympy.Expr, ...] | None = None
    counterpart_disagreement: tuple[sympy.Expr, ...] | None = None
    description: str = ""

    def share(self, member: str) -> sympy.Expr:
        """The share of ``member`` (a member's name) in the coalition's joint payoff."""
        return dict(zip(self.members, self.shares, strict=True))[member]

    @property
    def votes(self) -> tuple[sympy.Expr, ...]:
        """The members' weights, equal (one each) when none were given."""
        return self.weights if self.weights is not None else (sympy.Integer(1),) * len(self.members)


@dataclass(frozen=True)
class Model:
    """An immutable symbolic bargaining model.

    Build one with :func:`bargain.model_from_dict` or :func:`bargain.load_model`;
    change parameter values with :meth:`with_values`.
    """

    name: str
    parameters: tuple[Parameter, ...]
    variables: tuple[Variable, ...]
    parties: tuple[Party, ...]
    constraints: tuple[Constraint, ...] = ()
    bargaining: Bargaining = field(default_factory=Bargaining)
    promises: tuple[Promise, ...] = ()
    delays: tuple[DelayTable, ...] = ()
    delay_theory: str = "reputation"
    coalitions: tuple[Coalition, ...] = ()
    title: str = ""
    period: str = "period"
    description: str = ""
    file: str | None = field(default=None, compare=False)
    payoff_unit: str = ""
    """What the payoffs are measured in and from (e.g. "$M over the contract, as gains
    over the pre-strike terms"); printed beside payoffs by :func:`bargain.brief`."""

    def __post_init__(self) -> None:
        # A model built in Python may hold strings and plain numbers: each goes
        # through the safe parser here, once, so no solver ever sees a string.
        for group, kind in _GROUPS:
            items = getattr(self, group)
            if not isinstance(items, tuple | list) or not all(isinstance(i, kind) for i in items):
                raise ModelError(f"must be a tuple of {kind.__name__}", file=self.file, table=group)
            coerced = tuple(self._coerced(i, f"{group}.{i.name}") for i in items)
            object.__setattr__(self, group, coerced)
        if not isinstance(self.bargaining, Bargaining):
            raise ModelError("must be a Bargaining", file=self.file, table="bargaining")
        object.__setattr__(self, "bargaining", self._coerced(self.bargaining, "bargaining"))
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str) and f.name != "file":  # the path it was read from
                _printable(value, file=self.file, table="model", key=f.name)
        for c in self.coalitions:
            _check_coalition(self, c)
        _one_coalition_each(self)

    def _coerced(self, item: _Item, table: str) -> _Item:
        """``item`` with every expression field (or tuple of expressions, such as
        ``focal_dates``) that is not yet sympy parsed safely."""

        def parsed(value: object, key: str) -> sympy.Basic:
            return as_expression(
                value,
                self.symbols,
                relational=key == "relation",
                file=self.file,
                table=table,
                key=key,
            )

        def matched(value: sympy.Basic, key: str) -> sympy.Basic:
            return self._matched(value, table, key)

        changes: dict[str, object] = {}
        for f in fields(item):
            value = getattr(item, f.name)
            if isinstance(value, str):
                _printable(value, file=self.file, table=table, key=f.name)
            if not ("sympy.Expr" in f.type or "Relational" in f.type):
                continue
            if value is None:
                if "None" not in f.type:  # a required expression: refused where it is
                    parsed(value, f.name)
                continue
            if f.type.startswith("tuple["):
                found = tuple(
                    matched(v, f.name) if isinstance(v, sympy.Basic) else parsed(v, f.name)
                    for v in value
                )
                if any(a is not b for a, b in zip(found, value, strict=True)):
                    changes[f.name] = found
            else:
                found = matched(value, f.name) if isinstance(value, sympy.Basic) else None
                if found is None or found is not value:
                    changes[f.name] = parsed(value, f.name) if found is None else found
        return replace(item, **changes) if changes else item

    def _matched(self, value: sympy.Basic, table: str, key: str) -> sympy.Basic:
        """A sympy expression given in Python, with each symbol replaced by the model's
        symbol of that name (``sympy.Symbol("x")`` and the model's real ``x`` are
        different symbols to sympy, the same name to a user); a name the model does not
        declare is refused here, not at solve time.

        Examples
        --------
        >>> m = Model("m", (), (Variable("x", ZERO, sympy.S.One),),
        ...           (Party("W", sympy.Symbol("x")), Party("A", 1 - sympy.Symbol("x"))))
        >>> m.parties[0].payoff == m.variables[0].symbol
        True
        >>> Model("m", (), (Variable("x", ZERO, sympy.S.One),),
        ...       (Party("W", sympy.Symbol("z")), Party("A", "1 - x")))
        Traceback (most recent call last):
        ...
        bargain.errors.ModelError: [parties.W] payoff: unknown name 'z' ...
        """
        if _deeper_than(value, TREE_DEPTH):
            raise ExpressionError(
                f"the sympy expression's tree is more than {TREE_DEPTH} levels deep (calls, "
                "powers, products and sums within one another): write it with fewer levels",
                file=self.file,
                table=table,
                key=key,
            )
        symbols = self.symbols
        free = _free_symbols(value)
        unknown = sorted({s.name for s in free} - set(symbols))
        if unknown:
            raise ModelError(
                f"unknown name{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(n) for n in unknown)} in the sympy expression {value}: "
                f"allowed names: {', '.join(sorted(symbols)) or '(none)'} (the model's "
                "parameters and contract variables, matched by name)",
                file=self.file,
                table=table,
                key=key,
            )
        swap = {s: symbols[s.name] for s in free if s != symbols[s.name]}
        return value.xreplace(swap) if swap else value

    @cached_property
    def symbols(self) -> dict[str, sympy.Symbol]:
        """The names expressions may use (parameters and contract variables), with their symbols."""
        return {q.name: q.symbol for q in (*self.parameters, *self.variables)}

    # -- lookup ---------------------------------------------------------------
    def party(self, name: str) -> Party:
        """The party called ``name``; a :class:`ModelError` lists the parties otherwise."""
        return self._named(self.parties, name, "party", "parties")

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name``; a :class:`ModelError` lists the parameters otherwise."""
        return self._named(self.parameters, name, "parameter", "parameters")

    def promise(self, name: str | None = None) -> Promise:
        """The promise called ``name``, or the only one when ``name`` is ``None``; a
        :class:`ModelError` names the promises otherwise."""
        return self._one(self.promises, name, "promise", "promises", "")

    def coalition(self, name: str | None = None) -> Coalition:
        """The coalition called ``name``, or the only one when ``name`` is ``None``; a
        :class:`ModelError` names the coalitions otherwise."""
        how = "; declare one as [coalitions.NAME] with members and shares"
        return self._one(self.coalitions, name, "coalition", "coalitions", how)

    def _named(self, items: tuple[_Item, ...], name: str, what: str, table: str) -> _Item:
        """The item of ``items`` called ``name``; else a :class:`ModelError` in ``[table]``
        listing them."""
        for item in items:
            if item.name == name:
                return item
        raise ModelError(
            f"unknown {what} {name!r}; the {table} are "
            f"{', '.join(i.name for i in items) or '(none)'}",
            file=self.file,
            table=table,
            key=name,
        )

    def _one(
        self, items: tuple[_Item, ...], name: str | None, what: str, table: str, how: str
    ) -> _Item:
        """The item called ``name`` (:meth:`_named`), or the only one when ``name`` is
        ``None``; the model having none (``how`` says how to declare one) or several is
        an error in ``[table]``."""
        if not items:
            raise ModelError(f"the model has no {table}{how}", file=self.file, table=table)
        if name is not None:
            return self._named(items, name, what, table)
        if len(items) > 1:
            raise ModelError(
                f"the model has several {table} ({', '.join(i.name for i in items)}); name one",
                file=self.file,
                table=table,
            )
        return items[0]

    @property
    def party_names(self) -> tuple[str, ...]:
        """Names of the parties, in file order."""
        return tuple(p.name for p in self.parties)

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """Names of the parameters, in file order."""
        return tuple(p.name for p in self.parameters)

    @property
    def variable_names(self) -> tuple[str, ...]:
        """Names of the contract variables, in file order."""
        return tuple(v.name for v in self.variables)

    @property
    def values(self) -> dict[str, sympy.Rational]:
        """Parameter values by name."""
        return {p.name: p.value for p in self.parameters}

    @cached_property
    def substitutions(self) -> dict[sympy.Symbol, sympy.Rational]:
        """Parameter values keyed by symbol, ready for ``expr.subs``."""
        return {p.symbol: p.value for p in self.parameters}

    # -- changing values ------------------------------------------------------
    def with_values(self, values: Mapping[str, Number] | None = None, **kwargs: Number) -> Model:
        """Return a copy of the model with some parameter values changed.

        Values outside a parameter's declared range are allowed (a range is
        where sweeps go, not a hard limit); unknown names are refused.

        Examples
        --------
        >>> import bargain
        >>> m = bargain.model_from_dict({
        ...     "model": {"name": "m"}, "parameters": {"V": 1.0},
        ...     "variables": {"x": {"min": 0, "max": "V"}},
        ...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "V - x"}}})
        >>> m.with_values(V=3).parameter("V").value
        3
        >>> m.with_values(c=1)
        Traceback (most recent call last):
        ...
        bargain.errors.ModelError: [parameters] c: unknown parameter 'c'; the parameters are V
        """
        new = dict(values or {}, **kwargs)
        for name in new:
            self.parameter(name)  # raises on unknown names
        params = tuple(
            replace(
                p,
                value=exact_number(new[p.name], table="parameters", key=p.name, file=self.file),
            )
            if p.name in new
            else p
            for p in self.parameters
        )
        return replace(self, parameters=params)

    def numeric(self, expr: sympy.Expr) -> sympy.Expr:
        """Substitute the parameter values into ``expr`` (a string is parsed safely); kept
        per expression, as the solvers ask for the same ones again and again (and, across
        models, per expression and the values of the parameters it contains)."""
        e = as_expression(expr, self.symbols)
        known = self._numeric.get(e)
        if known is None:
            values = self.substitutions
            used = frozenset((s, values[s]) for s in e.atoms(sympy.Symbol) if s in values)
            known = self._numeric[e] = _substituted(e, used)
        return known

    @cached_property
    def _numeric(self) -> dict[sympy.Expr, sympy.Expr]:
        """The expressions :meth:`numeric` has substituted, by expression."""
        return {}


TREE_DEPTH = 3 * MAX_DEPTH
"""The deepest tree a sympy expression given in Python may have: as deep as the parser's
deepest (:data:`~bargain.model.expr.MAX_DEPTH` levels of parentheses, calls, signs and
powers, each at most three levels of the tree: ``-(…)**2`` is ``Mul(-1, Pow(Add(…), 2))``),
so that a model read from a file and rebuilt at other values is never refused."""


@lru_cache(maxsize=8192)
def _deeper_than(value: sympy.Basic, limit: int) -> bool:
    """Whether ``value``'s tree is more than ``limit`` levels deep, walked without
    recursion (sympy's own walks recurse, and a tree 150 levels deep ran out of Python's
    stack when differentiated), kept per expression.

    >>> x = symbol("x")
    >>> deep = x
    >>> for _ in range(160):  # unevaluated: sympy would ask all the levels' assumptions
    ...     deep = sympy.exp(sympy.Add(deep, 1, evaluate=False), evaluate=False)
    >>> _deeper_than(deep, TREE_DEPTH), _deeper_than(x + 1, TREE_DEPTH)
    (True, False)
    """
    stack = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((arg, depth + 1) for arg in node.args)
    return False


@lru_cache(maxsize=8192)
def _free_symbols(value: sympy.Basic) -> frozenset[sympy.Symbol]:
    """``value.free_symbols``, kept per expression (sympy walks the tree at every call): a
    model at other values checks the same expressions' symbols again."""
    return frozenset(value.free_symbols)


@lru_cache(maxsize=4096)
def _substituted(
    expr: sympy.Expr, values: frozenset[tuple[sympy.Symbol, sympy.Expr]]
) -> sympy.Expr:
    """``expr`` with the parameter values ``values`` (those of its own symbols) substituted,
    kept per expression and values: models at other values of parameters ``expr`` does not
    contain (a brief's concepts at the same draws, a tornado's ends) share it."""
    return expr.xreplace(dict(values))


_GROUPS = (
    ("parameters", Parameter),
    ("variables", Variable),
    ("parties", Party),
    ("constraints", Constraint),
    ("promises", Promise),
    ("delays", DelayTable),
    ("coalitions", Coalition),
)
_Item = TypeVar(
    "_Item", Parameter, Variable, Party, Constraint, Promise, Coalition, Bargaining, DelayTable
)


def _check_coalition(model: Model, c: Coalition) -> None:
    """Refuse a coalition whose members, rule, veto, counterpart or shares do not fit
    ``model``; the error names ``[coalitions.NAME]`` and the key."""
    table = f"coalitions.{c.name}"

    def error(message: str, key: str) -> ModelError:
        return ModelError(message, file=model.file, table=table, key=key)

    parties = model.party_names
    if len(c.members) < 2:
        raise error(f"a coalition needs at least two members, got {len(c.members)}", "members")
    for m in c.members:
        if m not in parties:
            raise error(f"unknown party {m!r}; the parties are {', '.join(parties)}", "members")
    if len(set(c.members)) != len(c.members):
        raise error("a party is listed twice", "members")
    if c.name in parties:
        raise error(f"is also a party's name; name the coalition apart from {c.name!r}", "members")
    if c.rule not in RULES:
        raise error(f"unknown rule {c.rule!r}; the rules are {', '.join(RULES)}", "rule")
    if (c.rule == "veto") != (c.veto is not None):
        raise error('give veto = "MEMBER" with rule = "veto", and only then', "veto")
    if c.veto is not None and c.veto not in c.members:
        raise error(f"{c.veto!r} is not a member; the members are {', '.join(c.members)}", "veto")
    outside = [p for p in parties if p not in c.members]
    if not outside:
        raise error(
            "every party is a member: a coalition bargains with a party outside it", "members"
        )
    if c.counterpart is not None and c.counterpart not in outside:
        raise error(
            f"{c.counterpart!r} is not a party outside the coalition; those are "
            f"{', '.join(outside) or '(none)'}",
            "counterpart",
        )
    for key in ("shares", "weights", "counterpart_payoff", "counterpart_disagreement"):
        values = getattr(c, key)
        if values is not None and len(values) != len(c.members):
            raise error(f"needs one value per member ({', '.join(c.members)})", key)
    if not _vanishes(sum(c.shares) - 1):
        raise error(
            f"must sum to one for every parameter value, got {sum(c.shares)}; write one "
            "share as 1 minus the others",
            "shares",
        )
    for key, whole in (
        ("counterpart_payoff", "payoff"),
        ("counterpart_disagreement", "disagreement"),
    ):
        parts = getattr(c, key)
        if parts is None:
            continue
        total = getattr(model.party(counterpart_of(model, c)), whole)
        if not _vanishes(sum(parts) - total):
            raise error(f"must sum to the counterpart's {whole} ({total}), got {sum(parts)}", key)


@lru_cache(maxsize=256)
def _vanishes(expr: sympy.Expr) -> bool:
    """Whether ``sympy.simplify`` makes ``expr`` zero, kept per expression (a coalition's
    shares are checked again in every model at other values)."""
    return bool(sympy.simplify(expr) == 0)


def counterpart_of(model: Model, c: Coalition) -> str:
    """The party that coalition ``c`` bargains with: its ``counterpart``, else the one
    party of ``model`` outside it.

    Raises
    ------
    ModelError
        ``[coalitions.NAME] counterpart`` when it is not given and several parties are
        outside the coalition.
    """
    if c.counterpart is not None:
        return c.counterpart
    outside = [p for p in model.party_names if p not in c.members]
    if len(outside) != 1:
        raise ModelError(
            f"several parties are outside the coalition ({', '.join(outside)}); name the "
            "one it bargains with",
            file=model.file,
            table=f"coalitions.{c.name}",
            key="counterpart",
        )
    return outside[0]


def _one_coalition_each(model: Model) -> None:
    """Refuse a party that is a member of two coalitions."""
    seen: dict[str, str] = {}
    for c in model.coalitions:
        for m in c.members:
            if m in seen:
                raise ModelError(
                    f"{m!r} is already a member of coalition {seen[m]!r}; a party is in at "
                    "most one coalition",
                    file=model.file,
                    table=f"coalitions.{c.name}",
                    key="members",
                )
            seen[m] = c.name


@lru_cache(maxsize=4096)
def symbol(name: str) -> sympy.Symbol:
    """The sympy symbol ``bargain`` uses for a parameter or variable name (real-valued),
    kept per name (the solvers ask for each parameter's symbol at every solve; sympy would
    build an equal one again)."""
    return sympy.Symbol(name, real=True)


__all__ = [
    "DISTRIBUTIONS",
    "RULES",
    "Bargaining",
    "Coalition",
    "Constraint",
    "DelayTable",
    "Distribution",
    "Model",
    "Parameter",
    "Party",
    "Promise",
    "Variable",
    "accurate",
    "as_expression",
    "counterpart_of",
    "exact_number",
    "lambdify",
    "lambdify_each",
    "symbol",
]
