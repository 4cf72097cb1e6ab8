"""The picker with an active program: today's routine is listed first and marked, the preview
says which day of which program it is, and without a program nothing changes."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest
from snapshot_app import DESK, JAW, entries, picker_app, sync
from textual.widgets import DataTable, Static

from player import history, programs
from player.library import Entry
from player.programs import State, write_state
from player.tui.screens.picker import TODAY_MARK

START = date(2026, 3, 2)
#: desk-week's day 2 is forearms-typists: stand it in with a fixed routine under that id.
FOREARMS = Entry("forearms-typists", Path("/routines/forearms-typists.yaml"), "built-in",
                 dataclasses.replace(JAW, id="forearms-typists", name="Forearms for typists"))


def library() -> list[Entry]:
    return [*entries(), FOREARMS]


def names(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


@pytest.fixture
def day_two(unknot_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """desk-week started yesterday and yesterday's session done: today is day 2."""
    monkeypatch.setattr(programs, "local_today", lambda: date(2026, 3, 3))
    write_state(State("desk-week", START))
    history.append_record({"routine": "desk-neck-shoulders", "name": "Desk",
                           "started": "2026-03-02T18:00:00+01:00",
                           "ended": "2026-03-02T18:10:00+01:00", "completed": True,
                           "active_seconds": 600.0, "steps_done": 5, "steps_skipped": 0,
                           "pain_before": None, "pain_after": None})


@sync
async def test_todays_routine_comes_first_and_marked(day_two: None) -> None:
    app = picker_app(library=library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = names(app)
        assert shown[0] == TODAY_MARK + "Forearms for typists"
        assert sum(name.startswith(TODAY_MARK) for name in shown) == 1
        meta = str(app.screen.query_one("#pv-meta", Static).render())
        assert "Today in A desk worker's five days: day 2 of 5" in meta
        assert "(done)" not in meta
        # Moving to another routine: no mark in its preview.
        await pilot.press("down")
        await pilot.pause()
        assert "Today in" not in str(app.screen.query_one("#pv-meta", Static).render())


@sync
async def test_without_a_program_the_library_order_is_kept(unknot_home: Path) -> None:
    app = picker_app(library=library)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        shown = names(app)
        assert not any(name.startswith(TODAY_MARK) for name in shown)
        assert shown[0] == DESK.name


def test_a_program_not_yet_started_or_a_damaged_state_marks_nothing(unknot_home: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    write_state(State("desk-week", START))
    monkeypatch.setattr(programs, "local_today", lambda: date(2026, 3, 2))
    mark = programs.todays_routine()
    assert mark is not None and (mark.routine, mark.day, mark.of) == ("desk-neck-shoulders", 1, 5)
    monkeypatch.setattr(programs, "local_today", lambda: date(2025, 1, 1))  # not started yet
    assert programs.todays_routine() is None
    (unknot_home / "program.json").write_bytes(b"{damaged")
    assert programs.todays_routine() is None  # quiet: the picker never warns or raises
