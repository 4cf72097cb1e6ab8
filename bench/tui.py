"""Benchmarks the TUI in a real terminal (tmux): launch time and CPU while a step counts down.

    .venv/bin/python bench/tui.py [--runs 10] [--cpu-seconds 10]

1. Launch: from sending `unknot` to a 100×30 tmux pane until the routine list is on screen
   (polled with capture-pane every 10 ms). Target: median under 700 ms.
2. CPU: `unknot play desk-neck-shoulders` counting down a step; utime+stime from
   /proc/PID/stat over the sampling window. Target: under 5% of one core. The idle picker is
   measured the same way for comparison.
Each run uses a fresh UNKNOT_HOME with the first-run notice already read.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
UNKNOT = REPO / ".venv" / "bin" / "unknot"


class Pane:
    """A private tmux server with one 100×30 pane."""

    def __init__(self, home: Path, command: str = "bash --norc --noprofile") -> None:
        self.socket = f"unknot-bench-{uuid.uuid4().hex[:8]}"
        self.tmux("-f", "/dev/null", "new-session", "-d", "-s", "b", "-x", "100", "-y", "30",
                  "-e", f"UNKNOT_HOME={home}", command)

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, timeout=10).stdout

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "b")

    def wait(self, text: str, timeout: float = 10.0, interval: float = 0.01) -> float:
        """Seconds until `text` is on screen (raises on timeout)."""
        start = time.perf_counter()
        while time.perf_counter() - start < timeout:
            if text in self.screen():
                return time.perf_counter() - start
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


def launch_times(runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        home = fresh_home()
        pane = Pane(home)
        try:
            pane.wait("#" if os.geteuid() == 0 else "$", timeout=5)
            start = time.perf_counter()
            pane.tmux("send-keys", "-t", "b", "-l", f"{UNKNOT} --no-sound --no-voice")
            pane.tmux("send-keys", "-t", "b", "Enter")
            pane.wait("Tension headache")
            times.append(time.perf_counter() - start)
        finally:
            pane.close()
            shutil.rmtree(home, ignore_errors=True)
    return times


def cpu_share(command: str, ready: str, keys: list[str], running: str,
              seconds: float) -> float:
    """Percent of one core `command` uses once `running` is on screen after `keys`."""
    home = fresh_home()
    pane = Pane(home, command)
    try:
        pane.wait(ready, timeout=10)
        for key in keys:
            pane.tmux("send-keys", "-t", "b", key)
        pane.wait(running, timeout=10)
        time.sleep(1.0)  # past start-up work (imports, first layout)
        pid = pane.pid()
        cpu0, wall0 = cpu_seconds(pid), time.perf_counter()
        time.sleep(seconds)
        cpu1, wall1 = cpu_seconds(pid), time.perf_counter()
        return (cpu1 - cpu0) / (wall1 - wall0) * 100
    finally:
        pane.close()
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cpu-seconds", type=float, default=10.0)
    args = parser.parse_args()
    if shutil.which("tmux") is None or not UNKNOT.exists():
        print("needs tmux and .venv/bin/unknot (scripts/setup)", file=sys.stderr)
        return 1

    times = sorted(launch_times(args.runs))
    p90 = times[min(len(times) - 1, int(round(0.9 * (len(times) - 1))))]
    print(f"launch to routine list ({args.runs} runs): median {statistics.median(times) * 1000:.0f}"
          f" ms, min {times[0] * 1000:.0f} ms, p90 {p90 * 1000:.0f} ms, max {times[-1] * 1000:.0f}"
          f" ms (target < 700 ms median)")

    player = cpu_share(f"exec {UNKNOT} play desk-neck-shoulders --no-sound --no-voice",
                       "Pain right now", ["Enter"], "Routine", args.cpu_seconds)
    print(f"CPU while a step counts down ({args.cpu_seconds:.0f} s): {player:.2f}% of one core"
          " (target < 5%)")
    picker = cpu_share(f"exec {UNKNOT} --no-sound --no-voice", "Tension headache", [],
                       "Tension headache", args.cpu_seconds)
    print(f"CPU of the idle picker ({args.cpu_seconds:.0f} s): {picker:.2f}% of one core")
    return 0


if __name__ == "__main__":
    sys.exit(main())
