"""What a job asks the scheduler for, from what it processes: D = H·W·C pixels per image
and N training images (light: the Snakefile reads it at start-up).

The closed-form stages hold a few D×D float64 matrices (Σ, its eigenvectors, the
solver's factors) and do O(D³) work, plus, for the spectrum, one O(N·D²) pass over the
images; the training stages hold float copies of the images. So, per stage:

    peak memory = FLOOR_MB + square_matrices · 8·D² bytes + image_bytes · N·D
    CPU seconds = STARTUP_SECONDS + cube_seconds · (D/1000)³ + sample_seconds · N·(D/1000)²

with the constants fitted to real jobs (benchmarks/bench_resources.py writes them to
benchmarks/resource_measurements.json; docs/cluster.md, "Resources follow the data",
gives the resulting requests). A request is the model times a margin; each retry of a
failed job (Snakemake's `attempt`) asks for that much again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .data.catalog import native_shape, training_images

MB = 1 << 20
# A rule's Python process with numpy, scipy, pandas and torch imported, before any data
# (measured: 608-688 MB for the smallest jobs).
FLOOR_MB = 700
STARTUP_SECONDS = 5  # imports and reading the inputs (measured: 3.3-4.4 CPU s)
MEMORY_MARGIN = 1.5  # requested / modelled peak: other BLAS builds and allocators
# Runtime is requested as if the job's threads gave no speed-up (a D×D eigensolve gains
# far less than its thread count), with margin: a job over its runtime is killed, one
# that asks for too long only waits a little longer in the queue.
RUNTIME_MARGIN = 2.0
MIN_RUNTIME_MINUTES = 5
# When the config cannot tell D or N before the data is read (a user's own directory of
# images), the profile's defaults.
UNKNOWN_MEMORY_MB = 8000
UNKNOWN_RUNTIME_MINUTES = 60
# Host memory of the CUDA runtime in a training job that uses a GPU: an allowance, not a
# measurement (no GPU here).
CUDA_HOST_MB = 2000


@dataclass(frozen=True)
class Cost:
    """Peak memory and single-thread CPU time of one job of a stage, as measured."""

    square_matrices: float  # D×D float64 matrices alive at the peak
    image_bytes: float  # bytes per training pixel resident at the peak
    cube_seconds: float  # CPU seconds per (D/1000)³
    sample_seconds: float  # CPU seconds per image per (D/1000)²


# Fitted to benchmarks/resource_measurements.json (D = 64, 784, 3 072) and, at
# D = 12 288, to benchmarks/closed_form_costs.json: one TinyImageNet-sized spectrum pass
# (N = 100 000) and one masking setting of benchmarks/bench_denoising.py (about 10 D×D
# matrices at the peak, where D ≤ 3 072 fitted 8). Its CPU seconds differed by 1.4×
# between two machines of the same kind, which RUNTIME_MARGIN absorbs
# (tests/test_resources.py).
COSTS = {
    "dataset": Cost(square_matrices=0, image_bytes=3, cube_seconds=0, sample_seconds=0),
    "spectrum": Cost(square_matrices=5, image_bytes=1, cube_seconds=0.45, sample_seconds=2.5e-5),
    "alignment": Cost(square_matrices=2, image_bytes=0, cube_seconds=0.1, sample_seconds=0),
    "denoising": Cost(square_matrices=10.5, image_bytes=0, cube_seconds=0.7, sample_seconds=0),
    "theorem1_interpolation": Cost(
        square_matrices=7, image_bytes=0, cube_seconds=5.0, sample_seconds=0
    ),
    "figure_gallery": Cost(square_matrices=2, image_bytes=1, cube_seconds=0.1, sample_seconds=0),
    # subspace training, learning dynamics and guidance: the images as float tensors (train
    # and test), the projection onto the kept eigenvectors; runtime comes from the config.
    "training": Cost(square_matrices=7, image_bytes=8, cube_seconds=0, sample_seconds=0),
}


def threads(dim: int | None) -> int:
    """Threads for a D×D eigensolve: more only where the O(D³) work pays for them."""
    if dim is None or dim <= 1024:
        return 1
    return 4 if dim <= 4096 else 8


def memory_mb(
    stage: str, dim: int | None, images: int | None, attempt: int = 1, gpu: bool = False
) -> int:
    """mem_mb to request for one job of `stage` (None: not known before the data is read)."""
    if dim is None or images is None:
        return UNKNOWN_MEMORY_MB * attempt
    cost = COSTS[stage]
    peak = FLOOR_MB * MB + cost.square_matrices * 8 * dim**2 + cost.image_bytes * images * dim
    extra = CUDA_HOST_MB if gpu else 0
    return (math.ceil(MEMORY_MARGIN * peak / MB) + extra) * attempt


def cpu_seconds(stage: str, dim: int, images: int) -> float:
    """The model's single-thread CPU seconds for one job."""
    cost = COSTS[stage]
    scale = dim / 1000
    return STARTUP_SECONDS + cost.cube_seconds * scale**3 + cost.sample_seconds * images * scale**2


def runtime_minutes(stage: str, dim: int | None, images: int | None, attempt: int = 1) -> int:
    """runtime (minutes) to request for one job of `stage`."""
    if dim is None or images is None:
        return UNKNOWN_RUNTIME_MINUTES * attempt
    minutes = RUNTIME_MARGIN * cpu_seconds(stage, dim, images) / 60
    return max(MIN_RUNTIME_MINUTES, math.ceil(minutes)) * attempt


# The datasets docs/cluster.md's request table shows, by their catalog source.
TABLE_SOURCES = {
    "Fashion-MNIST": "fashion_mnist",
    "CIFAR-10": "cifar10",
    "TinyImageNet": "tinyimagenet",
}
TABLE_STAGES = ("dataset", "spectrum", "alignment", "denoising", "theorem1_interpolation")
TABLE_STAGES += ("training",)
# Stages whose runtime and threads the rules take from the config instead: decoding is
# I/O-bound and single-threaded, and training time is GPU time, unmeasurable here.
MEMORY_ONLY = ("dataset", "training")


def table_sizes() -> list[tuple[str, int, int]]:
    """(example, D, N) of each TABLE_SOURCES dataset at its native shape."""
    sizes = []
    for label, source in TABLE_SOURCES.items():
        height, width, channels = native_shape(source)
        images = training_images(source, {source: {"source": source}})
        sizes.append((label, height * width * channels, images))
    return sizes


def request_table() -> str:
    """Markdown: what one job of each stage requests for each TABLE_SOURCES dataset."""
    sizes = table_sizes()
    header = "| stage | " + " | ".join(f"{name} (D = {d}, N = {n})" for name, d, n in sizes)
    lines = [header + " |", "|---" * (len(sizes) + 1) + "|"]
    for stage in TABLE_STAGES:
        cells = []
        for _, dim, images in sizes:
            cell = f"{memory_mb(stage, dim, images)} MB"
            if stage not in MEMORY_ONLY:
                cell += f", {runtime_minutes(stage, dim, images)} min, {threads(dim)} thr"
            cells.append(cell)
        lines.append(f"| `{stage}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(request_table())
