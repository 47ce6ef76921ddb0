"""The ``bargain`` command line: output formats, errors as one line, exit statuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bargain.cli import main

HOSTILE = sorted((Path(__file__).parent / "hostile").glob("*.toml"))


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_lists_shipped_models(capsys):
    code, out, _ = run(capsys, "models")
    assert code == 0
    assert "split" in out and "concave" in out and "logrolling" in out


def test_show_prints_parameters_and_payoffs(capsys):
    code, out, _ = run(capsys, "show", "split")
    assert code == 0
    assert "V = 1 $M" in out and "source: assumption" in out
    assert "payoff           V - x" in out


def test_solve_json_keys(capsys):
    code, out, _ = run(capsys, "solve", "concave", "--format", "json")
    assert code == 0
    data = json.loads(out)
    for key in (
        "model",
        "method",
        "agreement",
        "payoffs",
        "disagreement",
        "delay",
        "formula",
        "parameters",
    ):
        assert key in data
    assert data["agreement"]["x"] == pytest.approx(2 / 3, abs=1e-12)
    assert data["formula"] == {"x": "2/3"}
    assert data["delay"] == 0


def test_solve_with_set_and_power(capsys):
    code, out, _ = run(
        capsys,
        "solve",
        "split",
        "--set",
        "V=2",
        "--power",
        "W=1",
        "--power",
        "A=3",
        "--format",
        "json",
    )
    assert code == 0
    assert json.loads(out)["agreement"]["x"] == pytest.approx(0.5, abs=1e-12)


def test_solve_rubinstein_options(capsys):
    code, out, _ = run(
        capsys,
        "solve",
        "split",
        "--method",
        "rubinstein",
        "--proposer",
        "A",
        "--period",
        "0.5",
        "--format",
        "json",
    )
    assert code == 0
    data = json.loads(out)
    assert set(data["extra"]["proposals"]) == {"W", "A"}
    assert data["agreement"]["x"] == pytest.approx(data["extra"]["proposals"]["A"])
    assert data["delay"] == 0
    code, _, err = run(capsys, "solve", "split", "--horizon", "3")
    assert code == 1 and "[--horizon]: applies to the alternating-offers games only" in err


@pytest.mark.parametrize("method", ["nash", "kalai-smorodinsky", "egalitarian", "utilitarian"])
@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_every_method_and_format(capsys, method, fmt):
    code, out, err = run(capsys, "solve", "concave", "--method", method, "--format", fmt)
    assert code == 0, err
    assert out.strip()


@pytest.mark.parametrize(
    ("argv", "match"),
    [
        (["solve", "split", "--power", "Z=1", "--power", "W=1"], "unknown party 'Z'"),
        (["solve", "split", "--set", "nope=1"], "unknown parameter 'nope'"),
        (["solve", "split", "--set", "V"], "expected NAME=VALUE"),
        (["solve", "split", "--set", "V=abc"], "unknown name 'abc'"),
        (["solve", "split", "--set", "d_W=0.6", "--set", "d_A=0.6"], "not improved upon"),
        (["solve", "no-such-model"], "no such model file"),
    ],
)
def test_errors_are_one_line(capsys, argv, match):
    code, out, err = run(capsys, *argv)
    assert code == 1
    assert out == ""
    assert err.count("\n") == 1 and match in err
    assert err.startswith("bargain: error: ")


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: p.stem)
def test_hostile_files_one_line_each(capsys, path):
    code, _, err = run(capsys, "solve", str(path))
    assert code == 1
    assert err.count("\n") == 1 and str(path) in err


def test_no_traceback_from_the_installed_command():
    proc = subprocess.run(
        [sys.executable, "-m", "bargain.cli", "solve", str(HOSTILE[0])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


def test_credibility_prints_the_before_after_table(capsys):
    code, out, _ = run(capsys, "credibility", "package_deal")
    assert code == 0
    assert "surplus lost: 0.1288" in out and "trust threshold 0.694444" in out


def test_credibility_json_and_switches(capsys):
    code, out, _ = run(
        capsys,
        "credibility",
        "package_deal",
        "--observed",
        "kept",
        "--package",
        "never",
        "--method",
        "rubinstein",
        "--proposer",
        "A",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert code == 0 and data["observed"] == ["kept"] and data["method"] == "rubinstein"
    assert data["after"]["trust"] == pytest.approx(1.0) and data["before"]["package"] is False
    assert data["settings"]["package"] == "never"


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (["--promise", "nope"], 1, "[promises] nope: unknown promise 'nope'"),
        (["--prior", "1.5"], 2, "must be a probability in [0, 1]"),
        (["--observed", "lost"], 2, "invalid choice"),
        (["--method", "strike-or-holdout"], 2, "invalid choice"),
        (["--set", "e=1.5"], 1, "[promises.dvd_for_est] error: must lie in [0, 1]"),
    ],
)
def test_credibility_refuses_bad_input(capsys, argv, code, message):
    if code == 2:
        with pytest.raises(SystemExit) as info:
            run(capsys, "credibility", "package_deal", *argv)
        assert info.value.code == 2
        assert message in capsys.readouterr().err
    else:
        got, _, err = run(capsys, "credibility", "package_deal", *argv)
        assert got == 1 and message in err and err.count("\n") == 1
