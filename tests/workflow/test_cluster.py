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
    """Snakemake with the shipped SLURM profile (its groups included), told the test
    node's size (2 CPUs, 21 GB). Each rule asks for what lbr.resources sizes from its
    data; device auto tags training jobs gpu=1."""
    command = ["timeout", "-k", "20", str(timeout_s), sys.executable, "-m", "snakemake", *extra]
    command += ["--snakefile", str(REPO / "Snakefile"), "--directory", str(workdir)]
    command += ["--profile", str(PROFILE), "--cores", "2", "--max-threads", "2"]
    command += ["--resources", "mem_mb=8000", "--default-resources", "mem_mb=1000", "runtime=30"]
    command += ["--slurm-init-seconds-before-status-checks", "1"]
    return subprocess.run(command, cwd=workdir, env=env, capture_output=True, text=True)


CLOSED_FORM_RULES = ("spectrum", "alignment", "denoising", "theorem1_interpolation")


def test_tiny_pipeline_runs_as_slurm_jobs_and_matches_a_local_run(cluster, tmp_path, request):
    """device=auto on the cluster against the local tiny run (device: cpu): on a CPU-only
    node auto resolves to the CPU, so every computed number must be the same."""
    env, state = cluster
    remote = tmp_path / "slurm"
    remote.mkdir()
    result = _on_slurm(env, remote, "--configfile", str(TINY), "--config", "device=auto")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    output = result.stdout + result.stderr
    submitted = re.findall(r"Job (\S+) has been submitted with SLURM jobid", output)
    stats = dict(re.findall(r"^(\w+)\s+(\d+)$", output.split("Job stats:")[1], re.M))
    local_rules = output.count("localrule ")
    # The closed forms of each dataset and preprocessing run as one cluster job (a UUID);
    # every other job but the default target runs through sbatch on its own (a number).
    config = yaml.safe_load(TINY.read_text())
    groups = len(config["datasets"]) * len(config["spectrum"]["preprocessings"])
    grouped = sum(int(stats.get(rule, 0)) for rule in CLOSED_FORM_RULES)
    assert sum(not job.isdigit() for job in submitted) == groups
    assert sum(job.isdigit() for job in submitted) == int(stats["total"]) - local_rules - grouped
    assert len(submitted) > 10
    # slurmctld starts a job from its main scheduler ("Allocate") or from backfill ("Started").
    started = set(
        re.findall(r"(?:Allocate|Started) JobId=(\d+)", (state / "slurmctld.log").read_text())
    )
    assert len(started) >= len(submitted)
    # Asked for last: another worker may have made the local run meanwhile.
    tiny_run = request.getfixturevalue("tiny_run")
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
    # no retry of the failing job: what is checked is that the error reaches the user
    arguments = (target, "--configfile", str(bad), "--retries", "0")
    result = _on_slurm(env, tmp_path, *arguments, timeout_s=600)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "latent size 100 must be in 1..D = 64" in output


def test_downloads_stay_local_and_closed_forms_run_as_one_job(cluster, tmp_path, http_server):
    """`download` runs where Snakemake runs, the dataset builds go through sbatch, and
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
    run = tmp_path / "run"
    run.mkdir()
    arguments = (*targets, "--configfile", str(tmp_path / "config.yaml"), "--config", "device=cpu")
    result = _on_slurm(env, run, *arguments, timeout_s=1200)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "localrule download:" in output
    submitted = re.findall(r"Job (\S+) has been submitted with SLURM jobid", output)
    # three dataset builds (digits, digits_photo, fm) and ONE job for the 3 + len(noises)
    # closed-form jobs of digits_photo (spectrum, alignment, interpolation, denoising)
    assert len(submitted) == 4, output[-4000:]
    # Snakemake names a group job by a UUID, a single job by its number
    assert sum(not job.isdigit() for job in submitted) == 1, submitted
