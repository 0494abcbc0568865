"""Mutation testing of the library with mutmut, one module (group) at a time.

    python tools/mutation.py atomic          # one target
    python tools/mutation.py all             # every target, one after the other
    python tools/mutation.py --list          # the targets and their tests

mutmut needs the package at ./, src/ or source/ of the directory it runs in, while
ours lives in workflow/lbr. So each target gets a scratch directory under
build/mutation/TARGET/ (git-ignored) holding src/lbr (a copy of workflow/lbr), the
schema, the tests, and a pyproject.toml with the mutmut settings for that target:
which files to mutate and which fast test files to run. mutmut first runs those tests
once to learn which test reaches which function, then runs only those tests against
each mutant, in forked workers. The summary (killed, survived, score, every surviving
mutant's diff) is written to build/mutation/TARGET/report.md and printed.

mutmut mutates the bodies of undecorated functions and methods only: a function under
@property, @contextmanager or @cache, and module-level constants, are not mutated.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "build" / "mutation"
FAST = "not slow and not cluster"

# target -> (files to mutate, relative to workflow/; test files that exercise them)
TARGETS: dict[str, tuple[list[str], list[str]]] = {
    "atomic": (
        ["lbr/atomic.py"],
        ["tests/test_atomic.py", "tests/test_atomic_edges.py", "tests/test_archive.py"],
    ),
    "config": (
        ["lbr/config.py"],
        ["tests/test_config.py", "tests/test_config_edges.py", "tests/test_config_values.py"],
    ),
    "archive": (
        ["lbr/archive.py"],
        ["tests/test_archive.py", "tests/test_archive_members.py", "tests/test_archive_listing.py"],
    ),
    "download": (
        ["lbr/data/download.py", "lbr/checksums.py"],
        ["tests/test_downloads.py", "tests/test_download_reuse.py"],
    ),
    "projection": (["lbr/train/projection.py"], ["tests/test_projection.py"]),
    # test_training.py also reaches these two, through whole training runs (minutes per
    # mutant under load), so their own test files stand for them.
    "device_data": (["lbr/train/device_data.py"], ["tests/test_device_data.py"]),
    "spectral-closed-forms": (
        [
            "lbr/spectral/alignment.py",
            "lbr/spectral/eigen.py",
            "lbr/spectral/noise.py",
            "lbr/spectral/theorem1.py",
            "lbr/spectral/theorem1_adam.py",
        ],
        [
            "tests/test_closed_forms.py",
            "tests/test_alignment_k.py",
            "tests/test_eigen_scale.py",
            "tests/test_noise_geometry.py",
            "tests/test_spectral_cache.py",
        ],
    ),
    # Its own target: with the closed forms above it took well over ten minutes.
    "spectral-denoising": (
        ["lbr/spectral/denoising.py"],
        [
            "tests/test_closed_forms.py",
            "tests/test_spectral_cache.py",
            "tests/test_jacobi.py",  # its cold-start test drives denoising's fallback
            "tests/test_denoising_edges.py",
        ],
    ),
    "spectral-statistics": (
        ["lbr/spectral/statistics.py", "lbr/spectral/cache.py"],
        [
            "tests/test_statistics.py",
            "tests/test_spectral_cache.py",
            "tests/test_spectrum_integrity.py",
        ],
    ),
    "spectral-jacobi": (
        ["lbr/spectral/jacobi.py"],
        ["tests/test_jacobi.py", "tests/test_jacobi_edges.py", "tests/test_jacobi_more.py"],
    ),
    "spectral-subspace": (
        ["lbr/spectral/subspace.py"],
        ["tests/test_subspace.py", "tests/test_subspace_selection.py"],
    ),
}

# Tests left out of a target's runs: 4000 Adam steps take minutes per mutant on a loaded
# machine; tests/test_spectral_cache.py runs the same code for a few steps.
_SLOW_ADAM = "tests/test_closed_forms.py::test_adam_approaches_the_closed_form_from_above"
DESELECT = {"spectral-closed-forms": [_SLOW_ADAM], "spectral-denoising": [_SLOW_ADAM]}

# Files the tests read through conftest.REPO or lbr.config.SCHEMA_PATH.
# Every shipped config (tests validate each one), the envs and the test configs.
SUPPORT = [*sorted(p.name for p in REPO.glob("config*.yaml")), "envs", "tests/configs"]

STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped"}
STATUS.update({36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout"})
STATUS.update({-11: "crashed", -9: "crashed"})  # the test process died (segfault, killed)
DETECTED = ("killed", "timeout", "crashed")


def _mutmut() -> list[str]:
    return [sys.executable, "-m", "mutmut"]


def _toml_list(items: list[str]) -> str:
    return "[" + ", ".join(json.dumps(i) for i in items) + "]"


def _stage(target: str) -> Path:
    """A fresh scratch directory laid out the way mutmut expects."""
    files, tests = TARGETS[target]
    stage = BUILD / target
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "src").mkdir(parents=True)
    shutil.copytree(
        REPO / "workflow" / "lbr",
        stage / "src" / "lbr",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    shutil.copytree(REPO / "workflow" / "schemas", stage / "src" / "schemas")
    shutil.copytree(REPO / "tests", stage / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for name in SUPPORT:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, stage / name, dirs_exist_ok=True)
        elif source.exists():
            shutil.copy2(source, stage / name)
    if not _existing(tests):
        raise SystemExit(f"{target}: none of its test files {tests} exists")
    (stage / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        'source_paths = ["src/lbr"]\n'
        f"only_mutate = {_toml_list(['src/' + f for f in files])}\n"
        f'also_copy = ["src/schemas", {", ".join(json.dumps(s) for s in SUPPORT)}]\n'
        f"pytest_add_cli_args_test_selection = {_toml_list(_existing(tests))}\n"
        f'pytest_add_cli_args = ["-m", "{FAST}", "-p", "no:cacheprovider", "-q"'
        + "".join(f', "--deselect", "{test}"' for test in DESELECT.get(target, []))
        + "]\n"
        "\n[tool.pytest.ini_options]\n"
        'markers = ["slow: end-to-end pipeline runs", "cluster: SLURM runs"]\n'
    )
    return stage


def _existing(tests: list[str]) -> list[str]:
    return [t for t in tests if (REPO / t).exists()]


def _results(stage: Path, files: list[str]) -> dict[str, str]:
    status = {}
    for name in files:
        meta = json.loads((stage / "mutants" / "src" / (name + ".meta")).read_text())
        for key, code in meta["exit_code_by_key"].items():
            status[key] = STATUS.get(
                code, "not checked" if code is None else f"suspicious ({code})"
            )
    return status


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


def run(target: str, max_children: int) -> dict:
    files, tests = TARGETS[target]
    stage = _stage(target)
    tests = _existing(tests)
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    env.pop("PYTHONPATH", None)  # the tests must import the mutated copy, never workflow/lbr
    # pytest's tmp_path outside the repository (tests that look for a git repo).
    temp_root = Path(tempfile.gettempdir()) / f"lbr-mutation-{target}"
    shutil.rmtree(temp_root, ignore_errors=True)
    temp_root.mkdir()
    env["PYTEST_DEBUG_TEMPROOT"] = str(temp_root)
    start = time.monotonic()
    with open(stage / "mutmut.log", "w") as log:
        code = subprocess.run(
            [*_mutmut(), "run", "--max-children", str(max_children)],
            cwd=stage,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        ).returncode
    seconds = time.monotonic() - start
    # mutmut stops (exit 1) when the tests reach none of the mutated functions.
    untested = "could not find any test case for any mutant" in (stage / "mutmut.log").read_text()
    if code != 0 and not untested:
        raise SystemExit(f"{target}: mutmut failed (exit {code}); see {stage / 'mutmut.log'}")
    status = _results(stage, files)
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
        f"run time: {seconds:.0f} s (mutmut run, {max_children} workers)",
        "",
    ]
    survivors = sorted(k for k, s in status.items() if s not in DETECTED)
    for key, diff in zip(survivors, _diffs(stage, env, survivors)):
        lines += [f"## {key}: {status[key]}", "", "```diff", diff, "```", ""]
    (stage / "report.md").write_text("\n".join(lines))
    print("\n".join(lines[:8]), f"\nreport: {stage / 'report.md'}", flush=True)
    return {"target": target, "mutants": len(status), "score": score, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("targets", nargs="*", help=f"'all' or any of: {', '.join(TARGETS)}")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutant workers")
    parser.add_argument("--list", action="store_true", help="print the targets and exit")
    args = parser.parse_args(argv)
    if args.list or not args.targets:
        for name, (files, tests) in TARGETS.items():
            print(f"{name}: {' '.join(files)}  <-  {' '.join(tests)}")
        return 0
    targets = list(TARGETS) if args.targets == ["all"] else args.targets
    unknown = [t for t in targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; choose from {list(TARGETS)} or 'all'")
    for target in targets:
        run(target, args.max_children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
