"""The TUI runs on the engine's deadlines: one timer to the next due moment, no fixed beat.

The next wake is the engine's next deadline or the next whole-second change of a figure on
screen, whichever is first; none while paused. With the real clock the screen moves on its
own (no test calls `tick()`), and a time bar repaints only when the cells it draws change.
"""

from __future__ import annotations

import time

import pytest
from snapshot_app import DESK, player_app, sync
from textual.app import App, ComposeResult
from textual.timer import Timer

from player.clock import FakeClock, MonotonicClock
from player.routine import Routine, Step
from player.session import Session
from player.timeline import expand
from player.tui.screens.dialogs import StartScreen
from player.tui.screens.player_screen import SETTLE, PlayerScreen
from player.tui.widgets.meters import TimeBar


def test_the_next_wake_is_the_next_whole_second_shown() -> None:
    clock = FakeClock()
    session = Session(expand(DESK), clock=clock)
    session.start()  # lead-in 5 s: 00:05 on screen, 00:04 one second later
    assert PlayerScreen._next_wake(session) == pytest.approx(clock.now() + 1.0 + SETTLE)
    clock.advance(0.3)
    session.poll()
    assert PlayerScreen._next_wake(session) == pytest.approx(clock.now() + 0.7 + SETTLE)
    session.pause()
    assert PlayerScreen._next_wake(session) is None  # nothing changes while paused
    session.resume()
    session.stop()
    assert PlayerScreen._next_wake(session) is None


def test_a_deadline_before_the_next_shown_second_wins_and_speed_scales() -> None:
    # A 2.5 s lead-in: its countdown cue "2" is due at 0.5 s, as the figure turns 00:02.
    routine = Routine(id="r", name="R", steps=(
        Step("stretch", "calves", None, 20.0, lead_in=2.5),))
    clock = FakeClock()
    session = Session(expand(routine), clock=clock)
    session.start()
    deadline = session.next_deadline()
    assert deadline == pytest.approx(clock.now() + 0.5)
    assert PlayerScreen._next_wake(session) == deadline
    fast = Session(expand(DESK), clock=clock, speed=4.0)
    fast.start()
    assert PlayerScreen._next_wake(fast) == pytest.approx(clock.now() + 0.25 + SETTLE)


def textual_timers(screen: PlayerScreen) -> list[Timer]:
    """The screen's live Textual timers but Textual's own repaint scheduler."""
    return [t for t in screen._timers if t._task is not None and not t._task.done()
            and t.name != "screen_update"]


def armed(screen: PlayerScreen) -> bool:
    handle = screen._timer
    return handle is not None and not handle.cancelled()


@sync
async def test_one_one_shot_timer_while_playing_and_none_while_paused() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press("enter")
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        assert armed(player)
        assert textual_timers(player) == []  # no interval: one wake-up, on the loop
        await pilot.press("space")
        await pilot.pause()
        assert player.session.state == "paused"
        assert not armed(player)
        await pilot.press("space")
        await pilot.pause()
        assert armed(player)


@sync
async def test_a_wake_up_already_due_still_fires() -> None:
    """A tick that runs late (a loaded machine) finds its next moment already past: the
    wake-up set for 0 s must still come (Textual's set_timer would skip it and end the chain)."""
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        assert player.session.state == "lead_in"
        clock.advance(6)  # past the lead-in's end, nobody polled
        player._arm()  # the next deadline is behind us: a wake-up in 0 s
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and player.session.state == "lead_in":
            await pilot.pause(0.01)
        assert player.session.state == "work"


@sync
async def test_with_the_real_clock_the_screen_moves_on_its_own() -> None:
    app = player_app(clock=MonotonicClock(), speed=10.0)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        player = app.screen
        assert isinstance(player, PlayerScreen)
        seen = set()
        deadline = time.monotonic() + 30  # generous: a loaded machine
        while time.monotonic() < deadline and player.session.current is not None and (
                player.session.current.index < 2):
            seen.add(str(player.query_one("#countdown").text))  # type: ignore[attr-defined]
            await pilot.pause(0.02)
        # Into the switch (5 s lead-in + 30 s work at x10) without anyone calling tick().
        assert player.session.current is not None and player.session.current.index >= 2
        assert len(seen) >= 3, seen  # the countdown was redrawn as it went


class BarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield TimeBar("Step", id="bar")


@sync
async def test_a_time_bar_repaints_only_when_its_cells_change() -> None:
    app = BarApp()
    async with app.run_test(size=(40, 3)) as pilot:
        bar = app.query_one(TimeBar)
        bar.set_progress(0.0, 300.0)
        await pilot.pause()
        repaints: list[object] = []
        original = bar.refresh

        def counting(*args: object, **kwargs: object) -> object:
            repaints.append(args)
            return original(*args, **kwargs)  # type: ignore[arg-type]

        bar.refresh = counting  # type: ignore[method-assign]
        # 40 cells less the label and "  05:00 left": 20 cells for 300 s, 15 s a cell; the time
        # text turns each second, so a repaint is due only when one of them does.
        bar.set_progress(0.2, 300.0)  # 04:59.8 shows 05:00 still, no cell filled
        assert repaints == []
        bar.set_progress(1.0, 300.0)  # 04:59
        assert len(repaints) == 1
        bar.set_progress(1.5, 300.0)  # still 04:59, still no cell
        assert len(repaints) == 1
