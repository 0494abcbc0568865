"""Shared fixtures (a local HTTP server for download tests), each xdist worker's share of
the cores, and the `workflow` marker:
every test under tests/workflow/ starts Snakemake or another subprocess, and is marked
so that `pytest -m "not workflow and not slow"` selects the quick in-process tests."""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest
from support import REPO

WORKFLOW_TESTS = REPO / "tests" / "workflow"


def pytest_configure(config):
    """Under pytest-xdist, each worker's torch and BLAS use its share of the cores, not
    all of them (the libraries' default), so the workers' threads do not compete for the
    same cores. (Limits apply to the libraries loaded here: torch, numpy's and SciPy's.)"""
    workers = os.environ.get("PYTEST_XDIST_WORKER_COUNT")
    if workers:
        share = max(1, (os.cpu_count() or 1) // int(workers))
        import scipy.linalg  # noqa: F401 (loads SciPy's BLAS so that the limit covers it)
        import torch
        from threadpoolctl import threadpool_limits

        torch.set_num_threads(share)
        threadpool_limits(limits=share, user_api="blas")


def pytest_collection_modifyitems(items):
    for item in items:
        if WORKFLOW_TESTS in Path(item.path).parents:
            item.add_marker(pytest.mark.workflow)


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
