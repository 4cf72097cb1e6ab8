"""Provides programs: plans over days of routines, their files, the active one and today's session.

A program file (`programs/` built-in, `UNKNOT_HOME/programs/` for the user) names the plan's days:
each a routine id, `rest`, or `{routine: ID, note: TEXT}`. The active program is one small JSON
file in UNKNOT_HOME (`program.json`, written atomically); which day it is today is worked out
from that file's start date and the session history, never stored:

- a rest day passes with the calendar;
- a session day is done when a session of its routine is in history on that local date (any
  time of that day); a day that passes without one is missed, and the plan moves on by a day
  (the same session is due the next day), so nothing is ever double-booked;
- a session of another routine, or a second one the same day, does not move the plan.

Nothing here imports Textual.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable, Iterable, Sequence

import yaml

from player import paths, vocab
from player.errors import Problem, RoutineError, UnknotError, UsageError
from player.paths import looks_like_program as looks_like_program

try:  # libyaml's event parser keeps its own stack: no recursion however deep the input.
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Parser = yaml.SafeLoader

SUFFIXES = (".yaml", ".yml")
#: A program of a year of days is about 10 KiB.
MAX_BYTES = paths.PROGRAM_MAX_BYTES
#: Most days in one program.
MAX_DAYS = 1000
#: Deepest nesting accepted (a program needs three levels).
MAX_DEPTH = 20
TOP_FIELDS = ("version", "name", "summary", "caution", "days")
DAY_FIELDS = ("routine", "note")
REST = "rest"

_CORE = "tag:yaml.org,2002:"
_STANDARD_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq",
                                               "map"))
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

Warn = Callable[[str], None]


def _stderr_warn(message: str) -> None:
    print(f"unknot: warning: {message}", file=sys.stderr)


def local_today() -> date:
    """Today's local calendar date: the one seam tests replace with a fixed day."""
    return date.today()


# ------------------------------------------------------------------------------------ model


@dataclass(frozen=True)
class Day:
    """One day of a plan: a routine to play, or rest (`routine` None)."""

    routine: str | None
    note: str = ""
    line: int = 0
    column: int = 0

    @property
    def rest(self) -> bool:
        return self.routine is None


@dataclass(frozen=True)
class Program:
    """A named plan of days, as loaded from one program file."""

    id: str
    name: str
    days: tuple[Day, ...]
    summary: str = ""
    caution: str = ""
    path: Path | None = None
    #: "built-in" or "user".
    source: str = "user"

    @property
    def sessions(self) -> int:
        """How many days have a routine."""
        return sum(not d.rest for d in self.days)


# ---------------------------------------------------------------------------------- reading


@dataclass
class _Node:
    """A YAML value with where it starts; `value` is text, a list of nodes or a list of pairs."""

    kind: str  # "scalar", "seq" or "map"
    value: object
    line: int
    column: int
    #: A plain (unquoted) scalar that YAML reads as null: `~`, `null` or nothing.
    null: bool = False


def _node(event: yaml.Event, line: int, column: int) -> _Node | None:
    """The node a scalar or a collection start opens; None for other events."""
    if isinstance(event, yaml.ScalarEvent):
        plain = event.implicit[0] and event.style is None
        null = plain and event.value in ("", "~", "null", "Null", "NULL")
        return _Node("scalar", event.value, line, column, null)
    if isinstance(event, yaml.SequenceStartEvent):
        return _Node("seq", [], line, column)
    if isinstance(event, yaml.MappingStartEvent):
        return _Node("map", [], line, column)
    return None


def _close(done: _Node) -> None:
    """A mapping's flat list of keys and values becomes (key, value) pairs."""
    if done.kind == "map":
        items = done.value
        assert isinstance(items, list)
        done.value = list(zip(items[0::2], items[1::2], strict=False))


class _Reader:
    """Reads and checks one program file, collecting problems against its display path."""

    def __init__(self, display: str, known: Sequence[str]) -> None:
        self.display = display
        self.known = known
        self.problems: list[Problem] = []

    def error(self, line: int, column: int, message: str) -> None:
        self.problems.append(Problem(self.display, line, column, "error", message))

    def at(self, node: _Node, message: str) -> None:
        self.error(node.line, node.column, message)

    # -- text → nodes ---------------------------------------------------------------------

    def compose(self, path: Path) -> _Node | None:
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            self.error(1, 1, f"cannot read file: {exc.strerror or exc}")
            return None
        if len(data) > MAX_BYTES:
            self.error(1, 1, "file is larger than 256 KiB: a program is a small text file")
            return None
        if b"\0" in data:
            self.error(1, 1, "binary file: a program is a YAML text file")
            return None
        try:
            text = data.decode("utf-8").removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            before = data[: exc.start]
            self.error(before.count(b"\n") + 1, len(before) - (before.rfind(b"\n") + 1) + 1,
                       f"file is not UTF-8 text (byte 0x{data[exc.start]:02x}): save it as UTF-8")
            return None
        try:
            return self._build(yaml.parse(text, Loader=_Parser))
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "cannot parse"
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            self.error(line, column, f"bad YAML: {problem}")
        except yaml.YAMLError as exc:
            self.error(1, 1, f"bad YAML: {exc}")
        return None

    def _build(self, events: Iterable[yaml.Event]) -> _Node | None:
        """Nodes from parser events, with an explicit stack: no aliases, tags or deep nesting."""
        stack: list[_Node] = []
        root: _Node | None = None
        for event in events:
            mark = event.start_mark
            line, column = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
            refusal = self._refusal(event, root is not None, len(stack))
            if refusal:
                self.error(line, column, refusal)
                return None
            if isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                _close(stack.pop())
                continue
            node = _node(event, line, column)
            if node is None:
                continue
            if stack:
                parent = stack[-1].value
                assert isinstance(parent, list)
                parent.append(node)
            elif root is None:
                root = node
            if node.kind != "scalar":
                stack.append(node)
        return root

    @staticmethod
    def _refusal(event: yaml.Event, have_root: bool, depth: int) -> str | None:
        """Why `event` cannot be part of a program file, or None."""
        if isinstance(event, yaml.AliasEvent):
            return "aliases (*name) are not allowed in program files: write the day out"
        if isinstance(event, (yaml.ScalarEvent, yaml.SequenceStartEvent,
                              yaml.MappingStartEvent)):
            tag = event.tag
            if tag not in (None, "!") and tag not in _STANDARD_TAGS:
                return (f"tag '{tag.replace(_CORE, '!!')}' is not allowed: "
                        "program files are plain YAML without tags")
        if (isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
                and depth >= MAX_DEPTH):
            return f"nesting is too deep (more than {MAX_DEPTH} levels)"
        if isinstance(event, yaml.DocumentStartEvent) and have_root:
            return "more than one YAML document: a program is one"
        return None

    # -- nodes → program ------------------------------------------------------------------

    def fields(self, node: _Node, allowed: Sequence[str], what: str) -> dict[str, _Node]:
        out: dict[str, _Node] = {}
        firsts: dict[str, int] = {}
        assert isinstance(node.value, list)
        for key, value in node.value:
            if key.kind != "scalar" or key.null:
                self.at(key, f"field names in {what} must be text")
                continue
            name = str(key.value)
            if name in firsts:
                self.at(key, f"duplicate key '{name}' (first at line {firsts[name]}): "
                             "remove one of them")
                continue
            firsts[name] = key.line
            if name not in allowed:
                hint = (vocab.did_you_mean(name.lower(), allowed)
                        or f" ({what} takes: {', '.join(allowed)})")
                self.at(key, f"unknown field '{name}' in {what}{hint}")
                continue
            out[name] = value
        return out

    def text(self, node: _Node | None, name: str) -> str:
        if node is None or node.null:
            return ""
        if node.kind != "scalar":
            got = "a list" if node.kind == "seq" else "a mapping"
            self.at(node, f"'{name}' must be text, got {got}")
            return ""
        return str(node.value).strip()

    def routine_id(self, node: _Node) -> str | None:
        """A known routine id, or None after reporting the problem."""
        if node.kind != "scalar" or node.null or not str(node.value).strip():
            self.at(node, "'routine' needs a routine id, like desk-neck-shoulders")
            return None
        rid = str(node.value).strip()
        if rid in self.known:
            return rid
        hint = (vocab.did_you_mean(rid, self.known, cutoff=0.5)
                or "; 'unknot list' shows them all")
        self.at(node, f"unknown routine '{rid}'{hint}")
        return None

    def day(self, node: _Node) -> Day | None:
        neither = ("a day is a routine id, 'rest', or {routine: ID, note: TEXT}, got ")
        if node.kind == "scalar":
            if node.null or not str(node.value).strip():
                self.at(node, neither + "an empty item")
                return None
            if str(node.value).strip().lower() == REST:
                return Day(None, "", node.line, node.column)
            rid = self.routine_id(node)
            return Day(rid, "", node.line, node.column) if rid else None
        if node.kind == "seq":
            self.at(node, neither + "a list")
            return None
        got = self.fields(node, DAY_FIELDS, "a day")
        if "routine" not in got:
            if not self.problems or self.problems[-1].line != node.line:
                self.at(node, "a day written as a mapping needs 'routine: ID' "
                              "(or write 'rest' for a rest day)")
            return None
        note = self.text(got.get("note"), "note")
        value = got["routine"]
        if value.kind == "scalar" and str(value.value).strip().lower() == REST:
            return Day(None, note, node.line, node.column)
        rid = self.routine_id(value)
        return Day(rid, note, node.line, node.column) if rid else None

    def program(self, root: _Node | None, pid: str, path: Path, source: str) -> Program | None:
        if root is None:
            if not self.problems:
                self.error(1, 1, "file is empty: a program needs a name and days")
            return None
        if root.kind != "map":
            self.at(root, "a program is a mapping with 'name' and 'days'")
            return None
        got = self.fields(root, TOP_FIELDS, "a program")
        version = got.get("version")
        if version is not None and not (version.kind == "scalar"
                                        and str(version.value).strip() == "1"):
            self.at(version, "unknown version: this unknot reads program files of version 1")
        name = self.name(got, root)
        summary = self.text(got.get("summary"), "summary")
        caution = self.text(got.get("caution"), "caution")
        days = self.days(got.get("days"), root)
        if self.problems:
            return None
        return Program(pid, name, tuple(days), summary, caution, path, source)

    def name(self, got: dict[str, _Node], root: _Node) -> str:
        name = self.text(got.get("name"), "name")
        if "name" not in got or (not name and got["name"].kind == "scalar"):
            where = got.get("name", root)
            self.at(where, "missing 'name': give the program a name people will recognise")
        return name

    def days(self, plan: _Node | None, root: _Node) -> list[Day]:
        """The plan's days, each problem reported where it is."""
        if plan is None:
            self.at(root, "missing 'days': list the plan's days (routine ids or rest)")
            return []
        if plan.kind != "seq" or not plan.value:
            self.at(plan, "'days' must be a list of at least one day (routine ids or rest)")
            return []
        assert isinstance(plan.value, list)
        if len(plan.value) > MAX_DAYS:
            self.at(plan, f"too many days ({len(plan.value)}): a program has at most {MAX_DAYS}")
        days = [d for d in map(self.day, plan.value[:MAX_DAYS]) if d is not None]
        if days and all(d.rest for d in days) and not self.problems:
            self.at(plan, "every day is a rest day: a program needs at least one session")
        return days


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        return str(path)


def check_program_file(path: Path, known_routines: Sequence[str], source: str = "path",
                       ) -> tuple[Program | None, list[Problem]]:
    """The program in `path` and every problem found; never raises for content."""
    reader = _Reader(_display(path), known_routines)
    root = reader.compose(path)
    program = None if reader.problems else reader.program(root, path.stem, path, source)
    return program, reader.problems


# -------------------------------------------------------------------------------- library


def builtin_programs_dir() -> Path:
    """The folder of programs shipped with unknot."""
    return paths.builtin_routines_dir().parent / "programs"


def user_programs_dir() -> Path:
    """Where the user's own programs live."""
    return paths.home_dir() / "programs"


def program_folders() -> list[tuple[Path, str]]:
    """Program folders in search order (first match of an id wins), with their source."""
    return [(user_programs_dir(), "user"), (builtin_programs_dir(), "built-in")]


def _files(folder: Path) -> list[Path]:
    from player.library import _files as yaml_files  # the same listing rule as routines

    return yaml_files(folder)


def known_routines(extra: Sequence[Path | str] = ()) -> list[str]:
    """Every routine id in the library, for checking a program's days."""
    from player.library import known_ids

    return known_ids(extra)


@dataclass
class ProgramEntry:
    """One program file of the library, loaded or not."""

    id: str
    path: Path
    source: str
    program: Program | None
    problems: list[Problem]


def discover(extra: Sequence[Path | str] = ()) -> list[ProgramEntry]:
    """Every program, user ones hiding built-ins of the same id, by id."""
    known = known_routines(extra)
    found: dict[str, ProgramEntry] = {}
    for folder, source in program_folders():
        for path in _files(folder):
            if path.stem not in found:
                program, problems = check_program_file(path, known, source)
                found[path.stem] = ProgramEntry(path.stem, path, source, program, problems)
    return [found[k] for k in sorted(found)]


def find(pid: str, extra: Sequence[Path | str] = ()) -> Program:
    """The program with id `pid`; UnknotError with a did-you-mean, RoutineError for a bad file."""
    shown = pid if len(pid) <= 80 else pid[:79] + "…"
    if _ID.fullmatch(pid):
        for folder, source in program_folders():
            for suffix in SUFFIXES:
                path = folder / (pid + suffix)
                if path.is_file():
                    program, problems = check_program_file(path, known_routines(extra), source)
                    if program is None:
                        raise RoutineError(problems)
                    return program
    ids = sorted({p.stem for folder, _ in program_folders() for p in _files(folder)})
    hint = vocab.did_you_mean(pid, ids, cutoff=0.5)
    raise UnknotError(f"unknown program '{shown}'{hint}; 'unknot program list' shows them all")


# ---------------------------------------------------------------------------------- state


@dataclass(frozen=True)
class State:
    """The active program: its id and the date of its first day."""

    program: str
    started: date


def state_path() -> Path:
    return paths.program_state_path()


def read_state(path: Path | None = None, warn: Warn | None = _stderr_warn) -> State | None:
    """The active program, or None; a damaged file gives one warning and counts as none."""
    target = path or state_path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if warn:
            warn(f"cannot read {target}: {exc.strerror or exc}; no program is active")
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
        pid, started = data.get("program"), data.get("started")
        if not isinstance(pid, str) or not _ID.fullmatch(pid):
            raise ValueError("no program id")
        if not isinstance(started, str):
            raise ValueError("no start date")
        return State(pid, date.fromisoformat(started))
    except (ValueError, UnicodeDecodeError) as exc:
        if warn:
            warn(f"{target} is damaged ({exc}); starting fresh: no program is active "
                 "('unknot program start ID' starts one)")
        return None


def write_state(state: State | None, path: Path | None = None) -> None:
    """Save the active program (None: stop), atomically: a temp file renamed over the old one."""
    target = path or state_path()
    if state is None:
        try:
            target.unlink()
        except FileNotFoundError:
            pass
        return
    body = json.dumps({"version": 1, "program": state.program,
                       "started": state.started.isoformat()}) + "\n"
    write_atomically(target, body.encode("utf-8"))


def write_atomically(target: Path, data: bytes) -> None:
    """Replace `target` with `data` all at once: a temp file beside it, fsynced, renamed over."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + target.name + "-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def parse_date(text: str, today: date) -> date:
    """`YYYY-MM-DD`, `today`, `tomorrow` or `yesterday`; UsageError otherwise."""
    raw = text.strip().lower()
    shift = {"today": 0, "tomorrow": 1, "yesterday": -1}
    if raw in shift:
        return today + timedelta(days=shift[raw])
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"invalid date {text!r}: use YYYY-MM-DD, today, tomorrow or "
                         "yesterday") from None


# ------------------------------------------------------------------------------ the plan


@dataclass(frozen=True)
class Slot:
    """One plan day placed on the calendar."""

    #: 0-based position in the program's days.
    index: int
    day: Day
    #: The date it was done (or passed, for rest), is due, or is expected.
    on: date
    #: A session day with a session of its routine on `on`.
    done: bool


@dataclass(frozen=True)
class Progress:
    """Where a started program stands on `today`."""

    program: Program
    started: date
    today: date
    #: Every day of the plan on the calendar: past ones where they happened, the rest expected
    #: from today on, one day each.
    slots: tuple[Slot, ...]
    #: Session days that passed without their session (each moved the plan by a day).
    missed: int

    @property
    def current(self) -> Slot | None:
        """Today's slot, or None (finished, or not started yet)."""
        return next((s for s in self.slots if s.on == self.today), None)

    @property
    def finished(self) -> bool:
        """Every day passed: session days done, rest days behind."""
        return all(s.done or (s.day.rest and s.on < self.today) for s in self.slots)


def session_days(records: Iterable[dict[str, object]]) -> set[tuple[str, str]]:
    """(routine id, local date) of every session in history."""
    from player.history import record_day

    out: set[tuple[str, str]] = set()
    for record in records:
        try:
            out.add((str(record["routine"]), record_day(record)))
        except (KeyError, TypeError):
            continue
    return out


def progress(program: Program, started: date, today: date,
             sessions: set[tuple[str, str]]) -> Progress:
    """Lay the plan on the calendar from `started`, judged by the sessions in history."""
    slots: list[Slot] = []
    index = 0
    missed = 0
    day = started
    days = program.days
    while index < len(days) and day < today:
        item = days[index]
        if item.rest or (item.routine, day.isoformat()) in sessions:
            slots.append(Slot(index, item, day, not item.rest))
            index += 1
        else:
            missed += 1
        day += timedelta(days=1)
    day = max(day, started)
    while index < len(days):
        item = days[index]
        done = day == today and not item.rest and (item.routine, day.isoformat()) in sessions
        slots.append(Slot(index, item, day, done))
        index += 1
        day += timedelta(days=1)
    return Progress(program, started, today, tuple(slots), missed)


def planned(program: Program, first: date) -> Progress:
    """The plan laid out from `first`, one day each, nothing done (for export with --from)."""
    return progress(program, first, first, set())


def current_progress(today: date | None = None, warn: Warn | None = _stderr_warn,
                     extra: Sequence[Path | str] = ()) -> Progress | None:
    """The active program's progress today, or None when no program is active."""
    state = read_state(warn=warn)
    if state is None:
        return None
    try:
        program = find(state.program, extra)
    except UnknotError as exc:
        if warn:
            warn(f"the active program cannot be used: {exc}")
        return None
    sessions = sessions_since(state.started, warn)
    return progress(program, state.started, today or local_today(), sessions)


def sessions_since(first: date, warn: Warn | None = _stderr_warn) -> set[tuple[str, str]]:
    """`session_days` of the sessions on or after `first`, read in one streamed pass: only
    the (routine, day) pairs are kept, never the history's records (a program looks at no
    day before its start)."""
    from player.history import record_of, scan_history

    out: set[tuple[str, str]] = set()

    def add(line: bytes) -> None:
        out.update(session_days((record_of(line),)))

    if warn is _stderr_warn:
        # History's own lines already read `history.jsonl:N: warning: …`: print them as they
        # are, not as `unknot: warning: …: warning: …`.
        scan_history(since=first.isoformat(), keep=0, each=add)
    else:
        scan_history(warn=warn, since=first.isoformat(), keep=0, each=add)
    return out


@dataclass(frozen=True)
class TodayMark:
    """What the picker shows for the active program: today's routine, first and marked."""

    routine: str
    program: str
    #: 1-based day of the plan and the plan's length in days.
    day: int
    of: int
    #: Today's session of it is already in history.
    done: bool

    def label(self) -> str:
        state = " (done)" if self.done else ""
        return f"Today in {self.program}: day {self.day} of {self.of}{state}"


def todays_routine(today: date | None = None) -> TodayMark | None:
    """Today's routine in the active program, else None (rest day, finished, or no program).

    For the picker: quiet and never raising, a problem only means no mark. Without an active
    program only the (absent) state file is looked at, so the picker's start pays nothing.
    """
    try:
        if not state_path().exists():
            return None
        prog = current_progress(today, warn=None)
    except (UnknotError, OSError, ValueError):
        return None
    slot = prog.current if prog is not None else None
    if prog is None or slot is None or slot.day.routine is None:
        return None
    return TodayMark(slot.day.routine, prog.program.name, slot.index + 1,
                     len(prog.program.days), slot.done)
