"""Checkpoints inside sympy: the work a step makes for itself, bounded by its size.

The work budget (:mod:`bargain.concepts.budget`) admits a step by the size of what it
is handed. Some of sympy's routines build, from a small input, something far larger,
and then work on that: the size of the input does not bound the work. Several routines do
it in the solves of this project, and a step passes through them, so each call is
checked here, against the limits of the step under way, before and after it runs:

- **roots** (``sympy.polys.polyroots.roots``, through which ``solve`` finds the zeros of
  every polynomial, of a Gröbner basis's last polynomial and of the binomial
  ``t**p - c`` of a Lambert-type solve): a polynomial of degree at most
  ``max_degree`` and ``max_ops`` operations; of the roots it returns, only those of
  at most ``max_ops`` operations are handed on (the others could not be evaluated
  within the budget anyway; :attr:`Watch.dropped` says why, for the step's reason
  if no closed form is found). The roots of a Lambert-type equation whose exponents hold
  ``1000/333`` are the 333 roots of a binomial, each one then rewritten by
  ``nsimplify`` and checked (9 s); the roots of an irreducible quartic are Ferrari's
  radicals (1,560 operations for ``V*(1/4 - (x/V - 3/10)**2*(x/V - 7/10)**2)/(x/V)``),
  which ``solve`` then substitutes into the rest of the system, simplifies and sorts
  (30 s). Both are declined where they are made.
- **Gröbner bases** (``sympy.groebner``, with which ``solve`` eliminates the unknowns
  of a polynomial system, and ``minimal_polynomial`` the algebraic numbers): a system
  whose Bézout number, the product of its polynomials' total degrees (a bound on the
  number of its isolated solutions, hence on the degree of the basis's last polynomial;
  Cox, Little & O'Shea, *Ideals, Varieties, and Algorithms*, 4th ed. 2015, §8.7,
  Theorem 8.7.7 and Exercise 8.7.16), is at most ``max_bezout``, and of at most
  ``max_ops`` operations.
- **solutions** (``sympy.solvers.solvers._solve_system``, the system solver of
  ``solve``): of the solutions it returns, only those of at most ``max_ops``
  operations are handed on, as for roots. ``solve`` sorts its solutions by
  ``default_sort_key``, which evaluates each one numerically: the linear solve of the
  Kalai–Smorodinsky system of ``x/(1 - x)`` against ``sqrt(1 - x)`` built solutions of
  over 6,400 nodes, whose sorting took over 10 s (the safety net ran out).
- **combining logarithms** (``sympy.logcombine``, which ``solve`` applies to a
  transcendental equation): no logarithm with a rational coefficient above
  ``max_degree`` (in numerator or denominator), which combining raises into a power:
  ``1000 log(x + 1/2000)`` became a polynomial of degree 1000 to factor (10 s), and
  the equation left by freeing ``(1 - x)**(9/10)`` of its radical has coefficients of
  13 digits, whose powers of numbers never finished.
- **freeing of radicals** (``unrad``, with which ``solve`` raises an equation to powers
  until no radical is left): the equation it returns has numbers of at most
  ``max_digits`` digits and at most ``max_ops`` operations, the limits of a step's input.
- **calls**: at most ``max_calls`` root, Gröbner and system computations in one step
  (each solution of a system is substituted back and the rest solved again: the number
  of calls grows with the number of branches).
- **chance**: sympy's random generator, from which its multivariate factorisation
  draws evaluation points, is seeded the same at the start of every step
  (:func:`watched`), so that a step's work does not vary from run to run.

A refusal raises :class:`Declined` (not an ``Exception``, so that no ``except
Exception`` inside sympy swallows it), which the budget turns into its ``declined``
reason. Outside a step the checkpoints do nothing: the wrappers are installed into
sympy's modules on the first step (:func:`watched`) and pass every call through
unchanged when no step is under way, so that sympy used elsewhere is not affected.

Examples
--------
>>> import sympy
>>> x = sympy.Symbol("x")
>>> limits = Watch(max_degree=24, max_ops=400, max_bezout=24, max_calls=100, max_digits=15)
>>> with watched(limits):
...     sympy.solve(x**2 - 2, x)
[-sqrt(2), sqrt(2)]
>>> try:
...     with watched(limits):
...         sympy.solve(x**333 - 2, x)
... except Declined as why:
...     print(why)
roots of a polynomial of degree 333 (at most 24)
"""

from __future__ import annotations

import contextlib
import functools
import math
import sys
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sympy
from sympy.core import random as sympy_random
from sympy.polys.polyerrors import PolynomialError
from sympy.polys.polyroots import roots as _sympy_roots
from sympy.polys.polytools import groebner as _sympy_groebner
from sympy.simplify.simplify import logcombine as _sympy_logcombine
from sympy.solvers.solvers import _solve_system as _sympy_solve_system
from sympy.solvers.solvers import unrad as _sympy_unrad

from bargain.model.model import as_expression

NODES_PER_OP = 16  # tree nodes per operation beyond which an expression is not measured
SEED = 0  # sympy's random generator, at the start of every step


def nodes(exprs: Iterable[Any], cap: int) -> int:
    """The nodes of the expression trees of ``exprs``, counted up to ``cap + 1`` only: a
    measure that costs no more than ``cap`` however large the expressions (each node
    but an atom carries at least one of ``sympy.count_ops``'s operations, and an atom
    is an argument of one: a tree has at most about three nodes per operation, so that
    more than :data:`NODES_PER_OP` per operation allowed is more operations than allowed).

    >>> x = sympy.Symbol("x")
    >>> nodes([x**2 + 1], 100), nodes([sympy.Add(*(x**k for k in range(1, 1000)))], 100)
    (5, 101)
    """
    n = 0
    for e in exprs:
        for _ in sympy.preorder_traversal(as_expression(e)):
            n += 1
            if n > cap:
                return n
    return n


def digits(exprs: Iterable[sympy.Expr]) -> int:
    """The most decimal digits of a numerator or denominator of a rational in ``exprs``.

    >>> digits([sympy.Rational(9, 10) * sympy.Symbol("a")])
    2
    """
    bits = max(
        (
            max(abs(int(r.p)).bit_length(), int(r.q).bit_length())
            for e in exprs
            for r in as_expression(e).atoms(sympy.Rational)
        ),
        default=0,
    )
    return math.floor(bits * math.log10(2)) + 1


class Declined(BaseException):
    """A checkpoint refused the step under way; the argument says why."""


@dataclass
class Watch:
    """The limits of one step at sympy's checkpoints, and the calls made so far."""

    max_degree: int
    max_ops: int
    max_bezout: int
    max_calls: int
    max_digits: int
    calls: int = field(default=0, init=False)
    dropped: str | None = field(default=None, init=False)

    def call(self) -> None:
        """Count one checkpoint; refuse beyond :attr:`max_calls`."""
        self.calls += 1
        if self.calls > self.max_calls:
            raise Declined(f"more than {self.max_calls} root or Gröbner computations in one step")

    def size(self, what: str, exprs: Any) -> None:
        """Refuse ``exprs`` (``what`` they are) if together they have more than
        :attr:`max_ops` operations, or too many nodes to count them."""
        if not self.fits(what, exprs):
            raise Declined(self.dropped)

    def fits(self, what: str, exprs: Any) -> bool:
        """Whether ``exprs`` (``what`` they are) have at most :attr:`max_ops` operations
        together; if not, why is kept as :attr:`dropped`."""
        cap = NODES_PER_OP * self.max_ops
        exprs = list(exprs)
        if nodes(exprs, cap) > cap:
            self.dropped = f"{what} of more than {self.max_ops} operations (over {cap} nodes)"
            return False
        if (ops := sum(int(sympy.count_ops(e)) for e in exprs)) > self.max_ops:
            self.dropped = f"{what} of {ops} operations (at most {self.max_ops})"
            return False
        return True


_ACTIVE: ContextVar[Watch | None] = ContextVar("bargain_checkpoints", default=None)


def _poly(f: Any, gens: tuple) -> sympy.Poly | None:
    """``f`` as a polynomial in ``gens`` (its own, if none), as ``roots`` and ``groebner``
    read it; ``None`` where it is not one (the routine then reports that itself)."""
    try:
        if isinstance(f, sympy.Poly):
            return sympy.Poly(f.as_expr(), *gens) if gens else f
        return sympy.Poly(f, *gens)
    except (PolynomialError, sympy.GeneratorsNeeded, TypeError, ValueError):
        return None


def _roots(f: Any, *gens: Any, **flags: Any) -> Any:
    """``sympy.roots``, checked: the polynomial's degree and size, then each root's size."""
    watch = _ACTIVE.get()
    if watch is None:
        return _sympy_roots(f, *gens, **flags)
    watch.call()
    given = f.as_expr() if isinstance(f, sympy.Poly) else f
    if isinstance(given, list | tuple):
        # The polynomial's coefficients (sympy's quartic formula passes its resolvent cubic
        # so): their sizes, and its degree one less than their number.
        sizes, deg = list(given), len(given) - 1
    else:
        poly = _poly(f, gens)
        sizes, deg = [given], None if poly is None else max(poly.degree_list(), default=0)
    watch.size("a polynomial to find the roots of", sizes)
    if deg is not None and deg > watch.max_degree:
        raise Declined(f"roots of a polynomial of degree {deg} (at most {watch.max_degree})")
    found = _sympy_roots(f, *gens, **flags)  # a dict (root: multiplicity) or a list
    kept = [r for r in found if watch.fits("roots", [r])]
    if len(kept) == len(found):
        return found
    return {r: found[r] for r in kept} if isinstance(found, dict) else kept


def _groebner(F: Any, *gens: Any, **args: Any) -> Any:
    """``sympy.groebner``, checked: the system's Bézout number and size."""
    watch = _ACTIVE.get()
    if watch is None:
        return _sympy_groebner(F, *gens, **args)
    watch.call()
    polys = [_poly(f, gens) for f in F]
    if all(p is not None for p in polys):
        bezout = math.prod(max(p.total_degree(), 1) for p in polys)
        if bezout > watch.max_bezout:
            raise Declined(
                f"a polynomial system of Bézout number {bezout} (at most {watch.max_bezout})"
            )
        watch.size("a polynomial system", [p.as_expr() for p in polys])
    return _sympy_groebner(F, *gens, **args)


def _solve_system(exprs: Any, symbols: Any, **flags: Any) -> Any:
    """``sympy.solvers.solvers._solve_system``, checked: of the solutions it returns, only
    those of at most ``max_ops`` operations are handed on to ``solve``, which sorts them
    by evaluating each one (``default_sort_key``)."""
    watch = _ACTIVE.get()
    if watch is None:
        return _sympy_solve_system(exprs, symbols, **flags)
    linear, found = _sympy_solve_system(exprs, symbols, **flags)
    return linear, [s for s in found if watch.fits("a solution", list(s.values()))]


def _logcombine(expr: Any, force: bool = False) -> Any:
    """``sympy.logcombine``, checked: no logarithm whose rational coefficient has a
    numerator or denominator above ``max_degree``, which combining raises into a power of
    its argument (``solve`` combines the terms ``6131066257801 c**10 x**10 log(x + 9/10)``
    of an equation freed of the radical ``(1 - x)**(9/10)``: powers of numbers with
    trillions of digits, unbounded)."""
    watch = _ACTIVE.get()
    if watch is not None and isinstance(expr, sympy.Basic):
        n = max(
            (
                max(abs(c.p), c.q)
                for term in expr.atoms(sympy.Mul)
                if term.has(sympy.log) and (c := term.as_coeff_Mul()[0]).is_Rational
            ),
            default=0,
        )
        if n > watch.max_degree:  # the largest, whatever the order of the terms
            raise Declined(
                f"a logarithm to combine into a power of degree {n} (at most {watch.max_degree})"
            )
    return _sympy_logcombine(expr, force=force)


def _unrad(eq: Any, *syms: Any, **flags: Any) -> Any:
    """``sympy.solvers.solvers.unrad``, checked: the equation it returns, freed of
    radicals by raising to powers, has numbers of at most ``max_digits`` digits and at
    most ``max_ops`` operations, as a step's input must (freeing
    ``c (19 x + 20 log(x + 9/10)) - (1 - x)**(9/10)`` of its radical raises the logarithm
    to the 10th power, with coefficients of 16 digits, which ``solve`` then worked on for
    10 s without a closed form)."""
    found = _sympy_unrad(eq, *syms, **flags)
    watch = _ACTIVE.get()
    if watch is not None and found is not None:
        freed = found[0]
        watch.size("an equation freed of radicals", [freed])
        if (n := digits([freed])) > watch.max_digits:
            raise Declined(
                f"an equation freed of radicals with a number of {n} digits (at most "
                f"{watch.max_digits})"
            )
    return found


_CHECKPOINTS: tuple[tuple[str, Callable, Callable], ...] = (
    ("roots", _sympy_roots, _roots),
    ("logcombine", _sympy_logcombine, _logcombine),
    ("unrad", _sympy_unrad, _unrad),
    ("groebner", _sympy_groebner, _groebner),
    ("_solve_system", _sympy_solve_system, _solve_system),
)


@functools.cache
def _install() -> None:
    """Put the checked routines in place of sympy's in every sympy module that holds
    them (once; a module imported later takes them from one already changed)."""
    for name, original, checked in _CHECKPOINTS:
        for module_name, module in list(sys.modules.items()):
            if module_name.split(".")[0] == "sympy" and getattr(module, name, None) is original:
                setattr(module, name, checked)


@contextlib.contextmanager
def watched(watch: Watch) -> Iterator[Watch]:
    """Check sympy's work against ``watch`` inside the block (one step), with sympy's
    random generator seeded the same for every step (and restored after it).

    sympy factors a polynomial in several symbols (``roots`` does, before it looks for
    roots) by Wang's algorithm, at evaluation points drawn from that generator: the
    same polynomial of the WGA pattern model took 0.2 s or minutes from one run to the
    next. Seeded, a step does the same work on every run and every machine.

    >>> from sympy.core.random import rng
    >>> limits = Watch(max_degree=24, max_ops=400, max_bezout=16, max_calls=50, max_digits=15)
    >>> draws = []
    >>> for _ in range(2):
    ...     with watched(limits):
    ...         draws.append(rng.random())
    >>> draws[0] == draws[1]
    True
    """
    _install()
    state = sympy_random.rng.getstate()
    sympy_random.rng.seed(SEED)
    token = _ACTIVE.set(watch)
    try:
        yield watch
    finally:
        _ACTIVE.reset(token)
        sympy_random.rng.setstate(state)


__all__ = ["NODES_PER_OP", "Declined", "Watch", "nodes", "watched"]
