"""Provides the player's small meters: a labelled time bar and a 0–10 pressure scale.

Both draw filled and empty parts with different glyphs as well as colours, so they still read
with NO_COLOR. They render from values the player screen sets; they keep no time themselves.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from player.durations import format_clock
from player.vocab import PRESSURE_WORDS

_WORD_FOR = {value: word for word, value in PRESSURE_WORDS.items()}


class TimeBar(Widget):
    """`Label ━━━━━━━╺──────  03:10 left`: progress through a span of routine seconds."""

    DEFAULT_CSS = """
    TimeBar { height: 1; width: 1fr; }
    TimeBar > .time-bar--label { color: $foreground 70%; }
    TimeBar > .time-bar--done { color: $accent; }
    TimeBar > .time-bar--left { color: $foreground 25%; }
    TimeBar > .time-bar--time { text-style: bold; }
    """

    COMPONENT_CLASSES = {"time-bar--label", "time-bar--done", "time-bar--left", "time-bar--time"}

    def __init__(self, label: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.label = label
        self.done = 0.0
        self.total = 0.0

    def set_progress(self, done: float, total: float) -> None:
        """Show `done` of `total` seconds; redraws only when what is drawn would change."""
        before = self._cells()
        self.done, self.total = max(0.0, done), max(0.0, total)
        if self._cells() != before:
            self.refresh()

    def _cells(self) -> tuple[int, int, str]:
        """What is drawn: the bar's width, its filled cells and the time text. A resize
        repaints anyway; between resizes only a change of these is worth a repaint."""
        time_text = f"  {format_clock(self.total - self.done)} left"
        width = max(0, self.size.width - len(f"{self.label:<8}") - len(time_text))
        fraction = min(1.0, self.done / self.total) if self.total > 0 else 0.0
        return width, int(round(width * fraction)), time_text

    def render(self) -> Text:
        label_style = self.get_component_rich_style("time-bar--label")
        label = f"{self.label:<8}"
        width, filled, time_text = self._cells()
        text = Text(no_wrap=True, overflow="crop")
        text.append(label, style=label_style)
        text.append("━" * filled, style=self.get_component_rich_style("time-bar--done"))
        text.append("─" * (width - filled), style=self.get_component_rich_style("time-bar--left"))
        text.append(time_text, style=self.get_component_rich_style("time-bar--time"))
        return text


class PressureScale(Widget):
    """`Pressure █████░░░░░  5/10 · moderate`, or a dash when the step names none."""

    DEFAULT_CSS = """
    PressureScale { height: 1; width: 1fr; }
    PressureScale > .pressure--label { color: $foreground 70%; }
    PressureScale > .pressure--on { color: $warning; }
    PressureScale > .pressure--off { color: $foreground 25%; }
    """

    COMPONENT_CLASSES = {"pressure--label", "pressure--on", "pressure--off"}

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.value: int | None = None

    def set_value(self, value: int | None) -> None:
        if value != self.value:
            self.value = value
            self.refresh()

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="crop")
        text.append("Pressure ", style=self.get_component_rich_style("pressure--label"))
        if self.value is None:
            text.append("—", style=self.get_component_rich_style("pressure--off"))
            return text
        value = max(0, min(10, self.value))
        # Block elements are one cell wide in every terminal font (■ and □ are not).
        text.append("█" * value, style=self.get_component_rich_style("pressure--on"))
        text.append("░" * (10 - value), style=self.get_component_rich_style("pressure--off"))
        text.append(f"  {value}/10")
        word = _WORD_FOR.get(value)
        if word:
            text.append(f" · {word}", style=self.get_component_rich_style("pressure--label"))
        return text
