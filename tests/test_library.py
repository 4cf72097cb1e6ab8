"""Tests for the library: folders in order, discovery, shadowing, blocks, resolve."""

from __future__ import annotations

from pathlib import Path

import pytest

from player import paths
from player.errors import RoutineError, UnknotError
from player.library import discover, resolve, routine_folders

ROUTINE = "name: {name}\nsteps:\n  - {{technique: breathe, duration: 30}}\n"


def write(folder: Path, rid: str, name: str | None = None, text: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{rid}.yaml"
    path.write_text(text if text is not None else ROUTINE.format(name=name or rid),
                    encoding="utf-8")
    return path


def builtin_ids() -> set[str]:
    return {p.stem for p in paths.builtin_routines_dir().glob("*.yaml")}


def test_folders_in_search_order(tmp_path: Path, unknot_home: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UNKNOT_PATH", f"{tmp_path / 'p1'}:{tmp_path / 'p2'}")
    folders = routine_folders([tmp_path / "extra"])
    assert folders == [
        (tmp_path / "extra", "user"),
        (unknot_home / "routines", "user"),
        (tmp_path / "p1", "user"),
        (tmp_path / "p2", "user"),
        (paths.builtin_routines_dir(), "built-in"),
    ]


def test_discover_lists_builtins_but_not_blocks() -> None:
    entries = discover()
    ids = {e.id for e in entries}
    assert ids == builtin_ids()
    assert all(e.source == "built-in" and e.routine is not None for e in entries)
    assert not {p.stem for p in paths.builtin_routines_dir().glob("blocks/*.yaml")} & ids


def test_a_user_routine_shadows_a_builtin(unknot_home: Path) -> None:
    rid = sorted(builtin_ids())[0]
    mine = write(unknot_home / "routines", rid, name="Mine")
    entries = {e.id: e for e in discover()}
    entry = entries[rid]
    assert entry.source == "user" and entry.path == mine
    assert entry.routine is not None and entry.routine.name == "Mine"
    assert entry.shadows == paths.builtin_routines_dir() / f"{rid}.yaml"
    assert resolve(rid).name == "Mine"


def test_extra_folders_and_unknot_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "extra", "from-extra")
    write(tmp_path / "env", "from-env")
    monkeypatch.setenv("UNKNOT_PATH", str(tmp_path / "env"))
    ids = {e.id for e in discover([tmp_path / "extra"])}
    assert {"from-extra", "from-env"} <= ids
    assert resolve("from-extra", [tmp_path / "extra"]).name == "from-extra"
    with pytest.raises(UnknotError):
        resolve("from-extra")


def test_a_broken_routine_is_listed_with_its_problem(unknot_home: Path) -> None:
    write(unknot_home / "routines", "broken", text="name: b\nsteps: []\n")
    entry = next(e for e in discover() if e.id == "broken")
    assert entry.routine is None
    assert entry.error is not None and entry.error.message == (
        "'steps' is empty: add at least one step")


def test_resolve_a_path(tmp_path: Path) -> None:
    path = write(tmp_path, "somewhere", name="Here")
    routine = resolve(str(path))
    assert (routine.name, routine.source, routine.id) == ("Here", "path", "somewhere")


def test_resolve_unknown_id_suggests() -> None:
    rid = sorted(builtin_ids())[0]
    with pytest.raises(UnknotError) as info:
        resolve(rid[:-1])
    assert str(info.value) == (f"unknown routine '{rid[:-1]}' (did you mean '{rid}'?); "
                               "'unknot list' shows them all")


def test_resolve_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(UnknotError, match="no such routine file: ./gone.yaml"):
        resolve("./gone.yaml")
    with pytest.raises(UnknotError, match="is a folder"):
        resolve(str(tmp_path) + "/")


def test_resolve_a_bad_file_raises_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "bad", text="name: b\nsteps:\n  - {technique: x, duration: 0}\n")
    with pytest.raises(RoutineError) as info:
        resolve(str(path))
    assert len(info.value.problems) == 2
