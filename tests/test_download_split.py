"""Acquisition in two steps: `download` (a local rule, with internet) fetches and verifies
the raw files; `dataset` (a cluster job) decodes them and never touches the network."""

import json
import os
import subprocess
import sys
import urllib.request

import fake_archives as fake
import pytest
import yaml
from lbr.data import catalog
from lbr.data.format import read_dataset
from lbr.data.registry import acquire
from lbr.data.remote import REMOTE_SOURCES
from lbr.errors import ChecksumError, DataError
from support import REPO, TINY, WORKFLOW

OVERRIDE_HOOK = WORKFLOW / "remote_override"


def test_catalog_names_every_downloadable_source_with_its_split_sizes():
    assert set(catalog.REMOTE_SOURCE_NAMES) == set(REMOTE_SOURCES)
    for name, source in REMOTE_SOURCES.items():
        assert source.split_sizes == catalog.REMOTE_CATALOG[name][1], name
        assert source.name == name
        # a fixed native shape exactly where the config need not set one
        assert (catalog.native_shape(name) is None) == source.needs_shape, name


@pytest.mark.parametrize(
    "builder, name",
    [
        (lambda s: fake.mnist_like("fashion_mnist", s), "fashion_mnist"),
        (fake.cifar10, "cifar10"),
        (fake.svhn, "svhn"),
        (fake.stl10, "stl10"),
        (fake.tinyimagenet, "tinyimagenet"),
    ],
)
def test_native_shapes_are_what_the_readers_decode(http_server, tmp_path, builder, name):
    served, url = http_server
    source = builder(served)
    source.download(tmp_path, url)
    dataset = source.decode(tmp_path, None)
    assert dataset.train_images.shape[1:] == catalog.native_shape(name)
    assert dataset.test_images.shape[1:] == catalog.native_shape(name)


def test_training_images_from_the_config_match_the_built_datasets(tmp_path):
    datasets = yaml.safe_load(TINY.read_text())["datasets"]
    for name, spec in datasets.items():  # the composite reads its base, listed first
        base = tmp_path / spec["base"] if spec["source"] == "composite" else None
        meta = acquire(name, spec, tmp_path / name, tmp_path / "downloads", base)
        assert catalog.training_images(name, datasets) == meta["split_sizes"]["train"], name
    assert catalog.training_images("x", {"x": {"source": "image_folder"}}) is None
    subset = {"source": "cifar10", "subset": {"train": 500, "test": 100}}
    assert catalog.training_images("x", {"x": subset}) == 500


def _offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("building a dataset must not use the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_building_a_downloaded_dataset_needs_no_network(http_server, tmp_path, monkeypatch):
    served, url = http_server
    monkeypatch.setitem(REMOTE_SOURCES, "fashion_mnist", fake.mnist_like("fashion_mnist", served))
    downloads = tmp_path / "downloads"
    REMOTE_SOURCES["fashion_mnist"].download(downloads, url)
    _offline(monkeypatch)
    meta = acquire("fm", {"source": "fashion_mnist"}, tmp_path / "fm", downloads)
    assert meta["split_sizes"] == {"train": 12, "test": 6}
    # the official address is recorded, not the mirror the bytes came from
    official = [f.url for f in REMOTE_SOURCES["fashion_mnist"].files]
    assert [d["url"] for d in meta["downloads"]] == official and url not in str(official)
    assert read_dataset(tmp_path / "fm").train_images.shape == (12, 28, 28, 1)


def test_missing_raw_files_name_the_files_the_directory_and_the_fix(
    http_server, tmp_path, monkeypatch
):
    served, _ = http_server
    monkeypatch.setitem(REMOTE_SOURCES, "fashion_mnist", fake.mnist_like("fashion_mnist", served))
    _offline(monkeypatch)
    downloads = tmp_path / "downloads"
    with pytest.raises(DataError) as caught:
        acquire("fm", {"source": "fashion_mnist"}, tmp_path / "fm", downloads)
    message = str(caught.value)
    assert "train-images-idx3-ubyte.gz" in message and str(downloads) in message
    assert "snakemake --cores 1 downloads" in message
    assert not (tmp_path / "fm").exists()


def test_a_damaged_raw_file_is_refused_and_moved_aside(http_server, tmp_path, monkeypatch):
    served, url = http_server
    monkeypatch.setitem(REMOTE_SOURCES, "fashion_mnist", fake.mnist_like("fashion_mnist", served))
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


def fake_remote_environment(served, sources):
    """Environment for a Snakemake run whose downloadable `sources` are the fake files
    in `served` (tests/workflow/remote_override/sitecustomize.py applies it in every process)."""
    overrides = {
        name: {"md5": {f.filename: f.md5 for f in s.files}, "split_sizes": s.split_sizes}
        for name, s in sources.items()
    }
    path = os.pathsep.join([str(OVERRIDE_HOOK), str(REPO / "workflow")])
    return dict(os.environ, LBR_TEST_REMOTES=json.dumps(overrides), PYTHONPATH=path)


def fashion_config(tmp_path, mirror):
    config = yaml.safe_load(TINY.read_text())
    config["datasets"]["fm"] = {"source": "fashion_mnist"}
    config["download_mirror"] = mirror
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _snakemake(env, workdir, *args):
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args]
    command += ["--directory", str(workdir)]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_prefetch_on_a_login_node_then_build_offline(http_server, tmp_path):
    served, url = http_server
    env = fake_remote_environment(
        served, {"fashion_mnist": fake.mnist_like("fashion_mnist", served)}
    )
    workdir = tmp_path / "run"
    # 1. with internet: the `downloads` target fetches the raw files and nothing else
    first = _snakemake(
        env, workdir, "downloads", "--cores", "1", "--configfile", fashion_config(tmp_path, url)
    )
    assert first.returncode == 0, first.stderr[-3000:]
    assert (workdir / "results/downloads/fashion_mnist/verified.json").exists()
    assert not (workdir / "results/datasets").exists()
    # 2. no internet any more (server empty, mirror unreachable): the build still works
    for path in list(served.iterdir()):
        path.unlink()
    offline = fashion_config(tmp_path, "http://127.0.0.1:9")
    target = "results/datasets/fm/meta.json"
    second = _snakemake(env, workdir, target, "--cores", "1", "--configfile", offline)
    assert second.returncode == 0, second.stderr[-3000:]
    assert read_dataset(workdir / "results/datasets/fm").train_images.shape == (12, 28, 28, 1)
    # 3. another mirror serves the same bytes: nothing to fetch or rebuild
    third = _snakemake(
        env, workdir, target, "-n", "--cores", "1", "--configfile", fashion_config(tmp_path, url)
    )
    assert third.returncode == 0, third.stderr[-3000:]
    assert "Nothing to be done" in third.stdout + third.stderr
