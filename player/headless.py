"""Provides headless play: the session engine as a plain timer printing lines (or JSON lines).

`unknot play ROUTINE --headless` lands here. One line per segment in the shape of design.md
(`[01:05] ▶ 3/12 Trigger point · upper trapezius · left · 20 s`), plus pause, resume, skip and
a closing summary; with `--json` one whole JSON object per line, flushed at once.

The driver sleeps in `select()` until the engine's next deadline, a key on a TTY stdin (cbreak
mode; space, n, p, r, +, q), or a signal (through `signal.set_wakeup_fd`), so it uses no CPU
between events and never busy-polls. Signal handlers only note the signal; the loop acts on it
between writes, so a line is never cut in half. The terminal mode and signal handlers are
restored on every way out. Nothing here imports Textual.
"""

from __future__ import annotations

import functools
import json
import os
import select
import signal
import sys
from dataclasses import dataclass, field
from typing import IO, Any, Callable

from player import vocab
from player.clock import Clock, MonotonicClock
from player.control import Command
from player.durations import format_clock, format_human
from player.errors import UnknotError
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
from player.playback import Playback, Severity
from player.routine import Routine
from player.session import Session
from player.status_line import StatusLine, next_change
from player.timeline import Segment, Timeline

#: Why a signal ends the session (Done.reason); the exit code is 128 + the signal's number
#: (Ctrl+C 130, SIGTERM 143, hang-up 129).
SIGNAL_REASONS: dict[int, str] = {signal.SIGINT: "interrupted", signal.SIGTERM: "terminated"}
if hasattr(signal, "SIGHUP"):
    SIGNAL_REASONS[signal.SIGHUP] = "terminated"

#: Seconds before a deadline that a long sleep ends, to finish with a short one.
EARLY = 0.002

KEYS_HELP = "keys: space pause/resume · n next · p back · r restart step · + 15 s · q quit"
#: Headless keys (lower-cased) and the Playback command each one is.
KEY_COMMANDS: dict[str, Command] = {
    " ": Command.PLAY_PAUSE, "n": Command.NEXT, "p": Command.PREVIOUS, "r": Command.RESTART,
    "+": Command.EXTEND, "q": Command.QUIT,
}


# ---------------------------------------------------------------------------- formatting


def technique_name(tid: str) -> str:
    try:
        return vocab.technique(tid).name
    except KeyError:
        return tid


def region_name(rid: str | None) -> str | None:
    """A region's display name in running text: `upper trapezius`, but `TFL`, `IT band`."""
    if rid is None:
        return None
    try:
        name = vocab.region(rid).name
    except KeyError:
        return rid.replace("-", " ")
    if len(name) > 1 and name[1].isupper():
        return name
    return name[:1].lower() + name[1:]


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


class Printer:
    """A session listener writing one whole line per event to `out`, flushed at once.

    If the reader goes away (a closed pipe) it stops writing and sets `broken`; the driver then
    ends the session.

    `[mm:ss]` is the routine position, extensions included: the engine re-bases its offsets
    to the plan when an extended segment ends, so the seconds added so far are carried here,
    and a stamp goes back only on a line that says so (`back to step`, `again`). On a terminal
    (`tty`) each step's instructions and pressure follow the line that starts it, and a live
    `StatusLine` (player/status_line.py) under the last line shows the time left.
    """

    def __init__(self, session: Session, out: IO[str], as_json: bool,
                 tty: bool = False) -> None:
        self.session = session
        self.out = out
        self.as_json = as_json
        self.broken = False
        #: Why writing failed, when it did (a closed pipe, a full disk, a closed stdout).
        self.error: Exception | None = None
        #: Seconds of extensions (+15 s) played in segments already left (the engine's
        #: position counts the one being played, then re-bases to the plan).
        self._carried = 0.0
        #: The step whose instructions were printed last (printed again when it is entered
        #: again, by p or r).
        self._detailed: int | None = None
        self.status: StatusLine | None = None
        if tty and not as_json:
            self.status = StatusLine(out)

    def position(self) -> float:
        """The routine position now, extensions included."""
        return self.session.position() + self._carried

    def line_for(self, event: Event) -> str | None:
        timeline = self.session.timeline
        if self.as_json:
            obj = json_event(event, timeline)
            return None if obj is None else json.dumps(obj, ensure_ascii=False)
        if isinstance(event, SegmentStarted):
            line = segment_line(event.segment, event.at + self._carried)
            return line + self._details(event.segment)
        pos = self.position()
        if isinstance(event, Paused):
            return f"{stamp(pos)} ‖ paused"
        if isinstance(event, Resumed):
            return f"{stamp(pos)} ▷ resumed after {format_human(event.paused_for)}"
        if isinstance(event, Skipped):
            n = timeline.steps
            if event.action == "next":
                if event.to_step > n:
                    return f"{stamp(pos)} ⏭ skipped step {event.from_step}/{n}"
                return f"{stamp(pos)} ⏭ skipped step {event.from_step}/{n} → {event.to_step}/{n}"
            if event.action == "back":
                return f"{stamp(pos)} ⏮ back to step {event.to_step}/{n}"
            return f"{stamp(pos)} ↺ step {event.to_step}/{n} again"
        if isinstance(event, Extended):
            left = format_clock(self.session.segment_remaining())
            return f"{stamp(pos)} + {format_human(event.seconds)} · now {left} left"
        if isinstance(event, Done):
            return summary_line(event, timeline, pos, self.session.step)
        return None  # cues are heard, not printed

    def _details(self, seg: Segment) -> str:
        """On a terminal, the first segment of a step (its lead-in) is followed by what to do
        and how hard, indented under it."""
        if self.status is None or seg.step == self._detailed:
            return ""
        self._detailed = seg.step
        step = seg.step_ref
        text = step.instructions or (vocab.TECHNIQUE_BY_ID[step.technique].instructions
                                     if step.technique in vocab.TECHNIQUE_BY_ID else "")
        import shutil
        import textwrap

        from player.safe_text import visible

        width = max(40, shutil.get_terminal_size((80, 24)).columns - 1)
        lines = textwrap.wrap(visible(" ".join(text.split()), multiline=False), width=width,
                              initial_indent=" " * 8, subsequent_indent=" " * 8)
        if step.pressure is not None:
            level = max(0, min(10, step.pressure))
            lines.append(f"{'':8}pressure {level}/10 · {vocab.pressure_word(level)}")
        return "".join("\n" + line for line in lines)

    def __call__(self, event: Event) -> None:
        if isinstance(event, SegmentEnded):
            # What of an extension was played past the plan moves every later stamp on.
            self._carried += max(0.0, event.played - event.segment.duration)
        if self.broken:
            return
        line = self.line_for(event)
        if line is None:
            return
        try:
            if self.status is not None:
                self.status.erase()  # the live line goes, the printed one takes its place
            # One write of the whole line, then flush: a reader never sees half a line.
            self.out.write(line + "\n")
            self.out.flush()
            if self.status is not None:
                self.status.draw(self.session)
        except (OSError, ValueError) as exc:  # a closed pipe, a hung-up terminal, a full disk
            self.fail(exc)

    def fail(self, exc: Exception) -> None:
        self.broken = True
        self.error = exc
        _silence(self.out)

    def failure(self) -> str | None:
        """The one line saying the output could not be written; None when it could, or when
        the reader only went away (`| head`: not an error)."""
        if self.error is None or isinstance(self.error, BrokenPipeError):
            return None
        if str(self.error).startswith("cannot write to "):  # safe_text.OutputError
            return str(self.error)
        reason = getattr(self.error, "strerror", None) or "it is closed"
        return f"cannot write to standard output: {reason}"


def _silence(stream: IO[str]) -> None:
    """Point a dead stream's descriptor at /dev/null so the exit flush cannot fail again."""
    try:
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError):
        pass


# ---------------------------------------------------------------------------- terminal


class Keyboard:
    """Single keys from a TTY stdin in cbreak mode; restores the terminal on `close()`.

    Inactive (no fd) when stdin is not a TTY or the process is not in the terminal's
    foreground (changing the mode from the background would stop the process).
    """

    def __init__(self, stdin: IO[str] | None) -> None:
        self.fd: int | None = None
        self._saved: list[Any] | None = None
        if stdin is None:
            return
        try:
            fd = stdin.fileno()
            if not os.isatty(fd) or os.tcgetpgrp(fd) != os.getpgrp():
                return
        except (OSError, ValueError):
            return
        self.fd = fd

    @property
    def active(self) -> bool:
        return self.fd is not None

    def enter(self) -> None:
        if self.fd is None or self._saved is not None:
            return
        import termios
        import tty

        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd, termios.TCSANOW)

    def leave(self) -> None:
        if self.fd is None or self._saved is None:
            return
        import termios

        try:
            termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)
        except termios.error:
            pass  # the terminal is gone (hang-up); nothing left to restore
        self._saved = None

    def read(self) -> str | None:
        """The keys waiting (decoded); None when the terminal has closed."""
        assert self.fd is not None
        try:
            data = os.read(self.fd, 64)
        except OSError:
            return None
        if not data:
            return None
        return data.decode("utf-8", "replace")


# ---------------------------------------------------------------------------- driver


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
        self.printer = Printer(self.session, shown, options.as_json, tty=_is_tty(shown))
        self.keyboard = Keyboard(self.stdin)
        self._signals: list[int] = []

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

    def _on_signal(self, signum: int, frame: object) -> None:
        # Only note it: the loop acts between writes, so no line is ever cut short.
        self._signals.append(signum)

    def _install_signals(self) -> tuple[dict[int, Any], int, tuple[int, int]]:
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        os.set_blocking(read_fd, False)
        old_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        wanted = [signal.SIGINT, signal.SIGTERM]
        if hasattr(signal, "SIGHUP"):
            wanted.append(signal.SIGHUP)
        if self.keyboard.active and hasattr(signal, "SIGTSTP"):
            wanted.append(signal.SIGTSTP)
        saved: dict[int, Any] = {s: signal.signal(s, self._on_signal) for s in wanted}
        return saved, old_wakeup, (read_fd, write_fd)

    def _restore_signals(self, saved: dict[int, Any], old_wakeup: int,
                         pipe: tuple[int, int]) -> None:
        for s, handler in saved.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(old_wakeup)
        for fd in pipe:
            os.close(fd)

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
        handler = signal.signal(signal.SIGTSTP, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTSTP)  # stops here until SIGCONT
        signal.signal(signal.SIGTSTP, handler)
        self.keyboard.enter()
        self.notice("unknot: paused — press space to go on")

    def _handle_signals(self) -> int | None:
        """Act on noted signals; returns the signal that ends the session, if one does."""
        while self._signals:
            signum = self._signals.pop(0)
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

    def _wait(self, read_fd: int) -> None:
        """Sleep until the next deadline, a key, a signal or a control's wake-up; act on keys."""
        fds = [read_fd]
        if self.keyboard.fd is not None:
            fds.append(self.keyboard.fd)
        ready, _, _ = select.select(fds, [], [], self._timeout())
        if read_fd in ready:
            try:
                while os.read(read_fd, 512):
                    pass
            except BlockingIOError:
                pass
        if self.keyboard.fd is not None and self.keyboard.fd in ready:
            keys = self.keyboard.read()
            if keys is None:  # the terminal went away: no more keys
                self.keyboard.leave()
                self.keyboard.fd = None
            else:
                self._handle_keys(keys)

    def _play(self) -> int:
        """Play the session to its end; the exit code (0, or 128 + the signal that ended it)."""
        saved, old_wakeup, pipe = self._install_signals()
        read_fd = pipe[0]
        self.playback.wake = functools.partial(_wake, pipe[1])
        self.playback.start_media_keys(self.options.media_keys)
        remote = None
        try:
            remote = self._start_remote()
            # The header comes after the handlers, so a Ctrl+C that follows it always gets
            # the summary line.
            try:
                self.header()
            except (OSError, ValueError) as exc:
                self.printer.fail(exc)
            self.keyboard.enter()
            self.playback.start()
            while self.playback.state != "done":
                signum = self._handle_signals()
                if signum is not None:
                    self.playback.end(SIGNAL_REASONS.get(signum, "terminated"))
                    return 128 + signum
                if self.printer.broken:
                    self.playback.end("stopped")
                    break
                self._wait(read_fd)
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
            self._restore_signals(saved, old_wakeup, pipe)


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (OSError, ValueError, AttributeError):
        return False


def _wake(fd: int) -> None:
    """From another thread (MPRIS): one byte in the signal pipe ends the driver's select()."""
    try:
        os.write(fd, b"m")
    except OSError:  # full (a wake-up is already waiting) or closed
        pass


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
