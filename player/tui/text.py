"""Provides the words the TUI shows for segments, steps and routines, in one place."""

from __future__ import annotations

from player import vocab
from player.durations import format_human
from player.routine import Routine, Step
from player.timeline import Segment, Timeline


def technique_name(tid: str) -> str:
    return vocab.display_name("technique", tid)


def region_name(rid: str | None) -> str:
    return vocab.display_name("region", rid) if rid else ""


def side_name(side: str | None) -> str:
    return {"left": "Left", "right": "Right", "both": "Both sides", "each": "Each side"}.get(
        side or "", "")


def headline(technique: str, region: str | None, side: str | None) -> str:
    """`Trigger point · Upper trapezius · Left` (parts that do not apply are left out)."""
    parts = [technique_name(technique), region_name(region), side_name(side)]
    return " · ".join(p for p in parts if p)


def segment_headline(seg: Segment) -> str:
    return headline(seg.technique, seg.region, seg.side)


def step_parts(step: Step) -> tuple[str, str]:
    """A step for the preview: (`Trigger point · Upper trapezius · each`, `2×20 s`)."""
    work = format_human(step.duration)
    if step.repeat > 1:
        work = f"{step.repeat}×{work}"
    name = step.title or headline(step.technique, step.region, None)
    side = f" · {step.side}" if step.side else ""
    return f"{name}{side}", work


def step_line(number: int, step: Step) -> str:
    """One line of the preview: `3. Trigger point · Upper trapezius · each · 2×20 s`."""
    name, work = step_parts(step)
    return f"{number:>2}. {name} · {work}"


def next_text(timeline: Timeline, seg: Segment | None) -> str:
    """What comes after `seg`, always as `Next: <what> · <how long>`:
    `Next: Foam roll · Calves · Left · 1 min`, `Next: Switch sides → right · 5 s`,
    `Next: Rest · 10 s`, or `Next: Finish`."""
    if seg is None:
        return ""
    following = timeline.segments[seg.index + 1:]
    if not following:
        return "Next: Finish"
    nxt = following[0]
    if nxt.kind == "switch":
        what = f"Switch sides → {side_name(nxt.side).lower()}"
    elif nxt.kind == "rest":
        what = "Rest"
    else:
        # A lead-in only gets you into position; name the work it leads to.
        nxt = next((s for s in following if s.kind == "work"), nxt)
        what = segment_headline(nxt)
    return f"Next: {what} · {format_human(nxt.duration)}"


def minutes(total_seconds: float) -> str:
    """Whole minutes for the picker's table, at least 1 for any non-empty routine."""
    if total_seconds <= 0:
        return "0"
    return str(max(1, int(round(total_seconds / 60))))


def regions_text(routine: Routine, limit: int = 3) -> str:
    names = [region_name(r) for r in routine.regions]
    if len(names) > limit:
        return ", ".join(names[:limit]) + f" +{len(names) - limit}"
    return ", ".join(names)
