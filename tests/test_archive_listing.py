"""run_files in-process, with a stand-in for Snakemake's interpreter: a small script
that records the command line and the config file it was given, and prints a
`snakemake --summary` listing written by hand. The expected file lists are written out
by hand too (not derived with the code's own path logic)."""

import os
import stat
import sys
import textwrap

import pytest
import yaml
from lbr.archive import run_files

HEADER = "output_file\tdate\trule\tlog-file(s)\tinput-file(s)\tshellcmd\tstatus\tplan\n"


def _fake_python(tmp_path, listing: str, code: int = 0, stderr: str = ""):
    """An executable that acts as `python -m snakemake --summary`."""
    (tmp_path / "listing.tsv").write_text(listing)
    script = tmp_path / "fake-python"
    script.write_text(
        f"#!{sys.executable}\n"
        + textwrap.dedent(
            f"""
            import json, shutil, sys
            args = sys.argv[1:]
            record = {{"args": args}}
            config = args[args.index("--configfile") + 1]
            record["config"] = open(config).read()
            json.dump(record, open({str(tmp_path / "call.json")!r}, "w"))
            sys.stdout.write(open({str(tmp_path / "listing.tsv")!r}).read())
            sys.stderr.write({stderr!r})
            sys.exit({code})
            """
        )
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def _touch(workdir, *names):
    for name in names:
        path = workdir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


def _call(tmp_path):
    import json

    return json.loads((tmp_path / "call.json").read_text())


def test_outputs_logs_and_benchmarks_that_exist(tmp_path):
    work = tmp_path / "work"
    _touch(
        work,
        "results/a.json",
        "results/logs/dataset/digits.log",
        "results/benchmarks/dataset/digits.tsv",
        "results/logs/train/m.log",
        "results/benchmarks/train/m.tsv",
        "results/logs/two/x.log",
        "results/stray.json",  # not in the listing: never archived
        "-",  # a file named like summary's "no log" mark: never taken for a log
    )
    listing = HEADER + (
        "results/a.json\tThu\tdataset\tresults/logs/dataset/digits.log\t-\t-\tok\tno update\n"
        "results/b.json\tThu\ttrain\tresults/logs/train/m.log, results/logs/two/x.log"
        "\t-\t-\tok\tupdate\n"
        "results/missing.json\t-\ttrain\t-\t-\t-\tmissing\tupdate\n"
        "results/c.json\t-\tall\t\t-\t-\tmissing\tupdate\n"
        "results/d.json\t-\tall\t - , ,-\t-\t-\tmissing\tupdate\n"
        "short\tline\n"
        "\n"
    )
    files = run_files(_fake_python(tmp_path, listing), "Snakefile", {"device": "cpu"}, work)
    assert files == [
        "results/a.json",
        "results/benchmarks/dataset/digits.tsv",
        "results/benchmarks/train/m.tsv",
        "results/logs/dataset/digits.log",
        "results/logs/train/m.log",
        "results/logs/two/x.log",
    ]


def test_the_first_line_is_a_header_and_never_a_file(tmp_path):
    work = tmp_path / "work"
    _touch(work, "output_file", "log-file(s)", "results/a.json")
    listing = "output_file\tdate\trule\tlog-file(s)\nresults/a.json\t-\tr\t-\n"
    assert run_files(_fake_python(tmp_path, listing), "S", {}, work) == ["results/a.json"]


def test_a_benchmark_beside_a_log_outside_results_and_a_log_without_logs_dir(tmp_path):
    work = tmp_path / "work"
    _touch(work, "logs/a/b.log", "benchmarks/a/b.tsv", "other/c.txt", "benchmarks/c.tsv")
    listing = HEADER + "out\t-\tr\tlogs/a/b.log,other/c.txt\t-\t-\tok\t-\n"
    assert run_files(_fake_python(tmp_path, listing), "S", {}, work) == [
        "benchmarks/a/b.tsv",
        "logs/a/b.log",
        "other/c.txt",
    ]


def test_a_directory_named_in_the_listing_is_not_a_file(tmp_path):
    work = tmp_path / "work"
    (work / "results" / "dir").mkdir(parents=True)
    _touch(work, "results/f")
    listing = HEADER + "results/dir\t-\tr\t-\t-\t-\tok\t-\nresults/f\t-\tr\t-\t-\t-\tok\t-\n"
    assert run_files(_fake_python(tmp_path, listing), "S", {}, work) == ["results/f"]


def test_the_nested_snakemake_call_and_its_config(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    config = {"device": "cpu", "datasets": ["digits"], "nested": {"k": 1}}
    run_files(_fake_python(tmp_path, HEADER), tmp_path / "Snakefile", config, str(work))
    call = _call(tmp_path)
    args = call["args"]
    configfile = args[args.index("--configfile") + 1]
    assert args == [
        "-m",
        "snakemake",
        "--snakefile",
        str(tmp_path / "Snakefile"),
        "--configfile",
        configfile,
        "--directory",
        str(work),
        "--summary",
        "--nolock",
        "--cores",
        "1",
    ]
    assert yaml.safe_load(call["config"]) == config
    name = os.path.basename(configfile)
    assert name.startswith(".archive-config.") and name.endswith(".yaml")
    assert not os.path.exists(configfile)  # the temporary config is removed afterwards


def test_a_failed_listing_raises_with_the_end_of_stderr(tmp_path):
    stderr = "x" * 3000 + "the real reason"
    python = _fake_python(tmp_path, HEADER + "results/a\t-\tr\t-\n", code=1, stderr=stderr)
    with pytest.raises(RuntimeError) as caught:
        run_files(python, "S", {}, tmp_path)
    message = str(caught.value)
    assert message.startswith("listing the run's files failed:\n")
    assert message.endswith("the real reason")
    assert message == "listing the run's files failed:\n" + stderr[-2000:]


def test_a_short_line_does_not_end_the_listing(tmp_path):
    work = tmp_path / "work"
    _touch(work, "results/a", "results/b")
    listing = HEADER + "results/a\t-\tr\t-\nshort\n\nresults/b\t-\tr\t-\n"
    assert run_files(_fake_python(tmp_path, listing), "S", {}, work) == ["results/a", "results/b"]
