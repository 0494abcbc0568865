"""The user's files a local source reads, summarised so that changing them reruns its dataset.

Light (no torch, no image decoding): the Snakefile calls `source_files_record` when it
plans a `dataset` job, and the record joins the job's params, so adding, removing or
replacing a file under an `image_folder` or `idx_directory` path reruns that dataset and
everything downstream, while an untouched directory reruns nothing.

- IDX files (`idx_directory`, `garments_on_photos`): the sha256 of each of the four
  files the loader reads (tens of MB: about a tenth of a second).
- An image folder: one line per image the loader reads (path, size, modification time
  in ns) and the class folders, summarised by one sha256. Hashing every image would cost
  a full read of the folder at every start; the listing costs one stat per image.
  Any write to an image changes its mtime, so a replaced image is seen even at the same
  size; touching an image without changing it reruns its dataset too.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from ..checksums import file_digest
from ..errors import DataError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}
# The four files of an IDX directory, by the split arrays they hold.
IDX_STEMS = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
DEFAULT_SPLITS = {"train": "train", "test": "test"}

# Debian packages that install IDX datasets, by the directory they install to.
DEBIAN_FASHION_MNIST = "/usr/share/datasets/fashion-mnist"
DEBIAN_IDX_PACKAGES = {DEBIAN_FASHION_MNIST: "dataset-fashion-mnist"}


def idx_directory_hint(path: str) -> str | None:
    """Advice for a missing IDX directory: the Debian package only when `path` is where
    that package installs (for any other path the package would not help)."""
    package = DEBIAN_IDX_PACKAGES.get(str(Path(path)))
    if package:
        return (
            f"on Debian/Ubuntu run 'apt-get install {package}' (files land in {path}), "
            f"or set 'path' to your own copy"
        )
    return None


def find_idx_file(directory: Path, stem: str) -> Path | None:
    """The file the IDX loader reads for `stem`: plain first, then gzip-compressed."""
    for candidate in (directory / stem, directory / f"{stem}.gz"):
        if candidate.exists():
            return candidate
    return None


def idx_source_path(spec: dict[str, Any]) -> str | None:
    """The IDX directory a config entry reads, or None for sources that read none."""
    if spec["source"] == "idx_directory":
        return spec["path"]
    if spec["source"] == "garments_on_photos":
        return spec.get("path", DEBIAN_FASHION_MNIST)
    return None


def source_files_record(name: str, spec: dict[str, Any]) -> dict[str, Any] | None:
    """What a dataset's source reads from the user's disk, summarised (None for sources
    that read no user files: downloads are checked by md5, the rest ship with packages).

    A `path` that does not exist stops the plan here, before Snakemake would replace an
    existing dataset with a failed job, with the key and the fix.
    """
    idx_path = idx_source_path(spec)
    if idx_path is not None:
        return _idx_record(name, Path(idx_path))
    if spec["source"] == "image_folder":
        return _folder_record(name, Path(spec["path"]), spec.get("splits", DEFAULT_SPLITS))
    return None


def _missing(name: str, path: Path, advice: str) -> DataError:
    return DataError(f"datasets.{name}.path: {path} does not exist: {advice}")


def _idx_record(name: str, directory: Path) -> dict[str, Any]:
    if not directory.is_dir():
        raise _missing(
            name,
            directory,
            idx_directory_hint(str(directory))
            or "point 'path' at a directory holding train-images-idx3-ubyte(.gz) and its three siblings",
        )
    record = {}
    for stem in IDX_STEMS.values():
        found = find_idx_file(directory, stem)
        # A missing file is recorded as such; the dataset job names it when it runs.
        record[found.name if found else stem] = file_digest(found, "sha256") if found else None
    return {"idx_sha256": record}


def _folder_record(name: str, directory: Path, splits: dict[str, str]) -> dict[str, Any]:
    if not directory.is_dir():
        raise _missing(
            name,
            directory,
            "set 'path' to a directory with train/<class>/*.png and test/<class>/*.png",
        )
    lines = []
    for split in sorted(splits):
        for class_dir in _sorted_entries(directory / splits[split]):
            if not class_dir.is_dir():
                continue
            prefix = f"{split}/{class_dir.name}/"
            lines.append(prefix)
            for entry in _sorted_entries(Path(class_dir.path)):
                if os.path.splitext(entry.name)[1].lower() in IMAGE_SUFFIXES:
                    stat = entry.stat()  # follows links: the image the loader would read
                    lines.append(f"{prefix}{entry.name}\t{stat.st_size}\t{stat.st_mtime_ns}")
    listing = "\n".join(lines).encode()
    images = len(lines) - sum(line.endswith("/") for line in lines)
    return {"images": images, "listing_sha256": hashlib.sha256(listing).hexdigest()}


def _sorted_entries(directory: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(directory) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except (FileNotFoundError, NotADirectoryError):
        return []  # a split or class folder missing: the dataset job names it
