"""Provides the small modal screens: first-run notice, start, end-session prompt, new-routine
name, routine problems and help."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from player.durations import format_human
from player.errors import Problem, UnknotError
from player.notice import NOTICE
from player.routine import Routine

NOTICE_TEXT = (
    NOTICE + "\n\n"
    "Work at a 'good pain' of about 4 to 7 out of 10, never more."
)


def parse_pain(text: str) -> int | None:
    """A 0–10 pain rating from what was typed; None for nothing; UsageError otherwise."""
    text = text.strip()
    if not text:
        return None
    from player.history import parse_pain as history_parse_pain

    return int(history_parse_pain(text))


class NoticeScreen(ModalScreen[None]):
    """Shown once per install: unknot is not medical advice."""

    BINDINGS = [
        Binding("enter", "close", "Continue"),
        Binding("escape", "close", "Continue", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="notice", classes="dialog"):
            yield Label("Before you start", classes="dialog-title")
            yield Static(NOTICE_TEXT, id="notice-text")
            yield Label("Press Enter to continue", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class StartChoice:
    """What the start dialog decided: begin (with an optional pain rating) or go back."""

    start: bool
    pain_before: int | None = None


class StartScreen(ModalScreen[StartChoice]):
    """Before the first step: the caution, and an optional pain rating (Enter skips)."""

    BINDINGS = [Binding("escape", "cancel", "Back")]

    def __init__(self, routine: Routine, total_seconds: float) -> None:
        super().__init__()
        self.routine = routine
        self.total_seconds = total_seconds

    def compose(self) -> ComposeResult:
        with Vertical(id="start", classes="dialog"):
            yield Label(self.routine.name, classes="dialog-title", markup=False)
            steps = len(self.routine.steps)
            yield Label(f"{steps} step{'s' if steps != 1 else ''} · "
                        f"{format_human(self.total_seconds)}", classes="dialog-sub")
            if self.routine.caution:
                yield Static(f"⚠ {self.routine.caution}", id="start-caution", classes="caution",
                             markup=False)
            yield Label("Pain right now, 0–10 (optional):")
            yield Input(placeholder="Enter to skip", id="pain-before", max_length=3)
            yield Label("", id="start-error", classes="error")
            yield Label("Enter  start      Esc  back", classes="dialog-keys")

    @on(Input.Submitted, "#pain-before")
    def submitted(self, event: Input.Submitted) -> None:
        try:
            pain = parse_pain(event.value)
        except UnknotError as exc:
            self.query_one("#start-error", Label).update(str(exc))
            return
        self.dismiss(StartChoice(True, pain))

    def action_cancel(self) -> None:
        self.dismiss(StartChoice(False))


class ConfirmEndScreen(ModalScreen[bool]):
    """`End this session?` — y ends it, n or Escape goes on."""

    BINDINGS = [
        Binding("y", "answer(True)", "End"),
        Binding("n", "answer(False)", "Go on"),
        Binding("escape", "answer(False)", "Go on", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-end", classes="dialog"):
            yield Label("End this session?", classes="dialog-title")
            yield Label("y  end it      n  go on", classes="dialog-keys")

    def action_answer(self, end: bool) -> None:
        self.dismiss(end)


class NameScreen(ModalScreen["str | None"]):
    """Asks the name of a new routine; Escape gives None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="new-name", classes="dialog"):
            yield Label("New routine", classes="dialog-title")
            yield Label("Name (for example: evening calves):")
            yield Input(placeholder="routine name", id="name-input")
            yield Label("Enter  create and edit      Esc  cancel", classes="dialog-keys")

    @on(Input.Submitted, "#name-input")
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ProblemsScreen(ModalScreen[None]):
    """Every problem of a routine file that cannot be played."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("enter", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
    ]

    def __init__(self, title: str, problems: list[Problem]) -> None:
        super().__init__()
        self.title_text = title
        self.problems = problems

    def compose(self) -> ComposeResult:
        with Vertical(id="problems", classes="dialog"):
            yield Label(f"{self.title_text} cannot be played", classes="dialog-title",
                        markup=False)
            with VerticalScroll(id="problems-list"):
                for problem in self.problems or []:
                    classes = "error" if problem.severity == "error" else "warning"
                    yield Static(str(problem), classes=classes, markup=False)
                if not self.problems:
                    yield Static("No details were given.")
            yield Label("Fix the file (e opens it), then r reloads.   Esc  close",
                        classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)


#: The keys of each screen, in two columns that fit side by side in an 80-column terminal.
PICKER_KEYS = """\
Picker
  /      filter: name, tag, region
  Esc    leave the filter box
  Enter  play the routine
  e      edit it in $EDITOR
  n      new routine
  r      reload the library
  h      history
  w      where does it hurt?
  ?      this help
  q      quit
"""

PLAYER_KEYS = """\
Player
  space  pause / resume
  n  →   next step
  p  ←   previous step
  r      restart this step
  +      add 15 seconds
  m      mute / unmute
  ↑  ↓   scroll long instructions
  q      end the session (asks)
"""

HELP_TEXT = PICKER_KEYS + "\n" + PLAYER_KEYS


class HelpScreen(ModalScreen[None]):
    """The keys of every screen."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
        Binding("enter", "close", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="help", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                with Horizontal(id="help-columns"):
                    yield Static(PICKER_KEYS.rstrip(), markup=False, classes="help-column")
                    yield Static(PLAYER_KEYS.rstrip(), markup=False, classes="help-column")
            yield Label("Esc  close", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
