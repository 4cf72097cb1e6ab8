"""Provides headless play's side of the terminal: the printer, the keys and the signals.

`Printer` writes each event's line (player/headless/format.py) whole and flushed, with a live
status line under it on a TTY; `Keyboard` reads single keys from a TTY stdin in cbreak mode;
`Signals` notes the signals that end or suspend play and wakes the driver's `select()` through
`signal.set_wakeup_fd`. Each restores what it changed (terminal mode, handlers) afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import stat
from typing import IO, Any

from player import vocab
from player.control import Command
from player.events import Event, SegmentEnded, SegmentStarted
from player.headless.format import event_line, json_event, segment_line
from player.session import Session
from player.status_line import StatusLine
from player.timeline import Segment

KEYS_HELP = "keys: space pause/resume · n next · p back · r restart step · + 15 s · q quit"
#: Headless keys (lower-cased) and the Playback command each one is.
KEY_COMMANDS: dict[str, Command] = {
    " ": Command.PLAY_PAUSE, "n": Command.NEXT, "p": Command.PREVIOUS, "r": Command.RESTART,
    "+": Command.EXTEND, "q": Command.QUIT,
}


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
        #: Whether stdout is a regular file (None: not known yet), which a failed line is
        #: cut back out of.
        self._regular: bool | None = None
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
        return event_line(event, timeline, self.position(), self.session.step,
                          self.session.segment_remaining)

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
        regular = self._to_regular_file()
        try:
            if self.status is not None:
                self.status.erase()  # the live line goes, the printed one takes its place
            if not regular:
                # One write of the whole line, then flush: a reader never sees half a line.
                self.out.write(line + "\n")
                self.out.flush()
            else:
                self._write_whole(line + "\n")
            if self.status is not None:
                self.status.draw(self.session)
        except (OSError, ValueError) as exc:  # a closed pipe, a hung-up terminal, a full disk
            self.fail(exc)

    def _to_regular_file(self) -> bool:
        """Whether stdout is a regular file (a redirect to a file on a disk that may fill)."""
        if self._regular is None:
            try:
                self._regular = stat.S_ISREG(os.fstat(self.out.fileno()).st_mode)
            except (OSError, ValueError, AttributeError):
                self._regular = False
        return self._regular

    def _write_whole(self, text: str) -> None:
        """To a regular file: the line's bytes written here, so a disk that fills mid-line
        leaves no part of it (issue 12: whole lines or nothing). Through the stream a short
        write goes unnoticed when stdout is unbuffered (PYTHONUNBUFFERED), and a buffered
        one leaves the part that fitted."""
        from player.safe_text import visible

        data = visible(text).encode(getattr(self.out, "encoding", None) or "utf-8",
                                    getattr(self.out, "errors", None) or "strict")
        self.out.flush()  # anything written through the stream goes first
        fd = self.out.fileno()
        start = os.lseek(fd, 0, os.SEEK_CUR)
        done = 0
        try:
            while done < len(data):
                done += os.write(fd, data[done:])
        except OSError:
            try:
                os.ftruncate(fd, start)
                os.lseek(fd, start, os.SEEK_SET)
            except OSError:
                pass
            raise

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


def is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (OSError, ValueError, AttributeError):
        return False


class Keyboard:
    """Single keys from a TTY stdin in cbreak mode (`enter()`); `leave()` restores the terminal.

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


class Signals:
    """Ctrl+C, SIGTERM, a hang-up (and Ctrl+Z, when `suspend`) while headless play runs.

    The handlers only note the signal in `pending`: the driver's loop acts on it between
    writes, so no line is ever cut short. `signal.set_wakeup_fd` writes to a pipe whose read
    end (`read_fd`) the loop's `select()` waits on; `wake()` writes to it from another thread
    (MPRIS) to the same end. `restore()` puts the old handlers back and closes the pipe.
    """

    def __init__(self, *, suspend: bool) -> None:
        self.pending: list[int] = []
        read_fd, write_fd = os.pipe()
        os.set_blocking(write_fd, False)
        os.set_blocking(read_fd, False)
        self.read_fd = read_fd
        self._write_fd = write_fd
        self._old_wakeup = signal.set_wakeup_fd(write_fd, warn_on_full_buffer=False)
        wanted = [signal.SIGINT, signal.SIGTERM]
        if hasattr(signal, "SIGHUP"):
            wanted.append(signal.SIGHUP)
        if suspend and hasattr(signal, "SIGTSTP"):
            wanted.append(signal.SIGTSTP)
        self._saved: dict[int, Any] = {s: signal.signal(s, self._note) for s in wanted}

    def _note(self, signum: int, frame: object) -> None:
        self.pending.append(signum)

    def wake(self) -> None:
        """From another thread: one byte in the pipe ends the driver's select()."""
        try:
            os.write(self._write_fd, b"m")
        except OSError:  # full (a wake-up is already waiting) or closed
            pass

    def drain(self) -> None:
        """Empty the pipe (after select() said it is readable)."""
        try:
            while os.read(self.read_fd, 512):
                pass
        except BlockingIOError:
            pass

    def restore(self) -> None:
        for s, handler in self._saved.items():
            signal.signal(s, handler)
        signal.set_wakeup_fd(self._old_wakeup)
        for fd in (self.read_fd, self._write_fd):
            os.close(fd)


def stop_until_continued() -> None:
    """Stop this process as Ctrl+Z does by default, until the shell's `fg` continues it."""
    handler = signal.signal(signal.SIGTSTP, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTSTP)  # stops here until SIGCONT
    signal.signal(signal.SIGTSTP, handler)
