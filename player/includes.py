"""Provides how `include:` finds the file it names, and the folders an include may not leave.

An include names a routine id (`breathing-reset`, looked up beside the including file, in its
`blocks/`, then in each routine folder and its `blocks/`) or a relative path
(`blocks/breathing.yaml`, relative to the including file first, then to each routine folder).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Sequence

# In player.paths (no YAML there), so the library can list files without loading the loader.
from player.paths import SUFFIXES as SUFFIXES
from player.paths import is_regular_file as is_regular_file
from player.reader import short, suggest
from player.speedups import real_folder

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def allowed_roots(real_top: Path, dirs: Sequence[Path]) -> list[Path]:
    """The folders a routine's includes may reach: its own folder and every routine folder.

    `real_top` is the routine file, symlinks resolved.
    """
    top_dir = real_top.parent
    roots = [top_dir]
    if top_dir.name == "blocks":  # a block checked on its own may reach its siblings' folder
        roots.append(top_dir.parent)
    return roots + [real_folder(d) for d in dirs]


def looks_like_path(value: str) -> bool:
    return "/" in value or "\\" in value or value.endswith(SUFFIXES)


def candidates(value: str, folders: Sequence[Path]) -> list[Path]:
    """Every file an include value could mean, in the order they are tried."""
    if looks_like_path(value):
        out = []
        for folder in folders:
            base = folder / value
            out.append(base)
            if base.suffix not in SUFFIXES:
                out += [base.with_name(base.name + ".yaml"), base.with_name(base.name + ".yml")]
        return out
    return [d / sub / (value + suffix)
            for d in folders for sub in ("", "blocks") for suffix in SUFFIXES]


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def find_include(value: str, including: Path, dirs: Sequence[Path], roots: Sequence[Path],
                 ) -> tuple[Path | None, str]:
    """The file an include names, or None and the reason."""
    folders = [including.parent, *dirs]
    if not looks_like_path(value) and not _ID.fullmatch(value):
        return None, (f"cannot include '{short(value)}': name a routine id like "
                      "breathing-reset or a relative path like blocks/breathing.yaml")
    for candidate in candidates(value, folders):
        if is_regular_file(candidate):
            real = candidate.resolve()
            if not inside(real, roots):
                return None, (f"include '{short(value)}' leaves the routine folders: "
                              "keep included files beside the routine or in the library")
            return real, ""
    if any(_is_dir(d / sub / value) for d in folders for sub in ("", "blocks")):
        return None, (f"cannot include '{short(value)}': it is a folder; include a routine "
                      f"file inside it, like '{short(value.rstrip('/'))}/NAME.yaml'")
    known: set[str] = set()
    for d in folders:
        for sub in (d, d / "blocks"):
            try:
                known.update(p.stem for p in sub.iterdir()
                             if p.suffix in SUFFIXES and is_regular_file(p))
            except OSError:
                pass
    target = Path(value).stem if looks_like_path(value) else value
    return None, f"cannot find routine '{short(value)}' to include{suggest(target, known)}"
