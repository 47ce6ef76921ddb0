"""Pattern bargaining and the Horn–Wolinsky channel: generated tables (issue 18).

A provider of :mod:`bargain.reporting.docbuild` (``bargain docs`` writes these files,
``bargain docs --check`` fails when they are stale); numbers are rounded to four
significant figures.

- ``tables/wga2007-pattern.md`` — the producers renew the directors', writers' and actors'
  contracts (``models/wga2007_pattern.toml``): the flat new-media payment each guild would
  sign one by one, and under a pattern set by each guild in turn (the directors first, as
  in January 2008), with what each guild and the producers gain or lose by the pattern;
  and the industry-wide counterfactual (one talk with the three guilds as one).
- ``tables/coalitions-channel.md`` — separate (Nash-in-Nash) against joint bargaining of a
  guild with three identical competing producers (:mod:`bargain.coalitions.channel`), as
  their shows go from complements to substitutes, with and without the guild's strike
  cost: the rates, and the producers' incentive to bargain as one. Normalised units
  (demand intercept 1); an illustration of the mechanism, not a calibration.

Examples
--------
>>> r = report(("D", "W", "S"))
>>> round(r.solution.agreement["F"], 2), round(r.common_gain, 2)
(61.43, 178.89)
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from bargain.coalitions import coalition
from bargain.coalitions.channel import Market, channel
from bargain.coalitions.pattern import PatternReport, pattern
from bargain.model.catalogue import models_dir
from bargain.model.model import Model
from bargain.model.modelfile import load_model
from bargain.reporting.docbuild import markdown_table, sig

DIGITS = 4
"""Significant figures of every number in the tables."""

MODEL = "wga2007_pattern"
"""The companion model of the pattern table."""

ORDERS = (("D", "W", "S"), ("W", "D", "S"), ("S", "D", "W"))
"""The orders tabulated: the historical one (directors first), then each other guild first."""

GAMMAS = (-0.3, 0.0, 0.3, 0.6)
"""How the producers' shows interact in the channel table (complements to substitutes)."""

STRIKE_COSTS = (0.0, -0.05)
"""The guild's strike cost per talk in the channel table (demand intercept 1)."""


@functools.cache
def model() -> Model:
    """The companion model, loaded once."""
    return load_model(models_dir() / f"{MODEL}.toml")


@functools.cache
def report(order: tuple[str, ...]) -> PatternReport:
    """The pattern report with the negotiations in ``order``."""
    return pattern(model(), order=order)


def _n(x: float) -> str:
    return sig(x, DIGITS)


def _signed(x: float) -> str:
    """A gain with its sign."""
    return ("+" if x >= 0 else "") + _n(x)


def pattern_table() -> str:
    """The table ``tables/wga2007-pattern.md``."""
    m = model()
    base = report(ORDERS[0])
    guilds = [x.name for x in base.members]
    alone = {x.name: x for x in base.members}
    header = [
        "negotiation",
        "F ($M)",
        *(f"{m.party(g).title} ({g})" for g in guilds),
        "producers (A)",
    ]
    rows = [
        [
            "one by one",
            ", ".join(f"{g}: {_n(alone[g].alone_terms['F'])}" for g in guilds),
            *(_n(alone[g].alone) for g in guilds),
            _n(base.common_alone),
        ]
    ]
    for order in ORDERS:
        r = report(order)
        got = {x.name: x for x in r.members}
        rows.append(
            [
                f"pattern set by {order[0]}" + (" (as in Jan 2008)" if order == ORDERS[0] else ""),
                _n(r.solution.agreement["F"]),
                *(f"{_n(got[g].patterned)} ({_signed(got[g].gain)})" for g in guilds),
                f"{_n(r.common_patterned)} ({_signed(r.common_gain)})",
            ]
        )
    joint = coalition(m)
    f = {m.variables[0].symbol: joint.joint.agreement["F"]}
    rows.append(
        [
            "industry-wide (the guilds as one)",
            _n(joint.joint.agreement["F"]),
            *(_n(float(m.numeric(m.party(g).payoff).xreplace(f))) for g in guilds),
            _n(joint.joint.payoffs["A"]),
        ]
    )
    caption = (
        f"The producers renew three guild contracts (`models/{MODEL}.toml`, Nash solution): "
        "the directors' (D), the writers' (W) and the actors' (S). The term that travels is "
        "the writers' flat new-media payment F ($M over the contract; the directors get "
        "h_D F and the actors h_S F). Each cell is a party's payoff in $M (a guild's "
        "new-media money, the producers' payments as a negative number) and, under a "
        "pattern, its gain over one by one in brackets. Under a pattern the producers "
        "bargain with the first guild over one F for all, with everything it will cost "
        "them at stake; one by one, each guild signs its own F. Every DGA and SAG number "
        "is an assumption (see the model file)."
    )
    return caption + "\n\n" + markdown_table(header, rows)


def channel_table() -> str:
    """The table ``tables/coalitions-channel.md``."""
    rows = []
    for delta in STRIKE_COSTS:
        for gamma in GAMMAS:
            r = channel(Market(intercepts=(1.0, 1.0, 1.0), gamma=gamma, strike_cost=delta))
            rows.append(
                [
                    _n(delta),
                    _n(gamma),
                    _n(r.separate_rates[0]),
                    _n(r.threats[0]),
                    _n(r.joint_rate),
                    _n(sum(r.separate_profits)),
                    _n(sum(r.joint_profits)),
                    _n(r.incentive if abs(r.incentive) > 1e-9 else 0.0),
                ]
            )
    header = [
        "guild's strike cost δ",
        "γ",
        "rate separately",
        "guild's threat point in one talk",
        "rate jointly",
        "producers' profit separately",
        "producers' profit jointly",
        "gain from bargaining as one",
    ]
    caption = (
        "A guild and three identical producers competing for viewers (linear demand with "
        "intercept 1, Cournot; γ < 0: their shows are complements, γ > 0: substitutes; the "
        "guild's bargaining power 1/2). Separately, each producer bargains its own per-unit "
        "rate given the others' (Nash-in-Nash); the guild's threat point in one talk is its "
        "strike cost plus what it earns from the two other producers while that one is "
        "struck. Jointly, the producers bargain as one over one rate. Without a strike cost "
        "the channel cancels; with one, the producers gain by bargaining as one only when "
        "their shows are complements."
    )
    return caption + "\n\n" + markdown_table(header, rows)


ARTEFACTS: dict[str, tuple[str, Callable[[], str | bytes]]] = {
    "tables/wga2007-pattern.md": (
        "Pattern bargaining: the directors', writers' and actors' new-media terms one by one "
        "and under a pattern set by each guild",
        pattern_table,
    ),
    "tables/coalitions-channel.md": (
        "The Horn-Wolinsky channel: separate against joint bargaining as the producers' "
        "shows go from complements to substitutes",
        channel_table,
    ),
}


__all__ = ["ARTEFACTS", "channel_table", "model", "pattern_table", "report"]
