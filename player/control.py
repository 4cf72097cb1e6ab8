"""Provides the seam between a playing session and controls outside the terminal.

MPRIS (media keys, headset buttons, the desktop's media widget) and the phone remote run their
servers on threads of their own; the session belongs to the thread that drives it (the TUI's
event loop or the headless select loop). They meet here:

- a control asks with `SessionControl.submit(Command.NEXT)` from any thread; the command waits
  in an inbox and the owner is woken (`wake`, given by the driver) to run it with `drain()` on
  its own thread, so the engine is only ever touched by one thread;
- after every session event the owner publishes a `Snapshot` (frozen, so safe to read from any
  thread), and each watcher registered with `watch()` is called with it, on the owner's thread:
  a watcher must only hand the snapshot to its own loop (`loop.call_soon_threadsafe`).

Textual-free, like the rest of the engine layer.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from player import vocab
from player.events import Done, Event
from player.session import Session
from player.timeline import Segment


class Command(str, Enum):
    """What a button outside the terminal can ask for."""

    PLAY_PAUSE = "play_pause"
    PLAY = "play"
    PAUSE = "pause"
    #: MPRIS Stop pauses: a session never ends from a button the person cannot see.
    STOP = "stop"
    NEXT = "next"
    PREVIOUS = "previous"
    RESTART = "restart"
    #: Adds `amount` seconds (15 when not given) to the current segment.
    EXTEND = "extend"
    #: Ends the session and saves it, as `q` does.
    QUIT = "quit"


@dataclass(frozen=True)
class Snapshot:
    """What a control shows: the session at one moment (`taken_at`, time.monotonic())."""

    routine_id: str
    routine_name: str
    #: "ready", "lead_in", "work", "rest", "switch", "paused" or "done".
    state: vocab.State
    paused: bool
    done: bool
    #: 1-based step and the number of steps; 0 before the start.
    step: int
    steps: int
    #: The step as the player shows it: "Trigger point · upper trapezius · left".
    title: str
    kind: str | None
    technique: str | None
    region: str | None
    side: str | None
    pressure: int | None
    #: The step's instructions (what to do, how it should feel).
    instructions: str
    #: Routine seconds: the current segment's length and what is left of it.
    segment_length: float
    segment_remaining: float
    #: Routine seconds left in the whole routine.
    routine_remaining: float
    #: The routine's planned length of the current step (all sides and sets), for MPRIS.
    step_length: float
    #: Routine seconds into the current step.
    step_elapsed: float
    #: Routine seconds per real second (--speed).
    speed: float
    #: The next step's title, or None on the last step.
    next_title: str | None
    #: A number that grows with every published snapshot.
    serial: int
    taken_at: float

    @property
    def real_remaining(self) -> float:
        """Real seconds left in the segment at `taken_at`."""
        return self.segment_remaining / self.speed if self.speed > 0 else 0.0


Watcher = Callable[[Snapshot], None]
#: Runs one command on the owner's thread (`player.playback.Playback.command`).
Execute = Callable[[Command, "float | None"], object]


def apply_command(
    session: Session, command: Command, amount: float | None, on_quit: Callable[[], None]
) -> bool:
    """Does what `command` asks of `session`; True when it changed something.

    The one place a command becomes an engine call: `Playback.command` runs it for the TUI's
    keys, headless keys, MPRIS and the remote page alike.
    """
    if session.state == "done":
        return False
    if command is Command.PLAY_PAUSE:
        return session.toggle_pause()
    if command is Command.PLAY:
        return session.resume()
    if command in (Command.PAUSE, Command.STOP):
        return session.pause()
    if command is Command.NEXT:
        return session.next()
    if command is Command.PREVIOUS:
        return session.back()
    if command is Command.RESTART:
        return session.restart_step()
    if command is Command.EXTEND:
        return session.extend(15.0 if amount is None else float(amount))
    if command is Command.QUIT:
        on_quit()
        return True
    return False


def _title(seg: Segment) -> str:
    parts = [vocab.display_name("technique", seg.technique)]
    if seg.region:
        parts.append(vocab.display_name("region", seg.region, in_text=True))
    if seg.side:
        parts.append(seg.side)
    return " · ".join(parts)


class SessionControl:
    """Runs commands from other threads on the session's own thread, and publishes snapshots.

    `wake` is called (from the submitting thread) after a command is queued; the driver must
    then call `drain()` on its own thread soon. `on_quit` is called on the owner's thread for
    `Command.QUIT`, so the driver ends and saves the session as it does for `q`. With
    `execute` (what `Playback` passes: its own `command`), every command runs through it.
    """

    def __init__(
        self,
        session: Session,
        wake: Callable[[], None],
        on_quit: Callable[[], None],
        routine_id: str = "",
        routine_name: str = "",
        *,
        execute: Execute | None = None,
    ) -> None:
        self.session = session
        self._execute = execute
        self._wake = wake
        self._on_quit = on_quit
        self._routine_id = routine_id
        self._routine_name = routine_name
        self._lock = threading.Lock()
        self._inbox: list[tuple[Command, float | None]] = []
        self._watchers: list[Watcher] = []
        self._serial = 0
        self._snapshot = self._take()
        session.subscribe(self._on_event)

    # ------------------------------------------------------------------ any thread

    def submit(self, command: Command, amount: float | None = None) -> None:
        """Queues a command for the owner's thread; safe from any thread."""
        with self._lock:
            self._inbox.append((Command(command), amount))
        self._wake()

    def snapshot(self) -> Snapshot:
        """The latest published snapshot; safe from any thread."""
        with self._lock:
            return self._snapshot

    def watch(self, watcher: Watcher) -> Callable[[], None]:
        """Calls `watcher` with each new snapshot (on the owner's thread); returns an unwatch."""
        with self._lock:
            self._watchers.append(watcher)

        def unwatch() -> None:
            with self._lock:
                if watcher in self._watchers:
                    self._watchers.remove(watcher)

        return unwatch

    # ------------------------------------------------------------------ owner's thread

    def drain(self) -> int:
        """Runs the queued commands; returns how many ran. Call on the session's thread."""
        with self._lock:
            inbox, self._inbox = self._inbox, []
        for command, amount in inbox:
            self._run(command, amount)
        if inbox:
            self.publish()
        return len(inbox)

    def publish(self) -> None:
        """Takes a new snapshot and tells the watchers. Call on the session's thread."""
        snap = self._take()
        with self._lock:
            self._snapshot = snap
            watchers = list(self._watchers)
        for watcher in watchers:
            try:
                watcher(snap)
            except Exception:  # a control's bug must never stop the timer
                with self._lock:
                    if watcher in self._watchers:
                        self._watchers.remove(watcher)

    def close(self) -> None:
        self.session.unsubscribe(self._on_event)

    def _run(self, command: Command, amount: float | None) -> None:
        if self._execute is not None:
            self._execute(command, amount)
        else:
            apply_command(self.session, command, amount, self._on_quit)

    def _on_event(self, event: Event) -> None:
        self.publish()
        if isinstance(event, Done):
            self.close()

    def _take(self) -> Snapshot:
        s = self.session
        self._serial += 1
        snap = Snapshot(
            routine_id=self._routine_id,
            routine_name=self._routine_name,
            state=s.state,
            paused=s.paused,
            done=s.state == "done",
            step=0,
            steps=s.timeline.steps,
            title="",
            kind=None,
            technique=None,
            region=None,
            side=None,
            pressure=None,
            instructions="",
            segment_length=0.0,
            segment_remaining=0.0,
            routine_remaining=s.routine_remaining(),
            step_length=0.0,
            step_elapsed=0.0,
            speed=s.speed,
            next_title=None,
            serial=self._serial,
            taken_at=s.clock.now(),
        )
        seg = s.current
        return snap if seg is None else self._with_segment(snap, seg)

    def _with_segment(self, snap: Snapshot, seg: Segment) -> Snapshot:
        """`snap` with what the current segment and its step say."""
        s = self.session
        segments = s.timeline.segments
        later = [x for x in segments if x.step == seg.step + 1 and x.kind == "work"]
        return replace(
            snap,
            step=seg.step,
            title=_title(seg),
            kind=seg.kind,
            technique=seg.technique,
            region=seg.region,
            side=seg.side,
            pressure=seg.step_ref.pressure,
            instructions=seg.step_ref.instructions,
            segment_length=s.segment_length(),
            segment_remaining=s.segment_remaining(),
            step_length=sum(x.duration for x in segments if x.step == seg.step),
            step_elapsed=s.step_elapsed(),
            next_title=_title(later[0]) if later else None,
        )
