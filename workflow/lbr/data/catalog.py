"""What is known about each source before any data is read (light: the Snakefile reads
it at start-up to validate the config and to size the jobs' resources).

Per source: its native image shape where it is fixed (None: the images vary in size,
the config entry sets `shape`), and, for downloadable sources, the documented split
sizes, which remote.py also checks each decoded dataset against.
"""

from __future__ import annotations

import math
from typing import Any

from .views import stored_shape

MNIST_SIZES = {"train": 60000, "test": 10000}
CIFAR_SIZES = {"train": 50000, "test": 10000}
IMAGENETTE_SIZES = {"train": 9469, "test": 3925}

# source -> (native H, W, C or None, split sizes)
REMOTE_CATALOG: dict[str, tuple[tuple[int, int, int] | None, dict[str, int]]] = {
    "mnist": ((28, 28, 1), MNIST_SIZES),
    "fashion_mnist": ((28, 28, 1), MNIST_SIZES),
    "kmnist": ((28, 28, 1), MNIST_SIZES),
    "cifar10": ((32, 32, 3), CIFAR_SIZES),
    "cifar100": ((32, 32, 3), CIFAR_SIZES),
    "svhn": ((32, 32, 3), {"train": 73257, "test": 26032}),
    "stl10": ((96, 96, 3), {"train": 5000, "test": 8000}),
    "imagenette": (None, IMAGENETTE_SIZES),
    "imagenette_320": (None, IMAGENETTE_SIZES),
    "imagenette_160": (None, IMAGENETTE_SIZES),
    "tinyimagenet": ((64, 64, 3), {"train": 100000, "test": 10000}),
}
REMOTE_SOURCE_NAMES = tuple(sorted(REMOTE_CATALOG))
DIGITS_IMAGES = 1797  # scikit-learn's load_digits
# Native shapes of the offline sources whose shape is fixed.
LOCAL_NATIVE_SHAPES = {"digits": (8, 8, 1)}


def native_shape(source: str) -> tuple[int, int, int] | None:
    """A source's fixed image shape, or None where it varies or is unknown."""
    if source in REMOTE_CATALOG:
        return REMOTE_CATALOG[source][0]
    return LOCAL_NATIVE_SHAPES.get(source)


def closed_form_shape(spec: dict[str, Any]) -> tuple[int, int, int] | None:
    """The image shape the closed-form stages see for a config entry (None: unknown
    until the data is read)."""
    shape = stored_shape(spec)
    return tuple(shape) if shape else native_shape(spec["source"])


def training_images(name: str, datasets: dict[str, dict[str, Any]]) -> int | None:
    """How many training images dataset `name` holds, from its config entry alone
    (None where only the data can tell: a user's own directory)."""
    spec = datasets[name]
    source = spec["source"]
    if "subset" in spec and "train" in spec["subset"]:
        return int(spec["subset"]["train"])
    if source in REMOTE_CATALOG:
        return REMOTE_CATALOG[source][1]["train"]
    if source == "digits":
        return DIGITS_IMAGES - math.ceil(DIGITS_IMAGES * spec.get("test_fraction", 0.2))
    if source == "composite":
        base = training_images(spec["base"], datasets)
        return None if base is None else base * spec.get("crops_per_image", 2)
    if source == "photo_patches":
        return spec.get("train_per_photo", 500) * len(spec["photos"])
    if source == "garments_on_photos":
        return MNIST_SIZES["train"]
    return None
