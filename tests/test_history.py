"""Tests for player.history: the recorder with the real engine, pain parsing, appending,
reading damaged files, and the summary figures (streaks across midnight and time zones)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from player import history, paths
from player.clock import FakeClock
from player.errors import UnknotError, UsageError
from player.events import Done
from player.history import (
    FIELDS,
    HistoryError,
    SessionRecorder,
    append_record,
    parse_pain,
    read_history,
    summarize,
)
from player.routine import Routine, Step
from player.session import Session
from player.timeline import expand

BERLIN = timezone(timedelta(hours=1))
NEW_YORK = timezone(timedelta(hours=-5))
TOKYO = timezone(timedelta(hours=9))


def routine() -> Routine:
    return Routine(
        id="calf-test",
        name="Calf test",
        steps=(
            Step("trigger-point", "calves", "each", 20.0, lead_in=5.0),
            Step("foam-roll", "quads", None, 60.0, lead_in=5.0),
            Step("breathe", None, None, 30.0, lead_in=0.0),
        ),
    )


class WallClock:
    """Hands out wall-clock datetimes for `started`/`ended`, moved by hand."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def record(started: str, seconds: float = 600.0, **extra: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "routine": "desk", "name": "Desk", "started": started, "ended": started,
        "completed": True, "active_seconds": seconds, "steps_done": 3, "steps_skipped": 0,
        "pain_before": None, "pain_after": None,
    }
    rec.update(extra)
    return rec


# ------------------------------------------------------------------------------ parse_pain


@pytest.mark.parametrize("text,value", [("0", 0), ("10", 10), (" 7 ", 7), ("+3", 3), (4, 4)])
def test_parse_pain_accepts_whole_numbers_0_to_10(text: str, value: int) -> None:
    assert parse_pain(text) == value


@pytest.mark.parametrize("text", ["11", "-1", "3.5", "abc", "", "seven", "1e1", "100"])
def test_parse_pain_rejects_anything_else_as_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_pain(text)
    assert err.value.exit_code == 2
    assert "0 to 10" in str(err.value)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize("bad", [11, -1, True, 2.5, "5"])
def test_recorder_pain_attributes_refuse_bad_values(bad: object) -> None:
    rec = SessionRecorder(routine())
    with pytest.raises(UsageError):
        rec.pain_before = bad  # type: ignore[assignment]
    with pytest.raises(UsageError):
        rec.pain_after = bad  # type: ignore[assignment]
    rec.pain_before, rec.pain_after = 6, None
    assert (rec.pain_before, rec.pain_after) == (6, None)


# ------------------------------------------------------------------------------ recorder


def play_through(
    rec: SessionRecorder, wall: WallClock, *, stop_after: float | None = None
) -> Session:
    clock = FakeClock()
    session = Session(expand(routine()), clock=clock)
    session.subscribe(rec)
    session.start()
    if stop_after is not None:
        clock.advance(stop_after)
        session.poll()
        wall.now += timedelta(seconds=stop_after)
        session.stop()
        return session
    # One second at a time, with a 30 s pause in the middle of the quads work.
    for i in range(400):
        if session.state == "done":
            break
        if i == 75:
            session.pause()
            clock.advance(30)
            session.resume()
        clock.advance(1)
        wall.now += timedelta(seconds=1)
        session.poll()
    assert session.state == "done"
    return session


def test_recorder_writes_one_record_with_the_design_fields(unknot_home: Path) -> None:
    wall = WallClock(datetime(2026, 3, 1, 7, 30, 0, tzinfo=BERLIN))
    rec = SessionRecorder(routine(), now=wall)
    play_through(rec, wall)
    rec.pain_before, rec.pain_after = 6, 3
    saved = rec.save()
    assert saved is not None
    lines = paths.history_path().read_text().splitlines()
    assert len(lines) == 1
    stored = json.loads(lines[0])
    assert stored == saved
    assert list(stored)[: len(FIELDS)] == list(FIELDS)
    assert stored["routine"] == "calf-test" and stored["name"] == "Calf test"
    assert stored["started"] == "2026-03-01T07:30:00+01:00"
    assert datetime.fromisoformat(stored["ended"]) > datetime.fromisoformat(stored["started"])
    assert stored["completed"] is True
    assert stored["steps_done"] == 3 and stored["steps_skipped"] == 0
    # 5 + 20 + 5 + 20 + 5 + 60 + 30 planned seconds; the pause does not count.
    assert stored["active_seconds"] == pytest.approx(145.0, abs=1.0)
    assert (stored["pain_before"], stored["pain_after"]) == (6, 3)
    # Only work segments count for regions; breathe has none.
    assert stored["regions"] == {"calves": pytest.approx(40.0, abs=1.0),
                                 "quads": pytest.approx(60.0, abs=1.0)}


def test_save_writes_once_and_never_before_the_session_started(unknot_home: Path) -> None:
    rec = SessionRecorder(routine())
    assert rec.save() is None
    assert not paths.history_path().exists()
    wall = WallClock(datetime(2026, 3, 1, 7, 30, tzinfo=BERLIN))
    rec = SessionRecorder(routine(), now=wall)
    play_through(rec, wall)
    first = rec.save()
    second = rec.save()
    assert first is second
    assert len(paths.history_path().read_text().splitlines()) == 1


def test_a_stopped_session_is_recorded_as_not_completed(unknot_home: Path) -> None:
    wall = WallClock(datetime(2026, 3, 1, 22, 0, tzinfo=NEW_YORK))
    rec = SessionRecorder(routine(), now=wall)
    play_through(rec, wall, stop_after=15.0)  # in the first calves work period
    saved = rec.save()
    assert saved is not None
    assert saved["completed"] is False
    assert saved["active_seconds"] == pytest.approx(15.0)
    assert saved["steps_done"] == 0
    assert saved["regions"] == {"calves": pytest.approx(10.0)}
    assert saved["ended"] == "2026-03-01T22:00:15-05:00"


def test_region_seconds_follow_skips_extensions_and_late_polls() -> None:
    clock = FakeClock()
    session = Session(expand(routine()), clock=clock)
    rec = SessionRecorder(routine())
    session.subscribe(rec)
    session.start()
    clock.advance(5 + 8)  # lead-in, then 8 s into the first calves period, polled late
    session.poll()
    session.next()  # skip the rest of the calves step
    clock.advance(5 + 30)
    session.poll()
    session.extend(15.0)  # quads: 60 + 15
    clock.advance(200)  # far past the end of quads and into breathing, one late poll
    session.poll()
    assert session.state == "done"
    built = rec.build()
    assert built is not None
    assert built["regions"] == {"calves": 8.0, "quads": 75.0}
    assert built["steps_done"] == 2 and built["steps_skipped"] == 1
    assert built["completed"] is True


def test_region_seconds_count_work_played_again_after_going_back() -> None:
    clock = FakeClock()
    session = Session(expand(routine()), clock=clock)
    rec = SessionRecorder(routine())
    session.subscribe(rec)
    session.start()
    clock.advance(5 + 20 + 5 + 12)  # into the right-side calves period
    session.poll()
    session.pause()
    clock.advance(600)  # paused time never counts
    session.resume()
    session.restart_step()
    clock.advance(5 + 3)
    session.poll()
    session.stop()
    built = rec.build()
    assert built is not None and built["completed"] is False
    assert built["regions"] == {"calves": 20.0 + 12.0 + 3.0}
    assert built["active_seconds"] == pytest.approx(42.0 + 8.0)


def test_recorder_ignores_events_after_done() -> None:
    rec = SessionRecorder(routine())
    rec(Done(completed=False, t=10.0, steps_done=1, steps_skipped=0, active_seconds=10.0))
    rec(Done(completed=True, t=99.0, steps_done=3, steps_skipped=0, active_seconds=99.0))
    built = rec.build()
    assert built is not None and built["completed"] is False and built["active_seconds"] == 10.0


def test_recorder_accepts_an_explicit_path(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "er" / "h.jsonl"
    rec = SessionRecorder(routine(), path=target)
    rec(Done(completed=True, t=1.0, steps_done=3, steps_skipped=0, active_seconds=1.0))
    rec.save()
    assert len(read_history(target)) == 1
    assert not paths.history_path().exists()


# ------------------------------------------------------------------------------ appending


def test_unwritable_folder_is_one_clear_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    rec = SessionRecorder(routine(), path=blocker / "history.jsonl")
    rec(Done(completed=True, t=1.0, steps_done=3, steps_skipped=0, active_seconds=1.0))
    with pytest.raises(HistoryError) as err:
        rec.save()
    assert isinstance(err.value, UnknotError) and err.value.exit_code == 1
    message = str(err.value)
    assert "\n" not in message
    assert str(blocker / "history.jsonl") in message
    assert not rec.saved


def test_history_path_that_is_a_folder_is_one_clear_line(unknot_home: Path) -> None:
    paths.history_path().mkdir(parents=True)
    with pytest.raises(HistoryError) as err:
        append_record(record("2026-03-01T07:00:00+01:00"))
    assert "\n" not in str(err.value) and "history.jsonl" in str(err.value)
    with pytest.raises(HistoryError):
        read_history()


def test_a_torn_last_line_gets_a_fresh_line_before_the_next_record(unknot_home: Path) -> None:
    target = paths.history_path()
    append_record(record("2026-03-01T07:00:00+01:00"))
    whole = target.read_bytes()
    # A crash mid-write left half a record without its newline.
    target.write_bytes(whole + whole[: len(whole) // 2])
    append_record(record("2026-03-02T07:00:00+01:00"))
    lines = target.read_bytes().split(b"\n")
    assert lines[-1] == b""
    assert json.loads(lines[0])["started"].startswith("2026-03-01")
    assert lines[1] == whole[: len(whole) // 2]
    assert json.loads(lines[2])["started"].startswith("2026-03-02")
    warnings: list[str] = []
    records = read_history(warn=warnings.append)
    assert [r["started"][:10] for r in records] == ["2026-03-01", "2026-03-02"]
    assert warnings == [f"{target}:2: warning: skipped a damaged line"]


def test_records_keep_non_ascii_names(unknot_home: Path) -> None:
    append_record(record("2026-03-01T07:00:00+01:00", name="Nacken & Schultern – sanft"))
    assert read_history()[0]["name"] == "Nacken & Schultern – sanft"
    assert "Schultern – sanft" in paths.history_path().read_text(encoding="utf-8")
    # A lone surrogate (YAML allows the escape) cannot be UTF-8: it stays escaped, still valid.
    append_record(record("2026-03-02T07:00:00+01:00", name="odd \ud800 name"))
    assert read_history()[1]["name"] == "odd \ud800 name"


# ------------------------------------------------------------------------------ reading


def test_missing_or_empty_file_reads_as_no_sessions(unknot_home: Path) -> None:
    assert read_history() == []
    paths.history_path().write_text("\n\n")
    assert read_history() == []


@pytest.mark.parametrize(
    "garbage",
    [
        b"garbage",
        b'{"routine": "desk", "started": "2026-03-0',  # torn
        b"[1, 2]",
        b"42",
        b'{"routine": "desk"}',  # JSON, but not a session
        b'{"routine": "x", "started": "not a date", "active_seconds": 1}',
        b'{"routine": "x", "started": "2026-03-01T07:00:00+01:00", "active_seconds": -4}',
        b'{"routine": "x", "started": "2026-03-01T07:00:00+01:00", "active_seconds": true}',
        b"\xff\xfe not utf-8",
        b'{"a": 1}, {"b": 2}',
    ],
)
def test_a_damaged_line_is_skipped_with_its_number_and_left_in_place(
    unknot_home: Path, garbage: bytes
) -> None:
    target = paths.history_path()
    for day in (1, 2):
        append_record(record(f"2026-03-0{day}T07:00:00+01:00"))
    with target.open("ab") as f:
        f.write(garbage + b"\n")
    append_record(record("2026-03-04T07:00:00+01:00"))
    before = target.read_bytes()
    warnings: list[str] = []
    records = read_history(warn=warnings.append)
    assert [r["started"][8:10] for r in records] == ["01", "02", "04"]
    assert warnings == [f"{target}:3: warning: skipped a damaged line"]
    assert target.read_bytes() == before


def test_lines_that_only_parse_together_are_still_damaged(unknot_home: Path) -> None:
    # An unclosed bracket on one line closed on the next, and a line with two values: joined
    # they would make whole JSON, but neither line is a record by itself.
    target = paths.history_path()
    good = json.dumps(record("2026-03-01T07:00:00+01:00"))
    head = good[:-1] + ', "x": [1'
    lines = [good, head, "2]}", '{"a": 1}, 3, {"b": 2}', good]
    target.write_text("\n".join(lines) + "\n")
    warnings: list[str] = []
    records = read_history(warn=warnings.append)
    assert len(records) == 2
    assert [w.split(":")[-3] for w in warnings] == ["2", "3", "4"]


def test_many_records_with_one_damaged_line_far_in(unknot_home: Path) -> None:
    target = paths.history_path()
    good = json.dumps(record("2026-03-01T07:00:00+01:00")).encode()
    lines = [good] * 10_000
    lines[7_654] = good[:40]
    target.write_bytes(b"\n".join(lines) + b"\n")
    warnings: list[str] = []
    assert len(read_history(warn=warnings.append)) == 9_999
    assert warnings == [f"{target}:7655: warning: skipped a damaged line"]


# ------------------------------------------------------------------------------ summary


def test_streak_across_midnight_counts_calendar_days() -> None:
    recs = [
        record("2026-03-09T23:50:00+01:00"),
        record("2026-03-10T00:10:00+01:00"),  # twenty minutes later, the next day
        record("2026-03-11T21:00:00+01:00"),
    ]
    s = summarize(recs, today=date(2026, 3, 11))
    assert s.streak_days == 3 and s.played_today


def test_two_sessions_on_one_day_are_a_streak_of_one() -> None:
    recs = [record("2026-03-11T07:00:00+01:00"), record("2026-03-11T21:00:00+01:00")]
    assert summarize(recs, today=date(2026, 3, 11)).streak_days == 1


def test_streak_uses_the_local_day_of_each_record_across_time_zones() -> None:
    # 23:30 in New York is 05:30 the next day in Berlin (04:30 UTC); 00:30 in Tokyo is the
    # previous day in UTC. Each session counts for the day the person lived it.
    recs = [
        record("2026-03-08T23:30:00-05:00"),  # UTC: 2026-03-09
        record("2026-03-09T00:30:00+09:00"),  # UTC: 2026-03-08
        record("2026-03-10T08:00:00+01:00"),
    ]
    s = summarize(recs, today=date(2026, 3, 10))
    assert s.streak_days == 3
    # By UTC dates these would be 03-09, 03-08, 03-10 as well — so also check a pair where the
    # UTC date would merge two local days into one.
    merged = [record("2026-03-09T23:30:00-05:00"), record("2026-03-10T05:00:00+01:00")]
    # UTC: both 2026-03-10; locally 03-09 and 03-10.
    assert summarize(merged, today=date(2026, 3, 10)).streak_days == 2


def test_streak_counts_from_yesterday_and_breaks_on_a_gap() -> None:
    recs = [record(f"2026-03-{d:02d}T08:00:00+00:00") for d in (1, 2, 4, 5, 6)]
    assert summarize(recs, today=date(2026, 3, 7)).streak_days == 3  # 4, 5, 6; today not yet
    assert not summarize(recs, today=date(2026, 3, 7)).played_today
    assert summarize(recs, today=date(2026, 3, 6)).streak_days == 3
    assert summarize(recs, today=date(2026, 3, 8)).streak_days == 0  # yesterday missed
    assert summarize(recs, today=date(2026, 3, 3)).streak_days == 2  # 1, 2


def test_week_minutes_run_from_monday_to_today() -> None:
    # 2026-03-11 is a Wednesday; the week began on Monday 2026-03-09.
    recs = [
        record("2026-03-08T08:00:00+01:00", 600),  # Sunday: last week
        record("2026-03-09T08:00:00+01:00", 300),
        record("2026-03-11T23:59:00+01:00", 120),
    ]
    assert summarize(recs, today=date(2026, 3, 11)).week_seconds == 420


def test_region_and_day_minutes_cover_the_last_30_days() -> None:
    today = date(2026, 3, 31)
    recs = [
        record("2026-03-01T08:00:00+01:00", 100, regions={"calves": 99.0}),  # 31 days ago
        record("2026-03-02T08:00:00+01:00", 200, regions={"calves": 60.0, "neck": 30.0}),
        record("2026-03-31T08:00:00+01:00", 300, regions={"neck": 120.0}),
        record("2026-03-31T09:00:00+01:00", 50),  # an old record without regions
    ]
    s = summarize(recs, today=today)
    assert s.region_seconds == {"neck": 150.0, "calves": 60.0}
    assert list(s.region_seconds) == ["neck", "calves"]
    assert len(s.day_seconds) == 30
    assert s.day_seconds[0] == 200 and s.day_seconds[-1] == 350 and sum(s.day_seconds) == 550


def test_average_pain_change_uses_sessions_rated_before_and_after() -> None:
    recs = [
        record("2026-03-01T08:00:00+01:00", pain_before=6, pain_after=3),
        record("2026-03-02T08:00:00+01:00", pain_before=5, pain_after=4),
        record("2026-03-03T08:00:00+01:00", pain_before=5, pain_after=None),
        record("2026-03-04T08:00:00+01:00", pain_before=None, pain_after=1),
    ]
    s = summarize(recs, today=date(2026, 3, 4))
    assert s.pain_change == pytest.approx(-2.0) and s.pain_pairs == 2
    assert history.format_pain_change(s) == "−2.0 on average (2 sessions rated before and after)"
    assert summarize([], today=date(2026, 3, 4)).pain_change is None


def test_filters_by_since_and_routine() -> None:
    recs = [
        record("2026-03-01T08:00:00+01:00", routine="a", name="Alpha"),
        record("2026-03-05T08:00:00+01:00", routine="b", name="Beta"),
        record("2026-03-06T08:00:00-05:00", routine="a", name="Alpha"),
    ]
    assert len(history.filter_records(recs, since="2026-03-05")) == 2
    assert len(history.filter_records(recs, routine="a")) == 2
    assert len(history.filter_records(recs, routine="BETA")) == 1
    assert len(history.filter_records(recs, since="2026-03-02", routine="a")) == 1


@pytest.mark.parametrize(
    "text,expected",
    [("2026-03-05", "2026-03-05"), ("today", "2026-03-10"), ("yesterday", "2026-03-09"),
     ("7d", "2026-03-03"), ("0d", "2026-03-10")],
)
def test_parse_since(text: str, expected: str) -> None:
    assert history.parse_since(text, date(2026, 3, 10)) == expected


@pytest.mark.parametrize("text", ["bogus", "2026-13-01", "-3d", "d", "03/05/2026"])
def test_parse_since_rejects_bad_dates(text: str) -> None:
    with pytest.raises(UsageError):
        history.parse_since(text, date(2026, 3, 10))


def test_format_helpers() -> None:
    assert history.format_minutes(90) == "1.5 min"
    assert history.format_minutes(1800) == "30 min"
    assert history.format_pain(record("x", pain_before=6, pain_after=3)) == "6 → 3"
    assert history.format_pain(record("x", pain_before=None, pain_after=3), fancy=False) == "- -> 3"
    assert history.format_pain(record("x")) == ""
    assert history.region_name("upper-trapezius") == "Upper trapezius"
    # A region the vocabulary no longer knows reads as vocab.display_name has it everywhere
    # (it was the bare id here, the one place with its own fallback).
    assert history.region_name("made-up") == "Made up"


def test_stop_before_start_records_nothing(tmp_path):
    from player.clock import FakeClock
    from player.history import SessionRecorder
    from player.routine import Routine, Step
    from player.session import Session
    from player.timeline import expand

    routine = Routine(id="r", name="R", steps=(Step("stretch", "calves", None, 20.0),))
    session = Session(expand(routine), clock=FakeClock())
    path = tmp_path / "history.jsonl"
    recorder = SessionRecorder(routine, path=path)
    session.subscribe(recorder)
    session.stop()
    assert recorder.save() is None
    assert not path.exists()
