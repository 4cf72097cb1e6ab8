"""Tests for Playback (session, recorder, sound, saving, control) on the fake clock."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from player.clock import FakeClock
from player.control import Command
from player.events import Done, Event, SegmentEnded, SegmentStarted
from player.playback import Playback, Severity
from player.routine import Routine, Step
from player.timeline import Timeline

# lead-in 5, calves left 20, switch 5, calves right 20, lead-in 5, quads 30: 85 s.
ROUTINE = Routine(id="pb", name="Playback test", steps=(
    Step("foam-roll", "calves", "each", 20.0, lead_in=5.0),
    Step("foam-roll", "quads", None, 30.0, lead_in=5.0),
))


class Notices:
    def __init__(self) -> None:
        self.said: list[tuple[str, Severity]] = []

    def __call__(self, message: str, severity: Severity) -> None:
        self.said.append((message, severity))


class FakeSound:
    """A sound listener that hears events (it is ours, not the code under test)."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.muted = False
        self.prepared: list[Timeline] = []
        self.heard: list[Event] = []
        self.fail_on = fail_on

    def prepare(self, timeline: Timeline) -> None:
        self.prepared.append(timeline)

    def __call__(self, event: Event) -> None:
        if self.fail_on is not None and type(event).__name__ == self.fail_on:
            raise RuntimeError("device gone")
        self.heard.append(event)


def run_out(playback: Playback, clock: FakeClock, seconds: float, step: float = 1.0) -> None:
    for _ in range(int(seconds / step)):
        if playback.state == "done":
            return
        clock.advance(step)
        playback.poll()


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def test_a_whole_session_is_played_recorded_and_saved_once(tmp_path: Path) -> None:
    clock, notices, seen = FakeClock(), Notices(), []
    history = tmp_path / "history.jsonl"
    playback = Playback(ROUTINE, clock=clock, history_path=history, notice=notices)
    playback.subscribe(seen.append)
    assert playback.state == "ready" and not playback.playing
    assert playback.start(pain_before=4)
    assert playback.playing
    run_out(playback, clock, 200)
    assert playback.state == "done"
    assert isinstance(seen[-1], Done) and seen[-1].completed
    assert playback.save() and playback.save()
    (record,) = lines(history)
    assert record["completed"] is True and record["pain_before"] == 4
    assert record["regions"] == {"calves": 40.0, "quads": 30.0}
    assert record["active_seconds"] == pytest.approx(85.0)
    assert notices.said == []


def test_keys_and_buttons_are_the_same_commands() -> None:
    clock = FakeClock()
    playback = Playback(ROUTINE, clock=clock, notice=Notices())
    playback.start()
    clock.advance(7)
    playback.poll()
    assert playback.toggle() and playback.state == "paused"
    assert not playback.pause()  # already paused: nothing changes
    assert playback.command(Command.PLAY) and playback.state == "work"
    assert playback.next() and playback.session.step == 2
    assert playback.previous() and playback.session.step == 1
    assert playback.restart() and playback.session.current is not None
    before = playback.session.routine_remaining()
    assert playback.extend(15.0)
    assert playback.session.routine_remaining() == pytest.approx(before + 15.0)
    assert playback.command(Command.QUIT)
    assert playback.state == "done"
    assert playback.session.result is not None and playback.session.result.reason == "stopped"
    assert not playback.command(Command.NEXT)  # nothing applies after the end


def test_a_control_on_another_thread_runs_only_on_the_drivers_drain() -> None:
    clock = FakeClock()
    playback = Playback(ROUTINE, clock=clock, notice=Notices())
    woken = threading.Event()
    playback.wake = woken.set
    playback.start()
    control = playback.control
    assert control is playback.control  # one seam per playback
    submitter = threading.Thread(target=control.submit, args=(Command.PAUSE,))
    submitter.start()
    submitter.join()
    assert woken.is_set()
    assert playback.state == "lead_in"  # nothing ran on the other thread
    assert playback.drain() == 1
    assert playback.state == "paused"
    assert control.snapshot().paused
    control.submit(Command.QUIT)  # MPRIS Quit ends it as q does
    playback.drain()
    assert playback.state == "done"
    assert playback.session.result is not None and playback.session.result.reason == "stopped"


def test_a_failed_save_is_reported_once_and_tried_again(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    clock, notices = FakeClock(), Notices()
    playback = Playback(ROUTINE, clock=clock, history_path=blocker / "history.jsonl",
                        notice=notices)
    playback.start()
    run_out(playback, clock, 30)
    playback.end()
    assert playback.save() is False
    assert playback.save() is False
    assert len(notices.said) == 1
    message, severity = notices.said[0]
    assert message.startswith("history not saved: ") and severity == "error"
    assert str(blocker) in message
    blocker.unlink()
    assert playback.save() is True  # the folder can be made now
    assert len(lines(blocker / "history.jsonl")) == 1
    assert len(notices.said) == 1


@pytest.mark.parametrize(("speed", "record", "played", "why"), [
    (4.0, False, 200.0, "a preview"),
    (1.0, False, 6.0, "first 10 s"),
])
def test_what_is_not_a_session_says_so_once_and_writes_nothing(
    tmp_path: Path, speed: float, record: bool, played: float, why: str
) -> None:
    clock, notices = FakeClock(), Notices()
    history = tmp_path / "history.jsonl"
    playback = Playback(ROUTINE, clock=clock, speed=speed, record=record,
                        history_path=history, notice=notices)
    playback.start()
    run_out(playback, clock, played / speed, step=0.25)
    playback.end()
    assert playback.save() and playback.save()
    assert not history.exists()
    assert len(notices.said) == 1
    assert why in notices.said[0][0] and notices.said[0][1] == "information"


def test_record_saves_a_preview(tmp_path: Path) -> None:
    clock = FakeClock()
    history = tmp_path / "history.jsonl"
    playback = Playback(ROUTINE, clock=clock, speed=5.0, record=True, history_path=history,
                        notice=Notices())
    playback.start()
    run_out(playback, clock, 100, step=0.5)
    assert playback.state == "done" and playback.save()
    assert lines(history)[0]["active_seconds"] == pytest.approx(85.0)


def test_sound_that_arrives_late_is_prepared_once_and_hears_what_follows() -> None:
    clock = FakeClock()
    box: list[FakeSound] = []
    playback = Playback(ROUTINE, clock=clock, sound=lambda: box[0] if box else None,
                        notice=Notices())
    playback.start()  # no sound yet: the session plays silently
    sound = FakeSound()
    box.append(sound)
    run_out(playback, clock, 10)
    assert sound.prepared == [playback.timeline]
    assert any(isinstance(e, SegmentStarted) and e.segment.kind == "work" for e in sound.heard)
    assert playback.sound is sound


def test_a_failing_sound_is_said_once_and_never_stops_the_session() -> None:
    clock, notices = FakeClock(), Notices()
    sound = FakeSound(fail_on="CueFired")
    playback = Playback(ROUTINE, clock=clock, sound=lambda: sound, notice=notices)
    playback.start()
    run_out(playback, clock, 200)
    assert playback.state == "done"
    assert playback.session.result is not None and playback.session.result.completed
    assert notices.said == [("sound stopped: device gone", "warning")]


def test_the_recorder_counts_what_the_engine_says_was_played() -> None:
    """Regions come from SegmentEnded: a late poll, an extension and a skip."""
    clock = FakeClock()
    ended: list[SegmentEnded] = []
    playback = Playback(ROUTINE, clock=clock, notice=Notices())
    playback.subscribe(lambda e: ended.append(e) if isinstance(e, SegmentEnded) else None)
    playback.start()
    clock.advance(5 + 3)
    playback.poll()
    playback.extend(10.0)  # calves left: 30 s
    clock.advance(100)  # one late poll far past it, into quads' lead-in... and beyond
    playback.poll()
    built = playback.recorder.build()
    assert built is not None and built["completed"] is True
    assert built["regions"] == {"calves": 30.0 + 20.0, "quads": 30.0}
    work = [e for e in ended if e.segment.kind == "work"]
    assert [e.played for e in work] == [30.0, 20.0, 30.0]
    assert all(e.finished for e in ended)
