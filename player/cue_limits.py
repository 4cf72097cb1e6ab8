"""Provides the cap on a routine's own cue sounds: a few seconds, a few MB, checked from the
file's size and WAV header only, so a 500 MB WAV is refused without being read (issue 12).

Pure (stdlib `wave`), for the loader (`validate` says it) and the sound backends alike.
"""

from __future__ import annotations

import wave
from pathlib import Path

#: A cue sound is a few seconds: bigger WAVs are refused, never loaded whole (issue 12).
MAX_SOUND_BYTES = 5_000_000
MAX_SOUND_SECONDS = 10.0


def sound_too_big(path: Path) -> str:
    """'is 500 MB: …' when a WAV is over MAX_SOUND_BYTES or MAX_SOUND_SECONDS; '' when not.
    Reads only the size and the header."""
    if not path.is_file():  # a FIFO or device is never opened: another check says what it is
        return ""
    size = path.stat().st_size
    if size > MAX_SOUND_BYTES:
        return (f"is {size / 1e6:.0f} MB: a cue sound may be at most "
                f"{MAX_SOUND_BYTES / 1e6:.0f} MB and {MAX_SOUND_SECONDS:g} s")
    try:
        with wave.open(str(path), "rb") as w:
            frames, rate = w.getnframes(), w.getframerate()
    except Exception:  # noqa: BLE001 - not a WAV at all: another check says so
        return ""
    if rate > 0 and frames / rate > MAX_SOUND_SECONDS:
        return (f"is {format_seconds(frames / rate)} long: a cue sound may be at most "
                f"{MAX_SOUND_SECONDS:g} s")
    return ""


def format_seconds(seconds: float) -> str:
    return f"{seconds / 60:.0f} min" if seconds >= 120 else f"{seconds:.0f} s"
