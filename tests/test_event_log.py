"""`play --events PATH`: every event as a JSON line to a file, a FIFO or stdout, for other
programs; a FIFO without a reader never holds the session, and a reader that goes away never
stops it (the session completes and is saved). Real subprocesses, a real FIFO, tmux for the TUI."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from player.clock import FakeClock
from player.event_log import EventLog
from player.playback import Playback
from player.routine import Routine, Step

REPO = Path(__file__).resolve().parent.parent

ROUTINE_YAML = """\
name: Events test
defaults:
  lead_in: 2s
  cues: {countdown: 1}
steps:
  - technique: foam-roll
    region: calves
    side: each
    duration: 12s
  - technique: breathe
    duration: 10s
    lead_in: 0
"""
#: 2 + 12 + 2 + 12 + 10
TOTAL = 38.0


@pytest.fixture
def routine(tmp_path: Path) -> Path:
    path = tmp_path / "events-test.yaml"
    path.write_text(ROUTINE_YAML, encoding="utf-8")
    return path


def play(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "player", "play", *args], cwd=REPO,
                          capture_output=True, text=True, timeout=timeout)


def history(home: Path) -> list[dict[str, object]]:
    path = home / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def reader_that_leaves(fifo: Path, got: list[str], lines: int = 3) -> threading.Thread:
    """A reader on its own thread: opens the FIFO, reads `lines` events, then goes away."""

    def read() -> None:
        with open(fifo, encoding="utf-8") as stream:
            for line in stream:
                got.append(line)
                if len(got) == lines:
                    return

    thread = threading.Thread(target=read)
    thread.start()
    return thread


def test_the_events_file_holds_the_same_objects_as_json(
        routine: Path, tmp_path: Path, unknot_home: Path) -> None:
    target = tmp_path / "events.jsonl"
    proc = play(str(routine), "--headless", "--json", "--no-sound", "--speed", "100",
                "--events", str(target))
    assert proc.returncode == 0, proc.stderr
    assert target.read_text() == proc.stdout  # the same events, the same objects
    objs = [json.loads(x) for x in proc.stdout.splitlines()]
    assert objs[0]["event"] == "segment" and objs[-1]["event"] == "done"


def test_events_to_stdout_move_the_human_lines_to_stderr(
        routine: Path, unknot_home: Path) -> None:
    proc = play(str(routine), "--headless", "--no-sound", "--speed", "100", "--events", "-")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(x) for x in proc.stdout.splitlines()]  # nothing else on stdout
    assert {o["event"] for o in objs} >= {"segment", "cue", "done"}
    assert "▶ 1/2" in proc.stderr and "■ done" in proc.stderr


@pytest.mark.parametrize(("args", "says"), [
    (["--events", "-"], "standard output is the TUI's screen"),
    (["--headless", "--json", "--events", "-"], "both write JSON to stdout"),
    (["--headless", "--events", "/nonexistent-folder/x.jsonl"], "does not exist"),
    (["--headless", "--events", "/"], "is a folder"),
])
def test_a_path_events_cannot_use_is_one_line_before_anything_starts(
        routine: Path, unknot_home: Path, args: list[str], says: str) -> None:
    proc = play(str(routine), *args)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert says in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert history(unknot_home) == []


def test_a_fifo_without_a_reader_never_holds_the_session(
        routine: Path, tmp_path: Path, unknot_home: Path) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    proc = play(str(routine), "--headless", "--no-sound", "--speed", "50", "--record",
                "--events", str(fifo))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    (record,) = history(unknot_home)
    assert record["completed"] is True


def test_a_fifo_reader_that_exits_mid_session_never_stops_it(
        routine: Path, tmp_path: Path, unknot_home: Path) -> None:
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    thread = reader_that_leaves(fifo, got)
    try:
        proc = play(str(routine), "--headless", "--no-sound", "--speed", "10", "--record",
                    "--events", str(fifo))
    finally:
        if thread.is_alive():  # the writer never came: let the reader's open return
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
    assert proc.returncode == 0, proc.stderr
    assert "■ done" in proc.stdout and proc.stderr == ""
    assert len(got) == 3
    first = [json.loads(x) for x in got]
    assert first[0] == {**first[0], "event": "segment", "kind": "lead_in", "step": 1}
    (record,) = history(unknot_home)
    assert record["completed"] is True and record["active_seconds"] == pytest.approx(TOTAL)


def test_a_stalled_reader_costs_lines_never_time(tmp_path: Path) -> None:
    """A reader that keeps the FIFO open and never reads: lines are dropped whole."""
    fifo = tmp_path / "stalled.fifo"
    os.mkfifo(fifo)
    hold = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        clock = FakeClock()
        routine = Routine(id="r", name="R", steps=tuple(
            Step("stretch", "calves", None, 20.0, lead_in=1.0) for _ in range(200)))
        playback = Playback(routine, clock=clock, notice=lambda m, s: None)
        log = playback.log_events(str(fifo))
        playback.start()
        started = time.monotonic()
        while playback.state != "done":
            clock.advance(1.0)
            playback.poll()
        assert time.monotonic() - started < 30  # never blocked on the full pipe
        assert log.dropped > 0 and not log.closed
        data = b""
        while True:
            try:
                chunk = os.read(hold, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
        lines = data.decode().splitlines()
        assert lines and all(json.loads(x)["event"] for x in lines)  # whole lines only
    finally:
        os.close(hold)


def test_a_write_error_stops_the_log_once_and_the_session_goes_on(tmp_path: Path) -> None:
    notices: list[str] = []
    clock = FakeClock()
    routine = Routine(id="r", name="R", steps=(Step("stretch", "calves", None, 20.0),))
    playback = Playback(routine, clock=clock, notice=lambda m, s: notices.append(m))
    log = playback.log_events("/dev/full")  # every write: No space left on device
    assert isinstance(log, EventLog)
    playback.start()
    clock.advance(30)
    playback.poll()
    assert playback.state == "done"
    assert log.closed
    assert len(notices) == 1 and "/dev/full" in notices[0]


@pytest.mark.slow
def test_the_tui_writes_events_and_outlives_a_fifo_reader_that_exits(
        routine: Path, tmp_path: Path, unknot_home: Path) -> None:
    from test_tui_tmux import UNKNOT, Tmux, at_prompt

    if not UNKNOT.exists():
        pytest.skip("needs the .venv/bin/unknot entry point (scripts/setup)")
    (unknot_home / ".notice-seen").write_text("shown\n")
    fifo = tmp_path / "events.fifo"
    os.mkfifo(fifo)
    got: list[str] = []
    thread = reader_that_leaves(fifo, got)
    tmux = Tmux(unknot_home)
    try:
        tmux.wait(at_prompt, "the shell prompt")
        tmux.type(f"{UNKNOT} play {routine} --speed 10 --record --no-sound --no-voice "
                  f"--events {fifo}; echo exit=$?")
        tmux.keys("Enter")
        tmux.wait_for("Pain right now")
        tmux.keys("Enter")
        tmux.wait_for("Well done", timeout=60)
        tmux.keys("Enter")
        screen = tmux.wait(lambda s: re.search(r"^exit=\d+", s, re.M) is not None,
                           "the exit code")
        assert re.search(r"^exit=0$", screen, re.M), screen
    finally:
        tmux.close()
        if thread.is_alive():
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(10)
    assert [json.loads(x)["event"] for x in got][0] == "segment"
    assert len(got) == 3
    (record,) = history(unknot_home)
    assert record["completed"] is True and record["active_seconds"] == pytest.approx(TOTAL)
