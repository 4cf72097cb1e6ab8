"""Tests of programs: the day arithmetic against a fixed "today", program files and their errors,
the state file, and the `program`/`today` commands run through the real entry point."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from player import history, programs
from player.cli import main
from player.library import resolve
from player.programs import Day, Program, check_program_file, progress

A, B, C = "desk-neck-shoulders", "forearms-typists", "quick-reset"
START = date(2026, 3, 2)  # a Monday
PLAN = Program("plan", "Plan", (Day(A), Day(B), Day(None), Day(C)))


def day(n: int) -> date:
    return START + timedelta(days=n)


def did(*sessions: tuple[str, int]) -> set[tuple[str, str]]:
    return {(rid, day(n).isoformat()) for rid, n in sessions}


def record(rid: str, started: str) -> dict[str, object]:
    return {"routine": rid, "name": rid, "started": started, "ended": started,
            "completed": True, "active_seconds": 300.0, "steps_done": 3, "steps_skipped": 0,
            "pain_before": None, "pain_after": None}


# ------------------------------------------------------------------------- day arithmetic


def test_day_one_is_the_start_date_and_the_rest_follow_one_a_day() -> None:
    p = progress(PLAN, START, START, set())
    assert [s.on for s in p.slots] == [day(0), day(1), day(2), day(3)]
    assert p.current is not None and p.current.day.routine == A and not p.current.done
    assert not p.finished and p.missed == 0


def test_a_session_of_the_days_routine_that_day_marks_it_done() -> None:
    p = progress(PLAN, START, day(0), did((A, 0)))
    assert p.current is not None and p.current.done
    p = progress(PLAN, START, day(1), did((A, 0)))
    assert p.current is not None and p.current.day.routine == B


def test_a_missed_day_moves_the_plan_by_a_day() -> None:
    p = progress(PLAN, START, day(2), did((A, 0)))  # nothing on day 1
    assert p.missed == 1
    assert p.current is not None and p.current.index == 1 and p.current.day.routine == B
    assert [s.on for s in p.slots] == [day(0), day(2), day(3), day(4)]


def test_missing_every_day_keeps_day_one_due_and_never_stacks_sessions() -> None:
    p = progress(PLAN, START, day(10), set())
    assert p.missed == 10
    assert p.current is not None and p.current.index == 0
    assert len({s.on for s in p.slots}) == len(p.slots)  # one plan day per date


def test_two_sessions_in_a_day_count_for_that_day_only() -> None:
    # Day 1's and day 2's routines both played on day 1: day 2 is still due on day 2.
    p = progress(PLAN, START, day(1), did((A, 0), (B, 0)))
    assert p.current is not None and p.current.day.routine == B and not p.current.done
    # The same routine twice on day 1 does not do day 2 either.
    p = progress(Program("aa", "AA", (Day(A), Day(A))), START, day(1), did((A, 0)))
    assert p.current is not None and p.current.index == 1 and not p.current.done


def test_a_session_of_the_wrong_routine_does_not_count() -> None:
    p = progress(PLAN, START, day(1), did((C, 0)))
    assert p.missed == 1 and p.current is not None and p.current.index == 0


def test_rest_days_pass_with_the_calendar() -> None:
    p = progress(PLAN, START, day(3), did((A, 0), (B, 1)))
    assert p.current is not None and p.current.day.routine == C
    today = progress(PLAN, START, day(2), did((A, 0), (B, 1))).current
    assert today is not None and today.day.rest and not today.done


def test_finished_after_the_last_day_is_done() -> None:
    done = did((A, 0), (B, 1), (C, 3))
    last = progress(PLAN, START, day(3), done)
    assert last.current is not None and last.current.done and last.finished
    after = progress(PLAN, START, day(9), done)
    assert after.current is None and after.finished and after.missed == 0


def test_not_finished_while_a_session_day_is_left() -> None:
    p = progress(PLAN, START, day(3), did((A, 0), (B, 1)))
    assert not p.finished


def test_a_program_restarted_counts_only_from_its_new_start() -> None:
    done = did((A, 0), (B, 1))
    restarted = progress(PLAN, day(5), day(5), done)
    assert restarted.current is not None and restarted.current.index == 0
    assert not restarted.current.done and restarted.missed == 0


def test_a_start_in_the_future_has_no_day_today() -> None:
    p = progress(PLAN, day(3), day(0), set())
    assert p.current is None and not p.finished and p.slots[0].on == day(3)


def test_a_session_late_in_the_evening_counts_for_the_day_it_was_played_where_it_was() -> None:
    # 23:30 in New York is already the next day in UTC; the record keeps its own offset.
    late = record(A, f"{day(0).isoformat()}T23:30:00-05:00")
    assert datetime.fromisoformat(str(late["started"])).astimezone(timezone.utc).date() == day(1)
    p = progress(PLAN, START, day(1), programs.session_days([late]))
    assert p.current is not None and p.current.day.routine == B


def test_a_session_just_after_midnight_counts_for_the_new_day() -> None:
    early = record(B, f"{day(1).isoformat()}T00:05:00+01:00")
    p = progress(PLAN, START, day(1), programs.session_days([record(A, f"{day(0)}T08:00:00+01:00"),
                                                              early]))
    assert p.current is not None and p.current.day.routine == B and p.current.done


# ------------------------------------------------------------------------------ the files


def write(tmp_path: Path, text: str, name: str = "mine.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


KNOWN = [A, B, C]


def problems(path: Path) -> list[str]:
    program, found = check_program_file(path, KNOWN)
    assert (program is None) == any(p.severity == "error" for p in found)
    return [f"{p.line}:{p.column}: {p.message}" for p in found]


def test_a_good_program_loads_with_rest_days_and_notes(tmp_path: Path) -> None:
    path = write(tmp_path, f"name: Mine\nsummary: For me.\ndays:\n  - {A}\n  - rest\n"
                           f"  - routine: {B}\n    note: After lunch.\n  - {{routine: rest}}\n")
    program, found = check_program_file(path, KNOWN)
    assert found == [] and program is not None
    assert [d.routine for d in program.days] == [A, None, B, None]
    assert program.days[2].note == "After lunch." and program.sessions == 2


def test_an_unknown_routine_is_one_error_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, f"name: Mine\ndays:\n  - {A}\n  - forearms-typist\n")
    assert problems(path) == ["4:5: unknown routine 'forearms-typist' "
                              "(did you mean 'forearms-typists'?)"]


def test_an_unknown_routine_in_a_mapping_points_at_its_value(tmp_path: Path) -> None:
    path = write(tmp_path, "name: Mine\ndays:\n  - routine: nothing-like-it\n")
    assert problems(path) == ["3:14: unknown routine 'nothing-like-it'; "
                              "'unknot list' shows them all"]


def test_empty_days_is_one_error(tmp_path: Path) -> None:
    assert problems(write(tmp_path, "name: Mine\ndays: []\n")) == [
        "2:7: 'days' must be a list of at least one day (routine ids or rest)"]


def test_a_day_that_is_neither_is_one_error(tmp_path: Path) -> None:
    path = write(tmp_path, f"name: Mine\ndays:\n  - {A}\n  - [{B}, {C}]\n")
    assert problems(path) == [
        "4:5: a day is a routine id, 'rest', or {routine: ID, note: TEXT}, got a list"]
    path = write(tmp_path, f"name: Mine\ndays:\n  - {A}\n  -\n")
    assert len(problems(path)) == 1


def test_an_unknown_field_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, f"name: Mine\nday:\n  - {A}\n")
    assert problems(path)[0] == "2:1: unknown field 'day' in a program (did you mean 'days'?)"
    path = write(tmp_path, f"name: Mine\ndays:\n  - routine: {A}\n    notes: x\n")
    assert problems(path) == ["4:5: unknown field 'notes' in a day (did you mean 'note'?)"]


@pytest.mark.parametrize("text, expected", [
    ("", "1:1: file is empty: a program needs a name and days"),
    ("name: [unclosed\n", "bad YAML"),
    ("days:\n  - rest\n  - rest\n", "missing 'name'"),
    ("name: Mine\n", "missing 'days'"),
    ("name: Mine\ndays: [rest]\n", "every day is a rest day"),
    ("name: Mine\nname: Again\ndays: [rest]\n", "duplicate key 'name' (first at line 1)"),
    ("name: &n Mine\nsummary: *n\ndays: [rest]\n", "aliases"),
    ("name: !!python/object x\ndays: [rest]\n", "tag '!!python/object"),
    ("- just\n- a list\n", "a program is a mapping"),
    ("name: Mine\ndays:\n" + "  - rest\n" * 1001, "too many days"),
    ("version: 2\nname: Mine\ndays: [quick-reset]\n", "unknown version"),
])
def test_bad_files_give_a_located_error_never_an_exception(tmp_path: Path, text: str,
                                                           expected: str) -> None:
    found = problems(write(tmp_path, text))
    assert found and any(expected in line for line in found), found


def test_deep_nesting_and_binary_files_are_refused(tmp_path: Path) -> None:
    deep = write(tmp_path, "name: x\ndays: " + "[" * 100_000)
    assert problems(deep)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"name: \xff\xfe\0")
    assert problems(binary) == ["1:1: binary file: a program is a YAML text file"]
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"name: caf\xe9\ndays: [rest]\n")
    assert "not UTF-8" in problems(latin)[0]


def test_every_built_in_program_is_valid_and_says_who_it_is_for_and_when_to_stop() -> None:
    entries = [e for e in programs.discover() if e.source == "built-in"]
    assert len(entries) >= 3
    for entry in entries:
        assert entry.problems == [], entry.problems
        program = entry.program
        assert program is not None and program.sessions >= 5
        assert program.summary.startswith("For "), program.id
        assert "clinician" in program.caution and "stop" in program.caution.lower(), program.id


def test_validate_checks_program_files_with_file_line_col(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]
                                                         ) -> None:
    folder = tmp_path / "programs"
    folder.mkdir()
    write(folder, "name: Mine\ndays:\n  - quick-rest\n", "bad.yaml")
    write(folder, "name: Fine\ndays: [quick-reset, rest]\n", "fine.yaml")
    assert main(["validate", str(folder)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{folder / 'bad.yaml'}:3:5: error: unknown routine 'quick-rest' "
                   "(did you mean 'quick-reset'?)"]
    built_in = programs.builtin_programs_dir()
    assert main(["validate", str(built_in)]) == 0


def test_a_user_program_hides_a_built_in_of_the_same_id(unknot_home: Path) -> None:
    write(_mkdir(unknot_home), "name: My desk week\ndays: [quick-reset]\n", "desk-week.yaml")
    found = programs.find("desk-week")
    assert found.name == "My desk week" and found.source == "user"


def _mkdir(home: Path) -> Path:
    folder = home / "programs"
    folder.mkdir(exist_ok=True)
    return folder


# ------------------------------------------------------------------------------ the state


def test_state_round_trips_and_is_written_by_rename(unknot_home: Path) -> None:
    programs.write_state(programs.State("desk-week", START))
    path = unknot_home / "program.json"
    assert json.loads(path.read_text()) == {"version": 1, "program": "desk-week",
                                            "started": "2026-03-02"}
    assert programs.read_state() == programs.State("desk-week", START)
    assert [p.name for p in unknot_home.iterdir()] == ["program.json"]  # no temp file left
    programs.write_state(None)
    assert not path.exists() and programs.read_state() is None


@pytest.mark.parametrize("damage", [b"{not json", b"[1, 2]", b'{"program": "x"}',
                                    b'{"program": "x", "started": "yesterday"}', b"\xff\xfe",
                                    b'{"program": "../etc", "started": "2026-01-01"}'])
def test_a_damaged_state_file_gives_one_warning_and_a_fresh_start(
        unknot_home: Path, damage: bytes, capsys: pytest.CaptureFixture[str]) -> None:
    (unknot_home / "program.json").write_bytes(damage)
    assert main(["today", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["program"] is None
    warnings = [line for line in captured.err.splitlines() if line]
    assert len(warnings) == 1 and "damaged" in warnings[0] and "program.json" in warnings[0]
    assert main(["program", "start", "desk-week"]) == 0  # and a fresh start works


# --------------------------------------------------------------------------- the commands


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    """A fixed, movable "today" for the commands."""
    now = [START]
    monkeypatch.setattr(programs, "local_today", lambda: now[0])
    return now


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    assert main(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_program_list_json_has_the_contract_fields(today: list[date],
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["program", "start", "desk-week"]) == 0
    capsys.readouterr()
    rows = run_json(capsys, "program", "list", "--json")
    assert isinstance(rows, list)
    desk = next(r for r in rows if r["id"] == "desk-week")
    assert desk == {"id": "desk-week", "name": "A desk worker's five days", "days": 5,
                    "sessions": 5, "source": "built-in", "active": True}
    back = next(r for r in rows if r["id"] == "low-back-two-weeks")
    assert back["days"] == 14 and back["sessions"] == 13 and back["active"] is False


def test_today_follows_history_through_a_week(today: list[date],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert run_json(capsys, "today", "--json") == {
        "program": None, "day": None, "of": None, "routine": None, "rest": False,
        "done": False, "finished": False}
    assert main(["program", "start", "desk-week"]) == 0
    assert "day 1 of 5 is today" in capsys.readouterr().out
    state = run_json(capsys, "today", "--json")
    assert state == {"program": "desk-week", "day": 1, "of": 5, "routine": A, "rest": False,
                     "done": False, "finished": False}
    history.append_record(record(A, f"{START}T12:00:00+01:00"))
    assert run_json(capsys, "today", "--json") == {**state, "done": True}
    today[0] = day(2)  # day(1) missed
    assert run_json(capsys, "today", "--json") == {**state, "day": 2, "routine": B}
    assert main(["today"]) == 0
    out = capsys.readouterr().out
    assert f"Day 2 of 5 of A desk worker's five days: {resolve(B).name} · " in out
    assert "Start it with: unknot play forearms-typists" in out and "Streak:" in out
    assert main(["program", "show", "desk-week"]) == 0
    shown = capsys.readouterr().out
    assert "1 missed day moved the plan" in shown
    assert "✓ done" in shown.splitlines()[-5] and "← today" in shown.splitlines()[-4]


def test_today_says_when_the_program_is_finished(today: list[date],
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["program", "start", "desk-week", "--from", "2026-03-02"]) == 0
    for n, rid in enumerate([A, B, C, "jaw-temples", A]):
        history.append_record(record(rid, f"{day(n)}T18:00:00+01:00"))
    today[0] = day(7)
    capsys.readouterr()
    got = run_json(capsys, "today", "--json")
    assert got == {"program": "desk-week", "day": None, "of": 5, "routine": None,
                   "rest": False, "done": False, "finished": True}
    assert main(["today"]) == 0
    assert "Program finished" in capsys.readouterr().out


def test_stop_and_unknown_programs(today: list[date], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["program", "stop"]) == 0
    assert "No program is active" in capsys.readouterr().out
    assert main(["program", "start", "desk-wek"]) == 1
    assert "did you mean 'desk-week'?" in capsys.readouterr().err
    assert main(["program", "start", "desk-week", "--from", "soon"]) == 2
    assert "invalid date 'soon'" in capsys.readouterr().err
    assert main(["program", "start", "runners-week", "--from", "tomorrow"]) == 0
    assert "is 2026-03-03" in capsys.readouterr().out
    assert run_json(capsys, "today", "--json")["day"] is None  # type: ignore[index]
    assert main(["program", "stop"]) == 0
    assert "Stopped runners-week" in capsys.readouterr().out
    assert programs.read_state() is None


@pytest.mark.parametrize("argv", [
    ["today"], ["today", "--json"], ["program", "list", "--json"], ["program", "show", "desk-week"],
    ["program", "export", "desk-week", "--ics", "-"], ["schema", "--program"],
    ["validate", str(programs.builtin_programs_dir())],
])
def test_program_commands_do_not_import_textual(argv: list[str]) -> None:
    import subprocess
    import sys

    probe = ("import sys\nfrom player.cli import main\ncode = main(sys.argv[1:])\n"
             "print('HEAVY', sorted(m for m in sys.modules if m.split('.')[0] in "
             "('textual', 'rich')))\nsys.exit(code)\n")
    proc = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "HEAVY []"
