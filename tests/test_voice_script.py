"""Tests for the spoken script (design.md "Eyes-closed guidance"): what is said and when, one
plan for `unknot show --script`, `show --json` and the sound listener; --voice-name and
--voice-rate; cues ducked under the words."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
from test_sound import Recorder, wait_for

from player.clock import FakeClock
from player.events import CueFired
from player.routine import Routine, Step
from player.session import Session
from player.sound import CUE_FILES, Sound
from player.sound.backends import check_wav
from player.sound.listener import DUCK_GAIN, duck_wav
from player.sound.voice import (
    Speaker,
    SpeechEngine,
    VoiceOptionError,
    VoiceSettings,
    configure,
    find_speech_engine,
    script,
)
from player.timeline import expand

REPO = Path(__file__).resolve().parent.parent
SOUNDS = REPO / "sounds"

WALL = "Ball against the wall, on the top of the left shoulder blade. Lean in to about 6 out of 10."


def routine() -> Routine:
    return Routine(id="r", name="R", steps=(
        # lead-in 10, each side 20 s twice with 5 s rest, a closing line
        Step("trigger-point", "upper-trapezius", "each", 20.0, repeat=2, rest=5.0, lead_in=10.0,
             pressure=6, say=WALL, say_end="Ease off the ball slowly."),
        # no lead-in: its cue comes with its first work period
        Step("breathe", None, None, 30.0, lead_in=0.0),
        # generated cue with pressure in words; a short work period still gets its say_end
        Step("foam-roll", "calves", "both", 4.0, lead_in=6.0, pressure=5, say_end="Roll off."),
    ))


def test_script_says_each_thing_at_its_planned_time() -> None:
    got = [(u.at, u.kind, u.text) for u in script(expand(routine()))]
    # Step 1: lead-in 0-10, L 10-30, rest 30-35, L 35-55, switch 55-65, R 65-85, rest, R 90-110.
    assert got == [
        (0.0, "cue", "Next: " + WALL),
        (65.0 - 10.0, "switch", "Switch to the right side."),
        (110.0 - 5.0, "say_end", "Ease off the ball slowly."),
        (110.0, "cue", "Breathe."),
        (140.0, "cue",
         "Next: Foam roll, calves, both sides. Moderate pressure, about 5 out of 10."),
        (146.0, "say_end", "Roll off."),  # 4 s of work: at its start, not before it
        (150.0, "done", "Done. Two minutes thirty seconds."),
    ]


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "player", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)


def test_show_script_prints_one_line_per_utterance(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text(
        "name: Script\n"
        "steps:\n"
        "  - technique: trigger-point\n"
        "    region: upper-trapezius\n"
        "    side: each\n"
        "    duration: 20s\n"
        f"    say: {WALL}\n"
        "    say_end: Ease off the ball slowly.\n"
        "  - technique: rest\n"
        "    duration: 10s\n", encoding="utf-8")
    proc = run_cli("show", str(path), "--script")
    assert proc.returncode == 0, proc.stderr
    # lead_in auto: "Next: " + 20 words = 21 words at 180 wpm = 7 s, + 3 s = 10 s. Left 10-30,
    # switch 30-40, right 40-60 (its closing words at 55), rest 60-70 (no lead-in: said then).
    assert proc.stdout.splitlines() == [
        f"[00:00] Next: {WALL}",
        "[00:30] Switch to the right side.",
        "[00:55] Ease off the ball slowly.",
        "[01:00] Rest.",
        "[01:10] Done. Seventy seconds.",
    ]
    data = json.loads(run_cli("show", str(path), "--json").stdout)
    says = [(s["kind"], s["say"], s.get("say_end")) for s in data["segments"]]
    assert says == [
        ("lead_in", f"Next: {WALL}", None),
        ("work", None, None),
        ("switch", "Switch to the right side.", None),
        ("work", None, "Ease off the ball slowly."),
        ("work", "Rest.", None),
    ]
    assert data["segments"][3]["say_end_at"] == 55.0


def test_a_routine_cannot_break_a_script_line(tmp_path: Path) -> None:
    path = tmp_path / "r.yaml"
    path.write_text('name: X\nsteps:\n  - technique: rest\n    duration: 10s\n'
                    '    say: "Lie down.\\nnow\\x1b[2J"\n', encoding="utf-8")
    proc = run_cli("show", str(path), "--script")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "[00:00] Lie down.\\x0anow\\x1b[2J"


# --- the listener speaks the same plan -------------------------------------------------------


def need_espeak() -> SpeechEngine:
    if shutil.which("espeak-ng") is None:
        pytest.skip("needs espeak-ng")
    engine = find_speech_engine(VoiceSettings())
    assert engine is not None
    return engine


def test_the_listener_speaks_what_show_script_prints(tmp_path: Path) -> None:
    engine = need_espeak()
    speaker = Speaker(engine, tmp_path)
    device = Recorder()
    sound = Sound(device, reason="test", notice=print, speaker=speaker)
    timeline = expand(routine())
    plan = script(timeline)
    by_file = {speaker.path_for(u.text).name: u.text for u in plan}
    sound.prepare(timeline)
    clock = FakeClock()
    session = Session(timeline, clock=clock)
    session.subscribe(sound)

    def spoken() -> list[str]:
        return [by_file[n] for n, _ in device.played if n in by_file]

    session.start()
    # The fake clock jumps from deadline to deadline; before each jump, the words already
    # asked for get their turn, so none supersedes another.
    while session.state != "done":
        due = sum(1 for u in plan if u.at <= session.position() + 1e-9 and u.kind != "done")
        assert wait_for(lambda due=due: len(spoken()) >= due), (spoken(), due)
        deadline = session.next_deadline()
        assert deadline is not None
        clock.set(max(clock.now(), deadline))
        session.poll()
    assert wait_for(lambda: len(spoken()) == len(plan))
    sound.close()
    assert spoken() == [u.text for u in plan]


# --- cues under the words --------------------------------------------------------------------


def test_ducked_copy_is_the_cue_at_a_quarter_level(tmp_path: Path) -> None:
    import array

    out = duck_wav(SOUNDS / "start.wav", tmp_path)
    with wave.open(str(SOUNDS / "start.wav")) as a, wave.open(str(out)) as b:
        assert a.getparams()[:4] == b.getparams()[:4]
        src, quiet = array.array("h"), array.array("h")
        src.frombytes(a.readframes(a.getnframes()))
        quiet.frombytes(b.readframes(b.getnframes()))
    assert len(src) == len(quiet)
    assert max(map(abs, quiet)) == pytest.approx(max(map(abs, src)) * DUCK_GAIN, abs=1)
    assert duck_wav(SOUNDS / "start.wav", tmp_path) == out  # cached


def test_a_cue_during_the_words_is_ducked_and_speech_waits_for_a_cue(tmp_path: Path) -> None:
    engine = need_espeak()
    device = Recorder()
    speaker = Speaker(engine, tmp_path)
    sound = Sound(device, reason="test", notice=print, speaker=speaker)
    text = "Next: roll slowly from the ankle to the knee, about five out of ten."
    words = speaker.render(text)
    length = check_wav(words)
    sound(CueFired(cue="end", segment=None, at=0.0, t=0.0))
    sound.say(text)
    assert wait_for(lambda: any(n == words.name for n, _ in device.played))
    (first, t_end), (said, t_said) = device.played[:2]
    # The words wait for the end chime in front of them...
    assert (first, said) == ("end.wav", words.name)
    assert t_said - t_end >= check_wav(SOUNDS / "end.wav") - 0.05
    # ...and a tick while they play is the quiet copy.
    sent = time.monotonic()
    sound(CueFired(cue="countdown", segment=None, at=0.0, t=0.0))
    assert sent < t_said + length, "the machine stalled past the words: nothing to duck"
    assert wait_for(lambda: len(device.played) == 3)
    assert device.played[2][0].startswith("ducked-tick-"), device.played
    # Once the words are over, cues are at full level again.
    assert wait_for(lambda: time.monotonic() > t_said + length + 0.05)
    sound(CueFired(cue="countdown", segment=None, at=0.0, t=0.0))
    assert wait_for(lambda: len(device.played) == 4)
    assert device.played[3][0] == CUE_FILES["countdown"]
    sound.close()


# --- voice options ---------------------------------------------------------------------------


def test_voice_settings_reach_the_engine_and_the_cache_key() -> None:
    default = SpeechEngine("espeak-ng", "espeak-ng")
    gb = SpeechEngine("espeak-ng", "espeak-ng", VoiceSettings("en-gb", 150))
    assert gb.argv(Path("w.txt"), Path("o.wav"))[:5] == ["espeak-ng", "-v", "en-gb", "-s", "150"]
    assert default.argv(Path("w.txt"), Path("o.wav"))[:5] == ["espeak-ng", "-v", "en", "-s", "180"]
    # The words come from a file: a cue starting with '-' is never an option.
    assert default.argv(Path("w.txt"), Path("o.wav"))[-2:] == ["-f", "w.txt"]
    assert gb.key("Rest.") != default.key("Rest.")
    say = SpeechEngine("say", "say", VoiceSettings("Samantha", 200))
    assert say.argv(Path("w.txt"), Path("o.wav"))[:5] == ["say", "-v", "Samantha", "-r", "200"]


@pytest.mark.parametrize("name, rate", [("-w", None), ("en;rm", None), (None, 20), (None, 900)])
def test_bad_voice_options_are_refused(name: str | None, rate: int | None) -> None:
    with pytest.raises(VoiceOptionError):
        configure(name, rate)


def test_play_with_a_bad_voice_rate_is_a_usage_error() -> None:
    proc = run_cli("play", "quick-reset", "--headless", "--voice-rate", "20")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines()[-1].endswith(
        "--voice-rate 20: use 80 to 450 words a minute (default 180)")


def test_a_slower_rate_renders_longer_speech(tmp_path: Path) -> None:
    need_espeak()
    text = "Next: roll slowly from the ankle to the knee."
    normal = Speaker(find_speech_engine(VoiceSettings()), tmp_path)  # type: ignore[arg-type]
    slow = Speaker(find_speech_engine(VoiceSettings(rate=120)), tmp_path)  # type: ignore[arg-type]
    a, b = check_wav(normal.render(text)), check_wav(slow.render(text))
    assert b > a * 1.3, (a, b)


def test_say_end_is_an_engine_deadline_that_pauses_and_extensions_move() -> None:
    clock = FakeClock()
    timeline = expand(routine())
    session = Session(timeline, clock=clock)
    heard: list[float] = []
    session.subscribe(lambda e: heard.append(session.position())
                      if isinstance(e, CueFired) and e.cue == "say_end" else None)
    session.start()
    # Step 1's last work period is 90-110 s: its say_end is due at 105.
    clock.advance(100.0)
    session.poll()
    session.pause()
    clock.advance(30.0)  # paused: nothing is due
    session.poll()
    assert heard == []
    session.resume()
    session.extend(15.0)  # the period now ends at 125, its closing words at 120
    clock.advance(10.0)
    session.poll()
    assert heard == []
    clock.advance(10.0)
    session.poll()
    assert heard == [pytest.approx(120.0)]
    session.extend(15.0)  # already said: not again
    clock.advance(20.0)
    session.poll()
    assert len(heard) == 1


def test_a_long_spoken_line_is_not_held_to_the_cue_cap(tmp_path: Path) -> None:
    """A cue sound may be at most 10 s (cue_limits); 30 words at a slow rate are longer, and
    unknot's own speech must still play."""
    from player.sound.backends import SoundFileError

    need_espeak()
    slow = Speaker(find_speech_engine(VoiceSettings(rate=100)), tmp_path / "voice")  # type: ignore[arg-type]
    words = ("Next: Lie on your back with the roller across the back under the shoulder blades, "
             "hands behind the head, ribs down, lower back flat, and roll slowly with the ticks.")
    wav = slow.render(words)
    assert check_wav(wav) > 10.0
    elsewhere = tmp_path / "custom.wav"
    elsewhere.write_bytes(wav.read_bytes())
    with pytest.raises(SoundFileError):
        check_wav(elsewhere)  # the same file as a routine's cue sound is refused


class LateRecorder(Recorder):
    """A device that takes 0.4 s to start the end chime, as a loaded machine might."""

    def play(self, path: Path) -> None:
        if path.name == "end.wav":
            time.sleep(0.4)  # the device's own delay, the thing under test
        super().play(path)


def test_words_wait_for_a_cue_that_started_late(tmp_path: Path) -> None:
    engine = need_espeak()
    device = LateRecorder()
    speaker = Speaker(engine, tmp_path)
    sound = Sound(device, reason="test", notice=print, speaker=speaker)
    speaker.render("Next: Switch to the wall.")
    sound(CueFired(cue="end", segment=None, at=0.0, t=0.0))
    sound.say("Next: Switch to the wall.")
    assert wait_for(lambda: len(device.played) == 2)
    sound.close()
    (first, t_end), (_, t_said) = device.played
    assert first == "end.wav"
    # Timed from when the chime really started, not from when it was queued.
    assert t_said - t_end >= check_wav(SOUNDS / "end.wav") - 0.05, t_said - t_end
