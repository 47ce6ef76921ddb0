"""A short answer for a model: the terms under every solution concept, and what a
broken promise costs.

``brief(model)`` solves a two-party model under the Nash solution (equal powers,
and the limit of the alternating-offers game), the alternating-offers game with
either side proposing first, Kalai–Smorodinsky and egalitarian, and — if the
model has a promise — compares the Nash solution before and after the promise
is broken (:func:`bargain.credibility`). ``bargain brief MODEL`` prints it:
the units of the terms and payoffs (``[model] payoff_unit``), the disagreement
payoffs and each row's gains over them, the terms at a bound marked, the
parties' public demands as context, and the cost of the broken promise with its
two parts. The utilitarian solution is left out: where money is transferable it
does not pin down the transfer (every split of the same total is utilitarian).

**The BRW limit.** The generalised Nash solution with powers proportional to
``1 / (r_i + λ)`` (each party's discount rate per period, ``-ln δ`` for a
discount factor, plus the breakdown hazard ``λ = -ln(1 - q)``) and the impasse
point ``(s_i + λ d_i) / (r_i + λ)`` as threat point is the limit of the
alternating-offers game as offers come faster, breakdown risk included
(Binmore, Rubinstein & Wolinsky 1986, *RAND J. Econ.* 17(2), §3–4;
:mod:`bargain.model.patience` derives it).

Examples
--------
>>> import bargain
>>> b = brief(bargain.load_model(bargain.models_dir() / "package_deal.toml"))
>>> [row.label for row in b.rows][:3]
['Nash (equal powers)', 'generalised Nash (BRW limit)', 'Rubinstein, W proposes first']
>>> before = b.credibility.before.solution
>>> round(b.rows[0].solution.agreement["x"], 4), round(before.agreement["x"], 4)
(0.5, 0.5568)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from bargain.axiomatic.nash import LIMIT_ASSUMPTION
from bargain.concepts.registry import concept
from bargain.concepts.registry import concept as registered_concept
from bargain.concepts.registry import concepts as registered
from bargain.concepts.solution import Solution
from bargain.errors import BargainError, ModelError, SolverError
from bargain.model.model import Model
from bargain.model.patience import breakdown_rate
from bargain.model.validate import require_model
from bargain.reputation.credibility import CredibilityReport, credibility
from bargain.reputation.delay import names as delay_names
from bargain.rounding import sig
from bargain.scale import ROUNDING, RTOL, magnitude

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure
    from numpy.typing import ArrayLike

    from bargain.estimation.uncertainty import Uncertainty


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

    def credibilities(
        self, model: Model, points: Mapping[str, ArrayLike]
    ) -> list[CredibilityReport | BargainError]:
        """:meth:`credibility` at every point of ``points`` (parameter name → values), the
        stages solved at once (:func:`bargain.sweeps.credibilities.credibilities`): each
        point's report, or the error that refuses it. Options given as a function of the
        model are read at ``model``'s values."""
        from bargain.sweeps.credibilities import credibilities  # with the draws, as below

        settings = self.settings(model)
        return credibilities(model, points, method=self.method, exact=False, **settings)


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
    bound: tuple[str, str] | None = None
    """``(variable, "min" | "max")`` when the refusal is a bound of that variable binding
    in equilibrium (the concept wants the term past it), else ``None``."""


@dataclass(frozen=True)
class Brief:
    """The terms under each concept and, if the model has a promise, its cost."""

    model: Model
    rows: tuple[Row, ...]
    credibility: CredibilityReport | None
    theories: tuple[CredibilityReport, ...] = ()
    """The same report under every other theory of delay the model gives settings for
    (``[delay.NAME]`` tables), when the strike has a length."""
    promise_refused: str | None = None
    """Why the broken promise has no report (a :class:`bargain.BargainError` of
    :func:`bargain.credibility` at these values), else ``None``."""

    def to_text(self, digits: int = 4) -> str:
        """A few readable lines: what the numbers are in, one line per concept, the
        parties' demands for context, then the broken promise.

        Each row gives the terms (a term at one of its bounds is marked ``(floor)`` or
        ``(ceiling)``), the payoffs in the model's ``payoff_unit`` and the gains over the
        disagreement payoffs (printed once above the rows; a row with another threat
        point names it). Numbers have ``digits`` significant figures. A term of the
        agreement prints as 0 only if it is 0 (``x = 1e-09`` next to payoffs of order 1 is
        an agreement, not noise). A payoff or a gain of a row, computed at the agreement,
        prints as 0 below its floats' rounding (:data:`bargain.scale.ROUNDING` of the
        largest of that party's payoff and disagreement value in the row: each party in its
        own scale, so that ``1e-9 (1 - x)`` beside ``1e9 x`` prints ``5e-10``, not 0); the
        other amounts in the payoffs' unit (the broken promise's costs, from several
        solves) below ``1e-9`` of it, and a pure number (powers, rates, probabilities,
        trust, periods) below ``1e-9``: so that the text has the same form at any scale of
        the payoffs.
        """
        model = self.model
        names = model.variable_names
        parties = [p.name for p in model.parties]
        solved = [r.solution for r in self.rows if r.solution is not None]
        scale = magnitude(
            v for s in solved for v in (*s.payoffs.values(), *s.disagreement.values())
        )

        def n(x: float) -> str:
            return sig(x, digits, zero=RTOL * scale)

        def pure(x: float) -> str:
            return sig(x, digits, zero=RTOL)

        def term(x: float, *among: float) -> str:
            # A term alone as computed; an end of a range in the range's scale (its other
            # end, ``among``): a true 0 computed as 1e-16 beside 1 reads 0.
            return sig(x, digits, zero=ROUNDING * magnitude([x, *among]) if among else 0.0)

        def each(values: Mapping[str, float], *among: Mapping[str, float]) -> str:
            # Each party's amount in its own scale: its size and that of the amounts it
            # came from (``among``, by party), never another party's.
            def own(k: str) -> str:
                size = magnitude([values[k], *(a[k] for a in among)])
                return sig(values[k], digits, zero=ROUNDING * size)

            return ", ".join(f"{k} {own(k)}" for k in parties)

        out = [f"{model.title or model.name}"]
        units = [f"{v.name} in {v.unit}" for v in model.variables if v.unit]
        if units:
            out.append("; ".join(units))
        if model.payoff_unit:
            out.append(f"payoffs in {model.payoff_unit}")
        threat = {p.name: float(model.numeric(p.disagreement)) for p in model.parties}
        out += [
            f"disagreement (the payoffs if talks fail): {each(threat)}; "
            "gain = payoff - disagreement",
            "",
        ]
        demands = _demands(model)
        width = max(len(label) for label in [r.label for r in self.rows] + list(demands))
        marked = False
        for r in self.rows:
            if r.solution is None:
                out.append(f"  {r.label:<{width}}  not solved: {r.refused}")
                continue
            s = r.solution
            at = _bounds(s)
            marked = marked or bool(at)
            if not s.payoffs:  # a set of agreements, no tie-break
                out.append(f"  {r.label:<{width}}  {_set_terms(model, s, term, each)}")
                continue
            terms = ", ".join(f"{k} = {term(s.agreement[k])}{at.get(k, '')}" for k in names)
            gains = {k: s.payoffs[k] - s.disagreement[k] for k in parties}
            other = any(
                abs(s.disagreement[k] - threat[k])
                > RTOL * magnitude([s.disagreement[k], threat[k]])
                for k in parties
            )
            point = "the impasse point" if LIMIT_ASSUMPTION in s.assumptions else "threat point"
            over = f" over {point} {each(s.disagreement)}" if other else ""
            out.append(
                f"  {r.label:<{width}}  {terms}   payoffs {each(s.payoffs, s.disagreement)}; "
                f"gains {each(gains, s.payoffs, s.disagreement)}" + over
            )
        if demands:
            out += ["  for context, each side's public demand, as its payoff:"]
            out += [f"  {label:<{width}}  payoff {text}" for label, text in demands.items()]
        out += _notes(self, marked, n, pure)
        c = self.credibility
        if c is not None:
            out += _promise_lines(model, c, n, pure, term)
        elif self.promise_refused is not None:
            out += ["", f"the broken promise: not solved: {self.promise_refused}"]
        out += _theory_lines(self, n, pure)
        return "\n".join(out)


def _set_terms(
    model: Model,
    solution: Solution,
    term: Callable[..., str],
    each: Callable[[Mapping[str, float]], str],
) -> str:
    """A row for a solution that is a set of agreements with no tie-break (the
    alternating-offers game with fixed strike costs only, Rubinstein 1982, §5): each
    term's range and, over one contract variable, the payoffs at both ends; or, where the
    solutions are finitely many separate agreements (``agreement_points``), each of them
    with its payoffs (``term`` formats a term, and an end of a range given the other end;
    ``each`` the parties' payoffs)."""
    if solution.agreement_points:
        points = []
        for point in solution.agreement_points:
            at = {v.symbol: point[v.name] for v in model.variables}
            payoffs = {p.name: float(model.numeric(p.payoff).xreplace(at)) for p in model.parties}
            terms = ", ".join(f"{k} = {term(v)}" for k, v in point.items())
            points.append(f"{terms} (payoffs {each(payoffs)})")
        return " or ".join(points) + ": each a solution, none picked"
    ranges = solution.agreement_set or {}
    terms = ", ".join(
        f"{k} any in [{term(lo, hi)}, {term(hi, lo)}]" for k, (lo, hi) in ranges.items()
    )
    if len(model.variables) != 1 or len(ranges) != 1:
        return f"{terms} (every one an equilibrium); the payoffs depend on which"
    x = model.variables[0].symbol
    (low, high) = ranges[model.variables[0].name]
    ends = [
        {p.name: float(model.numeric(p.payoff).xreplace({x: end})) for p in model.parties}
        for end in (low, high)
    ]
    return f"{terms} (every one an equilibrium)   payoffs from {each(ends[0])} to {each(ends[1])}"


def _bounds(solution: Solution) -> dict[str, str]:
    """`` (floor)`` / `` (ceiling)`` for each term the solution puts at a bound."""
    marks = {"min": " (floor)", "max": " (ceiling)"}
    out = {}
    for entry in solution.binding:
        name, _, side = entry.partition(" = ")
        if side in marks and name in solution.agreement:
            out[name] = marks[side]
    return out


def _demands(model: Model) -> dict[str, str]:
    """Each party's ``demand`` as a context row: label (the parameter's description when
    the demand is a parameter or its negative) -> ``"W 151"``."""
    out = {}
    for p in model.parties:
        if p.demand is None:
            continue
        found = [q for q in model.parameters if p.demand in (q.symbol, -q.symbol)]
        what = found[0].description if found and found[0].description else ""
        label = f"{what} ({p.name}'s demand)" if what else f"{p.name}'s demand"
        out[label] = f"{p.name} {sig(float(model.numeric(p.demand)), 4)}"
    return out


def _notes(
    b: Brief, marked: bool, n: Callable[[float], str], pure: Callable[[float], str]
) -> list[str]:
    """What the marks and the alternating-offers limit row mean (``n`` formats an amount
    in the payoffs' unit, ``pure`` a pure number)."""
    out = [""]
    if marked:
        out.append(
            "(floor), (ceiling): the term is at a bound of the model; the concept would "
            "push it further"
        )
    for name, side in dict.fromkeys(r.bound for r in b.rows if r.bound is not None):
        v = next(v for v in b.model.variables if v.name == name)
        what = f" ({v.description})" if v.description else ""
        edge = float(b.model.numeric(v.min if side == "min" else v.max))
        out.append(
            f"not solved: a proposer would want {name}{what} "
            f"{'below' if side == 'min' else 'above'} {n(edge)}, its "
            f"{'lower' if side == 'min' else 'upper'} bound, so the game over {name} has "
            f"no equilibrium inside its bounds; the rows with {name} = {n(edge)} show the "
            "terms at that corner"
        )
    limit = [
        r for r in b.rows if r.solution is not None and LIMIT_ASSUMPTION in r.solution.assumptions
    ]
    if limit:
        s = limit[0].solution
        powers = ", ".join(f"{k} {pure(v)}" for k, v in (s.powers or {}).items())
        out.append(
            f"{limit[0].label}: alternating offers as the offers come ever faster (Binmore, "
            f"Rubinstein & Wolinsky 1986): powers {powers}, proportional to 1/(r_i + "
            f"breakdown rate {pure(breakdown_rate(b.model))} a {b.model.period}); gains over the "
            "impasse point, the value of bargaining for ever (strike until a breakdown, then "
            "the disagreement payoff)"
        )
    return out if len(out) > 1 else []


def _promise_lines(
    model: Model,
    c: CredibilityReport,
    n: Callable[[float], str],
    pure: Callable[[float], str],
    term: Callable[..., str],
) -> list[str]:
    """The broken promise: trust and terms before -> after, and what it costs (``n``: an
    amount in the payoffs' unit; ``pure``: trust, periods; ``term``: a term of the
    agreement, which is no amount in the payoffs' unit: 0.5 beside payoffs of 1e10 is 0.5)."""
    first = model.variable_names[0]
    b, a, cost = c.before, c.after, c.cost
    unit = c.periods
    out = [
        "",
        f"the broken promise '{c.promise}' ({c.method}): trust "
        f"{pure(b.trust)} -> {pure(a.trust)}; "
        f"{first} {term(b.solution.agreement[first])} -> {term(a.solution.agreement[first])}",
    ]
    if cost["longer_strike"] is None:
        out.append(
            f"  cost of the broken promise {n(cost['total'])} = surplus lost "
            f"{n(cost['surplus_lost'])} (the gains from agreement, summed over both sides, "
            "before minus after; no strike model)"
        )
    else:
        weekly = sum(c.strike_cost.values())
        longer = cost["longer_strike"]
        way = "longer" if longer >= 0 else "shorter"
        counted = "every path counted" if cost["full_strike"] else "the war of attrition alone"
        out.append(
            f"  cost of the broken promise {n(cost['total'])} = surplus lost "
            f"{n(cost['surplus_lost'])} (the gains from agreement, summed over both sides, "
            f"before minus after) + the strike's cost {n(cost['strike_cost'])} (the strike "
            f"{pure(abs(longer))} {unit} {way}, {counted}, times {n(weekly)} a {c.period} "
            "for both sides)"
        )
    if b.expected_strike is not None and a.expected_strike is not None:
        out.append(
            f"  war of attrition alone (the impasse left out) {pure(b.expected_strike)} -> "
            f"{pure(a.expected_strike)} {unit}"
        )
    return out + _strike_lines(c, pure)


def _strike_lines(c: CredibilityReport, n: Callable[[float], str]) -> list[str]:
    """The strike's length before -> after (median, mean, settled by the first date): pure
    numbers (periods, probabilities), formatted by ``n``."""
    b, a = c.before.duration, c.after.duration
    if b is None or a is None:
        return []
    unit = c.periods
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


def _theory_lines(b: Brief, n: Callable[[float], str], pure: Callable[[float], str]) -> list[str]:
    """The strike's mean length and the broken promise's cost under each theory of delay
    (``n``: the cost, in the payoffs' unit; ``pure``: periods, probabilities)."""
    reports = [r for r in (b.credibility, *b.theories) if r is not None]
    rows = [r for r in reports if r.before.duration and r.after.duration]
    if len(rows) < 2:
        return []
    out = [
        "  under each theory of delay (docs/duration.md): mean strike before -> after; "
        "P(strike to the last focal date) after; cost of the broken promise"
    ]
    for r in rows:
        before, after = r.before.duration, r.after.duration
        assert before is not None and after is not None
        out.append(
            f"    {r.settings['delay']:<11} {pure(before.mean)} -> {pure(after.mean)} "
            f"{r.periods}; {pure(after.at_date[-1])}; {n(r.cost['total'])}"
        )
    return out


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
    reason = registered_concept(concept.method).supports(model)
    if reason is not None:
        return Row(concept.label, None, reason)
    try:
        return Row(concept.label, concept.solve(model))
    except BargainError as err:
        # The brief's title names the model: the reason says where in it, not which file.
        where = str(type(err)(err.message, table=err.table, key=err.key))
        table = err.table or ""
        at = table.removeprefix("variables.")
        binds = table.startswith("variables.") and err.key in ("min", "max")
        return Row(concept.label, None, where, (at, err.key) if binds else None)  # type: ignore[arg-type]


def brief(model: Model) -> Brief:
    """Solve ``model`` under every concept (see the module docstring); a :class:`Brief`.

    The solvers' exact (sympy) route is skipped: the numbers are the same, and a
    brief is meant to be quick. A concept whose solver refuses the model (a
    :class:`bargain.BargainError`, e.g. the alternating-offers game over a transfer
    that its bounds stop, or a two-party concept on three parties) gets a row with
    the reason and no solution, so the
    other concepts are still reported; likewise a promise whose report is refused at
    these values (e.g. a demand outside the surplus) has the reason in its place.
    """
    require_model(model)
    found = concepts(model)
    rows = tuple(_row(c, model) for c in found)
    report, refused = None, None
    if model.promises:
        try:
            report = found[0].credibility(model)
        except BargainError as err:
            refused = str(type(err)(err.message, table=err.table, key=err.key))
    theories: tuple[CredibilityReport, ...] = ()
    if report is not None and report.before.duration is not None:
        given = {t.name for t in model.delays} - {report.settings["delay"]}
        others = [name for name in delay_names() if name in given]
        theories = tuple(report.under(name) for name in others)
    return Brief(model, rows, report, theories, refused)


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
    from bargain.estimation.uncertainty import QUANTILES  # with the draws, not the brief

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
    """The broken promise's cost and the strike's mean length at every draw (the reports'
    stages solved at once, :meth:`Entry.credibilities`; NaN where the report or the
    strike length is not defined). Each refusal is counted in ``refusals`` by the table
    and key it names (the first message of each kept in full)."""
    found: dict[str, list[float]] = {k: [] for k in PROMISE_COLUMNS}
    first_message: dict[tuple[str | None, str | None], str] = {}
    for report in first.credibilities(model, draws):
        if isinstance(report, BargainError):
            err, report = report, None  # no report at this draw: a draw without an answer
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
    are computed at each of those draws, their stages solved at once
    (:func:`bargain.sweeps.credibilities.credibilities`).

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

    from bargain.estimation.uncertainty import uncertainty

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
