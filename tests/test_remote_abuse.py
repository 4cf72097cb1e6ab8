"""Clients that misbehave on purpose against the phone remote's real server and a real session
at --speed: 200 streams that never read, one client dribbling a byte a second. The session's
timing must not move and the server must keep answering everyone else."""

from __future__ import annotations

import http.client
import json
import socket
import statistics
import threading
import time
from collections.abc import Iterator

import pytest

pytest.importorskip("aiohttp")

from loaded import STALL  # noqa: E402
from remote_owner import Owner, base_and_token  # noqa: E402

from player.events import CueFired, SegmentStarted  # noqa: E402
from player.headless import json_event  # noqa: E402
from player.remote.server import IO_TIMEOUT  # noqa: E402
from player.routine import Routine, Step  # noqa: E402

pytestmark = pytest.mark.slow

SPEED = 10.0
#: Twelve 4 s steps (0.4 s each at SPEED), each with start, halfway, 3 countdown and end cues;
#: long instructions make every state message ~3 KB, so silent readers' buffers fill.
BUSY = Routine(id="busy", name="Busy", steps=tuple(
    Step("breathe", None, None, 4.0, lead_in=0.0, instructions="Slowly. " * 400)
    for _ in range(12)))
#: Seconds late 95 % of events may be while the server is abused, and the latest one: a
#: loaded machine's stall (tests/loaded.py; 0.25 s failed at load 15-20), and half of what one
#: blocked write (IO_TIMEOUT) would cost.
LATE = STALL
LATEST = IO_TIMEOUT / 2


@pytest.fixture
def owner() -> Iterator[Owner]:
    o = Owner(BUSY, speed=SPEED, autostart=False)
    yield o
    o.close()


def port_of(owner: Owner) -> int:
    return int(base_and_token(owner.url)[0].rsplit(":", 1)[1])


def get_state(owner: Owner, timeout: float = 5.0) -> tuple[int, float]:
    """(status, seconds) of one GET /api/state with the token."""
    _, token = base_and_token(owner.url)
    t0 = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port_of(owner), timeout=timeout)
    try:
        conn.request("GET", "/api/state", headers={"Authorization": f"Bearer {token}"})
        response = conn.getresponse()
        response.read()
        return response.status, time.monotonic() - t0
    finally:
        conn.close()


def read_stream(owner: Owner, out: list[tuple[float, dict[str, object]]],
                stop: threading.Event) -> None:
    """A phone that reads: every data line with the time it arrived."""
    _, token = base_and_token(owner.url)
    conn = http.client.HTTPConnection("127.0.0.1", port_of(owner), timeout=30)
    conn.request("GET", f"/api/stream?token={token}")
    response = conn.getresponse()
    assert response.status == 200
    while not stop.is_set():
        line = response.fp.readline()
        if not line:
            break
        if line.startswith(b"data: "):
            obj = json.loads(line[6:])
            out.append((time.monotonic(), obj))
            if obj.get("event") == "done":
                break
    conn.close()


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def assert_prompt(delays: list[float], what: str) -> None:
    text = (f"{what}: median {statistics.median(delays):.4f} s, p95 {p95(delays):.3f} s, "
            f"max {max(delays):.3f} s")
    assert p95(delays) <= LATE and max(delays) <= LATEST, text


def assert_on_time(owner: Owner) -> None:
    late = owner.lateness((SegmentStarted, CueFired))
    assert len(late) >= 12 * 6
    assert_prompt(late, "session events late")


def test_200_silent_streams_hold_neither_the_session_nor_the_server(owner: Owner) -> None:
    _, token = base_and_token(owner.url)
    request = (f"GET /api/stream?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").encode()
    silent: list[socket.socket] = []
    try:
        for _ in range(200):
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.connect(("127.0.0.1", port_of(owner)))
            s.sendall(request)
            silent.append(s)
        clients = owner.server._clients  # noqa: SLF001
        deadline = time.monotonic() + 30
        while len(clients) < 200:
            assert time.monotonic() < deadline, f"only {len(clients)} streams open"
            time.sleep(0.05)
        heard: list[tuple[float, dict[str, object]]] = []
        stop = threading.Event()
        reader = threading.Thread(target=read_stream, args=(owner, heard, stop), daemon=True)
        reader.start()
        while len(clients) < 201:
            assert time.monotonic() < deadline
            time.sleep(0.02)

        owner.begin()
        answers = []
        while owner.session.state != "done":
            try:
                answers.append(get_state(owner))
            except OSError:
                assert owner.session.state == "done"  # the server went with the session
            stop.wait(0.2)  # a phone shortcut asking five times a second
        reader.join(30)
        stop.set()
        assert all(status == 200 for status, _ in answers)
        assert max(seconds for _, seconds in answers) < 2.0
        assert_on_time(owner)
        # The phone that reads got every event soon after the engine emitted it.
        events = [(at, o) for at, o in heard if o.get("event") not in ("state", "ping")]
        timeline = owner.session.timeline
        engine = [s for s in owner.seen if json_event(s.event, timeline) is not None]
        assert [o for _, o in events] == [json_event(s.event, timeline) for s in engine]
        delays = [at - s.at for (at, _), s in zip(events, engine, strict=True)]
        assert_prompt(delays, "stream behind the engine")
    finally:
        for s in silent:
            s.close()


def dribble(s: socket.socket, data: bytes, owner: Owner, result: dict[str, object]) -> None:
    """Sends `data` on `s` a byte a second; notes when the server hung up, what it answered,
    and whether the session was still running then (so the hang-up was not its end)."""
    s.settimeout(0.0)
    t0 = time.monotonic()
    got = b""
    try:
        for byte in data:
            try:
                s.sendall(bytes([byte]))
                chunk = s.recv(4096)
                got += chunk
                if not chunk or b"\r\n\r\n" in got:
                    break  # hung up, or answered
            except BlockingIOError:
                pass
            except OSError:
                break
            time.sleep(1.0)  # the client is slow on purpose
        s.settimeout(10.0)
        try:
            while chunk := s.recv(4096):
                got += chunk
        except OSError:
            pass
    finally:
        result["closed_after"] = time.monotonic() - t0
        result["running"] = owner.session.state != "done"
        result["answer"] = got
        s.close()


def test_a_client_sending_a_byte_a_second_is_cut_off() -> None:
    owner = Owner(BUSY, speed=SPEED / 4, autostart=False)  # 12 s: longer than IO_TIMEOUT
    try:
        _, token = base_and_token(owner.url)
        port = port_of(owner)
        slow_headers = (f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                        f"{token}\r\n\r\n").encode()
        body = b'{"command": "pause"}'
        heads: dict[str, object] = {}
        bodies: dict[str, object] = {}
        head_socket = socket.create_connection(("127.0.0.1", port))
        body_socket = socket.create_connection(("127.0.0.1", port))
        # The headers at once, then the body a byte a second.
        body_socket.sendall((f"POST /api/command HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             f"Authorization: Bearer {token}\r\nContent-Type: application/json"
                             f"\r\nContent-Length: {len(body)}\r\n\r\n").encode())
        threads = [
            threading.Thread(target=dribble, args=(head_socket, slow_headers, owner, heads)),
            threading.Thread(target=dribble, args=(body_socket, body, owner, bodies)),
        ]
        for t in threads:
            t.start()
        owner.begin()
        answers = []
        done = threading.Event()
        while any(t.is_alive() for t in threads):
            answers.append(get_state(owner))
            done.wait(0.2)  # a phone shortcut asking five times a second
        for t in threads:
            t.join(60)
        assert all(status == 200 for status, _ in answers)
        assert max(seconds for _, seconds in answers) < 2.0
        # Cut off once IO_TIMEOUT passed without a whole request (a margin for a loaded
        # machine), while the session still ran.
        for result in (heads, bodies):
            assert result["running"], result
            assert result["closed_after"] <= IO_TIMEOUT + 4, result
        assert b"200 OK" not in heads["answer"], heads  # type: ignore[operator]
        assert b" 408 " in bodies["answer"], bodies  # type: ignore[operator]
        assert not owner.session.paused
        owner.thread.join(60)
        assert_on_time(owner)
    finally:
        owner.close()
