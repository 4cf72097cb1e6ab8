"""Only real sessions reach the history, with honest times (design.md "Previews are not sessions").

A --speed preview is not saved unless --record is given; a session stopped in its first 10 s is
not saved; `ended` is `started` plus the monotonic time that passed, whatever the wall clock did.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from snapshot_app import CALVES, player_app, sync
from test_history import BERLIN, WallClock, routine

from player import paths
from player.clock import FakeClock
from player.history import SessionRecorder
from player.session import Session
from player.timeline import expand
from player.tui.screens.summary import SummaryScreen

REPO = Path(__file__).resolve().parent.parent

ROUTINE_YAML = """\
name: Short one
steps:
  - technique: trigger-point
    region: calves
    duration: 15s
    lead_in: 0
"""


def played(rec: SessionRecorder, clock: FakeClock, seconds: float,
           wall: WallClock | None = None, jump: timedelta = timedelta()) -> None:
    session = Session(expand(routine()), clock=clock)
    session.subscribe(rec)
    session.start()
    if wall is not None:
        wall.now += jump  # the wall clock is set forward (or back) mid-session
    for _ in range(int(seconds)):
        clock.advance(1)
        session.poll()
    session.stop()


@pytest.mark.parametrize("seconds", [0.5, 3, 9])
def test_a_session_stopped_in_its_first_ten_seconds_is_not_saved(seconds: float) -> None:
    clock = FakeClock()
    rec = SessionRecorder(routine(), clock=clock)
    played(rec, clock, seconds)
    assert rec.save() is None
    assert not paths.history_path().exists()
    assert rec.not_saved is not None and "first 10 s" in rec.not_saved


def test_a_preview_is_not_saved_however_long() -> None:
    clock = FakeClock()
    rec = SessionRecorder(routine(), clock=clock, preview=True)
    played(rec, clock, 60)
    assert rec.save() is None
    assert not paths.history_path().exists()
    assert rec.not_saved is not None and "--record" in rec.not_saved


@pytest.mark.parametrize("jump", [timedelta(days=400), timedelta(days=-3), timedelta(hours=1)])
def test_ended_follows_the_monotonic_clock_not_the_wall(jump: timedelta) -> None:
    wall = WallClock(datetime(2026, 3, 1, 7, 30, 0, tzinfo=BERLIN))
    clock = FakeClock()
    rec = SessionRecorder(routine(), now=wall, clock=clock)
    played(rec, clock, 12, wall, jump)
    saved = rec.save()
    assert saved is not None
    started = datetime.fromisoformat(saved["started"])
    ended = datetime.fromisoformat(saved["ended"])
    assert started == datetime(2026, 3, 1, 7, 30, 0, tzinfo=BERLIN)
    assert ended - started == timedelta(seconds=12)


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "player", "play", *args, "--headless",
                           "--no-sound"], cwd=REPO, text=True, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=60)


def test_a_headless_preview_says_it_is_not_saved_and_record_saves_it(
        tmp_path: Path, unknot_home: Path) -> None:
    path = tmp_path / "short.yaml"
    path.write_text(ROUTINE_YAML, encoding="utf-8")
    history = unknot_home / "history.jsonl"
    done = run(str(path), "--speed", "100", "--json")
    assert done.returncode == 0 and done.stderr == ""  # JSON mode stays quiet
    assert not history.exists()
    done = run(str(path), "--speed", "100")
    assert done.returncode == 0, done.stderr
    assert "preview" in done.stderr and "not saved" in done.stderr
    assert not history.exists()
    done = run(str(path), "--speed", "100", "--record")
    assert done.returncode == 0, done.stderr
    [line] = history.read_text().splitlines()
    record = json.loads(line)
    assert record["completed"] is True and record["active_seconds"] == pytest.approx(15, abs=1)
    # A preview that took a fraction of a second of real time ends when it really ended.
    took = datetime.fromisoformat(record["ended"]) - datetime.fromisoformat(record["started"])
    assert timedelta(0) <= took < timedelta(seconds=10)


@pytest.mark.parametrize("record", [False, True], ids=["preview", "record"])
@sync
async def test_a_tui_preview_is_saved_only_with_record(record: bool, unknot_home: Path) -> None:
    """The TUI keeps the same rule as headless (issue 12 class 10 re-audit): a --speed run
    played to its end is not a session unless --record is given."""
    from test_tui_player import advance, started

    clock = FakeClock()
    app = player_app(CALVES, clock=clock, speed=10.0)
    app.record = record
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await advance(pilot, clock, 20)  # 200 routine seconds: the whole routine
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0
    history = unknot_home / "history.jsonl"
    if record:
        [line] = history.read_text(encoding="utf-8").splitlines()
        saved = json.loads(line)
        assert saved["completed"] is True
        # Ended when it really ended: 20 s of (fake) monotonic time, not 200 routine seconds.
        took = datetime.fromisoformat(saved["ended"]) - datetime.fromisoformat(saved["started"])
        assert took == timedelta(seconds=20)
    else:
        assert not history.exists()
