"""Provides `unknot list`: the routines in the library, as a table or as JSON."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--region", metavar="REGION",
                        help="only routines that work this region (id or alias, e.g. calves)")
    parser.add_argument("--tag", metavar="TAG", help="only routines with this tag")
    parser.add_argument("--max-minutes", type=float, metavar="N",
                        help="only routines of at most N minutes")
    parser.add_argument("--json", action="store_true", help="print a JSON array")


def run(args: argparse.Namespace) -> int:
    from player.library import discover

    region = _region(args.region)
    filtering = bool(args.region or args.tag or args.max_minutes is not None)
    _check_folders(args.routines)
    _say_skipped(args.routines)
    rows: list[dict[str, object]] = []
    broken = []
    for entry in discover(args.routines):
        if entry.routine is None:
            broken.append(entry)
            continue
        row = _row(entry)
        if _wanted(row, region, args.tag, args.max_minutes):
            rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        for entry in broken if not filtering else []:
            print(f"unknot: {entry.error}", file=sys.stderr)
        return 0
    table = [("ID", "NAME", "MIN", "REGIONS", "SOURCE")] + [_line(row) for row in rows]
    if not filtering:
        for entry in broken:
            problem = entry.error
            note = f"invalid: {problem}" if problem else "invalid"
            table.append((entry.id, "-", "-", "-", f"{entry.source} ({note})"))
    if len(table) == 1:
        print("no routines match" if filtering else "no routines found", file=sys.stderr)
        return 0
    _print_table(table)
    return 0


def _region(name: str | None) -> str | None:
    """The region id `--region` names, or None without one; a usage error when unknown."""
    if not name:
        return None
    from player import vocab
    from player.errors import UsageError

    region = vocab.region_id(name)
    if region is None:
        hint = vocab.did_you_mean(name.lower(), vocab.region_names())
        raise UsageError(f"unknown region '{name}'{hint}")
    return region


def _check_folders(folders: list[str]) -> None:
    from player.errors import UnknotError

    for folder in folders:
        if not Path(folder).expanduser().is_dir():
            raise UnknotError(f"no such routine folder: {folder}")


def _say_skipped(folders: list[str]) -> None:
    """What looks like a routine but is not a file (a FIFO, a device, a link loop): said, never
    passed over without a word (issue 12, class 8)."""
    from player.library import skipped

    for path, what in skipped(folders):
        print(f"unknot: skipped {path}: {what}, not a routine file", file=sys.stderr)


def _row(entry: Any) -> dict[str, object]:
    """The `--json` object of a loaded routine."""
    from player.timeline import expand

    routine = entry.routine
    return {
        "id": entry.id,
        "name": routine.name,
        "summary": routine.summary,
        "seconds": round(expand(routine).total, 3),
        "regions": list(routine.regions),
        "techniques": list(routine.techniques),
        "equipment": list(routine.equipment),
        "tags": list(routine.tags),
        "source": entry.source,
        "path": str(entry.path),
        "shadows": str(entry.shadows) if entry.shadows else None,
    }


def _wanted(row: dict[str, object], region: str | None, tag: str | None,
            max_minutes: float | None) -> bool:
    """Whether a row passes `--region`, `--tag` and `--max-minutes`."""
    if region and region not in row["regions"]:  # type: ignore[operator]
        return False
    tags = row["tags"]
    assert isinstance(tags, list)
    if tag and tag.lower() not in (str(t).lower() for t in tags):
        return False
    return max_minutes is None or float(str(row["seconds"])) <= max_minutes * 60


def _line(row: dict[str, object]) -> tuple[str, str, str, str, str]:
    """A table line of a row: id, name, minutes, regions, source."""
    from player import vocab

    regions = ", ".join(vocab.region(str(r)).name.lower()
                        for r in row["regions"])  # type: ignore[attr-defined]
    source = str(row["source"])
    if row["shadows"]:
        shadowed = str(row["shadows"])
        source += " (shadows built-in)" if _is_builtin(shadowed) else f" (shadows {shadowed})"
    minutes = float(str(row["seconds"])) / 60
    return (str(row["id"]), str(row["name"]), f"{minutes:.1f}", regions, source)


def _print_table(table: list[tuple[str, str, str, str, str]]) -> None:
    from player.safe_text import as_shown, cells, pad, visible

    # Laid out from what the terminal shows: wide CJK, or escapes in an ISO-8859-1 locale.
    shown = [tuple(as_shown(visible(c, multiline=False)) for c in line) for line in table]
    widths = [max(cells(r[i]) for r in shown) for i in range(4)]
    for line in shown:
        padded = [pad(line[i], widths[i], right=i == 2) for i in range(4)]
        print("  ".join(padded + [line[4]]).rstrip())


def _is_builtin(path: str) -> bool:
    from player.paths import builtin_routines_dir

    return Path(path).resolve().parent == builtin_routines_dir().resolve()
