"""Provides parsing and formatting of durations: `20`, `20s`, `1m`, `1m30s`, `1:30`, `0:20`."""

from __future__ import annotations

import math
import re

# Units as people write them: 20s, 20 sec, 20 secs, 20 seconds, 2m, 2 min, 2 minutes, 1 hour.
# Numbers of at most 9 digits (and 9 decimals): int() refuses 4,301 digits with a ValueError.
_NUM = r"\d{1,9}(?:\.\d{1,9})?"
_UNITS = re.compile(rf"^(?:(?P<h>{_NUM})\s*h(?:(?:ou)?rs?)?)?\s*"
                    rf"(?:(?P<m>{_NUM})\s*m(?:in(?:ute)?s?)?)?\s*"
                    rf"(?:(?P<s>{_NUM})\s*s(?:ec(?:ond)?s?)?)?$")
_CLOCK = re.compile(r"^(?:(?P<h>\d{1,9}):)?(?P<m>\d{1,9}):(?P<s>[0-5]\d(?:\.\d{1,9})?)$")


class DurationError(ValueError):
    """A duration that cannot be read."""


def parse_duration(value: object) -> float:
    """Seconds for a duration written as a number or a string; DurationError if unreadable.

    Sign and range are the caller's to check (a routine wants > 0 and at most an hour).
    """
    if isinstance(value, bool):
        raise DurationError(f"expected a duration like 20s, 1m30s or 1:30, got {value!r}")
    if isinstance(value, (int, float)):
        return float(value)
    if not isinstance(value, str):
        raise DurationError(f"expected a duration like 20s, 1m30s or 1:30, got {value!r}")
    text = value.strip().lower()
    if not text:
        raise DurationError("expected a duration like 20s, 1m30s or 1:30, got an empty string")
    try:
        return float(text)
    except ValueError:
        pass
    m = _CLOCK.match(text)
    if m:
        return int(m["h"] or 0) * 3600 + int(m["m"]) * 60 + float(m["s"])
    m = _UNITS.match(text)
    if m and any(m.group(g) for g in ("h", "m", "s")):
        return (float(m["h"] or 0) * 3600 + float(m["m"] or 0) * 60 + float(m["s"] or 0))
    raise DurationError(f"cannot read duration {value!r}: write it like 20s, 1m30s or 1:30")


def format_clock(seconds: float) -> str:
    """`mm:ss` (or `h:mm:ss`), rounding up so a countdown never shows 0:00 while time is left."""
    total = max(0, int(-(-seconds // 1)))
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


def format_human(seconds: float) -> str:
    """A short human duration: `20 s`, `1 min`, `1 min 30 s`."""
    total = int(round(seconds))
    m, s = divmod(total, 60)
    if m and s:
        return f"{m} min {s} s"
    if m:
        return f"{m} min"
    return f"{s} s"


#: The default speaking rate, words a minute: espeak-ng's `-s 180`. Lead-ins and the lead-in
#: warning are computed from the words at this rate, never from the machine or the voice.
SPEECH_WPM = 180
#: `lead_in: auto` gives the spoken cue this long after it ends to get into position...
AUTO_LEAD_IN_SLACK = 3.0
#: ...and never less than this.
AUTO_LEAD_IN_MIN = 5.0


def words(text: str) -> int:
    """How many words a text has (runs of non-space)."""
    return len(text.split())


def speech_seconds(text: str, wpm: float = SPEECH_WPM) -> float:
    """How long `text` takes to say at `wpm` words a minute."""
    return words(text) * 60.0 / wpm


def auto_lead_in(spoken: str) -> float:
    """`lead_in: auto` for an utterance: its speech time plus 3 s, rounded up, at least 5 s."""
    return max(AUTO_LEAD_IN_MIN, float(math.ceil(speech_seconds(spoken) + AUTO_LEAD_IN_SLACK)))
