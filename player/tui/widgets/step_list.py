"""Provides the picker preview's step list, each step broken only between its parts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

from player.tui import text

if TYPE_CHECKING:
    from player.routine import Routine


def wrap_parts(prefix: str, parts: list[str], width: int) -> list[str]:
    """`prefix` and `parts` joined by ` · `, broken only between parts (a line that breaks ends
    in `·`), later lines indented under the first part. A part longer than a line is left for
    the widget to wrap."""
    indent = " " * len(prefix)
    lines: list[str] = []
    line = prefix + parts[0]
    for index, part in enumerate(parts[1:], 2):
        # Room for the part, and for the ` ·` that ends the line if the next part breaks.
        room = 0 if index == len(parts) else 2
        if len(line) + 3 + len(part) + room <= width:
            line += " · " + part
        else:
            lines.append(line + " ·")
            line = indent + part
    lines.append(line)
    return lines


class StepList(Widget):
    """The preview's steps, one per number; a step too long for a line breaks between its
    parts, so `1 min 30 s` or `Upper trapezius` is never split."""

    DEFAULT_CSS = "StepList { height: auto; }"

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.routine: Routine | None = None

    def show(self, routine: Routine | None) -> None:
        self.routine = routine
        self.refresh(layout=True)

    def lines(self, width: int) -> list[str]:
        if self.routine is None:
            return []
        out: list[str] = []
        for number, step in enumerate(self.routine.steps, 1):
            name, work = text.step_parts(step)
            out += wrap_parts(f"{number:>2}. ", [*name.split(" · "), work], max(1, width))
        return out

    def render(self) -> Text:
        return Text("\n".join(self.lines(self.size.width)))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        content = Text("\n".join(self.lines(width)))
        return len(content.wrap(self.app.console, max(1, width)))
