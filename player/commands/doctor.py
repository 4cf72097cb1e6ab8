"""Provides `unknot doctor`: which sound backend and voice unknot found, where routines and
history live, and a test cue played through the backend a session would use."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from player import paths


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Only the common options (--sound, --voice, --routines): doctor checks what they pick.
    return None


def _folder(path: Path, missing: str = "missing") -> str:
    if not path.exists():
        return f"{path} ({missing})"
    if not path.is_dir():
        return f"{path} (not a folder)"
    count = sum(1 for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    return f"{path} ({count} routine file{'s' if count != 1 else ''})"


def run(args: argparse.Namespace) -> int:
    from player.sound import make_sound

    out = sys.stdout
    # make_sound's notices repeat what sound.reason and sound.voice_reason say in full below.
    sound = make_sound(args.sound, args.voice, notice=lambda line: None)
    try:
        print(f"sound:    {sound.backend}", file=out)
        # The reason for `off` lists every backend tried; one per line reads better.
        for line in (r for r in sound.reason.split("; ") if r):
            print(f"          - {line}", file=out)
        voice = sound.voice_name or "none"
        print(f"voice:    {voice} ({sound.voice_reason})", file=out)
        print(f"cues:     {paths.sounds_dir()}", file=out)
        print("routines:", file=out)
        print(f"  built-in     {_folder(paths.builtin_routines_dir())}", file=out)
        print(f"  user         {_folder(paths.user_routines_dir(), 'not created yet')}", file=out)
        extra = paths.extra_routine_dirs()
        if extra:
            for folder in extra:
                print(f"  UNKNOT_PATH  {_folder(folder)}", file=out)
        else:
            print("  UNKNOT_PATH  (not set)", file=out)
        for folder in getattr(args, "routines", None) or []:
            print(f"  --routines   {_folder(Path(folder).expanduser())}", file=out)
        home_note = "UNKNOT_HOME" if os.environ.get("UNKNOT_HOME") else "platform default"
        print(f"history:  {paths.history_path()} ({home_note})", file=out)
        _media_keys(args, out)
        if sound.backend == "off":
            print("test cue: not played (sound is off)", file=out)
        else:
            sound.play_cue("start")
            print(f"test cue: played 'start' through {sound.backend}", file=out)
            if sound.voice_name:
                sound.say("Sound check.")
                print(f"test voice: said 'Sound check.' with {sound.voice_name}", file=out)
        out.flush()
    finally:
        # Waits for the test cue (and words) to finish: exiting would cut them off.
        sound.close(wait=True, timeout=5.0)
    return 0


def _media_keys(args: argparse.Namespace, out: TextIO) -> None:
    """Whether media keys, headset buttons and the desktop's widget would reach a session."""
    from player.mpris import TRY_IT, probe

    if getattr(args, "media_keys", True) is False:
        print("media keys: off (media_keys = false in config.toml)", file=out)
        return
    reachable, why = probe()
    print(f"media keys: {'reachable' if reachable else 'not reachable'}: {why}", file=out)
    if reachable:
        print(f"          - try it while a session plays: {TRY_IT}", file=out)
