"""Building blocks of the vectorised kernels: compiled expressions, safeguarded
Newton and bisection over arrays, a compiled one-variable frontier, and a
batched projected Newton method for several contract variables in their bounds.

Each concept that solves many parameter points at once (its ``kernel`` in the
registry, :mod:`bargain.concepts.registry`) is written with these pieces, and
:mod:`bargain.sweeps.compile` runs it. Every array function here works on 1-D
arrays of points; ``params`` maps each swept parameter's name to its array (and
``"_n"`` to an array whose size is the number of points).

Each point gets a status (:data:`STATUSES`): ``ok``; ``no_convergence`` (the
iteration did not converge, or its assumptions — monotone payoffs, a single
maximum — fail at that point); ``infeasible`` (no agreement improves on
disagreement, or the equilibrium equations have no solution in the contract
range); ``outside_formula`` (a closed form's checks fail there); and, from the
scalar solver, as ``bargain solve`` says: ``not_unique`` (the solution is a set),
``unbounded`` (a payoff grows without bound in the contract set) and ``undefined``
(a payoff is not a finite real number there). The list is in docs/sweeps.md.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy
from sympy.printing.numpy import SciPyPrinter
from sympy.printing.precedence import PRECEDENCE

from bargain.errors import BargainError, ModelError
from bargain.model.expr import derivative
from bargain.model.model import Model, as_expression, lambdify
from bargain.model.validate import numeric_value

STATUSES = (
    "ok",
    "no_convergence",
    "infeasible",
    "outside_formula",
    "not_unique",
    "unbounded",
    "undefined",
)
"""Per-point status codes: ``status == i`` means ``STATUSES[i]`` (new ones are appended,
so that the codes of older files keep their meaning)."""
OK, NO_CONVERGENCE, INFEASIBLE, OUTSIDE_FORMULA, NOT_UNIQUE, UNBOUNDED, UNDEFINED = range(7)
TOL = 1e-9  # relative tolerance of the per-point checks
XTOL = 4e-16  # relative bracket width at which bisection has converged
STEP = 1e-12  # relative Newton step after which the new point is exact to rounding
#               (quadratic convergence: its error is of the order of the step squared)
GRID = 9  # points of the per-point check grid (monotone payoffs, one maximum)
SAMPLES = 16  # points of the box at which each maximum of a Box is checked (a global maximum)
MODULES = ["numpy", "scipy"]
COMPILED = 256  # compiled expressions compile_exprs keeps (_compiled)

_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))
Columns = dict[str, np.ndarray]
Evaluate = Callable[[dict[str, np.ndarray]], Columns]


# -- compiling expressions ------------------------------------------------------------------


def compile_exprs(
    model: Model,
    inputs: Sequence[str],
    exprs: Sequence[sympy.Expr],
    extra: Sequence[sympy.Symbol] = (),
    *,
    broadcast: bool = True,
) -> Callable[..., list[np.ndarray]]:
    """Compile ``exprs`` into ``f(*extra_arrays, params) -> [arrays]``: parameters not in
    ``inputs`` take the model's values; common subexpressions are computed once. Without
    ``broadcast`` a constant stays a scalar (cheaper inside iterations)."""
    fixed = frozenset((p.symbol, p.value) for p in model.parameters if p.name not in inputs)
    symbols = tuple(model.parameter(n).symbol for n in inputs)
    f = _compiled(tuple(as_expression(e) for e in exprs), fixed, symbols, tuple(extra))

    def call(*args: np.ndarray, params: Mapping[str, np.ndarray], n: int) -> list[np.ndarray]:
        values = f(*args, *(params[name] for name in inputs))
        if not broadcast:
            return [real(v, n) if np.ndim(v) or np.iscomplexobj(v) else float(v) for v in values]
        return [real(v, n) for v in values]

    return call


@functools.lru_cache(maxsize=COMPILED)
def _compiled(
    exprs: tuple[sympy.Expr, ...],
    fixed: frozenset[tuple[sympy.Symbol, sympy.Expr]],
    symbols: tuple[sympy.Symbol, ...],
    extra: tuple[sympy.Symbol, ...],
) -> Callable[..., list[Any]]:
    """The code of :func:`compile_exprs`: ``exprs`` at the ``fixed`` parameter values,
    their constants exact (:func:`exact_constants`), compiled as a function of ``extra``
    and ``symbols``. Kept (the :data:`COMPILED` most recent): a kernel compiles its box
    and payoffs again for every model of a docs figure's points that has the same fixed
    values (the strike's tornado, the uncertainty figure's draws)."""
    at = dict(fixed)
    varying = {*symbols, *extra}
    body = [exact_constants(e.xreplace(at), varying) for e in exprs]
    return lambdify([*extra, *symbols], body, modules=MODULES, cse=True, printer=_ArrayPrinter())


def exact_constants(expr: sympy.Expr, varying: set[sympy.Symbol]) -> sympy.Expr:
    """``expr`` with each part free of the ``varying`` symbols (a whole subexpression, or
    the terms of a sum or factors of a product that are) replaced by its value correctly
    rounded from 30 digits, where it is a real number.

    Compiled as written, a closed form's constants are computed in floating point, and
    terms that cancel lose digits: the alternating-offers formula of ``sqrt(x)`` against
    ``(1 - x)**2`` holds ``7249 log(19)**2 - 14498 log(19) log(20) + 7249 log(20)**2``,
    which is ``7249 (log(19) - log(20))**2``, 3e-4 of its terms, and its denominator
    cancels further: the sweep was off by ``2.4e-7`` relative. sympy evaluates a
    sum to the digits asked for whatever cancels in it (it raises its working precision).

    Examples
    --------
    >>> s = sympy.Symbol("s")
    >>> e = s + 7249 * sympy.log(19) ** 2 - 14498 * sympy.log(19) * sympy.log(20)
    >>> exact_constants(e + 7249 * sympy.log(20) ** 2, {s}).as_ordered_terms()
    [s, 19.0721338541283142037220357434]
    """

    def walk(e: sympy.Basic) -> sympy.Basic:
        if not e.args or e.is_Number:
            return e
        if not isinstance(e, sympy.Expr):  # a Piecewise's (value, condition) pair
            return e.func(*(walk(a) for a in e.args))
        if not e.free_symbols & varying:
            value = sympy.N(e, 30)
            return value if value.is_real and value.is_finite and value.is_Float else e
        if e.is_Add or e.is_Mul:
            fixed = [a for a in e.args if not a.free_symbols & varying]
            rest = [walk(a) for a in e.args if a.free_symbols & varying]
            if len(fixed) > 1 or (fixed and not fixed[0].is_Number):
                fixed = [walk(e.func(*fixed))]
            return e.func(*fixed, *rest)
        return e.func(*(walk(a) for a in e.args))

    return walk(expr)


class _ArrayPrinter(SciPyPrinter):
    """The printer ``lambdify`` uses for ``modules=MODULES``, with lambdify's settings, but
    that prints a negative integer power ``x**-k`` as ``1/x**k``: numpy computes
    ``x**(-1.0)`` and ``x**(-2.0)`` (how sympy prints them for numpy) by the general power
    function, 2 to 8 times the cost of a division and of its fast square. The arrays of
    a kernel are floats, so the division is a float division (sympy's float exponent
    guards integer arrays), and ``1/x`` is the same correctly rounded number as
    ``x**(-1.0)``.

    Examples
    --------
    >>> x = sympy.Symbol("x")
    >>> _ArrayPrinter().doprint(x**-1 + (x + 1) ** -2 + x**-2.5)
    'x**(-2.5) + 1/(x + 1)**2 + 1/x'
    """

    def __init__(self) -> None:
        super().__init__(
            {
                "fully_qualified_modules": False,
                "inline": True,
                "allow_unknown_functions": True,
                "user_functions": {},
            }
        )

    def _print_Pow(self, expr: sympy.Pow, rational: bool = False) -> str:
        if expr.exp.is_Integer and expr.exp < 0 and not rational:
            k = -expr.exp
            power = expr.base if k == 1 else sympy.Pow(expr.base, k, evaluate=False)
            return f"1/{self.parenthesize(power, PRECEDENCE['Mul'], strict=True)}"
        return str(super()._print_Pow(expr, rational=rational))


def real(value: Any, n: int) -> np.ndarray:
    """A compiled value as a float array of length ``n``: constants broadcast, complex values
    with a non-negligible imaginary part (e.g. sqrt of a negative) become NaN. Single
    precision stays single (a kernel's rough first iterations)."""
    if type(value) is np.ndarray and value.shape == (n,) and value.dtype in _FLOATS:
        return value
    a = np.asarray(value)
    if np.iscomplexobj(a):
        real = a.real
        a = np.where(np.abs(a.imag) <= 1e-12 * (1 + np.abs(real)), real, np.nan)
    a = np.asarray(a, dtype=np.float32 if a.dtype == np.float32 else float)
    return np.array(np.broadcast_to(a, (n,)), dtype=float) if a.shape != (n,) else a


def subset(params: Mapping[str, np.ndarray], idx: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[idx] for k, v in params.items() if k != "_n"}


# -- one variable, two parties: shared pieces ---------------------------------------------


def require_frontier(model: Model) -> tuple[int, int]:
    """Refuse a model the one-variable kernels cannot serve; else :func:`oriented`.

    Raises
    ------
    ModelError
        Unless the model has one contract variable, two parties and no
        ``[constraints]``, with payoffs monotone in opposite directions.
    """
    if len(model.variables) != 1 or len(model.parties) != 2:
        raise ModelError("it needs one contract variable and two parties")
    if model.constraints:
        raise ModelError("it does not handle [constraints]")
    return oriented(model)


def oriented(model: Model) -> tuple[int, int]:
    """Indices of the party whose payoff rises with x and of the one whose payoff falls,
    at the model's values (refusing a frontier that is not monotone)."""
    v = model.variables[0]
    lo = numeric_value(model, v.min, f"variables.{v.name}", "min")
    hi = numeric_value(model, v.max, f"variables.{v.name}", "max")
    grid = np.linspace(lo, hi, 201)
    trends = []
    for p in model.parties:
        f = lambdify(v.symbol, model.numeric(p.payoff), MODULES)
        with np.errstate(all="ignore"):
            u = real(f(grid), grid.size)
        steps = np.diff(u)
        if np.all(np.isfinite(u)) and np.all(steps >= 0) and np.any(steps > 0):
            trends.append(1)
        elif np.all(np.isfinite(u)) and np.all(steps <= 0) and np.any(steps < 0):
            trends.append(-1)
        else:
            raise ModelError(
                f"payoff must be finite and monotone in {v.name} on [{lo:g}, {hi:g}]",
                table=f"parties.{p.name}",
                key="payoff",
            )
    if trends[0] == trends[1]:
        raise ModelError("both payoffs move the same way: no frontier", table="parties")
    return (0, 1) if trends[0] > 0 else (1, 0)


# -- vectorised root finding ------------------------------------------------------------------


def bracketed_newton(
    fdf: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    a: np.ndarray,
    b: np.ndarray,
    sign_a: np.ndarray,
    *,
    maxiter: int = 1100,
) -> tuple[np.ndarray, np.ndarray]:
    """Roots of many one-variable functions at once, each bracketed in ``[a, b]``.

    ``fdf(x, idx)`` returns the values and derivatives of the functions of the
    points ``idx`` at ``x``; ``sign_a`` is the sign of each function at ``a``
    (the opposite sign holds at ``b``). A Newton step is taken where it stays
    strictly inside the current bracket, else the bracket is bisected; after
    40 iterations only bisection is used. Converged points leave the working
    set, so late iterations cost little. Convergence is relative to the current
    bracket's size, so a root near zero of a wide bracket has its own digits (or is
    left unconverged after ``maxiter``, never rounded to the first bracket's scale):
    the default allows a root as small as the smallest float in a bracket of order one
    (1074 halvings and the 52 bits of the root), which only such points take.

    Returns the roots and a boolean array: converged.

    Examples
    --------
    >>> import numpy as np
    >>> c = np.array([2.0, 3.0, 10.0])
    >>> root, ok = bracketed_newton(lambda x, i: (x**2 - c[i], 2 * x),
    ...                             np.zeros(3), c, -np.ones(3))
    >>> bool(np.allclose(root, np.sqrt(c), rtol=1e-15)), ok.all()
    (True, np.True_)
    """
    n = a.size
    root = np.full(n, np.nan)
    converged = np.zeros(n, dtype=bool)
    idx = np.arange(n)
    lo, hi, s = a.astype(float).copy(), b.astype(float).copy(), np.asarray(sign_a, float).copy()
    x = (lo + hi) / 2
    for it in range(maxiter):
        f, df = fdf(x, idx)
        zero = f == 0
        left = np.sign(f) == s  # root lies to the right of x
        lo = np.where(left, x, lo)
        hi = np.where(left, hi, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = f / df
        newton = x - step
        inside = np.isfinite(newton) & ((newton - lo) * (newton - hi) < 0) & (it < 40)
        x_new = np.where(inside, newton, (lo + hi) / 2)
        # Relative to the current bracket: a root near zero of a wide bracket ([0, 1e9],
        # the split with a bargaining power of 1e-20, x = 1e-11) to its own digits.
        size = np.maximum(np.abs(lo), np.abs(hi))
        done = (
            zero
            | (inside & (np.abs(step) <= STEP * size))
            | (np.abs(hi - lo) <= 2 * XTOL * size)
            | ~np.isfinite(f)
        )
        good = done & np.isfinite(f)
        root[idx[good]] = np.where(zero, x, x_new)[good]
        converged[idx[good]] = True
        keep = ~done
        idx, lo, hi, s, x, size = idx[keep], lo[keep], hi[keep], s[keep], x_new[keep], size[keep]
        if idx.size == 0:
            break
    return root, converged


def bisect(
    f: Callable[[np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray, iterations: int = 64
) -> np.ndarray:
    """Plain vectorised bisection of ``f`` on ``[a, b]`` (a sign change assumed)."""
    lo, hi = a.copy(), b.copy()
    f_lo = f(lo)
    for _ in range(iterations):
        mid = (lo + hi) / 2
        f_mid = f(mid)
        left = np.sign(f_mid) == np.sign(f_lo)
        lo = np.where(left, mid, lo)
        f_lo = np.where(left, f_mid, f_lo)
        hi = np.where(left, hi, mid)
    return (lo + hi) / 2


class Frontier:
    """One contract variable between a party whose payoff rises (r) and one whose falls (f),
    compiled: payoffs with first and second derivatives, bounds, disagreement payoffs."""

    def __init__(self, model: Model, inputs: Sequence[str]) -> None:
        self.model = model
        self.inputs = tuple(inputs)
        self.var = model.variables[0]
        x = self.var.symbol
        self.x = x
        ir, jf = require_frontier(model)
        self.r, self.f = model.parties[ir], model.parties[jf]
        us = [self.r.payoff, self.f.payoff]
        self.u = compile_exprs(
            model,
            inputs,
            [e for u in us for e in (u, derivative(u, x), derivative(u, x, 2))],
            [x],
        )
        self.first = compile_exprs(
            model,
            inputs,
            [e for u in us for e in (u, derivative(u, x))],
            [x],
            broadcast=False,
        )
        self.values = compile_exprs(model, inputs, us, [x], broadcast=False)
        self.proven = signed(derivative(us[0], x), rising=True) and signed(
            derivative(us[1], x), rising=False
        )
        # Where proven, the payoffs at the bounds as expressions (u_r, u_f at min, at max):
        # constants where they do not depend on the inputs (u(0) = 0 on cara).
        ends = [u.xreplace({x: end}) for end in (self.var.min, self.var.max) for u in us]
        self.ends = compile_exprs(model, inputs, ends, broadcast=False) if self.proven else None
        self.constants = compile_exprs(
            model, inputs, [self.var.min, self.var.max, self.r.disagreement, self.f.disagreement]
        )

    def payoffs(self, x: np.ndarray, params: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """``[u_r, u_r', u_r'', u_f, u_f', u_f'']`` at ``x``."""
        return self.u(x, params=params, n=x.size)

    def monotone(
        self, lo: np.ndarray, hi: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """Per point: u_r non-decreasing and u_f non-increasing on a grid of [lo, hi] (the
        variable's bounds; :data:`GRID` points), both finite there. Where the signs of both
        derivatives are proven for every real value of the symbols (:attr:`proven`), only
        the ends are evaluated: the payoffs finite there, and in order, from the payoffs
        at the bounds compiled as expressions (:attr:`ends`; ``lo`` and ``hi`` are not
        read)."""
        n = lo.size
        ok = np.ones(n, dtype=bool)
        prev = None
        if self.ends is not None:
            at = self.ends(params=params, n=n)
            grid = [at[:2], at[2:]]
        else:
            steps = (lo + t * (hi - lo) for t in np.linspace(0, 1, GRID))
            grid = (self.values(x, params=params, n=n) for x in steps)
        for u in grid:
            if prev is not None:
                ok &= (u[0] >= prev[0] - TOL * (np.abs(prev[0]) + np.abs(u[0]))) & (
                    u[1] <= prev[1] + TOL * (np.abs(prev[1]) + np.abs(u[1]))
                )
            ok &= np.isfinite(u[0]) & np.isfinite(u[1])
            prev = u
        return ok

    def columns(
        self, x: np.ndarray, status: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> Columns:
        u = [real(v, x.size) for v in self.values(x, params=params, n=x.size)]
        by_party = {self.r.name: u[0], self.f.name: u[1]}
        return {
            self.var.name: x,
            **{f"payoff_{p}": by_party[p] for p in self.model.party_names},
            "status": status.astype(np.int8),
        }

    def level(
        self,
        which: int,
        level: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        params: Mapping[str, np.ndarray],
    ) -> tuple[np.ndarray, np.ndarray]:
        """Where party ``which`` (0: rising, 1: falling) gets exactly ``level`` on [lo, hi];
        points whose level is outside the payoff's range get NaN. Returns (x, converged)."""
        k = 0 if which == 0 else 3
        u_lo, u_hi = self.payoffs(lo, params)[k], self.payoffs(hi, params)[k]

        def fdf(x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            u = self.payoffs(x, subset(params, idx))
            return u[k] - level[idx], u[k + 1]

        root, ok = bracketed_newton(fdf, lo, hi, np.sign(u_lo - level))
        inside = (np.minimum(u_lo, u_hi) <= level) & (level <= np.maximum(u_lo, u_hi))
        root = np.where(inside, root, np.nan)
        return root, ok & inside


def signed(derivative: sympy.Expr, *, rising: bool) -> bool:
    """Whether sympy proves ``derivative`` non-negative (``rising``) or non-positive for
    every real value of its symbols (each replaced by a symbol assumed real and nothing
    else, e.g. not finite): then the function is monotone wherever it is defined, at
    every parameter point, and a kernel need not check it on a grid. ``False`` when
    sympy cannot tell.

    Examples
    --------
    >>> a, x = sympy.symbols("a x", real=True)
    >>> signed(sympy.exp(-a * x), rising=True), signed(-1 / x**2, rising=False)
    (True, False)
    """
    real = {s: sympy.Dummy(s.name, real=True) for s in derivative.free_symbols}
    d = derivative.xreplace(real)
    return bool(d.is_nonnegative if rising else d.is_nonpositive)


def interval(fr: Frontier, params: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The individually rational contracts ``[a, b]`` of each point, whether each end is
    where a party is at (or below) its disagreement payoff, which points have any
    (``feasible``), and which surely have none (``infeasible``).

    A bound where a party gets exactly its disagreement payoff is such an end (``a_open``,
    ``b_open``): its gain is zero there, the log Nash product ``-inf`` and its derivative
    undefined, so the maximum is inside. ``feasible`` is the exact comparison;
    ``infeasible`` asks a margin of :data:`TOL` relative to the point's own payoffs at the
    bounds (the best the rising party can get, or the falling one, is below its
    disagreement payoff by that much, or the bounds are reversed). A point that is
    neither, the kernel leaves to the scalar solver."""
    n = params["_n"].size
    lo, hi, d_r, d_f = fr.constants(params=params, n=n)
    at_lo, at_hi = fr.payoffs(lo, params), fr.payoffs(hi, params)
    a = lo.copy()
    a_open = at_lo[0] <= d_r
    need = np.flatnonzero((at_lo[0] < d_r) & (at_hi[0] > d_r))
    if need.size:
        sub = subset(params, need)
        a[need] = fr.level(0, d_r[need], lo[need], hi[need], {**sub, "_n": need})[0]
    b = hi.copy()
    b_open = at_hi[3] <= d_f
    need = np.flatnonzero((at_hi[3] < d_f) & (at_lo[3] > d_f))
    if need.size:
        sub = subset(params, need)
        b[need] = fr.level(1, d_f[need], lo[need], hi[need], {**sub, "_n": need})[0]
    feasible = (at_hi[0] > d_r) & (at_lo[3] > d_f) & (a < b) & (lo <= hi)
    size_r = np.abs(at_hi[0]) + np.abs(at_lo[0]) + np.abs(d_r)
    size_f = np.abs(at_hi[3]) + np.abs(at_lo[3]) + np.abs(d_f)
    with np.errstate(invalid="ignore"):
        infeasible = (at_hi[0] < d_r - TOL * size_r) | (at_lo[3] < d_f - TOL * size_f) | (lo > hi)
    return lo, hi, d_r, d_f, a, b, a_open, b_open, feasible, infeasible


# -- several variables in their bounds: batched projected Newton --------------------------


class Box:
    """Several contract variables in their bounds and an objective over them, compiled for
    many parameter points at once: the objective, its gradient and Hessian, and the bounds.

    :meth:`maximise` runs a projected Newton method (Bertsekas 1982, "Projected Newton
    methods for optimization problems with simple constraints", *SIAM J. Control Optim.*
    20(2); Nocedal & Wright, *Numerical Optimization*, 2nd ed. 2006, §16.7) on every point
    together; :meth:`vouch` checks each answer (first- and second-order conditions, and no
    sample point of the box does better).

    Parameters
    ----------
    model
        The model: its variables (all of them) and their bounds.
    inputs
        The parameters given as arrays.
    objective
        A sympy expression in the variables and parameters to maximise.

    Raises
    ------
    ModelError
        If the model has ``[constraints]`` (only the variables' bounds are handled).

    Examples
    --------
    >>> import bargain, numpy as np, sympy
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "parameters": {"c": {"value": 1}},
    ...     "variables": {"x": {"min": 0, "max": 1}, "y": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x + y"}, "A": {"payoff": "2 - x - y"}}})
    >>> x, y, c = (m.symbols[k] for k in ("x", "y", "c"))
    >>> box = Box(m, ["c"], -(x - c) ** 2 - (y - c / 2) ** 2)
    >>> params = {"c": np.array([0.5, 2.0]), "_n": np.empty(2)}
    >>> lo, hi = box.bounds(params)
    >>> z, ok = box.maximise(np.full((2, 2), 0.5), lo, hi, params)
    >>> z.tolist(), box.vouch(z, lo, hi, params).tolist()
    ([[0.5, 0.25], [1.0, 1.0]], [True, True])
    """

    def __init__(self, model: Model, inputs: Sequence[str], objective: sympy.Expr) -> None:
        if model.constraints:
            raise ModelError("it handles the variables' bounds, not [constraints]")
        self.model = model
        self.inputs = tuple(inputs)
        xs = [v.symbol for v in model.variables]
        self.k = k = len(xs)
        grad = [derivative(objective, x) for x in xs]
        hess = [derivative(grad[i], xs[j]) for i in range(k) for j in range(i, k)]
        self._all = compile_exprs(model, inputs, [objective, *grad, *hess], xs)
        self._value = compile_exprs(model, inputs, [objective], xs)
        self._bounds = compile_exprs(
            model, inputs, [v.min for v in model.variables] + [v.max for v in model.variables]
        )

    def bounds(self, params: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """Each point's lower and upper bounds, as ``(n, k)`` arrays."""
        b = self._bounds(params=params, n=params["_n"].size)
        return np.stack(b[: self.k], axis=1), np.stack(b[self.k :], axis=1)

    def value(self, x: np.ndarray, params: Mapping[str, np.ndarray]) -> np.ndarray:
        """The objective at the rows of ``x`` (NaN outside its domain)."""
        return self._value(*x.T, params=params, n=x.shape[0])[0]

    def derivatives(
        self, x: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The objective ``(n,)``, gradient ``(n, k)`` and Hessian ``(n, k, k)`` at ``x``."""
        n, k = x.shape
        out = self._all(*x.T, params=params, n=n)
        g = np.stack(out[1 : 1 + k], axis=1)
        h = np.empty((n, k, k))
        rest = iter(out[1 + k :])
        for i in range(k):
            for j in range(i, k):
                h[:, i, j] = h[:, j, i] = next(rest)
        return out[0], g, h

    @staticmethod
    def _reduced(
        x: np.ndarray, g: np.ndarray, h: np.ndarray, lo: np.ndarray, hi: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The free variables (not held at a bound by the gradient), the negated Hessian on
        them (identity-scaled elsewhere) and the gradient on them (zero elsewhere)."""
        free = ~(((x <= lo) & (g <= 0)) | ((x >= hi) & (g >= 0)))
        both = free[:, :, None] & free[:, None, :]
        m = np.where(both, -h, 0.0)
        scale = np.max(np.where(free, np.abs(np.diagonal(m, axis1=1, axis2=2)), 0.0), axis=1)
        scale = np.where(scale > 0, scale, 1.0)
        m += (~free)[:, :, None] * np.eye(x.shape[1]) * scale[:, None, None]
        return free, m, np.where(free, g, 0.0)

    def maximise(
        self,
        x: np.ndarray,
        lo: np.ndarray,
        hi: np.ndarray,
        params: Mapping[str, np.ndarray],
        *,
        maxiter: int = 100,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Maximise the objective from the starts ``x`` (``(n, k)``) within ``[lo, hi]``.

        Each iteration holds a variable at its bound where the gradient pushes it out,
        takes a Newton step on the others (the Hessian shifted to be negative definite
        where it is not) and backtracks along its projection on the box until the
        objective rises enough (Armijo). A point stops when its step is below
        :data:`STEP` of the bounds' size. Returns the maxima and whether each stopped.
        """
        n, k = x.shape
        out = np.clip(x, lo, hi)
        converged = np.zeros(n, dtype=bool)
        idx = np.arange(n)
        x, w_lo, w_hi = out.copy(), lo, hi
        w_size = np.abs(lo) + np.abs(hi) + (hi - lo)
        w_size = np.where(w_size > 0, w_size, 1.0)
        sub = subset(params, idx)
        for _ in range(maxiter):
            phi, g, h = self.derivatives(x, {**sub, "_n": idx})
            _, m, gf = self._reduced(x, g, h, w_lo, w_hi)
            # Negative definite on the free variables: shift the Hessian where it is not.
            eig = np.linalg.eigvalsh(m)
            top = np.max(np.abs(eig), axis=1)
            shift = np.where(eig[:, 0] > 1e-10 * top, 0.0, 1e-8 * top - eig[:, 0])
            shift += 1e-12 * np.max(np.abs(gf) / w_size, axis=1) + 1e-300
            d = np.linalg.solve(m + shift[:, None, None] * np.eye(k), gf[:, :, None])[:, :, 0]
            # Backtrack along the projection arc until the objective rises enough (Armijo).
            alpha = np.ones(idx.size)
            x_new = x.copy()
            pending = np.isfinite(d).all(axis=1) & np.isfinite(phi)
            for _ls in range(60):
                p = np.flatnonzero(pending)
                if p.size == 0:
                    break
                trial = np.clip(x[p] + alpha[p, None] * d[p], w_lo[p], w_hi[p])
                value = self.value(trial, {**subset(sub, p), "_n": p})
                rise = np.sum(g[p] * (trial - x[p]), axis=1)
                # A step below rounding is taken as it is: the objective cannot see it.
                tiny = np.max(np.abs(trial - x[p]) / w_size[p], axis=1) <= STEP
                ok = np.isfinite(value) & ((value >= phi[p] + 1e-4 * rise) | tiny)
                x_new[p[ok]] = trial[ok]
                pending[p[ok]] = False
                alpha[p[~ok]] /= 2
            moved = np.max(np.abs(x_new - x) / w_size, axis=1)
            stop = (moved <= STEP) & np.isfinite(phi) & ~pending
            out[idx] = x_new
            converged[idx[stop]] = True
            keep = ~stop & np.isfinite(phi) & np.isfinite(d).all(axis=1)
            if not keep.any():
                break
            idx, x = idx[keep], x_new[keep]
            w_lo, w_hi, w_size = w_lo[keep], w_hi[keep], w_size[keep]
            sub = subset(params, idx)
        return out, converged

    def vouch(
        self, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """Per point, whether ``x`` is the single maximum: the objective finite, its gradient
        zero on the free variables (and pushing the others against their bounds), its
        Hessian negative definite on the free variables, and no point of a fixed sample of
        the box (:data:`SAMPLES` points) better."""
        k = x.shape[1]
        phi, g, h = self.derivatives(x, params)
        _, m, gf = self._reduced(x, g, h, lo, hi)
        width = np.where(hi - lo > 0, hi - lo, 1.0)
        tol = TOL * (1 + np.abs(phi))
        ok = np.isfinite(phi) & np.all(np.abs(gf) * width <= tol[:, None], axis=1)
        eig = np.linalg.eigvalsh(np.where(np.isfinite(m), m, 0.0))
        ok &= eig[:, 0] > 1e-12 * np.max(np.abs(eig), axis=1)
        sample = np.random.default_rng(0).random((SAMPLES, k))
        for t in sample:
            other = self.value(lo + t * (hi - lo), params)
            ok &= ~(other > phi + tol)
        return ok


def scalar_start(model: Model, solve: Callable[[Model], Any]) -> dict[str, float]:
    """A kernel's start: the agreement of ``solve`` (a scalar solver with its options, numeric)
    at the model's values.

    Raises
    ------
    ModelError
        If the scalar solver refuses the model at its values (no start), with its reason.
    """
    try:
        return dict(solve(model).agreement)
    except BargainError as err:
        raise ModelError(f"no solution at the model's values to start from: {err}") from None


def relative_start(model: Model, start: Mapping[str, float]) -> np.ndarray:
    """Where the contract ``start`` (at the model's values) lies in the box of the variables'
    bounds, as a fraction of each bound's width (0.5 where the width is zero): a start for
    every parameter point, moved with its bounds (``lo + rel * (hi - lo)``).

    Examples
    --------
    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "variables": {"x": {"min": 0, "max": 4}, "y": {"min": 1, "max": 1}},
    ...     "parties": {"W": {"payoff": "x + y"}, "A": {"payoff": "6 - x - y"}}})
    >>> relative_start(m, {"x": 1.0, "y": 1.0}).tolist()
    [0.25, 0.5]
    """
    lo_c, hi_c = (
        np.array(
            [
                numeric_value(model, getattr(v, side), f"variables.{v.name}", side)
                for v in model.variables
            ]
        )
        for side in ("min", "max")
    )
    at = np.array([start[v.name] for v in model.variables], dtype=float)
    width = hi_c - lo_c
    return np.where(width > 0, (at - lo_c) / np.where(width > 0, width, 1.0), 0.5)


def box_maximum(
    model: Model, inputs: Sequence[str], objective: sympy.Expr, start: Mapping[str, float]
) -> Evaluate:
    """A vectorised maximiser of ``objective`` over the model's box of contract variables.

    :meth:`Box.maximise` from two starts per point, the better one: ``start`` (a
    contract at the model's values, e.g. the scalar solver's answer there), moved with
    each point's bounds, and the centre of the box (or from the ``(n, k)`` starts given
    to the evaluation); then :meth:`Box.vouch`. The evaluation returns a column per
    contract variable and ``status``: ``ok``, or ``no_convergence`` where the maximum is
    not vouched for (the sweep solves those points again, point by point).

    Examples
    --------
    >>> import bargain, numpy as np
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "parameters": {"c": {"value": 1}},
    ...     "variables": {"x": {"min": 0, "max": "c"}, "y": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x + y"}, "A": {"payoff": "2 - x - y"}}})
    >>> x, y = m.symbols["x"], m.symbols["y"]
    >>> f = box_maximum(m, ["c"], -(x - 1) ** 2 - (y - x / 4) ** 2, {"x": 1.0, "y": 0.25})
    >>> out = f({"c": np.array([0.5, 2.0]), "_n": np.empty(2)})
    >>> out["x"].tolist(), out["y"].tolist(), out["status"].tolist()
    ([0.5, 1.0], [0.125, 0.25], [0, 0])
    """
    box = Box(model, inputs, objective)
    rel = relative_start(model, start)
    names = model.variable_names

    def evaluate(params: dict[str, np.ndarray], start: np.ndarray | None = None) -> Columns:
        # Trial points outside the objective's domain give NaN (a log of a negative
        # gain): such a point is never chosen nor vouched for, so its warning is noise.
        with np.errstate(divide="ignore", invalid="ignore"):
            lo, hi = box.bounds(params)
            if start is None:
                starts = [lo + rel * (hi - lo), (lo + hi) / 2]
                values = [box.value(x, params) for x in starts]
                start = np.where(~(values[1] > values[0])[:, None], *starts)
            x, converged = box.maximise(start, lo, hi, params)
            ok = converged & box.vouch(x, lo, hi, params)
        out = {name: x[:, j] for j, name in enumerate(names)}
        out["status"] = np.where(ok, OK, NO_CONVERGENCE).astype(np.int8)
        return out

    return evaluate


def scale_tol(exprs: Sequence[sympy.Expr]) -> sympy.Expr:
    """An absolute tolerance for the per-point checks, relative to the size of the values
    involved *at each point* (``TOL`` times the sum of their magnitudes there, and at least
    the smallest positive float, so that a strict check stays strict where all are 0).

    A tolerance fixed at the values of the model (the centre of a sweep's box) accepted, at
    a point of a thousandth of that size, a proposal outside the contract range by a
    millionth of that point's own size.

    >>> V = sympy.Symbol("V")
    >>> tol = scale_tol([V / 2, -V])
    >>> [float(tol.subs(V, v)) for v in (2, -2e-6, 0)]
    [3e-09, 3e-15, 5e-324]
    """
    size = sympy.Add(*(sympy.Abs(e) for e in exprs))
    return sympy.Float(TOL) * size + sympy.Float(math.ulp(0.0))


__all__ = [
    "GRID",
    "INFEASIBLE",
    "NO_CONVERGENCE",
    "OK",
    "OUTSIDE_FORMULA",
    "SAMPLES",
    "STATUSES",
    "STEP",
    "TOL",
    "Box",
    "Columns",
    "Evaluate",
    "Frontier",
    "bisect",
    "box_maximum",
    "bracketed_newton",
    "compile_exprs",
    "interval",
    "oriented",
    "real",
    "relative_start",
    "require_frontier",
    "scalar_start",
    "scale_tol",
    "signed",
    "subset",
]
