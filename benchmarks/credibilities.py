"""Credibility reports at many points: batched (``bargain.credibilities``) against the loop.

The flagship (``models/wga2007.toml``) at ``--points`` random points of its uncertain
parameters (uniform over their declared ranges, seed 0), under the Nash solution:
``bargain.credibility`` at each point (the scalar loop, as the uncertainty table ran
before) against ``bargain.credibilities`` at all of them (the stages solved by one sweep
kernel). Each in a fresh interpreter, interleaved ``--repeat`` times, best CPU time kept
(``timing.best_times``), minus a baseline that imports the same modules and draws the
same points; the ratio is what to read, as absolute times move with the machine's load.

    python benchmarks/credibilities.py [--points 32] [--repeat 2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from timing import best_times

SETUP = """
import numpy as np
import bargain
from bargain.sweeps.credibilities import credibilities
m = bargain.load_model(bargain.models_dir() / "wga2007.toml")
names = [p.name for p in m.parameters if p.distribution is not None]
rng = np.random.default_rng(0)
points = {{k: rng.uniform(*(float(x) for x in m.parameter(k).range), {n}) for k in names}}
"""
LOOP = """
for i in range({n}):
    try:
        bargain.credibility(m.with_values(**{{k: float(v[i]) for k, v in points.items()}}),
                            exact=False)
    except bargain.BargainError:
        pass
"""
BATCH = "credibilities(m, points, exact=False)\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=32)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    setup = SETUP.format(n=args.points)
    commands = {
        "baseline (imports, points)": setup,
        "loop: credibility per point": setup + LOOP.format(n=args.points),
        "batch: credibilities": setup + BATCH,
    }
    best = best_times(
        commands,
        args.repeat,
        lambda code: subprocess.run([sys.executable, "-c", code], capture_output=True, check=True),
    )
    base = best["baseline (imports, points)"][1]
    print(f"wga2007, {args.points} points, best of {args.repeat} fresh processes, CPU seconds")
    for name, (_, cpu) in best.items():
        print(f"  {name:<30} {cpu:7.2f} s  (above the baseline {cpu - base:6.2f} s)")
    loop = best["loop: credibility per point"][1] - base
    batch = best["batch: credibilities"][1] - base
    print(f"batch / loop: {batch / loop:.2f} ({loop / batch:.1f} times faster)")


if __name__ == "__main__":
    main()
