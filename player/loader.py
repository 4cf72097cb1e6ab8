"""Provides the routine loader and validator: YAML file → checked Routine, or every problem found.

    load_routine(path, source=..., search_dirs=...) -> Routine      # RoutineError on any error
    check_file(path, search_dirs=...) -> (Routine | None, problems)  # never raises for content

Every problem carries the exact line and column of the value at fault. The work is split:
- player.yaml_safety: the file to YAML nodes, within limits (size, tags, aliases, nesting);
- player.includes: which file an `include:` names, and the folders it may not leave;
- player.fields: the format as a table, with each field's parser (this module walks it);
- player.advice: the warnings about valid but unwise steps.
This module ties them together: a file's top level, its defaults, its steps, its includes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence, cast

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from player import advice
from player.advice import range_text
from player.durations import auto_lead_in
from player.errors import Problem, RoutineError
from player.fields import (
    AUTO,
    BAD,
    CUE_FIELDS,
    DEFAULT_FIELDS,
    MAX_COUNTDOWN,
    MAX_REPEAT,
    MAX_SAY_END_WORDS,
    MAX_SAY_WORDS,
    MAX_SECONDS,
    NO_LEAD_IN,
    ROUTINE_FIELDS,
    STEP_FIELDS,
    names,
    parse_fields,
    parse_written,
)
from player.includes import SUFFIXES, allowed_roots, find_include, is_regular_file
from player.reader import Reader, is_null, kind, short, suggest
from player.routine import Cues, Routine, Step
from player.speedups import MISSING, Memo, paused_gc, real_file
from player.vocab import Region, Severity, Source, Technique, cue_phrase
from player.yaml_safety import MAX_BYTES, MAX_DEPTH, MAX_VALUES, compose_file

__all__ = [
    "DEFAULT_LEAD_IN", "MAX_BYTES", "MAX_COUNTDOWN", "MAX_DEPTH", "MAX_PROBLEMS", "MAX_REPEAT",
    "MAX_SAY_END_WORDS", "MAX_SAY_WORDS", "MAX_SECONDS", "MAX_STEPS", "MAX_VALUES", "SUFFIXES",
    "TOP_FIELDS", "STEP_FIELD_NAMES", "DEFAULT_FIELD_NAMES", "check_file", "is_regular_file",
    "load_routine", "range_text",
]

#: Most problems reported for one routine (its includes included).
MAX_PROBLEMS = 200
#: Most files deep an include may nest (a routine that includes one that includes …).
MAX_INCLUDE_DEPTH = 32
#: Python frames an include level may still need below it (one level takes about 6, a YAML
#: file's composing a few dozen more).
STACK_SPARE = 150
#: Most steps a routine may expand to once includes are spliced in.
MAX_STEPS = 100_000
#: Get-into-position time of a `Step` built by hand; a loaded step's default is `lead_in: auto`.
DEFAULT_LEAD_IN = 5.0

TOP_FIELDS = names(ROUTINE_FIELDS)
_REQUIRED_TOP = tuple(f.name for f in ROUTINE_FIELDS if f.required == "yes")
_REQUIRED_STEP = tuple(f.name for f in STEP_FIELDS if f.required == "yes")
#: Every step field as (its default, no node): what a step that writes nothing has.
_UNWRITTEN = {f.name: (f.default, None) for f in STEP_FIELDS}
_STEP_MODEL = tuple(f.name for f in STEP_FIELDS if f.model)
_CUE_DEFAULTS = tuple((f.name, f.default) for f in CUE_FIELDS)
_CUE_NAMES = tuple(name for name, _ in _CUE_DEFAULTS)
#: Cues and spoken phrases worked out once (player.speedups says why).
_CUES = Memo()
_SPOKEN = Memo()
STEP_FIELD_NAMES = names(STEP_FIELDS)
DEFAULT_FIELD_NAMES = names(DEFAULT_FIELDS)

#: A parsed field: its value and the node it was written at (None: not written, a default).
Chosen = tuple[Any, Node | None]


@dataclass
class _File:
    """What one file yielded: its steps (None when it has errors) and its header fields."""

    steps: list[Step] | None
    fields: dict[str, object] = field(default_factory=dict)


class _Checker:
    """Loads one routine and everything it includes, collecting problems on the way."""

    def __init__(self, search_dirs: Sequence[Path | str], top: Path) -> None:
        dirs = [d if isinstance(d, Path) else Path(d) for d in search_dirs]
        if not dirs:
            from player.paths import routine_folders

            dirs = [d for d, _ in routine_folders()]
        self.dirs = dirs
        self.roots = allowed_roots(top, dirs)  # top: the routine file, symlinks resolved
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, int, int, str, str]] = set()
        self.cache: dict[Path, _File] = {}
        self.stack: list[Path] = []
        self.step_count = 0
        self.full = False
        #: The include chain that went too deep, reported once, at the top file (issue 12).
        self.too_deep: list[Path] | None = None

    def add(self, path: str, line: int, column: int, severity: Severity, message: str) -> None:
        key = (path, line, column, severity, message)
        if key in self._seen or self.full:
            return
        self._seen.add(key)
        if len(self.problems) >= MAX_PROBLEMS:
            # A generated or garbled file could yield a million lines; after this many the
            # person needs to look at the file, not at more messages.
            self.full = True
            self.problems.append(Problem(path, line, column, "error",
                                         f"too many problems: stopped after {MAX_PROBLEMS}"))
            return
        self.problems.append(Problem(path, line, column, severity, message))

    def errors(self) -> int:
        return sum(p.severity == "error" for p in self.problems)

    def load(self, path: Path, display: str, real: Path | None = None) -> _File:
        real = real or real_file(path)
        if real in self.cache:
            return self.cache[real]
        self.stack.append(real)
        try:
            before = self.errors()

            def fail(message: str, line: int, column: int) -> None:
                self.add(display, line, column, "error", message)

            node = compose_file(path, fail)
            result = _File(None)
            if node is not None:
                result = _FileReader(self, real, display).read(node)
            if self.errors() > before:
                result.steps = None
        finally:
            self.stack.pop()
        self.cache[real] = result
        return result


class _FileReader(Reader):
    """Reads one composed file into steps, reporting problems against its display path."""

    def __init__(self, checker: _Checker, path: Path, display: str) -> None:
        super().__init__(checker, path, display)
        self.c = checker

    def read(self, root: Node) -> _File:
        if not isinstance(root, MappingNode):
            self.error(root, "a routine file must be a mapping with a name and steps, got "
                             f"{kind(root)}")
            return _File(None)
        top = self.mapping(root, TOP_FIELDS, "a routine")
        result = _File(None)
        self.required(root, top, _REQUIRED_TOP, "")
        for f in ROUTINE_FIELDS:
            if f.parse is not None and f.name in top:
                value = f.parse(self, top[f.name][1], f.name)
                if f.model and value is not BAD:
                    result.fields[f.name] = value
        defaults = self.defaults(top["defaults"][1]) if "defaults" in top else {}
        if "steps" in top:
            result.steps = self.steps(top["steps"], defaults)
        return result

    def required(self, node: Node, written: dict[str, tuple[Node, Node]],
                 required: tuple[str, ...], where: str) -> None:
        keys = [str(k.value) for k, _ in node.value if isinstance(k, ScalarNode)] \
            if isinstance(node, MappingNode) else []
        for name in required:
            # A misspelling of it (`techique`) was just reported with the suggestion: say it
            # once (issue 12, class 9), not again as missing.
            if name not in written and not any(suggest(k, [name]) for k in keys):
                self.error(node, f"missing required field '{name}'{where}")

    def defaults(self, node: Node) -> dict[str, Chosen]:
        if is_null(node):
            return {}
        if not isinstance(node, MappingNode):
            self.error(node, f"'defaults' must be a mapping, got {kind(node)}")
            return {}
        return dict(parse_fields(self, node, DEFAULT_FIELDS, "defaults"))

    def steps(self, written: tuple[Node, Node], defaults: dict[str, Chosen]) -> list[Step] | None:
        key_node, steps_node = written
        if is_null(steps_node) or (isinstance(steps_node, SequenceNode) and
                                   not steps_node.value):
            self.error(steps_node if not is_null(steps_node) else key_node,
                       "'steps' is empty: add at least one step")
            return None
        if not isinstance(steps_node, SequenceNode):
            self.error(steps_node, f"'steps' must be a list of steps, got {kind(steps_node)}")
            return None
        steps: list[Step] = []
        for number, item in enumerate(steps_node.value, start=1):
            if self.c.full:
                return None
            steps.extend(self.step(item, number, defaults))
            if self.c.step_count > MAX_STEPS:
                self.error(item, f"the routine expands to more than {MAX_STEPS} steps")
                return None
        return steps

    def step(self, node: Node, number: int, defaults: dict[str, Chosen]) -> list[Step]:
        if isinstance(node, MappingNode) and any(
                isinstance(k, ScalarNode) and k.value == "include" for k, _ in node.value):
            return self.include(node)
        if not isinstance(node, MappingNode):
            self.error(node, f"step {number} must be a mapping with technique, region and "
                             f"duration (or include: ID), got {kind(node)}")
            return []
        written = self.mapping(node, STEP_FIELD_NAMES, f"step {number}")
        self.required(node, written, _REQUIRED_STEP, f" in step {number}")
        own: dict[str, Chosen] = dict(parse_written(self, written, STEP_FIELDS))
        tech: Technique | None = own.get("technique", (None, None))[0]
        region_gone = "region" not in written or is_null(written["region"][1])
        if tech is not None and tech.needs_region and region_gone:
            self.error(node, f"missing required field 'region' in step {number} "
                             f"({tech.id} works on a region)")
        if tech is None:
            return []
        step = self.build(node, tech, own, defaults)
        if step is None:
            return []
        self.c.step_count += 1
        return [step]

    def build(self, node: Node, tech: Technique, own: dict[str, Chosen],
              defaults: dict[str, Chosen]) -> Step | None:
        """The Step from its own fields, the file's defaults and the table's defaults."""
        # defaults holds only fields `defaults:` may set (DEFAULT_FIELDS).
        chosen: dict[str, Chosen] = {**_UNWRITTEN, **defaults, **own}
        region: Region | None = chosen["region"][0]
        if "side" not in own and not tech.needs_region and region is None:
            chosen["side"] = (None, None)  # a default side means nothing to a breathing step
        self.advise(tech, region, chosen)
        if "duration" not in own:
            return None
        values = {name: chosen[name][0] for name in _STEP_MODEL}
        values.update(
            technique=tech.id,
            region=region.id if region else None,
            instructions=values["instructions"] if "instructions" in own else tech.instructions,
            cues=self.cues(own, defaults),
            lead_in=self.lead_in(node, tech, region, own, chosen),
        )
        return Step(**values, where=self.where(node))

    def advise(self, tech: Technique, region: Region | None, chosen: dict[str, Chosen]) -> None:
        """Warnings: advice, not errors (`validate --strict` makes them errors)."""
        seconds, duration_node = chosen["duration"]
        if duration_node is not None and not tech.min_seconds <= seconds <= tech.max_seconds:
            advice.duration(self, tech, seconds, duration_node)
        level, pressure_node = chosen["pressure"]
        if isinstance(level, int) and pressure_node is not None:
            advice.pressure(self, level, region, pressure_node)
        region_node = chosen["region"][1]
        if region is not None and region_node is not None:
            advice.roller(self, tech, region, region_node)

    @staticmethod
    def cues(own: dict[str, Chosen], defaults: dict[str, Chosen]) -> Cues:
        """The step's cues: the defaults' `cues`/`sounds`, then its own, merged key by key."""
        cue_values: dict[str, Any] = {}
        sound_values: dict[str, str] = {}
        for layer in (defaults, own):
            if "cues" in layer:
                cue_values.update(layer["cues"][0])
            if "sounds" in layer:
                sound_values.update(layer["sounds"][0])
        key = (tuple([cue_values.get(name, default) for name, default in _CUE_DEFAULTS]),
               tuple(sorted(sound_values.items())))
        cues = _CUES.get(key)
        if cues is MISSING:  # frozen, so one Cues serves every step that has the same
            cues = _CUES.put(key, Cues(**dict(zip(_CUE_NAMES, key[0], strict=True)),
                                       sounds=key[1]))
        return cast(Cues, cues)

    def lead_in(self, node: Node, tech: Technique, region: Region | None,
                own: dict[str, Chosen], chosen: dict[str, Chosen]) -> float:
        """The lead-in in seconds: as written, `auto` worked out, or the technique's default."""
        seconds, written_at = chosen["lead_in"]
        if written_at is None:
            seconds = 0.0 if tech.id in NO_LEAD_IN else AUTO
        say = chosen["say"][0]
        if isinstance(say, str):
            spoken = "Next: " + say
        else:
            key = (tech.id, region.id if region else None, chosen["side"][0],
                   chosen["pressure"][0])
            spoken = _SPOKEN.get(key)
            if spoken is MISSING:
                spoken = _SPOKEN.put(key, "Next: " + cue_phrase(*key))
        if seconds is AUTO:
            return auto_lead_in(spoken)
        if written_at is not None:
            advice.lead_in(self, seconds, spoken, written_at if "lead_in" in own else node)
        return float(seconds)

    def include(self, node: MappingNode) -> list[Step]:
        value_node = self.include_value(node)
        value = self.text(value_node, "include")
        if not value:
            if value is not None or is_null(value_node):
                self.error(value_node, "'include' needs a routine id or a relative path")
            return []
        target, why = find_include(value, self.path, self.c.dirs, self.c.roots)
        if target is None:
            self.error(value_node, why)
            return []
        if target in self.c.stack:
            self.error(value_node, self.cycle(target))
            return []
        # 250 deep was a RecursionError (issue 12). The cap also keeps STACK_SPARE frames free
        # under whatever called the loader (a deep caller: a test runner, hypothesis).
        if len(self.c.stack) >= MAX_INCLUDE_DEPTH or _stack_left() < STACK_SPARE:
            self.c.too_deep = [*self.c.stack, target]
        else:
            result = self.c.load(target, _display(target))
        if self.c.too_deep is not None:
            # One line for the whole chain, at the top file's include (not one per file).
            if len(self.c.stack) == 1:
                chain = self.c.too_deep
                self.error(value_node, f"includes nest more than {len(chain) - 1} deep "
                                       f"({_chain(chain)}): include the routines one after "
                                       "another instead")
            return []
        if result.steps is None:
            self.error(value_node, f"included routine '{short(value)}' has errors")
            return []
        self.c.step_count += len(result.steps)
        return list(result.steps)


    def include_value(self, node: MappingNode) -> Node:
        """The node of `include:`, after reporting any field written beside it."""
        others = [k for k, _ in node.value if not (isinstance(k, ScalarNode) and
                                                   k.value == "include")]
        if others:
            extra = others[0]
            self.error(extra, f"'include' stands alone in its step: move "
                              f"'{short(str(getattr(extra, 'value', '?')))}' into the "
                              "included routine or a step of its own")
        values: list[Node] = [v for k, v in node.value
                              if isinstance(k, ScalarNode) and k.value == "include"]
        return values[-1]

    def cycle(self, target: Path) -> str:
        """The message for an include of a file already being read."""
        return f"include cycle: {_chain(self.c.stack[self.c.stack.index(target):] + [target])}"


def _chain(paths: list[Path]) -> str:
    """An include chain by file name; a long one as its ends and how many between (issue 12)."""
    shown = [p.name for p in paths]
    if len(shown) > 7:
        shown = [*shown[:3], f"({len(shown) - 6} more)", *shown[-3:]]
    return " → ".join(short(n) for n in shown)


def _display(path: Path) -> str:
    """A path as people read it: relative to the current folder when it lies below it."""
    try:
        text = str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        text = str(path)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def check_file(path: Path | str, *, search_dirs: Sequence[Path | str] = (),
               source: Source = "path", files: list[Path] | None = None
               ) -> tuple[Routine | None, list[Problem]]:
    """Load and check one routine file: the routine (None if it has errors) and every problem.

    Problems from included files carry their own paths. Never raises for bad content. `files`,
    when given, gets every file read (the routine and its includes; for player.cache).
    """
    p = Path(path)
    # A file name that is not valid UTF-8 must still print (as "\ufffd"), never crash.
    display = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    real = real_file(p)
    checker = _Checker(search_dirs, real)
    with paused_gc():  # player.speedups says why
        result = checker.load(p, display, real)
    if files is not None:
        files.extend(checker.cache)
    # Each file's problems in reading order, files in the order they were first reported.
    order: dict[str, int] = {display: 0}
    for problem in checker.problems:
        order.setdefault(problem.path, len(order))
    problems = sorted(checker.problems, key=lambda q: (order[q.path], q.line, q.column))
    if result.steps is None or checker.errors():
        return None, problems
    header: dict[str, Any] = {f.name: result.fields.get(f.name, f.default)
                              for f in ROUTINE_FIELDS if f.model}
    routine = Routine(id=p.stem, steps=tuple(result.steps), path=real, source=source,
                      **header)
    return routine, problems


def _stack_left() -> int:
    """Frames left before RecursionError, from where this is called."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    return sys.getrecursionlimit() - depth


def load_routine(path: Path | str, *, source: Source = "path",
                 search_dirs: Sequence[Path | str] = ()) -> Routine:
    """Load a routine file; RoutineError (with every problem) if it has any error."""
    routine, problems = check_file(path, search_dirs=search_dirs, source=source)
    if routine is None:
        raise RoutineError(problems)
    return routine
