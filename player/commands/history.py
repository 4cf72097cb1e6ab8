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
    parser.add_argument("--limit", metavar="N", type=_positive_int,
                        help="show the N most recent sessions (default: 10; --json/--csv: all)")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true",
                     help="print the sessions as a JSON array of the stored records")
    out.add_argument("--csv", action="store_true", help="print the sessions as CSV")


def run(args: argparse.Namespace) -> int:
    import gc

    # Up to 100,000 small acyclic dicts: the cycle collector would only walk them again and
    # again (about a tenth of the run time).
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _run(args)
    finally:
        if was_enabled:
            gc.enable()


def _run(args: argparse.Namespace) -> int:
    from player import history

    if hasattr(sys.stdout, "reconfigure"):
        # A name the terminal cannot show prints as an escape instead of stopping the command.
        from player.safe_text import ESCAPE_ERRORS

        sys.stdout.reconfigure(errors=ESCAPE_ERRORS)

    today = date.today()
    since = history.parse_since(args.since, today) if args.since else None
    records = history.read_history()
    total = len(records)
    records = history.filter_records(records, since=since, routine=args.routine)
    shown = records[-args.limit:] if args.limit else records
    if args.json:
        write_json(shown, sys.stdout)
        return 0
    if args.csv:
        write_csv(shown, sys.stdout)
        return 0
    if not records:
        if total:
            print("No sessions match.")
        else:
            print("No sessions yet. Play a routine (unknot play ROUTINE) and it will show up here.")
        return 0
    summary = history.summarize(records, today)
    print(render_text(records[-(args.limit or 10):], len(records), summary, _fancy(sys.stdout)))
    return 0


def write_json(records: list[dict[str, Any]], out: TextIO) -> None:
    """A JSON array of the records exactly as stored, one per line for people reading it."""
    if not records:
        out.write("[]\n")
        return
    out.write("[\n")
    # Plain ASCII escapes when the stream is not UTF-8, so the output stays valid JSON.
    utf8 = (getattr(out, "encoding", None) or "").lower().replace("-", "") == "utf8"
    encode = json.JSONEncoder(ensure_ascii=not utf8).encode  # one encoder for all records
    out.write(",\n".join(map(encode, records)))
    out.write("\n]\n")


def write_csv(records: list[dict[str, Any]], out: TextIO) -> None:
    """The design fields as columns, plus `regions` as `id=seconds;…`."""
    from player.history import FIELDS

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIELDS, "regions"])
    for r in records:
        row = [_csv_cell(r.get(f)) for f in FIELDS]
        worked = r.get("regions")
        row.append(
            ";".join(f"{k}={v}" for k, v in worked.items()) if isinstance(worked, dict) else ""
        )
        writer.writerow(row)


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
