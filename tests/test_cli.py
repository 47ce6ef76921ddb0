"""The ``bargain`` command line: output formats, errors as one line, exit statuses."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from bargain.cli import main
from tests.conftest import DOCS_GROUP

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


def test_horizon_takes_the_forms_of_a_model_file(capsys):
    # A model file's [bargaining] horizon is arithmetic on numbers ("1e3", "10**3"); the
    # command line takes the same. split.toml: V = 1, W first, delta_W 0.9, delta_A 0.8;
    # with T = 1000 rounds the finite game's share is Rubinstein's (1 - delta_A) /
    # (1 - delta_W delta_A) = 5/7 up to 0.72**500 (Stahl 1972; Rubinstein 1982).
    shares = []
    for horizon in ("1000", "1e3", "10**3"):
        code, out, _ = run(
            capsys,
            "solve",
            "split",
            "--method",
            "rubinstein",
            "--horizon",
            horizon,
            "--format",
            "json",
        )
        assert code == 0
        shares.append(json.loads(out)["agreement"]["x"])
    assert shares[0] == shares[1] == shares[2] == pytest.approx(5 / 7, rel=1e-12)
    with pytest.raises(SystemExit):
        main(["solve", "split", "--method", "rubinstein", "--horizon", "2.5"])
    assert (
        "must be a positive integer number of rounds or inf, got '2.5'" in capsys.readouterr().err
    )


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
        # The last of a repeated name was used, silently.
        (["solve", "split", "--power", "W=1", "--power", "W=2"], "W: is given more than once"),
        (["solve", "split", "--set", "V=1", "--set", "V=2"], "V: is given more than once"),
        (["solve", "split", "--set", "V=abc"], "unknown name 'abc'"),
        (["solve", "split", "--set", "d_W=0.6", "--set", "d_A=0.6"], "not improved upon"),
        (["solve", "no-such-model"], "no such model file"),
        # a device is read like a file ("no such model file" was said of /dev/null)
        (["solve", os.devnull], f"{os.devnull}: [model]: missing table [model]"),
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


def test_sweep_writes_the_rows_of_bargain_sweep(capsys, tmp_path):
    import pandas as pd

    import bargain

    out = tmp_path / "s.csv"
    code, stdout, err = run(
        capsys,
        "sweep",
        "split",
        "--method",
        "rubinstein",
        "--vary",
        "delta_W=0.5:0.9:5",
        "--vary",
        "V=1:2:3",
        "--set",
        "delta_A=0.7",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert f"15 points (1 chunks) written to {out}" in stdout and "ok 15" in stdout
    model = bargain.load_model(bargain.models_dir() / "split.toml").with_values(delta_A=0.7)
    expected = bargain.sweep(model, "rubinstein", {"delta_W": (0.5, 0.9, 5), "V": (1, 2, 3)})
    written = pd.read_csv(out, index_col="point")
    pd.testing.assert_frame_equal(written.drop(columns="status"), expected.drop(columns="status"))


@pytest.mark.parametrize(
    ("vary", "kind"),
    [
        (["delta_W=0.5:0.9:5"], "auto"),
        (["delta_W=0.5:0.9:5", "delta_A=0.5:0.9:4"], "auto"),
        (["delta_W=0.5:0.9:3", "delta_A=0.5:0.9:3", "V=1:2:3"], "auto"),
        (["delta_W=0.5:0.9:3", "delta_A=0.5:0.9:3"], "sobol"),
    ],
)
def test_sweep_plots(capsys, tmp_path, vary, kind):
    png = tmp_path / "p.png"
    argv = ["sweep", "split", "--method", "rubinstein", "--out", str(tmp_path / "s.parquet")]
    for v in vary:
        argv += ["--vary", v]
    argv += ["--plot", str(png), "--plot-kind", kind, "--sobol-samples", "64"]
    code, stdout, err = run(capsys, *argv)
    assert code == 0, err
    assert png.read_bytes()[:4] == b"\x89PNG" and f"plot written to {png}" in stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--vary", "c=0:1:3"], "[parameters] c: unknown parameter 'c'; the parameters are V"),
        (["--vary", "V=2:1:3"], "[vary] V: the range [2, 1] is reversed"),
        (["--vary", "V=1:2"], "needs a count for every parameter"),
        (["--vary", "V=1-2"], "[--vary]: expected NAME=LO:HI or NAME=LO:HI:N, got 'V=1-2'"),
        (["--vary", "V=1:2:x"], "[--vary] V: the number of values must be a whole number"),
        (["--vary", "V=1:2:3", "--vary", "V=1:3:3"], "[--vary] V: given twice"),
    ],
)
def test_sweep_errors_are_one_line(capsys, tmp_path, argv, message):
    code, _, err = run(capsys, "sweep", "split", "--out", str(tmp_path / "s.csv"), *argv)
    assert code == 1
    assert err.count("\n") == 1 and message in err
    assert not (tmp_path / "s.csv").exists()


def test_brief_prints_every_concept_and_the_broken_promise(capsys):
    code, out, _ = run(capsys, "brief", "package_deal")
    assert code == 0
    assert (
        "  Nash (equal powers)           x = 0.5   payoffs W 0.5, A 0.5; gains W 0.5, A 0.5" in out
    )
    assert "Rubinstein, A proposes first" in out and "Kalai–Smorodinsky" in out
    assert "trust 0.8 -> 0.2857; x 0.5568 -> 0.5" in out and "surplus lost 0.1288" in out
    assert "W's demand                    payoff W 0.6" in out


def test_brief_of_the_flagship_with_a_smaller_producers_loss_gives_a_short_reason(capsys):
    code, out, _ = run(capsys, "brief", "wga2007", "--set", "m_A=0.1")
    assert code == 0
    refusals = [line for line in out.splitlines() if "not solved: [variables" in line]
    assert len(refusals) == 2
    for line in refusals:
        reason = line.split("not solved: ")[1]
        assert len(reason) < 150 and "/" not in reason and "widen" not in reason
        assert "A would offer F below 0, its lower bound" in reason
    assert "the rows with F = 0 show the terms at that corner" in out


@pytest.mark.parametrize("rule", ["never", "always"])
def test_credibility_with_a_package_switch_prints_its_own_assumption(capsys, rule):
    code, out, _ = run(capsys, "credibility", "package_deal", "--package", rule)
    assert code == 0
    assert f"(package '{rule}')" in out and "only when both sides gain" not in out
    assert "periods" not in out and "longer by -" not in out
    if rule == "never":
        assert "shorter by 3.22568 weeks, saving 0.0645136" in out


@DOCS_GROUP  # the flagship's briefs and compiled programs, computed once on that worker
def test_every_command_in_the_readme_runs(capsys, flagship_briefs):
    """The README's "first look" and main command work as a new user types them
    (``bargain docs --check`` is left to tests/test_docbuild.py, which runs it)."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    shown = re.findall(r"^\$ (bargain .*)$", readme, flags=re.M)
    main_command = re.search(r"&& (bargain brief \S+)\n", readme)
    assert main_command and len(shown) >= 5
    for line in [*shown, main_command.group(1)]:
        if line.startswith("bargain docs"):
            continue
        argv = shlex.split(line, comments=True)
        assert main(argv[1:]) == 0, line
        assert capsys.readouterr().out.strip(), line
    assert flagship_briefs == ["brief"]  # the main command


def test_a_reader_that_stops_early_gets_no_traceback():
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        f"'{sys.executable}' -m bargain.cli brief package_deal | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=False,
    )
    assert done.stdout == "A package deal that rests on an off-the-record promise\n"
    assert done.stderr == ""


# -- bargain coalition (issue 18) ----------------------------------------------------------


def test_coalition_text_names_the_members_who_break_ranks(capsys):
    code, out, _ = run(capsys, "coalition", "coalition_three", "--rule", "majority")
    assert code == 0
    lines = out.splitlines()
    assert lines[1] == "as one player: rate = 0.55; payoffs G 1.65, P 2.85"
    assert lines[3] == "members alone: 2.85 in all; breaking ranks pays for N"
    assert "  N       0.3    0.855   rate = 0.3   1.2    0.345   yes" in lines


def test_coalition_json_and_markdown(capsys):
    code, out, _ = run(
        capsys, "coalition", "coalition_three", "--rule", "veto", "--veto", "N", "--format", "json"
    )
    data = json.loads(out)
    assert code == 0 and data["rule"] == "veto" and data["veto"] == "N"
    assert data["threshold"] == pytest.approx(3.0) and data["threshold_binds"] is True
    assert data["payoff"] == pytest.approx(3.0) and data["leavers"] == ["N"]
    # the keys docs/cli.md lists
    assert list(data) == [
        "model", "coalition", "counterpart", "method", "rule", "veto", "threshold",
        "threshold_binds", "joint", "payoff", "alone_total", "members", "leavers",
        "alternating_offers", "strike", "unsolved", "assumptions",
    ]  # fmt: skip
    assert data["alternating_offers"] is None and data["strike"] is None
    assert "[parties.G] discount_factor" in data["unsolved"]["alternating offers"]
    assert list(data["members"][0]) == [
        "name", "share", "threshold", "inside", "alone", "gain", "leaves", "alone_solution",
    ]  # fmt: skip
    code, out, _ = run(capsys, "coalition", "coalition_three", "--format", "markdown")
    assert code == 0 and "| member | share | inside | terms alone | alone | gain | leaves |" in out
    code, out, _ = run(capsys, "coalition", "wga2007_coalition", "--format", "json")
    data = json.loads(out)
    assert data["unsolved"] == {}
    assert list(data["alternating_offers"]) == [
        "rule", "veto", "proposer", "pivot", "agreement", "payoffs", "proposals", "stand_ins",
    ]  # fmt: skip
    assert list(data["strike"]) == [
        "theory", "rule", "veto", "pivot", "cost_per_stake", "counterpart_cost",
        "concession_rates", "weaker", "at_zero", "focal_dates", "settled_by", "median", "mean",
    ]  # fmt: skip
    assert data["strike"]["pivot"] == data["alternating_offers"]["pivot"] == "N"
    code, out, _ = run(capsys, "coalition", "wga2007_coalition", "--proposer", "S")
    assert code == 0 and "alternating offers (AMPTP first): F = " in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("split",), "[coalitions]: the model has no coalition"),
        (("coalition_three", "--rule", "veto"), "[coalitions.P] veto: the veto rule needs"),
        (("coalition_three", "--coalition", "Q"), "[coalitions] Q: unknown coalition 'Q'"),
        (("wga2007_coalition", "--proposer", "X"), "[coalition] proposer: must be W, AMPTP or"),
    ],
    ids=["no-coalition", "veto-without-member", "unknown-coalition", "unknown-proposer"],
)
def test_coalition_errors_are_one_line(capsys, argv, message):
    code, out, err = run(capsys, "coalition", *argv)
    assert code == 1 and out == "" and err.count("\n") == 1 and message in err


def test_a_command_runs_with_fewer_garbage_collections(monkeypatch, capsys):
    # main raises the collector's thresholds while the command runs (the objects a command
    # imports live as long as the process) and puts the caller's back when it returns,
    # after an error too.
    import gc

    from bargain import cli
    from bargain.errors import ModelError

    seen = []

    def models(args):
        seen.append(gc.get_threshold())
        raise ModelError("refused", table="t")

    monkeypatch.setattr(cli, "cmd_models", models)
    before = gc.get_threshold()
    gc.set_threshold(500, 5, 5)
    try:
        assert main(["models"]) == 1
        assert gc.get_threshold() == (500, 5, 5)
    finally:
        gc.set_threshold(*before)
    assert seen == [cli.GC_THRESHOLDS] and cli.GC_THRESHOLDS[0] > 700
    assert "refused" in capsys.readouterr().err
