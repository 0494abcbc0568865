"""fix_blas_threads sets the thread count of every loaded BLAS library, whatever the
count the process started with (Snakemake exports its lowered `threads:` to BLAS)."""

import numpy as np
import pytest
from lbr.threads import fix_blas_threads
from threadpoolctl import threadpool_info, threadpool_limits


def _blas_threads() -> set[int]:
    return {pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"}


@pytest.mark.parametrize("count", [1, 3])
def test_every_blas_library_gets_the_requested_count(count):
    with threadpool_limits(limits=None):  # restores the process's count afterwards
        np.ones(1) @ np.ones(1)  # make sure numpy's BLAS is loaded
        fix_blas_threads(count)
        assert _blas_threads() == {count}


def test_a_count_below_one_means_one():
    with threadpool_limits(limits=None):
        fix_blas_threads(0)
        assert _blas_threads() == {1}
