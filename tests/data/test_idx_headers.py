"""lbr.data.idx.read_idx against files written here from the format's definition (magic
0 0 <type> <ndim>, big-endian u4 sizes, then the values): every type's item size counts,
each byte of the magic number is checked, and each refusal is whole."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from lbr.data.idx import read_idx
from lbr.errors import DataError


def _idx(values: np.ndarray, code: int, big_endian: str) -> bytes:
    header = bytes([0, 0, code, values.ndim]) + struct.pack(f">{values.ndim}I", *values.shape)
    return header + values.astype(big_endian).tobytes()


@pytest.mark.parametrize(
    "code, big_endian", [(0x0B, ">i2"), (0x0C, ">i4"), (0x0D, ">f4"), (0x0E, ">f8")]
)
def test_multibyte_types_read_in_native_order(tmp_path, code, big_endian):
    values = np.arange(-6, 6).reshape(3, 4)
    path = tmp_path / "values-idx"
    path.write_bytes(_idx(values, code, big_endian))
    read = read_idx(path)
    np.testing.assert_array_equal(read, values)
    assert read.dtype == np.dtype(big_endian).newbyteorder("=")
    path.write_bytes(_idx(values, code, big_endian)[:-1])  # one byte short
    itemsize = np.dtype(big_endian).itemsize
    with pytest.raises(DataError) as caught:
        read_idx(path)
    assert str(caught.value) == (
        f"{path} is truncated or padded: header says (3, 4) ({12 * itemsize} bytes), file has "
        f"{12 * itemsize - 1}"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"\x01\x00\x08\x01\x00\x00\x00\x01\x05",
        b"\x00\x01\x08\x01\x00\x00\x00\x01\x05",
        b"\x00\x00\x07\x01\x00\x00\x00\x01\x05",
        b"\x00\x00\x08",  # shorter than a magic number
    ],
)
def test_each_byte_of_the_magic_number_is_checked(tmp_path, content):
    path = tmp_path / "bad-idx"
    path.write_bytes(content)
    with pytest.raises(DataError) as caught:
        read_idx(path)
    assert str(caught.value) == f"{path} is not an IDX file (bad magic number)"


def test_a_header_of_four_bytes_and_no_dimension_is_a_scalar(tmp_path):
    path = tmp_path / "scalar-idx"
    path.write_bytes(bytes([0, 0, 0x08, 0]) + b"\x07")
    assert read_idx(path).tolist() == 7
    path.write_bytes(bytes([0, 0, 0x08, 0]))  # the magic number alone: its value is missing
    with pytest.raises(DataError, match=r"truncated or padded: header says \(\) \(1 bytes\)"):
        read_idx(path)


def test_a_broken_gzip_file_is_named(tmp_path):
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(_idx(np.arange(5), 0x08, "u1"))[:-6])
    with pytest.raises(DataError) as caught:
        read_idx(path)
    message = str(caught.value)
    assert message.startswith(f"cannot read IDX file {path}: ")
    assert message.endswith(" (truncated or not gzip?)")
