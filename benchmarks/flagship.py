"""Sweeps of the flagship (three contract variables) against the per-point loop.

``models/wga2007.toml`` bargains over a flat rate F and two residual rates e and d,
each in its bounds (the flat rate's floor F = 0 binds at some points, the rates'
bounds at others). ``bargain.sweep(..., "nash")`` and ``(..., "rubinstein")`` with two
parameters varied (a_W, m_A over their declared ranges) run the batched projected
Newton of ``bargain.concepts.vectorised.Box`` (the alternating-offers game through
the transfer reduction), ``"kalai-smorodinsky"`` and ``"egalitarian"`` the batched
Newton of ``bargain.concepts.common_gain.CommonGain``; the baseline is the same sweep
with ``route="loop"`` (the scalar solver at each point, as every multi-variable sweep ran
before), timed on a
subsample of the same points and extrapolated (its per-point cost does not depend on
the number of points). Both in this one run; the ratio is what to read, as absolute
times move with the machine's load. CPU time (``time.process_time``) is shown too.

    python benchmarks/flagship.py [--points 100000] [--loop 20]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import bargain

VARY = {"a_W": None, "m_A": None}


def timed(f):
    wall, cpu = time.perf_counter(), time.process_time()
    out = f()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=100_000)
    ap.add_argument("--loop", type=int, default=20, help="points of the per-point loop")
    args = ap.parse_args()
    n, k = args.points, args.loop
    model = bargain.load_model(bargain.models_dir() / "wga2007.toml")
    print(f"flagship sweeps (wga2007, a_W and m_A varied), {n:,} random points, ")
    print(f"{os.cpu_count()} cores, one process; the loop on {k} of the same points")
    for method in ("nash", "rubinstein", "kalai-smorodinsky", "egalitarian"):

        def run(points: int, route: str = "auto", method: str = method):
            return bargain.sweep(
                model, method, VARY, design="random", n=points, seed=1, route=route
            )

        _, t_compile, _ = timed(lambda: run(1))  # compiles the kernel (cached per process)
        df, t_sweep, c_sweep = timed(lambda: run(n))
        loop, t_loop, c_loop = timed(lambda: run(k, "loop"))
        head = df.iloc[:k]  # the random design's first k points are the loop's k points
        same = head["status"].to_numpy() == loop["status"].to_numpy()
        ok = (loop["status"] == "ok").to_numpy()
        rel = max(
            float(np.max(np.abs(head[c][ok] - loop[c][ok]) / np.maximum(1, np.abs(loop[c][ok]))))
            for c in ("F", "e", "d", "payoff_W", "payoff_A")
        )
        counts = df["status"].value_counts().to_dict()
        print(f"\n  {method}: route {df.attrs['route']}; statuses {counts}")
        print(f"    compiling the kernel (once)        {t_compile:8.2f} s")
        print(
            f"    sweep, {n:,} points            {t_sweep:8.2f} s {n / t_sweep:10,.0f} points/s"
            f" ({n / c_sweep:,.0f} per CPU s)"
        )
        print(
            f"    per-point loop, {k} points          {t_loop:8.2f} s {k / t_loop:10,.1f} points/s"
            f" ({k / c_loop:,.1f} per CPU s)"
        )
        print(
            f"    ratio sweep / loop (points per s)  {(n / t_sweep) / (k / t_loop):10,.0f}x;"
            f" statuses equal: {bool(same.all())}; max relative difference {rel:.1e}"
        )
        print(f"    target >= 10,000 points/s: {'met' if n / t_sweep >= 10_000 else 'NOT met'}")


if __name__ == "__main__":
    main()
