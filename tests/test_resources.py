"""Requests follow the data: every measured job fits in what lbr.resources computes for
its stage from the dataset's D and N, and docs/cluster.md shows the model's output. That the
rules ask for it is checked by a dry run in tests/workflow/test_resources.py."""

import json

import pytest
from lbr import resources
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


def test_the_cluster_page_shows_what_the_model_requests():
    """docs/cluster.md's table is the model's output (python -m lbr.resources), not a copy
    that can drift: a change of constants must update it."""
    assert resources.request_table() in (REPO / "docs" / "cluster.md").read_text()


def test_the_tables_sizes_are_the_catalogs_native_images_and_training_sets():
    assert resources.table_sizes() == [
        ("Fashion-MNIST", 28 * 28, 60_000),
        ("CIFAR-10", 32 * 32 * 3, 50_000),
        ("TinyImageNet", 64 * 64 * 3, 100_000),
    ]


def test_eigensolve_threads_change_exactly_at_1024_and_4096():
    assert [resources.threads(d) for d in (None, 1024, 1025, 4096, 4097)] == [1, 1, 4, 4, 8]


def test_unknown_sizes_get_the_fallback_request_times_the_attempt():
    assert resources.memory_mb("spectrum", None, 10, attempt=3) == 3 * resources.UNKNOWN_MEMORY_MB
    assert (
        resources.runtime_minutes("spectrum", 64, None, attempt=2)
        == 2 * resources.UNKNOWN_RUNTIME_MINUTES
    )
