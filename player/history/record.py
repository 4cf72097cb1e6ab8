"""Provides the history record itself: its fields, what counts as a valid one, a stored line to a
record, and the error for a history that cannot be written or read.

No file I/O here: `store` reads and writes the file, `stats` and `format` only see records.
"""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Any, Callable

from player.errors import UnknotError

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


#: Larger numbers (or NaN, infinities) in a record are damage: they cannot be added up or
#: printed back as JSON. 2**53 is where floats stop counting exactly.
MAX_NUMBER = 2.0**53

#: What a blank line parses to: skipped without a warning.
BLANK = object()


def valid(obj: object) -> bool:
    """Whether a parsed line is a session record the summary can use."""
    if type(obj) is not dict:
        return False
    started = obj.get("started")
    secs = obj.get("active_seconds")
    if type(started) is not str or type(obj.get("routine")) is not str:
        return False
    if type(secs) is not float and type(secs) is not int or not 0 <= secs <= MAX_NUMBER:
        return False
    # Only the local date is used for days and streaks; it must be a real one.
    return is_date(started[:10]) and _sane_numbers(obj)


def is_date(day: str) -> bool:
    """Whether `day` is a real ISO date (YYYY-MM-DD)."""
    try:
        date.fromisoformat(day)
    except ValueError:
        return False
    return True


def _sane_numbers(record: dict[str, Any]) -> bool:
    """Whether every number in the record, however nested, is finite and at most 2**53."""
    stack: list[Any] = list(record.values())
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is float or kind is int:
            if not -MAX_NUMBER <= value <= MAX_NUMBER:
                return False  # NaN compares false too
        elif kind is dict:
            stack.extend(value.values())
        elif kind is list:
            stack.extend(value)
    return True


def _not_json(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


#: json.loads, refusing NaN and Infinity (Python's extension; they would print back as
#: invalid JSON). The hook runs only when such a word appears, so valid lines cost nothing.
loads = functools.partial(json.loads, parse_constant=_not_json)


def loads_or_none(line: bytes) -> object:
    """A line's JSON value; None when it is not JSON, BLANK when the line is blank."""
    if not line.strip():
        return BLANK
    try:
        return loads(line)
    except (ValueError, RecursionError):  # not JSON, or nested deeper than Python recurses
        return None


def record_of(line: bytes) -> Record:
    """The stored record of a line `store.scan_history` kept (a valid one)."""
    obj = loads(line)
    assert isinstance(obj, dict)
    return obj


def only_rated(take: Callable[[Record], None]) -> Callable[[bytes], None]:
    """An `each` for `store.scan_history` that hands `take` the records rating a region
    (`region_pain`). Most records rate none: a line without the key is never decoded again."""

    def each(line: bytes) -> None:
        if b'"region_pain"' in line:
            take(record_of(line))

    return each
