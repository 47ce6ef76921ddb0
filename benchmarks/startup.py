"""How long the command line takes to start, against the imports it cannot avoid.

Every command needs sympy and scipy.optimize; everything else (pandas, Dask,
matplotlib, SALib, nashpy, scipy.stats, scipy.integrate) is imported only by
the functions that use it, and ``bargain``'s own modules only by the commands
and public names that use them. This times, in fresh processes of the same
interpreter and in the same run (so the ratio does not depend on the machine
or its load):

- the baseline, ``python -c "import sympy, scipy.optimize"``;
- the baseline and one sympy sum: sympy imports ``sympy.tensor`` and
  ``sympy.combinatorics`` the first time it adds two expressions, a cost every
  command that builds a model pays and the baseline does not (for reference);
- ``python -c "import bargain"`` (each public name is imported on first use);
- every public name of ``bargain`` read (what ``import bargain`` cost before);
- ``bargain solve split`` (what the console script runs: ``bargain.cli.main``);
- ``bargain brief wga2007`` (the README's main command; its target is absolute:
  under 2 s of CPU).

Python's bytecode cache is used as after an install: the children write and read
it in a temporary folder (``PYTHONPYCACHEPREFIX``), filled by one untimed run of
each command first. ``--as-is`` runs them in the environment as it is instead:
with ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__`` beside the sources,
every run compiles ``bargain``'s sources (about 0.08 s of CPU for those of
``bargain solve``) while sympy and scipy load their installed bytecode.

The runs are interleaved, each command ``--repeat`` times, and the best time of
each is kept (the least disturbed by other processes): the wall time, and the
CPU time of the child (user + system), which a machine busy with other work
disturbs much less. The target is the command within 1.3 times the baseline.
``--importtime N`` also prints the N slowest imports of the command
(``python -X importtime``, cumulative), to find what a new eager import costs.

    python benchmarks/startup.py [--repeat 7] [--importtime 0] [--as-is]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

from timing import best_times

SOLVE_SPLIT = "import sys; from bargain.cli import main; sys.exit(main(['solve', 'split']))"
BRIEF = "import sys; from bargain.cli import main; sys.exit(main(['brief', 'wga2007']))"
EVERY_NAME = "import bargain\nfor name in bargain.__all__: getattr(bargain, name)"
COMMANDS = {
    "import sympy, scipy.optimize": "import sympy, scipy.optimize",
    "... and one sympy sum": "import sympy, scipy.optimize; sympy.Symbol('x') + 1",
    "import bargain": "import bargain",
    "every public name of bargain": EVERY_NAME,
    "bargain solve split": SOLVE_SPLIT,
    "bargain brief wga2007": BRIEF,
}
BASELINE = "import sympy, scipy.optimize"
TARGET = 1.3
BRIEF_CPU = 2.0  # seconds


def run(code: str, env: dict[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with the environment ``env``; raise if it fails."""
    return subprocess.run(
        [sys.executable, *flags, "-c", code], capture_output=True, text=True, check=True, env=env
    )


def cached(folder: str) -> dict[str, str]:
    """This environment, with Python's bytecode cache written to and read from ``folder``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": folder}


def slowest_imports(code: str, count: int, env: dict[str, str]) -> list[tuple[float, str]]:
    """The ``count`` slowest imports of ``code`` (cumulative seconds, module), slowest first."""
    rows = []
    for line in run(code, env, "-X", "importtime").stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|")
        rows.append((int(cumulative) / 1e6, name.rstrip()))
    return sorted(rows, reverse=True)[:count]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7, help="runs of each command (best kept)")
    ap.add_argument("--importtime", type=int, default=0, help="print the N slowest imports")
    ap.add_argument(
        "--as-is", action="store_true", help="no bytecode cache of our own (see the docstring)"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bargain-pycache-") as folder:
        env = dict(os.environ) if args.as_is else cached(folder)
        for code in COMMANDS.values():  # fills the bytecode cache; not timed
            run(code, env)
        best = best_times(COMMANDS, args.repeat, lambda code: run(code, env))
        slowest = slowest_imports(SOLVE_SPLIT, args.importtime, env) if args.importtime else []
    base_wall, base_cpu = best[BASELINE]
    bytecode = "as is" if args.as_is else "cached, as after an install"
    print(f"best of {args.repeat} runs, fresh processes ({sys.executable}); bytecode {bytecode}")
    print(f"  {'':<30} {'wall':>8}  {'x base':>6}  {'CPU':>8}  {'x base':>6}")
    for name, (wall, cpu) in best.items():
        ratios = f"{wall / base_wall:6.2f}  {cpu:6.3f} s  {cpu / base_cpu:6.2f}"
        print(f"  {name:<30} {wall:6.3f} s  {ratios}")
    wall, cpu = best["bargain solve split"]
    for what, ratio in (("wall", wall / base_wall), ("CPU", cpu / base_cpu)):
        verdict = "within" if ratio <= TARGET else "over"
        print(f"bargain solve split / baseline ({what}) = {ratio:.2f}", end=" ")
        print(f"({verdict} the target {TARGET})")
    cpu = best["bargain brief wga2007"][1]
    verdict = "within" if cpu <= BRIEF_CPU else "over"
    print(f"bargain brief wga2007: {cpu:.2f} s CPU ({verdict} the target {BRIEF_CPU:g} s)")
    if slowest:
        print("slowest imports of bargain solve split (cumulative, -X importtime):")
        for seconds, name in slowest:
            print(f"  {seconds:6.3f} s  {name}")


if __name__ == "__main__":
    main()
