"""A contract variable or a varied parameter named as a column of the sweep's output
(``point``, ``status``, ``payoff_<party>``) is refused, naming it and the reserved columns:
one would overwrite the other in the output."""

from __future__ import annotations

import pytest

import bargain
from bargain.cli import main
from bargain.errors import ModelError
from bargain.sweeps.stream import sweep_to_file


def model(parameter: str = "c", variable: str = "w") -> bargain.Model:
    return bargain.model_from_dict(
        {
            "model": {"name": "columns"},
            "parameters": {parameter: {"value": 0.2}},
            "variables": {variable: {"min": parameter, "max": 1}},
            "parties": {"U": {"payoff": variable}, "A": {"payoff": f"1 - {variable}"}},
        }
    )


@pytest.mark.parametrize("name", ["status", "point", "payoff_A", "payoff_U"])
def test_a_swept_parameter_named_as_an_output_column_is_refused(name, tmp_path):
    m = model(parameter=name)
    with pytest.raises(ModelError) as err:
        bargain.sweep(m, "nash", vary={name: (0.0, 0.8, 3)})
    assert (err.value.table, err.value.key) == ("vary", name)
    assert "point, status, payoff_U, payoff_A" in str(err.value)
    out = tmp_path / "out.csv"
    with pytest.raises(ModelError, match=f"vary\\] {name}:"):
        sweep_to_file(out, m, "nash", vary={name: (0.0, 0.8, 3)})
    assert not out.exists()


@pytest.mark.parametrize("name", ["status", "point", "payoff_A"])
def test_a_variable_named_as_an_output_column_is_refused(name):
    with pytest.raises(ModelError) as err:
        bargain.sweep(model(variable=name), "nash", vary={"c": (0.0, 0.8, 3)})
    assert (err.value.table, err.value.key) == ("variables", name)


def test_an_unswept_parameter_may_have_such_a_name():
    """Only the varied parameters are columns. w in [status, c], U = w, A = c - w: the
    equal split w = c/2 (Nash 1950), above status = 0.2."""
    m = bargain.model_from_dict(
        {
            "model": {"name": "columns"},
            "parameters": {"status": {"value": 0.2}, "c": {"value": 1}},
            "variables": {"w": {"min": "status", "max": "c"}},
            "parties": {"U": {"payoff": "w"}, "A": {"payoff": "c - w"}},
        }
    )
    frame = bargain.sweep(m, "nash", vary={"c": (1.0, 2.0, 3)})
    assert frame["w"].tolist() == pytest.approx([0.5, 0.75, 1.0], rel=1e-12)
    assert frame["status"].tolist() == ["ok"] * 3


def test_the_cli_names_the_column(tmp_path, capsys):
    path = tmp_path / "col.toml"
    path.write_text(
        '[model]\nname = "col"\n[parameters]\nstatus = 0.2\n[variables]\n'
        'w = { min = "status", max = 1 }\n[parties.U]\npayoff = "w"\n'
        '[parties.F]\npayoff = "1 - w"\n'
    )
    out = tmp_path / "col.csv"
    code = main(["sweep", str(path), "--vary", "status=0:0.8:3", "--out", str(out)])
    assert code != 0
    assert "[vary] status:" in capsys.readouterr().err
    assert not out.exists()
