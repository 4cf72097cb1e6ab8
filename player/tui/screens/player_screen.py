"""Provides the player: one routine played through the session engine, shown large and calm.

The screen keeps no clock and no session of its own: it drives a `player.playback.Playback`
(session, recorder, sound, saving), as the headless driver does. The engine owns time. One
Textual timer is set to the next moment something is due: the engine's next deadline
(`next_deadline()`: a cue, a segment's end) or the next change of a figure on screen (the
whole second the countdown or the time left shows), whichever comes first; it polls, redraws
from what the engine reports (`segment_remaining()` and friends) and sets itself again. No
fixed beat: nothing runs between those moments, and nothing at all while paused. Events reach
the sound player, the history recorder and this screen as listeners of the same engine, on
the app's thread, inside that poll. Keys become Playback commands, the same ones MPRIS and the
remote page send.

The whole of a step's instructions must be readable during its lead-in: on every new segment
and every resize the screen asks `player.tui.layout.plan` how much body map fits beside them
for the whole step (both figures, one, or none) and, when nothing else will do, lets the
instructions scroll.
"""

from __future__ import annotations

import asyncio
import math
import time
from typing import TYPE_CHECKING, cast

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Label, Static

from player import vocab
from player.clock import MonotonicClock
from player.control import Command
from player.durations import format_clock
from player.errors import UnknotError
from player.events import Done, Event
from player.playback import Playback, Severity
from player.routine import Routine
from player.safe_text import visible
from player.session import Session
from player.timeline import Segment, Timeline, expand
from player.tui import layout, text
from player.tui.screens.dialogs import ConfirmEndScreen, StartChoice, StartScreen
from player.tui.widgets.body_map import BodyMap
from player.tui.widgets.countdown import Countdown
from player.tui.widgets.footer import FittingFooter
from player.tui.widgets.meters import PressureScale, TimeBar

if TYPE_CHECKING:
    from player.remote.server import RemoteServer
    from player.tui.app import UnknotApp

#: Real seconds after a shown figure's change that the redraw for it is timed: the change is
#: computed from float seconds, so a redraw at the exact instant could still round the old way.
SETTLE = 0.0005
#: Real seconds before a deadline that the timer fires, to finish with a short, punctual sleep:
#: the event loop wakes a little late (a busy machine, deep idle), as headless mode's select does.
EARLY = 0.002

_KIND_CLASSES = ("-ready", "-lead_in", "-work", "-rest", "-switch", "-paused", "-done")


class PlayerScreen(Screen[None]):
    """Plays one routine: countdown, what to do, where, how hard, and what comes next."""

    BINDINGS = [
        # One key, two labels: the footer says what space will do now.
        Binding("space", "toggle_pause('pause')", "Pause"),
        Binding("space", "toggle_pause('resume')", "Resume"),
        Binding("n,right", "next", "Next", key_display="n →"),
        Binding("p,left", "back", "Back", key_display="p ←"),
        Binding("r", "restart", "Restart"),
        Binding("plus,equals_sign", "extend", "+15 s", key_display="+"),
        Binding("m", "mute('mute')", "Mute"),
        Binding("m", "mute('unmute')", "Unmute"),
        Binding("f", "floor", "Floor view"),
        Binding("q", "end", "End"),
        Binding("o", "remote", "Remote"),
        # Only needed when the instructions do not fit (a hint under them says so).
        Binding("up", "scroll_instructions(-1)", "Scroll up", show=False),
        Binding("down", "scroll_instructions(1)", "Scroll down", show=False),
    ]
    #: When the footer is too narrow for every key, the last of these go first (q never).
    FOOTER_KEEP = ("end", "toggle_pause", "next", "back", "floor", "mute", "extend", "restart")
    #: The countdown is emphasised in the last seconds of a segment (the step's countdown
    #: beeps, or this many when it has none).
    FINAL_SECONDS = 3

    def __init__(self, routine: Routine) -> None:
        super().__init__()
        self.routine = routine
        self.timeline: Timeline = expand(routine)
        self._playback: Playback | None = None
        #: The phone remote's server (`--remote`), which stops itself when the session ends.
        self.remote: RemoteServer | None = None
        #: The one pending wake-up (an asyncio timer handle on Textual's loop).
        self._timer: asyncio.TimerHandle | None = None
        self._shown: dict[str, object] = {}
        self._leaving = False
        #: A dialog over the player paused the session; its closing resumes it.
        self._paused_for_dialog = False
        #: The terminal's own title is saved on its title stack (see `_window_title`).
        self._title_pushed = False
        self._plan: layout.Plan | None = None
        #: The segment on show (the layout is planned for its step).
        self._seg: Segment | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="player-top"):
            yield Label(self.routine.name, id="routine-name", markup=False)
            yield Label("", id="sound-state")
            yield Label("", id="step-of")
        with Horizontal(id="player-body"):
            with Vertical(id="player-main"):
                yield Static("", id="banner", markup=False)
                yield Label("", id="headline", markup=False)
                # The floor view's one line: the step and the side, above the countdown.
                yield Label("", id="floor-step", markup=False)
                yield Countdown("00:00", id="countdown")
                # A scroll box that is as tall as its text unless the layout plan says it
                # must scroll; the screen's keys scroll it, so it never takes the focus.
                with VerticalScroll(id="instructions-box", can_focus=False):
                    yield Static("", id="instructions", markup=False)
                yield Label("", id="more")
                yield PressureScale(id="pressure")
                yield TimeBar("Step", id="step-bar")
                yield TimeBar("Routine", id="routine-bar")
                yield Static("", id="next", markup=False)
            yield BodyMap(id="body-map")
        yield FittingFooter()

    @property
    def unknot_app(self) -> UnknotApp:
        """The app, typed (Textual types `self.app` as any App)."""
        return cast("UnknotApp", self.app)

    @property
    def playback(self) -> Playback:
        """The routine being played (made when the screen is mounted)."""
        assert self._playback is not None, "the player screen is not mounted"
        return self._playback

    @property
    def session(self) -> Session:
        return self.playback.session

    def on_mount(self) -> None:
        app = self.unknot_app
        self._playback = Playback(self.routine, clock=app.clock, speed=app.speed,
                                  record=app.record, history_path=app.history_path,
                                  sound=lambda: app.sound, notice=self._notice)
        self.timeline = self._playback.timeline
        if app.events is not None:
            self._playback.log_events(app.events)
        self._playback.subscribe(self.on_session_event)
        self.redraw()
        self.watch(self.query_one("#instructions-box"), "scroll_y", self._show_more,
                   init=False)
        app.first_run_notice(self._ask_start)

    def _notice(self, message: str, severity: Severity) -> None:
        # Through the app, so a notice still shows once this screen has given way to the summary.
        self.unknot_app.notify(message[:1].upper() + message[1:], severity=severity,
                               markup=False)

    # -- starting and finishing ------------------------------------------------------------

    def _ask_start(self) -> None:
        # Speech for every step is rendered in the background while the person reads the
        # start dialog, so a spoken cue never waits on espeak-ng. The sound listener is made
        # off the event loop and may arrive later; then the first event prepares it.
        self.playback.prepare_sound()
        self.unknot_app.push_screen(StartScreen(self.routine, self.timeline.total),
                                    self._start_choice)

    def _start_choice(self, choice: StartChoice | None) -> None:
        if choice is None or not choice.start:
            self._leave()
            return
        self._wake_here()
        self._start_remote()
        # Media keys, headset buttons, the desktop's widget (MPRIS): silent without a bus.
        self.playback.start_media_keys(self.unknot_app.media_keys)
        self.playback.recorder.region_pain_before = dict(choice.region_pain)
        self.playback.start(pain_before=choice.pain_before)
        self.tick()

    class Wake(Message):
        """A button on the phone or the headset was pressed (posted from its thread)."""

    def _wake_here(self) -> None:
        """A button on the phone or the headset wakes this screen, which runs it here, on the
        session's thread, in the app's context (a command that ends the session switches to
        the summary): post_message is thread-safe."""
        def wake() -> None:
            self.post_message(self.Wake())

        self.playback.wake = wake

    def on_player_screen_wake(self, message: Wake) -> None:
        self._drain()

    def _start_remote(self) -> None:
        """`--remote`: the phone page's server on the Playback's control, its panel shown."""
        app = self.unknot_app
        if not app.remote:
            return
        from player.remote import start_remote

        try:
            self.remote = start_remote(self.playback.control, app.remote_bind)
        except UnknotError as exc:  # the port is taken: play on without the remote
            self.notify(str(exc), severity="error", markup=False, timeout=10)
            return
        self.playback.log_line({"event": "remote", "url": self.remote.url})
        self.action_remote()

    def _drain(self) -> None:
        if self._playback is not None and self._playback.drain():
            self._then_redraw()

    def action_remote(self) -> None:
        if self.remote is not None:
            from player.remote import qr_text
            from player.tui.screens.remote_panel import RemotePanel

            self.unknot_app.push_screen(RemotePanel(self.remote.url, qr_text(self.remote.url)))

    def _leave(self) -> None:
        """Back to the picker without playing (or out, when the player was opened directly)."""
        self._leaving = True
        if self.unknot_app.routine is not None:
            self.unknot_app.exit(return_code=0)
        else:
            self.dismiss(None)

    def on_session_event(self, event: Event) -> None:
        if isinstance(event, Done) and not self._leaving:
            self._leaving = True
            if self._timer is not None:
                self._timer.cancel()
            from player.tui.screens.summary import SummaryScreen

            # The routine can end under the end-session prompt: close it first, so the
            # summary takes this screen's place and nothing of the player is left below.
            app = self.unknot_app
            while len(app.screen_stack) > 1 and app.screen is not self:
                app.pop_screen()
            # The summary saves through the Playback, with the pain-after rating typed there.
            app.switch_screen(SummaryScreen(self.routine, event, self.playback))

    def interrupt(self, reason: str = "interrupted") -> None:
        """Ctrl+C or a signal: end the session as `reason` and save it, without the summary."""
        self._leaving = True
        if self._playback is not None:
            self._playback.end(reason)
            self._playback.save()

    def pause_for_suspend(self) -> None:
        """Ctrl+Z (SIGTSTP): the session waits while the process is stopped, and the window
        gets the shell's title back meanwhile."""
        if self._is_playing():
            self.playback.pause()
            self._then_redraw()
        self._restore_title()
        self._shown.pop("title", None)  # so the next redraw sets it again

    def continue_after_suspend(self) -> None:
        """`fg` (SIGCONT after a Ctrl+Z): drawn again, unknot's title with it."""
        self._then_redraw()

    def on_screen_suspend(self) -> None:
        """A dialog covers the player ("End this session?", help, the remote panel): the
        session waits for it, so no time passes unseen behind it."""
        if self._is_playing() and not self.session.paused:
            self._paused_for_dialog = self.playback.pause()
            self._then_redraw()

    def on_screen_resume(self) -> None:
        """The dialog is gone: the session goes on as the dialog found it."""
        if not self._paused_for_dialog:
            return
        self._paused_for_dialog = False
        if self._is_playing() and not self._leaving:
            self.playback.resume()
            self._then_redraw()

    def _window_title(self, clock: str, seg: Segment, kind: str) -> None:
        """`04:12 · Calves · unknot` in the terminal's title while playing (xterm's title
        stack keeps the one it had: pushed at the first, popped on every way out)."""
        if not self.unknot_app.window_title or kind == "ready":
            return
        what = (vocab.display_name("region", seg.region) if seg.region
                else vocab.display_name("technique", seg.technique))
        title = visible(f"{clock} · {what} · unknot", multiline=False)
        if not self._title_pushed:
            self._title_pushed = True
            self._terminal_write("\x1b[22;0t")  # push the title the terminal had
        self._terminal_write(f"\x1b]2;{title}\x07")

    def _restore_title(self) -> None:
        if self._title_pushed:
            self._title_pushed = False
            self._terminal_write("\x1b[23;0t")  # pop: the title from before unknot

    def _terminal_write(self, data: str) -> None:
        driver = self.unknot_app._driver  # noqa: SLF001 - Textual has no public title call
        if driver is not None:
            try:
                driver.write(data)
            except Exception:  # the terminal is gone (hang-up): nothing to show it on
                pass

    def on_unmount(self) -> None:
        self._restore_title()
        # Leaving any other way (Ctrl+Q, the app closing) still records what was done.
        if self._playback is not None and self._playback.playing:
            self._leaving = True
            self._playback.end("stopped")
            self._playback.save()
        if self._playback is not None:
            self._playback.close()  # the --events log

    # -- drawing ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Let the engine emit what is due, redraw from what it reports, and set the timer
        for the next moment something is due (tests call it after moving the fake clock)."""
        if self._playback is None or self._playback.state == "done":
            return
        try:
            self._settle()
            self._playback.poll()
            if not self._leaving:
                self.redraw()
        finally:
            self._arm()  # whatever happened above, the next wake-up is set

    def _settle(self) -> None:
        """Woken EARLY before a deadline: wait out the last moment, so the cue is on time."""
        assert self._playback is not None
        wake = self._next_wake(self._playback.session)
        if wake is None or not isinstance(self._playback.clock, MonotonicClock):
            return  # a fake clock (tests) never waits
        left = wake - self._playback.clock.now()
        if 0 < left <= EARLY:
            time.sleep(left)

    def _wake_up(self) -> None:
        self._timer = None
        self.call_later(self.tick)  # False when the screen is closing: nothing left to wake

    def _arm(self) -> None:
        """One timer to the next deadline or shown change; none while paused or done."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._leaving or self._playback is None:
            return
        wake = self._next_wake(self._playback.session)
        if wake is not None:
            delay = wake - self._playback.clock.now()
            if delay > 2 * EARLY:
                delay -= EARLY
            # Not Textual's set_timer: its one-shot timer "skips" a tick whose task starts later
            # than its delay (and divides by a delay of 0), so on a loaded machine the chain
            # of wake-ups could silently end. The loop's own timer always fires; the tick then
            # runs as a message posted to this screen (call_later: a queued Callback, which
            # always wakes the screen's message loop; call_next only ran with the next message
            # the screen happened to get, and under load the wake-up could be lost).
            loop = asyncio.get_running_loop()
            self._timer = loop.call_later(max(delay, 0.0), self._wake_up)

    @staticmethod
    def _next_wake(session: Session) -> float | None:
        """Clock time of the next engine deadline or whole-second change on screen."""
        deadline = session.next_deadline()
        if deadline is None:  # paused, done, or nothing left to happen
            return None
        now = session.clock.now()
        wake = deadline
        for left in (session.segment_remaining(), session.routine_remaining()):
            # The countdown rounds up (format_clock): it changes when `left` reaches the
            # whole second below the one shown.
            below = math.ceil(left) - 1
            if below >= 0:
                wake = min(wake, now + (left - below) / session.speed + SETTLE)
        return wake

    def _set(self, key: str, value: object) -> bool:
        """Remember `value` under `key`; True when it changed (only then is a widget updated)."""
        if self._shown.get(key, _MISSING) == value:
            return False
        self._shown[key] = value
        return True

    def redraw(self) -> None:
        """Update what changed since the last redraw (each widget only when its value did)."""
        session = self._playback.session if self._playback is not None else None
        state = session.state if session is not None else "ready"
        seg: Segment | None = session.current if session is not None else None
        if seg is None and self.timeline.segments and state == "ready":
            seg = self.timeline.segments[0]
        if seg is None:
            return
        running = session if state != "ready" else None
        kind = "paused" if state == "paused" else ("ready" if state == "ready" else seg.kind)
        self._draw_kind(kind, seg)
        if self._set("headline", seg.index):
            self._draw_segment(seg)
        self._draw_time(running, seg, kind)
        sound = self._playback.sound if self._playback is not None else None
        muted = bool(sound is not None and sound.muted)
        if self._set("muted", muted):
            self.query_one("#sound-state", Label).update("muted" if muted else "")
            self.refresh_bindings()  # m: Mute or Unmute

    def _draw_kind(self, kind: str, seg: Segment) -> None:
        if self._set("kind", kind):
            # One restyle: the classes are only touched when the kind shown changes.
            self.set_classes([c for c in self.classes if c not in _KIND_CLASSES] + [f"-{kind}"])
        if self._set("paused", kind == "paused"):
            self.refresh_bindings()  # space: Pause or Resume
        if self._set("banner", (kind, seg.index)):
            self.query_one("#banner", Static).update(self.banner_text(kind, seg))

    def _draw_segment(self, seg: Segment) -> None:
        """A new segment: what to do, where, how hard, and what comes next."""
        self.query_one("#headline", Label).update(text.segment_headline(seg))
        self.query_one("#floor-step", Label).update(
            f"Step {seg.step} of {seg.of} · {text.segment_headline(seg)}")
        self.query_one("#step-of", Label).update(f"Step {seg.step} of {seg.of}")
        self.query_one("#instructions", Static).update(self._instructions(seg))
        self.query_one(PressureScale).set_value(seg.step_ref.pressure)
        self.query_one("#next", Static).update(text.next_text(self.timeline, seg))
        self.query_one(BodyMap).show(seg.region, seg.side)
        self._seg = seg
        self._layout()
        if self._set("step", seg.step):
            # New instructions start at their top; a side or a rest keeps the place.
            self.query_one("#instructions-box", VerticalScroll).scroll_home(animate=False)

    def _draw_time(self, session: Session | None, seg: Segment, kind: str) -> None:
        """The countdown and both bars; `session` is None before the start."""
        if session is None:
            remaining, elapsed, routine_left = seg.duration, 0.0, self.timeline.total
        else:
            remaining, elapsed = session.segment_remaining(), session.segment_elapsed()
            routine_left = session.routine_remaining()
        countdown = self.query_one("#countdown", Countdown)
        clock = format_clock(remaining)
        countdown.show(clock)  # repaints only when the text changes
        if self._set("title", (clock, seg.index, kind)):
            self._window_title(clock, seg, kind)
        last = seg.step_ref.cues.countdown or self.FINAL_SECONDS
        final = kind in ("lead_in", "work", "switch") and 0 < remaining <= last
        if self._set("final", final):
            countdown.emphasise(final)
        step_segments = [s for s in self.timeline.segments if s.step == seg.step]
        before = sum(s.duration for s in step_segments if s.index < seg.index)
        after = sum(s.duration for s in step_segments if s.index > seg.index)
        self.query_one("#step-bar", TimeBar).set_progress(
            before + elapsed, before + elapsed + remaining + after)
        self.query_one("#routine-bar", TimeBar).set_progress(
            seg.at + elapsed, seg.at + elapsed + routine_left)

    # -- room for the instructions ----------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._layout((event.size.width, event.size.height))

    @staticmethod
    def _instructions(seg: Segment) -> str:
        step = seg.step_ref
        if not step.instructions and step.technique in vocab.TECHNIQUE_BY_ID:
            return vocab.TECHNIQUE_BY_ID[step.technique].instructions
        return step.instructions or ""

    def _layout(self, size: tuple[int, int] | None = None) -> None:
        """Fit the body map and the instructions to the screen (see `player.tui.layout`).

        The plan is made for the whole step (every side, switch and rest of it), so the map
        does not come and go while the person holds a position."""
        width, height = size or (self.size.width, self.size.height)
        seg = self._seg
        if seg is None or width <= 0 or height <= 0:
            return
        in_step = [s for s in self.timeline.segments if s.step == seg.step]
        breakpoints = self.unknot_app.HORIZONTAL_BREAKPOINTS
        narrow_below = min((at for at, name in breakpoints if name != "-narrow"),
                           default=0)
        plan = layout.plan(
            width, height, narrow=width < narrow_below,
            headlines=[text.segment_headline(s) for s in in_step],
            instructions=self._instructions(seg),
            next_lines=[text.next_text(self.timeline, s) for s in in_step],
            region=seg.region)
        self.call_after_refresh(self._show_more)
        if plan == self._plan:
            return
        self._plan = plan
        self.set_class(plan.map_views is None, "-map-none")
        for spacing in layout.CHROME_ROWS:
            if spacing.startswith("-"):
                self.set_class(plan.spacing == spacing, spacing)
        if plan.map_views is not None:
            self.query_one(BodyMap).views = plan.map_views
        box = self.query_one("#instructions-box", VerticalScroll)
        box.styles.height = plan.instruction_rows  # None: back to the stylesheet's `auto`
        self.set_class(plan.instruction_rows is not None, "-scrolling")
        self._size_countdown()

    def _size_countdown(self) -> None:
        """The plan's rows for the countdown, or all the room there is in the floor view."""
        rows = self._plan.countdown_rows if self._plan is not None else layout.COUNTDOWN_ROWS
        self.query_one(Countdown).styles.height = "1fr" if self.has_class("-floor") else rows

    def action_floor(self) -> None:
        """`f`: only the countdown, the step and the side, as large as the terminal allows."""
        self.toggle_class("-floor")
        self._size_countdown()

    def _show_more(self, _: object = None) -> None:
        """Say under scrolling instructions whether more of them is below."""
        box = self.query_one("#instructions-box", VerticalScroll)
        more = self.query_one("#more", Label)
        if self._plan is None or self._plan.instruction_rows is None:
            more.update("")
        elif box.scroll_y < box.max_scroll_y:
            more.update("▼ more below · ↓ scrolls")
        else:
            more.update("▲ ↑ scrolls back up")

    def action_scroll_instructions(self, direction: int) -> None:
        box = self.query_one("#instructions-box", VerticalScroll)
        if direction > 0:
            box.scroll_down(animate=False)
        else:
            box.scroll_up(animate=False)

    @staticmethod
    def banner_text(kind: str, seg: Segment) -> str:
        if kind == "paused":
            return "Paused · space resumes"
        if kind == "ready":
            return "Ready"
        if seg.kind == "lead_in":
            return "Get into position"
        if seg.kind == "switch":
            return f"Switch sides → {text.side_name(seg.side).lower()}"
        if seg.kind == "rest":
            return f"Rest · then {seg.repeat} of {seg.repeats}"
        if seg.repeats > 1:
            return f"Work · {seg.repeat} of {seg.repeats}"
        return "Work"

    # -- keys ------------------------------------------------------------------------------

    def _is_playing(self) -> bool:
        return self._playback is not None and self._playback.playing

    def _then_redraw(self) -> None:
        if not self._leaving:
            self.redraw()
            self._arm()  # a pause, a skip or +15 s moves the next deadline

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "remote":
            return self.remote is not None
        if action == "toggle_pause" and parameters:
            paused = self._playback is not None and self._playback.state == "paused"
            return parameters[0] == ("resume" if paused else "pause")
        if action == "mute" and parameters:
            sound = self._playback.sound if self._playback is not None else None
            return parameters[0] == ("unmute" if sound is not None and sound.muted else "mute")
        return True

    def _command(self, command: Command) -> None:
        """A key: the same Playback command MPRIS and the remote page send."""
        if self._is_playing():
            self.playback.command(command)
            self._then_redraw()

    def action_toggle_pause(self, _label: str = "") -> None:
        self._command(Command.PLAY_PAUSE)

    def action_next(self) -> None:
        self._command(Command.NEXT)

    def action_back(self) -> None:
        self._command(Command.PREVIOUS)

    def action_restart(self) -> None:
        self._command(Command.RESTART)

    def action_extend(self) -> None:
        if self._is_playing():
            self._command(Command.EXTEND)
            self.notify("+15 s", timeout=1.5)

    def action_mute(self, _label: str = "") -> None:
        sound = self._playback.sound if self._playback is not None else None
        if sound is None:
            self.notify("There is no sound to mute.", timeout=2)
            return
        sound.muted = not sound.muted
        self.notify("Sound off" if sound.muted else "Sound on", timeout=1.5)
        self._then_redraw()

    def action_end(self) -> None:
        if not self._is_playing():
            return
        self.unknot_app.push_screen(ConfirmEndScreen(), self._end_answer)

    def _end_answer(self, end: bool | None) -> None:
        if end and self._is_playing():
            self.playback.command(Command.QUIT)


_MISSING = object()
