"""Tests for the sound package: the cue WAVs, spoken phrases, backend choice, the bell, muting,
never blocking the caller, and no audio device (one notice, no ALSA text)."""

from __future__ import annotations

import importlib.util
import math
import shutil
import struct
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import pytest
from conftest import load_capture_helpers

from player.events import CueFired, Done, SegmentStarted, Skipped
from player.routine import Routine, Step
from player.sound import CUE_FILES, Sound, make_sound
from player.sound.backends import DeviceError, OffBackend, SoundFileError, check_wav
from player.sound.voice import (
    Speaker,
    duration_words,
    find_speech_engine,
    number_words,
    phrases_for,
)
from player.timeline import expand

REPO = Path(__file__).resolve().parent.parent
SOUNDS = REPO / "sounds"
NODEVICE = REPO / "tests" / "alsa" / "nodevice.conf"


cap = load_capture_helpers()


def samples(path: Path) -> tuple[wave._wave_params, list[int]]:
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        data = w.readframes(params.nframes)
    return params, list(struct.unpack(f"<{params.nframes}h", data))


def cue(name: str, sound: str | None = None) -> CueFired:
    return CueFired(cue=name, segment=None, at=0.0, t=0.0, sound=sound)


def routine() -> Routine:
    return Routine(id="r", name="R", steps=(
        Step("trigger-point", "upper-trapezius", "each", 20.0, lead_in=5.0),
        Step("foam-roll", "calves", "both", 90.0, repeat=2, rest=10.0, lead_in=0.0),
        Step("breathe", None, None, 60.0, lead_in=0.0),
    ))


# --- the cue WAVs ------------------------------------------------------------------------------


def test_every_cue_has_its_wav() -> None:
    assert set(CUE_FILES) == {"start", "halfway", "countdown", "cadence", "switch", "end", "done"}
    for name in CUE_FILES.values():
        assert (SOUNDS / name).is_file(), name


def test_wavs_are_what_the_script_makes(tmp_path: Path) -> None:
    """The committed files are exactly what scripts/make_sounds.py renders (regenerable)."""
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "make_sounds.py"),
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    made = sorted(p.name for p in tmp_path.glob("*.wav"))
    assert made == sorted(set(CUE_FILES.values()))
    for name in made:
        assert (tmp_path / name).read_bytes() == (SOUNDS / name).read_bytes(), name


@pytest.mark.parametrize("name", sorted(set(CUE_FILES.values())))
def test_wav_format_level_and_clean_ends(name: str) -> None:
    params, s = samples(SOUNDS / name)
    assert (params.nchannels, params.sampwidth, params.framerate) == (1, 2, 44100)
    seconds = params.nframes / params.framerate
    assert 0.05 <= seconds <= 1.5
    peak_db = 20 * math.log10(max(abs(x) for x in s) / 32768)
    # -3 dBFS for the cues to act on; the cadence tick sits well below them.
    if name == "cadence.wav":
        assert -18 < peak_db < -12
    else:
        assert -3.3 < peak_db < -2.7
    # Starts and ends on silence and gets there gradually: no click at either end.
    assert s[0] == 0 and s[-1] == 0
    assert max(abs(x) for x in s[:5]) < 0.02 * 32768
    assert max(abs(x) for x in s[-22:]) < 0.02 * 32768
    if name not in ("tick.wav", "cadence.wav"):
        # Tones swell in over milliseconds; only the knocks are meant to have a sharp attack.
        ms = 44
        assert max(abs(b - a) for a, b in zip(s[:ms], s[1:ms + 1], strict=True)) < 0.01 * 32768


def test_cue_wavs_are_distinct() -> None:
    openings = {name: samples(SOUNDS / name)[1][:4000] for name in set(CUE_FILES.values())}
    assert len({tuple(v) for v in openings.values()}) == len(openings)


def test_check_wav_rejects_junk(tmp_path: Path) -> None:
    assert check_wav(SOUNDS / "tick.wav") == pytest.approx(0.09)
    for content in (b"", b"not a wav", b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk"):
        bad = tmp_path / "bad.wav"
        bad.write_bytes(content)
        with pytest.raises(SoundFileError):
            check_wav(bad)
    with pytest.raises(SoundFileError):
        check_wav(tmp_path / "missing.wav")


# --- words -------------------------------------------------------------------------------------


@pytest.mark.parametrize("n, words", [
    (0, "zero"), (7, "seven"), (13, "thirteen"), (20, "twenty"), (45, "forty-five"),
    (99, "ninety-nine"), (100, "one hundred"), (120, "one hundred and twenty"),
])
def test_number_words(n: int, words: str) -> None:
    assert number_words(n) == words


@pytest.mark.parametrize("seconds, words", [
    (1, "One second"), (20, "Twenty seconds"), (45, "Forty-five seconds"), (60, "One minute"),
    (75, "Seventy-five seconds"), (90, "One minute thirty seconds"), (120, "Two minutes"),
    (181, "Three minutes one second"), (19.6, "Twenty seconds"),
])
def test_duration_words(seconds: float, words: str) -> None:
    assert duration_words(seconds) == words


def test_phrases_for_a_timeline_in_order_of_need() -> None:
    # Each once, in the order the session will want them (tests/test_voice_script.py checks
    # the script they come from).
    assert phrases_for(expand(routine())) == [
        "Next: Trigger point, upper trapezius, left side.",
        "Switch to the right side.",
        "Foam roll, calves, both sides.",
        "Breathe.",
        "Done. Five minutes.",
    ]


# --- backends without a device ----------------------------------------------------------------


def test_off_plays_nothing_and_says_nothing() -> None:
    notices: list[str] = []
    sound = make_sound("off", None, notice=notices.append)
    assert sound.backend == "off"
    assert sound.voice_name is None
    sound(cue("start"))
    sound.close()
    assert notices == []


def test_bell_rings_at_once_for_cues_that_ask_for_action() -> None:
    rings: list[str] = []
    notices: list[str] = []
    sound = make_sound("bell", None, notice=notices.append,
                       bell=lambda: rings.append(threading.current_thread().name))
    assert sound.backend == "bell"
    assert sound.voice_name is None  # a bell cannot speak
    for name in ("start", "countdown", "cadence", "halfway", "countdown", "end", "switch",
                 "done"):
        sound(cue(name))
    # Rung synchronously, on the caller's thread (the TUI's bell is not thread-safe).
    assert rings == [threading.current_thread().name] * 5
    sound.muted = True
    sound(cue("start"))
    assert len(rings) == 5
    sound.muted = False
    sound(cue("done"))
    assert len(rings) == 6
    sound.close()
    assert notices == []


def test_bell_asked_for_but_voice_forced_says_why_once() -> None:
    notices: list[str] = []
    make_sound("bell", True, notice=notices.append, bell=lambda: None).close()
    assert len(notices) == 1 and notices[0].startswith("voice:")


def test_a_failing_bell_is_one_notice_then_silence() -> None:
    calls = []

    def bell() -> None:
        calls.append(1)
        raise OSError("terminal gone")

    notices: list[str] = []
    sound = make_sound("bell", False, notice=notices.append, bell=bell)
    sound(cue("start"))
    sound(cue("end"))
    sound(cue("done"))
    assert len(calls) == 1
    assert len(notices) == 1 and "terminal gone" in notices[0]


def test_unknown_mode_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        make_sound("loud", None, notice=print)


# --- the worker never blocks the caller --------------------------------------------------------


class StuckDevice:
    """A device that takes as long as the test says to open: the worst case for the engine."""

    name = "stuck"
    plays_files = True

    def __init__(self) -> None:
        self.release = threading.Event()
        self.played: list[str] = []

    def load(self, path: Path) -> None:
        check_wav(path)

    def play(self, path: Path) -> None:
        self.release.wait(10)
        self.played.append(path.name)

    def close(self) -> None:
        self.release.set()


def test_cues_never_wait_for_the_device_and_keep_their_order() -> None:
    device = StuckDevice()
    sound = Sound(device, reason="test", notice=print)
    start = time.monotonic()
    for name in ("start", "halfway", "countdown", "end", "done"):
        sound(cue(name))
    assert time.monotonic() - start < 0.05  # five cues queued while the device is stuck
    assert device.played == []
    device.release.set()
    sound.close()
    assert device.played == ["start.wav", "halfway.wav", "tick.wav", "end.wav", "done.wav"]


class LostDevice:
    """A device that was there at start-up and then went away (a USB headset pulled out)."""

    name = "lost"
    plays_files = True

    def __init__(self) -> None:
        self.calls = 0

    def load(self, path: Path) -> None:
        check_wav(path)

    def play(self, path: Path) -> None:
        self.calls += 1
        raise DeviceError("Error opening PCM device. -- CODE: -19")

    def close(self) -> None:
        pass


def test_a_device_lost_mid_session_is_one_notice_on_the_callers_thread() -> None:
    device = LostDevice()
    notices: list[tuple[str, str]] = []
    sound = Sound(device, reason="test",
                  notice=lambda line: notices.append((line, threading.current_thread().name)))
    sound(cue("start"))
    assert wait_for(lambda: device.calls == 1)
    for name in ("countdown", "end", "switch", "start", "done"):
        sound(cue(name))
    sound.close()
    assert device.calls == 1  # silent after the failure
    assert len(notices) == 1
    line, thread = notices[0]
    assert line.startswith("sound: the audio device failed") and "CODE: -19" in line
    assert thread == threading.current_thread().name


def test_custom_sound_is_used_when_it_loads_else_the_default(tmp_path: Path) -> None:
    device = StuckDevice()
    device.release.set()
    mine = tmp_path / "mine.wav"
    shutil.copy(SOUNDS / "done.wav", mine)
    broken = tmp_path / "broken.wav"
    broken.write_bytes(b"RIFF junk")
    notices: list[str] = []
    sound = Sound(device, reason="test", notice=notices.append)
    sound(cue("start", str(mine)))
    sound(cue("start", str(tmp_path / "missing.wav")))
    sound(cue("start", str(broken)))
    sound(cue("start", str(broken)))
    sound.close()
    assert device.played == ["mine.wav", "start.wav", "start.wav", "start.wav"]
    assert notices == []  # the loader warned at validation time; play time stays quiet


def test_muted_sound_plays_nothing_and_unmutes() -> None:
    device = StuckDevice()
    device.release.set()
    sound = Sound(device, reason="test", notice=print)
    sound.muted = True
    sound(cue("start"))
    assert sound.muted
    sound.muted = False
    sound(cue("end"))
    sound.close()
    assert device.played == ["end.wav"]


def test_closed_sound_ignores_events() -> None:
    device = StuckDevice()
    sound = Sound(device, reason="test", notice=print)
    sound.close()
    sound(cue("start"))
    assert device.played == []


def test_missing_default_sounds_are_one_notice(tmp_path: Path) -> None:
    notices: list[str] = []
    sound = Sound(OffBackend(), reason="test", notice=notices.append, sounds_dir=tmp_path)
    sound(cue("start"))
    sound(cue("end"))
    sound.close()
    assert len(notices) == 1 and "cannot use" in notices[0]


# --- speech ------------------------------------------------------------------------------------


def need_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")


def test_speaker_renders_and_caches(tmp_path: Path) -> None:
    need_espeak()
    engine = find_speech_engine()
    assert engine is not None and engine.name == "espeak-ng"
    speaker = Speaker(engine, tmp_path)
    path = speaker.render("Switch to the right side.")
    params, s = samples(path)
    assert params.nframes > params.framerate * 0.3
    # Trailing silence is trimmed, so a cue after the words is not held up.
    assert max(abs(x) for x in s[-int(params.framerate * 0.2):]) > 200
    mtime = path.stat().st_mtime_ns
    assert speaker.render("Switch to the right side.") == path
    assert path.stat().st_mtime_ns == mtime
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_unwritable_cache_falls_back_to_a_temp_folder(tmp_path: Path) -> None:
    need_espeak()
    engine = find_speech_engine()
    assert engine is not None
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    speaker = Speaker(engine, blocker / "voice")
    assert speaker.cache_dir.is_dir()
    assert speaker.render("Breathe.").is_file()


class Recorder:
    """A device that records what it was asked to play, and when."""

    name = "recorder"
    plays_files = True

    def __init__(self) -> None:
        self.played: list[tuple[str, float]] = []

    def load(self, path: Path) -> None:
        check_wav(path)

    def play(self, path: Path) -> None:
        self.played.append((path.name, time.monotonic()))

    def close(self) -> None:
        pass


def wait_for(predicate, timeout: float = 30.0) -> bool:  # type: ignore[no-untyped-def]
    # Waits for background work (speech rendering) to happen, not for a timer.
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.01)
    return bool(predicate())


def speaking_sound(tmp_path: Path) -> tuple[Sound, Recorder, Speaker]:
    """A Sound that speaks with espeak-ng into `tmp_path`, playing into a Recorder."""
    need_espeak()
    engine = find_speech_engine()
    assert engine is not None
    speaker = Speaker(engine, tmp_path)
    device = Recorder()
    return Sound(device, reason="test", notice=print, speaker=speaker), device, speaker


def test_prepare_renders_every_phrase_ahead(tmp_path: Path) -> None:
    sound, _, speaker = speaking_sound(tmp_path)
    assert sound.voice_name == "espeak-ng"
    timeline = expand(routine())
    sound.prepare(timeline)
    wanted = [speaker.path_for(p) for p in phrases_for(timeline)]
    assert wait_for(lambda: all(p.is_file() for p in wanted))
    sound.close()


def test_each_step_is_announced_once_and_again_after_a_skip(tmp_path: Path) -> None:
    sound, device, speaker = speaking_sound(tmp_path)
    timeline = expand(routine())
    sound.prepare(timeline)
    segs = timeline.segments
    phrase = {p: speaker.path_for(p).name for p in phrases_for(timeline)}

    def spoken() -> list[str]:
        return [name for name, _ in device.played if name not in CUE_FILES.values()]

    sound(SegmentStarted(segs[0], at=0.0, t=0.0))            # lead-in of step 1: announced
    assert wait_for(lambda: len(spoken()) == 1)
    sound(SegmentStarted(segs[1], at=5.0, t=5.0))            # its work: not again
    switch = next(s for s in segs if s.kind == "switch")
    sound(SegmentStarted(switch, at=switch.at, t=switch.at))  # "Switch to the right side."
    assert wait_for(lambda: len(spoken()) == 2)
    sound(Skipped("back", 1, 1, t=30.0))
    sound(SegmentStarted(segs[0], at=0.0, t=30.0))           # after a skip: announced again
    assert wait_for(lambda: len(spoken()) == 3)
    roll = next(s for s in segs if s.step == 2)              # no lead-in: at its first work
    sound(SegmentStarted(roll, at=roll.at, t=roll.at))
    assert wait_for(lambda: len(spoken()) == 4)
    sound.close()
    assert spoken() == [
        phrase["Next: Trigger point, upper trapezius, left side."],
        phrase["Switch to the right side."],
        phrase["Next: Trigger point, upper trapezius, left side."],
        phrase["Foam roll, calves, both sides."],
    ]


def test_speech_waits_for_the_cue_in_front_of_it(tmp_path: Path) -> None:
    sound, device, _ = speaking_sound(tmp_path)
    segs = expand(routine()).segments
    switch = next(s for s in segs if s.kind == "switch")
    sound(cue("switch"))
    sound(SegmentStarted(switch, at=switch.at, t=switch.at))
    assert wait_for(lambda: len(device.played) == 2)
    sound.close()
    (first, t_cue), (_, t_words) = device.played
    assert first == "switch.wav"
    # The words start once the 0.6 s switch chime is over, not on top of it.
    assert t_words - t_cue >= check_wav(SOUNDS / "switch.wav") - 0.05


def test_stopped_session_cancels_pending_speech(tmp_path: Path) -> None:
    sound, device, _ = speaking_sound(tmp_path)
    segs = expand(routine()).segments
    sound(cue("done"))  # 1.26 s chime in front: the words would wait for it
    sound(SegmentStarted(segs[0], at=0.0, t=0.0))
    sound(Done(completed=False, t=1.0, steps_done=0, steps_skipped=0, active_seconds=1.0,
               reason="stopped"))
    sound.close()
    assert [name for name, _ in device.played] == ["done.wav"]


def test_no_voice_means_no_speaker() -> None:
    sound = make_sound("bell", False, notice=print, bell=lambda: None)
    assert sound.voice_name is None
    assert "--no-voice" in sound.voice_reason


# --- no audio device (subprocesses: ALSA reads its configuration once per process) ------------


def need_simpleaudio() -> None:
    if importlib.util.find_spec("simpleaudio") is None:
        pytest.skip("needs simpleaudio (pip install 'unknot[audio]')")


def run_python(code: str, env_conf: Path, tmp: Path) -> subprocess.CompletedProcess[str]:
    import os

    env = dict(os.environ, ALSA_CONFIG_PATH=str(env_conf))
    # Only aplay as a player command: pw-play or paplay on a desktop would bypass ALSA.
    env = cap.only_aplay(env, tmp)
    # A new session has no controlling terminal: the bell has nowhere to ring, as in CI.
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60, cwd=REPO, start_new_session=True)


PLAY_SOME = """
import sys
from player.sound import make_sound
sound = make_sound({mode!r}, False, notice=lambda line: print(line, file=sys.stderr))
print("backend", sound.backend)
for name in ("start", "countdown", "end", "done"):
    sound.play_cue(name)
sound.close()
"""


def test_alsa_really_complains_without_the_handler(tmp_path: Path) -> None:
    """The control: the no-device config does make libasound print, so the tests below that
    see no ALSA text are checking something."""
    need_simpleaudio()
    proc = run_python(
        "import simpleaudio as sa\n"
        "try:\n    sa.play_buffer(b'\\0\\0' * 100, 1, 2, 44100)\n"
        "except Exception as exc:\n    print('raised', type(exc).__name__)\n",
        NODEVICE, tmp_path,
    )
    assert "ALSA lib" in proc.stderr
    assert "raised" in proc.stdout


@pytest.mark.parametrize("mode", ["simpleaudio", "auto"])
def test_no_device_is_one_notice_and_no_alsa_text(mode: str, tmp_path: Path) -> None:
    need_simpleaudio()
    proc = run_python(PLAY_SOME.format(mode=mode), NODEVICE, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "backend off\n"
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("sound: ") and "no audio device" in lines[0]
    assert "ALSA" not in proc.stderr and "ALSA" not in proc.stdout
    assert "Traceback" not in proc.stderr


def test_auto_with_a_device_says_simpleaudio_once(tmp_path: Path) -> None:
    need_simpleaudio()
    conf = tmp_path / "capture.conf"
    out = tmp_path / "out.raw"
    template = (REPO / "tests" / "alsa" / "capture.conf.in").read_text(encoding="utf-8")
    conf.write_text(cap.fill(template, out), encoding="utf-8")
    proc = run_python(PLAY_SOME.format(mode="auto"), conf, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "backend simpleaudio\n"
    assert proc.stderr == "sound: simpleaudio\n"
    assert len(out.read_bytes()) > 0


def test_sound_modules_never_import_textual() -> None:
    proc = subprocess.run(
        [sys.executable, "-c",
         "import sys, player.sound, player.sound.voice, player.commands.doctor\n"
         "print('textual' in sys.modules)"],
        capture_output=True, text=True, cwd=REPO, timeout=30,
    )
    assert proc.stdout.strip() == "False", proc.stderr

