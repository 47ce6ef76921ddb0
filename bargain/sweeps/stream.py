"""Sweeps streamed to a file in bounded memory, resumable after a crash.

:func:`sweep_to_file` runs a sweep chunk by chunk and writes each chunk, as it
finishes, to its own part file in ``OUT.parts/``; at the end the parts are
joined, in order, into ``OUT`` (CSV or Parquet, by the suffix) and the
folder is removed. Memory holds a few chunks at a time, whatever the number
of points.

No lost work, no duplicated work: every file is written to a temporary name,
flushed to disk and renamed into place (``os.replace``, atomic on POSIX), so a
part file either exists whole or not at all, whenever the process is killed
(SIGKILL included). ``resume=True`` keeps the parts already written, solves
the missing chunks and joins them all: the result has every point exactly
once, with the values of an uninterrupted run. A manifest, written first and
removed last, records what determines the values (the model's digest, the
seed, ...); resuming parts it does not vouch for, or with different settings,
is refused. One run at a time writes ``OUT`` (:mod:`bargain.sweeps.lock`).
The guarantees are listed in docs/sweeps.md ("Guarantees of a sweep file").

Examples
--------
>>> import bargain, pandas as pd, tempfile, pathlib
>>> m = bargain.load_model(bargain.models_dir() / "split.toml")
>>> out = pathlib.Path(tempfile.mkdtemp()) / "split.csv"
>>> report = bargain.sweep_to_file(out, m, "nash", {"d_W": (0, 0.4, 5)}, chunk_size=2)
>>> report.points, report.chunks, report.statuses["ok"]
(5, 3, 5)
>>> pd.read_csv(out, index_col="point")["x"].tolist()
[0.5, 0.55, 0.6, 0.65, 0.7]
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bargain.errors import ModelError
from bargain.model.model import Model
from bargain.model.validate import require_model
from bargain.sweeps.compile import STATUSES
from bargain.sweeps.lock import locked
from bargain.sweeps.sweep import (
    SweepSpec,
    VarySpec,
    frame_of,
    plan,
    resolved,
    run_chunks,
    workers_of,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

FORMATS = (".csv", ".parquet")
MANIFEST = "manifest.json"
#: The manifest's layout; parts recorded under another cannot be verified.
MANIFEST_VERSION = 3
_COPY = 1 << 20  # bytes copied at a time when joining CSV parts

#: The settings a manifest records (``SweepSpec.settings()`` and the format), as a
#: refusal to resume names them.
_LABELS = {
    "model_digest": "model (its file or set values)",
    "method": "method",
    "vary": "varied parameters",
    "design": "design",
    "points": "number of points",
    "seed": "seed",
    "chunk_size": "chunk size",
    "route": "route",
    "options": "solver options",
    "format": "format",
}


@dataclass(frozen=True)
class SweepReport:
    """What :func:`sweep_to_file` did.

    Attributes
    ----------
    path
        The output file.
    points, chunks
        Points and chunks in the sweep.
    reused
        Chunks found complete from an earlier, interrupted run.
    damaged
        Parts of that run whose bytes were not those recorded in its manifest (cut
        short or edited): solved again, not kept.
    statuses
        Number of points with each status.
    route, seed
        The kernel route and the design's seed.
    seconds
        Wall time of this run.
    """

    path: Path
    points: int
    chunks: int
    reused: int
    damaged: int
    statuses: dict[str, int]
    route: str
    seed: int
    seconds: float


def parts_dir(out: Path) -> Path:
    """The folder of part files of a sweep written to ``out``."""
    return out.with_name(out.name + ".parts")


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write(
    path: Path, write: Callable[[Path], None], commit: Callable[[Path], None] | None = None
) -> None:
    """Write ``path`` through a temporary file, flushed and renamed into place: ``path``
    appears whole or not at all.

    Parameters
    ----------
    path
        The file to write.
    write
        Writes the content to the temporary path it is given, ``.NAME.PID.tmp`` beside
        ``path``.
    commit
        If given, called with the temporary path once it is whole and on disk, just
        before the rename (to record it in a manifest).
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if commit is not None:
            commit(tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)


def _remove_temporaries(out: Path, folder: Path) -> None:
    """Remove the temporary files of writes cut short by a kill (beside ``out`` and in
    ``folder``); called under the lock, when no other run can be writing them."""
    for tmp in [*out.parent.glob(f".{glob.escape(out.name)}.*.tmp"), *folder.glob(".*.tmp")]:
        tmp.unlink(missing_ok=True)


def _stamp(path: Path) -> list[int] | None:
    """A file's inode, size and modification time (a rename keeps them); None if absent."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return None
    return [st.st_ino, st.st_size, st.st_mtime_ns]


def _write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    atomic_write(folder / MANIFEST, lambda p: p.write_text(json.dumps(manifest, indent=1)))


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    """The manifest in ``folder``; None if missing, unreadable or of another layout."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    if (
        not isinstance(manifest, dict)
        or manifest.get("version") != MANIFEST_VERSION
        or not {*_LABELS, "chunks", "kernel_route", "output", "parts"} <= set(manifest)
        or not isinstance(manifest["parts"], dict)
    ):
        return None
    return manifest


def _remove_parts(folder: Path) -> None:
    """Remove the parts folder: the parts first, the manifest last, so that a kill at any
    moment leaves nothing its manifest does not vouch for."""
    for path in folder.iterdir():
        if path.name != MANIFEST:
            path.unlink()
    (folder / MANIFEST).unlink(missing_ok=True)
    folder.rmdir()


def _previous_run(out: Path, folder: Path) -> dict[str, Any] | None:
    """The manifest of an unfinished earlier run into ``out``, or None.

    A folder with nothing to keep is removed: one whose run finished (killed during the
    clean-up, when ``out`` is the file its manifest recorded) or which holds no parts.
    """
    if not folder.is_dir():
        return None
    manifest = _read_manifest(folder)
    parts = list(folder.glob("chunk-*"))
    if manifest is None and parts:
        raise ModelError(
            f"the parts in {folder} cannot be verified: its {MANIFEST} is missing, unreadable "
            "or from another version of bargain, so the settings, seed and model they were "
            "made with are unknown; delete that folder to start afresh",
            table="sweep",
            key="resume",
        )
    recorded = None if manifest is None else manifest.get("output")
    if manifest is None or not parts or (recorded is not None and recorded == _stamp(out)):
        _remove_parts(folder)
        return None
    return manifest


def _digest(path: Path) -> str:
    """The SHA-256 digest of a file's bytes (a part's, recorded in the manifest)."""
    found = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_COPY), b""):
            found.update(block)
    return found.hexdigest()


def _damaged(folder: Path, manifest: dict[str, Any], spec: SweepSpec, suffix: str) -> list[int]:
    """The chunks whose part file is not the one the manifest recorded (cut short,
    edited, or written by no run of this manifest), or whose points are not this run's
    (:func:`_foreign`: a manifest edited to another seed): they are removed and solved
    again."""
    recorded = manifest["parts"]
    damaged = []
    for i in range(spec.n_chunks):
        part = _part(folder, i, suffix)
        if part.exists() and (recorded.get(str(i)) != _digest(part) or _foreign(part, spec, i)):
            part.unlink()
            damaged.append(i)
    return damaged


def _foreign(part: Path, spec: SweepSpec, index: int) -> bool:
    """Whether the part file of chunk ``index`` holds other points than ``spec`` draws
    there (its varied parameters' columns, compared exactly: both are the same floats,
    written to all their digits), or cannot be read: a digest vouches only for the bytes
    the manifest recorded, and a manifest edited by hand (its seed changed) would let a
    resumed run mix the points of two designs in one file."""
    import pandas as pd

    names = list(spec.names)
    try:
        if part.suffix == ".csv":
            found = pd.read_csv(part, usecols=names)
        else:
            found = pd.read_parquet(part, columns=names)
    except (OSError, ValueError, KeyError):
        return True
    expected = spec.points(*spec.chunk(index))
    return not all(
        np.array_equal(found[name].to_numpy(dtype=float), expected[name] + 0.0) for name in names
    )


def _check_same(recorded: dict[str, Any], current: dict[str, Any], folder: Path) -> None:
    """Refuse to resume the run in ``folder`` if its settings differ, naming each one."""
    differences = [
        f"{label} {_shown(key, recorded[key])}, now {_shown(key, current[key])}"
        for key, label in _LABELS.items()
        if recorded[key] != current[key]
    ]
    if differences:
        raise ModelError(
            f"the interrupted run in {folder} was made with other settings "
            f"({'; '.join(differences)}); repeat them to resume it, or delete that folder",
            table="sweep",
            key="resume",
        )


def _shown(key: str, value: Any) -> str:
    return f"digest {str(value)[:12]}" if key == "model_digest" else json.dumps(value)


def _join(
    out: Path,
    folder: Path,
    chunks: int,
    suffix: str,
    counts: dict[int, list[int]],
    commit: Callable[[Path], None],
) -> dict[str, int]:
    """Join the part files, in order, into ``out`` (atomically, calling ``commit`` with the
    finished temporary file before the rename); count the statuses.

    ``counts`` holds the status counts of the chunks solved by this run; only a part kept
    from an interrupted run has its ``status`` column read again. A CSV part is copied
    byte for byte; a Parquet part's table becomes one row group of ``out``
    (:func:`_parquet_writer`)."""
    total = np.zeros(len(STATUSES), dtype=np.int64)

    def add(index: int, read_status: Callable[[], np.ndarray]) -> None:
        found = counts.get(index)
        total[:] += found if found is not None else _status_counts(read_status())

    if suffix == ".csv":
        import pandas as pd

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as dst:
                for i in range(chunks):
                    part = _part(folder, i, suffix)
                    with open(part, "rb") as src:
                        head = src.readline()
                        if i == 0:
                            dst.write(head)
                        shutil.copyfileobj(src, dst, _COPY)
                    add(i, lambda p=part: _codes(pd.read_csv(p, usecols=["status"])["status"]))

    else:
        import pyarrow.parquet as pq

        def write(tmp: Path) -> None:
            writer = None
            try:
                for i in range(chunks):
                    table = pq.ParquetFile(_part(folder, i, suffix)).read(use_threads=False)
                    if writer is None:
                        writer = _parquet_writer(tmp, table.schema)
                    writer.write_table(table, row_group_size=max(1, table.num_rows))
                    add(i, lambda t=table: _codes(t.column("status").to_pandas()))
            finally:
                if writer is not None:
                    writer.close()

    atomic_write(out, write, commit)
    return {status: int(k) for status, k in zip(STATUSES, total, strict=True)}


def _status_counts(codes: np.ndarray) -> list[int]:
    """Points with each status, from their codes (indices into :data:`STATUSES`)."""
    return np.bincount(codes, minlength=len(STATUSES)).tolist()


def _codes(column: pd.Series) -> np.ndarray:
    """The status codes of a ``status`` column read back from a part (its names, or a
    categorical of them)."""
    import pandas as pd

    return pd.Categorical(column.astype(str), categories=list(STATUSES)).codes


def _parquet_writer(path: Path, schema: pa.Schema, *, part: bool = False) -> pq.ParquetWriter:
    """A Parquet writer for sweep rows: dictionary encoding for ``status`` only (random
    floats have no repeats to gain from a dictionary, and building one tripled the time of
    writing a sweep). A part file, read once by the join, is not compressed."""
    import pyarrow.parquet as pq

    return pq.ParquetWriter(
        path, schema, use_dictionary=["status"], compression="none" if part else "snappy"
    )


def _write_part(frame: pd.DataFrame, path: Path, suffix: str) -> None:
    if suffix == ".csv":
        frame.to_csv(path, index_label="point")
        return
    import pyarrow as pa

    table = pa.Table.from_pandas(frame, preserve_index=True)
    with _parquet_writer(path, table.schema, part=True) as writer:
        writer.write_table(table, row_group_size=max(1, table.num_rows))


def _part(folder: Path, index: int, suffix: str) -> Path:
    return folder / f"chunk-{index:08d}{suffix}"


def sweep_to_file(
    out: str | os.PathLike[str],
    model: Model,
    method: str = "nash",
    vary: Mapping[str, VarySpec] | None = None,
    *,
    design: str = "grid",
    n: int | None = None,
    seed: int | None = None,
    chunk_size: int | None = None,
    route: str = "auto",
    jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
    timeout: float = 10.0,
    **options: Any,
) -> SweepReport:
    """Run a sweep chunk by chunk, streaming the rows to a CSV or Parquet file.

    One run at a time writes ``out``: the run holds ``OUT.lock``
    (:mod:`bargain.sweeps.lock`) until it ends, and takes over the lock of a
    run that was killed, removing that run's temporary files.

    Parameters
    ----------
    out
        The output file; its suffix, ``.csv`` or ``.parquet``, sets the format.
        The rows are those of :func:`bargain.sweep` (with ``point`` as the
        first column).
    resume
        Continue an interrupted run of the same sweep into the same file: keep
        the chunks it wrote, solve the others. Without it, an interrupted run
        left in ``OUT.parts`` is refused rather than overwritten.
    model, method, vary, design, n, seed, chunk_size, route, jobs, scheduler, progress, timeout
        As for :func:`bargain.sweep`. Without a seed (a chunk size), a resumed run takes
        the interrupted run's (recorded in its manifest, drawn at random or not).
    **options
        Solver options.

    Raises
    ------
    ModelError
        For bad input, an unknown suffix, another live run writing ``out``, an
        interrupted run without ``resume``, ``resume`` with settings (model,
        seed, ...) that differ from the interrupted run's (naming each), or parts
        whose manifest is missing or unreadable.
    ClusterError
        If the scheduler cannot be reached.
    """
    require_model(model)
    started = time.perf_counter()
    out = Path(out)
    if out.is_symlink():
        # The file it names: its lock and its parts are that file's, so that a run
        # writing the link and one writing the file itself cannot both write it (the
        # link was replaced by a file of its own, the other run's lost).
        out = out.resolve()
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ModelError(
            f"unknown output format {out.suffix or '(none)'!r}; the formats are "
            f"{', '.join(FORMATS)}",
            table="sweep",
            key="out",
        )
    if out.is_dir():
        raise ModelError(
            f"{out} is a folder: give the output file's name", table="sweep", key="out"
        )
    folder = parts_dir(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ModelError(
            f"cannot create the folder {out.parent}: {err.strerror}", table="sweep", key="out"
        ) from None
    with locked(out):
        _remove_temporaries(out, folder)
        previous = _previous_run(out, folder)
        if previous is not None and not resume:
            raise ModelError(
                f"an interrupted run of this sweep is in {folder} "
                f"({len(list(folder.glob('chunk-*')))} of {previous['chunks']} chunks "
                "written); continue it with resume=True (--resume) or delete that folder",
                table="sweep",
                key="out",
            )
        if previous is not None:
            seed = previous["seed"] if seed is None else seed
            chunk_size = previous["chunk_size"] if chunk_size is None else chunk_size
        spec = plan(
            model,
            method,
            vary or {},
            design=design,
            n=n,
            seed=seed,
            chunk_size=chunk_size,
            route=route,
            timeout=timeout,
            workers=workers_of(jobs, scheduler),
            **options,
        )
        settings = json.loads(json.dumps({**spec.settings(), "format": suffix}))
        if previous is not None:
            _check_same(previous, settings, folder)
            spec = replace(spec, route=previous["kernel_route"])  # the route the parts were made by
        from bargain.sweeps.cluster import executor

        with executor(jobs, scheduler) as client:  # connects (or fails) before any work
            spec, _ = resolved(spec)
            folder.mkdir(exist_ok=True)
            manifest = {
                "version": MANIFEST_VERSION,
                **settings,
                "model": spec.model.name,
                "chunks": spec.n_chunks,
                "kernel_route": spec.route,
                "output": None,
                "parts": {} if previous is None else dict(previous["parts"]),
            }
            damaged = [] if previous is None else _damaged(folder, previous, spec, suffix)
            for i in damaged:
                manifest["parts"].pop(str(i), None)
            _write_manifest(folder, manifest)
            todo = [i for i in range(spec.n_chunks) if not _part(folder, i, suffix).exists()]
            counts: dict[int, list[int]] = {}

            def record(index: int, written: Path) -> None:
                manifest["parts"][str(index)] = _digest(written)
                _write_manifest(folder, manifest)

            for i, columns in run_chunks(spec, todo, client, progress=progress):
                frame = frame_of(spec, i, columns)
                part = _part(folder, i, suffix)
                atomic_write(
                    part,
                    lambda p, f=frame: _write_part(f, p, suffix),
                    lambda p, i=i: record(i, p),
                )
                counts[i] = _status_counts(columns["status"])

        def commit(joined: Path) -> None:
            _write_manifest(folder, {**manifest, "output": _stamp(joined)})

        statuses = _join(out, folder, spec.n_chunks, suffix, counts, commit)
        _remove_parts(folder)
    return SweepReport(
        path=out,
        points=spec.n,
        chunks=spec.n_chunks,
        reused=spec.n_chunks - len(todo),
        damaged=len(damaged),
        statuses=statuses,
        route=spec.route,
        seed=spec.seed,
        seconds=time.perf_counter() - started,
    )


__all__ = ["FORMATS", "SweepReport", "atomic_write", "parts_dir", "sweep_to_file"]
