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


def qr_text(url: str) -> str:
    """The URL as a QR code in half-block characters, for a terminal; "" without segno."""
    try:
        import segno
    except ImportError:
        return ""
    out = io.StringIO()
    segno.make(url, error="l").terminal(out=out, compact=True, border=2)
    return out.getvalue()
