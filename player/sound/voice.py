"""Provides spoken cues: the words for each step, and a speech engine that renders them to WAVs.

Speech is synthesised to files ahead of time (espeak-ng on Linux, `say` on macOS) and cached,
then played through the same backend as the cue sounds, so a slow synthesiser can never delay
the timer: the engine only ever asks for a file that is (usually) already there.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from player import vocab
from player.durations import SPEECH_WPM
from player.routine import Step
from player.session import SAY_END_BEFORE, closes_step
from player.sound.backends import allow_speech_in
from player.timeline import Segment, Timeline

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """English words for 0 ≤ n < 1000: 45 → 'forty-five'."""
    if n < 0 or n >= 1000:
        return str(n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    hundreds, rest = divmod(n, 100)
    return f"{_ONES[hundreds]} hundred" + (f" and {number_words(rest)}" if rest else "")


def duration_words(seconds: float) -> str:
    """'Twenty seconds', 'One minute', 'One minute thirty seconds', 'Two minutes'."""
    total = int(round(seconds))
    if total < 90 and total != 60:
        text = f"{number_words(total)} second{'s' if total != 1 else ''}"
    else:
        minutes, secs = divmod(total, 60)
        text = f"{number_words(minutes)} minute{'s' if minutes != 1 else ''}"
        if secs:
            text += f" {number_words(secs)} second{'s' if secs != 1 else ''}"
    return text[0].upper() + text[1:]


UtteranceKind = Literal["cue", "switch", "say_end", "done"]


@dataclass(frozen=True)
class Utterance:
    """One thing the voice says, and when: `at` is the planned routine second."""

    at: float
    text: str
    kind: UtteranceKind
    #: The 1-based step it belongs to (0 for "Done.").
    step: int


def spoken_cue(step: Step) -> str:
    """The step's cue: its `say:` as written, else the phrase generated from technique, region,
    side and pressure. The loader sizes `lead_in: auto` from the same text."""
    if step.say:
        return step.say
    return vocab.cue_phrase(step.technique, step.region, step.side, step.pressure)


def switch_phrase(side: str | None) -> str:
    """'Switch to the right side.' ('Switch sides.' if the side is not left or right)."""
    if side in ("left", "right"):
        return f"Switch to the {side} side."
    return "Switch sides."


def done_phrase(active_seconds: float) -> str:
    """'Done. Eight minutes twenty seconds.': the session's active time in words."""
    return f"Done. {duration_words(active_seconds)}."


def _first_side(step: Step) -> str | None:
    return "left" if step.side == "each" else step.side


def utterances_of(segment: Segment) -> list[Utterance]:
    """What the voice says during one segment, with planned times.

    A lead-in opens with "Next: " and the step's cue; a step without a lead-in says its cue as
    its first work period starts (after the start sound); a switch names the side to come; the
    step's last work period says `say_end` 5 s before it ends. Nothing else is spoken.
    """
    step = segment.step_ref
    out: list[Utterance] = []
    if segment.kind == "lead_in":
        out.append(Utterance(segment.at, "Next: " + spoken_cue(step), "cue", segment.step))
    elif segment.kind == "switch":
        out.append(Utterance(segment.at, switch_phrase(segment.side), "switch", segment.step))
    elif segment.kind == "work":
        first = segment.repeat == 1 and segment.side == _first_side(step)
        if first and step.lead_in <= 0:
            out.append(Utterance(segment.at, spoken_cue(step), "cue", segment.step))
        if step.say_end and closes_step(segment):
            at = segment.at + max(0.0, segment.duration - SAY_END_BEFORE)
            out.append(Utterance(at, step.say_end, "say_end", segment.step))
    return out


def script(timeline: Timeline) -> list[Utterance]:
    """Everything the voice will say in a session that runs to the end, in order: the one plan
    that `unknot show --script` prints and the sound listener speaks from."""
    out = [u for seg in timeline.segments for u in utterances_of(seg)]
    if timeline.segments:
        out.append(Utterance(timeline.total, done_phrase(timeline.total), "done", 0))
    return out


def phrases_for(timeline: Timeline) -> list[str]:
    """Every phrase a timeline will speak, in the order it will need them (each once)."""
    return list(dict.fromkeys(u.text for u in script(timeline)))


#: The default speaking rate in words a minute (durations.SPEECH_WPM: lead-ins are sized for
#: it) and the range --voice-rate accepts.
DEFAULT_RATE = SPEECH_WPM
RATE_RANGE = (80, 450)
_DEFAULT_VOICE = {"espeak-ng": "en", "say": ""}
_VOICE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_+.\- ]{0,39}$")


class VoiceOptionError(ValueError):
    """A --voice-name or --voice-rate that cannot be used."""


@dataclass(frozen=True)
class VoiceSettings:
    """Which voice and how fast: `name` None is the engine's default voice."""

    name: str | None = None
    rate: int = DEFAULT_RATE


def check_voice_name(text: str) -> str:
    if not _VOICE_NAME.match(text):
        raise VoiceOptionError(f"--voice-name {text!r}: use letters, digits, '-', '+', '_', '.' "
                               "(an espeak-ng voice like en-gb or en+f3, or a `say -v` voice)")
    return text


def check_voice_rate(value: int) -> int:
    low, high = RATE_RANGE
    if not low <= value <= high:
        raise VoiceOptionError(f"--voice-rate {value}: use {low} to {high} words a minute "
                               f"(default {DEFAULT_RATE})")
    return value


#: The settings make_sound() uses: `unknot play --voice-name/--voice-rate` set them once at
#: start-up, before any Sound is made.
_settings = VoiceSettings()


def configure(name: str | None = None, rate: int | None = None) -> VoiceSettings:
    """Set the voice for this process (checked); returns the settings now in force."""
    global _settings
    _settings = VoiceSettings(
        name=check_voice_name(name) if name is not None else None,
        rate=check_voice_rate(rate) if rate is not None else DEFAULT_RATE,
    )
    return _settings


def current_settings() -> VoiceSettings:
    return _settings


@dataclass(frozen=True)
class SpeechEngine:
    """A text-to-speech command that can write a WAV file."""

    name: str
    exe: str
    settings: VoiceSettings = VoiceSettings()

    def options(self) -> list[str]:
        voice = self.settings.name or _DEFAULT_VOICE.get(self.name, "")
        rate = str(self.settings.rate)
        if self.name == "say":
            return [*(["-v", voice] if voice else []), "-r", rate]
        return ["-v", voice, "-s", rate] if voice else ["-s", rate]

    def argv(self, text_file: Path, out: Path) -> list[str]:
        # The words come from a file, never the command line: a routine's `say:` that starts
        # with '-' must not be read as an option.
        if self.name == "say":
            return [self.exe, *self.options(), "-o", str(out), "--file-format=WAVE",
                    "--data-format=LEI16@22050", "-f", str(text_file)]
        return [self.exe, *self.options(), "-w", str(out), "-f", str(text_file)]

    def key(self, text: str) -> str:
        raw = "\0".join(("v2", self.name, *self.options(), text))
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


def find_speech_engine(settings: VoiceSettings | None = None) -> SpeechEngine | None:
    """espeak-ng on Linux (and wherever it is installed), `say` on macOS; None if neither.
    `settings` defaults to the ones configure() set."""
    chosen = settings or _settings
    exe = shutil.which("espeak-ng")
    if exe:
        return SpeechEngine("espeak-ng", exe, chosen)
    if sys.platform == "darwin":
        exe = shutil.which("say")
        if exe:
            return SpeechEngine("say", exe, chosen)
    return None


def default_cache_dir() -> Path:
    """UNKNOT_HOME/cache/voice when UNKNOT_HOME is set, else the platform cache folder."""
    env = os.environ.get("UNKNOT_HOME")
    if env:
        return Path(env).expanduser() / "cache" / "voice"
    from platformdirs import user_cache_path

    return user_cache_path("unknot", appauthor=False) / "voice"


class SpeechError(Exception):
    """The speech engine failed for one phrase."""


class Speaker:
    """Renders phrases to cached WAVs. Call `render` from a background thread only."""

    def __init__(self, engine: SpeechEngine, cache_dir: Path | None = None) -> None:
        self.engine = engine
        folder = cache_dir or default_cache_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            probe = folder / ".unknot-write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError:
            # A read-only home still gets speech: a private temp folder for this process.
            folder = Path(tempfile.mkdtemp(prefix="unknot-voice-"))
        self.cache_dir = folder
        allow_speech_in(folder)

    def path_for(self, text: str) -> Path:
        return self.cache_dir / f"{self.engine.key(text)}.wav"

    def render(self, text: str, timeout: float = 20.0) -> Path:
        """The WAV for `text`, synthesising it on a cache miss; SpeechError if that fails."""
        path = self.path_for(text)
        if path.is_file():
            return path
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.wav")
        words = path.with_name(f".{path.stem}.{os.getpid()}.tmp.txt")
        try:
            words.write_text(text, encoding="utf-8")
            subprocess.run(
                self.engine.argv(words, tmp), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=timeout, check=True,
            )
            _trim_trailing_silence(tmp)
            # Atomic: another unknot running the same routine never reads half a file.
            os.replace(tmp, path)
        except (OSError, subprocess.SubprocessError, wave.Error, EOFError) as exc:
            tmp.unlink(missing_ok=True)
            raise SpeechError(f"{self.engine.name} failed for {text!r}: {exc}") from exc
        finally:
            words.unlink(missing_ok=True)
        return path


def _trim_trailing_silence(path: Path, threshold: int = 200) -> None:
    # espeak-ng ends every file with a few hundred ms of silence; cutting it lets the start cue
    # that follows a short lead-in come after the words instead of on top of them.
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        data = w.readframes(params.nframes)
    if params.sampwidth != 2 or params.nchannels != 1:
        return
    import array

    samples = array.array("h")
    samples.frombytes(data)
    if sys.byteorder == "big":
        samples.byteswap()
    end = len(samples)
    while end > 0 and abs(samples[end - 1]) < threshold:
        end -= 1
    end = min(len(samples), end + int(params.framerate * 0.08))
    if end >= len(samples):
        return
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(params.framerate)
        w.writeframes(data[: end * 2])
