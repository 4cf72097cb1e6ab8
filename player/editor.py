"""Provides the editor a routine file is opened in: `$VISUAL`, `$EDITOR`, `editor`, `nano`, `vi`.

Never one that asks which editor to use first. Debian's `sensible-editor` (and an `editor`
alternative pointing at it) runs `select-editor` — a "Select an editor" menu — when no
choice is recorded in `~/.selected_editor`; over the TUI that menu is a trap, so such an
`editor` is skipped unless a choice is recorded (in the file or in `SELECTED_EDITOR`).
"""

from __future__ import annotations

import os
import shlex
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

#: Tried after $VISUAL and $EDITOR, in this order.
FALLBACKS = ("editor", "nano", "vi")
#: Programs that may open the "Select an editor" menu.
CHOOSERS = ("sensible-editor", "select-editor")


@dataclass(frozen=True)
class Editor:
    """An editor to run: the argument list (the file's path goes after it)."""

    argv: list[str]
    source: str
    """Where it came from: `$VISUAL`, `$EDITOR` or the fallback's name."""


def _split(value: str) -> list[str]:
    try:
        return shlex.split(value)
    except ValueError:
        return [value]


def _choice_recorded(env: Mapping[str, str]) -> bool:
    if env.get("SELECTED_EDITOR", "").strip():
        return True
    home = env.get("HOME")
    return home is not None and home != "" and (Path(home) / ".selected_editor").is_file()


def _is_chooser(program: str) -> bool:
    return Path(os.path.realpath(program)).name in CHOOSERS


def find_editor(env: Mapping[str, str] | None = None) -> Editor | None:
    """The first usable editor of the chain, or None (`explain` says why)."""
    found, _ = _search(os.environ if env is None else env)
    return found


def explain(env: Mapping[str, str] | None = None) -> str:
    """Why no editor was found, in one line."""
    _, skipped = _search(os.environ if env is None else env)
    tried = "; ".join(skipped) if skipped else "nothing set"
    return f"No editor found ({tried}): set $EDITOR, e.g. EDITOR=nano"


def _search(env: Mapping[str, str]) -> tuple[Editor | None, list[str]]:
    skipped: list[str] = []
    path = env.get("PATH", os.defpath)
    for var in ("VISUAL", "EDITOR"):
        value = env.get(var, "").strip()
        if not value:
            continue
        argv = _split(value)
        program = shutil.which(argv[0], path=path) if argv else None
        if program is None:
            skipped.append(f"${var}={value!r} is not a program")
            continue
        if _is_chooser(program) and not _choice_recorded(env):
            skipped.append(f"${var} asks which editor to use")
            continue
        return Editor(argv, f"${var}"), skipped
    for name in FALLBACKS:
        program = shutil.which(name, path=path)
        if program is None:
            continue
        if _is_chooser(program) and not _choice_recorded(env):
            skipped.append(f"{name} would ask which editor to use")
            continue
        return Editor([program], name), skipped
    if not skipped:
        skipped.append("no $VISUAL, $EDITOR, editor, nano or vi")
    return None, skipped
