"""Tests for the countdown widget: the largest digits that fit, centred, repainted only when
the drawn text changes; and the player layout giving it the rows nobody else needs."""

from __future__ import annotations

import pytest
from snapshot_app import sync
from textual.app import App, ComposeResult
from textual.geometry import Region

from player.tui import layout
from player.tui.widgets.countdown import Countdown, draw, font_for, fonts


def test_at_least_four_sizes_each_larger_than_the_last() -> None:
    sizes = [font.size("00:00") for font in fonts()]
    rows = sorted({r for _, r in sizes})
    assert rows[:4] == [1, 3, 5, 7] and rows[-1] > 100
    assert all(a[0] <= b[0] and a[1] <= b[1] for a, b in zip(sizes, sizes[1:], strict=False))


@pytest.mark.parametrize("size", [(4, 1), (20, 3), (40, 12), (78, 20), (116, 30), (198, 55),
                                  (80, 2), (300, 9)])
def test_the_largest_font_that_fits_and_nothing_larger(size: tuple[int, int]) -> None:
    width, height = size
    font = font_for("12:34", width, height)
    lines = draw("12:34", font)
    assert (max(map(len, lines)), len(lines)) == font.size("12:34")
    if font.kind != "text":
        assert max(map(len, lines)) <= width and len(lines) <= height
    # The next font up would not fit.
    bigger = [f for f in fonts() if f.size("12:34")[1] > len(lines)]
    if bigger:
        columns, rows = bigger[0].size("12:34")
        assert columns > width or rows > height


def test_every_digit_is_drawn_differently_in_every_font() -> None:
    for font in fonts()[1:6]:
        drawn = {tuple(draw(d, font)) for d in "0123456789"}
        assert len(drawn) == 10, font
        # All lines of one drawing are the same width (so centring is exact).
        assert len({len(line) for line in draw("09:58", font)}) == 1


def test_spare_rows_make_the_digits_taller_not_wider() -> None:
    square = font_for("00:00", 100, 14)
    tall = font_for("00:00", 100, 28)
    assert (square.columns, tall.columns) == (4, 4)
    assert tall.size("00:00")[1] > square.size("00:00")[1]
    assert tall.half_rows <= 2 * tall.columns  # never more than twice as tall as wide


class CountdownApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Countdown("04:12", id="countdown")

    CSS = "#countdown { width: 1fr; height: 1fr; }"


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60), (30, 5)])
@sync
async def test_the_widget_centres_the_largest_digits(size: tuple[int, int]) -> None:
    app = CountdownApp()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        widget = app.query_one(Countdown)
        lines = [strip.text for strip in widget.render_lines(Region(0, 0, *widget.size))]
        inked = [i for i, line in enumerate(lines) if line.strip()]
        font = widget.font
        columns, rows = font.size("04:12")
        assert len(inked) <= rows and inked[-1] - inked[0] + 1 <= rows
        top, bottom = inked[0], size[1] - 1 - inked[-1]
        assert abs(top - bottom) <= rows  # blank rows of the glyphs aside, centred
        left = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
        right = min(len(line) - len(line.rstrip()) for line in lines if line.strip())
        assert abs(left - right) <= 2
        # As large as the terminal allows: no larger font fits.
        assert font == font_for("04:12", *size)


@sync
async def test_it_repaints_only_when_the_drawn_text_changes() -> None:
    app = CountdownApp()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        widget = app.query_one(Countdown)
        for _ in range(10):
            widget.show("04:12")
        assert widget.repaints == 0
        widget.show("04:11")
        widget.show("04:11")
        assert widget.repaints == 1
        await pilot.pause()
        text = "\n".join(s.text for s in widget.render_lines(Region(0, 0, *widget.size)))
        assert text == "\n".join(s.text for s in widget.render_lines(Region(0, 0, *widget.size)))
        assert "\n".join(draw("04:11", widget.font)).splitlines()[0].strip() in text


def test_the_layout_gives_spare_rows_to_the_countdown() -> None:
    common = dict(narrow=False, headlines=["Effleurage · Calves · Left"],
                  next_lines=["Next: Rest · 10 s"], region="calves")
    short = "Stroke slowly. " * 5
    rows = {size: layout.plan(*size, instructions=short, **common).countdown_rows
            for size in [(80, 24), (100, 30), (120, 40), (200, 60)]}
    assert rows[(80, 24)] >= 3
    assert rows[(80, 24)] < rows[(100, 30)] < rows[(120, 40)] < rows[(200, 60)]
    # A long text keeps the small countdown: the instructions come first.
    long = "Stroke slowly along the muscle. " * 12
    assert layout.plan(80, 24, instructions=long, **common).countdown_rows == 3
