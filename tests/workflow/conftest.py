"""The tiny config's end-to-end run, made once per test session and read by many tests.

Every test that uses it gets the xdist group TINY_RUN, so that one xdist worker runs
them all and makes the run once."""

import subprocess
import sys

import pytest
from support import REPO, TINY

TINY_RUN = "tiny-run"


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        if "tiny_run" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(TINY_RUN))


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A directory holding the tiny config's complete results, made with --cores 2."""
    workdir = tmp_path_factory.mktemp("tiny")
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    command += ["--cores", "2", "--configfile", str(TINY), "--directory", str(workdir)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return workdir
