"""Tests for the TUI history screen, driven by Textual's Pilot in a tiny app that pushes it."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

import pytest
from textual.app import App
from textual.geometry import Region
from textual.widgets import DataTable, Static

from player import paths
from player.history import append_record
from player.tui.screens.history_screen import HistoryScreen
from player.tui.widgets.day_chart import DayChart, chart_lines

TODAY = date(2026, 3, 11)


class HistoryApp(App[None]):
    def __init__(self, screen: HistoryScreen) -> None:
        super().__init__()
        self.history_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.history_screen)


def session(day: int, seconds: float, **extra: object) -> dict[str, object]:
    rec: dict[str, object] = {
        "routine": "desk", "name": f"Session {day}", "started": f"2026-03-{day:02d}T08:00:00+01:00",
        "ended": f"2026-03-{day:02d}T08:10:00+01:00", "completed": True,
        "active_seconds": seconds, "steps_done": 3, "steps_skipped": 0,
        "pain_before": None, "pain_after": None,
    }
    rec.update(extra)
    return rec


def test_shows_sessions_summary_sparkline_and_regions() -> None:
    asyncio.run(_shows_sessions_summary_sparkline_and_regions())


async def _shows_sessions_summary_sparkline_and_regions() -> None:
    append_record(session(9, 600, pain_before=6, pain_after=3, regions={"calves": 300.0}))
    append_record(session(10, 1200, regions={"calves": 600.0, "neck": 300.0}))
    append_record(session(11, 300, completed=False))
    screen = HistoryScreen(today=TODAY)
    app = HistoryApp(screen)
    async with app.run_test(size=(100, 50)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        table = screen.query_one("#history-table", DataTable)
        assert table.row_count == 3
        newest = table.get_row_at(0)
        assert newest[0] == "2026-03-11 08:00" and newest[1] == "Session 11" and newest[3] == "no"
        assert table.get_row_at(2)[4] == "6 → 3"
        summary = str(screen.query_one("#history-summary", Static).render())
        assert "Sessions: 3" in summary
        assert "This week: 35 min" in summary
        assert "Streak: 3 days" in summary
        assert "−3.0 on average" in summary
        chart = screen.query_one("#history-days", DayChart)
        days = chart.minutes
        assert len(days) == 30 and days[-3:] == [10.0, 20.0, 5.0] and sum(days) == 35.0
        drawn = [strip.text.rstrip()
                 for strip in chart.render_lines(Region(0, 0, *chart.size))]
        # A scale on the left, the dates of the first, middle and last day under the axis.
        assert drawn[0].lstrip().startswith("20 min ┤")
        assert drawn[3].lstrip().startswith("0 ┼")
        assert drawn[4].split() == ["Feb", "10", "Feb", "25", "Mar", "11"]
        # Today's date ends under today's bar, the last column of the chart.
        assert len(drawn[4]) == len(drawn[3])
        regions = str(screen.query_one("#history-regions", Static).render())
        first, second = regions.splitlines()
        assert first.startswith("Calves") and "15 min" in first
        assert second.startswith("Neck") and "5.0 min" in second
        # The bars are scaled to the largest region.
        assert first.count("█") == 30 and second.count("█") == 10


def test_escape_and_q_close_the_screen() -> None:
    asyncio.run(_escape_and_q_close_the_screen())


async def _escape_and_q_close_the_screen() -> None:
    for key in ("escape", "q"):
        screen = HistoryScreen(today=TODAY)
        app = HistoryApp(screen)
        async with app.run_test() as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.screen is screen
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is not screen
            assert screen not in app.screen_stack


def test_empty_history_says_so() -> None:
    asyncio.run(_empty_history_says_so())


async def _empty_history_says_so() -> None:
    screen = HistoryScreen(today=TODAY)
    app = HistoryApp(screen)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#history-status", Static).render())
        assert status.startswith("No sessions yet.")
        assert not screen.query_one("#history-content").display
        assert screen.warnings == []


def test_damaged_lines_are_skipped_with_a_notice(tmp_path: Path) -> None:
    asyncio.run(_damaged_lines_are_skipped_with_a_notice(tmp_path))


async def _damaged_lines_are_skipped_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "h.jsonl"
    append_record(session(10, 600), path)
    with path.open("ab") as f:
        f.write(b"not json\n")
    append_record(session(11, 600), path)
    before = path.read_bytes()
    screen = HistoryScreen(path=path, today=TODAY)
    app = HistoryApp(screen)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_one("#history-table", DataTable).row_count == 2
        assert screen.warnings == [f"{path}:2: warning: skipped a damaged line"]
        shown = str(screen.query_one("#history-warnings", Static).render())
        assert shown.startswith("Skipped 1 damaged line;") and f"{path}:2:" in shown
    assert path.read_bytes() == before
    assert not paths.history_path().exists()


def test_unreadable_history_is_shown_not_raised(tmp_path: Path) -> None:
    asyncio.run(_unreadable_history_is_shown_not_raised(tmp_path))


async def _unreadable_history_is_shown_not_raised(tmp_path: Path) -> None:
    folder = tmp_path / "history.jsonl"
    folder.mkdir()
    screen = HistoryScreen(path=folder, today=TODAY)
    app = HistoryApp(screen)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        status = str(screen.query_one("#history-status", Static).render())
        assert status.startswith("cannot read ")


def test_uses_the_apps_history_path(tmp_path: Path) -> None:
    asyncio.run(_uses_the_apps_history_path(tmp_path))


async def _uses_the_apps_history_path(tmp_path: Path) -> None:
    path = tmp_path / "elsewhere.jsonl"
    append_record(session(11, 60), path)
    screen = HistoryScreen(today=TODAY)
    app = HistoryApp(screen)
    app.history_path = path  # type: ignore[attr-defined]
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.query_one("#history-table", DataTable).row_count == 1


def test_day_chart_scales_bars_and_dates_to_the_width() -> None:
    minutes = [0.0] * 27 + [10.0, 20.0, 5.0]
    for width in (40, 60, 96, 200):
        lines = chart_lines(minutes, TODAY, width)
        assert len(lines) == 5 and all(len(line) <= width for line in lines)
        bars = [line.split("┤" if i == 0 else "│", 1)[1] for i, line in enumerate(lines[:3])]
        per_day = len(bars[0]) // 30
        assert per_day == max(1, min(3, (width - 9) // 30))
        # The biggest day fills every row; a day with any practice shows at least a sliver.
        column = [row[28 * per_day] for row in bars]
        assert column == ["█", "█", "█"]
        assert [row[29 * per_day] for row in bars][2] != " "
        assert all(row[:27 * per_day].strip() == "" for row in bars)
        assert lines[4].split()[-2:] == ["Mar", "11"]
    # Nothing done: a flat chart at 0, never a division by zero.
    flat = chart_lines([0.0] * 30, TODAY, 80)
    assert flat[0].lstrip().startswith("0 min ┤") and "┴" not in flat[3]


def test_every_kind_of_damaged_line_is_skipped_on_h(tmp_path: Path) -> None:
    """Issue 12 class 5 re-audit: the lines that took the TUI down on `h` (NaN, Infinity,
    1e400, nesting 100,000 deep, …) are each skipped by number; the file is kept as it was."""
    asyncio.run(_every_kind_of_damaged_line_is_skipped_on_h(tmp_path))


async def _every_kind_of_damaged_line_is_skipped_on_h(tmp_path: Path) -> None:
    from test_history_damage import BAD_LINES

    path = tmp_path / "h.jsonl"
    append_record(session(10, 600), path)
    with path.open("ab") as f:
        f.write(b"\n".join(BAD_LINES) + b"\n")
    append_record(session(11, 600), path)
    before = path.read_bytes()
    screen = HistoryScreen(path=path, today=TODAY)
    app = HistoryApp(screen)
    async with app.run_test() as pilot:
        await asyncio.wait_for(app.workers.wait_for_complete(), 30)
        await pilot.pause()
        assert screen.query_one("#history-table", DataTable).row_count == 2
        assert screen.warnings == [f"{path}:{n}: warning: skipped a damaged line"
                                   for n in range(2, 2 + len(BAD_LINES))]
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_history_that_is_not_a_file_is_shown_in_bounded_time(tmp_path: Path,
                                                               kind: str) -> None:
    asyncio.run(_not_a_file_is_shown(tmp_path, kind))


async def _not_a_file_is_shown(tmp_path: Path, kind: str) -> None:
    import os

    path = tmp_path / "history.jsonl"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    screen = HistoryScreen(path=path, today=TODAY)
    app = HistoryApp(screen)
    async with app.run_test() as pilot:
        # Never a blocked or endless read: the worker is done well within the bound.
        await asyncio.wait_for(app.workers.wait_for_complete(), 30)
        await pilot.pause()
        status = str(screen.query_one("#history-status", Static).render())
        assert status.startswith("cannot read ") and "not a regular file" in status, status
