"""Provides the routine model: a Routine of Steps, each with its technique, region, side and cues.

These are plain frozen dataclasses, built by player.loader after validation. Nothing here reads
files or imports Textual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only names for types: the model does not need the vocabulary to load
    from player.vocab import Side, Source


@dataclass(frozen=True)
class Where:
    """Where a value was written: file, 1-based line and column."""

    path: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Cues:
    """Which cues a step gives. `countdown` is the number of beeps before the end (0 = none)."""

    start: bool = True
    halfway: bool = True
    countdown: int = 3
    switch: bool = True
    end: bool = True
    #: A soft tick every N seconds of work to pace roll passes (0 = off).
    cadence: float = 0.0
    #: Custom WAVs per cue name (absolute paths, checked at load time).
    sounds: tuple[tuple[str, str], ...] = ()

    def sound_for(self, cue: str) -> str | None:
        for name, path in self.sounds:
            if name == cue:
                return path
        return None


@dataclass(frozen=True)
class Step:
    """One step of a routine, after defaults and includes have been applied."""

    technique: str
    region: str | None
    side: Side | None
    duration: float
    repeat: int = 1
    rest: float = 0.0
    lead_in: float = 5.0
    pressure: int | None = None
    tool: str | None = None
    instructions: str = ""
    title: str | None = None
    cues: Cues = field(default_factory=Cues)
    where: Where | None = None
    #: The spoken cue as written (`say:`, at most 30 words); None: a phrase is generated.
    say: str | None = None
    #: Spoken 5 s before the end of the step's last work segment (`say_end:`, ≤ 12 words).
    say_end: str | None = None


@dataclass(frozen=True)
class Routine:
    """A named list of steps, as loaded from one YAML file (includes spliced in)."""

    id: str
    name: str
    steps: tuple[Step, ...]
    summary: str = ""
    tags: tuple[str, ...] = ()
    equipment: tuple[str, ...] = ()
    caution: str = ""
    path: Path | None = None
    source: Source = "path"

    @property
    def regions(self) -> tuple[str, ...]:
        """Regions worked, in first-seen order."""
        seen: dict[str, None] = {}
        for step in self.steps:
            if step.region:
                seen.setdefault(step.region, None)
        return tuple(seen)

    @property
    def techniques(self) -> tuple[str, ...]:
        """Techniques used, in first-seen order."""
        seen: dict[str, None] = {}
        for step in self.steps:
            seen.setdefault(step.technique, None)
        return tuple(seen)
