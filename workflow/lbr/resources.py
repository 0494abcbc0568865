"""What a job asks the scheduler for, from what it processes: D = H·W·C pixels per image
and N training images (light: the Snakefile reads it at start-up).

The closed-form stages hold a few D×D float64 matrices (Σ, its eigenvectors, the
solver's factors) and do O(D³) work per job, plus, for the spectrum, one O(N·D²) pass
over the images. So, per stage:

    memory  = FLOOR_MB + square_matrices · 8·D² bytes + image_bytes · N·D
    seconds = cube_seconds · (D/1000)³ + sample_seconds · N · (D/1000)²   (one thread)

with the constants measured on real jobs (benchmarks/bench_resources.py; the README's
"Running the paper on a cluster" gives the table). The request adds MARGIN on top, and
each retry of a failed job (Snakemake's `attempt`) asks for that much again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MB = 1 << 20
# A Python process with numpy, scipy, pandas and torch imported, before any data.
FLOOR_MB = 700
MARGIN = 1.5  # requested / measured: headroom for other BLAS builds and allocators
MIN_RUNTIME_MINUTES = 5  # schedulers count in minutes; a shorter request gains nothing
# When the config cannot tell D or N before the data is read (a user's own directory of
# images), the profile's defaults apply.
UNKNOWN_MEMORY_MB = 8000
UNKNOWN_RUNTIME_MINUTES = 60


@dataclass(frozen=True)
class Cost:
    """Peak memory and single-thread time of one job of a stage, as measured."""

    square_matrices: float  # D×D float64 matrices alive at the peak
    image_bytes: float  # bytes per training pixel resident at the peak
    cube_seconds: float  # seconds per (D/1000)³
    sample_seconds: float  # seconds per image per (D/1000)²


COSTS = {
    "spectrum": Cost(square_matrices=5.0, image_bytes=1.0, cube_seconds=8.0, sample_seconds=1.2e-3),
    "alignment": Cost(square_matrices=3.0, image_bytes=0.0, cube_seconds=1.0, sample_seconds=0.0),
    "denoising": Cost(square_matrices=12.0, image_bytes=0.0, cube_seconds=1.0, sample_seconds=0.0),
    "theorem1_interpolation": Cost(
        square_matrices=6.0, image_bytes=0.0, cube_seconds=4.0, sample_seconds=0.0
    ),
    "figure_gallery": Cost(
        square_matrices=3.0, image_bytes=1.0, cube_seconds=0.5, sample_seconds=0
    ),
    "dataset": Cost(square_matrices=0.0, image_bytes=3.0, cube_seconds=0.0, sample_seconds=0.0),
}


def threads(dim: int | None) -> int:
    """Threads for a D×D eigensolve: more only where the O(D³) work pays for them."""
    if dim is None or dim <= 1024:
        return 1
    return 4 if dim <= 4096 else 8


def memory_mb(stage: str, dim: int | None, images: int | None, attempt: int = 1) -> int:
    """mem_mb to request for one job of `stage` (None: not known before the data is read)."""
    if dim is None or images is None:
        return UNKNOWN_MEMORY_MB * attempt
    cost = COSTS[stage]
    peak = FLOOR_MB * MB + cost.square_matrices * 8 * dim**2 + cost.image_bytes * images * dim
    return math.ceil(MARGIN * peak / MB) * attempt


def runtime_minutes(stage: str, dim: int | None, images: int | None, attempt: int = 1) -> int:
    """runtime (minutes) to request for one job of `stage`, run on threads(dim) threads."""
    if dim is None or images is None:
        return UNKNOWN_RUNTIME_MINUTES * attempt
    cost = COSTS[stage]
    scale = dim / 1000
    seconds = cost.cube_seconds * scale**3 + cost.sample_seconds * images * scale**2
    minutes = MARGIN * seconds / threads(dim) / 60
    return max(MIN_RUNTIME_MINUTES, math.ceil(minutes)) * attempt
