"""Durability of the history file with real processes: SIGKILL mid-run, two writers at once,
and the exclusive lock."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from player.history import append_record, read_history

REPO = Path(__file__).resolve().parent.parent

# Appends numbered records forever (or `count` of them), after waiting for a start signal file.
WRITER = r"""
import os, sys, time
from pathlib import Path
from player.history import append_record
path, writer, count, go = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
pad = "x" * int(sys.argv[5])
print("ready", flush=True)
while go != "-" and not os.path.exists(go):
    time.sleep(0.001)
i = 0
while count < 0 or i < count:
    append_record({
        "routine": f"writer-{writer}", "name": pad, "started": "2026-03-01T07:00:00+01:00",
        "ended": "2026-03-01T07:10:00+01:00", "completed": True, "active_seconds": 600.0,
        "steps_done": 3, "steps_skipped": 0, "pain_before": None, "pain_after": None,
        "writer": writer, "seq": i,
    }, path)
    i += 1
"""


def start_writer(path: Path, writer: int, count: int, go: str = "-", pad: int = 200
                 ) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), str(writer), str(count), go, str(pad)],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def wait_for_lines(path: Path, n: int, limit: float = 30.0) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and path.read_bytes().count(b"\n") >= n:
            return
        time.sleep(0.01)
    raise AssertionError(f"the writer did not reach {n} lines in {limit} s")


@pytest.mark.slow
def test_sigkill_mid_run_leaves_every_earlier_record_valid(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    # Big records widen the window in which the kill can land inside a write.
    proc = start_writer(path, writer=1, count=-1, pad=64 * 1024)
    wait_for_lines(path, 40)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL

    data = path.read_bytes()
    *whole, tail = data.split(b"\n")  # `tail` is b"" or a torn record
    records = [json.loads(line) for line in whole]
    assert len(records) >= 40
    assert [r["seq"] for r in records] == list(range(len(records)))
    if tail:
        with pytest.raises(ValueError):
            json.loads(tail)

    # The next session still appends a valid record, on its own line.
    append_record({**records[0], "seq": "after"}, path)
    warnings: list[str] = []
    after = read_history(path, warn=warnings.append)
    assert [r["seq"] for r in after] == [*range(len(records)), "after"]
    assert len(warnings) == (1 if tail else 0)
    assert path.read_bytes().startswith(data)


@pytest.mark.slow
def test_two_processes_writing_500_records_each_give_1000_valid_lines(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "history.jsonl"
    go = tmp_path / "go"
    procs = [start_writer(path, writer=w, count=500, go=str(go), pad=3000) for w in (1, 2)]
    go.touch()  # both start at once
    for proc in procs:
        assert proc.wait(timeout=120) == 0
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b""
    records = [json.loads(line) for line in lines[:-1]]
    assert len(records) == 1000
    for w in (1, 2):
        assert [r["seq"] for r in records if r["writer"] == w] == list(range(500))
    warnings: list[str] = []
    assert len(read_history(path, warn=warnings.append)) == 1000
    assert warnings == []


def test_a_writer_waits_for_the_lock(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    path.write_bytes(b"")
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        go = tmp_path / "go"
        proc = start_writer(path, writer=1, count=1, go=str(go))
        go.touch()
        # The writer is running and must now be stuck on the lock.
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=0.5)
        assert path.read_bytes() == b""
    finally:
        os.close(fd)  # releases the lock
    assert proc.wait(timeout=30) == 0
    assert [r["seq"] for r in read_history(path)] == [0]


def test_a_reader_waits_for_a_record_being_written(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    append_record({"routine": "a", "started": "2026-03-01T07:00:00+01:00",
                   "active_seconds": 1.0}, path)
    fd = os.open(path, os.O_RDWR | os.O_APPEND)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        reader = subprocess.Popen(
            [sys.executable, "-c",
             "import sys; from player.history import read_history; print('ready', flush=True);"
             " print(len(read_history(sys.argv[1])))", str(path)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        assert reader.stdout is not None
        assert reader.stdout.readline().strip() == "ready"
        # Half a record is on disk while the writer holds the lock...
        os.write(fd, b'{"routine": "b", "started": "2026-03-02T07:0')
        with pytest.raises(subprocess.TimeoutExpired):
            reader.wait(timeout=0.5)
        # ...and the reader only looks once the whole line is there.
        os.write(fd, b'0:00+01:00", "active_seconds": 2.0}\n')
    finally:
        os.close(fd)
    out, err = reader.communicate(timeout=30)
    assert (out.strip(), err) == ("2", "")


@pytest.mark.slow
def test_a_session_killed_mid_run_leaves_the_history_as_it_was(unknot_home: Path) -> None:
    path = unknot_home / "history.jsonl"
    for day in (1, 2, 3):
        append_record({"routine": "desk", "started": f"2026-03-0{day}T07:00:00+01:00",
                       "active_seconds": 60.0}, path)
    before = path.read_bytes()
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "play", "jaw-temples", "--headless", "--no-sound"],
        cwd=REPO, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env={**os.environ, "UNKNOT_HOME": str(unknot_home)},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline()  # the session is running
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert path.read_bytes() == before
    warnings: list[str] = []
    assert len(read_history(path, warn=warnings.append)) == 3 and warnings == []
    append_record({"routine": "next", "started": "2026-03-04T07:00:00+01:00",
                   "active_seconds": 60.0}, path)
    assert [r["routine"] for r in read_history(path)][-1] == "next"
