"""Provides headless play: the session engine as a plain timer printing lines (or JSON lines).

`unknot play ROUTINE --headless` lands here. One line per segment in the shape of design.md
(`[01:05] ▶ 3/12 Trigger point · upper trapezius · left · 20 s`), plus pause, resume, skip and
a closing summary; with `--json` one whole JSON object per line, flushed at once.

The driver sleeps in `select()` until the engine's next deadline, a key on a TTY stdin (cbreak
mode; space, n, p, r, +, q), or a signal (through `signal.set_wakeup_fd`), so it uses no CPU
between events and never busy-polls. Signal handlers only note the signal; the loop acts on it
between writes, so a line is never cut in half. The terminal mode and signal handlers are
restored on every way out. Nothing here imports Textual.

Three modules: `format` (each event's line or JSON object; pure), `terminal` (the printer,
keys and signals) and `driver` (`Headless`, over a `Playback`). The names callers use are
re-exported here and loaded on first use (PEP 562), so `from player.headless import
json_event` (the event log, the phone remote) loads `format` alone, not the driver.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # what mypy sees; at run time __getattr__ loads each on first use
    from player.headless.driver import EARLY as EARLY
    from player.headless.driver import SIGNAL_REASONS as SIGNAL_REASONS
    from player.headless.driver import Headless as Headless
    from player.headless.driver import Options as Options
    from player.headless.driver import run_headless as run_headless
    from player.headless.format import describe as describe
    from player.headless.format import json_event as json_event
    from player.headless.format import region_name as region_name
    from player.headless.format import segment_line as segment_line
    from player.headless.format import stamp as stamp
    from player.headless.format import summary_line as summary_line
    from player.headless.format import technique_name as technique_name
    from player.headless.terminal import KEY_COMMANDS as KEY_COMMANDS
    from player.headless.terminal import KEYS_HELP as KEYS_HELP
    from player.headless.terminal import Keyboard as Keyboard
    from player.headless.terminal import Printer as Printer

#: Each re-exported name and the module under player.headless that defines it.
_HOME = {
    "EARLY": "driver", "SIGNAL_REASONS": "driver", "Headless": "driver", "Options": "driver",
    "run_headless": "driver",
    "describe": "format", "json_event": "format", "region_name": "format",
    "segment_line": "format", "stamp": "format", "summary_line": "format",
    "technique_name": "format",
    "KEY_COMMANDS": "terminal", "KEYS_HELP": "terminal", "Keyboard": "terminal",
    "Printer": "terminal",
}

__all__ = sorted(_HOME)


def __getattr__(name: str) -> object:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # once: later lookups do not come here
    return value
