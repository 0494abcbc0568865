"""One pending re-evaluation timer in Snakemake's job scheduler, instead of one more per
finished job (docs/snakemake_scheduler.md).

Snakemake (9.x) ends every scheduling pass that leaves jobs waiting by starting a
`threading.Timer` that wakes the scheduler after the job-rate window (1 s by default),
including the passes those timers trigger themselves. A pass triggered by a finished job
therefore starts a new chain of timers beside the running ones: while jobs wait for cores,
n finished jobs keep n + 1 timers waking the scheduler every second, each wake a full pass
over the waiting jobs (their params, resources and input sizes). On a 2-core machine that
is a share of a core that grows through the run. The timers are also not daemons, so the
process waits for the last one before it exits.

`install()` replaces the scheduler's timer method with one that starts a timer only when
none is pending that fires at least as early, and starts it as a daemon. The scheduler gets
the same wake-ups it asked for (a pending timer due no later covers every request), jobs
still start as soon as cores free up (a finished job wakes the scheduler directly), and the
number of timers no longer grows with the number of finished jobs.
"""

from __future__ import annotations

import threading
import time

_MARK = "_lbr_one_pending_timer"


def install() -> bool:
    """Patch Snakemake's JobScheduler in this process; False when this Snakemake has no such
    method (a version that changed it: nothing is patched)."""
    try:
        from snakemake.scheduling.job_scheduler import JobScheduler
    except ImportError:
        return False
    current = getattr(JobScheduler, "_schedule_reevalutation", None)  # sic: Snakemake's name
    if current is None:
        return False
    if getattr(current, _MARK, False):
        return True

    def schedule_reevaluation(self, delay) -> None:
        due = time.monotonic() + delay
        pending = getattr(self, "_lbr_pending_due", None)
        if pending is not None and pending <= due:
            return

        def wake() -> None:
            # no longer pending once it fires, before the pass it triggers asks again
            if getattr(self, "_lbr_pending_due", None) == due:
                self._lbr_pending_due = None
            self._open_jobs.release()

        timer = threading.Timer(delay, wake)
        timer.daemon = True  # never keeps the finished run's process alive
        self._lbr_pending_due = due
        timer.start()

    setattr(schedule_reevaluation, _MARK, True)
    JobScheduler._schedule_reevalutation = schedule_reevaluation
    return True
