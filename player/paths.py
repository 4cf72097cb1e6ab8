"""Provides the places unknot reads from and writes to: built-in data, user folder, history."""

from __future__ import annotations

import os
import re
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


def not_a_file(path: Path) -> str | None:
    """What `path` is when it is not a routine file to read: "a FIFO", "a device", "a socket",
    "a folder", "a link loop", "a broken link" (None for a regular file, or nothing there)."""
    return walk_kind(path)[1]


def _stat_failed(path: Path, exc: OSError) -> str | None:
    import errno

    if exc.errno == errno.ELOOP:
        return "a link loop"
    if path.is_symlink():
        return "a broken link"
    return None


def kind_of(mode: int) -> str | None:
    """not_a_file's answer for a stat mode: None for a regular file."""
    import stat

    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a folder" if stat.S_ISDIR(mode) else "not a regular file"


def walk_kind(path: Path) -> tuple[bool, str | None]:
    """(is a regular file, what it is otherwise) with one stat: not_a_file and is_file at once.
    (False, None) when nothing is there (any more)."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return False, _stat_failed(path, exc)
    except ValueError:
        return False, None
    what = kind_of(mode)
    return what is None, what


#: Programs have days at the top; routines have steps.
_TOP_DAYS = re.compile(r"^days\s*:", re.MULTILINE)
_TOP_STEPS = re.compile(r"^steps\s*:", re.MULTILINE)
#: How much of a file looks_like_program reads (player.programs reads no more of a program).
PROGRAM_MAX_BYTES = 256 * 1024


def looks_like_program(path: Path) -> bool:
    """Whether `unknot validate` should read this file as a program rather than a routine."""
    if path.parent.name == "programs":
        return True
    try:
        with path.open("rb") as fh:
            head = fh.read(PROGRAM_MAX_BYTES).decode("utf-8", "replace")
    except OSError:
        return False
    return bool(_TOP_DAYS.search(head)) and not _TOP_STEPS.search(head)


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
