"""Provides the session recorder: a listener that turns one played session into its history record
and appends it (once) when the session is over.

Pain ratings (`parse_pain`), the wall-clock `started`/`ended` (`local_now`) and the rules of
design.md "Previews are not sessions" live here; the file itself is `store`'s.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from player.errors import UsageError
from player.events import Done, Event, SegmentEnded, SegmentStarted
from player.history.record import Record
from player.history.store import append_record

if TYPE_CHECKING:
    from player.clock import Clock
    from player.routine import Routine


def parse_pain(text: str | int) -> int:
    """A pain rating: a whole number from 0 (none) to 10 (worst); UsageError otherwise."""
    raw = str(text).strip()
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"pain must be a whole number from 0 to 10, got {raw!r}") from None
    if not 0 <= value <= 10:
        raise UsageError(f"pain must be from 0 to 10, got {value}")
    return value


def _check_pain(value: int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise UsageError(f"pain must be a whole number from 0 to 10, got {value!r}")
    return parse_pain(value)


def local_now() -> datetime:
    """Now, in local time with its UTC offset (what `started`/`ended` record)."""
    return datetime.now().astimezone()


class SessionRecorder:
    """A session listener that writes the session's history record once, when asked.

    Subscribe it to the engine (`session.subscribe(recorder)`); it notes the wall-clock start at
    the first event, the seconds of work played per region, and the Done event. Set
    `pain_before` / `pain_after` (int 0–10 or None) any time before `save()`.

    With `clock` (the engine's), `ended` is `started` plus the monotonic time that passed, so a
    wall-clock jump mid-session cannot make a 12 s session last 400 days. A `preview` (design.md
    "Previews are not sessions": `--speed` other than 1 without `--record`) and a session
    stopped within its first `MIN_SECONDS` are never saved; `not_saved` then says why.
    """

    #: A session stopped before this many active seconds is not a session (design.md).
    MIN_SECONDS = 10.0

    def __init__(
        self,
        routine: Routine,
        path: Path | None = None,
        now: Callable[[], datetime] | None = None,
        *,
        clock: Clock | None = None,
        preview: bool = False,
    ) -> None:
        self.routine = routine
        self.path = path
        self._now = now or local_now
        self._clock = clock
        self._clock_start = 0.0
        self.preview = preview
        #: Why `save()` wrote nothing for a session that did start (None: it was saved).
        self.not_saved: str | None = None
        self._pain_before: int | None = None
        self._pain_after: int | None = None
        #: Pain per region, {region id: 0-10}, written as `region_pain` (player.pain).
        self.region_pain_before: dict[str, int] = {}
        self.region_pain_after: dict[str, int] = {}
        self.started: datetime | None = None
        self.ended: datetime | None = None
        self.done: Done | None = None
        self.record: Record | None = None
        self._last_t = 0.0
        self._regions: dict[str, float] = {}
        # The work segment now playing: (region, active seconds when it started), so a record
        # saved without a Done event (the caller going down) keeps what was played of it.
        self._open: tuple[str, float] | None = None

    @property
    def pain_before(self) -> int | None:
        """Pain 0–10 before the session, or None if not asked or skipped."""
        return self._pain_before

    @pain_before.setter
    def pain_before(self, value: int | None) -> None:
        self._pain_before = _check_pain(value)

    @property
    def pain_after(self) -> int | None:
        """Pain 0–10 after the session, or None if not asked or skipped."""
        return self._pain_after

    @pain_after.setter
    def pain_after(self, value: int | None) -> None:
        self._pain_after = _check_pain(value)

    @property
    def saved(self) -> bool:
        return self.record is not None

    def __call__(self, event: Event) -> None:
        if self.done is not None:
            return
        if self.started is None:
            if isinstance(event, Done) and event.active_seconds <= 0 and not event.steps_done:
                # stop() before start(): nothing was played, so there is no session to record.
                return
            self.started = self._now()
            if self._clock is not None:
                self._clock_start = self._clock.now()
        t = float(getattr(event, "t", self._last_t))
        self._last_t = max(self._last_t, t)
        if isinstance(event, SegmentStarted):
            seg = event.segment
            self._open = (seg.region, t) if seg.kind == "work" and seg.region else None
        elif isinstance(event, SegmentEnded):
            # The engine says how much of the segment was played: no arithmetic of our own.
            seg = event.segment
            if seg.kind == "work" and seg.region:
                self._credit(seg.region, event.played)
            self._open = None
        elif isinstance(event, Done):
            self.done = event
            self.ended = self._ended_now()

    def _ended_now(self) -> datetime:
        if self._clock is None or self.started is None:
            return self._now()
        return self.started + timedelta(seconds=max(self._clock.now() - self._clock_start, 0.0))

    def _credit(self, region: str, played: float) -> None:
        self._regions[region] = self._regions.get(region, 0.0) + max(played, 0.0)

    def build(self) -> Record | None:
        """The record as it would be saved now, or None if the session never started."""
        if self.started is None:
            return None
        done = self.done
        if done is None:
            # Saved without a Done event (the caller is going down): keep what was played.
            if self._open is not None:
                region, since = self._open
                self._credit(region, self._last_t - since)
                self._open = None
            ended = self._ended_now()
            completed, active = False, self._last_t
            steps_done = steps_skipped = 0
        else:
            ended = self.ended or self._now()
            completed, active = done.completed, done.active_seconds
            steps_done, steps_skipped = done.steps_done, done.steps_skipped
        regions = {r: round(s, 1) for r, s in self._regions.items() if s > 0}
        record: Record = {
            "routine": self.routine.id,
            "name": self.routine.name,
            "started": _iso(self.started),
            "ended": _iso(ended),
            "completed": bool(completed),
            "active_seconds": round(float(active), 1),
            "steps_done": int(steps_done),
            "steps_skipped": int(steps_skipped),
            "pain_before": self._pain_before,
            "pain_after": self._pain_after,
            "regions": regions,
        }
        if self.region_pain_before or self.region_pain_after:
            from player.pain import region_pain

            record["region_pain"] = region_pain(self.region_pain_before, self.region_pain_after)
        return record

    def save(self) -> Record | None:
        """Append the record (once). Returns it; None if the session never started.

        Later calls write nothing and return the record already saved. Raises HistoryError when
        the file cannot be written (a later call tries again).
        """
        if self.record is not None:
            return self.record
        record = self.build()
        if record is None:
            return None
        if self.preview:
            self.not_saved = "a preview (--speed): not saved to history (--record saves it)"
            return None
        if not record["completed"] and record["active_seconds"] < self.MIN_SECONDS:
            self.not_saved = (f"stopped in its first {self.MIN_SECONDS:g} s: "
                              "not saved to history")
            return None
        append_record(record, self.path)
        self.record = record
        return record


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="seconds")

