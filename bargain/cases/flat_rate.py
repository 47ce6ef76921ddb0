"""The flat-rate-or-percentage calibration's table and figure for ``docs/``.

A provider of :mod:`bargain.reporting.docbuild` (``bargain docs`` writes these files,
``bargain docs --check`` fails when they are stale), for the how-to in
``docs/contract.md``. Everything is computed with :mod:`bargain.contracts.flat_rate` from
the calibration below, defined here once; numbers are rounded to four
significant figures, so the bytes do not depend on the last bits of a
computation.

- ``tables/flat-rate-vs-percentage.md`` — at the pre-strike 1.2% and the WGA's
  2.5%, under the narrow and the broad framing: what the percentage is worth to
  the writers and costs the studios, the surplus a flat rate creates and its two
  parts, the Nash flat rate, and the shares the Nash flat rate is worth.
- ``figures/flat-rate-region.svg`` — the surplus of a flat rate over the
  percentage, over the haircut gap and the writers' relative risk aversion
  (narrow framing, 1.2%), with the boundary where it changes sign.

**The calibration.** Only what was known while the strike was on
(November 2007 – February 2008) is used. The expected new-media revenue over
the contract (2008–2010) is the LA Times forecast of Nov 19, 2007 (the same
source as the flagship model's ``E_W``): online movies about $20M in 2006 and
downloads $1.8B by 2011 (est.), joined by constant growth. That this forecast
stands for the revenue the percentage applies to is an assumption: it is the
only in-strike forecast of the market in the sources. The coefficient of
variation, the haircuts and the risk aversion are assumptions too (see
``docs/contract.md`` for the reasons).

Examples
--------
>>> round(REVENUE_MEAN, 1), round(GROWTH, 3)
(1150.4, 2.46)
>>> deal = flat_vs_percentage(0.012, **FRAMINGS["narrow"])
>>> round(deal.nash_flat_rate, 2)
10.08
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from bargain.contracts.flat_rate import (
    FlatOrPercentage,
    flat_rate_region,
    flat_vs_percentage,
    lognormal_revenue,
)
from bargain.reporting.docbuild import markdown_table, render_svg, sig

DIGITS = 4
"""Significant figures of every number in the table."""

# -- the calibration (sourced) ----------------------------------------------------------------

LA_TIMES = (
    "https://www.latimes.com/archives/blogs/show-tracker/story/2007-11-19/"
    "digital-media-wont-be-a-sideshow-in-the-future"
)
ONLINE_MOVIES_2006 = 20.0
"""$M: online movie revenue in 2006, "only about $20 million" (LA Times, Nov 19 2007)."""
DOWNLOADS_2011 = 1800.0
"""$M: downloads by 2011, $1.8B (est.) (LA Times, Nov 19 2007)."""
GROWTH = (DOWNLOADS_2011 / ONLINE_MOVIES_2006) ** (1 / (2011 - 2006))
"""Derived: the constant yearly growth factor joining the two, ``90^(1/5)``."""
CONTRACT_YEARS = (2008, 2009, 2010)
"""The three years of the contract."""
REVENUE_MEAN = sum(ONLINE_MOVIES_2006 * GROWTH ** (year - 2006) for year in CONTRACT_YEARS)
"""Derived: expected new-media revenue over the contract, $M (about 121 + 298 + 732)."""

SHARES = {"pre-strike 1.2%": 0.012, "WGA demand 2.5%": 0.025}
"""The two percentages: the pre-strike streaming rate 1.2%
(https://digitalmedialaw.blogspot.com/2007/11/reflections-on-residuals-go-forth-and.html)
and the WGA's opening demand of 2.5% of all new-media revenue
(https://www.wgaeast.org/2007/10/the-guild-responds-to-the-companies-proposals/)."""

WGAW_PAY = 1051.32
"""$M per year: WGAW initial compensation, 2006, $1,051,320,000
(https://www.comingsoon.net/movies/news/522580-amptp_estimates_money_and_someone_finally_catches_up_with_me)."""
WGAW_RESIDUALS = 260.0
"""$M per year: WGAW residuals, 2006, more than $260M
(https://www.rbr.com/amptp-states-its-case-in-full-page-ads/)."""

# -- the calibration (assumptions) -------------------------------------------------------------

REVENUE_CV = 0.5
"""Assumption: coefficient of variation of the revenue (a forecast of a new market that is
to grow 90-fold in five years)."""
HAIRCUT_WRITERS = 0.3
"""Assumption: the writers expect 70% of revenue to be reported ("a percentage of a
percentage of funny accounting": Nikki Finke's LA Weekly column on the talks of Dec 4,
2007)."""
HAIRCUT_STUDIOS = 0.1
"""Assumption: the studios' accounting reports 90% of revenue."""
GAMMA = 2.0
"""Assumption: the writers' relative risk aversion (CRRA)."""
GUILD_INCOME = len(CONTRACT_YEARS) * (WGAW_PAY + WGAW_RESIDUALS)
"""Derived: the guild's income over the contract, $M (the broad framing's wealth)."""
CARA = GAMMA / GUILD_INCOME
"""Derived: the broad framing's absolute risk aversion ``γ / W``, per $M."""

FRAMINGS: dict[str, dict[str, Any]] = {
    "narrow": {
        "revenue": lognormal_revenue(REVENUE_MEAN, REVENUE_CV * REVENUE_MEAN),
        "haircut_writers": HAIRCUT_WRITERS,
        "haircut_studios": HAIRCUT_STUDIOS,
        "utility": "crra",
        "distribution": "lognormal",
        "risk_aversion": GAMMA,
    },
    "broad": {
        "revenue": {"mean": REVENUE_MEAN, "sd": REVENUE_CV * REVENUE_MEAN},
        "haircut_writers": HAIRCUT_WRITERS,
        "haircut_studios": HAIRCUT_STUDIOS,
        "utility": "cara",
        "distribution": "normal",
        "risk_aversion": CARA,
    },
}
"""Keyword arguments of :func:`bargain.contracts.flat_rate.flat_vs_percentage` (all but the share):
**narrow** — CRRA ``γ`` over the residual alone, lognormal revenue; **broad** — CARA
``a = γ / W`` over the guild's income ``W``, normal revenue; same mean and sd."""

FRAMING_LABELS = {
    "narrow": f"narrow (CRRA γ = {GAMMA:g}, lognormal)",
    "broad": "broad (CARA a = γ/W, normal)",
}


# -- the rows ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One row of the table: a framing, a share and what :func:`flat_vs_percentage` says.

    Attributes
    ----------
    framing
        ``"narrow"`` or ``"broad"`` (a key of :data:`FRAMINGS`).
    label, share
        A key of :data:`SHARES` and its value, a fraction.
    deal
        The comparison of the percentage with a flat rate.
    writers_share, studios_share
        The shares (fractions) the Nash flat rate is worth to the writers and
        costs the studios; ``writers_share`` is ``None`` if no share is worth it.
    """

    framing: str
    label: str
    share: float
    deal: FlatOrPercentage
    writers_share: float | None
    studios_share: float


@functools.cache
def cases() -> tuple[Case, ...]:
    """Every (framing, share) of the table, narrow first, each share in :data:`SHARES` order.

    Returns
    -------
    tuple of Case
        With the deal and the shares its Nash flat rate is worth to the writers
        and costs the studios (as fractions, not per cent).
    """
    out = []
    for framing, kwargs in FRAMINGS.items():
        for label, share in SHARES.items():
            deal = flat_vs_percentage(share, **kwargs)
            if deal.nash_flat_rate is None:  # pragma: no cover - the calibration has an interval
                raise AssertionError(f"{framing} {label}: no flat rate is better for both")
            shares = deal.equivalent_percentage(deal.nash_flat_rate)
            out.append(Case(framing, label, share, deal, shares.writers, shares.studios))
    return tuple(out)


HEADER = [
    "framing",
    "share",
    "writers' flat-rate equivalent CE_W",
    "studios' expected cost C_A",
    "haircut value",
    "risk premium",
    "surplus C_A − CE_W",
    "Nash flat rate",
    "Nash flat rate (writers' vNM utility)",
    "Nash flat rate as a share, to writers (%)",
    "Nash flat rate as a share, to studios (%)",
]
"""The table's columns."""


def _n(x: float | None) -> str:
    return "—" if x is None else sig(x, DIGITS)


def table_rows() -> list[list[str]]:
    """The table's rows, as the strings printed (see :data:`HEADER`)."""
    rows = []
    for case in cases():
        d = case.deal
        rows.append(
            [
                FRAMING_LABELS[case.framing],
                case.label,
                _n(d.writers_flat_rate),
                _n(d.studios_flat_rate),
                _n(d.haircut_value),
                _n(d.risk_premium),
                _n(d.surplus),
                _n(d.nash_flat_rate),
                _n(d.nash_flat_rate_vnm),
                _n(None if case.writers_share is None else 100 * case.writers_share),
                _n(100 * case.studios_share),
            ]
        )
    return rows


def flat_rate_table() -> str:
    """The table ``tables/flat-rate-vs-percentage.md``: a caption, then the rows.

    Returns
    -------
    str
        Markdown, without the generated-file notice (:func:`bargain.reporting.docbuild.build`
        adds it).
    """
    caption = (
        "Each row is a percentage of reported new-media revenue — the pre-strike 1.2% or the "
        "WGA's demand of 2.5% — under one framing of the writers' risk aversion: what the "
        "percentage is worth to the writers as a sure payment (CE_W) and costs the studios in "
        "expectation (C_A); the surplus a flat rate creates, C_A − CE_W, as the value of the "
        "haircut gap plus the writers' risk premium; the equal-power Nash flat rate, also with "
        "the writers' von Neumann–Morgenstern utility in the Nash product; and the shares the "
        "Nash flat rate is worth to the writers and costs the studios. Calibration: expected "
        f"revenue {sig(REVENUE_MEAN, DIGITS + 1)} over 2008–2010 (the LA Times forecast of Nov "
        f"19, 2007, about $20M in 2006 and $1.8B by 2011, joined by growth ×{GROWTH:.2f} a "
        f"year), coefficient of variation {REVENUE_CV:g}; haircuts h_W = {HAIRCUT_WRITERS:g} "
        f"(writers' expectation), h_A = {HAIRCUT_STUDIOS:g} (studios'); narrow framing CRRA "
        f"γ = {GAMMA:g} over the residual with a lognormal revenue, broad framing CARA "
        f"a = γ/W = {sig(CARA, DIGITS)} per $M with W = {sig(GUILD_INCOME, 6)}, the guild's "
        "income over the contract, and a normal revenue. Money in $M over 2008–2010."
    )
    return caption + "\n\n" + markdown_table(HEADER, table_rows())


# -- the figure --------------------------------------------------------------------------------

FIGURE_SHARE = 0.012
"""The figure's share: the pre-strike rate."""
FIGURE_GAPS = np.linspace(-HAIRCUT_STUDIOS, 0.3, 81)
"""The figure's haircut gaps ``h_W − h_A`` (``h_W`` from 0 to 0.4)."""
FIGURE_GAMMAS = np.linspace(0.0, 4.0, 81)
"""The figure's relative risk aversions ``γ``."""


def region_surplus() -> np.ndarray:
    """The figure's surplus ``C_A − CE_W``, $M: rows are risk aversions, columns gaps.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(FIGURE_GAMMAS), len(FIGURE_GAPS))``; narrow framing at
        :data:`FIGURE_SHARE`.
    """
    narrow = FRAMINGS["narrow"]
    region = flat_rate_region(
        FIGURE_GAPS[None, :],
        FIGURE_GAMMAS[:, None],
        share=FIGURE_SHARE,
        revenue=narrow["revenue"],
        haircut_studios=HAIRCUT_STUDIOS,
        utility="crra",
        distribution="lognormal",
    )
    return region.surplus


def flat_rate_figure() -> bytes:
    """The figure ``figures/flat-rate-region.svg``: the surplus as a filled contour.

    Returns
    -------
    bytes
        SVG, from :func:`bargain.reporting.docbuild.render_svg` (deterministic).
    """
    from matplotlib.colors import TwoSlopeNorm
    from matplotlib.figure import Figure

    surplus = region_surplus()
    low, high = float(np.floor(surplus.min())), float(np.ceil(surplus.max()))
    levels = np.arange(low, high + 0.25, 0.5)

    def make() -> Figure:
        fig = Figure(figsize=(6.4, 4.2))
        ax = fig.add_subplot()
        filled = ax.contourf(
            FIGURE_GAPS,
            FIGURE_GAMMAS,
            surplus,
            levels=levels,
            cmap="RdBu",
            norm=TwoSlopeNorm(vmin=low, vcenter=0.0, vmax=high),
        )
        fig.colorbar(filled, ax=ax, label="surplus of a flat rate, C_A − CE_W ($M, 2008–2010)")
        ax.contour(FIGURE_GAPS, FIGURE_GAMMAS, surplus, levels=[0.0], colors="black")
        ax.annotate(
            "flat rate better for both\n(surplus > 0)",
            xy=(-0.05, 0.6),
            xytext=(-0.02, 1.5),
            arrowprops={"arrowstyle": "->", "linewidth": 0.8},
            ha="left",
            va="center",
            fontsize=9,
        )
        ax.text(
            -0.097,
            0.15,
            "surplus < 0",
            ha="left",
            va="center",
            fontsize=7,
        )
        ax.plot(
            [HAIRCUT_WRITERS - HAIRCUT_STUDIOS],
            [GAMMA],
            marker="o",
            color="black",
            linestyle="none",
            label=f"calibration (h_W − h_A = {HAIRCUT_WRITERS - HAIRCUT_STUDIOS:g}, γ = {GAMMA:g})",
        )
        ax.set_xlabel("haircut gap h_W − h_A (fraction of revenue; h_A = 0.1)")
        ax.set_ylabel("writers' relative risk aversion γ (CRRA, no unit)")
        ax.set_title(
            f"Narrow framing, share {100 * FIGURE_SHARE:g}%: a flat rate against the percentage",
            fontsize=9,
        )
        ax.legend(loc="upper left", fontsize=7)
        return fig

    return render_svg(make)


ARTEFACTS: dict[str, tuple[str, Callable[[], str | bytes]]] = {
    "tables/flat-rate-vs-percentage.md": (
        "Flat rate or percentage: at 1.2% and 2.5%, narrow and broad framing, each side's "
        "equivalent flat rate, the surplus and its parts, the Nash flat rate",
        flat_rate_table,
    ),
    "figures/flat-rate-region.svg": (
        "Flat rate or percentage: the surplus of a flat rate over the haircut gap and the "
        "writers' risk aversion (narrow framing, 1.2%)",
        flat_rate_figure,
    ),
}
"""The artefacts of this module (see :mod:`bargain.reporting.docbuild`)."""

__all__ = [
    "ARTEFACTS",
    "CARA",
    "FRAMINGS",
    "GAMMA",
    "GUILD_INCOME",
    "HAIRCUT_STUDIOS",
    "HAIRCUT_WRITERS",
    "REVENUE_CV",
    "REVENUE_MEAN",
    "SHARES",
    "Case",
    "cases",
    "flat_rate_figure",
    "flat_rate_table",
    "region_surplus",
    "table_rows",
]
