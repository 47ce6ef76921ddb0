"""Payoffs on a high level, measured from it before floats see them.

A payoff of ``1e9 + a`` with ``a`` at most 2 keeps 7 digits of ``a``, and every tolerance
that is relative to the payoff's size (a constraint binds, two maxima tie, a party is held
at the least gain) is then 1e9 times coarser than ``a``: the egalitarian solution of
``L + a`` and ``L + b`` (``a <= 1``, ``b <= 2``, ``a + b <= 2.5``, disagreement ``L``) came
out ``(1, 1)`` at ``L = 1e9``, Pareto-dominated by ``(1, 1.5)``, and the utilitarian sum
``12e9 + 1e-4 (1 + y)`` had a set of maximisers. Every axiomatic solution is invariant
under adding a number to a party's payoffs and its disagreement payoff alike (Nash 1950 and
Kalai & Smorodinsky 1975, under affine transformations of each party's utility; Kalai 1977
for the egalitarian solution, whose gains do not move; the utilitarian sum moves by the
same number at every agreement, keeping its maximisers). So:

1. each party's *level* is the part of its payoff in the parameters alone (``L`` of
   ``L + a``; ``5e9`` of ``5e9 + 1e-4 (x + 2 y)``), where its size is more than
   :data:`LEVEL` times the rest's at the box's starting points (it takes more than 10 bits
   of the payoff's precision);
2. it is subtracted from the party's payoff, disagreement payoff and outside option,
   *symbolically* (``L + a - L`` is ``a``, exactly);
3. the concept solves the moved model, and the payoffs it reports (and its tables of
   payoffs) are moved back by the levels' values.

The alternating-offers game is not moved: with discounting a party's level is worth less a
round later, and its equilibrium depends on it (:mod:`bargain.strategic.rubinstein`). Nor
is the Nash solution in the BRW limit (``limit=True``), whose disagreement point is the
impasse point, the strike payoffs over the rates, which a level does not move.

Examples
--------
>>> import bargain
>>> m = bargain.model_from_dict({"model": {"name": "m"}, "parameters": {"L": 1e9},
...     "variables": {"a": {"min": 0, "max": 1}},
...     "parties": {"P": {"payoff": "L + a", "disagreement": "L"},
...                 "Q": {"payoff": "L + 1 - a", "disagreement": "L"}}})
>>> levels = payoff_levels(m)
>>> levels
{'P': L, 'Q': L + 1}
>>> moved = in_levels(m, levels)
>>> moved.party("P").payoff, moved.party("P").disagreement
(a, 0)
>>> moved.party("Q").payoff, moved.party("Q").disagreement
(-a, -1)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import sympy

from bargain.axiomatic.problem import shared_problem
from bargain.concepts.solution import Solution
from bargain.errors import BargainError
from bargain.model.model import Model, Party
from bargain.scale import magnitude

LEVEL = 2.0**10
"""A payoff's part in the parameters alone larger than this times the rest is its level."""

_MOVED = ("payoff", "disagreement", "outside_option")


def movable(options: Mapping[str, Any]) -> bool:
    """Whether a concept invariant under levels still is with these solver ``options``: not
    the Nash solution in the BRW limit (``limit``), whose disagreement point is the impasse
    point, the strike payoffs over the rates, which a level does not move."""
    return not options.get("limit")


def party_of(key: str, parties: Iterable[str]) -> str | None:
    """The party a table's ``key`` is about (``W``, or ``W at low x``), else ``None`` (a
    value about all of them, such as a sum of payoffs).

    >>> party_of("W at low x", ["W", "A"]), party_of("sum", ["W", "A"])
    ('W', None)
    """
    return next((n for n in parties if key == n or key.startswith(f"{n} ")), None)


def payoff_levels(model: Model) -> dict[str, sympy.Expr]:
    """Each party's level, where it has one (see the module): the part of its payoff in the
    parameters alone, by party name. A model the sizing cannot read (its values or bounds
    refused) has none: the solver then refuses it with its own message."""
    variables = [v.symbol for v in model.variables]
    try:
        problem = shared_problem(model)
        starts = [[u.real for u in problem.float_payoffs(x)] for x in problem.box_starts()]
        levels = {}
        for k, party in enumerate(model.parties):
            level, _ = party.payoff.as_independent(*variables, as_Add=True)
            if level == 0:
                continue
            value = float(model.numeric(level))
            rest = magnitude(s[k] - value for s in starts)
            if abs(value) > LEVEL * rest:
                levels[party.name] = level
    except (BargainError, TypeError, ValueError, OverflowError):
        return {}
    return levels


def sweep_levels(model: Model, inputs: Sequence[str]) -> dict[str, sympy.Expr]:
    """Each party's level for a sweep over the parameters ``inputs``: where it is large at
    the model's values (:func:`payoff_levels`), and wherever it depends on a varied
    parameter, whose values elsewhere can make it large (``L + x`` swept over ``L`` from
    0 to 1e12: at its value 0 it has no level, at 1e12 the gains kept 5 digits)."""
    variables = [v.symbol for v in model.variables]
    varied = {model.parameter(name).symbol for name in inputs}
    levels = payoff_levels(model)
    for party in model.parties:
        level, _ = party.payoff.as_independent(*variables, as_Add=True)
        if party.name not in levels and level.free_symbols & varied:
            levels[party.name] = level
    return levels


def in_levels(model: Model, levels: Mapping[str, sympy.Expr]) -> Model:
    """``model`` with each party's payoff, disagreement payoff and outside option less its
    level (``levels``, by party name), symbolically."""

    def moved(party: Party) -> Party:
        if party.name not in levels:
            return party
        level = levels[party.name]
        return replace(
            party,
            **{
                key: getattr(party, key) - level
                for key in _MOVED
                if getattr(party, key) is not None
            },
        )

    return replace(model, parties=tuple(moved(p) for p in model.parties))


def levels_back(
    solution: Solution,
    model: Model,
    levels: Mapping[str, sympy.Expr],
    tables: Sequence[str] = (),
) -> Solution:
    """A solution of the moved model (:func:`in_levels` of ``model``) with its payoffs and
    disagreement payoffs moved back by the levels' values, and the payoff ``tables`` of its
    ``extra`` too: a value keyed by a party (``W``, or ``W at low x``) by that party's, any
    other (a sum of payoffs) by their sum."""
    values = {name: float(model.numeric(level)) for name, level in levels.items()}
    total = sum(values.values())

    def back(table: Mapping[str, float]) -> dict[str, float]:
        def of(key: str) -> float:
            party = party_of(key, model.party_names)
            return total if party is None else values.get(party, 0.0)

        return {k: v + of(k) for k, v in table.items()}

    return replace(
        solution,
        payoffs={k: v + values.get(k, 0.0) for k, v in solution.payoffs.items()},
        disagreement={k: v + values.get(k, 0.0) for k, v in solution.disagreement.items()},
        extra={
            name: back(table) if name in tables else dict(table)
            for name, table in solution.extra.items()
        },
    )


__all__ = [
    "LEVEL",
    "in_levels",
    "levels_back",
    "movable",
    "party_of",
    "payoff_levels",
    "sweep_levels",
]
