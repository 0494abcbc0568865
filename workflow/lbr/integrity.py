"""Size and sha256 records of written files, checked before the files are used again.

A stage that writes several files records each one's size and sha256 in its last file
(a dataset's meta.json, a spectrum's summary.json). A later job reading them checks the
record first, so a file altered or truncated after it was written fails loudly, naming
the file and the command that redoes it, instead of feeding wrong numbers downstream.
Each file is hashed at most once per process (one Snakemake job).
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Iterable
from pathlib import Path

from .checksums import file_digest
from .errors import DataError

# (path, size, mtime_ns, inode) of files already checked in this process.
_verified: set[tuple[str, int, int, int]] = set()


def sha256(path: str | os.PathLike) -> str:
    return file_digest(path, "sha256")


def record(directory: str | os.PathLike, names: list[str]) -> dict[str, dict]:
    """{name: {"size": bytes, "sha256": hex}} of files in `directory`."""
    directory = Path(directory)
    return {
        name: {"size": (directory / name).stat().st_size, "sha256": sha256(directory / name)}
        for name in names
    }


def verify(directory: str | os.PathLike, expected: dict[str, dict], redo: str) -> None:
    """Raise DataError unless every file in `expected` has its recorded size and sha256.

    `redo` is the advice for the user: the command (or deletion) that recreates the files.
    """
    directory = Path(directory)
    for name, want in expected.items():
        path = directory / name
        try:
            stat = path.stat()
        except FileNotFoundError:
            raise DataError(f"{path} is missing; {redo}") from None
        key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ino)
        if key in _verified:
            continue
        size = want.get("size")
        if size is not None and stat.st_size != size:
            raise DataError(
                f"{path} has {stat.st_size} bytes but {size} were written (truncated or "
                f"replaced); {redo}"
            )
        if sha256(path) != want["sha256"]:
            raise DataError(
                f"{path} does not match the sha256 recorded when it was written (altered "
                f"after the fact); {redo}"
            )
        _verified.add(key)


# Set by the Snakefile (common.smk) for its jobs: the options naming the user's Snakefile,
# working directory, config files and --config overrides, so that a fix command a job
# prints redoes the user's run, not the default config's.
SNAKEMAKE_OPTIONS_ENV = "LBR_SNAKEMAKE_OPTIONS"


def snakemake_options(
    snakefile: str | os.PathLike,
    workdir: str | os.PathLike,
    workdir_given: bool,
    configfiles: Iterable[str | os.PathLike],
    config_args: Iterable[str],
) -> str:
    """The command-line options that make a pasted `snakemake` command plan the same run
    (absolute paths: it may be pasted in another directory). The Snakefile and working
    directory are named only when they are not the defaults of a run from `workdir`."""
    options = []
    if Path(snakefile).resolve() != (Path(workdir) / "Snakefile").resolve():
        options += ["--snakefile", str(Path(snakefile).resolve())]
    if workdir_given:
        options += ["--directory", str(Path(workdir).resolve())]
    configfiles = [str(Path(path).resolve()) for path in configfiles]
    if configfiles:
        options += ["--configfile", *configfiles]
    config_args = list(config_args)
    if config_args:
        options += ["--config", *config_args]
    return shlex.join(options)


def fix_command(*arguments: str, targets: Iterable[str] = ()) -> str:
    """`snakemake [targets] --cores all` with the user's options (SNAKEMAKE_OPTIONS_ENV)
    and `arguments`, ready to paste. Targets come first: after `--configfile`, which takes
    several values, they would be read as config files."""
    options = os.environ.get(SNAKEMAKE_OPTIONS_ENV, "")
    parts = ("snakemake", shlex.join(targets), "--cores all", options, shlex.join(arguments))
    return " ".join(part for part in parts if part)


def redo_advice(directory: str | os.PathLike, last_file: str) -> str:
    """How to recreate the files of a stage directory whose record is `last_file`."""
    command = fix_command("--forcerun", str(Path(directory) / last_file))
    return f"recreate them with '{command}' (or delete {directory} and rerun)"
