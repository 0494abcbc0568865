"""Streaming file digests: one implementation for download checks, dataset meta and archives."""

from __future__ import annotations

import hashlib
import os
from typing import BinaryIO

CHUNK_BYTES = 1 << 20


def stream_digest(handle: BinaryIO, algorithm: str = "sha256") -> str:
    """Hex digest of everything `handle` yields, read in 1 MiB blocks (never whole in memory)."""
    digest = hashlib.new(algorithm)
    for block in iter(lambda: handle.read(CHUNK_BYTES), b""):
        digest.update(block)
    return digest.hexdigest()


def file_digest(path: str | os.PathLike, algorithm: str = "md5") -> str:
    with open(path, "rb") as handle:
        return stream_digest(handle, algorithm)
