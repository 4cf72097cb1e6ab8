"""Provides the headless timing benchmark: how close to plan do events reach a reader?

Writes a routine of 12 steps and 45 s (sides, switches, lead-ins, countdowns) to a temporary
file, runs `unknot play FILE --headless --json --no-sound` in a subprocess at real speed, reads
its lines as they arrive with this process's own monotonic clock, and prints p50 / p99 / max of
|arrival − planned| for segment events, cues and `done`. Planned arrival = T0 + the event's
planned offset `at`, where T0 is the earliest (arrival − at) over the run: the session's start
as seen by this reader when its most punctual line came through. (Anchoring on the first line
instead would charge every event with the jitter of that one line, which arrives while the
child is still busy starting up; the table prints that figure too, as `skew`.)
It also prints the child's own view, t − at (its clock when it emitted the line).
Also prints the child's CPU seconds per wall second, for the whole run (start-up included,
from getrusage(RUSAGE_CHILDREN)) and between the first and last line (from /proc, on Linux).

Targets (issue 3): max < 20 ms, median < 5 ms, CPU < 1 % of one core.

    .venv/bin/python bench/timing.py            # about 45 s
    .venv/bin/python bench/timing.py --speed 5  # a quick look (offsets scaled back)
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

ROUTINE = """\
name: Timing bench
summary: Twelve short steps, 45 seconds, for measuring event timing.
defaults:
  lead_in: 1s
  cues: {countdown: 1, halfway: true}
steps:
"""
# six two-sided steps of 1 + 2 + 1 + 2 s, six one-sided steps of 1.5 s without lead-in
for _i in range(6):
    ROUTINE += ("  - technique: trigger-point\n    region: upper-trapezius\n    side: each\n"
                "    duration: 2s\n")
for _i in range(6):
    ROUTINE += "  - technique: stretch\n    region: calves\n    duration: 1.5s\n    lead_in: 0\n"
TOTAL = 6 * 6.0 + 6 * 1.5


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = min(int(round(q / 100 * (len(ordered) - 1))), len(ordered) - 1)
    return ordered[k]


def proc_cpu(pid: int) -> float | None:
    """utime + stime of a live process in seconds (Linux /proc), or None elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed", type=float, default=1.0,
                        help="run faster (lateness is still reported in real milliseconds)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="unknot-bench-") as tmp:
        path = Path(tmp) / "timing-bench.yaml"
        path.write_text(ROUTINE, encoding="utf-8")
        env = dict(os.environ, UNKNOT_HOME=str(Path(tmp) / "home"))  # keep real history clean
        cmd = [sys.executable, "-m", "player", "play", str(path), "--headless", "--json",
               "--no-sound", "--speed", str(args.speed)]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        spawned = time.monotonic()
        child = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE,
                                 stdin=subprocess.DEVNULL)
        assert child.stdout is not None
        fd = child.stdout.fileno()
        arrivals: list[tuple[float, dict[str, object]]] = []
        buf = b""
        cpu_first: float | None = None
        cpu_last: float | None = None
        wall_first = wall_last = 0.0
        while True:
            select.select([fd], [], [])
            chunk = os.read(fd, 65536)
            now = time.monotonic()
            if not chunk:
                break
            buf += chunk
            *lines, buf = buf.split(b"\n")
            for line in lines:
                obj = json.loads(line)
                if not arrivals:
                    cpu_first, wall_first = proc_cpu(child.pid), now
                arrivals.append((now, obj))
                if obj.get("event") == "done":
                    cpu_last, wall_last = proc_cpu(child.pid), now
        code = child.wait()
        ended = time.monotonic()
        after = resource.getrusage(resource.RUSAGE_CHILDREN)

    if code != 0 or not arrivals:
        print(f"the child failed (exit {code})", file=sys.stderr)
        return 1
    timed = [(when, obj) for when, obj in arrivals
             if obj.get("event") in ("segment", "cue", "done") and obj.get("at") is not None]
    starts = [when - float(obj["at"]) / args.speed for when, obj in timed]  # type: ignore[arg-type]
    anchor = min(starts)
    skew = (starts[0] - anchor) * 1000.0
    groups: dict[str, list[float]] = {"segment": [], "cue": [], "done": []}
    own: list[float] = []
    for when, obj in timed:
        at = float(obj["at"])  # type: ignore[arg-type]
        planned = anchor + at / args.speed
        groups[str(obj["event"])].append(abs(when - planned) * 1000.0)
        own.append(abs(float(obj["t"]) - at) / args.speed * 1000.0)  # type: ignore[arg-type]
    groups["all"] = [v for k in ("segment", "cue", "done") for v in groups[k]]

    wall = ended - spawned
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"unknot headless timing: {len(arrivals)} lines, routine {TOTAL:g} s "
          f"at speed {args.speed:g}, wall {wall:.2f} s")
    print(f"{'events':<10}{'n':>5}{'p50 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for name, values in [*groups.items(), ("child t−at", own)]:
        print(f"{name:<10}{len(values):>5}{statistics.median(values):>10.3f}"
              f"{percentile(values, 99):>10.3f}{max(values):>10.3f}")
    print(f"skew: the first line came {skew:.3f} ms after the earliest-anchored plan")
    print(f"CPU: {cpu:.3f} s over {wall:.2f} s wall = {100 * cpu / wall:.3f} % of one core "
          "(whole run, start-up included)")
    if cpu_first is not None and cpu_last is not None and wall_last > wall_first:
        steady = cpu_last - cpu_first
        span = wall_last - wall_first
        print(f"CPU while playing: {steady:.3f} s over {span:.2f} s = "
              f"{100 * steady / span:.3f} % of one core (first to last line; "
              f"/proc ticks of {1 / os.sysconf('SC_CLK_TCK'):.3f} s)")
    seg_all = groups["segment"] + groups["done"]
    ok_max = max(groups["all"]) < 20.0
    ok_median = statistics.median(seg_all) < 5.0
    ok_cpu = cpu / wall < 0.01
    print(f"targets: max < 20 ms {'met' if ok_max else 'MISSED'} · median < 5 ms "
          f"{'met' if ok_median else 'MISSED'} · CPU < 1 % {'met' if ok_cpu else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
