#!/usr/bin/env python3
"""Provides the cue WAVs in sounds/: regenerate them with `python scripts/make_sounds.py`.

Standard library only (wave, math, struct), deterministic, so the files are reproducible byte
for byte and anyone can change a cue's shape here instead of hunting for samples. Every cue is
16-bit mono 44.1 kHz, built from sine partials with exponential decay (bell-like: upper partials
die faster than the fundamental), faded in and out so it starts and ends on silence (no click),
and normalised to a fixed peak: -3 dBFS for the cues a person must hear, lower for the cadence
tick that paces foam-roll passes and must stay in the background.
"""

from __future__ import annotations

import argparse
import math
import random
import struct
import sys
import wave
from dataclasses import dataclass
from pathlib import Path

RATE = 44100
SOUNDS = Path(__file__).resolve().parent.parent / "sounds"

#: (partial ratio, relative amplitude, decay time constant as a fraction of the note's).
#: A soft bell: mostly fundamental, a little octave and twelfth, and one slightly inharmonic
#: partial for shimmer; the upper ones fade first, which is what makes it sound struck.
BELL = ((1.0, 1.0, 1.0), (2.0, 0.32, 0.55), (3.0, 0.12, 0.35), (4.16, 0.06, 0.25))
#: A rounder tone for the low "end" cue: harmonics carry it on small laptop speakers that
#: cannot reproduce the fundamental.
WARM = ((1.0, 1.0, 1.0), (2.0, 0.5, 0.7), (3.0, 0.25, 0.5), (4.0, 0.12, 0.4))


@dataclass(frozen=True)
class Note:
    """One struck tone inside a cue."""

    at: float          # seconds from the cue's start
    freq: float        # Hz
    decay: float       # time constant of the fundamental, seconds
    length: float      # seconds until the note is cut (with its own fade-out)
    gain: float = 1.0
    partials: tuple[tuple[float, float, float], ...] = BELL


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def render_notes(notes: list[Note], total: float) -> list[float]:
    n = int(round(total * RATE))
    out = [0.0] * n
    for note in notes:
        start = int(round(note.at * RATE))
        count = min(int(round(note.length * RATE)), n - start)
        attack = int(0.004 * RATE)      # 4 ms: soft enough to avoid a click, still a clear onset
        release = int(0.03 * RATE)      # each note fades to zero before it is cut
        for i in range(count):
            t = i / RATE
            s = 0.0
            for ratio, amp, dfrac in note.partials:
                s += amp * math.exp(-t / (note.decay * dfrac)) * math.sin(
                    2.0 * math.pi * note.freq * ratio * t)
            env = 1.0
            if i < attack:
                env = 0.5 - 0.5 * math.cos(math.pi * i / attack)
            left = count - i
            if left < release:
                env *= 0.5 - 0.5 * math.cos(math.pi * left / release)
            out[start + i] += note.gain * env * s
    return out


def render_knock(freqs: tuple[float, ...], decay: float, total: float, seed: int,
                 noise: float) -> list[float]:
    """A wood-block-like knock: a few damped resonances and a short breath of noise."""
    rng = random.Random(seed)   # seeded: the file must come out the same every time
    n = int(round(total * RATE))
    out = [0.0] * n
    for i in range(n):
        t = i / RATE
        s = 0.0
        for k, f in enumerate(freqs):
            s += (0.6 ** k) * math.exp(-t / (decay / (1 + 0.5 * k))) * math.sin(2 * math.pi * f * t)
        s += noise * math.exp(-t / 0.002) * (rng.random() * 2 - 1)
        out[i] = s
    return out


def finish(samples: list[float], peak_db: float, fade_in: float = 0.002,
           fade_out: float = 0.02) -> bytes:
    """Fade the ends to true silence, normalise the peak, quantise to 16-bit little-endian."""
    n = len(samples)
    fi = max(1, int(fade_in * RATE))
    fo = max(1, int(fade_out * RATE))
    for i in range(min(fi, n)):
        samples[i] *= 0.5 - 0.5 * math.cos(math.pi * i / fi)
    for i in range(min(fo, n)):
        samples[n - 1 - i] *= 0.5 - 0.5 * math.cos(math.pi * i / fo)
    peak = max(abs(s) for s in samples) or 1.0
    scale = db_to_gain(peak_db) * 32767.0 / peak
    ints = [max(-32768, min(32767, int(round(s * scale)))) for s in samples]
    ints[0] = 0
    ints[-1] = 0
    return struct.pack(f"<{n}h", *ints)


def cues() -> dict[str, bytes]:
    """Every cue's 16-bit samples, by file stem."""
    c5, d5, e5, g5 = 523.25, 587.33, 659.26, 783.99
    g4, b4, a3 = 392.00, 493.88, 220.00
    return {
        # Rising fourth: "go".
        "start": finish(render_notes([
            Note(0.0, e5, 0.25, 0.30),
            Note(0.12, e5 * 4 / 3, 0.35, 0.52, gain=1.0),
        ], 0.64), -3.0),
        # One soft mid tone: information, not a call to act.
        "halfway": finish(render_notes([Note(0.0, 587.33, 0.22, 0.45)], 0.45), -3.0),
        # Countdown: a short wooden knock, clearly a beat, not a tone.
        "tick": finish(render_knock((1750.0, 2830.0, 4100.0), 0.018, 0.09, seed=7,
                                    noise=0.25), -3.0, fade_in=0.001, fade_out=0.01),
        # Cadence: a lower, duller knock well below the other cues, to pace roll passes.
        "cadence": finish(render_knock((1150.0, 1870.0), 0.012, 0.07, seed=11, noise=0.1),
                          -15.0, fade_in=0.001, fade_out=0.01),
        # Falling pair: "change over".
        "switch": finish(render_notes([
            Note(0.0, g5, 0.2, 0.26),
            Note(0.14, d5, 0.3, 0.46),
        ], 0.60), -3.0),
        # A low, warm tone: this work period is over.
        "end": finish(render_notes([Note(0.0, a3, 0.35, 0.75, partials=WARM)], 0.75), -3.0),
        # Leading tone resolving to the tonic, the last note left to ring: the routine is done.
        "done": finish(render_notes([
            Note(0.0, g4, 0.2, 0.24),
            Note(0.18, b4, 0.2, 0.24),
            Note(0.36, c5, 0.5, 0.9),
        ], 1.26), -3.0),
    }


def write_wav(path: Path, frames: bytes) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the cue WAVs in sounds/.")
    parser.add_argument("--out", type=Path, default=SOUNDS,
                        help="folder to write (default: sounds/)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, frames in cues().items():
        path = args.out / f"{name}.wav"
        write_wav(path, frames)
        print(f"{path}: {len(frames) // 2 / RATE:.3f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
