"""Provides Sound, the session listener that plays cues and speech, and make_sound() to pick one.

The engine calls a Sound on its own thread for every event. A Sound never does audio work
there: a cue becomes a job on a queue that a worker thread plays, speech has its own thread
that waits for the cue in front of it to finish. So a slow device open, a player command
starting up or the speech synthesiser can never delay the clock. The one exception is the
terminal bell, which is rung right away on the caller's thread (see BellBackend).
"""

from __future__ import annotations

import os
import queue
import sys
import threading
import time
import wave
from collections import deque
from pathlib import Path
from typing import Callable, Iterable

from player import paths
from player.events import CueFired, Done, Event, SegmentStarted, Skipped
from player.sound.backends import (
    Backend,
    BellBackend,
    CommandBackend,
    DeviceError,
    OffBackend,
    Playing,
    SimpleaudioBackend,
    SoundFileError,
    check_wav,
    default_bell,
)
from player.sound.voice import (
    Speaker,
    SpeechError,
    done_phrase,
    find_speech_engine,
    phrases_for,
    utterances_of,
)
from player.timeline import Timeline

#: Which WAV in sounds/ each cue plays (vocab.CUE_NAMES).
CUE_FILES: dict[str, str] = {
    "start": "start.wav",
    "halfway": "halfway.wav",
    "countdown": "tick.wav",
    "cadence": "cadence.wav",
    "switch": "switch.wav",
    "end": "end.wav",
    "done": "done.wav",
}

#: The cues worth a terminal bell. Countdown and cadence ticks come every second or few: as
#: bells they would be a din (and many terminals rate-limit or flash for each).
BELL_CUES = frozenset({"start", "halfway", "switch", "end", "done"})

#: A cue that falls while words are being spoken plays at this gain (-12 dB), so it is heard
#: as a soft tick under the words instead of drowning them (design.md: never both at full).
DUCK_GAIN = 0.25

#: Speech waits this long after the event that asked for it, so the cue emitted in the same
#: engine poll (an `end` cue arrives with the next step's lead-in) is known before it starts.
_SPEECH_SETTLE = 0.05

Notice = Callable[[str], None]


def _to_stderr(line: str) -> None:
    # The default notice: stdout may carry --json lines that a reader parses.
    print(line, file=sys.stderr, flush=True)


class Sound:
    """A listener that plays the cue for every CueFired and speaks each step as it begins.

    Build one with make_sound(). `notice` is only ever called on the thread that calls the
    Sound (or make_sound), never from a worker, so a TUI may pass a function that touches its
    widgets. Call `prepare(timeline)` before the session starts to render speech ahead of time.
    """

    def __init__(self, backend: Backend, *, reason: str, notice: Notice,
                 speaker: Speaker | None = None, voice_reason: str = "",
                 sounds_dir: Path | None = None) -> None:
        self._backend = backend
        #: Why this backend was chosen (one line, for `unknot doctor`).
        self.reason = reason
        #: Why speech is on or off (one line, for `unknot doctor`).
        self.voice_reason = voice_reason
        #: Called on the worker thread as (cue, time.monotonic()) right after each cue's play
        #: call has returned: bench/cue_latency.py measures the gap from the cue's deadline.
        self.on_played: Callable[[str, float], None] | None = None
        self._notice = notice
        self._muted = False
        self._closed = False
        self._lock = threading.Lock()
        self._failure: str | None = None
        self._failure_reported = False
        self._dead = False
        #: time.monotonic() when the cues started so far will have finished playing (from when
        #: each was queued, then from when it really started: a late worker moves it later).
        self._busy_until = 0.0
        #: Cues queued so far, and the number of the last one the worker has dealt with: words
        #: wait for the cues queued before them to have started.
        self._queued = 0
        self._played = 0
        self._custom_lengths: dict[Path, float] = {}
        #: time.monotonic() when the words now playing will have ended (their WAV's length
        #: from the moment they were started: a clock reading, whatever the device does).
        self._speaking_until = 0.0
        #: Cue → its quieter copy, made by the voice thread (only a speaking Sound needs them).
        self._ducked: dict[str, Path] = {}
        folder = sounds_dir or paths.sounds_dir()
        self._defaults: dict[str, Path] = {}
        self._lengths: dict[str, float] = {}
        for cue, name in CUE_FILES.items():
            path = folder / name
            self._defaults[cue] = path
            try:
                self._lengths[cue] = check_wav(path)
                if backend.plays_files:
                    backend.load(path)  # decode once, now, not when the cue is due
            except SoundFileError as exc:
                self._lengths[cue] = 0.0
                self._failure = f"sound: cannot use {exc}"
        self._bad_custom: set[str] = set()
        self._playing: list[Playing] = []
        self._jobs: queue.SimpleQueue[tuple[str, str | None, int, bool] | None] = (
            queue.SimpleQueue())
        self._worker: threading.Thread | None = None
        if backend.plays_files:
            self._worker = threading.Thread(target=self._play_cues, name="unknot-sound",
                                            daemon=True)
            self._worker.start()
        self._voice = _VoiceWorker(speaker, self) if speaker and backend.plays_files else None
        self._report()

    # --- what callers see --------------------------------------------------------------------

    @property
    def backend(self) -> str:
        """The backend's name: simpleaudio, a player command (aplay, …), bell or off."""
        return self._backend.name

    @property
    def voice_name(self) -> str | None:
        """The speech engine in use (espeak-ng, say), or None when there is no speech."""
        return self._voice.speaker.engine.name if self._voice else None

    @property
    def muted(self) -> bool:
        return self._muted

    @muted.setter
    def muted(self, value: bool) -> None:
        self._muted = bool(value)
        if self._muted and self._voice:
            self._voice.cancel()

    def prepare(self, timeline: Timeline) -> None:
        """Render every phrase this timeline will speak (voice.script: the same plan `unknot
        show --script` prints), in the background, in order of need."""
        if self._voice:
            self._voice.prefetch(phrases_for(timeline))

    def play_cue(self, cue: str, sound: str | None = None) -> None:
        """Play one cue now (doctor's test cue), as a CueFired would."""
        self(CueFired(cue=cue, segment=None, at=0.0, t=0.0, sound=sound))

    def say(self, text: str) -> None:
        """Speak a phrase after the cues in front of it (doctor's voice check)."""
        if self._voice and not self._muted:
            self._voice.say(text, time.monotonic() + _SPEECH_SETTLE)

    def __call__(self, event: Event) -> None:
        if self._closed:
            return
        self._report()
        if isinstance(event, CueFired):
            self._cue(event)
        elif isinstance(event, SegmentStarted):
            self._segment(event)
        elif isinstance(event, Skipped):
            # Whatever was being said is about the step we left; the step we land on is
            # announced by its own lead-in.
            if self._voice:
                self._voice.cancel()
        elif isinstance(event, Done) and self._voice:
            if not event.completed:
                self._voice.cancel()
            elif not self._muted and not self._dead:
                self._voice.say(done_phrase(event.active_seconds),
                                time.monotonic() + _SPEECH_SETTLE)

    def close(self, wait: bool = True, timeout: float = 8.0) -> None:
        """Stop the threads. With `wait`, first let what is already queued or playing finish
        (the done chime and "Done." are the last things a routine plays; exiting at once would
        cut them off), for at most `timeout` seconds."""
        if self._closed:
            return
        self._closed = True
        deadline = time.monotonic() + timeout
        if self._voice:
            self._voice.close(drain=wait)
        if self._worker:
            self._jobs.put(None)
            self._worker.join(max(0.0, deadline - time.monotonic()))
        if self._voice:
            self._voice.join(max(0.0, deadline - time.monotonic()))
        if wait:
            while time.monotonic() < deadline:
                with self._lock:
                    playing = list(self._playing)
                if not any(_still(p) for p in playing):
                    break
                time.sleep(0.01)
        if self._voice:
            self._voice.close(drain=False)
        self._backend.close()

    def __enter__(self) -> Sound:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- on the caller's thread --------------------------------------------------------------

    def _cue(self, event: CueFired) -> None:
        if self._muted or self._dead:
            return
        if event.cue == "say_end":
            # Not a sound: the engine's moment for the step's closing words.
            if self._voice and event.segment is not None:
                for u in utterances_of(event.segment):
                    if u.kind == "say_end":
                        self._voice.say(u.text, time.monotonic() + _SPEECH_SETTLE)
            return
        if not self._backend.plays_files:
            if event.cue in BELL_CUES:
                try:
                    self._backend.play(self._defaults.get(event.cue, Path()))
                except Exception as exc:  # a bell must never take the session down
                    self._fail(f"sound: the bell failed ({exc}); sound is off", dead=True)
                    self._report()
            return
        now = time.monotonic()
        with self._lock:
            self._busy_until = max(self._busy_until, now + self._lengths.get(event.cue, 0.0))
            duck = now < self._speaking_until
            self._queued += 1
            seq = self._queued
        self._jobs.put((event.cue, event.sound, seq, duck))

    def _segment(self, event: SegmentStarted) -> None:
        if not self._voice or self._muted or self._dead:
            return
        # voice.utterances_of is the plan `show --script` prints: a lead-in says "Next: " and
        # the cue, a switch the side to come, a step without lead-in its cue at its first work.
        for u in utterances_of(event.segment):
            if u.kind in ("cue", "switch"):
                self._voice.say(u.text, time.monotonic() + _SPEECH_SETTLE)

    def _report(self) -> None:
        # Workers only record a failure; it is told here, on the caller's thread, once.
        if self._failure and not self._failure_reported:
            self._failure_reported = True
            self._notice(self._failure)

    # --- on the worker threads ---------------------------------------------------------------

    def _fail(self, message: str, dead: bool = False) -> None:
        with self._lock:
            if dead:
                self._dead = True
            if self._failure is None:
                self._failure = message

    def _play_cues(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            cue, custom, seq, duck = job
            length = None if self._dead else self._play_one(cue, custom, duck)
            with self._lock:
                self._played = seq
                if length is not None:
                    self._busy_until = max(self._busy_until, time.monotonic() + length)
            if self._voice:
                self._voice.poke()

    def _play_one(self, cue: str, custom: str | None, duck: bool) -> float | None:
        """Start one cue; how long it plays, or None when it did not start."""
        try:
            path = self._pick(cue, custom)
            if duck and path == self._defaults.get(cue):
                path = self._ducked.get(cue, path)
            handle = self._backend.play(path)
        except DeviceError as exc:
            with self._lock:
                busy = any(_still(p) for p in self._playing)
            if not busy:
                self._fail(f"sound: the audio device failed ({exc}); sound is off", dead=True)
            # else: a device without mixing (raw hw, no dmix) refuses a second stream while
            # one plays: this cue is lost, the next one will play.
            return None
        except SoundFileError as exc:
            self._fail(f"sound: cannot play {exc}")
            return None
        except Exception as exc:  # never let a worker die with a traceback on the TUI
            self._fail(f"sound: {type(exc).__name__}: {exc}")
            return None
        hook = self.on_played
        if hook is not None:
            hook(cue, time.monotonic())
        if handle is not None:
            self._track(handle)
        return self._length_of(cue, path)

    def _length_of(self, cue: str, path: Path) -> float:
        if path == self._defaults.get(cue) or path == self._ducked.get(cue):
            return self._lengths.get(cue, 0.0)
        if path not in self._custom_lengths:
            try:
                self._custom_lengths[path] = check_wav(path)
            except SoundFileError:
                self._custom_lengths[path] = 0.0
        return self._custom_lengths[path]

    def _track(self, handle: Playing) -> None:
        # Kept so close() can let them finish; finished ones are dropped as we go.
        with self._lock:
            self._playing = [p for p in self._playing if _still(p)]
            self._playing.append(handle)

    def _pick(self, cue: str, custom: str | None) -> Path:
        """The routine's own WAV when it loads, else the default cue (the loader has warned)."""
        if custom and custom not in self._bad_custom:
            try:
                self._backend.load(Path(custom))
                return Path(custom)
            except SoundFileError:
                self._bad_custom.add(custom)
        if cue not in self._defaults:
            raise SoundFileError(f"no sound for cue {cue!r}")
        return self._defaults[cue]


    def _make_ducked(self, folder: Path) -> None:
        """Quieter copies of the default cues (DUCK_GAIN), cached beside the speech."""
        for cue, path in self._defaults.items():
            try:
                out = duck_wav(path, folder)
                self._backend.load(out)
            except (OSError, SoundFileError, wave.Error, EOFError):
                continue  # that cue plays at full level under the words
            self._ducked[cue] = out

    def _spoke(self, length: float) -> None:
        with self._lock:
            self._speaking_until = time.monotonic() + length


def duck_wav(path: Path, folder: Path, gain: float = DUCK_GAIN) -> Path:
    """A copy of a 16-bit WAV at `gain`, in `folder`, named by the source's content."""
    import array
    import hashlib

    raw = path.read_bytes()
    digest = hashlib.sha1(raw + repr(gain).encode()).hexdigest()[:12]
    out = folder / f"ducked-{path.stem}-{digest}.wav"
    if out.is_file():
        return out
    with wave.open(str(path), "rb") as w:
        params = w.getparams()
        frames = w.readframes(params.nframes)
    if params.sampwidth != 2:
        raise wave.Error(f"{path.name}: only 16-bit WAVs are ducked")
    samples = array.array("h")
    samples.frombytes(frames)
    if sys.byteorder == "big":
        samples.byteswap()
    quiet = array.array("h", (int(v * gain) for v in samples))
    if sys.byteorder == "big":
        quiet.byteswap()
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.tmp.wav")
    with wave.open(str(tmp), "wb") as w:
        w.setnchannels(params.nchannels)
        w.setsampwidth(2)
        w.setframerate(params.framerate)
        w.writeframes(quiet.tobytes())
    os.replace(tmp, out)
    return out


def _still(p: Playing) -> bool:
    try:
        return bool(p.is_playing())
    except Exception:
        return False


class _VoiceWorker:
    """One thread that renders phrases ahead of time and speaks the latest request."""

    def __init__(self, speaker: Speaker, sound: Sound) -> None:
        self.speaker = speaker
        self._sound = sound
        self._cond = threading.Condition()
        self._prefetch: deque[str] = deque()
        self._request: tuple[int, str, float] | None = None
        self._generation = 0
        self._current: Playing | None = None
        self._stop = False
        self._draining = False
        self._thread = threading.Thread(target=self._run, name="unknot-voice", daemon=True)
        self._thread.start()

    def prefetch(self, phrases: Iterable[str]) -> None:
        with self._cond:
            self._prefetch.extend(phrases)
            self._cond.notify()

    def say(self, text: str, earliest: float) -> None:
        with self._cond:
            self._generation += 1
            self._request = (self._generation, text, earliest)
            self._cond.notify()

    def poke(self) -> None:
        """A cue has started (the cue worker says so): words waiting on it look again."""
        with self._cond:
            self._cond.notify_all()

    def cancel(self) -> None:
        with self._cond:
            self._generation += 1
            self._request = None
            current = self._current
            self._cond.notify()
        if current is not None:
            current.stop()

    def close(self, drain: bool = False) -> None:
        """Stop rendering ahead; with `drain`, still speak the request already made."""
        with self._cond:
            self._prefetch.clear()
            if drain:
                self._draining = True
            else:
                self._stop = True
            self._cond.notify_all()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        self._sound._make_ducked(self.speaker.cache_dir)
        failed: set[str] = set()
        while True:
            with self._cond:
                while (not self._stop and not self._draining and self._request is None
                       and not self._prefetch):
                    self._cond.wait()
                if self._stop or (self._request is None and not self._prefetch):
                    return
                request, self._request = self._request, None
                text = request[1] if request else self._prefetch.popleft()
            if text in failed:
                continue
            try:
                path = self.speaker.render(text)
            except SpeechError as exc:
                failed.add(text)
                self._sound._fail(f"voice: {exc}")
                continue
            if request is None:
                continue
            generation, _, earliest = request
            if not self._wait_turn(generation, earliest):
                continue
            try:
                length = check_wav(path)
                handle = self._sound._backend.play(path)
            except (DeviceError, SoundFileError) as exc:
                self._sound._fail(f"voice: cannot play speech ({exc})")
                continue
            self._sound._spoke(length)
            with self._cond:
                self._current = handle
            if handle is not None:
                self._sound._track(handle)

    def _wait_turn(self, generation: int, earliest: float) -> bool:
        """Wait until `earliest`, then for the cues queued by then to have started (a loaded
        machine may start them late) and finished; False if the request was superseded
        meanwhile. Cues that come later (countdown ticks during a lead-in) do not hold the
        words back: they are short and the words are due now."""
        sound = self._sound
        with self._cond:
            wanted: int | None = None
            target: float | None = None
            while True:
                if self._stop or generation != self._generation:
                    return False
                now = time.monotonic()
                if wanted is None and now >= earliest:
                    wanted = sound._queued
                if target is None and wanted is not None and sound._played >= wanted:
                    target = max(now, sound._busy_until)
                if target is not None and target <= now:
                    break
                if wanted is None:
                    self._cond.wait(earliest - now)
                elif target is None:
                    self._cond.wait()  # poke(): the cue worker has started another cue
                else:
                    self._cond.wait(target - now)
            current, self._current = self._current, None
        if current is not None:
            current.stop()
        return not self._stop


def make_sound(mode: str = "auto", voice: bool | None = None, notice: Notice = _to_stderr, *,
               bell: Callable[[], None] | None = None, sounds_dir: Path | None = None,
               cache_dir: Path | None = None) -> Sound:
    """Pick a backend (`auto`, `simpleaudio`, `command`, `bell` or `off`) and a voice.

    `auto` tells `notice` once which backend it took. Asking for a backend that cannot work
    (no audio device, simpleaudio not installed) gives one notice line and a silent Sound,
    never an exception. `voice` None speaks when a speech engine is found; True also says
    why not when none is. `bell` rings the terminal bell (the TUI passes Textual's App.bell).
    """
    backend, reason, line = _choose_backend(mode, bell)
    if line:
        notice(line)
    speaker, voice_reason = _choose_voice(voice, backend, notice, cache_dir)
    return Sound(backend, reason=reason, notice=notice, speaker=speaker,
                 voice_reason=voice_reason, sounds_dir=sounds_dir)


def _choose_backend(mode: str, bell: Callable[[], None] | None
                    ) -> tuple[Backend, str, str | None]:
    """(backend, why, notice line or None)."""
    if mode == "off":
        return OffBackend(), "sound is off (--sound off / --no-sound)", None
    if mode == "simpleaudio":
        sa, why = _try_simpleaudio()
        if sa:
            return sa, "asked for with --sound simpleaudio", None
        return OffBackend(), why, f"sound: {why}; sound is off"
    if mode == "command":
        cmd, why = _try_commands()
        if cmd:
            return cmd, f"asked for with --sound command; {cmd.name} works", None
        return OffBackend(), why, f"sound: {why}; sound is off"
    if mode == "bell":
        ring = bell or default_bell()
        if ring:
            return BellBackend(ring), "asked for with --sound bell", None
        return OffBackend(), "no terminal to ring", "sound: no terminal to ring; sound is off"
    if mode != "auto":
        raise ValueError(f"unknown sound mode {mode!r}")
    sa, sa_why = _try_simpleaudio()
    if sa:
        reason = "it opened the audio device"
        return sa, reason, "sound: simpleaudio"
    cmd, cmd_why = _try_commands()
    if cmd:
        reason = f"{cmd.name} works; {sa_why}"
        return cmd, reason, f"sound: {cmd.name}; {sa_why}"
    ring = bell or default_bell()
    if ring:
        reason = f"terminal bell; {sa_why}; {cmd_why}"
        return BellBackend(ring), reason, f"sound: terminal bell only; {sa_why}"
    reason = f"{sa_why}; {cmd_why}; no terminal to ring"
    return OffBackend(), reason, f"sound: off; {sa_why}"


def _try_simpleaudio() -> tuple[SimpleaudioBackend | None, str]:
    try:
        backend = SimpleaudioBackend()
    except ImportError:
        return None, "simpleaudio is not installed (pip install 'unknot[audio]')"
    try:
        backend.probe()
    except DeviceError as exc:
        return None, f"no audio device (simpleaudio: {exc})"
    return backend, ""


def _try_commands() -> tuple[CommandBackend | None, str]:
    found = CommandBackend.find()
    if not found:
        return None, "no player command found (pw-play, paplay, aplay, afplay)"
    errors = []
    for cmd in found:
        try:
            cmd.probe()
        except DeviceError as exc:
            errors.append(str(exc))
            continue
        return cmd, ""
    return None, "no audio device (" + "; ".join(errors) + ")"


def _choose_voice(voice: bool | None, backend: Backend, notice: Notice,
                  cache_dir: Path | None) -> tuple[Speaker | None, str]:
    if voice is False:
        return None, "turned off with --no-voice"
    engine = find_speech_engine()
    if engine is None:
        why = "no speech engine found (install espeak-ng; macOS has say)"
    elif not backend.plays_files:
        why = f"{engine.name} found, but speech needs a backend that plays sound files"
    else:
        speaker = Speaker(engine, cache_dir)
        return speaker, f"{engine.exe}; cache {speaker.cache_dir}"
    if voice:
        notice(f"voice: {why}; no spoken cues")
    return None, why
