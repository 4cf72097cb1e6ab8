"""Provides the session engine: the one owner of time while a routine plays.

CONTRACT (filled in by the engine issue; the TUI, headless printer, sound and history code
program against these names):

    session = Session(timeline, clock=MonotonicClock(), speed=1.0, start_step=1)
    session.subscribe(listener)          # listener(event) for every player.events event
    session.start()                      # ready -> lead_in/work ...
    session.poll()                       # emit every event due by clock.now(); cheap, call often
    session.next_deadline() -> float|None  # clock time (clock.now() units) of the next due event
    session.pause(); session.resume(); session.toggle_pause()
    session.next(); session.back(); session.restart_step(); session.extend(15.0)
    session.stop(reason="stopped")       # emits Done(completed=False, reason=...)
    session.state            # "ready" | "lead_in" | "work" | "rest" | "switch" | "paused" | "done"
    session.current          # Segment | None
    session.segment_remaining() / segment_elapsed()   # routine seconds, from the clock
    session.routine_remaining() / active_seconds()    # routine seconds
    session.steps_done / steps_skipped

Every deadline is absolute: routine offset = (clock.now() - started - paused_total) * speed,
compared with the timeline's planned offsets (shifted only by pauses and explicit operations).
Nothing counts ticks.
"""

from __future__ import annotations
