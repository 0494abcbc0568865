"""Bad inputs met in real Snakemake runs: each stops with an error naming the file or the
config key and the fix, before anything is written. Issue 26."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

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
