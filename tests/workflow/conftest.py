"""What several workflow tests read, made once per test session: the tiny config's
end-to-end run, the test SLURM cluster, and the paper config's dry run under the SLURM
profile.

Every test that uses one of them gets that fixture's xdist group, so that one xdist
worker runs those tests and makes it once."""

import subprocess
import sys

import pytest
from support import REPO, SHARED_FIXTURE_GROUPS, TINY


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        for fixture, group in SHARED_FIXTURE_GROUPS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory):
    """A directory holding the tiny config's complete results, made with --cores 2."""
    workdir = tmp_path_factory.mktemp("tiny")
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    command += ["--cores", "2", "--configfile", str(TINY), "--directory", str(workdir)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    return workdir


@pytest.fixture(scope="session")
def paper_slurm_plan(tmp_path_factory) -> str:
    """The printed dry run (`snakemake -n`) of config.paper.yaml under profiles/slurm:
    every planned job with its wildcards and resources, and the job stats."""
    workdir = tmp_path_factory.mktemp("paper-plan")
    command = [sys.executable, "-m", "snakemake", "-n", "--snakefile", str(REPO / "Snakefile")]
    command += ["--configfile", str(REPO / "config.paper.yaml"), "--directory", str(workdir)]
    command += ["--profile", str(REPO / "profiles" / "slurm")]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert not (workdir / "results").exists()  # a plan: nothing downloaded or written
    return result.stdout
