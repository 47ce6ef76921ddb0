"""Peak memory of streamed sweeps at 10^5, 10^6 and 10^7 points.

Each run is a fresh subprocess that streams a sweep to a Parquet file with
``bargain.sweep_to_file`` and reports its peak resident set size
(``resource.getrusage``) and the peak of Python-tracked allocations during the
sweep (``tracemalloc``, which numpy reports to), each as the increase over
the process after its imports. Memory should stay flat beyond the chunk size
(65,536 points); for contrast, the in-memory ``bargain.sweep`` holds every
row, so it grows with the number of points.

    python benchmarks/memory.py [--sizes 100000 1000000 10000000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = r"""
import json, resource, sys, tempfile, time, tracemalloc
from pathlib import Path
import bargain
model_name, method, n, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
model = bargain.load_model(bargain.models_dir() / f"{model_name}.toml")
vary = {"delta_W": (0.5, 0.99), "delta_A": (0.5, 0.99)}
vary.update({"V": (0.5, 2.0)} if model_name == "split" else {"a": (0.5, 4.0)})
bargain.sweep(model, method, vary, design="random", n=10, seed=1)  # compile outside the count
base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t = time.perf_counter()
with tempfile.TemporaryDirectory() as d:
    if mode == "stream":
        bargain.sweep_to_file(Path(d) / "s.parquet", model, method, vary, design="random",
                              n=n, seed=1)
    else:
        df = bargain.sweep(model, method, vary, design="random", n=n, seed=1)
seconds = time.perf_counter() - t
_, peak = tracemalloc.get_traced_memory()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"traced": peak, "rss": (rss - base_rss) * 1024, "seconds": seconds}))
"""


def run(model: str, method: str, n: int, mode: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, model, method, str(n), mode],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=tempfile.gettempdir(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10**5, 10**6, 10**7])
    args = ap.parse_args()
    mb = 1 / 2**20
    print("peak memory above the process after imports, MiB (chunks of 65,536 points)")
    print(f"  {'sweep':<44} {'points':>11} {'tracemalloc':>12} {'RSS':>8} {'time':>8}")
    cases = [
        ("split", "rubinstein", "stream", "closed form, streamed to Parquet"),
        ("cara", "rubinstein", "stream", "numeric (Newton), streamed to Parquet"),
        ("split", "rubinstein", "memory", "closed form, in memory (DataFrame)"),
    ]
    for model, method, mode, label in cases:
        for n in args.sizes:
            if mode == "memory" and n > 10**6:
                continue
            r = run(model, method, n, mode)
            print(
                f"  {label:<44} {n:>11,} {r['traced'] * mb:>12.1f} {r['rss'] * mb:>8.1f}"
                f" {r['seconds']:>7.2f}s"
            )


if __name__ == "__main__":
    main()
