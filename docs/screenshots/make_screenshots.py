"""Provides the README screenshots: the picker and the player on the built-in routines, and
the countdown at three terminal sizes (normal and floor view, `f`).

    .venv/bin/python docs/screenshots/make_screenshots.py

Runs the real app headless on a fake clock (so the figures are the same every time), saves
SVGs with App.save_screenshot and converts them to PNG with rsvg-convert.
"""

from __future__ import annotations

import asyncio
import html
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (100, 30)


async def shoot() -> None:
    from player.clock import FakeClock
    from player.library import resolve
    from player.tui.app import make_app

    picker = make_app(sound="off", voice=False, first_run_notice=False)
    async with picker.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("down")
        await pilot.pause()
        picker.save_screenshot(filename="picker.svg", path=str(HERE))

    clock = FakeClock()
    routine = resolve("desk-neck-shoulders")
    player = make_app(routine=routine, clock=clock, sound="off", voice=False,
                      first_run_notice=False)
    async with player.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("5", "enter")
        await pilot.pause()
        # Into the trigger-point step, a few seconds into the work on the left side.
        await pilot.press("n", "n")
        clock.advance(20)
        player.screen.tick()
        await pilot.pause()
        player.save_screenshot(filename="player.svg", path=str(HERE))

    # The countdown sized to the terminal: the player at 80×24 and 120×40, and the floor view
    # (f) at 80×24 and 200×60.
    for name, size, keys in (("player-80x24", (80, 24), ()), ("player-120x40", (120, 40), ()),
                             ("floor-80x24", (80, 24), ("f",)),
                             ("floor-200x60", (200, 60), ("f",))):
        clock = FakeClock()
        app = make_app(routine=routine, clock=clock, sound="off", voice=False,
                       first_run_notice=False)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("n", "n")
            clock.advance(20)
            app.screen.tick()
            await pilot.pause()
            if keys:
                await pilot.press(*keys)
                await pilot.pause()
            app.save_screenshot(filename=f"{name}.svg", path=str(HERE))

    # "Where does it hurt?": calves and feet chosen, a foam roller ticked.
    where = make_app(sound="off", voice=False, first_run_notice=False)
    async with where.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        for _ in range(27):
            await pilot.press("down")
        await pilot.press("space", "down", "space", "tab", "tab", "space", "shift+tab",
                          "shift+tab", "up")
        await pilot.pause()
        where.save_screenshot(filename="compose.svg", path=str(HERE))


_LEADING_SPACES = re.compile(
    r'(<text [^>]*?x=")([\d.]+)("[^>]*?textLength=")([\d.]+)("[^>]*>)((?:&#160;)+)([^<]*)</text>')


def keep_leading_spaces(svg: str) -> str:
    """Move each text run's leading spaces into its x position: rsvg-convert drops them, which
    would draw indented lines (the preview's wrapped steps) flush left in the PNG."""

    def shift(match: re.Match[str]) -> str:
        start, x, middle, length, end, spaces, rest = match.groups()
        count = spaces.count("&#160;")
        cells = count + len(html.unescape(rest))
        cell = float(length) / cells
        if not rest:
            return ""
        return (f"{start}{float(x) + count * cell:g}{middle}{float(length) - count * cell:g}"
                f"{end}{rest}</text>")

    return _LEADING_SPACES.sub(shift, svg)


def main() -> int:
    with tempfile.TemporaryDirectory() as home:
        os.environ["UNKNOT_HOME"] = home
        asyncio.run(shoot())
    for name in ("picker", "player", "compose", "player-80x24", "player-120x40", "floor-80x24",
                 "floor-200x60"):
        svg = HERE / f"{name}.svg"
        svg.write_text(keep_leading_spaces(svg.read_text(encoding="utf-8")), encoding="utf-8")
        subprocess.run(["rsvg-convert", "--width", "1400", "--keep-aspect-ratio", str(svg),
                        "-o", str(HERE / f"{name}.png")], check=True)
        svg.unlink()
        print(HERE / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
