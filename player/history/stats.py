"""Provides the history's summaries: the local day of a session, `--since` dates, filters, and the
figures under the sessions (this week's minutes, the streak, minutes per day and per region over
the last 30 days, the average pain change), kept as running totals so a history of any length
is summarised in one pass without holding its records.

Pure: no file I/O (`store` feeds `Tally` while it streams the file).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable

from player.errors import UsageError
from player.history.record import Record


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

