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

from dataclasses import dataclass, field
from typing import Any

from .credibility import CredibilityReport, credibility, discount_rates
from .errors import ModelError
from .model import Model
from .rounding import sig
from .solution import Solution


@dataclass(frozen=True)
class Concept:
    """A solution concept as a brief solves it: a solver's CLI name and its options."""

    label: str
    """What is solved, in words."""
    method: str
    """The solver's name in :data:`bargain.SOLVERS` (and a :func:`bargain.credibility` method)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments for the solver (``powers``, ``proposer``)."""

    def solve(self, model: Model) -> Solution:
        """The concept's solution of ``model`` (numeric route)."""
        from . import SOLVERS

        return SOLVERS[self.method](model, exact=False, **self.options)

    def credibility(self, model: Model) -> CredibilityReport:
        """The model before and after its promise is broken, under this concept."""
        return credibility(model, method=self.method, exact=False, **self.options)


@dataclass(frozen=True)
class Row:
    """One solution concept's answer, or why it has none."""

    label: str
    """What was solved, in words."""
    solution: Solution | None
    """The answer; ``None`` when the solver refused the model."""
    refused: str | None = None
    """The solver's reason for refusing (a :class:`bargain.ModelError`), else ``None``."""


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
        scale = max(
            [1.0]
            + [abs(v) for s in solved for v in (*s.payoffs.values(), *s.disagreement.values())]
        )

        def n(x: float) -> str:
            return sig(x, digits, zero=1e-9 * scale)

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
                    f"; expected strike {n(b.expected_strike)} -> {n(a.expected_strike)} "
                    f"{self.model.period}s"
                    if b.expected_strike is not None and a.expected_strike is not None
                    else ""
                ),
            ]
        return "\n".join(out)


def patience_powers(model: Model) -> dict[str, float]:
    """Bargaining powers ``r_j / (r_i + r_j)`` from the parties' discount rates (BRW 1986).

    Examples
    --------
    >>> import bargain
    >>> powers = patience_powers(bargain.load_model(bargain.models_dir() / "package_deal.toml"))
    >>> {k: round(v, 12) for k, v in powers.items()}
    {'W': 0.333333333333, 'A': 0.666666666667}
    """
    rates = discount_rates(model)
    missing = [name for name, r in rates.items() if r is None]
    if missing:
        raise ModelError(
            "powers from patience need each party's discount_rate or discount_factor",
            file=model.file,
            table=f"parties.{missing[0]}",
            key="discount_rate",
        )
    total = sum(rates.values())
    (w, rw), (a, ra) = rates.items()
    return {w: ra / total, a: rw / total}


def concepts(model: Model) -> tuple[Concept, ...]:
    """The concepts of a brief, in the order it reports them (see the module docstring).

    Examples
    --------
    >>> import bargain
    >>> [c.method for c in concepts(bargain.load_model(bargain.models_dir() / "split.toml"))]
    ['nash', 'nash', 'rubinstein', 'rubinstein', 'kalai-smorodinsky', 'egalitarian']
    """
    first, second = (p.name for p in model.parties)
    return (
        Concept("Nash (equal powers)", "nash"),
        Concept(
            "generalised Nash (powers from patience)",
            "nash",
            {"powers": patience_powers(model)},
        ),
        Concept(f"Rubinstein, {first} proposes first", "rubinstein", {"proposer": first}),
        Concept(f"Rubinstein, {second} proposes first", "rubinstein", {"proposer": second}),
        Concept("Kalai–Smorodinsky", "kalai-smorodinsky"),
        Concept("egalitarian", "egalitarian"),
    )


def _row(concept: Concept, model: Model) -> Row:
    try:
        return Row(concept.label, concept.solve(model))
    except ModelError as err:
        return Row(concept.label, None, str(err))


def brief(model: Model) -> Brief:
    """Solve ``model`` under every concept (see the module docstring); a :class:`Brief`.

    The solvers' exact (sympy) route is skipped: the numbers are the same, and a
    brief is meant to be quick. A concept whose solver refuses the model (a
    :class:`bargain.ModelError`, e.g. the alternating-offers game over a transfer
    that its bounds stop) gets a row with the reason and no solution, so the
    other concepts are still reported; the promise's report is not optional and
    its refusals propagate.
    """
    found = concepts(model)
    rows = tuple(_row(c, model) for c in found)
    report = found[0].credibility(model) if model.promises else None
    return Brief(model, rows, report)
