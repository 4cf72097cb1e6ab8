"""Provides pain ratings per region: `6`, `calves=6,feet=4` or both, and reading them back.

A rating is what a person types at the start or end prompt, or gives to `--pain-before` and
`--pain-after`: an overall number, regions with their own numbers, or both (`5, calves=7`).
History stores the regions as `region_pain: {region: {"before": n, "after": n}}` beside the
overall `pain_before`/`pain_after`. Reading is defensive: a damaged `region_pain` value is
skipped, never an exception. Pure: no Textual, no files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Iterable

from player import vocab
from player.errors import UsageError

#: A region whose latest rating in the last `RECENT_DAYS` is at least this counts as painful,
#: and "Where does it hurt?" starts with it chosen (0-10: 4 and up is more than mild).
PAINFUL = 4
RECENT_DAYS = 7


@dataclass(frozen=True)
class Rating:
    """An overall 0-10 rating (or None) and per-region ratings."""

    overall: int | None = None
    regions: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return self.overall is not None or bool(self.regions)


def _number(raw: str, what: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise UsageError(f"{what} must be a whole number from 0 to 10, got {raw.strip()!r}"
                         ) from None
    if not 0 <= value <= 10:
        raise UsageError(f"{what} must be from 0 to 10, got {value}")
    return value


def parse_rating(text: str | int | None) -> Rating:
    """`6`, `calves=6,feet=4`, `5, calves=7` → a Rating; UsageError (one line) otherwise."""
    if text is None:
        return Rating()
    overall: int | None = None
    regions: dict[str, int] = {}
    for item in str(text).split(","):
        item = item.strip()
        if not item:
            continue
        if "=" not in item:
            if overall is not None:
                raise UsageError("give one overall pain number; name regions as calves=6")
            overall = _number(item, "pain")
            continue
        name, _, value = item.partition("=")
        rid = vocab.region_id(name)
        if rid is None:
            hint = vocab.did_you_mean(name.strip().lower(), vocab.region_names())
            raise UsageError(f"unknown region '{name.strip()[:40]}' in the pain rating{hint}")
        regions[rid] = _number(value, f"pain for {rid}")
    return Rating(overall, regions)


def region_pain(before: dict[str, int], after: dict[str, int]) -> dict[str, dict[str, int]]:
    """The record's `region_pain`: each region rated, with `before` and/or `after`."""
    out: dict[str, dict[str, int]] = {}
    for rid in list(before) + [r for r in after if r not in before]:
        entry: dict[str, int] = {}
        if rid in before:
            entry["before"] = before[rid]
        if rid in after:
            entry["after"] = after[rid]
        out[rid] = entry
    return out


def _score(value: object) -> int | None:
    if type(value) is int and 0 <= value <= 10:
        return value
    return None


def ratings_of(record: dict[str, Any]) -> dict[str, tuple[int | None, int | None]]:
    """A record's region ratings as {region: (before, after)}; damaged entries left out."""
    raw = record.get("region_pain")
    if type(raw) is not dict:
        return {}
    out: dict[str, tuple[int | None, int | None]] = {}
    for rid, entry in raw.items():
        if type(rid) is not str or rid not in vocab.REGION_BY_ID or type(entry) is not dict:
            continue
        pair = (_score(entry.get("before")), _score(entry.get("after")))
        if pair != (None, None):
            out[rid] = pair
    return out


@dataclass(frozen=True)
class RegionRating:
    """One session's rating of one region."""

    started: str
    routine: str
    before: int | None
    after: int | None


def region_series(records: Iterable[dict[str, Any]], region: str) -> list[RegionRating]:
    """Every session that rated `region`, oldest first."""
    out = []
    for record in records:
        pair = ratings_of(record).get(region)
        if pair is not None:
            out.append(RegionRating(str(record.get("started", "")),
                                    str(record.get("routine", "")), *pair))
    return sorted(out, key=lambda r: r.started)


def rated_regions(records: Iterable[dict[str, Any]]) -> list[str]:
    """The regions ever rated, head to feet."""
    seen: set[str] = set()
    for record in records:
        seen.update(ratings_of(record))
    return [r.id for r in vocab.REGIONS if r.id in seen]


def painful_regions(records: Iterable[dict[str, Any]], today: date | None = None,
                    days: int = RECENT_DAYS) -> list[str]:
    """Regions whose latest rating (after, else before) in the last `days` is `PAINFUL` or more,
    head to feet: what "Where does it hurt?" starts with."""
    today = today or date.today()
    since = (today - timedelta(days=days - 1)).isoformat()
    latest: dict[str, tuple[str, int]] = {}
    for record in records:
        started = record.get("started")
        if type(started) is not str or started[:10] < since:
            continue
        for rid, (before, after) in ratings_of(record).items():
            score = after if after is not None else before
            if score is not None and (rid not in latest or started >= latest[rid][0]):
                latest[rid] = (started, score)
    return [r.id for r in vocab.REGIONS if r.id in latest and latest[r.id][1] >= PAINFUL]


def _cell(value: int | None) -> str:
    return "–" if value is None else str(value)


def series_lines(region: str, series: list[RegionRating]) -> list[str]:
    """`unknot history --region R`: the region's ratings over time, one session a line."""
    name = vocab.REGION_BY_ID[region].name
    if not series:
        return [f"No pain ratings for the {name.lower()} yet: rate it at the start or end of "
                f"a session, or with --pain-before {region}=6."]
    lines = [f"Pain in the {name.lower()}, before → after (0-10)", ""]
    for r in series:
        change = ""
        if r.before is not None and r.after is not None:
            change = f"  ({r.after - r.before:+d})"
        when = r.started[:16].replace("T", " ")
        lines.append(f"  {when:<16}  {_cell(r.before):>2} → {_cell(r.after):<2}{change}"
                     f"  {r.routine}".rstrip())
    pairs = [(r.before, r.after) for r in series if r.before is not None and r.after is not None]
    if pairs:
        mean = sum(a - b for b, a in pairs) / len(pairs)
        lines += ["", f"Average change over {len(pairs)} rated session"
                      f"{'s' * (len(pairs) != 1)}: {mean:+.1f}"]
    return lines


def recent_lines(records: Iterable[dict[str, Any]], last: int = 5) -> list[str]:
    """For the TUI history: each rated region with its last `last` ratings, oldest first
    (`Calves        7→4  6→5`)."""
    recent = RecentRatings(last)
    for record in records:
        recent.add(record)
    return recent.lines()


class RecentRatings:
    """Each rated region's last `last` ratings, fed one record at a time: what `recent_lines`
    shows, in memory bounded by the regions, however long the history (the TUI history screen
    feeds it while streaming the file). "Last" is by `started`, then file order, as
    `region_series` sorts."""

    def __init__(self, last: int = 5) -> None:
        self.last = last
        self._seen = 0
        #: Per region, a min-heap of its `last` latest ratings as (started, order, rating).
        self._latest: dict[str, list[tuple[str, int, RegionRating]]] = {}

    def add(self, record: dict[str, Any]) -> None:
        """Count one record's region ratings (a record without any changes nothing)."""
        import heapq

        ratings = ratings_of(record)
        if not ratings or self.last <= 0:
            return
        started, routine = str(record.get("started", "")), str(record.get("routine", ""))
        self._seen += 1
        for rid, pair in ratings.items():
            heap = self._latest.setdefault(rid, [])
            item = (started, self._seen, RegionRating(started, routine, *pair))
            if len(heap) < self.last:
                heapq.heappush(heap, item)
            elif item[:2] > heap[0][:2]:
                heapq.heapreplace(heap, item)

    def lines(self) -> list[str]:
        """One line per rated region, head to feet, its ratings oldest first."""
        regions = [r.id for r in vocab.REGIONS if r.id in self._latest]
        if not regions:
            return []
        width = max(len(vocab.REGION_BY_ID[r].name) for r in regions)
        out = []
        for rid in regions:
            series = [rating for _, _, rating in sorted(self._latest[rid], key=_order)]
            cells = "  ".join(f"{_cell(r.before)}→{_cell(r.after)}" for r in series)
            out.append(f"{vocab.REGION_BY_ID[rid].name:<{width}}  {cells}")
        return out


def _order(item: tuple[str, int, RegionRating]) -> tuple[str, int]:
    return item[0], item[1]
