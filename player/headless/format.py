"""Provides the text of headless play: one human line, or one JSON object, per session event.

Pure functions of an event and the plan (and, for a human line, the routine position the
printer keeps): no terminal, no clock, no I/O. `--json`, `--events` (player/event_log.py) and
the phone remote's event stream (player/remote/server.py) all use `json_event`, so the three
cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from player import vocab
from player.durations import format_clock, format_human
from player.events import (
    CueFired,
    Done,
    Event,
    Extended,
    Paused,
    Resumed,
    SegmentEnded,
    SegmentStarted,
    Skipped,
)
from player.timeline import Segment, Timeline


def technique_name(tid: str) -> str:
    return vocab.display_name("technique", tid)


def region_name(rid: str | None) -> str | None:
    """A region's display name in running text: `upper trapezius`, but `TFL`, `IT band`."""
    return None if rid is None else vocab.display_name("region", rid, in_text=True)


def stamp(seconds: float) -> str:
    """`[mm:ss]` (or `[h:mm:ss]`) of a routine offset, truncated like a stopwatch."""
    total = max(int(seconds + 1e-6), 0)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"[{h}:{m:02d}:{s:02d}]" if h else f"[{m:02d}:{s:02d}]"


def describe(seg: Segment) -> str:
    """`Trigger point · upper trapezius · left`."""
    parts = [technique_name(seg.technique)]
    region = region_name(seg.region)
    if region:
        parts.append(region)
    if seg.side:
        parts.append(seg.side)
    return " · ".join(parts)


def segment_line(seg: Segment, at: float | None = None) -> str:
    """The line for a segment starting at routine position `at` (by default its planned
    offset)."""
    when = stamp(seg.at if at is None else at)
    where = f"{seg.step}/{seg.of}"
    length = format_human(seg.duration)
    if seg.kind == "work":
        sets = f" · set {seg.repeat}/{seg.repeats}" if seg.repeats > 1 else ""
        return f"{when} ▶ {where} {describe(seg)} · {length}{sets}"
    if seg.kind == "lead_in":
        return f"{when} … {where} get into position: {describe(seg)} · {length}"
    if seg.kind == "switch":
        return f"{when} ⇄ {where} switch sides → {seg.side} · {length}"
    return f"{when} ◦ {where} rest · {length}"


def summary_line(done: Done, timeline: Timeline, position: float, step: int) -> str:
    active = format_human(done.active_seconds)
    counts = (f"{done.steps_done}/{timeline.steps} steps done · {done.steps_skipped} skipped · "
              f"{active} active")
    if done.completed:
        return f"{stamp(position)} ■ done · {counts}"
    return f"{stamp(position)} ■ {done.reason} at step {step}/{timeline.steps} · {counts}"


def skip_line(event: Skipped, steps: int, position: float) -> str:
    """`[02:10] ⏭ skipped step 2/5 → 3/5`, `⏮ back to step 2/5`, `↺ step 2/5 again`."""
    when = stamp(position)
    if event.action == "next":
        if event.to_step > steps:
            return f"{when} ⏭ skipped step {event.from_step}/{steps}"
        return f"{when} ⏭ skipped step {event.from_step}/{steps} → {event.to_step}/{steps}"
    if event.action == "back":
        return f"{when} ⏮ back to step {event.to_step}/{steps}"
    return f"{when} ↺ step {event.to_step}/{steps} again"


def event_line(event: Event, timeline: Timeline, position: float, step: int,
               left: Callable[[], float]) -> str | None:
    """The human line for an event other than a segment's start, at routine `position`
    (extensions included) during `step`; `left()` is the segment's time left, read only for
    an extension. None for an event that prints nothing (cues are heard, not printed)."""
    if isinstance(event, Paused):
        return f"{stamp(position)} ‖ paused"
    if isinstance(event, Resumed):
        return f"{stamp(position)} ▷ resumed after {format_human(event.paused_for)}"
    if isinstance(event, Skipped):
        return skip_line(event, timeline.steps, position)
    if isinstance(event, Extended):
        return (f"{stamp(position)} + {format_human(event.seconds)} · "
                f"now {format_clock(left())} left")
    if isinstance(event, Done):
        return summary_line(event, timeline, position, step)
    return None


def _r(value: float) -> float:
    return round(value, 3)


def json_event(event: Event, timeline: Timeline) -> dict[str, Any] | None:
    """The JSON object design.md promises for an event; None for one it does not list."""
    if isinstance(event, SegmentEnded):
        return None  # the next segment line (or done) says it; history reads it directly
    if isinstance(event, SegmentStarted):
        seg = event.segment
        return {"event": "segment", "kind": seg.kind, "step": seg.step, "of": seg.of,
                "technique": seg.technique, "region": seg.region, "side": seg.side,
                "duration": _r(seg.duration), "repeat": seg.repeat, "repeats": seg.repeats,
                "at": _r(event.at), "t": _r(event.t)}
    if isinstance(event, CueFired):
        obj: dict[str, Any] = {"event": "cue", "cue": event.cue}
        if event.segment is not None:
            obj.update(kind=event.segment.kind, step=event.segment.step, of=event.segment.of)
        obj.update(remaining=_r(event.remaining), at=_r(event.at), t=_r(event.t))
        if event.sound is not None:
            obj["sound"] = event.sound
        return obj
    if isinstance(event, Paused):
        return {"event": "pause", "t": _r(event.t)}
    if isinstance(event, Resumed):
        return {"event": "resume", "paused_for": _r(event.paused_for), "t": _r(event.t)}
    if isinstance(event, Skipped):
        return {"event": "skip", "action": event.action, "from": event.from_step,
                "to": event.to_step, "of": timeline.steps, "t": _r(event.t)}
    if isinstance(event, Extended):
        return {"event": "extend", "seconds": _r(event.seconds), "t": _r(event.t)}
    return {"event": "done", "completed": event.completed, "reason": event.reason,
            "steps_done": event.steps_done, "steps_skipped": event.steps_skipped,
            "of": timeline.steps, "active_seconds": _r(event.active_seconds),
            "at": _r(timeline.total) if event.completed else None, "t": _r(event.t)}
