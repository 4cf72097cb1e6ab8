#!/usr/bin/env python3
"""Benchmarks the TUI in a real terminal (tmux), side by side with minimal Textual apps.

Every figure is measured in the same run as its floor, a Textual app built here:
- "hello": one Static line. "digits": a Digits widget counting down, updated once a second.

1. First frame: from tmux starting the process in a 100×30 pane (`respawn-pane`, so no typing
   into a shell is counted) until the routine list (or the hello line) is on screen, polled
   with capture-pane every 10 ms; unknot and hello take turns, after one untimed launch of each
   (which warms unknot's parsed-library cache, as any launch after the first finds it). Every
   timed unknot launch uses that same UNKNOT_HOME: the cache is keyed by the routine folders,
   and the user folder is in UNKNOT_HOME, so a fresh home per launch was a cold cache each time
   (a first launch, measured on its own line, without a target).
   Target (issue 11): median ≤ 1.3× the hello app's.
2. CPU while a step counts down: `unknot play desk-neck-shoulders`, utime+stime from
   /proc/PID/stat over the sampling window, against the digits app. Target: ≤ 1 % of a core
   and ≤ 2× the digits app. The idle picker is measured the same way beside the idle hello app.
3. Cue lateness in the TUI, read from outside: `unknot play ROUTINE --events FIFO` in the pane,
   this process reading the FIFO; |arrival − planned| anchored on the first event. Target:
   p99 ≤ 5 ms, max ≤ 20 ms. Printed as "not measured" while `play` has no `--events`.
Each run uses a fresh UNKNOT_HOME with the first-run notice already read.

    .venv/bin/python bench/tui.py [--runs 10] [--cpu-seconds 10] [--check] [--quick]
"""

from __future__ import annotations

import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import PYTHON, UNKNOT, Report, Samples, arguments, percentile  # noqa: E402

#: One parsed-library cache for every run, warmed before the timed ones (as on a second launch).
CACHE = Path(tempfile.mkdtemp(prefix="unknot-bench-cache-"))

#: On screen once the picker has listed the library (a built-in's row; names may change).
PICKER_READY = "built-in"

HELLO = """\
from textual.app import App
from textual.widgets import Static


class Hello(App):
    def compose(self):
        yield Static("Hello bench")


Hello().run()
"""

DIGITS = """\
from textual.app import App
from textual.widgets import Digits, Static


class Countdown(App):
    def compose(self):
        yield Static("Digits bench")
        yield Digits("10:00")

    def on_mount(self):
        self.left = 600
        self.set_interval(1, self.tick)

    def tick(self):
        self.left -= 1
        self.query_one(Digits).update(f"{self.left // 60:02d}:{self.left % 60:02d}")


Countdown().run()
"""


class Pane:
    """A private tmux server with one 100×30 pane, idle until `start` runs a command in it."""

    def __init__(self, home: Path) -> None:
        self.socket = f"unknot-bench-{uuid.uuid4().hex[:8]}"
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "100", "-y", "30",
                  "-e", f"UNKNOT_HOME={home}", "-e", f"UNKNOT_CACHE={CACHE}", "cat")
        self.tmux("set-option", "-t", "b", "remain-on-exit", "on")

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=10).stdout

    def start(self, command: str) -> float:
        """Replace the pane's process by `command`; the perf_counter just before tmux runs it."""
        t0 = time.perf_counter()
        self.tmux("respawn-pane", "-k", "-t", "b", f"exec {command}")
        return t0

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b")

    def wait(self, text: str, timeout: float = 20.0, interval: float = 0.01) -> float:
        """perf_counter when `text` is first seen on screen (raises on timeout)."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if text in self.screen():
                return time.perf_counter()
            time.sleep(interval)
        raise RuntimeError(f"timed out waiting for {text!r}:\n{self.screen()}")

    def pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", "b", "#{pane_pid}").strip())

    def close(self) -> None:
        self.tmux("kill-server")


def fresh_home() -> Path:
    home = Path(tempfile.mkdtemp(prefix="unknot-bench-"))
    (home / ".notice-seen").write_text("shown\n")
    return home


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_frame(command: str, ready: str, home: Path | None = None) -> float:
    """Launch to `ready` on screen, in `home` (default: a fresh one, as on a first launch)."""
    pane = Pane(home or fresh_home())
    try:
        t0 = pane.start(command)
        return pane.wait(ready) - t0
    finally:
        pane.close()
        shutil.rmtree(home, ignore_errors=True)


def cpu_share(command: str, ready: str, keys: list[str], running: str,
              seconds: float) -> float:
    """Percent of one core `command` uses once `running` is on screen after `keys`."""
    home = fresh_home()
    pane = Pane(home)
    try:
        pane.start(command)
        pane.wait(ready)
        for key in keys:
            pane.tmux("send-keys", "-t", "b", key)
        pane.wait(running)
        time.sleep(1.0)  # past start-up work (imports, first layout)
        pid = pane.pid()
        cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
        time.sleep(seconds)
        cpu1, wall1 = cpu_seconds(pid), time.perf_counter()
        return (cpu1 - cpu0) / (wall1 - wall0) * 100
    finally:
        pane.close()
        shutil.rmtree(home, ignore_errors=True)


def has_events_option() -> bool:
    out = subprocess.run([str(UNKNOT), "play", "--help"], capture_output=True, text=True,
                         timeout=60).stdout
    return "--events" in out


def events_lateness(speed: float) -> tuple[list[float], str | None]:
    """|arrival − planned| in ms of the TUI's --events lines read from a FIFO, or a reason."""
    home = fresh_home()
    fifo = home / "events.fifo"
    os.mkfifo(fifo)
    pane = Pane(home)
    arrivals: list[tuple[float, dict[str, Any]]] = []
    try:
        pane.start(f"{UNKNOT} play desk-neck-shoulders --no-sound --no-voice --speed {speed:g}"
                   f" --events {fifo}")
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        try:
            pane.wait("Pain right now")
            pane.tmux("send-keys", "-t", "b", "Enter")
            buf = b""
            deadline = time.monotonic() + 600
            while time.monotonic() < deadline:
                ready, _, _ = select.select([fd], [], [], 1.0)
                if not ready:
                    continue
                chunk = os.read(fd, 65536)
                now = time.monotonic()
                if not chunk:
                    if arrivals:
                        break
                    time.sleep(0.01)  # no writer yet
                    continue
                buf += chunk
                *lines, buf = buf.split(b"\n")
                for line in lines:
                    if line.strip():
                        obj = json.loads(line)
                        arrivals.append((now, obj))
                        if obj.get("event") == "done":
                            deadline = 0
        finally:
            os.close(fd)
    finally:
        pane.close()
        shutil.rmtree(home, ignore_errors=True)
    timed = [(w, o) for w, o in arrivals if o.get("event") in ("segment", "cue", "done")
             and isinstance(o.get("at"), (int, float))]
    if len(timed) < 2:
        return [], f"--events gave {len(arrivals)} lines, {len(timed)} with a planned `at`"
    anchor = timed[0][0] - float(timed[0][1]["at"]) / speed
    return [abs(w - anchor - float(o["at"]) / speed) * 1000 for w, o in timed], None


def main() -> int:
    def extra(p: Any) -> None:
        p.add_argument("--runs", type=int, default=None)
        p.add_argument("--cpu-seconds", type=float, default=None)
    args = arguments(__doc__, extra)
    runs = args.runs or (6 if args.quick else 10)
    seconds = args.cpu_seconds or (8.0 if args.quick else 10.0)
    report = Report("bench/tui.py: the TUI in tmux beside minimal Textual apps", args)
    if shutil.which("tmux") is None or not UNKNOT.exists():
        report.not_measured("tui", "needs tmux and .venv/bin/unknot (scripts/setup)")
        return report.finish()
    with tempfile.TemporaryDirectory(prefix="unknot-bench-apps-") as tmp:
        hello, digits = Path(tmp) / "hello.py", Path(tmp) / "digits.py"
        hello.write_text(HELLO)
        digits.write_text(DIGITS)
        ours_cmd = f"{UNKNOT} --no-sound --no-voice"
        hello_cmd = f"{PYTHON} {hello}"
        home = fresh_home()
        first_frame(ours_cmd, PICKER_READY, home)  # warms the cache (a second launch's state)
        first_frame(hello_cmd, "Hello bench")
        mine, floor, cold = [], [], []
        for run in range(runs):
            mine.append(first_frame(ours_cmd, PICKER_READY, home))
            floor.append(first_frame(hello_cmd, "Hello bench"))
            if run % 2 == 0:
                cold.append(first_frame(ours_cmd, PICKER_READY))
        a = report.show(Samples("first frame: unknot (routine list)", mine))
        b = report.show(Samples("  floor: Textual hello app", floor))
        report.against_floor("TUI first frame", a, b, max_ratio=1.3)
        report.show(Samples("first frame on a first launch (fresh home, cold cache)", cold))

        player = cpu_share(f"{UNKNOT} play desk-neck-shoulders --no-sound --no-voice",
                           "Pain right now", ["Enter"], "Routine", seconds)
        counting = cpu_share(f"{PYTHON} {digits}", "Digits bench", [], "Digits bench", seconds)
        a = report.show(Samples(f"CPU while a step counts down ({seconds:g} s)", [player], "%"))
        b = report.show(Samples("  floor: Digits app updated each second", [counting], "%"))
        report.against_floor("TUI CPU while counting", a, b, max_ratio=2.0, max_value=1.0)

        picker = cpu_share(ours_cmd, PICKER_READY, [], PICKER_READY, seconds)
        idle = cpu_share(hello_cmd, "Hello bench", [], "Hello bench", seconds)
        a = report.show(Samples(f"CPU of the idle picker ({seconds:g} s)", [picker], "%"))
        b = report.show(Samples("  floor: idle hello app", [idle], "%"))
        report.against_floor("TUI idle picker CPU", a, b)

    if not has_events_option():
        report.not_measured("TUI cue lateness", "--events not available (unknot play --help)")
    else:
        late, why = events_lateness(10.0)
        if why:
            report.not_measured("TUI cue lateness", why)
        else:
            report.note(f"TUI --events lateness: p50 {statistics.median(late):.3f} ms, "
                        f"p99 {percentile(late, 99):.3f} ms, max {max(late):.3f} ms "
                        f"(n={len(late)}, at --speed 10)")
            report.verdict("TUI cue lateness p99", percentile(late, 99) <= 5.0,
                           f"{percentile(late, 99):.3f} ms, target ≤ 5 ms")
            report.verdict("TUI cue lateness max", max(late) <= 20.0,
                           f"{max(late):.3f} ms, target ≤ 20 ms")
    return report.finish()


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(CACHE, ignore_errors=True)
