"""IDX files, plain and gzipped."""

import gzip

import numpy as np
import pytest
from fake_archives import idx_bytes
from lbr.data.idx import read_idx
from lbr.errors import DataError


def test_idx_round_trip_plain_and_gzip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a").write_bytes(idx_bytes(array))
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(array)))
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), array)


def test_truncated_idx_is_refused(tmp_path):
    (tmp_path / "a").write_bytes(idx_bytes(np.zeros((5, 4, 4), dtype=np.uint8))[:-3])
    with pytest.raises(DataError, match="truncated"):
        read_idx(tmp_path / "a")
