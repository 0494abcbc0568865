"""The Python is formatted and linted by ruff (configured in pyproject.toml)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO


def _ruff() -> str:
    found = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(found).exists():
        pytest.fail("ruff is not installed: pip install -e '.[test]'")
    return found


@pytest.mark.parametrize("command", [["format", "--check"], ["check"]])
def test_python_is_ruff_clean(command):
    result = subprocess.run(
        [_ruff(), *command, "."], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"ruff {' '.join(command)} .:\n{result.stdout}{result.stderr}"
