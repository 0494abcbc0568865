"""lbr.scheduler_timers in a real Snakemake run: the scheduler's re-evaluation timers stay
one at a time instead of one more chain per finished job (docs/snakemake_scheduler.md).

A toy workflow of JOBS short jobs on one core (so that jobs wait while others run) counts
every Timer Snakemake's scheduler starts. With the fix at most one is pending at a time and
each waits the 1 s job-rate window, so a run of W seconds starts at most W + 1 of them.
Without it, every finished job adds a chain that restarts each second while jobs wait:
the control run must exceed that bound, or this test could not see the fault."""

import json
import math
import subprocess
import sys
import textwrap

import pytest
from support import REPO

pytestmark = pytest.mark.workflow

JOBS = 16

SNAKEFILE = textwrap.dedent(
    """
    import json, sys, threading, time
    sys.path.insert(0, {library!r})
    if config["fix"]:
        from lbr.scheduler_timers import install
        assert install()

    STARTED = {{"timers": 0, "at": time.monotonic()}}
    _start = threading.Timer.start

    def _counted(self):
        if self.__class__ is threading.Timer:  # the scheduler's (Snakemake's own are subclasses)
            STARTED["timers"] += 1
        _start(self)

    threading.Timer.start = _counted

    rule all:
        input: expand("out/{{i}}.txt", i=range({jobs}))

    rule work:
        output: "out/{{i}}.txt"
        shell: "sleep 0.3; touch {{output}}"

    onsuccess:
        waiting = [t for t in threading.enumerate() if isinstance(t, threading.Timer) and not t.daemon]
        record = {{"timers": STARTED["timers"], "seconds": time.monotonic() - STARTED["at"],
                  "non_daemon_timers_alive": len(waiting)}}
        open("timers.json", "w").write(json.dumps(record))
    """
)


def _run(tmp_path, fix: bool) -> dict:
    folder = tmp_path / ("fixed" if fix else "unfixed")
    folder.mkdir()
    snakefile = folder / "Snakefile"
    snakefile.write_text(SNAKEFILE.format(library=str(REPO / "workflow"), jobs=JOBS))
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(snakefile), "--cores", "1"]
    command += ["--config", f"fix={fix}", "--quiet", "all"]
    result = subprocess.run(command, cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads((folder / "timers.json").read_text())


def test_one_pending_timer_instead_of_one_chain_per_finished_job(tmp_path):
    fixed = _run(tmp_path, fix=True)
    bound = math.ceil(fixed["seconds"]) + 1  # one 1-second timer at a time
    assert 1 <= fixed["timers"] <= bound, fixed
    assert fixed["non_daemon_timers_alive"] == 0  # nothing keeps the process alive

    unfixed = _run(tmp_path, fix=False)
    assert unfixed["timers"] > math.ceil(unfixed["seconds"]) + 1, unfixed
