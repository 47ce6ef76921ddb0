"""The guarantees of sweep files (docs/sweeps.md, "Guarantees"): one run at a time owns the
output, resuming never mixes two designs, and a SIGKILL at any point leaves nothing that
the next run cannot verify, clean up or finish byte for byte."""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import pytest

import bargain
from bargain.cli import main
from bargain.sweeps.lock import GRACE, Owner, lock_path, locked
from bargain.sweeps.stream import MANIFEST, parts_dir
from tests.sweeps.test_stream import interrupt_after

stream_module = importlib.import_module("bargain.sweeps.stream")

FORK = multiprocessing.get_context("fork")


def _wait(path: Path) -> None:
    while not path.exists():
        time.sleep(0.001)


def _command(argv: list[str], log: Path, at: int, hold: Path | None, go: Path | None) -> None:
    """The command line, in a forked child (started in milliseconds, unlike a new
    interpreter), its output to ``log``.out and ``log``.err. With ``at=k`` it stops just
    before its k-th os.replace / os.unlink / os.rmdir (every change a sweep makes to its
    files is one of these, so k picks a point between two steps of the run): it SIGKILLs
    itself or, given ``hold``, creates ``hold``.held and waits until ``hold`` exists. Given
    ``go``, it creates ``go``.PID and starts once ``go`` exists."""
    sys.stdout = open(f"{log}.out", "w")  # noqa: SIM115 (flushed by multiprocessing at exit)
    sys.stderr = open(f"{log}.err", "w")  # noqa: SIM115
    left = at

    def stopping(call):
        def wrapped(*args, **kwargs):
            nonlocal left
            left -= 1
            if left == 0 and hold is not None:
                Path(f"{hold}.held").touch()
                _wait(hold)
            elif left == 0:
                os.kill(os.getpid(), signal.SIGKILL)
            return call(*args, **kwargs)

        return wrapped

    for name in ("replace", "unlink", "rmdir"):
        setattr(os, name, stopping(getattr(os, name)))
    if go is not None:
        Path(f"{go}.{os.getpid()}").touch()
        _wait(go)
    sys.exit(main(argv))


def child(
    argv: list[str], log: Path, *, at: int = 0, hold: Path | None = None, go: Path | None = None
) -> multiprocessing.Process:
    process = FORK.Process(target=_command, args=(argv, log, at, hold, go))
    process.start()
    return process


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert time.monotonic() < deadline, f"waited a minute for {what}"
        time.sleep(0.002)


def sweep_args(out: Path, seed: int, model: str = "cara", fmt: str = "csv") -> list[str]:
    """The sweep of the shared case concurrent_sweeps_same_out.py, smaller (or, with
    model="split", another model, design and format)."""
    if model == "cara":
        vary = ["a=0.5:4", "delta_W=0.5:0.99", "delta_A=0.5:0.99"]
        design = ["--method", "rubinstein", "--design", "sobol", "--samples", "3000"]
    else:
        vary = ["d_W=0:0.4", "d_A=0:0.3"]
        design = ["--method", "nash", "--design", "random", "--samples", "2000"]
    return [
        "sweep",
        model,
        *[x for v in vary for x in ("--vary", v)],
        *design,
        "--seed",
        str(seed),
        "--chunk-size",
        "250",
        "--quiet",
        "--out",
        str(out.with_suffix("." + fmt)),
    ]


def leftovers(folder: Path) -> list[str]:
    """Files other than the finished outputs: locks, parts folders, temporary files."""
    return sorted(p.name for p in folder.iterdir() if p.suffix not in (".csv", ".parquet"))


# -- Two runs, one output --------------------------------------------------------------


def write_lock(out: Path, pid: int, started: str) -> None:
    """Write the lock of process ``pid``, started at ``started``, on this host."""
    lock_path(out).write_text(json.dumps(asdict(Owner(pid, Owner.me().host, started))))


def dead_pid() -> int:
    process = FORK.Process(target=int)
    process.start()
    process.join()
    return process.pid


@pytest.mark.parametrize(
    ("model", "fmt", "seeds", "stagger"),
    [
        ("cara", "csv", (1, 2), False),  # the shared case: started together
        ("split", "parquet", (5, 6), True),  # the second starts while the first is running
    ],
)
def test_two_runs_racing_for_one_output_one_owns_it(tmp_path, model, fmt, seeds, stagger):
    """Both race for the lock (O_EXCL) at the same moment, or the second comes while the
    first is writing parts; whoever wins holds on after its first part (``hold``) until the
    other has finished, so that the runs overlap whatever the machine's load. When they
    start together, they find the stale lock of a killed run: one only takes it over."""
    out = (tmp_path / "out" / "same").with_suffix("." + fmt)
    refs = {}
    for seed in seeds:
        ref = tmp_path / "ref" / f"{seed}.{fmt}"
        assert main(sweep_args(ref, seed, model, fmt)) == 0
        refs[seed] = ref.read_bytes()
    go, hold = {seed: tmp_path / f"go{seed}" for seed in seeds}, tmp_path / "hold"
    out.parent.mkdir()
    if not stagger:
        write_lock(out, dead_pid(), "1")
    racers = {
        seed: child(
            sweep_args(out, seed, model, fmt), tmp_path / str(seed), at=2, hold=hold, go=go[seed]
        )
        for seed in seeds
    }
    try:
        wait_for(lambda: len(list(tmp_path.glob("go*.*"))) == 2, "both runs to start")
        go[seeds[0]].touch()
        if stagger:
            wait_for(lambda: Path(f"{hold}.held").exists(), "the first run to write a part")
        go[seeds[1]].touch()
        wait_for(lambda: any(p.exitcode is not None for p in racers.values()), "a refusal")
        hold.touch()
        for p in racers.values():
            p.join(60)
    finally:
        for p in racers.values():
            p.kill()
    codes = {seed: p.exitcode for seed, p in racers.items()}
    owners = [seed for seed, code in codes.items() if code == 0]
    assert len(owners) == 1, codes
    (loser,) = set(seeds) - set(owners)
    if stagger:
        assert owners == [seeds[0]]
    stderr = (tmp_path / f"{loser}.err").read_text()
    assert codes[loser] == 1 and (tmp_path / f"{loser}.out").read_text() == ""
    assert stderr.count("\n") == 1 and stderr.startswith(
        f"bargain: error: [sweep] out: another run (pid {racers[owners[0]].pid}) is writing "
        f"{out}; wait for it to end or stop it"
    )
    assert out.read_bytes() == refs[owners[0]]
    assert leftovers(out.parent) == []


def test_a_live_lock_refuses_and_a_dead_ones_lock_is_taken_over(tmp_path, split):
    out = tmp_path / "x.csv"
    settings = {"vary": {"d_W": (0, 0.4, 5)}, "chunk_size": 2}
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        wait_for(lambda: _started(sleeper.pid), "the sleeper to start")
        write_lock(out, sleeper.pid, _started(sleeper.pid))
        with pytest.raises(bargain.ModelError, match=rf"another run \(pid {sleeper.pid}\)"):
            bargain.sweep_to_file(out, split, "nash", **settings)
        assert not out.exists() and not parts_dir(out).exists()
    finally:
        sleeper.kill()
        sleeper.wait()
    # Its owner is dead now (a pid reused by another process would have another start time).
    (tmp_path / f".x.csv.{sleeper.pid}.tmp").write_text("point,d_W\n0,0")  # its cut-short join
    report = bargain.sweep_to_file(out, split, "nash", **settings)
    assert report.points == 5 and leftovers(tmp_path) == []
    # A lock left empty (its owner killed between creating and writing it): held for a
    # grace period, then taken over.
    lock_path(out).touch()
    with pytest.raises(bargain.ModelError, match=r"another run is writing .*x\.csv"):
        bargain.sweep_to_file(out, split, "nash", **settings)
    old = time.time() - GRACE - 1
    os.utime(lock_path(out), (old, old))
    bargain.sweep_to_file(out, split, "nash", **settings)
    assert leftovers(tmp_path) == []
    # A pid in use again, by a process started at another time (here, this one).
    write_lock(out, os.getpid(), "1")
    bargain.sweep_to_file(out, split, "nash", **settings)
    assert leftovers(tmp_path) == []


def _hold_lock(out: Path, go: Path, release: Path) -> None:
    Path(f"{go}.{os.getpid()}").touch()
    _wait(go)
    try:
        with locked(out):
            _wait(release)
    except bargain.ModelError:
        sys.exit(1)


def test_taking_over_a_stale_lock_is_serialised(tmp_path, monkeypatch):
    """Two processes find the same stale lock; each takes a while to judge its owner dead
    (so both judge it before either replaces it): one only takes it over."""
    out, go, release = tmp_path / "x.csv", tmp_path / "go", tmp_path / "release"
    write_lock(out, dead_pid(), "1")
    judge = Owner.alive

    def slowly(owner: Owner) -> bool:
        time.sleep(0.3)
        return judge(owner)

    monkeypatch.setattr(Owner, "alive", slowly)
    both = [FORK.Process(target=_hold_lock, args=(out, go, release)) for _ in range(2)]
    for p in both:
        p.start()
    try:
        wait_for(lambda: len(list(tmp_path.glob("go.*"))) == 2, "both to start")
        go.touch()
        wait_for(lambda: any(p.exitcode is not None for p in both), "a refusal")
        release.touch()
        for p in both:
            p.join(60)
    finally:
        for p in both:
            p.kill()
    assert sorted(p.exitcode for p in both) == [0, 1]
    assert not lock_path(out).exists()


def _started(pid: int) -> str:
    """Process ``pid``'s start time, as proc(5) gives it (field 22 of /proc/PID/stat)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]


# -- Resuming only what can be verified --------------------------------------------------


def interrupted(monkeypatch, out: Path, model: bargain.Model, method: str, **settings) -> Path:
    interrupt_after(monkeypatch, 4)
    with pytest.raises(KeyboardInterrupt):
        bargain.sweep_to_file(out, model, method, **settings)
    monkeypatch.undo()
    return parts_dir(out)


@pytest.mark.parametrize(
    ("name", "method", "vary", "damage"),
    [
        # The shared case resume_without_manifest.py (smaller): a random seed, the manifest
        # gone as a kill during the old clean-up left it.
        ("cara", "rubinstein", {"a": (0.5, 4), "delta_W": (0.5, 0.99)}, "delete"),
        ("split", "nash", {"d_W": (0, 0.4), "V": (1, 3)}, "truncate"),
        ("split", "nash", {"d_W": (0, 0.4)}, "old layout"),
    ],
)
def test_parts_without_a_readable_manifest_are_refused(
    tmp_path, monkeypatch, name, method, vary, damage
):
    model = bargain.load_model(bargain.models_dir() / f"{name}.toml")
    suffix = ".csv" if damage == "delete" else ".parquet"
    out = tmp_path / f"m{suffix}"
    settings = {"vary": vary, "design": "random", "n": 600, "chunk_size": 60}
    folder = interrupted(monkeypatch, out, model, method, **settings)
    manifest = folder / MANIFEST
    if damage == "delete":
        manifest.unlink()
    elif damage == "truncate":
        manifest.write_text(manifest.read_text()[:40])
    else:  # the layout before the model digest was recorded
        manifest.write_text(json.dumps({"seed": 1, "points": 600, "route": "numpy"}))
    for resume in (True, False):
        with pytest.raises(bargain.ModelError, match=r"^\[sweep\] resume: the parts in .* cannot"):
            bargain.sweep_to_file(out, model, method, resume=resume, **settings)
    assert not out.exists() and len(list(folder.glob("chunk-*"))) == 4


def test_resume_names_every_setting_that_differs(tmp_path, split, monkeypatch):
    out = tmp_path / "s.csv"
    settings = {"vary": {"d_W": (0, 0.4)}, "design": "lhs", "n": 100, "chunk_size": 10}
    folder = interrupted(monkeypatch, out, split, "nash", **settings)
    recorded = json.loads((folder / MANIFEST).read_text())
    digest = recorded["model_digest"][:12]
    other = split.with_values(V=2)
    with pytest.raises(bargain.ModelError) as err:
        bargain.sweep_to_file(out, other, "nash", resume=True, **{**settings, "chunk_size": 20})
    assert f"(model (its file or set values) digest {digest}, now digest " in str(
        err.value
    ) and "; chunk size 10, now 20); repeat them to resume it" in str(err.value)
    with pytest.raises(bargain.ModelError, match=r"\(seed \d+, now 7\)"):
        bargain.sweep_to_file(out, split, "nash", resume=True, **{**settings, "seed": 7})
    # The seed was drawn at random; the manifest holds it and the resumed run reuses it.
    report = bargain.sweep_to_file(out, split, "nash", resume=True, **settings)
    assert report.seed == recorded["seed"] and report.reused == 4
    clean = tmp_path / "clean.csv"
    bargain.sweep_to_file(clean, split, "nash", **{**settings, "seed": report.seed})
    assert out.read_bytes() == clean.read_bytes()


def test_a_finished_output_with_its_parts_folder_left_is_recognised(tmp_path, split, monkeypatch):
    """A kill during the clean-up leaves the folder (all, some or none of its parts, the
    manifest last): the output is whole, so the next run is not refused."""
    settings = {"vary": {"V": (1, 2, 9)}, "chunk_size": 2}
    reference = tmp_path / "ref.csv"
    bargain.sweep_to_file(reference, split, "nash", **settings)
    real = stream_module._remove_parts
    for kept in (5, 2, 0):
        out = tmp_path / f"kept{kept}.csv"

        def cut_short(folder: Path, kept: int = kept) -> None:
            for part in sorted(folder.glob("chunk-*"))[kept:]:
                part.unlink()
            raise KeyboardInterrupt

        monkeypatch.setattr(stream_module, "_remove_parts", cut_short)
        with pytest.raises(KeyboardInterrupt):
            bargain.sweep_to_file(out, split, "nash", **settings)
        monkeypatch.setattr(stream_module, "_remove_parts", real)
        assert out.read_bytes() == reference.read_bytes()
        assert len(list(parts_dir(out).glob("chunk-*"))) == kept
        report = bargain.sweep_to_file(out, split, "nash", **{**settings, "vary": {"V": (1, 3, 4)}})
        assert report.points == 4 and not parts_dir(out).exists()
    assert leftovers(tmp_path) == []


# -- SIGKILL at random points ------------------------------------------------------------


def killed_then_resumed(tmp_path: Path, fmt: str, kills: Callable[[int], list[int]]) -> None:
    """Kill runs in a row, each at its step k (real SIGKILLs, each run resuming the last),
    then run to the end: the file must equal an uninterrupted run's, byte for byte, with
    nothing else left. ``kills`` has the number of steps of an uninterrupted run."""
    argv = sweep_args(tmp_path / "out" / "killed", 11, "split", fmt)
    steps = 0

    def counting(call):
        def wrapped(*args, **kwargs):
            nonlocal steps
            steps += 1
            return call(*args, **kwargs)

        return wrapped

    reference = tmp_path / "ref" / f"reference.{fmt}"
    with pytest.MonkeyPatch.context() as m:
        for name in ("replace", "unlink", "rmdir"):
            m.setattr(os, name, counting(getattr(os, name)))
        assert main([*argv[:-1], str(reference)]) == 0
    # The manifest; 8 parts, each recorded (its digest) in the manifest before its rename;
    # the manifest with the joined file's stamp, the joined file; then the 8 parts, the
    # manifest, the folder and the lock removed.
    assert steps == 1 + 2 * 8 + 1 + 1 + 8 + 1 + 1 + 1
    for k in kills(steps):
        run = child([*argv, "--resume"], tmp_path / "log", at=k)
        run.join(60)
        assert run.exitcode == -signal.SIGKILL, (tmp_path / "log.err").read_text()
    assert main([*argv, "--resume"]) == 0
    assert (tmp_path / "out" / f"killed.{fmt}").read_bytes() == reference.read_bytes()
    assert leftovers(tmp_path / "out") == []


def test_sigkill_at_random_points_then_resume_gives_the_uninterrupted_file(tmp_path):
    """Five kills, each at a random step of a run: writing a part or the manifest, joining,
    removing the parts, the manifest or the lock."""
    # A run resuming all 8 parts takes 14 steps (the manifest, the join's 2, the clean-up's
    # 11), so a kill at k <= 14 always lands. With this seed, k = 8, 3, 12, 10, 5: writing
    # the 4th part of the fresh run, then in the resumed runs while writing parts, joining
    # or removing the parts.
    rng = random.Random(2024)
    killed_then_resumed(tmp_path, "csv", lambda steps: [rng.randint(1, 14) for _ in range(5)])


@pytest.mark.parametrize("k", [18, 19, 20])
def test_sigkill_around_the_join_then_resume_gives_the_uninterrupted_file(tmp_path, k):
    """A kill with the joined file whole but not yet recorded in the manifest (k=18), recorded
    but not yet renamed onto the output (19: the hidden temporary file is left), renamed
    (20: the parts folder is left whole)."""
    killed_then_resumed(tmp_path, "parquet", lambda steps: [k])
