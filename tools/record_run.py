"""Make the record of a finished run: its provenance and the reproduction tables a reader
needs, as one JSON file that docs/results.md is generated from (tools/pages.py).

    python tools/record_run.py RESULTS_PARENT_DIR --configfile config.yaml \\
        --output records/config.json [--command "snakemake --cores all"]

RESULTS_PARENT_DIR is the directory the run wrote `results/` into (the repository, or
Snakemake's --directory). Run this right after the run, on the machine that made it: the
machine is read here, the commit from the git checkout holding RESULTS_PARENT_DIR (this
repository's when that directory is in none), and the date is when the run wrote
results/report.md.

The record holds:

- provenance: the run's date (results/report.md's modification time, UTC), the
  machine (CPU model, logical CPUs), the commit of the checkout the run was made in (and
  whether tracked files differed from it), the command, the config file and its sha256,
  and in words what else shaped its timings (--conditions: other work, a pause);
- cost: the wall time of the Snakemake invocation that finished the run (its log under
  .snakemake/log/), and the jobs' summed wall and CPU seconds (results/benchmarks/);
- convergence: per kind of training run (subspace classifiers, R3's linear probes), how
  many runs were still rising at the end (lbr.train.convergence) and which;
- claims: the reproduction report's rows (results/reproduction.parquet): each claim,
  this run's numbers in words and the verdict;
- headline: per dataset, the R1 table (results/report/r1_verdicts.parquet): the
  alignment at K = 10 and 32, the prediction, the headline pair's mean accuracies over
  seeds and bottom − top, each with its 95% intervals (t over seeds, paired bootstrap
  over test images; null where there is none), the outcome and the threshold reading.

It refuses results whose datasets are not the config's: a record names the config that
made it.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import math
import os
import platform
import subprocess
import sys
from pathlib import Path

import pandas as pd
import yaml
from lbr.train.convergence import LATE_PART, STILL_RISING

REPO = Path(__file__).resolve().parents[1]
# The files a finished run's report leaves (workflow/rules/report.smk).
REPORT = "results/report.md"
CLAIMS = "results/reproduction.parquet"
R1_VERDICTS = "results/report/r1_verdicts.parquet"
BENCHMARKS = "results/benchmarks"
SNAKEMAKE_LOGS = ".snakemake/log"
# The training tables whose runs carry a convergence judgement (lbr.train.convergence).
CONVERGENCE = {
    "subspace": "results/subspace/summary.parquet",
    "guidance": "results/guidance/summary.parquet",
}
# The columns that name a run in those tables, in the order a reader reads them.
RUN_NAME = ("dataset", "side", "fraction", "augment", "arch", "latent", "guidance", "seed")
# Columns of the R1 table kept in the record, as they are.
HEADLINE_VALUES = (
    "dimension",
    "alignment_k10",
    "alignment_k32",
    "predicted",
    "seeds",
    "test_size",
    "top_variance",
    "bottom_variance",
    "outcome",
    "threshold_verdict",
)
# Quantities kept with their two intervals (<name>_seeds_low/high, <name>_bootstrap_low/high).
HEADLINE_INTERVALS = ("top_accuracy", "bottom_accuracy", "bottom_minus_top")
DEFAULT_COMMAND = "snakemake --cores all"


class RecordError(Exception):
    """The results cannot make a record (missing, unfinished, or from another config)."""


def _plain(value):
    """A JSON value: numpy scalars as Python numbers, NaN as null."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _git(where: Path, *args: str) -> str | None:
    try:
        result = subprocess.run(["git", *args], cwd=where, capture_output=True, text=True)
    except OSError:
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def checkout(results_parent: Path) -> Path:
    """The git checkout the run was made in: the one holding results_parent, else this one."""
    inside = _git(results_parent, "rev-parse", "--show-toplevel")
    return Path(inside) if inside else REPO


def machine() -> dict:
    """The CPU model and the number of logical CPUs of this machine."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"cpu": cpu, "logical_cpus": os.cpu_count()}


def provenance(
    results_parent: Path, configfile: Path, command: str, conditions: str | None = None
) -> dict:
    finished = (results_parent / REPORT).stat().st_mtime
    date = datetime.datetime.fromtimestamp(finished, datetime.UTC)
    code = checkout(results_parent)
    status = _git(code, "status", "--porcelain", "--untracked-files=no")
    return {
        "date": date.isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": _git(code, "rev-parse", "HEAD"),
        "uncommitted_changes": None if status is None else bool(status),
        "command": command,
        "configfile": configfile.as_posix(),
        "config_sha256": hashlib.sha256(configfile.read_bytes()).hexdigest(),
        "conditions": conditions,
    }


def _log_start(log: Path) -> datetime.datetime | None:
    """When a Snakemake invocation started, from its log's name (2026-12-04T230542.830794...)."""
    try:
        start = datetime.datetime.strptime(
            log.name.split(".snakemake.log")[0], "%Y-%m-%dT%H%M%S.%f"
        )
    except ValueError:
        return None
    return start.astimezone(datetime.UTC)  # the name is in the local time of the run


def cost(results_parent: Path) -> dict:
    """The finishing invocation's wall seconds (None without its log) and the jobs' summed
    wall and CPU seconds from their benchmark files."""
    wall = None
    logs = sorted((results_parent / SNAKEMAKE_LOGS).glob("*.snakemake.log"))
    for log in reversed(logs):  # the latest invocation that completed
        text = log.read_text(errors="replace")
        start = _log_start(log)
        if start is not None and "(100%) done" in text:
            end = datetime.datetime.fromtimestamp(log.stat().st_mtime, datetime.UTC)
            wall = round((end - start).total_seconds(), 1)
            break
    jobs = [
        pd.read_csv(path, sep="\t").iloc[0]
        for path in sorted((results_parent / BENCHMARKS).rglob("*.tsv"))
    ]
    return {
        "wall_seconds": wall,
        "jobs": len(jobs),
        "jobs_wall_seconds": round(float(sum(job["s"] for job in jobs)), 1),
        "jobs_cpu_seconds": round(float(sum(job["cpu_time"] for job in jobs)), 1),
    }


def convergence(results_parent: Path) -> dict:
    """Per kind of training run: how many were judged, how many were still rising at the
    end, and those runs with their late rise (a fraction of accuracy)."""
    summary = {"rise_over_fraction_of_epochs": list(LATE_PART), "threshold": STILL_RISING}
    for kind, path in CONVERGENCE.items():
        table = pd.read_parquet(results_parent / path)
        keys = [key for key in RUN_NAME if key in table.columns]
        judged = table[table["still_rising"].notna()]
        rising = judged[judged["still_rising"].astype(bool)]
        summary[kind] = {
            "runs": len(table),
            "judged": len(judged),
            "run_keys": keys,  # the order a reader reads a run's name in
            "still_rising": [
                {key: _plain(row[key]) for key in (*keys, "late_accuracy_rise")}
                for _, row in rising.iterrows()
            ],
        }
    return summary


def claims(table: pd.DataFrame) -> list[dict]:
    return [
        {"claim": row["claim"], "this_run": row["this run"], "verdict": row["verdict"]}
        for _, row in table.iterrows()
    ]


def headline(table: pd.DataFrame) -> list[dict]:
    rows = []
    for _, row in table.iterrows():
        entry = {"dataset": row["dataset"]}
        entry.update({key: _plain(row[key]) for key in HEADLINE_VALUES})
        for name in HEADLINE_INTERVALS:
            entry[name] = {
                "mean": _plain(row[name]),
                "seeds": [_plain(row[f"{name}_seeds_low"]), _plain(row[f"{name}_seeds_high"])],
                "bootstrap": [
                    _plain(row[f"{name}_bootstrap_low"]),
                    _plain(row[f"{name}_bootstrap_high"]),
                ],
            }
            for kind in ("seeds", "bootstrap"):
                if None in entry[name][kind]:
                    entry[name][kind] = None
        rows.append(entry)
    return rows


def make_record(
    results_parent: Path,
    configfile: Path,
    command: str = DEFAULT_COMMAND,
    conditions: str | None = None,
) -> dict:
    """The record of the run whose results/ is under results_parent, made with configfile."""
    for name in (REPORT, CLAIMS, R1_VERDICTS, *CONVERGENCE.values()):
        if not (results_parent / name).is_file():
            raise RecordError(
                f"{results_parent / name} is missing: record a run only once it has finished "
                "(its report written)"
            )
    config = yaml.safe_load(configfile.read_text())
    verdicts = pd.read_parquet(results_parent / R1_VERDICTS)
    configured, found = sorted(config["datasets"]), sorted(verdicts["dataset"])
    if configured != found:
        raise RecordError(
            f"the results in {results_parent / 'results'} are of datasets {found}, but "
            f"{configfile} configures {configured}: record a run with the config that made it"
        )
    return {
        "provenance": provenance(results_parent, configfile, command, conditions),
        "cost": cost(results_parent),
        "convergence": convergence(results_parent),
        "headline_fractions": {
            side: config["subspace"]["headline"][side] for side in ("top", "bottom")
        },
        "claims": claims(pd.read_parquet(results_parent / CLAIMS)),
        "headline": headline(verdicts),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("results_parent", type=Path, help="the directory holding results/")
    parser.add_argument("--configfile", type=Path, required=True, help="the run's config file")
    parser.add_argument("--output", type=Path, required=True, help="e.g. records/config.json")
    parser.add_argument(
        "--command",
        help=f"the command that made the run (default: '{DEFAULT_COMMAND} --configfile FILE')",
    )
    parser.add_argument(
        "--conditions",
        help="what else shaped the run's timings (other work on the machine, a pause)",
    )
    args = parser.parse_args(argv)
    command = args.command or f"{DEFAULT_COMMAND} --configfile {args.configfile.as_posix()}"
    try:
        record = make_record(args.results_parent, args.configfile, command, args.conditions)
    except RecordError as error:
        print(f"record_run: {error}", file=sys.stderr)
        return 1
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(record, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"wrote {args.output}; regenerate the pages with: python tools/pages.py")
    return 0


if __name__ == "__main__":
    sys.exit(main())
