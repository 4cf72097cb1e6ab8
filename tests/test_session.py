"""Tests for the session engine with a fake clock: event order, every operation in every state,
long-run exactness, speed, cues and listener isolation."""

from __future__ import annotations

from typing import Any, get_args

import pytest

from player import vocab
from player.clock import FakeClock
from player.events import (
    CueFired,
    Done,
    Event,
    Extended,
    Paused,
    Resumed,
    SegmentEnded,
    SegmentStarted,
    Skipped,
)
from player.routine import Cues, Routine, Step
from player.session import RUNNING, Session
from player.timeline import Timeline, expand


def routine(*steps: Step, name: str = "Test") -> Routine:
    return Routine(id="test", name=name, steps=tuple(steps))


def sample() -> Timeline:
    """Sides, repeats, rests, a step without a lead-in: every kind of segment."""
    return expand(routine(
        Step("effleurage", "upper-trapezius", "each", 30.0, lead_in=5.0),
        Step("trigger-point", "upper-trapezius", "each", 20.0, repeat=2, rest=10.0, lead_in=5.0,
             cues=Cues(countdown=2)),
        Step("breathe", None, None, 8.0, lead_in=0.0, cues=Cues(countdown=0)),
    ))


class Recorder:
    """Events in `events`, except SegmentEnded (the sequences below predate it): `ended`."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.ended: list[SegmentEnded] = []

    def __call__(self, event: Event) -> None:
        if isinstance(event, SegmentEnded):
            self.ended.append(event)
            return
        self.events.append(event)

    def compact(self) -> list[tuple[Any, ...]]:
        return [compact(e) for e in self.events]

    def clear(self) -> None:
        self.events.clear()


def compact(e: Event) -> tuple[Any, ...]:
    if isinstance(e, SegmentStarted):
        return ("seg", e.segment.kind, e.segment.step, e.segment.side, e.at)
    if isinstance(e, CueFired):
        return ("cue", e.cue, e.at, e.remaining)
    if isinstance(e, Paused):
        return ("pause",)
    if isinstance(e, Resumed):
        return ("resume",)
    if isinstance(e, Skipped):
        return ("skip", e.action, e.from_step, e.to_step)
    if isinstance(e, Extended):
        return ("extend", e.seconds)
    assert isinstance(e, Done)
    return ("done", e.completed, e.reason, e.steps_done, e.steps_skipped)


def make(timeline: Timeline | None = None, **kw: Any) -> tuple[Session, FakeClock, Recorder]:
    clock = FakeClock()
    session = Session(timeline or sample(), clock=clock, **kw)
    rec = Recorder()
    session.subscribe(rec)
    return session, clock, rec


def run_out(session: Session, clock: FakeClock) -> None:
    """Jump the fake clock to each deadline in turn, as the headless driver sleeps to it."""
    guard = 0
    while session.state != "done":
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(deadline)
        session.poll()
        guard += 1
        assert guard < 100_000


# ---------------------------------------------------------------------------- sequence


def test_full_event_sequence_with_sides_repeats_and_rests() -> None:
    session, clock, rec = make()
    session.start()
    run_out(session, clock)
    assert rec.compact() == [
        ("seg", "lead_in", 1, "left", 0.0),
        ("cue", "countdown", 2.0, 3.0), ("cue", "countdown", 3.0, 2.0),
        ("cue", "countdown", 4.0, 1.0),
        ("seg", "work", 1, "left", 5.0), ("cue", "start", 5.0, 0.0),
        ("cue", "halfway", 20.0, 15.0),
        ("cue", "countdown", 32.0, 3.0), ("cue", "countdown", 33.0, 2.0),
        ("cue", "countdown", 34.0, 1.0), ("cue", "end", 35.0, 0.0),
        ("seg", "switch", 1, "right", 35.0), ("cue", "switch", 35.0, 0.0),
        ("seg", "work", 1, "right", 40.0), ("cue", "start", 40.0, 0.0),
        ("cue", "halfway", 55.0, 15.0),
        ("cue", "countdown", 67.0, 3.0), ("cue", "countdown", 68.0, 2.0),
        ("cue", "countdown", 69.0, 1.0), ("cue", "end", 70.0, 0.0),
        # step 2: countdown 2, each side, 2 repeats with a rest between
        ("seg", "lead_in", 2, "left", 70.0),
        ("cue", "countdown", 73.0, 2.0), ("cue", "countdown", 74.0, 1.0),
        ("seg", "work", 2, "left", 75.0), ("cue", "start", 75.0, 0.0),
        ("cue", "halfway", 85.0, 10.0),
        ("cue", "countdown", 93.0, 2.0), ("cue", "countdown", 94.0, 1.0),
        ("cue", "end", 95.0, 0.0),
        ("seg", "rest", 2, "left", 95.0),
        ("seg", "work", 2, "left", 105.0), ("cue", "start", 105.0, 0.0),
        ("cue", "halfway", 115.0, 10.0),
        ("cue", "countdown", 123.0, 2.0), ("cue", "countdown", 124.0, 1.0),
        ("cue", "end", 125.0, 0.0),
        ("seg", "switch", 2, "right", 125.0), ("cue", "switch", 125.0, 0.0),
        ("seg", "work", 2, "right", 130.0), ("cue", "start", 130.0, 0.0),
        ("cue", "halfway", 140.0, 10.0),
        ("cue", "countdown", 148.0, 2.0), ("cue", "countdown", 149.0, 1.0),
        ("cue", "end", 150.0, 0.0),
        ("seg", "rest", 2, "right", 150.0),
        ("seg", "work", 2, "right", 160.0), ("cue", "start", 160.0, 0.0),
        ("cue", "halfway", 170.0, 10.0),
        ("cue", "countdown", 178.0, 2.0), ("cue", "countdown", 179.0, 1.0),
        ("cue", "end", 180.0, 0.0),
        # step 3: no lead-in, no countdown, under 20 s so no halfway
        ("seg", "work", 3, None, 180.0), ("cue", "start", 180.0, 0.0),
        ("cue", "end", 188.0, 0.0),
        ("cue", "done", 188.0, 0.0),
        ("done", True, "completed", 3, 0),
    ]
    # Sleeping exactly to each deadline: every event's t is its planned offset, bit for bit.
    for e in rec.events:
        if isinstance(e, (SegmentStarted, CueFired)):
            assert e.t == e.at


def test_states_follow_the_segments() -> None:
    session, clock, rec = make()
    assert session.state == "ready" and session.current is None
    session.start()
    seen = [session.state]
    while session.state != "done":
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(deadline)
        session.poll()
        if session.state != seen[-1]:
            seen.append(session.state)
    assert seen == ["lead_in", "work", "switch", "work", "lead_in", "work", "rest", "work",
                    "switch", "work", "rest", "work", "done"]


def test_two_hour_routine_ends_with_zero_accumulated_error() -> None:
    steps = []
    for i in range(60):
        steps.append(Step("foam-roll", "calves", "each", 45.0, repeat=1, lead_in=5.0,
                          cues=Cues(cadence=3.0)))
        steps.append(Step("trigger-point", "glutes", "left", 20.0, repeat=2, rest=7.5,
                          lead_in=2.5 if i % 2 else 5.0))
    timeline = expand(routine(*steps))
    assert timeline.total >= 2 * 3600
    session, clock, rec = make(timeline)
    session.start()
    run_out(session, clock)
    timed = [e for e in rec.events if isinstance(e, (SegmentStarted, CueFired))]
    assert len(timed) > 3000
    assert all(e.t == e.at for e in timed)
    last = rec.events[-1]
    assert isinstance(last, Done) and last.completed
    assert last.t == timeline.total  # exact float equality: nothing accumulated
    assert last.active_seconds == timeline.total
    assert clock.now() == 1000.0 + timeline.total


def test_late_polls_emit_missed_events_in_order_with_their_real_t() -> None:
    session, clock, rec = make()
    session.start()
    clock.advance(36.5)  # the process slept through a whole work period
    session.poll()
    late = rec.events[1:]
    assert [compact(e) for e in late][:4] == [
        ("cue", "countdown", 2.0, 3.0), ("cue", "countdown", 3.0, 2.0),
        ("cue", "countdown", 4.0, 1.0), ("seg", "work", 1, "left", 5.0)]
    assert compact(late[-1]) == ("cue", "switch", 35.0, 0.0)
    assert all(e.t == 36.5 for e in late)  # type: ignore[union-attr]
    # The schedule did not slip: the next deadline is still the planned one.
    assert session.next_deadline() == 1000.0 + 40.0


def test_next_deadline_drives_the_sleep_and_is_absolute() -> None:
    session, clock, rec = make()
    assert session.next_deadline() is None
    session.start()
    assert session.next_deadline() == 1002.0  # first countdown beep of the 5 s lead-in
    clock.advance(0.4)
    session.poll()
    assert session.next_deadline() == 1002.0  # polling early changes nothing
    clock.set(1002.0)
    session.poll()
    assert compact(rec.events[-1]) == ("cue", "countdown", 2.0, 3.0)
    assert session.next_deadline() == 1003.0


def test_speed_scales_the_clock_but_not_routine_seconds() -> None:
    session, clock, rec = make(speed=50.0)
    session.start()
    run_out(session, clock)
    total = session.timeline.total
    assert clock.now() == pytest.approx(1000.0 + total / 50.0)
    done = rec.events[-1]
    assert isinstance(done, Done)
    assert done.active_seconds == pytest.approx(total)
    for e in rec.events:
        if isinstance(e, (SegmentStarted, CueFired)):
            assert e.t == pytest.approx(e.at, abs=1e-9)


def test_speed_must_be_positive_and_start_step_in_range() -> None:
    with pytest.raises(ValueError):
        Session(sample(), clock=FakeClock(), speed=0)
    with pytest.raises(ValueError):
        Session(sample(), clock=FakeClock(), start_step=4)
    with pytest.raises(ValueError):
        Session(sample(), clock=FakeClock(), start_step=0)


def test_start_at_a_later_step() -> None:
    session, clock, rec = make(start_step=3)
    session.start()
    assert compact(rec.events[0]) == ("seg", "work", 3, None, 180.0)
    assert rec.events[0].t == 0.0  # type: ignore[union-attr]
    assert session.routine_remaining() == 8.0
    run_out(session, clock)
    assert clock.now() == 1008.0
    assert compact(rec.events[-1]) == ("done", True, "completed", 1, 0)


# ---------------------------------------------------------------------------- pause


def test_pause_freezes_time_and_resume_moves_every_deadline() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1010.0)
    session.poll()
    assert session.segment_elapsed() == 5.0 and session.state == "work"
    assert session.pause() is True
    assert session.state == "paused" and session.paused
    assert session.next_deadline() is None
    clock.advance(100.0)
    session.poll()
    assert isinstance(rec.events[-1], Paused)
    assert session.segment_elapsed() == 5.0 and session.active_seconds() == 10.0
    assert session.pause() is False  # already paused
    assert session.resume() is True
    resumed = rec.events[-1]
    assert isinstance(resumed, Resumed) and resumed.paused_for == 100.0 and resumed.t == 10.0
    assert session.state == "work"
    assert session.next_deadline() == 1000.0 + 100.0 + 20.0  # halfway, moved by the pause
    run_out(session, clock)
    done = rec.events[-1]
    assert isinstance(done, Done) and done.active_seconds == session.timeline.total
    assert clock.now() == 1000.0 + 100.0 + session.timeline.total


def test_the_states_a_session_takes_are_vocab_state() -> None:
    """`Session.state` is typed `vocab.State` (mypy then rejects `state == "playing"`): the states
    a session really goes through are that Literal's values, and RUNNING is SegmentKind's."""
    session, clock, _ = make()
    seen = {session.state}
    session.start()
    session.pause()
    seen.add(session.state)
    session.resume()
    while session.state != "done":
        seen.add(session.state)
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(deadline)
        session.poll()
    seen.add(session.state)
    assert seen == set(get_args(vocab.State))
    assert set(RUNNING) == set(get_args(vocab.SegmentKind))


def test_toggle_pause() -> None:
    session, clock, rec = make()
    session.start()
    assert session.toggle_pause() and session.state == "paused"
    assert session.toggle_pause() and session.state == "lead_in"
    assert [type(e) for e in rec.events[-2:]] == [Paused, Resumed]


def test_events_due_before_a_pause_still_happen() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1006.0)  # work began at 1005 but nobody polled
    session.pause()
    assert [compact(e)[0:2] for e in rec.events[-3:]] == [
        ("seg", "work"), ("cue", "start"), ("pause",)]


# ---------------------------------------------------------------------------- moves


def test_next_skips_to_the_next_step_and_counts_it_skipped() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1010.0)
    session.poll()
    rec.clear()
    assert session.next() is True
    assert rec.compact() == [("skip", "next", 1, 2), ("seg", "lead_in", 2, "left", 70.0)]
    assert session.steps_skipped == 1
    assert session.position() == 70.0
    assert session.next_deadline() == 1010.0 + 3.0  # lead-in countdown 2, from now
    run_out(session, clock)
    assert compact(rec.events[-1]) == ("done", True, "completed", 2, 1)
    assert rec.events[-1].active_seconds == 10.0 + 118.0  # type: ignore[union-attr]


def test_next_on_the_last_step_ends_the_session_completed() -> None:
    session, clock, rec = make(start_step=3)
    session.start()
    clock.advance(2.0)
    rec.clear()
    assert session.next() is True
    assert rec.compact() == [("skip", "next", 3, 4), ("cue", "done", 188.0, 0.0),
                             ("done", True, "completed", 0, 1)]
    assert session.state == "done"


def test_back_goes_to_the_previous_step_and_restarts_step_one() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1080.0)  # step 2, first work
    session.poll()
    assert session.current is not None and session.current.step == 2
    rec.clear()
    assert session.back() is True
    assert rec.compact()[:2] == [("skip", "back", 2, 1), ("seg", "lead_in", 1, "left", 0.0)]
    assert session.position() == 0.0 and session.step == 1
    assert session.steps_skipped == 0  # going back is not skipping
    rec.clear()
    assert session.back() is True
    assert rec.compact()[:2] == [("skip", "back", 1, 1), ("seg", "lead_in", 1, "left", 0.0)]


def test_restart_step_goes_to_its_first_segment() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1100.0)  # step 2, rest between repeats
    session.poll()
    assert session.state == "rest"
    rec.clear()
    assert session.restart_step() is True
    assert rec.compact()[:2] == [("skip", "restart", 2, 2), ("seg", "lead_in", 2, "left", 70.0)]
    assert session.state == "lead_in" and session.step_elapsed() == 0.0


def test_a_skipped_step_done_later_counts_as_done() -> None:
    session, clock, rec = make()
    session.start()
    session.next()  # skip 1
    session.back()  # back to 1
    assert session.steps_skipped == 1
    run_out(session, clock)
    assert compact(rec.events[-1]) == ("done", True, "completed", 3, 0)


def test_moves_while_paused_stay_paused_and_cue_on_resume() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1007.0)
    session.pause()
    rec.clear()
    assert session.next() is True
    assert session.state == "paused"
    assert rec.compact() == [("skip", "next", 1, 2), ("seg", "lead_in", 2, "left", 70.0)]
    clock.advance(30.0)
    session.poll()
    assert len(rec.events) == 2 and session.segment_elapsed() == 0.0
    session.resume()
    assert session.state == "lead_in"
    assert session.next_deadline() == 1037.0 + 3.0
    session.next()  # into step 3 (no lead-in: work starts, and its start cue sounds)
    session.pause()
    rec.clear()
    session.restart_step()
    assert rec.compact() == [("skip", "restart", 3, 3), ("seg", "work", 3, None, 180.0)]
    session.resume()
    assert compact(rec.events[-1]) == ("cue", "start", 180.0, 0.0)


# ---------------------------------------------------------------------------- extend


def test_extend_lengthens_the_segment_and_shifts_what_follows() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1000.0 + 5.0 + 24.0)  # work 1 left, after halfway
    session.poll()
    assert session.segment_remaining() == 6.0
    rec.clear()
    assert session.extend() is True
    assert rec.compact() == [("extend", 15.0)]
    assert session.segment_remaining() == 21.0 and session.segment_length() == 45.0
    assert session.routine_remaining() == session.timeline.total - 29.0 + 15.0
    clock.set(1000.0 + 52.0)
    session.poll()
    # halfway is not repeated; the countdown comes before the new end; the switch moved 15 s
    assert rec.compact()[1:] == [
        ("cue", "countdown", 47.0, 3.0), ("cue", "countdown", 48.0, 2.0),
        ("cue", "countdown", 49.0, 1.0), ("cue", "end", 50.0, 0.0),
        ("seg", "switch", 1, "right", 35.0), ("cue", "switch", 35.0, 0.0)]
    assert session.position() == 35.0 + 2.0
    assert session.segment_elapsed() == 2.0
    run_out(session, clock)
    done = rec.events[-1]
    assert isinstance(done, Done) and done.active_seconds == session.timeline.total + 15.0


def test_extend_in_the_countdown_restarts_it() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1003.5)  # lead-in, two beeps heard (3 and 2)
    session.poll()
    session.extend(5.0)
    rec.clear()
    clock.set(1010.0)
    session.poll()
    assert rec.compact() == [
        ("cue", "countdown", 7.0, 3.0), ("cue", "countdown", 8.0, 2.0),
        ("cue", "countdown", 9.0, 1.0), ("seg", "work", 1, "left", 5.0),
        ("cue", "start", 5.0, 0.0)]


def test_extend_before_halfway_moves_halfway_once() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1010.0)
    session.poll()
    session.extend(10.0)
    clock.set(1045.0)
    session.poll()
    halfways = [e for e in rec.events if isinstance(e, CueFired) and e.cue == "halfway"]
    assert [h.at for h in halfways] == [25.0]  # 5 + 40 / 2


def test_extend_rejects_non_positive_seconds() -> None:
    session, clock, rec = make()
    session.start()
    assert session.extend(0) is False and session.extend(-3) is False


# ---------------------------------------------------------------------------- every op, state


OPS = ["start", "pause", "resume", "toggle_pause", "next", "back", "restart_step", "extend",
       "stop"]

#: clock offset (from the start) that puts the sample session into each running state
AT = {"lead_in": 1.0, "work": 10.0, "switch": 36.0, "rest": 100.0}


def into(state: str) -> tuple[Session, FakeClock, Recorder]:
    session, clock, rec = make()
    if state == "ready":
        return session, clock, rec
    session.start()
    if state in AT:
        clock.set(1000.0 + AT[state])
        session.poll()
    elif state == "paused":
        clock.set(1010.0)
        session.pause()
    elif state == "done":
        session.stop()
    assert session.state == state
    rec.clear()
    return session, clock, rec


EXPECTED: dict[tuple[str, str], tuple[bool, str, list[type]]] = {}
for _s in ["lead_in", "work", "switch", "rest"]:
    EXPECTED.update({
        ("start", _s): (False, _s, []),
        ("pause", _s): (True, "paused", [Paused]),
        ("resume", _s): (False, _s, []),
        ("toggle_pause", _s): (True, "paused", [Paused]),
        ("next", _s): (True, "lead_in", [Skipped, SegmentStarted]),
        ("back", _s): (True, "lead_in", [Skipped, SegmentStarted]),
        ("restart_step", _s): (True, "lead_in", [Skipped, SegmentStarted]),
        ("extend", _s): (True, _s, [Extended]),
        ("stop", _s): (True, "done", [Done]),
    })
EXPECTED.update({
    ("start", "ready"): (True, "lead_in", [SegmentStarted]),
    ("stop", "ready"): (True, "done", [Done]),
    ("start", "paused"): (False, "paused", []),
    ("pause", "paused"): (False, "paused", []),
    ("resume", "paused"): (True, "work", [Resumed]),
    ("toggle_pause", "paused"): (True, "work", [Resumed]),
    ("next", "paused"): (True, "paused", [Skipped, SegmentStarted]),
    ("back", "paused"): (True, "paused", [Skipped, SegmentStarted]),
    ("restart_step", "paused"): (True, "paused", [Skipped, SegmentStarted]),
    ("extend", "paused"): (True, "paused", [Extended]),
    ("stop", "paused"): (True, "done", [Done]),
})
# rest is in step 2, and step 3 has no lead-in
EXPECTED[("next", "rest")] = (True, "work", [Skipped, SegmentStarted, CueFired])
for _op in OPS:
    EXPECTED.setdefault((_op, "ready"), (False, "ready", []))
    EXPECTED.setdefault((_op, "done"), (False, "done", []))


@pytest.mark.parametrize("state", ["ready", "lead_in", "work", "switch", "rest", "paused", "done"])
@pytest.mark.parametrize("op", OPS)
def test_every_operation_in_every_state(op: str, state: str) -> None:
    session, clock, rec = into(state)
    changed, after, types = EXPECTED[(op, state)]
    result = getattr(session, op)()
    assert result is changed
    assert session.state == after
    assert [type(e) for e in rec.events] == types
    # Whatever happened, the session can still be played out (or is over) without error.
    if session.state == "paused":
        session.resume()
    if session.state == "ready":
        session.start()
    run_out(session, clock)
    assert session.result is not None
    assert sum(isinstance(e, Done) for e in rec.events) == (0 if state == "done" else 1)


def test_stop_reports_reason_and_counts() -> None:
    session, clock, rec = make()
    session.start()
    clock.set(1036.0)
    session.poll()
    session.next()
    clock.advance(20.0)
    session.stop("interrupted")
    done = rec.events[-1]
    assert isinstance(done, Done)
    assert (done.completed, done.reason, done.steps_done, done.steps_skipped) == (
        False, "interrupted", 0, 1)
    assert done.active_seconds == 56.0 and session.result is done
    assert session.stop() is False  # only one Done
    assert not any(isinstance(e, CueFired) and e.cue == "done" for e in rec.events)


def test_stop_while_paused_counts_only_active_time() -> None:
    session, clock, rec = make()
    session.start()
    clock.advance(12.0)
    session.pause()
    clock.advance(500.0)
    session.stop()
    done = rec.events[-1]
    assert isinstance(done, Done) and done.active_seconds == 12.0
    assert session.active_seconds() == 12.0


# ---------------------------------------------------------------------------- cues


def cues_of(timeline: Timeline) -> list[tuple[str, float]]:
    session, clock, rec = make(timeline)
    session.start()
    run_out(session, clock)
    return [(e.cue, e.at) for e in rec.events if isinstance(e, CueFired)]


def test_cue_flags_are_respected() -> None:
    quiet = Cues(start=False, halfway=False, countdown=0, switch=False, end=False)
    got = cues_of(expand(routine(Step("stretch", "calves", "each", 30.0, lead_in=5.0,
                                      cues=quiet))))
    assert got == [("done", 70.0)]


def test_halfway_only_for_work_of_twenty_seconds_or_more() -> None:
    got = cues_of(expand(routine(
        Step("stretch", "calves", None, 19.0, lead_in=0.0, cues=Cues(countdown=0)),
        Step("stretch", "calves", None, 20.0, lead_in=0.0, cues=Cues(countdown=0)),
    )))
    assert got == [("start", 0.0), ("end", 19.0), ("start", 19.0), ("halfway", 29.0),
                   ("end", 39.0), ("done", 39.0)]


def test_cadence_ticks_stop_for_the_countdown_and_skip_halfway() -> None:
    got = cues_of(expand(routine(
        Step("foam-roll", "calves", None, 24.0, lead_in=0.0, cues=Cues(cadence=4.0)))))
    assert got == [("start", 0.0), ("cadence", 4.0), ("cadence", 8.0), ("halfway", 12.0),
                   ("cadence", 16.0), ("cadence", 20.0), ("countdown", 21.0), ("countdown", 22.0),
                   ("countdown", 23.0), ("end", 24.0), ("done", 24.0)]


def test_custom_sounds_are_passed_with_the_cue() -> None:
    sounds = (("start", "/r/gong.wav"), ("done", "/r/bell.wav"))
    timeline = expand(routine(Step("stretch", "calves", None, 10.0, lead_in=0.0,
                                   cues=Cues(countdown=0, sounds=sounds))))
    session, clock, rec = make(timeline)
    session.start()
    run_out(session, clock)
    got = [(e.cue, e.sound) for e in rec.events if isinstance(e, CueFired)]
    assert got == [("start", "/r/gong.wav"), ("end", None), ("done", "/r/bell.wav")]


# ---------------------------------------------------------------------------- listeners


def test_a_failing_listener_never_stops_the_timer(capsys: pytest.CaptureFixture[str]) -> None:
    def broken(event: Event) -> None:
        raise RuntimeError("boom")

    clock = FakeClock()
    session = Session(sample(), clock=clock)
    session.subscribe(broken)
    rec = Recorder()
    session.subscribe(rec)
    session.start()
    run_out(session, clock)
    assert isinstance(rec.events[-1], Done) and len(rec.events) > 50
    err = capsys.readouterr().err
    assert err.count("boom") == 1 and "broken" in err


def test_a_listener_may_stop_the_session_from_inside_an_event() -> None:
    clock = FakeClock()
    session = Session(sample(), clock=clock)
    rec = Recorder()

    def stopper(event: Event) -> None:
        if isinstance(event, CueFired) and event.cue == "halfway":
            session.stop()

    session.subscribe(stopper)
    session.subscribe(rec)
    session.start()
    clock.advance(21.0)
    session.poll()
    assert session.state == "done"
    assert [compact(e)[:2] for e in rec.events[-2:]] == [("cue", "halfway"), ("done", False)]


def test_unsubscribe() -> None:
    session, clock, rec = make()
    session.unsubscribe(rec)
    session.start()
    assert rec.events == []


def test_reading_the_clock_derived_values() -> None:
    session, clock, rec = make()
    assert session.routine_remaining() == 188.0 and session.segment_remaining() == 0.0
    session.start()
    clock.set(1012.5)
    session.poll()
    assert session.current is not None and session.current.kind == "work"
    assert session.segment_elapsed() == 7.5
    assert session.segment_remaining() == 22.5
    assert session.step_elapsed() == 12.5
    assert session.routine_remaining() == 188.0 - 12.5
    assert session.active_seconds() == 12.5


def test_a_late_final_poll_does_not_count_the_overshoot_as_active_time() -> None:
    from player.clock import FakeClock as _Clock
    from player.events import Done as _Done
    from player.routine import Routine as _Routine
    from player.routine import Step as _Step
    from player.session import Session as _Session
    from player.timeline import expand as _expand

    routine = _Routine(id="r", name="R", steps=(_Step("stretch", "calves", "each", 20.0),))
    timeline = _expand(routine)  # 5 lead-in + 20 + 5 switch + 20 = 50 s
    clock = _Clock()
    session = _Session(timeline, clock=clock)
    seen: list[object] = []
    session.subscribe(seen.append)
    session.start()
    clock.advance(timeline.total + 600.0)  # the machine stalled for ten minutes
    session.poll()
    done = [e for e in seen if isinstance(e, _Done)]
    assert len(done) == 1 and done[0].completed
    assert done[0].active_seconds == timeline.total == 50.0
    assert done[0].t == 650.0  # the event itself still says when it was emitted


# ------------------------------------------------------------------ SegmentEnded


def test_segment_ended_comes_after_the_end_cue_and_before_the_next_segment() -> None:
    clock = FakeClock()
    session = Session(sample(), clock=clock)
    order: list[str] = []

    def listen(e: Event) -> None:
        if isinstance(e, SegmentEnded):
            order.append(f"ended {e.segment.kind} {e.played:g} {e.finished}")
        elif isinstance(e, SegmentStarted):
            order.append(f"start {e.segment.kind}")
        elif isinstance(e, CueFired) and e.cue == "end":
            order.append("end cue")

    session.subscribe(listen)
    session.start()
    clock.advance(5 + 30 + 1)
    session.poll()
    assert order == ["start lead_in", "ended lead_in 5 True", "start work", "end cue",
                     "ended work 30 True", "start switch"]


def test_segment_ended_says_what_was_played_when_left_early() -> None:
    clock = FakeClock()
    rec = Recorder()
    session = Session(sample(), clock=clock)
    session.subscribe(rec)
    session.start()
    clock.advance(5 + 12.5)
    session.poll()
    session.pause()
    clock.advance(100)  # paused time is not played
    session.resume()
    session.extend(15.0)
    clock.advance(4)
    session.next()
    left = rec.ended[-1]
    assert (left.segment.kind, left.played, left.finished) == ("work", 16.5, False)
    assert left.at == pytest.approx(5 + 16.5)
    # The skip is announced after the segment is left.
    assert isinstance(rec.events[-2], Skipped)
    clock.advance(2)
    session.stop()
    last = rec.ended[-1]
    assert (last.segment.kind, last.segment.step, last.played, last.finished) == (
        "lead_in", 2, 2.0, False)
    assert len(rec.ended) == 3  # lead-in, the work left, the lead-in stopped: once each


def test_a_late_poll_still_ends_every_segment_with_its_whole_length() -> None:
    clock = FakeClock()
    rec = Recorder()
    session = Session(sample(), clock=clock)
    session.subscribe(rec)
    session.start()
    clock.advance(10_000)
    session.poll()
    assert session.state == "done"
    timeline = session.timeline
    assert [e.segment.index for e in rec.ended] == [s.index for s in timeline.segments]
    assert [e.played for e in rec.ended] == [s.duration for s in timeline.segments]
    assert sum(e.played for e in rec.ended) == pytest.approx(timeline.total)


def test_a_listener_stopping_the_session_at_a_segment_end_ends_it_once() -> None:
    clock = FakeClock()
    rec = Recorder()
    session = Session(sample(), clock=clock)
    session.subscribe(rec)

    def stop_after_lead_in(e: Event) -> None:
        if isinstance(e, SegmentEnded) and e.segment.kind == "lead_in":
            session.stop()

    session.subscribe(stop_after_lead_in)
    session.start()
    clock.advance(6)
    session.poll()
    assert session.state == "done"
    assert len(rec.ended) == 1
    assert not any(isinstance(e, SegmentStarted) and e.segment.kind == "work"
                   for e in rec.events)
