"""The registry of theories of delay and the model file's [delay] tables."""

from __future__ import annotations

import pytest

import bargain
from bargain.errors import ModelError
from bargain.model.modelfile import dumps_model, model_from_dict
from bargain.reputation.credibility import credibility
from bargain.reputation.delay import names, settings, theory
from tests.conftest import broken_promise_data

BASE = broken_promise_data(
    "d",
    parameters={"h": 0.3},
    focal_dates=[4, 20],
    W={"strike_payoff": -0.01, "discount_rate": 0.1, "demand": 0.7, "hardliner": 0.2},
    A={"strike_payoff": -0.01, "discount_rate": 0.1, "demand": 0.7},
)


def model(**tables):
    return model_from_dict({**BASE, **tables}, file="d.toml")


def test_reputation_is_the_default_theory() -> None:
    assert names()[0] == "reputation"
    m = model()
    assert m.delay_theory == "reputation"
    report = credibility(m)
    assert report.settings["delay"] == "reputation"
    # the reputation theory's strike length is the war's, with breakdowns and dates
    war = report.after.strike
    direct = bargain.strike_duration(
        war, breakdown_rate=report.after.duration.breakdown_rate, focal_dates=(4, 20)
    )
    assert report.after.duration.mean == pytest.approx(direct.mean, rel=1e-12)


def test_delay_tables_parse_and_round_trip() -> None:
    m = model(delay={"theory": "reputation", "reputation": {}})
    assert m.delays[0].name == "reputation" and m.delays[0].keys == ()
    again = model_from_dict(__import__("tomllib").loads(dumps_model(m)))
    assert again.delays == m.delays and again.delay_theory == m.delay_theory


def test_unknown_theory_is_named_with_the_allowed_ones() -> None:
    m = model(delay={"theory": "hunch"})
    with pytest.raises(
        ModelError, match=r"d\.toml.*\[delay\] theory: unknown theory of delay 'hunch'"
    ):
        credibility(m)
    with pytest.raises(ModelError, match="allowed: reputation"):
        theory("hunch")


def test_unknown_setting_is_named() -> None:
    m = model(delay={"reputation": {"speed": "h"}})
    with pytest.raises(ModelError, match=r"\[delay\.reputation\] speed: unknown key"):
        settings(m, theory("reputation"))


def test_malformed_delay_tables_are_refused() -> None:
    with pytest.raises(ModelError, match=r"\[delay\] theory: must be the name"):
        model(delay={"theory": 3})
    with pytest.raises(ModelError, match=r"\[delay\] optimism: must be a table"):
        model(delay={"optimism": 0.5})
    with pytest.raises(ModelError, match=r"\[delay\.x\] k"):
        model(delay={"x": {"k": "undefined_name + 1"}})


def test_a_theory_other_than_reputation_needs_focal_dates() -> None:
    data = {**BASE, "bargaining": {"breakdown_probability": 0.05}}
    m = model_from_dict(data, file="d.toml")
    for name in ("deadline", "optimism", "screening"):
        with pytest.raises(ModelError, match=r"d\.toml: \[bargaining\] focal_dates: missing"):
            credibility(m, delay=name)
    # the war of attrition alone needs none
    assert credibility(m).settings["delay"] == "reputation"


def test_an_unknown_theory_table_is_named() -> None:
    m = model(delay={"bogus": {"k": 1}})
    with pytest.raises(ModelError, match=r"\[delay\.bogus\]: unknown theory of delay 'bogus'"):
        credibility(m)


def test_a_demand_outside_the_surplus_is_named_in_the_model() -> None:
    data = {**BASE}
    data["parties"] = {**BASE["parties"], "A": {**BASE["parties"]["A"], "demand": 1.5}}
    with pytest.raises(ModelError, match=r"d\.toml: \[parties\.A\] demand: must be a payoff"):
        credibility(model_from_dict(data, file="d.toml"))
