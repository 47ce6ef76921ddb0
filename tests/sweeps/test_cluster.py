"""Sweeps on a Dask cluster (a LocalCluster on the loopback interface) equal local runs."""

from __future__ import annotations

import importlib
import socket
import time

import pandas as pd
import pytest

import bargain
from tests.conftest import DASK_GROUP, shipped

pytestmark = DASK_GROUP

distributed = pytest.importorskip("distributed")
cluster_module = importlib.import_module("bargain.sweeps.cluster")
sweep_module = importlib.import_module("bargain.sweeps.sweep")

SETTINGS = {
    "vary": {"a": (0.5, 4), "delta_W": (0.5, 0.95)},
    "design": "random",
    "n": 300,
    "seed": 11,
    "chunk_size": 32,
}


@pytest.fixture(scope="module")
def scheduler():
    with distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        protocol="tcp://",
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # no fixed port; loopback only
    ) as cluster:
        yield cluster.scheduler_address


def test_cluster_run_equals_local_run(scheduler):
    # The numeric route: Newton and its bisection fallback, on the workers.
    cara = shipped("cara")
    local = bargain.sweep(cara, "rubinstein", **SETTINGS)
    remote = bargain.sweep(cara, "rubinstein", scheduler=scheduler, **SETTINGS)
    assert local.attrs["route"] == remote.attrs["route"]
    assert (local["status"] == "ok").all()
    pd.testing.assert_frame_equal(local, remote, check_exact=True)


def test_cluster_run_streams_to_the_same_file(scheduler, tmp_path, split):
    vary = {"V": (1, 2, 7), "delta_A": (0.5, 0.9, 9)}
    a, b = tmp_path / "local.parquet", tmp_path / "remote.parquet"
    bargain.sweep_to_file(a, split, "rubinstein", vary, chunk_size=5)
    report = bargain.sweep_to_file(b, split, "rubinstein", vary, chunk_size=5, scheduler=scheduler)
    assert report.chunks == 13 and report.statuses["ok"] == 63
    pd.testing.assert_frame_equal(pd.read_parquet(a), pd.read_parquet(b), check_exact=True)


def test_jobs_start_a_local_cluster_of_processes(split):
    vary = {"V": (1, 2), "d_W": (0, 0.3)}
    local = bargain.sweep(split, "nash", vary, design="sobol", n=64, seed=2, chunk_size=8)
    parallel = bargain.sweep(
        split, "nash", vary, design="sobol", n=64, seed=2, chunk_size=8, jobs=2
    )
    pd.testing.assert_frame_equal(local, parallel, check_exact=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_scheduler_fails_fast_before_any_work(split, monkeypatch):
    monkeypatch.setattr(cluster_module, "CONNECT_TIMEOUT", 1.0)

    def refuse(*args, **kwargs):
        raise AssertionError("work started before the scheduler was reached")

    monkeypatch.setattr(sweep_module, "compile_kernel", refuse)
    started = time.monotonic()
    with pytest.raises(bargain.ClusterError, match=r"cannot reach the scheduler at tcp://127"):
        bargain.sweep(split, "nash", {"V": (1, 2, 3)}, scheduler=f"tcp://127.0.0.1:{free_port()}")
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"jobs": 0}, "must be a positive number of worker processes"),
        ({"jobs": 2, "scheduler": "tcp://127.0.0.1:1"}, "not both"),
        ({"scheduler": " "}, "must be a scheduler address"),
    ],
)
def test_bad_cluster_options(split, kwargs, message):
    with pytest.raises(bargain.ModelError, match=message):
        bargain.sweep(split, "nash", {"V": (1, 2, 3)}, **kwargs)
