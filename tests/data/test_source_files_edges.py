"""lbr.data.source_files at its edges: the folder record is the sha256 of a listing written
out here by hand, a file among the class folders leaves the classes after it listed, custom
split folders are the ones read, a missing IDX file is recorded as missing, and the advice
for a missing IDX directory names the Debian package only for the package's own path."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import pytest
from lbr.data.source_files import (
    DEBIAN_FASHION_MNIST,
    idx_directory_hint,
    idx_source_path,
    source_files_record,
)
from lbr.errors import DataError


def _image(path: Path, content: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)  # the record lists files; it never decodes them
    return path


def test_the_folder_record_is_the_sha256_of_its_listing(tmp_path):
    root = tmp_path / "own"
    files = {
        "test/b/0.png": b"12", "train/a/1.jpg": b"345", "train/a/0.PNG": b"6",
        "train/b/x.png": b"7890",
    }  # fmt: skip
    for name, content in files.items():
        _image(root / name, content)
    (root / "train" / "0_readme.txt").write_text("a file among the class folders")
    (root / "train" / "a" / "notes.md").write_text("not an image")

    def line(name):
        stat = (root / name).stat()
        return f"{name}\t{stat.st_size}\t{stat.st_mtime_ns}"

    listing = "\n".join(
        ["test/b/", line("test/b/0.png"),
         "train/a/", line("train/a/0.PNG"), line("train/a/1.jpg"),
         "train/b/", line("train/b/x.png")]
    )  # fmt: skip
    record = source_files_record("own", {"source": "image_folder", "path": str(root)})
    assert record == {"images": 4, "listing_sha256": hashlib.sha256(listing.encode()).hexdigest()}


def test_custom_split_folders_are_the_ones_listed(tmp_path):
    root = tmp_path / "own"
    for name in ("training/a/0.png", "training/b/0.png", "testing/a/0.png", "train/a/9.png"):
        _image(root / name, b"x")
    spec = {"source": "image_folder", "path": str(root)}
    custom = {**spec, "splits": {"train": "training", "test": "testing"}}
    assert source_files_record("own", custom)["images"] == 3
    assert source_files_record("own", spec)["images"] == 1


def test_a_missing_idx_file_is_recorded_as_missing(tmp_path):
    root = tmp_path / "idx"
    root.mkdir()
    present = {
        "train-images-idx3-ubyte.gz": gzip.compress(b"images", mtime=0),
        "train-labels-idx1-ubyte": b"labels",
        "t10k-images-idx3-ubyte.gz": gzip.compress(b"test images", mtime=0),
    }
    for name, content in present.items():
        (root / name).write_bytes(content)
    record = source_files_record("own", {"source": "idx_directory", "path": str(root)})
    assert record == {
        "idx_sha256": {
            **{name: hashlib.sha256(content).hexdigest() for name, content in present.items()},
            "t10k-labels-idx1-ubyte": None,
        }
    }


@pytest.mark.parametrize("path", [DEBIAN_FASHION_MNIST, DEBIAN_FASHION_MNIST + "/"])
def test_the_debian_package_is_advised_for_its_own_path(path):
    assert idx_directory_hint(path) == (
        f"on Debian/Ubuntu run 'apt-get install dataset-fashion-mnist' (files land in {path}), "
        "or set 'path' to your own copy"
    )


def test_no_package_is_advised_elsewhere_and_garments_default_to_the_package(tmp_path):
    assert idx_directory_hint(str(tmp_path)) is None
    assert idx_source_path({"source": "garments_on_photos"}) == DEBIAN_FASHION_MNIST
    missing = tmp_path / "gone"
    with pytest.raises(DataError) as caught:
        source_files_record("own", {"source": "idx_directory", "path": str(missing)})
    assert str(caught.value) == (
        f"datasets.own.path: {missing} does not exist: point 'path' at a directory holding "
        "train-images-idx3-ubyte(.gz) and its three siblings"
    )


def test_a_missing_image_folder_says_what_it_should_hold(tmp_path):
    missing = tmp_path / "gone"
    with pytest.raises(DataError) as caught:
        source_files_record("own", {"source": "image_folder", "path": str(missing)})
    assert str(caught.value) == (
        f"datasets.own.path: {missing} does not exist: set 'path' to a directory with "
        "train/<class>/*.png and test/<class>/*.png"
    )
