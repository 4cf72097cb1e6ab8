"""The layers of docs/ARCHITECTURE.md hold: `lint-imports` checks pyproject's contracts.

One test runs the real tool over the package; another proves the contracts bite by running it
on a copy of the package with a forbidden import written into a domain module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(REPO / ".venv" / "bin")) or \
        shutil.which("lint-imports")
    if found is None:
        pytest.skip("needs lint-imports (the test extra: scripts/setup installs it)")
    return found


def _run(cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([_lint_imports(), "--no-cache", "--no-logo"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_the_layers_are_kept() -> None:
    proc = _run(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "BROKEN" not in proc.stdout
    assert proc.stdout.count("KEPT") >= 4, proc.stdout


@pytest.mark.parametrize(("module", "line", "contract"), [
    ("durations.py", "from player.cli import main", "The domain knows no terminal UI"),
    ("loader.py", "import textual", "The domain knows no terminal UI"),
    ("session.py", "from player import history", "The engine knows no history"),
    ("loader.py", "from player.library import discover", "The library reads routines"),
    ("history/stats.py", "from player.history.store import scan_history", "History: the"),
    ("headless/format.py", "from player.headless.driver import Headless",
     "The headless format is text only"),
], ids=["domain-cli", "domain-textual", "engine-history", "loader-library", "stats-store",
        "format-driver"])
def test_a_forbidden_import_is_caught(tmp_path: Path, module: str, line: str,
                                      contract: str) -> None:
    shutil.copytree(REPO / "player", tmp_path / "player",
                    ignore=shutil.ignore_patterns("__pycache__", "_data"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / "player" / module
    # Inside a function, as the lazy imports are written: those count as much as top-level ones.
    target.write_text(target.read_text(encoding="utf-8") +
                      f"\n\ndef _injected() -> None:\n    {line}  # noqa\n", encoding="utf-8")
    proc = _run(tmp_path)
    assert proc.returncode != 0, proc.stdout
    broken = [ln for ln in proc.stdout.splitlines() if ln.endswith(" BROKEN")]
    assert len(broken) == 1 and broken[0].startswith(contract), proc.stdout
    assert f"player.{module.removesuffix('.py').replace('/', '.')} ->" in proc.stdout
