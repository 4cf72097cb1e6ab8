"""`unknot play ROUTINE --remote`, end to end: headless as a subprocess (the URL on stderr and
as `{"event": "remote"}` in --json, a phone's command reaching the session through Playback, the
port closed after `q`, SIGTERM and SIGHUP), the TUI's panel with its QR code (80×24, `o` shows
it again) and the TUI in a real terminal, and the one line without aiohttp."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import pytest

pytest.importorskip("aiohttp")

from snapshot_app import DESK, player_app, sync  # noqa: E402
from test_tui_tmux import Tmux  # noqa: E402

from player.remote import INSTALL_HINT  # noqa: E402
from player.tui.screens.player_screen import PlayerScreen  # noqa: E402
from player.tui.screens.remote_panel import RemotePanel  # noqa: E402

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
UNKNOT = REPO / ".venv" / "bin" / "unknot"
ROUTINE = """\
name: Remote play
steps:
  - technique: trigger-point
    region: upper-trapezius
    side: each
    duration: 2m
    lead_in: 0
    pressure: 6
  - technique: breathe
    duration: 1m
"""
URL = re.compile(r"http://[\w.:\[\]-]+/#[\w-]+")


def routine_file(tmp_path: Path) -> Path:
    path = tmp_path / "remote-play.yaml"
    path.write_text(ROUTINE, encoding="utf-8")
    return path


def api(url: str, method: str = "GET", body: dict[str, object] | None = None,
        ) -> tuple[int, dict[str, object]]:
    base, token = url.split("#")
    data = None if body is None else json.dumps(body).encode()
    path = "api/state" if method == "GET" else "api/command"
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Authorization": f"Bearer {token}",
                                              "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def refuses(url: str, timeout: float = 15.0) -> bool:
    """Whether the URL's port refuses connections (waiting up to `timeout` for it to)."""
    host, port = url.split("//")[1].split("/")[0].rsplit(":", 1)
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=2).close()
        except ConnectionRefusedError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)  # the server is closing; look again


def state_becomes(url: str, state: str, timeout: float = 10.0) -> bool:
    """Whether /api/state says `state` within `timeout` (it is published just after the line
    a listener wrote for the same event)."""
    deadline = time.monotonic() + timeout
    while api(url)[1]["state"] != state:
        if time.monotonic() > deadline:
            return False
    return True


def read_until(out: IO[str], event: str, timeout: float = 30.0) -> list[dict[str, object]]:
    """JSON lines from a --json stdout up to the first `{"event": event}`."""
    seen: list[dict[str, object]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = out.readline()
        if not line:
            break
        seen.append(json.loads(line))
        if seen[-1]["event"] == event:
            return seen
    raise AssertionError(f"no {event} event; saw {seen}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_headless_remote_announces_obeys_and_closes_on_a_signal(tmp_path: Path,
                                                                signum: int) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "player", "play", str(routine_file(tmp_path)), "--headless",
         "--json", "--remote", "--remote-bind", "127.0.0.1", "--no-sound", "--no-media-keys",
         "--events", str(tmp_path / "events.jsonl")],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=tmp_path)
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "remote"
        url = str(first["url"])
        logged = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
        assert json.loads(logged[0]) == first  # and the same line first in --events
        assert URL.fullmatch(url) and url.startswith("http://127.0.0.1:")
        assert proc.stderr.readline() == f"unknot: remote: open {url} in a browser on this " \
                                         "machine\n"
        # The state is published after the line is written: the next event's line follows it.
        read_until(proc.stdout, "cue")
        status, state = api(url)
        assert status == 200 and state["state"] == "playing" and state["side"] == "left"
        assert api(url, "POST", {"command": "pause"})[0] == 202
        read_until(proc.stdout, "pause")
        assert state_becomes(url, "paused")
        assert api(url, "POST", {"command": "next"})[0] == 202
        skip = read_until(proc.stdout, "skip")[-1]
        assert (skip["from"], skip["to"]) == (1, 2)
        proc.send_signal(signum)
        assert proc.wait(30) == 128 + signum
        assert refuses(url)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


@pytest.fixture
def term(unknot_home: Path) -> Iterator[Tmux]:
    """A shell in a real terminal (tmux)."""
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    if not UNKNOT.exists():
        pytest.skip("needs the .venv/bin/unknot entry point (scripts/setup)")
    terminal = Tmux(unknot_home)
    try:
        yield terminal
    finally:
        terminal.close()


def play_in(term: Tmux, tmp_path: Path, *options: str) -> None:
    """Types `unknot play ROUTINE --remote --remote-bind 127.0.0.1 OPTIONS…` and Enter."""
    term.keys(f"{UNKNOT} play {routine_file(tmp_path)} --remote --remote-bind 127.0.0.1 "
              f"--no-sound --no-media-keys {' '.join(options)}", "Enter")


def test_headless_remote_closes_after_q_in_a_terminal(tmp_path: Path, term: Tmux) -> None:
    play_in(term, tmp_path, "--headless")
    screen = term.wait(lambda s: URL.search(s) is not None and "▶" in s, "the URL")
    match = URL.search(screen)
    assert match
    url = match[0]
    assert api(url)[1]["state"] == "playing"
    term.keys("q")
    term.wait_for("stopped")
    assert refuses(url)


@sync
async def test_the_tui_panel_shows_url_and_qr_at_80x24_and_the_phone_drives_the_player(
        tmp_path: Path) -> None:
    app = player_app(DESK)
    app.remote = True
    app.remote_bind = "127.0.0.1"
    app.events = str(tmp_path / "events.jsonl")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the start dialog
        await pilot.pause()
        panel = app.screen
        assert isinstance(panel, RemotePanel)
        player = app.screen_stack[-2]
        assert isinstance(player, PlayerScreen) and player.remote is not None
        url = player.remote.url
        assert panel.url == url and URL.fullmatch(url)
        logged = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
        assert json.loads(logged[0]) == {"event": "remote", "url": url}
        box = panel.query_one("#remote-panel").region
        assert box.x >= 0 and box.y >= 0 and box.right <= 80 and box.bottom <= 24
        qr = panel.query_one("#remote-qr").region
        assert qr.height >= 15 and qr.bottom <= box.bottom
        assert str(panel.query_one("#remote-url").content) == url
        folder = os.environ.get("UNKNOT_SCREENSHOTS")
        if folder and shutil.which("rsvg-convert"):  # docs/screenshots/remote-panel.png
            app.save_screenshot(filename="remote-panel.svg", path=folder)
            svg = Path(folder) / "remote-panel.svg"
            subprocess.run(["rsvg-convert", str(svg), "-o", str(svg.with_suffix(".png"))],
                           check=True, timeout=60)
            svg.unlink()

        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is player
        await pilot.press("o")
        await pilot.pause()
        assert isinstance(app.screen, RemotePanel)
        await pilot.press("escape")
        await pilot.pause()

        # A phone's button: through the server's thread, the wake, and Playback, here.
        assert api(url, "POST", {"command": "pause"})[0] == 202
        for _ in range(200):
            await pilot.pause(0.01)
            if player.session.paused:
                break
        assert player.session.paused
        assert api(url)[1]["state"] == "paused"
        await pilot.press("q", "y")
        await pilot.pause()
        assert player.session.state == "done"
        assert refuses(url)


def test_the_tui_remote_in_a_real_terminal(tmp_path: Path, term: Tmux) -> None:
    play_in(term, tmp_path)
    term.wait_for("Press Enter to continue")  # the first-run notice
    term.keys("Enter")
    term.wait_for("Pain right now")  # the start dialog
    term.keys("Enter")
    screen = term.wait_for("Phone remote")
    match = URL.search(screen)
    assert match, screen
    url = match[0]
    assert "▄▄▄▄▄" in screen  # the QR code's finder patterns
    assert api(url, "POST", {"command": "pause"})[0] == 202
    term.wait_for("Resume")
    term.keys("Escape")
    term.wait(lambda s: "Phone remote" not in s, "the panel to close")
    term.keys("o")
    term.wait_for("Phone remote")
    term.keys("o")
    term.wait(lambda s: "Phone remote" not in s, "the panel to close")
    term.keys("q")
    term.wait_for("End this session?")
    term.keys("y")
    term.wait_for("Session ended")
    assert refuses(url)


def test_without_aiohttp_remote_says_how_to_install_it(tmp_path: Path) -> None:
    code = ("import sys; sys.modules['aiohttp'] = None; from player.cli import main; "
            "sys.exit(main(sys.argv[1:]))")
    proc = subprocess.run(
        [sys.executable, "-c", code, "play", str(routine_file(tmp_path)), "--headless",
         "--remote", "--no-sound"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.strip().splitlines() == [f"unknot: error: {INSTALL_HINT}"]


def test_remote_bind_is_checked_before_anything_starts(tmp_path: Path) -> None:
    for args, message in (
            (["--remote", "--remote-bind", "127.0.0.1:99999"], "the port must be a number"),
            (["--remote-bind", "127.0.0.1"], "--remote-bind needs --remote")):
        proc = subprocess.run(
            [sys.executable, "-m", "player", "play", str(routine_file(tmp_path)),
             "--headless", "--no-sound", *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 2, proc.stderr
        assert proc.stdout == ""
        assert len(proc.stderr.strip().splitlines()) == 1 and message in proc.stderr


def taken_port() -> socket.socket:
    """A listening socket on a free loopback port, so --remote cannot have it."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


def test_a_taken_port_is_one_line_headless(tmp_path: Path) -> None:
    with taken_port() as s:
        port = s.getsockname()[1]
        proc = subprocess.run(
            [sys.executable, "-m", "player", "play", str(routine_file(tmp_path)), "--headless",
             "--remote", "--remote-bind", f"127.0.0.1:{port}", "--no-sound", "--no-media-keys"],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"unknot: error: --remote: cannot listen on 127.0.0.1:{port}: address already in use"]


@sync
async def test_a_taken_port_in_the_tui_is_a_notice_and_the_session_plays_on() -> None:
    with taken_port() as s:
        app = player_app(DESK)
        app.remote = True
        app.remote_bind = f"127.0.0.1:{s.getsockname()[1]}"
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            player = app.screen
            assert isinstance(player, PlayerScreen) and player.remote is None
            assert player.session.state == "lead_in"
            assert any("address already in use" in str(n.message)
                       for n in app._notifications)  # noqa: SLF001
            assert not player.check_action("remote", ())


def test_remote_true_in_config_turns_it_on_and_no_remote_off(tmp_path: Path,
                                                             unknot_home: Path) -> None:
    (unknot_home / "config.toml").write_text("remote = true\n", encoding="utf-8")
    argv = [sys.executable, "-m", "player", "play", str(routine_file(tmp_path)), "--headless",
            "--json", "--remote-bind", "127.0.0.1", "--no-sound", "--no-media-keys"]
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        assert proc.stdout is not None
        first = json.loads(proc.stdout.readline())
        assert first["event"] == "remote" and api(str(first["url"]))[0] == 200
    finally:
        proc.terminate()
        proc.wait(30)
    off = subprocess.run([*argv[:-4], "--no-remote", "--speed", "60", "--no-sound",
                          "--no-media-keys"], stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=120)
    assert off.returncode == 0, off.stderr
    assert '"remote"' not in off.stdout and "remote:" not in off.stderr


def test_the_terminal_qr_code_scans_back_to_the_url(tmp_path: Path) -> None:
    """The half-block QR code, drawn as the panel draws it (light characters on black), read by
    a real QR decoder (zbarimg), gives back the URL with its token."""
    if shutil.which("zbarimg") is None:
        pytest.skip("needs zbarimg (apt-get install zbar-tools)")
    from player.remote import qr_text

    url = "http://192.168.1.23:45678/#w6Yr74K2y5RmiIniThkx9A"
    rows: list[str] = []
    for line in qr_text(url).rstrip("\n").splitlines():
        # Each character is two modules, one above the other; a drawn half is light.
        rows.append("".join("0" if c in "█▀" else "1" for c in line))
        rows.append("".join("0" if c in "█▄" else "1" for c in line))
    scale = 8
    width = len(rows[0]) * scale
    pixels = [" ".join(bit for bit in row for _ in range(scale)) for row in rows
              for _ in range(scale)]
    image = tmp_path / "qr.pbm"
    image.write_text(f"P1\n{width} {len(pixels)}\n" + "\n".join(pixels) + "\n")
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == url
