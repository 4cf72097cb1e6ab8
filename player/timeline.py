"""Provides the timeline: a routine expanded into segments with planned start offsets.

For each step: a `lead_in` segment, then per side and per repeat a `work` segment, with `rest`
segments between repeats and a `switch` segment (as long as the lead-in) between sides.
Zero-length segments are dropped. Offsets are sums of planned durations, computed once here;
the session engine schedules against them and never accumulates its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from player.routine import Routine, Step

if TYPE_CHECKING:
    from player.vocab import SegmentKind

KINDS: tuple[SegmentKind, ...] = ("lead_in", "work", "rest", "switch")


@dataclass(frozen=True)
class Segment:
    """One timed stretch of a routine."""

    #: Position in Timeline.segments (0-based).
    index: int
    #: "lead_in", "work", "rest" or "switch".
    kind: SegmentKind
    #: 1-based step number and the number of steps.
    step: int
    of: int
    technique: str
    region: str | None
    #: "left", "right", "both" or None — the side this segment is about (a switch names the
    #: side to come, a lead-in the first side).
    side: str | None
    #: Planned start in routine seconds from the routine's start.
    at: float
    duration: float
    #: 1-based work period on this side, and how many there are.
    repeat: int
    repeats: int
    step_ref: Step

    @property
    def end(self) -> float:
        return self.at + self.duration

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "step": self.step,
            "of": self.of,
            "technique": self.technique,
            "region": self.region,
            "side": self.side,
            "at": round(self.at, 3),
            "duration": round(self.duration, 3),
        }


@dataclass(frozen=True)
class Timeline:
    """The expanded routine: segments in order and the total in seconds."""

    routine: Routine
    segments: tuple[Segment, ...]
    total: float

    @property
    def steps(self) -> int:
        return len(self.routine.steps)

    def first_segment_of_step(self, step: int) -> int:
        """Index of the first segment of 1-based `step` (len(segments) if it has none)."""
        for seg in self.segments:
            if seg.step >= step:
                return seg.index
        return len(self.segments)

    def segment_at(self, offset: float) -> Segment | None:
        """The segment running at `offset` routine seconds, None before 0 or after the end."""
        if offset < 0 or not self.segments or offset >= self.total:
            return None
        lo, hi = 0, len(self.segments) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.segments[mid].at <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.segments[lo]

    def work_seconds_of_step(self, step: int) -> float:
        return sum(s.duration for s in self.segments if s.step == step and s.kind == "work")


def _sides(step: Step) -> list[str | None]:
    if step.side == "each":
        return ["left", "right"]
    return [step.side]


def expand(routine: Routine) -> Timeline:
    """Expand a routine into its timeline."""
    raw: list[tuple[SegmentKind, int, Step, str | None, float, int]] = []
    n = len(routine.steps)
    for number, step in enumerate(routine.steps, start=1):
        sides = _sides(step)
        raw.append(("lead_in", number, step, sides[0], step.lead_in, 1))
        for si, side in enumerate(sides):
            if si:
                raw.append(("switch", number, step, side, step.lead_in, 1))
            for r in range(1, step.repeat + 1):
                if r > 1:
                    raw.append(("rest", number, step, side, step.rest, r))
                raw.append(("work", number, step, side, step.duration, r))
    segments: list[Segment] = []
    at = 0.0
    for kind, number, step, side, duration, rep in raw:
        if duration <= 0:
            continue
        segments.append(
            Segment(
                index=len(segments), kind=kind, step=number, of=n,
                technique=step.technique, region=step.region, side=side,
                at=at, duration=duration, repeat=rep, repeats=step.repeat, step_ref=step,
            )
        )
        at += duration
    return Timeline(routine=routine, segments=tuple(segments), total=at)
