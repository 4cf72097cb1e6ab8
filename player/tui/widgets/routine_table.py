"""Provides the picker's routine table, which reports its width so the columns can fit."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable


class RoutineTable(DataTable[Text]):
    """The routine table; tells the picker when its width changes so the columns fit."""

    @dataclass
    class Resized(Message):
        width: int

    def on_resize(self, event: events.Resize) -> None:
        self.post_message(self.Resized(event.size.width))
