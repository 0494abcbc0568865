"""The Snakemake process's own CPU time in a real run, with and without
lbr.scheduler_timers (docs/snakemake_scheduler.md).

    python benchmarks/bench_scheduler.py [--configfile tests/workflow/configs/tiny.yaml]
        [--cores 2] [--repeats 2] [--output benchmarks/scheduler_timers.json]

Each run is a fresh pipeline run of the config in its own process (the patch is
process-wide), alternating patched and unpatched runs so that a load that drifts during
the session hits both alike. Reports per run: wall seconds, the Snakemake process's CPU
seconds (planning, the job loop) and the jobs' CPU seconds, and the scheduler's CPU as a
share of the jobs'. Compare runs of one session on one machine only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
import profile_run  # noqa: E402 (beside this script)

# Run in a child process: one pipeline run, patched or not, printed as JSON.
CHILD = """
import json, sys
sys.path.insert(0, {benchmarks!r})
sys.path.insert(0, {library!r})
if {unpatched}:
    # Mark Snakemake's own method as already patched, so common.smk's install() keeps it.
    from snakemake.scheduling.job_scheduler import JobScheduler
    from lbr import scheduler_timers
    setattr(JobScheduler._schedule_reevalutation, scheduler_timers._MARK, True)
import profile_run
from pathlib import Path
print(json.dumps(profile_run.run_snakemake(Path({configfile!r}), {cores}, Path({directory!r}))))
"""


def one_run(configfile: Path, cores: int, patched: bool) -> dict:
    with tempfile.TemporaryDirectory(prefix="lbr-scheduler-") as directory:
        code = CHILD.format(
            benchmarks=str(Path(__file__).parent),
            library=str(REPO / "workflow"),
            unpatched=not patched,
            configfile=str(configfile),
            cores=cores,
            directory=directory,
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            raise RuntimeError(result.stderr[-3000:])
        run = json.loads(result.stdout.strip().splitlines()[-1])
    run.pop("command")
    run["scheduler_share_of_jobs_cpu"] = run["scheduler_cpu_s"] / run["jobs_cpu_s"]
    return {key: round(value, 3) for key, value in run.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--configfile", type=Path, default=REPO / "tests" / "workflow" / "configs" / "tiny.yaml"
    )
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--output", type=Path, default=None)
    parser.add_argument("--conditions", help="what else ran on the machine meanwhile")
    args = parser.parse_args()
    runs = {"patched": [], "unpatched": []}
    for _ in range(args.repeats):
        for name in ("unpatched", "patched"):
            runs[name].append(one_run(args.configfile.resolve(), args.cores, name == "patched"))
            print(name, runs[name][-1], flush=True)
    summary = {
        name: {
            key: statistics.median(run[key] for run in values)
            for key in ("wall_s", "scheduler_cpu_s", "jobs_cpu_s", "scheduler_share_of_jobs_cpu")
        }
        for name, values in runs.items()
    }
    record = {
        "provenance": profile_run.provenance(args.cores) | {"conditions": args.conditions},
        "config": profile_run.config_name(args.configfile),
        "runs": runs,
        "median": summary,
    }
    profile_run.write_record(record, args.output)


if __name__ == "__main__":
    main()
