#!/usr/bin/env python3
"""Provides the cue latency benchmark: from a cue's deadline to simpleaudio's play() returning.

Plays a routine of many short steps through the real session engine (real monotonic clock)
and the real Sound with the simpleaudio backend, and for every cue measures

  deadline → Sound called       the engine's own lateness (sleep overshoot, poll, dispatch)
  Sound called → play returned  the sound player's part: queue hand-off, worker wake-up,
                                simpleaudio opening the device and starting its thread
  deadline → play returned      the total: how late the cue starts
  play() call alone             how long the worker thread spends inside simpleaudio

and prints p50, p99 and max in milliseconds. Target (issue 3): p99 under 5 ms.

By default ALSA_CONFIG_PATH points at a file-capture configuration writing to /dev/null, so
it is silent and works without a sound card; `--real-device` leaves ALSA's configuration
alone and plays out loud.

    .venv/bin/python bench/cue_latency.py [--steps 40] [--speed 20] [--real-device]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SILENT_CONF = """\
pcm.!default {
    type file
    slave.pcm "null"
    file "/dev/null"
    format "raw"
}
pcm.null {
    type null
}
"""


def percentiles(values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p99 = ms[min(len(ms) - 1, int(round(0.99 * (len(ms) - 1))))]
    return (f"p50 {statistics.median(ms):6.3f} ms   p99 {p99:6.3f} ms   max {ms[-1]:6.3f} ms"
            f"   (n={len(ms)})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40, help="steps in the routine (7 cues each)")
    parser.add_argument("--speed", type=float, default=20.0,
                        help="routine seconds per wall second (default 20)")
    parser.add_argument("--real-device", action="store_true",
                        help="play through the real ALSA default device, out loud")
    args = parser.parse_args()

    if not args.real_device:
        # Before anything loads libasound: ALSA reads its configuration on the first open.
        conf = Path(tempfile.mkdtemp(prefix="unknot-bench-")) / "silent.conf"
        conf.write_text(SILENT_CONF, encoding="ascii")
        os.environ["ALSA_CONFIG_PATH"] = str(conf)

    from player.events import CueFired, Event
    from player.routine import Cues, Routine, Step
    from player.session import Session
    from player.sound import make_sound
    from player.timeline import expand

    steps = tuple(
        Step("trigger-point", "upper-trapezius", None, 10.0, lead_in=3.0,
             cues=Cues(countdown=3, halfway=False))
        for _ in range(args.steps)
    )
    timeline = expand(Routine(id="bench", name="Cue latency", steps=steps))
    notices: list[str] = []
    sound = make_sound("simpleaudio", False, notice=notices.append)
    if sound.backend != "simpleaudio":
        print(f"cue_latency: simpleaudio is not usable: {'; '.join(notices)}", file=sys.stderr)
        return 1

    session = Session(timeline, speed=args.speed)
    lock = threading.Lock()
    deadline_now: list[float] = [0.0]
    due: list[float] = []          # the deadline of each cue, in the order Sound received them
    called_at: list[float] = []    # time.monotonic() when Sound was called for each cue
    returned: list[float] = []     # time.monotonic() after each play() returned
    inside: list[float] = []       # duration of each play() call

    def before_sound(event: Event) -> None:
        if isinstance(event, CueFired):
            now = time.monotonic()
            with lock:
                due.append(deadline_now[0])
                called_at.append(now)

    def played(cue: str, at: float) -> None:
        with lock:
            returned.append(at)

    # Time spent inside simpleaudio's play(), measured around the real call.
    backend = sound._backend  # noqa: SLF001 - a benchmark may look inside
    real_play = backend.play

    def timed_play(path: Path):  # type: ignore[no-untyped-def]
        t0 = time.perf_counter()
        try:
            return real_play(path)
        finally:
            inside.append(time.perf_counter() - t0)

    backend.play = timed_play  # type: ignore[method-assign]
    sound.on_played = played
    session.subscribe(before_sound)
    session.subscribe(sound)

    wall = timeline.total / args.speed
    print(f"cue_latency: {args.steps} steps, {timeline.total:.0f} routine s at ×{args.speed:g}"
          f" ≈ {wall:.1f} s wall, backend {sound.backend}"
          f"{' (real device)' if args.real_device else ' (silent capture to /dev/null)'}")
    cpu0 = time.process_time()
    session.start()
    while session.state != "done":
        deadline = session.next_deadline()
        if deadline is not None:
            delay = deadline - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            deadline_now[0] = deadline
        session.poll()
    sound.close(wait=True, timeout=5.0)
    cpu = time.process_time() - cpu0

    with lock:
        rows = list(zip(due, called_at, returned, strict=False))
    if len(returned) != len(due):
        print(f"cue_latency: {len(due)} cues sent but {len(returned)} played", file=sys.stderr)
    # A deadline of 0 was never seen by the loop (cues emitted by start()): leave those out.
    rows = [r for r in rows if r[0] > 0]
    heard = [r - d for d, _, r in rows]
    print(f"deadline → Sound called       {percentiles([c - d for d, c, _ in rows])}")
    print(f"Sound called → play returned  {percentiles([r - c for _, c, r in rows])}")
    print(f"deadline → play returned      {percentiles(heard)}")
    print(f"play() call alone             {percentiles(inside)}")
    print(f"CPU: {cpu:.2f} s over {wall:.1f} s wall")
    p99 = sorted(heard)[min(len(heard) - 1, int(round(0.99 * (len(heard) - 1))))] * 1000
    print(f"target p99 < 5 ms: {'met' if p99 < 5 else 'NOT met'} ({p99:.3f} ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
