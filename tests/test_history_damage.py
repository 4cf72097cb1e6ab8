"""A damaged history never crashes, hangs or lies: every bad line is skipped with its number.

NaN, Infinity, numbers too big for a float, numbers too big to add, nesting 100,000 deep, and a
history path that is a FIFO or /dev/zero - through the real `unknot history` in text, --json
and --csv. The file is left byte-identical; the output stays valid JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def good(day: int, name: str = "Good") -> bytes:
    record = {"routine": "desk-neck", "name": name, "started": f"2026-11-{day:02d}T08:00:00+00:00",
              "ended": f"2026-11-{day:02d}T08:10:00+00:00", "completed": True,
              "active_seconds": 600.0, "steps_done": 3, "steps_skipped": 0,
              "pain_before": 5, "pain_after": 3, "regions": {"calves": 600.0}}
    return json.dumps(record).encode()


def damaged(field: str, raw: str) -> bytes:
    """A good record whose `field` holds `raw`, spliced in as JSON text."""
    record = json.loads(good(2))
    record[field] = "@@"
    return json.dumps(record).encode().replace(b'"@@"', raw.encode())


BAD_LINES = [
    damaged("active_seconds", "NaN"),
    damaged("active_seconds", "Infinity"),
    damaged("active_seconds", "-Infinity"),
    damaged("active_seconds", "1e400"),
    damaged("active_seconds", "9" * 400),  # an int no float can hold
    damaged("regions", '{"calves": 1e400}'),
    damaged("pain_after", "NaN"),
    damaged("steps_done", '{"x": [[1e999]]}'),
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a": ' * 50_000 + b"1" + b"}" * 50_000,
]


def run_history(*args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "player", "history", *args], cwd=REPO,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=timeout)
    return done, time.monotonic() - start


def _no_constants(name: str) -> object:
    raise AssertionError(f"{name} is not JSON")


def test_every_damaged_line_is_skipped_by_number_and_kept(unknot_home: Path) -> None:
    lines = [good(1, "First"), *BAD_LINES, good(3, "Last")]
    history = unknot_home / "history.jsonl"
    history.write_bytes(b"\n".join(lines) + b"\n")
    before = history.read_bytes()
    bad_numbers = list(range(2, 2 + len(BAD_LINES)))
    for args in ((), ("--json",), ("--csv",)):
        done, took = run_history(*args)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert took < 30
        warned = [line for line in done.stderr.splitlines() if "skipped a damaged line" in line]
        assert [int(w.split(":")[-3]) for w in warned] == bad_numbers, done.stderr
        if args == ("--json",):
            records = json.loads(done.stdout, parse_constant=_no_constants)
            assert [r["name"] for r in records] == ["First", "Last"]
        elif args == ():
            assert "First" in done.stdout and "Last" in done.stdout
            assert "This week:" in done.stdout
    assert history.read_bytes() == before


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "folder"])
def test_a_history_path_that_is_not_a_file_is_one_line_not_a_hang(unknot_home: Path,
                                                                  kind: str) -> None:
    history = unknot_home / "history.jsonl"
    if kind == "fifo":
        os.mkfifo(history)
    elif kind == "dev-zero":
        history.symlink_to("/dev/zero")
    else:
        history.mkdir()
    for args in ((), ("--json",)):
        done, took = run_history(*args, timeout=30)
        assert took < 20
        assert done.returncode == 1
        assert "Traceback" not in done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and str(history) in lines[0], done.stderr
        assert "not a regular file" in lines[0]


def unknot(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "player", *args], cwd=REPO,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert "Traceback" not in done.stderr, done.stderr
    return done, time.monotonic() - start


#: Every other command that reads the history (issue 12 class 5 re-audit), with a program
#: active so `today` and `program show` read it too.
READERS = [("history", "--region", "calves"), ("today",), ("today", "--json"),
           ("program", "show", "desk-week")]


def test_the_other_readers_skip_the_same_lines_once_each(unknot_home: Path) -> None:
    assert unknot("program", "start", "desk-week", "--from", "2026-11-01")[0].returncode == 0
    history = unknot_home / "history.jsonl"
    history.write_bytes(b"\n".join([good(1, "First"), *BAD_LINES, good(3, "Last")]) + b"\n")
    before = history.read_bytes()
    bad_numbers = list(range(2, 2 + len(BAD_LINES)))
    for args in READERS:
        done, took = unknot(*args)
        assert done.returncode == 0 and took < 30, (args, done.stderr)
        # Said as `history` says it: `history.jsonl:N: warning: skipped a damaged line`.
        assert done.stderr.splitlines() == [
            f"{history}:{n}: warning: skipped a damaged line" for n in bad_numbers], args
        if args[-1] == "--json":
            json.loads(done.stdout, parse_constant=_no_constants)
    assert history.read_bytes() == before


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_the_other_readers_refuse_a_history_that_is_not_a_file(unknot_home: Path,
                                                               kind: str) -> None:
    assert unknot("program", "start", "desk-week")[0].returncode == 0
    history = unknot_home / "history.jsonl"
    if kind == "fifo":
        os.mkfifo(history)
    else:
        history.symlink_to("/dev/zero")
    for args in READERS:
        done, took = unknot(*args)
        assert took < 20 and done.returncode == 1, (args, done.stderr)
        assert done.stderr.splitlines() == [
            f"unknot: error: cannot read {history}: not a regular file"], args
