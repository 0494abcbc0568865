"""Autoencoders of the learning-dynamics and guidance experiments (Figs. 1 bottom, 3, 5, 6).

Four families with a configurable latent size and a linear classification head on the
latent code (supervised guidance): an MLP, a convolutional encoder with a deconvolutional
decoder, a small ResNet-style pair, and the paper's capacity for R3: torchvision's
resnet34 as encoder with a mirrored upsampling decoder. All map N×C×H×W to N×C×H×W.
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


# resnet34's input stem: the ImageNet stem (7×7 stride 2, max-pool) divides the image by 4
# before layer1; below this size the CIFAR stem (3×3 stride 1, no pool) keeps the pixels.
IMAGENET_STEM_MIN_SIZE = 64


def _resnet34(shape, latent, width, num_classes) -> Autoencoder:
    """torchvision's resnet34 (random init, no download) with its stem adapted to C input
    channels and its classifier replaced by a linear map to the latent code; the decoder
    mirrors it: a linear map to the last stage's grid, then stages of BasicBlocks
    (6, 4, 3 deep as layer3..layer1 are, plus layer4's 3) at channels 8w, 4w, 2w, w, each
    doubling the resolution, and the stem's downsampling undone by upsampling.
    width = 64 gives the encoder's own channel counts."""
    from torchvision.models import resnet34
    from torchvision.models.resnet import BasicBlock

    c, h, w = shape
    encoder = resnet34(weights=None)
    imagenet_stem = min(h, w) >= IMAGENET_STEM_MIN_SIZE
    if imagenet_stem:
        encoder.conv1 = nn.Conv2d(c, 64, 7, stride=2, padding=3, bias=False)
    else:
        encoder.conv1 = nn.Conv2d(c, 64, 3, stride=1, padding=1, bias=False)
        encoder.maxpool = nn.Identity()
    encoder.fc = nn.Linear(512, latent)
    stem_factor = 4 if imagenet_stem else 1
    grid = (
        _down_size(h, 3 + (2 if imagenet_stem else 0)),
        _down_size(w, 3 + (2 if imagenet_stem else 0)),
    )
    channels = [8 * width, 4 * width, 2 * width, width]
    depths = [3, 6, 4, 3]  # layer4, layer3, layer2, layer1 of resnet34, mirrored

    def up_stage(c_in, c_out, depth, upsample):
        layers = [nn.Upsample(scale_factor=2, mode="nearest")] if upsample else []
        layers += [
            nn.Conv2d(c_in, c_out, 3, padding=1, bias=False),
            nn.BatchNorm2d(c_out),
            nn.ReLU(),
        ]
        return layers + [BasicBlock(c_out, c_out) for _ in range(depth)]

    layers = [
        nn.Linear(latent, channels[0] * grid[0] * grid[1]),
        nn.Unflatten(1, (channels[0], *grid)),
        nn.ReLU(),
    ]
    layers += [BasicBlock(channels[0], channels[0]) for _ in range(depths[0])]
    for c_in, c_out, depth in zip(channels, channels[1:], depths[1:]):
        layers += up_stage(c_in, c_out, depth, upsample=True)
    if stem_factor > 1:
        layers += [nn.Upsample(scale_factor=stem_factor, mode="nearest")]
    layers += [nn.Conv2d(width, c, 3, padding=1)]
    return Autoencoder(encoder, nn.Sequential(*layers), latent, num_classes, shape)


ARCHITECTURES = {"mlp": _mlp, "conv": _conv, "resnet": _resnet, "resnet34": _resnet34}


def build_autoencoder(arch: str, shape, latent: int, width: int, num_classes: int) -> Autoencoder:
    """shape is (C, H, W); width is the first channel count (the MLP's hidden layers have
    32×width units; resnet34's decoder ends at width channels, its encoder is fixed)."""
    if arch not in ARCHITECTURES:
        raise ConfigError(f"unknown autoencoder {arch!r}; choose one of {sorted(ARCHITECTURES)}")
    dim = shape[0] * shape[1] * shape[2]
    if not 1 <= latent <= dim:
        raise ConfigError(f"latent size {latent} must be in 1..D = {dim}")
    return ARCHITECTURES[arch](tuple(shape), latent, width, num_classes)
