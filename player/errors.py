"""Provides the errors unknot reports to a person: one clear line each, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from player.vocab import Severity


class UnknotError(Exception):
    """A problem the CLI prints as one line (`unknot: error: …`) and exits with `exit_code`."""

    exit_code = 1


class UsageError(UnknotError):
    """A command used wrongly (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class Problem:
    """One validation finding, located in a file."""

    path: str
    line: int
    column: int
    severity: Severity
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}"

    def as_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "message": self.message,
        }


class RoutineError(UnknotError):
    """A routine file that cannot be used; `problems` holds every error found (and warnings)."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        errors = [p for p in problems if p.severity == "error"] or problems
        super().__init__(str(errors[0]) if errors else "invalid routine")
