"""A sweep with no closed form against per-point loops, on the same points.

The alternating-offers equilibrium of ``models/cara.toml`` (risk-averse writers,
u_W = (1 - exp(-a x)) / a, against risk-neutral producers): the two
indifference conditions have no closed-form solution, so the sweep runs the
vectorised safeguarded Newton of ``bargain.sweeps.compile`` over all points at once.
The baselines solve the same points one at a time:

- the scalar solver, ``bargain.rubinstein(model.with_values(...), exact=False)``;
- a hand-written per-point scipy solve: ``scipy.optimize.root`` (hybr) on the
  two indifference conditions, with the payoffs compiled once to plain Python.

The loops are too slow to run over a million points: each is timed on a
random subsample of the sweep's own points and extrapolated linearly (the
per-point cost does not depend on how many points there are).

    python benchmarks/numeric.py [--points 1000000] [--loop 2000] [--solver-loop 200]
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from scipy.optimize import root

import bargain
from bargain.sweeps.compile import compile_kernel


def scipy_point(a: float, d_w: float, d_a: float) -> float:
    """The writers' equilibrium proposal at one point, by scipy.optimize.root."""
    # x_W: writers' proposal; x_A: producers'. Producers accept x_W if 1 - x_W = d_A (1 - x_A);
    # writers accept x_A if u(x_A) = d_W u(x_W), u(x) = (1 - exp(-a x)) / a.

    def u(x: float) -> float:
        return (1 - math.exp(-a * x)) / a

    def equations(z):
        x_w, x_a = z
        return [1 - x_w - d_a * (1 - x_a), u(x_a) - d_w * u(x_w)]

    def jacobian(z):
        x_w, x_a = z
        return [[-1.0, d_a], [-d_w * math.exp(-a * x_w), math.exp(-a * x_a)]]

    sol = root(equations, [0.5, 0.5], jac=jacobian, method="hybr", options={"xtol": 1e-14})
    return float(sol.x[0]) if sol.success else math.nan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=1_000_000)
    ap.add_argument("--loop", type=int, default=2000, help="subsample for the scipy loop")
    ap.add_argument("--solver-loop", type=int, default=200, help="subsample for the solver loop")
    args = ap.parse_args()
    n = args.points
    model = bargain.load_model(bargain.models_dir() / "cara.toml")
    vary = {"a": (0.5, 4.0), "delta_W": (0.5, 0.99), "delta_A": (0.5, 0.99)}

    t = time.perf_counter()
    df = bargain.sweep(model, "rubinstein", vary, design="random", n=n, seed=1)
    t_first = time.perf_counter() - t  # includes compiling the kernel
    t = time.perf_counter()
    df = bargain.sweep(model, "rubinstein", vary, design="random", n=n, seed=1)
    t_sweep = time.perf_counter() - t
    assert df.attrs["route"] == "numeric", df.attrs["route"]
    ok = int((df["status"] == "ok").sum())

    kernel = compile_kernel(
        model.with_values(a=2.25, delta_W=0.745, delta_A=0.745),
        "rubinstein",
        list(vary),
        route="numeric",
    )
    points = {k: df[k].to_numpy() for k in vary}
    t = time.perf_counter()
    kernel(points)
    t_kernel = time.perf_counter() - t

    rng = np.random.default_rng(2)
    sub = rng.choice(n, size=max(args.loop, args.solver_loop), replace=False)
    rows = df.iloc[sub]
    t = time.perf_counter()
    by_scipy = [scipy_point(r.a, r.delta_W, r.delta_A) for r in rows[: args.loop].itertuples()]
    t_scipy = (time.perf_counter() - t) / args.loop
    t = time.perf_counter()
    by_solver = [
        bargain.rubinstein(
            model.with_values(a=r.a, delta_W=r.delta_W, delta_A=r.delta_A), exact=False
        ).agreement["x"]
        for r in rows[: args.solver_loop].itertuples()
    ]
    t_solver = (time.perf_counter() - t) / args.solver_loop
    diff_scipy = np.nanmax(np.abs(rows["x"].to_numpy()[: args.loop] - by_scipy))
    diff_solver = np.max(np.abs(rows["x"].to_numpy()[: args.solver_loop] - by_solver))

    print(f"non-closed-form sweep (rubinstein on cara), {n:,} points, {os.cpu_count()} cores,")
    print("one process; loops timed on a subsample of the same points and extrapolated")
    print(f"  status ok: {ok:,} of {n:,}")
    print(
        f"  max |x sweep - x scipy.optimize.root|: {diff_scipy:.1e}"
        f"   max |x sweep - x scalar solver|: {diff_solver:.1e}"
    )
    print(f"  bargain.sweep, first call (compiles)    {t_first:9.3f} s")
    print(
        f"  bargain.sweep                           {t_sweep:9.3f} s {n / t_sweep:12,.0f} points/s"
    )
    print(
        f"  kernel alone on the same points         {t_kernel:9.3f} s"
        f" {n / t_kernel:12,.0f} points/s"
    )
    for label, per, k in (
        ("per-point scipy.optimize.root", t_scipy, args.loop),
        ("per-point scalar solver", t_solver, args.solver_loop),
    ):
        print(
            f"  {label:<30} {per * n:9.1f} s extrapolated from {k:,} points"
            f" ({1 / per:,.0f} points/s): sweep is {per * n / t_sweep:,.0f}x faster"
        )
    print(
        f"  target: >= 1000x the per-point scipy loop:"
        f" {'met' if t_scipy * n / t_sweep >= 1000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
