"""An archive holds every output of the run or is not made (issue 26, item 4): outputs
that Snakemake's summary lists but that are not on disk are named, with the command that
recreates them."""

from __future__ import annotations

import shlex

import pytest
from lbr import integrity
from lbr.archive import require_complete, summary_files
from lbr.errors import DataError

HEADER = "output_file\tdate\trule\tlog-file(s)\tstatus\tplan\n"


def _row(output: str, log: str, status: str = "ok") -> str:
    return f"{output}\tFri Dec  4 16:44:28 2026\trule\t{log}\t{status}\tno update\n"


def test_the_summary_splits_into_present_files_and_missing_outputs(tmp_path):
    for name in ("results/a.parquet", "results/logs/s/a.log", "results/benchmarks/s/a.tsv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    summary = (
        HEADER
        + _row("results/a.parquet", "results/logs/s/a.log")
        + _row("results/b.parquet", "results/logs/s/b.log", status="missing")
        + _row("results/c.json", "-", status="missing")
    )
    present, missing = summary_files(summary, tmp_path)
    assert present == ["results/a.parquet", "results/benchmarks/s/a.tsv", "results/logs/s/a.log"]
    assert missing == ["results/b.parquet", "results/c.json"]  # logs are not outputs


def test_a_complete_run_passes():
    require_complete([])


def test_missing_outputs_are_named_with_the_command_that_makes_them(monkeypatch, tmp_path):
    monkeypatch.setenv(integrity.SNAKEMAKE_OPTIONS_ENV, f"--configfile {tmp_path}/mine.yaml")
    missing = [f"results/t{i}.parquet" for i in range(12)]
    with pytest.raises(DataError) as caught:
        require_complete(missing)
    message = str(caught.value)
    assert "12 output(s)" in message and "results/t0.parquet" in message and "2 more" in message
    command = shlex.split(message.split("Recreate them with '")[1].split("'")[0])
    # The targets before --configfile, which would read them as config files.
    assert command == [
        "snakemake",
        *missing,
        "--cores",
        "all",
        "--configfile",
        f"{tmp_path}/mine.yaml",
    ]
