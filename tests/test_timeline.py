"""Tests for the timeline: segments, their planned offsets and the total."""

from __future__ import annotations

from player.routine import Routine, Step
from player.timeline import expand


def routine(*steps: Step) -> Routine:
    return Routine(id="t", name="T", steps=steps)


def shape(r: Routine) -> list[tuple[str, int, str | None, float, float]]:
    return [(s.kind, s.step, s.side, s.at, s.duration) for s in expand(r).segments]


def test_each_side_with_repeats_rests_and_a_switch() -> None:
    r = routine(Step("trigger-point", "calves", "each", 20, repeat=2, rest=10, lead_in=5))
    assert shape(r) == [
        ("lead_in", 1, "left", 0, 5),
        ("work", 1, "left", 5, 20),
        ("rest", 1, "left", 25, 10),
        ("work", 1, "left", 35, 20),
        ("switch", 1, "right", 55, 5),
        ("work", 1, "right", 60, 20),
        ("rest", 1, "right", 80, 10),
        ("work", 1, "right", 90, 20),
    ]
    assert expand(r).total == 110


def test_zero_length_segments_are_dropped() -> None:
    r = routine(Step("stretch", "quads", "each", 30, repeat=2, rest=0, lead_in=0),
                Step("breathe", None, None, 60, lead_in=0))
    assert shape(r) == [
        ("work", 1, "left", 0, 30), ("work", 1, "left", 30, 30),
        ("work", 1, "right", 60, 30), ("work", 1, "right", 90, 30),
        ("work", 2, None, 120, 60),
    ]


def test_both_and_no_side_are_one_pass() -> None:
    r = routine(Step("effleurage", "jaw", "both", 60), Step("breathe", None, None, 30))
    assert shape(r) == [("lead_in", 1, "both", 0, 5), ("work", 1, "both", 5, 60),
                        ("lead_in", 2, None, 65, 5), ("work", 2, None, 70, 30)]


def test_segment_lookup_and_step_starts() -> None:
    r = routine(Step("stretch", "quads", "each", 30), Step("breathe", None, None, 30))
    t = expand(r)
    assert [s.index for s in t.segments] == list(range(len(t.segments)))
    assert all(s.of == 2 for s in t.segments)
    assert t.segment_at(-1) is None and t.segment_at(t.total) is None
    assert t.segment_at(0).kind == "lead_in"  # type: ignore[union-attr]
    assert t.segment_at(34.9).side == "left"  # type: ignore[union-attr]
    assert t.segment_at(35).kind == "switch"  # type: ignore[union-attr]
    assert t.first_segment_of_step(2) == 4
    assert t.first_segment_of_step(3) == len(t.segments)
    assert t.work_seconds_of_step(1) == 60
    assert t.segments[-1].end == t.total == 5 + 30 + 5 + 30 + 5 + 30


def test_json_shape() -> None:
    seg = expand(routine(Step("rest", None, None, 10))).segments[1]
    assert seg.as_json() == {"kind": "work", "step": 1, "of": 1, "technique": "rest",
                             "region": None, "side": None, "at": 5.0, "duration": 10.0}


def test_ten_thousand_steps() -> None:
    # Speed is bench/load.py's to measure; this checks the offsets stay exact at that size.
    steps = tuple(Step("stretch", "quads", "each", 30, repeat=2, rest=5) for _ in range(10_000))
    t = expand(routine(*steps))
    assert len(t.segments) == 10_000 * 8
    assert t.segments[-1].at == t.total - 30
    assert t.total == 10_000 * (5 + 30 + 5 + 30 + 5 + 30 + 5 + 30)
