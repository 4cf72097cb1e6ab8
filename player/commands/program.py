"""Provides `unknot program list|show|start|stop|export`: plans over days and their calendar."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    from player.ics import RoutineInfo
    from player.programs import Program, Progress, Slot


def _clock_time(text: str) -> time:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"invalid time {text!r}: use HH:MM, like 07:30")
    return time(int(match.group(1)), int(match.group(2)))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from player.cli import _add_common

    sub = parser.add_subparsers(dest="program_command", metavar="ACTION", required=True,
                                parser_class=type(parser))

    def action(name: str, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text.capitalize() + ".")
        _add_common(p, suppress=True)
        return p

    p = action("list", "the programs, built-in and yours")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p = action("show", "a program's days, with which are done when it is active")
    p.add_argument("id", metavar="ID")
    p = action("start", "start a program (day 1 is today, or --from DATE)")
    p.add_argument("id", metavar="ID")
    p.add_argument("--from", dest="start", metavar="DATE",
                   help="the date of day 1 (YYYY-MM-DD, today, tomorrow, yesterday)")
    action("stop", "stop the active program")
    p = action("export", "write a program's session days as an iCalendar file with reminders")
    p.add_argument("id", metavar="ID")
    p.add_argument("--ics", required=True, metavar="FILE", help="the .ics file to write (- for "
                   "stdout)")
    p.add_argument("--from", dest="start", metavar="DATE",
                   help="the date of day 1 (default: the active program's plan, else today)")
    p.add_argument("--at", type=_clock_time, default=time(18, 0), metavar="HH:MM",
                   help="the time of day of each session and its reminder (default: 18:00)")


def run(args: argparse.Namespace) -> int:
    handler = {"list": _list, "show": _show, "start": _start, "stop": _stop,
               "export": _export}[args.program_command]
    return handler(args)


def _list(args: argparse.Namespace) -> int:
    from player import programs

    state = programs.read_state()
    rows = []
    for entry in programs.discover(args.routines):
        if entry.program is None:
            first = next((p for p in entry.problems if p.severity == "error"), None)
            print(f"unknot: {first}", file=sys.stderr)
            continue
        prog = entry.program
        rows.append({"id": prog.id, "name": prog.name, "days": len(prog.days),
                     "sessions": prog.sessions, "source": entry.source,
                     "active": state is not None and state.program == prog.id})
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print("no programs found", file=sys.stderr)
        return 0
    id_w = max(len(str(r["id"])) for r in rows)
    name_w = max(len(str(r["name"])) for r in rows)
    for r in rows:
        mark = "  (active)" if r["active"] else ""
        print(f"{r['id']:<{id_w}}  {r['name']:<{name_w}}  {r['days']:>3} days  "
              f"{r['sessions']:>3} sessions  {r['source']}{mark}")
    return 0


def routine_infos(program: Program, extra: Sequence[Path | str]) -> dict[str, RoutineInfo]:
    """Name and length of each routine the program plays (a broken one keeps its id)."""
    from player.errors import UnknotError
    from player.ics import RoutineInfo
    from player.library import resolve
    from player.timeline import expand

    out: dict[str, RoutineInfo] = {}
    for day in program.days:
        rid = day.routine
        if rid is None or rid in out:
            continue
        try:
            routine = resolve(rid, extra)
            out[rid] = RoutineInfo(routine.name, expand(routine).total)
        except UnknotError:
            out[rid] = RoutineInfo(rid, 0.0)
    return out


def _active_progress(pid: str, extra: Sequence[Path | str]) -> Progress | None:
    """The progress of program `pid` when it is the active one."""
    from player import programs

    prog = programs.current_progress(programs.local_today(), extra=extra)
    return prog if prog is not None and prog.program.id == pid else None


def _show(args: argparse.Namespace) -> int:
    from player import programs
    from player.ics import minutes

    program = programs.find(args.id, args.routines)
    infos = routine_infos(program, args.routines)
    prog = _active_progress(program.id, args.routines)
    print(f"{program.name} ({program.id}) · {len(program.days)} days, {program.sessions} "
          f"sessions · {program.source}")
    if program.summary:
        print(program.summary)
    if program.caution:
        print(f"Caution: {program.caution}")
    if prog is not None:
        print(status_line(prog))
    print()
    slots: Sequence[Slot | None] = prog.slots if prog is not None else [None] * len(program.days)
    for index, day in enumerate(program.days):
        slot = slots[index]
        when = slot.on.strftime("%a %d %b") + "  " if slot is not None else ""
        if day.routine is None:
            what = "rest"
        else:
            info = infos[day.routine]
            what = f"{info.name} · {minutes(info.seconds)} min ({day.routine})"
        if day.note:
            what += f" — {day.note}"
        mark = ""
        if slot is not None and prog is not None:
            if slot.done:
                mark = "  ✓ done"
            elif slot.on == prog.today:
                mark = "  ← today"
        print(f"  Day {index + 1:>3}  {when}{what}{mark}")
    return 0


def status_line(prog: Progress) -> str:
    """Where an active program stands, in one line."""
    started = prog.started.isoformat()
    missed = f", {prog.missed} missed day{'s' * (prog.missed != 1)} moved the plan" \
        if prog.missed else ""
    total = len(prog.program.days)
    if prog.finished:
        return f"Active since {started}: finished{missed}."
    slot = prog.current
    if slot is None:
        return f"Starts on {started}."
    return f"Active since {started}: day {slot.index + 1} of {total} today{missed}."


def _start(args: argparse.Namespace) -> int:
    from player import programs

    today = programs.local_today()
    program = programs.find(args.id, args.routines)
    first = programs.parse_date(args.start, today) if args.start else today
    previous = programs.read_state()
    programs.write_state(programs.State(program.id, first))
    if previous is not None and previous.program != program.id:
        print(f"Stopped {previous.program}.")
    when = "today" if first == today else first.isoformat()
    print(f"Started {program.name}: day 1 of {len(program.days)} is {when}. "
          "'unknot today' says what to play.")
    return 0


def _stop(args: argparse.Namespace) -> int:
    from player import programs

    state = programs.read_state()
    programs.write_state(None)
    if state is None:
        print("No program is active.")
    else:
        print(f"Stopped {state.program}. Your history is kept.")
    return 0


def _export(args: argparse.Namespace) -> int:
    from player import programs
    from player.errors import UnknotError
    from player.history import local_now
    from player.ics import program_calendar, session_count

    program = programs.find(args.id, args.routines)
    today = programs.local_today()
    prog: Progress | None = None
    if args.start:
        prog = programs.planned(program, programs.parse_date(args.start, today))
    else:
        prog = _active_progress(program.id, args.routines) or programs.planned(program, today)
    text = program_calendar(prog, routine_infos(program, args.routines), args.at, local_now())
    if args.ics == "-":
        sys.stdout.write(text)
        return 0
    target = Path(args.ics)
    try:
        programs.write_atomically(target, text.encode("utf-8"))
    except OSError as exc:
        raise UnknotError(f"cannot write {args.ics}: {exc.strerror or exc}") from None
    n = session_count(prog)
    first = _first_date(prog)
    print(f"Wrote {n} event{'s' * (n != 1)} with reminders to {args.ics}"
          f"{' from ' + first.isoformat() if first else ''}. Import it into your calendar; "
          "exporting again updates the same events.")
    return 0


def _first_date(prog: Progress) -> date | None:
    return next((s.on for s in prog.slots if not s.day.rest), None)
