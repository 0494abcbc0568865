"""Autoencoder experiments: learning dynamics in the eigenbasis (R2) and supervised
guidance (R3), on the shared device-resident loop. The verdicts drawn from their tables
live in autoencoder_claims.py; docs/autoencoders.md describes both."""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F

from ..data.format import read_dataset
from ..errors import ConfigError
from ..models.autoencoders import build_autoencoder
from ..spectral.cache import read_spectrum
from .autoencoder_claims import band_table, r2_summary, signal_directions
from .classifier import as_device_tensors, parameter_count
from .loop import LoopSettings, train_loop
from .projection import preprocessed_split
from .runtime import Runtime, resolve_runtime, seed_everything

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
        )


@dataclass(frozen=True)
class DynamicsSettings:
    """How R2 is sampled: log-spaced snapshots on a fixed subset of the training set."""

    snapshots: int
    subset: int
    band_edges: tuple[int, ...]


@dataclass(frozen=True)
class ProbeSettings:
    """Linear and one-hidden-layer probes on frozen codes (R3)."""

    epochs: int
    batch_size: int
    learning_rate: float
    weight_decay: float
    hidden: int
    record_every: int = 1  # epochs between two points of the training curves (Fig. 6)

    @property
    def loop(self) -> LoopSettings:
        return LoopSettings(self.epochs, self.batch_size, self.learning_rate, self.weight_decay)


_MODEL_KEYS = ("width", "epochs", "batch_size", "learning_rate", "weight_decay", "seed")


def dynamics_settings(section: dict, arch: str) -> tuple[AutoencoderSettings, DynamicsSettings]:
    """The config's autoencoders.dynamics section, for one architecture."""
    model = AutoencoderSettings(
        arch=arch, latent=section["latent"], **{k: section[k] for k in _MODEL_KEYS}
    )
    sampling = DynamicsSettings(
        section["snapshots"], section["subset"], tuple(section["band_edges"])
    )
    return model, sampling


# Test images each guidance run reconstructs and saves; the config's `guidance.show`
# (at most this many, as the schema says) only picks how many of them Fig. 6 draws.
RECONSTRUCTIONS_KEPT = 32


def guidance_settings(
    section: dict, arch: str, latent: int, weight: float, seed: int
) -> tuple[AutoencoderSettings, ProbeSettings]:
    """The config's autoencoders.guidance section, for one run of its grid (one of its
    `seeds`: the model's initialisation, batch order and augmentation, and its probes')."""
    model = AutoencoderSettings(
        arch=arch,
        latent=int(latent),
        guidance=float(weight),
        augment=section["augment"],
        seed=int(seed),
        **{k: section[k] for k in _MODEL_KEYS if k != "seed"},
    )
    return model, ProbeSettings(**section["probe"], record_every=section["record_every"])


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


@contextlib.contextmanager
def _batch_statistics(model: torch.nn.Module):
    """Normalize with the batch's own statistics and leave the running statistics untouched:
    a snapshot early in training must not depend on BatchNorm averages that have not settled
    (momentum 0 keeps the running buffers as they are)."""
    norms = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    was_training, momenta = model.training, [m.momentum for m in norms]
    model.train()
    for m in norms:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, momentum in zip(norms, momenta):
            m.momentum = momentum
        model.train(was_training)


@torch.no_grad()
def snapshot_reconstruction(model, x: torch.Tensor, runtime: Runtime) -> torch.Tensor:
    """Reconstruction of the R2 probe subset in one batch, under batch statistics."""
    with _batch_statistics(model), runtime.autocast():
        return model(runtime.layout(x))[0].float()


@torch.no_grad()
def _reconstruct(model, x: torch.Tensor, runtime: Runtime, batch: int = 1024) -> torch.Tensor:
    """Eval-mode reconstruction (settled running statistics), in batches; eager (never
    the compiled module), so evaluation adds no compiled graph."""
    was_training = model.training
    model.eval()
    parts = []
    for start in range(0, len(x), batch):
        with runtime.autocast():
            parts.append(model(runtime.layout(x[start : start + batch]))[0].float())
    model.train(was_training)
    return torch.cat(parts)


def _train(model, data: _Data, settings: AutoencoderSettings, runtime, generator, **hooks):
    """Minimize reconstruction + guidance·CE on the training split (on_step/on_epoch hooks)."""
    train_loop(
        model,
        lambda m, x, y: _reconstruction_loss(m, x, y, settings.guidance),
        data.train_x,
        data.train_y,
        settings.loop,
        runtime,
        generator,
        **hooks,
    )


def _snapshot_steps(total_steps: int, snapshots: int) -> set[int]:
    """Step 0 (before training) and `snapshots` log-spaced steps up to the last one."""
    marks = np.round(np.logspace(0, np.log10(total_steps), snapshots)).astype(int)
    return {0, *np.unique(marks).tolist()}


def learning_dynamics(
    dataset_dir: str,
    spectrum_dir: str,
    settings: AutoencoderSettings,
    sampling: DynamicsSettings,
    device_name: str,
    acceleration: dict | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """Train with MSE; at log-spaced steps record, on a fixed seeded subset of n training
    images, each eigen-direction's error e_k(t) = Σᵢ(u_kᵀ(x̂ᵢ − xᵢ))²/n beside the data's
    energy E_k = Σᵢ(u_kᵀxᵢ)²/n (the error of reconstructing nothing).

    Only directions that carry energy in the subset enter (SIGNAL_RTOL); returns the
    step × k table, the energy-weighted band table and the R2 summary.
    """
    runtime = resolve_runtime(device_name, acceleration)
    device = runtime.device
    generator = seed_everything(settings.seed, device)
    data = _Data(dataset_dir, spectrum_dir, device)
    rng = np.random.default_rng(settings.seed)
    count = min(sampling.subset, len(data.train_y))
    pick = torch.from_numpy(np.sort(rng.choice(len(data.train_y), count, replace=False)))
    probe_x = data.train_x[pick.to(device)]
    basis = torch.from_numpy(data.spectrum.eigen.eigenvectors.astype(np.float32)).to(device)
    energy = ((probe_x.flatten(1) @ basis) ** 2).mean(dim=0).double().cpu().numpy()
    keep = signal_directions(energy)
    basis = basis[:, torch.from_numpy(keep).to(device)]
    k = np.flatnonzero(keep) + 1
    log.info(
        "%d of %d eigen-directions carry energy in the probe subset; %d (jitter-only) left out",
        keep.sum(),
        len(keep),
        (~keep).sum(),
    )
    model = runtime.place(
        build_autoencoder(
            settings.arch, data.shape, settings.latent, settings.width, data.num_classes
        )
    )
    total_steps = settings.epochs * -(-len(data.train_y) // settings.batch_size)
    marks = _snapshot_steps(total_steps, sampling.snapshots)
    steps, errors = [], []

    def record(step: int) -> None:
        residual = snapshot_reconstruction(model, probe_x, runtime).flatten(1) - probe_x.flatten(1)
        steps.append(step)
        errors.append(((residual @ basis) ** 2).mean(dim=0).double().cpu().numpy())

    record(0)
    _train(
        model,
        data,
        settings,
        runtime,
        generator,
        on_step=lambda s: record(s) if s in marks else None,
    )
    directions = pd.DataFrame(
        {
            "step": np.repeat(steps, len(k)),
            "k": np.tile(k, len(steps)),
            "error": np.concatenate(errors),
            "energy": np.tile(energy[keep], len(steps)),
            "eigenvalue": np.tile(data.spectrum.eigen.eigenvalues[keep], len(steps)),
        }
    )
    bands = band_table(directions, list(sampling.band_edges))
    summary = {
        **r2_summary(directions, bands),
        "directions_left_out": int((~keep).sum()),
        "latent": settings.latent,
        "width": settings.width,
        "parameters": parameter_count(model),
    }
    return directions, bands, summary


def _fit_probe(train_z, train_y, test_z, test_y, num_classes, hidden, probe, seed, runtime):
    """Test accuracy of a linear (hidden = 0) or one-hidden-layer probe on frozen codes."""
    correct = _probe_correct(
        train_z, train_y, test_z, test_y, num_classes, hidden, probe, seed, runtime
    )
    return float(correct.float().mean())


def _probe_correct(train_z, train_y, test_z, test_y, num_classes, hidden, probe, seed, runtime):
    """Whether a linear (hidden = 0) or one-hidden-layer probe on frozen codes classifies
    each test image correctly (bool, on the device). Runs under a forked RNG so that
    probing during training leaves training unchanged."""
    runtime = replace(runtime, compile=False)  # a probe this small gains nothing from it
    device = runtime.device
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        torch.manual_seed(seed)
        generator = torch.Generator(device=device).manual_seed(seed)
        dim = train_z.shape[1]
        network = (
            torch.nn.Linear(dim, num_classes)
            if hidden == 0
            else torch.nn.Sequential(
                torch.nn.Linear(dim, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, num_classes)
            )
        ).to(device)
        train_loop(
            network,
            lambda m, z, y: F.cross_entropy(m(z).float(), y),
            train_z,
            train_y,
            probe.loop,
            runtime,
            generator,
        )
        with torch.no_grad():
            return network(test_z).argmax(dim=1) == test_y


@torch.no_grad()
def _codes(model, x: torch.Tensor, batch: int = 1024) -> torch.Tensor:
    was_training = model.training
    model.eval()
    codes = torch.cat([model.encode(x[s : s + batch]).float() for s in range(0, len(x), batch)])
    model.train(was_training)
    return codes


def _evaluate(
    model,
    data: _Data,
    probe: ProbeSettings,
    seed: int,
    runtime: Runtime,
    per_image: dict | None = None,
) -> dict:
    """Train and test reconstruction loss (MSE, eval mode, no augmentation) and the test
    accuracy of linear and MLP probes on the standardized codes. With `per_image` (a dict),
    it also receives, per test image: whether each probe is correct and the image's
    reconstruction error (its mean squared error over pixels)."""
    reconstructions = {
        split: _reconstruct(model, getattr(data, f"{split}_x"), runtime)
        for split in ("train", "test")
    }
    losses = {
        f"{split}_reconstruction_loss": float(
            F.mse_loss(reconstructions[split], getattr(data, f"{split}_x"))
        )
        for split in ("train", "test")
    }
    train_z, test_z = _codes(model, data.train_x), _codes(model, data.test_x)
    mean, std = train_z.mean(dim=0), train_z.std(dim=0).clamp_min(1e-6)
    train_z, test_z = (train_z - mean) / std, (test_z - mean) / std
    correct = {
        name: _probe_correct(
            train_z,
            data.train_y,
            test_z,
            data.test_y,
            data.num_classes,
            hidden,
            probe,
            seed,
            runtime,
        )
        for name, hidden in (("linear", 0), ("mlp", probe.hidden))
    }
    if per_image is not None:
        per_image.update(
            {f"{name}_probe_correct": c.cpu().numpy() for name, c in correct.items()},
            reconstruction_error=((reconstructions["test"] - data.test_x) ** 2)
            .flatten(1)
            .mean(dim=1)
            .double()
            .cpu()
            .numpy(),
        )
    accuracies = {f"{name}_probe_accuracy": float(c.float().mean()) for name, c in correct.items()}
    return {**losses, **accuracies}


def guided_autoencoder(
    dataset_dir: str,
    spectrum_dir: str,
    settings: AutoencoderSettings,
    probe: ProbeSettings,
    show: int,
    device_name: str,
    acceleration: dict | None = None,
    per_image: dict | None = None,
) -> tuple[dict, pd.DataFrame, np.ndarray]:
    """Train rec + guidance·CE; return the final metrics, the training curves (every
    probe.record_every epochs and the last: train objective, train/test reconstruction
    loss, probe accuracies) and the reconstructions of the first `show` test images
    (N×C×H×W, preprocessed units). With `per_image` (a dict), it receives the final
    evaluation's per-test-image results (_evaluate)."""
    runtime = resolve_runtime(device_name, acceleration)
    device = runtime.device
    generator = seed_everything(settings.seed, device)
    data = _Data(dataset_dir, spectrum_dir, device)
    model = runtime.place(
        build_autoencoder(
            settings.arch, data.shape, settings.latent, settings.width, data.num_classes
        )
    )
    curves = []

    def on_epoch(epoch: int, objective: float, seconds: float) -> None:
        if epoch % probe.record_every and epoch != settings.epochs:
            return
        row = {"epoch": epoch, "train_objective": objective, "seconds": seconds}
        final = per_image if epoch == settings.epochs else None
        curves.append({**row, **_evaluate(model, data, probe, settings.seed, runtime, final)})
        log.info("%s", curves[-1])

    _train(model, data, settings, runtime, generator, on_epoch=on_epoch)
    final = {k: v for k, v in curves[-1].items() if k not in ("epoch", "seconds")}
    metrics = {
        "arch": settings.arch,
        "latent": settings.latent,
        "width": settings.width,
        "guidance": settings.guidance,
        "parameters": parameter_count(model),
        **{k: v for k, v in final.items() if k != "train_objective"},
        "final_train_objective": final["train_objective"],
        "device": str(device),
    }
    return (
        metrics,
        pd.DataFrame(curves),
        _reconstruct(model, data.test_x[:show], runtime).cpu().numpy(),
    )
