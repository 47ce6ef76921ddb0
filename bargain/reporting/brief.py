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

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bargain.concepts.registry import concept
from bargain.concepts.registry import concept as registered_concept
from bargain.concepts.registry import concepts as registered
from bargain.concepts.solution import Solution
from bargain.errors import BargainError
from bargain.model.model import Model
from bargain.reputation.credibility import CredibilityReport, credibility
from bargain.rounding import sig
from bargain.scale import RTOL, magnitude


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
    reason = registered_concept(concept.method).supports(model)
    if reason is not None:
        return Row(concept.label, None, reason)
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
