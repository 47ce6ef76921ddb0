"""A sweep streamed to a file against the same sweep in memory, then written once.

The closed-form Rubinstein split (``models/split.toml``, three parameters varied,
random design), so that the time is the writing rather than the solving: ``bargain.sweep``
then ``DataFrame.to_parquet`` (``to_csv``) against ``bargain.sweep_to_file`` to a
``.parquet`` (``.csv``) file, in the same run, each the best of ``--repeat``. The ratio
``sweep_to_file / (sweep + write)`` is what to read (issue 16: it was 4x at 10^6
points, every chunk written twice).

    python benchmarks/stream_write.py [--points 1000000] [--repeat 3] [--formats parquet csv]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

from timing import best

import bargain


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", nargs="+", default=["parquet", "csv"])
    args = ap.parse_args()
    n = args.points
    model = bargain.load_model(bargain.models_dir() / "split.toml")
    vary = {"V": (0.5, 2.0), "delta_W": (0.5, 0.99), "delta_A": (0.5, 0.99)}
    settings = {"design": "random", "n": n, "seed": 1}
    bargain.sweep(model, "rubinstein", vary, **{**settings, "n": 10})  # compile outside
    print(f"closed-form sweep to a file, {n:,} points, {os.cpu_count()} cores, one process")
    with tempfile.TemporaryDirectory() as d:
        for fmt in args.formats:
            path = Path(d) / f"s.{fmt}"

            def in_memory(path: Path = path, fmt: str = fmt) -> None:
                df = bargain.sweep(model, "rubinstein", vary, **settings)
                if fmt == "csv":
                    df.to_csv(path, index_label="point")
                else:
                    df.to_parquet(path, engine="pyarrow", index=True)

            def streamed(path: Path = path) -> None:
                bargain.sweep_to_file(path, model, "rubinstein", vary, **settings)

            t_mem = best(in_memory, args.repeat)
            size_mem = path.stat().st_size
            path.unlink()
            t_stream = best(streamed, args.repeat)
            size_stream = path.stat().st_size
            path.unlink()
            print(f"  {fmt}: sweep + write   {t_mem:7.3f} s  ({size_mem / 1e6:6.1f} MB)")
            print(f"  {fmt}: sweep_to_file   {t_stream:7.3f} s  ({size_stream / 1e6:6.1f} MB)")
            print(f"  {fmt}: ratio sweep_to_file / (sweep + write) = {t_stream / t_mem:.2f}x")


if __name__ == "__main__":
    main()
