"""Requests follow the data: every measured job fits in what its stage asks for, and the
rules ask what lbr.resources computes from the dataset's D and N."""

import json
import re
import subprocess
import sys

import pytest
import yaml
from lbr import resources
from lbr.data.catalog import REMOTE_SOURCE_NAMES, closed_form_shape, training_images
from support import REPO

MEASURED = json.loads((REPO / "benchmarks" / "resource_measurements.json").read_text())
# Closed-form stages at D = 12 288 (benchmarks/bench_denoising.py): the spectrum from one
# N = 100 000 pass (bench_spectrum.py, chunk 4 096), the denoising from one masking setting.
LARGEST = {
    stage: sizes["12288"]
    for stage, sizes in json.loads(
        (REPO / "benchmarks" / "closed_form_costs.json").read_text()
    ).items()
}
MODEL_STAGE = {"subspace_train": "training"}


@pytest.mark.parametrize("row", MEASURED, ids=[r["stage"] + "-" + r["job"] for r in MEASURED])
def test_requested_memory_and_runtime_cover_the_measured_job(row):
    stage = MODEL_STAGE.get(row["stage"], row["stage"])
    assert resources.memory_mb(stage, row["D"], row["N"]) >= row["peak_rss_mb"]
    if stage != "training":
        minutes = resources.runtime_minutes(stage, row["D"], row["N"])
        assert minutes * 60 >= max(row["wall_seconds"], row["cpu_seconds"])


def test_measurements_span_several_sizes_for_each_closed_form_stage():
    for stage in ("spectrum", "alignment", "denoising", "theorem1_interpolation", "dataset"):
        assert len({r["D"] for r in MEASURED if r["stage"] == stage}) >= 3, stage


@pytest.mark.parametrize("stage", ["spectrum", "denoising"])
def test_tinyimagenet_sized_closed_forms_fit_the_model_itself(stage):
    """The model covers the measured peak without the margin, and runtime with it."""
    measured = LARGEST[stage]
    modelled = resources.memory_mb(stage, 12288, 100_000) / resources.MEMORY_MARGIN
    assert modelled >= measured["peak_rss_mb"]
    minutes = resources.runtime_minutes(stage, 12288, 100_000)
    assert minutes * 60 >= max(measured["cpu_seconds"], measured["wall_seconds"])


def test_requests_grow_with_the_data_and_with_each_retry():
    small, large = (resources.memory_mb("denoising", d, 1000) for d in (784, 12288))
    assert large > 10 * small
    # memory grows as D²: the D×D part of a 4x larger D is 16x larger
    part = [
        resources.memory_mb("denoising", d, 1000) - resources.memory_mb("denoising", 1, 1000)
        for d in (1000, 4000)
    ]
    assert part[1] == pytest.approx(16 * part[0], rel=0.02)  # up to rounding to whole MB
    assert resources.memory_mb("spectrum", 3072, 10_000, attempt=2) == 2 * resources.memory_mb(
        "spectrum", 3072, 10_000
    )
    assert resources.runtime_minutes("spectrum", 3072, 10_000, attempt=3) == 3 * (
        resources.runtime_minutes("spectrum", 3072, 10_000)
    )
    assert resources.memory_mb("training", 784, 60_000, gpu=True) == (
        resources.memory_mb("training", 784, 60_000) + resources.CUDA_HOST_MB
    )
    assert resources.memory_mb("spectrum", None, 10) == resources.UNKNOWN_MEMORY_MB
    assert resources.runtime_minutes("spectrum", 784, None) == resources.UNKNOWN_RUNTIME_MINUTES
    assert [resources.threads(d) for d in (None, 784, 1024, 3072, 12288)] == [1, 1, 1, 4, 8]


def _dry_run_resources(*args):
    command = [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile")]
    result = subprocess.run(
        [*command, *args], cwd=REPO, capture_output=True, text=True, timeout=600, check=True
    )
    jobs, rule, wildcards = {}, None, ""
    for line in result.stdout.splitlines():
        line = line.strip()
        if match := re.fullmatch(r"(?:local)?rule (\w+):", line):
            rule, wildcards = match.group(1), ""
        elif line.startswith("wildcards: "):
            wildcards = line.removeprefix("wildcards: ")
        elif line.startswith("resources: ") and rule:
            jobs[(rule, wildcards)] = dict(re.findall(r"(\w+)=([^,\s]+)", line))
    return jobs


def test_a_paper_dry_run_with_the_slurm_profile_requests_the_model(tmp_path):
    jobs = _dry_run_resources(
        "--profile", "profiles/slurm", "--configfile", "config.paper.yaml", "--directory", tmp_path
    )
    datasets = yaml.safe_load((REPO / "config.paper.yaml").read_text())["datasets"]
    shape = closed_form_shape(datasets["tinyimagenet"])
    dim, images = shape[0] * shape[1] * shape[2], training_images("tinyimagenet", datasets)
    assert (dim, images) == (12288, 100_000)
    spectrum = jobs[("spectrum", "dataset=tinyimagenet, preprocessing=standardized")]
    assert int(spectrum["mem_mb"]) == resources.memory_mb("spectrum", dim, images)
    assert int(spectrum["runtime"]) == resources.runtime_minutes("spectrum", dim, images)
    denoising = next(v for (r, w), v in jobs.items() if r == "denoising" and "tinyimagenet" in w)
    assert int(denoising["mem_mb"]) == resources.memory_mb("denoising", dim, images)
    # the raw files are fetched by a local rule, once per source
    downloads = [w for r, w in jobs if r == "download"]
    remote = {spec["source"] for spec in datasets.values()} & set(REMOTE_SOURCE_NAMES)
    assert sorted(w.removeprefix("source=") for w in downloads) == sorted(remote)


def test_the_readme_shows_what_the_model_requests():
    """The README's table is the model's output (python -m lbr.resources), not a copy
    that can drift: a change of constants must update it."""
    assert resources.request_table() in (REPO / "README.md").read_text()
