"""Sensitivity sweeps: a solution over many parameter points, and global sensitivity indices.

:func:`sweep` solves a model at every point of a design over the parameters
to vary and returns a pandas DataFrame, one row per point: the parameters,
the agreement, each party's payoff and a status (see
:mod:`bargain.sweeps.compile`). The model and the solution concept are compiled
once into a vectorised kernel; the points are generated and solved in
chunks of ``chunk_size``, so no array is larger than a chunk.

Designs (``design=``):

``grid``
    A full factorial grid: each parameter takes ``count`` evenly spaced
    values from ``lo`` to ``hi`` (``vary={"c": (lo, hi, count)}``, or ``n``
    values each), in C order (the last parameter varies fastest).
``random``
    ``n`` points uniform on the box (numpy's PCG64, advanced to each
    chunk's first point, so the points do not depend on the chunk size).
``lhs``
    A Latin hypercube of ``n`` points (``scipy.stats.qmc.LatinHypercube``);
    the design is drawn whole, so its memory grows with ``n``.
``sobol``
    The first ``n`` points of a scrambled Sobol sequence
    (``scipy.stats.qmc.Sobol``, fast-forwarded to each chunk).

The same ``seed`` gives the same points and the same values; without one a
seed is drawn and recorded in ``DataFrame.attrs["seed"]``.
:func:`sensitivity` computes Sobol or Morris indices with SALib, and
:func:`tornado` the one-at-a-time swings of a tornado chart.

Examples
--------
>>> import bargain
>>> m = bargain.load_model(bargain.models_dir() / "split.toml")
>>> df = bargain.sweep(m, "nash", vary={"d_W": (0, 0.4, 3)})
>>> df[["d_W", "x", "payoff_W", "status"]]
       d_W    x  payoff_W status
point
0      0.0  0.5       0.5     ok
1      0.2  0.6       0.6     ok
2      0.4  0.7       0.7     ok
>>> bargain.sweep(m, "nash", vary={"c": (0, 1, 3)})
Traceback (most recent call last):
...
bargain.errors.ModelError: ...[parameters] c: unknown parameter 'c'; the parameters are V, d_W, ...
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import threading
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np

from bargain.errors import ModelError, SolverError
from bargain.model.model import Model
from bargain.model.modelfile import dumps_model
from bargain.model.validate import require_model, validate_model
from bargain.sweeps.compile import (
    OK,
    STATUSES,
    Kernel,
    check_method_and_route,
    check_options,
    compile_kernel,
)

if TYPE_CHECKING:
    import pandas as pd

DESIGNS = ("grid", "random", "lhs", "sobol")
CHUNK_SIZE = 1 << 16
"""Points per chunk: the unit of work, of memory and of what a resumed run keeps."""
CHUNKS_PER_WORKER = 4
"""On a cluster, at least this many chunks per worker (while chunks hold at least
:data:`MIN_PARALLEL_CHUNK` points), so that every worker has work and a slow chunk does
not leave the others idle."""
MIN_PARALLEL_CHUNK = 1 << 6
SCHEDULER_WORKERS = 8
"""The workers assumed for a run on a scheduler given by address (not known before it
connects) when choosing the chunk size."""
MAX_POINTS = 10**9
"""The most points a sweep may have: every design but lhs is generated a chunk at a time."""
MAX_LHS_POINTS = 10**7
"""The most points of a Latin-hypercube design, which is drawn whole (8 bytes per value)."""
_CORNERS = 10  # check every corner of the box up to this many parameters

VarySpec = tuple[float, float] | tuple[float, float, int] | None


@dataclass(frozen=True)
class Axis:
    """One parameter to vary: from ``lo`` to ``hi``, with ``count`` grid values (grid only)."""

    name: str
    lo: float
    hi: float
    count: int | None = None


@dataclass(frozen=True)
class SweepSpec:
    """Everything that determines a sweep's points and values (checked, ready to run).

    Build one with :func:`plan`; ``points(start, stop)`` generates any chunk on
    its own, so chunks can run in any order, in other processes or machines.
    """

    model: Model
    method: str
    axes: tuple[Axis, ...]
    design: str
    n: int
    seed: int
    chunk_size: int = CHUNK_SIZE
    route: str = "auto"
    options: tuple[tuple[str, Any], ...] = ()
    timeout: float = field(default=10.0, compare=False)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.axes)

    @property
    def shape(self) -> tuple[int, ...]:
        """Grid shape (grid design only)."""
        return tuple(int(a.count or 0) for a in self.axes)

    @property
    def n_chunks(self) -> int:
        return -(-self.n // self.chunk_size)

    def chunk(self, index: int) -> tuple[int, int]:
        """First point and end (exclusive) of chunk ``index``."""
        start = index * self.chunk_size
        return start, min(start + self.chunk_size, self.n)

    @property
    def centre(self) -> dict[str, float]:
        return {a.name: (a.lo + a.hi) / 2 for a in self.axes}

    def base_model(self) -> Model:
        """The model at the centre of the box: where the closed form is sought."""
        return self.model.with_values(self.centre)

    def points(self, start: int, stop: int) -> dict[str, np.ndarray]:
        """The parameter values of points ``start`` to ``stop - 1``."""
        k = len(self.axes)
        m = stop - start
        if self.design == "grid":
            index = np.unravel_index(np.arange(start, stop), self.shape)
            return {
                a.name: np.linspace(a.lo, a.hi, a.count)[i]
                for a, i in zip(self.axes, index, strict=True)
            }
        if self.design == "random":
            bits = np.random.PCG64(self.seed)
            bits.advance(start * k)  # one 64-bit draw per float64
            unit = np.random.Generator(bits).random((m, k))
        elif self.design == "sobol":
            from scipy.stats import qmc

            engine = qmc.Sobol(k, scramble=True, rng=self.seed)
            if start:
                engine.fast_forward(start)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # n need not be a power of 2
                unit = engine.random(m)
        else:
            unit = _lhs(k, self.n, self.seed)[start:stop]
        return {a.name: a.lo + (a.hi - a.lo) * unit[:, j] for j, a in enumerate(self.axes)}

    def kernel_key(self) -> str:
        """A digest of what determines the compiled kernel (not the points)."""
        return self._kernel_digest

    @cached_property
    def _kernel_digest(self) -> str:
        text = json.dumps(
            {
                "model": dumps_model(self.base_model()),
                "method": self.method,
                "inputs": list(self.names),
                "route": self.route,
                "options": [[k, repr(v)] for k, v in self.options],
                "timeout": self.timeout,
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()

    def settings(self) -> dict[str, Any]:
        """Everything that determines the values, by name, as JSON data (the model as the
        SHA-256 digest of its file text).

        Examples
        --------
        >>> import bargain
        >>> m = bargain.load_model(bargain.models_dir() / "split.toml")
        >>> s = plan(m, "nash", {"V": (1, 2)}, design="random", n=10, seed=1).settings()
        >>> s["vary"], s["points"], s["seed"], len(s["model_digest"])
        ([['V', 1.0, 2.0, None]], 10, 1, 64)
        """
        return {
            "model_digest": hashlib.sha256(dumps_model(self.model).encode()).hexdigest(),
            "method": self.method,
            "vary": [[a.name, a.lo, a.hi, a.count] for a in self.axes],
            "design": self.design,
            "points": self.n,
            "seed": self.seed,
            "chunk_size": self.chunk_size,
            "route": self.route,
            "options": [[k, repr(v)] for k, v in self.options],
        }

    def fingerprint(self) -> str:
        """A digest of everything that determines the values (:meth:`settings`)."""
        return self._digest

    @cached_property
    def _digest(self) -> str:
        text = json.dumps(self.settings(), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()


@lru_cache(maxsize=1)
def _lhs(k: int, n: int, seed: int) -> np.ndarray:
    from scipy.stats import qmc

    return qmc.LatinHypercube(k, rng=seed).random(n)


def _number(value: Any, name: str, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ModelError(f"{what} must be a number, got {value!r}", table="vary", key=name)
    value = float(value)
    if not math.isfinite(value):
        raise ModelError(f"{what} must be finite, got {value!r}", table="vary", key=name)
    return value


def _count(value: Any, what: str, *, table: str = "sweep", key: str) -> int:
    """A positive whole number, refused naming the option ``[table] key`` that gave it."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ModelError(
            f"{what} must be a positive whole number, got {value!r}", table=table, key=key
        )
    return int(value)


def _check_size(design: str, total: int, key: str) -> None:
    """Refuse a design larger than :data:`MAX_POINTS` (:data:`MAX_LHS_POINTS` for lhs)."""
    limit = MAX_LHS_POINTS if design == "lhs" else MAX_POINTS
    if total > limit:
        raise ModelError(
            f"the {design} design has {total:.3g} points; at most {limit:.0e} are allowed "
            + (
                "(a Latin hypercube is drawn whole, in memory); use the sobol or random design"
                if design == "lhs"
                else "in one sweep; split it into several sweeps"
            ),
            table="sweep",
            key=key,
        )


def _axis(model: Model, name: str, spec: VarySpec, design: str) -> Axis:
    param = model.parameter(name)  # names the model's parameters otherwise
    if spec is None:
        if param.range is None:
            raise ModelError(
                "give a range (lo, hi) or (lo, hi, count): the model declares none for "
                "this parameter",
                table="vary",
                key=name,
            )
        spec = (float(param.range[0]), float(param.range[1]))
    if not isinstance(spec, tuple | list) or len(spec) not in (2, 3):
        raise ModelError(
            f"must be (lo, hi), (lo, hi, count) or None (the model's range), got {spec!r}",
            table="vary",
            key=name,
        )
    lo = _number(spec[0], name, "the low end")
    hi = _number(spec[1], name, "the high end")
    if not lo < hi:
        raise ModelError(
            f"the range [{lo:g}, {hi:g}] is {'empty' if lo == hi else 'reversed'}; "
            "give lo < hi (to hold a parameter fixed, set it on the model instead)",
            table="vary",
            key=name,
        )
    count = None
    if len(spec) == 3:
        if design != "grid":
            raise ModelError(
                f"a count per parameter belongs to the grid design; the {design} design "
                "takes the total number of points (n=, --samples)",
                table="vary",
                key=name,
            )
        count = _count(spec[2], "the count", table="vary", key=name)
    return Axis(name, lo, hi, count)


def chunk_size_for(points: int, workers: int | None) -> int:
    """The chunk size of a sweep of ``points`` points run on ``workers`` workers (``None``:
    in this process): :data:`CHUNK_SIZE`, or on a cluster small enough to give every
    worker :data:`CHUNKS_PER_WORKER` chunks, but not below :data:`MIN_PARALLEL_CHUNK`.

    Examples
    --------
    >>> chunk_size_for(40_000, None), chunk_size_for(40_000, 2), chunk_size_for(10**7, 2)
    (65536, 5000, 65536)
    """
    if workers is None:
        return CHUNK_SIZE
    share = -(-points // (CHUNKS_PER_WORKER * workers))
    return min(CHUNK_SIZE, max(MIN_PARALLEL_CHUNK, share))


def workers_of(jobs: int | None, scheduler: str | None) -> int | None:
    """The workers a run's chunks are shared among: ``jobs``, :data:`SCHEDULER_WORKERS`
    for a scheduler given by address, ``None`` for a run in this process."""
    if scheduler is not None:
        return SCHEDULER_WORKERS
    return jobs if isinstance(jobs, int) and not isinstance(jobs, bool) and jobs > 0 else None


def plan(
    model: Model,
    method: str,
    vary: Mapping[str, VarySpec],
    *,
    design: str = "grid",
    n: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = CHUNK_SIZE,
    route: str = "auto",
    timeout: float = 10.0,
    workers: int | None = None,
    **options: Any,
) -> SweepSpec:
    """Check a sweep request and return its :class:`SweepSpec`, before any solving.

    ``chunk_size=None`` chooses it from the number of points and ``workers``
    (:func:`chunk_size_for`).

    Raises
    ------
    ModelError
        For an unknown method, design, route or parameter (naming the allowed
        ones), an empty or reversed range, a count or ``n`` that is not a
        positive whole number, or a box on whose corners the model's values are
        not allowed (e.g. a discount factor above 1).
    """
    options = check_options(check_method_and_route(method, route), model, options)
    if design not in DESIGNS:
        raise ModelError(
            f"unknown design {design!r}; the designs are {', '.join(DESIGNS)}",
            table="sweep",
            key="design",
        )
    if not vary:
        raise ModelError(
            "name at least one parameter to vary; the parameters are "
            f"{', '.join(model.parameter_names) or '(none)'}",
            table="sweep",
            key="vary",
        )
    axes = tuple(_axis(model, name, spec, design) for name, spec in vary.items())
    check_columns(model, [a.name for a in axes])
    if design == "grid":
        if n is not None:
            n = _count(n, "n (grid values per parameter)", key="n")
        missing = [a.name for a in axes if a.count is None]
        if missing and n is None:
            raise ModelError(
                "the grid needs a count for every parameter: give (lo, hi, count) or n=",
                table="vary",
                key=missing[0],
            )
        if n is not None and not missing:
            raise ModelError(
                "every parameter has its own count (lo, hi, count); n= sets the count of "
                "those given as (lo, hi), so leave it out",
                table="sweep",
                key="n",
            )
        axes = tuple(a if a.count is not None else replace(a, count=n) for a in axes)
        total = math.prod(a.count or 0 for a in axes)
    else:
        if n is None:
            raise ModelError(
                f"the {design} design needs the number of points n= (--samples)",
                table="sweep",
                key="n",
            )
        total = _count(n, "n (the number of points)", key="n")
    _check_size(design, total, "n" if design != "grid" or n is not None else "vary")
    if chunk_size is None:
        chunk_size = chunk_size_for(total, workers)
    chunk_size = _count(chunk_size, "the chunk size", key="chunk_size")
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (1 << 63))
    elif isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ModelError(f"must be a non-negative integer, got {seed!r}", table="sweep", key="seed")
    _check_box(model, axes)
    opts = tuple(sorted((k, v) for k, v in options.items() if v is not None))
    return SweepSpec(
        model, method, axes, design, total, int(seed), chunk_size, route, opts, timeout
    )


def reserved_columns(model: Model) -> tuple[str, ...]:
    """The columns a sweep of ``model`` writes besides its varied parameters and contract
    variables: ``point``, ``status`` and ``payoff_<party>`` per party."""
    return ("point", "status", *(f"payoff_{p}" for p in model.party_names))


def check_columns(model: Model, names: Sequence[str]) -> None:
    """Refuse a contract variable, or a varied parameter (``names``), named as a column of
    the sweep's output (:func:`reserved_columns`): one would overwrite the other.

    Raises
    ------
    ModelError
        ``[variables] <name>`` or ``[vary] <name>``, naming the reserved columns.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.model_from_dict({"model": {"name": "m"},
    ...     "parameters": {"status": {"value": 0.2}},
    ...     "variables": {"w": {"min": "status", "max": 1}},
    ...     "parties": {"U": {"payoff": "w"}, "F": {"payoff": "1 - w"}}})
    >>> check_columns(m, ["status"])
    Traceback (most recent call last):
    ...
    bargain.errors.ModelError: [vary] status: a parameter named status would share its column ...
    """
    reserved = reserved_columns(model)
    for table, kind, given in (
        ("variables", "variable", model.variable_names),
        ("vary", "parameter", names),
    ):
        for name in given:
            if name in reserved:
                raise ModelError(
                    f"a {kind} named {name} would share its column with the sweep's own "
                    f"{name} column (the sweep writes {', '.join(reserved)} besides the "
                    "varied parameters and the contract variables): rename it to sweep it",
                    file=model.file,
                    table=table,
                    key=name,
                )


def _check_box(model: Model, axes: Sequence[Axis]) -> None:
    """The model's values must be allowed at the corners of the box (at the ends of each
    range, the others at their centres, beyond ``_CORNERS`` parameters)."""
    centre = {a.name: (a.lo + a.hi) / 2 for a in axes}
    if len(axes) <= _CORNERS:
        corners = [
            dict(zip([a.name for a in axes], c, strict=True))
            for c in itertools.product(*[(a.lo, a.hi) for a in axes])
        ]
    else:
        corners = [{**centre, a.name: end} for a in axes for end in (a.lo, a.hi)]
    _check_corners(model, tuple(tuple(c.items()) for c in corners))


@lru_cache(maxsize=64)
def _check_corners(model: Model, corners: tuple[tuple[tuple[str, float], ...], ...]) -> None:
    """:func:`_check_box` at its corners, kept per model and corners when they pass: the
    brief under uncertainty plans every concept's sweep over the same box."""
    for items in corners:
        corner = dict(items)
        try:
            validate_model(model.with_values(corner))
        except ModelError as err:
            at = ", ".join(f"{k} = {v:g}" for k, v in corner.items())
            raise ModelError(
                f"the swept box reaches values the model does not allow (at {at}): {err}",
                table="vary",
                key=next(iter(corner)),
            ) from None


# -- running -------------------------------------------------------------------------------------

_KERNELS: dict[str, Kernel] = {}
_LOCK = threading.Lock()


def kernel_of(spec: SweepSpec) -> Kernel:
    """The compiled kernel of a sweep (compiled once per process)."""
    key = spec.kernel_key()
    with _LOCK:
        kernel = _KERNELS.get(key)
        if kernel is None:
            kernel = compile_kernel(
                spec.base_model(),
                spec.method,
                spec.names,
                route=spec.route,
                timeout=spec.timeout,
                **dict(spec.options),
            )
            if len(_KERNELS) >= 8:
                _KERNELS.pop(next(iter(_KERNELS)))
            _KERNELS[key] = kernel
    return kernel


def run_chunk(spec: SweepSpec, index: int) -> dict[str, np.ndarray]:
    """Generate and solve chunk ``index`` of a sweep: its columns (parameters, outputs,
    ``status`` codes), as plain arrays (cheap to ship from a Dask worker)."""
    start, stop = spec.chunk(index)
    points = spec.points(start, stop)
    return {**points, **kernel_of(spec)(points)}


def frame_of(spec: SweepSpec, index: int, columns: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """The rows of chunk ``index`` as a DataFrame indexed by ``point``."""
    return _frame(columns, *spec.chunk(index))


def _frame(columns: Mapping[str, np.ndarray], start: int, stop: int) -> pd.DataFrame:
    """The columns of points ``start`` to ``stop`` as a DataFrame indexed by ``point``
    (a zero is written ``0``, never ``-0``: adding ``+0.0`` turns ``-0.0`` into ``0.0``
    and leaves every other float as it is)."""
    import pandas as pd

    index = pd.RangeIndex(start, stop, name="point")
    data: dict[str, Any] = {
        k: v + 0.0 if v.dtype.kind == "f" else v for k, v in columns.items() if k != "status"
    }
    data["status"] = pd.Categorical.from_codes(columns["status"], categories=list(STATUSES))
    return pd.DataFrame(data, index=index, copy=False)


def resolved(spec: SweepSpec) -> tuple[SweepSpec, Kernel]:
    """Compile the kernel here and fix its route in the spec, so that every worker takes
    the same route (and so computes the same values)."""
    kernel = kernel_of(spec)
    fixed = replace(spec, route=kernel.route)
    with _LOCK:
        _KERNELS[fixed.kernel_key()] = kernel
    return fixed, kernel


def run_chunks(
    spec: SweepSpec, indices: Sequence[int], client: Any = None, *, progress: bool = False
) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """Run the chunks ``indices`` here (``client=None``) or as tasks on a Dask client;
    yield ``(index, columns)`` (see :func:`run_chunk`) as they finish, with a progress
    bar in points."""
    from tqdm.auto import tqdm

    total = sum(spec.chunk(i)[1] - spec.chunk(i)[0] for i in indices)
    # Shown only on runs that last more than a second.
    bar = tqdm(
        total=total, unit="pt", unit_scale=True, disable=not progress, leave=False, delay=1.0
    )
    try:
        if client is None:
            results: Iterator[tuple[int, dict[str, np.ndarray]]] = (
                (i, run_chunk(spec, i)) for i in indices
            )
        else:
            from bargain.sweeps.cluster import run_on_cluster

            results = run_on_cluster(client, run_chunk, spec, indices)
        for i, columns in results:
            bar.update(len(columns["status"]))
            yield i, columns
    finally:
        bar.close()


def _attrs(spec: SweepSpec, kernel: Kernel) -> dict[str, Any]:
    return {
        "model": spec.model.name,
        "method": spec.method,
        "design": spec.design,
        "seed": spec.seed,
        "route": kernel.route,
        "formula": None
        if kernel.formula is None
        else {k: str(v) for k, v in kernel.formula.items()},
        "parameters": {
            p.name: float(p.value) for p in spec.model.parameters if p.name not in spec.names
        },
    }


def sweep(
    model: Model,
    method: str = "nash",
    vary: Mapping[str, VarySpec] | None = None,
    *,
    design: str = "grid",
    n: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = None,
    route: str = "auto",
    jobs: int | None = None,
    scheduler: str | None = None,
    progress: bool = False,
    timeout: float = 10.0,
    **options: Any,
) -> pd.DataFrame:
    """Solve a model at every point of a design; one row per point.

    Parameters
    ----------
    model
        The model; parameters not varied keep its values.
    method
        The solution concept (``"nash"``, ``"rubinstein"``, …).
    vary
        ``{name: (lo, hi)}``, ``{name: (lo, hi, count)}`` (grid) or
        ``{name: None}`` (the model's declared range).
    design
        ``"grid"``, ``"random"``, ``"lhs"`` or ``"sobol"`` (module docstring).
    n
        Number of points (sampled designs) or values per parameter (grid).
    seed
        Seed of the sampled designs (drawn and recorded if ``None``).
    chunk_size
        Points solved at a time; by default :data:`CHUNK_SIZE`, and on a cluster
        (``jobs``, ``scheduler``) small enough to give every worker several chunks
        (:func:`chunk_size_for`). The values do not depend on it.
    route
        Kernel route: ``"auto"``, ``"closed"``, ``"numeric"`` or ``"loop"``.
    jobs, scheduler
        Run the chunks on a Dask ``LocalCluster`` of ``jobs`` workers on
        127.0.0.1, or on the cluster whose scheduler is at ``scheduler``
        (``"tcp://host:8786"``); the values equal a local run's.
    progress
        Show a progress bar (tqdm).
    timeout
        Seconds allowed for the closed-form attempt.
    **options
        Solver options (``powers``, ``proposer``, ``period``, ``horizon``).

    Returns
    -------
    pandas.DataFrame
        Indexed by ``point``: the varied parameters, each contract variable,
        ``payoff_<party>``, and ``status`` (categorical, one of
        :data:`~bargain.concepts.vectorised.STATUSES`, listed in docs/sweeps.md;
        agreement and payoffs are NaN where it is not ``ok``, except the tie-break
        of a ``not_unique`` point). ``attrs`` records the model,
        method, design, seed, kernel route, formula and fixed parameters.

    Raises
    ------
    ModelError
        For bad input, before any work (see :func:`plan`).
    ClusterError
        If the scheduler cannot be reached.
    """
    require_model(model)
    spec = plan(
        model,
        method,
        vary or {},
        design=design,
        n=n,
        seed=seed,
        chunk_size=chunk_size,
        route=route,
        timeout=timeout,
        workers=workers_of(jobs, scheduler),
        **options,
    )
    from bargain.sweeps.cluster import executor

    with executor(jobs, scheduler) as client:  # connects (or fails) before any work
        spec, kernel = resolved(spec)
        names = (*spec.names, *kernel.outputs)
        columns = {k: np.empty(spec.n, dtype=np.int8 if k == "status" else float) for k in names}
        for i, part in run_chunks(spec, range(spec.n_chunks), client, progress=progress):
            start, stop = spec.chunk(i)
            for k in names:
                columns[k][start:stop] = part[k]
    df = _frame(columns, 0, spec.n)
    df.attrs.update(_attrs(spec, kernel))
    return df


# -- sensitivity -------------------------------------------------------------------------------


def _evaluate(kernel: Kernel, x: np.ndarray, names: Sequence[str], output: str) -> np.ndarray:
    """The kernel's ``output`` at the rows of ``x``, a chunk at a time; every point must be ok."""
    y = np.empty(len(x))
    for start in range(0, len(x), CHUNK_SIZE):
        rows = x[start : start + CHUNK_SIZE]
        out = kernel({name: rows[:, j] for j, name in enumerate(names)})
        bad = np.flatnonzero(out["status"] != OK)
        if bad.size:
            i = bad[0]
            at = ", ".join(f"{name} = {rows[i, j]:g}" for j, name in enumerate(names))
            raise SolverError(
                f"{bad.size} sample points have no solution (the first, at {at}, is "
                f"{STATUSES[out['status'][i]]}); sensitivity indices need a value at every "
                "point: narrow the ranges",
                table="sensitivity",
            )
        y[start : start + len(rows)] = out[output]
    return y


def output_column(
    model: Model, output: str | None, *, table: str = "sensitivity", key: str | None = "output"
) -> str:
    """The output column ``output`` of a sweep of ``model`` (default: its first variable),
    refused naming the outputs if unknown.

    Examples
    --------
    >>> import bargain
    >>> output_column(bargain.load_model(bargain.models_dir() / "split.toml"), "payoff_A")
    'payoff_A'
    """
    allowed = [*model.variable_names, *(f"payoff_{p}" for p in model.party_names)]
    if output is None:
        return allowed[0]
    if output not in allowed:
        raise ModelError(
            f"unknown output {output!r}; the outputs are {', '.join(allowed)}",
            table=table,
            key=key,
        )
    return output


def sensitivity(
    model: Model,
    method: str = "nash",
    vary: Mapping[str, VarySpec] | None = None,
    *,
    output: str | None = None,
    analysis: str = "sobol",
    n: int = 1024,
    seed: int = 0,
    levels: int = 4,
    route: str = "auto",
    timeout: float = 10.0,
    **options: Any,
) -> pd.DataFrame:
    """Global sensitivity indices of one output over the box ``vary``, with SALib.

    Parameters
    ----------
    model, method, vary, route, timeout, **options
        As for :func:`sweep` (ranges only: no counts).
    output
        A contract variable or ``payoff_<party>`` (default: the first variable).
    analysis
        ``"sobol"``: first-order and total Sobol indices (Saltelli sampling,
        ``n * (k + 2)`` points; ``n`` a power of 2). ``"morris"``: elementary
        effects on ``n`` trajectories of ``levels`` levels.
    seed
        Seed of the sample and of the bootstrap confidence intervals.

    Returns
    -------
    pandas.DataFrame
        One row per parameter: ``S1``, ``S1_conf``, ``ST``, ``ST_conf``
        (Sobol) or ``mu``, ``mu_star``, ``sigma``, ``mu_star_conf`` (Morris).

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "split.toml")
    >>> s = bargain.sensitivity(m, "nash", {"d_W": (0, 0.4), "delta_W": (0.5, 0.9)}, n=256)
    >>> s["ST"].round(3).to_dict()  # Nash ignores patience
    {'d_W': 1.0, 'delta_W': 0.0}
    """
    require_model(model)
    if analysis not in ("sobol", "morris"):
        raise ModelError(
            f"unknown analysis {analysis!r}; the analyses are sobol, morris",
            table="sensitivity",
            key="analysis",
        )
    spec = plan(
        model,
        method,
        vary or {},
        design="random",
        n=n,
        seed=seed,
        route=route,
        timeout=timeout,
        **options,
    )
    out_name = output_column(model, output)
    levels = _count(levels, "levels", table="sensitivity", key="levels")
    problem = {
        "num_vars": len(spec.axes),
        "names": list(spec.names),
        "bounds": [[a.lo, a.hi] for a in spec.axes],
    }
    kernel = kernel_of(spec)
    if analysis == "sobol":
        from SALib.analyze import sobol as analyze
        from SALib.sample import sobol as sample

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SALib's advice on powers of 2
            x = sample.sample(problem, spec.n, calc_second_order=False, seed=seed)
        y = _evaluate(kernel, x, spec.names, out_name)
        si = analyze.analyze(problem, y, calc_second_order=False, seed=seed)
        keys = ["S1", "S1_conf", "ST", "ST_conf"]
    else:
        from SALib.analyze import morris as analyze
        from SALib.sample import morris as sample

        x = sample.sample(problem, spec.n, num_levels=levels, seed=seed)
        y = _evaluate(kernel, x, spec.names, out_name)
        si = analyze.analyze(problem, x, y, num_levels=levels, seed=seed)
        keys = ["mu", "mu_star", "sigma", "mu_star_conf"]
    import pandas as pd

    df = pd.DataFrame({k: np.asarray(si[k], dtype=float) for k in keys}, index=list(spec.names))
    df.index.name = "parameter"
    df.attrs.update({"analysis": analysis, "output": out_name, "points": len(x), "method": method})
    return df


def tornado(
    model: Model,
    method: str = "nash",
    vary: Mapping[str, VarySpec] | None = None,
    *,
    output: str | None = None,
    route: str = "auto",
    timeout: float = 10.0,
    **options: Any,
) -> pd.DataFrame:
    """One-at-a-time swings: ``output`` with each parameter at its low and high end, the
    others at the centre of their ranges; sorted by swing, largest first.

    Examples
    --------
    >>> import bargain
    >>> m = bargain.load_model(bargain.models_dir() / "split.toml")
    >>> bargain.tornado(m, "rubinstein", {"delta_W": (0.5, 0.9), "delta_A": (0.5, 0.9)}).round(4)
                  low    high    base   swing
    parameter
    delta_A    0.7692  0.2703  0.5882 -0.4990
    delta_W    0.4615  0.8108  0.5882  0.3493
    """
    require_model(model)
    spec = plan(
        model,
        method,
        vary or {},
        design="random",
        n=1,
        seed=0,
        route=route,
        timeout=timeout,
        **options,
    )
    out_name = output_column(model, output)
    kernel = kernel_of(spec)
    centre = spec.centre
    rows = [centre] + [{**centre, a.name: end} for a in spec.axes for end in (a.lo, a.hi)]
    x = np.array([[r[name] for name in spec.names] for r in rows])
    y = _evaluate(kernel, x, spec.names, out_name)
    import pandas as pd

    df = pd.DataFrame(
        {"low": y[1::2], "high": y[2::2], "base": y[0]},
        index=pd.Index(spec.names, name="parameter"),
    )
    df["swing"] = df["high"] - df["low"]
    df = df.iloc[np.argsort(-np.abs(df["swing"].to_numpy()), kind="stable")]
    df.attrs.update({"output": out_name, "method": method})
    return df


__all__ = [
    "CHUNKS_PER_WORKER",
    "CHUNK_SIZE",
    "DESIGNS",
    "MIN_PARALLEL_CHUNK",
    "SCHEDULER_WORKERS",
    "Axis",
    "SweepSpec",
    "check_columns",
    "chunk_size_for",
    "frame_of",
    "kernel_of",
    "output_column",
    "plan",
    "reserved_columns",
    "run_chunk",
    "run_chunks",
    "sensitivity",
    "sweep",
    "tornado",
    "workers_of",
]
