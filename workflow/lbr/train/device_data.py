"""Device-resident datasets and batched augmentation (no DataLoader, no workers)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def random_crop_flip(
    images: torch.Tensor, padding: int, generator: torch.Generator
) -> torch.Tensor:
    """Random crop after reflect padding, and random horizontal flip, for a whole batch.

    One padded copy and one gather; offsets and flips are drawn per image from
    `generator`, so augmentation is reproducible from the seed.
    """
    n, c, h, w = images.shape
    device = images.device
    if padding > 0:
        padded = F.pad(images, (padding, padding, padding, padding), mode="reflect")
        dy = torch.randint(0, 2 * padding + 1, (n,), generator=generator, device=device)
        dx = torch.randint(0, 2 * padding + 1, (n,), generator=generator, device=device)
        rows = dy[:, None] + torch.arange(h, device=device)[None, :]  # n×h
        cols = dx[:, None] + torch.arange(w, device=device)[None, :]  # n×w
        batch = torch.arange(n, device=device)[:, None, None]
        images = padded.permute(0, 2, 3, 1)[batch, rows[:, :, None], cols[:, None, :]].permute(
            0, 3, 1, 2
        )
    flip = torch.rand(n, generator=generator, device=device) < 0.5
    return torch.where(flip[:, None, None, None], images.flip(-1), images)


def crop_padding(height: int) -> int:
    """4 pixels at 32×32 (the authors'), scaled with the image size, at least 1."""
    return max(1, round(4 * height / 32))
