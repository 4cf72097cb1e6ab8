"""Provides the routine library: the folders routines come from, discovery and lookup by id.

Folders, first match wins: each `--routines DIR`, the user folder (`UNKNOT_HOME/routines` or the
platform data folder), each `UNKNOT_PATH` entry, then the built-in routines. Ids are file stems;
a routine whose id is already taken by an earlier folder is shadowed (and `list` says so).
Sub-folders such as `blocks/` hold include-only pieces and are not listed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from player import cache
from player.cache import check_file  # the loader's, skipping YAML for unchanged files
from player.errors import Problem, RoutineError, UnknotError

# routine_folders lives in player.paths so the loader can use it without importing the
# library (the library is the layer above the loader); it is re-exported here.
from player.paths import SUFFIXES, is_regular_file
from player.paths import not_a_file as not_a_file
from player.paths import routine_folders as routine_folders
from player.routine import Routine
from player.vocab import Source, did_you_mean


@dataclass
class Entry:
    """One routine file of the library, loaded or not."""

    id: str
    path: Path
    #: "built-in" or "user".
    source: Source
    #: None when the file has errors (see `problems`).
    routine: Routine | None
    problems: list[Problem] = field(default_factory=list)
    #: The file of an earlier-ranked folder's routine this one hides (a user routine with a
    #: built-in's id), or None.
    shadows: Path | None = None

    @property
    def error(self) -> Problem | None:
        """The first error, for a one-line note beside the entry."""
        return next((p for p in self.problems if p.severity == "error"), None)


def _files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir()
                      if p.suffix in SUFFIXES and not p.name.startswith(".") and p.is_file())
    except OSError:
        return []


def skipped(extra: Sequence[Path | str] = ()) -> list[tuple[Path, str]]:
    """Names in the routine folders that look like routines but are not files to read (a FIFO,
    a device, a link loop...), with what each is: `unknot list` says it skips them."""
    out: list[tuple[Path, str]] = []
    for folder, _ in routine_folders(extra):
        try:
            names = sorted(p for p in folder.iterdir()
                           if p.suffix in SUFFIXES and not p.name.startswith("."))
        except OSError:
            continue
        out.extend((p, what) for p in names if (what := not_a_file(p)) and what != "a folder")
    return out


def discover(extra: Sequence[Path | str] = ()) -> list[Entry]:
    """Every routine of the library, shadowed ones left out, in folder then file-name order."""
    folders = routine_folders(extra)
    search = [d for d, _ in folders]
    entries: dict[str, Entry] = {}
    for folder, source in folders:
        for path in _files(folder):
            rid = path.stem
            if rid in entries:
                if entries[rid].shadows is None:
                    entries[rid].shadows = path
                continue
            routine, problems = check_file(path, search_dirs=search, source=source)
            entries[rid] = Entry(rid, path, source, routine, problems)
    cache.save()
    return list(entries.values())


def find(rid: str, extra: Sequence[Path | str] = ()) -> tuple[Path, Source] | None:
    """The file and source of library id `rid` (without loading it), or None."""
    for folder, source in routine_folders(extra):
        for suffix in SUFFIXES:
            path = folder / (rid + suffix)
            if is_regular_file(path):
                return path, source
    return None


def known_ids(extra: Sequence[Path | str] = ()) -> list[str]:
    """Every id in the library, for suggestions."""
    ids: dict[str, None] = {}
    for folder, _ in routine_folders(extra):
        for path in _files(folder):
            ids.setdefault(path.stem, None)
    return list(ids)


def candidate_is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def looks_like_path(name: str) -> bool:
    return "/" in name or "\\" in name or name.endswith(SUFFIXES) or name.startswith(".")


def resolve(name_or_path: str, extra: Sequence[Path | str] = ()) -> Routine:
    """The routine a person named: a library id or a file path.

    UnknotError (with a did-you-mean) for an unknown id or a missing file; RoutineError
    (every problem) for a file with errors.
    """
    search = [d for d, _ in routine_folders(extra)]
    shown = name_or_path if len(name_or_path) <= 80 else name_or_path[:79] + "…"
    candidate = Path(name_or_path).expanduser()
    if looks_like_path(name_or_path) or is_regular_file(candidate):
        if candidate_is_dir(candidate):
            raise UnknotError(f"{shown} is a folder, not a routine file")
        if not is_regular_file(candidate):
            raise UnknotError(f"no such routine file: {shown}")
        routine, problems = check_file(candidate, search_dirs=search, source="path")
        if routine is None:
            raise RoutineError(problems)
        return routine
    found = find(name_or_path, extra)
    if found is None:
        lower = {i.lower(): i for i in known_ids(extra)}
        if name_or_path.lower() in lower:
            found = find(lower[name_or_path.lower()], extra)
    if found is None:
        ids = known_ids(extra)
        hint = did_you_mean(name_or_path, ids, cutoff=0.5)
        raise UnknotError(f"unknown routine '{shown}'{hint}; 'unknot list' shows them all")
    path, source = found
    routine, problems = check_file(path, search_dirs=search, source=source)
    if routine is None:
        raise RoutineError(problems)
    return routine
