"""The exact route's cost: solve CPU time with ``exact=True`` against ``exact=False``.

For every shipped model and every solution concept that applies to it, the
parameters are drawn at random inside their ranges (a parameter without a
range within ±50% of its value), each rounded to 3–6 significant digits as a
user would type them, and the model is solved twice at each draw: exactly
(the closed-form attempt within its work budget, ``bargain.concepts.budget``)
and numerically. The exact solve runs with the safety net off (``timeout=0``),
so that its work bounds alone decide and its true cost shows. Times are the
process's CPU time. Printed per model and concept: the median and slowest exact
solve, the median numeric one, the ratio of the slowest exact solve to the
median numeric one, how many draws gave a closed form, how many exact solves
took over :data:`SLOW` seconds (a work bound missing: with the net on, the net
might decide whether the answer is exact, and a slower machine decide
otherwise), and how many had the exact route declined by its budget (the first
reason shown).

    python benchmarks/solve_budget.py [--draws 20] [--seed 0] [--models rates,cara]
"""

from __future__ import annotations

import argparse
import inspect
import random
import statistics
import time
from collections.abc import Callable

import bargain
from bargain.concepts.registry import concepts
from bargain.errors import BargainError

SLOW = 2.0  # CPU seconds: an exact solve beyond this is decided too close to the safety net


def draw(model: bargain.Model, rng: random.Random) -> dict[str, float]:
    """Parameter values at random in their ranges, rounded to 3–6 significant digits."""
    out = {}
    for p in model.parameters:
        lo, hi = (float(p.range[0]), float(p.range[1])) if p.range else (0.5, 1.5)
        value = rng.uniform(lo, hi) if p.range else float(p.value) * rng.uniform(lo, hi)
        out[p.name] = float(f"{value:.{rng.randint(3, 6)}g}")
    return out


def timed(
    solve: Callable[..., bargain.Solution], model: bargain.Model, exact: bool
) -> tuple[float, bargain.Solution]:
    """CPU seconds to solve ``model`` (exactly, with the safety net off, or not), and the
    solution."""
    t = time.process_time()
    solution = solve(model, exact=exact, timeout=0) if exact else solve(model, exact=False)
    return time.process_time() - t, solution


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--models", default="", help="comma-separated model names (default: all)")
    args = ap.parse_args()
    wanted = {m for m in args.models.split(",") if m}
    paths = sorted(bargain.models_dir().glob("*.toml"))
    print(
        f"{'model':15} {'concept':18} {'exact median':>12} {'slowest':>8} "
        f"{'numeric':>8} {'ratio':>6}  exact  slow  declined"
    )
    worst, slow = 0.0, 0
    for path in paths:
        if wanted and path.stem not in wanted:
            continue
        base = bargain.load_model(path)
        for concept in concepts():
            if "exact" not in inspect.signature(concept.solve).parameters:
                continue  # no exact route (e.g. strike-or-holdout)
            rng = random.Random(f"{args.seed}/{path.stem}/{concept.name}")
            exact_t, numeric_t, found, declined = [], [], 0, []
            for _ in range(args.draws):
                model = base.with_values(draw(base, rng))
                try:
                    t_num, _ = timed(concept.solve, model, False)
                    t_ex, s = timed(concept.solve, model, True)
                except BargainError:
                    continue  # the concept does not apply here (or not at this draw)
                numeric_t.append(t_num)
                exact_t.append(t_ex)
                found += s.exact
                if "closed form declined: " in s.route:
                    declined.append(s.route.split("closed form declined: ", 1)[1])
            if not exact_t:
                continue
            ratio = max(exact_t) / statistics.median(numeric_t)
            worst = max(worst, max(exact_t))
            over = sum(t > SLOW for t in exact_t)
            slow += over
            reason = f"  ({declined[0]})" if declined else ""
            print(
                f"{path.stem:15} {concept.name:18} {statistics.median(exact_t):12.3f} "
                f"{max(exact_t):8.3f} {statistics.median(numeric_t):8.3f} {ratio:6.1f}  "
                f"{found:2d}/{len(exact_t):<2d}  {over:4d}  {len(declined):2d}{reason}",
                flush=True,
            )
    print(f"slowest exact solve: {worst:.3f} s of CPU; over {SLOW:g} s: {slow}")


if __name__ == "__main__":
    main()
