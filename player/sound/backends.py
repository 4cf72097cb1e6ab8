"""Provides the sound backends: simpleaudio, a system player command, the terminal bell, off.

A backend only knows how to start a WAV (or ring); the Sound listener decides what and when,
and calls `play` from its own worker thread, so nothing here ever runs on the engine's thread
except construction and the one-off probe in `make_sound`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any, Callable, Protocol

from player.cue_limits import sound_too_big
from player.sound.alsa import silence_alsa

#: In `auto` order (design.md): PipeWire, PulseAudio, plain ALSA, macOS.
PLAYER_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("pw-play",),
    ("paplay",),
    ("aplay", "-q"),
    ("afplay",),
)


class DeviceError(Exception):
    """The audio device cannot be opened or stopped working: further cues are pointless."""


class SoundFileError(Exception):
    """One WAV is missing, unreadable or in a format the backend cannot play."""


class Playing(Protocol):
    """Something started by `Backend.play` that can be asked whether it still plays, or stopped."""

    def is_playing(self) -> bool: ...

    def stop(self) -> None: ...


class Backend(Protocol):
    name: str
    #: False for the bell: it cannot play speech or custom WAVs, only signal that a cue is due.
    plays_files: bool

    def load(self, path: Path) -> None:
        """Read and check a WAV ahead of time; raise SoundFileError if it is unusable."""

    def play(self, path: Path) -> Playing | None:
        """Start playing a loaded (or loadable) WAV; never waits for it to end."""

    def close(self) -> None: ...


#: Folders of unknot's own rendered speech: a spoken line may run past a cue's 10 s (30 words
#: at a slow --voice-rate), so the cue cap does not apply there (voice.Speaker adds its cache).
_SPEECH_DIRS: set[Path] = set()


def allow_speech_in(folder: Path) -> None:
    """Exempt WAVs in `folder` (unknot's speech cache) from the cue-sound size cap."""
    _SPEECH_DIRS.add(folder.resolve())


def check_wav(path: Path) -> float:
    """The duration of a readable PCM WAV in seconds; SoundFileError for anything else
    (a WAV too big for a cue too, unless it is our own speech)."""
    try:
        too_big = "" if path.resolve().parent in _SPEECH_DIRS else sound_too_big(path)
    except OSError as exc:
        raise SoundFileError(f"{path}: {exc.strerror or exc}") from exc
    if too_big:
        raise SoundFileError(f"{path} {too_big}")
    try:
        with wave.open(str(path), "rb") as w:
            frames, rate, width = w.getnframes(), w.getframerate(), w.getsampwidth()
            channels = w.getnchannels()
    except Exception as exc:  # noqa: BLE001 - wave raises RuntimeError, struct.error… on junk
        raise SoundFileError(f"{path}: {_first_line(exc)}") from exc
    if rate <= 0 or width not in (1, 2, 3, 4) or channels not in (1, 2) or frames <= 0:
        raise SoundFileError(f"{path}: not a playable PCM WAV")
    return frames / rate


# --- simpleaudio -------------------------------------------------------------------------------


class SimpleaudioBackend:
    """simpleaudio: decoded WaveObjects kept in memory, each play() a non-blocking C thread."""

    name = "simpleaudio"
    plays_files = True

    def __init__(self) -> None:
        # Before the import: loading the extension does not open the device, but nothing
        # ALSA says from here on may reach fd 2.
        silence_alsa()
        import simpleaudio

        self._sa: Any = simpleaudio
        self._waves: dict[Path, Any] = {}
        self._lock = threading.Lock()

    def probe(self) -> None:
        """Open the device for real with 5 ms of silence: the only reliable test that it works."""
        try:
            obj = self._sa.play_buffer(b"\0\0" * 220, 1, 2, 44100)
        except Exception as exc:  # simpleaudio raises its own SimpleaudioError (an Exception)
            raise DeviceError(_first_line(exc)) from exc
        # Not wait_done(): a stalled sink (a suspended Bluetooth headset) could hold it for
        # ever, and opening the device was the test.
        deadline = time.monotonic() + 1.0
        while obj.is_playing() and time.monotonic() < deadline:
            time.sleep(0.005)
        obj.stop()

    def load(self, path: Path) -> None:
        with self._lock:
            if path in self._waves:
                return
        check_wav(path)
        try:
            obj = self._sa.WaveObject.from_wave_file(str(path))
        except Exception as exc:
            raise SoundFileError(f"{path}: {_first_line(exc)}") from exc
        with self._lock:
            self._waves[path] = obj

    def play(self, path: Path) -> Playing | None:
        self.load(path)
        with self._lock:
            obj = self._waves[path]
        try:
            return obj.play()  # type: ignore[no-any-return]
        except Exception as exc:
            raise DeviceError(_first_line(exc)) from exc

    def close(self) -> None:
        with self._lock:
            self._waves.clear()


# --- a system player command -------------------------------------------------------------------


class _Process:
    """A player command's process seen as something playing."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc

    def is_playing(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.terminate()
            except OSError:
                pass


class CommandBackend:
    """A system player (pw-play, paplay, aplay, afplay) started once per cue, never waited on."""

    plays_files = True

    def __init__(self, argv: tuple[str, ...]) -> None:
        self.argv = argv
        self.name = argv[0]
        self._children: list[subprocess.Popen[bytes]] = []
        self._loaded: set[Path] = set()
        self._lock = threading.Lock()

    @classmethod
    def find(cls) -> list[CommandBackend]:
        """Every known player command found on PATH, in `auto` order."""
        found = []
        for argv in PLAYER_COMMANDS:
            exe = shutil.which(argv[0])
            if exe:
                found.append(cls((exe,) + argv[1:]))
        return found

    def _spawn(self, path: Path) -> subprocess.Popen[bytes]:
        # An argument list, never a shell string: file names are passed as they are.
        return subprocess.Popen(
            [*self.argv, str(path)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            close_fds=True, start_new_session=True,
        )

    def probe(self, timeout: float = 3.0) -> None:
        """Play 20 ms of silence and wait for the exit code: non-zero means no usable device."""
        fd, name = tempfile.mkstemp(prefix="unknot-probe-", suffix=".wav")
        os.close(fd)
        try:
            with wave.open(name, "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(44100)
                w.writeframes(b"\0\0" * 882)
            try:
                proc = self._spawn(Path(name))
            except OSError as exc:
                raise DeviceError(f"{self.name}: {exc.strerror or exc}") from exc
            try:
                code = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired as exc:
                proc.kill()
                proc.wait()
                raise DeviceError(f"{self.name} did not finish a 20 ms test sound") from exc
            if code != 0:
                raise DeviceError(f"{self.name} exited with status {code}")
        finally:
            os.unlink(name)

    def load(self, path: Path) -> None:
        if path in self._loaded:
            return
        check_wav(path)
        self._loaded.add(path)

    def play(self, path: Path) -> Playing | None:
        self.load(path)
        self._reap()
        try:
            proc = self._spawn(path)
        except OSError as exc:
            raise DeviceError(f"{self.name}: {exc.strerror or exc}") from exc
        with self._lock:
            self._children.append(proc)
        return _Process(proc)

    def _reap(self) -> None:
        # poll() collects finished children so no zombies pile up over a long routine.
        with self._lock:
            self._children = [p for p in self._children if p.poll() is None]

    def close(self) -> None:
        self._reap()


# --- the terminal bell -------------------------------------------------------------------------


def default_bell() -> Callable[[], None] | None:
    """A bell that writes BEL to the controlling terminal, or None when there is none.

    Writes to /dev/tty rather than stdout so `--json` output stays clean; the TUI passes its own
    bell (Textual's App.bell) because the screen belongs to Textual there.
    """
    try:
        # Kept open for the process: the bell may ring hundreds of times in a routine.
        tty = open("/dev/tty" if os.name == "posix" else "CON", "w", encoding="ascii")
    except OSError:
        return None

    def ring() -> None:
        try:
            tty.write("\a")
            tty.flush()
        except OSError:
            pass

    return ring


class BellBackend:
    """The terminal bell. Rung on the caller's thread (writing one byte cannot block), because
    in the TUI the bell is Textual's App.bell, which must not be called from another thread."""

    name = "bell"
    plays_files = False

    def __init__(self, bell: Callable[[], None]) -> None:
        self._bell = bell

    def load(self, path: Path) -> None:
        return None

    def play(self, path: Path) -> Playing | None:
        self._bell()
        return None

    def close(self) -> None:
        return None


class OffBackend:
    name = "off"
    plays_files = False

    def load(self, path: Path) -> None:
        return None

    def play(self, path: Path) -> Playing | None:
        return None

    def close(self) -> None:
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
