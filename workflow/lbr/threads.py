"""A job's BLAS thread count, fixed by what its rule asks for, not by the cores it got.

Snakemake lowers a rule's `threads:` to --cores and exports that lower count to the BLAS
libraries (OPENBLAS_NUM_THREADS and friends). LAPACK's blocked eigensolvers split their
updates across threads, so the same matrix can round differently with another count
(seen for numpy's eigh: 1 and 2 threads differ in the last bits). Each job therefore sets
the count its rule requests (passed as a param), whatever --cores was, but never more
than the cores the process may run on: OpenBLAS threads beyond the cores spin against
each other (Theorem 1's interpolation at D = 3072 took 367 s with 4 threads on 2 cores,
21 s with 2). The count depends on the rule and the machine, never on --cores.
"""

from __future__ import annotations

import os


def available_cores() -> int:
    """The cores this process may run on: its CPU affinity (a SLURM job's allocation)
    where the system reports one, else the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def usable_threads(count: int) -> int:
    """A requested thread count (BLAS or torch) as a job may use it: at least 1, at most
    available_cores()."""
    return max(1, min(int(count), available_cores()))


def fix_blas_threads(count: int) -> None:
    """Use usable_threads(count) threads in every BLAS library loaded in this process
    from now on."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=usable_threads(count), user_api="blas")
