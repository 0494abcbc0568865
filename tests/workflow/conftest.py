"""What several workflow tests read, made once per test run: the tiny config's
end-to-end run and the paper config's dry run under the SLURM profile. Under
pytest-xdist the first worker that needs one makes it under a file lock and the others
read it (pytest-xdist's documented recipe), so no test has to wait for a group.

The SLURM tests share one worker (xdist group `cluster`): their module-scoped fixture
starts the one test cluster a machine can hold. The longest tests are put first in the
collection, which is the order xdist hands work out in: the slowest chain then starts
at once instead of last."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from support import LONGEST_FIRST, REPO, SHARED_FIXTURE_GROUPS, TINY, made_once


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    for item in items:
        for fixture, group in SHARED_FIXTURE_GROUPS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.xdist_group(group))

    def rank(item) -> int:
        for position, prefix in enumerate(LONGEST_FIRST):
            if item.nodeid.startswith(prefix):
                return position
        return len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: the rest keeps its order


def _snakemake(*arguments: str, timeout: int) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(REPO / "Snakefile")]
    return subprocess.run(
        [*command, *arguments], cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory, pytestconfig) -> Path:
    """A directory holding the tiny config's complete results, made with --cores 2."""

    def make(workdir: Path) -> None:
        arguments = ("--cores", "2", "--configfile", str(TINY), "--directory", str(workdir))
        result = _snakemake(*arguments, timeout=1800)
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    return made_once(tmp_path_factory, pytestconfig, "tiny", make)


@pytest.fixture(scope="session")
def paper_slurm_plan(tmp_path_factory, pytestconfig) -> str:
    """The printed dry run (`snakemake -n`) of config.paper.yaml under profiles/slurm:
    every planned job with its wildcards and resources, and the job stats."""

    def make(workdir: Path) -> None:
        arguments = ("-n", "--configfile", str(REPO / "config.paper.yaml"))
        arguments += ("--directory", str(workdir), "--profile", str(REPO / "profiles" / "slurm"))
        result = _snakemake(*arguments, timeout=600)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert not (workdir / "results").exists()  # a plan: nothing downloaded or written
        (workdir / "plan.txt").write_text(result.stdout)

    return (made_once(tmp_path_factory, pytestconfig, "paper-plan", make) / "plan.txt").read_text()
