"""Loading, validating and writing model files."""

from __future__ import annotations

import itertools
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
import sympy

import bargain
from bargain.errors import ModelError
from bargain.model.model import SHAPES, allowed_arguments
from bargain.model.modelfile import dumps_model

HOSTILE = sorted((Path(__file__).resolve().parents[1] / "hostile").glob("*.toml"))
SHIPPED = sorted(bargain.models_dir().glob("*.toml"))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_models_round_trip(path):
    model = bargain.load_model(path)
    again = bargain.model_from_dict(tomllib.loads(dumps_model(model)))
    assert again == model
    assert dumps_model(again) == dumps_model(model)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_models_have_name_of_file(path):
    assert bargain.load_model(path).name == path.stem


def test_values_are_exact(split):
    assert split.parameter("delta_W").value == sympy.Rational(9, 10)


def test_rational_string_values_round_trip():
    m = bargain.model_from_dict(
        {
            "model": {"name": "third"},
            "parameters": {"p": {"value": "1/3"}},
            "variables": {"x": {"min": 0, "max": 1}},
            "parties": {"A": {"payoff": "p * x"}, "B": {"payoff": "1 - x"}},
        }
    )
    assert m.parameter("p").value == sympy.Rational(1, 3)
    assert bargain.model_from_dict(tomllib.loads(dumps_model(m))) == m


def _with_value(tmp_path: Path, written: str) -> Path:
    path = tmp_path / "m.toml"
    path.write_text(
        "[model]\nname = 'm'\n[parameters]\n"
        f"p = {{ value = {written} }}\n"
        "[variables]\nx = { min = 0, max = 1 }\n"
        "[parties.A]\npayoff = 'x'\n[parties.B]\npayoff = '1 - x'\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("written", "value"),
    [
        # TOML's floats are doubles: read as one, 1e-320 is a subnormal 9.99989e-321, the
        # 34-digit decimal is 0.1, and 1e400 is inf ("must be a finite number, got inf").
        ("1e-320", sympy.Rational(1, 10**320)),
        (
            "0.1000000000000000055511151231257827",
            sympy.Rational(10**33 + 55511151231257827, 10**34),
        ),
        ("1e400", sympy.Integer(10) ** 400),
        ("-2_500.25E-2", sympy.Rational(-250025, 10000)),
        ("0.9", sympy.Rational(9, 10)),
    ],
)
def test_file_floats_are_read_as_written(tmp_path, written, value):
    assert bargain.load_model(_with_value(tmp_path, written)).parameter("p").value == value


@pytest.mark.parametrize(
    ("written", "match"),
    [
        # read as a double, 1e-1500 was 0 and refused as outside (0, 1] for a discount factor
        ("1e-1500", r"\[parameters\] p: must be an exact number of at most 1,000 digits"),
        ("inf", r"\[parameters\] p: must be a finite number, got inf"),
        ("nan", r"\[parameters\] p: must be a finite number, got nan"),
    ],
)
def test_file_floats_beyond_exact_values_are_refused(tmp_path, written, match):
    with pytest.raises(bargain.ModelError, match=match) as info:
        bargain.load_model(_with_value(tmp_path, written))
    assert info.value.file.endswith("m.toml")


def test_with_values_is_a_new_model(split):
    other = split.with_values(V=2)
    assert split.parameter("V").value == 1
    assert other.parameter("V").value == 2
    assert other != split


def test_model_is_immutable(split):
    with pytest.raises(AttributeError):
        split.name = "other"


def test_constraints_and_promises_load_and_round_trip():
    m = bargain.model_from_dict(
        {
            "model": {"name": "full"},
            "parameters": {"p": {"value": 0.7, "range": [0, 1], "source": "assumption"}},
            "variables": {"a": {"min": 0, "max": 1}, "b": {"min": 0, "max": 1}},
            "constraints": {"budget": "a + b <= 1.5", "floor": {"expr": "a >= 0.1"}},
            "parties": {"W": {"payoff": "a + b"}, "A": {"payoff": "2 - a - b"}},
            "bargaining": {
                "first_proposer": "A",
                "horizon": 12,
                "breakdown_probability": 0.01,
                "status_quo": "p / 2",
            },
            "promises": {
                "dvd_for_est": {
                    "by": "A",
                    "to": "W",
                    "concession": "0.1",
                    "promised": "0.2",
                    "trust": "p",
                }
            },
        }
    )
    assert [c.name for c in m.constraints] == ["budget", "floor"]
    assert m.bargaining.horizon == 12
    assert bargain.model_from_dict(tomllib.loads(dumps_model(m))) == m


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({}, r"\[model\]: missing table \[model\]"),
        (
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {"A": {"payoff": "x"}, "B": {"payoff": "1-x"}},
                "bargaining": {"horizon": 0},
            },
            r"\[bargaining\] horizon: must be a positive integer",
        ),
        (
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {"A": {"payoff": "x"}, "B": {"payoff": "1-x"}},
                "bargaining": {"breakdown_probability": 1.5},
            },
            r"breakdown_probability: must lie in \[0, 1\]",
        ),
        (
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {"A": {"payoff": "x"}, "B": {"payoff": "1-x"}},
                "promises": {
                    "p": {"by": "A", "to": "Z", "concession": 1, "promised": 1, "trust": 0.5}
                },
            },
            r"\[promises.p\] to: unknown party 'Z'",
        ),
        (
            {
                "model": {"name": "m"},
                "parameters": {"x": 1},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {"A": {"payoff": "x"}, "B": {"payoff": "1-x"}},
            },
            "both a parameter and a variable",
        ),
        (
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {
                    "A": {"payoff": "x", "discount_factor": 0.9, "discount_rate": 0.1},
                    "B": {"payoff": "1-x"},
                },
            },
            "either discount_factor or discount_rate",
        ),
        (
            {
                "model": {"name": "m"},
                "parameters": {"r": {"value": 1, "range": [2, 1]}},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {"A": {"payoff": "x"}, "B": {"payoff": "1-x"}},
            },
            "low < high",
        ),
        (
            {
                "model": {"name": "m"},
                "parameters": {"r": {"value": "1.5", "range": [0, 1]}},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {"A": {"payoff": "x"}, "B": {"payoff": "1-x"}},
            },
            r"\[parameters\] r.value: is 3/2, outside the parameter's own range \[0, 1\]",
        ),
        (
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "parties": {"A": {"payoff": "x", "bargaining_power": -1}, "B": {"payoff": "1-x"}},
            },
            r"bargaining_power: must lie in \(0, inf\)",
        ),
        (
            {
                "model": {"name": "m"},
                "variables": {"x": {"min": 0, "max": 1}},
                "constraints": {"c": "x + 1"},
                "parties": {"A": {"payoff": "x"}, "B": {"payoff": "1-x"}},
            },
            r"\[constraints\] c:",
        ),
    ],
)
def test_malformed_dicts(data, match):
    with pytest.raises(bargain.ModelError, match=match):
        bargain.model_from_dict(data, file="m.toml")


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_files_refused_with_location(path, tmp_path):
    marker = Path("/tmp/bargain-pwned")
    marker.unlink(missing_ok=True)
    with pytest.raises(bargain.ModelError) as info:
        bargain.load_model(path)
    message = str(info.value)
    assert message.startswith(str(path))
    assert "\n" not in message
    assert not marker.exists()


def test_missing_file():
    with pytest.raises(bargain.ModelError, match="no such model file"):
        bargain.load_model("/nonexistent/model.toml")


@pytest.mark.parametrize("family", sorted(SHAPES))
def test_distribution_checks_agree_with_scipy(family):
    # A model file is checked without importing scipy.stats (it doubled the time to load
    # the flagship); the shapes and the conditions must be scipy's own.
    from scipy import stats

    dist = getattr(stats, family)
    assert SHAPES[family] == tuple(s.strip() for s in (dist.shapes or "").split(",") if s.strip())
    values = (-1.0, 0.0, 0.5, 1.0, 2.0)  # a file's numbers are finite (exact_number)
    for shape_values in itertools.product(values, repeat=len(SHAPES[family])):
        for scale in (-1.0, 0.0, 1.0):
            args = {**dict(zip(SHAPES[family], shape_values, strict=True)), "scale": scale}
            with np.errstate(all="ignore"):
                accepted = math.isfinite(float(dist(**args).ppf(0.5)))
            assert allowed_arguments(family, args) == accepted, args


def test_a_shipped_models_name_given_as_a_path_says_how_to_load_it(tmp_path, monkeypatch):
    # bargain.load_model("split") said only "no such model file", though `bargain models`
    # lists split: load_model takes a path, find_model a name.
    monkeypatch.chdir(tmp_path)
    with pytest.raises(bargain.ModelError, match=r"find_model\('split'\)"):
        bargain.load_model("split")
    with pytest.raises(bargain.ModelError, match=r"no such model file$"):
        bargain.load_model("no_model_of_this_name")


@pytest.mark.parametrize(
    ("where", "key", "table"),
    [
        ("parameters", 3, "parameters"),
        ("parties", None, "parties"),
        ("variables.x", 1.5, "variables.x"),
        ("", (1, 2), None),
    ],
)
def test_a_key_that_is_not_a_string_is_a_model_error(where, key, table):
    data = {
        "model": {"name": "m"},
        "parameters": {"c": {"value": 1}},
        "variables": {"x": {"min": 0, "max": 1}},
        "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
    }
    target = data
    for part in filter(None, where.split(".")):
        target = target[part]
    target[key] = 1.0
    with pytest.raises(ModelError) as err:
        bargain.model_from_dict(data)
    assert (err.value.table, err.value.key) == (table, repr(key))
    assert f"a name must be a string, got {type(key).__name__}" in str(err.value)


@pytest.mark.parametrize(
    ("table", "key", "text", "said"),
    [
        ("parties.A", "disagreement", "x/2", "'x' (a contract variable: this value may not use"),
        ("parties.B", "strike_payoff", "x", "'x' (a contract variable: this value may not use"),
        ("bargaining", "horizon", "V", "'V' (a parameter: this value may not use"),
    ],
)
def test_a_name_of_the_model_where_it_may_not_be_used_is_named_as_such(table, key, text, said):
    # A disagreement payoff is fixed before any contract, so it may not use a contract
    # variable; the message said "unknown name 'x' ... allowed names: (none)".
    data = {
        "model": {"name": "m"},
        "parameters": {"V": 1.0},
        "variables": {"x": {"min": 0, "max": 1}},
        "parties": {"A": {"payoff": "x"}, "B": {"payoff": "V - x"}},
        "bargaining": {},
    }
    part, _, name = table.partition(".")
    (data[part][name] if name else data[part])[key] = text
    with pytest.raises(ModelError, match=rf"\[{table}\] {key}: ") as err:
        bargain.model_from_dict(data)
    assert said in str(err.value)
    assert "unknown name" not in str(err.value)
