"""The how-to guides and the JSON reference cannot go stale.

The Python examples on those pages are doctests (collected from ``docs/*.md``).
This file tests what a doctest cannot: every ``$ bargain ...`` command shown in
a ```console block is run through :func:`bargain.cli.main` and its output
(stdout and stderr, as a terminal shows them) compared with the lines shown
under it (``...`` matches anything, as in a doctest); the TOML shown is the
model the doctests build; the script in the sweeps guide runs and prints what
the page says; and the keys the JSON reference lists are the keys produced.
"""

from __future__ import annotations

import doctest
import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import bargain
from bargain.cli import main

DOCS = Path(__file__).resolve().parent.parent / "docs"
GUIDES = ("howto-model.md", "howto-promise.md", "howto-calibrate.md", "json.md", "coalitions.md")
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def blocks(page: str, language: str) -> list[str]:
    """The fenced blocks of a page in one language, in order."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return re.findall(rf"^```{language}\n(.*?)^```$", text, flags=re.M | re.S)


def commands(page: str) -> list[tuple[str, str]]:
    """``(command, expected output)`` for every ``$ bargain`` line in the page's console blocks."""
    out: list[tuple[str, str]] = []
    for block in blocks(page, "console"):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, _, expected = chunk.partition("\n")
            out.append((command, expected))
    return out


def shown_toml(page: str) -> tuple[list[str], str]:
    """The TOML pieces of a page and its one complete file (the block with every table)."""
    toml = blocks(page, "toml")
    whole = [b for b in toml if "[model]" in b and "[bargaining]" in b]
    assert len(whole) == 1, f"{page}: expected one complete model file"
    return [b for b in toml if b is not whole[0]], whole[0]


def run_doctest_block(page: str, index: int) -> dict[str, object]:
    """Run one ```python block of a page as a doctest; return its globals."""
    source = blocks(page, "python")[index]
    globs: dict[str, object] = {}
    test = doctest.DocTestParser().get_doctest(source, globs, page, str(DOCS / page), 0)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    runner.run(test, clear_globs=False)
    assert runner.failures == 0, f"{page}: python block {index} fails"
    return test.globs


def assert_within(shown: object, shipped: object, where: str = "") -> None:
    """Every table and key shown is in the shipped data, with the same value."""
    if isinstance(shown, dict):
        assert isinstance(shipped, dict), where
        for key, value in shown.items():
            assert key in shipped, f"{where}.{key} is not in the model file"
            assert_within(value, shipped[key], f"{where}.{key}")
    else:
        assert shown == shipped, where


@pytest.fixture
def wage_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder holding the ``wage.toml`` shown in the model how-to, and every
    TOML block of the guides whose first line names its file (``# surplus.toml``)."""
    _, whole = shown_toml("howto-model.md")
    (tmp_path / "wage.toml").write_text(whole, encoding="utf-8")
    for page in GUIDES:
        for block in blocks(page, "toml"):
            named = re.match(r"# (\S+\.toml)\n", block)
            if named:
                (tmp_path / named.group(1)).write_text(block, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_guide_shows_commands() -> None:
    for page in GUIDES[:3]:
        assert commands(page), f"{page} shows no bargain commands"


@pytest.mark.parametrize(
    ("page", "command", "expected"),
    [(page, c, e) for page in GUIDES for c, e in commands(page)],
    ids=lambda v: v if isinstance(v, str) and v.startswith("bargain") else None,
)
def test_console_commands_print_what_the_page_shows(
    page: str,
    command: str,
    expected: str,
    wage_folder: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = shlex.split(command)
    assert argv[0] == "bargain", command
    status = main(argv[1:])
    captured = capsys.readouterr()
    got = captured.out + captured.err
    error = expected.startswith("bargain: error:")
    assert status == (1 if error else 0), f"{command}: exit status {status}\n{got}"
    assert (captured.err != "") == error, got
    checker = doctest.OutputChecker()
    assert checker.check_output(expected, got, FLAGS), (
        f"$ {command}\n--- the page shows:\n{expected}--- bargain prints:\n{got}"
    )


def test_model_howto_toml_is_the_model_the_doctest_builds() -> None:
    pieces, whole = shown_toml("howto-model.md")
    from_whole = bargain.model_from_dict(tomllib.loads(whole))
    assert bargain.model_from_dict(tomllib.loads("\n".join(pieces))) == from_whole
    assert run_doctest_block("howto-model.md", 0)["wage"] == from_whole


def test_promise_howto_toml_is_the_shipped_model() -> None:
    """The tables shown in the promise how-to are those of models/package_deal.toml."""
    shipped = tomllib.loads((bargain.models_dir() / "package_deal.toml").read_text())
    toml = blocks("howto-promise.md", "toml")
    assert toml
    for block in toml:
        assert_within(tomllib.loads(block), shipped)


def test_json_reference_lists_exactly_the_keys_produced() -> None:
    """Every key in the tables of docs/json.md, and no other, is in the JSON output."""
    text = (DOCS / "json.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^<!-- keys: (\S+) -->\n(.*?)(?=^<!-- keys|\Z)", text, re.M | re.S))
    listed = {
        section: [
            re.match(r"\| `([^`]+)`", row).group(1)
            for row in body.splitlines()
            if re.match(r"\| `", row)
        ]
        for section, body in sections.items()
    }
    model = bargain.load_model(bargain.models_dir() / "package_deal.toml")
    solution = json.loads(bargain.nash(model).to_json())
    report = json.loads(bargain.credibility(model).to_json())
    data = bargain.model_to_dict(model)
    data["bargaining"]["focal_dates"] = [2, 10]
    dated = json.loads(bargain.credibility(bargain.model_from_dict(data)).to_json())
    produced = {
        "solution": list(solution),
        "credibility": list(report),
        "stage": list(report["before"]),
        "cost": list(report["cost"]),
        "settings": list(report["settings"]),
        "strike": list(dated["after"]["strike"]),
    }
    assert listed == produced


def test_sweep_script_runs_and_prints_what_the_page_shows(tmp_path: Path) -> None:
    """The script in docs/sweeps.md, run as a file, prints the output shown under it."""
    text = (DOCS / "sweeps.md").read_text(encoding="utf-8")
    section = text.split("## From a script", 1)[1].split("\n## ", 1)[0]
    script = re.search(r"^```python\n(.*?)^```$", section, re.M | re.S).group(1)
    assert ">>>" not in script
    expected = re.search(r"^```console\n\$ python \S+\n(.*?)^```$", section, re.M | re.S).group(1)
    (tmp_path / "patience.py").write_text(script, encoding="utf-8")
    root = str(DOCS.parent)  # this checkout's bargain, whatever is installed
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH", "")) if p)
    result = subprocess.run(
        [sys.executable, "patience.py"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert doctest.OutputChecker().check_output(expected, result.stdout, FLAGS), result.stdout
