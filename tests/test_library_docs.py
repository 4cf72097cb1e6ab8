"""Tests for docs/library.md: generated from the routine files, and failing when out of date."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from player.paths import builtin_routines_dir

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "gen_library_docs.py"
DOC = REPO / "docs" / "library.md"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args],
                          capture_output=True, text=True, timeout=60)


def test_docs_library_md_is_up_to_date() -> None:
    done = _run("--check")
    assert done.returncode == 0, done.stderr


def test_check_fails_on_a_stale_or_missing_file(tmp_path: Path) -> None:
    stale = tmp_path / "library.md"
    stale.write_text(DOC.read_text(encoding="utf-8").replace("|", "/", 3), encoding="utf-8")
    done = _run("--check", "--output", str(stale))
    assert done.returncode == 1
    assert "out of date" in done.stderr
    assert _run("--check", "--output", str(tmp_path / "missing.md")).returncode == 1


def test_writing_then_checking_round_trips(tmp_path: Path) -> None:
    out = tmp_path / "library.md"
    assert _run("--output", str(out)).returncode == 0
    assert out.read_text(encoding="utf-8") == DOC.read_text(encoding="utf-8")
    assert _run("--check", "--output", str(out)).returncode == 0


def test_the_table_has_one_row_per_built_in() -> None:
    text = DOC.read_text(encoding="utf-8")
    ids = sorted(p.stem for p in builtin_routines_dir().glob("*.yaml"))
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(rows) == len(ids)
    for routine_id in ids:
        assert f"`{routine_id}`" in text
    # Blocks are include-only, never listed as routines.
    assert "Slow breathing" not in text
