"""Uncertainty: the declared distributions, the interval against a plain Monte Carlo loop,
and every refusal."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import bargain
from bargain.cli import main

SPLIT = bargain.load_model(bargain.models_dir() / "split.toml")


def uncertain_split(**distributions: dict[str, object]) -> bargain.Model:
    data = bargain.model_to_dict(SPLIT)
    for name, distribution in distributions.items():
        data["parameters"][name]["distribution"] = distribution
    return bargain.model_from_dict(data)


MODEL = uncertain_split(
    V={"kind": "triangular", "c": 0.5, "loc": 0.5, "scale": 1.5},
    delta_W={"kind": "beta", "a": 9, "b": 1, "scale": 0.99},
)


def test_interval_covers_ninety_per_cent_of_a_plain_monte_carlo_loop() -> None:
    """The scalar solver at independent draws (scipy's rvs) falls inside the 5-95%
    interval about 90% of the time: 200 draws, binomial 3-sigma band."""
    u = bargain.uncertainty(MODEL, "rubinstein", n=2048, seed=3)
    assert u.failed == 0 and u.route == "closed"
    rng = np.random.default_rng(7)
    draws = {
        p.name: p.distribution.frozen().rvs(200, random_state=rng)
        for p in MODEL.parameters
        if p.distribution is not None
    }
    x = np.array(
        [
            bargain.rubinstein(
                MODEL.with_values({k: float(v[i]) for k, v in draws.items()}), exact=False
            ).agreement["x"]
            for i in range(200)
        ]
    )
    s = u.summary["x"]
    inside = np.mean((s["q05"] <= x) & (x <= s["q95"]))
    assert abs(inside - 0.9) <= 3 * np.sqrt(0.09 / 200)
    assert abs(np.median(x) - s["median"]) <= 0.05 * s["median"]


def test_each_draw_is_the_scalar_solution_at_its_parameters() -> None:
    u = bargain.uncertainty(MODEL, "rubinstein", n=16, seed=1)
    for _, row in u.samples.head(5).iterrows():
        point = MODEL.with_values(V=float(row["V"]), delta_W=float(row["delta_W"]))
        assert row["x"] == pytest.approx(bargain.rubinstein(point).agreement["x"], rel=1e-12)


def test_draws_follow_the_distributions() -> None:
    """Nash on the split: x = V/2 (Muthoo 1999, §2.2); V uniform on [1, 2] gives the
    median 0.75 and the 5% quantile 0.525 exactly, up to the sample."""
    u = bargain.uncertainty(
        uncertain_split(V={"kind": "uniform", "loc": 1, "scale": 1}), n=4096, seed=0
    )
    assert u.summary["x"]["median"] == pytest.approx(0.75, abs=1e-3)
    assert u.summary["x"]["q05"] == pytest.approx(0.525, abs=1e-3)
    assert u.summary["x"]["q95"] == pytest.approx(0.975, abs=1e-3)
    assert u.summary["payoff_A"]["mean"] == pytest.approx(0.75, abs=1e-3)
    again = bargain.uncertainty(
        uncertain_split(V={"kind": "uniform", "loc": 1, "scale": 1}), n=4096, seed=0
    )
    assert again.summary == u.summary
    assert json.loads(u.to_json())["summary"]["x"]["median"] == u.summary["x"]["median"]


def test_a_model_without_distributions_is_refused() -> None:
    with pytest.raises(
        bargain.ModelError, match=r"\[parameters\]: no parameter declares a distribution"
    ):
        bargain.uncertainty(SPLIT, n=8)


def test_a_distribution_reaching_values_the_model_refuses_is_refused() -> None:
    # Named where the box comes from, the parameter's distribution (no --vary was given).
    m = uncertain_split(delta_W={"kind": "normal", "loc": 0.9, "scale": 0.1})
    with pytest.raises(
        bargain.ModelError,
        match=r"\[parameters\] delta_W\.distribution: the swept box reaches values the "
        r"model does not allow .* \(the box between its distribution's 1e-06 and 0\.999999 "
        r"quantiles\)",
    ):
        bargain.uncertainty(m, "rubinstein", n=8)


@pytest.mark.parametrize(
    ("distribution", "message"),
    [
        (
            '{ kind = "gamma" }',
            "[parameters.V.distribution] kind: unknown kind 'gamma'; the kinds are "
            "triangular, uniform, normal, lognormal, beta",
        ),
        (
            '{ kind = "normal", mu = 1 }',
            "[parameters.V.distribution] mu: not an argument of normal (scipy.stats.norm); "
            "its arguments are loc, scale",
        ),
        (
            '{ kind = "triangular", loc = 1 }',
            "[parameters.V.distribution] c: triangular (scipy.stats.triang) needs its shape c",
        ),
        (
            '{ kind = "uniform", loc = 1, scale = -1 }',
            "[parameters.V.distribution] kind: scipy.stats.uniform refuses the arguments "
            "(loc = 1, scale = -1)",
        ),
        ('{ kind = "beta", a = 2, b = "x" }', "[parameters.V.distribution] b: "),
        ('"normal"', "[parameters] V.distribution: must be a table"),
    ],
)
def test_bad_distributions_are_refused_naming_file_table_and_key(
    tmp_path: Path, distribution: str, message: str
) -> None:
    path = tmp_path / "m.toml"
    path.write_text(
        "[model]\nname = 'm'\n[parameters]\n"
        f"V = {{ value = 1.0, distribution = {distribution} }}\n"
        "[variables]\nx = { min = 0, max = 'V' }\n"
        "[parties.W]\npayoff = 'x'\n[parties.A]\npayoff = 'V - x'\n"
    )
    with pytest.raises(bargain.ModelError) as err:
        bargain.load_model(path)
    assert str(err.value).startswith(f"{path}: {message}")


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "u.toml"
    path.write_text(
        bargain.dumps_model(uncertain_split(V={"kind": "uniform", "loc": 1, "scale": 1}))
    )
    assert (
        main(["uncertainty", str(path), "--samples", "64", "--seed", "2", "--format", "json"]) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["samples"] == 64 and data["seed"] == 2 and data["failed"] == 0
    assert 0.5 < data["summary"]["x"]["median"] < 1


def test_a_set_of_rubinstein_agreements_is_not_unique_under_uncertainty() -> None:
    # No discounting, fixed strike costs c_W = c and c_A = max(c, 0.1) per round (Rubinstein
    # 1982, §5): W, proposing first, gets everything (x = 1) where c_W < c_A, and every
    # agreement is an equilibrium where the costs are equal (c >= 0.1). Such draws are
    # not_unique, as in a plain sweep and `bargain solve` ("not unique"), never
    # no_convergence; the uncertain brief counts them so.
    from bargain.reporting.brief import uncertain_brief

    m = bargain.model_from_dict(
        {
            "model": {"name": "u"},
            "parameters": {
                "c": {"value": 0.1, "distribution": {"kind": "uniform", "loc": 0.05, "scale": 0.1}}
            },
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {
                "W": {"payoff": "x", "discount_factor": 1, "strike_payoff": "-c"},
                "A": {"payoff": "1 - x", "discount_factor": 1, "strike_payoff": "-max(c, 0.1)"},
            },
            "bargaining": {"first_proposer": "W"},
        }
    )
    u = bargain.uncertainty(m, "rubinstein", n=16, seed=3)
    equal = (u.samples["c"] >= 0.1).to_numpy()
    assert 0 < equal.sum() < len(equal)
    assert list(u.samples["status"]) == ["not_unique" if e else "ok" for e in equal]
    assert (u.samples["x"][~equal] == 1.0).all()
    for c in u.samples["c"][equal]:
        assert bargain.rubinstein(m.with_values(c=float(c))).agreement_set is not None
    brief = uncertain_brief(m, 16, seed=3)
    for label in ("Rubinstein, W proposes first", "Rubinstein, A proposes first"):
        assert brief.refusals[label] == {"not_unique": int(equal.sum())}, label
