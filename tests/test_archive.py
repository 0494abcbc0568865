"""Run archives (lbr.archive): the manifest lists every artifact and verify catches any
change; verification against archives built by hand with tarfile (not write_archive),
and the CLI; run_files with a stand-in for Snakemake's interpreter. The test that runs
`snakemake --archive` is in tests/workflow/test_archive.py."""

import hashlib
import io
import json
import os
import platform
import stat
import sys
import tarfile
import textwrap

import pytest
import torch
import yaml
from lbr.archive import main, run_files, verify_archive, write_archive


def _run(tmp_path):
    root = tmp_path / "results"
    (root / "figures").mkdir(parents=True)
    (root / "figures" / "a.png").write_bytes(b"png")
    (root / "table.parquet").write_bytes(b"table")
    archive = tmp_path / "run.tar.gz"
    manifest = write_archive(
        archive,
        sorted(p for p in root.rglob("*") if p.is_file()),
        root,
        {"device": "cpu"},
        tmp_path,
    )
    return archive, manifest


def test_manifest_records_files_config_versions_machine(tmp_path):
    archive, manifest = _run(tmp_path)
    assert set(manifest["files"]) == {"figures/a.png", "table.parquet"}
    assert manifest["config"] == {"device": "cpu"} and manifest["packages"]["torch"]
    assert "platform" in manifest["machine"]
    assert verify_archive(archive) == [] and main(["verify", str(archive)]) == 0


def _rewrite(archive, tmp_path, change):
    """Copy the archive, applying change(name, payload) → payload or None (drop)."""
    out = tmp_path / "changed.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            payload = change(member.name, source.extractfile(member).read())
            if payload is None:
                continue
            member.size = len(payload)
            import io

            target.addfile(member, io.BytesIO(payload))
    return out


def test_verify_fails_on_altered_and_missing_files(tmp_path):
    archive, _ = _run(tmp_path)
    altered = _rewrite(
        archive, tmp_path, lambda name, data: b"other" if name == "table.parquet" else data
    )
    assert verify_archive(altered) == ["altered: table.parquet"]
    assert main(["verify", str(altered)]) == 1
    missing = _rewrite(
        archive, tmp_path, lambda name, data: None if name == "figures/a.png" else data
    )
    assert verify_archive(missing) == ["missing: figures/a.png"]


def test_manifest_is_json_inside_the_archive(tmp_path):
    archive, manifest = _run(tmp_path)
    with tarfile.open(archive) as bundle:
        assert json.load(bundle.extractfile("manifest.json"))["files"] == manifest["files"]


# --- verification of archives built by hand with tarfile (not write_archive): an
# extra member, a missing one, an altered one, a missing manifest, the CLI -------------


def _tar(path, members: dict[str, bytes], manifest: dict | None):
    with tarfile.open(path, "w:gz") as bundle:
        items = dict(members)
        if manifest is not None:
            items["manifest.json"] = json.dumps(manifest).encode()
        for name, data in items.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            bundle.addfile(info, io.BytesIO(data))
    return path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


FILES = {"a.txt": b"alpha", "sub/b.bin": b"\x00\x01" * 700_000}  # b spans two 1 MiB blocks


def _manifest(files):
    return {"files": {name: _sha(data) for name, data in files.items()}}


def test_a_matching_archive_has_no_problem(tmp_path):
    archive = _tar(tmp_path / "ok.tar.gz", FILES, _manifest(FILES))
    assert verify_archive(archive) == []


def test_an_extra_member_is_reported(tmp_path):
    archive = _tar(
        tmp_path / "x.tar.gz", {**FILES, "zz.txt": b"x", "extra.txt": b"e"}, _manifest(FILES)
    )
    assert verify_archive(archive) == ["not in manifest: extra.txt", "not in manifest: zz.txt"]


def test_missing_and_altered_members_are_reported_by_name(tmp_path):
    files = {"a.txt": b"ALPHA"}  # altered, and sub/b.bin missing
    archive = _tar(tmp_path / "x.tar.gz", files, _manifest(FILES))
    assert verify_archive(archive) == ["altered: a.txt", "missing: sub/b.bin"]


def test_an_archive_without_manifest_is_refused(tmp_path):
    archive = _tar(tmp_path / "x.tar.gz", FILES, None)
    assert verify_archive(archive) == [f"{archive} has no manifest.json"]


def test_directories_are_not_members_to_verify(tmp_path):
    archive = tmp_path / "dirs.tar.gz"
    with tarfile.open(archive, "w:gz") as bundle:
        bundle.addfile(tarfile.TarInfo("sub"))  # a regular entry named like a directory...
        info = tarfile.TarInfo("folder")
        info.type = tarfile.DIRTYPE
        bundle.addfile(info)
        data = json.dumps({"files": {"sub": _sha(b"")}}).encode()
        info = tarfile.TarInfo("manifest.json")
        info.size = len(data)
        bundle.addfile(info, io.BytesIO(data))
    assert verify_archive(archive) == []


def test_written_archive_digests_match_an_independent_sha256(tmp_path):
    root = tmp_path / "results"
    (root / "sub").mkdir(parents=True)
    for name, data in FILES.items():
        (root / name).write_bytes(data)
    manifest = write_archive(
        tmp_path / "run.tar.gz", [root / n for n in FILES], root, {"k": 1}, tmp_path
    )
    assert manifest["files"] == {name: _sha(data) for name, data in FILES.items()}
    assert manifest["config"] == {"k": 1}
    assert manifest["verify"] == "python -m lbr.archive verify <archive.tar.gz>"
    assert {"lbr", "torch", "numpy", "snakemake"} <= set(manifest["packages"])
    assert manifest["packages"]["numpy"] is not None
    machine = manifest["machine"]
    assert set(machine) == {"platform", "processor", "python", "gpu"}
    assert machine["python"] == platform.python_version()
    assert machine["platform"] == platform.platform() and machine["processor"]
    if not torch.cuda.is_available():
        assert machine["gpu"] is None
    with tarfile.open(tmp_path / "run.tar.gz") as bundle:
        assert sorted(bundle.getnames()) == ["a.txt", "manifest.json", "sub/b.bin"]
        assert bundle.extractfile("sub/b.bin").read() == FILES["sub/b.bin"]


def test_git_commit_is_recorded_only_inside_a_repository(tmp_path, monkeypatch):
    import subprocess

    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # even if tmp is in a repo
    root = tmp_path / "results"
    root.mkdir()
    (root / "a.txt").write_bytes(b"a")
    outside = write_archive(tmp_path / "a.tar.gz", [root / "a.txt"], root, {}, tmp_path)
    assert outside["git_commit"] is None
    subprocess.run(["git", "init", "-q", str(tmp_path / "code")], check=True)
    subprocess.run(
        [
            "git",
            "-C",
            str(tmp_path / "code"),
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@t",
            "commit",
            "-q",
            "--allow-empty",
            "-m",
            "x",
        ],
        check=True,
    )
    head = subprocess.run(
        ["git", "-C", str(tmp_path / "code"), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    inside = write_archive(tmp_path / "b.tar.gz", [root / "a.txt"], root, {}, tmp_path / "code")
    assert inside["git_commit"] == head


@pytest.mark.parametrize("argv", [[], ["check", "x"], ["verify"], ["verify", "a", "b"]])
def test_cli_usage(argv, capsys):
    assert main(argv) == 2
    assert "usage: python -m lbr.archive verify" in capsys.readouterr().err


def test_cli_exit_codes_and_output(tmp_path, capsys):
    good = _tar(tmp_path / "good.tar.gz", FILES, _manifest(FILES))
    assert main(["verify", str(good)]) == 0
    assert capsys.readouterr().out == "archive OK\n"
    bad = _tar(tmp_path / "bad.tar.gz", {**FILES, "e": b"e"}, _manifest(FILES))
    assert main(["verify", str(bad)]) == 1
    assert capsys.readouterr().out == "not in manifest: e\narchive FAILED: 1 problem(s)\n"


def test_cli_reads_sys_argv_by_default(tmp_path, monkeypatch, capsys):
    good = _tar(tmp_path / "good.tar.gz", FILES, _manifest(FILES))
    monkeypatch.setattr("sys.argv", ["python -m lbr.archive", "verify", str(good)])
    assert main() == 0 and capsys.readouterr().out == "archive OK\n"


def test_cli_usage_line_exactly(capsys):
    main(["help"])
    assert capsys.readouterr().err == "usage: python -m lbr.archive verify ARCHIVE.tar.gz\n"


def test_manifest_member_is_sorted_indented_json(tmp_path):
    root = tmp_path / "results"
    root.mkdir()
    (root / "a.txt").write_bytes(b"a")
    manifest = write_archive(tmp_path / "r.tar.gz", [root / "a.txt"], root, {"z": 1, "b": 2}, root)
    with tarfile.open(tmp_path / "r.tar.gz") as bundle:
        stored = bundle.extractfile("manifest.json").read().decode()
    assert stored == json.dumps(manifest, indent=2, sort_keys=True)


def test_a_package_that_is_not_installed_is_recorded_as_none(tmp_path, monkeypatch):
    import numpy
    from lbr import archive

    monkeypatch.setattr(archive, "PACKAGES", ("numpy", "lbr-no-such-package"))
    root = tmp_path / "results"
    root.mkdir()
    (root / "a.txt").write_bytes(b"a")
    manifest = archive.build_manifest([root / "a.txt"], root, {}, root)
    assert manifest["packages"] == {"numpy": numpy.__version__, "lbr-no-such-package": None}


@pytest.mark.parametrize("content", [b"", b"not a tar", None])
def test_cli_on_an_unreadable_archive(tmp_path, capsys, content):
    path = tmp_path / "broken.tar.gz"
    if content is None:  # a plain, uncompressed tar is not a .tar.gz of this pipeline
        with tarfile.open(path, "w") as bundle:
            info = tarfile.TarInfo("manifest.json")
            info.size = 2
            bundle.addfile(info, io.BytesIO(b"{}"))
    else:
        path.write_bytes(content)
    assert main(["verify", str(path)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"archive FAILED: {path} cannot be read (")
    assert captured.err.endswith("); it is truncated or not an archive of this pipeline\n")


def test_a_missing_archive_file_is_reported_not_raised(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "nowhere.tar.gz")]) == 1
    assert "nowhere.tar.gz cannot be read" in capsys.readouterr().err


def test_machine_records_the_gpu_name_when_cuda_is_available(monkeypatch):
    from lbr import archive

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *a: "Fake GPU 80GB")
    assert archive._machine()["gpu"] == "Fake GPU 80GB"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert archive._machine()["gpu"] is None


def test_machine_without_torch_records_no_gpu(monkeypatch):
    import sys

    from lbr import archive

    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` raises ImportError
    machine = archive._machine()
    assert set(machine) == {"platform", "processor", "python", "gpu"}
    assert machine["gpu"] is None


# --- run_files in-process, with a stand-in for Snakemake's interpreter: a small
# script that prints a `snakemake --summary` listing written by hand (the expected
# file lists are written out by hand too, not derived with the code's own path logic) ---


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


@pytest.mark.parametrize("count", [10, 11, 13])
def test_an_incomplete_run_names_ten_missing_outputs_and_counts_the_rest(count, monkeypatch):
    from lbr import integrity
    from lbr.archive import require_complete
    from lbr.errors import DataError

    monkeypatch.delenv(integrity.SNAKEMAKE_OPTIONS_ENV, raising=False)
    missing = [f"results/f{i:02d}.json" for i in range(count)]
    with pytest.raises(DataError) as caught:
        require_complete(missing)
    shown = ", ".join(missing[:10]) + (f" and {count - 10} more" if count > 10 else "")
    assert f"{count} output(s) of the current config are missing ({shown}), so" in str(caught.value)
    assert f"'snakemake {' '.join(missing)} --cores all'" in str(caught.value)
    require_complete([])  # a complete run passes
