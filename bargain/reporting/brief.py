"""A short answer for a model: the terms under every solution concept, and what a
broken promise costs.

``brief(model)`` solves a two-party model under the Nash solution (equal powers,
and powers from patience), the alternating-offers game with either side
proposing first, Kalai–Smorodinsky and egalitarian, and — if the
model has a promise — compares the Nash solution before and after the promise
is broken (:func:`bargain.credibility`). ``bargain brief MODEL`` prints it.
The utilitarian solution is left out: where money is transferable it does not
pin down the transfer (every split of the same total is utilitarian).

**Powers from patience.** The generalised Nash solution with powers
``r_A / (r_W + r_A)`` for ``W`` and ``r_W / (r_W + r_A)`` for ``A`` (each
party's discount rate per period, ``-ln δ`` for a discount factor) is the limit
of the alternating-offers game as offers come faster, without breakdown risk
(Binmore, Rubinstein & Wolinsky 1986, §3).

Examples
--------
>>> import bargain
>>> b = brief(bargain.load_model(bargain.models_dir() / "package_deal.toml"))
>>> [row.label for row in b.rows][:3]
['Nash (equal powers)', 'generalised Nash (powers from patience)', 'Rubinstein, W proposes first']
>>> before = b.credibility.before.solution
>>> round(b.rows[0].solution.agreement["x"], 4), round(before.agreement["x"], 4)
(0.5, 0.5568)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bargain.concepts.registry import concept
from bargain.concepts.registry import concepts as registered
from bargain.concepts.solution import Solution
from bargain.errors import BargainError, ModelError, SolverError
from bargain.estimation.uncertainty import QUANTILES, Uncertainty, uncertainty
from bargain.model.model import Model
from bargain.reputation.credibility import CredibilityReport, credibility
from bargain.rounding import sig
from bargain.scale import RTOL, magnitude

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Entry:
    """One row of a brief: a registered solution concept with its options.

    The rows come from the registry (each concept's ``brief`` rows,
    :mod:`bargain.concepts.registry`), in the registry's order.
    """

    label: str
    """What is solved, in words."""
    method: str
    """The concept's name in the registry (and a :func:`bargain.credibility` method)."""
    options: dict[str, Any] | Callable[[Model], dict[str, Any]] = field(default_factory=dict)
    """Keyword arguments for the solver (``powers``, ``proposer``), or a function of the
    model that gives them (called when the row is solved, so a refusal is the row's)."""

    def settings(self, model: Model) -> dict[str, Any]:
        """The solver's keyword arguments for ``model``."""
        return self.options(model) if callable(self.options) else dict(self.options)

    def solve(self, model: Model) -> Solution:
        """The concept's solution of ``model`` (numeric route)."""
        return concept(self.method).solve(model, exact=False, **self.settings(model))

    def credibility(self, model: Model) -> CredibilityReport:
        """The model before and after its promise is broken, under this concept."""
        return credibility(model, method=self.method, exact=False, **self.settings(model))


@dataclass(frozen=True)
class Row:
    """One solution concept's answer, or why it has none."""

    label: str
    """What was solved, in words."""
    solution: Solution | None
    """The answer; ``None`` when the solver refused the model."""
    refused: str | None = None
    """The solver's reason for refusing (a :class:`bargain.BargainError`, without the file
    name), else ``None``."""


@dataclass(frozen=True)
class Brief:
    """The terms under each concept and, if the model has a promise, its cost."""

    model: Model
    rows: tuple[Row, ...]
    credibility: CredibilityReport | None

    def to_text(self, digits: int = 4) -> str:
        """A few readable lines: one per concept, then the broken promise.

        Numbers have ``digits`` significant figures; a solver's rounding noise
        (below ``1e-9`` of the largest payoff or disagreement value) prints as 0.
        """
        names = self.model.variable_names
        parties = [p.name for p in self.model.parties]
        solved = [r.solution for r in self.rows if r.solution is not None]
        scale = magnitude(
            v for s in solved for v in (*s.payoffs.values(), *s.disagreement.values())
        )

        def n(x: float) -> str:
            return sig(x, digits, zero=RTOL * scale)

        out = [f"{self.model.title or self.model.name}", ""]
        units = [f"{v.name} in {v.unit}" for v in self.model.variables if v.unit]
        if units:
            out[-1:] = ["(" + "; ".join(units) + ")", ""]
        width = max(len(r.label) for r in self.rows)
        for r in self.rows:
            if r.solution is None:
                out.append(f"  {r.label:<{width}}  not solved: {r.refused}")
                continue
            terms = ", ".join(f"{k} = {n(r.solution.agreement[k])}" for k in names)
            pay = ", ".join(f"{k} {n(r.solution.payoffs[k])}" for k in parties)
            out.append(f"  {r.label:<{width}}  {terms}   (payoffs {pay})")
        c = self.credibility
        if c is not None:
            first = names[0]
            b, a = c.before, c.after
            out += [
                "",
                f"the broken promise '{c.promise}' ({c.method}): trust "
                f"{n(b.trust)} -> {n(a.trust)}; "
                f"{first} {n(b.solution.agreement[first])} -> {n(a.solution.agreement[first])}",
                f"  surplus lost {n(c.cost['surplus_lost'])}; total cost {n(c.cost['total'])}"
                + (
                    f"; war of attrition alone {n(b.expected_strike)} -> {n(a.expected_strike)} "
                    f"{self.model.period}s"
                    if b.expected_strike is not None and a.expected_strike is not None
                    else ""
                ),
            ]
            out += _strike_lines(self.model, c, n)
        return "\n".join(out)


def _strike_lines(model: Model, c: CredibilityReport, n: Callable[[float], str]) -> list[str]:
    """The strike's length before -> after (median, mean, settled by the first date)."""
    b, a = c.before.duration, c.after.duration
    if b is None or a is None:
        return []
    unit = f"{model.period}s"
    settled = (
        f"; P(settled by the first focal date, {n(b.focal_dates[0])} {unit}) "
        f"{n(b.settled_by[0])} -> {n(a.settled_by[0])}"
        if len(b.focal_dates) > 1
        else ""
    )
    return [
        f"  strike, every path counted: median {n(b.median)} -> {n(a.median)} {unit}, "
        f"mean {n(b.mean)} -> {n(a.mean)} {unit}{settled}"
    ]


def concepts(model: Model) -> tuple[Entry, ...]:
    """The rows of a brief, in the order it reports them: every registered concept's
    ``brief`` rows, in the registry's order.

    Examples
    --------
    >>> import bargain
    >>> [c.method for c in concepts(bargain.load_model(bargain.models_dir() / "split.toml"))]
    ['nash', 'nash', 'rubinstein', 'rubinstein', 'kalai-smorodinsky', 'egalitarian']
    """
    return tuple(
        Entry(label, c.name, options)
        for c in registered()
        if c.brief is not None
        for label, options in c.brief(model)
    )


def _row(concept: Entry, model: Model) -> Row:
    try:
        return Row(concept.label, concept.solve(model))
    except BargainError as err:
        # The brief's title names the model: the reason says where in it, not which file.
        return Row(concept.label, None, str(type(err)(err.message, table=err.table, key=err.key)))


def brief(model: Model) -> Brief:
    """Solve ``model`` under every concept (see the module docstring); a :class:`Brief`.

    The solvers' exact (sympy) route is skipped: the numbers are the same, and a
    brief is meant to be quick. A concept whose solver refuses the model (a
    :class:`bargain.BargainError`, e.g. the alternating-offers game over a transfer
    that its bounds stop, or a two-party concept on three parties) gets a row with
    the reason and no solution, so the
    other concepts are still reported; the promise's report is not optional and
    its refusals propagate.
    """
    found = concepts(model)
    rows = tuple(_row(c, model) for c in found)
    report = found[0].credibility(model) if model.promises else None
    return Brief(model, rows, report)


# -- the brief under uncertainty (issue 17) ------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """One answer under uncertainty: its median and 5–95% interval over the draws."""

    label: str
    """What the answer is, in words."""
    median: float | None
    """The median over the draws with an answer (``None`` if none has one)."""
    q05: float | None
    """The 5% quantile."""
    q95: float | None
    """The 95% quantile."""
    failed: int
    """Draws at which there is no answer (the concept refuses the model there)."""
    refused: str | None = None
    """Why no draw has an answer, else ``None``."""


def interval(label: str, values: Sequence[float], failed: int) -> Interval:
    """The median and 5–95% interval of ``values`` (quantiles as in :func:`bargain.uncertainty`).

    Examples
    --------
    >>> interval("x", [float(v) for v in range(101)], 0)
    Interval(label='x', median=50.0, q05=5.0, q95=95.0, failed=0, refused=None)
    """
    if not values:
        return Interval(label, None, None, None, failed, "no draw has an answer")
    q = {k: float(np.quantile(values, level)) for k, level in QUANTILES.items()}
    return Interval(label, q["median"], q["q05"], q["q95"], failed)


@dataclass(frozen=True)
class UncertainBrief:
    """The brief's answers under the parameters' declared distributions.

    Attributes
    ----------
    model
        The model (its values are the draws' other parameters).
    n, seed, design
        How the draws were made (:func:`bargain.uncertainty`; the seed reproduces them).
    distributions
        Each uncertain parameter's distribution, in words.
    variable
        The contract variable reported for every concept (the model's first).
    terms
        One :class:`Interval` of ``variable`` per row of the brief.
    promise
        The cost of the broken promise and the strike's mean length before and after
        (every path counted where the model has focal dates, else the war of attrition's
        expected length), under the brief's first concept; empty without a promise.
    samples
        Every draw: the uncertain parameters, ``variable`` under each concept (by the
        row's label; NaN where the concept has no solution) and, with a promise,
        :data:`PROMISE_COLUMNS`.
    refusals
        For each concept's label, the statuses of its draws without a solution (as
        :data:`bargain.sweeps.compile.STATUSES` names them) and their counts; for the
        broken promise's cost, the reasons of the reports refused (one message per table
        and key) and their counts.
    """

    model: Model
    n: int
    seed: int
    design: str
    distributions: dict[str, str]
    variable: str
    terms: tuple[Interval, ...]
    promise: tuple[Interval, ...]
    samples: pd.DataFrame = field(repr=False, compare=False)
    refusals: dict[str, dict[str, int]] = field(default_factory=dict, compare=False)

    def to_text(self, digits: int = 4) -> str:
        """One line per answer: median and 5–95% interval, and the draws without one."""

        def n(x: float | None) -> str:
            return "-" if x is None else sig(x, digits)

        unit = next((v.unit for v in self.model.variables if v.name == self.variable), "")
        out = [
            f"{self.model.title or self.model.name}: under uncertainty, {self.n} "
            f"{self.design} draws (seed {self.seed})",
            "  uncertain parameters: "
            + ", ".join(f"{k} ~ {v}" for k, v in self.distributions.items()),
            "",
            f"  {self.variable}{f' ({unit})' if unit else ''}: median [5%, 95%]",
        ]
        rows = [*self.terms, *self.promise]
        width = max(len(r.label) for r in rows)
        for i, r in enumerate(rows):
            if i == len(self.terms):
                out += ["", "  the broken promise: median [5%, 95%]"]
            text = (
                f"not solved: {r.refused}"
                if r.median is None
                else f"{n(r.median)}  [{n(r.q05)}, {n(r.q95)}]"
            )
            missing = f"   ({r.failed} draws without an answer)" if r.failed else ""
            out.append(f"    {r.label:<{width}}  {text}{missing}")
        return "\n".join(out)

    def figure(self) -> Figure:
        """Each concept's interval (:func:`bargain.reporting.plot.intervals`)."""
        from bargain.reporting import plot

        unit = next((v.unit for v in self.model.variables if v.name == self.variable), "")
        return plot.intervals(
            [(r.label, r.q05, r.median, r.q95) for r in self.terms if r.median is not None],
            f"{self.variable} ({unit})" if unit else self.variable,
            f"{self.model.name}: median and 5–95% interval over {self.n} draws",
        )

    def __str__(self) -> str:
        return self.to_text()


PROMISE_COLUMNS = ("cost of the broken promise", "mean strike before", "mean strike after")
"""The per-draw columns of the broken promise in :attr:`UncertainBrief.samples`."""


def _promise_draws(
    model: Model, first: Entry, draws: pd.DataFrame, refusals: dict[str, int]
) -> dict[str, list[float]]:
    """The broken promise's cost and the strike's mean length at every draw (scalar loop;
    NaN where the report or the strike length is not defined). Each refusal is counted in
    ``refusals`` by the table and key it names (the first message of each kept in full)."""
    found: dict[str, list[float]] = {k: [] for k in PROMISE_COLUMNS}
    first_message: dict[tuple[str | None, str | None], str] = {}
    for _, row in draws.iterrows():
        try:
            report = first.credibility(model.with_values(**{k: float(v) for k, v in row.items()}))
        except BargainError as err:
            report = None  # no report at this draw: a draw without an answer
            where = (err.table, err.key)
            first_message.setdefault(where, f"[{err.table}] {err.key}: {err.message}")
            refusals[first_message[where]] = refusals.get(first_message[where], 0) + 1
        strikes = (
            (None, None)
            if report is None
            else tuple(
                s.mean_strike if s.mean_strike is not None else s.expected_strike
                for s in (report.before, report.after)
            )
        )
        cost = None if report is None else report.cost["total"]
        for key, value in zip(PROMISE_COLUMNS, (cost, *strikes), strict=True):
            found[key].append(math.nan if value is None else float(value))
    return found


def _interval(label: str, values: pd.Series) -> Interval:
    kept = [float(v) for v in values if math.isfinite(v)]
    return interval(label, kept, len(values) - len(kept))


def uncertain_brief(
    model: Model, n: int = 100, *, seed: int = 0, design: str = "sobol"
) -> UncertainBrief:
    """The brief under uncertainty: each answer's median and 5–95% interval.

    Every row of :func:`brief` is solved at the same ``n`` draws of the parameters that
    declare a ``distribution`` (:func:`bargain.uncertainty`, whose seeded design makes
    the draws the same for every concept); its first contract variable is reported. If
    the model has a promise, the broken promise's cost and the strike's mean length
    before and after it (:func:`bargain.credibility`, under the brief's first concept)
    are computed at each of those draws by the scalar solver.

    Parameters
    ----------
    model
        A model with at least one parameter carrying a ``distribution``.
    n, seed, design
        The draws (:func:`bargain.uncertainty`); the same seed gives the same numbers.

    Raises
    ------
    ModelError
        Where :func:`bargain.uncertainty` refuses the model (no distribution, a bad design).
    SolverError
        If no concept of the brief has a solution at any draw (a concept that has none is
        otherwise a row with the reason, as in :func:`brief`).

    Examples
    --------
    >>> import bargain
    >>> data = bargain.model_to_dict(bargain.load_model(bargain.models_dir() / "split.toml"))
    >>> data["parameters"]["V"]["distribution"] = {"kind": "uniform", "loc": 1, "scale": 1}
    >>> u = uncertain_brief(bargain.model_from_dict(data), 64, seed=1)
    >>> t = u.terms[0]
    >>> t.label, round(t.median, 2), round(t.q05, 2), round(t.q95, 2)
    ('Nash (equal powers)', 0.75, 0.53, 0.97)
    """
    import pandas as pd  # only when draws are made: import bargain stays light

    found = concepts(model)
    variable = model.variable_names[0]
    columns: dict[str, Any] = {}
    refused: dict[str, str] = {}
    refusals: dict[str, dict[str, int]] = {}
    first: Uncertainty | None = None
    for entry in found:
        try:
            u = uncertainty(
                model, entry.method, n=n, seed=seed, design=design, **entry.settings(model)
            )
        except ModelError as err:
            if err.table == "parameters" or err.key == "design":
                raise
            refused[entry.label] = err.message
            continue
        except BargainError as err:
            refused[entry.label] = err.message
            continue
        if first is None:
            first = u
            columns.update({k: u.samples[k].to_numpy() for k in u.distributions})
        ok = u.samples["status"] == "ok"
        columns[entry.label] = u.samples[variable].where(ok).to_numpy()
        counts = u.samples.loc[~ok, "status"].value_counts()
        refusals[entry.label] = {str(k): int(v) for k, v in sorted(counts.items())}
    if first is None:
        raise SolverError(
            f"no concept of the brief solves {model.name} at any draw: "
            + "; ".join(f"{k}: {v}" for k, v in refused.items()),
            table="uncertainty",
        )
    samples = pd.DataFrame(columns)
    if model.promises:
        refusals[PROMISE_COLUMNS[0]] = {}
        samples = samples.assign(
            **_promise_draws(
                model,
                found[0],
                samples[list(first.distributions)],
                refusals[PROMISE_COLUMNS[0]],
            )
        )
    unit = f" ({model.period}s)"
    return UncertainBrief(
        model=model,
        n=first.n,
        seed=first.seed,
        design=design,
        distributions=dict(first.distributions),
        variable=variable,
        terms=tuple(
            Interval(e.label, None, None, None, first.n, refused[e.label])
            if e.label in refused
            else _interval(e.label, samples[e.label])
            for e in found
        ),
        promise=tuple(
            _interval(k + ("" if i == 0 else unit), samples[k])
            for i, k in enumerate(PROMISE_COLUMNS)
            if k in samples
        ),
        samples=samples,
        refusals=refusals,
    )
