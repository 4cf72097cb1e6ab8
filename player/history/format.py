"""Provides the history's wording: minutes, pain pairs, the streak and the pain change for people,
the text table and summary of `unknot history`, and its `--json`/`--csv` writers.

No file I/O: the writers take the stored lines `store.scan_history` hands them.
"""

from __future__ import annotations

import csv
import json
from typing import TYPE_CHECKING, Any, TextIO

from player.history.record import FIELDS, Record, record_of

if TYPE_CHECKING:
    from player.history.stats import Summary


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
    """The region's display name; one the vocabulary no longer knows reads as its id with spaces
    (`vocab.display_name`, as everywhere else)."""
    from player import vocab

    return vocab.display_name("region", region_id)


class JsonOut:
    """A JSON array of the records exactly as stored, one per line for people reading it.

    On a UTF-8 stream each record is its stored line itself (already valid JSON); elsewhere it is
    encoded again with plain ASCII escapes, so the output stays valid JSON.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0
        self.utf8 = (getattr(out, "encoding", None) or "").lower().replace("-", "") == "utf8"
        self.encode = json.JSONEncoder(ensure_ascii=True).encode
        self._pending: list[str] = []

    def line(self, stored: bytes) -> None:
        if self.utf8:
            text = stored.decode("utf-8", "surrogateescape").strip()
        else:
            text = self.encode(record_of(stored))
        self._pending.append(text)
        self.count += 1
        if len(self._pending) >= 512:  # a few writes of many records, not one per record
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            lead = "[\n" if self.count == len(self._pending) else ",\n"
            self.out.write(lead + ",\n".join(self._pending))
            self._pending.clear()

    def close(self) -> None:
        self._flush()
        self.out.write("\n]\n" if self.count else "[]\n")


class CsvOut:
    """The design fields as columns, plus `regions` as `id=seconds;…`."""

    def __init__(self, out: TextIO) -> None:
        self.fields = FIELDS
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow([*FIELDS, "regions"])

    def line(self, stored: bytes) -> None:
        self.row(record_of(stored))

    def row(self, r: dict[str, Any]) -> None:
        row = [csv_cell(r.get(f)) for f in self.fields]
        worked = r.get("regions")
        row.append(
            ";".join(f"{k}={v}" for k, v in worked.items()) if isinstance(worked, dict) else ""
        )
        self.writer.writerow(row)

    def close(self) -> None:
        pass


def csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def fancy_stream(stream: TextIO) -> bool:
    """Whether the stream can print the arrow, dash and block characters."""
    try:
        "→–−█…".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def render_text(recent: list[dict[str, Any]], matched: int, summary: Summary, fancy: bool) -> str:
    """The table of recent sessions and the summary figures, as plain lines."""
    block = "█" if fancy else "#"
    title = "Recent sessions" if len(recent) == matched else (
        f"Recent sessions (last {len(recent)} of {matched})"
    )
    lines = [title]
    name_w = min(32, max(7, *(len(str(r.get("name") or r.get("routine"))) for r in recent)))
    lines.append(f"  {'Date':<16}  {'Routine':<{name_w}}  {'Minutes':>7}  {'Done':<4}  Pain")
    for r in recent:
        when = str(r.get("started", ""))[:16].replace("T", " ")
        name = str(r.get("name") or r.get("routine"))
        if len(name) > name_w:
            name = name[: name_w - 1] + ("…" if fancy else "~")
        mins = f"{float(r.get('active_seconds') or 0) / 60:.1f}"
        done = "yes" if r.get("completed") else "no"
        pain = format_pain(r, fancy)
        lines.append(f"  {when:<16}  {name:<{name_w}}  {mins:>7}  {done:<4}  {pain}".rstrip())
    lines.append("")
    lines.append(f"This week:          {format_minutes(summary.week_seconds)}")
    lines.append(f"Streak:             {format_streak(summary)}")
    lines.append(f"Pain change:        {format_pain_change(summary, fancy)}")
    if summary.region_seconds:
        lines.append("Last 30 days by region:")
        most = max(summary.region_seconds.values()) or 1.0
        names = {rid: region_name(rid) for rid in summary.region_seconds}
        w = max(len(n) for n in names.values())
        for rid, secs in summary.region_seconds.items():
            bar = block * max(1, round(20 * secs / most))
            lines.append(f"  {names[rid]:<{w}}  {format_minutes(secs):>8}  {bar}")
    else:
        lines.append("Last 30 days by region: none")
    return "\n".join(lines)
