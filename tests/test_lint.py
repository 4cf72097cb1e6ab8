"""The code stays as clean as pyproject.toml says: ruff over everything, mypy strict over all of
the package (the TUI and the commands too)."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import REPO


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(REPO / ".venv" / "bin")) or shutil.which(name)
    if found is None:
        pytest.skip(f"needs {name} (the dev extra: scripts/setup installs it)")
    return found


def test_ruff_is_clean() -> None:
    proc = subprocess.run([_tool("ruff"), "check", "player", "tests", "bench", "scripts"],
                          cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    _tool("mypy")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--strict", "player"], cwd=REPO,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
