"""A real session driven on its own thread as the drivers drive it, with the phone remote's
server started on that thread: shared by the remote's API and browser tests.

The owner waits for the engine's next deadline or a wake (a command from the server), drains
the commands, polls the engine; every event is recorded with the monotonic time it happened.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from player.clock import MonotonicClock
from player.control import SessionControl
from player.events import Event
from player.remote import start_remote, stop_remote
from player.routine import Routine, Step
from player.session import Session
from player.timeline import expand

#: Step 1 is two sides of 120 s each, step 2 one of 120 s: nothing ends on its own in a test.
ROUTINE = Routine(id="t", name="Test", steps=(
    Step("trigger-point", "upper-trapezius", "each", 120.0, lead_in=0.0, pressure=6,
         instructions="Press and hold."),
    Step("breathe", None, None, 120.0, lead_in=0.0),
))


@dataclass(frozen=True)
class Seen:
    event: Event
    #: time.monotonic() and time.time() when the owner's listener saw it.
    at: float
    wall: float


class Owner:
    """Drives `routine` on a thread of its own, the remote's server started there first."""

    def __init__(self, routine: Routine = ROUTINE, speed: float = 1.0,
                 start_step: int = 1, autostart: bool = True, bind: str = "127.0.0.1") -> None:
        self.bind = bind
        self.woken = threading.Event()
        self.go = threading.Event()
        if autostart:
            self.go.set()
        self.ready = threading.Event()
        self.quit = threading.Event()
        self.changed = threading.Condition()
        self.seen: list[Seen] = []
        self.session = Session(expand(routine), clock=MonotonicClock(), speed=speed,
                               start_step=start_step)
        self.session.subscribe(self._record)
        self.control = SessionControl(self.session, self.woken.set, self.quit.set,
                                      routine.id, routine.name)
        self.url = ""
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(30)

    def _record(self, event: Event) -> None:
        with self.changed:
            self.seen.append(Seen(event, time.monotonic(), time.time()))
            self.changed.notify_all()

    def _run(self) -> None:
        self.server = start_remote(self.control, self.bind)
        self.url = self.server.url
        self.ready.set()
        self.go.wait()
        #: time.monotonic() when the session started.
        self.started = time.monotonic()
        self.session.start()
        clock = self.session.clock
        while self.session.state != "done" and not self.quit.is_set():
            deadline = self.session.next_deadline()
            timeout = None if deadline is None else max(deadline - clock.now(), 0.0)
            self.woken.wait(timeout)
            self.woken.clear()
            self.control.drain()
            self.session.poll()
        stop_remote(self.server)

    def wait_for(self, kind: type, after: int = 0, timeout: float = 30) -> Seen:
        """The first event of `kind` among those recorded from index `after` on."""
        with self.changed:
            found = self.changed.wait_for(
                lambda: next((s for s in self.seen[after:] if isinstance(s.event, kind)), None),
                timeout)
        assert found is not None, f"no {kind.__name__} within {timeout} s"
        return found

    def begin(self) -> None:
        """Starts the session (made with autostart=False)."""
        self.go.set()

    def lateness(self, kinds: tuple[type, ...]) -> list[float]:
        """Seconds each event of `kinds` came after its planned time (no pauses or moves)."""
        timeline = self.session.timeline
        first = timeline.segments[timeline.first_segment_of_step(self.session.start_step)].at
        speed = self.session.speed
        with self.changed:
            seen = list(self.seen)
        return [s.at - (self.started + (s.event.at - first) / speed)
                for s in seen if isinstance(s.event, kinds)]

    def close(self) -> None:
        self.go.set()
        self.quit.set()
        self.woken.set()
        self.thread.join(30)


def base_and_token(url: str) -> tuple[str, str]:
    base, token = url.split("#")
    return base.rstrip("/"), token
