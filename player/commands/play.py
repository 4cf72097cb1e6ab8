"""Provides `unknot play ROUTINE`: the TUI player, or with `--headless` a plain timer.

The routine is resolved first (a library id or a path), so an unknown id or a broken file is
one line and exit 1 in both modes. Textual is imported only when the TUI is wanted.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from player.errors import UsageError

if TYPE_CHECKING:
    from player.pain import Rating


def _step_number(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        msg = f"invalid step {text!r}: use a step number like 3"
        raise argparse.ArgumentTypeError(msg) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"steps are numbered from 1, got {text}")
    return value


def _pain(text: str) -> Rating:
    from player.errors import UnknotError
    from player.pain import parse_rating

    try:
        return parse_rating(text)
    except UnknotError as exc:
        # argparse turns this into its one-line usage error (exit 2).
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("routine", metavar="ROUTINE",
                        help="a library id (see `unknot list`) or a routine file's path")
    parser.add_argument("--headless", action="store_true",
                        help="no TUI: a plain timer printing one line per segment")
    parser.add_argument("--json", action="store_true",
                        help="with --headless: one JSON object per line instead of text")
    parser.add_argument("--start-at", type=_step_number, metavar="STEP", default=1,
                        help="begin at this step (1-based)")
    parser.add_argument("--pain-before", type=_pain, metavar="N",
                        help="pain before the session, 0–10, or by region as "
                             "calves=6,feet=4 (or both: 5,calves=6); saved in the history")
    parser.add_argument("--pain-after", type=_pain, metavar="N",
                        help="pain after the session, as --pain-before")
    parser.add_argument("--ask-pain", action="store_true",
                        help="ask for pain 0–10 before and after (needs a terminal)")
    parser.add_argument("--voice-name", metavar="NAME",
                        help="the voice for spoken cues: an espeak-ng voice (en-gb, en+f3) or a "
                             "macOS `say -v` voice")
    parser.add_argument("--voice-rate", type=int, metavar="WPM",
                        help="speaking rate in words a minute (default 180; lead-ins are sized "
                             "for 180, so a slower voice may run into the work)")
    parser.add_argument("--events", metavar="PATH",
                        help="write every event as one JSON line (as --json) to PATH, the "
                             "moment it happens: a file, a FIFO (never waits for a reader; "
                             "one that goes away never stops the session) or - for stdout "
                             "(headless only)")
    parser.add_argument("--no-title", dest="title", action="store_false",
                        help="do not show the time left and the step in the terminal's title "
                             "while playing (TUI)")
    parser.add_argument("--no-media-keys", dest="media_keys", action="store_false",
                        help="do not publish the session on D-Bus (MPRIS: media keys, "
                             "headset buttons, the desktop's media widget)")
    parser.add_argument("--remote", action=argparse.BooleanOptionalAction, default=False,
                        help="serve a page a phone opens to see the countdown and press "
                             "pause, next, back and +15 s (shows its URL and QR code)")
    parser.add_argument("--remote-bind", metavar="HOST[:PORT]",
                        help="where --remote listens (default: all interfaces, a free port; "
                             "127.0.0.1 for this machine alone)")


def run(args: argparse.Namespace) -> int:
    from player.library import resolve
    from player.sound.voice import VoiceOptionError, configure

    try:
        configure(getattr(args, "voice_name", None), getattr(args, "voice_rate", None))
    except VoiceOptionError as exc:
        raise UsageError(str(exc)) from None
    from player.remote import check_options

    check_options(bool(getattr(args, "remote", False)), getattr(args, "remote_bind", None))
    routine = resolve(args.routine, args.routines)
    start_at = getattr(args, "start_at", 1)
    if start_at > len(routine.steps):
        raise UsageError(f"--start-at {start_at}: '{routine.id}' has "
                         f"{len(routine.steps)} steps")
    events = getattr(args, "events", None)
    if events is not None:
        from player.event_log import check_target

        check_target(events, stdout_allowed=args.headless)
        if events == "-" and args.json:
            raise UsageError("--events - and --json would both write JSON to stdout: use one")
    if not args.headless:
        if args.json:
            raise UsageError("--json needs --headless (the TUI draws the screen itself)")
        from player.tui.app import run as run_tui

        return run_tui(args, routine=routine)

    from player.headless import Options, run_headless
    from player.pain import Rating

    before, after = args.pain_before or Rating(), args.pain_after or Rating()

    options = Options(
        as_json=args.json,
        speed=args.speed,
        start_step=start_at,
        sound=args.sound,
        voice=args.voice,
        pain_before=before.overall,
        pain_after=after.overall,
        region_pain_before=dict(before.regions),
        region_pain_after=dict(after.regions),
        ask_pain=args.ask_pain,
        record=args.record,
        media_keys=getattr(args, "media_keys", True),
        remote=bool(getattr(args, "remote", False)),
        remote_bind=getattr(args, "remote_bind", None),
        events=events,
    )
    return run_headless(routine, options)
