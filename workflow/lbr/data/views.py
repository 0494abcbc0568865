"""Which shape each stage sees a dataset at (light: read by the Snakefile at start-up).

A dataset is decoded once and stored at stored_shape. With `closed_form_shape: native`
the closed-form stages (spectrum, alignment, denoising, Theorem 1, gallery) read the
native arrays, and the training stages (subspace, autoencoders) a copy resized to
`shape`, derived from the stored arrays (registry.derive_training_view).
"""

from __future__ import annotations

from typing import Any

NATIVE = "native"
TRAINING_VIEW_SUFFIX = ".training"  # results/datasets/{name}.training: the derived copy


def stored_shape(spec: dict[str, Any]) -> list[int] | None:
    """The shape a dataset is decoded to and stored at (None: native): the native one
    when the closed-form stages use it, else the configured `shape`."""
    return None if spec.get("closed_form_shape") == NATIVE else spec.get("shape")


def has_training_view(spec: dict[str, Any]) -> bool:
    """Whether the training stages need a copy at `shape`, derived from the stored arrays."""
    return spec.get("closed_form_shape") == NATIVE and spec.get("shape") is not None


def training_view(name: str, spec: dict[str, Any]) -> str:
    """The directory name (under results/datasets and results/spectrum) that the
    training stages read for dataset `name`."""
    return name + TRAINING_VIEW_SUFFIX if has_training_view(spec) else name
