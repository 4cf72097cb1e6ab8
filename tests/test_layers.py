"""The layers of docs/ARCHITECTURE.md hold: `lint-imports` checks pyproject's contracts.

One test runs the real tool over the package; another proves the contracts bite by running it
on a copy of the package with a forbidden import written into a domain module.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def _contract_names() -> list[str]:
    """Every contract pyproject declares, in its order: the ones lint-imports must report."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    with open(REPO / "pyproject.toml", "rb") as f:
        config = tomllib.load(f)
    return [c["name"] for c in config["tool"]["importlinter"]["contracts"]]


def test_the_layers_are_kept() -> None:
    proc = _run(REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    names = _contract_names()
    # Seven contracts today: dropping one should be a decision made here, not a silent edit.
    assert len(names) >= 7, names
    assert f"Contracts: {len(names)} kept, 0 broken." in proc.stdout, proc.stdout
    kept = [ln.removesuffix(" KEPT") for ln in proc.stdout.splitlines() if ln.endswith(" KEPT")]
    assert kept == names, proc.stdout


#: (module, the import written into it, the start of each contract that must break, and no other)
_FORBIDDEN: list[tuple[str, str, tuple[str, ...]]] = [
    ("durations.py", "from player.cli import main", ("The domain knows no terminal UI",)),
    ("loader.py", "import textual", ("The domain knows no terminal UI",)),
    ("session.py", "from player import history", ("The engine knows no history",)),
    ("loader.py", "from player.library import discover", ("The library reads routines",)),
    ("history/stats.py", "from player.history.store import scan_history", ("History: the",)),
    ("headless/format.py", "from player.headless.driver import Headless",
     ("The headless format is text only",)),
    ("playback.py", "from player.tui.app import make_app",
     ("Playback and the headless driver",)),
    # The headless driver reaches the voice through the remote, so that contract breaks too.
    ("sound/voice.py", "import textual",
     ("Playback and the headless driver", "Sound and history know no TUI")),
]


def test_every_contract_is_proven_to_bite() -> None:
    """Each contract in pyproject is broken by at least one injected import below."""
    proven = {contract for _, _, contracts in _FORBIDDEN for contract in contracts}
    for name in _contract_names():
        assert any(name.startswith(p) for p in proven), f"no forbidden-import case for {name!r}"


@pytest.mark.parametrize(("module", "line", "contracts"), _FORBIDDEN,
                         ids=["domain-cli", "domain-textual", "engine-history", "loader-library",
                              "stats-store", "format-driver", "playback-tui", "sound-textual"])
def test_a_forbidden_import_is_caught(tmp_path: Path, module: str, line: str,
                                      contracts: tuple[str, ...]) -> None:
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
    assert len(broken) == len(contracts), proc.stdout
    assert all(any(b.startswith(c) for b in broken) for c in contracts), proc.stdout
    assert f"player.{module.removesuffix('.py').replace('/', '.')} ->" in proc.stdout
