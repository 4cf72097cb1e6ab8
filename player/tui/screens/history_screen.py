"""Provides the history screen: recent sessions, the summary figures, minutes per day over the
last 30 days as a dated bar chart, and minutes per region as bars. Escape or q goes back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static

from player import history
from player.safe_text import visible
from player.tui.widgets.day_chart import DayChart

#: Rows in the table of recent sessions (newest first).
RECENT = 50
#: Damaged-line warnings kept to show (all are counted): a file of nothing but damage must not
#: fill the memory with messages.
WARNINGS_KEPT = 100


@dataclass
class HistoryLoaded(Message):
    """The history file was read (off the event loop) and summarised."""

    #: The last RECENT records, in file order.
    records: list[dict[str, object]]
    summary: history.Summary
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    #: Damaged lines skipped (`warnings` holds the first WARNINGS_KEPT of them).
    damaged: int = 0
    #: Each rated region's last ratings (player.pain.recent_lines).
    pain_lines: list[str] = field(default_factory=list)


class HistoryScreen(Screen[None]):
    """Past sessions and progress, read from the history file when the screen opens."""

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("q", "close", "Back"),
    ]

    # Screen-local layout kept beside the screen: it is the only screen that uses these ids.
    DEFAULT_CSS = """
    HistoryScreen { layout: vertical; }
    HistoryScreen #history-title { text-style: bold; padding: 0 1; }
    HistoryScreen #history-body { height: 1fr; padding: 0 1; }
    HistoryScreen #history-table { height: auto; max-height: 14; margin-bottom: 1; }
    HistoryScreen #history-summary { margin-bottom: 1; }
    HistoryScreen .history-heading { text-style: bold; margin-top: 1; }
    HistoryScreen #history-days { margin-bottom: 1; }
    HistoryScreen #history-status { color: $text-muted; }
    HistoryScreen #history-warnings { color: $warning; }
    """

    def __init__(self, path: Path | None = None, today: date | None = None) -> None:
        super().__init__()
        self._path = path
        self._today = today
        #: The records shown (the last RECENT), in file order, once loaded (None while loading).
        self.records: list[dict[str, object]] | None = None
        self.summary: history.Summary | None = None
        #: Warnings about damaged lines skipped while reading (`path:N: warning: …`), the first
        #: WARNINGS_KEPT of them.
        self.warnings: list[str] = []

    def compose(self) -> ComposeResult:
        yield Label("History", id="history-title")
        with VerticalScroll(id="history-body"):
            yield Static("Reading the history…", id="history-status")
            with Vertical(id="history-content"):
                yield Static("", id="history-warnings")
                yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
                yield Static("", id="history-summary")
                yield Label("Minutes per day, last 30 days", classes="history-heading")
                yield DayChart(id="history-days")
                yield Label("Minutes per region, last 30 days", classes="history-heading")
                yield Static("", id="history-regions")
                yield Label("Pain by region, before → after (last 5 ratings)",
                            classes="history-heading", id="history-pain-heading")
                yield Static("", id="history-pain", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#history-content").display = False
        table = self.query_one("#history-table", DataTable)
        table.add_columns("Date", "Routine", "Minutes", "Done", "Pain")
        self.load()

    def history_path(self) -> Path | None:
        return self._path or getattr(self.app, "history_path", None)

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        # One streamed pass (store.scan_history): the summary's totals, the last RECENT records
        # and the pain ratings, never the whole file (tests/test_history_scale.py holds a
        # million records to that). Off the event loop, the result by message.
        self.post_message(read(self.history_path(), self._today or date.today()))

    @on(HistoryLoaded)
    def show(self, message: HistoryLoaded) -> None:
        self.records, self.summary = message.records, message.summary
        self.warnings = message.warnings
        status = self.query_one("#history-status", Static)
        if message.error:
            status.update(Text(visible(message.error)))
            return
        warning_line = self.query_one("#history-warnings", Static)
        warning_line.display = bool(message.damaged)
        if message.damaged:
            n = message.damaged
            lines = "line" if n == 1 else "lines"
            text = (f"Skipped {n} damaged {lines}; they stay in the file. "
                    f"First: {message.warnings[0]}")
            warning_line.update(Text(visible(text)))
            self.notify(visible(text), severity="warning", markup=False)
        if not message.records:
            status.update("No sessions yet. Play a routine and it will show up here.")
            return
        status.display = False
        self.query_one("#history-content").display = True
        self._fill_table(message.records)
        summary = message.summary
        self.query_one("#history-summary", Static).update(
            f"Sessions: {summary.sessions}\n"
            f"This week: {history.format_minutes(summary.week_seconds)}\n"
            f"Streak: {history.format_streak(summary)}\n"
            f"Pain change: {history.format_pain_change(summary)}"
        )
        self.query_one("#history-days", DayChart).show([s / 60 for s in summary.day_seconds],
                                                       summary.today)
        self.query_one("#history-regions", Static).update(region_bars(summary.region_seconds))
        rated = message.pain_lines
        self.query_one("#history-pain", Static).update("\n".join(rated))
        for widget in self.query("#history-pain, #history-pain-heading"):
            widget.display = bool(rated)

    def _fill_table(self, records: list[dict[str, object]]) -> None:
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for r in reversed(records[-RECENT:]):
            table.add_row(
                str(r.get("started", ""))[:16].replace("T", " "),
                # A plain string cell is Rich markup: escape it, so "[/x]" is text, not a crash.
                escape(visible(str(r.get("name") or r.get("routine")), multiline=False)),
                Text(f"{_seconds(r.get('active_seconds')) / 60:.1f}", justify="right"),
                "yes" if r.get("completed") else "no",
                history.format_pain(r),
            )

    def action_close(self) -> None:
        self.app.pop_screen()


def read(path: Path | None, today: date) -> HistoryLoaded:
    """The history as the screen shows it, read in one streamed pass in bounded memory."""
    from player import pain

    warnings: list[str] = []
    damaged = 0

    def warn(message: str) -> None:
        nonlocal damaged
        damaged += 1
        if len(warnings) < WARNINGS_KEPT:
            warnings.append(message)

    ratings = pain.RecentRatings()
    try:
        scan = history.scan_history(path, warn, keep=RECENT, each=history.only_rated(ratings.add),
                                    today=today)
    except history.HistoryError as exc:
        return HistoryLoaded([], history.Tally(today).summary(), warnings, str(exc), damaged)
    assert scan.summary is not None
    records: list[dict[str, object]] = [history.record_of(line) for line in scan.recent]
    return HistoryLoaded(records, scan.summary, warnings, None, damaged, ratings.lines())


def region_bars(region_seconds: dict[str, float], width: int = 30) -> Text:
    """One line per region: name, minutes and a bar scaled to the largest."""
    if not region_seconds:
        return Text("No region work in the last 30 days.")
    names = {rid: history.region_name(rid) for rid in region_seconds}
    w = max(len(n) for n in names.values())
    most = max(region_seconds.values()) or 1.0
    out = Text()
    for i, (rid, secs) in enumerate(region_seconds.items()):
        if i:
            out.append("\n")
        out.append(f"{names[rid]:<{w}}  {history.format_minutes(secs):>8}  ")
        out.append("█" * max(1, round(width * secs / most)), style="green")
    return out


def _seconds(value: object) -> float:
    """A record's seconds as a number (history has already checked records; 0 when absent)."""
    return float(value) if isinstance(value, (int, float)) else 0.0
