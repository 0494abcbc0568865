"""lbr.scheduler_timers.install, with a fake clock and fake timers: at most one pending
re-evaluation timer, started only when none is due as early, a daemon, cleared when it
fires (and only by its own firing). tests/workflow/test_scheduler_timers.py counts the
timers of a real Snakemake run."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from lbr import scheduler_timers
from snakemake.scheduling.job_scheduler import JobScheduler


class _Timers:
    """Stands in for threading.Timer: records each timer started; `fire(i)` runs one."""

    def __init__(self):
        self.started = []

    def __call__(self, delay, function):
        timers = self

        class Timer:
            daemon = False

            def start(self):
                timers.started.append((delay, function, self.daemon))

        return Timer()

    def fire(self, index):
        self.started[index][1]()


class _Scheduler:
    """What the patched method touches of a JobScheduler: the semaphore a wake releases."""

    def __init__(self):
        self._open_jobs = threading.Semaphore(0)


@pytest.fixture
def patched(monkeypatch):
    """install() on this process's JobScheduler (restored afterwards), a clock at 100 s,
    recorded timers; yields (the patched method, the timers, the clock)."""
    original = JobScheduler._schedule_reevalutation
    monkeypatch.setattr(JobScheduler, "_schedule_reevalutation", original)
    clock = {"now": 100.0}
    timers = _Timers()
    # the module's own view of time and threads only: the test process keeps the real ones
    monkeypatch.setattr(scheduler_timers, "time", SimpleNamespace(monotonic=lambda: clock["now"]))
    monkeypatch.setattr(scheduler_timers, "threading", SimpleNamespace(Timer=timers))
    assert scheduler_timers.install() is True
    method = JobScheduler._schedule_reevalutation
    assert method is not original
    yield method, timers, clock


def test_one_pending_timer_at_a_time_a_daemon(patched):
    method, timers, clock = patched
    scheduler = _Scheduler()
    method(scheduler, 1.0)  # due at 101
    assert [(delay, daemon) for delay, _, daemon in timers.started] == [(1.0, True)]
    clock["now"] = 100.5
    method(scheduler, 1.0)  # due at 101.5: the pending one (101) covers it
    method(scheduler, 0.5)  # due at 101 exactly: covered too
    assert len(timers.started) == 1
    method(scheduler, 0.25)  # due at 100.75, earlier: a timer of its own
    assert [delay for delay, _, _ in timers.started] == [1.0, 0.25]


def test_a_fired_timer_wakes_the_scheduler_and_is_no_longer_pending(patched):
    method, timers, clock = patched
    scheduler = _Scheduler()
    method(scheduler, 1.0)
    timers.fire(0)
    assert scheduler._open_jobs.acquire(blocking=False)  # released once
    assert not scheduler._open_jobs.acquire(blocking=False)
    method(scheduler, 1.0)  # nothing pending: a new timer
    assert len(timers.started) == 2


def test_only_its_own_firing_clears_the_pending_timer(patched):
    method, timers, clock = patched
    scheduler = _Scheduler()
    method(scheduler, 3.0)  # A, due 103
    method(scheduler, 0.5)  # B, due 100.5: earlier, pending now
    timers.fire(1)  # B fires: nothing pending
    clock["now"] = 101.0
    method(scheduler, 5.0)  # C, due 106: started, pending
    timers.fire(0)  # A fires late: C is still pending
    method(scheduler, 6.0)  # due 107: covered by C
    assert [delay for delay, _, _ in timers.started] == [3.0, 0.5, 5.0]
    assert scheduler._open_jobs.acquire(blocking=False) and scheduler._open_jobs.acquire(
        blocking=False
    )


def test_installing_twice_patches_once(patched):
    method, _, _ = patched
    assert scheduler_timers.install() is True
    assert JobScheduler._schedule_reevalutation is method


def test_a_snakemake_without_the_method_is_left_alone(monkeypatch):
    monkeypatch.delattr(JobScheduler, "_schedule_reevalutation")
    assert scheduler_timers.install() is False
    assert not hasattr(JobScheduler, "_schedule_reevalutation")


def test_a_snakemake_without_the_scheduler_module_is_left_alone(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "snakemake.scheduling.job_scheduler", None)  # import fails
    assert scheduler_timers.install() is False
