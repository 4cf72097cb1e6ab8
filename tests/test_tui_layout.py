"""The player shows the whole of every step's instructions, read off the screen as drawn.

The person reads the instructions during the lead-in, from the floor: at 80×24 and larger
every line of them must be on the screen, with the headline, the banner, `Step K of N` and
`Next: …`. Checks read the screen the way a person sees it (the app's SVG screenshot turned
back into rows of text) and ask Textual which widget owns each row, so text clipped by its
container or hidden under another widget counts as lost. Smaller terminals degrade: the
instructions scroll and say that they go on.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace

import pytest
from snapshot_app import DESK, player_app, sync
from textual.widgets import Static

from player import vocab
from player.clock import FakeClock
from player.library import discover
from player.routine import Routine, Step
from player.timeline import expand
from player.tui import layout
from player.tui.screens.player_screen import PlayerScreen
from player.tui.widgets.body_map import BodyMap

SIZES = [(80, 24), (100, 30), (120, 40)]

_TEXT = re.compile(r'<text[^>]*?x="([\d.]+)"[^>]*?textLength="([\d.]+)"[^>]*?'
                   r'clip-path="url\(#[\w-]+-line-(\d+)\)"[^>]*>([^<]*)</text>')


def screen_rows(app) -> list[str]:  # type: ignore[no-untyped-def]
    """The screen as rows of text, rebuilt from the app's SVG screenshot."""
    width, height = app.size
    rows = [[" "] * width for _ in range(height)]
    for x, length, line, content in _TEXT.findall(app.export_screenshot()):
        text = html.unescape(content).replace("\xa0", " ")
        if not text:
            continue
        cell = float(length) / len(text)
        column = round(float(x) / cell)
        for offset, char in enumerate(text):
            if int(line) < height and 0 <= column + offset < width:
                rows[int(line)][column + offset] = char
    return ["".join(row) for row in rows]


def words(text: str) -> str:
    return " ".join(text.split())


def instructions_of(step: Step) -> str:
    if step.instructions:
        return step.instructions
    info = vocab.TECHNIQUE_BY_ID.get(step.technique)
    return info.instructions if info else ""


def shown_instructions(player: PlayerScreen, rows: list[str]) -> str:
    """The instructions as drawn: the rows of the #instructions widget that are on the
    screen and not covered or clipped (Textual says which widget owns each cell)."""
    static = player.query_one("#instructions", Static)
    region = static.region
    visible = []
    for y in range(region.y, region.bottom):
        owner, _ = player.get_widget_at(region.x, y)
        if owner is static and y < len(rows):
            visible.append(rows[y][region.x:region.right])
    return words(" ".join(visible))


def assert_reads_in_full(player: PlayerScreen, where: str) -> None:
    seg = player.session.current
    rows = screen_rows(player.app)
    screen = "\n".join(rows)
    flat = words(screen)
    expected = words(instructions_of(seg.step_ref))
    assert shown_instructions(player, rows) == expected, f"{where}: instructions cut\n{screen}"
    assert f"Step {seg.step} of {seg.of}" in screen, where
    assert words(player.banner_text(seg.kind, seg)) in flat, f"{where}: banner\n{screen}"
    headline = words(str(player.query_one("#headline").content))
    next_line = words(str(player.query_one("#next").content))
    assert headline in flat, f"{where}: headline\n{screen}"
    assert next_line.startswith("Next:") and next_line in flat, f"{where}: next\n{screen}"
    # No scroll hint when everything fits.
    assert "more below" not in screen, where
    # Nothing drawn under the footer or off the screen.
    for selector in ("#banner", "#headline", "#countdown", "#instructions-box", "#next",
                     "#routine-bar"):
        region = player.query_one(selector).region
        assert region.height > 0 and region.bottom <= player.size.height - 1, (where, selector)


def builtin_routines() -> list[Routine]:
    return [e.routine for e in discover([]) if e.routine is not None and e.source == "built-in"]


def longest_step() -> tuple[Routine, int]:
    """The built-in routine and step number with the longest instructions."""
    best = max(((len(instructions_of(step)), routine.id, number)
                for routine in builtin_routines()
                for number, step in enumerate(routine.steps, start=1)))
    routine = next(r for r in builtin_routines() if r.id == best[1])
    return routine, best[2]


async def start(pilot) -> PlayerScreen:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PlayerScreen)
    return pilot.app.screen


async def to_step(pilot, player: PlayerScreen, number: int) -> None:  # type: ignore[no-untyped-def]
    while player.session.current.step < number:
        await pilot.press("n")
    await pilot.pause()


@sync
async def test_the_longest_instructions_read_in_full_at_80_by_24() -> None:
    routine, number = longest_step()
    assert len(instructions_of(routine.steps[number - 1])) > 350  # 5–6 sentences
    app = player_app(routine, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        player = await start(pilot)
        await to_step(pilot, player, number)
        assert player.session.current.kind == "lead_in"
        assert "Get into position" in "\n".join(screen_rows(app))
        assert_reads_in_full(player, f"{routine.id} step {number}")
        last_words = " ".join(instructions_of(routine.steps[number - 1]).split()[-4:])
        assert last_words in words(" ".join(screen_rows(app)))


@pytest.mark.slow
@pytest.mark.parametrize("routine", builtin_routines(), ids=lambda r: r.id)
def test_every_segment_of_every_builtin_routine_reads_in_full_at_80_by_24(
        routine: Routine) -> None:
    """Lead-ins, work, switches and rests: each has its own banner and `Next:` line."""

    @sync
    async def run() -> None:
        clock = FakeClock()
        app = player_app(routine, clock=clock)
        async with app.run_test(size=(80, 24)) as pilot:
            player = await start(pilot)
            for seg in expand(routine).segments:
                assert player.session.current.index == seg.index
                assert_reads_in_full(player, f"{routine.id} segment {seg.index}")
                clock.advance(seg.duration)
                player.tick()
                await pilot.pause()

    run()


@pytest.mark.slow
@pytest.mark.parametrize("size", SIZES[1:], ids=[f"{w}x{h}" for w, h in SIZES[1:]])
def test_every_builtin_step_reads_in_full_when_larger(size: tuple[int, int]) -> None:
    # Every built-in step in one routine, so one app walks them all with `n`.
    routines = builtin_routines()
    everything = replace(routines[0], id="all", name="All built-in steps",
                         steps=tuple(step for r in routines for step in r.steps))

    @sync
    async def run() -> None:
        app = player_app(everything, clock=FakeClock())
        async with app.run_test(size=size) as pilot:
            player = await start(pilot)
            for number in range(1, len(everything.steps) + 1):
                await to_step(pilot, player, number)
                assert_reads_in_full(player, f"{size} step {number}")

    run()


@sync
async def test_short_instructions_keep_the_body_map() -> None:
    app = player_app(DESK, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        player = await start(pilot)
        body = player.query_one(BodyMap)
        # `Next: Effleurage · Upper trapezius · Left · 30 s` would wrap beside both figures.
        assert body.display and body.views == "back" and body.region.bottom <= 23
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert body.display and body.views == "both" and body.region.width == 29


@sync
async def test_a_long_text_gives_up_the_map_and_resizing_brings_it_back() -> None:
    routine, number = longest_step()
    app = player_app(routine, clock=FakeClock())
    async with app.run_test(size=(80, 24)) as pilot:
        player = await start(pilot)
        await to_step(pilot, player, number)
        body = player.query_one(BodyMap)
        at_80 = body.views if body.display else None
        assert at_80 != "both"
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert body.display and body.views == "both"
        assert_reads_in_full(player, "120x40 after resize")
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert (body.views if body.display else None) == at_80
        assert_reads_in_full(player, "80x24 after resize")


@sync
async def test_instructions_that_cannot_fit_scroll_and_say_so() -> None:
    routine, number = longest_step()
    text = instructions_of(routine.steps[number - 1])
    last_words = " ".join(text.split()[-3:])
    app = player_app(routine, clock=FakeClock())
    async with app.run_test(size=(60, 18)) as pilot:
        player = await start(pilot)
        await to_step(pilot, player, number)
        await pilot.pause()
        screen = words(" ".join(screen_rows(app)))
        assert "▼ more below · ↓ scrolls" in screen
        assert last_words not in screen
        # Everything else is still there, above the footer.
        assert "Next:" in screen and "Step" in screen and "Routine" in screen
        for _ in range(len(text) // 20):
            await pilot.press("down")
        await pilot.pause()
        screen = words(" ".join(screen_rows(app)))
        assert last_words in screen
        assert "▲ ↑ scrolls back up" in screen
        # A new step starts at the top of its own instructions.
        await pilot.press("n")
        await pilot.pause()
        box = player.query_one("#instructions-box")
        assert box.scroll_y == 0


def shape(plan: layout.Plan) -> layout.Plan:
    """The plan without its countdown size (tests/test_tui_countdown.py checks that)."""
    return replace(plan, countdown_rows=layout.COUNTDOWN_ROWS)


def test_plan_prefers_the_whole_map_then_one_figure_then_none() -> None:
    short, medium = "Stroke slowly. " * 5, "Stroke slowly along the muscle. " * 12
    long = "Stroke slowly along the muscle and breathe out. " * 14
    common = dict(narrow=False, headlines=["Effleurage · Calves · Left"],
                  next_lines=["Next: rest 10 s"], region="calves")
    # Room to spare: both figures and the airy spacing.
    assert shape(layout.plan(80, 24, instructions=short, **common)) == layout.Plan("both", None,
                                                                                   "airy")
    # Blank rows go before the map does.
    assert shape(layout.plan(80, 24, instructions=medium, **common)) == layout.Plan("back", None,
                                                                                    "-tight")
    # A small terminal keeps its three-row banner while there is room for it.
    small = {**common, "narrow": True}
    assert shape(layout.plan(60, 18, instructions=short, **small)) == layout.Plan(None, None,
                                                                                  "-tight")
    assert layout.plan(80, 24, instructions=long, **common).map_views is None
    scrolling = layout.plan(60, 18, instructions=long * 2, **small)
    assert scrolling == layout.Plan(None, scrolling.instruction_rows, "-compact")
    assert scrolling.instruction_rows is not None and scrolling.instruction_rows > 3
    # Nothing to light, nothing to draw; a narrow screen has no room for a map.
    assert layout.plan(120, 40, instructions=short, **{**common, "region": None}).map_views is None
    assert layout.plan(70, 24, instructions=short, **{**common, "narrow": True}).map_views is None


def test_a_map_never_makes_next_wrap_in_any_segment_of_the_step() -> None:
    next_lines = ["Next: switch sides → right",
                  "Next: Effleurage · Upper trapezius · Left · 30 s"]  # 48 > 45 beside both
    plan = layout.plan(80, 24, narrow=False, headlines=["Effleurage"],
                       instructions="Short.", next_lines=next_lines, region="upper-trapezius")
    assert plan.map_views == "back"


@sync
async def test_the_map_stays_the_same_through_a_step() -> None:
    clock = FakeClock()
    app = player_app(DESK, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        player = await start(pilot)
        body = player.query_one(BodyMap)
        seen = set()
        for seg in expand(DESK).segments:
            if seg.step != 1:
                break
            seen.add((body.display, body.views, body.region))
            clock.advance(seg.duration)
            player.tick()
            await pilot.pause()
        assert len(seen) == 1
