"""Tests for `unknot doctor`: what it reports, and that its test cue really plays."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from player.cli import main

REPO = Path(__file__).resolve().parent.parent
CAT = shutil.which("cat") or "/bin/cat"


def doctor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "player", "doctor", *args], env=env, cwd=REPO,
                          capture_output=True, text=True, timeout=60, start_new_session=True)


def test_doctor_with_sound_off_reports_folders_and_history(
        unknot_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "mine.yaml").write_text("name: Mine\n", encoding="utf-8")
    monkeypatch.setenv("UNKNOT_PATH", f"{extra}{os.pathsep}{tmp_path / 'gone'}")
    assert main(["doctor", "--no-sound", "--routines", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "sound:    off"
    assert "voice:    none" in out
    assert f"user         {unknot_home / 'routines'} (not created yet)" in out
    assert f"UNKNOT_PATH  {extra} (1 routine file)" in out
    assert f"UNKNOT_PATH  {tmp_path / 'gone'} (missing)" in out
    assert f"--routines   {tmp_path} (0 routine files)" in out
    assert f"history:  {unknot_home / 'history.jsonl'} (UNKNOT_HOME)" in out
    assert "built-in     " in out and "routine files)" in out
    assert out.rstrip().endswith("test cue: not played (sound is off)")


def test_doctor_asked_for_a_bell_without_a_terminal() -> None:
    # A new session has no controlling terminal, as under cron or CI: one reason, exit 0.
    proc = doctor(dict(os.environ), "--sound", "bell")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.splitlines()[:2] == ["sound:    off", "          - no terminal to ring"]
    assert "voice:    none" in proc.stdout


def need_simpleaudio() -> None:
    if importlib.util.find_spec("simpleaudio") is None:
        pytest.skip("needs simpleaudio (pip install 'unknot[audio]')")


def test_doctor_plays_its_test_cue_through_simpleaudio(tmp_path: Path) -> None:
    need_simpleaudio()
    out = tmp_path / "out.raw"
    out.write_bytes(b"")
    conf = tmp_path / "capture.conf"
    template = (REPO / "tests" / "alsa" / "capture.conf.in").read_text(encoding="utf-8")
    conf.write_text(template.replace("@OUTPUT@", str(out)).replace("@CAT@", CAT),
                    encoding="utf-8")
    env = dict(os.environ, ALSA_CONFIG_PATH=str(conf))
    proc = doctor(env, "--no-voice")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert proc.stdout.startswith("sound:    simpleaudio\n")
    assert "test cue: played 'start' through simpleaudio" in proc.stdout
    with wave.open(str(REPO / "sounds" / "start.wav"), "rb") as w:
        start = w.readframes(w.getnframes())
    assert start in out.read_bytes()


def test_doctor_without_a_device_explains_and_exits_0(tmp_path: Path) -> None:
    need_simpleaudio()
    env = dict(os.environ, ALSA_CONFIG_PATH=str(REPO / "tests" / "alsa" / "nodevice.conf"))
    # Only aplay as a player command: pw-play or paplay on a desktop would bypass ALSA and
    # find a device. (The interpreter is started by its full path.)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aplay = shutil.which("aplay")
    if aplay:
        (bin_dir / "aplay").symlink_to(aplay)
    env["PATH"] = str(bin_dir)
    proc = doctor(env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert "ALSA" not in proc.stdout
    lines = proc.stdout.splitlines()
    assert lines[0] == "sound:    off"
    assert lines[1].startswith("          - no audio device (simpleaudio:")
    assert "test cue: not played (sound is off)" in proc.stdout
