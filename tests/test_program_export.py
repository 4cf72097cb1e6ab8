"""Tests of `unknot program export --ics` read back by two real iCalendar parsers (icalendar and
vobject), of RFC 5545 folding and escaping, and of the program JSON Schema (jsonschema)."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import icalendar
import jsonschema
import pytest
import vobject
import yaml

from player import history, programs
from player.cli import main
from player.ics import RoutineInfo, escape_text, fold, minutes, program_calendar
from player.library import resolve
from player.program_schema import program_schema
from player.programs import Day, Program, planned
from player.timeline import expand

START = date(2026, 3, 2)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> list[date]:
    now = [START]
    monkeypatch.setattr(programs, "local_today", lambda: now[0])
    return now


def events(path: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    return list(calendar.walk("VEVENT"))


def test_export_has_one_event_and_one_alarm_per_session_day(
        tmp_path: Path, today: list[date], capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "back.ics"
    assert main(["program", "export", "low-back-two-weeks", "--ics", str(out),
                 "--from", "2026-03-02", "--at", "07:30"]) == 0
    assert "Wrote 13 events" in capsys.readouterr().out
    found = events(out)
    assert len(found) == 13  # 14 days, one of them rest
    alarms = [a for e in found for a in e.walk("VALARM")]
    assert len(alarms) == 13 and all(str(a["ACTION"]) == "DISPLAY" for a in alarms)
    first = found[0]
    assert first.decoded("DTSTART") == datetime(2026, 3, 2, 7, 30)
    # Name and length come from the library's routine, whatever its content says today.
    routine = resolve("low-back-relief")
    length = minutes(expand(routine).total)
    assert first.decoded("DURATION") == timedelta(minutes=length)
    assert str(first["SUMMARY"]) == f"{routine.name} ({length} min)"
    assert "unknot play low-back-relief" in str(first["DESCRIPTION"])
    assert "Day 1 of 14 of Two weeks of low back care." in str(first["DESCRIPTION"])
    # The rest day (day 7) has no event: day 8 is on 9 March.
    dates = [e.decoded("DTSTART").date() for e in found]
    assert date(2026, 3, 8) not in dates and date(2026, 3, 9) in dates
    raw = out.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))


def test_uids_are_stable_so_a_re_export_updates_the_same_events(
        tmp_path: Path, today: list[date]) -> None:
    assert main(["program", "start", "desk-week"]) == 0
    one, two = tmp_path / "one.ics", tmp_path / "two.ics"
    assert main(["program", "export", "desk-week", "--ics", str(one)]) == 0
    history.append_record({"routine": "desk-neck-shoulders", "name": "x",
                           "started": f"{START}T09:00:00+01:00", "active_seconds": 500.0})
    today[0] = START + timedelta(days=3)  # days 2 and 3 missed: the plan moved by two days
    assert main(["program", "export", "desk-week", "--ics", str(two)]) == 0
    first, second = events(one), events(two)
    assert [str(e["UID"]) for e in first] == [str(e["UID"]) for e in second]
    assert len({str(e["UID"]) for e in first}) == 5
    moved = {str(e["UID"]): e.decoded("DTSTART").date() for e in second}
    assert moved["desk-week-day-1@unknot"] == START
    assert moved["desk-week-day-2@unknot"] == START + timedelta(days=3)


def test_a_second_parser_reads_the_same_calendar(tmp_path: Path, today: list[date]) -> None:
    out = tmp_path / "run.ics"
    assert main(["program", "export", "runners-week", "--ics", str(out), "--at", "18:45"]) == 0
    calendar = vobject.readOne(out.read_text(encoding="utf-8"))
    found = list(calendar.vevent_list)
    assert len(found) == 6
    assert all(len(e.valarm_list) == 1 for e in found)
    assert found[0].dtstart.value == datetime(2026, 3, 2, 18, 45)
    assert "unknot play post-run-legs" in found[0].description.value


def test_escaping_and_folding_survive_a_round_trip() -> None:
    note = "Slow; gentle, \\ never sharp.\nThen walk — ünïcødé " + "é" * 80
    program = Program("odd", "Odd, name; here", (Day("r", note), Day(None), Day("r")))
    text = program_calendar(planned(program, START), {"r": RoutineInfo("R", 61.0)},
                            time(8, 0), datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    parsed = list(icalendar.Calendar.from_ical(text).walk("VEVENT"))
    assert len(parsed) == 2
    assert note in str(parsed[0]["DESCRIPTION"])
    assert str(parsed[0]["SUMMARY"]) == "R (2 min)"
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = fold("X:" + "ü" * 60)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == "X:" + "ü" * 60


def test_export_to_a_folder_that_cannot_be_written_is_one_line(
        tmp_path: Path, today: list[date], capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["program", "export", "desk-week", "--ics", str(blocker / "x.ics")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("unknot: error: cannot write")


def test_a_bad_time_is_a_usage_error(today: list[date], capsys: pytest.CaptureFixture[str]
                                     ) -> None:
    # main() returns argparse's exit code (2) rather than raising SystemExit (8c6f33f).
    assert main(["program", "export", "desk-week", "--ics", "-", "--at", "25:00"]) == 2
    assert "invalid time '25:00'" in capsys.readouterr().err


# ------------------------------------------------------------------------------ the schema


def test_the_schema_is_valid_and_accepts_every_built_in_program(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema", "--program"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == program_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted(programs.builtin_programs_dir().glob("*.yaml")):
        jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


@pytest.mark.parametrize("bad", [
    {"name": "x"},
    {"name": "x", "days": []},
    {"name": "x", "days": [["a"]]},
    {"name": "x", "days": [{"note": "no routine"}]},
    {"name": "x", "days": [{"routine": "a", "notes": "typo"}]},
    {"name": "x", "day": ["a"]},
])
def test_the_schema_refuses_what_the_validator_refuses(bad: dict[str, object]) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, program_schema())
