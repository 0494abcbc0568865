"""The config's `device` key → a torch device: the one place every stage resolves it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import ConfigError

if TYPE_CHECKING:
    import torch


def resolve_device(name: str) -> torch.device:
    """`auto` picks a GPU when one is visible; `cuda` without one fails at start."""
    import torch  # here, not at module level: a heavy import, for the jobs that use it

    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name not in ("cpu", "cuda"):
        raise ConfigError(f"unknown device {name!r}; use auto, cpu or cuda")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "device 'cuda' was requested but no GPU is visible; set device: cpu or auto, "
            "or run on a GPU node (resources: gpu=1)"
        )
    return torch.device(name)
