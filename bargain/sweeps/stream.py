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
once, with the values of an uninterrupted run. A manifest records what
determines the values; resuming with different settings is refused.

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

import json
import os
import shutil
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bargain.errors import ModelError
from bargain.model.model import Model
from bargain.sweeps.compile import STATUSES
from bargain.sweeps.sweep import (
    CHUNK_SIZE,
    SweepSpec,
    VarySpec,
    frame_of,
    plan,
    resolved,
    run_chunks,
)

if TYPE_CHECKING:
    import pandas as pd

FORMATS = (".csv", ".parquet")
MANIFEST = "manifest.json"


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


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through ``write(temporary_path)``, then flush and rename it into place:
    ``path`` appears whole or not at all."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        write(tmp)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _fsync_dir(path.parent)


def _write_frame(frame: pd.DataFrame, path: Path, suffix: str) -> None:
    if suffix == ".csv":
        frame.to_csv(path, index_label="point")
    else:
        frame.to_parquet(path, engine="pyarrow", index=True)


def _part(folder: Path, index: int, suffix: str) -> Path:
    return folder / f"chunk-{index:08d}{suffix}"


def _manifest(spec: SweepSpec, fingerprint: str, route: str, suffix: str) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint,
        "model": spec.model.name,
        "method": spec.method,
        "design": spec.design,
        "points": spec.n,
        "chunks": spec.n_chunks,
        "chunk_size": spec.chunk_size,
        "seed": spec.seed,
        "route": route,
        "format": suffix,
    }


def _read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        return json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError):
        return None


def _join(out: Path, folder: Path, chunks: int, suffix: str) -> dict[str, int]:
    """Join the part files, in order, into ``out`` (atomically); count the statuses."""
    counts = dict.fromkeys(STATUSES, 0)

    def count(frame: pd.DataFrame) -> None:
        for status, k in frame["status"].value_counts().items():
            counts[str(status)] += int(k)

    if suffix == ".csv":
        import pandas as pd

        def write(tmp: Path) -> None:
            with open(tmp, "w", encoding="utf-8", newline="") as dst:
                for i in range(chunks):
                    part = _part(folder, i, suffix)
                    text = part.read_text(encoding="utf-8")
                    head, _, body = text.partition("\n")
                    if i == 0:
                        dst.write(head + "\n")
                    dst.write(body)
                    count(pd.read_csv(part, usecols=["status"]))

    else:
        import pyarrow.parquet as pq

        def write(tmp: Path) -> None:
            writer = None
            try:
                for i in range(chunks):
                    table = pq.read_table(_part(folder, i, suffix))
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema)
                    writer.write_table(table)
                    count(table.select(["status"]).to_pandas())
            finally:
                if writer is not None:
                    writer.close()

    atomic_write(out, write)
    return counts


def sweep_to_file(
    out: str | os.PathLike[str],
    model: Model,
    method: str = "nash",
    vary: Mapping[str, VarySpec] | None = None,
    *,
    design: str = "grid",
    n: int | None = None,
    seed: int | None = None,
    chunk_size: int = CHUNK_SIZE,
    route: str = "auto",
    jobs: int | None = None,
    scheduler: str | None = None,
    resume: bool = False,
    progress: bool = False,
    timeout: float = 10.0,
    **options: Any,
) -> SweepReport:
    """Run a sweep chunk by chunk, streaming the rows to a CSV or Parquet file.

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
        As for :func:`bargain.sweep`. Without a seed, a resumed run takes the
        interrupted run's.
    **options
        Solver options.

    Raises
    ------
    ModelError
        For bad input (before any work), an unknown suffix, an interrupted run
        without ``resume``, or ``resume`` with settings that differ from the
        interrupted run's.
    ClusterError
        If the scheduler cannot be reached.
    """
    started = time.perf_counter()
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ModelError(
            f"unknown output format {out.suffix or '(none)'!r}; the formats are "
            f"{', '.join(FORMATS)}",
            table="sweep",
            key="out",
        )
    folder = parts_dir(out)
    previous = _read_manifest(folder) if folder.is_dir() else None
    if folder.is_dir() and not resume:
        raise ModelError(
            f"an interrupted run of this sweep is in {folder}; continue it with resume=True "
            "(--resume) or delete that folder",
            table="sweep",
            key="out",
        )
    if seed is None and previous is not None:
        seed = previous.get("seed")
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
        **options,
    )
    fingerprint = spec.fingerprint()
    if previous is not None and (
        previous.get("fingerprint") != fingerprint or previous.get("format") != suffix
    ):
        raise ModelError(
            f"the interrupted run in {folder} was made with different settings "
            f"({previous.get('method')} on {previous.get('model')}, {previous.get('design')} "
            f"design of {previous.get('points')} points, seed {previous.get('seed')}, "
            f"chunks of {previous.get('chunk_size')}); repeat them to resume, or delete it",
            table="sweep",
            key="resume",
        )
    if previous is not None:
        spec = replace(spec, route=previous["route"])  # the route the parts were made by
    from bargain.sweeps.cluster import executor

    with executor(jobs, scheduler) as client:  # connects (or fails) before any work
        spec, _ = resolved(spec)
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob(".*.tmp"):  # a write cut short by a kill
            stale.unlink()
        manifest = _manifest(spec, fingerprint, spec.route, suffix)
        atomic_write(folder / MANIFEST, lambda p: p.write_text(json.dumps(manifest, indent=1)))
        todo = [i for i in range(spec.n_chunks) if not _part(folder, i, suffix).exists()]
        for i, columns in run_chunks(spec, todo, client, progress=progress):
            frame = frame_of(spec, i, columns)
            atomic_write(_part(folder, i, suffix), lambda p, f=frame: _write_frame(f, p, suffix))
    counts = _join(out, folder, spec.n_chunks, suffix)
    shutil.rmtree(folder)
    return SweepReport(
        path=out,
        points=spec.n,
        chunks=spec.n_chunks,
        reused=spec.n_chunks - len(todo),
        statuses=counts,
        route=spec.route,
        seed=spec.seed,
        seconds=time.perf_counter() - started,
    )


__all__ = ["FORMATS", "SweepReport", "atomic_write", "parts_dir", "sweep_to_file"]
