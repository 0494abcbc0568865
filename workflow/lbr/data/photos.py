"""Datasets built offline from the photographs shipped inside scikit-image's wheel.

Two sources share one rule for where crops may come from: each photograph is cut into
square blocks, a seeded draw assigns every block to train or test, and a crop lies wholly
inside one block. Train and test crops therefore never share a pixel of any photograph.

* ``photo_patches``: class = source photograph. Each crop has its per-channel mean
  removed and its contrast set to a fixed std, so the class is carried by fine detail
  (texture, edges, colour structure), not by mean colour or brightness. Crops whose
  std is below ``min_std`` (near-uniform sky, black space) are redrawn: the per-image
  normalisation downstream would otherwise blow their sensor noise up into one huge
  component.
* ``garments_on_photos``: Fashion-MNIST garments (Debian's dataset-fashion-mnist) over
  crops of the photographs, with MNIST-M's difference blend |background − garment|;
  train garments go on train-region crops, test garments on test-region crops.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ..errors import DataError
from .format import ImageDataset
from .transforms import resize

# Real photographs (not drawings or synthetic test patterns) present in the scikit-image
# wheel itself; skimage.data's fetcher would need the internet for anything else.
SHIPPED_PHOTOS = {
    "astronaut": "astronaut.png",
    "brick": "brick.png",
    "camera": "camera.png",
    "chelsea": "chelsea.png",
    "coffee": "coffee.png",
    "grass": "grass.png",
    "gravel": "gravel.png",
    "hubble_deep_field": "hubble_deep_field.jpg",
    "ihc": "ihc.png",
    "moon": "moon.png",
    "motorcycle_left": "motorcycle_left.png",
    "retina": "retina.jpg",
    "rocket": "rocket.jpg",
}
# Draws allowed per accepted crop before a region is declared too uniform.
MAX_DRAWS_PER_CROP = 50


def photo_directory() -> Path:
    try:
        from skimage.data import data_dir
    except ImportError as error:
        raise DataError(
            "the photograph sources read the photos shipped with scikit-image: "
            "pip install scikit-image"
        ) from error
    return Path(data_dir)


def load_photo(name: str) -> np.ndarray:
    """One shipped photograph as H×W×3 uint8 (grey ones replicated to RGB)."""
    if name not in SHIPPED_PHOTOS:
        raise DataError(
            f"unknown photograph {name!r}; the shipped photographs are: {', '.join(SHIPPED_PHOTOS)}"
        )
    path = photo_directory() / SHIPPED_PHOTOS[name]
    if not path.exists():
        raise DataError(f"{path} is missing: reinstall scikit-image (pip install scikit-image)")
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


@dataclass(frozen=True)
class Box:
    """A crop window in one photograph: rows top..top+side, columns left..left+side."""

    photo: int
    top: int
    left: int
    side: int

    def overlaps(self, other: Box) -> bool:
        return (
            self.photo == other.photo
            and self.top < other.top + other.side
            and other.top < self.top + self.side
            and self.left < other.left + other.side
            and other.left < self.left + self.side
        )


def split_blocks(
    photo_shape: tuple[int, int], block: int, test_fraction: float, rng
) -> dict[str, list[tuple[int, int]]]:
    """Top-left corners of the photo's whole blocks, each assigned to train or test.

    At least one block goes to each split; the draw is seeded through `rng`.
    """
    rows, cols = photo_shape[0] // block, photo_shape[1] // block
    if rows * cols < 2:
        raise DataError(
            f"a {photo_shape[0]}×{photo_shape[1]} photograph holds fewer than two "
            f"{block}-pixel blocks; lower 'block'"
        )
    corners = [(r * block, c * block) for r in range(rows) for c in range(cols)]
    order = rng.permutation(len(corners))
    n_test = min(len(corners) - 1, max(1, round(test_fraction * len(corners))))
    test = sorted(corners[i] for i in order[:n_test])
    train = sorted(corners[i] for i in order[n_test:])
    return {"train": train, "test": test}


def sample_boxes(
    photos: list[np.ndarray],
    corners: list[list[tuple[int, int]]],
    photo_index: int,
    count: int,
    crop: int,
    block: int,
    min_std: float,
    rng,
) -> list[Box]:
    """`count` crop windows of side `crop`, each inside one of the photo's given blocks,
    whose pixel std is at least `min_std` (near-uniform crops are redrawn)."""
    photo = photos[photo_index]
    blocks = corners[photo_index]
    boxes: list[Box] = []
    draws = 0
    while len(boxes) < count:
        draws += 1
        if draws > MAX_DRAWS_PER_CROP * count:
            raise DataError(
                f"photograph {photo_index}: fewer than 1 in {MAX_DRAWS_PER_CROP} crops have a "
                f"pixel std ≥ min_std={min_std}; lower 'min_std' or drop this photograph"
            )
        row, col = blocks[int(rng.integers(len(blocks)))]
        top = row + int(rng.integers(block - crop + 1))
        left = col + int(rng.integers(block - crop + 1))
        if min_std > 0 and photo[top : top + crop, left : left + crop].std() < min_std:
            continue
        boxes.append(Box(photo_index, top, left, crop))
    return boxes


def cut(photos: list[np.ndarray], boxes: list[Box]) -> np.ndarray:
    return np.stack(
        [photos[b.photo][b.top : b.top + b.side, b.left : b.left + b.side] for b in boxes]
    )


def equalize(crops: np.ndarray, target_std: float) -> np.ndarray:
    """Remove each crop's per-channel mean and set its std to `target_std` around 128."""
    x = crops.astype(np.float64)
    x -= x.mean(axis=(1, 2), keepdims=True)
    x *= target_std / np.maximum(x.std(axis=(1, 2, 3), keepdims=True), 1e-8)
    return np.clip(np.rint(x + 128.0), 0, 255).astype(np.uint8)


def _check_geometry(crop: int, block: int, test_fraction: float) -> None:
    if crop > block:
        raise DataError(
            f"'crop' ({crop}) must not exceed 'block' ({block}): a crop lies inside one block"
        )
    if not 0 < test_fraction < 1:
        raise DataError(f"'test_fraction' must lie in (0, 1), got {test_fraction}")


def region_boxes(
    photos: list[np.ndarray],
    per_photo: dict[str, int],
    crop: int,
    block: int,
    test_fraction: float,
    min_std: float,
    seed: int,
) -> tuple[dict[str, list[Box]], list[dict[str, list[tuple[int, int]]]]]:
    """Crop windows per split (photo-major order) and every photo's block assignment."""
    _check_geometry(crop, block, test_fraction)
    rng = np.random.default_rng(seed)
    assignment = [split_blocks(p.shape[:2], block, test_fraction, rng) for p in photos]
    boxes = {}
    for split, count in per_photo.items():
        corners = [a[split] for a in assignment]
        boxes[split] = [
            box
            for index in range(len(photos))
            for box in sample_boxes(photos, corners, index, count, crop, block, min_std, rng)
        ]
    return boxes, assignment


def photo_patches(
    photo_names: list[str],
    shape: list[int],
    train_per_photo: int,
    test_per_photo: int,
    crop: int,
    block: int,
    test_fraction: float,
    min_std: float,
    target_std: float,
    seed: int,
) -> ImageDataset:
    """Crops of shipped photographs, labelled by photograph, from disjoint train/test blocks."""
    if len(set(photo_names)) != len(photo_names) or len(photo_names) < 2:
        raise DataError(f"'photos' must name at least two distinct photographs, got {photo_names}")
    photos = [load_photo(name) for name in photo_names]
    boxes, assignment = region_boxes(
        photos,
        {"train": train_per_photo, "test": test_per_photo},
        crop,
        block,
        test_fraction,
        min_std,
        seed,
    )
    height, width = shape[0], shape[1]
    arrays = []
    for split in ("train", "test"):
        crops = (
            equalize(cut(photos, boxes[split]), target_std)
            if target_std
            else cut(photos, boxes[split])
        )
        arrays += [resize(crops, height, width), np.array([b.photo for b in boxes[split]])]
    return ImageDataset(
        *arrays,
        class_names=list(photo_names),
        provenance={
            "origin": "crops of the photographs shipped in scikit-image's wheel (skimage/data)",
            "photos": {n: SHIPPED_PHOTOS[n] for n in photo_names},
            "crop": crop,
            "block": block,
            "test_fraction": test_fraction,
            "min_std": min_std,
            "target_std": target_std,
            "seed": seed,
            "test_blocks": {n: a["test"] for n, a in zip(photo_names, assignment)},
        },
    )


def garments_on_photos(
    garments: ImageDataset,
    photo_names: list[str],
    shape: list[int],
    crop: int,
    block: int,
    test_fraction: float,
    min_std: float,
    seed: int,
) -> ImageDataset:
    """Each garment (grey, resized to `shape`) difference-blended over one photo crop; train
    garments over crops from train blocks, test garments over crops from test blocks."""
    height, width, channels = shape
    if channels != 3:
        raise DataError(
            "garments_on_photos needs shape [H, W, 3]: its backgrounds are colour photographs"
        )
    photos = [load_photo(name) for name in photo_names]
    _check_geometry(crop, block, test_fraction)
    rng = np.random.default_rng(seed)
    assignment = [split_blocks(p.shape[:2], block, test_fraction, rng) for p in photos]
    arrays = []
    for split in ("train", "test"):
        images, labels = garments.split(split)
        corners = [a[split] for a in assignment]
        # Photo of each background drawn uniformly; windows drawn within that photo's blocks.
        which = rng.integers(len(photos), size=len(labels))
        boxes: list[Box | None] = [None] * len(labels)
        for index in range(len(photos)):
            slots = np.flatnonzero(which == index)
            drawn = sample_boxes(photos, corners, index, len(slots), crop, block, min_std, rng)
            for slot, box in zip(slots, drawn):
                boxes[slot] = box
        backgrounds = resize(cut(photos, boxes), height, width).astype(np.float64)
        grey = np.asarray(images, dtype=np.float64).mean(axis=-1, keepdims=True)
        grey = resize(np.rint(grey).astype(np.uint8), height, width).astype(np.float64)
        arrays += [np.rint(np.abs(backgrounds - grey)).astype(np.uint8), np.asarray(labels)]
    return ImageDataset(
        *arrays,
        class_names=list(garments.class_names),
        provenance={
            "origin": "Fashion-MNIST garments blended |background − garment| over crops of "
            "scikit-image's shipped photographs",
            "garments": garments.provenance,
            "photos": {n: SHIPPED_PHOTOS[n] for n in photo_names},
            "crop": crop,
            "block": block,
            "test_fraction": test_fraction,
            "min_std": min_std,
            "seed": seed,
            "test_blocks": {n: a["test"] for n, a in zip(photo_names, assignment)},
        },
    )
