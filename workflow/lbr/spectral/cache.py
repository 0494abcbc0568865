"""The eigendecomposition cache on disk: one directory per (dataset, preprocessing)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..atomic import load_json, load_npy, save_json, save_npy, save_parquet
from ..data.format import read_dataset
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
    stats = accumulate_statistics(
        dataset.train_images,
        dataset.train_labels,
        len(dataset.class_names),
        prep,
        chunk_size=chunk_size,
        device=device,
    )
    eigen = eigendecompose(stats.covariance, rtol=rtol, device=device)
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
    save_json(directory / "summary.json", spectrum.summary)


def read_spectrum(directory: str | Path) -> Spectrum:
    directory = Path(directory)
    a = {name: load_npy(directory / f"{name}.npy") for name in SPECTRUM_ARRAYS}
    summary = load_json(directory / "summary.json")
    stats = SpectralStatistics(
        a["covariance"], a["class_sums"], a["class_counts"], a["mean"], summary["global_std"]
    )
    eigen = Eigendecomposition(a["eigenvalues"], a["eigenvectors"], summary["null_space_dropped"])
    return Spectrum(stats, eigen, summary)
