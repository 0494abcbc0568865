"""Faults a hostile but realistic user runs into, in Snakemake runs and fresh processes:
each either gives the right result or an error naming the file or config key and the
fix. One test (or more) per fault of issue 11; the faults checked in-process are with
their modules' tests (test_config.py, test_integrity.py, test_atomic.py, data/)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from support import REPO, TINY


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
