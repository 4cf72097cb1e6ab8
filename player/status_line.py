"""Provides headless mode's live status line on a terminal: the time left in the segment and in
the routine, on one line under the last printed one, redrawn when a shown second changes.

The headless driver wakes for it at `next_change` (the moment a shown figure reaches the
whole second below), as it wakes for the engine's deadlines: no fixed beat. Lines printed
meanwhile erase it first and it is drawn again under them, so it never ends up in the
scroll-back. Only the erase sequence goes to the terminal as control characters; the text
itself passes through the guarded stream like every other line.
"""

from __future__ import annotations

import math
import shutil
from typing import IO

from player.durations import format_clock
from player.session import RUNNING, Session

#: Carriage return and "erase the whole line".
ERASE = "\r\x1b[2K"
#: Wake this long after the moment a shown second changes, so the figure has changed.
SETTLE = 0.0005


def next_change(session: Session) -> float | None:
    """Clock time at which the segment's or the routine's time left, rounded up to whole
    seconds as `format_clock` shows it, next changes; None while paused or done."""
    if session.state not in RUNNING:
        return None
    now = session.clock.now()
    wake: float | None = None
    for left in (session.segment_remaining(), session.routine_remaining()):
        below = math.ceil(left - 1e-9) - 1
        if below >= 0:
            at = now + (left - below) / session.speed + SETTLE
            wake = at if wake is None else min(wake, at)
    return wake


def status_text(session: Session) -> str:
    """`  ⏱ 00:38 left · routine 04:13 left` (or paused) for the session as it is now."""
    segment = format_clock(session.segment_remaining())
    routine = format_clock(session.routine_remaining())
    if session.state == "paused":
        return f"  ‖ paused · {segment} left · routine {routine} left · space resumes"
    return f"  ⏱ {segment} left · routine {routine} left"


class StatusLine:
    """The one live line at the bottom of headless output on a terminal."""

    def __init__(self, out: IO[str], raw: IO[str] | None = None) -> None:
        self.out = out
        #: Where the erase sequence goes unescaped (the stream under the guarded one).
        self.raw: IO[str] = raw if raw is not None else getattr(out, "stream", out)
        self.shown: str | None = None

    def draw(self, session: Session) -> None:
        """Show the session's time left; writes nothing when the text is what is shown."""
        if session.state not in RUNNING and session.state != "paused":
            self.erase()
            return
        text = status_text(session)
        # A line longer than the terminal would wrap, and only its last row would be erased.
        width = shutil.get_terminal_size((80, 24)).columns
        text = text[: max(1, width - 1)]
        if text == self.shown:
            return
        self.out.flush()
        self.raw.write(ERASE)
        self.raw.flush()
        self.out.write(text)
        self.out.flush()
        self.shown = text

    def erase(self) -> None:
        """Take the line off the screen (before a printed line, or on the way out)."""
        if self.shown is None:
            return
        self.out.flush()
        self.raw.write(ERASE)
        self.raw.flush()
        self.shown = None
