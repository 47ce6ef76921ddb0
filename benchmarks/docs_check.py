"""How much CPU ``bargain docs --check`` takes (issue 16: under 5 s), and where it goes.

``bargain docs --check`` builds every generated table and figure in memory and
compares them with the files in ``docs/`` (the docs test runs it). This times,
in fresh processes of the same interpreter and in the same run (so the ratio
does not depend on the machine or its load):

- the baseline, ``python -c "import sympy, scipy.optimize"`` (every command pays it);
- ``bargain docs --check`` (what the console script runs: ``bargain.cli.main``).

The runs are interleaved, each command ``--repeat`` times, and the best time of
each is kept: the wall time and the CPU time of the child (user + system), which
a machine busy with other work disturbs much less. The target is absolute:
under 5 s of CPU. ``--builders`` also prints, from one build in this process,
the CPU seconds of each artefact's builder, slowest first (a builder that reuses
a result another builder computed first, e.g. the flagship's brief, is charged
only for what it adds, so the order of the build matters).

    python benchmarks/docs_check.py [--repeat 3] [--builders]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from timing import best_times

BASELINE = "import sympy, scipy.optimize"
CHECK = "import sys; from bargain.cli import main; sys.exit(main(['docs', '--check']))"
COMMANDS = {BASELINE: BASELINE, "bargain docs --check": CHECK}
TARGET_CPU = 5.0  # seconds


def builder_times() -> list[tuple[float, str]]:
    """The CPU seconds of each artefact's builder in one build in this process, slowest first."""
    from bargain.reporting import docbuild

    times = []
    for path, (_, build) in docbuild.artefacts().items():
        cpu = time.process_time()
        build()
        times.append((time.process_time() - cpu, path))
    return sorted(times, reverse=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs of each command (best kept)")
    ap.add_argument("--builders", action="store_true", help="print each builder's CPU time")
    args = ap.parse_args()
    best = best_times(
        COMMANDS,
        args.repeat,
        lambda code: subprocess.run([sys.executable, "-c", code], capture_output=True, check=True),
    )
    base_wall, base_cpu = best[BASELINE]
    print(f"best of {args.repeat} runs, fresh processes ({sys.executable})")
    print(f"  {'':<30} {'wall':>8}  {'x base':>6}  {'CPU':>8}  {'x base':>6}")
    for name, (wall, cpu) in best.items():
        ratios = f"{wall / base_wall:6.2f}  {cpu:6.3f} s  {cpu / base_cpu:6.2f}"
        print(f"  {name:<30} {wall:6.3f} s  {ratios}")
    cpu = best["bargain docs --check"][1]
    verdict = "within" if cpu <= TARGET_CPU else "over"
    print(f"bargain docs --check: {cpu:.2f} s CPU ({verdict} the target {TARGET_CPU:g} s)")
    if args.builders:
        print("CPU of each builder, one build in this process (slowest first):")
        for seconds, path in builder_times():
            print(f"  {seconds:7.3f} s  {path}")


if __name__ == "__main__":
    main()
