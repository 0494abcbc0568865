"""The tiny pipeline on a real one-node SLURM cluster (Debian's slurm-wlm and munge).

The cluster is started by tests/workflow/cluster/slurm.sh with one GPU declared as a generic
resource, so GPU-tagged training jobs are scheduled through it; the daemons are
stopped by their PIDs afterwards. CI installs the packages; elsewhere the test skips.
"""

import os
import re
import shutil
import subprocess
import sys

import fake_archives as fake
import pandas as pd
import pytest
import yaml
from lbr.spectral.noise import expand_noise_grid
from support import REPO, TINY, WORKFLOW, fake_remote_environment, fashion_config

SCRIPT = WORKFLOW / "cluster" / "slurm.sh"
PROFILE = REPO / "profiles" / "slurm"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.cluster,
    pytest.mark.skipif(
        os.geteuid() != 0 or not all(shutil.which(t) for t in ("slurmctld", "slurmd", "munged")),
        reason="needs root and 'apt-get install slurm-wlm munge' (CI installs them)",
    ),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    state = tmp_path_factory.mktemp("slurm")
    subprocess.run(["bash", str(SCRIPT), "start", str(state)], check=True, timeout=120)
    try:
        yield {**os.environ, "SLURM_CONF": str(state / "slurm.conf")}, state
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", str(state)], check=False, timeout=60)


def _on_slurm(env, workdir, *extra, timeout_s=1800):
    # Each rule asks for what lbr.resources sizes from its data (small here: the one test
    # node has 2 CPUs and 21 GB); device auto tags training jobs gpu=1.
    command = [
        "timeout",
        "-k",
        "20",
        str(timeout_s),
        sys.executable,
        "-m",
        "snakemake",
        *extra,
        "--snakefile",
        str(REPO / "Snakefile"),
        "--directory",
        str(workdir),
        "--executor",
        "slurm",
        "--jobs",
        "4",
        "--max-threads",
        "2",
        "--config",
        "device=auto",
        "--slurm-status-command",
        "squeue",
        "--slurm-init-seconds-before-status-checks",
        "1",
        "--show-failed-logs",
        "--default-resources",
        "mem_mb=1000",
        "runtime=30",
    ]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)


def test_tiny_pipeline_runs_as_slurm_jobs_and_matches_a_local_run(cluster, tmp_path, tiny_run):
    """device=auto on the cluster against the local tiny run (device: cpu): on a CPU-only
    node auto resolves to the CPU, so every computed number must be the same."""
    env, state = cluster
    remote = tmp_path / "slurm"
    remote.mkdir()
    result = _on_slurm(env, remote, "--configfile", str(TINY))
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    submitted = output.count("has been submitted with SLURM jobid")
    local_rules = output.count("localrule ")
    # Every job but the default target ran through sbatch, and slurmctld allocated each.
    jobs = output.split("Job stats:")[1].split("total")[1].split()[0]
    assert submitted == int(jobs) - local_rules > 10
    # slurmctld starts a job from its main scheduler ("Allocate") or from backfill ("Started").
    started = set(
        re.findall(r"(?:Allocate|Started) JobId=(\d+)", (state / "slurmctld.log").read_text())
    )
    assert len(started) >= submitted
    for table in (
        "alignment/digits_photo.parquet",
        "denoising/all.parquet",
        "subspace/summary.parquet",
        "guidance/summary.parquet",
    ):
        a, b = (pd.read_parquet(d / "results" / table) for d in (remote, tiny_run))
        # Where and how fast a job ran may differ; what it computed may not.
        machine = ["device", "images_per_second"]
        pd.testing.assert_frame_equal(
            a.drop(columns=machine, errors="ignore"), b.drop(columns=machine, errors="ignore")
        )


def test_a_failing_job_fails_the_run_and_shows_its_log(cluster, tmp_path):
    env, _ = cluster
    config = yaml.safe_load(TINY.read_text())
    config["autoencoders"]["guidance"]["latents"] = [100]  # digits are 8×8: D = 64
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    target = "results/guidance/digits/conv-k100-g0-s0.json"
    result = _on_slurm(env, tmp_path, target, "--configfile", str(bad), timeout_s=600)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "latent size 100 must be in 1..D = 64" in output


def test_downloads_stay_local_and_closed_forms_run_as_one_job(cluster, tmp_path, http_server):
    """The shipped SLURM profile (its groups), with the node's size given on the command
    line: `download` runs where Snakemake runs, the dataset builds go through sbatch, and
    the closed-form jobs of a dataset and preprocessing share one cluster job."""
    env, _ = cluster
    served, url = http_server
    fashion = fake.mnist_like("fashion_mnist", served)
    env = {
        **fake_remote_environment(served, {"fashion_mnist": fashion}),
        "SLURM_CONF": env["SLURM_CONF"],
    }
    config = yaml.safe_load(fashion_config(tmp_path, url).read_text())
    noises = list(expand_noise_grid(config["denoising"]["noises"]))
    targets = [
        "results/datasets/fm/meta.json",
        "results/alignment/digits_photo.parquet",
        "results/theory/interpolation/digits_photo.parquet",
        *[f"results/denoising/digits_photo/{n}.parquet" for n in noises],
    ]
    command = ["timeout", "-k", "20", "1200", sys.executable, "-m", "snakemake", *targets]
    command += ["--snakefile", str(REPO / "Snakefile"), "--directory", str(tmp_path / "run")]
    command += ["--configfile", str(tmp_path / "config.yaml"), "--profile", str(PROFILE)]
    command += ["--cores", "2", "--max-threads", "2", "--resources", "mem_mb=8000"]
    command += ["--default-resources", "mem_mb=1000", "runtime=30", "--config", "device=cpu"]
    command += ["--slurm-init-seconds-before-status-checks", "1"]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "localrule download:" in output
    submitted = re.findall(r"Job (\S+) has been submitted with SLURM jobid", output)
    # three dataset builds (digits, digits_photo, fm) and ONE job for the 3 + len(noises)
    # closed-form jobs of digits_photo (spectrum, alignment, interpolation, denoising)
    assert len(submitted) == 4, output[-4000:]
    # Snakemake names a group job by a UUID, a single job by its number
    assert sum(not job.isdigit() for job in submitted) == 1, submitted
