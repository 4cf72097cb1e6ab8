#!/usr/bin/env python3
"""Benchmarks the phone remote: 50 phones watching and one pressing, for a whole routine.

Plays a built-in routine through the real `unknot play --headless --json --speed S` twice per
round, taking turns: without `--remote` (the floor) and with `--remote --remote-bind 127.0.0.1`,
where a second process (the phones) opens WATCHERS event streams (`GET /api/stream`, plain
sockets under one selector, each read stamped before it is parsed) and one presser that pauses
for 0.2 s and resumes every 2 s (`POST /api/command`). Figures:

  lateness of the session's events    every segment and cue line's `t - at` (active seconds
                                      when emitted minus the plan, so pauses do not count), in
                                      real seconds: p99 with --remote beside p99 without it
  engine event → stream                for every event each watcher got: when the watcher read
                                      it minus when this script read the same line on the
                                      player's stdout (the player writes the line first)
  server memory                       the player's resident memory (VmRSS) sampled every
                                      0.25 s: the last quarter of the run against the second

The lateness verdict compares medians over rounds: each round plays once without and once with
--remote (taking turns, so a burst of load from elsewhere lands on both), and the median of the
rounds' p99s with --remote is set against the median of their p99s without. One round's p99 on
a shared machine swings by several times from one run to the next; the median of several
interleaved rounds does not.

Targets (issue 18): p99 lateness ≤ 1.2× the run without --remote, p99 event → stream ≤ 50 ms,
memory flat (≤ 2 MiB growth).

    .venv/bin/python bench/remote.py [--routine quick-reset] [--speed 10] [--watchers 50]
                                     [--rounds 5] [--quick] [--check]

--quick: 3 rounds at --speed 50 (under a minute).
"""

from __future__ import annotations

import json
import os
import selectors
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import UNKNOT, Report, Samples, arguments, percentile  # noqa: E402

PRESS_EVERY = 2.0
PRESS_HOLD = 0.2


def options(p: Any) -> None:
    p.add_argument("--routine", default="quick-reset", help="a library id (default quick-reset)")
    p.add_argument("--speed", type=float, default=10.0,
                   help="routine seconds per wall second (default 10; --quick 50)")
    p.add_argument("--watchers", type=int, default=50, help="event streams open (default 50)")
    p.add_argument("--rounds", type=int, default=None,
                   help="runs with and without --remote, taking turns (default 5; --quick 3)")


@dataclass
class Run:
    """One play of the routine: what its stdout said and when, and what the phones saw."""

    code: int = 0
    lines: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    #: (time read, the event object) for every event every watcher read.
    streamed: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    #: (time, MiB) of the player's resident memory.
    memory: list[tuple[float, float]] = field(default_factory=list)
    presses: int = 0
    refused: int = 0
    watchers_open: int = 0
    stderr: str = ""

    def lateness(self, speed: float) -> list[float]:
        """Real seconds each segment and cue line came after its planned time."""
        return [(o["t"] - o["at"]) / speed for _, o in self.lines
                if o.get("event") in ("segment", "cue") and o.get("at") is not None]


def rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        return None
    return None


def key(obj: dict[str, Any]) -> str:
    return json.dumps(obj, sort_keys=True)


def phones(url: str, watchers: int) -> dict[str, Any]:
    """WATCHERS streams read to their end (the server closes them when the session ends), and
    one presser meanwhile. The streams are plain sockets under one selector, each read stamped
    with time.monotonic() (the same clock in every process on this machine) before anything
    is parsed, so the figure is the server's delivery, not this client's parsing."""
    base, token = url.split("#")
    host, port = base.split("//")[1].rstrip("/").rsplit(":", 1)
    seen: dict[str, Any] = {"streamed": [], "presses": 0, "refused": 0, "open": 0}
    request = (f"GET /api/stream?token={token} HTTP/1.1\r\nHost: {host}:{port}\r\n"
               f"Accept: text/event-stream\r\n\r\n").encode()
    selector = selectors.DefaultSelector()
    streams: list[list[tuple[float, bytes]]] = []
    for _ in range(watchers):
        sock = socket.create_connection((host, int(port)), timeout=10)
        sock.sendall(request)
        sock.setblocking(False)
        streams.append([])
        selector.register(sock, selectors.EVENT_READ, data=streams[-1])
    stop = threading.Event()

    def press() -> None:
        import http.client

        while not stop.wait(PRESS_EVERY):
            for command in ("pause", "resume"):
                try:
                    conn = http.client.HTTPConnection(host, int(port), timeout=10)
                    conn.request("POST", "/api/command", json.dumps({"command": command}),
                                 {"Authorization": f"Bearer {token}",
                                  "Content-Type": "application/json"})
                    status = conn.getresponse().status
                    conn.close()
                except OSError:
                    return  # the session is over
                seen["presses" if status == 202 else "refused"] += 1
                if command == "pause" and stop.wait(PRESS_HOLD):
                    return

    presser = threading.Thread(target=press, daemon=True)
    presser.start()
    while selector.get_map():
        for key, _ in selector.select(timeout=30):
            sock = key.fileobj
            try:
                data = sock.recv(65536)  # type: ignore[union-attr]
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            at = time.monotonic()
            if not data:
                selector.unregister(sock)
                sock.close()  # type: ignore[union-attr]
                continue
            key.data.append((at, data))
    stop.set()
    presser.join(30)
    for reads in streams:
        parse_stream(reads, seen)
    return seen


def parse_stream(reads: list[tuple[float, bytes]], seen: dict[str, Any]) -> None:
    """The `data:` objects of one stream's reads, each with the time of the read that
    completed it."""
    buffer = b""
    opened = False
    for at, data in reads:
        buffer += data
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            if line.startswith(b"HTTP/1.1 200"):
                opened = True
            if line.startswith(b"data: "):
                obj = json.loads(line[6:])
                if obj.get("event") not in ("state", "ping"):
                    seen["streamed"].append((at, obj))
    seen["open"] += opened


def play(routine: str, speed: float, remote: bool, watchers: int) -> Run:
    run = Run()
    argv = [str(UNKNOT), "play", routine, "--headless", "--json", "--speed", f"{speed:g}",
            "--no-sound", "--no-voice", "--no-media-keys"]
    if remote:
        argv += ["--remote", "--remote-bind", "127.0.0.1"]
    with tempfile.TemporaryDirectory(prefix="unknot-bench-remote-") as home:
        env = {**os.environ, "UNKNOT_HOME": home}
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=env, text=True, bufsize=1)
        assert proc.stdout is not None and proc.stderr is not None
        done = threading.Event()
        threads: list[threading.Thread] = []

        def sample() -> None:
            while not done.wait(0.25):
                mib = rss_mib(proc.pid)
                if mib is not None:
                    run.memory.append((time.monotonic(), mib))

        threads.append(threading.Thread(target=sample, daemon=True))
        threads[-1].start()
        # The phones run in a process of their own, as phones would: their work does not
        # hold this script's reading of the player's stdout.
        out = Path(home) / "phones.json"
        phone: subprocess.Popen[bytes] | None = None
        for raw in proc.stdout:
            at = time.monotonic()
            obj = json.loads(raw)
            run.lines.append((at, obj))
            if obj.get("event") == "remote":
                phone = subprocess.Popen([sys.executable, __file__, "--phones", obj["url"],
                                          str(watchers), str(out)])
        run.code = proc.wait()
        run.stderr = proc.stderr.read()
        done.set()
        for t in threads:
            t.join(30)
        if phone is not None:
            phone.wait(60)
            seen = json.loads(out.read_text())
            run.streamed = [(at, o) for at, o in seen["streamed"]]
            run.presses, run.refused = seen["presses"], seen["refused"]
            run.watchers_open = seen["open"]
    return run


def p99(values: list[float]) -> float:
    return percentile(values, 99)


def phone_figures(run: Run, report: Report, watchers: int) -> tuple[float, float]:
    """p99 engine event → stream and the memory growth of one run with --remote (printed)."""
    seen = {key(o): at for at, o in run.lines}
    delays = [at - seen[key(o)] for at, o in run.streamed if key(o) in seen] or [float("inf")]
    missing = sum(1 for _, o in run.streamed if key(o) not in seen)
    mem = [m for _, m in run.memory] or [0.0]
    quarter = max(len(mem) // 4, 1)
    growth = statistics.median(mem[-quarter:]) - statistics.median(
        mem[quarter:2 * quarter] or mem)
    report.note(f"   {run.watchers_open} of {watchers} streams open, {len(run.streamed)} "
                f"events streamed ({missing} not on stdout), {run.presses} presses accepted, "
                f"{run.refused} refused; event → stream median "
                f"{statistics.median(delays) * 1000:.2f} ms, p99 {p99(delays) * 1000:.2f} ms, "
                f"max {max(delays) * 1000:.2f} ms; memory {mem[min(quarter, len(mem) - 1)]:.1f}"
                f" → {mem[-1]:.1f} MiB (growth {growth:+.2f} MiB)")
    if run.watchers_open < watchers:
        report.verdict("every watcher connected", False, f"{run.watchers_open} of {watchers}")
    return p99(delays), growth


def verdicts(report: Report, floors: list[float], subjects: list[float], streams: list[float],
             growths: list[float]) -> None:
    if floors and subjects:
        report.show(Samples("p99 lateness without --remote", floors))
        report.show(Samples("p99 lateness with --remote", subjects))
        report.note(f"   lateness verdict: the median of {len(subjects)} per-round p99s with "
                    f"--remote against the median of {len(floors)} without (rounds taking "
                    "turns)")
        report.against_floor("p99 lateness with --remote", Samples("with", subjects),
                             Samples("without --remote", floors), max_ratio=1.2)
    if streams:
        stream = report.show(Samples("p99 engine event → stream", streams))
        report.below("p99 engine event → stream", stream.median, 0.050, "ms")
    if growths:
        grown = report.show(Samples("server memory growth", growths, unit="MiB"))
        report.below("server memory flat", max(grown.values), 2.0, "MiB",
                      "largest growth, second to last quarter")


def main() -> int:
    if len(sys.argv) == 5 and sys.argv[1] == "--phones":  # the phones' own process
        url, watchers, out = sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
        out.write_text(json.dumps(phones(url, watchers)))
        return 0
    args = arguments(__doc__, options)
    speed = 50.0 if args.quick and args.speed == 10.0 else args.speed
    rounds = args.rounds if args.rounds is not None else 3 if args.quick else 5
    report = Report(f"remote: {args.watchers} phones watching and one pressing, "
                    f"{args.routine} at --speed {speed:g}, {rounds} round(s)", args)
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        for name in ("lateness", "event → stream", "memory"):
            report.not_measured(name, "aiohttp is not installed (the remote extra)")
        return report.finish()
    floors: list[float] = []
    subjects: list[float] = []
    streams: list[float] = []
    growths: list[float] = []
    for n in range(rounds):
        for remote in (False, True):
            run = play(args.routine, speed, remote, args.watchers)
            late = run.lateness(speed)
            what = "with --remote" if remote else "without --remote"
            if run.code != 0 or not late:
                report.note(f"round {n + 1} {what}: exit {run.code}, {len(late)} events; "
                            f"stderr: {run.stderr.strip()[-300:]}")
                report.verdict(f"run {what}", False, f"exit {run.code}")
                continue
            (subjects if remote else floors).append(p99(late))
            report.note(f"round {n + 1} {what}: {len(late)} events, p99 lateness "
                        f"{p99(late) * 1000:.2f} ms, max {max(late) * 1000:.2f} ms")
            if remote:
                stream, growth = phone_figures(run, report, args.watchers)
                streams.append(stream)
                growths.append(growth)
    verdicts(report, floors, subjects, streams, growths)
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
