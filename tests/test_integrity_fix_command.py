"""The fix command an integrity error prints carries the user's options (issue 26, item
9): pasted as printed, it redoes the user's run, not the default config's."""

from __future__ import annotations

import shlex

from lbr import integrity


def test_options_name_only_what_differs_from_a_plain_run(tmp_path):
    repo = tmp_path / "repo"
    assert integrity.snakemake_options(repo / "Snakefile", repo, False, [], []) == ""
    options = integrity.snakemake_options(
        repo / "Snakefile", tmp_path / "work", True, [tmp_path / "my config.yaml"], ["seed=3"]
    )
    assert shlex.split(options) == [
        "--snakefile", str(repo / "Snakefile"),
        "--directory", str(tmp_path / "work"),
        "--configfile", str(tmp_path / "my config.yaml"),
        "--config", "seed=3",
    ]  # fmt: skip


def test_redo_advice_carries_the_configfile(tmp_path, monkeypatch):
    config = tmp_path / "mine.yaml"
    monkeypatch.setenv(
        integrity.SNAKEMAKE_OPTIONS_ENV,
        integrity.snakemake_options(tmp_path / "Snakefile", tmp_path, False, [config], []),
    )
    advice = integrity.redo_advice("results/datasets/digits", "meta.json")
    command = advice.split("'")[1]
    assert shlex.split(command) == [
        "snakemake", "--cores", "all", "--configfile", str(config),
        "--forcerun", "results/datasets/digits/meta.json",
    ]  # fmt: skip


def test_without_options_the_command_is_the_plain_one(monkeypatch):
    monkeypatch.delenv(integrity.SNAKEMAKE_OPTIONS_ENV, raising=False)
    advice = integrity.redo_advice("results/spectrum/d/p", "summary.json")
    assert "'snakemake --cores all --forcerun results/spectrum/d/p/summary.json'" in advice
