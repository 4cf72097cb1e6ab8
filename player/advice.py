"""Provides the loader's advice: warnings about a step that is valid but unwise.

Times outside a technique's recommended range, pressure above 7 or firm on a danger zone, a
foam roller where none belongs, a lead-in shorter than its spoken cue. `validate --strict`
makes them errors. Ranges and safety facts come from player.vocab.
"""

from __future__ import annotations

from yaml.nodes import Node

from player import vocab
from player.durations import SPEECH_WPM, format_human, speech_seconds
from player.reader import Reader


def range_text(low: float, high: float) -> str:
    """A recommended range as people say it: `10–30 s`, `30 s–2 min`."""
    if high <= 60:
        return f"{low:g}–{high:g} s"
    if low % 60 == 0 and high % 60 == 0:
        return f"{low / 60:g}–{high / 60:g} min"
    return f"{format_human(low)}–{format_human(high)}"


def duration(r: Reader, tech: vocab.Technique, seconds: float, node: Node) -> None:
    if not tech.min_seconds <= seconds <= tech.max_seconds:
        longer = seconds > tech.max_seconds
        r.warn(node, f"{tech.id} for {format_human(seconds)} is "
                     f"{'longer' if longer else 'shorter'} than the recommended "
                     f"{range_text(tech.min_seconds, tech.max_seconds)}")


def pressure(r: Reader, level: int, region: vocab.Region | None, node: Node) -> None:
    if level > vocab.PRESSURE_WARN_ABOVE:
        r.warn(node, f"pressure {level} is above {vocab.PRESSURE_WARN_ABOVE}: self-massage "
                     f"should stay at a 'good pain' of 4 to {vocab.PRESSURE_WARN_ABOVE}")
    if region is not None and region.danger and level >= vocab.PRESSURE_FIRM:
        r.warn(node, f"firm pressure ({level}) on the {region.name.lower()}, a danger zone: use "
                     "only broad, light pressure there")


def roller(r: Reader, tech: vocab.Technique, region: vocab.Region, node: Node) -> None:
    if tech.uses_roller and region.no_roller:
        r.warn(node, f"never foam-roll the {region.name.lower()}: roll the muscles around it "
                     "instead")


def lead_in(r: Reader, seconds: float, spoken: str, node: Node) -> None:
    """A fixed lead-in (not 0) too short to say the cue in."""
    needed = speech_seconds(spoken)
    if 0 < seconds < needed:
        r.warn(node, f"lead_in {format_human(seconds)} is shorter than the spoken cue "
                     f"({needed:.1f} s at {SPEECH_WPM} words a minute): "
                     "write lead_in: auto or a longer one")
