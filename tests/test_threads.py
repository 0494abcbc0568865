"""fix_blas_threads sets the thread count of every loaded BLAS library, whatever the
count the process started with (Snakemake exports its lowered `threads:` to BLAS), and
never above the cores the process may run on."""

import os

import numpy as np
import pytest
from lbr import threads
from lbr.threads import available_cores, fix_blas_threads
from support import blas_threads as _blas_threads
from threadpoolctl import threadpool_limits


@pytest.fixture
def four_cores(monkeypatch):
    """The process may run on four cores, whatever the machine has."""
    monkeypatch.setattr(threads, "available_cores", lambda: 4)


@pytest.mark.parametrize("count", [1, 3, 4])
def test_every_blas_library_gets_the_requested_count(count, four_cores):
    with threadpool_limits(limits=None):  # restores the process's count afterwards
        np.ones(1) @ np.ones(1)  # make sure numpy's BLAS is loaded
        fix_blas_threads(count)
        assert _blas_threads() == {count}


def test_never_more_threads_than_cores(four_cores):
    with threadpool_limits(limits=None):
        np.ones(1) @ np.ones(1)
        fix_blas_threads(8)
        assert _blas_threads() == {4}


def test_a_count_below_one_means_one(four_cores):
    with threadpool_limits(limits=None):
        fix_blas_threads(0)
        assert _blas_threads() == {1}


def test_the_cores_are_the_processs_affinity():
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this system")
    assert available_cores() == len(os.sched_getaffinity(0))
    with threadpool_limits(limits=None):
        np.ones(1) @ np.ones(1)
        fix_blas_threads(available_cores() + 3)
        assert _blas_threads() == {available_cores()}


@pytest.mark.parametrize("counted, expected", [(6, 6), (None, 1)])
def test_without_affinity_the_cores_are_the_machines(monkeypatch, counted, expected):
    """A system without sched_getaffinity (macOS): os.cpu_count(), 1 when it is unknown."""
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: counted)
    assert available_cores() == expected


def test_only_blas_is_limited_not_openmp(four_cores):
    """torch's OpenMP pool keeps its own count (lbr.train.runtime sets torch's threads)."""
    import torch  # noqa: F401  (loads the OpenMP runtime)
    from threadpoolctl import threadpool_info

    def openmp():
        return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp"}

    with threadpool_limits(limits=3, user_api="openmp"):  # restored afterwards, as BLAS
        with threadpool_limits(limits=None):
            fix_blas_threads(1)
            assert _blas_threads() == {1} and openmp() == {3}


def test_the_affinity_not_the_machine_decides(monkeypatch):
    """A job allowed one core of a larger machine (a SLURM allocation) counts one."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {5}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert available_cores() == 1
