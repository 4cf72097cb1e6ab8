"""Pilot tests of the player, the start and end dialogs and the summary, on a fake clock.

Time only moves when a test advances the FakeClock; `PlayerScreen.tick()` then does what the
10 Hz interval does (poll the engine, redraw), so every assertion is exact.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import AsyncIterator

import pytest
from snapshot_app import CALVES, DESK, picker_app, player_app, sync
from textual.pilot import Pilot
from textual.widgets import Input

from player.clock import FakeClock
from player.control import Command
from player.tui.screens.dialogs import ConfirmEndScreen, StartScreen
from player.tui.screens.picker import PickerScreen
from player.tui.screens.player_screen import PlayerScreen
from player.tui.screens.summary import SummaryScreen
from player.tui.widgets.body_map import BodyMap
from player.tui.widgets.countdown import Countdown, font_for, mark_final

# DESK's timeline: step 1 lead-in 0–5, left 5–35, switch 35–40, right 40–70; step 2 lead-in
# 70–75, left 75–95, rest 95–105, left 105–125, switch 125–130 …; step 3 ends at 250.
TOTAL = 250.0


def shown(screen: PlayerScreen, selector: str) -> str:
    return str(screen.query_one(selector).content)


def countdown(screen: PlayerScreen) -> str:
    return screen.query_one("#countdown", Countdown).text


async def started(pilot, pain: str = "") -> PlayerScreen:  # type: ignore[no-untyped-def]
    """Answer the start dialog (optionally with a pain rating) and return the player."""
    app = pilot.app
    await pilot.pause()
    assert isinstance(app.screen, StartScreen)
    if pain:
        await pilot.press(*pain)
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(app.screen, PlayerScreen)
    return app.screen


async def advance(pilot, clock: FakeClock, seconds: float) -> None:  # type: ignore[no-untyped-def]
    clock.advance(seconds)
    pilot.app.screen.tick()
    await pilot.pause()


def history(home: Path) -> list[dict[str, object]]:
    path = home / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@sync
async def test_start_dialog_shows_caution_and_waits() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        assert "neck injury" in str(start.query_one("#start-caution").content)
        player = app.screen_stack[-2]
        assert isinstance(player, PlayerScreen)
        # Nothing runs before the start: the clock moves, the session does not.
        clock.advance(30)
        player.tick()
        assert player.session.state == "ready"
        assert countdown(player) == "00:05"


@sync
async def test_lead_in_then_work_counts_down_from_the_clock() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        assert player.session.state == "lead_in"
        assert shown(player, "#banner") == "Get into position"
        assert shown(player, "#headline") == "Effleurage · Upper trapezius · Left"
        assert shown(player, "#step-of") == "Step 1 of 3"
        assert "Next: Effleurage · Upper trapezius · Left · 30 s" == shown(player, "#next")
        assert countdown(player) == "00:05"
        await advance(pilot, clock, 2.5)
        assert countdown(player) == "00:03"
        await advance(pilot, clock, 2.5 + 10)
        assert player.session.state == "work"
        assert shown(player, "#banner") == "Work"
        assert countdown(player) == "00:20"
        assert player.query_one(BodyMap).body_region == "upper-trapezius"
        assert player.query_one(BodyMap).body_side == "left"
        assert "gliding strokes" in shown(player, "#instructions")


@sync
async def test_switch_is_unmistakable() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 36)
        assert player.session.state == "switch"
        assert shown(player, "#banner") == "Switch sides → right"
        assert player.has_class("-switch")
        assert player.query_one(BodyMap).body_side == "right"


@sync
async def test_space_pauses_and_the_countdown_stops() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 10)
        before = countdown(player)
        await pilot.press("space")
        assert player.session.state == "paused"
        assert shown(player, "#banner").startswith("Paused")
        await advance(pilot, clock, 20)
        assert countdown(player) == before
        await pilot.press("space")
        assert player.session.state == "work"
        await advance(pilot, clock, 5)
        assert countdown(player) != before


@pytest.mark.parametrize("key", ["n", "right"])
@sync
async def test_next_skips_to_the_next_step(key: str) -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 10)
        await pilot.press(key)
        assert player.session.current.step == 2
        assert shown(player, "#step-of") == "Step 2 of 3"
        assert shown(player, "#headline") == "Trigger point · Upper trapezius · Left"


@pytest.mark.parametrize("key", ["p", "left"])
@sync
async def test_back_returns_to_the_previous_step(key: str) -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await pilot.press("n")
        assert player.session.current.step == 2
        await pilot.press(key)
        assert player.session.current.step == 1
        assert shown(player, "#step-of") == "Step 1 of 3"


@sync
async def test_r_restarts_the_step() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 20)
        assert player.session.state == "work"
        await pilot.press("r")
        assert player.session.current.kind == "lead_in"
        assert player.session.current.step == 1
        assert countdown(player) == "00:05"


@sync
async def test_plus_adds_fifteen_seconds() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 10)
        assert countdown(player) == "00:25"
        await pilot.press("plus")
        assert countdown(player) == "00:40"
        assert player.session.routine_remaining() == pytest.approx(TOTAL - 10 + 15)


@sync
async def test_m_mutes_and_unmutes_the_sound() -> None:
    app = player_app()
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.sound is not None
        assert app.sound.muted is False
        assert "Mute" in footer_words(player) and "Unmute" not in footer_words(player)
        await pilot.press("m")
        await pilot.pause()
        assert app.sound.muted is True
        assert shown(player, "#sound-state") == "muted"
        # The footer says what m does now.
        assert "Unmute" in footer_words(player) and "Mute" not in footer_words(player)
        await pilot.press("m")
        await pilot.pause()
        assert app.sound.muted is False
        assert shown(player, "#sound-state") == ""
        assert "Mute" in footer_words(player)


def footer_words(screen: PlayerScreen) -> list[str]:
    return [key.description for key in screen.query("FooterKey")]


@sync
async def test_the_players_footer_keeps_q_end_when_it_is_narrow() -> None:
    """Issue 11: at 60×20 the footer lost `q End`; lower-ranked keys go first, never q."""
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 10)
        wide = footer_words(player)
        assert wide[-1] == "End"
        for width in (60, 40, 30):
            await pilot.resize_terminal(width, 20)
            await advance(pilot, clock, 1)
            keys = list(player.query("FooterKey"))
            assert [key.key_display for key in keys][-1] == "q", (width, footer_words(player))
            assert footer_words(player)[-1] == "End"
            assert all(key.region.right <= width for key in keys), width
        assert len(footer_words(player)) < len(wide)  # something did make way


@pytest.mark.parametrize(("size", "rows"), [((80, 24), 14), ((200, 60), 42)])
@sync
async def test_f_shows_only_the_countdown_step_and_side_as_large_as_it_fits(
        size: tuple[int, int], rows: int) -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=size) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 10)
        normal = player.query_one(Countdown).region.height
        await pilot.press("f")
        await pilot.pause()
        for hidden in ("#instructions", "#pressure", "#step-bar", "#next", "#body-map",
                       "#headline", "#player-top"):
            assert player.query_one(hidden).region.height == 0, hidden
        step = player.query_one("#floor-step")
        assert str(step.content) == "Step 1 of 3 · Effleurage · Upper trapezius · Left"
        clock_widget = player.query_one(Countdown)
        region = clock_widget.region
        assert region.bottom <= size[1] - 1 and region.height > normal
        font = clock_widget.font
        assert font == font_for(clock_widget.text, region.width, region.height)
        assert font.size(clock_widget.text)[1] >= rows
        # It still counts, and the keys still work.
        await advance(pilot, clock, 1)
        assert countdown(player) == "00:24"
        await pilot.press("f")
        await pilot.pause()
        assert player.query_one("#instructions").region.height > 0
        assert player.query_one(Countdown).region.height == normal


@sync
async def test_the_last_seconds_of_a_segment_are_emphasised() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        widget = player.query_one(Countdown)
        assert not widget.has_class("-final")  # lead-in, 5 s left
        await advance(pilot, clock, 2.5)
        assert widget.has_class("-final") and countdown(player) == "00:03"
        await advance(pilot, clock, 3)  # work: 30 s
        assert not widget.has_class("-final")
        await advance(pilot, clock, 27.5)
        assert widget.has_class("-final")
        # Paused: not emphasised (nothing is running out).
        await pilot.press("space")
        await pilot.pause()
        assert not widget.has_class("-final")


@contextlib.asynccontextmanager
async def no_color_player(monkeypatch: pytest.MonkeyPatch, clock: FakeClock
                          ) -> AsyncIterator[tuple[Pilot[int], PlayerScreen]]:
    """The player at 80×24 under NO_COLOR, started."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.no_color
        yield pilot, await started(pilot)


def bars(widget: Countdown) -> list[str]:
    """The first and last two drawn cells of each row of the countdown that draws anything
    (a pixel of the digits is two cells wide, so `█ ` and ` █` are only ever the bars)."""
    strips = widget.render_lines(widget.region.reset_offset)
    rows = [strip.text.strip() for strip in strips]
    return [row[:2] + row[-2:] for row in rows if row]


@sync
async def test_the_last_seconds_show_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    # Under NO_COLOR the warning colour is gone: a bar as tall as the digits on each side.
    clock = FakeClock()
    async with no_color_player(monkeypatch, clock) as (pilot, player):
        widget = player.query_one(Countdown)
        await advance(pilot, clock, 1)  # lead-in, 4 s left
        assert bars(widget) and "█  █" not in bars(widget)
        await advance(pilot, clock, 1.5)
        assert widget.has_class("-final")
        assert set(bars(widget)) == {"█  █"}  # every row of the digits, both sides
        await advance(pilot, clock, 3)  # work: 30 s left, no emphasis
        assert "█  █" not in bars(widget)
        # At 30×12 the digits are 3 rows of box drawing: bars as tall.
        await pilot.resize_terminal(30, 12)
        await advance(pilot, clock, 27.5)
        assert widget.has_class("-final")
        assert bars(widget) == ["█  █"] * 3
    # One row of plain text gets arrows.
    assert mark_final(["00:03"], 5) == ["▶ 00:03 ◀"]


@pytest.mark.parametrize("answer", ["n", "escape"])
@sync
async def test_q_asks_and_n_or_escape_goes_on(answer: str) -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmEndScreen)
        await pilot.press(answer)
        await pilot.pause()
        assert app.screen is player
        assert player.session.state == "lead_in"


@sync
async def test_q_y_ends_and_the_summary_saves_pain(unknot_home: Path) -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot, pain="6")
        await advance(pilot, clock, 40)
        await pilot.press("n")  # step 1 skipped
        await advance(pilot, clock, 5)
        await pilot.press("q", "y")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert str(summary.query_one("#summary-title").content) == "Session ended"
        stats = str(summary.query_one("#summary-stats").content)
        assert "Skipped        1" in stats
        assert "Pain before    6/10" in stats
        assert player.session.state == "done"
        await pilot.press("3", "enter")
        await pilot.pause()
    assert app.return_code == 0
    [record] = history(unknot_home)
    assert record["completed"] is False
    assert record["pain_before"] == 6
    assert record["pain_after"] == 3
    assert record["steps_skipped"] == 1
    assert record["routine"] == DESK.id


@sync
async def test_finishing_shows_well_done_and_escape_saves_without_pain(
        unknot_home: Path) -> None:
    clock = FakeClock()
    app = player_app(CALVES, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await advance(pilot, clock, 200)
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert str(summary.query_one("#summary-title").content) == "Well done"
        assert "Steps done     2 of 2" in str(summary.query_one("#summary-stats").content)
        await pilot.press("escape")
        await pilot.pause()
    [record] = history(unknot_home)
    assert record["completed"] is True
    assert record["pain_before"] is None and record["pain_after"] is None


@sync
async def test_bad_pain_ratings_are_refused_with_one_line() -> None:
    app = player_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("1", "1", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        assert "0" in str(app.screen.query_one("#start-error").content)
        app.screen.query_one("#pain-before", Input).value = ""
        await pilot.press("x", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)


@sync
async def test_escape_at_the_start_leaves_without_a_record(unknot_home: Path) -> None:
    app = player_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_code == 0
    assert history(unknot_home) == []


@sync
async def test_ctrl_c_ends_as_interrupted_with_exit_130(unknot_home: Path) -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await advance(pilot, clock, 12)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 130
    [record] = history(unknot_home)
    assert record["completed"] is False
    assert record["active_seconds"] == pytest.approx(12, abs=0.5)


@sync
async def test_from_the_picker_the_summary_returns_to_the_picker() -> None:
    clock = FakeClock()
    app = picker_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the first row: Desk neck & shoulders
        player = await started(pilot)
        assert player.routine is not None and player.routine.id == DESK.id
        await pilot.press("q", "y")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        # And again: a second session from the same picker.
        await pilot.press("enter")
        await started(pilot)
        await pilot.press("q", "y", "escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("q")
    assert app.return_code == 0


@sync
async def test_resize_mid_step_hides_and_restores_the_body_map() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 10)
        body = player.query_one(BodyMap)
        assert body.display and body.region.width > 0
        await pilot.resize_terminal(60, 16)
        await advance(pilot, clock, 1)
        assert body.region.width == 0
        assert countdown(player) == "00:24"
        assert player.query_one("#countdown").region.height == 3
        await pilot.resize_terminal(120, 40)
        await advance(pilot, clock, 1)
        assert body.region.width > 0
        assert countdown(player) == "00:23"


@sync
async def test_everything_fits_at_80_by_24() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 10)
        screen_region = player.region
        for selector in ("#banner", "#headline", "#countdown", "#instructions", "#pressure",
                         "#step-bar", "#routine-bar", "#next", "#body-map"):
            region = player.query_one(selector).region
            assert region.height > 0, selector
            assert screen_region.contains_region(region), selector
            # Nothing is pushed under the footer.
            assert region.bottom <= 23, selector


@sync
async def test_no_color_keeps_states_readable(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    async with no_color_player(monkeypatch, clock) as (pilot, player):
        await advance(pilot, clock, 36)
        assert shown(player, "#banner") == "Switch sides → right"
        rendered = str(player.query_one(BodyMap).render())
        assert "█" in rendered and "░" in rendered


@sync
async def test_themes_switch_without_trouble() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        for theme in ("textual-light", "nord", "gruvbox", "textual-dark"):
            app.theme = theme
            await advance(pilot, clock, 1)
        assert player.session.state in ("lead_in", "work")


@sync
async def test_routine_ending_under_the_end_prompt_goes_to_the_summary() -> None:
    clock = FakeClock()
    app = picker_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        player = await started(pilot)
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmEndScreen)
        # The prompt pauses the session; a control from outside (MPRIS, the phone) can
        # still move it, and Next from the last step ends it.
        while player.session.state != "done":
            player.playback.command(Command.NEXT)
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert str(app.screen.query_one("#summary-title").content) == "Well done"
        assert not any(isinstance(s, (PlayerScreen, ConfirmEndScreen))
                       for s in app.screen_stack)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)


@sync
async def test_ctrl_c_on_the_summary_still_saves_the_session(unknot_home: Path) -> None:
    clock = FakeClock()
    app = player_app(CALVES, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, pain="4")
        await advance(pilot, clock, 200)
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("ctrl+c")
        await pilot.pause()
    assert app.return_code == 130
    [record] = history(unknot_home)
    assert record["completed"] is True and record["pain_before"] == 4


@sync
async def test_the_footer_says_what_space_does_now() -> None:
    def footer(player: PlayerScreen) -> list[str]:
        # The footer's keys, by CSS type name (their class is not public Textual API).
        return [str(getattr(key, "description", "")) for key in player.query("FooterKey")]

    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        assert "Pause" in footer(player) and "Resume" not in footer(player)
        await pilot.press("space")
        await pilot.pause()
        assert player.session.state == "paused"
        assert "Resume" in footer(player) and "Pause" not in footer(player)
        await pilot.press("space")
        await pilot.pause()
        assert player.session.state != "paused" and "Pause" in footer(player)


def test_a_completed_session_ends_with_a_flash(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bool] = []
    flash = SummaryScreen._flash

    def recording(self: SummaryScreen) -> None:
        flash(self)
        seen.append(self.has_class("-flash"))
        if len(seen) == 2:
            # A loaded machine: the event loop is held for four flashes' time, so the
            # interval misses ticks (Textual skips them and still counts them).
            time.sleep(4 * SummaryScreen.FLASH_SECONDS)

    monkeypatch.setattr(SummaryScreen, "_flash", recording)
    _completed_session_flashes(seen)


@sync
async def _completed_session_flashes(seen: list[bool]) -> None:
    import asyncio

    clock = FakeClock()
    app = player_app(CALVES, clock=clock)
    app.animation_level = "full"
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await advance(pilot, clock, 200)
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        deadline = time.monotonic() + 60
        while summary._flash_steps > 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        # On and off three times, ending off, whatever the load on the machine.
        assert seen == [True, False] * SummaryScreen.FLASHES
        assert not summary.has_class("-flash")
        assert summary._flash_timer is None  # and its timer is gone
    # An ended (not completed) session does not flash, nor does one with animations off.
    for level, keys in (("full", ("q", "y")), ("none", ())):
        clock = FakeClock()
        app = player_app(CALVES, clock=clock)
        app.animation_level = level  # type: ignore[assignment]
        async with app.run_test(size=(80, 24)) as pilot:
            await started(pilot)
            await advance(pilot, clock, 20)
            if keys:
                await pilot.press(*keys)
            else:
                await advance(pilot, clock, 400)
            await pilot.pause()
            assert isinstance(app.screen, SummaryScreen)
            assert app.screen._flash_steps == 0 and not app.screen.has_class("-flash")


@pytest.mark.parametrize("answer", ["n", "escape"])
@sync
async def test_the_end_prompt_pauses_and_going_on_resumes(answer: str) -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 12)  # into the first work period
        left = player.session.routine_remaining()
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmEndScreen)
        assert player.session.state == "paused"
        clock.advance(60)  # a minute of reading the prompt costs nothing
        player.tick()
        await pilot.pause()
        assert player.session.routine_remaining() == pytest.approx(left)
        await pilot.press(answer)
        await pilot.pause()
        assert app.screen is player
        assert player.session.state == "work"
        await advance(pilot, clock, 1)
        assert player.session.routine_remaining() == pytest.approx(left - 1)


@sync
async def test_a_dialog_over_a_paused_session_leaves_it_paused() -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 12)
        await pilot.press("space")
        await pilot.pause()
        assert player.session.state == "paused"
        await pilot.press("q")
        assert isinstance(app.screen, ConfirmEndScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is player
        assert player.session.state == "paused"  # as the dialog found it


@sync
async def test_q_y_under_the_prompt_ends_the_time_played_before_it(unknot_home: Path) -> None:
    clock = FakeClock()
    app = player_app(clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await started(pilot)
        await advance(pilot, clock, 20)
        await pilot.press("q")
        clock.advance(300)  # far past the routine's end, behind the prompt
        player.tick()
        await pilot.press("y")
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        assert str(summary.query_one("#summary-title").content) == "Session ended"
        assert summary.done.active_seconds == pytest.approx(20.0)
