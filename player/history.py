"""Provides the session history: recording one JSON line per session, reading and summarising it.

The file is `paths.history_path()` (UNKNOT_HOME/history.jsonl), one JSON object per session:
`routine`, `name`, `started`, `ended` (ISO 8601, local time with its UTC offset), `completed`,
`active_seconds`, `steps_done`, `steps_skipped`, `pain_before`, `pain_after` (0–10 or null), and
`regions` (seconds of work actually played per region id).

Writing never loses or corrupts an earlier record: each record is one `os.write` on an `O_APPEND`
descriptor, under an exclusive `flock`, followed by `fsync`; nothing is ever rewritten in place.
Reading skips damaged lines with a warning that names the line, and leaves them in the file.
"""

from __future__ import annotations

import functools
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from player.clock import Clock
from player.errors import UnknotError, UsageError
from player.events import Done, Event, SegmentEnded, SegmentStarted
from player.gcpause import paused_gc
from player.routine import Routine

try:  # POSIX; elsewhere O_APPEND single writes still keep records whole, only unlocked.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

#: The fields design.md promises, in the order they are written.
FIELDS = (
    "routine",
    "name",
    "started",
    "ended",
    "completed",
    "active_seconds",
    "steps_done",
    "steps_skipped",
    "pain_before",
    "pain_after",
)

Record = dict[str, Any]
Warn = Callable[[str], None]


class HistoryError(UnknotError):
    """The history file cannot be written or read (one line; the session itself goes on)."""


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


def append_record(record: Record, path: Path | None = None) -> None:
    """Append one record as one line: one write, under an exclusive lock, then fsync."""
    from player import paths

    target = Path(path) if path is not None else paths.history_path()
    text = json.dumps(record, ensure_ascii=False)
    try:
        line = (text + "\n").encode()
    except UnicodeEncodeError:  # a lone surrogate (a YAML "\ud800" escape): keep it escaped
        line = (json.dumps(record) + "\n").encode()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        created = not target.exists()
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | _O_EXTRA
        fd = os.open(target, flags | getattr(os, "O_NONBLOCK", 0), 0o644)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise _NotAFile(target)  # a FIFO or /dev/null would swallow the session
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            # A crash mid-write can leave a torn last line without its newline: start on a fresh
            # line so the new record stays valid (the torn one is skipped with a warning).
            size = os.fstat(fd).st_size
            if size and _byte_at(fd, size - 1) != b"\n":
                line = b"\n" + line
            written = os.write(fd, line)
            while written < len(line):  # a short write on a full disk; finish it under the lock
                written += os.write(fd, line[written:])
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the lock
        if created:
            _fsync_dir(target.parent)
    except _NotAFile:
        raise HistoryError(f"cannot save the session to {target}: not a regular file") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise HistoryError(f"cannot save the session to {target}: {reason}") from None


#: Close on exec (POSIX); binary mode, so no newline is ever translated (Windows).
_O_EXTRA = getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


def _byte_at(fd: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, 1, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # O_APPEND still sends the write to the end
    return os.read(fd, 1)


def _fsync_dir(folder: Path) -> None:
    # The new file's directory entry must survive a crash too.
    try:
        dfd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass
    finally:
        os.close(dfd)


# ---------------------------------------------------------------------------------- reading


def _stderr_warn(message: str) -> None:
    print(message, file=sys.stderr)


def _valid(obj: object) -> bool:
    """Whether a parsed line is a session record the summary can use."""
    if type(obj) is not dict:
        return False
    started = obj.get("started")
    secs = obj.get("active_seconds")
    if type(started) is not str or type(obj.get("routine")) is not str:
        return False
    if type(secs) is not float and type(secs) is not int or not 0 <= secs <= _MAX_NUMBER:
        return False
    try:
        # Only the local date is used for days and streaks; it must be a real one.
        date.fromisoformat(started[:10])
    except ValueError:
        return False
    return _sane_numbers(obj)


#: Larger numbers (or NaN, infinities) in a record are damage: they cannot be added up or
#: printed back as JSON. 2**53 is where floats stop counting exactly.
_MAX_NUMBER = 2.0**53


def _sane_numbers(record: dict[str, Any]) -> bool:
    """Whether every number in the record, however nested, is finite and at most 2**53."""
    stack: list[Any] = list(record.values())
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is float or kind is int:
            if not -_MAX_NUMBER <= value <= _MAX_NUMBER:
                return False  # NaN compares false too
        elif kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
    return True


class _NotAFile(OSError):
    """The history path is a FIFO, a device or a folder: nothing to read a history from."""


def _read_locked(target: Path) -> bytes:
    # A shared lock waits out a record being written at this moment, which would otherwise
    # read as a damaged last line.
    # O_NONBLOCK: opening a FIFO must not wait for a writer (the check below refuses it).
    fd = os.open(target, os.O_RDONLY | _O_EXTRA | getattr(os, "O_NONBLOCK", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotAFile(target)
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_SH)
        with os.fdopen(os.dup(fd), "rb") as f:
            return f.read()
    finally:
        os.close(fd)


def read_history(path: Path | None = None, warn: Warn | None = _stderr_warn) -> list[Record]:
    """Every valid record in file order; damaged lines are skipped with `path:N: warning: …`."""
    from player import paths

    target = Path(path) if path is not None else paths.history_path()
    try:
        data = _read_locked(target)
    except FileNotFoundError:
        return []
    except _NotAFile:
        raise HistoryError(f"cannot read {target}: not a regular file") from None
    except OSError as exc:
        raise HistoryError(f"cannot read {target}: {exc.strerror or exc}") from None
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()  # the newline that ends the last record
    # Reading creates one dict per line and no cycles; the collector would only walk them.
    with paused_gc():
        return _records(_parse_lines(lines), target, warn)


def _records(parsed: list[object], target: Path, warn: Warn | None) -> list[Record]:
    valid = _valid
    records: list[Record] = []
    append = records.append
    for index, obj in enumerate(parsed):
        if valid(obj):
            append(obj)  # type: ignore[arg-type]
        elif obj is not _BLANK and warn is not None:
            warn(f"{target}:{index + 1}: warning: skipped a damaged line")
    return records


#: Lines parsed together; a damaged line costs a line-by-line parse of its chunk only.
_CHUNK = 2048
#: What a blank line parses to: skipped without a warning.
_BLANK = object()
# Separators between the lines of a chunk, numbered by position (see _parse_chunk).
_SEPARATORS = [b"\n,%d,\n" % i for i in range(_CHUNK)]
_POSITIONS = list(range(_CHUNK))


def _parse_lines(lines: list[bytes]) -> list[object]:
    """One parsed value per line (None where the line is not JSON, _BLANK if blank), in order."""
    out: list[object] = []
    for start in range(0, len(lines), _CHUNK):
        out.extend(_parse_chunk(lines[start : start + _CHUNK]))
    return out


def _parse_chunk(lines: list[bytes]) -> list[object]:
    # One C-level parse of many lines is about twice as fast as a loads per line. The lines are
    # joined with their positions between them: a line that is not one whole value (a torn
    # record, two values, an unclosed bracket) makes the parse fail or moves the numbers out of
    # place, and then each line is parsed on its own. The newlines keep a string from running
    # across a separator (JSON strings cannot hold a raw newline).
    n = len(lines)
    if b"" not in lines:
        parts = [b""] * (2 * n + 1)
        parts[0], parts[-1] = b"[", b"]"
        parts[1:-1:2] = lines
        parts[2:-1:2] = _SEPARATORS[: n - 1]
        try:
            values = _loads(b"".join(parts))
        except (ValueError, RecursionError):
            values = None
        if (
            type(values) is list
            and len(values) == 2 * n - 1
            and values[1::2] == _POSITIONS[: n - 1]
        ):
            return values[0::2]
    return [_loads_or_none(line) for line in lines]


def _loads_or_none(line: bytes) -> object:
    if not line.strip():
        return _BLANK
    try:
        return _loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None


def _not_json(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


#: json.loads, refusing NaN and Infinity (Python's extension; they would print back as
#: invalid JSON). The hook runs only when such a word appears, so valid lines cost nothing.
_loads = functools.partial(json.loads, parse_constant=_not_json)


# ------------------------------------------------------------------------- reading, streamed


@dataclass
class Scan:
    """What one streamed pass over the history found (see `scan_history`)."""

    #: Valid records in the file.
    total: int = 0
    #: Of them, the records the filters let through.
    matched: int = 0
    #: The last `keep` matched records' lines as stored (file order, oldest first).
    recent: list[bytes] = field(default_factory=list)
    summary: Summary | None = None


#: Bytes read at a time: memory stays flat however long the history grows.
_BLOCK = 1 << 21


def scan_history(
    path: Path | None = None,
    warn: Warn | None = _stderr_warn,
    *,
    since: str | None = None,
    routine: str | None = None,
    keep: int = 10,
    each: Callable[[bytes], None] | None = None,
    today: date | None = None,
) -> Scan:
    """One streamed pass over the history: counts, the summary of the matching records, and the
    last `keep` of them as their stored lines; `each` gets every matching line in file order.

    Holds no more than a block of the file and the summary's totals, however long the history.
    Which lines count as damaged (skipped with `path:N: warning: …`, left in the file) is
    exactly `read_history`'s: a line the fast decoder (msgspec, into the known fields with
    their types and bounds) does not take goes through the same checks as there. The file's
    size is taken under the shared lock, so a record being appended is never read half
    written, and no lock is held while the caller prints.
    """
    import collections

    from player import paths

    target = Path(path) if path is not None else paths.history_path()
    scan = Scan()
    recent: collections.deque[bytes] = collections.deque(maxlen=max(keep, 0))
    tally = Tally(today)
    with paused_gc():  # a block's records are acyclic: the collector would only walk them
        tally.feed(_matching(target, warn, scan, since, routine, recent.append if keep else None,
                             each))
    scan.recent = list(recent)
    scan.summary = tally.summary()
    return scan


def _matching(target: Path, warn: Warn | None, scan: Scan, since: str | None,
              routine: str | None, keep: Callable[[bytes], None] | None,
              each: Callable[[bytes], None] | None) -> Iterator[Row]:
    """The summary rows of the valid records that match, counting them into `scan`."""
    key = routine.strip().lower() if routine else None
    unset = _fast_decoder()[3]
    dates: dict[str, bool] = {}
    total = matched = 0
    number = 0  # lines before this block
    for lines, records in _parsed_blocks(target):
        for index, r in enumerate(records):
            if r is None or r is _BLANK:
                if r is None and warn is not None:
                    warn(f"{target}:{number + index + 1}: warning: skipped a damaged line")
                continue
            day = r.started[:10]
            ok = dates.get(day)
            if ok is None:
                ok = dates[day] = _is_date(day)
            if not ok:
                if warn is not None:
                    warn(f"{target}:{number + index + 1}: warning: skipped a damaged line")
                continue
            total += 1
            if since and day < since:
                continue
            if key is not None and r.routine.lower() != key and (
                    "" if r.name is unset else str(r.name)).lower() != key:
                continue
            matched += 1
            if keep is not None:
                keep(lines[index])
            if each is not None:
                each(lines[index])
            yield day, r.active_seconds, r.regions, r.pain_before, r.pain_after
        number += len(lines)
        scan.total, scan.matched = total, matched


def _parsed_blocks(target: Path) -> Iterator[tuple[list[bytes], list[Any]]]:
    """Each block's lines and, for each line, its known fields (a msgspec Struct), None for a
    damaged line or _BLANK for a blank one."""
    fields, decode_one, decode_many, unset, error = _fast_decoder()
    known = fields.__struct_fields__
    for block in _blocks(target):
        lines = block.split(b"\n")
        n = len(lines)
        records: list[Any] | None = None
        # Every line starts with `{` and ends with `}`: then no JSON value can span two lines
        # (after a `}` inside a value comes `,`, `}` or `]`, never `{`), so values and lines
        # pair up exactly when there are as many values as lines.
        if block[:1] == b"{" and block[-1:] == b"}" and block.count(b"}\n{") == n - 1:
            try:
                records = decode_many(block)
            except error:
                records = None
            if records is not None and len(records) != n:
                records = None
        if records is None:
            records = []
            for line in lines:
                try:
                    records.append(decode_one(line))
                except error:
                    obj = _loads_or_none(line)
                    if obj is _BLANK or not _valid(obj):
                        records.append(obj if obj is _BLANK else None)
                    else:  # valid, with fields the fast decoder does not know: the same checks
                        assert isinstance(obj, dict)
                        records.append(fields(**{k: obj.get(k, unset) for k in known}))
        yield lines, records


def record_of(line: bytes) -> Record:
    """The stored record of a line `scan_history` kept (a valid one)."""
    obj = _loads(line)
    assert isinstance(obj, dict)
    return obj


def _is_date(day: str) -> bool:
    try:
        date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _blocks(target: Path) -> Iterator[bytes]:
    """The file's lines in blocks of whole lines (joined by newlines, the last one's dropped),
    up to the size it had under the shared lock."""
    try:
        fd = os.open(target, os.O_RDONLY | _O_EXTRA | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        return
    except OSError as exc:
        raise HistoryError(f"cannot read {target}: {exc.strerror or exc}") from None
    try:
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise HistoryError(f"cannot read {target}: not a regular file")
            if fcntl is not None:
                # Waits out a record being appended; every byte below this size is whole.
                fcntl.flock(fd, fcntl.LOCK_SH)
            size = os.fstat(fd).st_size
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:
            raise HistoryError(f"cannot read {target}: {exc.strerror or exc}") from None
        done = 0
        carry = b""
        while done < size:
            try:
                chunk = os.read(fd, min(_BLOCK, size - done))
            except OSError as exc:
                raise HistoryError(f"cannot read {target}: {exc.strerror or exc}") from None
            if not chunk:
                break  # shorter than it was (it is only ever appended to, but be safe)
            done += len(chunk)
            data = carry + chunk if carry else chunk
            if done < size:
                cut = data.rfind(b"\n")
                if cut < 0:
                    carry = data
                    continue
                carry = data[cut + 1:]
                yield data[:cut]
            else:
                carry = b""
                yield data[:-1] if data.endswith(b"\n") else data
        if carry:
            yield carry
    finally:
        os.close(fd)


@functools.lru_cache(maxsize=1)
def _fast_decoder() -> tuple[Any, Callable[[bytes], Any], Callable[[bytes], list[Any]], Any,
                             type[Exception]]:
    """msgspec decoders into the record's known fields, typed and bounded as `_valid` checks
    them: anything else (an unknown field, a float step count, a 1e400) fails here and gets the
    full check. Imported on first use: the recorder and the TUI never need it."""
    from typing import Annotated

    try:
        import msgspec
    except ImportError:  # an install without it: every line takes the full check, slower
        return _no_fast_decoder()

    unset = msgspec.UnsetType
    big = _MAX_NUMBER
    number = Annotated[float, msgspec.Meta(ge=-big, le=big)]
    whole = Annotated[int, msgspec.Meta(ge=-(2**53), le=2**53)]
    seconds = Annotated[float, msgspec.Meta(ge=0, le=big)]

    fields = msgspec.defstruct(
        "HistoryFields",
        [
            ("routine", str),
            ("started", str),
            ("active_seconds", seconds),
            ("name", str | None | unset, msgspec.UNSET),
            ("ended", str | None | unset, msgspec.UNSET),
            ("completed", bool | None | unset, msgspec.UNSET),
            ("steps_done", whole | None | unset, msgspec.UNSET),
            ("steps_skipped", whole | None | unset, msgspec.UNSET),
            ("pain_before", whole | None | unset, msgspec.UNSET),
            ("pain_after", whole | None | unset, msgspec.UNSET),
            ("regions", dict[str, number] | None | unset, msgspec.UNSET),
            # {region: {"before": 0-10, "after": 0-10}} (player.pain.region_pain).
            ("region_pain", dict[str, dict[str, whole]] | None | unset, msgspec.UNSET),
        ],
        forbid_unknown_fields=True,
        gc=False,
    )
    decoder = msgspec.json.Decoder(fields)
    return fields, decoder.decode, decoder.decode_lines, msgspec.UNSET, msgspec.DecodeError


class _NoFastDecoder(Exception):
    pass


def _no_fast_decoder() -> tuple[Any, Callable[[bytes], Any], Callable[[bytes], list[Any]], Any,
                                 type[Exception]]:
    import types

    def refuse(data: bytes) -> Any:
        raise _NoFastDecoder

    class Fields(types.SimpleNamespace):
        __struct_fields__ = ("routine", "started", "active_seconds", "name", "regions",
                             "pain_before", "pain_after")

    return Fields, refuse, refuse, object(), _NoFastDecoder


# ---------------------------------------------------------------------------------- summary


def record_day(record: Record) -> str:
    """The session's local calendar date (YYYY-MM-DD) where it was played, from `started`.

    The date in the record's own offset is the day the person lived it: a session at 23:30 in
    New York counts for that evening even when viewed later from Berlin.
    """
    return str(record["started"])[:10]


def parse_since(text: str, today: date | None = None) -> str:
    """`YYYY-MM-DD`, `today`, `yesterday` or `Nd` (N days ago) → an ISO date string."""
    today = today or date.today()
    raw = text.strip().lower()
    if raw == "today":
        return today.isoformat()
    if raw == "yesterday":
        return (today - timedelta(days=1)).isoformat()
    if raw.endswith("d") and raw[:-1].isdigit():
        return (today - timedelta(days=int(raw[:-1]))).isoformat()
    try:
        return date.fromisoformat(raw).isoformat()
    except ValueError:
        raise UsageError(
            f"invalid date {text!r}: use YYYY-MM-DD, today, yesterday or Nd (e.g. 7d)"
        ) from None


def filter_records(
    records: Iterable[Record], *, since: str | None = None, routine: str | None = None
) -> list[Record]:
    """Records on or after the ISO date `since`, of the routine with id (or name) `routine`."""
    out = list(records)
    if since:
        out = [r for r in out if record_day(r) >= since]
    if routine:
        key = routine.strip().lower()
        out = [
            r for r in out
            if str(r.get("routine", "")).lower() == key or str(r.get("name", "")).lower() == key
        ]
    return out


@dataclass
class Summary:
    """The figures `unknot history` and the TUI show under the sessions."""

    today: date
    sessions: int = 0
    #: Active seconds this week (Monday to today, local dates).
    week_seconds: float = 0.0
    #: Consecutive local days with a session, ending today or yesterday (0 if neither).
    streak_days: int = 0
    #: Whether there is a session today (else a streak runs up to yesterday).
    played_today: bool = False
    #: Work seconds per region over the last 30 days, largest first.
    region_seconds: dict[str, float] = field(default_factory=dict)
    #: Active seconds per day over the last 30 days, oldest first (index 29 is today).
    day_seconds: list[float] = field(default_factory=list)
    #: Mean of pain_after − pain_before over sessions with both, and how many had both.
    pain_change: float | None = None
    pain_pairs: int = 0


def summarize(records: Iterable[Record], today: date | None = None, days: int = 30) -> Summary:
    """Week minutes, streak, per-region and per-day minutes over `days`, and mean pain change."""
    tally = Tally(today, days)
    tally.feed((r["started"][:10], r.get("active_seconds"), r.get("regions"),
                r.get("pain_before"), r.get("pain_after")) for r in records)
    return tally.summary()


#: One session as the summary sees it: local day (YYYY-MM-DD), active seconds, regions and the
#: pain ratings before and after (each as stored: anything, checked here).
Row = tuple[str, Any, Any, Any, Any]


class Tally:
    """The summary's running totals, fed one session at a time: seconds per local day (for the
    week, the streak and the chart), region work in the window and pain pairs; nothing else of a
    record is kept. Dates are compared as ISO strings (they sort like dates), so no datetime is
    built per record."""

    def __init__(self, today: date | None = None, days: int = 30) -> None:
        self.today = today or date.today()
        self._window = [(self.today - timedelta(days=days - 1 - i)).isoformat()
                        for i in range(days)]
        self.count = 0
        self._per_day: dict[str, float] = {}
        self._regions: dict[str, float] = {}
        self._change_sum = 0
        self._pairs = 0

    def feed(self, rows: Iterable[Row]) -> None:
        """Add every session of `rows`."""
        per_day, regions = self._per_day, self._regions
        first, today_s = self._window[0], self._window[-1]
        count, change_sum, pairs = self.count, self._change_sum, self._pairs
        for day, secs, worked, before, after in rows:
            count += 1
            per_day[day] = per_day.get(day, 0.0) + (secs or 0.0)
            if worked and first <= day <= today_s and type(worked) is dict:
                for region, s in worked.items():
                    if type(s) is float or type(s) is int:
                        regions[region] = regions.get(region, 0.0) + s
            if (before is not None and type(before) is int and type(after) is int
                    and 0 <= before <= 10 and 0 <= after <= 10):
                change_sum += after - before
                pairs += 1
        self.count, self._change_sum, self._pairs = count, change_sum, pairs

    def summary(self) -> Summary:
        today, today_s, per_day = self.today, self._window[-1], self._per_day
        monday = (today - timedelta(days=today.weekday())).isoformat()
        pairs = self._pairs
        return Summary(
            today=today,
            sessions=self.count,
            week_seconds=float(sum(s for d, s in per_day.items() if monday <= d <= today_s)),
            streak_days=streak(per_day, today),
            played_today=today_s in per_day,
            region_seconds=dict(sorted(self._regions.items(), key=lambda kv: (-kv[1], kv[0]))),
            day_seconds=[float(per_day.get(d, 0.0)) for d in self._window],
            pain_change=(self._change_sum / pairs) if pairs else None,
            pain_pairs=pairs,
        )


def streak(days: Iterable[str], today: date) -> int:
    """Consecutive calendar days (ISO strings) with a session, ending today or yesterday."""
    have = set(days)
    day = today
    if day.isoformat() not in have:
        day -= timedelta(days=1)
        if day.isoformat() not in have:
            return 0
    n = 0
    while day.isoformat() in have:
        n += 1
        day -= timedelta(days=1)
    return n


# ---------------------------------------------------------------------------------- wording


def format_minutes(seconds: float) -> str:
    """Minutes for people: one decimal below ten, whole numbers above."""
    m = seconds / 60
    return f"{m:.1f} min" if m < 10 else f"{m:.0f} min"


def format_pain(record: Record, fancy: bool = True) -> str:
    """`6 → 3`, `– → 2`, or "" when neither was given."""
    dash, arrow = ("–", "→") if fancy else ("-", "->")
    before, after = record.get("pain_before"), record.get("pain_after")
    if before is None and after is None:
        return ""
    b = dash if before is None else str(before)
    a = dash if after is None else str(after)
    return f"{b} {arrow} {a}"


def format_streak(summary: Summary) -> str:
    n = summary.streak_days
    if n == 0:
        return "none (a session today starts one)"
    text = f"{n} day" + ("" if n == 1 else "s")
    return text if summary.played_today else text + " (a session today keeps it going)"


def format_pain_change(summary: Summary, fancy: bool = True) -> str:
    if summary.pain_change is None:
        return "no session rated before and after yet"
    minus = "−" if fancy else "-"
    sessions = "session" if summary.pain_pairs == 1 else "sessions"
    value = f"{summary.pain_change:+.1f}".replace("-", minus)
    return f"{value} on average ({summary.pain_pairs} {sessions} rated before and after)"


def region_name(region_id: str) -> str:
    """The region's display name (the id itself for one the vocabulary does not know)."""
    from player import vocab

    found = vocab.REGION_BY_ID.get(region_id)
    return found.name if found else region_id
