"""Tests for reading and writing durations."""

from __future__ import annotations

import pytest

from player.durations import DurationError, format_clock, format_human, parse_duration


@pytest.mark.parametrize("text,seconds", [
    (20, 20), (2.5, 2.5), ("20", 20), ("20s", 20), ("20 s", 20), ("20sec", 20), ("1m", 60),
    ("1min", 60), ("1m30s", 90), ("1m 30s", 90), ("1:30", 90), ("0:20", 20), ("1:00:00", 3600),
    ("1h", 3600), ("1.5m", 90), (" 45S ", 45),
])
def test_parse(text: object, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "abc", "1:3", "1:60", "20x", "m", "1m1m", True, None,
                                  [20]])
def test_unreadable(text: object) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


@pytest.mark.parametrize("seconds,clock", [(0, "00:00"), (0.2, "00:01"), (59.9, "01:00"),
                                           (90, "01:30"), (3600, "1:00:00"), (-3, "00:00")])
def test_format_clock_rounds_up(seconds: float, clock: str) -> None:
    assert format_clock(seconds) == clock


@pytest.mark.parametrize("seconds,human", [(20, "20 s"), (60, "1 min"), (90, "1 min 30 s"),
                                           (0, "0 s")])
def test_format_human(seconds: float, human: str) -> None:
    assert format_human(seconds) == human
