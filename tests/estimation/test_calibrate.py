"""Calibration: round trips (solve, observe, calibrate back) and every refusal."""

from __future__ import annotations

import json

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import bargain
from bargain.cli import main
from bargain.estimation.calibrate import observation

SPLIT = bargain.load_model(bargain.models_dir() / "split.toml")
RATES = bargain.load_model(bargain.models_dir() / "rates.toml")
CARA = bargain.load_model(bargain.models_dir() / "cara.toml")


@settings(max_examples=8)
@given(d_w=st.integers(0, 400), v=st.integers(500, 2000))
def test_split_nash_inverts_exactly(d_w: int, v: int) -> None:
    """Nash (1950), split: x = (V + d_W - d_A)/2 (Muthoo 1999, §2.2), so d_W = 2x - V + d_A."""
    truth = {"d_W": sympy.Rational(d_w, 1000), "V": sympy.Rational(v, 1000)}
    x = bargain.nash(SPLIT.with_values(truth)).agreement["x"]
    start = SPLIT.with_values(
        V=truth["V"], d_W=sympy.Rational(2, 5) - truth["d_W"]
    )  # a perturbed start
    c = bargain.calibrate(start, free=["d_W"], match=[f"nash:x={x!r}"])
    assert c.exact and c.unique
    assert c.exact_values == {"d_W": truth["d_W"]}
    assert c.jacobian[c.observations[0].label]["d_W"] == pytest.approx(0.5)


@settings(max_examples=8)
@given(
    delta_w=st.floats(0.55, 0.95),
    delta_a=st.floats(0.55, 0.95),
)
def test_split_rubinstein_two_offers_recover_both_discount_factors(
    delta_w: float, delta_a: float
) -> None:
    """Rubinstein (1982): x = (1 - δ_A)/(1 - δ_W δ_A) V when W proposes, δ_W (1 - δ_A)/(...)
    V when A does; the two offers identify both discount factors."""
    truth = SPLIT.with_values(delta_W=delta_w, delta_A=delta_a)
    offers = {p: bargain.rubinstein(truth, proposer=p, exact=False).agreement["x"] for p in "WA"}
    match = [f"rubinstein[proposer={p}]:x={x!r}" for p, x in offers.items()]
    start = SPLIT.with_values(delta_W=0.6, delta_A=0.97)
    c = bargain.calibrate(start, free=["delta_W", "delta_A"], match=match)
    assert c.exact and c.unique and c.rank == 2
    assert c.values["delta_W"] == pytest.approx(delta_w, rel=1e-12)
    assert c.values["delta_A"] == pytest.approx(delta_a, rel=1e-12)


@settings(max_examples=5)
@given(r_w=st.floats(0.02, 0.45))
def test_rates_rubinstein_inverts_its_exponential_form(r_w: float) -> None:
    """Alternating offers with rates (Osborne & Rubinstein 1990, §3.10): δ = exp(-r)."""
    x = bargain.rubinstein(RATES.with_values(r_W=r_w), exact=False).agreement["x"]
    c = bargain.calibrate(RATES.with_values(r_W=0.49), free=["r_W"], match=[f"rubinstein:x={x!r}"])
    assert c.exact and c.unique
    assert c.values["r_W"] == pytest.approx(r_w, rel=1e-10)


@settings(max_examples=4)
@given(a=st.floats(0.6, 3.9))
def test_cara_rubinstein_has_no_closed_form_and_is_recovered_numerically(a: float) -> None:
    x = bargain.rubinstein(CARA.with_values(a=a), exact=False).agreement["x"]
    c = bargain.calibrate(
        CARA.with_values(a=4.0 if a < 2 else 0.5), free=["a"], match=[f"rubinstein:x={x!r}"]
    )
    assert not c.exact and c.unique
    assert c.values["a"] == pytest.approx(a, rel=1e-8)
    assert abs(c.residuals[c.observations[0].label]) <= 1e-9 * x


def test_more_observations_than_parameters_is_a_least_squares_fit() -> None:
    c = bargain.calibrate(SPLIT, free=["d_W"], match=["nash:x=0.6", "nash:payoff_W=0.6"])
    assert c.least_squares and c.unique
    assert c.values["d_W"] == pytest.approx(0.2, rel=1e-10)
    assert any("least-squares fit" in n for n in c.notes)
    c = bargain.calibrate(SPLIT, free=["d_W"], match=["nash:x=0.6", "nash:x=0.7"])
    assert c.residuals["nash:x=0.6"] > 0 > c.residuals["nash:x=0.7"]


def test_a_parameter_that_moves_no_output_is_unidentified() -> None:
    c = bargain.calibrate(SPLIT, free=["d_W", "delta_W"], match=["nash:x=0.6", "nash:payoff_A=0.4"])
    assert c.identified_by["delta_W"] == ()
    assert c.unidentified == ("delta_W",)
    assert c.rank == 1
    assert not c.unique  # every delta_W fits
    assert "NOT identified" in c.to_text()


def test_renderings() -> None:
    c = bargain.calibrate(SPLIT, free=["d_W"], match=["nash:x=0.6"])
    data = json.loads(c.to_json())
    assert data["values"] == {"d_W": 0.2} and data["exact_values"] == {"d_W": "1/5"}
    assert data["identified_by"] == {"d_W": ["nash:x=0.6"]}
    assert "| d_W | 0.2 | [0, 0.4] | `nash:x=0.6` |" in c.to_markdown()
    assert "d_W = 0.2 (= 1/5)" in c.to_text()


def test_observation_parsing() -> None:
    o = observation(" rubinstein [ proposer=A , period=0.5 ] : payoff_W = 1/4 ")
    assert (o.method, o.options, o.output, o.value) == (
        "rubinstein",
        (("proposer", "A"), ("period", 0.5)),
        "payoff_W",
        0.25,
    )


@pytest.mark.parametrize(
    ("free", "match", "message"),
    [
        (
            ["d_W"],
            ["nash:y=0.6"],
            "[calibrate] nash:y=0.6: unknown output 'y'; the outputs are x, payoff_W, payoff_A",
        ),
        (
            ["d_W"],
            ["shapley:x=0.6"],
            "[calibrate] shapley:x=0.6: unknown solution concept 'shapley'; the concepts are",
        ),
        (["q"], ["nash:x=0.6"], "[parameters] q: unknown parameter 'q'; the parameters are V, d_W"),
        (
            ["d_W"],
            ["nash[proposer=W]:x=0.6"],
            "'proposer' is not an option of nash; its options are powers",
        ),
        (
            ["d_W", "d_A"],
            ["nash:x=0.6"],
            "[calibrate] match: underidentified: 1 observation(s) for 2 free parameters (d_W, d_A)",
        ),
        (["d_W", "d_W"], ["nash:x=0.6", "nash:x=0.6"], "[calibrate] d_W: given twice"),
        ([], ["nash:x=0.6"], "[calibrate] free: name at least one free parameter"),
        (["d_W"], ["nash x=0.6"], "[calibrate] match: expected CONCEPT[opt=val,...]:OUTPUT=VALUE"),
        (
            ["d_W"],
            ["nash:x=0.9"],
            "[calibrate] nash:x=0.9: no value of d_W in [0, 0.4] reproduces it: "
            "over the box nash gives x from 0.5 to 0.7 (sampled)",
        ),
        # The utilitarian sum of a split is V everywhere: its agreement is the set [d_W, 1]
        # at every d_W, which identifies nothing. It was said to have "no solution at any
        # sampled point", with a residual of 1e+03.
        (
            ["d_W"],
            ["utilitarian:x=0.6"],
            "[calibrate] utilitarian:x=0.6: utilitarian's agreement is not unique at any "
            "sampled point of d_W in [0, 0.4]",
        ),
    ],
)
def test_bad_input_is_refused_by_name(free: list[str], match: list[str], message: str) -> None:
    with pytest.raises(bargain.ModelError) as err:
        bargain.calibrate(SPLIT, free=free, match=match)
    assert message in str(err.value)


def test_a_free_parameter_needs_a_range() -> None:
    m = bargain.model_from_dict(
        {
            "model": {"name": "m"},
            "parameters": {"V": 1.0},
            "variables": {"x": {"min": 0, "max": "V"}},
            "parties": {"W": {"payoff": "x"}, "A": {"payoff": "V - x"}},
        },
        file="m.toml",
    )
    with pytest.raises(
        bargain.ModelError, match=r"m.toml: \[parameters\] V: a free parameter needs a range"
    ):
        bargain.calibrate(m, free=["V"], match=["nash:x=0.6"])


def test_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["calibrate", "split", "--free", "d_W", "--match", "nash:x=0.6", "--format", "json"])
        == 0
    )
    assert json.loads(capsys.readouterr().out)["values"] == {"d_W": 0.2}
    assert (
        main(["calibrate", "split", "--free", "d_W", "--free", "d_A", "--match", "nash:x=0.6"]) == 1
    )
    assert "underidentified" in capsys.readouterr().err
