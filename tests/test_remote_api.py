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
