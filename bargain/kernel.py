"""Compiled kernels: a model and a solution concept as one vectorised numpy function.

:func:`compile_kernel` turns a model, a solution concept and the names of the
parameters to vary into a :class:`Kernel`: a function from arrays of
parameter values to arrays of agreements, payoffs and a per-point status.
It compiles once; evaluating a million points is then a handful of numpy
array operations. Three routes, chosen per model (``route="auto"``):

``closed``
    The scalar solver finds the agreement as a formula in the parameters
    (:attr:`Solution.formula <bargain.Solution.formula>`); the formula and the
    payoffs it implies are compiled with ``sympy.lambdify(..., cse=True)``.
    A formula holds where the active set it was derived for holds, so every
    point is checked (inside the bounds, individually rational, outside
    options on the side the formula assumes); a point that fails is solved
    by the numeric route, or flagged ``outside_formula`` where there is none.
``numeric``
    No closed form: the solver itself runs over all points at once —
    safeguarded Newton with a bisection bracket on the first-order condition
    (Nash), the equal-gains condition (egalitarian) or the two indifference
    conditions (alternating offers; a nested bisection on the proposal map
    is the fallback where Newton cannot vouch for a point). For one contract
    variable, two parties with monotone payoffs and no ``[constraints]``.
``loop``
    Anything else: the scalar solver, point by point (correct, slow).

Each point gets a status (:data:`STATUSES`): ``ok``; ``no_convergence`` (the
iteration did not converge, or its assumptions — monotone payoffs, a single
maximum — fail at that point); ``infeasible`` (no agreement improves on
disagreement, or the equilibrium equations have no solution in the contract
range); ``outside_formula``. A point that is not ``ok`` has NaN agreement and
payoffs: it is flagged, never silently wrong.

Examples
--------
>>> import numpy as np, bargain
>>> m = bargain.load_model(bargain.models_dir() / "split.toml")
>>> k = compile_kernel(m, "nash", ["d_W"])
>>> k.route, k.formula
('closed', {'x': V/2 - d_A/2 + d_W/2})
>>> out = k({"d_W": np.array([0.0, 0.2, 0.4])})
>>> out["x"], out["payoff_A"], out["status"]
(array([0.5, 0.6, 0.7]), array([0.5, 0.4, 0.3]), array([0, 0, 0], dtype=int8))
>>> cara = bargain.load_model(bargain.models_dir() / "cara.toml")
>>> r = compile_kernel(cara, "rubinstein", ["a"], route="numeric")
>>> round(float(r({"a": [2.0]})["x"][0]), 12)
0.591649713080
"""

from __future__ import annotations

import contextlib
import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy
from numpy.typing import ArrayLike

from .errors import BargainError, FeasibilityError, ModelError, SolverError
from .model import Model
from .nash import bargaining_powers
from .validate import numeric_value

STATUSES = ("ok", "no_convergence", "infeasible", "outside_formula")
"""Per-point status codes: ``status == i`` means ``STATUSES[i]``."""
OK, NO_CONVERGENCE, INFEASIBLE, OUTSIDE_FORMULA = range(4)
ROUTES = ("auto", "closed", "numeric", "loop")
VECTORISED = ("nash", "egalitarian", "rubinstein")
"""Solution concepts with a vectorised numeric route (one variable, two parties)."""
METHODS = (
    "nash",
    "kalai-smorodinsky",
    "egalitarian",
    "utilitarian",
    "rubinstein",
)
_TOL = 1e-9  # relative tolerance of the per-point checks
_XTOL = 4e-16  # relative bracket width at which bisection has converged
_STEP = 1e-12  # relative Newton step after which the new point is exact to rounding
#                (quadratic convergence: its error is of the order of the step squared)
_GRID = 9  # points of the per-point check grid (monotone payoffs, one maximum)
_MODULES = ["numpy", "scipy"]
BLOCK = 1 << 15  # points evaluated at a time inside one kernel call

Columns = dict[str, np.ndarray]


@dataclass(frozen=True, eq=False)
class Kernel:
    """A model and a solution concept compiled into one vectorised function.

    Call it with a mapping from each name in :attr:`inputs` to an array (all
    broadcast to one 1-D shape); it returns a dict of 1-D arrays: one per
    contract variable, ``payoff_<party>`` per party, and ``status``
    (``int8`` codes into :data:`STATUSES`).

    Attributes
    ----------
    model
        The model compiled; parameters not in ``inputs`` keep its values.
    method
        The solution concept.
    inputs
        Names of the parameters given as arrays.
    route
        ``"closed"``, ``"numeric"`` or ``"loop"`` (see the module docstring).
    formula
        The closed form used by the ``closed`` route, else ``None``.
    options
        Solver options (``powers``, ``proposer``, ``period``, ``horizon``).
    """

    model: Model
    method: str
    inputs: tuple[str, ...]
    route: str
    formula: dict[str, sympy.Expr] | None
    options: dict[str, Any]
    _evaluate: Callable[[dict[str, np.ndarray]], Columns] = field(repr=False)

    @property
    def outputs(self) -> tuple[str, ...]:
        """Names of the returned arrays, in order."""
        return (
            *self.model.variable_names,
            *(f"payoff_{p}" for p in self.model.party_names),
            "status",
        )

    def __call__(self, values: Mapping[str, ArrayLike]) -> Columns:
        missing = [n for n in self.inputs if n not in values]
        unknown = [n for n in values if n not in self.inputs]
        if missing or unknown:
            bad = (missing or unknown)[0]
            raise ModelError(
                f"{'missing' if missing else 'not an input of this kernel'}; "
                f"the inputs are {', '.join(self.inputs) or '(none)'}",
                table="kernel",
                key=bad,
            )
        arrays = np.broadcast_arrays(*(np.asarray(values[n], dtype=float) for n in self.inputs))
        shape = arrays[0].shape if arrays else (1,)
        if len(shape) != 1:
            raise ModelError("parameter arrays must be one-dimensional", table="kernel")
        params = {n: np.ascontiguousarray(a) for n, a in zip(self.inputs, arrays, strict=True)}
        n = shape[0]
        if n <= BLOCK:
            return self._block(params, n)
        # Blocks that fit in the CPU cache: the same arithmetic, several times faster
        # than one pass of many full-length temporaries.
        out = {k: np.empty(n, dtype=np.int8 if k == "status" else float) for k in self.outputs}
        for start in range(0, n, BLOCK):
            stop = min(start + BLOCK, n)
            part = self._block({k: v[start:stop] for k, v in params.items()}, stop - start)
            for k in self.outputs:
                out[k][start:stop] = part[k]
        return out

    def _block(self, params: dict[str, np.ndarray], n: int) -> Columns:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            out = self._evaluate({**params, "_n": np.empty(n)})
        bad = out["status"] != OK
        if bad.any():
            out = {k: v.copy() for k, v in out.items()}  # outputs may share memory
            for name in self.outputs[:-1]:
                out[name][bad] = np.nan
        return out

    def __reduce__(self) -> tuple[Any, ...]:
        # Compiled numpy functions do not pickle; a kernel is rebuilt from its recipe
        # (for Dask workers), taking the same route.
        return (_rebuild, (self.model, self.method, self.inputs, self.route, self.options))


def _rebuild(
    model: Model, method: str, inputs: tuple[str, ...], route: str, options: dict[str, Any]
) -> Kernel:
    return compile_kernel(model, method, inputs, route=route, **options)


def check_method_and_route(method: str, route: str) -> None:
    """Refuse an unknown solution concept or route, naming the allowed ones.

    Raises
    ------
    ModelError
        ``[sweep] method`` or ``[sweep] route``.
    """
    if method not in METHODS:
        raise ModelError(
            f"unknown solution concept {method!r}; the concepts are {', '.join(METHODS)}",
            table="sweep",
            key="method",
        )
    if route not in ROUTES:
        raise ModelError(
            f"unknown route {route!r}; the routes are {', '.join(ROUTES)}",
            table="sweep",
            key="route",
        )


def compile_kernel(
    model: Model,
    method: str,
    inputs: Sequence[str] = (),
    *,
    route: str = "auto",
    timeout: float = 10.0,
    **options: Any,
) -> Kernel:
    """Compile a model and a solution concept into a vectorised :class:`Kernel`.

    Parameters
    ----------
    model
        The model. The closed form is sought at its parameter values (for a
        sweep, the centre of the swept box), and its values fill in every
        parameter not in ``inputs``.
    method
        A solution concept, as in ``bargain.SOLVERS``.
    inputs
        Names of the parameters that the kernel takes as arrays.
    route
        ``"auto"`` (closed form where found, else vectorised numeric, else the
        scalar loop), or force ``"closed"``, ``"numeric"`` or ``"loop"``.
    timeout
        Seconds allowed for the closed-form attempt.
    **options
        Solver options: ``powers`` (Nash), ``proposer``, ``period``,
        ``horizon`` (alternating offers).

    Raises
    ------
    ModelError
        For an unknown method, route or parameter, or a route that cannot
        serve this model (naming what can).
    """
    check_method_and_route(method, route)
    inputs = tuple(inputs)
    for name in inputs:
        model.parameter(name)  # names the allowed parameters otherwise
    reason = _numeric_unsupported(model, method, options)
    numeric = None if reason else _NUMERIC[method](model, inputs, options)
    if route == "numeric":
        if numeric is None:
            raise ModelError(f"no vectorised numeric route: {reason}", table="sweep", key="route")
        return Kernel(model, method, inputs, "numeric", None, dict(options), numeric)
    if route == "loop":
        return Kernel(
            model,
            method,
            inputs,
            "loop",
            None,
            dict(options),
            _loop(model, method, inputs, options),
        )
    closed = None
    if method in VECTORISED and not (method == "rubinstein" and _finite_horizon(model, options)):
        closed = _closed(model, method, inputs, options, timeout, numeric)
    if closed is not None:
        formula, evaluate = closed
        return Kernel(model, method, inputs, "closed", formula, dict(options), evaluate)
    if route == "closed":
        raise ModelError(
            "no closed form that can be checked point by point was found for this model "
            f"and concept (closed forms are used for {', '.join(VECTORISED)})",
            table="sweep",
            key="route",
        )
    if numeric is not None:
        return Kernel(model, method, inputs, "numeric", None, dict(options), numeric)
    return Kernel(
        model, method, inputs, "loop", None, dict(options), _loop(model, method, inputs, options)
    )


# -- compiling expressions ------------------------------------------------------------------


def _compile(
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
    fixed = {p.symbol: p.value for p in model.parameters if p.name not in inputs}
    symbols = [model.parameter(n).symbol for n in inputs]
    body = [sympy.sympify(e).xreplace(fixed) for e in exprs]
    f = sympy.lambdify([*extra, *symbols], body, modules=_MODULES, cse=True)

    def call(*args: np.ndarray, params: Mapping[str, np.ndarray], n: int) -> list[np.ndarray]:
        values = f(*args, *(params[name] for name in inputs))
        if not broadcast:
            return [_real(v, n) if np.ndim(v) or np.iscomplexobj(v) else float(v) for v in values]
        return [_real(v, n) for v in values]

    return call


def _real(value: Any, n: int) -> np.ndarray:
    """A compiled value as a float array of length ``n``: constants broadcast, complex values
    with a non-negligible imaginary part (e.g. sqrt of a negative) become NaN."""
    a = np.asarray(value)
    if np.iscomplexobj(a):
        real = a.real
        a = np.where(np.abs(a.imag) <= 1e-12 * (1 + np.abs(real)), real, np.nan)
    a = np.asarray(a, dtype=float)
    return np.array(np.broadcast_to(a, (n,)), dtype=float) if a.shape != (n,) else a


def _subset(params: Mapping[str, np.ndarray], idx: np.ndarray) -> dict[str, np.ndarray]:
    return {k: v[idx] for k, v in params.items() if k != "_n"}


# -- which routes apply -----------------------------------------------------------------------


def _finite_horizon(model: Model, options: Mapping[str, Any]) -> bool:
    h = options.get("horizon")
    if h is None:
        return model.bargaining.horizon != sympy.oo
    return not math.isinf(h)


def _numeric_unsupported(model: Model, method: str, options: Mapping[str, Any]) -> str | None:
    """Why the vectorised numeric route cannot serve (model, method), or None if it can."""
    if method not in VECTORISED:
        return f"{method} is solved point by point (vectorised: {', '.join(VECTORISED)})"
    if len(model.variables) != 1 or len(model.parties) != 2:
        return "it needs one contract variable and two parties"
    if model.constraints:
        return "it does not handle [constraints]"
    if method == "rubinstein" and _finite_horizon(model, options):
        return "a finite horizon is solved by backward induction, point by point"
    if method == "rubinstein" and model.bargaining.status_quo is not None:
        return "a status quo belongs to the strike-or-holdout game"
    try:
        _oriented(model)
    except BargainError as err:
        return str(err)
    return None


def _oriented(model: Model) -> tuple[int, int]:
    """Indices of the party whose payoff rises with x and of the one whose payoff falls,
    at the model's values (refusing a frontier that is not monotone)."""
    v = model.variables[0]
    lo = numeric_value(model, v.min, f"variables.{v.name}", "min")
    hi = numeric_value(model, v.max, f"variables.{v.name}", "max")
    grid = np.linspace(lo, hi, 201)
    trends = []
    for p in model.parties:
        f = sympy.lambdify(v.symbol, model.numeric(p.payoff), _MODULES)
        with np.errstate(all="ignore"):
            u = _real(f(grid), grid.size)
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
    maxiter: int = 100,
) -> tuple[np.ndarray, np.ndarray]:
    """Roots of many one-variable functions at once, each bracketed in ``[a, b]``.

    ``fdf(x, idx)`` returns the values and derivatives of the functions of the
    points ``idx`` at ``x``; ``sign_a`` is the sign of each function at ``a``
    (the opposite sign holds at ``b``). A Newton step is taken where it stays
    strictly inside the current bracket, else the bracket is bisected; after
    40 iterations only bisection is used. Converged points leave the working
    set, so late iterations cost little.

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
        scale = 1 + np.abs(x)
        done = (
            zero
            | (inside & (np.abs(step) <= _STEP * scale))
            | (np.abs(hi - lo) <= 2 * _XTOL * scale)
            | ~np.isfinite(f)
        )
        good = done & np.isfinite(f)
        root[idx[good]] = np.where(zero, x, x_new)[good]
        converged[idx[good]] = True
        keep = ~done
        idx, lo, hi, s, x = idx[keep], lo[keep], hi[keep], s[keep], x_new[keep]
        if idx.size == 0:
            break
    return root, converged


def _bisect(
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


# -- one variable, two parties: shared pieces ---------------------------------------------


class _Frontier:
    """One contract variable between a party whose payoff rises (r) and one whose falls (f),
    compiled: payoffs with first and second derivatives, bounds, disagreement payoffs."""

    def __init__(self, model: Model, inputs: Sequence[str]) -> None:
        self.model = model
        self.inputs = tuple(inputs)
        self.var = model.variables[0]
        x = self.var.symbol
        self.x = x
        ir, jf = _oriented(model)
        self.r, self.f = model.parties[ir], model.parties[jf]
        us = [self.r.payoff, self.f.payoff]
        self.u = _compile(
            model,
            inputs,
            [e for u in us for e in (u, sympy.diff(u, x), sympy.diff(u, x, 2))],
            [x],
        )
        self.first = _compile(
            model,
            inputs,
            [e for u in us for e in (u, sympy.diff(u, x))],
            [x],
            broadcast=False,
        )
        self.values = _compile(model, inputs, us, [x], broadcast=False)
        self.constants = _compile(
            model, inputs, [self.var.min, self.var.max, self.r.disagreement, self.f.disagreement]
        )

    def payoffs(self, x: np.ndarray, params: Mapping[str, np.ndarray]) -> list[np.ndarray]:
        """``[u_r, u_r', u_r'', u_f, u_f', u_f'']`` at ``x``."""
        return self.u(x, params=params, n=x.size)

    def monotone(
        self, lo: np.ndarray, hi: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> np.ndarray:
        """Per point: u_r non-decreasing and u_f non-increasing on a grid of [lo, hi]."""
        ok = np.ones(lo.size, dtype=bool)
        prev = None
        for t in np.linspace(0, 1, _GRID):
            x = lo + t * (hi - lo)
            u = self.values(x, params=params, n=x.size)
            if prev is not None:
                ok &= (u[0] >= prev[0] - _TOL * (1 + np.abs(prev[0]))) & (
                    u[1] <= prev[1] + _TOL * (1 + np.abs(prev[1]))
                )
            ok &= np.isfinite(u[0]) & np.isfinite(u[1])
            prev = u
        return ok

    def columns(
        self, x: np.ndarray, status: np.ndarray, params: Mapping[str, np.ndarray]
    ) -> Columns:
        u = [_real(v, x.size) for v in self.values(x, params=params, n=x.size)]
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
            u = self.payoffs(x, _subset(params, idx))
            return u[k] - level[idx], u[k + 1]

        root, ok = bracketed_newton(fdf, lo, hi, np.sign(u_lo - level))
        inside = (np.minimum(u_lo, u_hi) <= level) & (level <= np.maximum(u_lo, u_hi))
        root = np.where(inside, root, np.nan)
        return root, ok & inside


def _interval(fr: _Frontier, params: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """The individually rational contracts ``[a, b]`` of each point, whether each end is
    where a party is at its disagreement payoff, and which points have any."""
    n = params["_n"].size
    lo, hi, d_r, d_f = fr.constants(params=params, n=n)
    at_lo, at_hi = fr.payoffs(lo, params), fr.payoffs(hi, params)
    a = lo.copy()
    a_open = at_lo[0] < d_r
    need = np.flatnonzero(a_open & (at_hi[0] > d_r))
    if need.size:
        sub = _subset(params, need)
        a[need] = fr.level(0, d_r[need], lo[need], hi[need], {**sub, "_n": need})[0]
    b = hi.copy()
    b_open = at_hi[3] < d_f
    need = np.flatnonzero(b_open & (at_lo[3] > d_f))
    if need.size:
        sub = _subset(params, need)
        b[need] = fr.level(1, d_f[need], lo[need], hi[need], {**sub, "_n": need})[0]
    feasible = (at_hi[0] > d_r) & (at_lo[3] > d_f) & (a < b) & (lo <= hi)
    return lo, hi, d_r, d_f, a, b, a_open, b_open, feasible


# -- the numeric routes ---------------------------------------------------------------------------


def _nash_numeric(model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> Callable:
    fr = _Frontier(model, inputs)
    weights = bargaining_powers(model, options.get("powers"))
    w = _compile(model, inputs, [weights[fr.r.name], weights[fr.f.name]])

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        lo, hi, d_r, d_f, a, b, a_open, b_open, feasible = _interval(fr, params)
        w_r, w_f = w(params=params, n=n)

        def dphi(x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            u = fr.payoffs(x, _subset(params, idx))
            g_r, g_f = u[0] - d_r[idx], u[3] - d_f[idx]
            first = w_r[idx] * u[1] / g_r + w_f[idx] * u[4] / g_f
            second = (
                w_r[idx] * (u[2] * g_r - u[1] ** 2) / g_r**2
                + w_f[idx] * (u[5] * g_f - u[4] ** 2) / g_f**2
            )
            return first, second

        all_idx = np.arange(n)
        s_a = np.where(a_open, 1.0, np.sign(dphi(a, all_idx)[0]))
        s_b = np.where(b_open, -1.0, np.sign(dphi(b, all_idx)[0]))
        x = np.where(s_a <= 0, a, np.where(s_b >= 0, b, np.nan))
        status = np.where(feasible, OK, INFEASIBLE)
        inner = np.flatnonzero(feasible & (s_a > 0) & (s_b < 0))
        if inner.size:
            root, ok = bracketed_newton(
                lambda xx, idx: dphi(xx, inner[idx]), a[inner], b[inner], np.ones(inner.size)
            )
            x[inner] = root
            status[inner[~ok]] = NO_CONVERGENCE

        # A single maximum: no grid point of (a, b) beats the answer.
        def log_product(xx: np.ndarray) -> np.ndarray:
            u = fr.payoffs(xx, params)
            return w_r * np.log(u[0] - d_r) + w_f * np.log(u[3] - d_f)

        best = log_product(x)
        for t in np.linspace(0, 1, _GRID + 2)[1:-1]:
            other = log_product(a + t * (b - a))
            status = np.where(
                (status == OK) & (other > best + _TOL * (1 + np.abs(best))), NO_CONVERGENCE, status
            )
        status = np.where((status == OK) & ~fr.monotone(lo, hi, params), NO_CONVERGENCE, status)
        status = np.where((status == OK) & ~np.isfinite(best), INFEASIBLE, status)
        return fr.columns(x, status, params)

    return evaluate


def _egalitarian_numeric(
    model: Model, inputs: Sequence[str], options: Mapping[str, Any]
) -> Callable:
    fr = _Frontier(model, inputs)

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        lo, hi, d_r, d_f = fr.constants(params=params, n=n)

        def fdf(x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            u = fr.payoffs(x, _subset(params, idx))
            return (u[0] - d_r[idx]) - (u[3] - d_f[idx]), u[1] - u[4]

        all_idx = np.arange(n)
        g_lo, g_hi = fdf(lo, all_idx)[0], fdf(hi, all_idx)[0]
        x = np.where(g_lo >= 0, lo, np.where(g_hi <= 0, hi, np.nan))
        status = np.full(n, OK)
        inner = np.flatnonzero((g_lo < 0) & (g_hi > 0))
        if inner.size:
            root, ok = bracketed_newton(
                lambda xx, idx: fdf(xx, inner[idx]), lo[inner], hi[inner], -np.ones(inner.size)
            )
            x[inner] = root
            status[inner[~ok]] = NO_CONVERGENCE
        u = fr.payoffs(x, params)
        gain = np.minimum(u[0] - d_r, u[3] - d_f)
        scale = 1 + np.abs(u[0]) + np.abs(u[3])
        status = np.where((status == OK) & ~(gain > _TOL * scale), INFEASIBLE, status)
        status = np.where((status == OK) & ~fr.monotone(lo, hi, params), NO_CONVERGENCE, status)
        return fr.columns(x, status, params)

    return evaluate


class _Game:
    """The alternating-offers game compiled: per round, each responder's continuation
    ``c + k u(y)`` (``c`` strike and breakdown payoffs, ``k = (1 - q) δ``) and outside option."""

    def __init__(self, model: Model, inputs: Sequence[str], options: Mapping[str, Any]) -> None:
        from .rubinstein import game_of

        game = game_of(model, proposer=options.get("proposer"), period=options.get("period"))
        self.fr = _Frontier(model, inputs)
        sides = {game.rising.party.name: game.rising, game.falling.party.name: game.falling}
        q = game.breakdown
        exprs = []
        for name in (self.fr.r.name, self.fr.f.name):
            s = sides[name]
            out = s.outside if s.outside is not None else sympy.Integer(-(10**300))
            exprs += [s.strike + q * s.party.disagreement, (1 - q) * s.discount, out]
        self.terms = _compile(model, inputs, exprs)
        self.first_rising = game.first == self.fr.r.name
        self.outside = game.rising.outside is not None or game.falling.outside is not None

    def evaluate(self, params: dict[str, np.ndarray], newton_only: bool = False) -> Columns:
        fr = self.fr
        n = params["_n"].size
        lo, hi, _, _ = fr.constants(params=params, n=n)
        c_r, k_r, o_r, c_f, k_f, o_f = self.terms(params=params, n=n)
        # Newton on  u_f(x_r) = max(o_f, c_f + k_f u_f(x_f)),
        #            u_r(x_f) = max(o_r, c_r + k_r u_r(x_r)),
        # from the proposals of a linear frontier with the same discounting.
        share = np.clip((1 - k_f) / (1 - k_r * k_f), 0, 1)
        out_r = lo + (hi - lo) * share
        out_f = lo + (hi - lo) * share * k_r
        done = np.zeros(n, dtype=bool)
        idx = np.arange(n)
        w = {"x_r": out_r.copy(), "x_f": out_f.copy(), "lo": lo, "hi": hi, "c_r": c_r}
        w.update({"k_r": k_r, "o_r": o_r, "c_f": c_f, "k_f": k_f, "o_f": o_f})
        sub = _subset(params, idx)
        alive = np.ones(n, dtype=bool)
        for _ in range(60):
            x_r, x_f = w["x_r"], w["x_f"]
            ur, dur, uf, duf = self.fr.first(x_r, params=sub, n=x_r.size)
            ur2, dur2, uf2, duf2 = self.fr.first(x_f, params=sub, n=x_f.size)
            keep_f = w["c_f"] + w["k_f"] * uf2
            keep_r = w["c_r"] + w["k_r"] * ur
            if self.outside:
                on_f, on_r = keep_f >= w["o_f"], keep_r >= w["o_r"]
                f1 = uf - np.where(on_f, keep_f, w["o_f"])
                f2 = ur2 - np.where(on_r, keep_r, w["o_r"])
                j12 = np.where(on_f, -w["k_f"] * duf2, 0.0)
                j21 = np.where(on_r, -w["k_r"] * dur, 0.0)
            else:
                f1, f2 = uf - keep_f, ur2 - keep_r
                j12, j21 = -w["k_f"] * duf2, -w["k_r"] * dur
            det = duf * dur2 - j12 * j21
            new_r = np.clip(x_r - (f1 * dur2 - f2 * j12) / det, w["lo"], w["hi"])
            new_f = np.clip(x_f - (f2 * duf - f1 * j21) / det, w["lo"], w["hi"])
            step = np.abs(new_r - x_r) + np.abs(new_f - x_f)
            stop = alive & (
                (step <= _STEP * (1 + np.abs(x_r) + np.abs(x_f)))
                | ~np.isfinite(det)
                | ((f1 == 0) & (f2 == 0))
            )
            # Points that stop keep their value (each point's iterates are its own,
            # whatever else is in the chunk); the others move on.
            w["x_r"] = np.where(alive, new_r, x_r)
            w["x_f"] = np.where(alive, new_f, x_f)
            out_r[idx[stop]], out_f[idx[stop]] = new_r[stop], new_f[stop]
            done[idx[stop]] = True
            alive &= ~stop
            left = int(alive.sum())
            if left == 0:
                break
            if left < alive.size // 2:  # drop the finished points from the work
                idx = idx[alive]
                w = {k: v[alive] if np.ndim(v) else v for k, v in w.items()}
                sub = {k: v[alive] for k, v in sub.items()}
                alive = np.ones(left, dtype=bool)
        # Vouch for a point only if both indifference conditions hold in the contract range.
        ur, uf = fr.values(out_r, params=params, n=n), fr.values(out_f, params=params, n=n)
        res1 = ur[1] - np.maximum(o_f, c_f + k_f * uf[1])
        res2 = uf[0] - np.maximum(o_r, c_r + k_r * ur[0])
        scale = 1 + np.abs(ur[1]) + np.abs(uf[0])
        ok = done & (np.abs(res1) <= 1e-10 * scale) & (np.abs(res2) <= 1e-10 * scale)
        ok &= (out_r >= lo) & (out_r <= hi) & (out_f >= lo) & (out_f <= hi)
        status = np.where(ok, OK, NO_CONVERGENCE)
        contracting = (k_r < 1) | (k_f < 1)
        status = np.where(contracting, status, NO_CONVERGENCE)
        redo = np.flatnonzero((status != OK) & contracting)
        if redo.size and not newton_only:
            sub = {**_subset(params, redo), "_n": redo}
            xr2, xf2, st2 = self._fixed_point(sub, lo[redo], hi[redo])
            out_r[redo], out_f[redo], status[redo] = xr2, xf2, st2
        status = np.where((status == OK) & ~fr.monotone(lo, hi, params), NO_CONVERGENCE, status)
        x = out_r if self.first_rising else out_f
        return fr.columns(x, status, params)

    def _fixed_point(
        self, params: dict[str, np.ndarray], lo: np.ndarray, hi: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The scalar solver's algorithm, vectorised: bisection on the composite proposal
        map, with each proposal found by bisection on the responder's payoff."""
        fr = self.fr
        n = lo.size
        c_r, k_r, o_r, c_f, k_f, o_f = self.terms(params=params, n=n)
        u_lo, u_hi = fr.payoffs(lo, params), fr.payoffs(hi, params)
        bad = np.zeros(n, dtype=bool)

        def offer(which: int, level: np.ndarray) -> np.ndarray:
            # The contract giving responder `which` exactly `level`, best for the proposer.
            k = 0 if which == 0 else 3
            worst, best = (lo, hi) if which == 0 else (hi, lo)
            u_worst = u_lo[k] if which == 0 else u_hi[k]
            u_best = u_hi[k] if which == 0 else u_lo[k]

            def g(x: np.ndarray) -> np.ndarray:
                return fr.payoffs(x, params)[k] - level

            inner = _bisect(g, lo, hi)
            x = np.where(u_worst >= level, worst, np.where(u_best <= level, best, inner))
            bad[:] |= u_best < level - 1e-15 * (1 + np.abs(level))
            return x

        def gap(x_f: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            uf = fr.payoffs(x_f, params)
            x_r = offer(1, np.maximum(o_f, c_f + k_f * uf[3]))
            ur = fr.payoffs(x_r, params)
            return offer(0, np.maximum(o_r, c_r + k_r * ur[0])) - x_f, x_r

        g_lo, g_hi = gap(lo)[0], gap(hi)[0]
        x_f = _bisect(lambda z: gap(z)[0], lo, hi)
        x_f = np.where(g_lo == 0, lo, np.where(g_hi == 0, hi, x_f))
        bracket = (g_lo == 0) | (g_hi == 0) | (np.sign(g_lo) * np.sign(g_hi) < 0)
        bad[:] = False
        residual, x_r = gap(x_f)
        status = np.where(bracket & ~bad, OK, INFEASIBLE)
        status = np.where(
            (status == OK) & ~(np.abs(residual) <= 1e-9 * (1 + np.abs(hi - lo))),
            NO_CONVERGENCE,
            status,
        )
        return x_r, x_f, status


def _rubinstein_numeric(
    model: Model, inputs: Sequence[str], options: Mapping[str, Any]
) -> Callable:
    return _Game(model, inputs, options).evaluate


_NUMERIC: dict[str, Callable[..., Callable[[dict[str, np.ndarray]], Columns]]] = {
    "nash": _nash_numeric,
    "egalitarian": _egalitarian_numeric,
    "rubinstein": _rubinstein_numeric,
}


# -- the closed route ------------------------------------------------------------------------------


def _closed(
    model: Model,
    method: str,
    inputs: Sequence[str],
    options: Mapping[str, Any],
    timeout: float,
    numeric: Callable[[dict[str, np.ndarray]], Columns] | None,
) -> tuple[dict[str, sympy.Expr], Callable[[dict[str, np.ndarray]], Columns]] | None:
    """The closed form at the model's values, compiled with its per-point checks; None if
    there is none that can be checked (or the solver refuses the model's own values)."""
    if method == "rubinstein":
        found = _rubinstein_formulas(model, options, timeout)
    else:
        found = _axiomatic_formula(model, method, options, timeout)
    if found is None:
        return None
    formula, exprs, checks = found
    names = model.variable_names
    parties = model.party_names
    fn = _compile(model, inputs, [*exprs, *checks])
    n_out = len(names) + len(parties)

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        values = fn(params=params, n=n)
        ok = values[n_out] >= 0  # NaN compares False
        for c in values[n_out + 1 :]:
            ok &= c >= 0
        status = np.where(ok, OK, OUTSIDE_FORMULA).astype(np.int8)
        out = {name: values[i] for i, name in enumerate(names)}
        out.update({f"payoff_{p}": values[len(names) + i] for i, p in enumerate(parties)})
        bad = np.flatnonzero(~ok)
        if bad.size and numeric is not None:
            # Equal formulas may share one array (cse): copy before writing into them.
            out = {key: col.copy() for key, col in out.items()}
            redo = numeric({**_subset(params, bad), "_n": bad})
            for key, col in redo.items():
                if key == "status":
                    status[bad] = col
                else:
                    out[key][bad] = col
        out["status"] = status
        return out

    return formula, evaluate


def _scale_tol(model: Model, exprs: Sequence[sympy.Expr]) -> sympy.Expr:
    """An absolute tolerance for the checks: relative to the size of the values involved."""
    size = 1.0
    for e in exprs:
        with contextlib.suppress(TypeError, ValueError):
            size = max(size, abs(float(model.numeric(e))))
    return sympy.Float(_TOL * size)


def _axiomatic_formula(
    model: Model, method: str, options: Mapping[str, Any], timeout: float
) -> tuple[dict[str, sympy.Expr], list[sympy.Expr], list[sympy.Expr]] | None:
    from . import SOLVERS

    kwargs = {"powers": options["powers"]} if method == "nash" and options.get("powers") else {}
    try:
        sol = SOLVERS[method](model, exact=True, timeout=timeout, **kwargs)
    except BargainError:
        return None
    if sol.formula is None or sol.binding:
        # A formula with a binding bound or constraint cannot be checked point by point
        # without its multipliers; the numeric route (or the loop) decides those points.
        return None
    formula = dict(sol.formula)
    sub = {v.symbol: formula[v.name] for v in model.variables}
    payoffs = [p.payoff.xreplace(sub) for p in model.parties]
    tol = _scale_tol(model, [*formula.values(), *payoffs])
    checks: list[sympy.Expr] = []
    for v in model.variables:
        checks += [formula[v.name] - v.min + tol, v.max - formula[v.name] + tol]
    for c in model.constraints:
        slack = c.slack.xreplace(sub)
        checks += [slack + tol] + ([tol - slack] if c.is_equality else [])
    for p, u in zip(model.parties, payoffs, strict=True):
        # Strictly better than disagreement for Nash (its log product), weakly otherwise.
        checks.append(u - p.disagreement - (tol if method == "nash" else -tol))
    return formula, [*formula.values(), *payoffs], checks


def _rubinstein_formulas(
    model: Model, options: Mapping[str, Any], timeout: float
) -> tuple[dict[str, sympy.Expr], list[sympy.Expr], list[sympy.Expr]] | None:
    from .rubinstein import _exact, _moves, _Numeric, _stationary, game_of

    try:
        game = game_of(model, proposer=options.get("proposer"), period=options.get("period"))
        num = _Numeric(game)
        (w_lo, w_hi), (a_lo, a_hi) = _stationary(num)
    except BargainError:
        return None
    if max(w_hi - w_lo, a_hi - a_lo) > 0:
        return None
    moves = _moves(num, w_lo, a_lo)
    binding = {m.responder: m.walks for m in moves.values()}
    props = {n: m.offer for n, m in moves.items()}
    found = _exact(game, props[num.rising], props[num.falling], binding, timeout)
    if found is None:
        return None
    x = game.x
    var = model.variables[0]
    agreed = found[game.first]
    payoffs = [p.payoff.xreplace({x: agreed}) for p in model.parties]
    tol = _scale_tol(model, [*found.values(), *payoffs])
    checks: list[sympy.Expr] = []
    for e in found.values():
        checks += [e - var.min + tol, var.max - e + tol]
    # Each responder's outside option is on the side of its continuation the formula assumes.
    q = game.breakdown
    for side, other in ((game.rising, game.falling), (game.falling, game.rising)):
        if side.outside is None:
            continue
        own_offer = found[side.party.name]
        keep = (
            side.strike
            + q * side.party.disagreement
            + (1 - q) * side.discount * (side.party.payoff.xreplace({x: own_offer}))
        )
        diff = side.outside - keep if binding[side.party.name] else keep - side.outside
        checks.append(diff + tol)
        del other
    return {var.name: agreed}, [agreed, *payoffs], checks


# -- the loop route -------------------------------------------------------------------------------


def _loop(
    model: Model, method: str, inputs: Sequence[str], options: Mapping[str, Any]
) -> Callable[[dict[str, np.ndarray]], Columns]:
    from . import SOLVERS

    solver = SOLVERS[method]
    kwargs = {k: v for k, v in options.items() if v is not None}
    names, parties = model.variable_names, model.party_names

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        out = {name: np.full(n, np.nan) for name in names}
        out.update({f"payoff_{p}": np.full(n, np.nan) for p in parties})
        status = np.full(n, OK, dtype=np.int8)
        for i in range(n):
            try:
                point = model.with_values({k: float(params[k][i]) for k in inputs})
                sol = solver(point, exact=False, **kwargs)
            except (FeasibilityError, ModelError):
                status[i] = INFEASIBLE
                continue
            except SolverError:
                status[i] = NO_CONVERGENCE
                continue
            if not sol.unique:
                status[i] = NO_CONVERGENCE
                continue
            for name in names:
                out[name][i] = sol.agreement[name]
            for p in parties:
                out[f"payoff_{p}"][i] = sol.payoffs[p]
        out["status"] = status
        return out

    return evaluate


__all__ = [
    "INFEASIBLE",
    "METHODS",
    "NO_CONVERGENCE",
    "OK",
    "OUTSIDE_FORMULA",
    "ROUTES",
    "STATUSES",
    "VECTORISED",
    "Kernel",
    "bracketed_newton",
    "compile_kernel",
]
