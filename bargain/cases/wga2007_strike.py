"""The flagship's strike length under every theory of delay, for ``docs/``.

A provider of :mod:`bargain.reporting.docbuild` (``bargain docs`` writes these
files, ``bargain docs --check`` fails when they are stale), computed from
``models/wga2007.toml`` with the Nash report of the broken promise
(:func:`bargain.credibility`):

- ``tables/wga2007-theories.md`` — for each theory of delay
  (:mod:`bargain.reputation.delay`), before and after the broken promise:
  P(settled by December 15), P(settled between December 15 and June 30),
  P(strike to June 30), the median and mean length, the expected strike cost to
  each side, and the full cost of the broken promise.
- ``figures/wga2007-survival.svg`` — ``S(t) = P(strike still on after t weeks)``
  under each theory, before and after, with the focal dates marked.
- ``tables/wga2007-strike-tornado.md`` and ``figures/wga2007-strike-tornado.svg``
  — the median strike length (after the broken promise) and the cost of the
  broken promise at the ends of the range of every parameter the strike's
  length reads, others at the model's values, under the model's theory.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from bargain.cases.wga2007 import DEADLINES, NAME, base_report, model
from bargain.errors import BargainError
from bargain.model.model import Model
from bargain.reporting.docbuild import DocsError, markdown_table, render_svg, sig
from bargain.reputation.credibility import CredibilityReport
from bargain.reputation.delay import names, theory
from bargain.reputation.duration import StrikeDuration
from bargain.sweeps.credibilities import credibilities

DIGITS = 4


def _n(x: float) -> str:
    # Probabilities found as differences of ones are exact to about 1e-15: 0 below 1e-12.
    return sig(float(x), DIGITS, zero=1e-12)


@functools.cache
def _theories() -> tuple[tuple[str, CredibilityReport], ...]:
    base = (
        base_report()
    )  # = credibility(model(), exact=False) under the model's theory, solved once
    return tuple((name, base.under(name)) for name in names())


def _check_dates(d: StrikeDuration) -> tuple[str, str]:
    if len(d.focal_dates) != 2 or any(
        abs(x - y) > 1e-9 for x, y in zip(d.focal_dates, DEADLINES.values(), strict=True)
    ):
        raise DocsError(f"{NAME}: focal_dates {d.focal_dates} are not {list(DEADLINES)}")
    first, last = (label.split(",")[0] for label in DEADLINES)
    return first, last


def theories_table() -> str:
    """Before and after the broken promise, under each theory of delay."""
    header = ["theory", "", "P(by Dec 15)", "P(Dec 15 – Jun 30)", "P(to Jun 30)"]
    header += ["median (weeks)", "mean (weeks)", "cost to W ($M)", "cost to A ($M)"]
    header += ["cost of the broken promise ($M)"]
    rows: list[list[str]] = []
    missing = []
    for name, report in _theories():
        b, a = report.before.duration, report.after.duration
        if b is None or a is None:
            missing.append(name)
            continue
        _check_dates(b)
        weekly = report.strike_cost
        for label, d in (("before", b), ("after", a)):
            cost = d.expected_cost(weekly)
            rows.append(
                [
                    f"`{name}`" if label == "before" else "",
                    label,
                    _n(d.settled_by[0]),
                    _n(1 - d.settled_by[0] - d.at_date[-1]),
                    _n(d.at_date[-1]),
                    _n(d.median),
                    _n(d.mean),
                    _n(cost["W"]),
                    _n(cost["A"]),
                    _n(report.cost["total"]) if label == "after" else "",
                ]
            )
    if not rows:
        raise DocsError(f"{NAME}: no theory of delay gives a strike length")
    note = f" Theories the model gives no settings for: {', '.join(missing)}." if missing else ""
    sources = "; ".join(f"`{name}`: {theory(name).source}" for name, _ in _theories())
    return (
        "How long the strike lasts under each theory of delay, before and after the broken "
        "promise (the Nash report; a strike ends by agreement at the time the theory gives, at "
        "the next focal date after talks break down, or on June 30). Probabilities of settling "
        "by each date; lengths in weeks from Nov 5, 2007; expected strike costs are the weekly "
        "costs times the mean length; the cost of the broken promise is the surplus lost plus "
        f"the longer strike's expected cost, every path counted.{note} Sources: {sources}.\n\n"
        + markdown_table(header, rows)
    )


def survival_figure() -> bytes:
    """``S(t)`` under each theory, before (dashed) and after (solid), focal dates marked."""
    from matplotlib.figure import Figure

    reports = [(n, r) for n, r in _theories() if r.before.duration and r.after.duration]
    last = max(DEADLINES.values())
    times = np.linspace(0.0, last, 681)

    def make() -> Figure:
        fig = Figure(figsize=(6.5, 3.8), layout="constrained")
        ax = fig.add_subplot()
        for i, (name, report) in enumerate(reports):
            colour = f"C{i}"
            for stage, style in ((report.before, "--"), (report.after, "-")):
                assert stage.duration is not None
                s = [stage.duration.survival(float(t)) for t in times]
                ax.plot(
                    times, s, style, color=colour, linewidth=1.2, label=f"{name}, {stage.label}"
                )
        for label, w in DEADLINES.items():
            ax.axvline(w, color="grey", linewidth=0.6)
            ax.annotate(label, (w, 1.0), rotation=90, fontsize=7, va="top", ha="right")
        ax.set_xlabel("weeks since the strike began (Nov 5, 2007)")
        ax.set_ylabel("P(strike still on)")
        ax.set_ylim(0.0, 1.02)
        ax.set_xlim(0.0, last * 1.05)
        ax.legend(loc="upper right", fontsize=7)
        return fig

    return render_svg(make)


def _duration_parameters(m: Model) -> list[str]:
    """The parameters with a range that the strike's length reads: the parties' demands,
    hard-liner probabilities, strike payoffs and patience, the breakdown risk, the focal
    dates, the promise and the theories' settings."""
    exprs: list[Any] = [m.bargaining.breakdown_probability, *m.bargaining.focal_dates]
    for p in m.parties:
        exprs += [p.demand, p.hardliner, p.strike_payoff, p.discount_rate, p.discount_factor]
    for promise in m.promises:
        exprs += [
            promise.trust,
            promise.error,
            promise.opportunist_keeps,
            promise.breakdown_per_distrust,
        ]
    for table in m.delays:
        exprs += list(table.values)
    used = set().union(*(e.free_symbols for e in exprs if e is not None))
    return [
        p.name
        for p in m.parameters
        if p.symbol in used and p.range is not None and p.range[0] != p.range[1]
    ]


@functools.cache
def _strike_tornado() -> tuple[tuple[str, float, float, float, float, float, float], ...]:
    """(name, low, high, median at low, at high, cost at low, at high), by the larger swing."""
    m = model()
    names = _duration_parameters(m)
    # Every end of every range at once (the reports' stages solved by one sweep kernel),
    # the other parameters at the model's values.
    points = {k: np.full(2 * len(names), float(m.values[k])) for k in names}
    for i, name in enumerate(names):
        points[name][2 * i : 2 * i + 2] = [float(x) for x in m.parameter(name).range]  # type: ignore[union-attr]
    reports = credibilities(m, points, delay=m.delay_theory, exact=False)
    out = []
    for i, name in enumerate(names):
        lo, hi = (float(x) for x in m.parameter(name).range)  # type: ignore[union-attr]
        ends: list[CredibilityReport] = []
        for r in reports[2 * i : 2 * i + 2]:
            if isinstance(r, BargainError):
                raise r
            ends.append(r)
        medians = [r.after.duration.median if r.after.duration else np.nan for r in ends]
        costs = [r.cost["total"] for r in ends]
        out.append((name, lo, hi, *medians, *(float(c) for c in costs)))
    out.sort(key=lambda t: -abs(t[6] - t[5]))
    return tuple(out)


def _base() -> CredibilityReport:
    m = model()
    return dict(_theories())[m.delay_theory]


def strike_tornado_table() -> str:
    """The median strike and the cost of the broken promise at the ends of each range."""
    base = _base()
    if base.after.duration is None:
        raise DocsError(f"{NAME}: the model's theory gives no strike length")
    header = ["parameter", "range", "median at low", "median at high"]
    header += ["cost at low ($M)", "cost at high ($M)", "cost swing"]
    rows = [
        [f"`{name}`", f"{_n(lo)} – {_n(hi)}", _n(m0), _n(m1), _n(c0), _n(c1), _n(abs(c1 - c0))]
        for name, lo, hi, m0, m1, c0, c1 in _strike_tornado()
    ]
    return (
        f"Under the model's theory of delay (`{model().delay_theory}`) and the Nash report: the "
        "median strike length after the broken promise (weeks) and the full cost of the broken "
        "promise ($M), each parameter that the strike's length reads moved alone to the ends "
        "of its range, the others at the model's values (base: median "
        f"{_n(base.after.duration.median)} weeks, cost {_n(base.cost['total'])} $M). Sorted by "
        "the cost's swing.\n\n" + markdown_table(header, rows)
    )


def strike_tornado_figure() -> bytes:
    """Two tornado panels (:func:`bargain.reporting.plot.tornado_axes`): the median strike
    and the cost of the broken promise."""
    import pandas as pd
    from matplotlib.figure import Figure

    from bargain.reporting import plot

    rows = _strike_tornado()
    base = _base()
    assert base.after.duration is not None
    index = [r[0] for r in rows]
    panels = [
        pd.DataFrame(
            {"low": [r[lo] for r in rows], "high": [r[lo + 1] for r in rows], "base": centre},
            index=index,
        )
        for lo, centre in ((3, base.after.duration.median), (5, base.cost["total"]))
    ]
    panels[0].attrs["output"] = "median strike after the broken promise (weeks)"
    panels[1].attrs["output"] = "cost of the broken promise ($M)"

    def make() -> Figure:
        fig = Figure(figsize=(7.5, 0.35 * len(rows) + 1.4), layout="constrained")
        axes = fig.subplots(1, 2, sharey=True)
        for ax, frame in zip(axes, panels, strict=True):
            plot.tornado_axes(ax, frame)
        axes[1].legend(fontsize=7, loc="lower right")
        fig.suptitle(
            "WGA 2007: each parameter at the ends of its range, others at the model's values",
            fontsize=9,
        )
        return fig

    return render_svg(make)


ARTEFACTS: dict[str, tuple[str, Callable[[], str | bytes]]] = {
    "tables/wga2007-theories.md": (
        "WGA 2007: the strike's length under each theory of delay, before and after the "
        "broken promise",
        theories_table,
    ),
    "figures/wga2007-survival.svg": (
        "WGA 2007: P(strike still on) under each theory of delay, before and after",
        survival_figure,
    ),
    "tables/wga2007-strike-tornado.md": (
        "WGA 2007: the median strike and the cost of the broken promise over the duration "
        "parameters' ranges",
        strike_tornado_table,
    ),
    "figures/wga2007-strike-tornado.svg": (
        "WGA 2007: tornado chart of the median strike and the cost of the broken promise",
        strike_tornado_figure,
    ),
}
