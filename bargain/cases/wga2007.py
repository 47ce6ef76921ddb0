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
- ``tables/wga2007-implied.md`` — the producers' weekly loss ``m_A`` each offer implies
  (:func:`bargain.calibrate`), and every answer again at it.
- ``tables/wga2007-two-offers.md`` — the alternating-offers game against both offers:
  the gap between the proposals in its three parts, and the breakdown risk it would need.
- ``tables/wga2007-uncertainty.md``, ``figures/wga2007-uncertainty.svg`` and
  ``tables/wga2007-survives.md`` — the headline numbers' medians and 5–95% intervals under
  the model's distributions (:func:`bargain.reporting.brief.uncertain_brief`), and which
  conclusions of the case page survive them, counted draw by draw.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy

from bargain.axiomatic.nash import LIMIT_LABEL, nash
from bargain.estimation.calibrate import Calibration, calibrate
from bargain.model.catalogue import models_dir
from bargain.model.model import Model
from bargain.model.modelfile import load_model
from bargain.model.patience import patience_powers
from bargain.model.validate import numeric_value
from bargain.reporting.brief import (
    PROMISE_COLUMNS,
    Brief,
    Interval,
    UncertainBrief,
    brief,
    concepts,
    uncertain_brief,
)
from bargain.reporting.docbuild import DocsError, markdown_table, render_svg, sig
from bargain.reputation.credibility import CredibilityReport
from bargain.scale import ROUNDING
from bargain.strategic.rubinstein import rubinstein
from bargain.sweeps.compile import OK, Kernel, compile_kernel

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
    """The broken promise under each concept of the brief, by the concept's label (the
    first concept's is the brief's own report, not solved again)."""
    m = model()
    found = concepts(m)
    first = _brief().credibility
    return tuple(
        (c.label, first if i == 0 and first is not None else c.credibility(m))
        for i, c in enumerate(found)
    )


def base_report() -> CredibilityReport:
    """The broken promise under the brief's first concept (the Nash solution, numeric) at
    the model's values and its theory of delay: the brief's own report, shared by the
    builders of the case's pages."""
    return _reports()[0][1]


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
    promise = m.promise(report.promise)
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
def _nash_kernel() -> Kernel:
    """The Nash sweep kernel of the flagship at its values, every parameter an input
    (points it cannot vouch for are solved again by the scalar solver, as in a sweep)."""
    m = model()
    return compile_kernel(m, "nash", [p.name for p in m.parameters], route="numeric")


def _nash_flat_rates(moved: dict[str, np.ndarray]) -> np.ndarray:
    """The Nash flat rate F at points of the flagship, all at once: the parameters in
    ``moved`` at its values (one array per parameter, one value per point), every other
    at the model's value."""
    n = len(next(iter(moved.values())))
    points = {k: moved.get(k, np.full(n, float(v))) for k, v in model().values.items()}
    solved = _nash_kernel()(points)
    if (solved["status"] != OK).any():
        raise DocsError(f"{NAME}: the Nash flat rate is not solved at every point")
    return solved["F"]


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
    ranged = [p for p in m.parameters if p.range is not None and p.range[0] != p.range[1]]
    # Every end at once, the other parameters at the model's values.
    points = {p.name: np.full(2 * len(ranged), float(values[p.name])) for p in ranged}
    for i, p in enumerate(ranged):
        points[p.name][2 * i : 2 * i + 2] = [float(x) for x in p.range]  # type: ignore[union-attr]
    flat_rates = _nash_flat_rates(points)
    out = []
    for i, p in enumerate(ranged):
        lo, hi = (float(x) for x in p.range)  # type: ignore[union-attr]
        f_lo, f_hi = (float(x) for x in flat_rates[2 * i : 2 * i + 2])
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
    flat = _nash_flat_rates({"T_D": weeks})

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


# -- implied parameters and honest uncertainty (issue 17) -----------------------------------

OFFERS = {"AMPTP's $130M": "offer_A", "WGA's $151M": "offer_W"}
"""The two offers of article 000, by the parameter that holds each."""
UNCERTAIN_DRAWS = 32
"""Draws of the uncertainty tables (scrambled Sobol points; each draw solves every concept of
the brief and the broken promise by the scalar solver, so the number is kept small)."""
UNCERTAIN_SEED = 0
"""Seed of the draws."""
TAIL_LEVEL = 0.05
"""The interval's tail: a conclusion survives if it fails only in draws beyond its 5% quantile
(:func:`verdict`)."""


@functools.cache
def _implied() -> tuple[tuple[str, Calibration], ...]:
    """The producers' weekly loss ``m_A`` that makes the Nash flat rate equal each offer."""
    m = model()
    return tuple(
        (label, calibrate(m, free=["m_A"], match=[f"nash:F={float(m.values[key])!r}"]))
        for label, key in OFFERS.items()
    )


@functools.cache
def _brief_at(m_a: float) -> Brief:
    return brief(model().with_values(m_A=m_a))


def implied_table() -> str:
    """The weekly loss implied by each offer, next to the assumed one, and what it does."""
    m = model()
    prod = float(m.values["prod_A"])
    columns = [("assumed", float(m.values["m_A"]), None)] + [
        (f"implied by the {label}", c.values["m_A"], c) for label, c in _implied()
    ]
    briefs = [_brief_at(v) if c is not None else _brief() for _, v, c in columns]
    reports = [b.credibility for b in briefs]
    if any(r is None or r.before.duration is None for r in reports):
        raise DocsError(f"{NAME}: the broken promise's report has no strike length")

    def found(c: Calibration | None, text: Callable[[Calibration], str]) -> str:
        return "" if c is None else text(c)

    rows = [
        ["`m_A`, producers' loss per $ of halted production", *(_n(v) for _, v, _ in columns)],
        ["producers' weekly strike cost ($M)", *(_n(v * prod * 7) for _, v, _ in columns)],
        [
            "found (route; unique in [0.05, 0.5]?)",
            "assumption",
            *(
                found(
                    c,
                    lambda c: (
                        f"{'exact' if c.exact else 'numeric'}; "
                        f"{'unique' if c.unique else 'not unique'}"
                    ),
                )
                for _, _, c in columns[1:]
            ),
        ],
        [
            "∂F/∂m_A of the Nash flat rate ($M per unit)",
            "",
            *(
                found(c, lambda c: _n(next(iter(c.jacobian.values()))["m_A"]))
                for _, _, c in columns[1:]
            ),
        ],
    ]
    for i, entry in enumerate(briefs[0].rows):
        rows.append(
            [
                f"F, {entry.label}",
                *(
                    _n(b.rows[i].solution.agreement["F"]) if b.rows[i].solution else "not solved"
                    for b in briefs
                ),
            ]
        )
    rows += [
        ["cost of the broken promise (Nash, $M)", *(_n(r.cost["total"]) for r in reports)],
        ["mean strike before the break (weeks)", *(_n(r.before.mean_strike) for r in reports)],
        ["mean strike after the break (weeks)", *(_n(r.after.mean_strike) for r in reports)],
    ]
    return (
        "The producers' weekly loss is the assumption the flat rate depends on most (see the "
        "tornado). Read the other way, each offer implies a value of it: the `m_A` at which the "
        "Nash flat rate equals the offer (`bargain calibrate wga2007 --free m_A --match "
        '"nash:F=130"`), every other parameter at its value. Then every answer again at that '
        "value.\n\n"
        + markdown_table(["", *(label for label, _, _ in columns)], rows)
        + "\nRelative to the assumed "
        + _n(columns[0][1])
        + ", the offers imply "
        + " and ".join(
            f"{_n(abs(v / columns[0][1] - 1) * 100)}% {'less' if v < columns[0][1] else 'more'} "
            f"({label})"
            for label, v, _ in columns[1:]
        )
        + ".\n"
    )


PATIENCE = ("rho_A", "rho_W")
"""The patience parameters tried against one offer each."""


@functools.cache
def _proposals(**values: float) -> tuple[Any, Any]:
    """The alternating-offers equilibrium with each side proposing first, at ``values``."""
    m = model().with_values(**values)
    return tuple(rubinstein(m, proposer=p, exact=False) for p in ("A", "W"))


def _gap_terms(values: dict[str, float], f_w: float, g_w: float) -> tuple[float, float, float]:
    """The three parts of the first-proposer gap ``F_W - F_A`` from the writers' indifference
    condition (:mod:`bargain.strategic.rubinstein`: ``u_W(x_A) = s_W + q d_W + (1 - q) δ_W
    u_W(x_W)``): one round of strike ``c_W (1 - δ_W)/r_W``, the breakdown risk times the strike
    to the focal date ``q c_W T_D``, and the discounting and breakdown risk on what the writers
    get, ``(1 - (1 - q) δ_W) (F_W + g_W)``."""
    c_w = values["pay_W"] * 7 / 365
    r_w = values["rho_W"] * 7 / 365
    delta = float(np.exp(-r_w))
    q = values["q"]
    return (
        c_w * -float(np.expm1(-r_w)) / r_w,
        q * c_w * values["T_D"],
        (1 - (1 - q) * delta) * (f_w + g_w),
    )


def _low_corner() -> dict[str, float]:
    """The breakdown risk and both discount rates at the bottom of their ranges."""
    m = model()
    return {k: float(m.parameter(k).range[0]) for k in ("q", "rho_W", "rho_A")}


def _implied_breakdown(values: dict[str, float], g_w: float) -> float:
    """The weekly breakdown risk at which the gap equals the observed one (others at ``values``).

    The gap is linear in ``q``: ``G = c̃_W + (1 - δ_W)(F_W + g_W) + q (c_W T_D + δ_W (F_W + g_W))``.
    """
    observed_w, observed_a = (float(model().values[k]) for k in ("offer_W", "offer_A"))
    at0 = sum(_gap_terms({**values, "q": 0.0}, observed_w, g_w))
    at1 = sum(_gap_terms({**values, "q": 1.0}, observed_w, g_w))
    return (observed_w - observed_a - at0) / (at1 - at0)


def two_offers_table() -> str:
    """The alternating-offers game against both offers: why no pair of free parameters fits."""
    m = model()
    values = {k: float(v) for k, v in m.values.items()}
    corner = {**values, **_low_corner()}
    observed_w, observed_a = (values[k] for k in ("offer_W", "offer_A"))
    rows = []
    g_w = 0.0
    for label, at in (("the model's values", values), ("q, rho_W, rho_A at their lowest", corner)):
        a, w = _proposals(**{k: at[k] for k in ("q", "rho_W", "rho_A")})
        f_a, f_w = a.agreement["F"], w.agreement["F"]
        g_w = w.payoffs["W"] - f_w
        parts = _gap_terms(at, f_w, g_w)
        rows.append(
            [label, _n(at["q"]), _n(f_a), _n(f_w), _n(f_w - f_a), *map(_n, parts), _n(sum(parts))]
        )
    q_star = _implied_breakdown(values, g_w)
    parts = _gap_terms({**values, "q": q_star}, observed_w, g_w)
    rows.append(
        [
            "the offers (article 000)",
            _n(q_star),
            _n(observed_a),
            _n(observed_w),
            _n(observed_w - observed_a),
            *map(_n, parts),
            _n(sum(parts)),
        ]
    )
    q_range = m.parameter("q").range
    floor = sum(_gap_terms({**values, "q": float(q_range[0])}, observed_w, g_w)[:2])
    patience = []
    for name in PATIENCE:
        lo, hi = (float(x) for x in m.parameter(name).range)
        ends = [_proposals(**{name: x})[0].agreement["F"] for x in (lo, hi)]
        patience.append(
            f"`{name}` from {_n(lo)} to {_n(hi)} moves the AMPTP's proposal from "
            f"{_n(ends[0])} to {_n(ends[1])}"
        )
    verdict = (
        "no pair of free parameters fits while `q` stays in its range"
        if q_star < float(q_range[0])
        else "a pair with `q` free may fit (its value above)"
    )
    return (
        "The alternating-offers game gives each side's proposal as first proposer; the "
        "articles give each side's offer, so two observations could identify two parameters "
        '(`--match "rubinstein[proposer=A]:F=130" --match "rubinstein[proposer=W]:F=151"`). '
        "The gap between the two proposals is fixed by the writers' indifference condition "
        "(the WGA must be indifferent between the AMPTP's proposal and rejecting it): one "
        "round of strike, plus the weekly breakdown risk times the strike to June 30, plus "
        "the discounting and breakdown risk on what the writers get. $M over the contract; "
        "the last column is the sum of the three parts, which equals the gap (a test checks "
        "it). The producers' loss `m_A` and patience `rho_A` do not enter it: given the WGA's "
        "$151M they move only the AMPTP's proposal.\n\n"
        + markdown_table(
            [
                "",
                "q (per week)",
                "F, AMPTP proposes",
                "F, WGA proposes",
                "gap",
                "one week of strike",
                "q × strike to June 30",
                "discounting and breakdown on F_W + g_W",
                "sum of the parts",
            ],
            rows,
        )
        + f"\nThe observed gap of {_n(observed_w - observed_a)} is below the gap's floor at the "
        f"lowest breakdown risk in the model's range ({_n(float(q_range[0]))} a week): "
        f"{_n(floor)} from the first two parts alone, whatever `m_A`, `rho_A` and `rho_W` (the "
        "writers' pay and the weeks to June 30 are sourced). The offers "
        f"would need a breakdown risk of {_n(q_star)} a week (one breakdown in "
        f"{_n(1 / q_star)} weeks) with the writers' patience at its value: {verdict}. "
        "Patience alone does not reach the AMPTP's offer either: " + "; ".join(patience) + ".\n"
    )


@functools.cache
def _uncertain() -> UncertainBrief:
    return uncertain_brief(model(), UNCERTAIN_DRAWS, seed=UNCERTAIN_SEED)


def uncertainty_table() -> str:
    """The headline numbers' medians and 5–95% intervals under the documented distributions."""
    u = _uncertain()
    values = {r.label: r.solution for r in _brief().rows}
    report = _brief().credibility
    at_values = {
        **{label: s.agreement["F"] for label, s in values.items() if s is not None},
    }
    if report is not None:
        strikes = (report.before.mean_strike, report.after.mean_strike)
        at_values.update(
            zip(
                [r.label for r in u.promise],
                (report.cost["total"], *strikes),
                strict=True,
            )
        )

    def row(label: str, r: Interval) -> list[str]:
        # A number below the rounding of the row's largest is a float's noise around 0 (a
        # transfer 1e-14 above its floor 0 next to 688 $M): it reads 0, as in the brief.
        spread = ("not solved", "", "") if r.median is None else (r.median, r.q05, r.q95)
        base = at_values.get(r.label, "")
        size = max((abs(float(x)) for x in (base, *spread) if not isinstance(x, str)), default=0)

        def shown(x: float | str) -> str:
            return x if isinstance(x, str) else sig(float(x), DIGITS, zero=ROUNDING * size)

        return [label, shown(base), *(shown(x) for x in spread), str(r.failed)]

    rows = [row(f"F, {r.label}", r) for r in u.terms] + [row(r.label, r) for r in u.promise]
    m = model()
    laws = [
        f"`{p.name}` triangular on [{_n(float(p.range[0]))}, {_n(float(p.range[1]))}], mode "
        f"{_n(float(m.values[p.name]))}"
        for p in m.parameters
        if p.distribution is not None
    ]
    return (
        f"The headline numbers over {u.n} scrambled Sobol draws (seed {u.seed}) of the "
        f"{len(laws)} assumptions that carry a distribution in `models/wga2007.toml` ("
        + "; ".join(laws)
        + "); the sourced parameters stay at their values. $M over the contract; strike "
        "lengths in weeks, every path counted; the broken promise under the Nash solution. "
        f"With {u.n} draws each tail quantile rests on the few most extreme draws on its side: "
        "read the intervals as the spread, not to the last digit.\n\n"
        + markdown_table(
            ["", "at the model's values", "median", "5%", "95%", "draws without an answer"], rows
        )
        + _refusals_text(u)
    )


def _refusals_text(u: UncertainBrief) -> str:
    """Why some draws have no answer: each row's refusals and their counts."""
    # A reason ends with the value at the first draw (", got -35.19…"): its last digits are
    # the solver's, so the generated file leaves the value out.
    found = [
        f"{label}: "
        + "; ".join(
            f"{count} × {re.sub(r', got [^,;]*$', '', reason)}" for reason, count in reasons.items()
        )
        for label, reasons in u.refusals.items()
        if reasons
    ]
    if not found:
        return ""
    return (
        "\nDraws without an answer (`infeasible`: the solver refuses the model at that draw; "
        "for the broken promise, the reason the report gives):\n\n"
        + "\n".join(f"- {line}" for line in found)
        + "\n"
    )


def uncertainty_figure() -> bytes:
    """The intervals of the flat rate per concept, with the two offers."""
    u = _uncertain()
    m = model()

    def make() -> Any:  # a matplotlib Figure (imported where it is drawn)
        fig = u.figure()
        ax = fig.axes[0]
        for label, key in OFFERS.items():
            ax.axvline(float(m.values[key]), linestyle="--", linewidth=0.8, color="grey")
            ax.annotate(label, (float(m.values[key]), 0), rotation=90, fontsize=7, va="bottom")
        return fig

    return render_svg(make)


def verdict(held: int, n: int) -> str:
    """Whether a conclusion that holds in ``held`` of ``n`` draws survives the uncertainty.

    It *survives* if it fails in at most ``floor((n - 1) * 0.05)`` draws: then numpy's
    (linearly interpolated) 5% quantile of a number it bounds lies on its side, so the claim
    never contradicts that number's 5–95% interval; it *is reversed* if it holds in at most
    that many; otherwise it *does not survive* (the uncertainty leaves it open).

    Examples
    --------
    >>> verdict(31, 32), verdict(30, 32), verdict(1, 32), verdict(16, 32)
    ('survives', 'does not survive', 'is reversed', 'does not survive')
    """
    allowed = int(np.floor((n - 1) * TAIL_LEVEL))
    if n and n - held <= allowed:
        return "survives"
    if n and held <= allowed:
        return "is reversed"
    return "does not survive"


def conclusions() -> list[tuple[str, tuple[str, ...], Callable[..., bool]]]:
    """The case page's conclusions: each a claim, the sample columns it reads and its test on
    those columns' values at one draw."""
    low, high = (float(model().values[k]) for k in ("offer_A", "offer_W"))
    nash_, powers, rub_w, rub_a, ks = (
        "Nash (equal powers)",
        LIMIT_LABEL,
        "Rubinstein, W proposes first",
        "Rubinstein, A proposes first",
        "Kalai–Smorodinsky",
    )
    cost, before, after = PROMISE_COLUMNS
    return [
        (f"the Nash flat rate is above the AMPTP's ${_n(low)}M", (nash_,), lambda f: f > low),
        (f"the Nash flat rate is above the WGA's ${_n(high)}M", (nash_,), lambda f: f > high),
        (
            "the limit of the alternating-offers game (BRW) lies between its two Rubinstein rows",
            (powers, rub_w, rub_a),
            lambda g, w, a: min(w, a) <= g <= max(w, a),
        ),
        (
            "who proposes first in the alternating-offers game matters by at least $10M",
            (rub_w, rub_a),
            lambda w, a: w - a >= 10,
        ),
        ("Kalai–Smorodinsky gives the writers more than Nash", (ks, nash_), lambda k, n: k > n),
        ("the broken promise costs more than $100M", (cost,), lambda c: c > 100),
        (
            "the broken promise makes the strike longer",
            (before, after),
            lambda b, a: a > b,
        ),
    ]


def survival_text() -> str:
    """Which conclusions of the case page survive the uncertainty, counted on the draws."""
    u = _uncertain()
    lines = []
    groups: dict[str, list[str]] = {"survives": [], "does not survive": [], "is reversed": []}
    for claim, columns, test in conclusions():
        rows = u.samples[list(columns)].dropna()
        held = sum(bool(test(*row)) for row in rows.itertuples(index=False))
        n = len(rows)
        groups[verdict(held, n)].append(claim)
        lines.append(
            f"- *{claim[0].upper()}{claim[1:]}*: **{verdict(held, n)}** (it holds in {held} of "
            f"{n} draws)."
        )
    allowed = int(np.floor((u.n - 1) * TAIL_LEVEL))

    def listed(claims: list[str]) -> str:
        return "; ".join(claims) if claims else "none"

    plain = (
        "**In plain words.** Under the assumptions' documented uncertainty these conclusions "
        f"survive: {listed(groups['survives'])}. These do not — the uncertainty leaves them "
        f"open: {listed(groups['does not survive'])}. Reversed: "
        f"{listed(groups['is reversed'])}.\n\n"
    )
    return (
        plain
        + f"Each conclusion of this page, tested on each of the {u.n} draws of the uncertainty "
        "table (a draw where a concept it needs has no answer is left out): it survives if it "
        f"fails in at most {allowed} draw(s) — only beyond the 5–95% interval — is reversed if "
        "it holds in at most as many, and otherwise does not survive: the assumptions' "
        "uncertainty leaves it open.\n\n" + "\n".join(lines) + "\n"
    )


ARTEFACTS.update(
    {
        "tables/wga2007-implied.md": (
            "WGA 2007: the producers' weekly loss implied by each offer, and what it does to "
            "every answer",
            implied_table,
        ),
        "tables/wga2007-two-offers.md": (
            "WGA 2007: the alternating-offers game against both offers, and why no pair of free "
            "parameters fits",
            two_offers_table,
        ),
        "tables/wga2007-uncertainty.md": (
            "WGA 2007: medians and 5–95% intervals of the headline numbers under the documented "
            "distributions",
            uncertainty_table,
        ),
        "tables/wga2007-survives.md": (
            "WGA 2007: which conclusions survive the uncertainty, counted on the draws",
            survival_text,
        ),
        "figures/wga2007-uncertainty.svg": (
            "WGA 2007: the flat rate's 5–95% interval under each concept, with the two offers",
            uncertainty_figure,
        ),
    }
)
