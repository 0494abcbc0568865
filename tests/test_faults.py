"""Faults a hostile but realistic user runs into: each either gives the right result or an
error naming the file or config key and the fix. One test (or more) per fault of issue 11."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest
import yaml
from lbr.atomic import save_npy
from lbr.config import check_config
from lbr.data.format import read_dataset, write_dataset
from lbr.errors import ConfigError, DataError
from support import REPO, TINY, small_image_dataset


def snakemake(*args, check=True):
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"), *args]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr}")
    return result


@pytest.fixture
def tiny():
    return yaml.safe_load(TINY.read_text())


def _write(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config))
    return path


def _error(config) -> str:
    with pytest.raises(ConfigError) as caught:
        check_config(config)
    return str(caught.value)


# 1. --configfile replaces config.yaml --------------------------------------------------


def test_configfile_replaces_config_yaml_instead_of_merging(tmp_path, tiny):
    del tiny["datasets"]["digits_photo"]
    tiny["subspace"]["datasets"] = ["digits"]
    del tiny["denoising"]["noises"]["gaussian"]
    path = _write(tmp_path / "mine.yaml", tiny)
    # Run where config.yaml is (as from a checkout): Snakemake reads it relative to the workdir.
    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text())
    plan = snakemake("-n", "--cores", "1", "--configfile", str(path), "--directory", str(tmp_path))
    text = plan.stdout + plan.stderr
    assert "results/datasets/digits/meta.json" in text
    # config.yaml's digits_photo and Gaussian settings are not merged back in.
    assert "digits_photo" not in text and "/gaussian_s" not in text


def test_without_configfile_config_yaml_is_used(tmp_path):
    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text())
    plan = snakemake("-n", "--cores", "1", "--directory", str(tmp_path))
    assert "results/datasets/digits_photo/meta.json" in plan.stdout + plan.stderr


# 2. values that would make paths no rule matches; integers are integers ----------------


@pytest.mark.parametrize(
    ("change", "key"),
    [
        (lambda c: c["subspace"].update(fractions=[1e-7]), "subspace.fractions"),
        (lambda c: c["subspace"]["headline"].update(top=0.1234567), "subspace.headline.top"),
        (
            lambda c: c["autoencoders"]["guidance"].update(weights=[0.0, 1e-5]),
            "autoencoders.guidance.weights",
        ),
        (lambda c: c["denoising"]["noises"]["masking"].update(ratios=[1e-7]), "denoising.noises"),
        (lambda c: c["subspace"].update(seeds=[1.0]), "subspace.seeds.0"),
        (lambda c: c["subspace"]["training"].update(epochs=2.0), "subspace.training.epochs"),
    ],
)
def test_values_that_make_unmatched_paths_are_refused(tiny, change, key):
    change(tiny)
    message = _error(tiny)
    assert key in message, message


def test_integer_written_as_float_says_how_to_write_it(tiny):
    tiny["subspace"]["seeds"] = [1.0]
    assert "write 1" in _error(tiny)


# 3. dataset and spectrum files verified before use --------------------------------------


def test_altered_dataset_file_is_refused_with_the_fix(tmp_path):
    write_dataset(tmp_path, small_image_dataset(), {"name": "x"})
    images = tmp_path / "train_images.npy"
    data = bytearray(images.read_bytes())
    data[-5:] = b"\xff\x00\xff\x00\xff"  # same size, different pixels
    images.write_bytes(bytes(data))
    with pytest.raises(DataError) as caught:
        read_dataset(tmp_path)
    message = str(caught.value)
    assert "train_images.npy" in message and "sha256" in message
    assert f"--forcerun {tmp_path}/meta.json" in message


def test_truncated_dataset_file_names_the_file_not_mmap(tmp_path):
    write_dataset(tmp_path, small_image_dataset(), {"name": "x"})
    images = tmp_path / "test_images.npy"
    images.write_bytes(images.read_bytes()[:-40])
    with pytest.raises(DataError) as caught:
        read_dataset(tmp_path)
    message = str(caught.value)
    assert "test_images.npy" in message and "truncated" in message and "mmap" not in message


def test_truncated_spectrum_file_is_refused_with_the_fix(tmp_path):
    from lbr.spectral.cache import compute_spectrum, read_spectrum, write_spectrum
    from lbr.spectral.statistics import Preprocessing

    write_dataset(tmp_path / "data", small_image_dataset(), {"name": "x"})
    prep = Preprocessing(per_image_std=False, center=True, global_std=True, jitter=0.001)
    spectrum = compute_spectrum(tmp_path / "data", prep, chunk_size=8, rtol=1e-10, device="cpu")
    write_spectrum(tmp_path / "spectrum", spectrum)
    read_spectrum(tmp_path / "spectrum")  # intact: accepted
    vectors = tmp_path / "spectrum" / "eigenvectors.npy"
    vectors.write_bytes(vectors.read_bytes()[:-100])
    with pytest.raises(DataError) as caught:
        read_spectrum(tmp_path / "spectrum")
    message = str(caught.value)
    assert "eigenvectors.npy" in message and "summary.json" in message


def test_each_file_is_hashed_once_per_process(tmp_path, monkeypatch):
    from lbr import integrity

    write_dataset(tmp_path, small_image_dataset(), {"name": "x"})
    hashed = []
    original = integrity.sha256
    monkeypatch.setattr(integrity, "sha256", lambda path: hashed.append(path) or original(path))
    read_dataset(tmp_path)
    read_dataset(tmp_path, mmap=False)
    assert len(hashed) == 4  # the four arrays, once each


# 4. image_folder layouts --------------------------------------------------------------


def _folder(root: Path, layout: dict[str, dict[str, int]]) -> Path:
    from PIL import Image

    for split, classes in layout.items():
        for name, count in classes.items():
            (root / split / name).mkdir(parents=True)
            for i in range(count):
                Image.new("RGB", (6, 6), (i * 40, 0, 0)).save(root / split / name / f"{i}.png")
    return root


def test_image_folder_refuses_an_empty_class_folder(tmp_path):
    from lbr.data.local import load_image_folder

    root = _folder(tmp_path, {"train": {"cat": 2, "dog": 0}, "test": {"cat": 1, "dog": 1}})
    with pytest.raises(DataError, match=str(root / "train" / "dog")):
        load_image_folder(root, None, {"train": "train", "test": "test"})


def test_image_folder_refuses_different_class_sets(tmp_path):
    from lbr.data.local import load_image_folder

    root = _folder(
        tmp_path,
        {"train": {"cat": 1, "dog": 1, "fox": 1}, "test": {"cat": 1, "dog": 1, "wolf": 1}},
    )
    with pytest.raises(DataError) as caught:
        load_image_folder(root, None, {"train": "train", "test": "test"})
    message = str(caught.value)
    assert "['fox']" in message and "['wolf']" in message


# 5. file modes ------------------------------------------------------------------------


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_outputs_respect_the_umask(tmp_path, umask, mode):
    previous = os.umask(umask)
    try:
        save_npy(tmp_path / "a.npy", np.zeros(3))
    finally:
        os.umask(previous)
    assert (tmp_path / "a.npy").stat().st_mode & 0o777 == mode


# 6. stale files -------------------------------------------------------------------------


def test_weights_are_a_declared_output_only_when_saved(tmp_path, tiny):
    target = "results/subspace/digits/top-0.5-aug-s0/summary.json"
    for save, declared in ((True, True), (False, False)):
        tiny["subspace"]["save_weights"] = save
        path = _write(tmp_path / "c.yaml", tiny)
        plan = snakemake(
            "-n", "--cores", "1", "--configfile", str(path), "--directory", str(tmp_path), target
        )
        assert ("top-0.5-aug-s0/weights.pt" in plan.stdout) == declared


def test_archive_lists_only_the_current_configs_files(tmp_path, tiny):
    from lbr.archive import run_files

    path = _write(tmp_path / "c.yaml", tiny)
    target = "results/datasets/digits/meta.json"
    snakemake("--cores", "1", "--configfile", str(path), "--directory", str(tmp_path), target)
    stray = tmp_path / "results" / "datasets" / "mnist" / "meta.json"  # another config's
    stray.parent.mkdir(parents=True)
    stray.write_text("{}")
    files = run_files(sys.executable, REPO / "Snakefile", tiny, tmp_path)
    assert {
        "results/datasets/digits/meta.json",
        "results/datasets/digits/train_images.npy",
        "results/logs/dataset/digits.log",
        "results/benchmarks/dataset/digits.tsv",
    } <= set(files)
    assert not [f for f in files if "mnist" in f]


# 7. device checked when the config is read ------------------------------------------------


def _has_gpu() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.skipif(_has_gpu(), reason="checks the refusal on a machine without a GPU")
def test_cuda_without_gpu_stops_before_any_job_and_auto_reruns_nothing(tmp_path, tiny):
    target = "results/spectrum/digits/standardized/summary.json"
    path = _write(tmp_path / "cpu.yaml", tiny)
    snakemake("--cores", "1", "--configfile", str(path), "--directory", str(tmp_path), target)
    spectrum = sorted((tmp_path / "results/spectrum/digits/standardized").iterdir())

    tiny["device"] = "cuda"
    path = _write(tmp_path / "cuda.yaml", tiny)
    result = snakemake(
        "--cores", "1", "--configfile", str(path), "--directory", str(tmp_path), target, check=False
    )
    assert result.returncode != 0 and "no GPU is visible" in result.stderr
    assert sorted((tmp_path / "results/spectrum/digits/standardized").iterdir()) == spectrum

    tiny["device"] = "auto"  # resolves to cpu here: the same params, nothing to redo
    path = _write(tmp_path / "auto.yaml", tiny)
    plan = snakemake(
        "-n", "--cores", "1", "--configfile", str(path), "--directory", str(tmp_path), target
    )
    assert "Nothing to be done" in plan.stdout + plan.stderr


# 8. --report needs pygments --------------------------------------------------------------


def test_report_dependency_is_declared():
    dependencies = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith(("snakemake[reports]", "pygments")) for d in dependencies)


# 9. recovery and empty dataset lists -------------------------------------------------------


@pytest.mark.parametrize("section", ["subspace", "autoencoders"])
def test_empty_dataset_list_is_refused(tiny, section):
    tiny[section]["datasets"] = []
    assert f"{section}.datasets" in _error(tiny)


def test_readme_says_when_unlock_is_not_enough():
    text = (REPO / "README.md").read_text()
    section = text.split("## Data safety")[1].split("\n## ")[0]
    assert "--unlock" in section and "--rerun-incomplete" in section


# 10. messages that name the right thing ---------------------------------------------------


def test_disk_full_names_the_file(tmp_path):
    # A file-size limit makes the write fail the way a full disk does, with no path.
    script = f"""
import resource, signal, sys
import numpy as np
sys.path.insert(0, {str(REPO / "workflow")!r})
from lbr.atomic import save_npy
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
save_npy({str(tmp_path / "big.npy")!r}, np.zeros(1_000_000))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode != 0
    assert f"could not write {tmp_path / 'big.npy'}" in result.stderr
    assert not list(tmp_path.iterdir())  # no half-written file left behind


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_non_finite_jitter_is_refused_with_the_key(tiny, value):
    tiny["preprocessings"]["standardized"]["jitter"] = value
    message = _error(tiny)
    assert "preprocessings.standardized.jitter" in message and "finite" in message


def test_unknown_source_has_no_spurious_unevaluated_line(tiny):
    tiny["datasets"]["digits"]["source"] = "digitz"
    message = _error(tiny)
    assert "datasets.digits.source" in message and "Unevaluated" not in message


def test_test_fraction_that_empties_a_class_names_the_key(tmp_path):
    from lbr.data.registry import acquire

    with pytest.raises(ConfigError) as caught:
        acquire("digits", {"source": "digits", "test_fraction": 0.999}, tmp_path, tmp_path)
    assert "datasets.digits: test_fraction: 0.999" in str(caught.value)


def test_download_failure_with_a_mirror_does_not_advise_setting_one(tmp_path):
    from lbr.data.download import RemoteFile, fetch

    mirror = "http://127.0.0.1:9"  # discard port: nothing listens
    remote = RemoteFile("https://example.org/a.gz", "a.gz", "0" * 32).from_mirror(mirror)
    with pytest.raises(DataError) as caught:
        fetch(remote, tmp_path, timeout_s=5, mirror=mirror)
    message = str(caught.value)
    assert mirror in message and "set 'download_mirror'" not in message


def test_patch_larger_than_the_images_is_refused_at_config_time(tiny):
    tiny["denoising"]["noises"]["masking"]["patch_sizes"] = [10]
    message = _error(tiny)  # digits are 8x8
    assert "'digits'" in message and "masking_p10" in message


def test_verify_of_a_truncated_archive_is_one_line(tmp_path):
    import tarfile

    archive = tmp_path / "run.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        payload = tmp_path / "x.bin"
        payload.write_bytes(os.urandom(200_000))
        bundle.add(payload, arcname="x.bin")
    archive.write_bytes(archive.read_bytes()[:50_000])
    result = subprocess.run(
        [sys.executable, "-m", "lbr.archive", "verify", str(archive)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "workflow")},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert str(archive) in result.stderr
