"""Provides the history file: appending a record (one locked, fsynced write), reading every record
(`read_history`), and one streamed pass that summarises it in bounded memory (`scan_history`).

The file is `paths.history_path()` (UNKNOT_HOME/history.jsonl), one JSON object per session
(`record.FIELDS`, plus `regions` and `region_pain`). Writing never loses or corrupts an earlier
record: each record is one `os.write` on an `O_APPEND` descriptor, under an exclusive `flock`,
followed by `fsync`; nothing is ever rewritten in place. Reading skips damaged lines with a
warning that names the line, and leaves them in the file byte for byte.

The streamed pass decodes with msgspec into the known fields (`_fast_decoder`): measured by
bench/history.py, it is what keeps 1,000,000 records under 2.5 s and 100 MiB.
"""

from __future__ import annotations

import collections
import functools
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Iterator

from player.gcpause import paused_gc
from player.history.record import (
    BLANK,
    MAX_NUMBER,
    HistoryError,
    Record,
    Warn,
    is_date,
    loads_or_none,
    valid,
)
from player.history.stats import Row, Summary, Tally

try:  # POSIX; elsewhere O_APPEND single writes still keep records whole, only unlocked.
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


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
            if size and _read_at(fd, 1, size - 1) != b"\n":
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


def _read_at(fd: int, n: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, n, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # O_APPEND still sends a write to the end
    return os.read(fd, n)


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
    """Every valid record in file order; damaged lines are skipped with `path:N: warning: …`.

    Holds the whole file and every record: the plain reader, for tests (it is what
    `scan_history` is checked against) and small tools. unknot itself reads with
    `scan_history`, which keeps only what it shows.
    """
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
    records: list[Record] = []
    for index, line in enumerate(lines):
        obj = loads_or_none(line)
        if valid(obj):
            records.append(obj)  # type: ignore[arg-type]
        elif obj is not BLANK and warn is not None:
            warn(f"{target}:{index + 1}: warning: skipped a damaged line")
    return records


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
    from player import paths

    target = Path(path) if path is not None else paths.history_path()
    scan = Scan()
    recent: collections.deque[bytes] = collections.deque(maxlen=max(keep, 0))
    tally = Tally(today)
    with paused_gc():  # a block's records are acyclic: the collector would only walk them
        tally.feed(_matching(target, warn, scan, since, routine, recent if keep > 0 else None,
                             each))
    scan.recent = list(recent)
    scan.summary = tally.summary()
    return scan


def _matching(target: Path, warn: Warn | None, scan: Scan, since: str | None,
              routine: str | None, recent: collections.deque[bytes] | None,
              each: Callable[[bytes], None] | None) -> Iterator[Row]:
    """The summary rows of the valid records that match, counting them into `scan`; the last
    matched lines go into `recent` (cut out of a block only once it is done, so a block whose
    last lines are all that is kept is never split into lines)."""
    wanted = _filter(since, routine)
    dates: dict[str, bool] = {}
    total = matched = 0
    number = 0  # lines before this block
    for block in _parsed_blocks(target, split=each is not None):
        records = block.records
        kept: list[int] = []
        for index, r in enumerate(records):
            if r is None or r is BLANK:
                if r is None and warn is not None:
                    warn(f"{target}:{number + index + 1}: warning: skipped a damaged line")
                continue
            day = r.started[:10]
            ok = dates.get(day)
            if ok is None:
                ok = dates[day] = is_date(day)
            if not ok:
                if warn is not None:
                    warn(f"{target}:{number + index + 1}: warning: skipped a damaged line")
                continue
            total += 1
            if wanted is not None and not wanted(day, r):
                continue
            matched += 1
            kept.append(index)
            if each is not None:
                each(block.line(index))
            yield day, r.active_seconds, r.regions, r.pain_before, r.pain_after
        if recent is not None and kept:
            recent.extend(block.lines_at(kept[-(recent.maxlen or 0):]))
        number += len(records)
        scan.total, scan.matched = total, matched


def _filter(since: str | None, routine: str | None) -> Callable[[str, Any], bool] | None:
    """Whether a record (its local day and known fields) passes `--since` and `--routine`;
    None when neither is given."""
    if not since and not routine:
        return None
    key = routine.strip().lower() if routine else None
    unset = _fast_decoder()[3]

    def wanted(day: str, r: Any) -> bool:
        if since and day < since:
            return False
        return key is None or r.routine.lower() == key or (
            "" if r.name is unset else str(r.name)).lower() == key

    return wanted


class _Block:
    """A block of whole lines, its records (one per line) and, when needed, its lines."""

    __slots__ = ("data", "records", "_lines")

    def __init__(self, data: bytes, records: list[Any], lines: list[bytes] | None) -> None:
        self.data, self.records, self._lines = data, records, lines

    def line(self, index: int) -> bytes:
        if self._lines is None:
            self._lines = self.data.split(b"\n")
        return self._lines[index]

    def lines_at(self, indexes: list[int]) -> list[bytes]:
        """The lines at these (increasing) indexes; the last few are cut from the end."""
        n = len(self.records)
        if self._lines is not None or indexes[0] < n - 64:
            return [self.line(i) for i in indexes]
        data, end = self.data, len(self.data)
        tail: list[bytes] = []
        for _ in range(n - indexes[0]):
            start = data.rfind(b"\n", 0, end) + 1
            tail.append(data[start:end])
            end = start - 1
        tail.reverse()  # tail[k] is line indexes[0] + k
        return [tail[i - indexes[0]] for i in indexes]


def _parsed_blocks(target: Path, split: bool) -> Iterator[_Block]:
    """Each block with, for each line, its known fields (a msgspec Struct), None for a damaged
    line or BLANK for a blank one; split into lines up front when `split`, else when needed."""
    fields, decode_one, decode_many, unset, error = _fast_decoder()
    known = fields.__struct_fields__
    for data in _blocks(target):
        n = data.count(b"\n") + 1
        records: list[Any] | None = None
        # Every line starts with `{` and ends with `}`: then no JSON value can span two lines
        # (after a `}` inside a value comes `,`, `}` or `]`, never `{`), so values and lines
        # pair up exactly when there are as many values as lines.
        if data[:1] == b"{" and data[-1:] == b"}" and data.count(b"}\n{") == n - 1:
            try:
                records = decode_many(data)
            except error:
                records = None
            if records is not None and len(records) != n:
                records = None
        if records is not None:
            yield _Block(data, records, data.split(b"\n") if split else None)
            continue
        lines = data.split(b"\n")
        records = []
        for line in lines:
            try:
                records.append(decode_one(line))
            except error:
                obj = loads_or_none(line)
                if obj is BLANK or not valid(obj):
                    records.append(obj if obj is BLANK else None)
                else:  # valid, with fields the fast decoder does not know: the same checks
                    assert isinstance(obj, dict)
                    records.append(fields(**{k: obj.get(k, unset) for k in known}))
        yield _Block(data, records, lines)


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
        # Each block is read from the first byte after the last whole line of the one before
        # (at its offset), not glued to its leftover: one copy of the file's bytes fewer.
        start = 0
        while start < size:
            data = _read_block(fd, start, size, target)
            if not data:
                break  # shorter than it was (it is only ever appended to, but be safe)
            if start + len(data) >= size:
                yield data[:-1] if data.endswith(b"\n") else data
                break
            cut = data.rfind(b"\n")
            if cut < 0:  # a line longer than a block: read on until it ends
                data = _longer(fd, data, start, size, target)
                if start + len(data) >= size:
                    yield data[:-1] if data.endswith(b"\n") else data
                    break
                cut = data.rfind(b"\n")
            yield data[:cut]
            start += cut + 1
    finally:
        os.close(fd)


def _read_block(fd: int, start: int, size: int, target: Path) -> bytes:
    """Up to a block of the file from `start`, stopping at `size`."""
    try:
        return _read_at(fd, min(_BLOCK, size - start), start)
    except OSError as exc:
        raise HistoryError(f"cannot read {target}: {exc.strerror or exc}") from None


def _longer(fd: int, data: bytes, start: int, size: int, target: Path) -> bytes:
    """`data` (from `start`, no newline in it) read on until it holds a newline or the end."""
    parts = [data]
    done = start + len(data)
    while done < size:
        more = _read_block(fd, done, size, target)
        if not more:
            break
        parts.append(more)
        done += len(more)
        if b"\n" in more:
            break
    return b"".join(parts)


@functools.lru_cache(maxsize=1)
def _fast_decoder() -> tuple[Any, Callable[[bytes], Any], Callable[[bytes], list[Any]], Any,
                             type[Exception]]:
    """msgspec decoders into the record's known fields, typed and bounded as `record.valid` checks
    them: anything else (an unknown field, a float step count, a 1e400) fails here and gets the
    full check. Imported on first use: the recorder and the TUI never need it."""
    from typing import Annotated

    try:
        import msgspec
    except ImportError:  # an install without it: every line takes the full check, slower
        return _no_fast_decoder()

    unset = msgspec.UnsetType
    big = MAX_NUMBER
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
