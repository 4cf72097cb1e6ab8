"""Provides `unknot list`: the routines in the library, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", metavar="REGION",
                        help="only routines that work this region (id or alias, e.g. calves)")
    parser.add_argument("--tag", metavar="TAG", help="only routines with this tag")
    parser.add_argument("--max-minutes", type=float, metavar="N",
                        help="only routines of at most N minutes")
    parser.add_argument("--json", action="store_true", help="print a JSON array")


def run(args: argparse.Namespace) -> int:
    from player import vocab
    from player.errors import UnknotError, UsageError
    from player.library import discover
    from player.timeline import expand

    region = None
    if args.region:
        region = vocab.region_id(args.region)
        if region is None:
            hint = vocab.did_you_mean(args.region.lower(), vocab.region_names())
            raise UsageError(f"unknown region '{args.region}'{hint}")
    filtering = bool(args.region or args.tag or args.max_minutes is not None)
    for folder in args.routines:
        if not Path(folder).expanduser().is_dir():
            raise UnknotError(f"no such routine folder: {folder}")

    rows: list[dict[str, object]] = []
    broken = []
    for entry in discover(args.routines):
        routine = entry.routine
        if routine is None:
            broken.append(entry)
            continue
        seconds = expand(routine).total
        if region and region not in routine.regions:
            continue
        if args.tag and args.tag.lower() not in (t.lower() for t in routine.tags):
            continue
        if args.max_minutes is not None and seconds > args.max_minutes * 60:
            continue
        rows.append({
            "id": entry.id,
            "name": routine.name,
            "summary": routine.summary,
            "seconds": round(seconds, 3),
            "regions": list(routine.regions),
            "techniques": list(routine.techniques),
            "equipment": list(routine.equipment),
            "tags": list(routine.tags),
            "source": entry.source,
            "path": str(entry.path),
            "shadows": str(entry.shadows) if entry.shadows else None,
        })

    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        for entry in broken if not filtering else []:
            print(f"unknot: {entry.error}", file=sys.stderr)
        return 0

    table = [("ID", "NAME", "MIN", "REGIONS", "SOURCE")]
    for row in rows:
        regions = ", ".join(vocab.region(str(r)).name.lower()
                            for r in row["regions"])  # type: ignore[attr-defined]
        source = str(row["source"])
        if row["shadows"]:
            shadowed = str(row["shadows"])
            source += " (shadows built-in)" if _is_builtin(shadowed) else f" (shadows {shadowed})"
        minutes = float(str(row["seconds"])) / 60
        table.append((str(row["id"]), str(row["name"]), f"{minutes:.1f}", regions, source))
    if not filtering:
        for entry in broken:
            problem = entry.error
            note = f"invalid: {problem}" if problem else "invalid"
            table.append((entry.id, "-", "-", "-", f"{entry.source} ({note})"))
    if len(table) == 1:
        print("no routines match" if filtering else "no routines found", file=sys.stderr)
        return 0
    from player.safe_text import as_shown, cells, pad, visible

    # Laid out from what the terminal shows: wide CJK, or escapes in an ISO-8859-1 locale.
    shown = [tuple(as_shown(visible(c, multiline=False)) for c in line) for line in table]
    widths = [max(cells(r[i]) for r in shown) for i in range(4)]
    for line in shown:
        padded = [pad(line[i], widths[i], right=i == 2) for i in range(4)]
        print("  ".join(padded + [line[4]]).rstrip())
    return 0


def _is_builtin(path: str) -> bool:
    from player.paths import builtin_routines_dir

    return Path(path).resolve().parent == builtin_routines_dir().resolve()
