"""The tiny pipeline on a real one-node SLURM cluster (Debian's slurm-wlm and munge).

The cluster is started by tests/workflow/cluster/slurm.sh with one GPU declared as a generic
resource, so GPU-tagged training jobs are scheduled through it; the daemons are
stopped by their PIDs afterwards. CI installs the packages; elsewhere the test skips.
"""

import json
import os
import re
import shutil
import subprocess
import sys

import fake_archives as fake
import numpy as np
import pandas as pd
import pytest
import yaml
from lbr.spectral.noise import expand_noise_grid
from PIL import Image
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
# One output of every kind of cluster job of the tiny config: a dataset build, the closed
# forms as a group job, a GPU-tagged training and guidance run, a figure. The SLURM
# executor polls the queue at growing intervals, so each job costs tens of seconds here
# whatever its size: one job of each kind, not the whole pipeline.
EVERY_KIND = (
    "results/alignment/digits_photo.parquet",
    "results/subspace/digits/top-0.5-aug-s0/summary.json",
    "results/guidance/digits/conv-k8-g0.5-s0.json",
    "results/figures/fig9_gallery_digits.png",
)


def _submitted(output: str) -> tuple[list[str], dict[str, int]]:
    """The jobs sent to sbatch (a group job is named by a UUID, a single job by its
    number) and Snakemake's job stats."""
    submitted = re.findall(r"Job (\S+) has been submitted with SLURM jobid", output)
    block = output.partition("Job stats:")[2].lstrip("\n").split("\n\n")[0]
    stats = re.findall(r"^(\w+)\s+(\d+)$", block, re.M)
    return submitted, {rule: int(count) for rule, count in stats}


def test_every_kind_of_job_runs_as_a_slurm_job_and_matches_a_local_run(cluster, tmp_path, request):
    """device=auto on the cluster against the local tiny run (device: cpu): on a CPU-only
    node auto resolves to the CPU, so every computed number must be the same."""
    env, state = cluster
    remote = tmp_path / "slurm"
    remote.mkdir()
    arguments = (*EVERY_KIND, "--configfile", str(TINY), "--config", "device=auto")
    result = _on_slurm(env, remote, *arguments)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    submitted, stats = _submitted(output)
    # The closed forms of each dataset and preprocessing (one spectrum each) run as one
    # group job; every other job runs through sbatch on its own.
    grouped = sum(stats.get(rule, 0) for rule in CLOSED_FORM_RULES)
    assert sum(not job.isdigit() for job in submitted) == stats["spectrum"] >= 2
    assert sum(job.isdigit() for job in submitted) == stats["total"] - grouped
    assert {"dataset", "subspace_train", "guidance", "figure_gallery"} <= stats.keys()
    # slurmctld starts a job from its main scheduler ("Allocate") or from backfill ("Started").
    started = set(
        re.findall(r"(?:Allocate|Started) JobId=(\d+)", (state / "slurmctld.log").read_text())
    )
    assert len(started) >= len(submitted)
    # Asked for last: another worker may have made the local run meanwhile.
    local = request.getfixturevalue("tiny_run")
    # Where and how fast a job ran may differ; what it computed may not.
    machine = ["device", "images_per_second", "epoch_seconds", "seconds"]
    for table in (
        "alignment/digits_photo.parquet",
        "subspace/digits/top-0.5-aug-s0/metrics.parquet",
        "subspace/digits/top-0.5-aug-s0/test_images.parquet",
        "guidance/digits/conv-k8-g0.5-s0-curves.parquet",
    ):
        a, b = (pd.read_parquet(d / "results" / table) for d in (remote, local))
        pd.testing.assert_frame_equal(
            a.drop(columns=machine, errors="ignore"), b.drop(columns=machine, errors="ignore")
        )
    for record in (
        "subspace/digits/top-0.5-aug-s0/summary.json",
        "guidance/digits/conv-k8-g0.5-s0.json",
    ):
        a, b = (json.loads((d / "results" / record).read_text()) for d in (remote, local))
        assert _numbers(a) == _numbers(b), record


def _numbers(record: dict) -> dict:
    """The computed numbers of a run record, without where and how fast it ran."""
    machine = {"device", "mean_images_per_second", "runtime", "environment"}
    return {
        key: _numbers(value) if isinstance(value, dict) else value
        for key, value in record.items()
        if key not in machine and not isinstance(value, str)
    }


def test_a_failing_job_fails_the_run_and_shows_its_error(cluster, tmp_path):
    """A damaged image fails the first job (the dataset build): the run fails and the
    job's error, naming the file, reaches the user."""
    env, _ = cluster
    folder = tmp_path / "folder"
    for split in ("train", "test"):
        for label in "ab":
            path = folder / split / label / "0.png"
            path.parent.mkdir(parents=True)
            pixels = np.full((8, 8), 100 if label == "a" else 200, dtype=np.uint8)
            Image.fromarray(pixels).save(path)
    damaged = folder / "train" / "b" / "0.png"
    damaged.write_bytes(damaged.read_bytes()[:40])  # a truncated PNG
    config = yaml.safe_load(TINY.read_text())
    config["datasets"]["damaged"] = {
        "source": "image_folder",
        "path": str(folder),
        "shape": [8, 8, 1],
    }
    path = tmp_path / "damaged.yaml"
    path.write_text(yaml.safe_dump(config))
    # no retry of the failing job: what is checked is that the error reaches the user
    arguments = ("results/datasets/damaged/meta.json", "--configfile", str(path), "--retries", "0")
    result = _on_slurm(env, tmp_path, *arguments, timeout_s=600)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"cannot read image {damaged}" in output, output[-3000:]
    submitted, _ = _submitted(output)
    assert len(submitted) == 1


def test_downloads_stay_local_and_closed_forms_run_as_one_job(cluster, tmp_path, http_server):
    """`download` runs where Snakemake runs, the dataset build goes through sbatch, and
    the closed-form jobs of a dataset and preprocessing share one cluster job."""
    env, _ = cluster
    served, url = http_server
    fashion = fake.mnist_like("fashion_mnist", served)
    env = {
        **fake_remote_environment(served, {"fashion_mnist": fashion}),
        "SLURM_CONF": env["SLURM_CONF"],
    }
    path = fashion_config(tmp_path, url)
    config = yaml.safe_load(path.read_text())
    # one denoising setting: a group job runs its members one after another, each with
    # its own job step, and the grouping does not depend on how many there are
    config["denoising"]["noises"] = {"gaussian": {"sigmas": [1.0]}}
    path.write_text(yaml.safe_dump(config))
    noises = list(expand_noise_grid(config["denoising"]["noises"]))
    targets = [
        "results/alignment/fm.parquet",
        "results/theory/interpolation/fm.parquet",
        *[f"results/denoising/fm/{n}.parquet" for n in noises],
    ]
    run = tmp_path / "run"
    run.mkdir()
    arguments = (*targets, "--configfile", str(path), "--config", "device=cpu")
    result = _on_slurm(env, run, *arguments, timeout_s=1200)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "localrule download:" in output
    submitted, stats = _submitted(output)
    # the dataset build, and ONE job for the 3 + len(noises) closed-form jobs of fm
    # (spectrum, alignment, interpolation, every denoising setting)
    assert sum(stats.get(rule, 0) for rule in CLOSED_FORM_RULES) == 3 + len(noises)
    assert len(submitted) == 2, output[-4000:]
    assert sum(not job.isdigit() for job in submitted) == 1, submitted
