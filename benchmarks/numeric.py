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

Against the closed-form sweep (issue 16, item 5: within 5x of its points/s): the
Rubinstein split of ``models/split.toml`` (``benchmarks/closed_form.py``) swept over the
same number of random points of three parameters, in the same run; both sweeps, and
both kernels alone, are timed as the best of ``--repeat`` in CPU time, in turns (one of
each per round: the machine is shared, and a load that changed between the two sweeps
would otherwise show in their ratio; CPU time is what the ratio should compare).

    python benchmarks/numeric.py [--points 1000000] [--loop 2000] [--solver-loop 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
from scipy.optimize import root
from timing import best_each

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
    ap.add_argument("--repeat", type=int, default=3, help="repeats of each sweep timed")
    args = ap.parse_args()
    n = args.points
    model = bargain.load_model(bargain.models_dir() / "cara.toml")
    vary = {"a": (0.5, 4.0), "delta_W": (0.5, 0.99), "delta_A": (0.5, 0.99)}

    t = time.perf_counter()
    df = bargain.sweep(model, "rubinstein", vary, design="random", n=n, seed=1)
    t_first = time.perf_counter() - t  # includes compiling the kernel
    assert df.attrs["route"] == "numeric", df.attrs["route"]
    ok = int((df["status"] == "ok").sum())

    def numeric_sweep() -> object:
        return bargain.sweep(model, "rubinstein", vary, design="random", n=n, seed=1)

    split = bargain.load_model(bargain.models_dir() / "split.toml")
    split_vary = {"V": (0.5, 2.0), "delta_W": (0.5, 0.99), "delta_A": (0.5, 0.99)}

    def closed_sweep() -> object:
        return bargain.sweep(split, "rubinstein", split_vary, design="random", n=n, seed=1)

    assert closed_sweep().attrs["route"] == "closed"  # and compiled, outside the timing
    kernel = compile_kernel(
        model.with_values(a=2.25, delta_W=0.745, delta_A=0.745),
        "rubinstein",
        list(vary),
        route="numeric",
    )
    closed_kernel = compile_kernel(
        split.with_values(V=1.25, delta_W=0.745, delta_A=0.745), "rubinstein", list(split_vary)
    )
    points = {k: df[k].to_numpy() for k in vary}
    split_points = {
        "V": 0.5 + 1.5 * np.random.default_rng(1).random(n),
        **{k: points[k] for k in ("delta_W", "delta_A")},
    }
    t_sweep, t_closed, t_kernel, t_closed_kernel = best_each(
        {
            "sweep": numeric_sweep,
            "closed sweep": closed_sweep,
            "kernel": lambda: kernel(points),
            "closed kernel": lambda: closed_kernel(split_points),
        },
        args.repeat,
        time.process_time,
    ).values()

    rng = np.random.default_rng(2)
    sub = rng.choice(n, size=max(args.loop, args.solver_loop), replace=False)
    rows = df.iloc[sub]
    t = time.process_time()
    by_scipy = [scipy_point(r.a, r.delta_W, r.delta_A) for r in rows[: args.loop].itertuples()]
    t_scipy = (time.process_time() - t) / args.loop
    t = time.process_time()
    by_solver = [
        bargain.rubinstein(
            model.with_values(a=r.a, delta_W=r.delta_W, delta_A=r.delta_A), exact=False
        ).agreement["x"]
        for r in rows[: args.solver_loop].itertuples()
    ]
    t_solver = (time.process_time() - t) / args.solver_loop
    diff_scipy = np.nanmax(np.abs(rows["x"].to_numpy()[: args.loop] - by_scipy))
    diff_solver = np.max(np.abs(rows["x"].to_numpy()[: args.solver_loop] - by_solver))

    print(f"non-closed-form sweep (rubinstein on cara), {n:,} points, {os.cpu_count()} cores,")
    print("one process; loops timed on a subsample of the same points and extrapolated")
    print(f"  status ok: {ok:,} of {n:,}")
    print(
        f"  max |x sweep - x scipy.optimize.root|: {diff_scipy:.1e}"
        f"   max |x sweep - x scalar solver|: {diff_solver:.1e}"
    )
    print(f"  bargain.sweep, first call (compiles)    {t_first:9.3f} s wall")
    for label, t in (
        ("bargain.sweep", t_sweep),
        ("kernel alone on the same points", t_kernel),
        ("closed-form sweep (split), same n", t_closed),
        ("closed-form kernel alone", t_closed_kernel),
    ):
        print(f"  {label:<38} {t:9.3f} s CPU {n / t:12,.0f} points/s")
    print(
        f"  closed-form / non-closed-form points/s: sweeps {t_sweep / t_closed:.1f}x,"
        f" kernels {t_kernel / t_closed_kernel:.1f}x;"
        f" target: sweeps within 5x: {'met' if t_sweep / t_closed <= 5 else 'NOT met'}"
    )
    for label, per, k in (
        ("per-point scipy.optimize.root", t_scipy, args.loop),
        ("per-point scalar solver", t_solver, args.solver_loop),
    ):
        print(
            f"  {label:<30} {per * n:9.1f} s CPU extrapolated from {k:,} points"
            f" ({1 / per:,.0f} points/s): sweep is {per * n / t_sweep:,.0f}x faster"
        )
    print(
        f"  target: >= 1000x the per-point scipy loop:"
        f" {'met' if t_scipy * n / t_sweep >= 1000 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
