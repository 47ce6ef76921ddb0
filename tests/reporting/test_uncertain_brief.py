"""The brief under uncertainty: the same draws for every concept, each interval the one
bargain.uncertainty gives alone, the broken promise per draw as bargain.credibility gives it,
coverage against a plain Monte Carlo loop of the scalar solver, and the command line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import bargain
from bargain.cli import main
from bargain.reporting.brief import PROMISE_COLUMNS, concepts, interval, uncertain_brief
from tests.conftest import shipped


def with_distributions(name: str, **distributions: dict[str, object]) -> bargain.Model:
    data = bargain.model_to_dict(shipped(name))
    for parameter, distribution in distributions.items():
        data["parameters"][parameter]["distribution"] = distribution
    return bargain.model_from_dict(data)


SPLIT = with_distributions(
    "split",
    V={"kind": "triangular", "c": 0.5, "loc": 0.5, "scale": 1.5},
    delta_W={"kind": "beta", "a": 9, "b": 1, "scale": 0.99},
)
DEAL = with_distributions(
    "package_deal",
    s_A={"kind": "uniform", "loc": 0.005, "scale": 0.02},
    p={"kind": "triangular", "c": 0.5, "loc": 0.6, "scale": 0.4},
)


def test_every_concept_is_solved_at_the_same_draws_as_uncertainty_alone() -> None:
    u = uncertain_brief(SPLIT, 32, seed=4)
    assert u.n == 32 and u.seed == 4 and len(u.samples) == 32
    for entry, row in zip(concepts(SPLIT), u.terms, strict=True):
        alone = bargain.uncertainty(SPLIT, entry.method, n=32, seed=4, **entry.settings(SPLIT))
        assert np.array_equal(alone.samples["V"], u.samples["V"])
        assert np.array_equal(alone.samples["x"], u.samples[entry.label])
        s = alone.summary["x"]
        assert (row.median, row.q05, row.q95) == (s["median"], s["q05"], s["q95"])
    assert u.promise == ()  # split has no promise
    again = uncertain_brief(SPLIT, 32, seed=4)
    assert again.terms == u.terms
    assert uncertain_brief(SPLIT, 32, seed=5).terms != u.terms


def test_the_broken_promise_at_each_draw_is_the_credibility_report_there() -> None:
    u = uncertain_brief(DEAL, 4, seed=2)
    assert [r.label for r in u.promise] == [
        "cost of the broken promise",
        "mean strike before (weeks)",
        "mean strike after (weeks)",
    ]
    for _, row in u.samples.iterrows():
        point = DEAL.with_values(s_A=float(row["s_A"]), p=float(row["p"]))
        report = bargain.credibility(point)
        cost, before, after = (row[k] for k in PROMISE_COLUMNS)
        assert cost == pytest.approx(report.cost["total"], rel=1e-9)
        assert (before, after) == pytest.approx(
            (report.before.expected_strike, report.after.expected_strike), rel=1e-9
        )
    low, mid, high = u.promise[0].q05, u.promise[0].median, u.promise[0].q95
    assert low <= mid <= high


def test_interval_covers_ninety_per_cent_of_a_plain_monte_carlo_loop() -> None:
    """The alternating-offers game with A proposing, split (Rubinstein 1982: x = δ_W (1 - δ_A)
    / (1 - δ_W δ_A) V): 200 independent draws (scipy's rvs) solved one by one fall inside
    the brief's 5-95% interval about 90% of the time (binomial 3-sigma band)."""
    u = uncertain_brief(SPLIT, 256, seed=3)
    row = next(r for r in u.terms if r.label == "Rubinstein, A proposes first")
    rng = np.random.default_rng(11)
    draws = {
        p.name: p.distribution.frozen().rvs(200, random_state=rng)
        for p in SPLIT.parameters
        if p.distribution is not None
    }
    x = np.array(
        [
            bargain.rubinstein(
                SPLIT.with_values({k: float(v[i]) for k, v in draws.items()}),
                proposer="A",
                exact=False,
            ).agreement["x"]
            for i in range(200)
        ]
    )
    inside = np.mean((row.q05 <= x) & (x <= row.q95))
    assert abs(inside - 0.9) <= 3 * np.sqrt(0.09 / 200)
    assert abs(np.median(x) - row.median) <= 0.05 * row.median


def test_interval_of_a_list() -> None:
    assert interval("x", [], 3).refused == "no draw has an answer"
    r = interval("x", [2.0, 0.0, 1.0], 1)
    assert (r.q05, r.median, r.q95, r.failed) == (0.1, 1.0, 1.9, 1)


def test_the_figure_draws_one_interval_per_concept() -> None:
    u = uncertain_brief(SPLIT, 16, seed=1)
    ax = u.figure().axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [r.label for r in u.terms]
    bars = [line for line in ax.lines if len(line.get_xdata()) == 2]
    assert sorted(tuple(line.get_xdata()) for line in bars) == sorted(
        (r.q05, r.q95) for r in u.terms
    )


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "u.toml"
    path.write_text(bargain.dumps_model(SPLIT))
    figure = tmp_path / "u.svg"
    assert (
        main(["brief", str(path), "--uncertainty", "16", "--seed", "1", "--plot", str(figure)]) == 0
    )
    out = capsys.readouterr().out
    u = uncertain_brief(SPLIT, 16, seed=1)
    assert (
        out.splitlines()[0]
        == f"{SPLIT.title or SPLIT.name}: under uncertainty, 16 sobol draws (seed 1)"
    )
    assert u.to_text() in out
    assert figure.read_bytes().lstrip().startswith(b"<?xml")
    assert main(["brief", "split", "--uncertainty", "4"]) == 1
    assert "no parameter declares a distribution" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["brief", "split", "--uncertainty", "0"])
