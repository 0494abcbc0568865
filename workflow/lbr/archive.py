"""Archive a run's results with a manifest, and verify an archive against it.

    python -m lbr.archive verify results/archive/run.tar.gz

The archive holds the files of the current config only: the outputs, logs and
benchmarks of every job in the workflow's graph (as `snakemake --summary` lists them),
not whatever else lies under results/ (datasets of another config, stale weights).
The manifest records the sha256 of every artifact, the resolved config, package
versions, the git commit and the machine; `verify` recomputes every digest from the
archive and fails on any missing, extra or altered file.
"""

from __future__ import annotations

import io
import json
import platform
import subprocess
import sys
import tarfile
import tempfile
import zlib
from importlib import metadata
from pathlib import Path

from .atomic import atomic_path
from .checksums import file_digest, stream_digest
from .errors import DataError
from .integrity import fix_command

MANIFEST = "manifest.json"
PACKAGES = (
    "lbr",
    "torch",
    "torchvision",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "scikit-learn",
    "matplotlib",
    "snakemake",
)


def _git_commit(directory: Path) -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def _machine() -> dict:
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": sys.version.split()[0],
    }
    try:
        import torch

        info["gpu"] = torch.cuda.get_device_name() if torch.cuda.is_available() else None
    except ImportError:
        info["gpu"] = None
    return info


def _versions() -> dict:
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def run_files(python: str, snakefile: str | Path, config: dict, workdir: str | Path) -> list[str]:
    """The outputs, logs and benchmarks of the current config's jobs that exist (paths
    relative to `workdir`), as the workflow itself plans them: a nested
    `snakemake --summary` (no lock taken) run by `python`, Snakemake's own interpreter
    (a job's conda environment has no Snakemake)."""
    return run_listing(python, snakefile, config, workdir)[0]


def run_listing(
    python: str, snakefile: str | Path, config: dict, workdir: str | Path
) -> tuple[list[str], list[str]]:
    """(the files of `run_files`, the outputs of the current config's jobs that do not
    exist): an output deleted after its job ran is one Snakemake does not recreate while
    the files made from it are up to date, so only this listing sees it."""
    import yaml

    with tempfile.NamedTemporaryFile("w", suffix=".yaml", prefix=".archive-config.") as handle:
        yaml.safe_dump(config, handle)
        handle.flush()
        listing = subprocess.run(
            [
                python,
                "-m",
                "snakemake",
                "--snakefile",
                str(snakefile),
                "--configfile",
                handle.name,
                "--directory",
                str(workdir),
                "--summary",
                "--nolock",
                "--cores",
                "1",
            ],
            capture_output=True,
            text=True,
        )
    if listing.returncode != 0:
        raise RuntimeError(f"listing the run's files failed:\n{listing.stderr[-2000:]}")
    return summary_files(listing.stdout, workdir)


def summary_files(summary: str, workdir: str | Path) -> tuple[list[str], list[str]]:
    """(existing outputs, logs and benchmarks; missing outputs) of a `snakemake --summary`
    table run in `workdir`."""
    files, outputs = set(), set()
    for line in summary.splitlines()[1:]:
        columns = line.split("\t")
        if len(columns) < 4:
            continue
        files.add(columns[0])
        outputs.add(columns[0])
        for log in columns[3].split(","):
            if log.strip() not in ("", "-"):
                log = log.strip()
                files.add(log)
                # Each job's benchmark sits beside its log: logs/<stage>/<name>.log ->
                # benchmarks/<stage>/<name>.tsv (log_path and benchmark_path in common.smk).
                parts = Path(log).parts
                if "logs" in parts:
                    i = parts.index("logs")
                    files.add(
                        str(Path(*parts[:i], "benchmarks", *parts[i + 1 :]).with_suffix(".tsv"))
                    )
    present = sorted(name for name in files if (Path(workdir) / name).is_file())
    missing = sorted(name for name in outputs if not (Path(workdir) / name).is_file())
    return present, missing


def require_complete(missing: list[str]) -> None:
    """Refuse to archive a run whose outputs are not all there, naming them and the fix."""
    if not missing:
        return
    shown = ", ".join(missing[:10]) + (
        f" and {len(missing) - 10} more" if len(missing) > 10 else ""
    )
    command = fix_command(targets=missing)
    raise DataError(
        f"the run is incomplete: {len(missing)} output(s) of the current config are missing "
        f"({shown}), so the archive would leave them out. Recreate them with '{command}', "
        f"then archive again"
    )


def build_manifest(files: list[Path], root: Path, config: dict, code_dir: Path) -> dict:
    return {
        "files": {
            str(path.relative_to(root)): file_digest(path, "sha256") for path in sorted(files)
        },
        "config": config,
        "packages": _versions(),
        "git_commit": _git_commit(code_dir),
        "machine": _machine(),
        "verify": "python -m lbr.archive verify <archive.tar.gz>",
    }


def write_archive(
    archive: Path, files: list[Path], root: Path, config: dict, code_dir: Path
) -> dict:
    """A .tar.gz of `files` (paths under `root`, stored relative to it) plus manifest.json."""
    manifest = build_manifest(files, root, config, code_dir)
    payload = json.dumps(manifest, indent=2, sort_keys=True).encode()
    with atomic_path(archive) as tmp:
        with tarfile.open(tmp, "w:gz") as bundle:
            for path in sorted(files):
                bundle.add(path, arcname=str(path.relative_to(root)))
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(payload)
            bundle.addfile(info, io.BytesIO(payload))
    return manifest


def verify_archive(archive: Path) -> list[str]:
    """Problems found (empty when the archive matches its manifest)."""
    problems, seen = [], {}
    with tarfile.open(archive, "r:gz") as bundle:
        try:
            manifest = json.load(bundle.extractfile(MANIFEST))
        except KeyError:
            return [f"{archive} has no {MANIFEST}"]
        for member in bundle.getmembers():
            if member.isfile() and member.name != MANIFEST:
                seen[member.name] = stream_digest(bundle.extractfile(member), "sha256")
    for name, expected in manifest["files"].items():
        if name not in seen:
            problems.append(f"missing: {name}")
        elif seen[name] != expected:
            problems.append(f"altered: {name}")
    problems += [f"not in manifest: {name}" for name in sorted(set(seen) - set(manifest["files"]))]
    return problems


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] != "verify":
        print("usage: python -m lbr.archive verify ARCHIVE.tar.gz", file=sys.stderr)
        return 2
    try:
        problems = verify_archive(Path(argv[1]))
    except (OSError, EOFError, tarfile.TarError, zlib.error, json.JSONDecodeError) as error:
        print(
            f"archive FAILED: {argv[1]} cannot be read ({error}); it is truncated or not an "
            f"archive of this pipeline",
            file=sys.stderr,
        )
        return 1
    for problem in problems:
        print(problem)
    print("archive OK" if not problems else f"archive FAILED: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
