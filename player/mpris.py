"""Provides media keys, headset buttons and the desktop's media widget: unknot as an MPRIS player.

While a session plays, `MediaKeys` publishes it on the D-Bus session bus as
`org.mpris.MediaPlayer2.unknot` (`….unknot.instance<pid>` when another unknot holds that name)
at `/org/mpris/MediaPlayer2`, with the root and Player interfaces of MPRIS 2.2
(`player.mpris_bus`). The server runs on a thread of its own with its own asyncio loop; it
never touches the session: a button becomes `SessionControl.submit()`, which wakes the driver
to run it on the session's thread (`drain()`), and every session event comes back as a
`Snapshot` handed to the server's loop.

Silent when there is no bus, no dbus-fast, or the bus goes away mid-session: the session runs
exactly as without it. dbus-fast is imported only here, on the server's thread.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
from collections.abc import Callable

from player.control import SessionControl, Snapshot

BUS_NAME = "org.mpris.MediaPlayer2.unknot"
OBJECT_PATH = "/org/mpris/MediaPlayer2"
#: How `unknot doctor` and the docs say to try it.
TRY_IT = "playerctl -p unknot play-pause"
#: Seconds `stop()` waits for the server's thread to release the name and end.
STOP_TIMEOUT = 2.0


def instance_name(pid: int | None = None) -> str:
    return f"{BUS_NAME}.instance{os.getpid() if pid is None else pid}"


def bus_reachable() -> bool:
    """Whether a session bus could be there at all (without connecting)."""
    if not sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS")
                or os.path.exists(f"/run/user/{os.getuid()}/bus"))


def probe(timeout: float = 3.0) -> tuple[bool, str]:
    """For `unknot doctor`: whether a session would be reachable over MPRIS, and why (not).
    Connects to the session bus and asks whether the name is free; holds nothing."""
    if not bus_reachable():
        return False, "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
    try:
        from dbus_fast import Message
        from dbus_fast.aio import MessageBus
    except ImportError as exc:
        return False, f"dbus-fast is not installed ({exc})"

    async def ask() -> bool:
        bus = await MessageBus().connect()
        try:
            reply = await bus.call(Message(
                destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus", member="NameHasOwner", signature="s",
                body=[BUS_NAME]))
            return bool(reply is not None and reply.body and reply.body[0])
        finally:
            bus.disconnect()

    try:
        taken = asyncio.run(asyncio.wait_for(ask(), timeout))
    except Exception as exc:  # noqa: BLE001 - whatever the bus says, doctor reports it
        return False, f"no session bus: {type(exc).__name__}: {exc}"
    if taken:
        return True, (f"session bus found; {BUS_NAME} is taken (another unknot?), so a "
                      "session would be ….unknot.instance<pid>")
    return True, f"session bus found, {BUS_NAME} free"


class MediaKeys:
    """The MPRIS server of one session; `start()` it on the session's thread, `stop()` likewise.

    `name` is the bus name held once `ready` is set (None when there was no bus); `error` says
    why not, for `unknot doctor` (never shown during a session).
    """

    def __init__(self, control: SessionControl) -> None:
        self.control = control
        self.name: str | None = None
        self.error: str | None = None
        self.ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._unwatch: Callable[[], None] | None = None
        self._stop_requested = threading.Event()

    def start(self) -> MediaKeys:
        if not bus_reachable():
            self.error = "no session bus (DBUS_SESSION_BUS_ADDRESS is not set)"
            self.ready.set()
            return self
        self._thread = threading.Thread(target=self._run, name="unknot-mpris", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Releases the bus name and ends the thread (waits at most STOP_TIMEOUT seconds)."""
        self._stop_requested.set()
        loop, stopping, thread = self._loop, self._stopping, self._thread
        if loop is not None and stopping is not None:
            try:
                loop.call_soon_threadsafe(stopping.set)
            except RuntimeError:  # the loop has already ended (the bus went away)
                pass
        if thread is not None:
            thread.join(STOP_TIMEOUT)
        self._thread = None
        self.control.close()

    # ------------------------------------------------------------------ server thread

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            loop.run_until_complete(self._serve(loop))
        except Exception as exc:  # a bus that misbehaves must never reach the player
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.ready.set()
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    async def _serve(self, loop: asyncio.AbstractEventLoop) -> None:
        try:
            from dbus_fast import BusType, NameFlag, RequestNameReply
            from dbus_fast.aio import MessageBus

            from player.mpris_bus import MprisState, Player, Root
        except ImportError as exc:
            self.error = f"dbus-fast is not installed ({exc})"
            return
        try:
            bus = await asyncio.wait_for(MessageBus(bus_type=BusType.SESSION).connect(), 5.0)
        except Exception as exc:
            self.error = f"no session bus: {exc}"
            return
        try:
            control = self.control
            state = MprisState(control.snapshot(), control.session.clock.now)
            player = Player(control.submit, state)
            bus.export(OBJECT_PATH, Root(control.submit))
            bus.export(OBJECT_PATH, player)
            reply = await bus.request_name(BUS_NAME, NameFlag.DO_NOT_QUEUE)
            name = BUS_NAME
            if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
                name = instance_name()
                reply = await bus.request_name(name, NameFlag.DO_NOT_QUEUE)
            if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
                self.error = f"could not take {BUS_NAME} nor {name}"
                return
            self.name = name
            self._stopping = asyncio.Event()
            self._loop = loop
            if self._stop_requested.is_set():  # stop() came while we connected
                self._stopping.set()

            def update(snap: Snapshot) -> None:  # on the MPRIS loop
                try:
                    player.update(snap)
                except Exception as exc:  # a bug here must not print on the player's screen:
                    self.error = f"{type(exc).__name__}: {exc}"  # end the server, and the name
                    assert self._stopping is not None  # goes; the session plays on
                    self._stopping.set()

            def deliver(snap: Snapshot) -> None:  # on the session's thread
                try:
                    loop.call_soon_threadsafe(update, snap)
                except RuntimeError:  # the loop has ended
                    pass

            self._unwatch = control.watch(deliver)
            # A snapshot published while we connected would be missed: take the latest now.
            update(control.snapshot())
            self.ready.set()
            stop_wait = asyncio.ensure_future(self._stopping.wait())
            gone = asyncio.ensure_future(bus.wait_for_disconnect())  # type: ignore[no-untyped-call]
            await asyncio.wait({stop_wait, gone}, return_when=asyncio.FIRST_COMPLETED)
            stop_wait.cancel()
        finally:
            if self._unwatch is not None:
                self._unwatch()
                self._unwatch = None
            bus.disconnect()  # the bus drops the name with the connection
        # Let the disconnect finish, so the name is gone when stop() returns.
        await asyncio.wait({gone}, timeout=1.0)
        if gone.done() and not gone.cancelled():
            gone.exception()  # retrieved: a bus that went away is not an error here


def start(control: SessionControl, enabled: bool = True) -> MediaKeys | None:
    """Starts the MPRIS server for `control`'s session (None when turned off)."""
    if not enabled:
        return None
    return MediaKeys(control).start()
