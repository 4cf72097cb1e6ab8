"""Provides `--events PATH`: every session event as one JSON line, for other programs.

The objects are headless `--json`'s (`player.headless.format.json_event`), one per line,
each written with a single `os.write` the moment the engine emits it (no buffer to flush).
PATH may be:

- a regular file (created, appended to);
- a FIFO: opened without blocking. With no reader yet the open fails (ENXIO) and is tried
  again at the next event, so the session never waits for a reader and the events before one
  comes are not kept. Writes never block either: when a reader stops reading and the pipe is
  full, the line is dropped (counted in `dropped`), never half-written;
- `-`: standard output (headless mode only; the TUI draws there).

A reader that goes away (EPIPE) never stops the session: the writer stops writing, the session
goes on and is saved. Any other write error (a full disk) stops the writer too, said once
through `notice`.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from player.errors import UsageError
from player.events import Event
from player.timeline import Timeline

#: Lines up to this many bytes are written to a pipe whole or not at all (POSIX PIPE_BUF).
PIPE_BUF = 4096


def check_target(target: str, *, stdout_allowed: bool) -> None:
    """Refuses, in one line, a PATH `--events` cannot write to (before anything is drawn)."""
    if target == "-":
        if not stdout_allowed:
            raise UsageError("--events -: standard output is the TUI's screen; give a file or "
                             "FIFO path, or use --headless")
        return
    path = Path(target)
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise UsageError(f"--events {target}: the folder {path.parent} does not exist") \
                from None
        return
    except OSError as exc:
        raise UsageError(f"--events {target}: {exc.strerror}") from None
    if stat.S_ISDIR(mode):
        raise UsageError(f"--events {target}: is a folder; give a file or FIFO path")


class EventLog:
    """A session listener writing each event as one JSON line to `target` (see the module)."""

    def __init__(
        self,
        target: str,
        timeline: Timeline,
        notice: Callable[[str], None] | None = None,
    ) -> None:
        from player.headless.format import json_event

        self.target = target
        self.timeline = timeline
        self._json_event = json_event
        self._notice = notice
        self._fd: int | None = None
        self._fifo = False
        #: Lines not written: no reader on the FIFO yet, or a reader too slow to keep up.
        self.dropped = 0
        #: True once writing has stopped for good (the reader went away, a write failed).
        self.closed = False
        self._open()

    def _open(self) -> None:
        if self.target == "-":
            self._fd = sys.stdout.fileno()
            return
        try:
            self._fifo = stat.S_ISFIFO(os.stat(self.target).st_mode)
        except OSError:
            self._fifo = False
        flags = os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
        if self._fifo:
            flags |= os.O_NONBLOCK  # never wait for a reader, never wait on a full pipe
        else:
            flags |= os.O_CREAT | os.O_APPEND
        try:
            self._fd = os.open(self.target, flags, 0o644)
        except OSError as exc:
            if self._fifo and exc.errno == errno.ENXIO:
                return  # no reader yet: try again at the next event
            self._stop(f"--events {self.target}: {exc.strerror}; no more events written")

    def __call__(self, event: Event) -> None:
        if self.closed:
            return
        obj = self._json_event(event, self.timeline)
        if obj is not None:
            self.write_obj(obj)

    def write_obj(self, obj: dict[str, Any]) -> None:
        """One more JSON line of the driver's own (`{"event": "remote", "url": …}`)."""
        if self.closed:
            return
        if self._fd is None:
            self._open()
            if self._fd is None:
                self.dropped += 1
                return
        data = (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8", "replace")
        self._write(data)

    def _write(self, data: bytes) -> None:
        assert self._fd is not None
        written = 0
        while written < len(data):
            try:
                written += os.write(self._fd, data[written:])
            except BlockingIOError:
                if written == 0 and len(data) <= PIPE_BUF:
                    self.dropped += 1  # the reader is behind: drop this line, whole
                    return
                # Half a line is out: finishing it would block, more lines would be garbage.
                self._stop(f"--events {self.target}: the reader stopped reading; "
                           "no more events written")
                return
            except BrokenPipeError:
                self._stop(None)  # the reader went away: not an error, the session goes on
                return
            except OSError as exc:
                self._stop(f"--events {self.target}: {exc.strerror}; no more events written")
                return

    def _stop(self, why: str | None) -> None:
        self.closed = True
        self.close()
        if why is not None and self._notice is not None:
            self._notice(why)

    def close(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None and self.target != "-":
            try:
                os.close(fd)
            except OSError:
                pass
