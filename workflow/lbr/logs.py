"""Logging for rule scripts: everything, tracebacks included, goes to the rule's log."""

from __future__ import annotations

import logging
import sys
from pathlib import Path


def setup_rule_logging(log_paths) -> logging.Logger:
    """Send log records and uncaught exceptions to the rule's `log:` file (and stderr)."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    for path in log_paths:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(path, mode="w"))
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=handlers,
        force=True,
    )
    logger = logging.getLogger("lbr")

    def log_uncaught(kind, value, traceback):
        logger.error("failed: %s", value, exc_info=(kind, value, traceback))

    sys.excepthook = log_uncaught
    return logger
