"""Plots draw the numbers of the sweep they are given."""

from __future__ import annotations

import numpy as np
import pytest

import bargain
from bargain.reporting import plot


def test_heatmap_of_a_grid_is_the_grid(split):
    df = bargain.sweep(split, "rubinstein", {"delta_W": (0.5, 0.9, 5), "delta_A": (0.5, 0.9, 4)})
    fig = plot.heatmap(df, "delta_W", "delta_A", "x")
    image = fig.axes[0].collections[0].get_array().reshape(4, 5)
    np.testing.assert_array_equal(image, df["x"].to_numpy().reshape(5, 4).T)


def test_heatmap_of_a_sample_is_a_scatter(split):
    df = bargain.sweep(split, "nash", {"V": (1, 2), "d_W": (0, 0.3)}, design="random", n=30, seed=1)
    fig = plot.heatmap(df, "V", "d_W", "x")
    np.testing.assert_array_equal(fig.axes[0].collections[0].get_array(), df["x"])


def test_tornado_bars_span_low_to_high(split):
    t = bargain.tornado(split, "rubinstein", {"delta_W": (0.5, 0.9), "V": (1, 2)})
    bars = plot.tornado_chart(t).axes[0].patches
    lows, highs = bars[: len(t)], bars[len(t) :]
    for bar, value in zip(lows, t["low"], strict=True):
        assert bar.get_x() + bar.get_width() == pytest.approx(value)
    for bar, value in zip(highs, t["high"], strict=True):
        assert bar.get_x() + bar.get_width() == pytest.approx(value)


def test_unknown_column_names_the_columns(split):
    df = bargain.sweep(split, "nash", {"V": (1, 2, 3)})
    with pytest.raises(bargain.ModelError, match="the columns are V, x, payoff_W"):
        plot.line(df, "V", "y")


def test_the_tornados_title_says_where_the_other_parameters_are(split):
    # bargain.tornado holds the others at the centre of their ranges; a frame built at the
    # model's values (the WGA case's) says so instead.
    t = bargain.tornado(split, "rubinstein", {"delta_W": (0.5, 0.9), "V": (1, 2)})
    title = plot.tornado_chart(t).axes[0].get_title()
    assert title == "tornado: rubinstein (others at the centre of their ranges)"
    t.attrs["others"] = "at the model's values"
    title = plot.tornado_chart(t).axes[0].get_title()
    assert title == "tornado: rubinstein (others at the model's values)"
