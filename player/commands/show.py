"""Provides `unknot show ROUTINE`: the expanded timeline, each segment with its start, the total."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from player.timeline import Segment, Timeline


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("routine", metavar="ROUTINE", help="a library id or a routine file")
    parser.add_argument("--json", action="store_true",
                        help='print {"id", "name", "seconds", "segments": [...]}; each segment '
                             'carries what is spoken in it ("say", "say_end")')
    parser.add_argument("--script", action="store_true",
                        help="print the spoken script: one line per utterance with its "
                             "planned time")


def run(args: argparse.Namespace) -> int:
    from player.errors import RoutineError
    from player.library import resolve
    from player.timeline import expand

    try:
        routine = resolve(args.routine, args.routines)
    except RoutineError as exc:
        # Every problem, one line each: the person is probably fixing the file right now.
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 1
    timeline = expand(routine)
    if args.json:
        _print_json(timeline)
    elif args.script:
        _print_script(timeline)
    else:
        _print_table(timeline)
    return 0


def _print_json(timeline: Timeline) -> None:
    routine = timeline.routine
    print(json.dumps({
        "id": routine.id,
        "name": routine.name,
        "seconds": round(timeline.total, 3),
        "segments": [_segment_json(seg) for seg in timeline.segments],
    }, indent=2, ensure_ascii=False))


def _print_script(timeline: Timeline) -> None:
    """One line per utterance, `[mm:ss] words`: voice.script, the plan the voice speaks."""
    from player.durations import format_clock
    from player.safe_text import visible
    from player.sound.voice import script

    for u in script(timeline):
        print(f"[{format_clock(u.at)}] {visible(u.text, multiline=False)}")


def _print_table(timeline: Timeline) -> None:
    from player import vocab
    from player.durations import format_clock, format_human

    routine = timeline.routine
    rows = [("START", "KIND", "STEP", "TECHNIQUE", "REGION", "SIDE", "DURATION")]
    for seg in timeline.segments:
        rows.append((
            format_clock(seg.at),
            seg.kind.replace("_", "-"),
            f"{seg.step}/{seg.of}",
            vocab.technique(seg.technique).name,
            vocab.region(seg.region).name if seg.region else "-",
            seg.side or "-",
            format_human(seg.duration),
        ))
    print(f"{routine.name} ({routine.id})")
    if routine.caution:
        print(f"Caution: {routine.caution}")
    print()
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    print()
    print(f"Total {format_clock(timeline.total)} ({format_human(timeline.total)}) in "
          f"{len(routine.steps)} steps")


def _segment_json(seg: Segment) -> dict[str, object]:
    """A segment's JSON with the words spoken in it: `say` as it starts (or null), and
    `say_end` for the last work period of a step that has one."""
    from player.sound.voice import utterances_of

    obj = seg.as_json()
    spoken = utterances_of(seg)
    obj["say"] = next((u.text for u in spoken if u.kind != "say_end"), None)
    end = next((u for u in spoken if u.kind == "say_end"), None)
    if end is not None:
        obj["say_end"] = end.text
        obj["say_end_at"] = round(end.at, 3)
    return obj
