"""Tests for "Where does it hurt?" (`w` in the picker): keys, mouse clicks, play, save, snapshots.

The screen composes from the real building blocks in routines/compose/, so its snapshots change
when the blocks do (update them with --snapshot-update and look at the SVGs).
"""

from __future__ import annotations

from pathlib import Path

from snapshot_app import picker_app, sync
from textual.pilot import Pilot

from player.clock import FakeClock
from player.loader import check_file
from player.timeline import expand
from player.tui.app import make_app
from player.tui.screens.compose_screen import ComposeScreen, RegionMap
from player.tui.screens.picker import PickerScreen
from player.tui.widgets.body_map import BACK, FRONT, WIDTH


def real_picker():  # type: ignore[no-untyped-def]
    """The picker over the real library (built-ins plus the test's UNKNOT_HOME)."""
    return make_app(clock=FakeClock(), sound="off", voice=False, first_run_notice=False)


async def open_compose(pilot: Pilot) -> ComposeScreen:
    await pilot.pause()
    await pilot.press("w")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    return screen


def cell_of(region_code: str, figure: int, map_: RegionMap) -> tuple[int, int]:
    """Widget offset of the first cell drawn with `region_code` on a figure (0 front, 1 back),
    worked out from the body map's grids and the widget's scale, not from region_at."""
    sx, sy, margin, top = map_.scale()
    grid = (FRONT, BACK)[figure]
    for row, line in enumerate(grid):
        column = line.find(region_code)
        if column >= 0:
            start = margin + (figure * (WIDTH * sx + 4))
            return start + column * sx, top + 1 + row * sy
    raise AssertionError(region_code)


@sync
async def test_keyboard_selection_then_play() -> None:
    app = picker_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_compose(pilot)
        map_ = screen.query_one(RegionMap)
        assert map_.has_focus
        # Down walks the regions head to feet, naming each as it is focused.
        seen = []
        for _ in range(40):
            if map_.focused == "calves":
                break
            await pilot.press("down")
            seen.append(map_.focused)
        assert map_.focused == "calves" and "upper-trapezius" in seen
        assert "Calves" in map_.caption()
        await pilot.press("space", "down", "space")  # calves and feet
        await pilot.press("plus", "plus")
        await pilot.pause()
        assert map_.chosen == {"calves", "feet"} and screen.minutes == 12
        # Tab to the roller and switch it on with space.
        await pilot.press("tab", "tab", "space")
        await pilot.pause()
        assert screen.equipment() == ["roller"]
        composition = screen.composition
        assert composition is not None
        assert 0.9 * 720 <= expand(composition.routine).total <= 1.1 * 720
        assert any(s.technique == "foam-roll" for s in composition.routine.steps)
        preview = "\n".join(str(w.render()) for w in screen.query("#cs-steps"))
        assert "Calves" in preview and "Foam roll" in preview
        await pilot.press("enter")
        await pilot.pause()
        from player.tui.screens.dialogs import StartScreen
        from player.tui.screens.player_screen import PlayerScreen

        assert isinstance(app.screen, (StartScreen, PlayerScreen))
        assert any(isinstance(s, PlayerScreen) and s.routine.name == composition.routine.name
                   for s in app.screen_stack)


@sync
async def test_mouse_clicks_on_the_map_then_save(unknot_home: Path) -> None:
    app = real_picker()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_compose(pilot)
        map_ = screen.query_one(RegionMap)
        # Calves on the back figure ('c'), the jaw on the front one ('J').
        await pilot.click("#cs-map", offset=cell_of("c", 1, map_))
        await pilot.click("#cs-map", offset=cell_of("J", 0, map_))
        await pilot.pause()
        assert map_.chosen == {"calves", "jaw"}
        # A second click on the jaw takes it away again.
        await pilot.click("#cs-map", offset=cell_of("J", 0, map_))
        await pilot.click("#cs-kit-ball")
        await pilot.pause()
        assert map_.chosen == {"calves"} and screen.equipment() == ["ball"]
        # The back of the knee is a danger zone: clicking it chooses nothing and says why.
        await pilot.click("#cs-map", offset=cell_of("E", 1, map_))
        await pilot.pause()
        assert map_.chosen == {"calves"} and "danger zone" in map_.caption()
        await pilot.press("s")
        await pilot.pause()
        saved = screen.saved
        assert saved is not None and saved.parent == unknot_home / "routines"
        routine, problems = check_file(saved)
        assert routine is not None and problems == []
        assert any(s.tool == "massage ball" for s in routine.steps)
        await pilot.press("escape")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        highlighted = picker.highlighted()
        assert highlighted is not None and Path(highlighted.path) == saved
        assert highlighted.source == "user"


@sync
async def test_nothing_chosen_or_impossible_says_so_and_plays_nothing() -> None:
    app = picker_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_compose(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen
        # Every region there is, in 3 minutes: too short, one line on screen.
        map_ = screen.query_one(RegionMap)
        map_.chosen = frozenset(map_.regions[:8])
        screen.minutes = 3
        screen.refresh_preview()
        await pilot.pause()
        assert screen.composition is None and "too short" in screen.problem
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is screen


def _choose(keys: list[str]):  # type: ignore[no-untyped-def]
    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        map_ = pilot.app.screen.query_one(RegionMap)
        for rid in ("calves", "feet"):
            map_.focused = rid
            map_.action_choose()
        await pilot.press(*keys)
        await pilot.pause()

    return run_before


def test_snapshot_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(picker_app(), terminal_size=(80, 24),
                        run_before=_choose(["tab", "tab", "space", "shift+tab", "shift+tab"]))


def test_snapshot_120x40(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(picker_app(), terminal_size=(120, 40),
                        run_before=_choose(["minus", "minus", "tab", "space"]))


@sync
async def test_regions_rated_painful_last_week_start_chosen(unknot_home: Path) -> None:
    import json
    import time
    from datetime import datetime, timedelta

    now = datetime.now().astimezone()
    old = (now - timedelta(days=9)).isoformat()
    recent = (now - timedelta(days=2)).isoformat()
    lines = [
        {"routine": "a", "started": old, "active_seconds": 300.0,
         "region_pain": {"hamstrings": {"before": 8, "after": 7}}},
        {"routine": "b", "started": recent, "active_seconds": 300.0,
         "region_pain": {"calves": {"before": 6, "after": 5}, "neck": {"before": 2}}},
    ]
    (unknot_home / "history.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    app = picker_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_compose(pilot)
        map_ = screen.query_one(RegionMap)
        deadline = time.monotonic() + 30
        while not map_.chosen and time.monotonic() < deadline:
            await pilot.pause(0.05)
        assert map_.chosen == {"calves"}
        assert screen.composition is not None
        assert {s.region for s in screen.composition.routine.steps} == {"calves"}
