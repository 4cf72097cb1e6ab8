"""Provides the player's layout plan: how much body map fits beside the whole instructions.

The person reads all of a step's instructions during its lead-in, often from the floor, so the
instructions get the room first. The body map is drawn in full (front and back figures) when
everything still fits beside it, as the one figure that shows the region when only that fits,
and not at all otherwise; nor may a map make the headline or the `Next:` line wrap. Blank rows
go before the map: the spacing is airy when there is room and tight (`-tight`) when that is
what keeps the map. When even the whole width is not enough (a small terminal, a very long
text) the instructions get every row that is left, scroll, and say that they go on.

The row and column counts below mirror the spacing of `#player-main` in app.tcss;
tests/test_tui_layout.py checks the plan against the real screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from textual.content import Content

from player.tui.widgets.body_map import lit_cells, map_size

#: Rows of #player-main besides the headline, instructions and `Next:` lines: the banner, the
#: countdown (3), the three meters and the blank rows, for each spacing. `-short` is the
#: vertical breakpoint under 21 rows (one-row banner, no blank rows); above it the plan picks
#: airy (the stylesheet's base) or `-tight`.
CHROME_ROWS = {"airy": 15, "-tight": 12, "-short": 7}
#: Columns of #player-main's left and right padding, for each spacing.
PADDING_COLUMNS = {"airy": 4, "-tight": 4, "-short": 2}
#: The player's top bar and the footer.
FRAME_ROWS = 2
#: The body map's margin (a column each side) and padding (at most a row above).
MAP_MARGIN_COLUMNS = 2
MAP_MARGIN_ROWS = 1
#: Narrower than this, the instructions column would be too thin to read next to a map.
MIN_TEXT_COLUMNS = 30


@dataclass(frozen=True)
class Plan:
    """What the player shows at one size for one segment."""

    map_views: str | None
    """`both` (front and back), `front`, `back`, or None for no body map."""

    instruction_rows: int | None
    """None: the instructions are as tall as their text. A number: they get that many rows and
    scroll (the text is longer), with a one-row hint under them."""

    tight: bool = False
    """Fewer blank rows (the `-tight` class), so that more fits."""


def single_view(region: str | None) -> str | None:
    """The one figure that shows `region` best (the one with more of it lit), or None."""
    front, back = lit_cells(region)
    if not front and not back:
        return None
    return "front" if len(front) >= len(back) else "back"


def text_rows(text: str, width: int) -> int:
    """Rows `text` takes when a Static or Label `width` cells wide wraps it."""
    if not text:
        return 1
    return len(Content(text).wrap(max(1, width)))


def vertical_class(height: int, breakpoints: list[tuple[int, str]]) -> str:
    """The vertical breakpoint class the app gives a screen `height` rows tall."""
    name = "-short"
    for at, class_name in sorted(breakpoints):
        if height >= at:
            name = class_name
    return name


def plan(width: int, height: int, *, vertical: str, narrow: bool, headlines: Sequence[str],
         instructions: str, next_lines: Sequence[str], region: str | None) -> Plan:
    """The richest layout at `width`×`height` that still shows every line of `instructions`
    under any of `headlines` and above any of `next_lines` (one of each per segment)."""
    body_rows = height - FRAME_ROWS
    spacings = ["-short"] if vertical == "-short" else ["airy", "-tight"]
    candidates: list[str | None] = []
    one = single_view(region)
    if one is not None and not narrow and vertical != "-short":
        candidates += ["both", one]
    candidates.append(None)

    def rows_of(texts: Sequence[str], text_width: int) -> int:
        return max((text_rows(t, text_width) for t in texts), default=1)

    for views in candidates:
        for spacing in spacings:
            text_width = width - PADDING_COLUMNS[spacing]
            if views is not None:
                columns, rows = map_size(views)
                text_width -= columns + MAP_MARGIN_COLUMNS
                if text_width < MIN_TEXT_COLUMNS or rows + MAP_MARGIN_ROWS > body_rows:
                    continue
            headline_rows = rows_of(headlines, text_width)
            next_rows = rows_of(next_lines, text_width)
            if views is not None and (headline_rows > 1 or next_rows > 1):
                # A map never costs the headline or `Next:` a broken line.
                continue
            needed = (CHROME_ROWS[spacing] + headline_rows + text_rows(instructions, text_width)
                      + next_rows)
            if needed <= body_rows:
                return Plan(views, None, spacing == "-tight")
    spacing = spacings[-1]
    text_width = width - PADDING_COLUMNS[spacing]
    left = (body_rows - CHROME_ROWS[spacing] - rows_of(headlines, text_width)
            - rows_of(next_lines, text_width) - 1)
    return Plan(None, max(1, left), spacing == "-tight")
