"""The classifiers of the subspace experiment, by name (the config's
subspace.model.architecture).

A builder takes the image shape (C, H, W), the number of classes and the config's model
settings (`widths`, `width_multiplier`), and returns a module that maps N×C×H×W images to
N×classes logits. ResNet9, the authors' model, is the one the paper trains.
"""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from ..errors import ConfigError
from .resnet9 import ResNet9


def _resnet9(shape, num_classes: int, widths: tuple[int, ...], width_multiplier: float):
    return ResNet9(shape[0], num_classes, widths, width_multiplier)


CLASSIFIERS: dict[str, Callable[..., nn.Module]] = {"resnet9": _resnet9}
# What a config that names no architecture trains (the schema documents it as the default).
DEFAULT_CLASSIFIER = "resnet9"


def check_classifier(name: str) -> None:
    """Raise ConfigError unless `name` is a registered classifier."""
    if name not in CLASSIFIERS:
        raise ConfigError(
            f"subspace.model.architecture: unknown classifier {name!r}; "
            f"choose one of {sorted(CLASSIFIERS)}"
        )


def build_classifier(
    name: str, shape, num_classes: int, widths: tuple[int, ...], width_multiplier: float
) -> nn.Module:
    """The registered classifier `name` for images of shape (C, H, W)."""
    check_classifier(name)
    return CLASSIFIERS[name](tuple(shape), num_classes, tuple(widths), width_multiplier)
