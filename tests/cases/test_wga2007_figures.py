"""The case's figures read as a reader sees them: labels inside the figure, the two offers
told apart, the tornado's title true to its baseline (issue 15, item 5)."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from bargain.axiomatic.nash import nash
from bargain.cases import wga2007
from bargain.reporting.docbuild import figure_style


def drawn(make):
    """The figure ``make`` builds, drawn under the docs' style, and its renderer."""
    with figure_style():
        fig = make()
        canvas = FigureCanvasAgg(fig)
        canvas.draw()
        return fig, canvas.get_renderer()


def test_the_deadlines_figure_keeps_its_axis_labels_inside():
    fig, renderer = drawn(wga2007.deadlines_plot)
    ax = fig.axes[0]
    frame = fig.bbox
    for label in (ax.xaxis.label, ax.yaxis.label):
        box = label.get_window_extent(renderer)
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, label.get_text()
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, label.get_text()
    assert ax.get_xlabel() == "weeks of strike to the next focal date if talks fail"


def test_the_two_offers_have_their_own_colour_dash_and_legend_entry():
    fig, _ = drawn(wga2007.deadlines_plot)
    ax = fig.axes[0]
    offers = [line for line in ax.get_lines() if "offer" in line.get_label()]
    assert [line.get_label() for line in offers] == [
        "AMPTP offer, $130M",
        "WGA counteroffer, $151M",
    ]
    assert [line.get_ydata()[0] for line in offers] == [130.0, 151.0]
    colours = {line.get_color() for line in offers}
    dashes = {line.get_linestyle() for line in offers}
    assert len(colours) == 2 and len(dashes) == 2
    assert ax.get_lines()[0].get_color() not in colours  # the Nash line differs from both
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Nash flat rate F", "AMPTP offer, $130M", "WGA counteroffer, $151M"]


def test_the_tornados_title_names_its_baseline_the_models_values():
    fig, _ = drawn(wga2007.tornado_plot)
    ax = fig.axes[0]
    assert ax.get_title() == "tornado: nash (others at the model's values)"
    # The bars start at the Nash flat rate at the model's values, not at the centres.
    base = nash(wga2007.model(), exact=False).agreement["F"]
    starts = [bar.get_x() for bar in ax.patches]
    assert starts and starts == pytest.approx([base] * len(starts), rel=1e-9)
