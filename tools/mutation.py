"""Mutation testing of the library with mutmut, one module (group) at a time.

    python tools/mutation.py atomic          # one target
    python tools/mutation.py all             # every target, one after the other
    python tools/mutation.py --list          # the targets and their tests
    python tools/mutation.py lbr/train/loop.py   # one module of a target on its own

mutmut needs the package at ./, src/ or source/ of the directory it runs in, while
ours lives in workflow/lbr. So each target gets a scratch directory under
build/mutation/TARGET/ (git-ignored) holding src/lbr (a copy of workflow/lbr), the
schema, the tests, and a pyproject.toml with the mutmut settings for that target:
which files to mutate and which fast test files to run. mutmut first runs those tests
once to learn which test reaches which function, then runs only those tests against
each mutant, in forked workers; the survivors then run again against every test of
the test files that reach their function (widen_test_selection). The summary (killed,
survived, score, every surviving mutant's diff) is written to
build/mutation/TARGET/report.md and printed, and the scores go to
records/mutation/scores.json with the run's provenance (--no-record: not), from which
tools/pages.py generates docs/mutation.md.

A module's tests are found from the layout, which mirrors the library: for
lbr/<pkg>/<mod>.py they are tests/<pkg>/test_<mod>.py and tests/<pkg>/test_<mod>_*.py
(lbr/<mod>.py: tests/test_<mod>.py, ...), less the files of a longer module name of
the same package (tests/spectral/test_theorem1_adam.py is theorem1_adam's, not
theorem1's). Tests that start Snakemake or another process live in tests/workflow/
and never run against mutants.

mutmut mutates the bodies of undecorated functions and methods only: a function under
@property, @contextmanager or @cache, and module-level constants, are not mutated.
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LIBRARY = REPO / "workflow" / "lbr"
TESTS = REPO / "tests"
BUILD = REPO / "build" / "mutation"
# The latest scores of every target run, with their provenance; docs/mutation.md is
# generated from it (tools/pages.py).
RECORD = REPO / "records" / "mutation" / "scores.json"
FAST = "not slow and not cluster and not workflow"

# target -> the library files it mutates (relative to workflow/), mutated together.
# A module listed in no group below is a target of its own (see _targets).
GROUPS: dict[str, list[str]] = {
    "atomic": ["lbr/atomic.py"],
    "config": ["lbr/config.py"],
    "archive": ["lbr/archive.py"],
    "download": ["lbr/data/download.py", "lbr/checksums.py"],
    "projection": ["lbr/train/projection.py"],
    # test_classifier.py also reaches these two, through whole training runs (minutes per
    # mutant under load), so their own test files stand for them.
    "device_data": ["lbr/train/device_data.py"],
    "spectral-closed-forms": [
        "lbr/spectral/alignment.py",
        "lbr/spectral/eigen.py",
        "lbr/spectral/noise.py",
        "lbr/spectral/theorem1.py",
        "lbr/spectral/theorem1_adam.py",
    ],
    # Its own target: with the closed forms above it took well over ten minutes.
    "spectral-denoising": ["lbr/spectral/denoising.py", "lbr/spectral/denoising_table.py"],
    "spectral-statistics": ["lbr/spectral/statistics.py", "lbr/spectral/cache.py"],
    # blas.py is reached mostly through jacobi_svd and its certificate: one target.
    "spectral-jacobi": ["lbr/spectral/jacobi.py", "lbr/spectral/blas.py"],
    "spectral-subspace": ["lbr/spectral/subspace.py"],
    "integrity": ["lbr/integrity.py"],
    "layout": ["lbr/layout.py"],
    "resources": ["lbr/resources.py"],
    "report": ["lbr/report.py", "lbr/paper.py"],
    "r1_prediction": ["lbr/r1_prediction.py"],
    "plots": [
        "lbr/plots/style.py",
        "lbr/plots/closed_forms.py",
        "lbr/plots/subspace.py",
        "lbr/plots/autoencoders.py",
        "lbr/plots/report.py",
    ],
    "core": [
        "lbr/__init__.py",
        "lbr/device.py",
        "lbr/errors.py",
        "lbr/logs.py",
        "lbr/data/__init__.py",
        "lbr/models/__init__.py",
        "lbr/plots/__init__.py",
        "lbr/spectral/__init__.py",
        "lbr/train/__init__.py",
    ],
    "data-format": ["lbr/data/format.py", "lbr/data/idx.py", "lbr/data/views.py"],
    "data-sources": [
        "lbr/data/catalog.py",
        "lbr/data/embedded.py",
        "lbr/data/loaders.py",
        "lbr/data/local.py",
        "lbr/data/registry.py",
        "lbr/data/transforms.py",
    ],
    "data-photos": ["lbr/data/photos.py"],
    "data-remote": ["lbr/data/remote.py"],
    "models": [
        "lbr/models/autoencoders.py",
        "lbr/models/classifiers.py",
        "lbr/models/resnet9.py",
    ],
    "train-autoencoder": ["lbr/train/autoencoder.py", "lbr/train/autoencoder_claims.py"],
    "train-classifier": [
        "lbr/train/classifier.py",
        "lbr/train/grid.py",
        "lbr/train/loop.py",
        "lbr/train/runtime.py",
        "lbr/train/subspace_run.py",
        "lbr/train/summary.py",
    ],
}

# Tests left out of a target's runs: 4000 Adam steps take minutes per mutant on a loaded
# machine; tests/spectral/test_theorem1_adam.py runs the same code for a few steps too.
_SLOW_ADAM = "tests/spectral/test_theorem1_adam.py::test_adam_approaches_the_closed_form_from_above"
DESELECT = {"spectral-closed-forms": [_SLOW_ADAM]}

# Files the tests read through support.REPO or lbr.config.SCHEMA_PATH, besides tests/
# (which mutmut copies itself): every shipped config (tests validate each one), the
# envs, the measured resources, the README and docs/ (tests compare them with the code:
# docs/cluster.md shows lbr.resources' request table).
SUPPORT = [*sorted(p.name for p in REPO.glob("config*.yaml")), "envs", "benchmarks", "README.md"]
SUPPORT += ["docs"]


def _modules() -> list[str]:
    """Every module of the library, relative to workflow/ (lbr/x.py, lbr/pkg/x.py)."""
    return sorted(
        p.relative_to(LIBRARY.parent).as_posix()
        for p in LIBRARY.rglob("*.py")
        if "__pycache__" not in p.parts
    )


def _targets() -> dict[str, list[str]]:
    """GROUPS, and a target of its own for every module in none of them
    (lbr/data/new.py -> 'data-new'), so that every module of the library is covered."""
    grouped = {module for files in GROUPS.values() for module in files}
    missing = sorted(grouped - set(_modules()))
    if missing:
        raise SystemExit(f"tools/mutation.py: GROUPS lists modules that do not exist: {missing}")
    targets = dict(GROUPS)
    for module in _modules():
        if module not in grouped:
            targets[module.removeprefix("lbr/").removesuffix(".py").replace("/", "-")] = [module]
    return targets


def test_files(module: str) -> list[str]:
    """The test files of one module, from the layout (see the module docstring)."""
    path = Path(module)  # lbr/spectral/jacobi.py
    folder = TESTS / path.parent.relative_to("lbr")
    siblings = {p.stem for p in (LIBRARY.parent / path.parent).glob("*.py")}
    found = []
    for candidate in sorted(folder.glob(f"test_{path.stem}*.py")):
        name = candidate.stem.removeprefix("test_")
        owners = [s for s in siblings if name == s or name.startswith(s + "_")]
        if owners and max(owners, key=len) == path.stem:
            found.append(candidate.relative_to(REPO).as_posix())
    return found


def target_files(target: str) -> list[str]:
    """The modules a target mutates: a group's or one module's (lbr/train/loop.py)."""
    targets = _targets()
    return targets[target] if target in targets else [target]


def _stage_name(target: str) -> str:
    """build/mutation/<name>: a group's name, or lbr.train.loop for one module."""
    return target.removesuffix(".py").replace("/", ".")


def _deselected(target: str) -> list[str]:
    """DESELECT of the target, or of the group a one-module target belongs to."""
    groups = [name for name, files in _targets().items() if target in files]
    return [test for name in [target, *groups] for test in DESELECT.get(name, [])]


def target_tests(target: str) -> list[str]:
    """The test files of every module a target mutates, in order, once each."""
    files = target_files(target)
    return list(dict.fromkeys(test for module in files for test in test_files(module)))


STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped"}
STATUS.update({36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"})
STATUS.update({-11: "crashed", -9: "crashed"})  # the test process died (segfault, killed)
DETECTED = ("killed", "timeout", "crashed")


def _mutmut() -> list[str]:
    return [sys.executable, "-m", "mutmut"]


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def _pytest_settings() -> str:
    """The repository's pytest settings the tests need (the helpers' import path, the
    import mode for basenames that repeat across folders, the markers), without xdist."""
    pytest = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
    return (
        "\n[tool.pytest.ini_options]\n"
        f"pythonpath = {_toml_list(pytest['pythonpath'])}\n"
        'addopts = "--import-mode=importlib"\n'
        f"markers = {_toml_list(pytest['markers'])}\n"
    )


def _stage(target: str) -> Path:
    """A fresh scratch directory laid out the way mutmut expects."""
    files, tests = target_files(target), target_tests(target)
    stage = BUILD / _stage_name(target)
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "src").mkdir(parents=True)
    shutil.copytree(LIBRARY, stage / "src" / "lbr", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "workflow" / "schemas", stage / "src" / "schemas")
    shutil.copytree(TESTS, stage / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for name in SUPPORT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, stage / name, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, stage / name)
    (stage / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        'source_paths = ["src/lbr"]\n'
        f"only_mutate = {_toml_list(['src/' + f for f in files])}\n"
        f'also_copy = ["src/schemas", {", ".join(json.dumps(s) for s in SUPPORT)}]\n'
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}\n"
        f'pytest_add_cli_args = ["-m", "{FAST}", "-p", "no:cacheprovider", "-q"'
        + "".join(f', "--deselect", "{test}"' for test in _deselected(target))
        + "]\n"
        + _pytest_settings()
    )
    return stage


def _mutants_by_file(stage: Path, files: list[str]) -> dict[str, dict[str, str]]:
    """Each mutated file's mutants and their status."""
    by_file = {}
    for name in files:
        meta = json.loads((stage / "mutants" / "src" / (name + ".meta")).read_text())
        by_file[name] = {
            key: STATUS.get(code, "not checked" if code is None else f"suspicious ({code})")
            for key, code in meta["exit_code_by_key"].items()
        }
    return by_file


def _flat(by_file: dict[str, dict[str, str]]) -> dict[str, str]:
    """Every mutant's status, whichever file it is in."""
    return {key: status for keys in by_file.values() for key, status in keys.items()}


def module_scores(by_file: dict[str, dict[str, str]], untested: bool) -> dict[str, dict]:
    """Per mutated file: its mutants, the detected share and the share killed by an
    assertion (the issue's goal is stated per module, and a target may group several)."""
    scores = {}
    for name, keys in by_file.items():
        statuses = ["no tests"] * len(keys) if untested else list(keys.values())
        total = len(statuses)
        scores[name] = {
            "mutants": total,
            "score": round(sum(s in DETECTED for s in statuses) / total, 4) if total else None,
            "assertion_score": round(statuses.count("killed") / total, 4) if total else None,
        }
    return scores


# `mutmut show` for many mutants in one process (one process per mutant is slow).
_SHOW = """
import sys
from mutmut.__main__ import show
for name in sys.argv[1:]:
    print("\\0" + name, flush=True)
    show.callback(name)
"""


def _diffs(stage: Path, env: dict, names: list[str]) -> list[str]:
    if not names:
        return []
    out = subprocess.run(
        [sys.executable, "-c", _SHOW, *names], cwd=stage, env=env, capture_output=True, text=True
    ).stdout
    shown = {}
    for block in out.split("\0")[1:]:
        name, _, diff = block.partition("\n")
        shown[name] = "\n".join(line for line in diff.splitlines() if not line.startswith("# "))
    return [shown.get(name, "").strip() or _signature(stage, name) for name in names]


def _signature(stage: Path, name: str) -> str:
    """mutmut shows no diff for a mutated default argument: show the mutant's def line."""
    module, _, function = name.rpartition(".")
    path = stage / "mutants" / "src" / (module.replace(".", "/") + ".py")
    for line in path.read_text().splitlines():
        if line.strip().startswith(f"def {function}("):
            return "+ " + line.strip()
    return "(no diff)"


def widen_test_selection(stats_file: Path) -> int:
    """Give every mutated function all the tests of each test file that reaches it.

    mutmut runs against a mutant only the tests that called its function while mutmut
    collected its stats. A test that reads a module-scoped fixture's result (a model
    trained once for the whole file) calls nothing itself: only the file's first user
    of the fixture is listed, and the file's other tests, often the ones with the
    strongest assertions, never run against the mutant. Returns how many tests were
    added."""
    stats = json.loads(stats_file.read_text())
    by_file = collections.defaultdict(set)
    for test in stats["duration_by_test"]:
        by_file[test.split("::")[0]].add(test)
    added = 0
    for function, tests in stats["tests_by_mangled_function_name"].items():
        files = {test.split("::")[0] for test in tests}
        wider = set(tests).union(*(by_file[f] for f in files))
        added += len(wider) - len(set(tests))
        stats["tests_by_mangled_function_name"][function] = sorted(wider)
    stats_file.write_text(json.dumps(stats, indent=4))
    return added


def _mutmut_run(stage: Path, env: dict, max_children: int, names: list[str], log) -> int:
    return subprocess.run(
        [*_mutmut(), "run", "--max-children", str(max_children), *names],
        cwd=stage,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        check=False,
    ).returncode


def run(target: str, max_children: int) -> dict:
    files, tests = target_files(target), target_tests(target)
    if not tests:
        print(f"{target}: no test file for {', '.join(files)}; nothing to run", flush=True)
        return {"target": target, "files": files, "tests": [], "mutants": 0, "counts": {},
                "score": None, "assertion_score": None, "seconds": 0.0, "workers": 0}  # fmt: skip
    stage = _stage(target)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("PYTHONPATH", None)  # the tests must import the mutated copy, never workflow/lbr
    # pytest's tmp_path outside the repository (tests that look for a git repo).
    temp_root = Path(tempfile.gettempdir()) / f"lbr-mutation-{_stage_name(target)}"
    shutil.rmtree(temp_root, ignore_errors=True)
    temp_root.mkdir()
    env["PYTEST_DEBUG_TEMPROOT"] = str(temp_root)
    start = time.monotonic()
    with open(stage / "mutmut.log", "w") as log:
        code = _mutmut_run(stage, env, max_children, [], log)
    # mutmut stops (exit 1) when the tests reach none of the mutated functions.
    untested = "could not find any test case for any mutant" in (stage / "mutmut.log").read_text()
    if code != 0 and not untested:
        raise SystemExit(f"{target}: mutmut failed (exit {code}); see {stage / 'mutmut.log'}")
    by_file = _mutants_by_file(stage, files)
    status = _flat(by_file)
    # The survivors again, each against every test of the files that reach its function
    # (widen_test_selection): a wider selection can kill a mutant, never revive one.
    first = [key for key, value in status.items() if value == "survived"]
    if first and not untested:
        widen_test_selection(stage / "mutants" / "mutmut-stats.json")
        with open(stage / "mutmut.log", "a") as log:
            code = _mutmut_run(stage, env, max_children, first, log)
        if code != 0:
            raise SystemExit(f"{target}: mutmut failed (exit {code}); see {stage / 'mutmut.log'}")
        by_file = _mutants_by_file(stage, files)
        status = _flat(by_file)
    seconds = time.monotonic() - start
    widened_kills = sum(status[key] in DETECTED for key in first)
    if untested:
        status = dict.fromkeys(status, "no tests")
    counts = collections.Counter(status.values())
    score = sum(counts[s] for s in DETECTED) / max(1, len(status))
    lines = [
        f"# mutation report: {target}",
        "",
        f"files: {', '.join(files)}",
        f"tests: {', '.join(tests)} (-m '{FAST}')",
        f"mutants: {len(status)}  " + "  ".join(f"{k}: {v}" for k, v in sorted(counts.items())),
        f"score (killed + timeout + crashed) / all: {score:.1%}",
        f"killed by an assertion / all: {counts['killed'] / max(1, len(status)):.1%}",
        f"survivors of the first pass killed by the files' other tests: "
        f"{widened_kills} of {len(first)}",
        f"run time: {seconds:.0f} s (mutmut run, {max_children} workers)",
        "",
    ]
    survivors = sorted(k for k, s in status.items() if s not in DETECTED)
    for key, diff in zip(survivors, _diffs(stage, env, survivors)):
        lines += [f"## {key}: {status[key]}", "", "```diff", diff, "```", ""]
    (stage / "report.md").write_text("\n".join(lines))
    print("\n".join(lines[:8]), f"\nreport: {stage / 'report.md'}", flush=True)
    return {
        "target": target,
        "files": files,
        "tests": tests,
        "modules": module_scores(by_file, untested),
        "mutants": len(status),
        "counts": dict(sorted(counts.items())),
        "score": round(score, 4),
        "assertion_score": round(counts["killed"] / max(1, len(status)), 4),
        "seconds": round(seconds),
        "workers": max_children,
        "first_pass_survivors": len(first),
        "killed_by_the_wider_selection": widened_kills,
    }


def provenance() -> dict:
    """When, where and on which code a target ran: the date, the machine, the commit and
    whether the library or the tests differed from it (the run copies the working tree)."""
    from record_run import machine  # tools/ is on sys.path when this file runs as a script

    def git(*args: str) -> str | None:
        result = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else None

    status = git("status", "--porcelain", "--untracked-files=all", "--", "workflow/lbr", "tests")
    return {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "commit": git("rev-parse", "HEAD"),
        "uncommitted_changes": None if status is None else bool(status),
    }


def record_result(result: dict, origin: dict, path: Path = RECORD) -> None:
    """Keep a target's latest result and its provenance in the record, beside the other
    targets' (sorted by target, so that a rerun changes only its own entry)."""
    scores = json.loads(path.read_text()) if path.is_file() else {}
    entry = {key: value for key, value in result.items() if key != "target"}
    scores[result["target"]] = {**entry, "provenance": origin}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(dict(sorted(scores.items())), indent=1) + "\n")


def _print_targets(targets: dict[str, list[str]]) -> None:
    """Each target, its modules and the test files the layout gives each of them."""
    width = max(len(module) for files in targets.values() for module in files)
    for name, files in targets.items():
        print(name)
        for module in files:
            tests = test_files(module)
            print(f"  {module:<{width}}  <-  {' '.join(tests) if tests else '(no test file)'}")
        for test in DESELECT.get(name, []):
            print(f"  {'':<{width}}      deselected: {test}")
    print(f"(tests run with -m '{FAST}')")


def main(argv: list[str] | None = None) -> int:
    targets = _targets()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "targets",
        nargs="*",
        help=f"'all', one module (lbr/train/loop.py) or any of: {', '.join(targets)}",
    )
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant workers")
    parser.add_argument("--list", action="store_true", help="print the targets and exit")
    parser.add_argument(
        "--no-record", action="store_true", help=f"do not update {RECORD.relative_to(REPO)}"
    )
    args = parser.parse_args(argv)
    if args.list or not args.targets:
        _print_targets(targets)
        return 0
    chosen = list(targets) if args.targets == ["all"] else args.targets
    unknown = [t for t in chosen if t not in targets and t not in _modules()]
    if unknown:
        parser.error(f"unknown targets {unknown}; choose from {list(targets)} or 'all'")
    for target in chosen:
        origin = provenance()
        result = run(target, args.max_children)
        if not args.no_record:
            record_result(result, origin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
