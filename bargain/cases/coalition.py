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
}


__all__ = ["ARTEFACTS", "members_table", "model", "report", "rules_table"]
