"""registry.acquire: what a config entry becomes on disk. The subset, the stored shape
and the class checks are applied once, in that order; meta.json records the entry, its
warnings, the user's files and, for a download, the official addresses. A downloaded
source is built from the raw files the `download` step verified, never from the network.

Oracles: the loader, subset and resize called by hand on the same entry."""

import logging
import urllib.request
from dataclasses import replace

import fake_archives as fake
import numpy as np
import pytest
from lbr.data.embedded import load_digits_dataset
from lbr.data.format import read_dataset, subset
from lbr.data.registry import acquire
from lbr.data.remote import REMOTE_SOURCES
from lbr.data.source_files import source_files_record
from lbr.data.transforms import decode_image, resize
from lbr.errors import ChecksumError, DataError
from support import idx_directory

DIGITS = {"source": "digits", "test_fraction": 0.25, "seed": 4}


def test_the_subset_is_drawn_from_the_loaded_dataset(tmp_path):
    spec = {**DIGITS, "subset": {"train": 40, "test": 20, "seed": 2}}
    acquire("d", spec, tmp_path / "d", tmp_path)
    stored = read_dataset(tmp_path / "d")
    expected = subset(load_digits_dataset(0.25, 4), spec["subset"])
    np.testing.assert_array_equal(stored.train_images, expected.train_images)
    np.testing.assert_array_equal(stored.test_labels, expected.test_labels)


def test_both_splits_are_stored_at_the_configured_shape(tmp_path):
    acquire("d", {**DIGITS, "shape": [5, 6, 1]}, tmp_path / "d", tmp_path)
    stored = read_dataset(tmp_path / "d")
    native = load_digits_dataset(0.25, 4)
    np.testing.assert_array_equal(stored.train_images, resize(native.train_images, 5, 6))
    np.testing.assert_array_equal(stored.test_images, resize(native.test_images, 5, 6))


def test_the_record_names_the_entry_and_leaves_the_plans_file_record_out(tmp_path):
    spec = {**DIGITS, "source_files": {"from": "the plan"}}
    meta = acquire("d", spec, tmp_path / "d", tmp_path)
    assert (meta["name"], meta["source"], meta["config"]) == ("d", "digits", DIGITS)
    assert meta["warnings"] == []
    assert "source_files" not in meta and "downloads" not in meta  # no user files, no download


def test_the_users_files_are_recorded_as_read_now(tmp_path):
    labels = [i % 2 for i in range(24)]
    path = idx_directory(tmp_path / "idx", labels)
    spec = {"source": "idx_directory", "path": str(path), "source_files": {"stale": True}}
    meta = acquire("mine", spec, tmp_path / "mine", tmp_path)
    assert meta["source_files"] == source_files_record(
        "mine", {"source": "idx_directory", "path": str(path)}
    )
    assert "source_files" not in meta["config"]


def test_a_class_with_few_training_images_is_warned_about_and_recorded(tmp_path, caplog):
    labels = [0] * 12 + [1] * 3
    path = idx_directory(tmp_path / "idx", labels)
    spec = {"source": "idx_directory", "path": str(path), "class_names": ["big", "small"]}
    with caplog.at_level(logging.WARNING, logger="lbr.data"):
        meta = acquire("mine", spec, tmp_path / "mine", tmp_path)
    expected = (
        "dataset 'mine': class 'small' has 3 training image(s), fewer than 10: its statistics "
        "and the accuracies measured on it rest on too few images"
    )
    assert meta["warnings"] == [expected]
    assert [r.getMessage() for r in caplog.records] == [expected]


# --- downloaded sources: `download` (with internet) fetches and verifies the raw files;
# `dataset` (a cluster job) decodes them and never touches the network ---------------


def _offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("building a dataset must not use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def _served_fashion_mnist(http_server, monkeypatch, **sizes):
    served, url = http_server
    monkeypatch.setitem(
        REMOTE_SOURCES, "fashion_mnist", fake.mnist_like("fashion_mnist", served, **sizes)
    )
    return url


def test_building_a_downloaded_dataset_needs_no_network(http_server, tmp_path, monkeypatch):
    url = _served_fashion_mnist(http_server, monkeypatch)
    downloads = tmp_path / "downloads"
    REMOTE_SOURCES["fashion_mnist"].download(downloads, url)
    _offline(monkeypatch)
    meta = acquire(
        "fm", {"source": "fashion_mnist", "shape": [14, 14, 1]}, tmp_path / "fm", downloads
    )
    assert meta["split_sizes"] == {"train": 12, "test": 6}
    # the official address is recorded, not the mirror the bytes came from
    official = REMOTE_SOURCES["fashion_mnist"].files
    assert meta["downloads"] == [{"url": f.url, "md5": f.md5} for f in official]
    assert url not in str(meta["downloads"])
    assert read_dataset(tmp_path / "fm").train_images.shape == (12, 14, 14, 1)


def test_the_documented_split_sizes_are_checked(http_server, tmp_path, monkeypatch):
    url = _served_fashion_mnist(http_server, monkeypatch, n_train=11)
    # the catalog documents 12 training images; the files hold 11
    documented = replace(REMOTE_SOURCES["fashion_mnist"], split_sizes={"train": 12, "test": 6})
    monkeypatch.setitem(REMOTE_SOURCES, "fashion_mnist", documented)
    downloads = tmp_path / "downloads"
    REMOTE_SOURCES["fashion_mnist"].download(downloads, url)
    with pytest.raises(DataError, match="fashion_mnist") as caught:
        acquire("fm", {"source": "fashion_mnist"}, tmp_path / "fm", downloads)
    assert "the train split has 11 samples, expected 12" in str(caught.value)
    assert not (tmp_path / "fm").exists()


def test_missing_raw_files_name_the_files_the_directory_and_the_fix(
    http_server, tmp_path, monkeypatch
):
    _served_fashion_mnist(http_server, monkeypatch)
    _offline(monkeypatch)
    downloads = tmp_path / "downloads"
    with pytest.raises(DataError) as caught:
        acquire("fm", {"source": "fashion_mnist"}, tmp_path / "fm", downloads)
    message = str(caught.value)
    assert "train-images-idx3-ubyte.gz" in message and str(downloads) in message
    assert "snakemake --cores 1 downloads" in message
    assert not (tmp_path / "fm").exists()


def test_a_damaged_raw_file_is_refused_and_moved_aside(http_server, tmp_path, monkeypatch):
    url = _served_fashion_mnist(http_server, monkeypatch)
    downloads = tmp_path / "downloads"
    REMOTE_SOURCES["fashion_mnist"].download(downloads, url)
    damaged = downloads / "t10k-labels-idx1-ubyte.gz"
    content = bytearray(damaged.read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    _offline(monkeypatch)
    with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte.gz"):
        acquire("fm", {"source": "fashion_mnist"}, tmp_path / "fm", downloads)
    assert not damaged.exists() and damaged.with_name(damaged.name + ".corrupt").exists()
    assert not (tmp_path / "fm").exists()


def test_a_missing_directory_is_named_by_the_datasets_key(tmp_path):
    spec = {"source": "idx_directory", "path": str(tmp_path / "nope")}
    with pytest.raises(DataError) as caught:
        acquire("mine", spec, tmp_path / "mine", tmp_path)
    assert str(caught.value).startswith(f"datasets.mine.path: {tmp_path / 'nope'} does not exist")


def test_image_files_are_decoded_at_the_entrys_shape(http_server, tmp_path, monkeypatch):
    served, url = http_server
    monkeypatch.setitem(REMOTE_SOURCES, "imagenette_160", fake.imagenette(served))
    downloads = tmp_path / "downloads"
    REMOTE_SOURCES["imagenette_160"].download(downloads, url)
    spec = {"source": "imagenette_160", "shape": [12, 10, 3]}
    acquire("nette", spec, tmp_path / "nette", downloads)
    stored = read_dataset(tmp_path / "nette")
    assert stored.train_images.shape == (6, 12, 10, 3)
    assert stored.test_images.shape == (4, 12, 10, 3)
    # each file decoded at the shape (shorter side resized, centre cropped), not decoded
    # natively and squeezed to it afterwards
    first = sorted((downloads / "extracted").glob("imagenette2-160/train/*/*.JPEG"))[0]
    np.testing.assert_array_equal(stored.train_images[0], decode_image(first, [12, 10, 3]))
