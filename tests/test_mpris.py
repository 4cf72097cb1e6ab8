"""Tests for the MPRIS server against a real session bus (dbus-run-session, started here),
driven by `playerctl` and by a dbus-fast client: in-process on a FakeClock session, and a real
headless `unknot play` paused, skipped and quit from the bus with its history record checked."""

from __future__ import annotations

import asyncio
import json
import os
import selectors
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from player.clock import FakeClock
from player.control import Command, SessionControl
from player.mpris import BUS_NAME, OBJECT_PATH, MediaKeys, instance_name
from player.routine import Routine, Step
from player.session import Session
from player.timeline import expand

REPO = Path(__file__).resolve().parent.parent
WAIT = 20.0  # generous: 2 loaded cores


def _need(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (apt install dbus playerctl)")


@pytest.fixture
def bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A private session bus for the test; its address is in DBUS_SESSION_BUS_ADDRESS."""
    yield from private_bus(monkeypatch)


def private_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The `bus` fixture's body, for other test modules to make their own from."""
    _need("dbus-run-session", "playerctl")
    pytest.importorskip("dbus_fast")
    proc = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", 'echo "$DBUS_SESSION_BUS_ADDRESS"; exec cat'],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    address = proc.stdout.readline().strip()
    assert address, "dbus-run-session printed no address"
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    try:
        yield address
    finally:
        proc.stdin.close()  # cat ends, and dbus-run-session takes its bus down with it
        proc.wait(WAIT)


def playerctl(*args: str, player: str = "unknot") -> str:
    proc = subprocess.run(["playerctl", "-p", player, *args], capture_output=True, text=True,
                          timeout=WAIT)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def bus_names() -> list[str]:
    async def names() -> list[str]:
        from dbus_fast import Message
        from dbus_fast.aio import MessageBus

        client = await MessageBus().connect()
        try:
            reply = await client.call(Message(
                destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus", member="ListNames"))
            assert reply is not None
            return list(reply.body[0])
        finally:
            client.disconnect()

    return asyncio.run(names())


def mpris_props(name: str) -> dict[str, Any]:
    """All Player properties through a dbus-fast client (GetAll), unwrapped."""
    async def get() -> dict[str, Any]:
        from dbus_fast import Message
        from dbus_fast.aio import MessageBus

        client = await MessageBus().connect()
        try:
            reply = await client.call(Message(
                destination=name, path=OBJECT_PATH, interface="org.freedesktop.DBus.Properties",
                member="GetAll", signature="s", body=["org.mpris.MediaPlayer2.Player"]))
            assert reply is not None and reply.message_type.name == "METHOD_RETURN", reply
            return {k: v.value for k, v in reply.body[0].items()}
        finally:
            client.disconnect()

    return asyncio.run(get())


# ---------------------------------------------------------------------------- in-process


class Owner:
    """The session's thread in a test: runs drain() when the MPRIS thread wakes it."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.woken = threading.Event()
        self.quit = False
        self.control = SessionControl(session, self.woken.set, self._quit, "t", "Test routine")

    def _quit(self) -> None:
        self.quit = True
        self.session.stop("stopped")

    def run(self, command: list[str]) -> str:
        """A playerctl command, then the drain it asked for (on this, the owner's thread)."""
        self.woken.clear()
        out = playerctl(*command)
        if command[0] not in ("status", "metadata", "position"):
            assert self.woken.wait(WAIT)
            self.control.drain()
        return out


def two_steps() -> Session:
    routine = Routine(id="t", name="Test routine", steps=(
        Step("trigger-point", "upper-trapezius", "left", 20.0, lead_in=0.0),
        Step("breathe", None, None, 30.0, lead_in=0.0),
    ))
    return Session(expand(routine), clock=FakeClock())


def serve(owner: Owner) -> MediaKeys:
    media = MediaKeys(owner.control).start()
    assert media.ready.wait(WAIT) and media.name is not None, media.error
    return media


def test_playerctl_drives_a_session_and_reads_its_step(bus: str) -> None:
    session = two_steps()
    owner = Owner(session)
    session.start()
    media = serve(owner)
    try:
        assert media.name == BUS_NAME
        assert owner.run(["metadata", "title"]) == "Trigger point · upper trapezius · left"
        assert owner.run(["metadata", "album"]) == "Test routine"
        assert owner.run(["metadata", "artist"]) == "unknot"
        assert owner.run(["status"]) == "Playing"
        owner.run(["play-pause"])
        assert session.paused
        assert owner.run(["status"]) == "Paused"
        owner.run(["play"])
        assert not session.paused and owner.run(["status"]) == "Playing"
        owner.run(["pause"])
        assert session.paused
        owner.run(["stop"])  # Stop pauses: the session goes on
        assert session.paused and session.state != "done"
        owner.run(["play-pause"])
        owner.run(["next"])
        assert session.step == 2 and owner.run(["metadata", "title"]) == "Breathe"
        owner.run(["previous"])
        assert session.step == 1
        props = mpris_props(media.name)
        assert props["Metadata"]["mpris:length"].value == 20_000_000
        assert props["Metadata"]["mpris:trackid"].value == "/org/unknot/step/1"
        assert props["CanGoNext"] and props["CanGoPrevious"] and props["CanControl"]
        assert props["CanPlay"] and props["CanPause"] and not props["CanSeek"]
        assert isinstance(session.clock, FakeClock)
        session.clock.advance(5.0)
        assert mpris_props(media.name)["Position"] == 5_000_000
        # Quit ends the session as `q` does.
        owner.woken.clear()
        _root_call(media.name, "Quit")
        assert owner.woken.wait(WAIT)
        owner.control.drain()
        assert owner.quit and session.state == "done"
        assert owner.run(["status"]) == "Stopped"
    finally:
        media.stop()
    assert BUS_NAME not in bus_names()  # the name is gone while the process lives on


def _root_call(name: str, member: str) -> None:
    _call(name, "org.mpris.MediaPlayer2", member)


def _call(name: str, interface: str, member: str) -> None:
    async def call() -> None:
        from dbus_fast import Message
        from dbus_fast.aio import MessageBus

        client = await MessageBus().connect()
        try:
            reply = await client.call(Message(destination=name, path=OBJECT_PATH,
                                              interface=interface, member=member))
            assert reply is not None and reply.message_type.name == "METHOD_RETURN", reply
        finally:
            client.disconnect()

    asyncio.run(call())


class Caller:
    """One connected dbus-fast client on a thread of its own: `call()` returns when the
    player's reply is back, so a latency measured around it is the player's, not the cost of
    starting a process (playerctl) or connecting."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.bus = self.run(self._connect())

    @staticmethod
    async def _connect() -> Any:
        from dbus_fast.aio import MessageBus

        return await MessageBus().connect()

    def run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(WAIT)

    def call(self, name: str, member: str,
             interface: str = "org.mpris.MediaPlayer2.Player") -> None:
        from dbus_fast import Message

        reply = self.run(self.bus.call(Message(destination=name, path=OBJECT_PATH,
                                               interface=interface, member=member)))
        assert reply is not None and reply.message_type.name == "METHOD_RETURN", reply

    def close(self) -> None:
        self.bus.disconnect()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(WAIT)


def test_changes_are_announced_with_properties_changed_and_seeked(bus: str) -> None:
    session = two_steps()
    owner = Owner(session)
    session.start()
    media = serve(owner)
    name = media.name
    assert name is not None
    seen: list[tuple[str, Any]] = []
    got = threading.Event()
    listening = threading.Event()

    async def listen(stop: asyncio.Event) -> None:
        from dbus_fast.aio import MessageBus

        client = await MessageBus().connect()
        intro = await client.introspect(name, OBJECT_PATH)
        obj = client.get_proxy_object(name, OBJECT_PATH, intro)
        props = obj.get_interface("org.freedesktop.DBus.Properties")
        player = obj.get_interface("org.mpris.MediaPlayer2.Player")

        def changed(iface: str, values: dict[str, Any], _inv: list[str]) -> None:
            for key, value in values.items():
                seen.append((key, value.value))
            got.set()

        def seeked(position: int) -> None:
            seen.append(("Seeked", position))
            got.set()

        props.on_properties_changed(changed)  # type: ignore[attr-defined]
        player.on_seeked(seeked)  # type: ignore[attr-defined]
        listening.set()
        await stop.wait()
        client.disconnect()

    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    thread = threading.Thread(target=lambda: loop.run_until_complete(listen(stop)))
    thread.start()
    try:
        assert listening.wait(WAIT)

        def expect(key: str) -> Any:
            deadline = time.monotonic() + WAIT
            while True:
                for k, v in seen:
                    if k == key:
                        seen.clear()
                        return v
                got.clear()
                assert got.wait(max(deadline - time.monotonic(), 0.0)), (key, seen)

        owner.control.submit(Command.PAUSE)
        owner.control.drain()
        assert expect("PlaybackStatus") == "Paused"
        owner.control.submit(Command.PLAY)
        owner.control.drain()
        assert expect("PlaybackStatus") == "Playing"
        owner.control.submit(Command.NEXT)
        owner.control.drain()
        assert expect("Metadata")["xesam:title"].value == "Breathe"
        assert isinstance(session.clock, FakeClock)
        session.clock.advance(10.0)
        owner.control.submit(Command.RESTART)
        owner.control.drain()
        assert expect("Seeked") == 0
        owner.control.submit(Command.EXTEND)
        owner.control.drain()
        assert expect("Seeked") == 0
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(WAIT)
        media.stop()


def test_a_second_player_takes_the_instance_name_and_obeys_its_own_commands(bus: str) -> None:
    first, second = Owner(two_steps()), Owner(two_steps())
    first.session.start()
    second.session.start()
    a, b = serve(first), serve(second)
    try:
        assert a.name == BUS_NAME and b.name == instance_name()
        second.woken.clear()
        playerctl("pause", player=b.name.removeprefix("org.mpris.MediaPlayer2."))
        assert second.woken.wait(WAIT)
        second.control.drain()
        assert second.session.paused and not first.session.paused
        assert not first.woken.is_set()
    finally:
        b.stop()
        a.stop()
    names = bus_names()
    assert BUS_NAME not in names and instance_name() not in names


def test_no_bus_is_silent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/unknot-test-bus")
    owner = Owner(two_steps())
    media = MediaKeys(owner.control).start()
    assert media.ready.wait(WAIT)
    assert media.name is None and media.error
    media.stop()


# ---------------------------------------------------------------------------- subprocess

#: Three one-minute steps with no lead-in.
ROUTINE_YAML = (REPO / "tests" / "fixtures" / "floor.yaml").read_text(encoding="utf-8")


class Lines:
    """Lines of a process's stdout, each waited for with a deadline (no sleeping).

    Reads the raw descriptor: a buffered readline() could hold lines select() cannot see.
    """

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        self.fd = proc.stdout.fileno()
        self.buffer = b""
        self.sel = selectors.DefaultSelector()
        self.sel.register(self.fd, selectors.EVENT_READ)

    def next(self, timeout: float = WAIT) -> str:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            assert self.sel.select(max(deadline - time.monotonic(), 0.0)), "no line in time"
            data = os.read(self.fd, 65536)
            assert data, f"the stream ended: {self.buffer!r}"
            self.buffer += data
        line, self.buffer = self.buffer.split(b"\n", 1)
        return line.decode()

    def until(self, event: str, timeout: float = WAIT, **match: Any) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            obj: dict[str, Any] = json.loads(self.next(max(deadline - time.monotonic(), 0.01)))
            if obj["event"] == event and all(obj.get(k) == v for k, v in match.items()):
                return obj


def _unknot(routine: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "player", "play", str(routine), "--headless", "--json",
         "--no-sound", *extra],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL, bufsize=1)


def _wait_for_player(expect_title: str) -> None:
    """`playerctl --follow` prints the title as soon as the player is on the bus."""
    follow = subprocess.Popen(["playerctl", "-p", "unknot", "--follow", "metadata", "title"],
                              stdout=subprocess.PIPE, text=True, bufsize=1)
    try:
        lines = Lines(follow)
        while True:
            if lines.next() == expect_title:
                return
    finally:
        follow.terminate()
        follow.wait(WAIT)


@pytest.mark.slow
def test_headless_session_paused_skipped_and_quit_from_the_bus(
        bus: str, tmp_path: Path, unknot_home: Path) -> None:
    routine = tmp_path / "floor.yaml"
    routine.write_text(ROUTINE_YAML, encoding="utf-8")
    proc = _unknot(routine, "--speed", "20", "--record")
    lines = Lines(proc)
    try:
        assert lines.until("segment")["step"] == 1
        _wait_for_player("Trigger point · upper trapezius · left")
        assert playerctl("status") == "Playing"
        playerctl("play-pause")
        lines.until("pause")
        assert playerctl("status") == "Paused"
        playerctl("play-pause")
        lines.until("resume")
        # The issue: paused within 100 ms of the call, read from the --json stream. From a
        # PlayPause call to its line, measured at load 9-11 on 2 cores: median 0.9 ms, p90
        # 4.6 ms, max 7.5 ms over 20 (with playerctl's own start-up: median 11 ms, max 24 ms).
        # The median of eight must be within the 100 ms; any one within 300 ms, the margin a
        # process descheduled on a loaded machine needs.
        caller = Caller()
        latencies = []
        try:
            for want in ["pause", "resume"] * 4:
                called = time.monotonic()
                caller.call(BUS_NAME, "PlayPause")
                lines.until(want)
                latencies.append(time.monotonic() - called)
        finally:
            caller.close()
        assert sorted(latencies)[len(latencies) // 2] < 0.100, latencies
        assert max(latencies) < 0.300, latencies
        playerctl("next")
        skip = lines.until("skip")
        assert (skip["action"], skip["from"], skip["to"]) == ("next", 1, 2)
        assert playerctl("metadata", "title") == "Foam roll · calves · left"
        playerctl("previous")
        assert lines.until("skip")["action"] == "back"
        # Step 1 plays out (60 s at ×20), so the session has more than 10 s of work to save.
        lines.until("segment", timeout=60, step=2)
        playerctl("stop")
        lines.until("pause")
        assert proc.poll() is None  # Stop only pauses
        playerctl("play")
        lines.until("resume")
        _root_call(BUS_NAME, "Quit")
        done = lines.until("done")
        assert done["completed"] is False and done["reason"] == "stopped"
        assert proc.wait(WAIT) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT)
    records = [json.loads(x) for x in (unknot_home / "history.jsonl").read_text().splitlines()]
    assert len(records) == 1 and records[0]["routine"] == "floor"
    assert records[0]["completed"] is False and records[0]["active_seconds"] > 60
    assert BUS_NAME not in bus_names()


@pytest.mark.slow
def test_sigterm_takes_the_name_away(bus: str, tmp_path: Path) -> None:
    routine = tmp_path / "floor.yaml"
    routine.write_text(ROUTINE_YAML, encoding="utf-8")
    proc = _unknot(routine)
    try:
        Lines(proc).until("segment")
        _wait_for_player("Trigger point · upper trapezius · left")
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(WAIT) == 143
    finally:
        if proc.poll() is None:
            proc.kill()
    assert BUS_NAME not in bus_names()


@pytest.mark.slow
def test_no_media_keys_and_no_bus_play_as_before(
        bus: str, tmp_path: Path, unknot_home: Path) -> None:
    routine = tmp_path / "floor.yaml"
    routine.write_text(ROUTINE_YAML, encoding="utf-8")
    proc = _unknot(routine, "--no-media-keys", "--speed", "200", "--record")
    try:
        Lines(proc).until("segment")
        assert BUS_NAME not in bus_names()
        assert proc.wait(60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    env = dict(os.environ, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/unknot-bus")
    run = subprocess.run(
        [sys.executable, "-m", "player", "play", str(routine), "--headless", "--json",
         "--no-sound", "--speed", "200", "--record"],
        cwd=REPO, text=True, capture_output=True, stdin=subprocess.DEVNULL, env=env, timeout=60)
    assert run.returncode == 0 and run.stderr == ""
    assert json.loads(run.stdout.splitlines()[-1])["completed"] is True
    assert len((unknot_home / "history.jsonl").read_text().splitlines()) == 2
