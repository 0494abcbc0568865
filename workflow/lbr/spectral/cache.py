"""The eigendecomposition cache on disk: one directory per (dataset, preprocessing).

summary.json, written last, records each array's size and sha256; `read_spectrum`
checks them (once per file per job) before the arrays are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__, integrity
from ..atomic import load_json, load_npy, save_json, save_npy, save_parquet
from ..data.format import read_dataset
from ..errors import DataError
from ..layout import SPECTRUM_ARRAYS
from .eigen import Eigendecomposition, eigendecompose, explained_variance_table
from .statistics import Preprocessing, SpectralStatistics, accumulate_statistics


@dataclass
class Spectrum:
    statistics: SpectralStatistics
    eigen: Eigendecomposition
    summary: dict[str, Any]


def compute_spectrum(
    dataset_dir: str | Path, prep: Preprocessing, chunk_size: int, rtol: float, device: str
) -> Spectrum:
    dataset = read_dataset(dataset_dir, mmap=True)
    try:
        stats = accumulate_statistics(
            dataset.train_images,
            dataset.train_labels,
            len(dataset.class_names),
            prep,
            chunk_size=chunk_size,
            device=device,
        )
        eigen = eigendecompose(stats.covariance, rtol=rtol, device=device)
    except DataError as error:  # constant or non-finite data: say which dataset
        raise DataError(
            f"dataset {Path(dataset_dir).name!r} ({dataset_dir}), preprocessing "
            f"{prep.as_dict()}: {error}. Every training image is the same, or the arrays "
            f"hold no usable values: check the dataset's source files, its 'subset' and "
            f"'shape', then rerun"
        ) from error
    summary = {
        "dataset_dir": str(dataset_dir),
        "preprocessing": prep.as_dict(),
        "num_samples": int(len(dataset.train_labels)),
        "dimension": int(stats.covariance.shape[0]),
        "num_classes": len(dataset.class_names),
        "rank": eigen.rank,
        "null_space_dropped": eigen.dropped,
        "rank_rtol": rtol,
        "global_std": stats.scale,
        "total_variance": float(np.trace(stats.covariance)),
        "image_shape": list(dataset.image_shape),
        "flattening": "channel-first (C, H, W)",
        "lbr_version": __version__,
    }
    return Spectrum(stats, eigen, summary)


def write_spectrum(directory: str | Path, spectrum: Spectrum) -> None:
    directory = Path(directory)
    arrays = {
        "covariance": spectrum.statistics.covariance,
        "class_sums": spectrum.statistics.class_sums,
        "class_counts": spectrum.statistics.class_counts,
        "mean": spectrum.statistics.mean,
        "eigenvalues": spectrum.eigen.eigenvalues,
        "eigenvectors": spectrum.eigen.eigenvectors,
    }
    for name, array in arrays.items():
        save_npy(directory / f"{name}.npy", array)
    table = explained_variance_table(spectrum.eigen.eigenvalues, spectrum.summary["total_variance"])
    save_parquet(directory / "explained_variance.parquet", table)
    spectrum.summary["files"] = integrity.record(
        directory, [f"{name}.npy" for name in SPECTRUM_ARRAYS] + ["explained_variance.parquet"]
    )
    save_json(directory / "summary.json", spectrum.summary)


def read_spectrum(directory: str | Path) -> Spectrum:
    directory = Path(directory)
    summary = load_json(directory / "summary.json")
    redo = integrity.redo_advice(directory, "summary.json")
    # Spectra written before the record existed are checked by np.load's size check only.
    integrity.verify(directory, summary.get("files", {}), redo)
    try:
        a = {name: load_npy(directory / f"{name}.npy") for name in SPECTRUM_ARRAYS}
    except DataError as error:
        raise DataError(f"{error}; {redo}") from error
    stats = SpectralStatistics(
        a["covariance"], a["class_sums"], a["class_counts"], a["mean"], summary["global_std"]
    )
    eigen = Eigendecomposition(a["eigenvalues"], a["eigenvectors"], summary["null_space_dropped"])
    return Spectrum(stats, eigen, summary)
