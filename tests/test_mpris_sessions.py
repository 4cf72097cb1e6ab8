"""MPRIS beyond one well-behaved session, on a real session bus (dbus-run-session, started here):

- two `unknot play --headless` at once: the second takes `….unknot.instance<pid>` and each
  obeys only its own commands;
- hypothesis fires random MPRIS calls at a running Playback (bursts of 100 at once, calls at the
  exact moment a segment is due): the event stream stays well-formed, the recorded active time
  and minutes per region equal what was really played, nothing raises, the player still answers;
- a listener that raises does not keep the bus name: it is gone when the session ends;
- `media_keys = false` in config.toml keeps the session off the bus.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_mpris import WAIT, Caller, Lines, bus_names, playerctl, private_bus

from player.clock import FakeClock
from player.events import Done, Event, Paused, Resumed, SegmentStarted, Skipped
from player.headless import json_event
from player.mpris import BUS_NAME, instance_name
from player.playback import Playback
from player.routine import Routine, Step

REPO = Path(__file__).resolve().parent.parent
FLOOR = REPO / "tests" / "fixtures" / "floor.yaml"
PLAYER = "org.mpris.MediaPlayer2.Player"


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private session bus for the test (tests/test_mpris.py's)."""
    yield from private_bus(monkeypatch)


def headless(*extra: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "player", "play", str(FLOOR), "--headless", "--json",
         "--no-sound", *extra],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, bufsize=1, env=env)


def wait_for_names(*names: str) -> None:
    """Until every name is on the bus (`NameOwnerChanged` is not needed: ListNames, polled
    against a deadline, is what a desktop sees)."""
    import time

    deadline = time.monotonic() + WAIT
    while not set(names) <= set(bus_names()):
        assert time.monotonic() < deadline, (names, bus_names())
        time.sleep(0.05)


@pytest.fixture
def two(bus: str) -> Iterator[tuple[subprocess.Popen[str], subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    try:
        first = headless()
        procs.append(first)
        Lines(first).until("segment")
        wait_for_names(BUS_NAME)
        second = headless()
        procs.append(second)
        yield first, second
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(WAIT)


@pytest.mark.slow
def test_two_sessions_each_obey_their_own_commands(
        two: tuple[subprocess.Popen[str], subprocess.Popen[str]]) -> None:
    first, second = two
    a, b = Lines(first), Lines(second)
    a_name, b_name = BUS_NAME, instance_name(second.pid)
    b.until("segment")
    wait_for_names(a_name, b_name)
    caller = Caller()
    try:
        # Pause the second by its instance name: only it pauses. The first's next line, after
        # a Next sent to it, is its skip - had it paused too, the pause would come first.
        caller.call(b_name, "Pause")
        assert b.until("pause")["event"] == "pause"
        caller.call(a_name, "Next")
        assert a.until("skip")["to"] == 2
        # And the other way round.
        caller.call(a_name, "Pause")
        assert a.until("pause")["event"] == "pause"
        caller.call(b_name, "Play")
        assert b.until("resume")["event"] == "resume"
        caller.call(b_name, "Next")
        assert b.until("skip")["to"] == 2
        assert playerctl("status", player=b_name.removeprefix("org.mpris.MediaPlayer2.")) == \
            "Playing"
        assert playerctl("status", player="unknot") == "Paused"  # the plain name: the first
        # Quit each by its own name: each ends, stopped, exit 0, and its name goes.
        caller.call(b_name, "Quit", interface="org.mpris.MediaPlayer2")
        assert b.until("done")["reason"] == "stopped"
        assert second.wait(WAIT) == 0
        assert first.poll() is None
        caller.call(a_name, "Quit", interface="org.mpris.MediaPlayer2")
        assert a.until("done")["reason"] == "stopped"
        assert first.wait(WAIT) == 0
    finally:
        caller.close()
    names = bus_names()
    assert a_name not in names and b_name not in names


# ---------------------------------------------------------------------------- fuzz

ROUTINE = Routine(id="fuzz", name="Fuzz", steps=(
    Step("trigger-point", "upper-trapezius", "each", 20.0, lead_in=3.0, repeat=2, rest=5.0),
    Step("foam-roll", "calves", None, 30.0, lead_in=0.0),
    Step("breathe", None, None, 15.0, lead_in=0.0),
))
MEMBERS = ["PlayPause", "Play", "Pause", "Stop", "Next", "Previous"]
ACTION = st.one_of(
    st.tuples(st.just("call"), st.sampled_from(MEMBERS + ["Seek", "SetPosition", "OpenUri"])),
    st.tuples(st.just("burst"), st.sampled_from(MEMBERS)),  # 100 at once
    st.tuples(st.just("at_deadline"), st.sampled_from(MEMBERS)),
    st.tuples(st.just("advance"), st.floats(0.01, 1.0)),  # a part of the way to the deadline
    st.tuples(st.just("quit"), st.just("Quit")),
)


class Oracle:
    """What was really played, from the fake clock's moves and the state before each."""

    def __init__(self, pb: Playback) -> None:
        self.pb = pb
        self.active = 0.0
        self.regions: dict[str, float] = {}

    def advance(self, seconds: float) -> None:
        s = self.pb.session
        seg = s.current
        if s.state not in ("ready", "done") and not s.paused:
            routine_seconds = seconds * s.speed
            self.active += routine_seconds
            if seg is not None and seg.kind == "work" and seg.region:
                self.regions[seg.region] = self.regions.get(seg.region, 0.0) + routine_seconds
        assert isinstance(s.clock, FakeClock)
        s.clock.advance(seconds)


def well_formed(events: list[Event], steps: int) -> None:
    """The stream a --json reader gets: JSON, pauses and resumes alternating, steps in range,
    `t` never going back, one `done`, last."""
    paused = False
    last_t = 0.0
    for i, event in enumerate(events):
        obj = json_event(event, ROUTINE_TIMELINE)
        if obj is not None:
            json.loads(json.dumps(obj, allow_nan=False))
        t = getattr(event, "t", last_t)
        assert t >= last_t - 1e-9, (i, event)
        last_t = t
        if isinstance(event, Paused):
            assert not paused, events[: i + 1]
            paused = True
        elif isinstance(event, Resumed):
            assert paused, events[: i + 1]
            paused = False
        elif isinstance(event, SegmentStarted):
            assert 1 <= event.segment.step <= steps
        elif isinstance(event, Skipped):
            assert 1 <= event.from_step <= steps and 1 <= event.to_step <= steps + 1
        elif isinstance(event, Done):
            assert i == len(events) - 1 or all(
                not isinstance(e, (Done, SegmentStarted)) for e in events[i + 1:])
    assert sum(isinstance(e, Done) for e in events) == 1


ROUTINE_TIMELINE = Playback(ROUTINE, clock=FakeClock()).timeline


def call_many(caller: Caller, name: str, member: str, times: int) -> None:
    """`times` calls sent at once (not one after the other's reply), then every reply."""
    from dbus_fast import Message

    def message() -> Message:
        body: list[Any] = []
        signature = ""
        if member == "Seek":
            signature, body = "x", [5_000_000]
        elif member == "SetPosition":
            signature, body = "ox", ["/org/unknot/step/1", 0]
        elif member == "OpenUri":
            signature, body = "s", ["file:///etc/passwd"]
        interface = "org.mpris.MediaPlayer2" if member == "Quit" else PLAYER
        return Message(destination=name, path="/org/mpris/MediaPlayer2", interface=interface,
                       member=member, signature=signature, body=body)

    async def send() -> list[Any]:
        return list(await asyncio.gather(*(caller.bus.call(message()) for _ in range(times))))

    for reply in caller.run(send()):
        assert reply is not None and reply.message_type.name == "METHOD_RETURN", reply


@pytest.mark.slow
@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(actions=st.lists(ACTION, min_size=5, max_size=40), speed=st.sampled_from([1.0, 4.0]))
def test_random_mpris_calls_never_break_a_session(bus: str, unknot_home: Path,
                                                  actions: list[tuple[str, Any]],
                                                  speed: float) -> None:
    pb = Playback(ROUTINE, clock=FakeClock(), speed=speed, record=True,
                  history_path=unknot_home / "fuzz.jsonl")
    events: list[Event] = []
    pb.subscribe(events.append)
    oracle = Oracle(pb)
    media = pb.start_media_keys()
    assert media is not None and media.ready.wait(WAIT) and media.name, media and media.error
    caller = Caller()
    try:
        pb.start()
        for kind, arg in actions:
            if pb.state == "done":
                break
            deadline = pb.session.next_deadline()
            to_deadline = 0.0 if deadline is None else max(deadline - pb.clock.now(), 0.0)
            if kind == "advance":
                oracle.advance(to_deadline * arg)
            elif kind == "at_deadline":
                oracle.advance(to_deadline)  # exactly due: the call lands before the poll
                call_many(caller, media.name, arg, 1)
            else:
                call_many(caller, media.name, arg, 100 if kind == "burst" else 1)
            pb.drain()  # what the driver does when woken, then its poll
            pb.session.poll()
        # Play the rest out (unpaused), as a person would after their presses.
        if pb.state != "done" and pb.session.paused:
            call_many(caller, media.name, "Play", 1)
            pb.drain()
        while pb.state != "done":
            deadline = pb.session.next_deadline()
            assert deadline is not None
            oracle.advance(max(deadline - pb.clock.now(), 0.0))
            pb.drain()
            pb.session.poll()
        record = pb.recorder.build()
        assert record is not None
        assert record["active_seconds"] == pytest.approx(round(oracle.active, 1), abs=0.11)
        assert set(record["regions"]) == {r for r, s in oracle.regions.items() if s >= 0.05}
        for region, seconds in record["regions"].items():
            assert seconds == pytest.approx(oracle.regions[region], abs=0.11)
        well_formed(events, ROUTINE_TIMELINE.steps)
        # Still answering, and saying it is over.
        assert mpris_status(caller, media.name) == "Stopped"
    finally:
        caller.close()
        pb.close()
    assert media.name not in bus_names()


def mpris_status(caller: Caller, name: str) -> str:
    from dbus_fast import Message

    reply = caller.run(caller.bus.call(Message(
        destination=name, path="/org/mpris/MediaPlayer2",
        interface="org.freedesktop.DBus.Properties", member="Get", signature="ss",
        body=[PLAYER, "PlaybackStatus"])))
    assert reply is not None and reply.message_type.name == "METHOD_RETURN", reply
    return str(reply.body[0].value)


# ---------------------------------------------------------------------------- exits


@pytest.mark.slow
@pytest.mark.parametrize("where", ["a session listener", "the MPRIS server's own update"])
def test_a_crash_in_a_listener_leaves_the_session_and_then_the_name_goes(
        bus: str, unknot_home: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    pb = Playback(ROUTINE, clock=FakeClock(), record=True,
                  history_path=unknot_home / "crash.jsonl")
    crashed: list[str] = []

    def broken(*args: Any) -> None:
        crashed.append(where)
        raise RuntimeError("a listener's bug")

    if where == "a session listener":
        pb.subscribe(lambda e: broken() if isinstance(e, Skipped) else None)
    else:
        from player import mpris_bus

        monkeypatch.setattr(mpris_bus.Player, "update", broken)
    media = pb.start_media_keys()
    assert media is not None and media.ready.wait(WAIT) and media.name, media and media.error
    pb.start()
    if where != "a session listener":
        # The server's own bug ends the server, never the session: the name goes at once.
        media.stop()  # returns once its thread has ended (it had already begun to)
        assert crashed and media.error and "a listener's bug" in media.error
        assert media.name not in bus_names()
        pb.next()
        pb.next()
        pb.end("stopped")
        assert pb.session.step == 3 and pb.state == "done"
        pb.close()
        return
    caller = Caller()
    try:
        call_many(caller, media.name, "Next", 1)
        pb.drain()
        assert pb.session.step == 2  # the crash stopped nothing
        call_many(caller, media.name, "Next", 1)  # and the bus still drives it
        pb.drain()
        assert pb.session.step == 3 and crashed
        call_many(caller, media.name, "Quit", 1)
        pb.drain()
        assert pb.state == "done"
    finally:
        caller.close()
        pb.close()  # what every driver does on its way out (in a finally)
    assert media.name not in bus_names()


@pytest.mark.slow
def test_a_crash_on_the_drivers_thread_takes_the_name_away(bus: str, tmp_path: Path) -> None:
    # A real headless process whose command path raises (a bug on the driver's own thread, not
    # a listener): it ends with its traceback, exit 1, and the name is gone with it.
    script = tmp_path / "crash.py"
    script.write_text(
        "import sys\n"
        "from player import playback\n"
        "def drain(self):\n"
        "    raise RuntimeError('the driver crashed')\n"
        "playback.Playback.drain = drain\n"
        "from player.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), "play", str(FLOOR), "--headless",
                             "--json", "--no-sound"], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, bufsize=1,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        Lines(proc).until("segment")
        wait_for_names(BUS_NAME)
        caller = Caller()
        try:
            caller.call(BUS_NAME, "Next")
        finally:
            caller.close()
        assert proc.wait(WAIT) == 1
        assert proc.stderr is not None and "the driver crashed" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT)
    assert BUS_NAME not in bus_names()


@pytest.mark.slow
def test_media_keys_false_in_config_keeps_the_session_off_the_bus(
        bus: str, unknot_home: Path) -> None:
    (unknot_home / "config.toml").write_text("media_keys = false\n", encoding="utf-8")
    proc = headless("--speed", "200")
    try:
        Lines(proc).until("segment")
        assert BUS_NAME not in bus_names() and not any(
            n.startswith(BUS_NAME) for n in bus_names())
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT)
    # The control: without the setting the same session is on the bus.
    (unknot_home / "config.toml").write_text("media_keys = true\n", encoding="utf-8")
    proc = headless()
    try:
        Lines(proc).until("segment")
        wait_for_names(BUS_NAME)
    finally:
        proc.terminate()
        proc.wait(WAIT)


# ---------------------------------------------------------------------------- doctor


def doctor(env: dict[str, str] | None = None) -> list[str]:
    done = subprocess.run([sys.executable, "-m", "player", "doctor", "--no-sound"], cwd=REPO,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          timeout=WAIT * 3, env=env)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("media keys:"))
    return lines[at:at + 2]


def test_doctor_says_whether_the_player_would_be_reachable(bus: str,
                                                          unknot_home: Path) -> None:
    assert doctor() == [
        f"media keys: reachable: session bus found, {BUS_NAME} free",
        "          - try it while a session plays: playerctl -p unknot play-pause"]
    # Another player holds the name: a session would still be reachable, as an instance.
    pb = Playback(ROUTINE, clock=FakeClock())
    media = pb.start_media_keys()
    assert media is not None and media.ready.wait(WAIT) and media.name == BUS_NAME
    try:
        first = doctor()[0]
        assert first.startswith("media keys: reachable: session bus found; ")
        assert "is taken (another unknot?)" in first and ".instance<pid>" in first
    finally:
        pb.close()
    (unknot_home / "config.toml").write_text("media_keys = false\n", encoding="utf-8")
    assert doctor()[0] == "media keys: off (media_keys = false in config.toml)"


def test_doctor_without_a_bus(unknot_home: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env["XDG_RUNTIME_DIR"] = str(unknot_home)  # no /run/user/UID/bus to find either
    line = doctor(env)[0]
    assert line.startswith("media keys: not reachable: no session bus"), line
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/unknot-bus"
    line = doctor(env)[0]
    assert line.startswith("media keys: not reachable: no session bus: "), line



def test_readme_and_help_say_how_to_control_it_from_the_floor() -> None:
    from player.mpris import TRY_IT
    from player.tui.screens.dialogs import FLOOR_KEYS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Control it from the floor", 1)[1].split("\n## ", 1)[0]
    for words in ("headset", "media keys", "KDE Connect", "GSConnect", TRY_IT, "unknot doctor",
                  "--no-media-keys", "media_keys = false"):
        assert words in section.replace("\n", " "), words
    help_text = " ".join(f"{key} {does}" for key, does in FLOOR_KEYS)
    for words in ("headset", "media keys", "GSConnect", TRY_IT):
        assert words in help_text, words


# ---------------------------------------------------------------------------- the TUI


@pytest.mark.slow
def test_playerctl_drives_the_tui_in_a_real_terminal(bus: str, unknot_home: Path) -> None:
    import shutil
    import time

    from test_tui_tmux import ROUTINE as TUI_ROUTINE
    from test_tui_tmux import UNKNOT, Tmux, at_prompt, paused_countdown_holds, shown_left

    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    folder = unknot_home / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "terminal-check.yaml").write_text(TUI_ROUTINE, encoding="utf-8")
    tmux = Tmux(unknot_home)  # its shell has this test's DBUS_SESSION_BUS_ADDRESS
    try:
        tmux.wait(at_prompt, "the shell prompt")
        tmux.type(f"cd {REPO} && {UNKNOT} play terminal-check --speed 20 --record --no-sound "
                  "--no-voice")
        tmux.keys("Enter")
        tmux.wait_for("not medical advice")
        tmux.keys("Enter")
        tmux.wait_for("Pain right now")
        tmux.keys("Enter")
        tmux.wait(lambda s: "Step 1 of 3" in s and "Pain right now" not in s
                  and shown_left(s) is not None, "the player")
        wait_for_names(BUS_NAME)
        assert playerctl("metadata", "title") == "Effleurage · calves · left"
        assert playerctl("metadata", "album") == "Terminal check"
        # play-pause pauses the TUI's countdown: "Paused", and the figure holds.
        playerctl("play-pause")
        held = paused_countdown_holds(tmux)
        assert playerctl("status") == "Paused"
        playerctl("play-pause")
        tmux.wait(lambda s: "Paused" not in s and shown_left(s) not in (None, held),
                  "the resume")
        assert playerctl("status") == "Playing"
        playerctl("next")
        tmux.wait_for("Step 2 of 3")
        # Quit ends it as q and y do: the summary, and the name is gone with the player.
        caller = Caller()
        try:
            caller.call(BUS_NAME, "Quit", interface="org.mpris.MediaPlayer2")
        finally:
            caller.close()
        tmux.wait_for("Session ended")
        deadline = time.monotonic() + WAIT
        while BUS_NAME in bus_names():
            assert time.monotonic() < deadline, "the name outlived the player"
            time.sleep(0.05)
        tmux.keys("Enter")
        tmux.wait(at_prompt, "the shell after the summary")
    finally:
        tmux.close()
