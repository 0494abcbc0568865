"""Run archives: the manifest lists every artifact and verify catches any change."""

import json
import shutil
import subprocess
import sys
import tarfile

import pytest
from lbr.archive import main, verify_archive, write_archive
from support import REPO


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


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("conda") is None or shutil.which("git") is None,
    reason="snakemake --archive packs the conda environments: it needs conda (and git)",
)
def test_snakemake_archive_packs_code_config_and_envs(tmp_path):
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(REPO), str(checkout)], check=True)
    archive = tmp_path / "workflow.tar.gz"
    subprocess.run(
        [sys.executable, "-m", "snakemake", "--archive", str(archive), "--cores", "1"],
        cwd=checkout,
        check=True,
        capture_output=True,
        timeout=1800,
    )
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"Snakefile", "config.yaml", "envs/lbr.yaml", "workflow/lbr/__init__.py"} <= names
