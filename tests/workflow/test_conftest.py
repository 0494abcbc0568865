"""tests/workflow/conftest.py and support.made_once: a shared result is made once per test run whichever
worker needs it first, a failure is not retried by every worker, the SLURM tests share
one worker and xdist schedules by that group, and the long tests it puts first exist."""

import json

import pytest
from support import LONGEST_FIRST, REPO, SHARED_FIXTURE_GROUPS, made_once


class _Factory:
    """pytest's tmp_path_factory as one xdist worker sees it: its own base directory
    below the run's."""

    def __init__(self, run, worker):
        self.base = run / worker

    def getbasetemp(self):
        return self.base


class _Worker:
    workerinput = {"workerid": "gw"}


def test_a_shared_result_is_made_once_for_every_worker(tmp_path):
    made = []

    def make(directory):
        made.append(directory)
        (directory / "result.txt").write_text("42")

    first = made_once(_Factory(tmp_path, "gw0"), _Worker(), "tiny", make)
    second = made_once(_Factory(tmp_path, "gw1"), _Worker(), "tiny", make)
    assert first == second == tmp_path / "tiny" and made == [first]
    assert (second / "result.txt").read_text() == "42"


def test_a_failure_is_reported_to_the_other_workers_without_a_retry(tmp_path):
    calls = []

    def make(directory):
        calls.append(directory)
        raise RuntimeError("snakemake exited 1")

    with pytest.raises(RuntimeError, match="exited 1"):
        made_once(_Factory(tmp_path, "gw0"), _Worker(), "tiny", make)
    with pytest.raises(
        pytest.fail.Exception, match="another worker: RuntimeError: snakemake exited 1"
    ):
        made_once(_Factory(tmp_path, "gw1"), _Worker(), "tiny", make)
    assert len(calls) == 1
    assert json.loads((tmp_path / "tiny.outcome.json").read_text())["error"]


def _users(request, fixture: str) -> list:
    return [item for item in request.session.items if fixture in getattr(item, "fixturenames", ())]


def test_the_slurm_tests_share_one_group(request):
    for item in _users(request, "cluster"):
        groups = {mark.args[0] for mark in item.iter_markers("xdist_group")}
        assert groups == {SHARED_FIXTURE_GROUPS["cluster"]}, item.nodeid


def test_xdist_schedules_by_the_groups(request):
    """xdist's loadgroup scheduler reads a test's group from a suffix `@group` that its
    worker appends to the node id; pytest 9.2 ignores that write (pytest-xdist issue
    1386), and the groups are then silently not kept. pyproject pins pytest below it."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs under pytest-xdist with --dist loadgroup (the suite's default)")
    for fixture, group in SHARED_FIXTURE_GROUPS.items():
        for item in _users(request, fixture):
            assert item.nodeid.endswith(f"@{group}"), f"xdist does not see {item.nodeid}'s group"


def test_the_tests_put_first_exist():
    """Read from the files, not the session: a selection (-m, -k) may leave them out."""
    for prefix in LONGEST_FIRST:
        path, _, name = prefix.partition("::")
        assert (REPO / path).is_file(), prefix
        if name:
            assert f"def {name.split('[')[0]}" in (REPO / path).read_text(), prefix
