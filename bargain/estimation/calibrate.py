"""Calibration: the parameter values that make a model reproduce observed outcomes.

:func:`calibrate` takes free parameters (each with a declared ``range``) and observations
such as ``"nash:F=140.5"`` or ``"rubinstein[proposer=A]:F=130"`` (a solution concept,
its options, an output — a contract variable or ``payoff_<party>`` — and the observed
value), and finds the values of the free parameters in their ranges at which each
concept's output equals its observation.

Two routes:

exact
    Every concept has a closed form (:attr:`Solution.formula <bargain.Solution.formula>`)
    and there are as many observations as free parameters: the equations
    ``output(formula) = observed`` are solved with sympy for the free parameters; every
    real solution in the box whose closed form holds there (checked against the sweep
    kernel) is kept. A closed form holds only where its active set does, so these are
    all the solutions of *that* form.
numeric
    Otherwise: bounded least squares (:func:`scipy.optimize.least_squares`) on the
    relative residuals, from the model's values and the best points of a Sobol sample
    of the box; the distinct solutions found are reported (a multi-start search finds
    solutions, it cannot prove there are no others). With more observations than free
    parameters it is a least-squares fit, and the result says so.

The result (:class:`Calibration`) holds the implied values, every solution found, the
residuals, the Jacobian ``d output / d parameter`` at the solution and which observations
move which parameter (the Jacobian's rank: a parameter that moves no output is not
identified).

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "split.toml")
>>> c = bargain.calibrate(m, free=["d_W"], match=["nash:x=0.6"])
>>> c.values, c.exact, c.unique
({'d_W': 0.2}, True, True)
>>> c.exact_values
{'d_W': 1/5}
>>> c.jacobian
{'nash:x=0.6': {'d_W': 0.5}}
>>> bargain.calibrate(m, free=["d_W"], match=["nash:x=5"])
Traceback (most recent call last):
...
bargain.errors.ModelError: [calibrate] nash:x=5: no value of d_W in [0, 0.4] reproduces it: ...
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy
from scipy.optimize import least_squares

from bargain.concepts.budget import exact_budget
from bargain.concepts.registry import concept
from bargain.concepts.vectorised import NOT_UNIQUE
from bargain.errors import BargainError, ModelError
from bargain.json_text import dumps
from bargain.model.model import Model, as_expression, exact_number, exact_value, symbol
from bargain.model.validate import validate_model
from bargain.scale import negligible
from bargain.sweeps.compile import Kernel, compile_kernel

TOLERANCE = 1e-9
"""Largest relative residual (``|model - observed| / |observed|``, absolute for an
observed 0) at which an observation counts as reproduced."""
_SAME = 1e-6  # two solutions closer than this fraction of every range are the same
_PENALTY = 1e3  # the residual of a point where the concept has no solution
_SPEC = re.compile(
    r"\s*(?P<method>[A-Za-z][\w-]*)\s*(?:\[(?P<options>[^\]]*)\])?\s*:"
    r"\s*(?P<output>\w+)\s*=\s*(?P<value>\S.*?)\s*\Z"
)


@dataclass(frozen=True)
class Observation:
    """One observed outcome: ``output`` of concept ``method`` (with ``options``) is ``value``.

    Examples
    --------
    >>> o = observation("rubinstein[proposer=A]:F=130")
    >>> o.method, o.options, o.output, o.value
    ('rubinstein', (('proposer', 'A'),), 'F', 130.0)
    >>> o.label
    'rubinstein[proposer=A]:F=130'
    """

    method: str
    output: str
    value: float
    options: tuple[tuple[str, Any], ...] = ()

    @property
    def label(self) -> str:
        """The observation as written on the command line."""
        opts = ",".join(f"{k}={v}" for k, v in self.options)
        return f"{self.method}{f'[{opts}]' if opts else ''}:{self.output}={self.value:.12g}"


def _option(text: str) -> Any:
    """An option value: a whole number, a number (``inf`` too) or a name."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def observation(spec: str | Observation) -> Observation:
    """An :class:`Observation` from ``"CONCEPT[opt=val,...]:OUTPUT=VALUE"``.

    Raises
    ------
    ModelError
        ``[calibrate] match`` if the text does not have that shape.
    """
    if isinstance(spec, Observation):
        return spec
    found = _SPEC.match(spec) if isinstance(spec, str) else None
    if found is None:
        raise ModelError(
            f"expected CONCEPT[opt=val,...]:OUTPUT=VALUE (e.g. nash:F=140.5), got {spec!r}",
            table="calibrate",
            key="match",
        )
    options = []
    for item in filter(None, (s.strip() for s in (found["options"] or "").split(","))):
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ModelError(
                f"expected opt=val inside [...], got {item!r}", table="calibrate", key=spec
            )
        options.append((name.strip(), _option(value.strip())))
    value = float(exact_value(found["value"], table="calibrate", key=spec))
    return Observation(found["method"], found["output"], value, tuple(options))


def _outputs_of(model: Model) -> tuple[str, ...]:
    return (*model.variable_names, *(f"payoff_{p}" for p in model.party_names))


def _check(model: Model, o: Observation) -> None:
    """Refuse an unknown concept, option or output, naming the allowed ones."""
    try:
        found = concept(o.method, table="calibrate")
    except ModelError as err:
        raise ModelError(err.message, table="calibrate", key=o.label) from None
    for key, _ in o.options:
        if key not in found.options:
            raise ModelError(
                f"{key!r} is not an option of {o.method}; its options are "
                f"{', '.join(found.options) or 'none'}",
                table="calibrate",
                key=o.label,
            )
    if o.output not in _outputs_of(model):
        raise ModelError(
            f"unknown output {o.output!r}; the outputs are {', '.join(_outputs_of(model))}",
            table="calibrate",
            key=o.label,
        )


@dataclass(frozen=True)
class Calibration:
    """The parameter values implied by observed outcomes (:func:`calibrate`).

    Attributes
    ----------
    model
        Name of the model.
    free
        The free parameters, in order.
    observations
        The observations matched.
    ranges
        Each free parameter's range (the box searched).
    values
        The implied values (the best solution found), by parameter.
    solutions
        Every distinct solution found in the box, best first.
    exact
        Whether the values solve the concepts' closed forms exactly (``exact_values``).
    exact_values
        The exact implied values (sympy), or ``None``.
    least_squares
        Whether there are more observations than free parameters (a fit, not a solve).
    fitted, residuals
        Each observation's output at ``values``, and that minus the observed value.
    jacobian
        ``d output / d parameter`` at ``values``, by observation then parameter.
    rank
        The rank of the Jacobian (scaled by the ranges and observed values).
    identified_by
        For each free parameter, the observations whose output it moves.
    route
        How the solutions were found.
    notes
        What the result does and does not claim, in words.
    """

    model: str
    free: tuple[str, ...]
    observations: tuple[Observation, ...]
    ranges: dict[str, tuple[float, float]]
    values: dict[str, float]
    solutions: tuple[dict[str, float], ...]
    exact: bool
    exact_values: dict[str, sympy.Expr] | None
    least_squares: bool
    fitted: dict[str, float]
    residuals: dict[str, float]
    jacobian: dict[str, dict[str, float]]
    rank: int
    identified_by: dict[str, tuple[str, ...]]
    route: str
    notes: tuple[str, ...] = field(default=())

    @property
    def unique(self) -> bool:
        """Whether one solution was found in the box."""
        return len(self.solutions) == 1

    @property
    def unidentified(self) -> tuple[str, ...]:
        """The free parameters that move no observed output."""
        return tuple(p for p in self.free if not self.identified_by[p])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "model": self.model,
            "free": list(self.free),
            "observations": [
                {
                    "method": o.method,
                    "options": dict(o.options),
                    "output": o.output,
                    "value": o.value,
                    "label": o.label,
                }
                for o in self.observations
            ],
            "ranges": {k: list(v) for k, v in self.ranges.items()},
            "values": dict(self.values),
            "exact": self.exact,
            "exact_values": None
            if self.exact_values is None
            else {k: str(v) for k, v in self.exact_values.items()},
            "unique": self.unique,
            "solutions": [dict(s) for s in self.solutions],
            "least_squares": self.least_squares,
            "fitted": dict(self.fitted),
            "residuals": dict(self.residuals),
            "jacobian": {k: dict(v) for k, v in self.jacobian.items()},
            "rank": self.rank,
            "identified_by": {k: list(v) for k, v in self.identified_by.items()},
            "unidentified": list(self.unidentified),
            "route": self.route,
            "notes": list(self.notes),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The calibration as a JSON object (:meth:`to_dict`)."""
        return dumps(self.to_dict(), indent)

    def _summary(self) -> str:
        kind = "least-squares fit" if self.least_squares else "solve"
        how = "exact" if self.exact else "numeric"
        found = (
            "unique in the ranges"
            if self.unique
            else f"NOT unique: {len(self.solutions)} solutions found in the ranges"
        )
        return f"{kind}, {how}; {found}; Jacobian rank {self.rank} of {len(self.free)}"

    def to_text(self) -> str:
        """A short human-readable report."""
        lines = [f"calibration of {self.model}: {self._summary()}", "  implied values:"]
        for p in self.free:
            lo, hi = self.ranges[p]
            exact = ""
            if self.exact_values is not None:
                e = self.exact_values[p]
                if not isinstance(e, sympy.Float) and not (e.is_Rational and e.q == 1):
                    exact = f" (= {e})"
            lines.append(f"    {p} = {self.values[p]:.12g}{exact}   range [{lo:g}, {hi:g}]")
        if not self.unique:
            lines.append("  every solution found:")
            lines.extend(
                "    " + ", ".join(f"{k} = {v:.12g}" for k, v in s.items()) for s in self.solutions
            )
        lines.append("  observations:")
        for o in self.observations:
            lines.append(
                f"    {o.label}: model {self.fitted[o.label]:.12g}, "
                f"residual {self.residuals[o.label]:.3g}"
            )
        lines.append("  sensitivity (d output / d parameter):")
        for o in self.observations:
            row = self.jacobian[o.label]
            lines.append(f"    {o.label}: " + ", ".join(f"{p} {row[p]:.6g}" for p in self.free))
        lines.append("  identification:")
        for p in self.free:
            by = ", ".join(self.identified_by[p]) or "NOT identified (moves no output)"
            lines.append(f"    {p}: {by}")
        lines.append(f"  route: {self.route}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown report: the implied values, then the observations."""
        out = [f"**calibration** of `{self.model}`: {self._summary()}", ""]
        out += ["| parameter | implied value | range | identified by |", "|---|---|---|---|"]
        for p in self.free:
            lo, hi = self.ranges[p]
            by = ", ".join(f"`{b}`" for b in self.identified_by[p]) or "not identified"
            out.append(f"| {p} | {self.values[p]:.12g} | [{lo:g}, {hi:g}] | {by} |")
        out += ["", "| observation | model | residual |", "|---|---|---|"]
        out += [
            f"| `{o.label}` | {self.fitted[o.label]:.12g} | {self.residuals[o.label]:.3g} |"
            for o in self.observations
        ]
        out += ["", f"Route: {self.route}."]
        out += [f"- {n}" for n in self.notes]
        return "\n".join(out)

    def __str__(self) -> str:
        return self.to_text()


class _Outputs:
    """The observed outputs as one vectorised function of the free parameters: one sweep
    kernel per concept and options (:func:`bargain.sweeps.compile.compile_kernel`)."""

    def __init__(
        self, model: Model, free: Sequence[str], observations: Sequence[Observation], timeout: float
    ) -> None:
        self.free = tuple(free)
        self.observations = tuple(observations)
        self.kernels: dict[tuple[str, tuple[tuple[str, Any], ...]], Kernel] = {}
        for o in observations:
            if (o.method, o.options) not in self.kernels:
                self.kernels[o.method, o.options] = compile_kernel(
                    model, o.method, self.free, timeout=timeout, **dict(o.options)
                )

    @property
    def route(self) -> str:
        routes = sorted({k.route for k in self.kernels.values()})
        return f"sweep kernel route {', '.join(routes)}"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        """Outputs at the rows of ``x`` (points by free parameters); NaN where a concept has
        no solution, or a set of them (``not_unique``: the row's tie-break is no fit);
        :attr:`statuses` holds the sweep kernels' codes."""
        x = np.atleast_2d(x)
        columns = {
            key: k({name: x[:, j] for j, name in enumerate(self.free)})
            for key, k in self.kernels.items()
        }
        self.statuses = np.column_stack(
            [columns[o.method, o.options]["status"] for o in self.observations]
        )
        values = np.column_stack(
            [columns[o.method, o.options][o.output] for o in self.observations]
        )
        # A set's tie-break identifies nothing: no parameter is fitted to it.
        return np.where(self.statuses == NOT_UNIQUE, np.nan, values)


def _exact_candidates(
    model: Model, free: Sequence[str], observations: Sequence[Observation], timeout: float
) -> tuple[list[sympy.Expr], list[dict[str, sympy.Expr]]] | None:
    """The observed outputs as closed forms in the free parameters, and the real solutions
    of ``output = observed`` that sympy finds; ``None`` where a concept has no closed form
    or sympy finds no isolated solution."""
    symbols = [model.parameter(p).symbol for p in free]
    fixed = {p.symbol: p.value for p in model.parameters if p.name not in free}
    exprs = []
    for o in observations:
        try:
            found = concept(o.method)
            limit = {"timeout": timeout} if "timeout" in found.parameters else {}
            formula = found.solve(model, **limit, **dict(o.options)).formula
        except BargainError:
            return None
        if not formula:
            return None
        if o.output in formula:
            expr = formula[o.output]
        else:
            payoff = model.party(o.output.removeprefix("payoff_")).payoff
            expr = payoff.xreplace({symbol(k): v for k, v in formula.items()})
        exprs.append(as_expression(expr).xreplace(fixed))
    # The formulas are inverted for symbols standing for the observed values, which are
    # substituted afterwards: the inversion does not depend on their digits (an observed
    # float is an exact rational of up to 17 digits, beyond the budget's bound), and is
    # the same step, kept by the budget, for every observed value. A model's names never
    # start with an underscore.
    observed = [sympy.Symbol(f"_observed_{i}") for i in range(len(observations))]
    values_of = {
        y: exact_number(o.value, table="calibrate", key=o.label)
        for y, o in zip(observed, observations, strict=True)
    }
    equations = [e - y for e, y in zip(exprs, observed, strict=True)]
    found = []
    with exact_budget(timeout) as budget:
        for s in budget.solve(equations, symbols):
            values = [as_expression(s.get(x, x)).xreplace(values_of) for x in symbols]
            if all(not v.free_symbols and _real(v) for v in values):
                found.append({p: budget.tidy(v) for p, v in zip(free, values, strict=True)})
    return (exprs, found) if found else None


def _real(value: sympy.Expr) -> bool:
    """Whether a solution is real: its imaginary part a rounding of its real part's size
    (relative, so a value of 1e-12 is not real by an absolute floor)."""
    number = complex(sympy.N(value, 30))
    return number.imag == 0 or negligible(number.imag, [number.real], 1e-12)


def _distinct(points: list[tuple[float, np.ndarray]], width: np.ndarray) -> list[np.ndarray]:
    """The points (with their costs) merged where closer than ``_SAME`` of every range,
    best first."""
    kept: list[np.ndarray] = []
    for _, x in sorted(points, key=lambda item: item[0]):
        if not any(np.all(np.abs(x - y) <= _SAME * width) for y in kept):
            kept.append(x)
    return kept


def _sample(lo: np.ndarray, hi: np.ndarray, n: int, seed: int) -> np.ndarray:
    """The corners of the box (up to three parameters) and ``n`` Sobol points in it."""
    corners = np.array(list(itertools.product(*zip(lo, hi, strict=True)))) if len(lo) <= 3 else []
    from scipy.stats import qmc  # imports all of scipy.stats: only when a calibration runs

    unit = qmc.Sobol(len(lo), scramble=True, rng=seed).random_base2(max(1, math.ceil(math.log2(n))))
    return np.vstack([*([corners] if len(corners) else []), lo + (hi - lo) * unit[:n]])


def _jacobian(outputs: _Outputs, x: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Central differences of step ``1e-6`` of each range (one-sided at a bound)."""
    h = 1e-6 * (hi - lo)
    up = np.minimum(x + h, hi)
    down = np.maximum(x - h, lo)
    rows = [x.copy() for _ in range(2 * len(x))]
    for j in range(len(x)):
        rows[2 * j][j], rows[2 * j + 1][j] = up[j], down[j]
    y = outputs(np.array(rows))
    return np.column_stack([(y[2 * j] - y[2 * j + 1]) / (up[j] - down[j]) for j in range(len(x))])


def calibrate(
    model: Model,
    free: Sequence[str],
    match: Sequence[str | Observation],
    *,
    starts: int = 8,
    seed: int = 0,
    timeout: float = 10.0,
) -> Calibration:
    """The values of the ``free`` parameters at which the model reproduces ``match``.

    Parameters
    ----------
    model
        The model; the parameters not free keep its values.
    free
        Names of the parameters to find; each needs a ``range`` (the box searched).
    match
        Observations, as :class:`Observation` or ``"CONCEPT[opt=val,...]:OUTPUT=VALUE"``
        (OUTPUT: a contract variable or ``payoff_<party>``).
    starts
        Starting points of the numeric search (the model's values and the best points
        of a Sobol sample of ``2 * starts`` points and the box's corners).
    seed
        Seed of that sample.
    timeout
        Seconds allowed for each closed-form attempt.

    Returns
    -------
    Calibration
        See the module docstring.

    Raises
    ------
    ModelError
        For an unknown parameter, concept, option or output; a free parameter without a
        range or given twice; fewer observations than free parameters (underidentified);
        observations that no values in the ranges reproduce (naming the observation and
        the range of its output over the box).
    """
    validate_model(model)
    free = tuple(free)
    observations = tuple(observation(m) for m in match)
    if not free:
        raise ModelError(
            "name at least one free parameter; the parameters are "
            + ", ".join(model.parameter_names),
            table="calibrate",
            key="free",
        )
    for i, name in enumerate(free):
        param = model.parameter(name)
        if name in free[:i]:
            raise ModelError("given twice", table="calibrate", key=name)
        if param.range is None:
            raise ModelError(
                "a free parameter needs a range (the box searched); declare "
                "range = [low, high] in the model file",
                file=model.file,
                table="parameters",
                key=name,
            )
    for o in observations:
        _check(model, o)
    if len(observations) < len(free):
        raise ModelError(
            f"underidentified: {len(observations)} observation(s) for {len(free)} free "
            f"parameters ({', '.join(free)}); give at least one observation per free "
            "parameter, or fix some of them",
            table="calibrate",
            key="match",
        )
    lo = np.array([float(model.parameter(p).range[0]) for p in free])
    hi = np.array([float(model.parameter(p).range[1]) for p in free])
    width = hi - lo
    target = np.array([o.value for o in observations])
    scale = np.where(target != 0, np.abs(target), 1.0)
    outputs = _Outputs(model, free, observations, timeout)
    square = len(observations) == len(free)
    notes = []

    def residual(x: np.ndarray) -> np.ndarray:
        r = (outputs(x)[0] - target) / scale
        return np.where(np.isfinite(r), r, _PENALTY)

    exact_values = None
    exact = _exact_candidates(model, free, observations, timeout) if square else None
    solutions: list[np.ndarray] = []
    if exact is not None:
        exprs, candidates = exact
        inside = [
            c
            for c in candidates
            if all(lo[j] <= float(c[p]) <= hi[j] for j, p in enumerate(free))
            and np.max(np.abs(residual(np.array([float(c[p]) for p in free])))) <= TOLERANCE
        ]
        if inside:
            exact_values = inside[0]
            solutions = [np.array([float(c[p]) for p in free]) for c in inside]
            route = "exact: sympy.solve on the closed forms (Solution.formula)"
            notes.append(
                f"all {len(inside)} solution(s) of the closed form in the ranges (a closed "
                "form holds where its active set does: each solution was checked against "
                "the concept's sweep kernel)"
            )
            # Where another active set holds, the closed form says nothing: points of a
            # Sobol sample that reproduce the observations away from its solutions are
            # solutions too (an outside option that does not bind: a whole interval).
            sample = _sample(lo, hi, 2 * starts, seed)
            misfit = np.max(np.abs((outputs(sample) - target) / scale), axis=1)
            others = _distinct(
                [(0.0, x) for x in solutions]
                + [(float(r), x) for r, x in zip(misfit, sample, strict=True) if r <= TOLERANCE],
                width,
            )[len(solutions) :]
            if others:
                solutions += others
                notes.append(
                    f"{len(others)} other point(s) of a Sobol sample of the ranges, where "
                    "another active set holds, reproduce the observations too"
                )
    if exact_values is None:
        sample = _sample(lo, hi, 2 * starts, seed)
        values = outputs(sample)
        statuses = outputs.statuses
        costs = np.sum(((values - target) / scale) ** 2, axis=1)
        costs = np.where(np.isfinite(costs), costs, np.inf)
        here = np.clip([float(model.parameter(p).value) for p in free], lo, hi)
        x0s = [here, *sample[np.argsort(costs)[: max(0, starts - 1)]]]
        found = []
        for x0 in x0s:
            fit = least_squares(
                residual,
                np.clip(x0, lo + 1e-9 * width, hi - 1e-9 * width),
                bounds=(lo, hi),
                x_scale=width,
                xtol=1e-15,
                ftol=1e-15,
                gtol=1e-15,
                max_nfev=100 * len(free),
            )
            found.append((float(np.max(np.abs(fit.fun))), fit.x))
        best = min(r for r, _ in found)
        if square:
            found = [(r, x) for r, x in found if r <= TOLERANCE]
            if not found:
                _unreachable(observations, free, lo, hi, values, statuses, found_best=best)
        else:
            found = [(r, x) for r, x in found if r <= best * (1 + 1e-6) + TOLERANCE]
        solutions = _distinct(found, width)
        route = (
            f"numeric: bounded least squares (scipy.optimize.least_squares) from {len(x0s)} "
            f"starts; {outputs.route}"
        )
        notes.append(
            f"solutions found from {len(x0s)} starts (the model's values and the best points "
            "of a Sobol sample of the box): a multi-start search cannot rule out others"
        )
    if not square:
        notes.append(
            f"{len(observations)} observations for {len(free)} free parameters: a "
            "least-squares fit of the relative residuals, not an exact match"
        )
    x = solutions[0]
    fitted = outputs(x)[0]
    if exact_values is not None:
        at = {model.parameter(p).symbol: v for p, v in exact_values.items()}
        symbols = [model.parameter(p).symbol for p in free]
        jac = np.array([[float(sympy.diff(e, s).xreplace(at)) for s in symbols] for e in exprs])
    else:
        jac = _jacobian(outputs, x, lo, hi)
    scaled = jac * width / scale[:, None]
    top = float(np.max(np.abs(scaled))) if scaled.size else 0.0
    singular = np.linalg.svd(scaled, compute_uv=False)
    rank = int(np.sum(singular > 1e-8 * top)) if top > 0 else 0
    moves = np.abs(scaled) > 1e-8 * top if top > 0 else np.zeros_like(scaled, dtype=bool)
    identified_by = {
        p: tuple(o.label for i, o in enumerate(observations) if moves[i, j])
        for j, p in enumerate(free)
    }
    if rank < len(free):
        notes.append(
            f"the Jacobian has rank {rank} < {len(free)}: only {rank} combination(s) of the "
            "free parameters are identified by these observations near the solution"
        )
    return Calibration(
        model=model.name,
        free=free,
        observations=observations,
        ranges={p: (float(lo[j]), float(hi[j])) for j, p in enumerate(free)},
        values={p: float(x[j]) for j, p in enumerate(free)},
        solutions=tuple({p: float(s[j]) for j, p in enumerate(free)} for s in solutions),
        exact=exact_values is not None,
        exact_values=exact_values,
        least_squares=not square,
        fitted={o.label: float(fitted[i]) for i, o in enumerate(observations)},
        residuals={o.label: float(fitted[i] - o.value) for i, o in enumerate(observations)},
        jacobian={
            o.label: {p: float(jac[i, j]) for j, p in enumerate(free)}
            for i, o in enumerate(observations)
        },
        rank=rank,
        identified_by=identified_by,
        route=route,
        notes=tuple(notes),
    )


def _unreachable(
    observations: Sequence[Observation],
    free: Sequence[str],
    lo: np.ndarray,
    hi: np.ndarray,
    values: np.ndarray,
    statuses: np.ndarray,
    *,
    found_best: float,
) -> None:
    """Raise the error for observations that no point of the box reproduces: the first
    observation outside the range its output takes over the sampled box, else the first.
    One whose concept's agreement is a set at every sampled point (``statuses``, the
    sweep kernels' codes) is said so: it identifies no parameter."""
    box = ", ".join(f"{p} in [{a:g}, {b:g}]" for p, a, b in zip(free, lo, hi, strict=True))
    advice = (
        f"the closest fit leaves a relative residual of {found_best:.3g}. Widen the ranges, "
        "free other parameters or check the observation"
    )
    for i, o in enumerate(observations):
        column = values[:, i][np.isfinite(values[:, i])]
        if column.size == 0 and np.all(statuses[:, i] == NOT_UNIQUE):
            raise ModelError(
                f"{o.method}'s agreement is not unique at any sampled point of {box} (a set of "
                f"agreements, as bargain solve reports it): its {o.output} identifies no "
                "parameter; match an output of a concept whose agreement is unique",
                table="calibrate",
                key=o.label,
            )
        if column.size == 0:
            reach = f"{o.method} has no solution at any sampled point of the box"
        elif not column.min() <= o.value <= column.max():
            reach = (
                f"over the box {o.method} gives {o.output} from {column.min():.6g} to "
                f"{column.max():.6g} (sampled)"
            )
        else:
            continue
        raise ModelError(
            f"no value of {box} reproduces it: {reach}; {advice}", table="calibrate", key=o.label
        )
    raise ModelError(
        f"no value of {box} reproduces these observations together (each alone is within "
        f"reach); {advice}",
        table="calibrate",
        key="match",
    )


__all__ = ["TOLERANCE", "Calibration", "Observation", "calibrate", "observation"]
