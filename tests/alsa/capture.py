"""Provides helpers for tests that hear the real thing: an ALSA file-capture environment, and
finding cue WAVs in the captured raw stream.

Load it by path (tests is not a package): see `load()` in the test modules.
"""

from __future__ import annotations

import os
import wave
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SOUNDS = REPO / "sounds"

#: Cue name → the default WAV it plays (player.sound.CUE_FILES, kept literal here on purpose:
#: the test checks the files, not the table).
CUE_WAVS = {
    "start": "start.wav", "halfway": "halfway.wav", "countdown": "tick.wav",
    "cadence": "cadence.wav", "switch": "switch.wav", "end": "end.wav", "done": "done.wav",
}

#: Bytes from the start of a WAV that identify it in the stream: 512 frames (11.6 ms at
#: 44.1 kHz), short enough to sit inside the first write of one play, so another cue playing
#: at the same moment cannot split it.
FINGERPRINT = 1024


def fill(template: str, out: Path) -> str:
    """The capture configuration with its placeholders filled in."""
    import shutil

    cat = shutil.which("cat") or "/bin/cat"
    return template.replace("@OUTPUT@", str(out)).replace("@CAT@", cat)


def capture_env(tmp: Path, base: dict[str, str] | None = None) -> tuple[dict[str, str], Path]:
    """A subprocess environment whose ALSA default device appends to a file; (env, file)."""
    out = tmp / "captured.raw"
    out.write_bytes(b"")
    conf = tmp / "capture.conf"
    text = (HERE / "capture.conf.in").read_text(encoding="utf-8")
    conf.write_text(fill(text, out), encoding="utf-8")
    env = dict(os.environ if base is None else base)
    env["ALSA_CONFIG_PATH"] = str(conf)
    return env, out


def nodevice_env(base: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env["ALSA_CONFIG_PATH"] = str(HERE / "nodevice.conf")
    return env


def only_aplay(env: dict[str, str], tmp: Path) -> dict[str, str]:
    """Make `aplay` the only player command on PATH.

    On a desktop, pw-play or paplay talk to PipeWire or PulseAudio directly, bypassing
    ALSA_CONFIG_PATH: `--sound command` or `auto` would then play out loud instead of into the
    capture (or find a device where the test wants none). CI has neither, but tests must not
    depend on that.
    """
    import shutil

    bin_dir = tmp / "player-bin"
    bin_dir.mkdir(exist_ok=True)
    aplay = shutil.which("aplay")
    if aplay and not (bin_dir / "aplay").exists():
        (bin_dir / "aplay").symlink_to(aplay)
    return dict(env, PATH=str(bin_dir))


def frames(path: Path) -> bytes:
    with wave.open(str(path), "rb") as w:
        return w.readframes(w.getnframes())


@dataclass(frozen=True)
class Hit:
    pos: int
    name: str
    whole: bool


def find_sounds(raw: bytes, sounds: dict[str, Path]) -> list[Hit]:
    """Every place a sound's opening bytes occur in `raw`, in stream order.

    `whole` says whether the complete sound follows contiguously (it may not when two cues
    played at the same moment and their writes interleaved).
    """
    hits = []
    for name, path in sounds.items():
        data = frames(path)
        mark = data[:FINGERPRINT]
        i = raw.find(mark)
        while i != -1:
            hits.append(Hit(i, name, raw[i:i + len(data)] == data))
            i = raw.find(mark, i + 1)
    hits.sort(key=lambda h: h.pos)
    return hits


def default_cue_sounds() -> dict[str, Path]:
    return {cue: SOUNDS / name for cue, name in CUE_WAVS.items()}


#: Cues the engine emitted within this many real seconds of each other may be heard either way
#: round. Each cue starts its own playback thread, and the capture device opens a `cat` process
#: for every stream: on a loaded machine a later cue's thread can get there first. Tests play
#: at a --speed where cues a routine second apart are further apart than this.
SLACK = 0.2


def check_order(heard: list[str], expected: list[tuple[float, str]],
                window: float = 1e-6) -> str | None:
    """None if `heard` is `expected` in order, allowing any order among cues less than
    `window` apart (chained: a burst of late cues is one group); else a message showing where
    they part. `expected` is (time, cue): planned offsets with the default window (cues due
    at the same instant), or real emission seconds with SLACK."""
    groups: list[list[str]] = []
    last_at: float | None = None
    for at, cue in expected:
        if last_at is not None and abs(at - last_at) < window:
            groups[-1].append(cue)
        else:
            groups.append([cue])
        last_at = at
    pos = 0
    for n, group in enumerate(groups):
        got = heard[pos:pos + len(group)]
        if sorted(got) != sorted(group):
            return (f"cue group {n} (planned {sorted(group)}) heard as {sorted(got)}\n"
                    f"expected: {[c for g in groups for c in g]}\nheard:    {heard}")
        pos += len(group)
    if pos != len(heard):
        return f"heard {len(heard) - pos} extra cue(s): {heard[pos:]}"
    return None
