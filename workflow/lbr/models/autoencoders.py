"""Autoencoders of the learning-dynamics and guidance experiments (Figs. 1 bottom, 3, 5, 6).

Three families with a configurable latent size and an optional linear classification
head on the latent code (supervised guidance): an MLP, a convolutional encoder with a
deconvolutional decoder, and a ResNet-style pair. All map N×C×H×W to N×C×H×W.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import ConfigError


class Autoencoder(nn.Module):
    def __init__(
        self, encoder: nn.Module, decoder: nn.Module, latent: int, num_classes: int, shape
    ):
        super().__init__()
        self.encoder, self.decoder = encoder, decoder
        self.head = nn.Linear(latent, num_classes)
        self.shape = tuple(shape)  # (C, H, W)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(reconstruction, class logits of the linear head on the code)."""
        code = self.encode(x)
        out = self.decoder(code)
        if out.shape[-2:] != self.shape[-2:]:
            out = F.interpolate(out, size=self.shape[-2:], mode="bilinear", align_corners=False)
        return out, self.head(code)


def _mlp(shape, latent, width, num_classes) -> Autoencoder:
    dim = shape[0] * shape[1] * shape[2]
    hidden = 32 * width  # comparable capacity to the convolutional models of the same width
    encoder = nn.Sequential(
        nn.Flatten(),
        nn.Linear(dim, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, latent),
    )
    decoder = nn.Sequential(
        nn.Linear(latent, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, dim),
        nn.Unflatten(1, tuple(shape)),
    )
    return Autoencoder(encoder, decoder, latent, num_classes, shape)


def _down_size(size: int, steps: int) -> int:
    for _ in range(steps):
        size = (size + 1) // 2
    return size


def _conv(shape, latent, width, num_classes) -> Autoencoder:
    c, h, w = shape
    bottom = (2 * width, _down_size(h, 2), _down_size(w, 2))
    encoder = nn.Sequential(
        nn.Conv2d(c, width, 3, stride=2, padding=1),
        nn.BatchNorm2d(width),
        nn.ReLU(),
        nn.Conv2d(width, 2 * width, 3, stride=2, padding=1),
        nn.BatchNorm2d(2 * width),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(bottom[0] * bottom[1] * bottom[2], latent),
    )
    decoder = nn.Sequential(
        nn.Linear(latent, bottom[0] * bottom[1] * bottom[2]),
        nn.Unflatten(1, bottom),
        nn.ReLU(),
        nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1),
        nn.BatchNorm2d(width),
        nn.ReLU(),
        nn.ConvTranspose2d(width, c, 4, stride=2, padding=1),
    )
    return Autoencoder(encoder, decoder, latent, num_classes, shape)


class _ResidualBlock(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.body = nn.Sequential(
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
            nn.ReLU(),
            nn.Conv2d(channels, channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(channels),
        )

    def forward(self, x):
        return F.relu(x + self.body(x))


def _resnet(shape, latent, width, num_classes) -> Autoencoder:
    c, h, w = shape
    bottom = (4 * width, _down_size(h, 2), _down_size(w, 2))

    def stage(c_in, c_out, transpose=False):
        conv = (
            nn.ConvTranspose2d(c_in, c_out, 4, stride=2, padding=1)
            if transpose
            else nn.Conv2d(c_in, c_out, 3, stride=2, padding=1)
        )
        return [conv, nn.BatchNorm2d(c_out), nn.ReLU(), _ResidualBlock(c_out)]

    encoder = nn.Sequential(
        nn.Conv2d(c, width, 3, padding=1),
        nn.BatchNorm2d(width),
        nn.ReLU(),
        _ResidualBlock(width),
        *stage(width, 2 * width),
        *stage(2 * width, 4 * width),
        nn.Flatten(),
        nn.Linear(bottom[0] * bottom[1] * bottom[2], latent),
    )
    decoder = nn.Sequential(
        nn.Linear(latent, bottom[0] * bottom[1] * bottom[2]),
        nn.Unflatten(1, bottom),
        nn.ReLU(),
        _ResidualBlock(4 * width),
        *stage(4 * width, 2 * width, True),
        *stage(2 * width, width, True),
        nn.Conv2d(width, c, 3, padding=1),
    )
    return Autoencoder(encoder, decoder, latent, num_classes, shape)


ARCHITECTURES = {"mlp": _mlp, "conv": _conv, "resnet": _resnet}


def build_autoencoder(arch: str, shape, latent: int, width: int, num_classes: int) -> Autoencoder:
    """shape is (C, H, W); width is the first channel count (the MLP's hidden layers have 32×width units)."""
    if arch not in ARCHITECTURES:
        raise ConfigError(f"unknown autoencoder {arch!r}; choose one of {sorted(ARCHITECTURES)}")
    dim = shape[0] * shape[1] * shape[2]
    if not 1 <= latent <= dim:
        raise ConfigError(f"latent size {latent} must be in 1..D = {dim}")
    return ARCHITECTURES[arch](tuple(shape), latent, width, num_classes)
