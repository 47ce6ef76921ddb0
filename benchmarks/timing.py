"""The timers the benchmarks share: the best of repeated calls, and the best wall and CPU
time of commands run in fresh interpreters (interleaved, so that the ratios between them
come from the same run, whatever else the machine is doing).

Imported by the benchmark scripts as ``timing`` (a script's folder is first on its path).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Mapping


def best(
    f: Callable[[], object], repeat: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    """The least time of ``repeat`` calls of ``f`` on ``clock`` (wall time by default;
    ``time.process_time`` for this process's CPU time)."""
    times = []
    for _ in range(repeat):
        t = clock()
        f()
        times.append(clock() - t)
    return min(times)


def best_each(
    functions: Mapping[str, Callable[[], object]],
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
) -> dict[str, float]:
    """The least time of ``repeat`` calls of each function, the calls taken in turns (one
    of each per round), so that a change in the machine's load hits them all alike and
    their ratios come from the same moments."""
    found = dict.fromkeys(functions, float("inf"))
    for _ in range(repeat):
        for name, f in functions.items():
            t = clock()
            f()
            found[name] = min(found[name], clock() - t)
    return found


def cpu_of_children() -> float:
    """User plus system CPU seconds of the finished child processes so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def best_times(
    commands: Mapping[str, str], repeat: int, run: Callable[[str], object]
) -> dict[str, tuple[float, float]]:
    """The best (wall, CPU) time of each command over ``repeat`` interleaved runs, in
    seconds (each minimised on its own); ``run`` runs one command's code in a fresh
    interpreter and raises if it fails."""
    found = dict.fromkeys(commands, (float("inf"), float("inf")))
    for _ in range(repeat):
        for name, code in commands.items():
            wall, cpu = time.perf_counter(), cpu_of_children()
            run(code)
            wall, cpu = time.perf_counter() - wall, cpu_of_children() - cpu
            found[name] = (min(found[name][0], wall), min(found[name][1], cpu))
    return found
