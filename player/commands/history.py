"""Provides `unknot history`: recent sessions, this week's minutes, the streak, minutes per region
over the last 30 days and the average pain change; `--json` and `--csv` for other tools."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from typing import Any


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
    from player.history.format import CsvOut, JsonOut, fancy_stream

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
        out = JsonOut(sys.stdout) if args.json else CsvOut(sys.stdout)
        history.scan_history(since=since, routine=args.routine, keep=0, each=out.line,
                             today=today)
        out.close()
        return 0
    scan = history.scan_history(since=since, routine=args.routine,
                                keep=args.limit or 10, today=today)
    if args.json or args.csv:
        out = JsonOut(sys.stdout) if args.json else CsvOut(sys.stdout)
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
    print(history.render_text(newest_first, scan.matched, scan.summary,
                              fancy_stream(sys.stdout)))
    return 0


def _region(args: argparse.Namespace, since: str | None, today: date) -> int:
    """`--region R`: the region's ratings over time (`region_pain` in the records)."""
    from player import history, pain, vocab
    from player.errors import UsageError
    from player.history.format import csv_cell

    rid = vocab.region_id(args.region)
    if rid is None:
        hint = vocab.did_you_mean(args.region.lower(), vocab.region_names())
        raise UsageError(f"unknown region '{args.region[:40]}'{hint}")
    rated: list[dict[str, Any]] = []
    history.scan_history(since=since, routine=args.routine, keep=0,
                         each=history.only_rated(rated.append), today=today)
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
            writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in rows)
        return 0
    print("\n".join(pain.series_lines(rid, series)))
    return 0
