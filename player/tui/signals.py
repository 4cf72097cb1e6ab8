"""Provides the TUI's signals: every way out of a playing session saves it.

`install(app)` (on the running loop, for a real terminal only; pilot tests do not call it)
hands the signals to asyncio, so each handler runs on the app's thread between messages, never
in the middle of the engine:

- SIGTERM (`kill`) and SIGHUP (the terminal closed): the session ends as `terminated`
  (completed false), is saved, and the app exits 143 / 129 with the terminal restored;
- SIGINT (Ctrl+C sent as a signal; the key is Textual's): `interrupted`, saved, exit 130;
- SIGTSTP (Ctrl+Z, `kill -TSTP`): the session pauses, the terminal and the window title are
  given back and the process stops; on `fg` (SIGCONT) the screen and the title are drawn
  again and the session stays paused;
- SIGCONT alone (after a SIGSTOP from outside): the screen is drawn again.
"""

from __future__ import annotations

import asyncio
import os
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from player.tui.app import UnknotApp

#: Exit code and Done.reason for the signals that end the session.
ENDINGS: dict[int, tuple[int, str]] = {
    signal.SIGTERM: (143, "terminated"),
    signal.SIGINT: (130, "interrupted"),
}
if hasattr(signal, "SIGHUP"):
    ENDINGS[signal.SIGHUP] = (129, "terminated")


def install(app: UnknotApp) -> None:
    """Route the signals above to `app` through the running loop (POSIX only)."""
    loop = asyncio.get_running_loop()
    try:
        for signum, (code, reason) in ENDINGS.items():
            loop.add_signal_handler(signum, app.end_and_exit, code, reason)
        if hasattr(signal, "SIGTSTP"):
            loop.add_signal_handler(signal.SIGTSTP, suspend, app)
            loop.add_signal_handler(signal.SIGCONT, redraw, app)
    except (NotImplementedError, RuntimeError, ValueError):  # not POSIX, not the main thread
        return


def redraw(app: UnknotApp) -> None:
    """SIGCONT: whatever stopped us, the terminal may show something else now."""
    app.refresh(layout=True)


def suspend(app: UnknotApp) -> None:
    """Pause the session, give the terminal (and its window title) back, stop; on `fg`
    redraw, still paused, with unknot's title again."""
    _each_screen(app, "pause_for_suspend")
    try:
        driver = app._driver  # noqa: SLF001 - whether this terminal can be suspended
        if driver is None or not driver.can_suspend:
            return
        with app.suspend():  # restores the terminal; takes it again when we continue
            os.kill(os.getpid(), signal.SIGSTOP)
    finally:
        _each_screen(app, "continue_after_suspend")


def _each_screen(app: UnknotApp, method: str) -> None:
    for screen in list(app.screen_stack):
        call = getattr(screen, method, None)
        if callable(call):
            call()
