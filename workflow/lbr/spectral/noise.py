"""Noise strategies of denoising autoencoders, each defined by its first two moments.

Theorem 3 needs only E[X'] and E[X'X'ᵀ]. Every strategy here has E[X'] = s·X for a
scalar s, and gives G = E[X'X'ᵀ] as a function of Σ = XXᵀ and N. Each also draws real
samples, so tests can check the moments by Monte Carlo. Pixels are indexed in the
channel-first flattening (C, H, W), like everything else.

A family is one class registered in FAMILIES: it names its config key (under
`denoising.noises`, also its name in tables and file names), its parameter columns in
the denoising tables, and how its config entry expands into settings. Adding a family
touches this module, the config schema and a test.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from scipy.linalg.blas import dsyrk

from ..errors import ConfigError
from ..layout import path_number


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

    family: ClassVar[str]  # config key under denoising.noises; the `family` column
    columns: ClassVar[tuple[str, ...]]  # parameters written as table columns
    mean_scale: float = 1.0

    @classmethod
    def from_config(cls, spec: dict) -> list[Noise]:
        """The settings one config entry of this family names, in a stable order."""
        raise NotImplementedError

    def excess_second_moment(
        self, sigma: np.ndarray, n: int, geometry: ImageGeometry
    ) -> np.ndarray:
        """E = G/s² − Σ."""
        raise NotImplementedError

    def whitened_excess(
        self, eigenvalues: np.ndarray, eigenvectors: np.ndarray, sigma, n: int, geometry
    ) -> np.ndarray:
        """Λ^{-1/2}UᵀEUΛ^{-1/2} (r×r, symmetric): E in Σ's whitened eigenbasis, all the
        solver needs. Families override this where E's structure makes it cheaper."""
        scaled = eigenvectors / np.sqrt(eigenvalues)
        h = scaled.T @ (self.excess_second_moment(sigma, n, geometry) @ scaled)
        return 0.5 * (h + h.T)

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
    def name(self) -> str:
        """The setting's name: family and parameters (file names, the `noise` column)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Masking(Noise):
    """Square patches of side `patch` dropped with probability `ratio` (MAE-style).

    One Bernoulli draw per spatial patch, shared by all channels (ChannelMasking: one
    per channel). When the side is not a multiple of the patch, the remainder forms
    smaller patches at the border (the authors' code leaves those pixels unmasked; a
    smaller patch keeps every pixel under the same noise).
    G = (1−r)²Σ + r(1−r)(Σ ⊙ B), B_ij = 1 when pixels i and j share a patch.
    """

    patch: int
    ratio: float
    family: ClassVar[str] = "masking"
    columns: ClassVar[tuple[str, ...]] = ("patch", "ratio")
    shared_channels: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.ratio < 1.0:
            raise ConfigError(f"masking ratio must be in [0, 1), got {self.ratio}")
        if self.patch < 1:
            raise ConfigError(f"masking patch size must be a positive integer, got {self.patch}")

    @classmethod
    def from_config(cls, spec):
        return [cls(p, r) for p in spec["patch_sizes"] for r in spec["ratios"]]

    @property
    def mean_scale(self) -> float:
        return 1.0 - self.ratio

    @property
    def name(self) -> str:
        return f"{self.family}_p{self.patch}_r{path_number(self.ratio)}"

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

    def whitened_excess(self, eigenvalues, eigenvectors, sigma, n, geometry):
        """Σ ⊙ B is block diagonal up to a permutation (one block per patch), each block
        positive semidefinite: with T_b = R_b R_bᵀ, Sᵀ(Σ⊙B)S = KᵀK for the rows
        K_b = R_bᵀS_b (S = UΛ^{-1/2}): one symmetric rank-D update, not a D³ product.
        A ratio of 0 masks nothing: E = 0, with no work (the update is a D³ one)."""
        self.check(geometry)
        if self.ratio == 0.0:
            return np.zeros((len(eigenvalues), len(eigenvalues)))
        scaled = eigenvectors / np.sqrt(eigenvalues)
        factor = np.empty(scaled.shape, order="F")
        ids = self.patch_ids(geometry)
        sizes = np.bincount(ids)
        by_patch = np.argsort(ids, kind="stable")
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))
        for size in np.unique(sizes):
            # pixels of the patches of this size, one row per patch
            members = by_patch[starts[sizes == size, None] + np.arange(size)]
            values, vectors = np.linalg.eigh(sigma[members[:, :, None], members[:, None, :]])
            roots = vectors * np.sqrt(np.clip(values, 0.0, None))[:, None, :]
            block = np.matmul(roots.transpose(0, 2, 1), scaled[members])
            factor[members.ravel()] = block.reshape(-1, scaled.shape[1])
        del scaled
        h = dsyrk(self.ratio / (1.0 - self.ratio), factor, trans=1)  # upper triangle
        h += np.triu(h, 1).T
        return h

    def sample(self, x, geometry, rng):
        ids = self.patch_ids(geometry)
        kept = rng.random((ids.max() + 1, x.shape[1])) >= self.ratio
        return x * kept[ids]


@dataclass(frozen=True)
class ChannelMasking(Masking):
    """Masking with one Bernoulli draw per patch and channel."""

    family: ClassVar[str] = "channel_masking"
    shared_channels: ClassVar[bool] = False


@dataclass(frozen=True)
class Gaussian(Noise):
    """Additive isotropic Gaussian noise of std sigma (in the preprocessed units).

    G = Σ + Nσ²I: same eigenvectors as Σ, in the same order (Corollary 3.1).
    """

    sigma: float
    family: ClassVar[str] = "gaussian"
    columns: ClassVar[tuple[str, ...]] = ("sigma",)

    def __post_init__(self) -> None:
        if not self.sigma > 0:
            raise ConfigError(f"gaussian sigma must be > 0, got {self.sigma}")

    @classmethod
    def from_config(cls, spec):
        return [cls(s) for s in spec["sigmas"]]

    @property
    def name(self) -> str:
        return f"{self.family}_s{path_number(self.sigma)}"

    def excess_second_moment(self, sigma, n, geometry):
        return n * self.sigma**2 * np.eye(len(sigma))

    def whitened_excess(self, eigenvalues, eigenvectors, sigma, n, geometry):
        """UᵀU = I exactly: Nσ²Λ⁻¹, diagonal."""
        return np.diag(n * self.sigma**2 / eigenvalues)

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
    family: ClassVar[str] = "smooth_gaussian"
    columns: ClassVar[tuple[str, ...]] = ("sigma", "length")

    def __post_init__(self) -> None:
        if not (self.sigma > 0 and self.length > 0):
            raise ConfigError(
                f"smooth gaussian needs sigma > 0 and length > 0, got {self.sigma}, {self.length}"
            )

    @classmethod
    def from_config(cls, spec):
        return [cls(s, length) for s in spec["sigmas"] for length in spec["lengths"]]

    @property
    def name(self) -> str:
        return f"{self.family}_s{path_number(self.sigma)}_l{path_number(self.length)}"

    def _kernel(self, size: int) -> np.ndarray:
        offsets = np.arange(size)
        return np.exp(-((offsets[:, None] - offsets[None, :]) ** 2) / (2 * self.length**2))

    def covariance(self, geometry: ImageGeometry) -> np.ndarray:
        c, h, w = geometry.coordinates()
        distance2 = (h[:, None] - h[None, :]) ** 2 + (w[:, None] - w[None, :]) ** 2
        return np.where(
            c[:, None] == c[None, :], self.sigma**2 * np.exp(-distance2 / (2 * self.length**2)), 0.0
        )

    def excess_second_moment(self, sigma, n, geometry):
        return n * self.covariance(geometry)

    def whitened_excess(self, eigenvalues, eigenvectors, sigma, n, geometry):
        """Ω is separable (rows ⊗ columns within each channel): ΩS costs O(D·(H+W)·r),
        leaving one D×D×r product."""
        scaled = eigenvectors / np.sqrt(eigenvalues)
        grid = scaled.reshape(geometry.channels, geometry.height, geometry.width, -1)
        applied = np.einsum("hk,ckwr->chwr", self._kernel(geometry.height), grid, optimize=True)
        applied = np.einsum("wk,chkr->chwr", self._kernel(geometry.width), applied, optimize=True)
        h = scaled.T @ applied.reshape(scaled.shape)
        h *= n * self.sigma**2
        return 0.5 * (h + h.T)

    def sample(self, x, geometry, rng):
        factor = np.linalg.cholesky(self.covariance(geometry) + 1e-12 * np.eye(geometry.dimension))
        return x + factor @ rng.standard_normal(x.shape)


# Every family, in the order settings are listed (and their columns appear in tables).
FAMILIES: tuple[type[Noise], ...] = (Masking, ChannelMasking, Gaussian, SmoothGaussian)
_BY_NAME = {family.family: family for family in FAMILIES}


def table_columns() -> tuple[str, ...]:
    """Every family's parameter columns, each once, in registry order."""
    return tuple(dict.fromkeys(c for family in FAMILIES for c in family.columns))


def expand_noise_grid(grid: dict) -> dict[str, Noise]:
    """Config section `denoising.noises` → {setting name: noise}, in a stable order."""
    unknown = sorted(set(grid) - set(_BY_NAME))
    if unknown:
        raise ConfigError(
            f"denoising.noises: unknown noise families {unknown}; known: {sorted(_BY_NAME)}"
        )
    noises = [
        noise
        for family in FAMILIES
        if grid.get(family.family)
        for noise in family.from_config(grid[family.family])
    ]
    settings = {noise.name: noise for noise in noises}
    if len(settings) != len(noises):
        raise ConfigError("the denoising grid names the same noise setting twice")
    return settings


def noise_spec(noise: Noise) -> dict:
    """A plain dict describing `noise` (what rules pass as params: tracked by value)."""
    return {"family": noise.family, **noise.__dict__}


def noise_from_spec(spec: dict) -> Noise:
    spec = dict(spec)
    family = spec.pop("family")
    if family not in _BY_NAME:
        raise ConfigError(f"unknown noise family {family!r}; known: {sorted(_BY_NAME)}")
    return _BY_NAME[family](**spec)
