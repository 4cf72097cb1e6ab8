"""Provides reading of composed YAML nodes: every problem reported at the file:line:col of its node.

`Reader` is what a field parser (player.fields) is handed: `error`/`warn` at a node, and the
node readers every parser shares (`mapping`, `text`, `text_list`, `number`, `flag`). The node
helpers (`is_null`, `kind`, `short`) say what a person wrote in words for messages.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Protocol, Sequence

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from player.routine import Where
from player.vocab import Severity

CORE = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL, MERGE = (CORE + t for t in ("str", "int", "float", "bool", "null",
                                                        "merge"))
_BOOLS = {"yes": True, "no": False, "true": True, "false": False, "on": True, "off": False}
#: Only its int and float constructors are used: they read 0x1f, 1_000 and YAML 1.1's 1:30.
_CONSTRUCTOR = yaml.SafeLoader("")


class Sink(Protocol):
    """Where problems go (the loader's checker): one call per problem."""

    full: bool

    def add(self, path: str, line: int, column: int, severity: Severity, message: str) -> None:
        ...


def kind(node: Node) -> str:
    """What a node holds, in words: `a mapping`, `the number 5`, `'soon'`."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL:
        return "nothing"
    if node.tag in (INT, FLOAT):
        return f"the number {short(str(node.value))}"
    if node.tag == BOOL:
        return f"'{node.value}'"
    return f"'{short(str(node.value))}'"


def short(text: str, limit: int = 40) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == NULL


def is_str(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == STR


def suggest(word: str, choices: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest choice, or '' when nothing is close."""
    from player.vocab import did_you_mean

    return did_you_mean(word.lower(), choices)


class Reader:
    """Reads the nodes of one file, reporting problems against its display path."""

    def __init__(self, sink: Sink, path: Path, display: str) -> None:
        self.sink = sink
        self.path = path
        self.display = display
        #: How many problems this reader has reported (a parse that adds none is clean).
        self.reported = 0

    def where(self, node: Node) -> Where:
        return Where(self.display, node.start_mark.line + 1, node.start_mark.column + 1)

    def error(self, node: Node, message: str) -> None:
        self.reported += 1
        self.sink.add(self.display, node.start_mark.line + 1, node.start_mark.column + 1, "error",
                      message)

    def warn(self, node: Node, message: str) -> None:
        self.reported += 1
        self.sink.add(self.display, node.start_mark.line + 1, node.start_mark.column + 1,
                      "warning", message)

    def mapping(self, node: Node, allowed: Sequence[str], what: str,
                ) -> dict[str, tuple[Node, Node]]:
        """Fields of a mapping node: name → (key node, value node), checking names and doubles."""
        out: dict[str, tuple[Node, Node]] = {}
        if not isinstance(node, MappingNode):
            return out
        merged: list[tuple[Node, Node]] = []
        unknown = False
        for key, value in node.value:
            if self.sink.full:
                break
            name = key.value
            if key.tag == STR and name in allowed and name not in out:
                out[name] = (key, value)  # the usual case, checked first
            elif key.tag == MERGE:
                merged.extend(self._merge_sources(value))
            else:
                unknown |= self._key(key, value, allowed, what, out)
        for key, value in merged:
            if isinstance(key, ScalarNode):
                name = str(key.value)
                if name in allowed and name not in out:
                    out[name] = (key, value)
        return {k: v for k, v in out.items() if k in allowed} if unknown else out

    def _merge_sources(self, value: Node) -> list[tuple[Node, Node]]:
        """The pairs a `<<:` merge key brings in (a mapping, or a list of mappings)."""
        merged: list[tuple[Node, Node]] = []
        sources = value.value if isinstance(value, SequenceNode) else [value]
        for src in sources:
            if isinstance(src, MappingNode):
                merged.extend(src.value)
            else:
                self.error(src, f"'<<' merges a mapping, got {kind(src)}")
        return merged

    def _key(self, key: Node, value: Node, allowed: Sequence[str], what: str,
             out: dict[str, tuple[Node, Node]]) -> bool:
        """Check one written key: text, not doubled, known (unknown ones still count as seen).

        True when an unknown name was added to `out`.
        """
        if not isinstance(key, ScalarNode) or key.tag == NULL:
            self.error(key, f"field names in {what} must be text, got {kind(key)}")
            return False
        name = str(key.value)
        if name in out:
            first = out[name][0].start_mark.line + 1
            self.error(key, f"duplicate key '{short(name)}' (first at line {first}): "
                            "remove one of them")
            return False
        out[name] = (key, value)  # an unknown name still counts for duplicate detection
        if name not in allowed:
            hint = suggest(name, allowed) or f" ({what} takes: {', '.join(allowed)})"
            self.error(key, f"unknown field '{short(name)}' in {what}{hint}")
            return True
        return False

    def text(self, node: Node, name: str) -> str | None:
        if is_null(node):
            return None
        if not isinstance(node, ScalarNode):
            self.error(node, f"'{name}' must be text, got {kind(node)}")
            return None
        return str(node.value).strip()

    def text_list(self, node: Node, name: str) -> tuple[str, ...]:
        if is_null(node):
            return ()
        if isinstance(node, ScalarNode):
            text = str(node.value).strip()
            return (text,) if text else ()
        if not isinstance(node, SequenceNode):
            self.error(node, f"'{name}' must be a list of text, got {kind(node)}")
            return ()
        out: list[str] = []
        for item in node.value:
            if not isinstance(item, ScalarNode) or is_null(item):
                self.error(item, f"'{name}' must be a list of text, got {kind(item)} in it")
            else:
                out.append(str(item.value).strip())
        return tuple(out)

    def number(self, node: Node) -> float | None:
        """A YAML int or float as a Python float; None (not reported) for anything else."""
        if not isinstance(node, ScalarNode):
            return None
        try:
            if node.tag == INT:
                return float(_CONSTRUCTOR.construct_yaml_int(node))
            if node.tag == FLOAT:
                return float(_CONSTRUCTOR.construct_yaml_float(node))
        except (ValueError, OverflowError):
            return None
        return None

    def whole(self, node: Node) -> float | None:
        """A YAML int (never a float) as a number; None (not reported) for anything else."""
        return self.number(node) if node.tag == INT else None

    def flag(self, node: Node, name: str) -> bool | None:
        if isinstance(node, ScalarNode) and node.tag == BOOL:
            return bool(_BOOLS.get(str(node.value).lower(), False))
        self.error(node, f"cue '{name}' must be true or false, got {kind(node)}")
        return None

    @staticmethod
    def false_flag(node: Node) -> bool:
        """Whether the node is a YAML false (`false`, `no`, `off`)."""
        return isinstance(node, ScalarNode) and node.tag == BOOL and \
            not _BOOLS.get(str(node.value).lower())
