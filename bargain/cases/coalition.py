"""The producers as a coalition: the tables of ``docs/wga2007.md`` (issue 18).

A provider of :mod:`bargain.reporting.docbuild` (``bargain docs`` writes these files,
``bargain docs --check`` fails when they are stale). Everything is computed with
:func:`bargain.coalitions.coalition` from ``models/wga2007_coalition.toml`` (the
producers as mostly-film studios, mostly-TV networks and firms owning both; every value
sourced there or called an assumption with its reason and range), under the Nash
solution; numbers are rounded to four significant figures.

- ``tables/wga2007-coalition-members.md`` — each group inside the coalition and alone:
  its stake and strike-cost shares, the flat payment it would sign alone, its payoff
  inside and alone, and what breaking ranks is worth to it.
- ``tables/wga2007-coalition-rules.md`` — the flat payment with the coalition as one
  player under each internal rule (unanimity, majority, each group's veto), and under
  the film studios' veto as their strike-cost share falls (where a hard-liner's veto
  starts to bind).
- ``tables/wga2007-coalition-strike.md`` — what each rule does to the flat payment in the
  alternating-offers game (:mod:`bargain.coalitions.alternating`) and to the strike's
  length in the war of attrition (:mod:`bargain.coalitions.strike`): the member whose
  consent the coalition needs last, the flat payment with either side proposing first,
  and the strike's median and mean and the chance it is settled by December 15.

Examples
--------
>>> r = report("unanimity")
>>> round(r.joint.agreement["F"], 2), r.leavers
(164.18, ('S', 'N'))
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from bargain.coalitions import CoalitionReport, coalition
from bargain.coalitions.alternating import coalition_rubinstein
from bargain.model.catalogue import models_dir
from bargain.model.model import Model
from bargain.model.modelfile import load_model
from bargain.reporting.docbuild import markdown_table, sig

DIGITS = 4
"""Significant figures of every number in the tables."""

MODEL = "wga2007_coalition"
"""The companion model the tables solve."""

VETO_STRIKE_SHARES = (0.15, 0.1, 0.05, 0.02, 0.01)
"""The film studios' strike-cost shares ``c_S`` of the veto rows (0.15 is the model's)."""


@functools.cache
def model() -> Model:
    """The companion model, loaded once."""
    return load_model(models_dir() / f"{MODEL}.toml")


@functools.cache
def report(rule: str, veto: str | None = None, c_S: float | None = None) -> CoalitionReport:
    """The coalition report under ``rule`` (and ``veto``), at the film studios' strike-cost
    share ``c_S`` (the model's when ``None``)."""
    m = model() if c_S is None else model().with_values(c_S=c_S)
    return coalition(m, rule=rule, veto=veto)


def _n(x: float) -> str:
    return sig(x, DIGITS)


def members_table() -> str:
    """The table ``tables/wga2007-coalition-members.md``: a caption, then one row a group."""
    r = report("unanimity")
    m = model()
    cost = {p.name: float(m.numeric(p.disagreement)) for p in m.parties}
    total = sum(cost[member.name] for member in r.members)
    rows = [
        [
            f"{member.name} ({m.party(member.name).title})",
            _n(member.share),
            _n(cost[member.name] / total),
            _n(member.alone.agreement["F"]),
            _n(member.inside),
            _n(member.alone_payoff),
            _n(member.gain),
            "yes" if member.leaves else "no",
        ]
        for member in r.members
    ]
    caption = (
        f"The writers against the producers' coalition (Nash solution, "
        f"`models/{MODEL}.toml`): with the coalition as one player the flat payment is "
        f"F = {_n(r.joint.agreement['F'])} $M, of which each group pays its stake share "
        "(its payoff inside); alone, each group would sign the flat payment in the column "
        "'F alone' and pay its part of it (its payoff alone). The gain from breaking ranks "
        "is alone minus inside, in $M over the contract; leaving is free (the others' terms "
        "do not change)."
    )
    header = [
        "group",
        "stake share σ",
        "strike-cost share c",
        "F alone",
        "payoff inside",
        "payoff alone",
        "gain from breaking ranks",
        "breaks ranks",
    ]
    return caption + "\n\n" + markdown_table(header, rows)


def rules_table() -> str:
    """The table ``tables/wga2007-coalition-rules.md``: the flat payment under each rule."""
    cases: list[tuple[str, CoalitionReport]] = [
        ("unanimity", report("unanimity")),
        ("majority", report("majority")),
        *((f"veto: {g}", report("veto", g)) for g in ("S", "N", "B")),
        *((f"veto: S, with c_S = {c:g}", report("veto", "S", c)) for c in VETO_STRIKE_SHARES[1:]),
    ]
    rows = [
        [
            label,
            _n(r.threshold),
            "yes" if r.binds else "no",
            _n(r.joint.agreement["F"]),
            _n(r.payoff),
            ", ".join(r.leavers) or "none",
        ]
        for label, r in cases
    ]
    caption = (
        "The flat payment F ($M over the contract) with the producers' coalition as one "
        "player under each internal rule: the least joint payoff the rule signs for "
        "(threshold), whether it binds, F, the coalition's payoff, and the groups for whom "
        "breaking ranks pays. The last rows give the film studios (S) the veto and lower "
        "their share of the producers' strike cost c_S (the firms owning both bear the "
        "difference): a veto binds only for a member whose strike-cost share is below about "
        "0.16 of its stake share (docs/coalitions.md)."
    )
    header = ["rule", "threshold", "binds", "F", "coalition payoff", "breaking ranks pays"]
    return caption + "\n\n" + markdown_table(header, rows)


def _cases() -> list[tuple[str, str, str | None, float | None]]:
    """The rows of the strike table: label, rule, veto member, the film studios' c_S."""
    return [
        ("unanimity", "unanimity", None, None),
        ("majority", "majority", None, None),
        *((f"veto: {g}", "veto", g, None) for g in ("S", "N", "B")),
        *((f"veto: S, with c_S = {c:g}", "veto", "S", c) for c in VETO_STRIKE_SHARES[1:]),
    ]


def strike_table() -> str:
    """The table ``tables/wga2007-coalition-strike.md``: each rule's flat payment under
    alternating offers and the strike's length."""
    rows = []
    for label, rule, veto, c_S in _cases():
        r = report(rule, veto, c_S)
        assert r.game is not None and r.strike is not None, r.unsolved
        m = model() if c_S is None else model().with_values(c_S=c_S)
        producers_first = coalition_rubinstein(m, rule=rule, veto=veto, proposer=r.coalition)
        d = r.strike.duration
        rows.append(
            [
                label,
                r.game.pivot,
                _n(r.game.solution.agreement["F"]),
                _n(producers_first.solution.agreement["F"]),
                r.strike.pivot,
                _n(r.strike.costs[r.strike.pivot]),
                _n(d.median),
                _n(d.mean),
                _n(d.settled_by[0]),
                _n(d.at_date[-1]),
            ]
        )
    m = model()
    dates = [float(m.numeric(t)) for t in m.bargaining.focal_dates]
    caption = (
        "What the coalition's rule does to the flat payment F ($M over the contract) when "
        "the two sides alternate offers a week apart, and to the strike's length in weeks "
        "(`models/wga2007_coalition.toml`; docs/coalitions.md derives both). Under its rule "
        "the coalition holds out as one member, the pivot: in the alternating-offers game "
        "the member whose stand-in game gives the coalition the rule's payoff (under "
        "unanimity the most), in the war of attrition (Abreu & Gul 2000) the member whose "
        "consent to concede is needed last, with its cost of a week of waiting per dollar "
        "of its stake ($M a week, the writers' is "
        f"{_n(report('unanimity').strike.counterpart_cost)}). The strike ends by a concession, "  # type: ignore[union-attr]
        f"or at the next focal date after talks break down (December 15 = week "
        f"{_n(dates[0])}, June 30 = week {_n(dates[1])}). The last rows lower the film "
        "studios' share of the producers' strike cost c_S, with their veto."
    )
    header = [
        "rule",
        "pivot (offers)",
        "F, writers first",
        "F, producers first",
        "pivot (strike)",
        "pivot's weekly cost per $ of stake",
        "median strike",
        "mean strike",
        "P(settled by Dec 15)",
        "P(strike to June 30)",
    ]
    return caption + "\n\n" + markdown_table(header, rows)


ARTEFACTS: dict[str, tuple[str, Callable[[], str | bytes]]] = {
    "tables/wga2007-coalition-members.md": (
        "The producers as a coalition: each group inside and alone, and what breaking "
        "ranks is worth",
        members_table,
    ),
    "tables/wga2007-coalition-rules.md": (
        "The producers as a coalition: the flat payment under unanimity, majority and each "
        "group's veto",
        rules_table,
    ),
    "tables/wga2007-coalition-strike.md": (
        "The producers as a coalition: the flat payment under alternating offers and the "
        "strike's length under each rule",
        strike_table,
    ),
}


__all__ = ["ARTEFACTS", "members_table", "model", "report", "rules_table", "strike_table"]
