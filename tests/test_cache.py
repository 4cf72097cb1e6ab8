"""The parsed-library cache (player/cache.py): `list`, `show` and the picker skip YAML for
routine files unchanged since they were parsed; a changed file, include, sound or folder is
parsed again; a damaged or deleted cache is ignored and rebuilt; problems are never cached.

Each check runs the library in a fresh interpreter, as `unknot list` does, and looks at what it
returned and whether it imported YAML at all."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "routines"

PROBE = """
import json, sys
from player import library
entries = library.discover()
print(json.dumps({
    "yaml": "yaml" in sys.modules,
    "entries": {e.id: [e.routine.name if e.routine else None, len(e.routine.steps)
                       if e.routine else 0, [str(p) for p in e.problems]] for e in entries},
}))
"""


def discover(env: dict[str, str] | None = None) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          cwd=REPO, env={**os.environ, **(env or {})}, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def age(root: Path, seconds: float = 3600) -> None:
    """Every file and folder under `root` last changed `seconds` ago (outside the racy
    window, as a routine written yesterday is)."""
    when = time.time() - seconds
    for path in [root, *root.rglob("*")]:
        os.utime(path, (when, when))


@pytest.fixture
def library(unknot_home: Path) -> Path:
    folder = unknot_home / "routines"
    shutil.copytree(FIXTURES, folder)
    age(folder)
    return folder


def test_a_warm_cache_lists_the_same_without_yaml(library: Path, unknot_home: Path) -> None:
    cold = discover()
    assert cold["yaml"] is True
    assert (unknot_home / "cache" / "library-v1.pickle").is_file()
    warm = discover()
    assert warm["yaml"] is False
    assert warm["entries"] == cold["entries"]
    assert cold["entries"]["calf-care"][0] == "Calf care"  # type: ignore[index]


def test_a_changed_routine_is_parsed_again(library: Path) -> None:
    discover()
    routine = library / "calf-care.yaml"
    text = routine.read_text(encoding="utf-8")
    # The same size: only the mtime tells.
    routine.write_text(text.replace("name: Calf care", "name: Calf CARE"), encoding="utf-8")
    age(routine, 60)
    after = discover()
    assert after["yaml"] is True
    assert after["entries"]["calf-care"][0] == "Calf CARE"  # type: ignore[index]


def test_a_changed_include_or_sound_or_new_block_is_noticed(library: Path) -> None:
    before = discover()["entries"]["calf-care"]  # type: ignore[index]
    block = library / "blocks" / "stretch-calves.yaml"
    block.write_text(block.read_text(encoding="utf-8") + "  - technique: breathe\n"
                     "    duration: 30s\n", encoding="utf-8")
    age(library, 60)
    grown = discover()["entries"]["calf-care"]  # type: ignore[index]
    assert grown[1] == before[1] + 1
    # A sound it uses, gone: the routine now has a warning about it (and is not cached).
    wav = next((library / "sounds").glob("*.wav"))
    wav.unlink()
    age(library, 60)
    now = discover()["entries"]["calf-care"]  # type: ignore[index]
    assert any("sound" in p for p in now[2]), now
    assert discover()["yaml"] is True


def test_a_routine_with_problems_is_checked_every_time(library: Path) -> None:
    odd = library / "odd.yaml"
    odd.write_text("name: Odd\nsteps:\n  - technique: breathe\n    duration: 30s\n"
                   "    colour: blue\n", encoding="utf-8")
    age(library)
    first = discover()
    assert first["entries"]["odd"][2]  # type: ignore[index]
    again = discover()
    assert again["yaml"] is True and again["entries"] == first["entries"]


@pytest.mark.parametrize("damage", [b"", b"not a pickle", b"\x80\x05K\x01.", None])
def test_a_damaged_or_deleted_cache_is_ignored_and_rebuilt(library: Path, unknot_home: Path,
                                                           damage: bytes | None) -> None:
    cold = discover()
    cache = unknot_home / "cache" / "library-v1.pickle"
    good = cache.read_bytes()
    if damage is None:
        cache.unlink()
    elif damage == b"":
        cache.write_bytes(good[: len(good) // 2])  # truncated mid-write
    else:
        cache.write_bytes(damage)
    again = discover()
    assert again["entries"] == cold["entries"] and again["yaml"] is True
    assert discover()["yaml"] is False  # rebuilt, and used


def test_unknot_cache_names_the_folder(library: Path, tmp_path: Path, unknot_home: Path) -> None:
    folder = tmp_path / "elsewhere"
    discover({"UNKNOT_CACHE": str(folder)})
    assert (folder / "library-v1.pickle").is_file()
    assert not (unknot_home / "cache").exists()
    assert discover({"UNKNOT_CACHE": str(folder)})["yaml"] is False


def test_a_fresh_file_is_not_cached_yet(unknot_home: Path) -> None:
    # Written just now: its next change could keep the same size and mtime.
    folder = unknot_home / "routines"
    folder.mkdir()
    (folder / "new.yaml").write_text("name: New\nsteps:\n  - technique: breathe\n"
                                     "    duration: 30s\n", encoding="utf-8")
    routine = folder / "new.yaml"
    stamp = routine.stat()
    discover()
    routine.write_text("name: Wen\nsteps:\n  - technique: breathe\n    duration: 30s\n",
                       encoding="utf-8")
    # As on a file system with coarse times: the same size, inode and mtime as before.
    os.utime(routine, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    os.utime(folder, ns=(folder.stat().st_atime_ns, folder.stat().st_mtime_ns))
    assert routine.stat().st_size == stamp.st_size and routine.stat().st_ino == stamp.st_ino
    assert discover()["entries"]["new"][0] == "Wen"  # type: ignore[index]
