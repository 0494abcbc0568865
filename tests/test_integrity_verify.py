"""lbr.integrity.record and verify on plain files: each refusal names the file, what is
wrong and the advice; a record without sizes is checked by sha256 alone; a file checked
before is not hashed again, and the files after it still are."""

from __future__ import annotations

import os

import pytest
from lbr import integrity
from lbr.errors import DataError

REDO = "rerun the stage"


def _files(tmp_path):
    (tmp_path / "a.bin").write_bytes(b"alpha")
    (tmp_path / "b.bin").write_bytes(b"bravo!")
    return integrity.record(tmp_path, ["a.bin", "b.bin"])


def _refusal(tmp_path, expected) -> str:
    with pytest.raises(DataError) as caught:
        integrity.verify(tmp_path, expected, REDO)
    return str(caught.value)


def test_the_record_is_each_files_size_and_sha256(tmp_path):
    import hashlib

    assert _files(tmp_path) == {
        "a.bin": {"size": 5, "sha256": hashlib.sha256(b"alpha").hexdigest()},
        "b.bin": {"size": 6, "sha256": hashlib.sha256(b"bravo!").hexdigest()},
    }
    integrity.verify(tmp_path, _files(tmp_path), REDO)  # intact: accepted


def test_each_fault_is_named_with_the_advice(tmp_path):
    expected = _files(tmp_path)
    (tmp_path / "b.bin").write_bytes(b"brav")
    assert _refusal(tmp_path, expected) == (
        f"{tmp_path / 'b.bin'} has 4 bytes but 6 were written (truncated or replaced); {REDO}"
    )
    (tmp_path / "b.bin").write_bytes(b"BRAVO!")
    assert _refusal(tmp_path, expected) == (
        f"{tmp_path / 'b.bin'} does not match the sha256 recorded when it was written "
        f"(altered after the fact); {REDO}"
    )
    (tmp_path / "b.bin").unlink()
    assert _refusal(tmp_path, expected) == f"{tmp_path / 'b.bin'} is missing; {REDO}"


def test_a_record_without_sizes_is_checked_by_sha256(tmp_path):
    expected = {name: {"sha256": want["sha256"]} for name, want in _files(tmp_path).items()}
    integrity.verify(tmp_path, expected, REDO)
    (tmp_path / "a.bin").write_bytes(b"alpha and more")
    assert "does not match the sha256" in _refusal(tmp_path, expected)


def test_files_after_one_checked_before_are_still_checked(tmp_path):
    expected = _files(tmp_path)
    integrity.verify(tmp_path, expected, REDO)  # both remembered as checked
    stat = (tmp_path / "b.bin").stat()
    (tmp_path / "b.bin").write_bytes(b"BRAVO!")  # same size, new content
    os.utime(tmp_path / "b.bin", ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert "b.bin does not match the sha256" in _refusal(tmp_path, expected)
