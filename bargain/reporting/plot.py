"""Plots of sweeps: a line, a heatmap, a tornado chart, Sobol indices.

Each function returns a matplotlib ``Figure`` built without pyplot (so no
GUI backend and no global state are involved); :func:`save` writes it with
the Agg renderer (PNG, or any format matplotlib knows from the suffix).

Examples
--------
>>> import bargain, tempfile, pathlib
>>> m = bargain.load_model(bargain.models_dir() / "split.toml")
>>> df = bargain.sweep(m, "rubinstein", {"delta_W": (0.5, 0.95, 10)})
>>> fig = line(df, "delta_W", "x")
>>> fig.axes[0].get_xlabel(), len(fig.axes[0].lines[0].get_xdata())
('delta_W', 10)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "line.png"
>>> save(fig, path)
>>> path.read_bytes()[:4] == b"\\x89PNG"
True
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bargain.errors import ModelError


def _figure() -> Figure:
    fig = Figure(figsize=(6.4, 4.4), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _title(df: pd.DataFrame) -> str:
    model, method = df.attrs.get("model"), df.attrs.get("method")
    return f"{method} solution of {model}" if model and method else ""


def _column(df: pd.DataFrame, name: str) -> pd.Series:
    if name not in df.columns:
        raise ModelError(
            f"no column {name!r}; the columns are {', '.join(map(str, df.columns))}",
            table="plot",
            key=name,
        )
    return df[name]


def line(df: pd.DataFrame, x: str, y: str) -> Figure:
    """``y`` against the one varied parameter ``x`` (points that are not ``ok`` leave gaps)."""
    data = df.sort_values(x)
    fig = _figure()
    ax = fig.add_subplot()
    ax.plot(_column(data, x), _column(data, y), marker="." if len(data) <= 50 else None)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(_title(df))
    ax.grid(True, alpha=0.3)
    return fig


def heatmap(df: pd.DataFrame, x: str, y: str, z: str) -> Figure:
    """``z`` over two varied parameters: an image for a grid, coloured points otherwise."""
    fig = _figure()
    ax = fig.add_subplot()
    xs, ys = np.unique(_column(df, x)), np.unique(_column(df, y))
    if len(xs) * len(ys) == len(df):
        table = df.pivot_table(index=y, columns=x, values=_column(df, z).name, dropna=False)
        image = ax.pcolormesh(table.columns, table.index, table.to_numpy(), shading="nearest")
    else:
        image = ax.scatter(df[x], df[y], c=df[z], s=8)
    fig.colorbar(image, ax=ax, label=z)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    ax.set_title(_title(df))
    return fig


def tornado_chart(t: pd.DataFrame) -> Figure:
    """Bars from the base value to the output at each parameter's low and high end
    (a frame from :func:`bargain.tornado`), largest swing on top.

    The title says where the other parameters are: ``t.attrs["others"]`` (e.g. "at the
    model's values"), by default "at the centre of their ranges", as
    :func:`bargain.tornado` puts them."""
    fig = _figure()
    ax = fig.add_subplot()
    tornado_axes(ax, t)
    others = t.attrs.get("others", "at the centre of their ranges")
    ax.set_title(f"tornado: {t.attrs.get('method', '')} (others {others})")
    ax.legend(loc="best")
    return fig


def tornado_axes(ax: Axes, t: pd.DataFrame) -> None:
    """Draw the tornado of ``t`` (columns ``low``, ``high``, ``base``; one row per
    parameter, largest swing first) on ``ax``: bars from the base value to the output at
    each end, the base as a line, the output (``t.attrs["output"]``) on the x axis."""
    base = float(t["base"].iloc[0])
    rows = np.arange(len(t))[::-1]
    ax.barh(rows, t["low"] - base, left=base, color="tab:blue", label="at low end")
    ax.barh(rows, t["high"] - base, left=base, color="tab:orange", label="at high end")
    ax.axvline(base, color="black", linewidth=0.8)
    ax.set_yticks(rows, list(t.index))
    ax.set_xlabel(t.attrs.get("output", "output"))


def sobol_chart(s: pd.DataFrame) -> Figure:
    """First-order and total Sobol indices with their confidence intervals (a frame from
    :func:`bargain.sensitivity` with ``analysis="sobol"``)."""
    fig = _figure()
    ax = fig.add_subplot()
    pos = np.arange(len(s))
    ax.bar(pos - 0.2, s["S1"], 0.4, yerr=s["S1_conf"], label="first order S1", capsize=3)
    ax.bar(pos + 0.2, s["ST"], 0.4, yerr=s["ST_conf"], label="total ST", capsize=3)
    ax.set_xticks(pos, list(s.index))
    ax.set_ylabel("Sobol index")
    ax.set_title(f"Sobol indices of {s.attrs.get('output', 'the output')}")
    ax.legend(loc="best")
    return fig


def save(fig: Figure, path: str | os.PathLike[str]) -> None:
    """Write a figure; the format follows the suffix (``.png``, ``.pdf``, ``.svg``, …)."""
    fig.savefig(path, dpi=120)


def intervals(
    rows: Sequence[tuple[str, float | None, float | None, float | None]], xlabel: str, title: str
) -> Figure:
    """One horizontal bar per row from its 5% to its 95% quantile, with the median marked
    (rows ``(label, q05, median, q95)``, drawn top to bottom; :meth:`UncertainBrief.figure
    <bargain.reporting.brief.UncertainBrief.figure>`)."""
    fig = _figure()
    ax = fig.add_subplot()
    pos = np.arange(len(rows))[::-1]
    for y, (_, lo, mid, hi) in zip(pos, rows, strict=True):
        ax.plot([lo, hi], [y, y], color="tab:blue", linewidth=3, solid_capstyle="butt")
        ax.plot([mid], [y], marker="o", color="black")
    ax.set_yticks(pos, [r[0] for r in rows])
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=9)
    ax.grid(True, axis="x", alpha=0.3)
    return fig


__all__ = ["heatmap", "intervals", "line", "save", "sobol_chart", "tornado_chart"]
