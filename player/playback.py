"""Provides `Playback`: one routine played, from start to saved, whoever drives it.

A Playback owns the session engine, the history recorder, the sound listener (handed in by the
driver, which made it), the saving and the `SessionControl` other threads talk through. The TUI
player screen and the headless driver only drive it:

    playback = Playback(routine, clock=clock, speed=1.0, record=False, notice=say)
    playback.subscribe(listener)        # the driver's own view: every engine event
    playback.start(pain_before=None)    # the session begins
    playback.poll(); playback.next_deadline()   # the driver's timer, as with a bare Session
    playback.command(Command.NEXT)      # keys, MPRIS and the remote page: one path
    playback.end("stopped")             # q, a signal, MPRIS Quit
    ok = playback.save()                # once; a failure is reported once through `notice`

Keys (TUI and headless), MPRIS and the remote page all become `command(Command.X)`, which is
`player.control.apply_command` on this session; a control on another thread uses
`playback.control.submit()` and the driver runs it on its own thread with `drain()` after
`wake` (set by the driver) has woken it. Nothing here imports Textual; the engine is only ever
touched from the driver's thread.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from player.clock import Clock, MonotonicClock
from player.control import Command, SessionControl, apply_command
from player.events import Event, Listener
from player.history import HistoryError, SessionRecorder
from player.routine import Routine
from player.session import Session
from player.timeline import Timeline, expand

if TYPE_CHECKING:
    from player.event_log import EventLog
    from player.mpris import MediaKeys
    from player.vocab import State

Severity = Literal["information", "warning", "error"]
#: How a Playback tells the person something (`message`, lower-case start, no prefix).
Notice = Callable[[str, Severity], None]


class SoundListener(Protocol):
    """What Playback needs of `player.sound.Sound`."""

    muted: bool

    def prepare(self, timeline: Timeline) -> None: ...

    def __call__(self, event: Event) -> None: ...


def _stderr_notice(message: str, severity: Severity) -> None:
    print(f"unknot: {message}", file=sys.stderr)


def _nothing() -> None:
    pass


class Playback:
    """One routine played: session, recorder, sound, saving and the control seam.

    `sound` returns the sound listener when there is one (the TUI makes it on a thread, so it
    may arrive after the start; it is prepared for this timeline the first time it is seen).
    `record` saves a `--speed` preview too. `notice(message, severity)` is how failures and
    "not saved" reach the person: the headless driver writes a line on stderr, the TUI a
    notification.
    """

    def __init__(
        self,
        routine: Routine,
        *,
        clock: Clock | None = None,
        speed: float = 1.0,
        start_step: int = 1,
        record: bool = False,
        history_path: Path | None = None,
        sound: Callable[[], SoundListener | None] | None = None,
        notice: Notice | None = None,
    ) -> None:
        self.routine = routine
        self.timeline = expand(routine)
        self.clock: Clock = clock if clock is not None else MonotonicClock()
        self.session = Session(self.timeline, clock=self.clock, speed=speed,
                               start_step=start_step)
        self.recorder = SessionRecorder(routine, path=history_path, clock=self.clock,
                                        preview=speed != 1.0 and not record)
        self.notice: Notice = notice if notice is not None else _stderr_notice
        #: Called from any thread after a command is submitted: the driver must then `drain()`.
        self.wake: Callable[[], None] = _nothing
        self._sound = sound if sound is not None else (lambda: None)
        self._sound_prepared: SoundListener | None = None
        self._sound_failed = False
        self._recorder_failed = False
        self._save_reported = False
        #: Why the last save failed (None: it did not).
        self.save_error: str | None = None
        self._control: SessionControl | None = None
        self._media: MediaKeys | None = None
        self._logs: list[EventLog] = []
        # Sound first: a cue is heard before anything is drawn or written.
        self.session.subscribe(self._to_sound)
        self.session.subscribe(self._to_recorder)

    # ------------------------------------------------------------------ listeners

    def subscribe(self, listener: Listener) -> None:
        """`listener(event)` for every engine event, on the driver's thread, after sound and
        history have heard it."""
        self.session.subscribe(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self.session.unsubscribe(listener)

    @property
    def sound(self) -> SoundListener | None:
        return self._sound()

    def prepare_sound(self) -> None:
        """Render this timeline's speech in the background, if the sound is there yet."""
        sound = self._sound()
        if sound is not None and self._sound_prepared is not sound:
            self._sound_prepared = sound
            sound.prepare(self.timeline)

    def _to_sound(self, event: Event) -> None:
        if self._sound_failed:
            return
        sound = self._sound()
        if sound is None:
            return
        try:
            self.prepare_sound()
            sound(event)
        except Exception as exc:  # sound must never stop a session; say so once and go on
            self._sound_failed = True
            self.notice(f"sound stopped: {exc}", "warning")

    def _to_recorder(self, event: Event) -> None:
        try:
            self.recorder(event)
        except Exception as exc:  # said once; the session goes on
            if not self._recorder_failed:
                self._recorder_failed = True
                self.notice(f"history: {exc}", "error")

    # ------------------------------------------------------------------ control seam

    @property
    def control(self) -> SessionControl:
        """The thread-safe seam for MPRIS and the remote page (made when first asked for)."""
        if self._control is None:
            self._control = SessionControl(self.session, self._wake_driver, self._quit,
                                           self.routine.id, self.routine.name,
                                           execute=self.command)
        return self._control

    def _wake_driver(self) -> None:
        self.wake()

    def _quit(self) -> None:
        self.end("stopped")

    def drain(self) -> int:
        """Run the commands other threads submitted; call on the driver's thread."""
        if self._control is None:
            return 0
        return self._control.drain()

    def start_media_keys(self, enabled: bool = True) -> MediaKeys | None:
        """Publish this session over MPRIS (media keys, headset buttons); None when off."""
        if not enabled:
            return None
        from player.mpris import start

        self._media = start(self.control)
        return self._media

    def log_events(self, target: str) -> EventLog:
        """`--events PATH`: every event from now on as a JSON line (player.event_log)."""
        from player.event_log import EventLog

        log = EventLog(target, self.timeline, notice=lambda m: self.notice(m, "warning"))
        self._logs.append(log)
        self.subscribe(log)
        return log

    def log_line(self, obj: dict[str, Any]) -> None:
        """A driver's own line in every `--events` log (`{"event": "remote", "url": …}`)."""
        for log in self._logs:
            log.write_obj(obj)

    def close(self) -> None:
        """Stop what runs beside the session (MPRIS, event logs). The sound is the driver's."""
        media, self._media = self._media, None
        if media is not None:
            media.stop()
        for log in self._logs:
            log.close()

    # ------------------------------------------------------------------ driving

    @property
    def state(self) -> State:
        return self.session.state

    @property
    def playing(self) -> bool:
        """Started and not yet done (paused counts)."""
        return self.session.state not in ("ready", "done")

    def start(self, pain_before: int | None = None) -> bool:
        if pain_before is not None:
            self.recorder.pain_before = pain_before
        self.prepare_sound()
        return self.session.start()

    def poll(self) -> None:
        self.session.poll()

    def next_deadline(self) -> float | None:
        return self.session.next_deadline()

    def command(self, command: Command, amount: float | None = None) -> bool:
        """Do what a key or a button asks; True when it changed something."""
        return apply_command(self.session, Command(command), amount, self._quit)

    def pause(self) -> bool:
        return self.command(Command.PAUSE)

    def resume(self) -> bool:
        return self.command(Command.PLAY)

    def toggle(self) -> bool:
        return self.command(Command.PLAY_PAUSE)

    def next(self) -> bool:
        return self.command(Command.NEXT)

    def previous(self) -> bool:
        return self.command(Command.PREVIOUS)

    def restart(self) -> bool:
        return self.command(Command.RESTART)

    def extend(self, seconds: float = 15.0) -> bool:
        return self.command(Command.EXTEND, seconds)

    def end(self, reason: str = "stopped") -> bool:
        """End the session early (Done(completed=False, reason)); saving is `save()`."""
        return self.session.stop(reason)

    # ------------------------------------------------------------------ saving

    @property
    def pain_before(self) -> int | None:
        return self.recorder.pain_before

    @pain_before.setter
    def pain_before(self, value: int | None) -> None:
        self.recorder.pain_before = value

    @property
    def pain_after(self) -> int | None:
        return self.recorder.pain_after

    @pain_after.setter
    def pain_after(self, value: int | None) -> None:
        self.recorder.pain_after = value

    def save(self, quiet: bool = False) -> bool:
        """Save the session to history (once); False when it ran but could not be saved.

        The failure, or why a session is not saved (a preview, stopped in its first 10 s), is
        told once through `notice`, however often this is called (never with `quiet`: the
        caller says it, from `save_error` and `recorder.not_saved`). A failed save is tried
        again by a later call.
        """
        if self.recorder.saved:
            return True
        try:
            self.recorder.save()
        except HistoryError as exc:
            self.save_error = str(exc)
            if not self._save_reported and not quiet:
                self._save_reported = True
                self.notice(f"history not saved: {exc}", "error")
            return False
        self.save_error = None
        if quiet:
            return True
        if self.recorder.not_saved and not self._save_reported:
            self._save_reported = True
            self.notice(self.recorder.not_saved, "information")
        return True
