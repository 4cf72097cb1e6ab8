"""Provides a driver for audio tests: plays a fixed routine through the real session engine
and the real Sound at `--speed`, and prints every cue event as a JSON line.

    python tests/alsa/play_session.py --sound simpleaudio --speed 20 [--custom-start WAV]

Notices go to stderr. Run with ALSA_CONFIG_PATH set (capture.conf.in) before simpleaudio loads.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from player.events import CueFired, Event
from player.routine import Cues, Routine, Step
from player.session import Session
from player.sound import make_sound
from player.timeline import expand


def routine(custom_start: str | None) -> Routine:
    sounds = (("start", custom_start),) if custom_start else ()
    return Routine(id="capture", name="Capture", steps=(
        # Sides, repeats with a rest, lead-in countdown: start, countdown, end, switch.
        Step("trigger-point", "upper-trapezius", "each", 4.0, repeat=2, rest=2.0, lead_in=3.0,
             cues=Cues(countdown=2, sounds=sounds)),
        # Long enough for halfway; cadence ticks pace the rolling; no lead-in.
        Step("foam-roll", "calves", "both", 22.0, lead_in=0.0,
             cues=Cues(countdown=0, cadence=5.0)),
    ))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sound", default="simpleaudio")
    parser.add_argument("--voice", action="store_true")
    parser.add_argument("--speed", type=float, default=20.0)
    parser.add_argument("--custom-start")
    args = parser.parse_args()
    timeline = expand(routine(args.custom_start))
    sound = make_sound(args.sound, True if args.voice else False,
                       notice=lambda line: print(line, file=sys.stderr, flush=True))
    sound.prepare(timeline)
    session = Session(timeline, speed=args.speed)

    def show(event: Event) -> None:
        if isinstance(event, CueFired):
            print(json.dumps({"event": "cue", "cue": event.cue, "at": event.at, "t": event.t}),
                  flush=True)

    session.subscribe(show)
    session.subscribe(sound)
    session.start()
    while session.state != "done":
        deadline = session.next_deadline()
        if deadline is not None:
            time.sleep(max(0.0, deadline - time.monotonic()))
        session.poll()
    sound.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
