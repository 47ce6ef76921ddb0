"""Streaming sweeps to files: formats, no clobbering, resume after an interruption or SIGKILL."""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bargain
from bargain.sweeps.compile import STATUSES
from bargain.sweeps.stream import parts_dir

ROOT = Path(__file__).resolve().parents[2]
stream_module = importlib.import_module("bargain.sweeps.stream")

SETTINGS = {
    "vary": {"d_W": (0, 0.4), "d_A": (0, 0.4)},
    "design": "sobol",
    "n": 40,
    "seed": 3,
    "chunk_size": 2,
}


def read(path: Path) -> pd.DataFrame:
    if path.suffix == ".csv":
        return pd.read_csv(path, index_col="point")
    return pd.read_parquet(path)


def assert_same_rows(written: pd.DataFrame, expected: pd.DataFrame) -> None:
    assert list(written.index) == list(range(len(expected)))  # every point exactly once
    numeric = [c for c in expected.columns if c != "status"]
    pd.testing.assert_frame_equal(written[numeric], expected[numeric], check_exact=True)
    assert list(written["status"].astype(str)) == list(expected["status"].astype(str))


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_file_holds_the_rows_of_the_in_memory_sweep(tmp_path, split, suffix):
    out = tmp_path / f"sweep{suffix}"
    report = bargain.sweep_to_file(out, split, "rubinstein", **SETTINGS)
    expected = bargain.sweep(split, "rubinstein", **SETTINGS)
    assert_same_rows(read(out), expected)
    assert report.points == 40 and report.chunks == 20 and report.reused == 0
    assert report.statuses["ok"] == 40 and not parts_dir(out).exists()


def test_unknown_format_and_clobbering_are_refused(tmp_path, split, monkeypatch):
    with pytest.raises(bargain.ModelError, match=r"the formats are \.csv, \.parquet"):
        bargain.sweep_to_file(tmp_path / "x.xlsx", split, "nash", **SETTINGS)
    out = tmp_path / "x.csv"
    interrupt_after(monkeypatch, 2)
    with pytest.raises(KeyboardInterrupt):
        bargain.sweep_to_file(out, split, "nash", **SETTINGS)
    monkeypatch.undo()
    with pytest.raises(bargain.ModelError, match=r"\(2 of 20 chunks written\); continue it with"):
        bargain.sweep_to_file(out, split, "nash", **SETTINGS)


def test_a_folder_named_as_the_output_is_refused_before_any_work(tmp_path, split, monkeypatch):
    # It failed after every point was solved, naming a temporary file with the pid in it,
    # and left the parts behind (the next run was told to resume).
    (tmp_path / "dir.csv").mkdir()
    monkeypatch.setattr(stream_module, "run_chunks", None)  # any work would fail
    with pytest.raises(bargain.ModelError, match=r"\[sweep\] out: .*dir\.csv is a folder"):
        bargain.sweep_to_file(tmp_path / "dir.csv", split, "nash", **SETTINGS)
    assert not parts_dir(tmp_path / "dir.csv").exists()


def test_a_link_as_the_output_writes_the_file_it_names(tmp_path, split):
    # Its lock and parts were the link's own: a run writing the link and one writing the
    # file could both run, and the link was replaced by a file of its own.
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old\n")
    link.symlink_to(real)
    bargain.sweep_to_file(link, split, "nash", **SETTINGS)
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert_same_rows(read(real), bargain.sweep(split, "nash", **SETTINGS))


def interrupt_after(monkeypatch, chunks: int) -> None:
    """Make the next run stop (as if killed) after writing ``chunks`` chunks."""
    real = stream_module.run_chunks

    def some(*args, **kwargs):
        for k, item in enumerate(real(*args, **kwargs)):
            if k == chunks:
                raise KeyboardInterrupt
            yield item

    monkeypatch.setattr(stream_module, "run_chunks", some)


def test_resume_keeps_finished_chunks_and_ignores_torn_writes(tmp_path, split, monkeypatch):
    out = tmp_path / "sweep.parquet"
    interrupt_after(monkeypatch, 7)
    with pytest.raises(KeyboardInterrupt):
        bargain.sweep_to_file(out, split, "nash", **SETTINGS)
    monkeypatch.undo()
    folder = parts_dir(out)
    assert len(list(folder.glob("chunk-*"))) == 7 and not out.exists()
    (folder / ".chunk-00000009.parquet.123.tmp").write_bytes(b"PAR1 torn")  # a write cut short
    with pytest.raises(bargain.ModelError, match=r"other settings \(seed 3, now 4\)"):
        bargain.sweep_to_file(out, split, "nash", resume=True, **{**SETTINGS, "seed": 4})
    report = bargain.sweep_to_file(out, split, "nash", resume=True, **SETTINGS)
    assert report.reused == 7 and not folder.exists()
    expected = bargain.sweep(split, "nash", **SETTINGS)
    assert_same_rows(read(out), expected)
    assert report.statuses == counts(expected)  # the kept parts' statuses are read back


def counts(frame: pd.DataFrame) -> dict[str, int]:
    """Points with each status."""
    return {s: int((frame["status"] == s).sum()) for s in STATUSES}


def test_resume_takes_the_interrupted_runs_seed(tmp_path, split, monkeypatch):
    out = tmp_path / "sweep.csv"
    unseeded = {**SETTINGS, "seed": None}
    interrupt_after(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        bargain.sweep_to_file(out, split, "nash", **unseeded)
    monkeypatch.undo()
    report = bargain.sweep_to_file(out, split, "nash", resume=True, **unseeded)
    assert report.reused == 3
    expected = bargain.sweep(split, "nash", **{**SETTINGS, "seed": report.seed})
    assert_same_rows(read(out), expected)
    assert report.statuses == counts(expected)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_a_manifest_edited_to_another_seed_resumes_no_foreign_points(
    tmp_path, split, monkeypatch, suffix
):
    # The run with seed 3 is interrupted after 3 chunks; its manifest is then edited to say
    # seed 4, and the sweep resumed with seed 4. The kept parts' bytes are the ones the
    # manifest recorded, and they were kept: the file held seed 3's points for its first 3
    # chunks and seed 4's for the rest. Each part's points are now checked against the
    # design: the foreign ones are solved again, and the file is the seed-4 sweep's.
    out = tmp_path / f"sweep{suffix}"
    interrupt_after(monkeypatch, 3)
    with pytest.raises(KeyboardInterrupt):
        bargain.sweep_to_file(out, split, "nash", **SETTINGS)
    monkeypatch.undo()
    manifest = parts_dir(out) / "manifest.json"
    recorded = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**recorded, "seed": 4}))
    report = bargain.sweep_to_file(out, split, "nash", resume=True, **{**SETTINGS, "seed": 4})
    assert report.reused == 0 and report.damaged == 3
    assert_same_rows(read(out), bargain.sweep(split, "nash", **{**SETTINGS, "seed": 4}))


# The scalar solver point by point (the slowest route), so the run is long enough to kill.
KILLED = {**SETTINGS, "vary": {"delta_W": (0.5, 0.95), "V": (1, 2)}, "n": 200}
CHILD = """
import sys
import bargain
m = bargain.load_model(bargain.models_dir() / "split.toml")
bargain.sweep_to_file(sys.argv[1], m, "rubinstein", route="loop", **{settings!r})
"""


def test_sigkill_then_resume_gives_every_point_once_with_the_same_values(tmp_path, split):
    out = tmp_path / "killed.csv"
    folder = parts_dir(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD.format(settings=KILLED), str(out)], cwd=ROOT, env=env
    )
    try:
        deadline = time.monotonic() + 60
        while len(list(folder.glob("chunk-*"))) < 3:
            assert child.poll() is None, "the sweep ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.005)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    done = len(list(folder.glob("chunk-*")))
    assert not out.exists() and 3 <= done < 100
    report = bargain.sweep_to_file(out, split, "rubinstein", route="loop", resume=True, **KILLED)
    assert report.reused == done
    expected = bargain.sweep(split, "rubinstein", route="loop", **KILLED)
    written = read(out)
    assert_same_rows(written, expected)
    # Rubinstein (1982): x = V (1 - δ_A) / (1 - δ_A δ_W), with δ_A = 0.8.
    formula = written["V"] * 0.2 / (1 - 0.8 * written["delta_W"])
    np.testing.assert_allclose(written["x"], formula, rtol=1e-12)
