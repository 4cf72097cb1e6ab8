"""Provides the parsed-library cache: `check_file` that skips YAML for files unchanged since.

`unknot list`, `show` and the picker check every routine of the library on every call; most of
that time is YAML. This keeps each clean routine (no problems at all) as it was parsed, keyed by
its path, the search folders and the source, and valid while nothing it was made from changed:
- the routine file and every file it included: size, mtime and inode;
- each custom cue WAV it uses: size, mtime and inode;
- the folders includes are looked up in (its own, each search folder and their `blocks/`):
  their mtime, so a new file that an include would now find is noticed;
- unknot's own code: its version and each module file's size and mtime.
A file changed less than `RACY_SECONDS` before it would be cached is not cached (its next change
could keep the same size and mtime). A routine with any problem is not cached: it is checked
every time, so its messages always describe the file as it is now.

The cache is one pickle file in `UNKNOT_CACHE`, else `UNKNOT_HOME/cache` when UNKNOT_HOME is
set (tests), else the platform's user cache folder. It is safe to delete; a damaged or foreign
file is ignored and replaced. It only ever holds what unknot parsed from the routine files.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from player.errors import Problem
from player.routine import Routine
from player.vocab import Source

#: Bump when what is stored changes shape.
FORMAT = 1
FILE_NAME = f"library-v{FORMAT}.pickle"
#: Files changed this recently are not cached (the "racy" window of a coarse mtime).
RACY_SECONDS = 2.0

#: (size, mtime_ns, inode) of a file, or None when it is missing.
Stamp = tuple[int, int, int] | None


def cache_dir() -> Path:
    """Where the cache lives: UNKNOT_CACHE, UNKNOT_HOME/cache, or the user cache folder."""
    env = os.environ.get("UNKNOT_CACHE")
    if env:
        return Path(env).expanduser()
    home = os.environ.get("UNKNOT_HOME")
    if home:
        return Path(home).expanduser() / "cache"
    from platformdirs import user_cache_path

    return user_cache_path("unknot", appauthor=False)


def _stamp(path: Path | str) -> Stamp:
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ino)


class LibraryCache:
    """The cache file's entries, read once, written back once if anything new was parsed."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or cache_dir()) / FILE_NAME
        self._code = _code_stamp()
        self._entries: dict[tuple[str, tuple[str, ...], str], Any] = {}
        self._dirty = False
        self._load()

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as fh:
                data = pickle.load(fh)
        except FileNotFoundError:
            return
        except Exception:  # damaged, truncated, another version's: start again
            self._dirty = True
            return
        if (type(data) is dict and data.get("format") == FORMAT and data.get("code") == self._code
                and type(data.get("entries")) is dict):
            self._entries = data["entries"]
        else:
            self._dirty = True

    def check_file(self, path: Path | str, *, search_dirs: Sequence[Path | str] = (),
                   source: Source = "path") -> tuple[Routine | None, list[Problem]]:
        """`player.loader.check_file`, from the cache when nothing it was made from changed."""
        key = (str(path), tuple(str(d) for d in search_dirs), source)
        entry = self._entries.get(key)
        if entry is not None:
            stamps, routine = entry
            if all(_stamp(p) == s for p, s in stamps) and isinstance(routine, Routine):
                return routine, []
        from player.loader import check_file as parse  # YAML and the loader: only on a miss

        files: list[Path] = []
        routine, problems = parse(path, search_dirs=search_dirs, source=source,
                                        files=files)
        if routine is not None and not problems:
            stamps = self._stamps(routine, files, search_dirs)
            if stamps is not None:
                self._entries[key] = (stamps, routine)
                self._dirty = True
        elif key in self._entries:
            del self._entries[key]
            self._dirty = True
        return routine, problems

    def _stamps(self, routine: Routine, files: list[Path], search_dirs: Sequence[Path | str]
                ) -> list[tuple[str, Stamp]] | None:
        """Everything the parse depended on, stamped; None if any of it is too fresh."""
        paths: list[Path | str] = list(files)
        for step in routine.steps:
            paths += [p for _, p in step.cues.sounds]
        folders = {f.parent for f in files} | {Path(d) for d in search_dirs}
        for folder in sorted(folders, key=str):
            paths += [folder, folder / "blocks"]
        stamps = [(str(p), _stamp(p)) for p in paths]
        fresh = time.time_ns() - int(RACY_SECONDS * 1e9)
        if any(s is not None and s[1] > fresh for _, s in stamps):
            return None
        return stamps

    def save(self) -> None:
        """Write the entries back if they changed (atomically; a failure is ignored)."""
        if not self._dirty:
            return
        data = {"format": FORMAT, "code": self._code, "entries": self._entries}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".library-", dir=self.path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    pickle.dump(data, fh, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, self.path)
            except BaseException:
                os.unlink(tmp)
                raise
        except (OSError, pickle.PicklingError):
            return  # a read-only cache folder only costs the YAML next time
        self._dirty = False


def _code_stamp() -> tuple[Any, ...]:
    """unknot's version and its module files' sizes and mtimes: new code parses anew."""
    from player import __version__

    package = Path(__file__).parent
    try:
        modules = sorted(p.name for p in package.iterdir() if p.suffix == ".py")
    except OSError:
        modules = []
    return (__version__, FORMAT, *((m, _stamp(package / m)) for m in modules))


_shared: dict[Path, LibraryCache] = {}


def check_file(path: Path | str, *, search_dirs: Sequence[Path | str] = (),
               source: Source = "path") -> tuple[Routine | None, list[Problem]]:
    """`player.loader.check_file` through this process's cache of `cache_dir()` (written back
    by `save()` and at exit)."""
    folder = cache_dir()
    cache = _shared.get(folder)
    if cache is None:
        import atexit

        cache = _shared[folder] = LibraryCache(folder)
        atexit.register(cache.save)
    return cache.check_file(path, search_dirs=search_dirs, source=source)


def save() -> None:
    """Write back what this process parsed since (a library scan ends with this)."""
    for cache in _shared.values():
        cache.save()
