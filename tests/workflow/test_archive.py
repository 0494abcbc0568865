"""`snakemake --archive` packs the code, the config and the conda environments of a fresh
checkout."""

import shutil
import subprocess
import sys
import tarfile

import pytest
from support import REPO


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
