"""Autoencoder experiments: learning dynamics in the eigenbasis (R2) and supervised
guidance (R3), on the shared device-resident loop."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from ..data.format import read_dataset
from ..errors import ConfigError
from ..models.autoencoders import build_autoencoder
from ..spectral.cache import read_spectrum
from .classifier import as_device_tensors
from .loop import LoopSettings, train_loop
from .projection import preprocessed_split
from .runtime import autocast, seed_everything, training_device

log = logging.getLogger("lbr.autoencoder")


@dataclass(frozen=True)
class AutoencoderSettings:
    arch: str
    latent: int
    width: int
    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    augment: bool = False
    guidance: float = 0.0
    seed: int = 0
    compile: bool = False

    def __post_init__(self) -> None:
        if self.guidance < 0:
            raise ConfigError(f"guidance weight must be >= 0, got {self.guidance}")

    @property
    def loop(self) -> LoopSettings:
        return LoopSettings(
            self.epochs,
            self.batch_size,
            self.learning_rate,
            self.weight_decay,
            self.augment,
            self.compile,
        )


def band_ranges(band_edges: list[int], rank: int) -> list[tuple[int, int]]:
    """Edges [1, a, b, …] → 1-based inclusive bands [1, a−1], [a, b−1], …, [last, rank]."""
    if (
        not band_edges
        or band_edges[0] != 1
        or any(b <= a for a, b in zip(band_edges, band_edges[1:]))
    ):
        raise ConfigError(f"band_edges must start at 1 and increase strictly, got {band_edges}")
    if band_edges[-1] > rank:
        raise ConfigError(
            f"band edge {band_edges[-1]} exceeds the {rank} eigen-directions of this dataset; "
            f"use edges of at most {rank}"
        )
    stops = [e - 1 for e in band_edges[1:]] + [rank]
    return list(zip(band_edges, stops))


class _Data:
    """One dataset under the spectrum's preprocessing, as device tensors N×C×H×W."""

    def __init__(self, dataset_dir, spectrum_dir, device):
        self.dataset = read_dataset(dataset_dir)
        self.spectrum = read_spectrum(spectrum_dir)
        height, width, channels = self.spectrum.summary["image_shape"]
        self.shape = (channels, height, width)
        self.num_classes = len(self.dataset.class_names)
        for split in ("train", "test"):
            x, y = as_device_tensors(
                preprocessed_split(self.dataset, self.spectrum, split),
                self.dataset.split(split)[1],
                (height, width, channels),
                device,
            )
            setattr(self, f"{split}_x", x)
            setattr(self, f"{split}_y", y)


def _reconstruction_loss(model, x, y, guidance: float):
    recon, logits = model(x)
    loss = F.mse_loss(recon.float(), x.float())
    if guidance > 0:
        loss = loss + guidance * F.cross_entropy(logits.float(), y)
    return loss


@torch.no_grad()
def _reconstruct(model, x: torch.Tensor, device, batch: int = 1024) -> torch.Tensor:
    was_training = model.training
    model.eval()
    parts = []
    for start in range(0, len(x), batch):
        with autocast(device):
            parts.append(model(x[start : start + batch])[0].float())
    model.train(was_training)
    return torch.cat(parts)


def learning_dynamics(
    dataset_dir: str,
    spectrum_dir: str,
    settings: AutoencoderSettings,
    snapshots: int,
    subset: int,
    band_edges: list[int],
    device_name: str,
) -> tuple[pd.DataFrame, dict]:
    """Train with MSE; at log-spaced steps record e_k(t) = Σᵢ(u_kᵀ(x̂ᵢ − xᵢ))² / Σᵢ(u_kᵀxᵢ)² on
    a fixed seeded subset of the training set, averaged over each band of k (docs/method.md).

    The denominator is the error of reconstructing nothing on that same subset, so
    e_k(0⁺) ≈ 1 for an untrained decoder and 0 for a perfect one.
    """
    device = training_device(device_name)
    generator = seed_everything(settings.seed, device)
    data = _Data(dataset_dir, spectrum_dir, device)
    eigen = data.spectrum.eigen
    bands = band_ranges(band_edges, eigen.rank)
    rng = np.random.default_rng(settings.seed)
    pick = torch.from_numpy(
        np.sort(rng.choice(len(data.train_y), min(subset, len(data.train_y)), replace=False))
    )
    probe_x = data.train_x[pick.to(device)]
    basis = torch.from_numpy(eigen.eigenvectors.astype(np.float32)).to(device)
    coefficients = probe_x.flatten(1) @ basis
    denominator = (coefficients**2).sum(dim=0).clamp_min(1e-30)
    model = build_autoencoder(
        settings.arch, data.shape, settings.latent, settings.width, data.num_classes
    ).to(device)
    model = model.to(memory_format=torch.channels_last)
    total_steps = settings.epochs * -(-len(data.train_y) // settings.batch_size)
    marks = set(
        np.unique(np.round(np.logspace(0, np.log10(total_steps), snapshots)).astype(int)).tolist()
    )
    rows = []

    def record(step: int) -> None:
        residual = _reconstruct(model, probe_x, device).flatten(1) - probe_x.flatten(1)
        errors = (((residual @ basis) ** 2).sum(dim=0) / denominator).cpu().numpy()
        for index, (start, stop) in enumerate(bands):
            rows.append(
                {
                    "step": step,
                    "band": index,
                    "band_start": start,
                    "band_stop": stop,
                    "relative_error": float(errors[start - 1 : stop].mean()),
                }
            )

    record(0)
    train_loop(
        model,
        lambda m, x, y: _reconstruction_loss(m, x, y, settings.guidance),
        data.train_x,
        data.train_y,
        settings.loop,
        device,
        generator,
        on_step=lambda step: record(step) if step in marks else None,
    )
    table = pd.DataFrame(rows)
    return table, halving_summary(table)


def halving_summary(table: pd.DataFrame) -> dict:
    """R2 in one row: the first step at which each band's error is at most half its
    initial value; R2 holds when these steps never decrease from top to bottom bands."""
    halving = []
    for _band, group in table.groupby("band"):
        group = group.sort_values("step")
        initial = group["relative_error"].iloc[0]
        reached = group[group["relative_error"] <= 0.5 * initial]
        halving.append(float(reached["step"].iloc[0]) if len(reached) else float("inf"))
    holds = all(b >= a for a, b in zip(halving, halving[1:]))
    return {
        "halving_steps": halving,
        "r2_holds": bool(holds),
        "final_relative_error": table[table["step"] == table["step"].max()][
            "relative_error"
        ].tolist(),
    }


def _fit_probe(
    train_z, train_y, test_z, test_y, num_classes, hidden: int, probe: dict, seed: int, device
) -> float:
    """Test accuracy of a linear (hidden = 0) or one-hidden-layer probe on frozen codes."""
    generator = seed_everything(seed, device)
    dim = train_z.shape[1]
    network = (
        torch.nn.Linear(dim, num_classes)
        if hidden == 0
        else torch.nn.Sequential(
            torch.nn.Linear(dim, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, num_classes)
        )
    )
    network = network.to(device)
    settings = LoopSettings(
        probe["epochs"], probe["batch_size"], probe["learning_rate"], probe["weight_decay"]
    )
    train_loop(
        network,
        lambda m, z, y: F.cross_entropy(m(z).float(), y),
        train_z,
        train_y,
        settings,
        device,
        generator,
    )
    with torch.no_grad():
        return float((network(test_z).argmax(dim=1) == test_y).float().mean())


@torch.no_grad()
def _codes(model, x: torch.Tensor, batch: int = 1024) -> torch.Tensor:
    model.eval()
    return torch.cat([model.encode(x[s : s + batch]).float() for s in range(0, len(x), batch)])


def guided_autoencoder(
    dataset_dir: str,
    spectrum_dir: str,
    settings: AutoencoderSettings,
    probe: dict,
    show: int,
    device_name: str,
) -> tuple[dict, np.ndarray]:
    """Train rec + guidance·CE; return metrics (reconstruction losses, probe accuracies) and
    the reconstructions of the first `show` test images (N×C×H×W, preprocessed units)."""
    device = training_device(device_name)
    generator = seed_everything(settings.seed, device)
    data = _Data(dataset_dir, spectrum_dir, device)
    model = build_autoencoder(
        settings.arch, data.shape, settings.latent, settings.width, data.num_classes
    ).to(device)
    model = model.to(memory_format=torch.channels_last)
    epochs = []
    train_loop(
        model,
        lambda m, x, y: _reconstruction_loss(m, x, y, settings.guidance),
        data.train_x,
        data.train_y,
        settings.loop,
        device,
        generator,
        on_epoch=lambda e, loss, s: epochs.append(loss),
    )
    losses = {
        split: float(
            F.mse_loss(
                _reconstruct(model, getattr(data, f"{split}_x"), device),
                getattr(data, f"{split}_x"),
            )
        )
        for split in ("train", "test")
    }
    train_z, test_z = _codes(model, data.train_x), _codes(model, data.test_x)
    mean, std = train_z.mean(dim=0), train_z.std(dim=0).clamp_min(1e-6)
    train_z, test_z = (train_z - mean) / std, (test_z - mean) / std
    accuracies = {
        name: _fit_probe(
            train_z,
            data.train_y,
            test_z,
            data.test_y,
            data.num_classes,
            hidden,
            probe,
            settings.seed,
            device,
        )
        for name, hidden in (("linear", 0), ("mlp", probe["hidden"]))
    }
    metrics = {
        "arch": settings.arch,
        "latent": settings.latent,
        "guidance": settings.guidance,
        "train_reconstruction_loss": losses["train"],
        "test_reconstruction_loss": losses["test"],
        "linear_probe_accuracy": accuracies["linear"],
        "mlp_probe_accuracy": accuracies["mlp"],
        "final_train_objective": epochs[-1],
        "device": str(device),
    }
    log.info("%s", metrics)
    return metrics, _reconstruct(model, data.test_x[:show], device).cpu().numpy()


# R3 (issue's test): reconstruction losses within 5% (relative), probe accuracies 10 points apart.
R3_RECONSTRUCTION_TOLERANCE = 0.05
R3_PROBE_GAP = 0.10


def guidance_pairs(table: pd.DataFrame) -> pd.DataFrame:
    """Each guided model beside its unguided twin (same dataset, architecture, latent)."""
    base = table[table["guidance"] == 0]
    guided = table[table["guidance"] > 0]
    pairs = guided.merge(base, on=["dataset", "arch", "latent"], suffixes=("", "_unguided"))
    pairs["reconstruction_gap"] = (
        pairs["test_reconstruction_loss"] / pairs["test_reconstruction_loss_unguided"] - 1
    )
    pairs["linear_probe_gain"] = (
        pairs["linear_probe_accuracy"] - pairs["linear_probe_accuracy_unguided"]
    )
    pairs["mlp_probe_gain"] = pairs["mlp_probe_accuracy"] - pairs["mlp_probe_accuracy_unguided"]
    pairs["r3_holds"] = (pairs["reconstruction_gap"].abs() <= R3_RECONSTRUCTION_TOLERANCE) & (
        pairs["linear_probe_gain"].abs() >= R3_PROBE_GAP
    )
    return pairs
