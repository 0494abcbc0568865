"""Where a whole pipeline run spends its time: the jobs, per rule, and the scheduler.

    python benchmarks/profile_run.py [--configfile config.yaml] [--cores 2]
        [--directory DIR] [--output benchmarks/default_run_profile.json]

Runs `snakemake --cores N` on the config in a fresh directory (a temporary one unless
--directory), inside this process, so that the process's own CPU time is the
scheduler's (Snakemake's planning and job loop) and its children's is the jobs'. Then
reads every job's benchmark file (results/benchmarks/**.tsv: wall seconds, CPU seconds,
peak memory) and writes one JSON record:

- wall: the run's wall seconds, from start to the last job;
- scheduler_cpu_s: CPU seconds of the Snakemake process itself;
- jobs_cpu_s: CPU seconds of every job (the children this process waited for);
- utilisation: jobs CPU / (cores × wall): the share of the cores' time the jobs got
  (the scheduler's own CPU is reported beside it, not counted as useful work);
- per stage (the benchmark folder: one rule, or a rule's figures): jobs, summed wall and
  CPU seconds, and the median job's wall and CPU seconds;
- import_wall_s: a job's fixed cost, measured directly: the seconds a fresh interpreter
  takes to import what a job of each kind imports;
- provenance: date, commit, machine (CPU model, cores), command, versions.

Compare runs on one machine in one session: machines of one kind differ up to 2x.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# What a job of each kind imports before it computes (its script's heaviest import).
JOB_IMPORTS = {
    "closed form (numpy/scipy)": "import lbr.spectral.cache, lbr.spectral.denoising",
    "training (torch)": "import lbr.train.subspace_run",
    "figure (matplotlib)": "import lbr.plots.subspace, lbr.plots.style",
}


def _cpu_seconds(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def run_snakemake(configfile: Path, cores: int, directory: Path) -> dict:
    """Run the pipeline in this process; return wall, scheduler and job CPU seconds."""
    from snakemake.cli import main as snakemake_main

    argv = ["--snakefile", str(REPO / "Snakefile"), "--configfile", str(configfile)]
    argv += ["--cores", str(cores), "--directory", str(directory), "--quiet", "all"]
    self_before = _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF))
    children_before = _cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN))
    start = time.monotonic()
    try:
        snakemake_main(argv)
    except SystemExit as end:
        if end.code not in (0, None):
            raise RuntimeError(
                f"snakemake failed (exit {end.code}); see its output above"
            ) from None
    wall = time.monotonic() - start
    return {
        "wall_s": wall,
        "scheduler_cpu_s": _cpu_seconds(resource.getrusage(resource.RUSAGE_SELF)) - self_before,
        "jobs_cpu_s": _cpu_seconds(resource.getrusage(resource.RUSAGE_CHILDREN)) - children_before,
        "command": "snakemake " + " ".join(argv),
    }


def benchmark_rows(results: Path) -> list[dict]:
    """One row per job: its rule (the benchmark's folder), wall and CPU seconds, peak RSS."""
    rows = []
    for path in sorted((results / "benchmarks").rglob("*.tsv")):
        with open(path) as handle:
            record = next(csv.DictReader(handle, delimiter="\t"))
        rows.append(
            {
                "stage": path.parent.relative_to(results / "benchmarks").as_posix(),
                "job": path.stem,
                "wall_s": float(record["s"]),
                "cpu_s": float(record["cpu_time"]),
                "max_rss_mb": float(record["max_rss"]),
            }
        )
    return rows


def per_stage(rows: list[dict]) -> dict:
    stages = defaultdict(list)
    for row in rows:
        stages[row["stage"]].append(row)
    return {
        stage: {
            "jobs": len(jobs),
            "wall_s": round(sum(j["wall_s"] for j in jobs), 1),
            "cpu_s": round(sum(j["cpu_s"] for j in jobs), 1),
            "median_job_wall_s": round(statistics.median(j["wall_s"] for j in jobs), 2),
            "median_job_cpu_s": round(statistics.median(j["cpu_s"] for j in jobs), 2),
        }
        for stage, jobs in sorted(stages.items())
    }


def import_costs(repeats: int = 3) -> dict:
    """Median wall seconds of a fresh interpreter importing what each kind of job imports."""
    costs = {}
    for kind, statement in JOB_IMPORTS.items():
        code = f"import sys; sys.path.insert(0, {str(REPO / 'workflow')!r}); {statement}"
        times = []
        for _ in range(repeats):
            start = time.monotonic()
            subprocess.run([sys.executable, "-c", code], check=True)
            times.append(time.monotonic() - start)
        costs[kind] = round(statistics.median(times), 2)
    return costs


def provenance(cores: int) -> dict:
    def git(*args):
        result = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else None

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    import snakemake

    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": bool(git("status", "--porcelain", "--untracked-files=no")),
        "machine": {"cpu": cpu, "logical_cpus": os.cpu_count(), "cores_given": cores},
        "python": platform.python_version(),
        "snakemake": snakemake.__version__,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configfile", type=Path, default=REPO / "config.yaml")
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    parser.add_argument("--directory", type=Path, default=None)
    parser.add_argument("--output", type=Path, default=None)
    args = parser.parse_args()
    record = {"provenance": provenance(args.cores), "config": config_name(args.configfile)}
    with tempfile.TemporaryDirectory(prefix="lbr-profile-") as scratch:
        directory = args.directory or Path(scratch)
        run = run_snakemake(args.configfile.resolve(), args.cores, directory)
        rows = benchmark_rows(directory / "results")
    stages = per_stage(rows)
    busy = run["scheduler_cpu_s"] + run["jobs_cpu_s"]
    record["run"] = {
        **{k: (round(v, 1) if isinstance(v, float) else v) for k, v in run.items()},
        "jobs": len(rows),
        "utilisation": round(run["jobs_cpu_s"] / (args.cores * run["wall_s"]), 3),
        "scheduler_share_of_cpu": round(run["scheduler_cpu_s"] / busy, 3),
        "jobs_cpu_from_benchmarks_s": round(sum(r["cpu_s"] for r in rows), 1),
    }
    record["stages"] = stages
    record["import_wall_s"] = import_costs()
    write_record(record, args.output)


def config_name(configfile: Path) -> str:
    """How a record names its config: relative to the repository when inside it."""
    config = configfile.resolve()
    return config.relative_to(REPO).as_posix() if config.is_relative_to(REPO) else str(config)


def write_record(record: dict, output: Path | None) -> None:
    """Print a benchmark's record as JSON, and write it to `output` when given."""
    text = json.dumps(record, indent=2, sort_keys=True)
    print(text)
    if output:
        output.write_text(text + "\n")


if __name__ == "__main__":
    main()
