"""Provides text that is safe to show on a terminal: control characters made visible.

A routine file may come from anyone. Its name, summary or instructions could hold an escape
sequence that clears the screen, sets the window title or writes the clipboard (OSC 52), or a
bidirectional override that makes a line read differently from what it is. Everything unknot
prints goes through `visible` - the command line by wrapping stdout and stderr in `SafeStream`
(`guarded_streams`), the TUI by showing a `visible_copy` of each routine and problem.

C0 controls (but the tab and, in text of several lines, the newline) are shown as `\\x1b`;
DEL, C1 controls and the bidirectional and line-separator characters as `\\u009b`, a form that
is also a valid escape inside a JSON string, so JSON output stays valid JSON.
"""

from __future__ import annotations

import codecs
import dataclasses
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO, TypeVar

T = TypeVar("T")

#: Characters a terminal may act on rather than show (or that reorder what is shown).
_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
#: The same but keeping newlines, for text of several lines and for output streams.
_UNSAFE_KEEP_NEWLINES = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x20 else f"\\u{code:04x}"


#: The encoding of a full-screen terminal that cannot show everything (`plain_terminal`):
#: text from routines and history is then made `visible` with `\\u…` escapes too.
_plain_encoding: str | None = None


def visible(text: str, *, multiline: bool = True) -> str:
    """`text` with every control character shown as an escape (`\\x1b`, `\\u202e`).

    With `multiline`, newlines stay newlines; without, they are shown as `\\x0a` too. On a
    terminal `plain_terminal` set up, what it cannot show and has no ASCII stand-in for
    (`肩`, `🙆`) is escaped as the CLI prints it (`\\u80a9`), not drawn as `??`.
    """
    pattern = _UNSAFE_KEEP_NEWLINES if multiline else _UNSAFE
    if pattern.search(text) is not None:
        text = pattern.sub(_escape, text)
    if _plain_encoding is not None:
        text = _unshowable_escaped(text, _plain_encoding)
    return text


def _unshowable_escaped(text: str, encoding: str) -> str:
    try:
        text.encode(encoding)
        return text  # the common case: nothing to change
    except UnicodeEncodeError:
        return text.encode(encoding, TEXT_ERRORS).decode(encoding)


def visible_copy(value: T) -> T:
    """A copy of a routine, step, problem or library entry with all its text made `visible`.

    Walks dataclasses, tuples, lists and dicts; other values (numbers, paths) are kept as they
    are. Returns `value` itself when nothing needed changing.
    """
    return _copy(value)  # type: ignore[no-any-return]


def _copy(value: Any) -> Any:
    if isinstance(value, str):
        return visible(value)
    if isinstance(value, tuple):
        items = tuple(_copy(v) for v in value)
        return value if items == value else items
    if isinstance(value, list):
        return [_copy(v) for v in value]
    if isinstance(value, dict):
        return {_copy(k): _copy(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            if not f.init:
                continue
            old = getattr(value, f.name)
            new = _copy(old)
            if new is not old and new != old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


class OutputError(OSError):
    """Standard output or error cannot be written (closed, a full disk, a hung-up terminal)."""


class _Closed:
    """Stands in for a stream whose file descriptor was closed before unknot started."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.encoding = "utf-8"
        self.errors = "strict"

    def write(self, text: str) -> int:
        raise OutputError(f"cannot write to {self.name}: it is closed")

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        raise OutputError(f"cannot write to {self.name}: it is closed")


class SafeStream:
    """A text stream that shows control characters visibly instead of passing them on.

    Newlines and tabs pass; everything else `visible` escapes. Other attributes (`encoding`,
    `fileno`, `isatty`, `buffer`, `reconfigure`, ...) are the wrapped stream's.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            self.stream.write(visible(text))
        except BrokenPipeError:
            raise  # the reader went away (`unknot list | head`): not an error
        except (OSError, ValueError) as exc:
            raise _output_error(self.stream, exc) from exc
        return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as exc:
            raise _output_error(self.stream, exc) from exc

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


def _output_error(stream: Any, exc: Exception) -> OutputError:
    if isinstance(exc, OutputError):
        return exc
    name = "standard error" if stream is sys.__stderr__ else "standard output"
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is closed"
    return OutputError(f"cannot write to {name}: {reason}")


#: The codec error handler for text the terminal's encoding cannot show (issue 12, class 7).
ESCAPE_ERRORS = "unknot-escape"


def _escape_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """`\\u80a9` for a character the encoding lacks; `\\ud83d\\ude46` (a surrogate pair) past
    U+FFFF. Unlike Python's `\\U0001f646`, that is also a valid escape inside a JSON string,
    so `--json` output in an ISO-8859-1 locale is still JSON that reads back as the emoji."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(_unicode_escape(c) for c in exc.object[exc.start:exc.end]), exc.end


def _unicode_escape(char: str) -> str:
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
    return f"\\u{code:04x}"


codecs.register_error(ESCAPE_ERRORS, _escape_unencodable)


#: The codec error handler for a full-screen UI on a terminal that is not UTF-8.
CELL_ERRORS = "unknot-cells"
#: What box drawing, blocks and a few signs become there: ASCII of the same width.
_PLAIN = {"░": ".", "▒": ":", "▓": "#", "→": ">", "←": "<", "↑": "^", "↓": "v", "—": "-",
          "–": "-", "‘": "'", "’": "'", "“": '"', "”": '"', "•": "*", "…": ".", "▶": ">",
          "◀": "<", "✓": "v", "✗": "x"}


def _plain(char: str) -> str:
    import unicodedata

    if char in _PLAIN:
        return _PLAIN[char]
    if "\u2500" <= char <= "\u257f":  # box drawing: lines and corners
        name = unicodedata.name(char, "")
        if "HORIZONTAL" in name and "VERTICAL" not in name or "LEFT" in name and "HALF" in name:
            return "-"
        if "VERTICAL" in name and "HORIZONTAL" not in name or "UP" in name and "HALF" in name:
            return "|"
        return "+"
    if "\u2589" <= char <= "\u2590" or char == "\u2595":  # left and right eighths: an edge
        return "|"
    if char == "\u2581":
        return "_"
    if char == "\u2594":
        return "-"
    if "\u2580" <= char <= "\u259f":  # block elements: a bar's filled part
        return "#"
    return "?" * cells(char)


def _plain_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """Each character the encoding lacks as ASCII taking the same cells (`─` `-`, `░` `.`,
    `肩` `??`), so a full-screen layout stays where it was drawn."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    return "".join(_plain(c) for c in exc.object[exc.start:exc.end]), exc.end


codecs.register_error(CELL_ERRORS, _plain_unencodable)


#: The codec error handler for routine and history text on such a terminal (`visible`): an
#: ASCII stand-in where there is one (`→` `>`), else the escape the CLI prints (`肩` `\u80a9`).
TEXT_ERRORS = "unknot-text"


def _plain_or_escaped(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    out = []
    for char in exc.object[exc.start:exc.end]:
        plain = _plain(char)
        out.append(_unicode_escape(char) if plain.strip("?") == "" else plain)
    return "".join(out), exc.end


codecs.register_error(TEXT_ERRORS, _plain_or_escaped)


def plain_terminal(stream: Any) -> bool:
    """For the TUI: when `stream`'s encoding cannot show box drawing (an ISO-8859-1 locale),
    make what it lacks print as ASCII of the same width (`CELL_ERRORS`); True if it did."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        "─░▶→".encode(encoding)
        return False
    except UnicodeEncodeError:
        pass
    except LookupError:
        return False
    try:
        stream.reconfigure(errors=CELL_ERRORS)
    except (AttributeError, ValueError, OSError):
        return False
    global _plain_encoding
    _plain_encoding = encoding
    return True


def as_shown(text: str, stream: Any = None) -> str:
    """`text` as `stream` (stdout) will show it: what its encoding lacks as `\\u…` escapes,
    so a table can be laid out from what is really printed."""
    encoding = getattr(stream if stream is not None else sys.stdout, "encoding", None)
    try:
        text.encode(encoding or "utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode(encoding or "utf-8", ESCAPE_ERRORS).decode(encoding or "utf-8")
    except LookupError:
        return text


def cells(text: str) -> int:
    """Terminal cells `text` takes: wide and full-width characters (CJK, emoji) two, combining
    marks none."""
    import unicodedata

    return sum(0 if unicodedata.combining(c) else
               2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `width` terminal cells (on the left with `right`)."""
    space = " " * max(width - cells(text), 0)
    return space + text if right else text + space


@contextmanager
def guarded_streams() -> Iterator[None]:
    """Within the block, sys.stdout and sys.stderr escape control characters and print what
    the terminal's encoding cannot show as `\\u…` escapes instead of raising."""
    saved = sys.stdout, sys.stderr
    for stream in saved:
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and getattr(stream, "errors", "strict") == "strict":
            try:
                reconfigure(errors=ESCAPE_ERRORS)
            except (ValueError, OSError):  # a closed or detached stream
                pass
    out = saved[0] if saved[0] is not None else _Closed("standard output")
    err = saved[1] if saved[1] is not None else _Closed("standard error")
    sys.stdout = SafeStream(out)  # type: ignore[arg-type]
    sys.stderr = SafeStream(err)  # type: ignore[arg-type]
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved
