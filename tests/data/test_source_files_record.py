"""The record of the user's files a local source reads (lbr.data.source_files): it changes
exactly when what the loader would read changes, and it is what meta.json keeps."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numpy as np
import pytest
from lbr.atomic import load_json
from lbr.data.registry import acquire
from lbr.data.source_files import source_files_record
from lbr.errors import DataError
from PIL import Image
from support import idx_directory


def _png(path: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(rng.integers(0, 256, (6, 6), dtype=np.uint8)).save(path)


def _folder(root: Path) -> Path:
    paths = [root / s / c / f"{i}.png" for s in ("train", "test") for c in "ab" for i in range(2)]
    for seed, path in enumerate(paths):
        _png(path, seed)
    return root


def _record(root: Path) -> dict:
    return source_files_record("own", {"source": "image_folder", "path": str(root)})


def test_folder_record_counts_the_images_the_loader_reads(tmp_path):
    root = _folder(tmp_path / "f")
    (root / "train" / "a" / "notes.txt").write_text("not an image")
    (root / "train" / "a" / "UPPER.PNG").write_bytes((root / "train" / "a" / "0.png").read_bytes())
    assert _record(root)["images"] == 9  # 2 splits x 2 classes x 2, plus UPPER.PNG


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda root: _png(root / "train" / "a" / "new.png", 7), id="added"),
        pytest.param(lambda root: (root / "test" / "b" / "1.png").unlink(), id="removed"),
        pytest.param(
            lambda root: (root / "train" / "b" / "0.png").rename(root / "train" / "a" / "9.png"),
            id="moved-to-another-class",
        ),
        pytest.param(lambda root: _png(root / "train" / "c" / "0.png", 3), id="class-added"),
    ],
)
def test_folder_record_changes_with_the_images(tmp_path, change):
    root = _folder(tmp_path / "f")
    before = _record(root)
    change(root)
    assert _record(root) != before


def test_folder_record_sees_an_image_replaced_at_the_same_size(tmp_path):
    root = _folder(tmp_path / "f")
    image = root / "train" / "a" / "0.png"
    before = _record(root)
    stat = image.stat()
    data = bytearray(image.read_bytes())
    data[-20] ^= 0xFF  # same size, other bytes: written now, so a later mtime
    image.write_bytes(bytes(data))
    os.utime(image, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert image.stat().st_size == stat.st_size
    assert _record(root) != before


def test_folder_record_is_stable_and_ignores_other_files(tmp_path):
    root = _folder(tmp_path / "f")
    before = _record(root)
    (root / "train" / "a" / "README.txt").write_text("notes")
    (root / "LICENSE").write_text("mine")
    assert _record(root) == before == _record(root)


def test_idx_record_is_the_sha256_of_each_file(tmp_path):
    root = idx_directory(tmp_path / "idx", [0, 1, 0, 1])
    record = source_files_record("own", {"source": "idx_directory", "path": str(root)})
    assert record == {
        "idx_sha256": {
            path.name: hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.iterdir())
        }
    }


def test_idx_record_sees_a_replaced_file_with_the_same_size_and_mtime(tmp_path):
    root = idx_directory(tmp_path / "idx", [0, 1, 0, 1])
    spec = {"source": "idx_directory", "path": str(root)}
    before = source_files_record("own", spec)
    labels = root / "train-labels-idx1-ubyte.gz"
    stat = labels.stat()
    other = idx_directory(tmp_path / "other", [1, 0, 1, 0]) / labels.name
    labels.write_bytes(other.read_bytes())
    os.utime(labels, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert labels.stat().st_size == stat.st_size and labels.stat().st_mtime_ns == stat.st_mtime_ns
    assert source_files_record("own", spec) != before


def test_garments_read_their_idx_path(tmp_path):
    root = idx_directory(tmp_path / "idx", [0, 1])
    spec = {"source": "garments_on_photos", "path": str(root), "photos": ["brick"]}
    assert source_files_record("g", spec) == source_files_record(
        "g", {"source": "idx_directory", "path": str(root)}
    )


@pytest.mark.parametrize("source", ["digits", "mnist", "photo_patches", "composite"])
def test_sources_reading_no_user_files_have_no_record(source):
    assert source_files_record("x", {"source": source, "base": "y", "photos": ["brick"]}) is None


@pytest.mark.parametrize(
    ("source", "fix"),
    [("image_folder", "train/<class>/*.png"), ("idx_directory", "train-images-idx3-ubyte")],
)
def test_missing_path_names_the_key_and_the_fix(tmp_path, source, fix):
    with pytest.raises(DataError) as caught:
        source_files_record("own", {"source": source, "path": str(tmp_path / "gone")})
    message = str(caught.value)
    assert f"datasets.own.path: {tmp_path / 'gone'} does not exist" in message and fix in message


def test_meta_json_keeps_the_record_taken_when_the_files_were_read(tmp_path):
    root = _folder(tmp_path / "f")
    spec = {"source": "image_folder", "path": str(root), "shape": [4, 4, 1]}
    planned = {**spec, "source_files": {"images": 0, "listing_sha256": "from the plan"}}
    acquire("own", planned, tmp_path / "out", tmp_path)
    meta = load_json(tmp_path / "out" / "meta.json")
    assert meta["source_files"] == _record(root)
    assert meta["config"] == spec  # the plan's record is not part of the config
