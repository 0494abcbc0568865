"""Cluster jobs and wall time of the closed-form stages, grouped as in profiles/slurm or not.

    sudo python benchmarks/bench_grouping.py    # needs root, slurm-wlm and munge

Starts the one-node test cluster of tests/workflow/cluster/slurm.sh, then runs the closed-form
jobs of tests/workflow/configs/tiny.yaml (datasets built, spectra, alignment, every denoising
setting, Theorem 1's interpolation) twice in fresh directories: once as one SLURM job per
rule job, once with the profile's groups (one SLURM job per dataset and preprocessing).
Prints, for each, the jobs submitted through sbatch and the wall time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
WORKFLOW = REPO / "tests" / "workflow"
TINY = WORKFLOW / "configs" / "tiny.yaml"
sys.path.insert(0, str(REPO / "workflow"))

from lbr.spectral.noise import expand_noise_grid  # noqa: E402

SCRIPT = WORKFLOW / "cluster" / "slurm.sh"


def groups() -> list[str]:
    """The `groups:` of the shipped SLURM profile."""
    profile = yaml.safe_load((REPO / "profiles" / "slurm" / "config.yaml").read_text())
    return profile["groups"]


def targets() -> list[str]:
    config = yaml.safe_load(TINY.read_text())
    noises = expand_noise_grid(config["denoising"]["noises"])
    out = []
    for dataset in config["datasets"]:
        out.append(f"results/alignment/{dataset}.parquet")
        out.append(f"results/theory/interpolation/{dataset}.parquet")
        out += [f"results/denoising/{dataset}/{noise}.parquet" for noise in noises]
    return out


def run(workdir: Path, env: dict, grouped: bool) -> tuple[int, float]:
    command = [
        sys.executable,
        "-m",
        "snakemake",
        *targets(),
        "--snakefile",
        str(REPO / "Snakefile"),
    ]
    command += ["--configfile", str(TINY), "--directory", str(workdir), "--executor", "slurm"]
    command += ["--jobs", "8", "--max-threads", "2", "--config", "device=cpu"]
    command += ["--default-resources", "mem_mb=1000", "runtime=30"]
    command += [
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "1",
    ]
    if grouped:  # the test node's size as the group's limits
        command += ["--groups", *groups(), "--cores", "2", "--resources", "mem_mb=8000"]
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stdout[-3000:] + result.stderr[-3000:])
    output = result.stdout + result.stderr
    return len(re.findall(r"has been submitted with SLURM jobid", output)), seconds


def main() -> None:
    state = Path(tempfile.mkdtemp(prefix="lbr-bench-slurm-"))
    subprocess.run(["bash", str(SCRIPT), "start", str(state)], check=True)
    try:
        env = {**os.environ, "SLURM_CONF": str(state / "slurm.conf")}
        print(f"{len(targets())} closed-form targets of {TINY.name}")
        print("| run | SLURM jobs submitted | wall s |")
        print("|---|---|---|")
        for grouped in (False, True):
            workdir = Path(tempfile.mkdtemp(prefix="lbr-bench-grouping-"))
            jobs, seconds = run(workdir, env, grouped)
            print(
                f"| {'grouped (profile)' if grouped else 'one job per rule job'} | {jobs} | {seconds:.0f} |"
            )
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(state)], check=False)


if __name__ == "__main__":
    main()
