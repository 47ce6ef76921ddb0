"""Closed-form sweep against a hand-written numpy expression of the same formula.

The Rubinstein (1982) split of a surplus, x = V (1 - δ_A) / (1 - δ_A δ_W), with
the payoffs x and V - x, at the same one million random points for every
contender; each is timed as the best of several repeats in this one run.

    python benchmarks/closed_form.py [--points 1000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from timing import best

import bargain
from bargain.sweeps.compile import compile_kernel
from bargain.sweeps.sweep import CHUNK_SIZE


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    n = args.points
    model = bargain.load_model(bargain.models_dir() / "split.toml")
    vary = {"V": (0.5, 2.0), "delta_W": (0.5, 0.99), "delta_A": (0.5, 0.99)}
    rng = np.random.default_rng(0)
    points = {k: rng.uniform(lo, hi, n) for k, (lo, hi) in vary.items()}

    t = time.perf_counter()
    kernel = compile_kernel(model, "rubinstein", list(vary))
    compile_s = time.perf_counter() - t
    assert kernel.route == "closed", kernel.route

    def by_hand():
        v, dw, da = points["V"], points["delta_W"], points["delta_A"]
        x = v * (1 - da) / (1 - da * dw)
        return x, x, v - x

    def by_hand_drawing_points():
        # The same work as the sweep's random design: draw the points, then the formula.
        g = np.random.default_rng(1)
        v, dw, da = (lo + (hi - lo) * g.random(n) for lo, hi in vary.values())
        x = v * (1 - da) / (1 - da * dw)
        return x, x, v - x

    def whole():
        return kernel(points)

    def chunked():
        size = CHUNK_SIZE
        for s in range(0, n, size):
            kernel({k: a[s : s + size] for k, a in points.items()})

    out = whole()
    x_hand = by_hand()[0]
    assert np.all(out["status"] == 0)
    err = float(np.max(np.abs(out["x"] - x_hand) / np.abs(x_hand)))

    t_hand = best(by_hand, args.repeat)
    t_hand_draw = best(by_hand_drawing_points, args.repeat)
    t_kernel = best(whole, args.repeat)
    t_chunked = best(chunked, args.repeat)
    t_sweep = best(
        lambda: bargain.sweep(model, "rubinstein", vary, design="random", n=n, seed=1),
        max(1, args.repeat - 2),
    )

    rows = [
        ("(a) hand-written numpy: formula and payoffs", t_hand, None),
        ("kernel, one call on all points", t_kernel, (t_hand, "a")),
        (f"kernel, called per chunk of {CHUNK_SIZE:,}", t_chunked, (t_hand, "a")),
        ("(b) hand-written, drawing the random points too", t_hand_draw, None),
        ("bargain.sweep: design, kernel, DataFrame", t_sweep, (t_hand_draw, "b")),
    ]
    print(f"closed-form sweep, {n:,} points, {os.cpu_count()} cores, one process")
    print(f"  formula: x = {kernel.formula['x']}   (compiled once, in {compile_s:.2f} s)")
    print(f"  max relative difference, kernel vs hand-written: {err:.1e}")
    for label, t, ref in rows:
        ratio = f"{t / ref[0]:5.2f}x ({ref[1]})" if ref else ""
        print(f"  {label:<49} {t * 1e3:7.1f} ms {n / t:13,.0f} points/s {ratio}")
    print(
        f"  targets: 1e6 points in under 1 s: {'met' if t_sweep < 1 else 'NOT met'}"
        f" ({t_sweep:.3f} s); kernel within 3x of hand-written numpy:"
        f" {'met' if t_kernel / t_hand <= 3 else 'NOT met'} ({t_kernel / t_hand:.2f}x)"
    )


if __name__ == "__main__":
    main()
