"""Provides the loader's speed tricks, all in one place: each is measured by bench/load.py.

Validating a folder of routines should cost little more than parsing their YAML (issue 15:
1,000 files at most 1.2× a bare CSafeLoader parse of them; a 10,000-step routine under 0.5 s).
Three things made it cost more, and each has its answer here:

- **Scalar resolution.** libyaml's composer is C, but it calls the resolver (Python: a list of
  regular expressions tried in turn) for every scalar to pick its tag. A routine repeats the
  same few hundred scalars (`technique`, `calves`, `30s`, `each`…), so `Loader` remembers the
  tag of each (kind, text, implicit) it has seen: a dict lookup instead of a regex loop.
- **Path resolution.** `Path.resolve()` is one `lstat` per path component. Resolving the
  routine folders and each file's folder once per process, not once per file, takes a
  validation of 1,000 files from ~19 `lstat` calls per file to one (the file itself, in case
  it is a symlink). Routine folders do not move while unknot runs; `forget_folders()` drops
  what is remembered (tests that move folders call it).
- **Parsing the same scalar again.** The 10,000 steps of a big routine, or 1,000 files of a
  library, write the same few hundred values (`calves`, `30s`, `each`, `moderate`). `Memo`
  keeps what a field's parser made of a scalar (only when it reported nothing), the `Cues` of
  each combination and the spoken phrase of each technique, region, side and pressure, so each
  is worked out once.
- **The cyclic garbage collector.** Composing makes one object per YAML value and almost none
  of them are garbage; the collector would walk them all again and again (it doubles the time
  of a big file). `paused_gc()` pauses it while loading; it runs as usual afterwards.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

import yaml

from player.gcpause import paused_gc as paused_gc  # re-exported: the loader uses it

try:  # libyaml: ten times faster; the pure-Python composer is the fallback.
    _Base: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader

#: Tags remembered per (node kind, scalar text, implicit flags); bounded so that a file of a
#: million distinct scalars cannot grow it without end (past the bound, resolve as usual).
_TAGS: dict[tuple[Any, Any, Any], str] = {}
_MAX_TAGS = 50_000
#: Longest scalar text remembered: the values that repeat are short; a long one is kept nowhere
#: (50,000 of a hostile file's 100 KB values would be gigabytes).
MAX_KEY_TEXT = 200
_resolve = _Base.resolve


class Loader(_Base):  # type: ignore[misc]
    """The safe loader (libyaml's when built), remembering the tag of every scalar it resolves.

    Only ever used to compose nodes; the tags are the resolver's own, so nothing changes but
    the time taken.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if value is not None and len(value) > MAX_KEY_TEXT:
            return str(_resolve(self, kind, value, implicit))
        key = (kind, value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            tag = _resolve(self, kind, value, implicit)
            if len(_TAGS) < _MAX_TAGS:
                _TAGS[key] = tag
        return tag


_MISSING: Any = object()


class Memo:
    """A bounded dict of values worked out once: past `limit` entries, nothing more is kept.

    Keys holding scalar text are kept only when it is at most MAX_KEY_TEXT long (callers check).
    """

    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self.values: dict[Any, Any] = {}

    def get(self, key: Any) -> Any:
        """The value kept for `key`, or `MISSING`."""
        return self.values.get(key, _MISSING)

    def put(self, key: Any, value: Any) -> Any:
        if len(self.values) < self.limit:
            self.values[key] = value
        return value


MISSING = _MISSING

_FOLDERS: dict[str, Path] = {}


def real_folder(folder: Path) -> Path:
    """`folder.resolve()`, remembered for the life of the process."""
    if ".." in folder.parts:  # abspath would fold `link/..` before the link is followed
        return folder.resolve()
    key = os.path.abspath(folder)
    found = _FOLDERS.get(key)
    if found is None:
        found = _FOLDERS[key] = Path(key).resolve()
    return found


def real_file(path: Path) -> Path:
    """`path.resolve()` for a file: its folder remembered, the file itself checked each time."""
    try:
        is_link = stat.S_ISLNK(os.lstat(path).st_mode)
    except (OSError, ValueError):
        is_link = True  # missing or unreadable: let resolve() say what it makes of it
    if is_link:
        return path.resolve()
    return real_folder(path.parent) / path.name


def forget_folders() -> None:
    """Drop the remembered folders (after a routine folder was moved or re-linked)."""
    _FOLDERS.clear()


