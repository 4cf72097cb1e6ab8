"""Provides the unknot Textual app, its `make_app` factory and `run(args, routine)` for the CLI.

The app itself stays thin: it holds what every screen shares (clock, speed, sound, history
path, routine folders), pushes the picker or the player, and moves between them. The screens
live in player/tui/screens/, the layout in app.tcss.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Callable, Iterable

from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from player import paths
from player.clock import Clock, MonotonicClock
from player.errors import UsageError
from player.routine import Routine
from player.safe_text import visible, visible_copy
from player.tui.messages import PlayRequested, SummaryClosed

#: The file whose presence means the not-medical-advice notice has been read.
NOTICE_MARKER = ".notice-seen"


class UnknotApp(App[int]):
    """Picker → player → summary, over one session engine per routine played."""

    CSS_PATH = "app.tcss"
    TITLE = "unknot"
    SUB_TITLE = "guided self-massage"
    BINDINGS = [
        # Ctrl+C ends the session like a signal would (saved as interrupted) and exits 130.
        Binding("ctrl+c", "interrupt", "Quit", show=False, priority=True),
    ]
    # Screens read these classes to drop the body map and the preview when space runs out.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (72, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (21, "-tall"), (28, "-roomy")]

    def __init__(
        self,
        *,
        routine: Routine | None = None,
        library: Callable[[], list[Any]] | None = None,
        routine_dirs: Iterable[str | Path] = (),
        clock: Clock | None = None,
        speed: float = 1.0,
        sound: str = "auto",
        voice: bool | None = None,
        history_path: Path | None = None,
        first_run_notice: bool | None = None,
        theme: str | None = None,
    ) -> None:
        super().__init__()
        #: A `theme` from config.toml that Textual does not know, said once the app is up.
        self._unknown_theme: str | None = None
        if theme:
            if theme in self.available_themes:
                self.theme = theme
            else:
                self._unknown_theme = theme
        # What a routine file says is shown, never obeyed: escapes appear as `\x1b`.
        self.routine = visible_copy(routine)
        self.routine_dirs = [str(d) for d in routine_dirs]
        self._library = library
        self.clock: Clock = clock or MonotonicClock()
        self.speed = speed
        self.sound_mode = sound
        self.voice = voice
        self.history_path = history_path
        self._first_run_notice = first_run_notice
        #: Save --speed previews to history too (`--record`).
        self.record = False
        #: `--events PATH`: every session's events as JSON lines (player.event_log).
        self.events: str | None = None
        #: Publish the session over MPRIS (media keys, headset buttons); `run()` turns it on
        #: unless --no-media-keys or `media_keys = false` (off in tests that build the app).
        self.media_keys = False
        #: SIGTERM, SIGHUP, SIGINT, SIGTSTP save or pause the session (player.tui.signals);
        #: set by `run()` for a real terminal, off in pilot tests.
        self.handle_signals = False
        #: The time left and the step in the terminal's title while playing (`--no-title`,
        #: `title = false`); set by `run()`, off in pilot tests.
        self.window_title = False
        #: Serve the phone remote page while playing (`--remote`), on `remote_bind`.
        self.remote = False
        self.remote_bind: str | None = None
        #: The sound listener once it is ready (it is made off the event loop), else None.
        self.sound: Any = None

    # -- shared services -------------------------------------------------------------------

    def discover(self) -> list[Any]:
        """The routine library as `player.library.Entry` objects (never raises for bad files)."""
        if self._library is not None:
            return [visible_copy(entry) for entry in self._library()]
        from player.library import discover

        return [visible_copy(entry) for entry in discover(self.routine_dirs)]

    def notice(self, message: str) -> None:
        """A one-line notice from any thread (sound backends report here, never on stderr)."""
        try:
            self.call_from_thread(self.notify, message)
        except RuntimeError:
            # Already on the app's thread.
            self.notify(message)

    def safe_bell(self) -> None:
        """The terminal bell, from any thread: the bell sound backend rings through here."""
        try:
            self.call_from_thread(self.bell)
        except RuntimeError:
            self.bell()

    def needs_notice(self) -> bool:
        if self._first_run_notice is not None:
            return self._first_run_notice
        return not (paths.home_dir() / NOTICE_MARKER).exists()

    def first_run_notice(self, then: Callable[[], None]) -> None:
        """Show the not-medical-advice notice once per install, then call `then`."""
        if not self.needs_notice():
            then()
            return
        from player.tui.screens.dialogs import NoticeScreen

        def seen(_: object) -> None:
            self._first_run_notice = False
            try:
                home = paths.home_dir()
                home.mkdir(parents=True, exist_ok=True)
                (home / NOTICE_MARKER).write_text("shown\n", encoding="utf-8")
            except OSError as exc:
                self.notify(f"Could not note that the notice was read: {exc}", severity="warning")
            then()

        self.push_screen(NoticeScreen(), seen)

    # -- lifecycle -------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.handle_signals:
            from player.tui.signals import install

            install(self)
        self._make_sound()
        if self._unknown_theme is not None:
            name = visible(self._unknown_theme, multiline=False)
            self.notify(f"config.toml: no theme called '{name}'; try one of "
                        f"{', '.join(sorted(self.available_themes))}", severity="warning",
                        markup=False, timeout=8)
        if self.routine is not None:
            from player.tui.screens.player_screen import PlayerScreen

            self.push_screen(PlayerScreen(self.routine))

    def get_default_screen(self) -> Screen[Any]:
        """The picker is the app's first screen (composed with the app, not pushed after an
        empty one: one layout and one paint fewer before the list is on screen)."""
        if self.routine is not None:
            return super().get_default_screen()
        from player.tui.screens.picker import PickerScreen

        return PickerScreen()

    @work(thread=True, exclusive=True, group="sound")
    def _make_sound(self) -> None:
        # Probing backends and voices can take a moment; it must not hold up the first frame.
        from player.sound import make_sound

        try:
            sound = make_sound(self.sound_mode, self.voice, notice=self.notice,
                               bell=self.safe_bell)
        except Exception as exc:  # a broken audio stack must never stop a session
            self.notice(f"Sound is off: {exc}")
            return
        try:
            self.call_from_thread(setattr, self, "sound", sound)
        except RuntimeError:
            # The app closed while the backend was being probed: nobody will use it.
            sound.close()

    def on_unmount(self) -> None:
        sound, self.sound = self.sound, None
        if sound is not None:
            try:
                sound.close()
            except Exception:  # closing a dead device is not worth a traceback on exit
                pass

    # -- moving between screens ------------------------------------------------------------

    @on(PlayRequested)
    def play(self, message: PlayRequested) -> None:
        from player.tui.screens.player_screen import PlayerScreen

        self.push_screen(PlayerScreen(message.routine))

    @on(SummaryClosed)
    def summary_closed(self) -> None:
        if self.routine is not None:
            self.exit(return_code=0)
        else:
            self.pop_screen()

    def action_interrupt(self) -> None:
        self.end_and_exit(130, "interrupted")

    def end_and_exit(self, code: int, reason: str) -> None:
        """Ctrl+C, SIGINT, SIGTERM, SIGHUP: end a playing session as `reason`, save, exit."""
        # The player and the summary both hold a session record that must not be lost.
        for screen in self.screen_stack:
            interrupt = getattr(screen, "interrupt", None)
            if callable(interrupt):
                interrupt(reason)
        self.exit(return_code=code)


def make_app(
    *,
    routine: Routine | None = None,
    library: Callable[[], list[Any]] | None = None,
    routine_dirs: Iterable[str | Path] = (),
    clock: Clock | None = None,
    speed: float = 1.0,
    sound: str = "auto",
    voice: bool | None = None,
    history_path: Path | None = None,
    first_run_notice: bool | None = None,
    theme: str | None = None,
) -> UnknotApp:
    """The app, with everything a test may want to swap passed in.

    `library` replaces `player.library.discover(routine_dirs)`; `first_run_notice` forces the
    not-medical-advice notice on or off (None: shown until its marker file exists); `theme`
    is a Textual theme name (config.toml's `theme`).
    """
    return UnknotApp(
        routine=routine, library=library, routine_dirs=routine_dirs, clock=clock, speed=speed,
        sound=sound, voice=voice, history_path=history_path, first_run_notice=first_run_notice,
        theme=theme,
    )


def run(args: argparse.Namespace, routine: Routine | None = None) -> int:
    """Run the TUI: the picker, or the player straight away when `routine` is given."""
    # Textual reads keys from stdin and draws on stderr; without a terminal it cannot work.
    for stream in (sys.__stdin__, sys.__stderr__):
        if stream is None or not stream.isatty():
            raise UsageError("the TUI needs a terminal: try 'unknot list' or "
                             "'unknot play ROUTINE --headless'")
    from player.safe_text import plain_terminal

    # An ISO-8859-1 terminal: ASCII lines, never `\u2591`; routine text as the CLI shows it.
    # Before the app, which keeps a visible copy of the routine.
    plain_terminal(sys.__stderr__)
    app = make_app(
        routine=routine,
        routine_dirs=getattr(args, "routines", None) or (),
        speed=getattr(args, "speed", 1.0),
        sound=getattr(args, "sound", "auto"),
        voice=getattr(args, "voice", None),
        theme=getattr(args, "theme", None),
    )
    app.record = bool(getattr(args, "record", False))
    app.remote = bool(getattr(args, "remote", False))
    app.media_keys = _media_keys(args)
    app.events = getattr(args, "events", None)
    app.handle_signals = True
    app.window_title = _setting(args, "title")
    app.remote_bind = getattr(args, "remote_bind", None)
    app.run()
    return app.return_code if app.return_code is not None else 0


def _setting(args: argparse.Namespace, name: str) -> bool:
    """A boolean option, or (for the picker, which has no such option) config.toml's."""
    if hasattr(args, name):
        return bool(getattr(args, name))
    from player.config import load

    return load().values.get(name, True) is not False


def _media_keys(args: argparse.Namespace) -> bool:
    """--no-media-keys, or (for the picker, which has no such option) config.toml's setting."""
    if hasattr(args, "media_keys"):
        return bool(args.media_keys)
    from player.config import load

    return load().values.get("media_keys", True) is not False
