"""Atomic writes: a reader (or a killed job) never sees a half-written file.

Every artifact is written to a temporary file in the destination directory and
renamed into place; `os.replace` is atomic on POSIX filesystems. The file gets the
mode an ordinary write would (0666 minus the umask), not mkstemp's private 0600, so
results on shared storage stay readable to the group.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from .errors import DataError, PipelineError
from .integrity import fix_command


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


def _redo(path: str | os.PathLike) -> str:
    return f"recreate it with '{fix_command('--forcerun', str(path))}' (or delete it and rerun)"


def load_json(path: str | os.PathLike) -> Any:
    """A JSON file; a truncated or corrupt one raises DataError naming it and the fix."""
    try:
        return json.loads(Path(path).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise DataError(
            f"{path} is truncated or not valid JSON ({error}); {_redo(path)}"
        ) from error


# Key of a table's content record in its parquet metadata (written by save_parquet).
TABLE_RECORD = b"lbr.content_sha256"


def table_digest(table) -> str:
    """sha256 of a pyarrow table's column names and values, whatever its row groups,
    chunks, metadata or the names parquet gives nested fields (a list's `item` reads back
    as `element`): what `load_parquet` compares with the record. Numbers and booleans are
    hashed as their null mask, numpy dtype and raw values (fast); other columns by the
    repr of their values."""
    import pyarrow as pa

    digest = hashlib.sha256()
    for name, column in zip(table.column_names, table.columns, strict=True):
        column = column.combine_chunks()
        digest.update(repr(name).encode())
        kind = column.type
        if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_boolean(kind):
            filled = column.fill_null(False if pa.types.is_boolean(kind) else 0)
            values = np.ascontiguousarray(filled.to_numpy(zero_copy_only=False))
            digest.update(np.packbits(column.is_null().to_numpy(zero_copy_only=False)).tobytes())
            digest.update(values.dtype.str.encode() + values.tobytes())
        else:
            digest.update(repr(column.to_pylist()).encode())
    return digest.hexdigest()


def save_parquet(path: str | os.PathLike, frame) -> None:
    """Write a DataFrame (no index) with a record of its content in the file's metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    metadata = {**(table.schema.metadata or {}), TABLE_RECORD: table_digest(table).encode()}
    with atomic_path(path) as tmp:
        pq.write_table(table.replace_schema_metadata(metadata), tmp)


def load_parquet(path: str | os.PathLike):
    """A table written by save_parquet, as a DataFrame, after checking its content against
    the record written with it: a truncated, corrupt, altered or hand-rewritten table
    raises DataError naming the file and the fix."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as error:
        raise DataError(
            f"{path} is truncated or not a parquet table ({error}); {_redo(path)}"
        ) from error
    recorded = (table.schema.metadata or {}).get(TABLE_RECORD)
    if recorded is None:
        raise DataError(
            f"{path} carries no record of its content (it was rewritten outside the pipeline, "
            f"e.g. by hand); {_redo(path)}"
        )
    if recorded.decode() != table_digest(table):
        raise DataError(
            f"{path} does not match the content recorded when it was written (altered after "
            f"the fact); {_redo(path)}"
        )
    return table.to_pandas()


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot serialise {type(value).__name__} to JSON")
