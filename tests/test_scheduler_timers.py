"""lbr.scheduler_timers patches the installed Snakemake (its effect on a real run:
tests/workflow/test_scheduler_timers.py)."""


def test_the_installed_snakemake_takes_the_fix():
    """A Snakemake that renamed or changed the method would silently run unpatched."""
    from lbr.scheduler_timers import install
    from snakemake.scheduling.job_scheduler import JobScheduler

    assert install()
    assert getattr(JobScheduler._schedule_reevalutation, "_lbr_one_pending_timer", False)
