"""File names of the artifacts one stage writes and the next reads: each list written once.

The rules build their input and output paths from these lists (workflow/rules/common.smk)
and the library reads and writes the same names, so a file added here reaches both.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .errors import DataError

SPLITS = ("train", "test")

# results/datasets/{dataset}/: the arrays, then meta.json (written last: marks completeness).
DATASET_ARRAYS = tuple(f"{split}_{kind}.npy" for split in SPLITS for kind in ("images", "labels"))
DATASET_META = "meta.json"
DATASET_FILES = (*DATASET_ARRAYS, DATASET_META)

# results/spectrum/{dataset}/{preprocessing}/: the one-pass statistics and Σ's eigenvectors.
SPECTRUM_ARRAYS = (
    "covariance",
    "class_sums",
    "class_counts",
    "mean",
    "eigenvalues",
    "eigenvectors",
)
# summary.json is written last: the spectrum's record, and the `all` target's.
SPECTRUM_SUMMARY = "summary.json"
SPECTRUM_FILES = (
    *(f"{name}.npy" for name in SPECTRUM_ARRAYS),
    "explained_variance.parquet",
    SPECTRUM_SUMMARY,
)


def path_number(value: float) -> str:
    """How a number (a variance fraction, a guidance weight, a noise's ratio or sigma) is
    written in a file name, and read back by the jobs: the shortest form, so 0.5, 1.0 and
    0.05 name "0.5", "1" and "0.05" (lbr.config checks that each config value survives it)."""
    return f"{value:g}"


def artifact_directory(files: Iterable[str | Path], names: tuple[str, ...]) -> Path:
    """The one directory holding exactly the artifact files `names` (a rule's input or
    output list); scripts use it instead of a directory passed beside the files."""
    paths = [Path(f) for f in files]
    parents = {p.parent for p in paths}
    if len(parents) != 1 or sorted(p.name for p in paths) != sorted(names):
        raise DataError(
            f"expected the files {list(names)} of one directory, got {[str(p) for p in paths]}"
        )
    return parents.pop()


def dataset_directory(files: Iterable[str | Path]) -> Path:
    return artifact_directory(files, DATASET_FILES)


def spectrum_directory(files: Iterable[str | Path]) -> Path:
    return artifact_directory(files, SPECTRUM_FILES)
