"""Provides the phone remote's web server: the page, `/api/state`, `/api/command`, `/api/stream`.

It runs aiohttp on a thread of its own with its own asyncio loop, so a slow phone never holds
the session. Commands go to the session through `SessionControl.submit()` (run later by the
driver on the session's thread); snapshots come back through `SessionControl.watch()` and the
session's events through a listener, both queued in order for the server's loop, which is woken
once after the last event of a burst (`_queue`). Nothing here changes the session itself.

Security (the port is open on a home network): a fresh 128-bit token per session, carried in the
URL's fragment; 401 without it, 429 after 20 wrong tokens a minute from one address, 421 for a
`Host` that is not this machine, 403 for a foreign `Origin`, 413 over 4 KiB, 400 for an unknown
command; headers forbid framing, sniffing, inline script and referrers.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import hmac
import ipaddress
import json
import os
import secrets
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from aiohttp import web

if sys.version_info >= (3, 11):
    from asyncio import timeout
else:  # aiohttp depends on async-timeout before 3.11
    from async_timeout import timeout

from player.control import Command, SessionControl, Snapshot
from player.errors import UsageError
from player.events import Done, Event
from player.remote import parse_bind
from player.timeline import Timeline

#: Largest request body accepted (413 above it).
MAX_BODY = 4096
#: Wrong tokens from one address within WINDOW seconds before it gets 429 for BLOCK seconds.
MAX_FAILURES = 20
WINDOW = 60.0
BLOCK = 60.0
#: Seconds any single read or write to one client may take.
IO_TIMEOUT = 5.0
#: Bytes a stream may have unsent; a client this far behind (or behind for IO_TIMEOUT) is
#: dropped.
MAX_BEHIND = 256 * 1024
#: The longest the server's thread holds the interpreter while the session's thread waits.
SWITCH_INTERVAL = 0.0005
#: Seconds between pings on an idle stream.
KEEPALIVE = 15.0
#: What an idle stream sends every KEEPALIVE seconds: an SSE event of type `ping` (which an
#: EventSource's onmessage never sees), so the page can tell a quiet stream from a dead one.
PING = b'event: ping\ndata: {"event": "ping"}\n\n'

COMMANDS: dict[str, Command] = {
    "pause": Command.PAUSE,
    "resume": Command.PLAY,
    "toggle": Command.PLAY_PAUSE,
    "next": Command.NEXT,
    "previous": Command.PREVIOUS,
    "extend": Command.EXTEND,
}

PAGE_FILES: dict[str, str] = {
    "/": "index.html",
    "/app.js": "app.js",
    "/app.css": "app.css",
    "/icon.svg": "icon.svg",
}
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def lan_address() -> str:
    """This machine's address on the network a phone would use, or 127.0.0.1 without one."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # a documentation address: nothing is sent
            return str(s.getsockname()[0])
    except OSError:
        return "127.0.0.1"


class _SockAddr(ctypes.Structure):
    # Linux: a 16-bit family; the BSDs and macOS: a length byte, then an 8-bit family.
    _fields_ = ([("sa_family", ctypes.c_uint16)] if sys.platform.startswith("linux")
                else [("sa_len", ctypes.c_uint8), ("sa_family", ctypes.c_uint8)])


class _IfAddrs(ctypes.Structure):
    pass


_IfAddrs._fields_ = [  # noqa: SLF001 - getifaddrs(3)'s struct ifaddrs, as far as ifa_addr
    ("ifa_next", ctypes.POINTER(_IfAddrs)),
    ("ifa_name", ctypes.c_char_p),
    ("ifa_flags", ctypes.c_uint),
    ("ifa_addr", ctypes.POINTER(_SockAddr)),
]


def interface_addresses() -> set[str]:
    """Every IPv4 and IPv6 address on every interface of this machine (getifaddrs(3)); empty
    where the C library has no getifaddrs. IPv6 scope ids (`%eth0`) are left off, as a browser
    leaves them out of a Host header."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        getifaddrs, freeifaddrs = libc.getifaddrs, libc.freeifaddrs
    except (OSError, AttributeError):
        return set()
    head = ctypes.POINTER(_IfAddrs)()
    if getifaddrs(ctypes.byref(head)) != 0:
        return set()
    found: set[str] = set()
    try:
        node = head
        while node:
            sa = node.contents.ifa_addr
            if sa:
                family, at = sa.contents.sa_family, ctypes.addressof(sa.contents)
                if family == socket.AF_INET:  # sockaddr_in: the address at byte 4
                    found.add(socket.inet_ntop(family, ctypes.string_at(at + 4, 4)))
                elif family == socket.AF_INET6:  # sockaddr_in6: at byte 8
                    found.add(socket.inet_ntop(family, ctypes.string_at(at + 8, 16)))
            node = node.contents.ifa_next
    finally:
        freeifaddrs(head)
    return found


def _local_names(bound: str) -> set[str]:
    names = {"localhost", "127.0.0.1", "::1", lan_address(), *interface_addresses()}
    if bound not in ("0.0.0.0", "::", ""):
        names.add(bound)
    try:
        host = socket.gethostname()
        names.update({host.lower(), f"{host.lower()}.local"})
        for info in socket.getaddrinfo(host, None):
            names.add(str(info[4][0]))
    except OSError:
        pass
    return {n.lower() for n in names}


def _host_name(host_header: str) -> str:
    """The name part of a Host header: `[::1]:80` → `::1`, `a:80` → `a`."""
    h = host_header.strip().lower()
    if h.startswith("["):
        h = h[1:h.find("]")] if "]" in h else h
    elif h.count(":") == 1:
        h = h.split(":")[0]
    try:  # an address written longhand (`fd00:0::2`) is the same machine as `fd00::2`
        return str(ipaddress.ip_address(h))
    except ValueError:
        return h


def spoken_cues(timeline: Timeline) -> dict[int, str]:
    """Each step's spoken cue: its `say:` as written, else the phrase the voice generates."""
    from player.sound.voice import spoken_cue

    out: dict[int, str] = {}
    for seg in timeline.segments:
        if seg.step not in out:
            out[seg.step] = spoken_cue(seg.step_ref)
    return out


def state_object(snap: Snapshot, clock_now: float, wall_now: float,
                 spoken: dict[int, str] | None = None) -> dict[str, Any]:
    """What `GET /api/state` answers and `{"event": "state"}` carries, for one snapshot.

    `say` is the step's spoken cue (from `spoken`, by step number), `instructions` its text.

    `remaining` is real seconds left in the segment now; `segment_end` the wall-clock time
    (seconds since the epoch, this machine's clock) the segment ends if nothing changes, None
    while paused or finished; `server_time` lets a page measure its clock's offset.
    """
    state = "finished" if snap.done else "paused" if snap.paused else "playing"
    remaining = snap.real_remaining
    segment_end: float | None = None
    if state == "playing":
        remaining = max(remaining - (clock_now - snap.taken_at), 0.0)
        segment_end = round(wall_now + remaining, 3)
    return {
        "routine": snap.routine_id,
        "name": snap.routine_name,
        "state": state,
        "step": snap.step,
        "of": snap.steps,
        "title": snap.title,
        "kind": snap.kind,
        "side": snap.side,
        "pressure": snap.pressure,
        "say": (spoken or {}).get(snap.step, "") if not snap.done else "",
        "instructions": snap.instructions,
        "next": snap.next_title,
        "remaining": round(remaining, 3),
        "segment_length": round(snap.segment_length / snap.speed if snap.speed > 0 else 0.0, 3),
        "segment_end": segment_end,
        "server_time": round(wall_now, 3),
        "serial": snap.serial,
    }


def _shown(snap: Snapshot) -> tuple[object, ...]:
    """What a phone draws from a snapshot; two snapshots alike here need not both be sent."""
    ends = None if snap.paused or snap.done else round(snap.taken_at + snap.real_remaining, 2)
    return (snap.state, snap.paused, snap.done, snap.step, snap.kind, snap.side, snap.title,
            snap.next_title, snap.segment_length, snap.segment_remaining if ends is None else ends)


@dataclass(eq=False)
class _Client:
    """One open event stream. Messages are written to its transport straight from the
    broadcast (one chunk each, already framed), so a message to fifty phones costs fifty
    non-blocking writes and no task switches, which keeps the session's thread waiting for the
    interpreter as little as possible."""

    transport: asyncio.Transport | None
    #: Set when the stream should end (the session ended, or the client fell behind).
    gone: asyncio.Future[None]
    #: Messages broadcast before the stream's first state went out; sent right after it.
    pending: list[bytes] | None = field(default_factory=list)
    #: time.monotonic() since when its unsent bytes have not drained (None: drained).
    behind_since: float | None = None


class RemoteServer:
    """The web server for one session; `start()` on the session's thread, `stop()` on any path.

    `url` (after `start()`) is what a phone opens: `http://HOST:PORT/#TOKEN`.
    """

    def __init__(self, control: SessionControl, bind: str | None = None) -> None:
        self.control = control
        self.host, self.port = parse_bind(bind)
        self.token = secrets.token_urlsafe(16)  # 128 bits
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._clients: set[_Client] = set()
        self._failures: dict[str, deque[float]] = {}
        self._blocked: dict[str, float] = {}
        self._allowed = _local_names(self.host)
        # The timeline never changes, so this is read safely from the server's thread.
        self._spoken = spoken_cues(control.session.timeline)
        self._unwatch: Callable[[], None] | None = None
        self._last_shown: tuple[object, ...] | None = None
        #: Snapshots and events from the session's thread not yet sent, in order.
        self._queued: list[Event | Snapshot] = []
        self._flush_due = False
        self._queue_lock = threading.Lock()
        self._switch_interval: float | None = None
        self._stopped = False
        from player.headless.format import json_event

        self._json_event = json_event

    # ------------------------------------------------------------------ lifetime

    def start(self) -> str:
        """Starts serving (call on the session's thread, before the session starts)."""
        ready = threading.Event()
        failure: list[BaseException] = []
        # The session's thread must get the interpreter back within a millisecond of a
        # deadline, not after Python's default 5 ms slice of a busy server thread.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(min(self._switch_interval, SWITCH_INTERVAL))

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._serve())
            except BaseException as exc:  # reported to start(), which raises it
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=main, name="unknot-remote", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            self._thread.join()
            exc = failure[0]
            if isinstance(exc, OSError):
                reason = os.strerror(exc.errno) if exc.errno else str(exc)
                raise UsageError(f"--remote: cannot listen on {self.host}:{self.port}: "
                                 f"{reason.lower()}") from None
            raise exc
        self._unwatch = self.control.watch(self._snapshot_from_owner)
        self.control.session.subscribe(self._event_from_owner)
        shown = self.host
        if shown in ("0.0.0.0", "::", ""):
            shown = lan_address()
        if ":" in shown:
            shown = f"[{shown}]"
        self.url = f"http://{shown}:{self.port}/#{self.token}"
        return self.url

    def stop(self) -> None:
        """Stops serving, closes every stream and waits for the server's thread; safe to call
        twice, from any thread."""
        self._begin_stop()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=10)
        if self._switch_interval is not None:
            sys.setswitchinterval(self._switch_interval)
            self._switch_interval = None

    def _begin_stop(self) -> None:
        """Asks the server's loop to finish what it was sending, then close; returns at once."""
        if self._stopped:
            return
        self._stopped = True
        if self._unwatch is not None:
            self._unwatch()
        self.control.session.unsubscribe(self._event_from_owner)
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(loop.stop)
            except RuntimeError:  # closed in between
                pass

    async def _serve(self) -> None:
        app = web.Application(middlewares=[self._guard], client_max_size=MAX_BODY,
                              handler_args={"max_line_size": 4096, "max_field_size": 4096})
        app.router.add_get("/api/state", self._state)
        app.router.add_post("/api/command", self._command)
        app.router.add_get("/api/stream", self._stream)
        for path in PAGE_FILES:
            app.router.add_get(path, self._page)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0,
                                     keepalive_timeout=IO_TIMEOUT, lingering_time=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        server = site._server  # noqa: SLF001 - the only way to learn the port picked for 0
        if self.port == 0 and server is not None:
            sockets = getattr(server, "sockets", None) or []
            self.port = int(sockets[0].getsockname()[1])

    async def _shutdown(self) -> None:
        for client in list(self._clients):
            self._drop(client)
        if self._runner is not None:
            await self._runner.cleanup()

    # ------------------------------------------------------------------ from the owner's thread

    def _snapshot_from_owner(self, snap: Snapshot) -> None:
        # Most events are cues, which change nothing a phone shows: only a snapshot that moves
        # what the page draws (the step, the pause, where the segment ends) is sent.
        shown = _shown(snap)
        if shown == self._last_shown:
            return
        self._last_shown = shown
        loop = self._loop
        if loop is not None and not loop.is_closed():
            self._queue(loop, snap)

    def _event_from_owner(self, event: Event) -> None:
        # The session's thread only queues the event (frozen, and the timeline never changes):
        # the JSON is built on the server's thread, and the server is woken once for a burst
        # of events from one poll, so the session's own listeners for the rest of that burst
        # (the events file, sound) run with the least work from the remote between them.
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        self._queue(loop, event)
        if isinstance(event, Done):
            # The session is over: the phones get its last state and this event (queued
            # first), then the server closes, whatever way the driver leaves.
            self._begin_stop()

    def _state_now(self, snap: Snapshot | None = None) -> dict[str, Any]:
        snap = snap if snap is not None else self.control.snapshot()
        return state_object(snap, self.control.session.clock.now(), time.time(), self._spoken)

    def _more_due(self) -> bool:
        """Whether the session is in the middle of emitting a burst of events (one poll's, or
        a segment's end and the next one's start), so the phones can wait for its last."""
        session = self.control.session
        if session.state in ("ready", "done") or session.paused:
            return False
        deadline = session.next_deadline()
        if deadline is None:  # a segment's end item is being delivered; its start follows
            return True
        return deadline <= session.clock.now() + 0.0005

    def _queue(self, loop: asyncio.AbstractEventLoop, item: Event | Snapshot) -> None:
        """Queues a snapshot or an event for the phones, in the session's order. The server's
        loop is woken once, after the last event of a burst: while the session's thread is
        still emitting (the events file, sound), the server's thread does not compete with it
        for the interpreter."""
        with self._queue_lock:
            self._queued.append(item)
            if self._flush_due or self._more_due():
                return
            self._flush_due = True
        try:
            loop.call_soon_threadsafe(self._broadcast_queued)
        except RuntimeError:  # the loop closed in between
            pass

    def _broadcast_queued(self) -> None:
        with self._queue_lock:
            items, self._queued, self._flush_due = self._queued, [], False
        timeline = self.control.session.timeline
        for item in items:
            if isinstance(item, Snapshot):
                self._broadcast_state(item)
                continue
            obj = self._json_event(item, timeline)
            if obj is not None:
                self._broadcast(obj)

    def _broadcast_state(self, snap: Snapshot) -> None:
        self._broadcast({"event": "state", **self._state_now(snap)})

    def _broadcast(self, obj: dict[str, Any]) -> None:
        # Encoded once for every client: with many phones, per-client work is only a put.
        message = f"data: {json.dumps(obj, ensure_ascii=False)}\n\n".encode()
        for client in list(self._clients):
            self._send(client, message)

    def _send(self, client: _Client, message: bytes) -> None:
        """One message to one stream, on the server's loop; a client that stopped reading
        long ago, or too far behind, is dropped instead."""
        if client.pending is not None:
            client.pending.append(message)
            return
        transport = client.transport
        if transport is None or transport.is_closing():
            self._drop(client)
            return
        unsent = transport.get_write_buffer_size()
        now = time.monotonic()
        if unsent == 0:
            client.behind_since = None
        elif client.behind_since is None:
            client.behind_since = now
        elif unsent > MAX_BEHIND or now - client.behind_since > IO_TIMEOUT:
            self._drop(client, abort=True)
            return
        # A chunk of the response's chunked body, framed as aiohttp frames its own writes.
        transport.write(b"%x\r\n%s\r\n" % (len(message), message))

    def _drop(self, client: _Client, abort: bool = False) -> None:
        """Ends a stream: gracefully (the session ended), or at once for a client that is
        not reading (its unsent bytes are thrown away)."""
        self._clients.discard(client)
        if abort and client.transport is not None:
            client.transport.abort()
        if not client.gone.done():
            client.gone.set_result(None)

    # ------------------------------------------------------------------ checks

    def _refuse(self, status: int, message: str) -> web.Response:
        return web.json_response({"error": message}, status=status)

    @web.middleware
    async def _guard(self, request: web.Request,
                     handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                     ) -> web.StreamResponse:
        response = await self._check(request, handler)
        response.headers.update(SECURITY_HEADERS)
        return response

    async def _check(self, request: web.Request,
                     handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                     ) -> web.StreamResponse:
        if _host_name(request.headers.get("Host", "")) not in self._allowed:
            return self._refuse(421, "this server answers only to this machine's addresses")
        if not request.path.startswith("/api/"):
            if request.path not in PAGE_FILES:
                return self._refuse(404, "not found")
            return await handler(request)
        peer = request.remote or "?"
        now = time.monotonic()
        until = self._blocked.get(peer)
        if until is not None:
            if now < until:
                return self._refuse(429, "too many wrong tokens; try again in a minute")
            del self._blocked[peer]
        origin = request.headers.get("Origin")
        if origin is not None and origin.lower() not in self._origins(request):
            return self._refuse(403, "requests from other sites are refused")
        if not self._authorised(request):
            failures = self._failures.setdefault(peer, deque())
            failures.append(now)
            while failures and failures[0] < now - WINDOW:
                failures.popleft()
            if len(failures) >= MAX_FAILURES:
                self._blocked[peer] = now + BLOCK
                failures.clear()
            return self._refuse(401, "missing or wrong token")
        length = request.content_length
        if length is not None and length > MAX_BODY:
            return self._refuse(413, f"request bodies are limited to {MAX_BODY} bytes")
        return await handler(request)

    def _origins(self, request: web.Request) -> set[str]:
        host = request.headers.get("Host", "").lower()
        return {f"http://{host}"}

    def _authorised(self, request: web.Request) -> bool:
        given = ""
        auth = request.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        elif request.method == "GET":
            given = request.query.get("token", "")
        return hmac.compare_digest(given.encode("utf-8", "replace"), self.token.encode())

    # ------------------------------------------------------------------ routes

    async def _page(self, request: web.Request) -> web.Response:
        name = PAGE_FILES[request.path]
        body = resources.files("player.remote").joinpath("page", name).read_bytes()
        suffix = name[name.rfind("."):]
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPES[suffix]})

    async def _state(self, request: web.Request) -> web.Response:
        return web.json_response(self._state_now())

    async def _command(self, request: web.Request) -> web.Response:
        try:
            raw = await asyncio.wait_for(request.read(), IO_TIMEOUT)
        except web.HTTPRequestEntityTooLarge:
            return self._refuse(413, f"request bodies are limited to {MAX_BODY} bytes")
        except asyncio.TimeoutError:
            refused = self._refuse(408, "the request body came too slowly")
            refused.force_close()  # the rest of that body is not waited for
            return refused
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return self._refuse(400, 'send JSON like {"command": "pause"}')
        name = body.get("command") if isinstance(body, dict) else None
        if not isinstance(name, str) or name not in COMMANDS:
            known = ", ".join(COMMANDS)
            return self._refuse(400, f"unknown command; use one of: {known}")
        amount: float | None = None
        if name == "extend" and isinstance(body, dict) and "seconds" in body:
            seconds = body["seconds"]
            if (isinstance(seconds, bool) or not isinstance(seconds, (int, float))
                    or not 1 <= seconds <= 600):
                return self._refuse(400, "extend takes seconds from 1 to 600")
            amount = float(seconds)
        self.control.submit(COMMANDS[name], amount)
        return web.json_response({"accepted": name}, status=202)

    async def _stream(self, request: web.Request) -> web.StreamResponse:
        transport = request.transport
        client = _Client(transport if isinstance(transport, asyncio.Transport) else None,
                         asyncio.get_running_loop().create_future())
        response = web.StreamResponse(headers={
            "Content-Type": "text/event-stream; charset=utf-8",
            "X-Accel-Buffering": "no",
            **SECURITY_HEADERS,
        })
        self._clients.add(client)
        try:
            async with timeout(IO_TIMEOUT):
                await response.prepare(request)
                first = {"event": "state", **self._state_now()}
                await response.write(
                    f"retry: 1000\ndata: {json.dumps(first, ensure_ascii=False)}\n\n".encode())
            pending, client.pending = client.pending or [], None
            for message in pending:
                self._send(client, message)
            while not client.gone.done():
                try:
                    async with timeout(KEEPALIVE):
                        await asyncio.shield(client.gone)
                except asyncio.TimeoutError:
                    self._send(client, PING)
        except (asyncio.TimeoutError, ConnectionError, RuntimeError):
            pass  # a client that stopped reading, or went away
        finally:
            self._drop(client)
        return response
