"""Archive a run's results with a manifest, and verify an archive against it.

    python -m lbr.archive verify results/archive/run.tar.gz

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
from importlib import metadata
from pathlib import Path

from .atomic import atomic_path
from .checksums import file_digest, stream_digest

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
    problems = verify_archive(Path(argv[1]))
    for problem in problems:
        print(problem)
    print("archive OK" if not problems else f"archive FAILED: {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
