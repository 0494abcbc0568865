"""Archive verification against archives built by hand with tarfile (not write_archive):
an extra member, a missing one, an altered one, a missing manifest, the CLI."""

import hashlib
import io
import json
import platform
import tarfile

import pytest
import torch
from lbr.archive import main, verify_archive, write_archive


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
