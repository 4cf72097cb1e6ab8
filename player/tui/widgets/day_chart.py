"""Provides the history's chart of minutes per day: bars over a dated axis, with the scale.

```
 24 min ┤      ▂█               ▅
        │  ▃   ██   ▁     ▇     █
      0 ┼──┴───┴┴───┴─────┴─────┴──
        Nov 5        Nov 20    Dec 4
```
Each day gets the same number of columns; the bars are eighth-block glyphs, so the chart
reads with NO_COLOR. The dates under it are the first day, one in the middle and today.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text
from textual.geometry import Size
from textual.widget import Widget

BLOCKS = " ▁▂▃▄▅▆▇█"
#: Rows of bars (each in eighths).
BAR_ROWS = 3


def day_label(day: date) -> str:
    return f"{day:%b} {day.day}"


def minutes_label(minutes: float) -> str:
    return f"{minutes:.0f} min" if minutes >= 10 or minutes == int(minutes) else \
        f"{minutes:.1f} min"


def chart_lines(minutes: list[float], last_day: date, width: int) -> list[str]:
    """The chart as text lines for `minutes` per day, the last of them `last_day`."""
    days = len(minutes)
    top = max(minutes, default=0.0)
    scale = minutes_label(top) if top > 0 else "0 min"
    margin = max(len(scale), 1) + 2  # `24 min ┤`
    per_day = max(1, min(3, (width - margin - 1) // max(1, days)))
    lines: list[str] = []
    for row in range(BAR_ROWS, 0, -1):  # top row first
        cells = []
        for value in minutes:
            eighths = round(value / top * BAR_ROWS * 8) if top > 0 else 0
            if value > 0:
                eighths = max(1, eighths)  # any practice shows
            level = max(0, min(8, eighths - (row - 1) * 8))
            cells.append(BLOCKS[level] * per_day)
        label = scale if row == BAR_ROWS else ""
        tick = "┤" if row == BAR_ROWS else "│"
        lines.append(f"{label:>{margin - 2}} {tick}" + "".join(cells))
    axis = "".join(("┴" if value > 0 else "─") + "─" * (per_day - 1) for value in minutes)
    lines.append(f"{'0':>{margin - 2}} ┼{axis}")
    lines.append(" " * margin + _dates(last_day, days, per_day))
    return lines


def _dates(last_day: date, days: int, per_day: int) -> str:
    """First, middle and last dates, each under its own day's columns (the last one ending
    at the chart's right edge)."""
    span = days * per_day
    first = last_day - timedelta(days=days - 1)
    middle_index = days // 2
    middle = first + timedelta(days=middle_index)
    row = [" "] * span
    labels = [(0, day_label(first)), (middle_index * per_day, day_label(middle))]
    end_label = day_label(last_day)
    labels.append((max(0, span - len(end_label)), end_label))
    taken = -1
    for start, label in labels:
        if start <= taken or start + len(label) > span:
            continue  # too close to the previous date: leave it out
        row[start:start + len(label)] = list(label)
        taken = start + len(label)
    return "".join(row).rstrip()


class DayChart(Widget):
    """Minutes per day ending on `last_day`, as bars over a dated axis."""

    DEFAULT_CSS = """
    DayChart { height: auto; width: 1fr; color: $text-success; }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.minutes: list[float] = []
        self.last_day = date.today()

    def show(self, minutes: list[float], last_day: date) -> None:
        self.minutes, self.last_day = list(minutes), last_day
        self.refresh(layout=True)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return BAR_ROWS + 2 if self.minutes else 1

    def render(self) -> Text:
        if not self.minutes:
            return Text("")
        lines = chart_lines(self.minutes, self.last_day, self.size.width)
        out = Text(no_wrap=True, overflow="crop")
        for index, line in enumerate(lines):
            if index:
                out.append("\n")
            if index >= BAR_ROWS:
                out.append(line, style="dim")
            else:
                # The scale on the left is text, the bars are the widget's colour.
                cut = line.index("┤") + 1 if "┤" in line else line.index("│") + 1
                out.append(line[:cut], style="dim")
                out.append(line[cut:])
        return out
