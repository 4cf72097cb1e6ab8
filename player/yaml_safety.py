"""Provides the safe reading of a routine file into YAML nodes: limits, tags, aliases, nesting.

The file is composed to nodes (libyaml's C parser when present); nothing is ever constructed
from a tag. Before the parser sees the text: size, NUL bytes, UTF-8 and flow nesting are
checked (libyaml's composer recurses in C and would crash on a few hundred thousand `[`).
After: unknown tags are refused and aliases are bounded by the size the document would expand
to. Every refusal is one problem, reported through `fail(message, line, column)`.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Callable

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

from player.reader import CORE, is_null, short
from player.speedups import Loader

#: Files larger than this are refused unread (a routine is a few kilobytes).
MAX_BYTES = 1024 * 1024
#: Deepest flow nesting (`[[[…`) accepted; a routine needs three or four levels.
MAX_DEPTH = 100
#: Most values a document may expand to once aliases are followed (a 10,000-step routine
#: is about 200,000).
MAX_VALUES = 2_000_000

#: The standard YAML 1.1 tags PyYAML's safe loader knows; anything else is refused.
STANDARD_TAGS = frozenset(
    CORE + t for t in ("null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs",
                       "set", "str", "seq", "map", "merge")
)
_FLOW = re.compile(r"[\[\]{}]")

#: fail(message, line, column): report one problem of the file.
Fail = Callable[[str, int, int], None]


#: libyaml's safe loader, remembering scalar tags (player.speedups says why).
YamlLoader = Loader


def read_text(path: Path, fail: Fail) -> str | None:
    """The file's text, or None after reporting why it cannot be a routine file."""
    try:
        # Opened without blocking, then looked at: a FIFO never blocks the open, and one
        # system call finds the file for both (stat, then open, would look it up twice).
        fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except IsADirectoryError:  # a folder cannot be opened on some systems
        fail("is a folder, not a routine file", 1, 1)
        return None
    except (OSError, ValueError) as exc:
        fail(f"cannot read file: {getattr(exc, 'strerror', None) or exc}", 1, 1)
        return None
    try:
        problem = _not_a_routine_file(os.fstat(fd))
        if problem:
            fail(problem, 1, 1)
            return None
        data = _read(fd, MAX_BYTES + 1)
    except OSError as exc:
        fail(f"cannot read file: {exc.strerror or exc}", 1, 1)
        return None
    finally:
        os.close(fd)
    return decode(data, fail)


def _read(fd: int, limit: int) -> bytes:
    """Up to `limit` bytes of a regular file."""
    chunks = []
    while limit > 0:
        chunk = os.read(fd, min(limit, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        limit -= len(chunk)
    return b"".join(chunks)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def _not_a_routine_file(info: os.stat_result) -> str:
    """Why an opened file cannot be a routine file ('' when it may be)."""
    if stat.S_ISDIR(info.st_mode):
        return "is a folder, not a routine file"
    if not stat.S_ISREG(info.st_mode):
        # /dev/zero or a FIFO would never end (or never start) reading.
        return "not a regular file: a routine is a YAML text file"
    if info.st_size > MAX_BYTES:
        return (f"file is larger than 1 MiB ({info.st_size} bytes): a routine is a small "
                "text file")
    return ""


def decode(data: bytes, fail: Fail) -> str | None:
    """UTF-8 text of a routine file's bytes, or None after reporting why not."""
    if len(data) > MAX_BYTES:  # it grew between stat and read
        fail("file is larger than 1 MiB: a routine is a small text file", 1, 1)
        return None
    if b"\0" in data:
        fail("binary file: a routine is a YAML text file", 1, 1)
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
    return text.removeprefix("\ufeff")


def nesting_problem(text: str, fail: Fail) -> bool:
    """Whether flow nesting goes deeper than MAX_DEPTH (reported at the bracket too deep)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for m in _FLOW.finditer(text):
        depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, m.start()) + 1
            column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
            fail(f"nesting is too deep (more than {MAX_DEPTH} levels)", line, column)
            return True
    return False


def compose(text: str, fail: Fail) -> Node | None:
    """The text's root node, or None after reporting bad YAML or an empty file."""
    try:
        node: Node | None = yaml.compose(text, Loader=YamlLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "cannot parse"
        if mark is None:
            fail(f"bad YAML: {problem}", 1, 1)
        else:
            fail(f"bad YAML: {problem}", mark.line + 1, mark.column + 1)
        return None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        fail(f"bad YAML: {exc}", 1, 1)
        return None
    if node is None or is_null(node):
        fail("file is empty: a routine needs a name and steps", 1, 1)
        return None
    return node


def compose_file(path: Path, fail: Fail) -> Node | None:
    """A routine file's root node, checked for every limit above; None after reporting."""
    text = read_text(path, fail)
    if text is None or nesting_problem(text, fail):
        return None
    node = compose(text, fail)
    if node is None:
        return None
    if "*" not in text and "!" not in text:
        # No alias and no explicit tag can be written without these characters: the
        # nodes form a plain tree no bigger than the text, so skip the graph walk.
        return node
    # Tag errors alone still let the rest be checked (nothing is built from a tag);
    # recursive or exploding aliases do not.
    return node if check_graph(node, fail) is not None else None


def _at(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _size(node: Node, size: dict[int, int]) -> int:
    """A node's expanded size once its children's are known."""
    if isinstance(node, MappingNode):
        total = 1 + sum(size[id(k)] + size[id(v)] for k, v in node.value)
    elif isinstance(node, SequenceNode):
        total = 1 + sum(size[id(v)] for v in node.value)
    else:
        total = 1
    return min(total, MAX_VALUES + 1)


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def check_graph(root: Node, fail: Fail) -> bool | None:
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
            size[key] = _size(node, size)
            continue
        if key in size:
            continue
        if key in on_path:
            fail("recursive alias: a value that contains itself", *_at(node))
            return None
        if node.tag not in STANDARD_TAGS:
            tag = str(node.tag).replace(CORE, "!!")
            fail(f"tag '{short(tag)}' is not allowed: routine files are plain YAML without tags",
                 *_at(node))
            ok = False
        on_path.add(key)
        todo.append((node, True))
        todo.extend((child, False) for child in _children(node))
    if size.get(id(root), 0) > MAX_VALUES:
        fail(f"too many aliases: the file expands to more than {MAX_VALUES} values", 1, 1)
        return None
    return ok
