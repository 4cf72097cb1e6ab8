"""Issue 12, class 6: output that cannot be written.

Every command with its standard output closed (`>&-`), on a full disk (`/dev/full`) or over
the file-size limit mid-run (RLIMIT_FSIZE, as a disk filling up): one line on stderr naming
what failed, exit 1, no traceback, in bounded time - and a session that had really run is
still saved, while one that never ran says it was not.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: Seconds any one of these may take on a loaded 2-core machine (each is well under 2 s idle).
BOUND = 30.0

RECORD = {"routine": "desk-neck", "name": "Desk", "started": "2026-11-02T08:00:00+00:00",
          "ended": "2026-11-02T08:10:00+00:00", "completed": True, "active_seconds": 600.0,
          "steps_done": 3, "steps_skipped": 0, "pain_before": 5, "pain_after": 3,
          "regions": {"calves": 600.0}}

FLOOR = (REPO / "tests" / "fixtures" / "floor.yaml").read_text(encoding="utf-8")

COMMANDS = [
    ["list"], ["list", "--json"],
    ["show", "desk-neck-shoulders"], ["show", "desk-neck-shoulders", "--json"],
    ["schema"],
    ["history"], ["history", "--json"], ["history", "--csv"],
    ["doctor", "--no-sound"],
    ["validate", "routines", "--json"],
    ["program", "list"], ["config"], ["today"],
    ["--help"], ["play", "--help"], ["--version"],
]


def unknot(args: list[str], where: str, **kw: object) -> tuple[subprocess.CompletedProcess[str],
                                                             float]:
    """`unknot ARGS` with stdout closed (`where="closed"`) or to /dev/full."""
    cmd = [sys.executable, "-m", "player", *args]
    if where == "closed":
        cmd = ["sh", "-c", 'exec "$@" >&-', "sh", *cmd]
        stdout: object = None
    else:
        stdout = open(os.devnull if where == "null" else "/dev/full", "w")  # noqa: SIM115
    start = time.monotonic()
    try:
        done = subprocess.run(cmd, cwd=REPO, stdout=stdout, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL, timeout=BOUND * 2, **kw)  # type: ignore[call-overload]
    finally:
        if stdout is not None:
            stdout.close()  # type: ignore[attr-defined]
    return done, time.monotonic() - start


def one_error_line(stderr: str) -> str:
    """The one line on stderr (beside the damaged history line's own warning, when read)."""
    damage = ":2: warning: skipped a damaged line"
    lines = [x for x in stderr.splitlines() if not x.endswith(damage)]
    assert "Traceback" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("where", ["closed", "full"])
@pytest.mark.parametrize("args", COMMANDS, ids=[" ".join(a) for a in COMMANDS])
def test_every_command_says_once_that_it_cannot_write(args: list[str], where: str,
                                                      unknot_home: Path) -> None:
    history = unknot_home / "history.jsonl"
    # A good line and a damaged one: neither may be touched by a failed write.
    before = json.dumps(RECORD).encode() + b"\n" + b'{"active_seconds": NaN}\n'
    history.write_bytes(before)
    done, took = unknot(args, where)
    line = one_error_line(done.stderr)
    reason = "it is closed" if where == "closed" else "No space left on device"
    assert line == f"unknot: error: cannot write to standard output: {reason}"
    assert done.returncode == 1
    assert took < BOUND
    assert history.read_bytes() == before


def test_the_same_commands_succeed_when_stdout_can_be_written(unknot_home: Path) -> None:
    # The control: the failures above are the output's, not the commands'.
    for args in (["list"], ["schema"], ["history", "--json"], ["--version"]):
        done, _ = unknot(args, "null")
        assert done.returncode == 0 and "error" not in done.stderr, (args, done.stderr)


@pytest.mark.parametrize("where", ["closed", "full"])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_a_headless_session_that_cannot_print_stops_and_says_it_saved_nothing(
        where: str, as_json: bool, tmp_path: Path, unknot_home: Path) -> None:
    routine = tmp_path / "floor.yaml"
    routine.write_text(FLOOR, encoding="utf-8")
    args = ["play", str(routine), "--headless", "--no-sound", "--no-media-keys"]
    done, took = unknot(args + (["--json"] if as_json else []), where)
    line = one_error_line(done.stderr)
    reason = "it is closed" if where == "closed" else "No space left on device"
    # Not a 0 s session, not a silent exit 0: it never ran, and it says so.
    assert line == (f"unknot: error: cannot write to standard output: {reason}; the session "
                    "stopped (stopped in its first 10 s: not saved to history)")
    assert done.returncode == 1
    assert took < BOUND
    assert not (unknot_home / "history.jsonl").exists()


def _limit_file_size(limit: int) -> None:
    """In the child: writes past `limit` bytes fail with EFBIG, as on a disk that filled up."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


#: Eight 30 s steps: more output than LIMIT bytes, text or JSON.
EIGHT = "name: Eight\ndefaults:\n  lead_in: 0\nsteps:\n" + "".join(
    f"  - technique: foam-roll\n    region: calves\n    side: {side}\n    duration: 30s\n"
    for side in ["left", "right"] * 4)
#: Bytes a file may grow to in the child: room for the history record (about 300), not for
#: the whole output.
LIMIT = 400


@pytest.mark.parametrize("as_json", [True, False], ids=["json", "text"])
def test_a_session_that_ran_before_the_disk_filled_is_saved(
        as_json: bool, tmp_path: Path, unknot_home: Path) -> None:
    limit = LIMIT
    routine = tmp_path / "eight.yaml"
    routine.write_text(EIGHT, encoding="utf-8")
    out = tmp_path / "out.txt"
    args = [sys.executable, "-m", "player", "play", str(routine), "--headless", "--no-sound",
            "--no-media-keys", "--speed", "40", "--record"] + (["--json"] if as_json else [])
    start = time.monotonic()
    with out.open("w") as stdout:
        # No .pyc writes under the limit: Python renames a short one into place, and every
        # later import of that module fails with "marshal data too short".
        done = subprocess.run(args, cwd=REPO, stdout=stdout, stderr=subprocess.PIPE, text=True,
                              stdin=subprocess.DEVNULL, timeout=BOUND * 2,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
                              preexec_fn=lambda: _limit_file_size(limit))
    took = time.monotonic() - start
    line = one_error_line(done.stderr)
    assert line == ("unknot: error: cannot write to standard output: File too large; "
                    "the session stopped (saved to history)")
    assert done.returncode == 1
    assert took < BOUND
    records = [json.loads(x) for x in (unknot_home / "history.jsonl").read_text().splitlines()]
    assert len(records) == 1
    # It stopped at the first line that did not fit, after real work (more than the 10 s floor).
    assert records[0]["completed"] is False and records[0]["active_seconds"] >= 10
    assert out.stat().st_size <= limit
    # Whole lines or nothing: the line that did not fit is not there in part.
    printed = out.read_text(encoding="utf-8")
    assert printed.endswith("\n") and printed.count("\n") >= 2, printed
    if as_json:
        assert all(json.loads(x)["event"] for x in printed.splitlines())
    else:
        assert printed.splitlines()[-1].startswith("[") and " · " in printed.splitlines()[-1]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("where", ["closed", "full"])
def test_new_that_cannot_say_where_it_wrote_says_so_on_stderr(where: str,
                                                              unknot_home: Path) -> None:
    done, took = unknot(["new", "morning"], where)
    target = unknot_home / "routines" / "morning.yaml"
    line = one_error_line(done.stderr)
    assert line.startswith("unknot: error: cannot write to standard output: ")
    # The file is there and valid, and the line says where, so the name being taken is no
    # surprise.
    assert line.endswith(f"(the routine was written to {target.resolve()})"), line
    assert done.returncode == 1 and took < BOUND
    assert target.read_text(encoding="utf-8").startswith("#")
