"""Running sweep chunks on a Dask cluster (``dask.distributed``).

A sweep's chunks are independent tasks: each generates its own points from
the sweep's :class:`~bargain.sweeps.sweep.SweepSpec` and solves them with the
kernel compiled once per worker process. Given a scheduler address the
tasks go to that cluster; given ``jobs=N`` a ``LocalCluster`` of ``N``
single-threaded worker processes is started on 127.0.0.1 and the same path
is taken. The results are the same numbers as a local run: the same points,
the same chunks, the same compiled code.

The connection is made (with a short timeout) before any work starts, so an
unreachable scheduler is a :class:`~bargain.errors.ClusterError` at once.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from bargain.errors import ClusterError, ModelError

if TYPE_CHECKING:
    import numpy as np


CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a scheduler before giving up."""


ADDRESS = re.compile(
    r"(?:(?:tcp|tls|ws|wss|ucx)://)?(?:[\w.-]+|\[[0-9A-Fa-f:.]+\]):(?P<port>\d{1,5})"
)
"""The form of a scheduler address, checked before connecting: ``[PROTOCOL://]HOST:PORT``."""


def check_cluster_options(jobs: int | None, scheduler: str | None) -> None:
    """Refuse ``jobs`` that is not a positive integer, or both ``jobs`` and ``scheduler``."""
    if jobs is not None and scheduler is not None:
        raise ModelError(
            "give jobs (a local cluster) or a scheduler address, not both",
            table="sweep",
            key="jobs",
        )
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise ModelError(
            f"must be a positive number of worker processes, got {jobs!r}",
            table="sweep",
            key="jobs",
        )
    if scheduler is not None and not (
        isinstance(scheduler, str)
        and (match := ADDRESS.fullmatch(scheduler.strip()))
        and 1 <= int(match["port"]) <= 65535
    ):
        raise ModelError(
            "must be a scheduler address [PROTOCOL://]HOST:PORT such as tcp://host:8786, "
            f"got {scheduler!r}",
            table="sweep",
            key="scheduler",
        )


@contextlib.contextmanager
def executor(
    jobs: int | None = None, scheduler: str | None = None, *, timeout: float | None = None
) -> Iterator[Any]:
    """A Dask client for the run, or ``None`` for a local, in-process run.

    Raises
    ------
    ClusterError
        If the scheduler cannot be reached within ``timeout`` seconds, or a
        local cluster cannot be started.
    """
    check_cluster_options(jobs, scheduler)
    if jobs is None and scheduler is None:
        yield None
        return
    timeout = CONNECT_TIMEOUT if timeout is None else timeout
    from distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler is not None:
            client = Client(scheduler, timeout=f"{timeout}s", set_as_default=False)
        else:
            cluster = LocalCluster(
                n_workers=jobs,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",
                dashboard_address="127.0.0.1:0",  # no fixed port; loopback only
            )
            client = Client(cluster, timeout=f"{timeout}s", set_as_default=False)
    except (OSError, TimeoutError) as err:
        if cluster is not None:
            cluster.close()
        where = f"the scheduler at {scheduler}" if scheduler else f"a local cluster of {jobs}"
        raise ClusterError(
            f"cannot reach {where} within {timeout:g} s ({type(err).__name__}: {err}); "
            "check the address (tcp://host:port) and that the scheduler is running",
            table="sweep",
            key="scheduler" if scheduler else "jobs",
        ) from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_on_cluster(
    client: Any,
    task: Callable[[Any, int], dict[str, np.ndarray]],
    spec: Any,
    indices: Sequence[int],
    *,
    window: int | None = None,
) -> Iterator[tuple[int, dict[str, np.ndarray]]]:
    """Run ``task(spec, i)`` for the chunks ``i`` in ``indices`` as Dask tasks (``task``
    must pickle: a module-level function); yield ``(index, columns)`` as they finish.
    At most ``window`` tasks are in flight (default: four per worker thread), so
    results do not pile up faster than the caller writes them."""
    from distributed import as_completed

    if not indices:
        return
    threads = sum(client.nthreads().values()) or 1
    window = window or 4 * threads
    shared = client.scatter(spec, broadcast=True)
    todo = iter(indices)

    def submit(i: int) -> Any:
        return client.submit(_indexed, task, shared, i, key=f"bargain-chunk-{i}-{id(spec)}")

    running = as_completed([submit(i) for i in itertools.islice(todo, window)], loop=client.loop)
    for future in running:
        try:
            index, columns = future.result()
        except ModelError:
            raise
        except Exception as err:  # a worker died or a task failed remotely
            raise ClusterError(
                f"a chunk failed on the cluster ({type(err).__name__}: {err})",
                table="sweep",
            ) from err
        future.release()
        yield index, columns
        nxt = next(todo, None)
        if nxt is not None:
            running.add(submit(nxt))


def _indexed(
    task: Callable[[Any, int], dict[str, np.ndarray]], spec: Any, index: int
) -> tuple[int, dict[str, np.ndarray]]:
    return index, task(spec, index)


__all__ = ["CONNECT_TIMEOUT", "check_cluster_options", "executor", "run_on_cluster"]
