"""Provides the session engine: the one owner of time while a routine plays.

CONTRACT (the TUI, headless printer, sound and history code program against these names):

    session = Session(timeline, clock=MonotonicClock(), speed=1.0, start_step=1)
    session.subscribe(listener)          # listener(event) for every player.events event
    session.start()                      # ready -> lead_in/work ...
    session.poll()                       # emit every event due by clock.now(); cheap, call often
    session.next_deadline() -> float|None  # clock time (clock.now() units) of the next due event
    session.pause(); session.resume(); session.toggle_pause()
    session.next(); session.back(); session.restart_step(); session.extend(15.0)
    session.stop(reason="stopped")       # emits Done(completed=False, reason=...)
    session.state            # "ready" | "lead_in" | "work" | "rest" | "switch" | "paused" | "done"
    session.current          # Segment | None
    session.segment_remaining() / segment_elapsed()   # routine seconds, from the clock
    session.routine_remaining() / active_seconds()    # routine seconds
    session.steps_done / steps_skipped

Every deadline is absolute: routine offset = (clock.now() - started - paused_total) * speed,
compared with the timeline's planned offsets (shifted only by pauses and explicit operations).
Nothing counts ticks.

Semantics, in detail:

- Time. `active_seconds()` is (now - started - paused_total) * speed: unpaused routine seconds
  really elapsed. The position in the timeline is active + shift; `next`, `back`,
  `restart_step` and `extend` only change `shift` (a jump of the clock-to-timeline mapping), so
  a deadline is always `started + paused_total + (offset - shift) / speed` — never a sum of
  sleeps. Events carry `at` (the planned timeline offset) and `t` (active seconds when the event
  was emitted). If the caller polls late, every missed event is still emitted, in order, with
  its real (late) `t`.
- Operations return True when they changed something, False when they do not apply in the
  current state (for example `pause` while paused, anything but `stop` before `start`, anything
  after done). None of them raises for being called at the wrong time.
- `start()` emits the first SegmentStarted (and its cues) at once. `next()` moves to the first
  segment of the next step (from the last step it ends the session, completed); `back()` to the
  first segment of the previous step (on step 1 it restarts step 1); `restart_step()` to the
  first segment of the current step. Each emits Skipped, then SegmentStarted of the target.
  While paused they move and stay paused; the target's start cue then sounds on resume.
- `extend(seconds)` lengthens the current segment (any kind; usually work or lead-in) and
  shifts everything after it; one-shot cues (start, halfway, end) never repeat, the countdown
  starts again before the new end. Emits Extended.
- Cues (CueFired, `sound` = the step's custom WAV or None): `start` at each work start;
  `halfway` in work of at least 20 s; `countdown` in the last N seconds (step.cues.countdown)
  of work and lead-in, `remaining` = N, …, 1; `cadence` every step.cues.cadence seconds of
  work (not in the countdown, not on halfway); `switch` at a switch segment's start; `end` at
  a work end; `done` after the last segment. Each respects the step's Cues flags.
- Leaving a segment: SegmentEnded (`played` = routine seconds of it actually played, its
  whole length plus extensions when it ran to its end however late the poll) comes after its
  end cue and before the next SegmentStarted; a skip, restart or back emits it (finished=False)
  before Skipped, a stop before Done. Whoever counts what was played reads this.
- Counting: a step is done when its last segment ends on time; it is skipped when `next` leaves
  it unfinished (a skipped step done later counts as done). Steps before `start_step` count as
  neither.
- Listeners are called synchronously in subscription order. An exception in a listener never
  stops the timer: it is reported once per listener on stderr and the others still run. Use
  one thread (or call from one thread at a time).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

from player.clock import Clock, MonotonicClock
from player.events import (
    CueFired,
    Done,
    Event,
    Extended,
    Listener,
    Paused,
    Resumed,
    SegmentEnded,
    SegmentStarted,
    Skipped,
)
from player.routine import Cues
from player.timeline import Segment, Timeline

if TYPE_CHECKING:
    from player.vocab import SegmentKind, State

#: Tolerance in routine seconds when comparing a due offset with the position: a deadline
#: computed from the clock and turned back into an offset may differ in the last float bit,
#: and the event must still be emitted when the clock reaches its deadline.
EPS = 1e-9

#: Work at least this long gets a halfway cue (design.md).
HALFWAY_MIN = 20.0

#: Order of cues that fall on the same instant.
_ORDER = {"start": 0, "switch": 0, "cadence": 1, "halfway": 2, "countdown": 3, "end": 9}
#: Cues that fire at most once per segment, even when an extension moves them.
_ONE_SHOT = frozenset({"start", "switch", "halfway", "say_end"})
#: A step's `say_end` is spoken this long before its last work period ends (design.md).
SAY_END_BEFORE = 5.0


def _say_end_item(seg: Segment, length: float) -> list[_Item]:
    """The moment for a step's `say_end` in its last work period (not a sound: the sound
    listener speaks it, voice.py), or nothing."""
    if seg.kind == "work" and seg.step_ref.say_end and closes_step(seg):
        return [_Item(max(0.0, length - SAY_END_BEFORE), "say_end", SAY_END_BEFORE)]
    return []


def closes_step(seg: Segment) -> bool:
    """Whether `seg` is its step's last work period (last repeat, last side)."""
    step = seg.step_ref
    last_side = "right" if step.side == "each" else step.side
    return seg.repeat == seg.repeats and seg.side == last_side

RUNNING: tuple[SegmentKind, ...] = ("lead_in", "work", "rest", "switch")


@dataclass(frozen=True)
class _Item:
    """Something due inside the current segment: a cue, or (cue=None/"end") the segment's end."""

    offset: float
    cue: str | None
    remaining: float = 0.0
    is_end: bool = False


def _work_cues(cues: Cues, length: float, countdown: int) -> list[_Item]:
    """A work segment's start, halfway and cadence cues (the countdown is built apart)."""
    items: list[_Item] = []
    if cues.start:
        items.append(_Item(0.0, "start"))
    half = length / 2 if cues.halfway and length >= HALFWAY_MIN else None
    if half is not None:
        items.append(_Item(half, "halfway", length - half))
    if cues.cadence > 0:
        quiet_from = length - countdown if countdown else length
        k = 1
        while k * cues.cadence < quiet_from - EPS:
            o = k * cues.cadence
            if half is None or abs(o - half) > EPS:
                items.append(_Item(o, "cadence", length - o))
            k += 1
    return items


class Session:
    """Plays a timeline against a clock and tells listeners what happens."""

    def __init__(
        self,
        timeline: Timeline,
        clock: Clock | None = None,
        speed: float = 1.0,
        start_step: int = 1,
    ) -> None:
        if not speed > 0:
            raise ValueError(f"speed must be above 0, got {speed}")
        if not timeline.segments:
            raise ValueError("the timeline has no segments")
        if not 1 <= start_step <= timeline.steps:
            raise ValueError(f"start_step must be 1 to {timeline.steps}, got {start_step}")
        self.timeline = timeline
        self.clock: Clock = clock if clock is not None else MonotonicClock()
        self.speed = float(speed)
        self.start_step = start_step
        self._listeners: list[Listener] = []
        self._reported: set[int] = set()
        self._queue: list[Event] = []
        self._emitting = False
        self._state: State = "ready"
        self._started: float | None = None
        self._paused_total = 0.0
        self._paused_at: float | None = None
        self._idx = timeline.first_segment_of_step(start_step)
        # Position = active + shift; starting at a later step is the first shift.
        self._shift = timeline.segments[self._idx].at
        # Seconds added to the current segment; folded into the shift when it ends.
        self._extra = 0.0
        self._pending: list[_Item] = []
        # Whether the current segment has been entered and not yet left (SegmentEnded owed),
        # and a count of segments entered, to notice a listener moving the session.
        self._open = False
        self._entered = 0
        self._fired: set[str] = set()
        self._done: set[int] = set()
        self._skipped: set[int] = set()
        self.result: Done | None = None

    # ------------------------------------------------------------------ listeners

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def _emit(self, event: Event) -> None:
        # Events a listener causes (a stop from inside a cue) queue behind the one being
        # delivered, so every listener sees the same order.
        self._queue.append(event)
        if self._emitting:
            return
        self._emitting = True
        try:
            while self._queue:
                self._deliver(self._queue.pop(0))
        finally:
            self._emitting = False

    def _deliver(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception as exc:  # a listener's bug must never stop the timer
                key = id(listener)
                if key not in self._reported:
                    self._reported.add(key)
                    name = getattr(listener, "__qualname__", type(listener).__name__)
                    print(f"unknot: a session listener ({name}) failed: "
                          f"{type(exc).__name__}: {exc}", file=sys.stderr)

    # ------------------------------------------------------------------ reading

    @property
    def state(self) -> State:
        if self._state in RUNNING and self._paused_at is not None:
            return "paused"
        return self._state

    @property
    def paused(self) -> bool:
        return self._paused_at is not None and self._state in RUNNING

    @property
    def current(self) -> Segment | None:
        if self._state in RUNNING:
            return self.timeline.segments[self._idx]
        return None

    @property
    def step(self) -> int:
        """The current (or, before the start, the first) 1-based step number."""
        if self._state == "done":
            return self.timeline.segments[min(self._idx, len(self.timeline.segments) - 1)].step
        return self.timeline.segments[self._idx].step

    @property
    def steps_done(self) -> int:
        return len(self._done)

    @property
    def steps_skipped(self) -> int:
        return len(self._skipped)

    def active_seconds(self) -> float:
        """Unpaused routine seconds elapsed since the start (scaled by speed)."""
        if self._started is None:
            return 0.0
        if self._state == "done" and self.result is not None:
            return self.result.active_seconds
        now = self._paused_at if self._paused_at is not None else self.clock.now()
        return (now - self._started - self._paused_total) * self.speed

    def position(self) -> float:
        """The current offset in the timeline, in routine seconds (extensions included)."""
        if self._started is None:
            return self._shift
        return self.active_seconds() + self._shift

    def segment_length(self) -> float:
        """The current segment's length including any extension (0 when none)."""
        seg = self.current
        return seg.duration + self._extra if seg is not None else 0.0

    def segment_elapsed(self) -> float:
        seg = self.current
        if seg is None:
            return 0.0
        return min(max(self.position() - seg.at, 0.0), self.segment_length())

    def segment_remaining(self) -> float:
        seg = self.current
        if seg is None:
            return 0.0
        return max(self.segment_length() - self.segment_elapsed(), 0.0)

    def routine_remaining(self) -> float:
        if self._state == "done":
            return 0.0
        if self._state == "ready":
            return self.timeline.total - self._shift
        seg = self.timeline.segments[self._idx]
        return max(self.timeline.total - seg.end + self.segment_remaining(), 0.0)

    def step_elapsed(self) -> float:
        """Routine seconds into the current step (lead-in, rests and extensions included)."""
        seg = self.current
        if seg is None:
            return 0.0
        first = self.timeline.segments[self.timeline.first_segment_of_step(seg.step)]
        return max(seg.at - first.at, 0.0) + self.segment_elapsed()

    def next_deadline(self) -> float | None:
        """Clock time of the next due event, or None when nothing is due (ready, paused, done)."""
        if self._state not in RUNNING or self._paused_at is not None or not self._pending:
            return None
        assert self._started is not None
        seg = self.timeline.segments[self._idx]
        offset = seg.at + self._pending[0].offset
        return self._started + self._paused_total + (offset - self._shift) / self.speed

    # ------------------------------------------------------------------ schedule

    def _build(self, seg: Segment, length: float) -> list[_Item]:
        """Everything due in `seg` at `length` seconds long, in the order it happens."""
        cues = seg.step_ref.cues
        n = max(int(cues.countdown), 0)
        items: list[_Item] = []
        if seg.kind in ("work", "lead_in") and n:
            items.extend(_Item(length - k, "countdown", float(k))
                         for k in range(n, 0, -1) if length - k > EPS)
        if seg.kind == "work":
            items.extend(_work_cues(cues, length, n))
        items += _say_end_item(seg, length)
        if seg.kind == "switch" and cues.switch:
            items.append(_Item(0.0, "switch"))
        end_cue = "end" if seg.kind == "work" and cues.end else None
        items.append(_Item(length, end_cue, 0.0, is_end=True))
        items.sort(key=lambda i: (i.offset, 9 if i.is_end else _ORDER.get(i.cue or "", 5)))
        return items

    def _enter(self, idx: int) -> None:
        """Make segment `idx` current with its position at `at` now, and announce it."""
        self._idx = idx
        self._extra = 0.0
        self._fired = set()
        self._open = True
        self._entered += 1
        seg = self.timeline.segments[idx]
        self._pending = self._build(seg, seg.duration)
        self._emit(SegmentStarted(segment=seg, at=seg.at, t=self.active_seconds()))

    def _jump(self, idx: int) -> None:
        """Move the timeline mapping so that segment `idx` starts now."""
        self._shift = self.timeline.segments[idx].at - self.active_seconds()
        self._enter(idx)

    def _leave_segment(self) -> None:
        """Announce that the current segment is left before its end (skip, restart, stop)."""
        if not self._open or self._state not in RUNNING:
            return
        self._open = False
        seg = self.timeline.segments[self._idx]
        self._emit(SegmentEnded(segment=seg, played=self.segment_elapsed(), finished=False,
                                at=self.position(), t=self.active_seconds()))

    def _finish(self, completed: bool, reason: str) -> None:
        if self._paused_at is not None:
            self._paused_total += self.clock.now() - self._paused_at
            self._paused_at = None
        self._leave_segment()
        t = self.active_seconds() if self._started is not None else 0.0
        active = t
        if completed:
            # A late poll (a stalled machine, a long fake-clock jump) must not count the
            # overshoot as work: the routine ended when its last segment was due to end.
            # Measured from the same reading as `t`, before any listener runs.
            active = t - max(0.0, t + self._shift - self.timeline.total)
            last = self.timeline.segments[-1]
            self._emit(CueFired(cue="done", segment=None, at=self.timeline.total, t=t,
                                sound=last.step_ref.cues.sound_for("done")))
        self._state = "done"
        self._pending = []
        self.result = Done(completed=completed, t=t, steps_done=len(self._done),
                           steps_skipped=len(self._skipped), active_seconds=active,
                           reason=reason)
        self._emit(self.result)

    # ------------------------------------------------------------------ driving

    def start(self) -> bool:
        if self._state != "ready":
            return False
        self._started = self.clock.now()
        self._state = self.timeline.segments[self._idx].kind
        self._enter(self._idx)
        self.poll()
        return True

    def poll(self) -> None:
        """Emit every event due by now, in order (several if the caller was late)."""
        while self._state in RUNNING and self._paused_at is None and self._pending:
            seg = self.timeline.segments[self._idx]
            item = self._pending[0]
            if seg.at + item.offset > self.position() + EPS:
                return
            self._pending.pop(0)
            if item.is_end:
                self._end_segment(seg, item)
                continue
            assert item.cue is not None
            if item.cue in _ONE_SHOT:
                if item.cue in self._fired:
                    continue
                self._fired.add(item.cue)
            self._emit(CueFired(cue=item.cue, segment=seg, at=seg.at + item.offset,
                                t=self.active_seconds(), remaining=item.remaining,
                                sound=seg.step_ref.cues.sound_for(item.cue)))

    def _end_segment(self, seg: Segment, item: _Item) -> None:
        entered = self._entered
        if item.cue is not None:
            self._emit(CueFired(cue=item.cue, segment=seg, at=seg.at + item.offset,
                                t=self.active_seconds(), sound=seg.step_ref.cues.sound_for(
                                    item.cue)))
            if self._state not in RUNNING or self._entered != entered:
                return  # a listener moved or stopped the session while hearing the end cue
        # It ran to its end, however late this poll: all of it (and its extension) was played.
        self._open = False
        self._emit(SegmentEnded(segment=seg, played=seg.duration + self._extra, finished=True,
                                at=seg.at + seg.duration + self._extra, t=self.active_seconds()))
        if self._state not in RUNNING or self._entered != entered:
            return  # a listener moved or stopped the session when the segment ended
        # The extension is over: fold it into the mapping so later offsets are the timeline's.
        self._shift -= self._extra
        self._extra = 0.0
        nxt = seg.index + 1
        if nxt >= len(self.timeline.segments) or self.timeline.segments[nxt].step != seg.step:
            self._done.add(seg.step)
            self._skipped.discard(seg.step)
        if nxt >= len(self.timeline.segments):
            self._finish(completed=True, reason="completed")
            return
        self._state = self.timeline.segments[nxt].kind
        self._enter(nxt)

    def pause(self) -> bool:
        if self._state not in RUNNING or self._paused_at is not None:
            return False
        self.poll()  # what was due before the pause still happens
        if self._state not in RUNNING:
            return False
        self._paused_at = self.clock.now()
        self._emit(Paused(t=self.active_seconds()))
        return True

    def resume(self) -> bool:
        if self._state not in RUNNING or self._paused_at is None:
            return False
        now = self.clock.now()
        paused_for = now - self._paused_at
        self._paused_total += paused_for
        self._paused_at = None
        self._emit(Resumed(t=self.active_seconds(), paused_for=paused_for))
        self.poll()
        return True

    def toggle_pause(self) -> bool:
        return self.resume() if self.paused else self.pause()

    def _move(self, action: str, to_step: int) -> bool:
        if self._state not in RUNNING:
            return False
        self.poll()
        if self._state not in RUNNING:
            return False
        from_step = self.timeline.segments[self._idx].step
        if action == "next" and from_step not in self._done:
            self._skipped.add(from_step)
        self._leave_segment()
        if self._state not in RUNNING:
            return True  # a listener stopped the session
        self._emit(Skipped(action=action, from_step=from_step, to_step=to_step,
                           t=self.active_seconds()))
        if self._state not in RUNNING:
            return True  # a listener stopped the session
        target = self.timeline.first_segment_of_step(to_step)
        if target >= len(self.timeline.segments):
            self._finish(completed=True, reason="completed")
            return True
        self._state = self.timeline.segments[target].kind
        self._jump(target)
        self.poll()
        return True

    def next(self) -> bool:
        """Skip to the next step (from the last one, end the session)."""
        if self._state not in RUNNING:
            return False
        step = self.timeline.segments[self._idx].step
        return self._move("next", step + 1)

    def back(self) -> bool:
        """Go to the start of the previous step (step 1: its own start)."""
        if self._state not in RUNNING:
            return False
        step = self.timeline.segments[self._idx].step
        return self._move("back", max(step - 1, 1))

    def restart_step(self) -> bool:
        if self._state not in RUNNING:
            return False
        return self._move("restart", self.timeline.segments[self._idx].step)

    def extend(self, seconds: float = 15.0) -> bool:
        """Add `seconds` to the current segment; everything after it moves later."""
        if self._state not in RUNNING or not seconds > 0:
            return False
        self.poll()
        if self._state not in RUNNING:
            return False
        seg = self.timeline.segments[self._idx]
        elapsed = self.position() - seg.at
        self._extra += seconds
        self._pending = [
            i for i in self._build(seg, seg.duration + self._extra)
            if i.offset > elapsed + EPS and not (i.cue in _ONE_SHOT and i.cue in self._fired)
        ]
        self._emit(Extended(seconds=seconds, t=self.active_seconds()))
        self.poll()
        return True

    def stop(self, reason: str = "stopped") -> bool:
        """End the session early: emits Done(completed=False, reason=reason)."""
        if self._state == "done":
            return False
        if self._state in RUNNING:
            self.poll()  # events already due happened before the stop
            if self.state == "done":  # the property: mypy keeps _state narrowed across poll()
                return False
        self._finish(completed=False, reason=reason)
        return True
