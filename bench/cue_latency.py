#!/usr/bin/env python3
"""Benchmarks cue latency through the app's own cue path: deadline → simpleaudio's play() returned.

Plays a routine of many short steps through the real headless player (`player.headless.Headless`:
its select loop, the session engine on the real monotonic clock, the Sound listener and its
worker thread, simpleaudio), and for every cue measures, from the cue's absolute deadline
(the session's start + its planned offset / speed):

  deadline → play returned      how late the cue starts (the figure the target is on)
  play() call alone             time spent inside simpleaudio

The floor, in the same run: this script sleeps to the same deadlines itself (select, then
simpleaudio's play() on the same file, no engine, no queue, no worker). Target (issue 3):
p99 < 5 ms, max < 20 ms.

By default ALSA_CONFIG_PATH points at a file-capture configuration writing to /dev/null, so
it is silent and works without a sound card; `--real-device` plays out loud.

    .venv/bin/python bench/cue_latency.py [--steps 30] [--speed 20] [--real-device] [--check]
"""

from __future__ import annotations

import io
import os
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import Report, Samples, arguments, percentile  # noqa: E402

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


def options(p: Any) -> None:
    p.add_argument("--steps", type=int, default=None,
                   help="steps in the routine (7 cues each; default 30, --quick 15)")
    p.add_argument("--speed", type=float, default=20.0,
                   help="routine seconds per wall second (default 20)")
    p.add_argument("--real-device", action="store_true",
                   help="play through the real ALSA default device, out loud")
    p.add_argument("--media-keys", action="store_true",
                   help="publish the session over MPRIS, as play does by default, with "
                        "`playerctl --follow` listening as a desktop widget would (run it "
                        "under dbus-run-session)")


def spread(report: Report, name: str, values: list[float]) -> None:
    ms = [v * 1000 for v in values]
    report.note(f"{name:<34} p50 {percentile(ms, 50):7.3f} ms   p99 {percentile(ms, 99):7.3f} ms"
                f"   max {max(ms):7.3f} ms   (n={len(ms)})")


def main() -> int:
    args = arguments(__doc__, options)
    if not args.real_device:
        # Before anything loads libasound: ALSA reads its configuration on the first open.
        conf = Path(tempfile.mkdtemp(prefix="unknot-bench-")) / "silent.conf"
        conf.write_text(SILENT_CONF, encoding="ascii")
        os.environ["ALSA_CONFIG_PATH"] = str(conf)

    from player.events import CueFired, Event
    from player.headless import EARLY, Headless, Options
    from player.routine import Cues, Routine, Step

    # --quick: half the cues (about 100 each for the app and the floor), about 20 s, not 40.
    args.steps = args.steps or (15 if args.quick else 30)
    report = Report("bench/cue_latency.py: cue deadline → sound started, through the headless app",
                    args)
    steps = tuple(
        Step("trigger-point", "upper-trapezius", None, 10.0, lead_in=3.0,
             cues=Cues(countdown=3, halfway=False))
        for _ in range(args.steps)
    )
    routine = Routine(id="bench", name="Cue latency", steps=steps)
    lock = threading.Lock()
    planned: list[float] = []      # each cue's offset `at`, in the order Sound received them
    returned: list[float] = []     # time.monotonic() after each play() returned
    inside: list[float] = []       # duration of each play() call
    files: list[Path] = []

    on_bus: list[str] = []

    def on_cue(event: Event) -> None:
        media = getattr(player.playback, "_media", None)
        if not on_bus and media is not None and media.ready.is_set():
            on_bus.append(media.name or f"not on the bus: {media.error}")
        if isinstance(event, CueFired):
            with lock:
                planned.append(event.at)

    class Measured(Headless):
        """The real headless player, with a stopwatch around simpleaudio's play()."""

        def _make_sound(self) -> Any:
            sound = super()._make_sound()
            if sound is None or sound.backend != "simpleaudio":
                return sound
            backend = sound._backend  # noqa: SLF001 - a benchmark may look inside
            real_play = backend.play

            def timed_play(path: Path) -> Any:
                t0 = time.perf_counter()
                try:
                    return real_play(path)
                finally:
                    inside.append(time.perf_counter() - t0)
                    files.append(path)

            backend.play = timed_play

            def played(cue: str, at: float) -> None:
                with lock:
                    returned.append(at)

            sound.on_played = played
            return sound

    opts = Options(sound="simpleaudio", voice=False, speed=args.speed,
                   media_keys=args.media_keys, extra_listeners=[on_cue], record=False)
    follow = None
    if args.media_keys and shutil.which("playerctl"):
        # A desktop widget's view: every PropertiesChanged of the session is read off the bus.
        follow = subprocess.Popen(["playerctl", "-p", "unknot", "--follow", "metadata",
                                   "title"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
    err = io.StringIO()  # its notices ("a preview: not saved") are shown only on a failure
    with open(os.devnull, "w") as out, open(os.devnull) as stdin:
        player = Measured(routine, opts, out=out, err=err, stdin=stdin)
        wall = player.timeline.total / args.speed
        report.note(f"{args.steps} steps, {player.timeline.total:.0f} routine s at ×{args.speed:g}"
                    f" ≈ {wall:.1f} s wall"
                    f"{' (real device)' if args.real_device else ' (silent capture to /dev/null)'}")
        cpu0 = time.process_time()
        code = player.run()
        cpu = time.process_time() - cpu0
    if follow is not None:
        follow.terminate()
        follow.wait(5)
    report.note("MPRIS: " + (on_bus[0] if on_bus else "off") if args.media_keys else
                "MPRIS: off (--media-keys publishes the session)")
    if code != 0 or player.sound is None or player.sound.backend != "simpleaudio":
        print(err.getvalue(), file=sys.stderr)
        report.not_measured("cue latency", f"simpleaudio is not usable here (exit {code})")
        return report.finish()
    started = player.session._started  # noqa: SLF001 - the session's own origin
    with lock:
        if len(returned) != len(planned):
            report.note(f"{len(planned)} cues sent but {len(returned)} played")
        late = [r - (started + at / args.speed) for at, r in zip(planned, returned, strict=False)]
    spread(report, "app: deadline → play returned", late)
    spread(report, "app: play() call alone", inside)
    report.note(f"app CPU: {cpu:.2f} s over {wall:.1f} s wall")

    # The floor: the same deadlines slept to by a bare loop, the same file played directly.
    from player.sound.backends import SimpleaudioBackend

    bare = SimpleaudioBackend()
    for path in set(files):
        bare.load(path)  # decoded before the clock starts, as the app's Sound does in prepare
    floor: list[float] = []
    origin = time.monotonic() + 0.05
    handles = []
    for at, path in zip(planned, files, strict=False):
        deadline = origin + at / args.speed
        timeout = deadline - time.monotonic()
        if timeout > 2 * EARLY:
            select.select([], [], [], timeout - EARLY)
        while (left := deadline - time.monotonic()) > 0:
            select.select([], [], [], left)
        handles.append(bare.play(path))
        floor.append(time.monotonic() - deadline)
    for handle in handles:
        if handle is not None and hasattr(handle, "wait_done"):
            handle.wait_done()
    bare.close()
    spread(report, "floor: bare loop → play returned", floor)

    ms = [v * 1000 for v in late]
    fl = [v * 1000 for v in floor]
    app_p99, floor_p99 = percentile(ms, 99), percentile(fl, 99)
    report.verdict("cue lateness p99", app_p99 < 5.0,
                   f"{app_p99:.3f} ms vs floor {floor_p99:.3f} ms, ratio "
                   f"{app_p99 / floor_p99 if floor_p99 > 0 else float('inf'):.2f}×, target < 5 ms")
    report.verdict("cue lateness max", max(ms) < 20.0,
                   f"{max(ms):.3f} ms vs floor {max(fl):.3f} ms, target < 20 ms")
    report.show(Samples("app: deadline → play returned", late))
    report.show(Samples("floor: deadline → play returned", floor))
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
