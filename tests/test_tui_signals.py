"""Every exit path of the TUI saves: signals sent to a real `unknot play` in a tmux pane.

SIGTERM and SIGHUP save the session (completed false) and exit 143 / 129; SIGINT exits 130,
saved; SIGTSTP pauses it and stops the process, `fg` brings it back drawn and still paused.
Each leaves the shell's terminal as it found it. Waits poll the screen; nothing sleeps for a
fixed time.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
from pathlib import Path

import pytest
from test_tui_tmux import UNKNOT, Tmux, at_prompt, routine_left, shown_left

pytestmark = pytest.mark.slow

ROUTINE = """\
name: Signal check
steps:
  - technique: effleurage
    region: calves
    side: each
    duration: 2m
  - technique: breathe
    duration: 1m
"""


@pytest.fixture
def tmux(unknot_home: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    if not UNKNOT.exists():
        pytest.skip("needs the .venv/bin/unknot entry point (scripts/setup)")
    (unknot_home / ".notice-seen").write_text("shown\n")
    (tmp_path / "signal-check.yaml").write_text(ROUTINE, encoding="utf-8")
    session = Tmux(unknot_home)
    try:
        yield session
    finally:
        session.close()


def history(home: Path) -> list[dict[str, object]]:
    path = home / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()]


def terminal_modes(tmux: Tmux) -> str:
    """The pane's `stty -g`, read by the shell (the line after the command)."""
    tmux.run("send-keys", "-t", "t", "clear; stty -g | sed 's/^/modes=/'", "Enter")
    screen = tmux.wait(lambda s: re.search(r"^modes=\S+", s, re.M) is not None, "stty -g")
    match = re.search(r"^modes=(\S+)", screen, re.M)
    assert match
    return match.group(1)


def pane_title(tmux: Tmux) -> str:
    return tmux.run("display-message", "-p", "-t", "t", "#{pane_title}").strip()


def start_playing(tmux: Tmux, tmp_path: Path, *options: str) -> int:
    """`unknot play` at --speed 20 (a preview, so --record) past its first 10 s; its pid."""
    tmux.wait(at_prompt, "the shell prompt")
    tmux.type(f"{UNKNOT} play {tmp_path / 'signal-check.yaml'} --speed 20 --record "
              f"--no-sound --no-voice --no-media-keys {' '.join(options)}; echo exit=$?")
    tmux.keys("Enter")
    tmux.wait_for("Pain right now")
    tmux.keys("Enter")
    screen = tmux.wait(lambda s: shown_left(s) is not None, "the player")
    first = routine_left(screen)
    # 20 routine seconds: well past the 10 s a session needs to be one.
    tmux.wait(lambda s: (left := shown_left(s)) is not None and _seconds(left) <=
              _seconds(first) - 20, "20 s of the routine to pass")
    pane = int(tmux.run("display-message", "-p", "-t", "t", "#{pane_pid}").strip())
    children = subprocess.run(["pgrep", "-P", str(pane)], capture_output=True, text=True)
    pids = [int(p) for p in children.stdout.split()]
    assert len(pids) == 1, children.stdout
    return pids[0]


def _seconds(mmss: str) -> int:
    m, s = mmss.split(":")
    return int(m) * 60 + int(s)


def exit_code(tmux: Tmux) -> int:
    screen = tmux.wait(lambda s: re.search(r"^exit=\d+", s, re.M) is not None, "the exit code")
    match = re.search(r"^exit=(\d+)", screen, re.M)
    assert match
    return int(match.group(1))


@pytest.mark.parametrize(("signum", "code", "reason"), [
    (signal.SIGTERM, 143, "terminated"),
    (signal.SIGHUP, 129, "terminated"),
    (signal.SIGINT, 130, "interrupted"),
])
def test_a_signal_ends_the_session_saved_with_its_exit_code(
        tmux: Tmux, tmp_path: Path, unknot_home: Path, signum: int, code: int,
        reason: str) -> None:
    before = terminal_modes(tmux)
    title = pane_title(tmux)
    tmux.run("send-keys", "-t", "t", "clear", "Enter")
    pid = start_playing(tmux, tmp_path)
    assert pane_title(tmux).endswith(" · unknot")
    subprocess.run(["kill", f"-{signum}", str(pid)], check=True)
    assert exit_code(tmux) == code
    assert pane_title(tmux) == title  # the window title is the shell's again
    (record,) = history(unknot_home)
    assert record["completed"] is False
    assert isinstance(record["active_seconds"], float) and record["active_seconds"] >= 10
    assert terminal_modes(tmux) == before  # the terminal is as the shell left it


def test_closing_the_terminal_saves_the_session(tmp_path: Path, unknot_home: Path) -> None:
    """A real hang-up: the pane (and its terminal) goes away under the player."""
    if not UNKNOT.exists():
        pytest.skip("needs the .venv/bin/unknot entry point (scripts/setup)")
    (unknot_home / ".notice-seen").write_text("shown\n")
    (tmp_path / "signal-check.yaml").write_text(ROUTINE, encoding="utf-8")
    tmux = Tmux(unknot_home)
    try:
        start_playing(tmux, tmp_path)
        tmux.run("kill-pane", "-t", "t")
    finally:
        tmux.close()
    import time

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not history(unknot_home):
        time.sleep(0.1)
    (record,) = history(unknot_home)
    assert record["completed"] is False and record["active_seconds"] >= 10


def test_ctrl_z_pauses_and_fg_comes_back_paused(
        tmux: Tmux, tmp_path: Path, unknot_home: Path) -> None:
    before = terminal_modes(tmux)
    title = pane_title(tmux)
    tmux.run("send-keys", "-t", "t", "clear", "Enter")
    pid = start_playing(tmux, tmp_path)
    assert pane_title(tmux).endswith(" · unknot")
    subprocess.run(["kill", "-TSTP", str(pid)], check=True)
    tmux.wait(lambda s: "Stopped" in s and at_prompt(s), "the shell's job control")
    # Stopped, the window is the shell's again: its title and its terminal modes.
    assert pane_title(tmux) == title
    assert terminal_modes(tmux) == before
    tmux.run("send-keys", "-t", "t", "clear", "Enter")
    assert history(unknot_home) == []  # nothing ended
    tmux.type("fg; echo exit=$?")  # (the shell ran the first `echo exit=$?` at the stop)
    tmux.keys("Enter")
    screen = tmux.wait(lambda s: "Paused" in s and shown_left(s) is not None,
                       "the player, drawn again and paused")
    held = routine_left(screen)
    tmux.wait(lambda s: pane_title(tmux).endswith(" · unknot"), "unknot's title again")
    # Paused: a routine second would pass every 50 ms at --speed 20; 1 s shows none.
    import time

    deadline = time.monotonic() + 1.0
    while time.monotonic() < deadline:
        assert shown_left(tmux.screen()) in (None, held)
        time.sleep(0.1)
    tmux.keys("Space")
    tmux.wait(lambda s: "Paused" not in s and shown_left(s) not in (None, held), "the resume")
    tmux.keys("q")
    tmux.wait_for("End this session?")
    tmux.keys("y")
    tmux.wait_for("Session ended")
    tmux.keys("Enter")
    assert exit_code(tmux) == 0
    (record,) = history(unknot_home)
    assert record["completed"] is False and record["active_seconds"] >= 10


def test_the_window_title_shows_time_left_and_step_and_comes_back(
        tmux: Tmux, tmp_path: Path, unknot_home: Path) -> None:
    tmux.wait(at_prompt, "the shell prompt")
    title = pane_title(tmux)
    start_playing(tmux, tmp_path)
    seen = pane_title(tmux)
    assert re.fullmatch(r"\d\d:\d\d · Calves · unknot", seen), seen
    tmux.keys("q")
    tmux.wait_for("End this session?")
    tmux.keys("y")
    tmux.wait_for("Session ended")
    tmux.keys("Enter")
    assert exit_code(tmux) == 0
    assert pane_title(tmux) == title


def test_no_title_leaves_the_window_title_alone(
        tmux: Tmux, tmp_path: Path, unknot_home: Path) -> None:
    tmux.wait(at_prompt, "the shell prompt")
    title = pane_title(tmux)
    pid = start_playing(tmux, tmp_path, "--no-title")
    assert pane_title(tmux) == title
    subprocess.run(["kill", "-TERM", str(pid)], check=True)
    assert exit_code(tmux) == 143
