"""tools/mutation.py's map from library modules to their tests, derived from the layout,
and its targets (groups, and one module of a group on its own)."""

import importlib.util
import json
import subprocess

import pytest
from support import REPO


@pytest.fixture(scope="module")
def mutation():
    # as when it runs as a script: tools/ on the import path (it imports record_run)
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(REPO / "tools"))
        spec = importlib.util.spec_from_file_location(
            "mutation_tool", REPO / "tools" / "mutation.py"
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        yield module


def test_a_module_gets_its_own_test_files_and_not_a_longer_named_siblings(mutation):
    # tests/spectral/test_theorem1_adam.py starts with test_theorem1 but is theorem1_adam's
    assert mutation.test_files("lbr/spectral/theorem1.py") == [
        "tests/spectral/test_theorem1.py",
        "tests/spectral/test_theorem1_latent_rank.py",
        "tests/spectral/test_theorem1_solution.py",
    ]
    assert mutation.test_files("lbr/spectral/theorem1_adam.py") == [
        "tests/spectral/test_theorem1_adam.py"
    ]
    # a top-level module's tests are in tests/, a package module's in tests/<package>/
    assert mutation.test_files("lbr/report.py") == [
        "tests/test_report_intervals.py",
        "tests/test_report_text.py",
        "tests/test_report_verdicts.py",
    ]


# Test files that are about no module of the library (docs/testing.md says whose they are).
NOT_THE_LIBRARYS = {"tests/test_docs.py"}


def test_every_test_file_of_the_library_belongs_to_exactly_one_module(mutation):
    """A test file no module claims would never run against a mutant."""
    owned = [test for module in mutation._modules() for test in mutation.test_files(module)]
    assert len(owned) == len(set(owned))
    library_tests = {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "tests").rglob("test_*.py")
        if not {"workflow", "tools"} & set(path.relative_to(REPO / "tests").parts)
    }
    assert library_tests - set(owned) == NOT_THE_LIBRARYS


def test_one_module_of_a_group_is_a_target_of_its_own(mutation):
    module = "lbr/spectral/theorem1_adam.py"
    assert module in mutation._targets()["spectral-closed-forms"]
    assert mutation.target_files(module) == [module]
    assert mutation.target_tests(module) == ["tests/spectral/test_theorem1_adam.py"]
    assert mutation._stage_name(module) == "lbr.spectral.theorem1_adam"
    # the group's slow test stays deselected when its module runs alone
    assert mutation._deselected(module) == mutation.DESELECT["spectral-closed-forms"]
    assert mutation._deselected("lbr/report.py") == []
    assert mutation.target_files("report") == ["lbr/report.py", "lbr/paper.py"]


def test_a_targets_result_replaces_only_its_own_entry_in_the_record(mutation, tmp_path):
    record = tmp_path / "records" / "scores.json"
    first = {"target": "stats", "mutants": 10, "score": 0.9}
    mutation.record_result(first, {"commit": "a"}, record)
    mutation.record_result(
        {"target": "atomic", "mutants": 4, "score": 0.5}, {"commit": "a"}, record
    )
    mutation.record_result({**first, "score": 1.0}, {"commit": "b"}, record)
    assert json.loads(record.read_text()) == {
        "atomic": {"mutants": 4, "score": 0.5, "provenance": {"commit": "a"}},
        "stats": {"mutants": 10, "score": 1.0, "provenance": {"commit": "b"}},
    }
    assert list(json.loads(record.read_text())) == ["atomic", "stats"]


def test_the_provenance_names_the_commit_the_library_is_copied_from(mutation):
    origin = mutation.provenance()
    assert set(origin) == {"date", "machine", "commit", "uncommitted_changes"}
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True)
    if head.returncode == 0:  # a checkout, not an exported tree
        assert origin["commit"] == head.stdout.strip()


def test_each_function_gets_every_test_of_the_files_that_reach_it(mutation, tmp_path):
    """A module-scoped fixture's first user is the only test mutmut sees calling the
    function; the file's other tests read the fixture's result and must run too."""
    stats = {
        "tests_by_mangled_function_name": {
            "lbr.a.x_train": ["tests/test_a.py::test_first_user"],
            "lbr.a.x_helper": ["tests/test_b.py::test_one", "tests/test_a.py::test_first_user"],
            "lbr.a.x_alone": [],
        },
        "duration_by_test": {
            "tests/test_a.py::test_first_user": 1.0,
            "tests/test_a.py::test_reads_the_fixture": 0.1,
            "tests/test_b.py::test_one": 0.1,
            "tests/test_b.py::test_two[1]": 0.1,
            "tests/test_c.py::test_unrelated": 0.1,
        },
        "stats_time": 1.0,
    }
    path = tmp_path / "mutmut-stats.json"
    path.write_text(json.dumps(stats))
    assert mutation.widen_test_selection(path) == 1 + 2
    widened = json.loads(path.read_text())
    assert widened["tests_by_mangled_function_name"] == {
        "lbr.a.x_train": [
            "tests/test_a.py::test_first_user",
            "tests/test_a.py::test_reads_the_fixture",
        ],
        "lbr.a.x_helper": [
            "tests/test_a.py::test_first_user",
            "tests/test_a.py::test_reads_the_fixture",
            "tests/test_b.py::test_one",
            "tests/test_b.py::test_two[1]",
        ],
        "lbr.a.x_alone": [],
    }
    assert widened["duration_by_test"] == stats["duration_by_test"]


def test_module_scores_are_counted_per_file(mutation):
    by_file = {
        "lbr/a.py": {"a.x_f__mutmut_1": "killed", "a.x_f__mutmut_2": "survived"},
        "lbr/b.py": {
            "b.x_g__mutmut_1": "killed",
            "b.x_g__mutmut_2": "timeout",
            "b.x_g__mutmut_3": "crashed",
            "b.x_g__mutmut_4": "no tests",
        },
        "lbr/__init__.py": {},
    }
    scores = mutation.module_scores(by_file, untested=False)
    assert scores["lbr/a.py"] == {"mutants": 2, "score": 0.5, "assertion_score": 0.5}
    # timeouts and crashes are detected, but not by an assertion
    assert scores["lbr/b.py"] == {"mutants": 4, "score": 0.75, "assertion_score": 0.25}
    assert scores["lbr/__init__.py"] == {"mutants": 0, "score": None, "assertion_score": None}
    untested = mutation.module_scores(by_file, untested=True)
    assert untested["lbr/a.py"] == {"mutants": 2, "score": 0.0, "assertion_score": 0.0}
