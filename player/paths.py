"""Provides the places unknot reads from and writes to: built-in data, user folder, history."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from player.vocab import Source

_PACKAGE = Path(__file__).resolve().parent


#: The file names routines have.
SUFFIXES = (".yaml", ".yml")


def is_regular_file(path: Path) -> bool:
    """Path.is_file that says False for names the system refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _data_dir(name: str) -> Path:
    # An installed wheel carries the data inside the package (hatchling force-include);
    # a source checkout or editable install keeps it at the top of the repository.
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def builtin_routines_dir() -> Path:
    """The folder of routines shipped with unknot."""
    return _data_dir("routines")


def sounds_dir() -> Path:
    """The folder of cue WAVs shipped with unknot."""
    return _data_dir("sounds")


def home_dir() -> Path:
    """The user's unknot folder: `UNKNOT_HOME`, else the platform data folder."""
    env = os.environ.get("UNKNOT_HOME")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("unknot", appauthor=False)


def user_routines_dir() -> Path:
    """Where the user's own routines live (`unknot new` writes here)."""
    return home_dir() / "routines"


def program_state_path() -> Path:
    """The active program's state file (`unknot program start`); absent when none is active."""
    return home_dir() / "program.json"


def history_path() -> Path:
    """The append-only history file, one JSON object per session."""
    return home_dir() / "history.jsonl"


def extra_routine_dirs() -> list[Path]:
    """Folders named in `UNKNOT_PATH` (`:`-separated, os.pathsep on other systems)."""
    raw = os.environ.get("UNKNOT_PATH", "")
    return [Path(p).expanduser() for p in raw.split(os.pathsep) if p.strip()]


def routine_folders(extra: Sequence[Path | str] = ()) -> list[tuple[Path, Source]]:
    """Every routine folder in search order, with the source its routines are listed under."""
    out: list[tuple[Path, Source]] = [(Path(d).expanduser(), "user") for d in extra]
    out.append((user_routines_dir(), "user"))
    out += [(d, "user") for d in extra_routine_dirs()]
    out.append((builtin_routines_dir(), "built-in"))
    seen: set[Path] = set()
    unique: list[tuple[Path, Source]] = []
    for folder, source in out:
        key = folder.resolve() if folder.exists() else folder.absolute()
        if key not in seen:
            seen.add(key)
            unique.append((folder, source))
    return unique
