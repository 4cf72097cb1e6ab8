"""Provides the countdown: `mm:ss` in the largest digits that fit the room it is given, centred.

Fonts, smallest first: plain text (1 row); box-drawing digits like Textual's Digits (3 rows);
a 3×5 pixel font (5 rows); and a 5×7 pixel font at any scale from 7 rows up, its pixels
about as wide as they are tall at first and then taller where the screen has rows to spare.
Pixels are whole rows of `█` (the drawing goes through half blocks, `▀▄`, so any pixel
height would work, but whole rows have no ragged edges). `font_for` picks the largest that
fits, so the same widget is a line of text at 12×2 and fills a 200×60 terminal in the floor
view.

It repaints only when the drawn text changes (`show` compares strings) or its size does;
the emphasis of a segment's last seconds (`emphasise`) is the `-final` class (warning colour,
bold) and a bar as tall as the digits on each side (`mark_final`), so it shows without colour
too (NO_COLOR, a monochrome terminal).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rich.text import Text
from textual.widget import Widget

#: Box-drawing digits, 3 rows by 3 columns (the look of Textual's Digits widget).
BOX3 = {
    "0": ("╭─╮", "│ │", "╰─╯"), "1": ("╶╮ ", " │ ", "╶┴╴"), "2": ("╶─╮", "┌─┘", "╰─╴"),
    "3": ("╶─╮", " ─┤", "╶─╯"), "4": ("╷ ╷", "╰─┤", "  ╵"), "5": ("╭─╴", "╰─╮", "╶─╯"),
    "6": ("╭─╴", "├─╮", "╰─╯"), "7": ("╶─┐", "  │", "  ╵"), "8": ("╭─╮", "├─┤", "╰─╯"),
    "9": ("╭─╮", "╰─┤", "╶─╯"), ":": (" ", "•", "•"), "-": ("   ", "╶─╴", "   "),
    " ": ("   ", "   ", "   "),
}

Glyphs = dict[str, tuple[str, ...]]

#: A 3×5 pixel font (`#` is ink).
PIXELS_3X5: Glyphs = {
    "0": ("###", "#.#", "#.#", "#.#", "###"), "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"), "3": ("###", "..#", ".##", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"), "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"), "7": ("###", "..#", "..#", ".#.", ".#."),
    "8": ("###", "#.#", "###", "#.#", "###"), "9": ("###", "#.#", "###", "..#", "###"),
    ":": (".", "#", ".", "#", "."), "-": ("...", "...", "###", "...", "..."),
    " ": ("...", "...", "...", "...", "..."),
}

#: A 5×7 pixel font, rounded, for the large sizes.
PIXELS_5X7: Glyphs = {
    "0": (".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."),
    "1": ("..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."),
    "2": (".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"),
    "3": ("####.", "....#", "....#", ".###.", "....#", "....#", "####."),
    "4": ("...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."),
    "5": ("#####", "#....", "####.", "....#", "....#", "#...#", ".###."),
    "6": ("..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."),
    "7": ("#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."),
    "8": (".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."),
    "9": (".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."),
    ":": (".", ".", "#", ".", "#", ".", "."),
    "-": (".....", ".....", ".....", "#####", ".....", ".....", "....."),
    " ": (".....", ".....", ".....", ".....", ".....", ".....", "....."),
}

HALF = {(False, False): " ", (True, False): "▀", (False, True): "▄", (True, True): "█"}


@dataclass(frozen=True)
class Font:
    """One way of drawing the countdown: `kind` and, for pixel fonts, the pixel size."""

    kind: str
    """`text`, `box3`, `px3x5` or `px5x7`."""
    columns: int = 1
    """Cells per pixel across (pixel fonts)."""
    half_rows: int = 1
    """Half-rows per pixel down (pixel fonts: two half-rows make a terminal row)."""

    def size(self, text: str) -> tuple[int, int]:
        """(columns, rows) that `text` takes in this font (worked out, not drawn)."""
        gaps = max(0, len(text) - 1)
        if self.kind == "text":
            return len(text), 1
        if self.kind == "box3":
            return sum(len(BOX3.get(c, BOX3[" "])[0]) for c in text) + gaps, 3
        glyphs = PIXELS_3X5 if self.kind == "px3x5" else PIXELS_5X7
        pixels = sum(len(glyphs.get(c, glyphs[" "])[0]) for c in text) + gaps
        height = len(glyphs["0"]) * self.half_rows
        return pixels * self.columns, (height + 1) // 2


def _pixel_rows(text: str, glyphs: Glyphs, gap: int) -> list[str]:
    """The pixel bitmap of `text`, glyphs side by side `gap` pixels apart."""
    height = len(glyphs["0"])
    rows = [""] * height
    for index, char in enumerate(text):
        glyph = glyphs.get(char, glyphs[" "])
        for r in range(height):
            rows[r] += ("." * gap if index else "") + glyph[r]
    return rows


def _half_blocks(bitmap: list[str], columns: int, half_rows: int) -> list[str]:
    """A bitmap drawn with half blocks, each pixel `columns` cells wide and `half_rows`
    half-rows tall."""
    tall = [row for row in bitmap for _ in range(half_rows)]
    if len(tall) % 2:
        tall.append("." * len(bitmap[0]))
    lines = []
    for top, bottom in zip(tall[0::2], tall[1::2], strict=True):
        cells = (HALF[(a == "#", b == "#")] * columns for a, b in zip(top, bottom, strict=True))
        lines.append("".join(cells))
    return lines


@lru_cache(maxsize=64)
def _draw(text: str, font: Font) -> tuple[str, ...]:
    if font.kind == "text":
        return (text,)
    if font.kind == "box3":
        rows = ["", "", ""]
        for index, char in enumerate(text):
            glyph = BOX3.get(char, BOX3[" "])
            for r in range(3):
                rows[r] += (" " if index else "") + glyph[r]
        return tuple(rows)
    glyphs = PIXELS_3X5 if font.kind == "px3x5" else PIXELS_5X7
    bitmap = _pixel_rows(text, glyphs, gap=1)
    return tuple(_half_blocks(bitmap, font.columns, font.half_rows))


def mark_final(lines: list[str], wide: int) -> list[str]:
    """`lines` between two bars as tall as the digits (`▶ 00:03 ◀` on one row): the last
    seconds stand out without colour, and the digits themselves are drawn as always."""
    if len(lines) == 1:
        return [f"▶ {lines[0].ljust(wide)} ◀"]
    return [f"█ {line.ljust(wide)} █" for line in lines]


def draw(text: str, font: Font) -> list[str]:
    """`text` (digits, `:`, `-`, spaces) as lines of cells in `font`."""
    return list(_draw(text, font))


def fonts() -> list[Font]:
    """Every size, smallest first: text, box digits, the 3×5 font, then the 5×7 font with
    square pixels at each scale (and, in `font_for`, taller pixels when rows are spare)."""
    out = [Font("text"), Font("box3"), Font("px3x5", 2, 2)]
    # Whole rows per pixel (an even number of half-rows): no ragged ▀▄ edges.
    out += [Font("px5x7", scale, scale + scale % 2) for scale in range(2, 41)]
    return out


def font_for(text: str, width: int, height: int) -> Font:
    """The largest font in which `text` fits `width`×`height` cells (at least plain text).

    The 5×7 font first takes the widest square pixels that fit, then stretches them down
    (up to twice as tall as wide) into the rows that are left, as a wall clock's digits do."""
    best = Font("text")
    for font in fonts():
        columns, rows = font.size(text)
        if columns > width or rows > height:
            break  # every later font is larger still
        best = font
    if best.kind == "px5x7":
        for half_rows in range(best.columns * 2, best.half_rows, -2):
            taller = Font("px5x7", best.columns, half_rows)
            if taller.size(text)[1] <= height:
                return taller
    return best


class Countdown(Widget):
    """`mm:ss`, centred, in the largest font that fits the widget's size."""

    DEFAULT_CSS = """
    Countdown {
        width: 1fr;
        height: 3;
        color: $text;
    }
    Countdown.-final {
        color: $text-warning;
        text-style: bold;
    }
    """

    def __init__(self, text: str = "00:00", *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.text = text
        #: How many times the widget has been asked to repaint (for tests of "only on change").
        self.repaints = 0

    def show(self, text: str) -> None:
        """Draw `text`; nothing is repainted when it is what is drawn already."""
        if text != self.text:
            self.text = text
            self.repaints += 1
            self.refresh()

    def emphasise(self, on: bool) -> None:
        """The last seconds of a segment: `-final` and the bars beside the digits."""
        if on != self.has_class("-final"):
            self.set_class(on, "-final")
            self.refresh()

    @property
    def font(self) -> Font:
        """The font the current size draws in."""
        return font_for(self.text, self.size.width, self.size.height)

    def rows_for(self, width: int, height: int) -> int:
        """Rows the countdown needs at `width` when it may have up to `height` rows."""
        return font_for(self.text, width, height).size(self.text)[1]

    def render(self) -> Text:
        width, height = self.size.width, self.size.height
        lines = draw(self.text, font_for(self.text, width, height))
        wide = max((len(line) for line in lines), default=0)
        if self.has_class("-final") and wide + 4 <= width:
            lines = mark_final(lines, wide)
            wide += 4
        left = " " * max(0, (width - wide) // 2)
        top = max(0, (height - len(lines)) // 2)
        return Text("\n" * top + "\n".join(left + line for line in lines),
                    no_wrap=True, overflow="crop")
