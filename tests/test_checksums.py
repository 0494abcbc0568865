"""File and stream digests against hashlib, over several read blocks."""

import hashlib
import io

import pytest
from lbr.checksums import file_digest, stream_digest

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


class _OneEnd(io.BytesIO):
    """A stream that may be read at its end once: a reader that does not stop at the
    first empty read fails here instead of looping forever."""

    ended = False

    def read(self, size=-1):
        block = super().read(size)
        if not block:
            assert not self.ended, "read past the end twice"
            self.ended = True
        return block


def test_the_digest_stops_at_the_first_empty_read():
    payload = bytes(range(256)) * 5000  # more than one 1 MiB block
    assert stream_digest(_OneEnd(payload), "md5") == hashlib.md5(payload).hexdigest()
