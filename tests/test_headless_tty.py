"""Tests for headless play on a real terminal: keys in a tmux pane, and the terminal mode
restored afterwards (after `q` and after Ctrl+C)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent

ROUTINE_YAML = """\
name: Headless test
defaults:
  lead_in: 2s
  cues: {countdown: 1}
steps:
  - technique: trigger-point
    region: upper-trapezius
    side: each
    duration: 10s
    repeat: 2
    rest: 3s
    pressure: 6
    instructions: Lean into the ball against the wall and hold the tender spot still.
  - technique: foam-roll
    region: calves
    side: left
    duration: 30s
  - technique: breathe
    duration: 20s
    lead_in: 0
"""

pytestmark = pytest.mark.slow


class Pane:
    """A detached tmux session on its own server socket, running one shell script."""

    def __init__(self, script: str, workdir: Path) -> None:
        self.socket = f"unknot-test-{uuid.uuid4().hex[:10]}"
        path = workdir / "run.sh"
        path.write_text(script, encoding="utf-8")
        self.tmux("new-session", "-d", "-x", "160", "-y", "50", "sh " + shlex.quote(str(path)))

    def tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True,
                              text=True, check=True, timeout=20).stdout

    def text(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-200")

    def wait_for(self, needle: str, timeout: float = 30.0) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.text()
            if needle in text:
                return text
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared; the pane shows:\n{self.text()}")

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "0", *keys)

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def pane_for(tmp_path: Path, unknot_home: Path) -> Iterator[object]:
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    routine = tmp_path / "tty-test.yaml"
    routine.write_text(ROUTINE_YAML, encoding="utf-8")
    panes: list[Pane] = []

    def make(*extra: str) -> Pane:
        cmd = [sys.executable, "-m", "player", "play", str(routine), "--headless", "--no-sound",
               "--speed", "2", "--record", *extra]
        script = (
            # The shell survives Ctrl+C (a trap with a command resets to the default in the
            # child, so unknot still gets SIGINT as a person's shell would pass it on).
            "trap : INT\n"
            f"cd {shlex.quote(str(REPO))}\n"
            f"export UNKNOT_HOME={shlex.quote(str(unknot_home))}\n"
            f"stty -g > {shlex.quote(str(tmp_path / 'before'))}\n"
            f"{shlex.join(cmd)}\n"
            'echo "EXIT=$?"\n'
            f"stty -g > {shlex.quote(str(tmp_path / 'after'))}\n"
            "echo SAVED\n"
            "sleep 600\n"
        )
        pane = Pane(script, tmp_path)
        panes.append(pane)
        return pane

    yield make
    for pane in panes:
        pane.close()


def stty_restored(tmp_path: Path) -> None:
    before = (tmp_path / "before").read_text().strip()
    after = (tmp_path / "after").read_text().strip()
    assert before and before == after


def test_keys_pause_resume_next_back_quit(pane_for, tmp_path: Path,  # type: ignore[no-untyped-def]
                                          unknot_home: Path) -> None:
    pane = pane_for()
    text = pane.wait_for("keys: space pause/resume")
    assert "… 1/3 get into position" in text
    pane.keys("Space")
    pane.wait_for("‖ paused")
    pane.keys("Space")
    pane.wait_for("▷ resumed after")
    pane.keys("n")
    pane.wait_for("⏭ skipped step 1/3 → 2/3")
    pane.wait_for("… 2/3 get into position: Foam roll · calves · left")
    pane.keys("p")
    pane.wait_for("⏮ back to step 1/3")
    # Past the first 10 s of work (a shorter session is not recorded), then quit.
    pane.wait_for("◦ 1/3")
    pane.keys("q")
    text = pane.wait_for("SAVED")
    assert "EXIT=0" in text
    assert "■ stopped at step 1/3 · 0/3 steps done · 1 skipped" in text
    assert_stamps_go_back_only_when_said(text)
    stty_restored(tmp_path)
    [line] = (unknot_home / "history.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert record["completed"] is False and record["steps_skipped"] == 1


def test_ctrl_c_on_a_terminal_exits_130_and_restores_it(  # type: ignore[no-untyped-def]
        pane_for, tmp_path: Path) -> None:
    pane = pane_for()
    pane.wait_for("keys: space pause/resume")
    pane.keys("C-c")
    text = pane.wait_for("SAVED")
    assert "EXIT=130" in text
    assert "■ interrupted at step 1/3" in text
    assert "Traceback" not in text
    stty_restored(tmp_path)


def test_ask_pain_on_a_terminal(pane_for, tmp_path: Path,  # type: ignore[no-untyped-def]
                                unknot_home: Path) -> None:
    pane = pane_for("--ask-pain", "--start-at", "3")
    pane.wait_for("Pain before (0–10, or calves=6,feet=4; Enter to skip):")
    pane.keys("12", "Enter")  # out of range: asked again
    pane.wait_for("pain must be from 0 to 10, got 12")
    pane.keys("5,calf=6", "Enter")  # overall and a region (issue 13)
    pane.wait_for("▶ 3/3 Breathe")
    # To its end (10 s at --speed 2): a session quit in its first 10 s is not recorded.
    pane.wait_for("Pain after (0–10, or calves=6,feet=4; Enter to skip):")
    pane.keys("2,calves=3", "Enter")
    text = pane.wait_for("SAVED")
    assert "EXIT=0" in text
    stty_restored(tmp_path)
    [line] = (unknot_home / "history.jsonl").read_text().splitlines()
    record = json.loads(line)
    assert (record["pain_before"], record["pain_after"]) == (5, 2)
    assert record["region_pain"] == {"calves": {"before": 6, "after": 3}}


STAMP = re.compile(r"^\[(\d\d):(\d\d)\] (.*)$")


def test_a_live_status_line_counts_down_and_leaves_no_trace(  # type: ignore[no-untyped-def]
        pane_for, tmp_path: Path) -> None:
    pane = pane_for()
    text = pane.wait_for("keys: space pause/resume")
    # The step's instructions and pressure, under the line that starts it.
    text = pane.wait_for("pressure 6/10 · firm")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if "… 1/3 get into position" in line)
    assert lines[at + 1].strip() == ("Lean into the ball against the wall and hold the tender "
                                     "spot still.")
    assert lines[at + 2].strip() == "pressure 6/10 · firm"
    # One live line, the last on the screen, and it counts down.
    first = pane.wait_for("⏱")
    shown = [line for line in first.splitlines() if "⏱" in line]
    assert len(shown) == 1
    assert first.rstrip().splitlines()[-1] == shown[0]
    assert re.fullmatch(r"  ⏱ \d\d:\d\d left · routine \d\d:\d\d left", shown[0])
    end = time.monotonic() + 30
    while time.monotonic() < end:
        now = [line for line in pane.text().splitlines() if "⏱" in line]
        if now and now != shown:
            break
        time.sleep(0.05)
    else:
        raise AssertionError("the status line never changed")
    assert len(now) == 1
    # +15 s says the new time left.
    pane.wait_for("▶ 1/3")
    pane.keys("+")
    text = pane.wait_for("+ 15 s · now ")
    assert re.search(r"\+ 15 s · now \d\d:\d\d left", text)
    pane.keys("q")
    text = pane.wait_for("SAVED")
    assert "EXIT=0" in text
    assert "⏱" not in text  # erased on the way out
    assert_stamps_go_back_only_when_said(text)
    stty_restored(tmp_path)


def assert_stamps_go_back_only_when_said(text: str) -> None:
    """Every `[mm:ss]` is the routine position: it goes back only right after a line that
    says so (`back to step`, `again`)."""
    previous, said = -1, ""
    for line in text.splitlines():
        match = STAMP.match(line)
        if not match:
            continue
        seconds = int(match.group(1)) * 60 + int(match.group(2))
        if seconds < previous:
            assert "back to step" in said or "again" in said, (said, line)
        previous, said = seconds, match.group(3)
