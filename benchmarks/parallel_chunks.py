"""A sweep on a local Dask cluster: one chunk (the old default) against chunks for every
worker (the new default), and against the same sweep in one process, in one run.

The sweep is point by point (``route="loop"``: Kalai–Smorodinsky on ``split.toml``,
the kind of sweep for which workers pay off), ``--points`` random points. Before,
``chunk_size`` defaulted to 65,536 whatever ``jobs``, so a sweep of fewer points ran
as one chunk on one worker; now ``chunk_size=None`` gives each worker 4 chunks
(``bargain.sweeps.sweep.chunk_size_for``). The ratios are what to read.

    python benchmarks/parallel_chunks.py [--points 2000] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import time

import bargain
from bargain.sweeps.sweep import CHUNK_SIZE, chunk_size_for


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    n, jobs = args.points, args.jobs
    model = bargain.load_model(bargain.models_dir() / "split.toml")

    def run(**kw):
        t = time.perf_counter()
        df = bargain.sweep(
            model,
            "kalai-smorodinsky",
            {"d_W": (0.0, 0.4), "V": (1.0, 2.0)},
            design="random",
            n=n,
            seed=1,
            route="loop",
            **kw,
        )
        return df, time.perf_counter() - t

    alone, t_alone = run()
    one, t_one = run(jobs=jobs, chunk_size=CHUNK_SIZE)
    many, t_many = run(jobs=jobs)
    assert alone.equals(one) and alone.equals(many)
    size = chunk_size_for(n, jobs)
    print(f"Kalai-Smorodinsky point by point on split, {n:,} points, {os.cpu_count()} cores")
    print(f"  one process                          {t_alone:8.2f} s")
    print(f"  --jobs {jobs}, one chunk of {min(n, CHUNK_SIZE):,} (before) {t_one:8.2f} s")
    print(f"  --jobs {jobs}, {-(-n // size)} chunks of {size:,} (now)   {t_many:8.2f} s")
    print(
        f"  ratios: before / now {t_one / t_many:.2f}x; one process / now {t_alone / t_many:.2f}x"
    )


if __name__ == "__main__":
    main()
