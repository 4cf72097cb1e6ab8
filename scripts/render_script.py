#!/usr/bin/env python3
"""Provides a way to listen to a routine's whole spoken script without playing it.

    scripts/render_script.py ROUTINE OUT.wav [--rate WPM] [--voice NAME]

Every line of `unknot show ROUTINE --script` is rendered with espeak-ng (or `say`) exactly as a
session would render it, then sox joins them into one WAV with silence in between, so each line
starts at its planned time. Check it with `sox --i OUT.wav` and `sox OUT.wav -n stat`.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from player.library import resolve  # noqa: E402
from player.sound.backends import check_wav  # noqa: E402
from player.sound.voice import (  # noqa: E402
    DEFAULT_RATE,
    Speaker,
    VoiceSettings,
    find_speech_engine,
    script,
)
from player.timeline import expand  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("routine")
    parser.add_argument("out", type=Path)
    parser.add_argument("--rate", type=int, default=DEFAULT_RATE)
    parser.add_argument("--voice")
    args = parser.parse_args()
    sox = shutil.which("sox")
    engine = find_speech_engine(VoiceSettings(args.voice, args.rate))
    if sox is None or engine is None:
        print("needs sox and espeak-ng (or say)", file=sys.stderr)
        return 1
    timeline = expand(resolve(args.routine, []))
    with tempfile.TemporaryDirectory(prefix="unknot-script-") as tmp:
        speaker = Speaker(engine, Path(tmp))
        parts: list[str] = []
        now = 0.0
        for u in script(timeline):
            wav = speaker.render(u.text)
            # Silence up to the line's planned time, then the line (sox pads at its rate).
            gap = max(0.0, u.at - now)
            padded = Path(tmp) / f"part-{len(parts):03d}.wav"
            subprocess.run([sox, str(wav), str(padded), "pad", f"{gap:.3f}", "0"], check=True)
            parts.append(str(padded))
            now += gap + check_wav(wav)
            print(f"{u.at:7.1f} s  {check_wav(wav):5.2f} s  {u.text}")
        subprocess.run([sox, *parts, str(args.out)], check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
