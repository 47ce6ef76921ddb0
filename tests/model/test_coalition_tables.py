"""``[coalitions.NAME]`` tables: read, written back, and every mistake named (issue 18)."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import pytest
import sympy

import bargain
from bargain.errors import ModelError
from bargain.model.model import Coalition
from bargain.model.modelfile import dumps_model

THREE = bargain.models_dir() / "coalition_three.toml"


def three() -> dict:
    return tomllib.loads(THREE.read_text(encoding="utf-8"))


def test_coalition_is_read():
    c = bargain.load_model(THREE).coalitions[0]
    assert c.name == "P" and c.members == ("F", "N", "B") and c.rule == "unanimity"
    assert c.shares == (sympy.Rational(1, 5), sympy.Rational(3, 10), sympy.Rational(1, 2))
    assert c.votes == (1, 1, 1) and c.veto is None and c.counterpart is None
    assert str(c.counterpart_payoff[2]) == "k_B*rate"


def test_coalition_round_trips():
    data = three()
    data["coalitions"]["P"].update(rule="veto", veto="N", weights={"F": 1, "N": 2, "B": 3})
    model = bargain.model_from_dict(data)
    again = bargain.model_from_dict(tomllib.loads(dumps_model(model)))
    assert again == model and again.coalitions[0].votes == (1, 2, 3)


def test_coalition_built_in_python_is_parsed_and_checked():
    model = bargain.load_model(THREE)
    c = Coalition("Q", ("F", "N"), ("1/4", "3/4"), counterpart="G")
    from dataclasses import replace

    built = replace(model, coalitions=(c,))
    assert built.coalitions[0].shares == (sympy.Rational(1, 4), sympy.Rational(3, 4))
    with pytest.raises(ModelError, match="must sum to one"):
        replace(model, coalitions=(Coalition("Q", ("F", "N"), ("1/4", "1/4")),))


def broken(change) -> dict:
    data = copy.deepcopy(three())
    change(data["coalitions"])
    return data


def _two_coalitions(c: dict) -> None:
    c["Q"] = {"members": ["B", "N"], "shares": {"B": 0.5, "N": 0.5}, "counterpart": "G"}


def _set(key, value):
    return lambda c: c["P"].update({key: value})


@pytest.mark.parametrize(
    ("change", "table", "key", "message"),
    [
        (_set("members", ["F", "X"]), "coalitions.P", "members", "unknown party 'X'"),
        (_two_coalitions, "coalitions.Q", "members", "'B' is already a member of coalition 'P'"),
        (
            _set("shares", {"F": 0.2, "N": 0.3, "B": 0.4}),
            "coalitions.P",
            "shares",
            "must sum to one for every parameter value, got 9/10",
        ),
        (
            _set("shares", {"F": "k_F", "N": 0.3, "B": 0.2}),
            "coalitions.P",
            "shares",
            "must sum to one",
        ),
        (_set("shares", {"F": 0.5, "N": 0.5}), "coalitions.P", "shares", "missing for B"),
        (
            _set("shares", {"F": 0.2, "N": 0.3, "B": 0.4, "G": 0.1}),
            "coalitions.P",
            "shares.G",
            "'G' is not a member",
        ),
        (
            _set("shares", {"F": 0.6, "N": 0.5, "B": -0.1}),
            "coalitions.P",
            "shares.B",
            "must lie in (0, inf)",
        ),
        (_set("rule", "consensus"), "coalitions.P", "rule", "unknown rule 'consensus'"),
        (_set("veto", "N"), "coalitions.P", "veto", 'give veto = "MEMBER" with rule = "veto"'),
        (
            lambda c: c["P"].update(rule="veto", veto="G"),
            "coalitions.P",
            "veto",
            "'G' is not a member",
        ),
        (
            lambda c: c.update(P={"members": ["F"], "shares": {"F": 1}}),
            "coalitions.P",
            "members",
            "at least two members",
        ),
        (_set("members", "F"), "coalitions.P", "members", "must be a list of party names"),
        (_set("colour", "red"), "coalitions.P", "colour", "unknown key"),
        (_set("counterpart", "F"), "coalitions.P", "counterpart", "not a party outside"),
        (
            _set("counterpart_payoff", {"F": "rate", "N": "rate", "B": "rate"}),
            "coalitions.P",
            "counterpart_payoff",
            "must sum to the counterpart's payoff",
        ),
        (
            lambda c: c.update(G=c.pop("P")),
            "coalitions.G",
            "members",
            "is also a party's name",
        ),
        (lambda c: c["P"].pop("shares"), "coalitions.P", "shares", "missing key"),
    ],
    ids=lambda v: v if isinstance(v, str) and not v.startswith("coalitions") else None,
)
def test_mistakes_are_named(change, table, key, message, tmp_path: Path):
    with pytest.raises(ModelError) as err:
        bargain.model_from_dict(broken(change), file="m.toml")
    assert message in err.value.message
    assert (err.value.file, err.value.table, err.value.key) == ("m.toml", table, key)


def test_every_party_a_member_is_refused():
    data = three()
    data["coalitions"]["P"]["members"] = ["G", "F", "N", "B"]
    data["coalitions"]["P"]["shares"] = {"G": 0.25, "F": 0.25, "N": 0.25, "B": 0.25}
    del data["coalitions"]["P"]["counterpart_payoff"]
    with pytest.raises(ModelError, match="bargains with a party outside it"):
        bargain.model_from_dict(data)


def test_error_from_a_file_names_the_file(tmp_path: Path):
    text = THREE.read_text(encoding="utf-8").replace(
        'members = ["F", "N", "B"]', 'members = ["F", "N", "X"]'
    )
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ModelError,
        match=r"bad\.toml: \[coalitions\.P\] members: unknown party 'X'; the parties are G",
    ):
        bargain.load_model(path)
