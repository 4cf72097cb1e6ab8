"""Provides the player's layout plan: how much body map fits beside the whole instructions.

The person reads all of a step's instructions during its lead-in, often from the floor, so the
instructions get the room first. The body map is drawn in full (front and back figures) when
everything still fits beside it, as the one figure that shows the region when only that fits,
and not at all otherwise; nor may a map make the headline or the `Next:` line wrap. Blank rows
go before the map: the spacing is airy when there is room, `-tight` when that keeps the map,
`-snug` (no blank rows) and `-compact` (a one-row banner) only when nothing else fits. When
even that is not enough (a small terminal, a very long text) the instructions get every row
that is left, scroll, and say that they go on. Rows nobody needs go to the countdown, which
then draws larger digits (player/tui/widgets/countdown.py).

The row and column counts below mirror the spacing of `#player-main` in app.tcss;
tests/test_tui_layout.py checks the plan against the real screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from textual.content import Content

from player.tui.widgets.body_map import lit_cells, map_size
from player.tui.widgets.countdown import font_for

#: The countdown's widest text: every font draws all digits the same width.
CLOCK_TEXT = "00:00"
#: Rows the countdown always has (CHROME_ROWS counts them); spare rows make it larger.
COUNTDOWN_ROWS = 3

#: Rows of #player-main besides the headline, instructions and `Next:` lines: the banner, the
#: countdown (3), the three meters and the blank rows, for each spacing: airy (the
#: stylesheet's base), `-tight` (fewer blank rows), `-snug` (none) and `-compact` (a one-row
#: banner as well), tried in that order.
CHROME_ROWS = {"airy": 15, "-tight": 12, "-snug": 9, "-compact": 7}
#: Columns of #player-main's left and right padding, for each spacing.
PADDING_COLUMNS = {"airy": 4, "-tight": 4, "-snug": 4, "-compact": 2}
#: Spacings a body map may share the screen with (next to it, a one-row banner is too meek).
MAP_SPACINGS = ("airy", "-tight")
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

    spacing: str = "airy"
    """`airy`, `-tight`, `-snug` or `-compact` (all but airy are classes on the screen)."""

    countdown_rows: int = COUNTDOWN_ROWS
    """Rows of the countdown: the rows of the largest digits that fit the main column and the
    rows nobody else needs (at least COUNTDOWN_ROWS)."""


def countdown_rows(width: int, rows: int) -> int:
    """Rows the largest countdown that fits `width`×`rows` takes (at least COUNTDOWN_ROWS)."""
    return max(COUNTDOWN_ROWS, font_for(CLOCK_TEXT, width, rows).size(CLOCK_TEXT)[1])


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


def plan(width: int, height: int, *, narrow: bool, headlines: Sequence[str],
         instructions: str, next_lines: Sequence[str], region: str | None) -> Plan:
    """The richest layout at `width`×`height` that still shows every line of `instructions`
    under any of `headlines` and above any of `next_lines` (one of each per segment)."""
    body_rows = height - FRAME_ROWS
    candidates: list[str | None] = []
    one = single_view(region)
    if one is not None and not narrow:
        candidates += ["both", one]
    candidates.append(None)

    def rows_of(texts: Sequence[str], text_width: int) -> int:
        return max((text_rows(t, text_width) for t in texts), default=1)

    for views in candidates:
        for spacing in (MAP_SPACINGS if views is not None else CHROME_ROWS):
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
                spare = body_rows - needed
                return Plan(views, None, spacing,
                            countdown_rows(text_width, COUNTDOWN_ROWS + spare))
    spacing = "-compact"
    text_width = width - PADDING_COLUMNS[spacing]
    left = (body_rows - CHROME_ROWS[spacing] - rows_of(headlines, text_width)
            - rows_of(next_lines, text_width) - 1)
    return Plan(None, max(1, left), spacing)
