"""Tests for headless mode's terminal output: the live status line (woken at the next whole
second, erased before each printed line), the instructions at a step's lead-in, stamps that
are the routine position with extensions, and `+15 s` saying the new time left."""

from __future__ import annotations

import io
import math

from snapshot_app import DESK

from player.clock import FakeClock
from player.headless import Printer
from player.session import Session
from player.status_line import ERASE, StatusLine, next_change, status_text
from player.timeline import expand


def playing(speed: float = 1.0) -> tuple[FakeClock, Session]:
    clock = FakeClock()
    session = Session(expand(DESK), clock=clock, speed=speed)
    return clock, session


def test_next_change_is_the_next_whole_second_shown() -> None:
    for speed in (1.0, 4.0):
        clock, session = playing(speed)
        session.start()
        session.poll()
        clock.advance(0.3 / speed)
        session.poll()
        text = status_text(session)
        wake = next_change(session)
        assert wake is not None
        # 4.7 s of the lead-in left shows 00:05; it shows 00:04 from 4.0 s left.
        assert math.isclose((wake - clock.now()) * speed, 0.7, abs_tol=0.01)
        clock.advance(wake - clock.now() - 0.002)
        assert status_text(session) == text  # a moment before: unchanged
        clock.advance(0.002)
        assert status_text(session) != text
        # Paused or not started: nothing to wake for.
        session.pause()
        assert next_change(session) is None
    _, fresh = playing()
    assert next_change(fresh) is None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_printer_erases_the_live_line_before_each_line_and_draws_it_after() -> None:
    clock, session = playing()
    out = Terminal()
    printer = Printer(session, out, as_json=False, tty=True)
    session.subscribe(printer)
    session.start()
    session.poll()
    written = out.getvalue()
    first, *rest = written.split("\n")
    assert first.startswith("[00:00] … 1/3 get into position: Effleurage")
    assert rest[0].startswith("        Long gliding strokes")
    assert rest[1] == "        pressure 3/10 · light"
    assert rest[-1] == ERASE + "  ⏱ 00:05 left · routine 04:10 left"
    assert printer.status is not None
    # The same text again is not written again.
    before = out.getvalue()
    printer.status.draw(session)
    assert out.getvalue() == before
    clock.advance(1.0)
    printer.status.draw(session)
    assert out.getvalue().endswith(ERASE + "  ⏱ 00:04 left · routine 04:09 left")
    # The next line erases it first: nothing of it stays above a printed line.
    clock.advance(4.0)
    session.poll()
    lines = out.getvalue().split("\n")
    work = next(line for line in lines if "▶ 1/3" in line)
    # What the terminal shows of that row: what follows the last erase on it.
    assert work.split(ERASE)[-1].startswith("[00:05] ▶ 1/3")
    assert all("⏱" not in line.split(ERASE)[-1] for line in lines[:-1])
    # The step's details are printed once per step, not again at its work or switch.
    assert out.getvalue().count("Long gliding strokes") == 1


def test_off_a_terminal_nothing_changes() -> None:
    clock, session = playing()
    out = io.StringIO()
    printer = Printer(session, out, as_json=False, tty=False)
    session.subscribe(printer)
    session.start()
    session.poll()
    clock.advance(6)
    session.poll()
    assert printer.status is None
    assert out.getvalue().splitlines() == [
        "[00:00] … 1/3 get into position: Effleurage · upper trapezius · left · 5 s",
        "[00:05] ▶ 1/3 Effleurage · upper trapezius · left · 30 s",
    ]
    assert "\x1b" not in out.getvalue() and "\r" not in out.getvalue()


def extended_at_12() -> tuple[FakeClock, Session, io.StringIO]:
    """A session printing to a buffer, 12 s in (7 s into the first work) and given +15 s."""
    clock, session = playing()
    out = io.StringIO()
    session.subscribe(Printer(session, out, as_json=False))
    session.start()
    clock.advance(12)
    session.poll()
    session.extend(15)
    return clock, session, out


def test_stamps_are_the_routine_position_with_extensions() -> None:
    clock, session, out = extended_at_12()
    clock.advance(30)
    session.poll()
    session.pause()
    clock.advance(5)
    session.resume()
    clock.advance(10)
    session.poll()
    lines = out.getvalue().splitlines()
    assert lines[2] == "[00:12] + 15 s · now 00:38 left"
    assert lines[3] == "[00:42] ‖ paused"
    # The extended work ended at 00:50, not at its planned 00:35: no step back in time.
    assert lines[5] == "[00:50] ⇄ 1/3 switch sides → right · 5 s"
    # A skip away from an extended segment carries only what of it was played.
    clock, session, out = extended_at_12()
    session.next()
    session.poll()
    assert out.getvalue().splitlines()[-1].startswith("[01:10] … 2/3 get into position")


def test_status_line_text_never_wraps(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import os
    import shutil

    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback=None: os.terminal_size(
        (20, 10)))
    clock, session = playing()
    session.start()
    out = Terminal()
    line = StatusLine(out, raw=out)
    line.draw(session)
    assert len(out.getvalue().removeprefix(ERASE)) <= 19
