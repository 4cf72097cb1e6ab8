"""The real thing in a real terminal: `unknot` in a 100×30 tmux pane, driven by keys.

Edit with $EDITOR, filter, play with --speed 20, see the countdown move, pause (it stops),
resume, skip, end with q/y, reach the summary, go back, quit — and the shell still works
afterwards. Waits poll the captured screen with a deadline; nothing sleeps for a fixed time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest

REPO = Path(__file__).resolve().parent.parent
UNKNOT = REPO / ".venv" / "bin" / "unknot"

ROUTINE = """\
name: Terminal check
summary: A routine for the tmux test.
steps:
  - technique: effleurage
    region: calves
    side: each
    duration: 2m
  - technique: breathe
    duration: 1m
  - technique: rest
    duration: 30s
"""

pytestmark = pytest.mark.slow


class Tmux:
    """One private tmux server with one pane running a plain shell."""

    def __init__(self, home: Path, width: int = 100, height: int = 30) -> None:
        self.socket = f"unknot-test-{uuid.uuid4().hex[:8]}"
        self.run("-f", "/dev/null", "new-session", "-d", "-s", "t", "-x", str(width),
                 "-y", str(height), "-e", f"UNKNOT_HOME={home}",
                 # An "editor" that renames the routine, so the reload after it shows.
                 "-e", "EDITOR=sed -i 's/^name: Terminal check$/name: Terminal checked/'",
                 "bash --norc --noprofile")

    def run(self, *args: str) -> str:
        out = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                             text=True, timeout=10)
        return out.stdout

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "t", *keys)

    def type(self, text: str) -> None:
        self.run("send-keys", "-t", "t", "-l", text)

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "t")

    def wait(self, check: Callable[[str], bool], what: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what}; the screen was:\n{screen}")

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        return self.wait(lambda s: text in s, repr(text), timeout)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True,
                       timeout=10)


def at_prompt(screen: str) -> bool:
    return screen.rstrip().endswith(("$", "#"))


def shown_left(screen: str) -> str | None:
    """The `Routine … mm:ss left` figure, or None while it is not (yet, or fully) drawn."""
    match = re.search(r"Routine\s.*?(\d\d:\d\d) left", screen)
    return match.group(1) if match else None


def _seconds(mmss: str) -> int:
    m, sec = mmss.split(":")
    return int(m) * 60 + int(sec)


def routine_left(screen: str) -> str:
    """The `Routine … mm:ss left` figure on the player screen."""
    left = shown_left(screen)
    assert left is not None, screen
    return left


def paused_countdown_holds(tmux: Tmux) -> str:
    """Once "Paused" shows, the `Routine … left` figure holds (at --speed 20); returns it."""
    tmux.wait_for("Paused")
    # "Paused" can be drawn a frame before the countdown's last repaint: take the time left
    # once two captures in a row agree, then it must hold.
    settled: list[str] = []

    def steady(screen: str) -> bool:
        left = shown_left(screen)
        if left is None:
            return False
        settled.append(left)
        return len(settled) >= 2 and settled[-1] == settled[-2]

    tmux.wait(steady, "the paused countdown to settle")
    held = settled[-1]
    # At --speed 20 a routine second passes every 50 ms; 0.6 s would show 12 of them.
    deadline = time.monotonic() + 0.6
    while time.monotonic() < deadline:
        assert routine_left(tmux.screen()) == held
        time.sleep(0.1)
    return held


@pytest.fixture
def tmux(unknot_home: Path):  # type: ignore[no-untyped-def]
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    if not UNKNOT.exists():
        pytest.skip("needs the .venv/bin/unknot entry point (scripts/setup)")
    folder = unknot_home / "routines"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "terminal-check.yaml").write_text(ROUTINE, encoding="utf-8")
    session = Tmux(unknot_home)
    try:
        yield session
    finally:
        session.close()


def test_a_whole_session_in_a_real_terminal(tmux: Tmux, unknot_home: Path) -> None:
    tmux.wait(at_prompt, "the shell prompt")
    tmux.type(f"cd {REPO} && {UNKNOT} --speed 20 --record --no-sound --no-voice")
    tmux.keys("Enter")

    # First run: the not-medical-advice notice, once.
    tmux.wait_for("not medical advice")
    tmux.keys("Enter")
    tmux.wait(lambda s: "Desk neck" in s and "not medical advice" not in s, "the picker")

    # Filter (the list is by name, so the user routine is not on top).
    tmux.keys("/")
    # The footer drops the picker's letter keys once the box has focus (they type text now).
    tmux.wait(lambda s: "Filter" in s and "Reload" not in s, "the filter box to take focus")
    tmux.type("terminal")
    tmux.wait(lambda s: "Terminal check" in s and "Desk neck" not in s, "the filter")
    tmux.keys("Escape")
    tmux.wait(lambda s: "Reload" in s, "the table to take the keys back")

    # e suspends the app for $EDITOR on the highlighted (user) routine, then reloads.
    assert "Terminal checked" not in tmux.screen()
    tmux.keys("e")
    tmux.wait(lambda s: "Terminal checked" in s and "Desk neck" not in s, "the edited routine")

    # Enter in the box plays the highlighted routine.
    tmux.keys("/")
    tmux.wait(lambda s: "Reload" not in s, "the filter box to take focus again")
    tmux.keys("Enter")
    tmux.wait_for("Pain right now")
    tmux.keys("Enter")
    # Wait on the figure itself: the start dialog can still be half drawn over it.
    screen = tmux.wait(lambda s: "Step 1 of 3" in s and "Pain right now" not in s
                       and shown_left(s) is not None, "the player")
    assert "Effleurage · Calves · Left" in screen

    # The countdown moves on its own.
    first = routine_left(screen)
    tmux.wait(lambda s: shown_left(s) not in (None, first), "the countdown to move")

    # Space pauses: the countdown stops.
    tmux.keys("Space")
    held = paused_countdown_holds(tmux)

    # Space resumes.
    tmux.keys("Space")
    tmux.wait(lambda s: "Paused" not in s and shown_left(s) not in (None, held), "the resume")

    # n skips to step 2.
    tmux.keys("n")
    screen = tmux.wait(lambda s: "Step 2 of 3" in s and shown_left(s) is not None, "step 2")
    # The end prompt pauses the session: play 12 s of step 2 first, so it is a session
    # (10 s or more) whatever the load on the machine.
    skipped_to = _seconds(routine_left(screen))
    tmux.wait(lambda s: (left := shown_left(s)) is not None and _seconds(left) <= skipped_to - 12,
              "12 s of step 2")

    # q asks, y ends, and the summary shows.
    tmux.keys("q")
    tmux.wait_for("End this session?")
    tmux.keys("y")
    summary = tmux.wait_for("Session ended")
    assert "Skipped" in summary
    tmux.keys("Enter")
    tmux.wait(lambda s: "Session ended" not in s and "Terminal check" in s and "Source" in s,
              "the picker again")

    # q quits; the shell is usable afterwards.
    tmux.keys("q")
    tmux.wait(at_prompt, "the shell prompt")
    tmux.type("echo unknot-done-$((20+22))")
    tmux.keys("Enter")
    tmux.wait_for("unknot-done-42")

    history = (unknot_home / "history.jsonl").read_text().splitlines()
    assert len(history) == 1 and '"steps_skipped": 1' in history[0]
