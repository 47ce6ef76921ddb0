"""The scalar solvers' cost, as ratios measured in the same run.

Three targets of issue 16, each timed in CPU seconds of this process (steadier than
wall time on a busy machine), each solve repeated and the best (least disturbed) kept:

- **one numeric solve**: ``nash(cara, exact=False)`` against ``rubinstein(cara,
  exact=False)`` on the same one-variable model, twice: solving the same model again
  (what a loop over concepts or a test does) and a new model each time (``with_values``:
  new parameter values, the program's compiled code reused with them). Target: within 3
  times, for both.
- **new values each solve on the flagship**: ``nash(wga2007.with_values(...),
  exact=False)`` with one parameter at a time at an end of its range, as the tornado
  figure of the docs solves it, against the same model solved again.
- **multi-issue closed forms**: a separable model of ``n`` contract variables (issue
  ``i`` worth ``a_i x_i - x_i**2/2`` to W and ``b_i (2 - x_i)`` to A, both disagreement
  payoffs parameters), ``nash`` exactly and numerically: the exact solve's time, its
  ratio to the numeric one and whether a closed form was found (target: ``n = 5`` exact
  in under 1 s); then the same with every coefficient a parameter, where the closed form
  is declined (target: a failed attempt costs a fixed share of the numeric solve).
- **refusing an empty contract set**: ``nash`` on a model whose constraints contradict
  (``x <= 0.2`` and ``x >= 0.8``), against the numeric solve of the same model without
  the second constraint.

    python benchmarks/scalar.py [--repeat 5] [--sizes 3,5,8]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import bargain
from bargain.errors import FeasibilityError

TARGET_NUMERIC = 3.0  # one-variable numeric nash within this many rubinstein solves
TARGET_EXACT = 1.0  # seconds for the 5-variable separable model's exact solve


def best_cpu(solve: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The least CPU seconds of ``repeat`` calls of ``solve``, and its last result."""
    best, out = float("inf"), None
    for _ in range(repeat):
        t = time.process_time()
        out = solve()
        best = min(best, time.process_time() - t)
    return best, out


def separable(n: int, *, coefficients: bool = False) -> bargain.Model:
    """The separable ``n``-issue model (with ``coefficients``: each a parameter)."""
    params: dict[str, Any] = {
        "d_W": {"value": 0, "range": [0, 0.5]},
        "d_A": {"value": 0, "range": [0, 0.5]},
    }
    w, a = [], []
    for i in range(n):
        ai, bi = 1 + i % 3, 1 + (i + 1) % 2
        if coefficients:
            params[f"a{i}"], params[f"b{i}"] = ai, bi
            ai, bi = f"a{i}", f"b{i}"
        w.append(f"{ai} * x{i} - x{i}**2 / 2")
        a.append(f"{bi} * (2 - x{i})")
    return bargain.model_from_dict(
        {
            "model": {"name": f"separable{n}"},
            "parameters": params,
            "variables": {f"x{i}": {"min": 0, "max": 2} for i in range(n)},
            "parties": {
                "W": {"payoff": " + ".join(w), "disagreement": "d_W"},
                "A": {"payoff": " + ".join(a), "disagreement": "d_A"},
            },
        }
    )


def one_variable(repeat: int) -> None:
    cara = bargain.load_model(bargain.models_dir() / "cara.toml")
    bargain.nash(cara, exact=False)  # imports and first compilation out of the way
    bargain.rubinstein(cara, exact=False)
    draws = iter(range(1, 10**6))  # never the file's own value: a new model each time
    rows = {
        "nash, same model": lambda: bargain.nash(cara, exact=False),
        "nash, new model": lambda: bargain.nash(
            cara.with_values(a=2 + next(draws) / 1000), exact=False
        ),
        "rubinstein": lambda: bargain.rubinstein(cara, exact=False),
        "rubinstein, new model": lambda: bargain.rubinstein(
            cara.with_values(a=2 + next(draws) / 1000), exact=False
        ),
    }
    times = {name: best_cpu(solve, repeat)[0] for name, solve in rows.items()}
    base = times["rubinstein"]
    print(f"one numeric solve of cara (best of {repeat}, CPU)")
    for name, seconds in times.items():
        print(f"  {name:<20} {seconds * 1e3:8.2f} ms  {seconds / base:6.2f} x rubinstein")
    for which in ("same model", "new model"):
        ratio = times[f"nash, {which}"] / base
        verdict = "within" if ratio <= TARGET_NUMERIC else "over"
        print(f"nash / rubinstein, {which} = {ratio:.2f} ({verdict} the target {TARGET_NUMERIC:g})")


def new_values(repeat: int) -> None:
    flagship = bargain.load_model(bargain.models_dir() / "wga2007.toml")
    ends = [
        {p.name: float(end)}
        for p in flagship.parameters
        if p.range is not None and p.range[0] != p.range[1]
        for end in p.range
    ]
    bargain.nash(flagship, exact=False)  # imports and the first compilation out of the way
    bargain.nash(flagship.with_values(**ends[0]), exact=False)

    def loop() -> None:
        for values in ends:
            bargain.nash(flagship.with_values(**values), exact=False)

    same, _ = best_cpu(lambda: bargain.nash(flagship, exact=False), repeat)
    seconds, _ = best_cpu(loop, max(1, repeat // 2))
    each = seconds / len(ends)
    print(f"nash on wga2007, new values each solve (the tornado's {len(ends)} solves, CPU)")
    print(f"  {each * 1e3:8.2f} ms a solve, {each / same:.2f} x the same model solved again")


def multi_issue(sizes: list[int], repeat: int) -> None:
    print(f"separable n-issue nash (best of {repeat}, CPU; a new model each solve)")
    print(f"  {'model':<28} {'numeric':>8} {'exact':>8} {'ratio':>6}  closed form")
    for coefficients in (False, True):
        for n in sizes:
            base = separable(n, coefficients=coefficients)
            draws = iter(range(1, 10**6))  # never the base values: a new model each solve

            def solve(exact: bool, base: bargain.Model = base, draws: Any = draws) -> Any:
                return bargain.nash(base.with_values(d_W=next(draws) / 1000), exact=exact)

            numeric, _ = best_cpu(lambda: solve(False), repeat)
            exact, s = best_cpu(lambda: solve(True), repeat)
            name = f"n = {n}" + (", coefficients params" if coefficients else "")
            found = "yes" if s.exact else s.route.split("closed form declined: ")[-1][:40]
            print(f"  {name:<28} {numeric:7.3f}s {exact:7.3f}s {exact / numeric:6.2f}  {found}")


def refusal(repeat: int) -> None:
    model = {
        "model": {"name": "empty"},
        "variables": {"x": {"min": 0, "max": 1}},
        "constraints": {"low": "x <= 0.2", "high": "x >= 0.8"},
        "parties": {"W": {"payoff": "x"}, "A": {"payoff": "1 - x"}},
    }
    empty = bargain.model_from_dict(model)
    del model["constraints"]["high"]
    feasible = bargain.model_from_dict(model)

    def refuse() -> None:
        try:
            bargain.nash(empty, exact=False)
        except FeasibilityError:
            return
        raise AssertionError("an empty contract set was solved")

    solved, _ = best_cpu(lambda: bargain.nash(feasible, exact=False), repeat)
    refused, _ = best_cpu(refuse, repeat)
    print(f"empty contract set (best of {repeat}, CPU)")
    print(f"  refused in {refused:.3f} s, {refused / solved:.2f} x the feasible model's solve")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="solves of each (best kept)")
    ap.add_argument("--sizes", default="3,5,8", help="numbers of issues")
    args = ap.parse_args()
    one_variable(args.repeat)
    new_values(args.repeat)
    multi_issue([int(n) for n in args.sizes.split(",")], max(1, args.repeat // 2))
    refusal(args.repeat)


if __name__ == "__main__":
    main()
