"""CI hears it: a real routine plays through simpleaudio (or a player command) into an ALSA
file-capture device, and the cue WAVs are found in the captured stream, in order.

Every test runs a subprocess so ALSA_CONFIG_PATH is set before libasound reads its
configuration. The null device is not paced, so the tests assert which cues played and in
what order, never when.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from conftest import load_capture_helpers

REPO = Path(__file__).resolve().parent.parent
DRIVER = REPO / "tests" / "alsa" / "play_session.py"


cap = load_capture_helpers()


def need_simpleaudio() -> None:
    if importlib.util.find_spec("simpleaudio") is None:
        pytest.skip("needs simpleaudio (pip install 'unknot[audio]')")


def run_driver(env: dict[str, str], *args: str,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(DRIVER), *args], env=env, cwd=REPO, capture_output=True,
        text=True, timeout=timeout, start_new_session=True,
    )


#: Slow enough that cues a routine second apart are 250 ms apart for real, more than the
#: capture's SLACK (see tests/alsa/capture.py: what a loaded machine may reorder).
SPEED = 4


def cue_events(stdout: str, speed: float = SPEED) -> list[tuple[float, str]]:
    """(real seconds into the session when the engine emitted it, cue) for every cue."""
    out = []
    for line in stdout.splitlines():
        obj = json.loads(line)
        if obj.get("event") == "cue":
            out.append((float(obj["t"]) / speed, obj["cue"]))
    return out


def assert_heard(raw: bytes, expected: list[tuple[float, str]],
                 sounds: dict[str, Path] | None = None) -> list[str]:
    hits = cap.find_sounds(raw, sounds or cap.default_cue_sounds())
    heard = [h.name for h in hits]
    problem = cap.check_order(heard, expected, cap.SLACK)
    assert problem is None, problem
    # Cues on their own (not overlapping another) must have arrived complete, sample for sample.
    assert sum(h.whole for h in hits) >= len(hits) // 2, "most cues arrived cut up"
    return heard


@pytest.mark.slow
def test_session_cues_arrive_in_order_through_simpleaudio(tmp_path: Path) -> None:
    need_simpleaudio()
    env, out = cap.capture_env(tmp_path)
    proc = run_driver(env, "--sound", "simpleaudio", "--speed", str(SPEED))
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""  # explicit backend that works: nothing to say
    expected = cue_events(proc.stdout)
    names = [c for _, c in expected]
    # The routine really exercises every kind of cue.
    assert set(names) == {"start", "countdown", "end", "switch", "halfway", "cadence", "done"}
    heard = assert_heard(out.read_bytes(), expected)
    # The last work period's end and done are due together; either may land first.
    assert sorted(heard[-2:]) == ["done", "end"]
    assert heard.count("start") == 5


@pytest.mark.slow
def test_player_command_backend_is_heard_too(tmp_path: Path) -> None:
    if shutil.which("aplay") is None:
        pytest.skip("needs aplay (alsa-utils)")
    env, out = cap.capture_env(tmp_path)
    env = cap.only_aplay(env, tmp_path)
    # Each cue is a new aplay process; they must not overtake one another.
    proc = run_driver(env, "--sound", "command", "--speed", str(SPEED))
    assert proc.returncode == 0, proc.stderr
    # aplay reads the WAV and writes its frames unchanged, so the same fingerprints apply.
    heard = assert_heard(out.read_bytes(), cue_events(proc.stdout))
    assert heard.count("start") == 5


def _write_chirp(path: Path) -> None:
    import math
    import struct

    rate = 44100
    n = int(0.2 * rate)
    samples = [int(12000 * math.sin(2 * math.pi * (300 + 2000 * i / n) * i / rate))
               for i in range(n)]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(struct.pack(f"<{n}h", *samples))


@pytest.mark.slow
def test_custom_start_sound_plays_instead_of_the_default(tmp_path: Path) -> None:
    need_simpleaudio()
    chirp = tmp_path / "chirp.wav"
    _write_chirp(chirp)
    env, out = cap.capture_env(tmp_path)
    proc = run_driver(env, "--sound", "simpleaudio", "--speed", str(SPEED),
                      "--custom-start", str(chirp))
    assert proc.returncode == 0, proc.stderr
    sounds = cap.default_cue_sounds() | {"chirp": chirp}
    hits = cap.find_sounds(out.read_bytes(), sounds)
    names = [h.name for h in hits]
    # Step 1 has four work periods (two sides, two repeats): its own start sound, while the
    # second step, which names none, keeps the default start.
    assert names.count("chirp") == 4
    assert names.count("start") == 1
    assert names.index("chirp") < names.index("start")


@pytest.mark.slow
@pytest.mark.parametrize("what", ["missing", "broken"])
def test_missing_or_broken_custom_sound_falls_back_to_the_default(tmp_path: Path,
                                                                   what: str) -> None:
    need_simpleaudio()
    bad = tmp_path / "bad.wav"
    if what == "broken":
        bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    env, out = cap.capture_env(tmp_path)
    proc = run_driver(env, "--sound", "simpleaudio", "--speed", str(SPEED),
                      "--custom-start", str(bad))
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    expected = cue_events(proc.stdout)
    heard = assert_heard(out.read_bytes(), expected)
    assert heard.count("start") == 5


@pytest.mark.slow
def test_spoken_step_is_heard(tmp_path: Path) -> None:
    need_simpleaudio()
    if shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")
    env, out = cap.capture_env(tmp_path)
    env["UNKNOT_HOME"] = str(tmp_path / "home")
    # --speed 5: the next spoken line ("Switch to the right side.") supersedes this one 2.6 s
    # in, not 0.65 s in, so a loaded machine still has time to write all of it to the capture.
    proc = run_driver(env, "--sound", "simpleaudio", "--voice", "--speed", "5")
    assert proc.returncode == 0, proc.stderr
    cache = tmp_path / "home" / "cache" / "voice"
    spoken = sorted(p for p in cache.glob("*.wav") if not p.name.startswith("ducked-"))
    # Rendered ahead of time: both steps, "Switch to the right side." and "Done." (the
    # voice.script plan; tests/test_voice_script.py checks it).
    assert len(spoken) == 4
    raw = out.read_bytes()
    # The first step is announced at the very start, with no cue in front of it to supersede.
    from player.sound.voice import script
    from player.timeline import expand

    sys.path.insert(0, str(DRIVER.parent))
    try:
        import play_session  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    text = script(expand(play_session.routine(None)))[0].text
    assert text == "Next: Trigger point, upper trapezius, left side."
    from player.sound.voice import Speaker, find_speech_engine

    engine = find_speech_engine()
    assert engine is not None
    path = Speaker(engine, cache).path_for(text)
    assert path.is_file()
    data = cap.frames(path)
    # Speech starts and pauses with near-silence, and it plays while cues play, so its writes
    # may interleave with theirs: look for short chunks spread over it instead of one long one.
    chunks = [data[i:i + 256] for i in range(len(data) // 10, len(data) * 9 // 10,
                                             len(data) // 12)]
    chunks = [c for c in chunks if len(c) == 256 and c.count(0) < 128]
    found = sum(c in raw for c in chunks)
    assert len(chunks) >= 6 and found >= len(chunks) - 1, (found, len(chunks))


def test_capture_config_really_captures(tmp_path: Path) -> None:
    """The capture set-up itself: without it, none of the tests above could fail usefully."""
    need_simpleaudio()
    env, out = cap.capture_env(tmp_path)
    code = (
        "import simpleaudio as sa\n"
        f"sa.WaveObject.from_wave_file({str(cap.SOUNDS / 'tick.wav')!r}).play().wait_done()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == cap.frames(cap.SOUNDS / "tick.wav")


ROUTINE_YAML = """\
name: Capture through the CLI
defaults:
  lead_in: 3s
  cues: {countdown: 2}
steps:
  - technique: trigger-point
    region: upper-trapezius
    side: each
    duration: 12s
    repeat: 2
    rest: 3s
  - technique: foam-roll
    region: calves
    side: both
    duration: 24s
    lead_in: 0
    cues: {countdown: 0, cadence: 5s}
"""


@pytest.mark.slow
def test_unknot_play_headless_is_heard_in_order(tmp_path: Path) -> None:
    """The whole product path: `unknot play … --headless --json --sound simpleaudio`."""
    need_simpleaudio()
    routine = tmp_path / "capture.yaml"
    routine.write_text(ROUTINE_YAML, encoding="utf-8")
    env, out = cap.capture_env(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "player", "play", str(routine), "--headless", "--json",
         "--sound", "simpleaudio", "--no-voice", "--speed", str(SPEED)],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, start_new_session=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert "ALSA" not in proc.stderr
    expected = cue_events(proc.stdout)
    names = [c for _, c in expected]
    assert set(names) == {"start", "countdown", "end", "switch", "halfway", "cadence", "done"}
    heard = assert_heard(out.read_bytes(), expected)
    assert heard.count("start") == 5
    assert sorted(heard[-2:]) == ["done", "end"]


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["auto", "simpleaudio"])
def test_unknot_play_without_a_device_is_one_notice_and_no_alsa_text(tmp_path: Path,
                                                                      mode: str) -> None:
    need_simpleaudio()
    routine = tmp_path / "capture.yaml"
    routine.write_text(ROUTINE_YAML, encoding="utf-8")
    # A new session has no controlling terminal, so `auto` has no bell to fall back on either.
    proc = subprocess.run(
        [sys.executable, "-m", "player", "play", str(routine), "--headless", "--json",
         "--sound", mode, "--speed", "50"],
        env=cap.only_aplay(cap.nodevice_env(), tmp_path), cwd=REPO, capture_output=True,
        text=True, timeout=120,
        start_new_session=True,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("sound: ") and "no audio device" in lines[0]
    assert "ALSA" not in proc.stderr and "ALSA" not in proc.stdout
    # stdout is still clean JSON, one object per line, ending with done.
    objs = [json.loads(line) for line in proc.stdout.splitlines()]
    assert objs[-1]["event"] == "done" and objs[-1]["completed"] is True


def test_check_order_allows_only_what_the_slack_allows() -> None:
    expected = [(0.0, "start"), (0.05, "countdown"), (0.5, "end"), (0.5, "done")]
    # A tick 50 ms after the start may land first; end and done, due together, either way.
    assert cap.check_order(["countdown", "start", "done", "end"], expected, cap.SLACK) is None
    # Half a second apart is not a race: heard the wrong way round is a failure.
    assert cap.check_order(["start", "end", "countdown", "done"], expected, cap.SLACK)
    # With planned offsets, only the same instant groups.
    assert cap.check_order(["countdown", "start", "end", "done"], expected)
    assert cap.check_order(["start", "countdown", "end"], expected)  # one missing
