"""Provides the session history: one JSON line per session played, read back and summarised.

- `record`: the record's fields, what counts as a valid one, a stored line to a record;
- `recorder`: `SessionRecorder`, the listener that builds a session's record from its events;
- `store`: the file: appending a record, reading it whole or in one streamed pass;
- `stats`: the summaries (week minutes, streak, minutes per day and region, pain change);
- `format`: the wording and the text/JSON/CSV output of `unknot history`.

The names callers use are re-exported here and loaded on first use (PEP 562), so
`unknot history` never pays for the recorder and the engine's events it imports.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from player.history.format import (
        format_minutes,
        format_pain,
        format_pain_change,
        format_streak,
        region_name,
        render_text,
    )
    from player.history.record import (
        FIELDS,
        HistoryError,
        Record,
        Warn,
        only_rated,
        record_of,
    )
    from player.history.recorder import SessionRecorder, local_now, parse_pain
    from player.history.stats import (
        Summary,
        Tally,
        filter_records,
        parse_since,
        record_day,
        streak,
        summarize,
    )
    from player.history.store import Scan, append_record, read_history, scan_history

#: What mypy and ruff read as this package's names (tests/test_history_package.py checks it
#: against _WHERE).
__all__ = [
    "FIELDS", "HistoryError", "Record", "Scan", "SessionRecorder", "Summary", "Tally", "Warn",
    "append_record", "filter_records", "format_minutes", "format_pain", "format_pain_change",
    "format_streak", "local_now", "only_rated", "parse_pain", "parse_since", "read_history",
    "record_day", "record_of", "region_name", "render_text", "scan_history", "streak",
    "summarize",
]

#: Each re-exported name and the module it lives in.
_WHERE = {
    **dict.fromkeys(("format_minutes", "format_pain", "format_pain_change", "format_streak",
                     "region_name", "render_text"), "format"),
    **dict.fromkeys(("FIELDS", "HistoryError", "Record", "Warn", "only_rated", "record_of"),
                   "record"),
    **dict.fromkeys(("SessionRecorder", "local_now", "parse_pain"), "recorder"),
    **dict.fromkeys(("Summary", "Tally", "filter_records", "parse_since", "record_day",
                     "streak", "summarize"), "stats"),
    **dict.fromkeys(("Scan", "append_record", "read_history", "scan_history"), "store"),
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_WHERE})
