"""Provides the phone remote (`play --remote`): start and stop its web server, draw its QR code.

aiohttp and segno are imported only here, only when --remote is used; without them
`start_remote` says in one line how to install them.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from player.errors import UsageError

if TYPE_CHECKING:
    from player.control import SessionControl
    from player.remote.server import RemoteServer

INSTALL_HINT = "--remote needs the remote extra: pip install 'unknot[remote]'"


def available() -> bool:
    """Whether the remote extra (aiohttp) can be imported."""
    try:
        import aiohttp  # noqa: F401
    except ImportError:
        return False
    return True


def check_options(enabled: bool, bind: str | None) -> None:
    """UsageError (one line) when --remote cannot work: no aiohttp, or a bad --remote-bind."""
    if bind is not None and not enabled:
        raise UsageError("--remote-bind needs --remote")
    if not enabled:
        return
    if not available():
        raise UsageError(INSTALL_HINT)
    parse_bind(bind)


def parse_bind(text: str | None) -> tuple[str, int]:
    """`HOST[:PORT]` (`[::1]:8080` for IPv6) → (host, port); port 0 picks a free one."""
    if not text:
        return "0.0.0.0", 0
    host, port_text = text, ""
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise UsageError(f"--remote-bind {text}: missing ']' after an IPv6 address")
        host, rest = text[1:end], text[end + 1:]
        if rest and not rest.startswith(":"):
            raise UsageError(f"--remote-bind {text}: use [ADDRESS]:PORT")
        port_text = rest[1:]
    elif text.count(":") == 1:
        host, port_text = text.split(":")
    if not host:
        host = "0.0.0.0"
    port = 0
    if port_text:
        if not port_text.isdigit() or not 0 <= int(port_text) <= 65535:
            raise UsageError(f"--remote-bind {text}: the port must be a number from 0 to 65535")
        port = int(port_text)
    return host, port



def start_remote(control: SessionControl, bind: str | None = None) -> RemoteServer:
    """Starts the remote server for a session (on its thread, before it starts); see `url`."""
    try:
        from player.remote.server import RemoteServer
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    server = RemoteServer(control, bind)
    server.start()
    return server


def stop_remote(server: RemoteServer | None) -> None:
    """Stops the server if there is one; safe on every exit path."""
    if server is not None:
        server.stop()


def where_to_open(url: str) -> str:
    """What to do with the URL: a phone on this network, or this machine alone (loopback)."""
    host = url.split("//", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0].strip("[]")
    if host in ("localhost", "::1") or host.startswith("127."):
        return f"open {url} in a browser on this machine"
    return f"open {url} on a phone on the same network"


def qr_text(url: str) -> str:
    """The URL as a QR code in half-block characters, for a terminal; "" without segno."""
    try:
        import segno
    except ImportError:
        return ""
    out = io.StringIO()
    segno.make(url, error="l").terminal(out=out, compact=True, border=2)
    return out.getvalue()
