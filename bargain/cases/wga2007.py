"""The flagship case's tables and figures for ``docs/``: the 2007–08 WGA strike.

Everything here is computed from ``models/wga2007.toml`` (a provider of
:mod:`bargain.reporting.docbuild`: ``bargain docs`` writes these files, ``bargain docs
--check`` fails when they are stale). Numbers are rounded to four significant
figures, so the bytes do not depend on the last bits of a numeric solver.

- ``tables/wga2007-parameters.md`` — every parameter with its source.
- ``tables/wga2007-flat-rate.md`` — the terms under each solution concept
  (:func:`bargain.reporting.brief.brief`), next to the AMPTP's $130M and the WGA's $151M.
- ``tables/wga2007-promise.md`` — the broken "DVDs for ESTs" promise, before and
  after (:func:`bargain.credibility`), under every concept of the brief, and in
  full under the Nash solution and the alternating-offers game.
- ``tables/wga2007-tornado.md`` and ``figures/wga2007-tornado.svg`` — the Nash flat
  rate at the ends of every parameter's range, others at their values, with the
  exact elasticity from the symbolic formula.
- ``tables/wga2007-deadlines.md`` and ``figures/wga2007-deadlines.svg`` — the
  December 15 and June 30 dates.
- ``tables/wga2007-strike.md`` — how long the strike lasts before and after the
  broken promise (:mod:`bargain.reputation.duration`), every path counted.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from bargain.axiomatic.nash import nash
from bargain.model.catalogue import models_dir
from bargain.model.model import Model
from bargain.model.modelfile import load_model
from bargain.model.patience import patience_powers
from bargain.model.validate import numeric_value
from bargain.reporting.brief import Brief, brief, concepts
from bargain.reporting.docbuild import DocsError, markdown_table, render_svg, sig
from bargain.reputation.credibility import CredibilityReport
from bargain.reputation.promise import find_promise
from bargain.strategic.rubinstein import rubinstein

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NAME = "wga2007"
DIGITS = 4
DEADLINES = {"December 15, 2007": 40 / 7, "June 30, 2008": 34.0}
"""Weeks from the strike's start (Nov 5, 2007) to each focal date in the articles."""


def _n(x: float) -> str:
    return sig(float(x), DIGITS)


@functools.cache
def model() -> Model:
    """The flagship model."""
    return load_model(models_dir() / f"{NAME}.toml")


@functools.cache
def _brief() -> Brief:
    return brief(model())


@functools.cache
def _reports() -> tuple[tuple[str, CredibilityReport], ...]:
    """The broken promise under each concept of the brief, by the concept's label."""
    m = model()
    return tuple((c.label, c.credibility(m)) for c in concepts(m))


def parameters_table() -> str:
    """Every parameter with its value, unit and source (or the word assumption)."""
    m = model()
    rows = [
        [f"`{p.name}`", sig(float(m.values[p.name]), 8), p.unit, p.description, p.source]
        for p in m.parameters
    ]
    return markdown_table(["parameter", "value", "unit", "what", "source"], rows)


def flat_rate_table() -> str:
    """Terms under each concept, next to the two offers in the articles."""
    m = model()
    names = m.variable_names
    header = [
        "",
        *(f"{v.name} ({v.unit})" for v in m.variables),
        "writers' gain",
        "producers' gain",
    ]
    rows = []
    for r in _brief().rows:
        s = r.solution
        if s is None:
            raise DocsError(f"{NAME}: {r.label} was not solved: {r.refused}")
        gains = [s.payoffs[p] - s.disagreement[p] for p in ("W", "A")]
        rows.append([r.label, *(_n(s.agreement[k]) for k in names), *map(_n, gains)])
    values = m.values
    for label, key in (
        ("AMPTP offer, Nov 29 (Finke, LA Weekly, Dec 2007)", "offer_A"),
        ("WGA counteroffer (Finke, LA Weekly, Dec 2007)", "offer_W"),
    ):
        rows.append([label, _n(values[key]), "", "", "", ""])
    powers = patience_powers(m)
    return (
        "Equilibrium terms of `models/wga2007.toml` ($M over the three-year contract; "
        "payoffs are gains over the pre-strike terms, and the gains shown are over a strike "
        "to the next focal date, except in the BRW limit row). The BRW limit is the "
        "alternating-offers game as offers come faster, with the 5% weekly breakdown risk "
        f"(Binmore, Rubinstein & Wolinsky 1986): powers W {_n(powers['W'])}, "
        f"A {_n(powers['A'])}, gains over the impasse point (the value of bargaining for "
        "ever).\n\n" + markdown_table(header, rows)
    )


DETAILED = ("Nash (equal powers)", "Rubinstein, A proposes first")
"""The concepts whose before/after tables are shown in full (the model's first proposer)."""


def package_parts() -> tuple[float, float]:
    """The package deal's surplus at the prior trust, in two parts ($M).

    The DVD swap at face value (what dropping the demand saves the producers
    less what it is worth to the writers) and the promise's expected net value
    (the probability it is kept times what the EST formula is worth to the
    writers less what it costs the producers). Their sum is the surplus lost
    when a broken promise takes the package out of the agreement.
    """
    m = model()
    report = _reports()[0][1]
    promise = find_promise(m, report.promise)
    c_by, v_by = promise.to_promiser()
    where = f"promises.{promise.name}"
    swap = numeric_value(m, c_by - promise.concession, where, "concession_value")
    net = numeric_value(m, promise.promised - v_by, where, "promised_cost")
    return swap, report.before.keep_probability * net


def promise_table() -> str:
    """The broken promise: a summary under every concept, then two concepts in full."""
    summary = []
    for label, r in _reports():
        b, a, cost = r.before.solution, r.after.solution, r.cost
        summary.append(
            [
                label,
                _n(b.agreement["F"]),
                _n(a.agreement["F"]),
                *(_n(a.payoffs[k] - b.payoffs[k]) for k in ("W", "A")),
                _n(cost["surplus_lost"]),
                _n(cost["longer_strike"]),
                _n(cost["strike_cost"]),
                _n(cost["total"]),
            ]
        )
    first = _reports()[0][1]
    swap, promise = package_parts()
    out = [
        "The Nov 4 promise (`[promises.dvd_for_est]`) before and after it is broken: the "
        f"writers' trust falls from {_n(first.before.trust)} to {_n(first.after.trust)} "
        f"(the threshold at which conceding pays is {_n(first.trust_threshold)}). $M over the "
        "contract; payoff changes are at the agreement, before the strike's cost; the longer "
        "strike is in weeks, every path counted (the impasse included: see the strike table), "
        "its cost is to both sides together. Where the package leaves "
        "the agreement and the EST rate stays at its efficient level, the surplus lost is the "
        f"package's: {_n(swap + promise)} = {_n(swap)} (the DVD swap at face "
        "value: what dropping the demand saves the producers less what it is worth to the "
        f"writers) + {_n(promise)} (the promised EST formula's expected net "
        "value).\n\n",
        markdown_table(
            [
                "",
                "F before",
                "F after",
                "writers' payoff change",
                "producers' payoff change",
                "surplus lost",
                "longer strike",
                "its cost",
                "cost of the broken promise",
            ],
            summary,
        ),
    ]
    for label, report in _reports():
        if label in DETAILED:
            out.append(f"\n**{label}**\n\n")
            out.append(markdown_table(["", "before", "after", "change"], report.table(DIGITS)))
    return "".join(out)


@functools.cache
def _tornado() -> list[tuple[str, float, float, float, float, float]]:
    """(name, low, high, F at low, F at high, elasticity at the model's values)."""
    m = model()
    # The elasticities need the closed form: no time limit (timeout=0), so that a busy
    # machine (parallel tests) cannot make the exact attempt give up and drop it.
    base = nash(m, timeout=0)
    flat = base.formula["F"]
    values = m.values
    at = {m.parameter(k).symbol: v for k, v in values.items()}
    f0 = float(flat.subs(at))
    out = []
    for p in m.parameters:
        if p.range is None or p.range[0] == p.range[1]:
            continue
        lo, hi = (float(x) for x in p.range)
        f_lo, f_hi = (
            nash(m.with_values(**{p.name: x}), exact=False).agreement["F"] for x in (lo, hi)
        )
        slope = float(sympy.diff(flat, p.symbol).subs(at))
        if f_lo == f_hi and slope == 0:
            continue  # the parameter does not enter the Nash problem (e.g. the promise's)
        out.append((p.name, lo, hi, f_lo, f_hi, slope * float(values[p.name]) / f0))
    out.sort(key=lambda t: -abs(t[4] - t[3]))
    return out


def tornado_table() -> str:
    """The Nash flat rate at each end of each parameter's range."""
    base = nash(model(), exact=False).agreement["F"]
    header = ["parameter", "range", "F at low", "F at high", "swing", "elasticity"]
    rows = [
        [f"`{name}`", f"{_n(lo)} – {_n(hi)}", _n(a), _n(b), _n(abs(b - a)), _n(el)]
        for name, lo, hi, a, b, el in _tornado()
    ]
    return (
        f"Nash flat rate F ($M over the contract) at its base value {_n(base)}; each parameter "
        "moved alone to the ends of its range (solved again, so corners are honoured); the "
        "elasticity ∂ln F/∂ln θ is the exact derivative of the symbolic formula at the "
        "model's values. Parameters that do not move it (the promise, the "
        "strategic game's patience and breakdown risk, the strike's hard-liners, the DVD market "
        "while the DVD rate stays at its floor) are left out.\n\n" + markdown_table(header, rows)
    )


def tornado_figure() -> bytes:
    """The tornado as a bar chart."""
    return render_svg(tornado_plot)


def tornado_plot() -> Figure:
    """The tornado chart (base: the Nash flat rate at the model's values, as in the title)."""
    import pandas as pd

    from bargain.reporting import plot

    rows = _tornado()
    base = nash(model(), exact=False).agreement["F"]
    frame = pd.DataFrame(
        {"low": [r[3] for r in rows], "high": [r[4] for r in rows], "base": base},
        index=[r[0] for r in rows],
    )
    frame.attrs.update(
        {"output": "Nash flat rate F ($M)", "method": "nash", "others": "at the model's values"}
    )
    return plot.tornado_chart(frame)


@functools.cache
def _deadlines() -> list[tuple[str, float, float, float, float, float, float]]:
    m = model()
    out = []
    for label, weeks in DEADLINES.items():
        mm = m.with_values(T_D=weeks)
        s = nash(mm, exact=False)
        g = nash(mm, limit=True, exact=False)
        r = rubinstein(mm, proposer="A", exact=False)
        out.append(
            (
                label,
                weeks,
                -s.disagreement["W"],
                -s.disagreement["A"],
                s.agreement["F"],
                g.agreement["F"],
                r.agreement["F"],
            )
        )
    return out


def deadlines_table() -> str:
    """What a strike to each focal date costs each side, and the flat rate it implies."""
    header = [
        "next focal date",
        "weeks away",
        "writers' cost",
        "producers' cost",
        "Nash F",
        "BRW limit F",
        "Rubinstein F (AMPTP first)",
    ]
    rows = [[label, *map(_n, rest)] for label, *rest in _deadlines()]
    return (
        "If talks fail the strike runs to the next focal date (Nikki Finke, 'Deals, Lies, "
        "Backchannelling', Deadline Hollywood Daily, also in LA Weekly, archived Nov 9, 2007: "
        "if not settled by December 15, maybe no incentive to settle until June 30). Costs in "
        "$M; F in $M over the contract.\n\n" + markdown_table(header, rows)
    )


def strike_table() -> str:
    """The strike's length and cost before and after the broken promise (Nash report)."""
    report = _reports()[0][1]
    b, a = report.before.duration, report.after.duration
    if b is None or a is None:
        raise DocsError(f"{NAME}: the model gives no strike length (focal_dates, demands)")
    labels = list(DEADLINES)
    if len(b.focal_dates) != 2 or any(
        abs(x - y) > 1e-9 for x, y in zip(b.focal_dates, DEADLINES.values(), strict=True)
    ):
        raise DocsError(f"{NAME}: focal_dates {b.focal_dates} are not {labels}")
    first, last = (label.split(",")[0] for label in labels)
    cost = report.cost
    weekly = report.strike_cost

    def row(label: str, value: Callable[[Any], float]) -> list[str]:
        # Probabilities found as differences of ones are exact to about 1e-15: 0 below 1e-12.
        before, after = value(b), value(a)
        return [label, *(sig(x, DIGITS, zero=1e-12) for x in (before, after, after - before))]

    rows = [
        row(f"P(settled by {first})", lambda d: d.settled_by[0]),
        row(f"P(settled {first} – {last})", lambda d: 1 - d.settled_by[0] - d.at_date[-1]),
        row(f"P(strike to {last})", lambda d: d.at_date[-1]),
        row("P(impasse: both sides obstinate)", lambda d: d.impasse),
        row("median strike (weeks)", lambda d: d.median),
        row("mean strike (weeks)", lambda d: d.mean),
        *(
            row(f"expected strike cost to {p} ($M)", lambda d, p=p: d.expected_cost(weekly)[p])
            for p in ("W", "A")
        ),
    ]
    war = report.after.expected_strike - report.before.expected_strike
    return (
        "How long the strike lasts under the Nash report of the broken promise: a strike ends "
        "by a concession in the war of attrition, at the next focal date after talks break "
        f"down (risk per week as in the before/after table), or on {last}. {first} is "
        f"{_n(b.focal_dates[0])} weeks and {last} {_n(b.focal_dates[1])} weeks after Nov 5, "
        "2007. Costs are the weekly strike costs "
        f"(writers {_n(weekly['W'])}, producers {_n(weekly['A'])} $M a week) times the mean "
        "length.\n\n"
        + markdown_table(["", "before", "after", "change"], rows)
        + "\nThe full cost of the broken promise: surplus lost "
        f"{_n(cost['surplus_lost'])} + the longer strike ({_n(cost['longer_strike'])} weeks, "
        f"every path counted) {_n(cost['strike_cost'])} = **{_n(cost['total'])}** $M. "
        f"Counting only the war of attrition ({_n(war)} weeks longer, the impasse left out) "
        f"it would be {_n(cost['surplus_lost'] + war * sum(weekly.values()))} $M.\n"
    )


def deadlines_figure() -> bytes:
    """The Nash flat rate against the weeks to the next focal date."""
    return render_svg(deadlines_plot)


def deadlines_plot() -> Figure:
    """The deadlines figure: the Nash flat rate against the weeks to the next focal date,
    the two offers as lines of their own colour and dash, the two dates marked."""
    from matplotlib.figure import Figure

    m = model()
    weeks = np.linspace(40 / 7, 34.0, 12)
    flat = [nash(m.with_values(T_D=float(w)), exact=False).agreement["F"] for w in weeks]

    # Constrained layout keeps the axis labels inside the figure (the x label was cut).
    fig = Figure(figsize=(6, 3.5), layout="constrained")
    ax = fig.add_subplot()
    ax.plot(weeks, flat, marker="o", color="tab:blue", label="Nash flat rate F")
    for (label, key), style in zip(
        (("AMPTP offer, $130M", "offer_A"), ("WGA counteroffer, $151M", "offer_W")),
        OFFER_STYLES,
        strict=True,
    ):
        ax.axhline(float(m.values[key]), linewidth=1.0, label=label, **style)
    for label, w in DEADLINES.items():
        ax.axvline(w, color="grey", linewidth=0.6)
        ax.annotate(label, (w, 0), rotation=90, fontsize=7, va="bottom")
    ax.set_xlabel("weeks of strike to the next focal date if talks fail")
    ax.set_ylabel("$M over the contract")
    ax.legend(loc="best", fontsize=7)
    return fig


OFFER_STYLES = (
    {"color": "tab:red", "linestyle": "--"},
    {"color": "tab:green", "linestyle": ":"},
)
"""The deadlines figure's two offer lines: a colour and a dash each (AMPTP, WGA)."""


ARTEFACTS: dict[str, tuple[str, Callable[[], str | bytes]]] = {
    "tables/wga2007-parameters.md": (
        "WGA 2007: every parameter, its value and its source or the reason for the assumption",
        parameters_table,
    ),
    "tables/wga2007-flat-rate.md": (
        "WGA 2007: the terms under each solution concept, next to the $130M and $151M offers",
        flat_rate_table,
    ),
    "tables/wga2007-promise.md": (
        "WGA 2007: the broken 'DVDs for ESTs' promise — trust, terms, strike length, surplus lost",
        promise_table,
    ),
    "tables/wga2007-tornado.md": (
        "WGA 2007: the Nash flat rate at the ends of each range, with exact elasticities",
        tornado_table,
    ),
    "tables/wga2007-deadlines.md": (
        "WGA 2007: the December 15 and June 30 dates, a strike's cost to each, and the flat rate",
        deadlines_table,
    ),
    "tables/wga2007-strike.md": (
        "WGA 2007: how long the strike lasts before and after the broken promise, and its cost",
        strike_table,
    ),
    "figures/wga2007-tornado.svg": (
        "WGA 2007: tornado chart of the Nash flat rate",
        tornado_figure,
    ),
    "figures/wga2007-deadlines.svg": (
        "WGA 2007: the Nash flat rate against the weeks to the next focal date",
        deadlines_figure,
    ),
}
