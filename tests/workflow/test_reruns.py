"""The rerun contract in both directions, in real Snakemake runs: changed inputs rerun what
they feed, unchanged ones (however they are written) rerun nothing. Issue 26."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image
from support import REPO, TINY, idx_directory

DATASET = "results/datasets/own/meta.json"


def snakemake(workdir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
        "--directory", str(workdir), "--cores", "1", *args,
    ]  # fmt: skip
    result = subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{result.stdout[-3000:]}{result.stderr}")
    return result


def _plans(workdir: Path, config: Path, target: str) -> str:
    """The dry run's text: which jobs would run for `target` (space-separated), and why."""
    result = snakemake(workdir, "-n", *target.split(), "--configfile", str(config))
    return result.stdout + result.stderr


def _config_with(tmp_path: Path, dataset: dict) -> Path:
    config = yaml.safe_load(TINY.read_text())
    config["datasets"] = {"own": dataset}
    config["subspace"]["datasets"] = ["own"]
    config["autoencoders"]["datasets"] = ["own"]
    path = tmp_path / "own.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _png(path: Path, seed: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pixels = np.random.default_rng(seed).integers(0, 256, (10, 10), dtype=np.uint8)
    Image.fromarray(pixels).save(path)


@pytest.mark.slow
def test_image_folder_changes_rerun_the_dataset(tmp_path):
    folder = tmp_path / "folder"
    paths = [folder / s / c / f"{i}.png" for s in ("train", "test") for c in "ab" for i in range(3)]
    for seed, path in enumerate(paths):
        _png(path, seed)
    config = _config_with(
        tmp_path, {"source": "image_folder", "path": str(folder), "shape": [8, 8, 1]}
    )
    _record_as_done(tmp_path, config, [DATASET])  # the params a run records, no run
    assert "Nothing to be done" in _plans(tmp_path, config, DATASET)

    _png(folder / "train" / "a" / "added.png", 99)  # one image more (tests/data: each change)
    plan = _plans(tmp_path, config, DATASET)
    assert "rule dataset:" in plan and "Params have changed" in plan


@pytest.mark.slow
def test_replaced_idx_files_rerun_the_dataset(tmp_path):
    idx = tmp_path / "idx"
    idx_directory(idx, [0, 1] * 6, side=4)
    config = _config_with(tmp_path, {"source": "idx_directory", "path": str(idx)})
    _record_as_done(tmp_path, config, [DATASET])
    labels = idx / "train-labels-idx1-ubyte.gz"
    stat = labels.stat()
    idx_directory(
        idx, [1, 0] * 6, side=4
    )  # other labels: the same sizes, and the old mtimes put back
    for path in idx.iterdir():
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert labels.stat().st_size == stat.st_size
    plan = _plans(tmp_path, config, DATASET)
    assert "rule dataset:" in plan and "Params have changed" in plan


def test_missing_local_path_stops_the_plan_with_the_key(tmp_path):
    config = _config_with(
        tmp_path,
        {"source": "image_folder", "path": str(tmp_path / "gone"), "shape": [8, 8, 1]},
    )
    result = snakemake(tmp_path, "-n", DATASET, "--configfile", str(config), check=False)
    assert result.returncode != 0
    assert f"datasets.own.path: {tmp_path / 'gone'} does not exist" in result.stdout + result.stderr


# Outputs recorded as done without running the jobs: empty files, then `--touch` of every
# job, which records each job's params as a run would. Only the params are compared.
TRAINING_TARGETS = [
    "results/subspace/digits/top-0.5-aug-s0/summary.json",
    "results/guidance/summary.parquet",  # every guidance run (and dynamics run) of the grid
]


def _record_as_done(workdir: Path, config: Path, targets: list[str]) -> None:
    plan = snakemake(workdir, "-n", *targets, "--configfile", str(config)).stdout
    for line in plan.splitlines():
        if line.startswith("    output: "):
            for name in line.removeprefix("    output: ").split(", "):
                (workdir / name).parent.mkdir(parents=True, exist_ok=True)
                (workdir / name).touch()
    snakemake(workdir, "--touch", "--forceall", *targets, "--configfile", str(config))


def _tiny_variant(tmp_path: Path, name: str, change) -> Path:
    config = yaml.safe_load(TINY.read_text())
    change(config)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def _written_out_defaults_and_display(config: dict) -> None:
    config["acceleration"] = {
        "precision": "auto", "compile": "auto", "channels_last": "auto", "fused_optimizer": "auto",
    }  # fmt: skip
    config["autoencoders"]["guidance"]["show"] = 8  # display only
    config["spectrum"]["chunk_size"] = 7  # memory only
    config["subspace"]["save_weights"] = False  # which files, not which numbers


def _cpu_defaults_explicit(config: dict) -> None:  # what `auto` gives on the CPU
    config["acceleration"] = {
        "precision": "fp32", "compile": False, "channels_last": True, "fused_optimizer": False,
    }  # fmt: skip


@pytest.mark.slow
def test_settings_that_change_no_number_rerun_nothing(tmp_path):
    base = _tiny_variant(tmp_path, "base", lambda config: None)  # device: cpu, no block
    _record_as_done(tmp_path, base, TRAINING_TARGETS)
    targets = " ".join(TRAINING_TARGETS)
    for change in (_written_out_defaults_and_display, _cpu_defaults_explicit):
        config = _tiny_variant(tmp_path, change.__name__, change)
        assert "Nothing to be done" in _plans(tmp_path, config, targets), change.__name__
    # ... while a switch that changes what runs reruns the training jobs.
    config = _tiny_variant(
        tmp_path, "compiled", lambda config: config.update(acceleration={"compile": True})
    )
    plan = _plans(tmp_path, config, targets)
    assert "rule subspace_train:" in plan and "rule guidance:" in plan
    assert "Params have changed" in plan  # so the params were recorded and compared above


def _clone(tmp_path: Path) -> Path:
    """A copy of the workflow as a fresh clone would be: its own Snakefile and scripts."""
    clone = tmp_path / "clone"
    clone.mkdir()
    shutil.copy2(REPO / "Snakefile", clone / "Snakefile")
    shutil.copytree(REPO / "envs", clone / "envs")
    shutil.copytree(
        REPO / "workflow",
        clone / "workflow",
        ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"),
    )
    return clone


@pytest.mark.slow
def test_a_fresh_checkout_reruns_nothing_with_the_readmes_triggers(tmp_path):
    clone = _clone(tmp_path)
    run = lambda *args: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "snakemake", "--cores", "1", *args, "--configfile", str(TINY)],
        cwd=clone, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    target = "results/datasets/digits/meta.json"
    assert run("-n", target).returncode == 0
    for name in (
        "train_images.npy",
        "train_labels.npy",
        "test_images.npy",
        "test_labels.npy",
        "meta.json",
    ):
        (clone / "results/datasets/digits" / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / "results/datasets/digits" / name).touch()
    assert run("--touch", "--forceall", target).returncode == 0
    later = time.time() + 60  # what a checkout does to the scripts' modification times
    for script in (clone / "workflow" / "scripts").iterdir():
        os.utime(script, (later, later))

    plain = run("-n", target)
    assert "Code has changed since last execution" in plain.stdout + plain.stderr
    readme = (REPO / "README.md").read_text()
    command = "--rerun-triggers mtime params input software-env"
    assert command in readme
    fixed = run("-n", target, *command.split())
    assert "Nothing to be done" in fixed.stdout + fixed.stderr
    # ... and without params the workflow refuses, instead of ignoring config changes.
    refused = run("-n", target, "--rerun-triggers", "mtime")
    assert refused.returncode != 0
    message = refused.stdout + refused.stderr
    assert "leaves out 'params'" in message and command in message
