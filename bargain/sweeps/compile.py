"""Compiled kernels: a model and a solution concept as one vectorised numpy function.

:func:`compile_kernel` turns a model, a solution concept and the names of the
parameters to vary into a :class:`Kernel`: a function from arrays of
parameter values to arrays of agreements, payoffs and a per-point status.
It compiles once; evaluating a million points is then a handful of numpy
array operations. Three routes, chosen per model (``route="auto"``):

``closed``
    The scalar solver finds the agreement as a formula in the parameters
    (:attr:`Solution.formula <bargain.Solution.formula>`); the formula and the
    payoffs it implies are compiled with ``sympy.lambdify(..., cse=True)`` (through
    :func:`bargain.model.model.lambdify`).
    A formula holds where the active set it was derived for holds, so every
    point is checked (inside the bounds, individually rational, outside
    options on the side the formula assumes); a point that fails is solved
    by the numeric route, or point by point where there is none.
``numeric``
    No closed form: the solver itself runs over all points at once —
    safeguarded Newton with a bisection bracket on the first-order condition
    (Nash), the equal-gains condition (egalitarian) or the two indifference
    conditions (alternating offers; a nested bisection on the proposal map
    is the fallback where Newton cannot vouch for a point). For one contract
    variable, two parties with monotone payoffs and no ``[constraints]``; for
    several variables in their bounds (Nash, and the alternating-offers game
    over a transfer), a batched projected Newton method
    (:class:`bargain.concepts.vectorised.Box`). A
    point the kernel cannot vouch for (``no_convergence``) is solved again
    point by point, so every point the scalar solver solves, the sweep solves.
    Each concept brings its own kernel and closed form through the registry
    (:mod:`bargain.concepts.registry`); this module only runs them.
``loop``
    Anything else: the scalar solver, point by point (correct, slow).

Each point gets a status (:data:`STATUSES`): ``ok``; ``no_convergence`` (the
iteration did not converge, or its assumptions — monotone payoffs, a single
maximum — fail at that point); ``infeasible`` (no agreement improves on
disagreement, or the equilibrium equations have no solution in the contract
range); ``outside_formula`` is kept in the list for the files of older runs (its
points are now solved by the next route); ``not_unique``, ``unbounded`` and
``undefined`` say what ``bargain solve`` says at the point (a set of agreements;
a payoff growing without bound; a payoff that is not a finite real number). A point
that is not ``ok`` has NaN agreement and payoffs (but for the tie-break of a
``not_unique`` point, where the concept has one): it is flagged, never silently
wrong.

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

import math
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any

import numpy as np
import sympy
from numpy.typing import ArrayLike

from bargain.axiomatic.breakpoints import KINKED, switches
from bargain.axiomatic.nash import bargaining_powers
from bargain.axiomatic.payoff_level import in_levels, movable, sweep_levels
from bargain.axiomatic.payoff_unit import TINY
from bargain.concepts.registry import Concept, concept, concepts
from bargain.concepts.vectorised import (
    INFEASIBLE,
    NO_CONVERGENCE,
    NOT_UNIQUE,
    OK,
    OUTSIDE_FORMULA,
    STATUSES,
    UNBOUNDED,
    UNDEFINED,
    Columns,
    Evaluate,
    compile_exprs,
    subset,
)
from bargain.errors import (
    BargainError,
    FeasibilityError,
    ModelError,
    SolverError,
    UnboundedError,
    UndefinedPayoffError,
)
from bargain.model.model import Model, exact_number
from bargain.strategic.rubinstein import read_horizon as horizon_of

ROUTES = ("auto", "closed", "numeric", "loop")
"""How a kernel solves its points (see the module docstring)."""
BLOCK = 1 << 14  # points evaluated at a time inside one kernel call (docs/sweeps.md, "Chunks")


def methods() -> tuple[str, ...]:
    """The solution concepts a sweep can use: every registered one."""
    return tuple(c.name for c in concepts())


def vectorised() -> tuple[str, ...]:
    """The concepts with a vectorised numeric kernel (see the module docstring for the
    models each serves)."""
    return tuple(c.name for c in concepts() if c.kernel is not None)


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
        # A set's row keeps its tie-break where the concept has one (docs/sweeps.md).
        bad = (out["status"] != OK) & (out["status"] != NOT_UNIQUE)
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


def check_method_and_route(method: str, route: str) -> Concept:
    """The registered concept ``method``, refusing an unknown concept or route and naming
    the allowed ones.

    Raises
    ------
    ModelError
        ``[sweep] method`` or ``[sweep] route``.
    """
    found = concept(method, table="sweep")
    if route not in ROUTES:
        raise ModelError(
            f"unknown route {route!r}; the routes are {', '.join(ROUTES)}",
            table="sweep",
            key="route",
        )
    return found


def check_options(found: Concept, model: Model, options: Mapping[str, Any]) -> dict[str, Any]:
    """The options, checked: refuse, before any solving, an option the concept does not
    take or a value its scalar solver would refuse: powers
    (:func:`~bargain.axiomatic.nash.bargaining_powers`: parties and positive numbers),
    ``limit`` (True or False), a proposer or union (a party's name), a period (a positive
    number), a horizon (a positive integer or
    infinity, returned as ``math.inf`` or an ``int``). The scalar solver raises them at
    every point, where a sweep would report each point ``infeasible``.

    Raises
    ------
    ModelError
        Naming the option.

    Examples
    --------
    >>> import bargain
    >>> from bargain.concepts.registry import concept
    >>> m = bargain.load_model(bargain.models_dir() / "split.toml")
    >>> check_options(concept("nash"), m, {"powers": {"W": "2", "A": 1}})
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [power] W: must be a number, got str '2'
    """
    checked = dict(options)
    for key, value in options.items():
        if key not in found.options:
            raise ModelError(
                f"not an option of {found.name}; its options are "
                f"{', '.join(found.options) or 'none'}",
                table="sweep",
                key=key,
            )
        if value is None:
            continue
        if key == "powers":
            if not isinstance(value, Mapping):
                raise ModelError(
                    f"must map parties to powers, got {type(value).__name__}",
                    table="sweep",
                    key=key,
                )
            bargaining_powers(model, value)
        elif key == "limit" and not isinstance(value, bool | np.bool_):
            raise ModelError(f"must be True or False, got {value!r}", table="sweep", key=key)
        elif key in ("proposer", "union"):
            if not isinstance(value, str):
                raise ModelError(
                    f"must be a party's name ({', '.join(model.party_names)}), got {value!r}",
                    table="sweep",
                    key=key,
                )
            model.party(value)  # names the parties otherwise
        elif key == "period":
            if not exact_number(value, table=found.name, key=key, file=model.file) > 0:
                raise ModelError(
                    f"must be a positive number of periods, got {value!r}",
                    file=model.file,
                    table=found.name,
                    key=key,
                )
        elif key == "horizon":  # as the scalar solver reads it: "inf" is infinity
            h = horizon_of(value, model.file)
            checked[key] = math.inf if h == sympy.oo else int(h)
    return checked


def compile_kernel(
    model: Model,
    method: str,
    inputs: Sequence[str] = (),
    *,
    route: str = "auto",
    timeout: float = 10.0,
    rescue: bool = True,
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
        A registered solution concept (:func:`methods`).
    inputs
        Names of the parameters that the kernel takes as arrays.
    route
        ``"auto"`` (closed form where found, else vectorised numeric, else the
        scalar loop), or force ``"closed"``, ``"numeric"`` or ``"loop"``.
    timeout
        Seconds allowed for the closed-form attempt.
    rescue
        Whether the points the numeric kernel cannot vouch for are solved again point
        by point by the scalar solver (the default); with ``False`` they stay
        ``no_convergence``, for a caller that solves them its own way (the batched
        credibility report, :func:`bargain.sweeps.credibilities.credibilities`).
    **options
        The concept's options (:attr:`Concept.options <bargain.concepts.registry.Concept.options>`):
        ``powers`` (Nash), ``proposer``, ``period``, ``horizon`` (alternating offers).

    Raises
    ------
    ModelError
        For an unknown method, route or parameter, a concept that cannot solve a model
        with this many parties, or a route that cannot serve this model (naming what can).
    """
    found = check_method_and_route(method, route)
    unsupported = found.supports(model)
    if unsupported is not None:  # refused once, not as an infeasible status at every point
        raise ModelError(unsupported, file=model.file, table="parties")
    inputs = tuple(inputs)
    for name in inputs:
        model.parameter(name)  # names the allowed parameters otherwise
    options = {k: v for k, v in options.items() if v is not None}
    options = check_options(found, model, options)
    # A concept invariant under each party's level solves the model with it moved out, and
    # the payoffs get it back point by point (bargain.axiomatic.payoff_level).
    levels = sweep_levels(model, inputs) if found.levels and movable(options) else {}
    solved = in_levels(model, levels) if levels else model
    numeric, reason = _numeric(found, solved, inputs, options)
    loop = _loop(found, solved, inputs, options)
    back = _levels_back(model, inputs, levels)

    def make(route: str, formula: dict[str, sympy.Expr] | None, evaluate: Evaluate) -> Kernel:
        return Kernel(model, method, inputs, route, formula, dict(options), back(evaluate))

    if route == "loop":
        return make("loop", None, loop)
    if numeric is not None:
        numeric = _rescued(numeric, loop) if rescue else _flagged(numeric)
    if route == "numeric":
        if numeric is None:
            raise ModelError(f"no vectorised numeric route: {reason}", table="sweep", key="route")
        return make("numeric", None, numeric)
    closed = _closed(found, solved, inputs, options, timeout, numeric or loop)
    if closed is not None:
        return make("closed", *closed)
    if route == "closed":
        raise ModelError(
            "no closed form that can be checked point by point was found for this model "
            f"and concept (closed forms are used for "
            f"{', '.join(c.name for c in concepts() if c.formula is not None)})",
            table="sweep",
            key="route",
        )
    if numeric is not None:
        return make("numeric", None, numeric)
    return make("loop", None, loop)


def _levels_back(
    model: Model, inputs: Sequence[str], levels: Mapping[str, sympy.Expr]
) -> Callable[[Evaluate], Evaluate]:
    """What makes an evaluator of the model with the ``levels`` moved out
    (:func:`~bargain.axiomatic.payoff_level.in_levels`) report each party's payoff with its
    level back, computed at each point; the evaluator itself where there are none."""
    if not levels:
        return lambda evaluate: evaluate
    names = list(levels)
    fn = compile_exprs(model, inputs, [levels[name] for name in names])

    def wrap(evaluate: Evaluate) -> Evaluate:
        def moved_back(params: dict[str, np.ndarray]) -> Columns:
            out = dict(evaluate(params))
            for name, level in zip(names, fn(params=params, n=params["_n"].size), strict=True):
                out[f"payoff_{name}"] = out[f"payoff_{name}"] + level
            return out

        return moved_back

    return wrap


def _rescued(fast: Evaluate, loop: Evaluate) -> Evaluate:
    """``fast``, with the points it cannot vouch for (``no_convergence``) solved again
    point by point: every point the scalar solver solves, the sweep solves. So are the
    points whose payoffs are below :data:`~bargain.axiomatic.payoff_unit.TINY` (1e-320,
    where floats keep a few bits): the kernel computes them in floats, the scalar solver in
    a unit of their size (:mod:`bargain.axiomatic.payoff_unit`)."""

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        out = fast(params)
        return _solved_again(out, np.flatnonzero(_unvouched(out)), params, loop)

    return evaluate


def _flagged(fast: Evaluate) -> Evaluate:
    """``fast``, with the points :func:`_rescued` would solve again left ``no_convergence``."""

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        out = fast(params)
        status = np.where(_unvouched(out), NO_CONVERGENCE, out["status"]).astype(np.int8)
        return {**out, "status": status}

    return evaluate


def _unvouched(out: Columns) -> np.ndarray:
    """The points of a numeric kernel's answer that the scalar solver must solve: those it
    cannot vouch for, and those with payoffs below :data:`~bargain.axiomatic.payoff_unit.TINY`."""
    again = out["status"] == NO_CONVERGENCE
    for key, col in out.items():
        if key.startswith("payoff_"):
            size = np.abs(col)
            again |= (size > 0) & (size < TINY)
    return again


def _solved_again(
    out: Columns, points: np.ndarray, params: dict[str, np.ndarray], solver: Evaluate
) -> Columns:
    """``out`` with the rows ``points`` (every column, status included) replaced by
    ``solver``'s answers there."""
    if points.size == 0:
        return out
    # Columns may share memory (equal formulas share one array under cse): copy first.
    out = {key: col.copy() for key, col in out.items()}
    for key, col in solver({**subset(params, points), "_n": points}).items():
        out[key][points] = col
    return out


def _numeric(
    found: Concept, model: Model, inputs: Sequence[str], options: Mapping[str, Any]
) -> tuple[Evaluate | None, str | None]:
    """The concept's vectorised kernel for the model, or why there is none."""
    if found.kernel is None:
        return None, (
            f"{found.name} is solved point by point (vectorised: {', '.join(vectorised())})"
        )
    try:
        return found.kernel(model, inputs, options), None
    except BargainError as err:
        return None, str(err)


# -- the closed route ------------------------------------------------------------------------------


def _closed(
    concept: Concept,
    model: Model,
    inputs: Sequence[str],
    options: Mapping[str, Any],
    timeout: float,
    fallback: Evaluate,
) -> tuple[dict[str, sympy.Expr], Evaluate] | None:
    """The concept's closed form at the model's values, compiled with its per-point checks
    (a point that fails them is solved by ``fallback``: the numeric kernel, else the
    loop); None if there is none that can be checked (or the solver refuses the model's
    values)."""
    pieces = _piece_checks(model, inputs)
    if pieces is None:
        return None
    found = concept.formula(model, options, timeout) if concept.formula is not None else None
    if found is None:
        return None
    formula, exprs, checks = found
    checks = [*checks, *pieces]
    names = model.variable_names
    parties = model.party_names
    fn = compile_exprs(model, inputs, [*exprs, *checks])
    n_out = len(names) + len(parties)

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        values = fn(params=params, n=n)
        ok = values[n_out] >= 0  # NaN compares False
        for c in values[n_out + 1 :]:
            ok &= c >= 0
        for v in values[:n_out]:  # an agreement or payoff that is not a number (a pole's)
            ok &= np.isfinite(v)
        status = np.where(ok, OK, OUTSIDE_FORMULA).astype(np.int8)
        out = {name: values[i] for i, name in enumerate(names)}
        out.update({f"payoff_{p}": values[len(names) + i] for i, p in enumerate(parties)})
        out["status"] = status
        return _solved_again(out, np.flatnonzero(~ok), params, fallback)

    return formula, evaluate


SWITCHED = (*KINKED, sympy.Heaviside, sympy.sign, sympy.floor, sympy.ceiling)
"""Functions made of pieces: a closed form derived on one piece holds only where it is active."""


def _piece_checks(model: Model, inputs: Sequence[str]) -> list[sympy.Expr] | None:
    """Per-point checks that every kinked function of the model (``min``, ``max``, ``abs``,
    ``Piecewise``, ``Heaviside``, ``sign``, ``floor``, ``ceiling``) is on the piece it is on
    at the model's values, where its pieces switch with the varied parameters alone; or
    ``None`` (no closed route) where one switches with a contract variable, or sits at its
    breakpoint at the model's values.

    The scalar solver derives its formula on the pieces active at the solution (or at the
    breakpoint between two: a kink where the solution stays while the parameters move a
    little). Another parameter point may have its solution on another piece, where the
    formula means nothing: ``x = c/3``, the equal gains of ``x`` and
    ``min(1 - x/2, c - 2x)`` on the piece ``c - 2x``, is wrong for ``c > 2``, where the
    piece ``1 - x/2`` is active (there ``x = 2/3``). Which piece is active at the
    formula's point is checkable, but not that the formula's point is still the solution
    (on a piece of a ``max``, a local maximum may lose to one on another piece), so such
    models are solved by the numeric route, which checks the breakpoints at each point
    (Nash), or the scalar solver. A switch of the parameters alone (a bound
    ``min(c, 1)``) is checked point by point: its sign at the point is its sign at the
    model's values.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "parameters": {"c": {"value": 1.5}},
    ...     "variables": {"x": {"min": 0, "max": "min(c, 1)"}},
    ...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}}})
    >>> _piece_checks(m, ["c"])
    [sign(c - 1) - 1/2]
    >>> kinked = bargain.model_from_dict({"model": {"name": "m"},
    ...     "parameters": {"c": {"value": 1.5}},
    ...     "variables": {"x": {"min": 0, "max": 1}},
    ...     "parties": {"W": {"payoff": "x"}, "A": {"payoff": "min(1 - x/2, c - 2*x)"}}})
    >>> _piece_checks(kinked, ["c"]) is None
    True
    """
    fixed = {p.symbol: p.value for p in model.parameters if p.name not in inputs}
    contract = {v.symbol for v in model.variables}
    checks: list[sympy.Expr] = []
    for expr in _expressions(model):
        expr = expr.xreplace(fixed)
        for kink in expr.atoms(*SWITCHED):
            if kink.free_symbols & contract or not isinstance(kink, KINKED):
                if kink.free_symbols:
                    return None
                continue
            for switch in switches(kink):
                sign = model.numeric(switch)
                if not (sign.is_Number and sign != 0):
                    return None
                # Strictly on its side (a Piecewise may jump at its breakpoint): >= 0 checked.
                check = sympy.sign(switch if sign > 0 else -switch) - sympy.Rational(1, 2)
                if switch.free_symbols and check not in checks:
                    checks.append(check)
    return checks


def _expressions(value: Any) -> list[sympy.Expr]:
    """Every sympy expression held by ``value`` (a model: its payoffs, bounds, constraints,
    disagreement points, outside options, discount factors, ...)."""
    if isinstance(value, sympy.Basic):
        return [value]
    if isinstance(value, tuple | list):
        return [e for v in value for e in _expressions(v)]
    if is_dataclass(value) and not isinstance(value, type):
        return [e for f in fields(value) for e in _expressions(getattr(value, f.name))]
    return []


# -- the loop route -------------------------------------------------------------------------------


def status_of(err: BargainError) -> int:
    """The status code of a point whose scalar solve raised ``err``: what ``bargain solve``
    says there, as one of :data:`STATUSES`.

    Examples
    --------
    >>> from bargain.errors import UnboundedError
    >>> STATUSES[status_of(UnboundedError("grows without bound"))]
    'unbounded'
    """
    if isinstance(err, UnboundedError):
        return UNBOUNDED
    if isinstance(err, UndefinedPayoffError):
        return UNDEFINED
    if isinstance(err, FeasibilityError | ModelError):
        return INFEASIBLE
    return NO_CONVERGENCE


def _loop(
    concept: Concept, model: Model, inputs: Sequence[str], options: Mapping[str, Any]
) -> Evaluate:
    """The concept's scalar solver, point by point."""
    kwargs = dict(options)
    if "exact" in concept.parameters:
        kwargs["exact"] = False
    names, parties = model.variable_names, model.party_names

    def evaluate(params: dict[str, np.ndarray]) -> Columns:
        n = params["_n"].size
        out = {name: np.full(n, np.nan) for name in names}
        out.update({f"payoff_{p}": np.full(n, np.nan) for p in parties})
        status = np.full(n, OK, dtype=np.int8)
        for i in range(n):
            try:
                point = model.with_values({k: float(params[k][i]) for k in inputs})
                sol = concept.solve(point, **kwargs)
            except (FeasibilityError, ModelError, SolverError) as err:
                status[i] = status_of(err)
                continue
            if sol.agreement_set or len(sol.agreement_points) > 1 or not sol.agreement:
                # a set, which `bargain solve` lists: the row holds its tie-break, if any
                status[i] = NOT_UNIQUE
                if not sol.agreement:
                    continue
            for name in names:
                out[name][i] = sol.agreement[name]
            for p in parties:
                out[f"payoff_{p}"][i] = sol.payoffs[p]
        out["status"] = status
        return out

    return evaluate


__all__ = [
    "BLOCK",
    "INFEASIBLE",
    "NOT_UNIQUE",
    "NO_CONVERGENCE",
    "OK",
    "OUTSIDE_FORMULA",
    "ROUTES",
    "STATUSES",
    "UNBOUNDED",
    "UNDEFINED",
    "Kernel",
    "check_method_and_route",
    "check_options",
    "compile_kernel",
    "methods",
    "vectorised",
]
