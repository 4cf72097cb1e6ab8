"""Tests for the control seam: commands from other threads run on the owner's thread, in
order, and every event publishes a snapshot that watchers on other threads can read."""

from __future__ import annotations

import threading

from player.clock import FakeClock
from player.control import Command, SessionControl, Snapshot
from player.routine import Routine, Step
from player.session import Session
from player.timeline import expand


def make() -> tuple[Session, FakeClock]:
    clock = FakeClock()
    routine = Routine(id="t", name="Test", steps=(
        Step("trigger-point", "upper-trapezius", "each", 20.0, lead_in=5.0, pressure=6,
             instructions="Press and hold."),
        Step("breathe", None, None, 8.0, lead_in=0.0),
    ))
    return Session(expand(routine), clock=clock), clock


def test_commands_wait_for_drain_and_run_on_the_owner_thread() -> None:
    session, clock = make()
    woken = threading.Event()
    quits: list[int] = []
    control = SessionControl(session, woken.set, lambda: quits.append(1), "t", "Test")
    session.start()
    thread = threading.Thread(target=lambda: control.submit(Command.PLAY_PAUSE))
    thread.start()
    thread.join()
    assert woken.is_set()
    assert not session.paused  # nothing ran on the other thread
    assert control.drain() == 1
    assert session.paused
    control.submit(Command.PLAY)
    control.submit(Command.NEXT)
    control.drain()
    assert not session.paused and session.current is not None and session.current.step == 2
    control.submit(Command.QUIT)
    control.drain()
    assert quits == [1]


def test_stop_pauses_and_extend_adds_seconds() -> None:
    session, clock = make()
    control = SessionControl(session, lambda: None, lambda: None)
    session.start()
    before = session.segment_remaining()
    control.submit(Command.EXTEND, 10)
    control.submit(Command.STOP)
    control.drain()
    assert session.paused and session.state != "done"
    assert session.segment_remaining() == before + 10


def test_watchers_see_a_snapshot_per_event() -> None:
    session, clock = make()
    control = SessionControl(session, lambda: None, lambda: None, "t", "Test")
    seen: list[Snapshot] = []
    unwatch = control.watch(seen.append)
    session.start()
    clock.advance(5.0)
    session.poll()
    snap = control.snapshot()
    assert snap.kind == "work" and snap.side == "left" and snap.pressure == 6
    assert snap.title == "Trigger point · upper trapezius · left"
    assert snap.next_title == "Breathe"
    assert snap.routine_name == "Test" and snap.steps == 2 and snap.step == 1
    assert snap.segment_length == 20.0 and snap.segment_remaining == 20.0
    assert [s.serial for s in seen] == sorted({s.serial for s in seen})
    count = len(seen)
    unwatch()
    clock.advance(30.0)
    session.poll()
    assert len(seen) == count
    session.stop()
    assert control.snapshot().done


def test_a_failing_watcher_is_dropped_and_the_session_goes_on() -> None:
    session, clock = make()
    control = SessionControl(session, lambda: None, lambda: None)

    def broken(_: Snapshot) -> None:
        raise RuntimeError("boom")

    good: list[Snapshot] = []
    control.watch(broken)
    control.watch(good.append)
    session.start()
    clock.advance(6.0)
    session.poll()
    assert len(good) >= 2 and session.state == "work"
