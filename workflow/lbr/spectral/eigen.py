"""Eigendecomposition of Σ: descending order, numerical-rank truncation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..device import resolve_device
from ..errors import ConfigError, DataError


@dataclass
class Eigendecomposition:
    eigenvalues: np.ndarray  # rank, descending, all > rtol·λ₁
    eigenvectors: np.ndarray  # D×rank, columns orthonormal
    dropped: int  # directions of the numerical null space removed

    @property
    def rank(self) -> int:
        return len(self.eigenvalues)


def eigendecompose(
    covariance: np.ndarray, rtol: float = 1e-10, device: str = "cpu"
) -> Eigendecomposition:
    """Σ = U Λ Uᵀ with λ₁ ≥ … ≥ λ_r > rtol·λ₁ kept; the rest is numerical null space.

    Upsampled or constant-border images give exactly singular Σ; keeping those
    directions would feed rounding noise into every later ratio.
    """
    if covariance.ndim != 2 or covariance.shape[0] != covariance.shape[1]:
        raise ConfigError(f"covariance must be square, got {covariance.shape}")
    if not np.all(np.isfinite(covariance)):
        raise DataError("covariance holds NaN or infinite values; check the dataset")
    import torch  # here: jobs that only read a spectrum never load it (a heavy import)

    dev = resolve_device(device)
    values, vectors = torch.linalg.eigh(
        torch.from_numpy(np.ascontiguousarray(covariance)).to(dev, torch.float64)
    )
    values, vectors = values.flip(0).cpu().numpy(), vectors.flip(1).cpu().numpy()
    if values[0] <= 0:
        raise DataError("covariance has no positive eigenvalue: the data are constant")
    keep = values > rtol * values[0]
    return Eigendecomposition(
        eigenvalues=values[keep],
        eigenvectors=np.ascontiguousarray(vectors[:, keep]),
        dropped=int((~keep).sum()),
    )


def explained_variance_table(eigenvalues: np.ndarray, total_variance: float) -> pd.DataFrame:
    """One row per eigen-direction: its variance and the fraction explained up to it.

    `total_variance` is tr Σ, so directions dropped as numerical null space count in the
    denominator (their share is below rtol).
    """
    fraction = eigenvalues / total_variance
    return pd.DataFrame(
        {
            "component": np.arange(1, len(eigenvalues) + 1),
            "eigenvalue": eigenvalues,
            "explained_fraction": fraction,
            "cumulative_fraction": np.cumsum(fraction),
        }
    )
