"""The not-medical-advice notice is one text, shown in --help, README and the TUI's first run."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO

from player.notice import NOTICE


def _words(text: str) -> str:
    return " ".join(re.sub(r"[>\n]", " ", text).split())


def test_help_epilogue_carries_the_notice() -> None:
    out = subprocess.run([sys.executable, "-m", "player", "--help"], capture_output=True,
                         text=True, check=True).stdout
    assert _words(NOTICE) in _words(out)


def test_readme_carries_the_notice() -> None:
    assert _words(NOTICE) in _words((REPO / "README.md").read_text(encoding="utf-8"))


def test_first_run_dialog_carries_the_notice() -> None:
    from player.tui.screens.dialogs import NOTICE_TEXT

    assert NOTICE_TEXT.startswith(NOTICE)
