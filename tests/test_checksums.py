"""File and stream digests against hashlib, over several read blocks."""

import hashlib
import io

import pytest
from lbr.checksums import file_digest

PAYLOAD = b"payload-" * 300_000  # 2.4 MB: more than two 1 MiB read blocks


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.mark.parametrize("algorithm", ["md5", "sha256"])
def test_file_digest_over_several_blocks(tmp_path, algorithm):
    (tmp_path / "f").write_bytes(PAYLOAD)
    assert file_digest(tmp_path / "f", algorithm) == hashlib.new(algorithm, PAYLOAD).hexdigest()
    assert file_digest(tmp_path / "f") == _md5(PAYLOAD)


def test_stream_digest_defaults_to_sha256():
    from lbr.checksums import stream_digest

    assert stream_digest(io.BytesIO(PAYLOAD)) == hashlib.sha256(PAYLOAD).hexdigest()
