"""A job's BLAS thread count, fixed by what its rule asks for, not by the cores it got.

Snakemake lowers a rule's `threads:` to --cores and exports that lower count to the BLAS
libraries (OPENBLAS_NUM_THREADS and friends). LAPACK's blocked eigensolvers split their
updates across threads, so the same matrix can round differently with another count
(seen for numpy's eigh: 1 and 2 threads differ in the last bits). Each job therefore sets
the count its rule requests (passed as a param), whatever --cores was.
"""

from __future__ import annotations


def fix_blas_threads(count: int) -> None:
    """Use `count` threads in every BLAS library loaded in this process from now on."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=max(1, int(count)), user_api="blas")
