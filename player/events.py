"""Provides the events the session engine emits to its listeners (TUI, headless, sound, history).

All times are routine seconds: `at` is the planned offset from the timeline, `t` the active
(unpaused) seconds actually elapsed when the engine emitted the event, both independent of
`--speed`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

from player.timeline import Segment


@dataclass(frozen=True)
class SegmentStarted:
    """A segment began (lead-in, work, rest or switch)."""

    segment: Segment
    at: float
    t: float


@dataclass(frozen=True)
class SegmentEnded:
    """A segment was left: it ran to its end, the user moved away from it, or the session stopped.

    `played` is the routine seconds of it actually played (extensions included, pauses not):
    its whole length when it ran to its end, however late the poll that noticed; what had been
    played when a skip, a restart or a stop left it. `at` is the timeline offset where it was
    left, `t` the active seconds at that moment. `finished` is True when it ran to its end.
    Counting what was played (minutes per region in the history) reads this, never the
    engine's shift arithmetic.
    """

    segment: Segment
    played: float
    finished: bool
    at: float
    t: float


@dataclass(frozen=True)
class CueFired:
    """A cue is due: `start`, `halfway`, `countdown`, `cadence`, `switch`, `end` or `done`.

    `sound` is a custom WAV path the routine asked for, or None for the default cue.
    `remaining` is the seconds of the segment left (the countdown number for `countdown`).
    """

    cue: str
    segment: Segment | None
    at: float
    t: float
    remaining: float = 0.0
    sound: str | None = None


@dataclass(frozen=True)
class Paused:
    t: float


@dataclass(frozen=True)
class Resumed:
    t: float
    #: Wall seconds the pause lasted (real seconds, not scaled by --speed).
    paused_for: float


@dataclass(frozen=True)
class Skipped:
    """The user moved: `next`, `back` or `restart` from one step to another."""

    action: str
    from_step: int
    to_step: int
    t: float


@dataclass(frozen=True)
class Extended:
    """The user added time to the current segment."""

    seconds: float
    t: float


@dataclass(frozen=True)
class Done:
    """The session ended: completed, or stopped by the user or a signal."""

    completed: bool
    t: float
    steps_done: int
    steps_skipped: int
    active_seconds: float
    #: "completed", "stopped", "interrupted" (Ctrl+C) or "terminated" (SIGTERM).
    reason: str = "completed"


Event = Union[SegmentStarted, SegmentEnded, CueFired, Paused, Resumed, Skipped, Extended, Done]
Listener = Callable[[Event], None]
