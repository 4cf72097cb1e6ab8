"""Tests for the authoring commands through the real entry point: list, show, validate, new,
schema. Output, JSON shapes and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from player import paths
from player.cli import main
from player.loader import check_file
from player.timeline import expand

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures" / "routines"
GOOD = "name: {name}\nsteps:\n  - {{technique: stretch, region: calves, duration: 30}}\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def builtin_ids() -> list[str]:
    return sorted(p.stem for p in paths.builtin_routines_dir().glob("*.yaml"))


# -- list ------------------------------------------------------------------------------------

def test_list_json_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "list", "--json")
    assert code == 0
    rows = json.loads(out)
    assert sorted(r["id"] for r in rows) == builtin_ids()
    for row in rows:
        assert {"id", "name", "summary", "seconds", "regions", "techniques", "equipment", "tags",
                "source", "path"} <= set(row)
        assert row["source"] == "built-in" and Path(row["path"]).is_file()
        assert row["seconds"] > 0


def test_list_table_and_filters(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "calf-only.yaml").write_text(GOOD.format(name="Calf only"))
    code, out, _ = run(capsys, "list", "--routines", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "NAME", "MIN", "REGIONS", "SOURCE"]
    assert any(line.startswith("calf-only") and "Calf only" in line for line in lines)
    _, out, _ = run(capsys, "list", "--routines", str(tmp_path), "--region", "calf", "--json",
                    "--max-minutes", "1")
    assert [r["id"] for r in json.loads(out)] == ["calf-only"]
    _, out, _ = run(capsys, "list", "--routines", str(tmp_path), "--tag", "no-such-tag")
    assert out == ""


def test_list_unknown_region_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "list", "--region", "calfs")
    assert code == 2
    assert err == "unknot: error: unknown region 'calfs' (did you mean 'calf'?)\n"


def test_list_says_when_a_user_routine_shadows_a_builtin(
        capsys: pytest.CaptureFixture[str], unknot_home: Path) -> None:
    rid = builtin_ids()[0]
    folder = unknot_home / "routines"
    folder.mkdir()
    (folder / f"{rid}.yaml").write_text(GOOD.format(name="Mine"))
    (folder / "broken.yaml").write_text("name: b\nsteps: []\n")
    _, out, _ = run(capsys, "list")
    line = next(x for x in out.splitlines() if x.startswith(rid + " "))
    assert "Mine" in line and line.endswith("user (shadows built-in)")
    assert "broken" in out and "'steps' is empty" in out
    _, out, err = run(capsys, "list", "--json")
    row = next(r for r in json.loads(out) if r["id"] == rid)
    assert row["source"] == "user" and row["shadows"].endswith(f"{rid}.yaml")
    assert "broken.yaml:2:8: error: 'steps' is empty" in err


# -- show ------------------------------------------------------------------------------------

def test_show_table(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", str(FIXTURES / "calf-care.yaml"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Calf care (calf-care)"
    header = next(x for x in lines if x.startswith("START"))
    assert header.split() == ["START", "KIND", "STEP", "TECHNIQUE", "REGION", "SIDE", "DURATION"]
    assert "00:00  lead-in  1/4   Foam roll   Calves  left   3 s" in lines
    # The included breathe step has no lead-in (it had 5 s before `lead_in: auto`).
    assert lines[-1] == "Total 07:36 (7 min 36 s) in 4 steps"


def test_show_json_matches_the_timeline(capsys: pytest.CaptureFixture[str]) -> None:
    rid = builtin_ids()[0]
    code, out, _ = run(capsys, "show", rid, "--json")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"id", "name", "seconds", "segments"}
    assert data["id"] == rid
    from player.library import resolve

    timeline = expand(resolve(rid))
    assert data["seconds"] == timeline.total
    # Each segment also carries what is spoken in it (tests/test_voice_script.py checks that).
    spoken = {"say", "say_end", "say_end_at"}
    assert [{k: v for k, v in s.items() if k not in spoken} for s in data["segments"]] == [
        s.as_json() for s in timeline.segments]
    assert set(data["segments"][0]) == {"kind", "step", "of", "technique", "region", "side",
                                        "at", "duration", "say"}


def test_show_unknown_and_bad(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "show", "nope-nope")
    assert (code, err) == (1, "unknot: error: unknown routine 'nope-nope'; 'unknot list' shows "
                              "them all\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\nsteps:\n  - {technique: x, duration: 0}\n")
    code, out, err = run(capsys, "show", str(bad))
    assert code == 1 and out == ""
    assert err.splitlines() == [
        f"{bad}:3:17: error: unknown technique 'x'",
        f"{bad}:3:30: error: 'duration' must be more than 0 seconds, got 0",
    ]


# -- validate ----------------------------------------------------------------------------------

def test_validate_the_builtins_and_fixtures(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", str(paths.builtin_routines_dir()), str(FIXTURES))
    assert (code, out) == (0, "")
    assert err.endswith("files checked: 0 errors, 0 warnings\n")


def test_validate_folders_recursively_strict_and_json(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "warn.yaml").write_text(
        "name: w\nsteps:\n  - {technique: stretch, region: quads, duration: 90}\n")
    (tmp_path / ".hidden.yaml").write_text("not: [valid")
    (tmp_path / "notes.txt").write_text("ignored")
    code, out, err = run(capsys, "validate", str(tmp_path))
    warn = tmp_path / "sub" / "warn.yaml"
    assert code == 0
    assert out == (f"{warn}:3:51: warning: stretch for 1 min 30 s is longer than the "
                   "recommended 10–60 s\n")
    assert err == "1 file checked: 0 errors, 1 warning\n"
    code, out, _ = run(capsys, "validate", "--strict", str(tmp_path))
    assert code == 1 and ": error: stretch for 1 min 30 s" in out
    code, out, _ = run(capsys, "validate", "--json", str(warn))
    assert code == 0
    assert json.loads(out) == [{"path": str(warn), "line": 3, "column": 51,
                                "severity": "warning", "message": "stretch for 1 min 30 s is "
                                "longer than the recommended 10–60 s"}]


def test_validate_errors_exit_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: b\nsteps: []\n")
    code, out, err = run(capsys, "validate", str(bad))
    assert (code, out) == (1, f"{bad}:2:8: error: 'steps' is empty: add at least one step\n")
    assert err == "1 file checked: 1 error, 0 warnings\n"


def test_validate_missing_path_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "validate", "no/such/place")
    assert (code, out, err) == (1, "", "unknot: error: no such file or folder: no/such/place\n")


def test_validate_needs_a_path() -> None:
    proc = subprocess.run([sys.executable, "-m", "player", "validate"], capture_output=True,
                          text=True, cwd=REPO)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


# -- new ---------------------------------------------------------------------------------------

def test_new_writes_a_starter_that_validates_cleanly(
        capsys: pytest.CaptureFixture[str], unknot_home: Path) -> None:
    code, out, _ = run(capsys, "new", "Evening: calves #1")
    target = unknot_home / "routines" / "evening-calves-1.yaml"
    assert code == 0 and out == f"{target.resolve()}\n"
    routine, problems = check_file(target)
    assert problems == [] and routine is not None
    assert routine.name == "Evening: calves #1"
    assert target.read_text().startswith("# yaml-language-server: $schema=")
    schema = json.loads((unknot_home / "routines" / "unknot-routine.schema.json").read_text())
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    _, out, _ = run(capsys, "list", "--json")
    assert any(r["id"] == "evening-calves-1" and r["source"] == "user" for r in json.loads(out))


def test_new_never_overwrites(capsys: pytest.CaptureFixture[str], unknot_home: Path) -> None:
    folder = unknot_home / "routines"
    folder.mkdir()
    (folder / "mine.yaml").write_text("my own words")
    code, out, err = run(capsys, "new", "Mine")
    assert code == 1 and out == ""
    assert err == (f"unknot: error: {folder / 'mine.yaml'} already exists: choose another "
                   "name, or edit it (unknot never overwrites a routine)\n")
    assert (folder / "mine.yaml").read_text() == "my own words"


def test_new_from_copies_a_routine(capsys: pytest.CaptureFixture[str], unknot_home: Path) -> None:
    rid = next(i for i in builtin_ids()
               if "include:" in (paths.builtin_routines_dir() / f"{i}.yaml").read_text())
    code, out, _ = run(capsys, "new", "My copy", "--from", rid)
    target = unknot_home / "routines" / "my-copy.yaml"
    assert code == 0 and out == f"{target.resolve()}\n"
    routine, problems = check_file(target)
    assert routine is not None and routine.name == "My copy"
    original, _ = check_file(paths.builtin_routines_dir() / f"{rid}.yaml")
    assert original is not None and len(routine.steps) == len(original.steps)


def test_new_from_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "new", "x", "--from", "nope-nope")
    assert code == 1 and "unknown routine 'nope-nope'" in err


def test_new_bad_name_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "new", "!!!")
    assert code == 2 and "use letters or digits" in err


def test_new_edit_opens_the_editor_with_an_argument_list(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, unknot_home: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seen = tmp_path / "seen args"
    editor = tmp_path / "my editor"
    editor.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{seen}'\n")
    editor.chmod(0o755)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"'{editor}' --wait")
    code, _, _ = run(capsys, "new", "Edit me; rm -rf", "--edit")
    assert code == 0
    target = unknot_home / "routines" / "edit-me-rm-rf.yaml"
    assert seen.read_text().splitlines() == ["--wait", str(target)]


# -- schema ------------------------------------------------------------------------------------

def test_schema_prints_draft_2020_12(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert os.environ.get("UNKNOT_HOME")  # the isolating fixture is active


def test_list_with_a_missing_routine_folder(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "list", "--routines", "no/such/dir")
    assert (code, out, err) == (1, "", "unknot: error: no such routine folder: no/such/dir\n")
