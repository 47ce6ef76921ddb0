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

from dataclasses import dataclass

from .credibility import CredibilityReport, credibility, discount_rates
from .egalitarian import egalitarian
from .errors import ModelError
from .kalai_smorodinsky import kalai_smorodinsky
from .model import Model
from .nash import nash
from .rubinstein import rubinstein
from .solution import Solution


@dataclass(frozen=True)
class Row:
    """One solution concept's answer."""

    label: str
    """What was solved, in words."""
    solution: Solution


@dataclass(frozen=True)
class Brief:
    """The terms under each concept and, if the model has a promise, its cost."""

    model: Model
    rows: tuple[Row, ...]
    credibility: CredibilityReport | None

    def to_text(self, digits: int = 4) -> str:
        """A few readable lines: one per concept, then the broken promise."""
        names = self.model.variable_names
        parties = [p.name for p in self.model.parties]
        out = [f"{self.model.title or self.model.name}", ""]
        width = max(len(r.label) for r in self.rows)
        for r in self.rows:
            terms = ", ".join(f"{k} = {r.solution.agreement[k]:.{digits}g}" for k in names)
            pay = ", ".join(f"{k} {r.solution.payoffs[k]:.{digits}g}" for k in parties)
            out.append(f"  {r.label:<{width}}  {terms}   (payoffs {pay})")
        c = self.credibility
        if c is not None:
            first = names[0]
            b, a = c.before, c.after
            out += [
                "",
                f"the broken promise '{c.promise}' ({c.method}): trust "
                f"{b.trust:.{digits}g} -> {a.trust:.{digits}g}; "
                f"{first} {b.solution.agreement[first]:.{digits}g} -> "
                f"{a.solution.agreement[first]:.{digits}g}",
                f"  surplus lost {c.cost['surplus_lost']:.{digits}g}; total cost "
                f"{c.cost['total']:.{digits}g}"
                + (
                    f"; expected strike {b.expected_strike:.{digits}g} -> "
                    f"{a.expected_strike:.{digits}g} periods"
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


def brief(model: Model) -> Brief:
    """Solve ``model`` under every concept (see the module docstring); a :class:`Brief`.

    The solvers' exact (sympy) route is skipped: the numbers are the same, and a
    brief is meant to be quick. Refusals propagate (a model the alternating-offers
    game cannot take raises its ``ModelError``).
    """
    first, second = (p.name for p in model.parties)
    rows = [
        Row("Nash (equal powers)", nash(model, exact=False)),
        Row(
            "generalised Nash (powers from patience)",
            nash(model, powers=patience_powers(model), exact=False),
        ),
        Row(f"Rubinstein, {first} proposes first", rubinstein(model, proposer=first, exact=False)),
        Row(
            f"Rubinstein, {second} proposes first", rubinstein(model, proposer=second, exact=False)
        ),
        Row("Kalai–Smorodinsky", kalai_smorodinsky(model, exact=False)),
        Row("egalitarian", egalitarian(model, exact=False)),
    ]
    report = credibility(model, exact=False) if model.promises else None
    return Brief(model, tuple(rows), report)
