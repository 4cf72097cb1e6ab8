"""Provides `unknot today`: the day's session in the active program, the streak, how to start it."""

from __future__ import annotations

import argparse
import json


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help='print {"program", "day", "of", "routine", "rest", "done", '
                             '"finished"}')


def run(args: argparse.Namespace) -> int:
    from player import history, programs

    today = programs.local_today()
    prog = programs.current_progress(today, extra=args.routines)
    slot = prog.current if prog is not None else None
    if args.json:
        print(json.dumps({
            "program": prog.program.id if prog else None,
            "day": slot.index + 1 if slot else None,
            "of": len(prog.program.days) if prog else None,
            "routine": slot.day.routine if slot else None,
            "rest": bool(slot and slot.day.rest),
            "done": bool(slot and slot.done),
            "finished": bool(prog and prog.finished),
        }))
        return 0
    if prog is None:
        print("No program is active. 'unknot program list' shows them; "
              "'unknot program start ID' starts one.")
        return 0
    # One streamed pass for the streak: the summary's totals only, never every record.
    summary = history.scan_history(warn=None, keep=0, today=today).summary
    assert summary is not None
    name = prog.program.name
    total = len(prog.program.days)
    if slot is None and prog.finished:
        print(f"Program finished: {name}, all {total} days. "
              "'unknot program start ID' starts another (or the same again).")
    elif slot is None:
        print(f"{name} starts on {prog.started.isoformat()}.")
    elif slot.day.routine is None:
        print(f"Rest day: day {slot.index + 1} of {total} of {name}.")
    else:
        from player.commands.program import routine_infos
        from player.ics import minutes

        info = routine_infos(prog.program, args.routines)[slot.day.routine]
        state = "done today" if slot.done else "to do"
        print(f"Day {slot.index + 1} of {total} of {name}: {info.name} · "
              f"{minutes(info.seconds)} min ({state}).")
        if slot.day.note:
            print(slot.day.note)
        if prog.finished:
            print("That was the last day: program finished.")
        elif not slot.done:
            print(f"Start it with: unknot play {slot.day.routine}")
    print(f"Streak: {history.format_streak(summary)}")
    return 0
