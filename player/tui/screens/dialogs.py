"""Provides the small modal screens: first-run notice, start, end-session prompt, new-routine
name, routine problems and help."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from rich.table import Table
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

if TYPE_CHECKING:
    from player.pain import Rating

NOTICE_TEXT = (
    NOTICE + "\n\n"
    "Work at a 'good pain' of about 4 to 7 out of 10, never more."
)


def parse_pain(text: str) -> Rating:
    """What was typed at a pain prompt: `6`, `calves=6,feet=4` or both (player.pain);
    an empty Rating for nothing; UsageError (one line) otherwise."""
    from player.pain import parse_rating

    return parse_rating(text)


#: The pain prompt's label, at the start and the end.
PAIN_HINT = "0–10 or by region (calves=6,feet=4)"


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
    #: Pain per region typed as `calves=6,feet=4`.
    region_pain: dict[str, int] = field(default_factory=dict)


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
            yield Label(f"Pain right now, {PAIN_HINT}:")
            yield Input(placeholder="Enter to skip", id="pain-before", max_length=80)
            yield Label("", id="start-error", classes="error")
            yield Label("Enter  start      Esc  back", classes="dialog-keys")

    @on(Input.Submitted, "#pain-before")
    def submitted(self, event: Input.Submitted) -> None:
        try:
            pain = parse_pain(event.value)
        except UnknotError as exc:
            self.query_one("#start-error", Label).update(str(exc))
            return
        self.dismiss(StartChoice(True, pain.overall, dict(pain.regions)))

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


#: The keys of each screen: (key, what it does). Short enough that two columns fit side by side
#: in a 60-column terminal; a longer text wraps under itself, never into the next column.
PICKER_KEYS: list[tuple[str, str]] = [
    ("/", "filter: name, tag, region"),
    ("Esc", "leave the filter box"),
    ("Enter", "play the routine"),
    ("e", "edit yours in $EDITOR"),
    ("n", "new routine"),
    ("c", "copy a built-in to edit"),
    ("r", "reload the library"),
    ("h", "history"),
    ("w", "where does it hurt?"),
    ("?", "this help"),
    ("q", "quit"),
]

PLAYER_KEYS: list[tuple[str, str]] = [
    ("space", "pause / resume"),
    ("n →", "next step"),
    ("p ←", "previous step"),
    ("r", "restart this step"),
    ("+", "add 15 seconds"),
    ("m", "mute / unmute"),
    ("f", "floor view: big timer"),
    ("↑ ↓", "scroll instructions"),
    ("q", "end the session (asks)"),
]


#: Control from the floor (MPRIS): what works without reaching the keyboard.
FLOOR_KEYS: list[tuple[str, str]] = [
    ("headset", "its button: pause"),
    ("media keys", "pause, next, back"),
    ("phone", "KDE/GSConnect media"),
    ("playerctl", "-p unknot play-pause"),
]


def key_table(title: str, rows: list[tuple[str, str]]) -> Table:
    """One column of the help: a bold title, then keys beside what they do (wrapping)."""
    table = Table(box=None, show_header=False, padding=(0, 1, 0, 0), expand=True,
                  title=title, title_justify="left", title_style="bold")
    table.add_column("key", no_wrap=True, width=max(len(k) for k, _ in rows), style="bold")
    table.add_column("does", ratio=1, overflow="fold")
    for key, does in rows:
        table.add_row(key, does)
    return table


def with_screen_keys(rows: list[tuple[str, str]], bindings: Iterable[Binding],
                     key_display: Callable[[Binding], str]) -> list[tuple[str, str]]:
    """`rows`, plus any shown binding of the screen that they do not mention (a key another
    part of unknot added), so the help never leaves a key out."""
    listed = {key for key, _ in rows}
    out = list(rows)
    for binding in bindings:
        if not getattr(binding, "show", False):
            continue
        shown = key_display(binding)
        if shown not in listed and shown.lower() not in listed:
            listed.add(shown)
            out.insert(len(out) - 2, (shown, str(binding.description).lower()))
    return out


class HelpScreen(ModalScreen[None]):
    """The keys of every screen, in two columns (one above the other when too narrow)."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),
        Binding("enter", "close", "Close", show=False),
    ]

    def compose(self) -> ComposeResult:
        from player.tui.screens.picker import PickerScreen

        picker = with_screen_keys(PICKER_KEYS, [b for b in PickerScreen.BINDINGS
                                               if isinstance(b, Binding)],
                                  self.app.get_key_display)
        with Vertical(id="help", classes="dialog"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                with Horizontal(id="help-columns"):
                    yield Static(key_table("Picker", picker), classes="help-column",
                                 id="help-picker")
                    with Vertical(classes="help-column"):
                        yield Static(key_table("Player", PLAYER_KEYS), id="help-player")
                        if self.app.size.height > 20:  # 20 rows must hold every key
                            yield Static(key_table("From the floor", FLOOR_KEYS),
                                         id="help-floor")
            yield Label("Esc  close", classes="dialog-keys")

    def action_close(self) -> None:
        self.dismiss(None)
