"""Provides the messages the TUI's screens send to the app, as small dataclasses."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from player.routine import Routine


@dataclass
class PlayRequested(Message):
    """The picker chose a routine to play."""

    routine: Routine


@dataclass
class SummaryClosed(Message):
    """The summary was left (Enter or Escape): back to the picker, or out of the app."""
