"""One chunked float64 pass over a training set: Σ = XXᵀ, M = YXᵀ, class counts, mean.

The images are read chunk by chunk (memory-mapped uint8), so the whole dataset is
never held in float64: peak memory is a few D×D matrices plus one chunk.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.linalg.blas import dsyrk

from ..device import resolve_device
from ..errors import ConfigError, DataError

if TYPE_CHECKING:
    import torch
# torch is imported where it is used: jobs that only read a spectrum (alignment,
# denoising, figures) then never load it, a heavy import.


@dataclass(frozen=True)
class Preprocessing:
    """How pixels become the vectors x whose statistics are taken (docs/method.md).

    per_image_std: divide each image by its own std (the authors' classification setup).
    center:        subtract the per-pixel training mean.
    global_std:    divide by the global std of the (centered) training pixels.
    jitter:        the authors add Gaussian noise of jitter × global std to avoid singular
                   covariances; its expectation, N·jitter²·I in standardized units, is
                   added to Σ instead: exact in expectation and free of sampling noise.
    """

    per_image_std: bool = False
    center: bool = True
    global_std: bool = True
    jitter: float = 0.0

    def __post_init__(self) -> None:
        if self.jitter < 0:
            raise ConfigError(f"preprocessing jitter must be >= 0, got {self.jitter}")

    def as_dict(self) -> dict:
        return asdict(self)

    def apply(self, flat: np.ndarray, mean: np.ndarray, scale: float) -> np.ndarray:
        """Preprocess rows of `flat` (N×D float64) with a spectrum's training mean and scale
        (the jitter only regularizes Σ; it is not noise added to samples)."""
        if self.per_image_std:
            import torch

            flat = per_image_standardize(torch.from_numpy(flat)).numpy()
        return (flat - mean) / scale


@dataclass
class SpectralStatistics:
    covariance: np.ndarray  # Σ, D×D (scatter matrix of the preprocessed data, not divided by N)
    class_sums: np.ndarray  # M, C×D
    class_counts: np.ndarray  # n, C
    mean: np.ndarray  # per-pixel mean subtracted (zeros when not centering), D
    scale: float  # global std divided out (1 when not scaling)


def flatten_channel_first(images: np.ndarray) -> np.ndarray:
    """N×H×W×C → N×D with D ordered (C, H, W), the paper's flattening."""
    return images.transpose(0, 3, 1, 2).reshape(len(images), -1)


def per_image_standardize(x: torch.Tensor) -> torch.Tensor:
    """Divide each row by its std; constant images (std 0) are left unscaled."""
    import torch

    std = x.std(dim=1, keepdim=True)
    return x / torch.where(std > 0, std, torch.ones_like(std))


class _SyrkScatter:
    """Σ xxᵀ over chunks on the CPU by BLAS syrk: Σ is symmetric, so it computes one
    triangle, half the flops of the general product torch.addmm would spend."""

    def __init__(self, dim: int):
        self.upper = np.zeros((dim, dim), dtype=np.float64, order="F")

    def add(self, x: torch.Tensor) -> None:
        # x is N×D C-contiguous, so x.T is D×N Fortran-ordered: syrk without a copy.
        self.upper = dsyrk(
            1.0, x.numpy().T, beta=1.0, c=self.upper, trans=0, lower=0, overwrite_c=1
        )

    def result(self) -> torch.Tensor:
        import torch

        self.upper += np.triu(self.upper, 1).T  # syrk wrote the upper triangle only
        return torch.from_numpy(self.upper)


class _TorchScatter:
    """Σ xxᵀ over chunks on a GPU by torch.addmm (runs on any torch device; the tests
    run it on the CPU)."""

    def __init__(self, dim: int, device: torch.device):
        import torch

        self.full = torch.zeros(dim, dim, dtype=torch.float64, device=device)

    def add(self, x: torch.Tensor) -> None:
        self.full.addmm_(x.T, x)

    def result(self) -> torch.Tensor:
        return self.full


def _scatter_accumulator(dim: int, device: torch.device) -> _SyrkScatter | _TorchScatter:
    return _SyrkScatter(dim) if device.type == "cpu" else _TorchScatter(dim, device)


def accumulate_statistics(
    images: np.ndarray,
    labels: np.ndarray,
    num_classes: int,
    prep: Preprocessing,
    chunk_size: int = 2048,
    device: str = "cpu",
) -> SpectralStatistics:
    import torch

    dev = resolve_device(device)
    n, dim = len(images), int(np.prod(images.shape[1:]))
    if n == 0:
        raise DataError("cannot compute statistics of an empty training set")
    scatter = _scatter_accumulator(dim, dev)
    sums = torch.zeros(dim, dtype=torch.float64, device=dev)
    class_sums = torch.zeros(num_classes, dim, dtype=torch.float64, device=dev)
    counts = torch.zeros(num_classes, dtype=torch.float64, device=dev)
    shift = None
    for start in range(0, n, chunk_size):
        chunk = flatten_channel_first(np.asarray(images[start : start + chunk_size]))
        # A writable copy in the stored dtype (torch.from_numpy warns on read-only
        # memory-mapped chunks); float64 only on the device: uint8 crosses to a GPU 8× smaller.
        x = torch.from_numpy(np.array(chunk, order="C")).to(dev).to(torch.float64)
        if prep.per_image_std:
            x = per_image_standardize(x)
        if shift is None:
            # Accumulating around a provisional mean avoids cancellation in S − N·μμᵀ.
            shift = x.mean(dim=0)
        x = (x - shift).contiguous()
        y = torch.from_numpy(np.array(labels[start : start + chunk_size], dtype=np.int64)).to(dev)
        onehot = torch.nn.functional.one_hot(y, num_classes).to(torch.float64)
        scatter.add(x)
        sums += x.sum(dim=0)
        class_sums.addmm_(onehot.T, x)
        counts += onehot.sum(dim=0)
    # D×D work below is in place: at D = 12 288 each D×D copy is 1.2 GB.
    covariance = scatter.result()
    del scatter
    mean_shifted = sums / n
    if prep.center:
        covariance -= torch.outer(mean_shifted, mean_shifted).mul_(n)
        class_sums = class_sums - torch.outer(counts, mean_shifted)
        mean = shift + mean_shifted
    else:
        # Undo the provisional shift: Σ xxᵀ = Σ (x−s)(x−s)ᵀ + s·sumᵀ + sum·sᵀ + N·ssᵀ.
        covariance += torch.outer(shift, sums)
        covariance += torch.outer(sums, shift)
        covariance += torch.outer(shift, shift).mul_(n)
        class_sums = class_sums + torch.outer(counts, shift)
        mean = torch.zeros_like(shift)
    scale = 1.0
    if prep.global_std:
        scale = float(torch.sqrt(torch.trace(covariance) / (n * dim)))
        if not scale > 0:
            raise DataError(
                "the training pixels have zero variance: cannot divide by the global std"
            )
        covariance /= scale**2
        class_sums = class_sums / scale
    if prep.jitter:
        covariance.diagonal().add_(n * prep.jitter**2)
    covariance = covariance.add(covariance.T).mul_(0.5)
    return SpectralStatistics(
        covariance=covariance.cpu().numpy(),
        class_sums=class_sums.cpu().numpy(),
        class_counts=counts.cpu().numpy().astype(np.int64),
        mean=mean.cpu().numpy(),
        scale=scale,
    )
