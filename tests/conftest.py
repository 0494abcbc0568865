"""Shared fixtures: a local HTTP server for download tests, and small datasets."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def http_server(tmp_path):
    """Serve a fresh directory over HTTP on 127.0.0.1; yields (directory, base_url)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest output clean
        pass


def small_image_dataset():
    """20 train and 6 test random 4×4×1 images in two classes: the smallest valid dataset."""
    import numpy as np
    from lbr.data.format import ImageDataset

    rng = np.random.default_rng(0)
    return ImageDataset(
        rng.integers(0, 256, (20, 4, 4, 1), dtype=np.uint8),
        np.arange(20) % 2,
        rng.integers(0, 256, (6, 4, 4, 1), dtype=np.uint8),
        np.arange(6) % 2,
        class_names=["a", "b"],
    )
