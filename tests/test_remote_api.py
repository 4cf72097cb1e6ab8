"""The phone remote's HTTP API against the real aiohttp server, with a real session on an
owner thread (as the drivers run it): token, refusals, commands, the event stream."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest

aiohttp = pytest.importorskip("aiohttp")

from remote_owner import Owner, base_and_token  # noqa: E402


@pytest.fixture
def owner() -> Iterator[Owner]:
    o = Owner()
    yield o
    o.close()


def run(coro):  # type: ignore[no-untyped-def]
    return asyncio.run(coro)


def test_state_needs_the_token_and_commands_reach_the_session(owner: Owner) -> None:
    base, token = base_and_token(owner.url)
    auth = {"Authorization": f"Bearer {token}"}

    async def go() -> None:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/api/state") as r:
                assert r.status == 401
            async with http.get(f"{base}/api/state", headers=auth) as r:
                assert r.status == 200
                state = await r.json()
                assert r.headers["X-Content-Type-Options"] == "nosniff"
                assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
            assert state["state"] == "playing" and state["step"] == 1 and state["of"] == 2
            assert state["title"] == "Trigger point · upper trapezius · left"
            assert state["segment_end"] > state["server_time"]
            async with http.post(f"{base}/api/command", json={"command": "pause"},
                                 headers=auth) as r:
                assert r.status == 202
            for _ in range(200):
                async with http.get(f"{base}/api/state", headers=auth) as r:
                    if (await r.json())["state"] == "paused":
                        break
                await asyncio.sleep(0.02)
            assert owner.session.paused

    run(go())


def test_refusals_leave_the_session_unharmed(owner: Owner) -> None:
    base, token = base_and_token(owner.url)
    auth = {"Authorization": f"Bearer {token}"}

    async def go() -> None:
        async with aiohttp.ClientSession() as http:
            async with http.post(f"{base}/api/command", json={"command": "explode"},
                                 headers=auth) as r:
                assert r.status == 400
            async with http.post(f"{base}/api/command", data=b"x" * 5000,
                                 headers=auth) as r:
                assert r.status == 413
            async with http.get(f"{base}/api/state",
                                headers={**auth, "Host": "evil.example"}) as r:
                assert r.status == 421
            async with http.post(f"{base}/api/command", json={"command": "pause"},
                                 headers={**auth, "Origin": "http://evil.example"}) as r:
                assert r.status == 403
            for _ in range(20):
                async with http.get(f"{base}/api/state",
                                    headers={"Authorization": "Bearer wrong"}) as r:
                    assert r.status == 401
            async with http.get(f"{base}/api/state", headers=auth) as r:
                assert r.status == 429

    run(go())
    assert not owner.session.paused and owner.session.state != "done"


def test_stream_sends_state_then_events(owner: Owner) -> None:
    base, token = base_and_token(owner.url)

    async def go() -> list[dict[str, object]]:
        seen: list[dict[str, object]] = []
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/api/stream", params={"token": token}) as r:
                assert r.status == 200
                assert r.headers["Content-Type"].startswith("text/event-stream")
                async for raw in r.content:
                    line = raw.decode().strip()
                    if not line.startswith("data: "):
                        continue
                    seen.append(json.loads(line[6:]))
                    if len(seen) == 1:
                        owner.control.submit(owner.control_command_next)
                    if any(o.get("event") == "skip" for o in seen):
                        break
        return seen

    from player.control import Command

    owner.control_command_next = Command.NEXT  # type: ignore[attr-defined]
    seen = asyncio.run(asyncio.wait_for(go(), 30))
    assert seen[0]["event"] == "state"
    skip = next(o for o in seen if o["event"] == "skip")
    assert skip["from"] == 1 and skip["to"] == 2


def test_the_port_refuses_connections_after_the_session(owner: Owner) -> None:
    base, _ = base_and_token(owner.url)
    owner.close()

    async def go() -> None:
        async with aiohttp.ClientSession() as http:
            with pytest.raises(aiohttp.ClientConnectionError):
                async with http.get(f"{base}/"):
                    pass

    run(go())


#: Header names a random request may not set: each has its own refusal, tested above (a wrong
#: Authorization would also put this client on the 429 list), or frames the request itself.
RESERVED = {"authorization", "host", "origin", "content-length", "transfer-encoding",
            "connection", "expect", "upgrade", "te", "trailer"}
#: Commands a random body must not send: they would move the session past its end.
MOVES = {"next", "previous"}


def test_random_bodies_and_headers_never_break_the_command_route() -> None:
    import http.client

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from player.remote.server import COMMANDS, MAX_BODY

    owner = Owner()
    try:
        base, token = base_and_token(owner.url)
        port = int(base.rsplit(":", 1)[1])
        safe = sorted(set(COMMANDS) - MOVES)
        json_values = st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
            | st.text(max_size=20) | st.sampled_from(safe + ["", "PAUSE", "next "]),
            lambda inner: st.lists(inner, max_size=4)
            | st.dictionaries(st.text(max_size=8), inner, max_size=4),
            max_leaves=12)
        bodies = st.one_of(
            st.binary(max_size=600),
            json_values.map(lambda v: json.dumps(v).encode()),
            st.dictionaries(st.sampled_from(["command", "seconds", "x"]), json_values,
                            max_size=3).map(lambda v: json.dumps(v).encode()),
            st.integers(MAX_BODY - 4, MAX_BODY + 50).map(lambda n: b" " * n),
        )
        token_chars = st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                      "0123456789-_.!#$%&'*+^`|~")
        names = st.text(token_chars, min_size=1, max_size=20).filter(
            lambda n: n.lower() not in RESERVED)
        values = st.text(st.characters(min_codepoint=0x20, max_codepoint=0xFF,
                                       blacklist_characters="\x7f"), max_size=60)
        headers = st.dictionaries(names, values, max_size=6)

        def expected(body: bytes) -> set[int]:
            if len(body) > MAX_BODY:
                return {413}
            try:
                obj = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                return {400}
            command = obj.get("command") if isinstance(obj, dict) else None
            if not isinstance(command, str) or command not in COMMANDS:
                return {400}
            if obj["command"] == "extend" and "seconds" in obj:
                s = obj["seconds"]
                if isinstance(s, bool) or not isinstance(s, (int, float)) or not 1 <= s <= 600:
                    return {400}
            return {202}

        @settings(max_examples=150, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(body=bodies, extra=headers)
        def check(body: bytes, extra: dict[str, str]) -> None:
            obj = None
            try:
                obj = json.loads(body)
            except ValueError:
                pass
            if isinstance(obj, dict) and str(obj.get("command")) in MOVES:
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.putrequest("POST", "/api/command", skip_host=True,
                                skip_accept_encoding=True)
                conn.putheader("Host", f"127.0.0.1:{port}")
                conn.putheader("Authorization", f"Bearer {token}")
                conn.putheader("Content-Length", str(len(body)))
                for name, value in extra.items():
                    conn.putheader(name, value.encode("latin-1"))
                conn.endheaders(body)
                response = conn.getresponse()
                answer = response.read()
            finally:
                conn.close()
            assert response.status < 500, answer
            if response.status != 400 or b"unknown command" in answer or b"JSON" in answer:
                assert response.status in expected(body), (response.status, answer)
            else:  # a header aiohttp's parser refuses
                assert response.status == 400

        check()
        assert owner.thread.is_alive() and owner.session.state != "done"
        status, state = asyncio.run(fetch_state(base, token))
        assert status == 200 and state["step"] == 1
    finally:
        owner.close()


async def fetch_state(base: str, token: str) -> tuple[int, dict[str, object]]:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/api/state",
                            headers={"Authorization": f"Bearer {token}"}) as r:
            return r.status, await r.json()


def machine_addresses() -> list[str]:
    """Every address on every interface, as `ip` (iproute2) lists them: a source of its own,
    not the server's getifaddrs."""
    import shutil
    import subprocess

    if shutil.which("ip") is None:
        pytest.skip("needs ip (iproute2) to list this machine's addresses")
    listing = json.loads(subprocess.run(["ip", "-j", "addr"], capture_output=True, text=True,
                                        check=True).stdout)
    return [a["local"] for link in listing for a in link.get("addr_info", []) if "local" in a]


def test_every_address_of_this_machine_is_a_host_when_bound_to_all_interfaces() -> None:
    import http.client
    import ipaddress
    import socket

    owner = Owner(bind="0.0.0.0")
    try:
        _, token = base_and_token(owner.url)
        port = int(owner.url.split("#")[0].rstrip("/").rsplit(":", 1)[1])
        addresses = machine_addresses()
        assert any(":" in a for a in addresses) or not socket.has_ipv6
        hostname = socket.gethostname()
        names = [*addresses, hostname, f"{hostname}.local", hostname.upper(), "localhost"]
        # An IPv6 address written longhand names the same machine.
        names += [ipaddress.ip_address(a).exploded for a in addresses if ":" in a]

        def status(name: str) -> int:
            host = f"[{name}]" if ":" in name else name
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", "/api/state", headers={
                    "Host": f"{host}:{port}", "Authorization": f"Bearer {token}"})
                return conn.getresponse().status
            finally:
                conn.close()

        assert {name: status(name) for name in names} == {name: 200 for name in names}
        for foreign in ("evil.example", "192.0.2.254", "2001:db8::dead", f"{hostname}.evil"):
            assert status(foreign) == 421, foreign
    finally:
        owner.close()
