"""Provides the headless driver: one session played to its end as a plain timer.

`Headless` drives a `Playback` (player/playback.py): it sleeps in `select()` until the engine's
next deadline, a key on a TTY stdin, a signal or another thread's wake-up, so it uses no CPU
between events and never busy-polls; then it acts on keys and signals and lets the playback
poll. What it prints comes from player/headless/format.py through the terminal's `Printer`
(player/headless/terminal.py). The terminal mode and signal handlers are restored on every
way out.
"""

from __future__ import annotations

import json
import select
import signal
import sys
from dataclasses import dataclass, field
from typing import IO, Any, Callable

from player.clock import Clock, MonotonicClock
from player.durations import format_human
from player.errors import UnknotError
from player.events import Event
from player.headless.terminal import (
    KEY_COMMANDS,
    KEYS_HELP,
    Keyboard,
    Printer,
    Signals,
    is_tty,
    stop_until_continued,
)
from player.playback import Playback, Severity
from player.routine import Routine
from player.status_line import next_change

#: Why a signal ends the session (Done.reason); the exit code is 128 + the signal's number
#: (Ctrl+C 130, SIGTERM 143, hang-up 129).
SIGNAL_REASONS: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
if hasattr(signal, "SIGHUP"):
    SIGNAL_REASONS[signal.SIGHUP] = "terminated"

#: Seconds before a deadline that a long sleep ends, to finish with a short one.
EARLY = 0.002


@dataclass
class Options:
    """What headless play needs from the command line."""

    as_json: bool = False
    speed: float = 1.0
    start_step: int = 1
    sound: str = "auto"
    voice: bool | None = None
    pain_before: int | None = None
    pain_after: int | None = None
    #: Pain per region, {region id: 0-10} (`--pain-before calves=6,feet=4`).
    region_pain_before: dict[str, int] = field(default_factory=dict)
    region_pain_after: dict[str, int] = field(default_factory=dict)
    ask_pain: bool = False
    #: Save the session even when it is a --speed preview (design.md "Previews are not
    #: sessions").
    record: bool = False
    #: Publish the session on the D-Bus session bus (MPRIS: media keys, headset buttons).
    media_keys: bool = True
    #: `--events PATH`: every event as a JSON line to a file, a FIFO or "-" (stdout; the
    #: human lines then go to stderr).
    events: str | None = None
    #: Serve the phone remote page (`--remote`) on `remote_bind` (HOST[:PORT]; None: all
    #: interfaces, a free port).
    remote: bool = False
    remote_bind: str | None = None
    extra_listeners: list[Callable[[Event], None]] = field(default_factory=list)


class Headless:
    """Runs one session to its end, in the foreground, and returns the exit code."""

    def __init__(
        self,
        routine: Routine,
        options: Options,
        *,
        out: IO[str] | None = None,
        err: IO[str] | None = None,
        stdin: IO[str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.routine = routine
        self.options = options
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.stdin = stdin if stdin is not None else sys.stdin
        self.clock = clock if clock is not None else MonotonicClock()
        self.sound: Any = None
        self.playback = Playback(routine, clock=self.clock, speed=options.speed,
                                 start_step=options.start_step, record=options.record,
                                 sound=lambda: self.sound, notice=self._playback_notice)
        self.timeline = self.playback.timeline
        self.session = self.playback.session
        # `--events -` takes stdout for JSON lines; the human lines move to stderr.
        shown = self.err if options.events == "-" else self.out
        self.printer = Printer(self.session, shown, options.as_json, tty=is_tty(shown))
        self.keyboard = Keyboard(self.stdin)

    # -- helpers

    def notice(self, message: str) -> None:
        try:
            self.err.write(message.rstrip("\n") + "\n")
            self.err.flush()
        except (OSError, ValueError):
            pass

    def _make_sound(self) -> Any:
        mode = self.options.sound
        try:
            from player.sound import make_sound
        except ImportError:
            if mode != "off":
                self.notice("unknot: sound is not available in this build; playing silently")
            return None
        try:
            return make_sound(mode=mode, voice=self.options.voice, notice=self.notice)
        except UnknotError as exc:
            self.notice(f"unknot: no sound: {exc}")
            return None

    def _playback_notice(self, message: str, severity: Severity) -> None:
        # With --json stdout is for programs; why a session was not saved is not an error.
        if severity == "information" and self.options.as_json:
            return
        self.notice(f"unknot: {message}")

    def _ask_pain(self, when: str) -> None:
        """Ask for a 0–10 rating, or one per region (`calves=6,feet=4`), on the terminal and
        keep it in the options (Enter skips)."""
        from player.pain import parse_rating

        for _ in range(3):
            self.err.write(f"Pain {when} (0–10, or calves=6,feet=4; Enter to skip): ")
            self.err.flush()
            try:
                answer = self.stdin.readline()
            except KeyboardInterrupt:
                self.err.write("\n")  # so the next message starts on its own line
                raise
            if not answer.strip():
                return
            try:
                rating = parse_rating(answer)
            except UnknotError as exc:
                self.notice(str(exc))
                continue
            setattr(self.options, f"pain_{when}", rating.overall)
            setattr(self.options, f"region_pain_{when}", dict(rating.regions))
            return

    def _save_history(self) -> bool:
        """Save the session; False (after one line on stderr) when it could not be saved.

        When the output could not be written (issue 12, class 6) that is the one line, with
        what became of the session: `unknot: error: cannot write to standard output: No space
        left on device; the session stopped (saved to history)`.
        """
        failure = self.printer.failure()
        if not failure:
            return self.playback.save()
        saved = self.playback.save(quiet=True)
        if not saved:
            self.notice(f"unknot: error: {failure}; history not saved: "
                        f"{self.playback.save_error}")
            return False
        recorder = self.playback.recorder
        outcome = recorder.not_saved or (
            "saved to history" if recorder.record is not None else "nothing to save")
        self.notice(f"unknot: error: {failure}; the session stopped ({outcome})")
        return True

    # -- signals

    def _draw_status(self) -> None:
        status = self.printer.status
        if status is not None and not self.printer.broken:
            self._quietly(lambda: status.draw(self.session))

    def _quietly(self, write: Callable[[], None]) -> None:
        try:
            write()
        except (OSError, ValueError) as exc:  # the terminal went away
            self.printer.fail(exc)

    def _suspend(self) -> None:
        """Ctrl+Z: pause, give the terminal back, stop; on `fg` take it again, still paused."""
        self.playback.pause()
        if self.printer.status is not None:
            self._quietly(self.printer.status.erase)
        self.keyboard.leave()
        stop_until_continued()
        self.keyboard.enter()
        self.notice("unknot: paused — press space to go on")

    def _handle_signals(self, signals: Signals) -> int | None:
        """Act on noted signals; returns the signal that ends the session, if one does."""
        while signals.pending:
            signum = signals.pending.pop(0)
            if hasattr(signal, "SIGTSTP") and signum == signal.SIGTSTP:
                self._suspend()
            else:
                return signum
        return None

    # -- keys

    def _handle_keys(self, keys: str) -> None:
        for key in keys:
            command = KEY_COMMANDS.get(key.lower())
            if command is not None:
                self.playback.command(command)
            if self.playback.state == "done":
                return

    # -- main

    def header(self) -> None:
        if self.options.as_json:
            return
        r = self.routine
        lines = [f"{r.name} · {self.timeline.steps} steps · {format_human(self.timeline.total)}"]
        if self.options.start_step > 1:
            lines[0] += f" · from step {self.options.start_step}"
        if self.options.speed != 1.0:
            lines[0] += f" · speed ×{self.options.speed:g}"
        if r.caution:
            lines.append(f"Caution: {r.caution}")
        if self.keyboard.active:
            lines.append(KEYS_HELP)
        for line in lines:
            self.printer.out.write(line + "\n")
        self.printer.out.flush()

    def run(self) -> int:
        code = 1
        try:
            if self.options.ask_pain and self.options.pain_before is None:
                if self.keyboard.active:
                    self._ask_pain("before")
                else:
                    self.notice("unknot: --ask-pain needs a terminal on stdin; not asking")
            # Playback renders every spoken step before the start, so speech never waits on
            # espeak-ng.
            self.sound = self._make_sound()
            listeners: list[Callable[[Event], None]] = [self.printer,
                                                        *self.options.extra_listeners]
            if self.options.events is not None:
                self.playback.log_events(self.options.events)
            for listener in listeners:
                self.playback.subscribe(listener)
            code = self._play()
            if (self.options.ask_pain and self.keyboard.active and code == 0
                    and self.options.pain_after is None):
                try:
                    self._ask_pain("after")
                except KeyboardInterrupt:
                    code = 130
        finally:
            self.playback.pain_before = self.options.pain_before
            self.playback.pain_after = self.options.pain_after
            self.playback.recorder.region_pain_before = self.options.region_pain_before
            self.playback.recorder.region_pain_after = self.options.region_pain_after
            saved = self._save_history()
            if self.sound is not None:
                self.sound.close()
        # A session that ran but was lost, or whose output could not be written, is not a
        # success (issue 12, "silent loss" and "output that cannot be written").
        if code == 0 and (not saved or self.printer.failure()):
            return 1
        return code

    def _start_remote(self) -> Any:
        """`--remote`: the phone remote's server on `playback.control`, its URL on stderr (and
        its QR code there, on a terminal) and as `{"event": "remote"}` with --json and in
        --events."""
        if not self.options.remote:
            return None
        from player.remote import qr_text, start_remote, where_to_open

        server = start_remote(self.playback.control, self.options.remote_bind)
        self.notice(f"unknot: remote: {where_to_open(server.url)}")
        try:
            if self.err.isatty():
                self.notice(qr_text(server.url))
        except (OSError, ValueError):
            pass
        self.playback.log_line({"event": "remote", "url": server.url})
        if self.options.as_json:
            try:
                self.out.write(json.dumps({"event": "remote", "url": server.url}) + "\n")
                self.out.flush()
            except (OSError, ValueError) as exc:
                self.printer.fail(exc)
        return server

    def _timeout(self) -> float | None:
        """Seconds to sleep: to the engine's next deadline (or the live line's next second)."""
        deadline = self.playback.next_deadline()
        if self.printer.status is not None:
            # The live line's next whole second is a deadline too.
            change = next_change(self.session)
            if change is not None and (deadline is None or change < deadline):
                deadline = change
        timeout = None if deadline is None else max(deadline - self.clock.now(), 0.0)
        if timeout is not None and timeout > 2 * EARLY:
            # A long sleep wakes late (deep idle, virtual machines: ~1 ms); wake a little
            # early and finish with a short, punctual one.
            timeout -= EARLY
        return timeout

    def _wait(self, signals: Signals) -> None:
        """Sleep until the next deadline, a key, a signal or a control's wake-up; act on keys."""
        fds = [signals.read_fd]
        if self.keyboard.fd is not None:
            fds.append(self.keyboard.fd)
        ready, _, _ = select.select(fds, [], [], self._timeout())
        if signals.read_fd in ready:
            signals.drain()
        if self.keyboard.fd is not None and self.keyboard.fd in ready:
            keys = self.keyboard.read()
            if keys is None:  # the terminal went away: no more keys
                self.keyboard.leave()
                self.keyboard.fd = None
            else:
                self._handle_keys(keys)

    def _play(self) -> int:
        """Play the session to its end; the exit code (0, or 128 + the signal that ended it)."""
        signals = Signals(suspend=self.keyboard.active)
        self.playback.wake = signals.wake
        self.playback.start_media_keys(self.options.media_keys)
        remote = None
        try:
            remote = self._start_remote()
            # The header comes after the handlers, so a Ctrl+C that follows it always gets
            # the summary line, and after the terminal is in cbreak mode, so a key pressed as
            # soon as "keys: …" shows is read at once (before, it could be echoed and wait in
            # the line buffer on a loaded machine).
            self.keyboard.enter()
            try:
                self.header()
            except (OSError, ValueError) as exc:
                self.printer.fail(exc)
            self.playback.start()
            while self.playback.state != "done":
                signum = self._handle_signals(signals)
                if signum is not None:
                    self.playback.end(SIGNAL_REASONS.get(signum, "terminated"))
                    return 128 + signum
                if self.printer.broken:
                    self.playback.end("stopped")
                    break
                self._wait(signals)
                self.playback.drain()  # MPRIS buttons, on this thread
                self.playback.poll()
                self._draw_status()
            return 0
        finally:
            if self.printer.status is not None:
                self._quietly(self.printer.status.erase)
            self.playback.wake = _no_wake
            if remote is not None:
                remote.stop()
            self.playback.close()
            self.keyboard.leave()
            signals.restore()


def _no_wake() -> None:
    pass


def run_headless(routine: Routine, options: Options) -> int:
    """Play `routine` headless on this process's stdin/stdout; returns the exit code."""
    for stream in (sys.stdout, sys.stderr):
        # A terminal that cannot show ▶ or · gets a replacement character, not a crash.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
    return Headless(routine, options).run()
