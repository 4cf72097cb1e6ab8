"""Provides the phone remote's panel: the page's URL and its QR code, drawn in the terminal.

Shown when a session starts with `--remote` (`remote = true`), and again with `o`. The QR code
is drawn light on dark whatever the theme, so a phone's camera reads it the right way round.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class RemotePanel(ModalScreen[None]):
    """The URL a phone opens (with its token) and the same as a QR code."""

    DEFAULT_CSS = """
    RemotePanel {
        align: center middle;
    }
    RemotePanel > #remote-panel {
        width: auto;
        min-width: 40;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 2;
        border: round $accent;
        background: $surface;
    }
    RemotePanel .remote-title {
        text-style: bold;
        color: $text-accent;
        margin-bottom: 0;
    }
    RemotePanel #remote-qr {
        width: auto;
        color: #ffffff;
        background: #000000;
    }
    RemotePanel #remote-url {
        width: 100%;
        max-width: 76;
    }
    RemotePanel .remote-keys {
        margin-top: 0;
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("escape,enter,o", "close", "Close"),
    ]

    def __init__(self, url: str, qr: str) -> None:
        super().__init__()
        self.url = url
        self.qr = qr.rstrip("\n")

    def compose(self) -> ComposeResult:
        with Vertical(id="remote-panel"):
            yield Label("Phone remote: scan it, or open the link", classes="remote-title")
            if self.qr:
                yield Static(self.qr, id="remote-qr", markup=False)
            yield Static(self.url, id="remote-url", markup=False)
            yield Label("Same Wi-Fi as this computer · o shows this again · Esc closes",
                        classes="remote-keys")

    def action_close(self) -> None:
        self.dismiss(None)
