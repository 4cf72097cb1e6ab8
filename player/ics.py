"""Provides the iCalendar (RFC 5545) export of a program: one event per session day, each with a
reminder (VALARM), so any calendar reminds the person when and what to play.

Written by hand (a few dozen lines) rather than with a library: the `icalendar` package is a test
dependency that checks the output, not a runtime one. Times are floating local times (no time
zone), so the reminder rings at the chosen hour wherever the person is. UIDs are made of the
program id and the day number only, so exporting again (after a missed day moved the plan, or a
new start) updates the same events instead of adding copies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, time, timezone
from typing import Mapping

from player import __version__
from player.programs import Progress

#: Most octets of one content line, CRLF not counted (RFC 5545 3.1).
LINE_OCTETS = 75


@dataclass(frozen=True)
class RoutineInfo:
    """What an event says about a routine: its name and length."""

    name: str
    seconds: float


def escape_text(value: str) -> str:
    """A TEXT property value (RFC 5545 3.3.11): backslash, `;`, `,` and newlines escaped."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\n", "\\n"))


def fold(line: str) -> str:
    """One content line folded to lines of at most 75 octets, never inside a UTF-8 character."""
    out: list[str] = []
    current = ""
    size = 0
    limit = LINE_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            out.append(current)
            current, size = " ", 1  # a continuation line starts with one space
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


def minutes(seconds: float) -> int:
    """Whole minutes, rounded up, at least one."""
    return max(1, math.ceil(seconds / 60 - 1e-9))


def uid(program_id: str, day_number: int) -> str:
    """The stable UID of a program day's event."""
    return f"{program_id}-day-{day_number}@unknot"


def program_calendar(prog: Progress, routines: Mapping[str, RoutineInfo], at: time,
                     now: datetime, reminder_minutes: int = 0) -> str:
    """The calendar of `prog`'s session days, CRLF line endings, ready to write."""
    program = prog.program
    stamp = now.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//unknot//unknot {__version__}//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text('unknot: ' + program.name)}",
    ]
    total = len(program.days)
    for slot in prog.slots:
        rid = slot.day.routine
        if rid is None:
            continue
        info = routines.get(rid, RoutineInfo(rid, 600.0))
        length = minutes(info.seconds)
        start = datetime.combine(slot.on, at)
        title = f"{info.name} ({length} min)"
        about = [f"Day {slot.index + 1} of {total} of {program.name}."]
        if slot.day.note:
            about.append(slot.day.note)
        about.append(f"Start it with: unknot play {rid}")
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid(program.id, slot.index + 1)}",
            f"DTSTAMP:{stamp}",
            f"DTSTART:{start.strftime('%Y%m%dT%H%M%S')}",
            f"DURATION:PT{length}M",
            f"SUMMARY:{escape_text(title)}",
            f"DESCRIPTION:{escape_text(chr(10).join(about))}",
            "CATEGORIES:unknot",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape_text(title)}",
            f"TRIGGER:-PT{reminder_minutes}M" if reminder_minutes else "TRIGGER:PT0S",
            "END:VALARM",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


def session_count(prog: Progress) -> int:
    """How many events `program_calendar` writes."""
    return sum(1 for s in prog.slots if not s.day.rest)

