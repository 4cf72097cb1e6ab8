"""Provides `unknot history`: recent sessions, this week's minutes, the streak, minutes per region
over the last 30 days and the average pain change; `--json` and `--csv` for other tools."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from player.history import Summary


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid number {text!r}: use a whole number like 20"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {text}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--since", metavar="DATE",
                        help="only sessions on or after DATE (YYYY-MM-DD, today, yesterday, 7d)")
    parser.add_argument("--routine", metavar="ID",
                        help="only sessions of this routine (id or name)")
    parser.add_argument("--region", metavar="R",
                        help="that region's pain before and after over time (region ids and "
                             "aliases as in routine files)")
    parser.add_argument("--limit", metavar="N", type=_positive_int,
                        help="show the N most recent sessions (default: 10; --json/--csv: all)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help="print the sessions as a JSON array of the stored records")
    out.add_argument("--csv", action="store_true", help="print the sessions as CSV")


def run(args: argparse.Namespace) -> int:
    from player.gcpause import paused_gc

    # Up to 100,000 small acyclic dicts: the cycle collector would only walk them again and
    # again (about a tenth of the run time).
    with paused_gc():
        return _run(args)


def _run(args: argparse.Namespace) -> int:
    from player import history

    if hasattr(sys.stdout, "reconfigure"):
        # A name the terminal cannot show prints as an escape instead of stopping the command.
        from player.safe_text import ESCAPE_ERRORS

        sys.stdout.reconfigure(errors=ESCAPE_ERRORS)

    today = date.today()
    since = history.parse_since(args.since, today) if args.since else None
    if getattr(args, "region", None):
        return _region(args, since, today)
    if (args.json or args.csv) and not args.limit:
        # Every matching record, printed as it is read: nothing is kept.
        out = _JsonOut(sys.stdout) if args.json else _CsvOut(sys.stdout)
        history.scan_history(since=since, routine=args.routine, keep=0, each=out.line,
                             today=today)
        out.close()
        return 0
    scan = history.scan_history(since=since, routine=args.routine,
                                keep=args.limit or 10, today=today)
    if args.json or args.csv:
        out = _JsonOut(sys.stdout) if args.json else _CsvOut(sys.stdout)
        for line in scan.recent:
            out.line(line)
        out.close()
        return 0
    if not scan.matched:
        if scan.total:
            print("No sessions match.")
        else:
            print("No sessions yet. Play a routine (unknot play ROUTINE) and it will show up here.")
        return 0
    assert scan.summary is not None
    newest_first = [history.record_of(line) for line in reversed(scan.recent)]
    print(render_text(newest_first, scan.matched, scan.summary, _fancy(sys.stdout)))
    return 0


def _region(args: argparse.Namespace, since: str | None, today: date) -> int:
    """`--region R`: the region's ratings over time (`region_pain` in the records)."""
    import difflib

    from player import history, pain, vocab
    from player.errors import UsageError

    rid = vocab.region_id(args.region)
    if rid is None:
        close = difflib.get_close_matches(args.region.lower(), vocab.region_names(), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        raise UsageError(f"unknown region '{args.region[:40]}'{hint}")
    rated: list[dict[str, Any]] = []

    def keep(line: bytes) -> None:
        if b'"region_pain"' in line:  # most records rate no region: skip the full decode
            rated.append(history.record_of(line))

    history.scan_history(since=since, routine=args.routine, keep=0, each=keep, today=today)
    series = pain.region_series(rated, rid)
    if args.limit:
        series = series[-args.limit:]
    if args.json or args.csv:
        rows = [{"started": r.started, "routine": r.routine, "before": r.before,
                 "after": r.after} for r in series]
        if args.json:
            print(json.dumps(rows, indent=2, ensure_ascii=False))
        else:
            writer = csv.DictWriter(sys.stdout, ["started", "routine", "before", "after"],
                                    lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: _csv_cell(v) for k, v in row.items()} for row in rows)
        return 0
    print("\n".join(pain.series_lines(rid, series)))
    return 0


class _JsonOut:
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
            from player.history import record_of

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


class _CsvOut:
    """The design fields as columns, plus `regions` as `id=seconds;…`."""

    def __init__(self, out: TextIO) -> None:
        from player.history import FIELDS

        self.fields = FIELDS
        self.writer = csv.writer(out, lineterminator="\n")
        self.writer.writerow([*FIELDS, "regions"])

    def line(self, stored: bytes) -> None:
        from player.history import record_of

        self.row(record_of(stored))

    def row(self, r: dict[str, Any]) -> None:
        row = [_csv_cell(r.get(f)) for f in self.fields]
        worked = r.get("regions")
        row.append(
            ";".join(f"{k}={v}" for k, v in worked.items()) if isinstance(worked, dict) else ""
        )
        self.writer.writerow(row)

    def close(self) -> None:
        pass


def _csv_cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def _fancy(stream: TextIO) -> bool:
    """Whether the stream can print the arrow, dash and block characters."""
    try:
        "→–−█…".encode(getattr(stream, "encoding", None) or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def render_text(recent: list[dict[str, Any]], matched: int, summary: Summary, fancy: bool) -> str:
    """The table of recent sessions and the summary figures, as plain lines."""
    from player.history import (
        format_minutes,
        format_pain,
        format_pain_change,
        format_streak,
        region_name,
    )

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
