"""Provides silence_alsa(): stop libasound printing its C-level errors on fd 2.

ALSA reports problems (no card, unknown PCM, bad config) by printing `ALSA lib …` lines to
stderr from C, below Python. Textual draws the whole screen on stderr, so one such line garbles
the TUI, and headless JSON readers see text they did not ask for. We install a no-op error
handler with snd_lib_error_set_handler instead of redirecting fd 2 with dup2, which would also
hide our own tracebacks and Textual's output. The error itself still reaches us: simpleaudio
raises, and the sound backend turns that into one notice line.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
import threading

# void handler(const char *file, int line, const char *function, int err, const char *fmt, ...)
# The callback ignores every argument, so declaring only the fixed ones is safe on the
# Linux ABIs where ALSA exists (variadic extras are simply never read).
_HANDLER_TYPE = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)


def _ignore(file: bytes | None, line: int, function: bytes | None, err: int,
             fmt: bytes | None) -> None:
    return None


#: The C callback must outlive every ALSA call in the process: if it were garbage-collected,
#: libasound would jump into freed memory on its next error. Module globals live forever.
_handler = _HANDLER_TYPE(_ignore)
_lock = threading.Lock()
_installed: bool | None = None


def silence_alsa() -> bool:
    """Install the no-op ALSA error handler once per process; True if libasound was found.

    Safe to call many times and from any thread; a no-op where there is no libasound (macOS,
    Windows, a Linux without ALSA).
    """
    global _installed
    with _lock:
        if _installed is not None:
            return _installed
        _installed = False
        if not sys.platform.startswith("linux"):
            return False
        # The same shared object simpleaudio's extension links against, so the handler we set
        # here is the one its snd_pcm_open() calls report through.
        for name in ("libasound.so.2", ctypes.util.find_library("asound")):
            if not name:
                continue
            try:
                lib = ctypes.CDLL(name)
            except OSError:
                continue
            setter = getattr(lib, "snd_lib_error_set_handler", None)
            if setter is None:
                continue
            setter.argtypes = [_HANDLER_TYPE]
            setter.restype = ctypes.c_int
            setter(_handler)
            _installed = True
            break
        return _installed
