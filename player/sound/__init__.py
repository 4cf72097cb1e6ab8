"""Provides the sound player: cue WAVs and spoken steps for a session, never blocking its clock.

    sound = make_sound(args.sound, args.voice, notice=print_to_stderr)
    sound.prepare(timeline)          # optional: render speech ahead of time
    session.subscribe(sound)
    ...
    sound.close()

Backends, in the order `auto` tries them: simpleaudio, a player command (pw-play, paplay,
aplay, afplay), the terminal bell, off. See docs/sound.md.
"""

from __future__ import annotations

from player.sound.alsa import silence_alsa
from player.sound.listener import BELL_CUES, CUE_FILES, Sound, make_sound

__all__ = ["BELL_CUES", "CUE_FILES", "Sound", "make_sound", "silence_alsa"]
