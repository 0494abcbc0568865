"""The xdist groups of tests/workflow/conftest.py, read from this session's collected
items: a fixture that starts something once (a pipeline run, a SLURM cluster) is
started by one worker only if every test that uses it is in one group, and xdist
schedules by that group."""

import pytest
from support import SHARED_FIXTURE_GROUPS as SHARED


def _groups(item) -> set[str]:
    return {mark.args[0] for mark in item.iter_markers("xdist_group")}


def _users(request, fixture: str) -> list:
    return [item for item in request.session.items if fixture in getattr(item, "fixturenames", ())]


@pytest.mark.parametrize("fixture", sorted(SHARED))
def test_every_user_of_a_shared_fixture_is_in_its_group(request, fixture):
    for item in _users(request, fixture):
        assert _groups(item) == {SHARED[fixture]}, f"{item.nodeid} runs outside {SHARED[fixture]!r}"


def test_the_slurm_tests_share_one_worker_with_the_tiny_run(request):
    # test_cluster compares a SLURM run with the tiny run, and its `cluster` fixture is
    # module-scoped: a second worker would start a second cluster beside the first
    users = _users(request, "cluster")
    assert {frozenset(_groups(item)) for item in users} <= {frozenset({SHARED["tiny_run"]})}


def test_xdist_schedules_by_the_groups(request):
    """xdist's loadgroup scheduler reads a test's group from a suffix `@group` that its
    worker appends to the node id; pytest 9.2 ignores that write (pytest-xdist issue
    1386), and the groups are then silently not kept. pyproject pins pytest below it."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("runs under pytest-xdist with --dist loadgroup (the suite's default)")
    for fixture, group in SHARED.items():
        for item in _users(request, fixture):
            assert item.nodeid.endswith(f"@{group}"), f"xdist does not see {item.nodeid}'s group"
