"""The TUI with real sound, in a real terminal: cues reach an ALSA capture device in order, and
a machine with no audio device gets no ALSA text on the screen.

The expected cue order comes from the same routine played headless; the TUI is one more
listener of the same engine, so it must be heard the same way.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from test_audio_capture import assert_heard, cap
from test_tui_tmux import UNKNOT, Tmux, at_prompt

REPO = Path(__file__).resolve().parent.parent

ROUTINE = """\
name: Sound check
steps:
  - technique: stretch
    region: calves
    side: each
    duration: 20s
    lead_in: 3s
  - technique: breathe
    duration: 20s
    lead_in: 2s
"""

pytestmark = pytest.mark.slow


@pytest.fixture
def routine(unknot_home: Path) -> Path:
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    if not UNKNOT.exists():
        pytest.skip("needs the .venv/bin/unknot entry point (scripts/setup)")
    path = unknot_home / "sound-check.yaml"
    path.write_text(ROUTINE, encoding="utf-8")
    return path


def _start(tmux: Tmux, command: str) -> None:
    tmux.wait(at_prompt, "the shell prompt")
    tmux.type(command)
    tmux.keys("Enter")
    tmux.wait_for("not medical advice")
    tmux.keys("Enter")
    tmux.wait_for("Pain right now")
    tmux.keys("Enter")


def test_tui_cues_are_heard_in_order(routine: Path, unknot_home: Path, tmp_path: Path) -> None:
    if importlib.util.find_spec("simpleaudio") is None:
        pytest.skip("needs simpleaudio (pip install 'unknot[audio]')")
    env, captured = cap.capture_env(tmp_path)
    events = tmp_path / "events.jsonl"
    tmux = Tmux(unknot_home)
    try:
        _start(tmux, f"ALSA_CONFIG_PATH={env['ALSA_CONFIG_PATH']} {UNKNOT} play {routine} "
                     f"--speed 10 --sound simpleaudio --no-voice --events {events}")
        tmux.wait_for("Well done", timeout=60)
        screen = tmux.screen()
        assert "ALSA" not in screen
    finally:
        tmux.close()
    # When the engine really fired each cue, in real seconds (`t` / --speed 10), so
    # assert_heard's slack (cues within 0.2 s may land either way round, tests/alsa/capture.py)
    # is measured against what happened, not the plan: on a loaded machine a late tick fires
    # a countdown and the start that follows it together.
    fired = [json.loads(line) for line in events.read_text().splitlines()]
    expected = [(float(o["t"]) / 10, o["cue"]) for o in fired if o["event"] == "cue"]
    planned = subprocess.run(
        [sys.executable, "-m", "player", "play", str(routine), "--headless", "--json",
         "--no-sound", "--speed", "1000"], capture_output=True, text=True, check=True,
    ).stdout
    # The TUI fired the same cues as the plan, in the same order.
    assert [c for _, c in expected] == [o["cue"] for o in map(json.loads, planned.splitlines())
                                        if o["event"] == "cue"]
    heard = assert_heard(captured.read_bytes(), expected)
    assert heard.count("start") == 3 and "switch" in heard


def test_no_audio_device_puts_no_text_on_the_screen(routine: Path, unknot_home: Path,
                                                    tmp_path: Path) -> None:
    env = cap.only_aplay(cap.nodevice_env(), tmp_path)
    tmux = Tmux(unknot_home)
    try:
        _start(tmux, f"ALSA_CONFIG_PATH={env['ALSA_CONFIG_PATH']} PATH={env['PATH']} "
                     f"{UNKNOT} play {routine} --speed 10 --sound auto --no-voice")
        seen = []
        screen = tmux.wait(lambda s: seen.append(s) or "Well done" in s, "the summary",
                           timeout=30)
        for s in seen:
            assert "ALSA" not in s and "snd_" not in s, s
        # The player drew normally the whole time: the summary arrived with its figures.
        assert "Well done" in screen
        tmux.keys("Enter")
        tmux.wait(at_prompt, "the shell prompt after the player")
    finally:
        tmux.close()
