"""Pilot tests of the picker: every key, the filter, the preview, broken files, first run."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from snapshot_app import CALVES, DESK, picker_app, sync
from textual.geometry import Region
from textual.widgets import DataTable, Input

from player.scaffold import editor_command
from player.tui.app import NOTICE_MARKER
from player.tui.screens.dialogs import (
    HelpScreen,
    NameScreen,
    NoticeScreen,
    ProblemsScreen,
    StartScreen,
)
from player.tui.screens.picker import PickerScreen

GOOD_YAML = """\
name: Evening hips
summary: Glutes and hip flexors before bed.
tags: [evening]
steps:
  - technique: ball-roll
    region: glutes
    side: each
    duration: 45s
"""


def toasts(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(toast.render()) for toast in app.screen.query("Toast")]


def rows(app) -> list[str]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


@sync
async def test_lists_every_routine_and_a_broken_file_with_its_first_error() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert rows(app) == ["Desk neck & shoulders", "Evening calves", "Jaw & temples",
                             "broken"]
        table = app.screen.query_one(DataTable)
        broken = [str(cell) for cell in table.get_row_at(3)]
        assert any(cell.startswith("⚠ unknown") for cell in broken)
        desk = [str(cell) for cell in table.get_row_at(0)]
        assert desk[1] == "4"  # 250 s
        assert "built-in" in desk
        # Wide enough, the equipment column joins in.
        await pilot.resize_terminal(140, 30)
        await pilot.pause()
        desk = [str(cell) for cell in table.get_row_at(0)]
        assert "massage ball, wall" in desk and "built-in" in desk


@sync
async def test_preview_shows_summary_caution_steps_and_total() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert str(screen.query_one("#pv-name").content) == DESK.name
        assert "neck injury" in str(screen.query_one("#pv-caution").content)
        widget = screen.query_one("#pv-steps")
        steps = [strip.text.rstrip()
                 for strip in widget.render_lines(Region(0, 0, *widget.size))]
        assert widget.size.width == 37
        assert steps == [
            " 1. Effleurage · Upper trapezius ·",
            "    each · 30 s",
            " 2. Trigger point · Upper trapezius ·",
            "    each · 2×20 s",
            " 3. Stretch · Levator scapulae ·",
            "    each · 30 s",
        ]
        assert str(screen.query_one("#pv-total").content) == "Total 4 min 10 s"
        await pilot.press("down")
        assert str(screen.query_one("#pv-name").content) == CALVES.name
        assert not screen.query_one("#pv-caution").display


@pytest.mark.parametrize(("typed", "expected"), [
    ("calv", ["Evening calves"]),            # region
    ("evening", ["Evening calves"]),         # tag
    ("jaw", ["Jaw & temples"]),              # name and region
    ("upper trap", ["Desk neck & shoulders"]),  # region display name, two words
    ("zzz", []),
])
@sync
async def test_slash_filters_by_name_tag_and_region(typed: str, expected: list[str]) -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("slash")
        assert isinstance(app.focused, Input)
        await pilot.press(*typed)
        await pilot.pause()
        assert rows(app) == expected
        await pilot.press("escape")
        assert isinstance(app.focused, DataTable)


@sync
async def test_enter_in_the_filter_plays_the_highlighted_routine() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"calves", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert app.screen.routine is CALVES
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


@sync
async def test_enter_with_nothing_matching_says_so() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"zzz", "enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert any("no routine matches" in t for t in toasts(app))


@sync
async def test_picking_a_broken_file_shows_all_its_problems() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        text = [str(s.content) for s in app.screen.query("#problems-list Static")]
        assert any("kneedling" in t for t in text)
        assert any("cannot read duration 'soon'" in t for t in text)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


@sync
async def test_e_on_a_built_in_routine_explains_it_is_read_only() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert any("read-only" in t and "press c" in t for t in toasts(app))


@sync
async def test_c_copies_a_built_in_into_the_user_folder_and_selects_the_copy(
        unknot_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "true")
    app = picker_app(library=None)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        table = screen.query_one(DataTable)
        row = next(i for i, index in enumerate(screen.shown)
                   if screen.entries[index].id == "jaw-temples")
        table.move_cursor(row=row)
        await pilot.pause()
        original = Path(screen.highlighted().path)
        assert screen.highlighted().source == "built-in"
        await pilot.press("c")
        await pilot.pause()
        copy = unknot_home / "routines" / "jaw-temples.yaml"
        assert copy.read_bytes() == original.read_bytes()
        # The copy takes the built-in's place in the list, and is the one selected.
        chosen = screen.highlighted()
        assert (chosen.id, chosen.source, Path(chosen.path)) == ("jaw-temples", "user", copy)
        assert [screen.entries[i].id for i in screen.shown].count("jaw-temples") == 1
        # The editor could not run under the test's headless driver: the message says where.
        assert any("Copied to" in t for t in toasts(app))
        assert any(str(copy) in t and "press r" in t for t in toasts(app))
        # c on the copy (a user routine) points at e; the copy is never overwritten.
        copy.write_text(copy.read_text() + "# mine\n")
        await pilot.press("c")
        await pilot.pause()
        assert any("press e" in t for t in toasts(app))
        assert copy.read_text().endswith("# mine\n")


@sync
async def test_a_routine_made_under_a_filter_is_shown_and_selected(
        unknot_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", "true")
    app = picker_app(library=None)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"calves", "escape")
        await pilot.pause()
        assert "Evening hips" not in rows(app)
        await pilot.press("n", *"Evening hips", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        assert screen.query_one("#filter", Input).value == ""
        assert screen.highlighted().id == "evening-hips"
        assert "Evening hips" in rows(app) and len(rows(app)) > 1
        assert any("Cleared the filter 'calves'" in t for t in toasts(app))
        # A filter that shows the new routine is kept.
        await pilot.press("slash", *"mine", "escape", "n", *"Mine too", "enter")
        await pilot.pause()
        assert screen.query_one("#filter", Input).value == "mine"
        assert screen.highlighted().id == "mine-too"


def footer_keys(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [key.key_display for key in app.screen.query("FooterKey")]


@sync
async def test_the_footer_keeps_q_and_help_when_it_is_narrow() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert footer_keys(app) == ["/", "e", "n", "c", "r", "h", "w", "?", "q"]
        for width in (60, 40, 20):
            await pilot.resize_terminal(width, 20)
            await pilot.pause()
            await pilot.pause()
            keys = footer_keys(app)
            assert "q" in keys, (width, keys)
            footer = app.screen.query_one("FittingFooter")
            used = sum(key.region.width for key in app.screen.query("FooterKey"))
            assert used <= footer.region.width, (width, keys)
            last = list(app.screen.query("FooterKey"))[-1]
            assert last.region.right <= width
        assert footer_keys(app)[-1] == "q"
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        await pilot.pause()
        # At 60 columns the lowest-ranked keys go (help lists them all).
        assert footer_keys(app) == ["/", "e", "n", "w", "?", "q"]


@sync
async def test_help_at_60x20_shows_every_key_in_columns_that_never_touch() -> None:
    from player.tui.screens.dialogs import PICKER_KEYS, PLAYER_KEYS

    app = picker_app()
    async with app.run_test(size=(60, 20), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HelpScreen)
        left, right = screen.query_one("#help-picker"), screen.query_one("#help-player")
        assert left.region.right < right.region.x
        scroll = screen.query_one("#help-scroll")
        assert scroll.max_scroll_y == 0  # all of it on screen, nothing to scroll to
        for column, keys in ((left, PICKER_KEYS), (right, PLAYER_KEYS)):
            assert column.region.bottom <= 20 and column.region.right <= 60
            text = "\n".join(strip.text for strip in column.render_lines(
                Region(0, 0, *column.size)))
            for key, does in keys:
                assert key in text and does.split()[0] in text, (key, text)


@sync
async def test_e_where_the_terminal_cannot_be_suspended_says_what_to_do() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("down", "e")  # Evening calves, a user routine
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert any("evening-calves.yaml" in t and "press r" in t for t in toasts(app))


def test_editor_command_takes_visual_then_editor_as_argument_lists(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EDITOR", "true --wait")
    monkeypatch.delenv("VISUAL", raising=False)
    assert editor_command() == ["true", "--wait"]
    monkeypatch.setenv("VISUAL", "false -R")
    assert editor_command() == ["false", "-R"]


@sync
async def test_n_writes_a_starter_routine_and_lists_it(unknot_home: Path) -> None:
    app = picker_app(library=None)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        before = len(rows(app))
        await pilot.press("n")
        assert isinstance(app.screen, NameScreen)
        await pilot.press(*"Evening hips", "enter")
        await pilot.pause()
        target = unknot_home / "routines" / "evening-hips.yaml"
        assert target.is_file()
        assert isinstance(app.screen, PickerScreen)
        assert len(rows(app)) == before + 1
        # The same name again is refused in one line, never overwritten.
        content = target.read_text()
        await pilot.press("n", *"Evening hips", "enter")
        await pilot.pause()
        assert any("already exists" in t for t in toasts(app))
        assert target.read_text() == content


@sync
async def test_n_then_escape_writes_nothing(unknot_home: Path) -> None:
    app = picker_app(library=None)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("n", "escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert not (unknot_home / "routines").exists()


@sync
async def test_r_reloads_the_library(unknot_home: Path) -> None:
    app = picker_app(library=None)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        before = rows(app)
        assert "Evening hips" not in before
        folder = unknot_home / "routines"
        folder.mkdir()
        (folder / "evening-hips.yaml").write_text(GOOD_YAML)
        await pilot.press("r")
        await pilot.pause()
        assert "Evening hips" in rows(app)
        assert len(rows(app)) == len(before) + 1


@sync
async def test_h_opens_the_history_and_escape_comes_back() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("h")
        await pilot.pause()
        assert type(app.screen).__name__ == "HistoryScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


@sync
async def test_question_mark_shows_help() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


@sync
async def test_q_quits_with_exit_0() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
    assert app.return_code == 0


@sync
async def test_first_run_notice_is_shown_once(unknot_home: Path) -> None:
    app = picker_app(first_run_notice=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, NoticeScreen)
        assert "not medical advice" in str(app.screen.query_one("#notice-text").content)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
    assert (unknot_home / NOTICE_MARKER).exists()
    again = picker_app(first_run_notice=None)
    async with again.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(again.screen, PickerScreen)


NASTY_FILES = {
    "tabs.yaml": "name: x\nsteps:\n\t- technique: rest\n",
    "binary.yaml": b"\xff\xfe\x00\x01name: \x80\n",
    "list.yaml": "- just\n- a list\n",
    "empty.yaml": "",
    "deep.yaml": "name: " + "[" * 200 + "]" * 200 + "\nsteps: []\n",
    "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                 "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c]\n",
    "tagged.yaml": "name: !!python/object:os.system x\nsteps: []\n",
    "unknown-technique.yaml": "name: Bad\nsteps:\n  - technique: kneedling\n"
                              "    region: calves\n    duration: 30s\n",
    "zero.yaml": "name: Zero\nsteps:\n  - technique: rest\n    duration: 0\n",
}


@sync
async def test_nothing_a_user_writes_crashes_the_picker(unknot_home: Path) -> None:
    folder = unknot_home / "routines"
    folder.mkdir()
    for name, content in NASTY_FILES.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    app = picker_app(library=None)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        listed = rows(app)
        for name in NASTY_FILES:
            assert Path(name).stem in listed
        # Choose each of them: problems are shown, nothing raises.
        table = app.screen.query_one(DataTable)
        for row, label in enumerate(listed):
            if Path(label + ".yaml").name not in NASTY_FILES:
                continue
            table.move_cursor(row=row)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ProblemsScreen), label
            await pilot.press("escape")
            await pilot.pause()
    assert app.return_code in (None, 0)


@sync
async def test_narrow_terminal_hides_the_preview_and_keeps_the_table() -> None:
    app = picker_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert app.screen.query_one("#preview").region.width > 0
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert app.screen.query_one("#preview").region.width == 0
        assert app.screen.query_one(DataTable).region.width == 60
        assert rows(app)[0] == "Desk neck & shoulders"


def test_tui_is_not_imported_by_the_cli_module() -> None:
    import subprocess
    import sys

    code = "import sys, player.cli; print('textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ}, check=True)
    assert out.stdout.strip() == "False"


def test_without_a_terminal_the_tui_says_so_in_one_line(unknot_home: Path) -> None:
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "player", "--no-sound"], capture_output=True,
                         text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "unknot: error: the TUI needs a terminal: try 'unknot list' or "
        "'unknot play ROUTINE --headless'"]
    assert "Traceback" not in out.stderr


def test_preview_steps_break_between_parts_only() -> None:
    from player.tui.widgets.step_list import wrap_parts

    parts = ["Ball roll", "Feet", "each", "1 min 30 s"]
    assert wrap_parts(" 2. ", parts, 40) == [" 2. Ball roll · Feet · each · 1 min 30 s"]
    assert wrap_parts(" 2. ", parts, 30) == [" 2. Ball roll · Feet · each ·", "    1 min 30 s"]
    assert wrap_parts(" 2. ", parts, 17) == [" 2. Ball roll ·", "    Feet · each ·",
                                              "    1 min 30 s"]
    assert all(len(line) <= 17 for line in wrap_parts(" 2. ", parts, 17))


@sync
async def test_the_built_in_library_is_listed_by_name_not_by_file_name(unknot_home: Path
                                                                       ) -> None:
    # discover() gives folder then file-name order (the user folder first, and
    # "plantar-first-steps.yaml" is "In-bed first steps"): the list follows the names shown.
    from player.library import discover

    (unknot_home / "routines").mkdir(parents=True, exist_ok=True)
    (unknot_home / "routines" / "aaa-zz.yaml").write_text(GOOD_YAML.replace(
        "Evening hips", "Zz last by name"), encoding="utf-8")
    app = picker_app(library=discover)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        names = rows(app)
        assert names == sorted(names, key=str.casefold)
        assert names.index("In-bed first steps") < names.index("Low back care")
        assert names[-1] == "Zz last by name"
