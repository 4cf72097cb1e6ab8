"""Provides the routine loader and validator: YAML file → checked Routine, or every problem found.

The file is composed to YAML nodes (libyaml's C parser when present) and validated on the
nodes, so every problem carries the exact line and column of the value at fault. Nothing is
ever constructed from a tag: unknown tags are refused before any value is read, aliases are
bounded by the size the document would expand to, and flow nesting is bounded before the parser
sees it (libyaml's composer recurses in C and would crash on a few hundred thousand `[`).

    load_routine(path, source=..., search_dirs=...) -> Routine      # RoutineError on any error
    check_file(path, search_dirs=...) -> (Routine | None, problems)  # never raises for content
"""

from __future__ import annotations

import gc
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from player import vocab
from player.durations import (
    SPEECH_WPM,
    DurationError,
    auto_lead_in,
    format_human,
    parse_duration,
    speech_seconds,
    words,
)
from player.errors import Problem, RoutineError
from player.routine import Cues, Routine, Step, Where

try:  # libyaml: ten times faster; the pure-Python composer is the fallback.
    _YamlLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _YamlLoader = yaml.SafeLoader

#: Files larger than this are refused unread (a routine is a few kilobytes).
MAX_BYTES = 1024 * 1024
#: Deepest flow nesting (`[[[…`) accepted; a routine needs three or four levels.
MAX_DEPTH = 100
#: Most values a document may expand to once aliases are followed (a 10,000-step routine
#: is about 200,000).
MAX_VALUES = 2_000_000
#: Most problems reported for one routine (its includes included).
MAX_PROBLEMS = 200
#: Most steps a routine may expand to once includes are spliced in.
MAX_STEPS = 100_000
#: Longest single duration (duration, lead_in, rest, cadence).
MAX_SECONDS = 3600.0
#: Most work periods per side.
MAX_REPEAT = 100
#: Most countdown beeps.
MAX_COUNTDOWN = 10
#: Get-into-position time of a `Step` built by hand; a loaded step's default is `lead_in: auto`.
DEFAULT_LEAD_IN = 5.0
#: Most words in a step's `say:` and in its `say_end:`.
MAX_SAY_WORDS = 30
MAX_SAY_END_WORDS = 12
#: Techniques that have no lead-in unless one is written (nothing to get into position for).
NO_LEAD_IN = ("rest", "breathe")

SUFFIXES = (".yaml", ".yml")

TOP_FIELDS = ("version", "name", "summary", "tags", "equipment", "caution", "defaults", "steps")
DEFAULT_FIELDS = ("lead_in", "pressure", "cues", "side", "tool", "rest", "repeat", "sounds")
STEP_FIELDS = ("technique", "region", "side", "duration", "repeat", "rest", "pressure", "tool",
               "instructions", "title", "lead_in", "cues", "sounds", "say", "say_end")
CUE_FIELDS = ("start", "halfway", "countdown", "switch", "end", "cadence")

_CORE = "tag:yaml.org,2002:"
#: The standard YAML 1.1 tags PyYAML's safe loader knows; anything else is refused.
STANDARD_TAGS = frozenset(
    _CORE + t for t in ("null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs",
                        "set", "str", "seq", "map", "merge")
)
_FLOW = re.compile(r"[\[\]{}]")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}


def _suggest(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or '' when nothing is close."""
    import difflib  # only a file with a mistake pays for it

    close = difflib.get_close_matches(word.lower(), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == _CORE + "null":
        return "nothing"
    if node.tag in (_CORE + "int", _CORE + "float"):
        return f"the number {node.value}"
    if node.tag == _CORE + "bool":
        return f"'{node.value}'"
    return f"'{_short(str(node.value))}'"


def _short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == _CORE + "null"


def _display(path: Path) -> str:
    """A path as people read it: relative to the current folder when it lies below it."""
    try:
        text = str(path.relative_to(Path.cwd()))
    except (ValueError, OSError):
        text = str(path)
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def is_regular_file(path: Path) -> bool:
    """Path.is_file that says False for names the system refuses (too long, NUL bytes)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


@dataclass
class _File:
    """What one file yielded: its steps (None when it has errors) and its header fields."""

    steps: list[Step] | None
    fields: dict[str, object] = field(default_factory=dict)


class _Checker:
    """Loads one routine and everything it includes, collecting problems on the way."""

    def __init__(self, search_dirs: Sequence[Path | str], top: Path) -> None:
        dirs = [Path(d) for d in search_dirs]
        if not dirs:
            from player.paths import routine_folders

            dirs = [d for d, _ in routine_folders()]
        self.dirs = dirs
        top_dir = top.resolve().parent
        roots = [top_dir]
        if top_dir.name == "blocks":  # a block checked on its own may reach its siblings' folder
            roots.append(top_dir.parent)
        roots += [d.resolve() for d in dirs]
        self.roots = roots
        self.problems: list[Problem] = []
        self._seen: set[tuple[str, int, int, str, str]] = set()
        self.cache: dict[Path, _File] = {}
        self.stack: list[Path] = []
        self.display_of: dict[Path, str] = {}
        self.step_count = 0
        self.full = False

    # -- problems -----------------------------------------------------------------------------

    def add(self, path: str, line: int, column: int, severity: str, message: str) -> None:
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

    def has_errors(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # -- files --------------------------------------------------------------------------------

    def load(self, path: Path, display: str) -> _File:
        real = path.resolve()
        if real in self.cache:
            return self.cache[real]
        self.display_of[real] = display
        self.stack.append(real)
        try:
            before = sum(p.severity == "error" for p in self.problems)
            node = self._compose(path, display)
            result = _File(None)
            if node is not None:
                result = _FileReader(self, real, display).read(node)
            if sum(p.severity == "error" for p in self.problems) > before:
                result.steps = None
        finally:
            self.stack.pop()
        self.cache[real] = result
        return result

    def _compose(self, path: Path, display: str) -> Node | None:
        def fail(message: str, line: int = 1, column: int = 1) -> None:
            self.add(display, line, column, "error", message)

        try:
            info = path.stat()
            if stat.S_ISDIR(info.st_mode):
                fail("is a folder, not a routine file")
                return None
            if not stat.S_ISREG(info.st_mode):
                # /dev/zero or a FIFO would never end (or never start) reading.
                fail("not a regular file: a routine is a YAML text file")
                return None
            if info.st_size > MAX_BYTES:
                fail(f"file is larger than 1 MiB ({info.st_size} bytes): a routine is a small "
                     "text file")
                return None
            with path.open("rb") as fh:
                data = fh.read(MAX_BYTES + 1)
        except OSError as exc:
            fail(f"cannot read file: {exc.strerror or exc}")
            return None
        if len(data) > MAX_BYTES:  # it grew between stat and read
            fail("file is larger than 1 MiB: a routine is a small text file")
            return None
        if b"\0" in data:
            fail("binary file: a routine is a YAML text file")
            return None
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            before = data[: exc.start]
            line = before.count(b"\n") + 1
            column = len(before) - (before.rfind(b"\n") + 1) + 1
            fail(f"file is not UTF-8 text (byte 0x{data[exc.start]:02x}): save it as UTF-8",
                 line, column)
            return None
        text = text.removeprefix("\ufeff")
        if text.count("[") + text.count("{") > MAX_DEPTH:
            depth = 0
            for m in _FLOW.finditer(text):
                depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
                if depth > MAX_DEPTH:
                    line = text.count("\n", 0, m.start()) + 1
                    column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
                    fail(f"nesting is too deep (more than {MAX_DEPTH} levels)", line, column)
                    return None
        try:
            node: Node | None = yaml.compose(text, Loader=_YamlLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or exc.context or "cannot parse"
            if mark is None:
                fail(f"bad YAML: {problem}")
            else:
                fail(f"bad YAML: {problem}", mark.line + 1, mark.column + 1)
            return None
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            fail(f"bad YAML: {exc}")
            return None
        if node is None or _is_null(node):
            fail("file is empty: a routine needs a name and steps")
            return None
        if "*" not in text and "!" not in text:
            # No alias and no explicit tag can be written without these characters: the
            # nodes form a plain tree no bigger than the text, so skip the graph walk.
            return node
        # Tag errors alone still let the rest be checked (nothing is built from a tag);
        # recursive or exploding aliases do not.
        return node if self._check_graph(node, display) is not None else None

    def _check_graph(self, root: Node, display: str) -> bool | None:
        """Refuse non-standard tags, recursive aliases and alias bombs.

        None for a graph that must not be walked (recursive, too big); else whether all is well.

        Sizes are counted once per distinct node (memoised), so a "billion laughs" file costs
        as much as its text, not as much as its expansion.
        """
        size: dict[int, int] = {}
        on_path: set[int] = set()
        ok = True
        todo: list[tuple[Node, bool]] = [(root, False)]
        while todo:
            node, done = todo.pop()
            key = id(node)
            if done:
                on_path.discard(key)
                if isinstance(node, MappingNode):
                    total = 1 + sum(size[id(k)] + size[id(v)] for k, v in node.value)
                elif isinstance(node, SequenceNode):
                    total = 1 + sum(size[id(v)] for v in node.value)
                else:
                    total = 1
                size[key] = min(total, MAX_VALUES + 1)
                continue
            if key in size:
                continue
            if key in on_path:
                self.add(display, node.start_mark.line + 1, node.start_mark.column + 1, "error",
                         "recursive alias: a value that contains itself")
                return None
            if node.tag not in STANDARD_TAGS:
                tag = str(node.tag).replace(_CORE, "!!")
                self.add(display, node.start_mark.line + 1, node.start_mark.column + 1, "error",
                         f"tag '{_short(tag)}' is not allowed: routine files are plain YAML "
                         "without tags")
                ok = False
            on_path.add(key)
            todo.append((node, True))
            if isinstance(node, MappingNode):
                for k, v in node.value:
                    todo.append((k, False))
                    todo.append((v, False))
            elif isinstance(node, SequenceNode):
                todo.extend((v, False) for v in node.value)
        if size.get(id(root), 0) > MAX_VALUES:
            self.add(display, 1, 1, "error",
                     f"too many aliases: the file expands to more than {MAX_VALUES} values")
            return None
        return ok

    # -- includes -----------------------------------------------------------------------------

    def find_include(self, value: str, including: Path) -> tuple[Path | None, str]:
        """The file an include names, or None and the reason."""
        as_path = "/" in value or "\\" in value or value.endswith(SUFFIXES)
        if as_path:
            # Relative to the including file first, then to each routine folder, so a copy of
            # a built-in (`unknot new --from`) still finds `blocks/breathing.yaml`.
            candidates = []
            for folder in [including.parent, *self.dirs]:
                base = folder / value
                candidates.append(base)
                if base.suffix not in SUFFIXES:
                    candidates += [base.with_name(base.name + ".yaml"),
                                   base.with_name(base.name + ".yml")]
        else:
            if not _ID.fullmatch(value):
                return None, (f"cannot include '{_short(value)}': name a routine id like "
                              "breathing-reset or a relative path like blocks/breathing.yaml")
            folders = [including.parent, *self.dirs]
            candidates = [d / sub / (value + suffix)
                          for d in folders for sub in ("", "blocks") for suffix in SUFFIXES]
        for candidate in candidates:
            if is_regular_file(candidate):
                real = candidate.resolve()
                if not _inside(real, self.roots):
                    return None, (f"include '{_short(value)}' leaves the routine folders: "
                                  "keep included files beside the routine or in the library")
                return real, ""
        known: set[str] = set()
        for d in [including.parent, *self.dirs]:
            for sub in (d, d / "blocks"):
                try:
                    known.update(p.stem for p in sub.iterdir() if p.suffix in SUFFIXES)
                except OSError:
                    pass
        target = Path(value).stem if as_path else value
        hint = _suggest(target, known)
        return None, f"cannot find routine '{_short(value)}' to include{hint}"


class _FileReader:
    """Reads one composed file into steps, reporting problems against its display path."""

    def __init__(self, checker: _Checker, path: Path, display: str) -> None:
        self.c = checker
        self.path = path
        self.display = display

    # -- helpers ------------------------------------------------------------------------------

    def where(self, node: Node) -> Where:
        return Where(self.display, node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, node: Node, message: str) -> None:
        self.c.add(self.display, node.start_mark.line + 1, node.start_mark.column + 1, "error",
                   message)

    def warn(self, node: Node, message: str) -> None:
        self.c.add(self.display, node.start_mark.line + 1, node.start_mark.column + 1,
                   "warning", message)

    def mapping(self, node: Node, allowed: Sequence[str], what: str,
                ) -> dict[str, tuple[Node, Node]]:
        """Fields of a mapping node: name → (key node, value node), checking names and doubles."""
        out: dict[str, tuple[Node, Node]] = {}
        if not isinstance(node, MappingNode):
            return out
        merged: list[tuple[Node, Node]] = []
        for key, value in node.value:
            if self.c.full:
                break
            if key.tag == _CORE + "merge":
                sources = value.value if isinstance(value, SequenceNode) else [value]
                for src in sources:
                    if isinstance(src, MappingNode):
                        merged.extend(src.value)
                    else:
                        self.error(src, f"'<<' merges a mapping, got {_kind(src)}")
                continue
            if not isinstance(key, ScalarNode) or key.tag == _CORE + "null":
                self.error(key, f"field names in {what} must be text, got {_kind(key)}")
                continue
            name = str(key.value)
            if name in out:
                first = out[name][0].start_mark.line + 1
                self.error(key, f"duplicate key '{_short(name)}' (first at line {first}): "
                                "remove one of them")
                continue
            if name not in allowed:
                hint = _suggest(name, allowed) or f" ({what} takes: {', '.join(allowed)})"
                self.error(key, f"unknown field '{_short(name)}' in {what}{hint}")
                out[name] = (key, value)  # still counts for duplicate detection
                continue
            out[name] = (key, value)
        for key, value in merged:
            if isinstance(key, ScalarNode):
                name = str(key.value)
                if name in allowed and name not in out:
                    out[name] = (key, value)
        return {k: v for k, v in out.items() if k in allowed}

    def text(self, node: Node, name: str) -> str | None:
        if _is_null(node):
            return None
        if not isinstance(node, ScalarNode):
            self.error(node, f"'{name}' must be text, got {_kind(node)}")
            return None
        return str(node.value).strip()

    def text_list(self, node: Node, name: str) -> tuple[str, ...]:
        if _is_null(node):
            return ()
        if isinstance(node, ScalarNode):
            text = str(node.value).strip()
            return (text,) if text else ()
        if not isinstance(node, SequenceNode):
            self.error(node, f"'{name}' must be a list of text, got {_kind(node)}")
            return ()
        out: list[str] = []
        for item in node.value:
            if not isinstance(item, ScalarNode) or _is_null(item):
                self.error(item, f"'{name}' must be a list of text, got {_kind(item)} in it")
            else:
                out.append(str(item.value).strip())
        return tuple(out)

    def number(self, node: Node) -> float | None:
        """A YAML int or float as a Python float; None (not reported) for anything else."""
        if not isinstance(node, ScalarNode):
            return None
        try:
            # The safe constructor reads 0x1f, 1_000 and YAML 1.1's sexagesimal 1:30 (= 90).
            if node.tag == _CORE + "int":
                return float(_CONSTRUCTOR.construct_yaml_int(node))
            if node.tag == _CORE + "float":
                return float(_CONSTRUCTOR.construct_yaml_float(node))
        except (ValueError, OverflowError):
            return None
        return None

    def seconds(self, node: Node, name: str, *, positive: bool) -> float | None:
        """A duration field in seconds, checked against its range; None after reporting."""
        if _is_null(node):
            self.error(node, f"'{name}' needs a duration like 20s, 1m30s or 1:30")
            return None
        if not isinstance(node, ScalarNode) or node.tag == _CORE + "bool":
            self.error(node, f"'{name}' must be a duration like 20s, 1m30s or 1:30, "
                             f"got {_kind(node)}")
            return None
        value: object = node.value
        if node.tag in (_CORE + "int", _CORE + "float"):
            num = self.number(node)
            if num is None:
                self.error(node, f"'{name}' is not a number unknot can read: {_kind(node)}")
                return None
            value = num
        # parse_duration reads no signs: call "-5s" negative, not unreadable.
        negative = isinstance(value, str) and value.strip().startswith("-")
        try:
            secs = -1.0 if negative else parse_duration(value)
        except DurationError:
            self.error(node, f"cannot read {name} '{_short(str(node.value))}': write it like "
                             "20s, 1m30s or 1:30")
            return None
        if secs != secs:  # NaN
            self.error(node, f"cannot read {name} '{_short(str(node.value))}': write it like "
                             "20s, 1m30s or 1:30")
            return None
        if positive and secs <= 0:
            self.error(node, f"'{name}' must be more than 0 seconds, got {_short(str(node.value))}")
            return None
        if secs < 0:
            self.error(node, f"'{name}' must be 0 or more, got {_short(str(node.value))}")
            return None
        if secs > MAX_SECONDS:
            self.error(node, f"'{name}' must be at most 1 hour, got {_short(str(node.value))}")
            return None
        return secs

    def repeat(self, node: Node) -> int | None:
        num = self.number(node) if node.tag == _CORE + "int" else None
        if num is None or num < 1:
            self.error(node, f"'repeat' must be a whole number of at least 1, got {_kind(node)}")
            return None
        if num > MAX_REPEAT:
            self.error(node, f"'repeat' must be at most {MAX_REPEAT}, got {_kind(node)}")
            return None
        return int(num)

    def pressure(self, node: Node) -> int | None:
        if isinstance(node, ScalarNode):
            if node.tag == _CORE + "str":
                word = str(node.value).strip().lower()
                if word in vocab.PRESSURE_WORDS:
                    return vocab.PRESSURE_WORDS[word]
                if word.isdigit() and int(word) <= 10:
                    return int(word)
                self.error(node, f"'pressure' must be light, moderate, firm or a whole number "
                                 f"from 0 to 10, got {_kind(node)}"
                                 f"{_suggest(word, vocab.PRESSURE_WORDS)}")
                return None
            if node.tag in (_CORE + "int", _CORE + "float"):
                num = self.number(node)
                if num is not None and 0 <= num <= 10 and num == int(num):
                    return int(num)
        self.error(node, "'pressure' must be light, moderate, firm or a whole number from 0 to "
                         f"10, got {_kind(node)}")
        return None

    def side(self, node: Node) -> str | None | bool:
        """The side, None when omitted/null, or False after reporting a bad one."""
        if _is_null(node):
            return None
        if isinstance(node, ScalarNode) and node.tag == _CORE + "str":
            word = str(node.value).strip().lower()
            if word in vocab.SIDES:
                return word
            if word in ("none", ""):
                return None
        word = str(node.value) if isinstance(node, ScalarNode) else ""
        hint = _suggest(word, vocab.SIDES) if word else ""
        self.error(node, f"unknown side {_kind(node)}{hint}: use left, right, each or both")
        return False

    def say(self, node: Node, name: str) -> object:
        """A spoken text within its word limit, None when null, or _BAD after reporting."""
        if _is_null(node):
            return None
        text = self.text(node, name)
        if text is None:
            return _BAD
        limit = MAX_SAY_WORDS if name == "say" else MAX_SAY_END_WORDS
        if words(text) > limit:
            when = "while you get into position" if name == "say" else "in the last 5 s"
            self.error(node, f"'{name}' has {words(text)} words: at most {limit} "
                             f"(it is spoken {when})")
            return _BAD
        return text or None

    def flag(self, node: Node, name: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == _CORE + "bool":
            return bool(_BOOLS.get(str(node.value).lower(), False))
        self.error(node, f"cue '{name}' must be true or false, got {_kind(node)}")
        return None

    # -- sections -----------------------------------------------------------------------------

    def cues(self, node: Node) -> dict[str, tuple[object, Node]]:
        """Cue settings written in one `cues:` mapping: name → (value, node)."""
        out: dict[str, tuple[object, Node]] = {}
        if _is_null(node):
            return out
        if not isinstance(node, MappingNode):
            self.error(node, f"'cues' must be a mapping like {{halfway: true, countdown: 3}}, "
                             f"got {_kind(node)}")
            return out
        for name, (_, value) in self.mapping(node, CUE_FIELDS, "cues").items():
            parsed: object
            if name == "countdown":
                num = self.number(value) if value.tag == _CORE + "int" else None
                if num is None or not 0 <= num <= MAX_COUNTDOWN:
                    self.error(value, f"cue 'countdown' must be a whole number of beeps from 0 "
                                      f"to {MAX_COUNTDOWN}, got {_kind(value)}")
                    continue
                parsed = int(num)
            elif name == "cadence":
                if isinstance(value, ScalarNode) and value.tag == _CORE + "bool" and \
                        not _BOOLS.get(str(value.value).lower()):
                    parsed = 0.0
                else:
                    secs = self.seconds(value, "cadence", positive=False)
                    if secs is None:
                        continue
                    parsed = secs
            else:
                flag = self.flag(value, name)
                if flag is None:
                    continue
                parsed = flag
            out[name] = (parsed, value)
        return out

    def sounds(self, node: Node) -> dict[str, str]:
        """Custom cue WAVs written in one `sounds:` mapping: cue → absolute path."""
        out: dict[str, str] = {}
        if _is_null(node):
            return out
        if not isinstance(node, MappingNode):
            self.error(node, "'sounds' must be a mapping of cue name to WAV file, like "
                             f"{{start: bell.wav}}, got {_kind(node)}")
            return out
        from player.paths import sounds_dir

        roots = [self.path.parent, sounds_dir().resolve()]
        for name, (_, value) in self.mapping(node, vocab.CUE_NAMES, "sounds").items():
            rel = self.text(value, f"sounds.{name}")
            if not rel:
                continue
            try:
                target = (self.path.parent / rel).resolve()
            except (OSError, ValueError):
                self.warn(value, f"sound '{_short(rel)}' for cue '{name}' is not a usable file "
                                 "name: the default cue plays instead")
                continue
            if not _inside(target, roots):
                self.error(value, f"sound '{_short(rel)}' for cue '{name}' leaves the routine's "
                                  "folder: keep WAVs beside the routine or in unknot's sounds/")
                continue
            problem = _wav_problem(target)
            if problem:
                self.warn(value, f"sound '{_short(rel)}' for cue '{name}' {problem}: the "
                                 "default cue plays instead")
                continue
            out[name] = str(target)
        return out

    def read(self, root: Node) -> _File:
        if not isinstance(root, MappingNode):
            self.error(root, "a routine file must be a mapping with a name and steps, got "
                             f"{_kind(root)}")
            return _File(None)
        top = self.mapping(root, TOP_FIELDS, "a routine")
        result = _File(None)
        if "version" in top:
            value = top["version"][1]
            if not (isinstance(value, ScalarNode) and value.tag == _CORE + "int"
                    and self.number(value) == 1):
                shown = _short(str(value.value)) if isinstance(value, ScalarNode) else \
                    _kind(value)
                self.error(value, f"unsupported version {shown}: this unknot reads version 1")
        if "name" not in top:
            self.error(root, "missing required field 'name'")
        else:
            name = self.text(top["name"][1], "name")
            if name is not None and not name:
                self.error(top["name"][1], "'name' must not be empty")
            elif name is None and _is_null(top["name"][1]):
                self.error(top["name"][1], "'name' must not be empty")
            result.fields["name"] = name or ""
        for key in ("summary", "caution"):
            if key in top:
                result.fields[key] = self.text(top[key][1], key) or ""
        for key in ("tags", "equipment"):
            if key in top:
                result.fields[key] = self.text_list(top[key][1], key)
        defaults = self.defaults(top["defaults"][1]) if "defaults" in top else {}
        if "steps" not in top:
            self.error(root, "missing required field 'steps'")
            return result
        steps_node = top["steps"][1]
        if _is_null(steps_node) or (isinstance(steps_node, SequenceNode) and
                                    not steps_node.value):
            self.error(steps_node if not _is_null(steps_node) else top["steps"][0],
                       "'steps' is empty: add at least one step")
            return result
        if not isinstance(steps_node, SequenceNode):
            self.error(steps_node, f"'steps' must be a list of steps, got {_kind(steps_node)}")
            return result
        steps: list[Step] = []
        for number, item in enumerate(steps_node.value, start=1):
            if self.c.full:
                return result
            steps.extend(self.step(item, number, defaults))
            if self.c.step_count > MAX_STEPS:
                self.error(item, f"the routine expands to more than {MAX_STEPS} steps")
                return result
        result.steps = steps
        return result

    def defaults(self, node: Node) -> dict[str, tuple[object, Node]]:
        out: dict[str, tuple[object, Node]] = {}
        if _is_null(node):
            return out
        if not isinstance(node, MappingNode):
            self.error(node, f"'defaults' must be a mapping, got {_kind(node)}")
            return out
        for name, (_, value) in self.mapping(node, DEFAULT_FIELDS, "defaults").items():
            parsed = self.field(name, value)
            if parsed is not _BAD:
                out[name] = (parsed, value)
        return out

    def field(self, name: str, value: Node) -> object:
        """A step or defaults field other than technique/region/duration, or _BAD."""
        parsed: object
        if name == "lead_in" and isinstance(value, ScalarNode) and value.tag == _CORE + "str" \
                and str(value.value).strip().lower() == "auto":
            return AUTO
        if name in ("lead_in", "rest"):
            parsed = self.seconds(value, name, positive=False)
        elif name == "repeat":
            parsed = self.repeat(value)
        elif name == "pressure":
            parsed = self.pressure(value)
        elif name == "side":
            parsed = self.side(value)
            return _BAD if parsed is False else parsed
        elif name in ("tool", "instructions", "title"):
            if _is_null(value):
                return None
            parsed = self.text(value, name)
        elif name in ("say", "say_end"):
            return self.say(value, name)
        elif name == "cues":
            return self.cues(value)
        elif name == "sounds":
            return self.sounds(value)
        else:  # pragma: no cover - every allowed name is handled above
            return _BAD
        return _BAD if parsed is None else parsed

    def step(self, node: Node, number: int, defaults: dict[str, tuple[object, Node]],
             ) -> list[Step]:
        if isinstance(node, MappingNode) and any(
                isinstance(k, ScalarNode) and k.value == "include" for k, _ in node.value):
            return self.include(node)
        if not isinstance(node, MappingNode):
            self.error(node, f"step {number} must be a mapping with technique, region and "
                             f"duration (or include: ID), got {_kind(node)}")
            return []
        fields = self.mapping(node, STEP_FIELDS, f"step {number}")
        for required in ("technique", "duration"):
            if required not in fields:
                self.error(node, f"missing required field '{required}' in step {number}")
        tech: vocab.Technique | None = None
        tech_node: Node | None = None
        if "technique" in fields:
            tech_node = fields["technique"][1]
            word = self.text(tech_node, "technique")
            tid = vocab.technique_id(word) if word else None
            if tid is None:
                hint = _suggest(word or "", vocab.technique_names())
                self.error(tech_node, f"unknown technique {_kind(tech_node)}{hint}")
            else:
                tech = vocab.technique(tid)
        region: vocab.Region | None = None
        region_node: Node | None = None
        if "region" in fields and not _is_null(fields["region"][1]):
            region_node = fields["region"][1]
            word = self.text(region_node, "region")
            rid = vocab.region_id(word) if word else None
            if rid is None:
                hint = _suggest(word or "", vocab.region_names())
                self.error(region_node, f"unknown region {_kind(region_node)}{hint}")
            else:
                region = vocab.region(rid)
        elif tech is not None and tech.needs_region:
            self.error(node, f"missing required field 'region' in step {number} "
                             f"({tech.id} works on a region)")
        duration: float | None = None
        duration_node: Node | None = None
        if "duration" in fields:
            duration_node = fields["duration"][1]
            duration = self.seconds(duration_node, "duration", positive=True)

        own: dict[str, tuple[object, Node]] = {}
        for name in ("side", "repeat", "rest", "pressure", "tool", "instructions", "title",
                     "lead_in", "cues", "sounds", "say", "say_end"):
            if name in fields:
                parsed = self.field(name, fields[name][1])
                if parsed is not _BAD:
                    own[name] = (parsed, fields[name][1])

        def pick(name: str, default: object) -> tuple[object, Node | None]:
            if name in own:
                return own[name]
            if name in defaults:
                return defaults[name]
            return default, None

        if tech is None:
            return []
        side = pick("side", None)[0]
        if "side" not in own and not tech.needs_region and region is None:
            side = None  # a default side means nothing to a breathing or rest step
        pressure, pressure_node = pick("pressure", None)
        cue_values: dict[str, object] = {}
        sound_values: dict[str, str] = {}
        for layer in (defaults, own):
            if "cues" in layer:
                written = cast("dict[str, tuple[object, Node]]", layer["cues"][0])
                cue_values.update({k: v for k, (v, _) in written.items()})
            if "sounds" in layer:
                sound_values.update(cast("dict[str, str]", layer["sounds"][0]))
        cues = Cues(
            start=bool(cue_values.get("start", True)),
            halfway=bool(cue_values.get("halfway", True)),
            countdown=int(cue_values.get("countdown", 3)),  # type: ignore[call-overload]
            switch=bool(cue_values.get("switch", True)),
            end=bool(cue_values.get("end", True)),
            cadence=float(cue_values.get("cadence", 0.0)),  # type: ignore[arg-type]
            sounds=tuple(sorted(sound_values.items())),
        )

        # Warnings: advice, not errors (`validate --strict` makes them errors).
        if duration is not None and duration_node is not None and \
                not tech.min_seconds <= duration <= tech.max_seconds:
            longer = duration > tech.max_seconds
            self.warn(duration_node,
                      f"{tech.id} for {format_human(duration)} is "
                      f"{'longer' if longer else 'shorter'} than the recommended "
                      f"{range_text(tech.min_seconds, tech.max_seconds)}")
        if isinstance(pressure, int) and pressure_node is not None:
            if pressure > vocab.PRESSURE_WARN_ABOVE:
                self.warn(pressure_node, f"pressure {pressure} is above "
                                         f"{vocab.PRESSURE_WARN_ABOVE}: self-massage should stay "
                                         f"at a 'good pain' of 4 to {vocab.PRESSURE_WARN_ABOVE}")
            if region is not None and region.danger and pressure >= vocab.PRESSURE_FIRM:
                self.warn(pressure_node, f"firm pressure ({pressure}) on the {region.name.lower()}"
                                         ", a danger zone: use only broad, light pressure there")
        if region is not None and tech.uses_roller and region.no_roller and region_node:
            self.warn(region_node, f"never foam-roll the {region.name.lower()}: roll the "
                                   "muscles around it instead")

        if duration is None:
            return []
        rest = pick("rest", 0.0)[0]
        repeat = pick("repeat", 1)[0]
        say = own["say"][0] if "say" in own else None
        say_end = own["say_end"][0] if "say_end" in own else None
        spoken = "Next: " + (say if isinstance(say, str) else vocab.cue_phrase(
            tech.id, region.id if region else None, side if isinstance(side, str) else None,
            pressure if isinstance(pressure, int) else None))
        lead_in, lead_in_node = pick("lead_in", 0.0 if tech.id in NO_LEAD_IN else AUTO)
        if lead_in is AUTO:
            lead_in = auto_lead_in(spoken)
        elif isinstance(lead_in, float) and lead_in_node is not None and \
                0 < lead_in < speech_seconds(spoken):
            self.warn(lead_in_node if "lead_in" in own else node,
                      f"lead_in {format_human(lead_in)} is shorter than the spoken cue "
                      f"({speech_seconds(spoken):.1f} s at {SPEECH_WPM} words a minute): "
                      "write lead_in: auto or a longer one")
        tool = pick("tool", None)[0]
        title = own["title"][0] if "title" in own else None
        instructions = own["instructions"][0] if "instructions" in own else tech.instructions
        self.c.step_count += 1
        return [Step(
            technique=tech.id,
            region=region.id if region else None,
            side=side if isinstance(side, str) else None,
            duration=duration,
            repeat=int(repeat),  # type: ignore[call-overload]
            rest=float(rest),  # type: ignore[arg-type]
            lead_in=float(lead_in),  # type: ignore[arg-type]
            pressure=pressure if isinstance(pressure, int) else None,
            tool=tool if isinstance(tool, str) else None,
            instructions=str(instructions),
            title=title if isinstance(title, str) else None,
            cues=cues,
            where=self.where(node),
            say=say if isinstance(say, str) else None,
            say_end=say_end if isinstance(say_end, str) else None,
        )]

    def include(self, node: MappingNode) -> list[Step]:
        fields = {str(k.value): (k, v) for k, v in node.value if isinstance(k, ScalarNode)}
        others = [k for k, _ in node.value if not (isinstance(k, ScalarNode) and
                                                   k.value == "include")]
        if others:
            extra = others[0]
            self.error(extra, f"'include' stands alone in its step: move "
                              f"'{_short(str(getattr(extra, 'value', '?')))}' into the "
                              "included routine or a step of its own")
        value_node = fields["include"][1]
        value = self.text(value_node, "include")
        if not value:
            if value is not None or _is_null(value_node):
                self.error(value_node, "'include' needs a routine id or a relative path")
            return []
        target, why = self.c.find_include(value, self.path)
        if target is None:
            self.error(value_node, why)
            return []
        if target in self.c.stack:
            chain = self.c.stack[self.c.stack.index(target):] + [target]
            names = " → ".join(p.name for p in chain)
            self.error(value_node, f"include cycle: {names}")
            return []
        result = self.c.load(target, _display(target))
        if result.steps is None:
            self.error(value_node, f"included routine '{_short(value)}' has errors")
            return []
        self.c.step_count += len(result.steps)
        return list(result.steps)


_BAD = object()
#: `lead_in: auto`: long enough for "Next: " + the spoken cue at the default rate, plus 3 s.
AUTO = object()


def range_text(low: float, high: float) -> str:
    """A recommended range as people say it: `10–30 s`, `30 s–2 min`."""
    if high <= 60:
        return f"{low:g}–{high:g} s"
    if low % 60 == 0 and high % 60 == 0:
        return f"{low / 60:g}–{high / 60:g} min"
    return f"{format_human(low)}–{format_human(high)}"
_CONSTRUCTOR = yaml.SafeLoader("")


def _wav_problem(path: Path) -> str:
    """Why a WAV cannot be used ('' when it looks fine)."""
    try:
        if not path.is_file():
            return "is not found" if not path.exists() else "is not a file"
        with path.open("rb") as fh:
            head = fh.read(12)
    except FileNotFoundError:
        return "is not found"
    except (OSError, ValueError):
        return "cannot be read"
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return "is not a WAV file"
    return ""


def check_file(path: Path | str, *, search_dirs: Sequence[Path | str] = (),
               source: str = "path") -> tuple[Routine | None, list[Problem]]:
    """Load and check one routine file: the routine (None if it has errors) and every problem.

    Problems from included files carry their own paths. Never raises for bad content.
    """
    p = Path(path)
    # A file name that is not valid UTF-8 must still print (as "\ufffd"), never crash.
    display = str(path).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    checker = _Checker(search_dirs, p)
    # Composing makes one object per YAML value and almost none of them are garbage; the
    # cyclic collector would walk them all again and again (it doubles the time of a big
    # file). Pause it while loading; it runs as usual afterwards.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        result = checker.load(p, display)
    finally:
        if was_enabled:
            gc.enable()
    # Each file's problems in reading order, files in the order they were first reported.
    order: dict[str, int] = {display: 0}
    for problem in checker.problems:
        order.setdefault(problem.path, len(order))
    problems = sorted(checker.problems, key=lambda q: (order[q.path], q.line, q.column))
    if result.steps is None or checker.has_errors():
        return None, problems
    f = result.fields
    routine = Routine(
        id=p.stem,
        name=str(f.get("name", "")),
        steps=tuple(result.steps),
        summary=str(f.get("summary", "")),
        tags=f.get("tags", ()),  # type: ignore[arg-type]
        equipment=f.get("equipment", ()),  # type: ignore[arg-type]
        caution=str(f.get("caution", "")),
        path=p.resolve(),
        source=source,
    )
    return routine, problems


def load_routine(path: Path | str, *, source: str = "path",
                 search_dirs: Sequence[Path | str] = ()) -> Routine:
    """Load a routine file; RoutineError (with every problem) if it has any error."""
    routine, problems = check_file(path, search_dirs=search_dirs, source=source)
    if routine is None:
        raise RoutineError(problems)
    return routine

