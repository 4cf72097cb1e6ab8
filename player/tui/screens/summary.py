"""Provides the summary shown after the last step or an ended session, and saves it.

The record goes to history through the session's `SessionRecorder` when the summary is left
(Enter or Escape), so the optional pain-after rating typed here is part of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Input, Label, Static

from player.durations import format_human
from player.errors import UnknotError
from player.events import Done
from player.routine import Routine
from player.tui.messages import SummaryClosed
from player.tui.screens.dialogs import PAIN_HINT, parse_pain
from player.tui.widgets.footer import FittingFooter

if TYPE_CHECKING:
    from textual.timer import Timer

    from player.playback import Playback


class SummaryScreen(Screen[None]):
    """Steps done and skipped, active time, pain before and after."""

    BINDINGS = [
        # Both keys save: the rating is the only thing Escape leaves out.
        Binding("escape", "close", "Save without rating"),
        Binding("enter", "close", "Save with the rating", show=False),
    ]

    #: A completed session ends with the screen flashing this many times (seen from the
    #: floor, like termdown's end); none when the app's animation level is "none".
    FLASHES = 3
    FLASH_SECONDS = 0.25

    def __init__(self, routine: Routine, done: Done,
                 recorder: Playback | None = None) -> None:
        super().__init__()
        self.routine = routine
        self.done = done
        self.recorder = recorder
        self._left = False
        #: Flash changes still to come (on, off, on, off…).
        self._flash_steps = 0
        self._flash_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        done = self.done
        total = len(self.routine.steps)
        pain_before = self.recorder.pain_before if self.recorder is not None else None
        rated = self.recorder.recorder.region_pain_before if self.recorder is not None else {}
        regions = ", ".join(f"{r} {n}" for r, n in rated.items())
        before = "not rated" if pain_before is None else f"{pain_before}/10"
        if regions:
            before = regions if pain_before is None else f"{before} · {regions}"
        with Center(id="summary-center"):
            with Vertical(id="summary"):
                yield Label("Well done" if done.completed else "Session ended",
                            id="summary-title")
                yield Label(self.routine.name, id="summary-routine", markup=False)
                yield Static(
                    f"Steps done     {done.steps_done} of {total}\n"
                    f"Skipped        {done.steps_skipped}\n"
                    f"Active time    {format_human(done.active_seconds)}\n"
                    f"Pain before    {before}",
                    id="summary-stats", markup=False,
                )
                yield Label(f"Pain now, {PAIN_HINT}:")
                yield Input(placeholder="Enter to skip", id="pain-after", max_length=80)
                yield Label("", id="summary-error", classes="error")
                yield Label("Enter  save with this rating\nEsc    save without rating",
                            classes="dialog-keys")
        yield FittingFooter()

    def on_mount(self) -> None:
        self.query_one("#pain-after", Input).focus()
        if self.done.completed and self.app.animation_level != "none":
            self._flash_steps = 2 * self.FLASHES
            self._flash()
            # Not `repeat=`: Textual's interval skips the ticks a loaded machine made it miss
            # and still counts them, so the flash could stop while on. This one runs until
            # every change has been made, and then stops itself.
            self._flash_timer = self.set_interval(self.FLASH_SECONDS, self._flash)

    def _flash(self) -> None:
        """One change of the end-of-session flash; it always ends with the flash off."""
        if self._flash_steps > 0:
            self._flash_steps -= 1
            self.set_class(self._flash_steps % 2 == 1, "-flash")
        if self._flash_steps <= 0 and self._flash_timer is not None:
            self._flash_timer.stop()
            self._flash_timer = None

    @on(Input.Submitted, "#pain-after")
    def submitted(self, event: Input.Submitted) -> None:
        try:
            pain = parse_pain(event.value)
        except UnknotError as exc:
            self.query_one("#summary-error", Label).update(str(exc))
            return
        if self.recorder is not None:
            self.recorder.pain_after = pain.overall
            self.recorder.recorder.region_pain_after = dict(pain.regions)
        self.action_close()

    def action_close(self) -> None:
        if self._left:
            return
        self._left = True
        self.save()
        self.post_message(SummaryClosed())

    def interrupt(self, reason: str = "interrupted") -> None:
        """Ctrl+C here: keep the record (without a pain-after rating) before the app exits."""
        if not self._left:
            self._left = True
            self.save()

    def on_unmount(self) -> None:
        # Closed some other way (Ctrl+Q): the session still goes to history.
        self.interrupt()

    def save(self) -> None:
        # The player's Playback: it says itself, once, what kept the record from history.
        if self.recorder is not None:
            self.recorder.save()
