"""Noise strategies of denoising autoencoders, each defined by its first two moments.

Theorem 3 needs only E[X'] and E[X'X'ᵀ]. Every strategy here has E[X'] = s·X for a
scalar s, and gives G = E[X'X'ᵀ] as a function of Σ = XXᵀ and N. Each also draws real
samples, so tests can check the moments by Monte Carlo. Pixels are indexed in the
channel-first flattening (C, H, W), like everything else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from ..errors import ConfigError


@dataclass(frozen=True)
class ImageGeometry:
    height: int
    width: int
    channels: int

    @property
    def dimension(self) -> int:
        return self.height * self.width * self.channels

    def coordinates(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(channel, row, column) of every flattened pixel."""
        c, h, w = np.meshgrid(
            np.arange(self.channels), np.arange(self.height), np.arange(self.width), indexing="ij"
        )
        return c.ravel(), h.ravel(), w.ravel()


class Noise:
    """Base class: a noise with E[X'] = s·X and G = E[X'X'ᵀ] = s²(Σ + E).

    Subclasses give the excess E; keeping Σ apart lets the solver use UᵀΣU = Λ exactly,
    which matters when Σ's eigenvalues span many orders of magnitude.
    """

    family: ClassVar[str]
    mean_scale: float = 1.0

    def excess_second_moment(
        self, sigma: np.ndarray, n: int, geometry: ImageGeometry
    ) -> np.ndarray:
        """E = G/s² − Σ."""
        raise NotImplementedError

    def second_moment(self, sigma: np.ndarray, n: int, geometry: ImageGeometry) -> np.ndarray:
        """G = E[X'X'ᵀ]."""
        return self.mean_scale**2 * (sigma + self.excess_second_moment(sigma, n, geometry))

    def sample(
        self, x: np.ndarray, geometry: ImageGeometry, rng: np.random.Generator
    ) -> np.ndarray:
        """One noisy copy of x (D×N)."""
        raise NotImplementedError

    def check(self, geometry: ImageGeometry) -> None:
        """Raise ConfigError if the noise does not fit images of this geometry."""

    @property
    def kind(self) -> str:
        """The family as tables and figures group it (a variant may name itself)."""
        return self.family

    @property
    def name(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class Masking(Noise):
    """Square patches of side `patch` dropped with probability `ratio` (MAE-style).

    One Bernoulli draw per spatial patch, shared by all channels (or one per channel
    when shared_channels is False). When the side is not a multiple of the patch, the
    remainder forms smaller patches at the border (the authors' code leaves those
    pixels unmasked; a smaller patch keeps every pixel under the same noise).
    G = (1−r)²Σ + r(1−r)(Σ ⊙ B), B_ij = 1 when pixels i and j share a patch.
    """

    patch: int
    ratio: float
    shared_channels: bool = True
    family: ClassVar[str] = "masking"

    def __post_init__(self) -> None:
        if not 0.0 <= self.ratio < 1.0:
            raise ConfigError(f"masking ratio must be in [0, 1), got {self.ratio}")
        if self.patch < 1:
            raise ConfigError(f"masking patch size must be a positive integer, got {self.patch}")

    @property
    def mean_scale(self) -> float:
        return 1.0 - self.ratio

    @property
    def kind(self) -> str:
        return "masking" if self.shared_channels else "channel_masking"

    @property
    def name(self) -> str:
        prefix = "masking" if self.shared_channels else "channelmasking"
        return f"{prefix}_p{self.patch}_r{self.ratio:g}"

    def check(self, geometry: ImageGeometry) -> None:
        if self.patch > min(geometry.height, geometry.width):
            raise ConfigError(
                f"masking patch {self.patch} is larger than the {geometry.height}×{geometry.width} images; "
                f"use a patch size of at most {min(geometry.height, geometry.width)}"
            )

    def patch_ids(self, geometry: ImageGeometry) -> np.ndarray:
        c, h, w = geometry.coordinates()
        columns = -(-geometry.width // self.patch)
        rows = -(-geometry.height // self.patch)
        spatial = (h // self.patch) * columns + w // self.patch
        return spatial if self.shared_channels else c * rows * columns + spatial

    def same_patch(self, geometry: ImageGeometry) -> np.ndarray:
        ids = self.patch_ids(geometry)
        return ids[:, None] == ids[None, :]

    def excess_second_moment(self, sigma, n, geometry):
        self.check(geometry)
        return self.ratio / (1.0 - self.ratio) * np.where(self.same_patch(geometry), sigma, 0.0)

    def sample(self, x, geometry, rng):
        ids = self.patch_ids(geometry)
        kept = rng.random((ids.max() + 1, x.shape[1])) >= self.ratio
        return x * kept[ids]


@dataclass(frozen=True)
class Gaussian(Noise):
    """Additive isotropic Gaussian noise of std sigma (in the preprocessed units).

    G = Σ + Nσ²I: same eigenvectors as Σ, in the same order (Corollary 3.1).
    """

    sigma: float
    family: ClassVar[str] = "gaussian"

    def __post_init__(self) -> None:
        if not self.sigma > 0:
            raise ConfigError(f"gaussian sigma must be > 0, got {self.sigma}")

    @property
    def name(self) -> str:
        return f"gaussian_s{self.sigma:g}"

    def excess_second_moment(self, sigma, n, geometry):
        return n * self.sigma**2 * np.eye(len(sigma))

    def sample(self, x, geometry, rng):
        return x + self.sigma * rng.standard_normal(x.shape)


@dataclass(frozen=True)
class SmoothGaussian(Noise):
    """Additive Gaussian noise correlated across nearby pixels of a channel:
    Ω_ij = σ² exp(−‖p_i − p_j‖² / (2ℓ²)) within a channel, 0 across channels.

    G = Σ + NΩ. Unlike isotropic noise it is not a function of Σ, so it can move the
    optimal encoder: low-frequency noise penalizes the high-variance (smooth)
    directions that reconstruction otherwise favours.
    """

    sigma: float
    length: float
    family: ClassVar[str] = "smoothgaussian"

    def __post_init__(self) -> None:
        if not (self.sigma > 0 and self.length > 0):
            raise ConfigError(
                f"smooth gaussian needs sigma > 0 and length > 0, got {self.sigma}, {self.length}"
            )

    @property
    def name(self) -> str:
        return f"smoothgaussian_s{self.sigma:g}_l{self.length:g}"

    def covariance(self, geometry: ImageGeometry) -> np.ndarray:
        c, h, w = geometry.coordinates()
        distance2 = (h[:, None] - h[None, :]) ** 2 + (w[:, None] - w[None, :]) ** 2
        return np.where(
            c[:, None] == c[None, :], self.sigma**2 * np.exp(-distance2 / (2 * self.length**2)), 0.0
        )

    def excess_second_moment(self, sigma, n, geometry):
        return n * self.covariance(geometry)

    def sample(self, x, geometry, rng):
        factor = np.linalg.cholesky(self.covariance(geometry) + 1e-12 * np.eye(geometry.dimension))
        return x + factor @ rng.standard_normal(x.shape)


def expand_noise_grid(grid: dict) -> dict[str, Noise]:
    """Config section `denoising.noises` → {setting name: noise}, in a stable order."""
    noises: list[Noise] = []
    for shared, key in ((True, "masking"), (False, "channel_masking")):
        spec = grid.get(key)
        if spec:
            noises += [Masking(p, r, shared) for p in spec["patch_sizes"] for r in spec["ratios"]]
    if grid.get("gaussian"):
        noises += [Gaussian(s) for s in grid["gaussian"]["sigmas"]]
    if grid.get("smooth_gaussian"):
        spec = grid["smooth_gaussian"]
        noises += [
            SmoothGaussian(sigma, length) for sigma in spec["sigmas"] for length in spec["lengths"]
        ]
    settings = {noise.name: noise for noise in noises}
    if len(settings) != len(noises):
        raise ConfigError("the denoising grid names the same noise setting twice")
    return settings


_FAMILIES = {"masking": Masking, "gaussian": Gaussian, "smoothgaussian": SmoothGaussian}


def noise_spec(noise: Noise) -> dict:
    """A plain dict describing `noise` (what rules pass as params: tracked by value)."""
    return {"family": noise.family, **{k: v for k, v in noise.__dict__.items()}}


def noise_from_spec(spec: dict) -> Noise:
    spec = dict(spec)
    return _FAMILIES[spec.pop("family")](**spec)
