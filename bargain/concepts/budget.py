"""The exact route's budget: a closed form is attempted within a bound on *work*, not time.

Every solver first finds its answer numerically and then, with ``exact=True``,
looks for a closed form with sympy (``sympy.solve``, evaluation in 30 digits,
``sympy.simplify``). sympy has no bound of its own on any of these: a discount
rate of ``0.0001`` turns ``exp(r)`` into a polynomial generator of degree
10,000, and a strike payoff written as ``0.021072103131565264`` into rationals
of nineteen digits, and either can keep it busy for minutes. Whether an answer
is exact must not depend on how busy the machine is, so each step of the exact
route is admitted or declined by the size of what it is handed:

- **operations**: ``sympy.count_ops`` of the expressions, at most
  :data:`MAX_OPS` (:data:`MAX_TIDY_OPS` for simplification, which grows
  fastest), and for a system, times its number of unknowns, at most
  :data:`MAX_SYSTEM_OPS` (elimination swells symbolic coefficients: a
  Kalai–Smorodinsky system of four unknowns, 92 operations and nine
  parameters ran for over ten seconds); an expression whose tree has more than
  :data:`NODES_PER_OP` nodes per operation allowed is declined without being
  counted (:func:`nodes` stops there; counting the 327,346 operations of a
  linear solve's answer took 6 s, and a tree of shared subtrees can be
  exponentially larger than its memory);
- **digits**: the numerator and denominator of every rational, at most
  :data:`MAX_DIGITS` digits (a float's full ``repr`` has 17);
- **degree**: as a polynomial in the generators sympy would use, at most
  :data:`MAX_DEGREE` (``exp(501/10000)`` is ``exp(1/10000)**501``: degree 501);
  for a system, in the generators that contain an unknown (a parameter's power,
  ``delta_W**10000``, is a coefficient to the solver);
- **transcendence**: a system in which an unknown appears inside ``exp``,
  ``log``, a trigonometric or hyperbolic function, ``LambertW`` or an
  exponent is attempted only with one such unknown and at most
  :data:`MAX_TRANSCENDENTAL_OPS` operations (sympy's ``_tsolve`` is slow and
  rarely succeeds beyond that: the alternating-offers game on a CARA
  frontier, two such unknowns, took seconds to find nothing);
- **steps**: at most :data:`MAX_STEPS` admitted steps in one solve;
- **complex roots**: a candidate holding a complex (non-real) root of a polynomial of
  degree above :data:`MAX_COMPLEX_ROOT_DEGREE` is not evaluated (no contract is
  complex; isolating one such root of degree 14 took 9 s);
- **inside a step**, what sympy builds for itself from a small input
  (:mod:`bargain.concepts.checkpoints`): the roots it looks for, of a polynomial
  of degree at most :data:`MAX_DEGREE` and :data:`MAX_OPS` operations, and of
  its roots only those of at most :data:`MAX_OPS` operations (a Lambert-type equation whose exponent
  holds ``1000/333`` asks for the 333 roots of a binomial, each then rewritten
  and checked: 9 s; a quartic's radicals, 1,560 operations, are substituted
  into the rest of the system, simplified and sorted: 30 s); a Gröbner basis,
  of a system whose Bézout number (the product of its polynomials' total
  degrees, a bound on its number of solutions) is at most :data:`MAX_BEZOUT`,
  of at most :data:`MAX_OPS` operations; of a system's solutions, only those of at
  most :data:`MAX_OPS` operations (``solve`` sorts them by evaluating each: over 10 s
  for the solutions of a Kalai–Smorodinsky system with a pole); and at most
  :data:`MAX_CHECKPOINTS` of these in one step. Each is checked where sympy makes
  it, before its result is substituted, checked, sorted, simplified or evaluated.
  Every step runs with sympy's random generator seeded the same (its multivariate
  factorisation draws from it, and took 0.2 s or minutes on the same polynomial from
  run to run).

A :class:`Budget` lives for one solve, end to end (:func:`exact_budget`: the
solver's entry point opens it and every routine below joins it). When a step
is declined the exact route gives up and the numeric answer stands; the
solution says why in its ``route`` (:attr:`Budget.declined`). A limit on the
CPU time of the solve's exact steps (the solvers' ``timeout``) remains only as
a last safety net behind the work bounds: CPU time, not wall time, so
that a busy machine, which stretches wall time, cannot change an answer (it
needs the main thread; elsewhere the work bounds alone apply); and the exact steps'
time alone (:attr:`Budget.spent`), not the numeric search's, so that a slow numeric
search cannot leave the closed form no time (``x**50`` against ``0.5*(1 - x)**50``
spent 11 s in trust-constr and COBYQA, and the exact route then found the net run out
before its first step). The bounds are
set so that every exact attempt on the shipped models is decided by them in
well under the net (about 2 s of CPU time per solve at most, with the net off;
see ``benchmarks/solve_budget.py``): a solve whose route says ``the 10 s
safety limit ran out`` is a bound missing here.

Examples
--------
>>> import sympy
>>> x = sympy.Symbol("x", real=True)
>>> with exact_budget(10.0) as budget:
...     budget.solve([x**2 - 2], [x])
[{x: -sqrt(2)}, {x: sqrt(2)}]
>>> budget = Budget()
>>> budget.solve([x - sympy.Rational("0.021072103131565264")], [x]), budget.declined
([], 'a number of 17 digits (at most 15)')
>>> budget.tidy(sympy.exp(sympy.Rational(501, 10000)) - 1)
-1 + exp(501/10000)
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import signal
import threading
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

import sympy

from bargain.concepts.checkpoints import NODES_PER_OP, Declined, Watch, digits, nodes, watched
from bargain.errors import ModelError
from bargain.model.model import as_expression

MAX_OPS = 400  # operations (sympy.count_ops) handed to one step
MAX_TIDY_OPS = 120  # ... to one simplification
MAX_DIGITS = 15  # digits of a rational's numerator or denominator
MAX_DEGREE = 24  # degree in one polynomial generator
MAX_STEPS = 300  # admitted steps in one solve
MAX_TRANSCENDENTAL_OPS = 40  # operations of a system transcendental in its unknown
MAX_SYSTEM_OPS = 240  # operations times unknowns of a system to solve
MAX_BEZOUT = 16  # Bézout number of a polynomial system handed to a Gröbner basis
MAX_CHECKPOINTS = 50  # root and Gröbner computations inside one step
MAX_COMPLEX_ROOT_DEGREE = 4  # degree above which a complex (non-real) root is not evaluated
SAFETY_SECONDS = 10.0  # the CPU-time safety net of one solve's exact steps, by default
KEPT_STEPS = 1024  # exact steps kept with their results (Budget._run)

T = TypeVar("T")
_KEPT: dict[tuple[Hashable, tuple[int, ...]], tuple[Any, str | None]] = {}
F = TypeVar("F", bound=Callable[..., Any])


class _Timeout(BaseException):
    """Raised inside sympy when the safety limit runs out (not an Exception, so that no
    ``except Exception`` inside sympy swallows it)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` of the process's CPU time with
    :class:`_Timeout` (``ITIMER_PROF``: user and system time, which the machine's load
    does not stretch; main thread only, elsewhere the block runs without a limit)."""
    if not 0 < seconds < math.inf or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        raise _Timeout

    old = signal.signal(signal.SIGPROF, handler)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)


_TRANSCENDENTAL = (
    sympy.exp,
    sympy.log,
    sympy.LambertW,
    sympy.functions.elementary.trigonometric.TrigonometricFunction,
    sympy.functions.elementary.trigonometric.InverseTrigonometricFunction,
    sympy.functions.elementary.hyperbolic.HyperbolicFunction,
)


def transcendental(exprs: Iterable[sympy.Expr], unknowns: Iterable[sympy.Symbol]) -> set:
    """The ``unknowns`` that appear inside a transcendental function or an exponent.

    >>> x, y, a = sympy.symbols("x y a")
    >>> sorted(transcendental([sympy.exp(-a * x) + y**2, 2**y], [x, y]), key=str)
    [x, y]
    >>> transcendental([sympy.sqrt(1 - x) + sympy.exp(a)], [x])
    set()
    """
    wanted = set(unknowns)
    found: set = set()
    for e in exprs:
        for node in sympy.preorder_traversal(as_expression(e)):
            if isinstance(node, _TRANSCENDENTAL):
                found |= node.free_symbols & wanted
            elif node.is_Pow:
                found |= node.exp.free_symbols & wanted
    return found


def degree(exprs: Iterable[sympy.Expr], among: Iterable[sympy.Symbol] = ()) -> int:
    """The largest degree of ``exprs`` in one polynomial generator, as sympy's polynomial
    routines see them: ``b**(p/q)`` and ``exp(p/q * y)`` are powers of ``b**(1/L)`` and
    ``exp(y/L)``, ``L`` the least common denominator of the exponents of that base. With
    ``among`` (a system's unknowns), only the generators that contain one of them, and
    the roots of rational numbers: sympy's solvers work in the algebraic number field
    they generate, of degree up to the product of their ``L`` (``0.9**(1/1000)`` in the
    equations takes minutes to build its field, and the fourth roots of 2, 3 and 5
    together seconds).

    >>> degree([sympy.exp(sympy.Rational(501, 10000)) - sympy.exp(sympy.Rational(1, 20))])
    501
    >>> y = sympy.Symbol("y")
    >>> degree([y**3 + sympy.sqrt(y), sympy.exp(-y)])
    6
    >>> x = sympy.Symbol("x")
    >>> degree([y**10000 * x**2 - 1], among=[x]), degree([y**10000 * x**2 - 1])
    (2, 10000)
    >>> degree([sympy.Rational(9, 10) ** sympy.Rational(1, 1000) * x - 1], among=[x])
    500000
    >>> degree([(sympy.root(2, 4) + sympy.root(3, 4) + sympy.root(5, 4)) * x - 1], among=[x])
    64
    """
    wanted = set(among)
    exponents: dict[sympy.Expr, list[sympy.Rational]] = {}
    for e in exprs:
        for node in sympy.preorder_traversal(as_expression(e)):
            if isinstance(node, sympy.exp):
                c, rest = node.args[0].as_coeff_Mul()
                base, power = (sympy.exp(rest), c) if c.is_Rational else (node, sympy.Integer(1))
            elif node.is_Pow and node.exp.is_Rational:
                base, power = node.base, node.exp
            else:
                continue
            if not wanted or base.free_symbols & wanted or base.is_Rational:
                exponents.setdefault(base, []).append(power)
    out = field = 1
    for base, powers in exponents.items():
        common = math.lcm(*(int(p.q) for p in powers))
        out = max(out, int(max(abs(p) for p in powers) * common))
        if base.is_Rational:
            field *= common  # the roots of several numbers generate one field together
    return max(out, field)


def _number_powers(expr: sympy.Expr) -> set[sympy.Expr]:
    """The powers in ``expr`` of a number to an exponent that is not one (``2**x``)."""
    return {p for p in expr.atoms(sympy.Pow) if p.base.is_Number and not p.exp.is_Number}


MAX_EXACT_EXPONENT = 4096
"""The largest exponent of a rational number's power computed exactly: ``(19/10)**S`` at
``S = 1e9`` is a rational of a billion digits."""


def huge_power(expr: sympy.Expr, subs: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
    """Whether substituting ``subs`` into ``expr`` would compute a rational number to a
    power above :data:`MAX_EXACT_EXPONENT` exactly (a number to a symbol's power, the
    symbol valued beyond it), or a root of a degree above it (``x**(2**-45)``, ``x`` valued
    a rational, or a formula with a rational factor: sympy seeks the root of degree
    ``2**45`` of each number it can take out of the base exactly): work without bound,
    which sympy does on substitution.

    >>> S, x = sympy.Symbol("S"), sympy.Symbol("x")
    >>> huge_power(sympy.Rational(19, 10) ** S, {S: sympy.Integer(10**9)})
    True
    >>> huge_power(sympy.Rational(19, 10) ** S, {S: sympy.Integer(100)})
    False
    >>> root, k = x ** sympy.Rational(1, 2**45), sympy.Symbol("k")
    >>> huge_power(root, {x: 1 / (2**45 * k + 1)}), huge_power(sympy.sqrt(x), {x: 3})
    (True, False)
    """
    subs = dict(subs)
    for p in _number_powers(expr):
        exponent = p.exp.xreplace(subs)
        if exponent.is_Number and abs(exponent) > MAX_EXACT_EXPONENT:
            return True
    return any(
        p.exp.is_Rational and p.exp.q > MAX_EXACT_EXPONENT and p.base.free_symbols & set(subs)
        for p in expr.atoms(sympy.Pow)
    )


@dataclass
class Budget:
    """The work the exact route may do in one solve (see the module docstring).

    Attributes
    ----------
    seconds
        The safety net for the solve's exact steps together, in seconds of the
        process's CPU time spent in them; 0 (or less) for none, so that the work bounds
        alone decide (the docs build asks for this where it needs a formula).
    steps
        Steps admitted so far.
    spent
        CPU seconds spent in exact steps so far (a kept step costs none).
    declined
        Why the exact route last gave up (``None`` while it has not).
    """

    seconds: float = SAFETY_SECONDS
    max_ops: int = MAX_OPS
    max_tidy_ops: int = MAX_TIDY_OPS
    max_digits: int = MAX_DIGITS
    max_degree: int = MAX_DEGREE
    max_steps: int = MAX_STEPS
    steps: int = field(default=0, init=False)
    declined: str | None = field(default=None, init=False)
    spent: float = field(default=0.0, init=False)

    def _left(self) -> float:
        """CPU seconds left to the exact steps (infinite with no safety net: a limit of 0
        or less means the work bounds alone decide)."""
        return self.seconds - self.spent if self.seconds > 0 else math.inf

    def admits(
        self,
        exprs: Sequence[sympy.Expr],
        *,
        max_ops: int | None = None,
        unknowns: Sequence[sympy.Symbol] = (),
        record: bool = True,
        by_degree: bool = True,
    ) -> bool:
        """Whether a step on ``exprs`` (solving for ``unknowns``, if any) is within the
        budget; it then counts as a step. With ``record``, a refusal is kept as
        :attr:`declined`; without ``by_degree``, the degree is not bounded (a step for
        which a high degree costs nothing, such as evaluating a number)."""
        limit = self.max_ops if max_ops is None else max_ops
        if nodes(exprs, NODES_PER_OP * limit) > NODES_PER_OP * limit:
            # Too large even to measure: counting its operations would cost more than a
            # step may (a linear solve's 327,346 operations took 6 s to count).
            if record:
                self.declined = (
                    f"expressions of more than {limit} operations (over "
                    f"{NODES_PER_OP * limit} nodes)"
                )
            return False
        why = None
        hard = transcendental(exprs, unknowns)
        if hard:
            limit = min(limit, MAX_TRANSCENDENTAL_OPS)
        if len(hard) > 1:
            why = f"{len(hard)} unknowns inside transcendental functions (at most 1)"
        elif self.steps >= self.max_steps:
            why = f"more than {self.max_steps} exact steps"
        elif (ops := sum(int(sympy.count_ops(e)) for e in exprs)) > limit:
            what = "a transcendental system" if hard else "expressions"
            why = f"{what} of {ops} operations (at most {limit})"
        elif ops * len(unknowns) > MAX_SYSTEM_OPS:
            why = (
                f"a system of {len(unknowns)} unknowns and {ops} operations (at most "
                f"{MAX_SYSTEM_OPS} operations times unknowns)"
            )
        elif (n := digits(exprs)) > self.max_digits:
            why = f"a number of {n} digits (at most {self.max_digits})"
        elif by_degree and (d := degree(exprs, unknowns)) > self.max_degree:
            why = f"a polynomial of degree {d} (at most {self.max_degree})"
        elif self.ran_out():
            why = f"the {self.seconds:g} s safety limit ran out"
        if why is None:
            self.steps += 1
            return True
        if record:
            self.declined = why
        return False

    @property
    def limits(self) -> tuple[int, ...]:
        """The work bounds (not the safety net), the budget's own and the module's, read
        when asked: with :attr:`steps`, all that decides what an exact step is admitted,
        unless the safety net has run out (:meth:`ran_out`)."""
        return (
            self.max_ops,
            self.max_tidy_ops,
            self.max_digits,
            self.max_degree,
            self.max_steps,
            MAX_TRANSCENDENTAL_OPS,
            MAX_SYSTEM_OPS,
            MAX_BEZOUT,
            MAX_CHECKPOINTS,
            NODES_PER_OP,
        )

    def ran_out(self) -> bool:
        """Whether the safety net's time has run out: until it has, the work bounds alone
        decided, so the same work from the same state gives the same answer. Only the
        exact steps' time counts, not the numeric work between them.

        >>> unlimited, brief = Budget(seconds=0), Budget(seconds=1e-4)
        >>> _ = sum(range(10**6))  # numeric work: not the exact route's
        >>> brief.ran_out()
        False
        >>> _ = [b.attempt(lambda: sum(range(10**6))) for b in (unlimited, brief)]
        >>> unlimited.ran_out(), brief.ran_out()
        (False, True)
        """
        return self._left() <= 0

    def _run(
        self, step: Callable[[], T], record: bool = True, key: Hashable | None = None
    ) -> T | None:
        """Run an admitted step with sympy's checkpoints watched
        (:mod:`bargain.concepts.checkpoints`) and under the safety net; ``None`` if a
        checkpoint declines it, it fails or it runs out.

        A step named by ``key`` (what it is handed) is kept, with why it was declined, for
        the next step of the same ``key`` under the same work bounds (:attr:`limits`), the
        :data:`KEPT_STEPS` most recent: the work bounds and the seeded random generator
        alone decide it, so its result is the same (a calibration inverts the same
        formula at every observed value, a test solves the same model many times). A step
        the safety net stopped is not kept: a time, not a work bound, decided it."""
        kept = None if key is None else (key, self.limits)
        if kept is not None and kept in _KEPT:
            out, reason = _KEPT[kept] = _KEPT.pop(kept)  # the most recent last
        else:
            watch = Watch(
                max_degree=self.max_degree,
                max_ops=self.max_ops,
                max_bezout=MAX_BEZOUT,
                max_calls=MAX_CHECKPOINTS,
                max_digits=self.max_digits,
            )
            reason: str | None = None
            start = time.process_time()
            try:
                with time_limit(self._left()), watched(watch):
                    out = step()
                reason = watch.dropped  # the reason, should no closed form be found
            except Declined as why:
                out, reason = None, str(why)
            except _Timeout:
                if record:
                    self.declined = f"the {self.seconds:g} s safety limit ran out"
                return None
            except (
                NotImplementedError,
                ValueError,
                TypeError,
                ZeroDivisionError,
                RecursionError,
                OverflowError,
            ):
                out = None
            finally:
                self.spent += time.process_time() - start
            if kept is not None:
                _KEPT[kept] = (out, reason)
                while len(_KEPT) > KEPT_STEPS:
                    del _KEPT[next(iter(_KEPT))]
        if record and reason is not None:
            self.declined = reason
        return out

    def solve(
        self, equations: Sequence[sympy.Expr], unknowns: Sequence[sympy.Symbol]
    ) -> list[dict[sympy.Symbol, sympy.Expr]]:
        """``sympy.solve`` for ``unknowns``: no candidates when the step is declined, sympy
        gives up or fails (no closed form, never an error)."""
        if not self.admits(equations, unknowns=unknowns):
            return []
        named, back = _floats_named(equations)

        def step() -> list[dict[sympy.Symbol, sympy.Expr]]:
            found = sympy.solve(named, list(unknowns), dict=True, check=False, simplify=False)
            return [{k: v.xreplace(back) for k, v in s.items()} for s in found]

        key = ("solve", tuple(as_expression(e) for e in equations), tuple(unknowns))
        return [dict(s) for s in self._run(step, key=key) or []]

    def evaluate(self, expr: sympy.Expr, subs: Mapping[sympy.Symbol, sympy.Expr]) -> complex | None:
        """``expr`` at ``subs`` in 30 digits; ``None`` when declined or not a number.
        (The values substituted may have many digits, and the powers be high
        (``delta**10000``): evaluating is cheap in both.)"""
        expr = as_expression(expr)
        if not self.admits([expr], by_degree=False) or huge_power(expr, subs):
            return None
        if any(
            r.poly.degree() > MAX_COMPLEX_ROOT_DEGREE and r.is_real is False
            for r in expr.atoms(sympy.CRootOf)
        ):
            # A complex root of a polynomial of degree 14 took 9 s to isolate (a real one,
            # milliseconds): no contract is complex, so it is no candidate either.
            return None
        return self._run(lambda: complex(sympy.N(expr.xreplace(dict(subs)), 30)))

    def tidy(
        self, expr: sympy.Expr, measure: Callable[[sympy.Expr], int] | None = None
    ) -> sympy.Expr:
        """``sympy.simplify`` (by ``measure`` if given) where the budget allows; else, or if
        it fails, or if it writes a number to a power that is not a number which ``expr``
        did not have (``S log(19/10)`` as ``log((19/10)**S)``, whose value at ``S = 1e9``
        is work without bound), ``expr`` as it is (still exact, only untidy).

        >>> S = sympy.Symbol("S", positive=True)
        >>> Budget().tidy(S * sympy.log(sympy.Rational(19, 10)))
        S*log(19/10)
        """
        expr = as_expression(expr)
        if plain(expr):
            return expr  # nothing to simplify (and simplify's import of units is spared)
        if not self.admits([expr], max_ops=self.max_tidy_ops, record=False):
            return expr
        kwargs = {} if measure is None else {"measure": measure}
        (named,), back = _floats_named([expr])
        named, logs = _logs_named(named)
        back = {**back, **logs}
        out = self._run(
            lambda: sympy.simplify(named, **kwargs).xreplace(back),
            record=False,
            key=("tidy", expr, measure),
        )
        if out is None or _number_powers(out) - _number_powers(expr):
            # simplify writes S log(19/10) as log((19/10)**S): at S = 1e9 that is a rational
            # of a billion digits, computed whole by any substitution (a hang).
            return expr
        return out

    def cancel(self, expr: sympy.Expr) -> sympy.Expr:
        """``sympy.cancel`` (one fraction, common factors cancelled) where the budget allows
        a simplification; else, or if it fails, ``expr`` as it is: a cheaper
        :meth:`tidy`.

        >>> x = sympy.Symbol("x")
        >>> Budget().cancel((x**2 - 1) / (x - 1) + 1 / x)
        (x**2 + x + 1)/x
        """
        expr = as_expression(expr)
        if not self.admits([expr], max_ops=self.max_tidy_ops, record=False):
            return expr
        (named,), back = _floats_named([expr])
        out = self._run(
            lambda: sympy.cancel(named).xreplace(back), record=False, key=("cancel", expr)
        )
        return expr if out is None else out

    def attempt(self, step: Callable[[], T]) -> T | None:
        """Run ``step``, a sympy routine whose work the bounds above do not measure (a
        limit, the singularities of a payoff), under the safety net alone; ``None`` if
        the time has run out, it runs out or it fails. Not recorded as :attr:`declined`:
        such a step is a check, not the exact route.

        >>> x = sympy.Symbol("x")
        >>> Budget().attempt(lambda: sympy.limit(1 / x, x, 0, "+"))
        oo
        """
        if self.ran_out():
            return None
        return self._run(step, record=False)

    def is_zero(self, expr: sympy.Expr) -> bool:
        """Whether ``expr`` simplifies to zero within the budget (``False`` if undecided)."""
        return self.tidy(expr) == 0


def _floats_named(
    exprs: Sequence[sympy.Expr],
) -> tuple[list[sympy.Expr], dict[sympy.Symbol, sympy.Float]]:
    """``exprs`` with each rounded number (a ``Float``: the parser keeps a number too large
    to compute exactly, such as ``0.9**10000``, to 30 digits) replaced by a symbol of its
    own, and the map back. sympy's polynomial routines turn a Float into a fraction, at a
    cost that grows with its exponent (minutes for ``0.5**(10**6)``), and back into a
    float of 15 digits; as a symbol it costs nothing and keeps its digits.

    >>> x = sympy.Symbol("x")
    >>> named, back = _floats_named([sympy.Float("2.5e-458", 30) * x + 1])
    >>> sympy.solve(named[0], x)[0].xreplace(back)
    -4.00000000000000000000000000000e+457
    """
    exprs = [as_expression(e) for e in exprs]
    floats = {f: sympy.Dummy() for e in exprs for f in e.atoms(sympy.Float)}
    if not floats:
        return exprs, {}
    return [e.xreplace(floats) for e in exprs], {d: f for f, d in floats.items()}


def _logs_named(expr: sympy.Expr) -> tuple[sympy.Expr, dict[sympy.Symbol, sympy.Expr]]:
    """``expr`` with each logarithm of a number (``log(19)``) replaced by a positive symbol
    of its own, and the map back, where a rational in ``expr`` has a numerator or
    denominator above :data:`MAX_EXACT_EXPONENT`; else ``expr`` and ``{}``. ``sympy.simplify``
    combines ``c log(r)`` into ``log(r**c)`` (``logcombine``) and computes the power exactly
    before any check can see it: ``2142760 log(19/20)`` is a rational of five million
    digits, 100 s in ``igcd`` (C code, where neither the safety net's signal nor Ctrl-C is
    delivered) for an alternating-offers closed form with a breakdown risk.

    >>> big = 2142760 * (sympy.log(19) - sympy.log(20)) + 891
    >>> named, back = _logs_named(big)
    >>> sorted(map(str, back.values())), _logs_named(sympy.log(19) - sympy.log(20))[1]
    (['log(19)', 'log(20)'], {})
    """
    logs = [g for g in expr.atoms(sympy.log) if g.args[0].is_Number]
    if not logs or not any(
        max(abs(r.p), r.q) > MAX_EXACT_EXPONENT for r in expr.atoms(sympy.Rational)
    ):
        return expr, {}
    named = {g: sympy.Dummy(positive=True) for g in logs}
    return expr.xreplace(named), {d: g for g, d in named.items()}


def plain(expr: sympy.Expr) -> bool:
    """Whether ``expr`` is a number, a symbol, one sum, product or power of numbers and
    symbols with at most one operation (``a*b``, ``x**2``), a rational multiple of a symbol
    (``-7*r/365``) or ``exp`` of one, or a linear form with rational coefficients
    (``V/2 - d_A/2 + d_W/2``, which sympy keeps distributed whatever form is tried):
    nothing ``sympy.simplify`` could shorten, and which it returns as it is (without the
    import of ``sympy.physics.units`` of its first call).

    >>> a, b = sympy.symbols("a b")
    >>> plain(a / 2), plain(a / 2 + b / 3 - 1), plain(sympy.exp(-7 * a / 365)), plain(a * b + 1)
    (True, True, True, False)
    >>> plain(sympy.exp(a + b)), plain(sympy.exp(a) * 2)
    (False, False)
    """
    if expr.is_Atom:
        return True
    if (
        (expr.is_Add or expr.is_Mul or expr.is_Pow)
        and all(arg.is_Number or arg.is_Symbol for arg in expr.args)
        and int(sympy.count_ops(expr)) <= 1
    ):
        return True

    def linear(term: sympy.Expr) -> bool:
        coefficient, rest = term.as_coeff_Mul()
        return coefficient.is_Rational and (rest.is_Symbol or rest.is_Number)

    if isinstance(expr, sympy.exp):
        return linear(expr.args[0])
    return linear(expr) if expr.is_Mul else bool(expr.is_Add) and all(map(linear, expr.args))


_CURRENT: ContextVar[Budget | None] = ContextVar("bargain_exact_budget", default=None)


@contextlib.contextmanager
def exact_budget(seconds: float = SAFETY_SECONDS) -> Iterator[Budget]:
    """The budget of the solve under way, or a new one of ``seconds`` (the safety net)
    for a solve that starts here: a solver's entry point opens it, and the routines it
    calls join it, so that one solve has one budget however many programs it solves."""
    active = _CURRENT.get()
    if active is not None:
        yield active
        return
    budget = Budget(seconds=seconds)
    token = _CURRENT.set(budget)
    try:
        yield budget
    finally:
        _CURRENT.reset(token)


def bounded(solver: F) -> F:
    """Run a solver inside one budget for the whole solve, its ``timeout`` argument (or
    that argument's default) the safety net: the decorator of every solver's entry point.
    A ``RecursionError`` (an expression tree too deep for sympy's recursive walks) is
    refused as a :class:`~bargain.errors.ModelError` naming the model's file.

    >>> @bounded
    ... def solver(*, timeout: float = 3.0) -> float:
    ...     with exact_budget(99.0) as budget:  # joins the solve's budget
    ...         return budget.seconds
    >>> solver(), solver(timeout=5.0)
    (3.0, 5.0)
    """
    default = inspect.signature(solver).parameters["timeout"].default

    @functools.wraps(solver)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        seconds = kwargs.get("timeout", default)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds >= 0:
            raise ModelError(
                "must be a number of CPU seconds, at least 0 (0: no safety net, the work "
                f"bounds alone), got {seconds!r}",
                table="solver",
                key="timeout",
            )
        with exact_budget(seconds):
            try:
                return solver(*args, **kwargs)
            except RecursionError:
                # sympy walks expression trees by recursion: a tree deep enough (a payoff
                # of 99 nested sqrt(abs(...) + 1), built in Python) runs out of the stack.
                raise ModelError(
                    "an expression of the model is nested too deeply for the solver's "
                    "symbolic steps (Python's recursion limit ran out): write it with fewer "
                    "levels",
                    file=getattr(args[0], "file", None) if args else None,
                ) from None

    return wrapper  # type: ignore[return-value]


def declined_note(declined: str | None) -> str:
    """Words for a solution's route when the exact route gave up (``declined``, as
    :attr:`Budget.declined`): ``""`` if it did not.

    >>> b = Budget()
    >>> x = sympy.Symbol("x")
    >>> b.solve([sympy.exp(x / 1000) - sympy.exp(x / 20) - 1], [x])
    []
    >>> declined_note(b.declined)
    '; closed form declined: a polynomial of degree 50 (at most 24)'
    """
    return "" if declined is None else f"; closed form declined: {declined}"


__all__ = [
    "MAX_BEZOUT",
    "MAX_CHECKPOINTS",
    "MAX_COMPLEX_ROOT_DEGREE",
    "MAX_DEGREE",
    "MAX_DIGITS",
    "MAX_EXACT_EXPONENT",
    "MAX_OPS",
    "MAX_STEPS",
    "MAX_SYSTEM_OPS",
    "MAX_TIDY_OPS",
    "MAX_TRANSCENDENTAL_OPS",
    "NODES_PER_OP",
    "SAFETY_SECONDS",
    "Budget",
    "bounded",
    "declined_note",
    "degree",
    "digits",
    "exact_budget",
    "huge_power",
    "nodes",
    "plain",
    "time_limit",
    "transcendental",
]
