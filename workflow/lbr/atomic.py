"""Atomic writes: a reader (or a killed job) never sees a half-written file.

Every artifact is written to a temporary file in the destination directory and
renamed into place; `os.replace` is atomic on POSIX filesystems. The file gets the
mode an ordinary write would (0666 minus the umask), not mkstemp's private 0600, so
results on shared storage stay readable to the group.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError, PipelineError


def _umask() -> int:
    """The process umask, read without changing it where /proc allows (threads are safe)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside `path`; rename it onto `path` on success."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp = Path(tmp)
    try:
        try:
            yield tmp
        except OSError as error:
            if not _out_of_space(error):
                raise
            raise PipelineError(
                f"could not write {path}: {error}. If the disk is full, free space on the "
                f"filesystem holding {path.parent} and rerun."
            ) from error
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _out_of_space(error: OSError) -> bool:
    # numpy reports a short write as "N requested and M written", with no errno and no path.
    return error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG) or (
        error.errno is None and "requested and" in str(error)
    )


def save_npy(path: str | os.PathLike, array: np.ndarray) -> None:
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as handle:
            np.save(handle, np.ascontiguousarray(array), allow_pickle=False)


def load_npy(path: str | os.PathLike, mmap: bool = False) -> np.ndarray:
    """Load an array without ever unpickling (object arrays are refused); a truncated or
    corrupt file raises DataError naming it."""
    try:
        return np.load(path, allow_pickle=False, mmap_mode="r" if mmap else None)
    except (ValueError, EOFError) as error:
        raise DataError(f"{path} is truncated or corrupt ({error})") from error


def save_json(path: str | os.PathLike, payload: Any) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(payload, indent=2, sort_keys=True, default=_jsonable) + "\n")


def load_json(path: str | os.PathLike) -> Any:
    return json.loads(Path(path).read_text())


def save_parquet(path: str | os.PathLike, frame) -> None:
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, index=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")
