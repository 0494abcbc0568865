"""Bad inputs met in real Snakemake runs: each stops with an error naming the file or the
config key and the fix, before anything is written. Issue 26."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from support import REPO, TINY


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile"),
        "--directory", str(workdir), "--cores", "1", *args,
    ]  # fmt: skip
    return subprocess.run(command, cwd=workdir, capture_output=True, text=True, timeout=900)


def test_a_dataset_written_twice_stops_the_plan(tmp_path):
    text = TINY.read_text()
    assert text.count("\n  digits:\n") == 1
    # The same dataset once more at the end of the datasets block: YAML keeps this one.
    twice = text.replace(
        "\npreprocessings:", "\n  digits:\n    source: digits\n    seed: 5\npreprocessings:", 1
    )
    config = tmp_path / "twice.yaml"
    config.write_text(twice)
    result = snakemake(tmp_path, "-n", "--configfile", str(config))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert "'datasets.digits' is written twice" in output and str(config) in output
    assert not (tmp_path / "results").exists()


def _cluster_page_errors() -> str:
    """The section of docs/cluster.md that quotes Snakemake's and the plugin's errors."""
    text = (REPO / "docs" / "cluster.md").read_text()
    section = text.split("\n## Errors from Snakemake and the SLURM plugin\n")[1]
    return section.split("\n## ")[0]


def test_cluster_page_quotes_what_snakemake_prints_without_the_slurm_plugin(tmp_path):
    # The same interpreter and packages, less the SLURM executor plugins.
    site = Path(__import__("snakemake").__file__).parents[1]
    view = tmp_path / "site"
    view.mkdir()
    for entry in site.iterdir():
        if not entry.name.startswith("snakemake_executor_plugin_slurm"):
            (view / entry.name).symlink_to(entry)
    result = subprocess.run(
        [sys.executable, "-S", "-m", "snakemake", "--executor", "slurm", "-n"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(view), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    quoted = (
        "argument --executor/-e: invalid choice: 'slurm' (choose from 'local', 'dryrun', 'touch')"
    )
    assert quoted in result.stderr, result.stderr[-1500:]
    rows = _cluster_page_errors()
    assert f"`{quoted}`" in rows and "pip install -e '.[cluster]'" in rows


def test_cluster_page_lists_the_slurm_status_errors():
    rows = _cluster_page_errors()
    assert "Neither 'sacct' nor 'squeue' commands are available" in rows
    assert (
        "Slurm accounting storage is disabled" in rows and "--slurm-status-command squeue" in rows
    )


@pytest.mark.slow
def test_the_integrity_fix_command_redoes_the_users_run(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    del config["datasets"]["digits_photo"]  # config.yaml has it: tells the two runs apart
    config["subspace"]["datasets"] = ["digits"]
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump(config))
    built = snakemake(tmp_path, "results/datasets/digits/meta.json", "--configfile", str(mine))
    assert built.returncode == 0, built.stderr[-2000:]
    images = tmp_path / "results/datasets/digits/train_images.npy"
    data = bytearray(images.read_bytes())
    data[-3:] = bytes(255 - b for b in data[-3:])  # same size, other pixels
    images.write_bytes(bytes(data))

    spectrum = "results/spectrum/digits/standardized/summary.json"
    failed = snakemake(tmp_path, spectrum, "--configfile", str(mine))
    assert failed.returncode != 0
    printed = re.search(r"recreate them with '([^']+)'", failed.stdout + failed.stderr)
    assert printed, (failed.stdout + failed.stderr)[-3000:]
    command = shlex.split(printed[1])
    assert command[:3] == ["snakemake", "--cores", "all"] and str(mine) in command
    assert command[-2:] == ["--forcerun", "results/datasets/digits/meta.json"]

    # Pasted as printed (here as a dry run) beside the default config.yaml of a checkout:
    # it plans the user's run, the corrupt dataset redone, and not config.yaml's datasets.
    (tmp_path / "config.yaml").write_text((REPO / "config.yaml").read_text())
    pasted = subprocess.run(
        [sys.executable, "-m", *command, "-n"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=900,
    )
    plan = pasted.stdout + pasted.stderr
    assert pasted.returncode == 0, plan[-2000:]
    assert "results/datasets/digits/meta.json" in plan and "digits_photo" not in plan


@pytest.mark.slow
def test_a_hand_edited_table_stops_the_job_that_reads_it(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    del config["datasets"]["digits_photo"]
    config["subspace"]["datasets"] = ["digits"]
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump(config))
    figure = "results/figures/fig2_alignment.png"
    _record_as_done(tmp_path, mine, figure)  # dataset, spectrum, alignment, figure
    table = tmp_path / "results/alignment/digits.parquet"
    # The table as someone wrote it by hand, with pandas (an alignment table's columns).
    frame = pd.DataFrame({"K": [1, 2], "alignment_appendix": [0.5, 1.0]})
    frame.to_parquet(table, index=False)

    rerun = snakemake(tmp_path, figure, "--configfile", str(mine))  # the table is newer
    output = rerun.stdout + rerun.stderr
    assert rerun.returncode != 0
    assert "results/alignment/digits.parquet carries no record of its content" in output
    assert f"--configfile {mine} --forcerun results/alignment/digits.parquet" in output


def _record_as_done(workdir: Path, config: Path, *targets: str) -> None:
    """Every job of `targets` recorded as run, without running it: empty outputs, then
    `--touch` of every job (which records each job's params as a run would)."""
    plan = snakemake(workdir, "-n", *targets, "--configfile", str(config)).stdout
    for line in plan.splitlines():
        if line.startswith("    output: "):
            for name in line.removeprefix("    output: ").split(", "):
                (workdir / name).parent.mkdir(parents=True, exist_ok=True)
                (workdir / name).touch()
    touched = snakemake(workdir, "--touch", "--forceall", *targets, "--configfile", str(config))
    assert touched.returncode == 0, touched.stderr[-2000:]


@pytest.mark.slow
def test_an_output_deleted_after_the_run_stops_the_archive(tmp_path):
    config = yaml.safe_load(TINY.read_text())
    del config["datasets"]["digits_photo"]
    config["subspace"]["datasets"] = ["digits"]
    mine = tmp_path / "mine.yaml"
    mine.write_text(yaml.safe_dump(config))
    _record_as_done(tmp_path, mine)  # the whole run (`all`), as empty files
    (tmp_path / "results/alignment/digits.parquet").unlink()  # an intermediate, by hand

    archive = "results/archive/run.tar.gz"
    result = snakemake(tmp_path, archive, "--configfile", str(mine))
    output = result.stdout + result.stderr
    assert result.returncode != 0, output[-2000:]
    assert not (tmp_path / archive).exists()
    assert "the run is incomplete: 1 output(s) of the current config are missing" in output
    printed = re.search(r"Recreate them with '([^']+)'", output)
    assert printed, output[-3000:]
    command = shlex.split(printed[1])
    assert command[:2] == ["snakemake", "results/alignment/digits.parquet"]
    assert str(mine) in command
