"""Shared by test modules: the repository root and the smallest valid dataset."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def small_image_dataset():
    """20 train and 6 test random 4×4×1 images in two classes: the smallest valid dataset."""
    import numpy as np
    from lbr.data.format import ImageDataset

    rng = np.random.default_rng(0)
    return ImageDataset(
        rng.integers(0, 256, (20, 4, 4, 1), dtype=np.uint8),
        np.arange(20) % 2,
        rng.integers(0, 256, (6, 4, 4, 1), dtype=np.uint8),
        np.arange(6) % 2,
        class_names=["a", "b"],
    )


WORKFLOW = REPO / "tests" / "workflow"
TINY = WORKFLOW / "configs" / "tiny.yaml"  # the end-to-end tests' small config
