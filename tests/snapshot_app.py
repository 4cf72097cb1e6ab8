"""Provides fixed routines and app builders for the TUI tests and snapshots.

Routines are built here in code (not read from routines/) so snapshots do not change when the
built-in library is edited; the picker gets real `player.library.Entry` objects, one of them a
file with problems. Every app runs on a FakeClock, so nothing depends on real time.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Any, Awaitable, Callable

from player.clock import FakeClock
from player.errors import Problem
from player.library import Entry
from player.routine import Cues, Routine, Step
from player.tui.app import UnknotApp, make_app

DESK = Routine(
    id="desk-neck",
    name="Desk neck & shoulders",
    summary="Ease the upper traps after a day at the desk.",
    tags=("desk", "neck"),
    equipment=("massage ball", "wall"),
    caution="Skip the ball work if you have a neck injury.",
    source="built-in",
    path=Path("/routines/desk-neck.yaml"),
    steps=(
        Step("effleurage", "upper-trapezius", "each", 30.0, lead_in=5.0, pressure=3,
             instructions="Long gliding strokes from the base of the skull out to the "
                          "shoulder."),
        Step("trigger-point", "upper-trapezius", "each", 20.0, repeat=2, rest=10.0, lead_in=5.0,
             pressure=6, cues=Cues(countdown=3),
             instructions="Lean into the ball against the wall and hold on the tender spot."),
        Step("stretch", "levator-scapulae", "each", 30.0, lead_in=5.0, pressure=2),
    ),
)

CALVES = Routine(
    id="evening-calves",
    name="Evening calves",
    summary="Roll tired calves before bed.",
    tags=("legs", "evening"),
    equipment=("foam roller",),
    source="user",
    path=Path("/home/me/routines/evening-calves.yaml"),
    steps=(
        Step("foam-roll", "calves", "each", 60.0, lead_in=5.0, pressure=5),
        Step("breathe", None, None, 30.0, lead_in=0.0),
    ),
)

JAW = Routine(
    id="jaw",
    name="Jaw & temples",
    summary="For clenchers.",
    tags=("face",),
    source="built-in",
    path=Path("/routines/jaw.yaml"),
    steps=(Step("effleurage", "jaw", "both", 60.0, lead_in=5.0, pressure=3),),
)

#: Five sentences, as long as the longest built-in instructions: they must not be cut at 80×24.
LONG_TEXT = (
    "Stand with your back to a wall and put the ball between the wall and the top of your "
    "shoulder blade, halfway between the neck and the shoulder tip. Lean back and bend your "
    "knees a little to find a tender spot, then hold still and breathe slowly. It should ease "
    "while you hold; keep it at 5 to 7 out of 10 and step away from the wall if it turns "
    "sharp or your arm tingles. In the rest, step off the wall and let the arm hang."
)

WALL = Routine(
    id="wall-ball",
    name="Wall ball",
    summary="One long step.",
    source="built-in",
    path=Path("/routines/wall-ball.yaml"),
    steps=(
        Step("trigger-point", "upper-trapezius", "each", 20.0, repeat=2, rest=10.0,
             lead_in=10.0, pressure=6, instructions=LONG_TEXT),
        Step("breathe", None, None, 30.0, lead_in=0.0),
    ),
)

BROKEN_PROBLEMS = [
    Problem("/home/me/routines/broken.yaml", 4, 16, "error",
            "unknown technique 'kneedling' (did you mean 'kneading'?)"),
    Problem("/home/me/routines/broken.yaml", 6, 15, "error",
            "cannot read duration 'soon': write it like 20s, 1m30s or 1:30"),
]


def entries() -> list[Entry]:
    """The fixed library: three good routines and one broken file."""
    return [
        Entry(DESK.id, DESK.path or Path(), "built-in", DESK, []),
        Entry(CALVES.id, CALVES.path or Path(), "user", CALVES, []),
        Entry(JAW.id, JAW.path or Path(), "built-in", JAW, []),
        Entry("broken", Path("/home/me/routines/broken.yaml"), "user", None,
              list(BROKEN_PROBLEMS)),
    ]


def picker_app(clock: FakeClock | None = None, **kwargs: object) -> UnknotApp:
    """The picker over the fixed library, without the first-run notice, sound or voice."""
    options: dict[str, object] = dict(library=entries, clock=clock or FakeClock(),
                                      sound="off", voice=False, first_run_notice=False)
    options.update(kwargs)
    app = make_app(**options)  # type: ignore[arg-type]
    app.animation_level = "none"  # no end-of-session flash in snapshots
    return app


def player_app(routine: Routine = DESK, clock: FakeClock | None = None,
               **kwargs: object) -> UnknotApp:
    """The player opened straight on `routine` (as `unknot play` does)."""
    options: dict[str, object] = dict(routine=routine, clock=clock or FakeClock(), sound="off",
                                      voice=False, first_run_notice=False)
    options.update(kwargs)
    app = make_app(**options)  # type: ignore[arg-type]
    # Snapshots must not catch the end-of-session flash half way (it honours this level).
    app.animation_level = "none"
    return app


def sync(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test function with asyncio.run (no async pytest plugin is installed)."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))

    return run


# pytest-textual-snapshot can also be pointed at this file: it runs `app`.
app = picker_app()

if __name__ == "__main__":
    app.run()
