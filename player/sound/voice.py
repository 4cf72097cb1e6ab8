"""Provides spoken cues: the words for each step, and a speech engine that renders them to WAVs.

Speech is synthesised to files ahead of time (espeak-ng on Linux, `say` on macOS) and cached,
then played through the same backend as the cue sounds, so a slow synthesiser can never delay
the timer: the engine only ever asks for a file that is (usually) already there.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from player import vocab
from player.timeline import Segment, Timeline

SWITCH_SIDES = "Switch sides."

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


_TIMES = {2: "twice", 3: "three times", 4: "four times", 5: "five times"}


def step_phrase(segment: Segment) -> str:
    """What to say as a step begins.

    'Trigger point. Upper trapezius, left side. Twenty seconds.' Numbers are words, so every
    engine reads them the same way.
    """
    try:
        technique = vocab.technique(segment.technique).name
    except KeyError:
        technique = segment.technique.replace("-", " ").capitalize()
    parts = [f"{technique}."]
    if segment.region:
        try:
            region = vocab.region(segment.region).name
        except KeyError:
            region = segment.region.replace("-", " ").capitalize()
        if segment.side in ("left", "right"):
            parts.append(f"{region}, {segment.side} side.")
        elif segment.side == "both":
            parts.append(f"{region}, both sides.")
        else:
            parts.append(f"{region}.")
    step = segment.step_ref
    timing = duration_words(step.duration)
    if step.repeat > 1:
        timing += ", " + _TIMES.get(step.repeat, f"{number_words(step.repeat)} times")
    parts.append(timing + ".")
    return " ".join(parts)


def phrases_for(timeline: Timeline) -> list[str]:
    """Every phrase a timeline can speak, in the order it will need them."""
    out: dict[str, None] = {}
    seen_steps: set[int] = set()
    for seg in timeline.segments:
        if seg.kind in ("lead_in", "work") and seg.step not in seen_steps:
            seen_steps.add(seg.step)
            out.setdefault(step_phrase(seg), None)
        elif seg.kind == "switch":
            out.setdefault(SWITCH_SIDES, None)
    return list(out)


#: Engine options. 180 words a minute: a step's announcement fits a 5 s lead-in after the end
#: cue. Part of the cache key, so changing them here re-renders the cache.
_OPTIONS: dict[str, tuple[str, ...]] = {
    "espeak-ng": ("-v", "en", "-s", "180"),
    "say": ("-r", "185"),
}


@dataclass(frozen=True)
class SpeechEngine:
    """A text-to-speech command that can write a WAV file."""

    name: str
    exe: str

    def argv(self, text: str, out: Path) -> list[str]:
        options = list(_OPTIONS.get(self.name, ()))
        if self.name == "say":
            return [self.exe, *options, "-o", str(out), "--file-format=WAVE",
                    "--data-format=LEI16@22050", text]
        return [self.exe, *options, "-w", str(out), text]

    def key(self, text: str) -> str:
        raw = "\0".join(("v1", self.name, *_OPTIONS.get(self.name, ()), text))
        return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


def find_speech_engine() -> SpeechEngine | None:
    """espeak-ng on Linux (and wherever it is installed), `say` on macOS; None if neither."""
    exe = shutil.which("espeak-ng")
    if exe:
        return SpeechEngine("espeak-ng", exe)
    if sys.platform == "darwin":
        exe = shutil.which("say")
        if exe:
            return SpeechEngine("say", exe)
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

    def path_for(self, text: str) -> Path:
        return self.cache_dir / f"{self.engine.key(text)}.wav"

    def render(self, text: str, timeout: float = 20.0) -> Path:
        """The WAV for `text`, synthesising it on a cache miss; SpeechError if that fails."""
        path = self.path_for(text)
        if path.is_file():
            return path
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.wav")
        try:
            subprocess.run(
                self.engine.argv(text, tmp), stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                timeout=timeout, check=True,
            )
            _trim_trailing_silence(tmp)
            # Atomic: another unknot running the same routine never reads half a file.
            os.replace(tmp, path)
        except (OSError, subprocess.SubprocessError, wave.Error, EOFError) as exc:
            tmp.unlink(missing_ok=True)
            raise SpeechError(f"{self.engine.name} failed for {text!r}: {exc}") from exc
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
