"""Provides the picker: the routine library as a filterable table beside a preview.

Every routine file is listed, including ones that fail validation (with their first error);
choosing a broken one shows all its problems instead of playing it. Nothing in a user's file
can raise out of here: the library reports problems as data.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Input, Label, Static

from player import paths
from player.durations import format_human
from player.errors import UnknotError
from player.scaffold import create
from player.timeline import expand
from player.tui import text
from player.tui.messages import PlayRequested
from player.tui.screens.dialogs import HelpScreen, NameScreen, ProblemsScreen
from player.tui.widgets.footer import FittingFooter
from player.tui.widgets.routine_table import RoutineTable
from player.tui.widgets.step_list import StepList

#: Marks today's routine of the active program in the table and the preview.
TODAY_MARK = "▶ "

if TYPE_CHECKING:
    from player.library import Entry
    from player.programs import TodayMark

COLUMN_TITLES = {"name": "Routine", "min": "Min", "regions": "Regions",
                 "equipment": "Equipment", "source": "Source"}


def _clip(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"


def display_key(entry: Entry) -> tuple[bool, str, str]:
    """Where `entry` goes in the picker: routines by name, then the files that do not load
    (listed by id, with their error), so the list reads in the order people look for names."""
    if entry.routine is None:
        return (True, entry.id.casefold(), entry.id)
    return (False, entry.routine.name.casefold(), entry.id)


def entry_matches(entry: Entry, words: list[str]) -> bool:
    """Whether every word of the filter appears in the entry's name, id, tags or regions."""
    if not words:
        return True
    routine = entry.routine
    hay = [entry.id]
    if routine is not None:
        hay.append(routine.name)
        hay.extend(routine.tags)
        for rid in routine.regions:
            hay.extend([rid, text.region_name(rid)])
    haystack = " ".join(hay).lower()
    return all(word in haystack for word in words)


def _same_file(path: str | os.PathLike[str]) -> Path:
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(path).absolute()


def first_error(entry: Entry) -> str:
    problems = list(entry.problems or [])
    errors = [p for p in problems if p.severity == "error"] or problems
    return errors[0].message if errors else "cannot be loaded"


class PickerScreen(Screen[None]):
    """Choose a routine: table, filter box and preview."""

    BINDINGS = [
        Binding("slash", "filter", "Filter"),
        Binding("e", "edit", "Edit"),
        Binding("n", "new", "New"),
        Binding("c", "copy", "Copy"),
        Binding("r", "reload", "Reload"),
        Binding("h", "history", "History"),
        Binding("w", "where", "Where it hurts"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("escape", "leave_filter", "Leave filter", show=False),
    ]
    #: When the footer is too narrow for every key, the last of these go first (q never).
    FOOTER_KEEP = ("quit", "help", "filter", "where", "edit", "new", "copy", "history",
                   "reload")

    def __init__(self) -> None:
        super().__init__()
        self.entries: list[Entry] = []
        self.shown: list[int] = []
        self._totals: dict[int, float] = {}
        self._widths: dict[str, int] = {}
        self._refit_pending = False
        #: Today's routine in the active program (listed first and marked), or None.
        self.today: TodayMark | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="picker-top"):
            yield Label("unknot", id="picker-title")
            yield Input(placeholder="/ filter by name, tag or region", id="filter")
        with Horizontal(id="picker-body"):
            yield RoutineTable(id="routines", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="preview"):
                yield Label("", id="pv-name", markup=False)
                yield Static("", id="pv-summary", markup=False)
                yield Static("", id="pv-meta", markup=False)
                yield Static("", id="pv-caution", classes="caution", markup=False)
                yield StepList(id="pv-steps")
                yield Label("", id="pv-total", markup=False)
                yield Vertical(id="pv-problems")
        yield FittingFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        # The list first; the active program (program files, their YAML) once it is on screen.
        self.load(today=False)
        table.focus()
        self.call_after_refresh(self._mark_today)
        self.app.first_run_notice(lambda: None)  # type: ignore[attr-defined]

    def _mark_today(self) -> None:
        """Put today's routine of the active program first, marked (after the first frame:
        bench/tui.py's first-frame figure is launch to routine list)."""
        if not paths.program_state_path().exists():
            return  # no active program: player.programs (and its YAML) is not even imported
        from player.programs import todays_routine

        self.today = todays_routine()
        if self.today is None:
            return
        table = self.query_one(DataTable)
        at_top = table.cursor_row <= 0
        self.load(today=False)
        if at_top and self.shown:
            table.move_cursor(row=0)  # today's routine, as if it had been there from the start

    def on_screen_resume(self) -> None:
        # Back from a session (or a dialog): the table has the keys, so q quits at once.
        self.set_focus(self.query_one(DataTable))

    # -- the library -----------------------------------------------------------------------

    def load(self, select: Path | None = None, today: bool = True) -> None:
        """(Re)read the library and refill the table, keeping the filter and the selection, or
        selecting the routine at `select` (clearing the filter when it hides it). `today`:
        ask which routine the active program has for today (else keep what is known)."""
        previous = self.highlighted()
        try:
            self.entries = list(self.app.discover())  # type: ignore[attr-defined]
        except (UnknotError, OSError) as exc:
            self.notify(f"Could not read the routine folders: {exc}", severity="error",
                        markup=False)
            self.entries = []
        except Exception as exc:
            # The library reports bad files as data; anything else is our bug, but a file a
            # person wrote must still not take the whole app down with it.
            self.notify(f"unknot could not read the routine folders (a bug): {exc!r}",
                        severity="error", timeout=15)
            self.entries = []
        if today:
            from player.programs import todays_routine

            self.today = todays_routine()
        # By name as shown, whatever the file names; files that do not load come last.
        self.entries.sort(key=display_key)
        if self.today is not None:
            # Today's session of the active program comes first, marked, whatever the filter.
            due = self.today.routine
            self.entries.sort(key=lambda e: e.id != due)
        self._totals = {}
        for index, entry in enumerate(self.entries):
            if entry.routine is not None:
                try:
                    self._totals[index] = expand(entry.routine).total
                except Exception as exc:  # a routine the loader let through but cannot expand
                    entry.problems = [*(entry.problems or [])]
                    self.notify(f"{entry.id}: {exc}", severity="error", markup=False)
        if select is not None and self._reveal(select):
            return
        self.refill(keep=previous.path if previous is not None else None)

    def _reveal(self, path: Path) -> bool:
        """Select the routine at `path`; clear the filter first if it hides it (and say so).
        False when the library does not list it (then nothing is changed)."""
        wanted = _same_file(path)
        index = next((i for i, e in enumerate(self.entries) if _same_file(e.path) == wanted),
                     None)
        if index is None:
            self.notify(f"{path} is not in the library folders, so it is not listed.",
                        severity="warning", markup=False)
            return False
        box = self.query_one("#filter", Input)
        typed = box.value
        if typed.split() and not entry_matches(self.entries[index], typed.lower().split()):
            with box.prevent(Input.Changed):
                box.value = ""
            self.notify(f"Cleared the filter '{typed.strip()}' to show "
                        f"{self.entries[index].id}.", markup=False)
        self.refill(keep=self.entries[index].path)
        self.set_focus(self.query_one(DataTable))
        return True

    def refill(self, keep: Path | None = None) -> None:
        words = self.query_one("#filter", Input).value.lower().split()
        table = self.query_one(DataTable)
        self._widths = self.column_widths(table.size.width or self._table_width_guess())
        table.clear(columns=True)
        for key, width in self._widths.items():
            table.add_column(COLUMN_TITLES[key], key=key, width=width)
        self.shown = [i for i, e in enumerate(self.entries) if entry_matches(e, words)]
        cursor = 0
        for row, index in enumerate(self.shown):
            entry = self.entries[index]
            table.add_row(*self._cells(index, entry), key=str(index))
            if keep is not None and entry.path == keep:
                cursor = row
        if self.shown:
            table.move_cursor(row=cursor)
        self.show_preview()

    def _table_width_guess(self) -> int:
        """The table's width before the first layout (it is 0 then), from app.tcss's
        #preview widths: no preview below 72 columns, else 40% of the width, at most 50.
        A good guess saves refilling the table once it is laid out."""
        width = self.app.size.width
        if width < 72:
            return width
        return width - min(50, int(width * 0.4))

    def column_widths(self, width: int) -> dict[str, int]:
        """Columns that fit in `width` cells, widest first to go: equipment, then source."""
        names = [e.routine.name if e.routine is not None else e.id for e in self.entries]
        if self.today is not None:
            names.append(TODAY_MARK + next((n for e, n in zip(self.entries, names, strict=False)
                                            if e.id == self.today.routine), ""))
        # Two cells of padding per column, two for the vertical scrollbar.
        room = width - 2
        widths = {"name": min(26, max([len(n) for n in names] + [7])), "min": 3}
        room -= sum(w + 2 for w in widths.values())
        regions = min(24, room - 2)
        if regions - 10 >= 10:
            widths["source"] = 8
            room -= 10
            regions = min(24, room - 2)
        widths["regions"] = max(6, regions)
        room -= widths["regions"] + 2
        if room - 2 >= 9:
            widths["equipment"] = min(24, room - 2)
        order = ("name", "min", "regions", "equipment", "source")
        return {key: widths[key] for key in order if key in widths}

    @on(RoutineTable.Resized)
    def fit_columns(self, message: RoutineTable.Resized) -> None:
        # Sizes come in bursts (the first layout, then the width breakpoint's): refit once,
        # after the screen has settled, to the width the table has then.
        if not self._refit_pending:
            self._refit_pending = True
            self.call_after_refresh(self._refit)

    def _refit(self) -> None:
        self._refit_pending = False
        width = self.query_one(DataTable).size.width
        if width and self.column_widths(width) != self._widths:
            previous = self.highlighted()
            self.refill(keep=previous.path if previous is not None else None)

    def _cells(self, index: int, entry: Entry) -> list[Text]:
        routine = entry.routine
        widths = self._widths
        if routine is None or index not in self._totals:
            cells = {
                "name": Text(_clip(entry.id, widths["name"])),
                "min": Text("—"),
                "regions": Text(_clip("⚠ " + first_error(entry), widths["regions"]),
                                style="bold red"),
                "equipment": Text(""),
                "source": Text(entry.source),
            }
        else:
            today = self.today is not None and entry.id == self.today.routine
            cells = {
                "name": (Text(_clip(TODAY_MARK + routine.name, widths["name"]), style="bold")
                         if today else Text(_clip(routine.name, widths["name"]))),
                "min": Text(text.minutes(self._totals[index]), justify="right"),
                "regions": Text(_clip(text.regions_text(routine, 4), widths["regions"])),
                "equipment": Text(_clip(", ".join(routine.equipment),
                                        widths.get("equipment", 1))),
                "source": Text(entry.source),
            }
        return [cells[key] for key in widths]

    def highlighted(self) -> Entry | None:
        table = self.query_one(DataTable)
        if not self.shown or table.row_count == 0:
            return None
        row = min(max(table.cursor_row, 0), len(self.shown) - 1)
        return self.entries[self.shown[row]]

    # -- preview ---------------------------------------------------------------------------

    @on(DataTable.RowHighlighted)
    def show_preview(self) -> None:
        entry = self.highlighted()
        name = self.query_one("#pv-name", Label)
        summary = self.query_one("#pv-summary", Static)
        meta = self.query_one("#pv-meta", Static)
        caution = self.query_one("#pv-caution", Static)
        steps = self.query_one("#pv-steps", StepList)
        total = self.query_one("#pv-total", Label)
        problems = self.query_one("#pv-problems", Vertical)
        problems.remove_children()
        for widget in (summary, meta, caution, steps, total):
            widget.display = False
        if entry is None:
            name.update("No routines match the filter." if self.entries
                        else "No routines found.")
            return
        routine = entry.routine
        if routine is None:
            name.update(entry.id)
            problems.mount(Static("This file cannot be played:", classes="warning"))
            for problem in (entry.problems or [])[:6]:
                problems.mount(Static(f"line {problem.line}: {problem.message}",
                                      classes="error", markup=False))
            problems.mount(Static("Enter shows every problem; e opens the file.",
                                  classes="muted"))
            return
        name.update(routine.name)
        summary.update(routine.summary)
        summary.display = bool(routine.summary)
        bits = [f"Source: {entry.source}"]
        if self.today is not None and entry.id == self.today.routine:
            bits.insert(0, TODAY_MARK + self.today.label())
        if routine.equipment:
            bits.append("Equipment: " + ", ".join(routine.equipment))
        if routine.tags:
            bits.append("Tags: " + ", ".join(routine.tags))
        meta.update("\n".join(bits))
        meta.display = bool(bits)
        caution.update(f"⚠ {routine.caution}")
        caution.display = bool(routine.caution)
        steps.show(routine)
        steps.display = True
        seconds = self._totals.get(self.entries.index(entry), 0.0)
        total.update(f"Total {format_human(seconds)}")
        total.display = True
        warnings = [p for p in (entry.problems or []) if p.severity == "warning"]
        if warnings:
            problems.mount(Static(f"{len(warnings)} warning{'s' if len(warnings) > 1 else ''}: "
                                  f"{warnings[0].message}", classes="warning", markup=False))

    # -- choosing --------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.play_highlighted()

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.play_highlighted()

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.refill()

    def play_highlighted(self) -> None:
        entry = self.highlighted()
        if entry is None:
            self.notify("Nothing to play: no routine matches the filter.", severity="warning")
            return
        if entry.routine is None:
            self.app.push_screen(ProblemsScreen(entry.id, list(entry.problems or [])))
            return
        if self.entries.index(entry) not in self._totals or not entry.routine.steps:
            self.notify(f"{entry.id} has no steps to play.", severity="warning")
            return
        self.post_message(PlayRequested(entry.routine))

    # -- actions ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        # Screen.set_focus moves focus at once (Widget.focus waits a turn), so keys typed
        # straight after `/` — a fast typist, a paste — land in the box, not on bindings.
        self.set_focus(self.query_one("#filter", Input))

    def action_leave_filter(self) -> None:
        self.set_focus(self.query_one(DataTable))

    def action_reload(self) -> None:
        self.load()
        self.notify(f"{len(self.entries)} routines loaded.", timeout=2)

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())

    def action_quit(self) -> None:
        self.app.exit(return_code=0)

    def action_history(self) -> None:
        from player.tui.screens.history_screen import HistoryScreen

        self.app.push_screen(HistoryScreen())

    def action_where(self) -> None:
        from player.tui.screens.compose_screen import ComposeScreen

        def back(saved: Path | None) -> None:
            if saved is not None:  # a saved routine is an ordinary one now: show it
                self.load()
                self.refill(keep=saved)

        self.app.push_screen(ComposeScreen(), back)

    def action_edit(self) -> None:
        entry = self.highlighted()
        if entry is None:
            return
        if entry.source == "built-in":
            self.notify("Built-in routines are read-only: press c to copy it into your folder "
                        "and edit the copy.", severity="warning")
            return
        self.open_in_editor(Path(entry.path))

    def action_copy(self) -> None:
        """Copy the highlighted built-in routine into the user folder (same id, so the copy
        takes its place in the library) and open the copy in the editor."""
        entry = self.highlighted()
        if entry is None:
            return
        if entry.source != "built-in":
            self.notify("This routine is yours already: press e to edit it.", timeout=4)
            return
        from player import paths

        source = Path(entry.path)
        folder = paths.user_routines_dir()
        target = folder / f"{entry.id}{source.suffix or '.yaml'}"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with target.open("xb") as fh:  # never overwrite a routine of the user's
                fh.write(source.read_bytes())
        except FileExistsError:
            self.notify(f"You have a copy already: {target}. Press e to edit it.",
                        severity="warning", markup=False)
            self.load(select=target)
            return
        except OSError as exc:
            self.notify(f"Could not copy {entry.id}: {exc.strerror or exc}", severity="error",
                        markup=False)
            return
        self.notify(f"Copied to {target}; your copy takes the built-in's place.", markup=False)
        self.open_in_editor(target)

    def open_in_editor(self, path: Path) -> None:
        """Suspend the app, run the editor on `path`, then reload the library showing it."""
        from player.editor import explain, find_editor

        editor = find_editor()
        if editor is None:
            self.notify(explain(), severity="error", markup=False, timeout=8)
            self.load(select=path)
            return
        try:
            with self.app.suspend():
                subprocess.run([*editor.argv, str(path)], check=False)
        except SuspendNotSupported:
            self.notify(f"Cannot open an editor here; edit {path} yourself, then press r.",
                        severity="warning", markup=False)
        except OSError as exc:
            self.notify(f"Could not start {editor.argv[0]}: {exc}", severity="error",
                        markup=False)
        self.load(select=path)

    def action_new(self) -> None:
        self.app.push_screen(NameScreen(), self._create)

    def _create(self, name: str | None) -> None:
        if not name:
            return
        try:
            path = create(name)
        except (UnknotError, OSError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Wrote {path}", markup=False)
        self.open_in_editor(path)
