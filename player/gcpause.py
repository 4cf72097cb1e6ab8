"""Provides `paused_gc()`: the cyclic garbage collector paused for a block.

Reading a routine or a history file makes many small objects and almost no garbage; the
collector would only walk them again and again. This is one of the speed tricks of
`player.speedups` (which re-exports it), kept in a module of its own so `unknot history`
can use it without importing YAML.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector paused for the block (restored as it was)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
