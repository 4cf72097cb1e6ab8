"""Snapshot tests (pytest-textual-snapshot) of every screen, on a fake clock so they are stable.

Update after a deliberate change with `pytest tests/test_tui_snapshots.py --snapshot-update`,
then look at the SVGs in tests/__snapshots__/ before committing them.
"""

from __future__ import annotations

from typing import Awaitable, Callable

from snapshot_app import CALVES, WALL, picker_app, player_app
from textual.pilot import Pilot

from player.clock import FakeClock


def play_for(clock: FakeClock, seconds: float, *keys: str,
             pain: str = "") -> Callable[[Pilot], Awaitable[None]]:
    """Start the player (answering the start dialog), run `seconds`, then press `keys`."""

    async def run_before(pilot: Pilot) -> None:
        await pilot.pause()
        await pilot.press(*pain, "enter")
        await pilot.pause()
        clock.advance(seconds)
        pilot.app.screen.tick()
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    return run_before


def test_picker(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(picker_app(), terminal_size=(80, 24))


def test_picker_wide_filtered(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(picker_app(), press=["slash", *"neck"], terminal_size=(120, 30))


def test_picker_narrow(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(picker_app(), terminal_size=(60, 18))


def test_problems(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(picker_app(), press=["down", "down", "down", "enter"])


def test_start_dialog(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(player_app(clock=FakeClock()))


def test_player_lead_in(snap_compare) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 2))


def test_player_running(snap_compare) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 13))


def test_player_switch(snap_compare) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 36))


def test_player_paused(snap_compare) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 13, "space"))


def test_player_small_terminal(snap_compare) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 13),
                        terminal_size=(60, 18))


def test_player_long_instructions(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # The lead-in, when the whole text is read: every line of it at 80×24.
    clock = FakeClock()
    assert snap_compare(player_app(WALL, clock=clock), run_before=play_for(clock, 3),
                        terminal_size=(80, 24))


def test_player_long_instructions_scroll(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # Too small for all of it: the instructions scroll and say so.
    clock = FakeClock()
    assert snap_compare(player_app(WALL, clock=clock), run_before=play_for(clock, 3),
                        terminal_size=(60, 18))


def test_help(snap_compare) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(picker_app(), press=["question_mark"], terminal_size=(80, 24))


def test_end_session_prompt(snap_compare) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 13, "q"))


def test_summary(snap_compare) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    assert snap_compare(player_app(CALVES, clock=clock),
                        run_before=play_for(clock, 200, pain="5"))


def test_floor_view_80x24(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # f: only the countdown, the step and the side, as large as the terminal allows.
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 13, "f"),
                        terminal_size=(80, 24))


def test_floor_view_200x60(snap_compare) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 13, "f"),
                        terminal_size=(200, 60))


def test_player_200x60(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # The countdown takes the rows the instructions do not need.
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 13),
                        terminal_size=(200, 60))


def test_player_final_seconds(snap_compare) -> None:  # type: ignore[no-untyped-def]
    # Two seconds left of the work: the countdown is emphasised.
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 33),
                        terminal_size=(80, 24))


def test_player_final_seconds_no_color(snap_compare, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Without colour the last seconds still stand out: the digits in reverse video.
    monkeypatch.setenv("NO_COLOR", "1")
    clock = FakeClock()
    assert snap_compare(player_app(clock=clock), run_before=play_for(clock, 33),
                        terminal_size=(80, 24))
