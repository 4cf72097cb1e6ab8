"""Provides the player: one routine played through the session engine, shown large and calm.

The screen keeps no clock. The engine (`player.session.Session`) owns time; a 10 Hz interval
only asks it to emit whatever is due (`poll`) and redraws from what it reports
(`segment_remaining()` and friends). Events reach this screen, the sound player and the history
recorder as listeners of the same engine, on the app's thread, inside that poll.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Digits, Footer, Label, Static

from player import vocab
from player.durations import format_clock
from player.events import Done, Event
from player.routine import Routine
from player.timeline import Segment, Timeline, expand
from player.tui import text
from player.tui.screens.dialogs import ConfirmEndScreen, StartChoice, StartScreen
from player.tui.widgets.body_map import BodyMap
from player.tui.widgets.meters import PressureScale, TimeBar

#: How often the engine is polled and the screen redrawn (per second). Cues are due on whole
#: routine seconds; 10 Hz keeps a beep within 0.1 s of its time at a small CPU cost.
POLL_HZ = 10

_KIND_CLASSES = ("-ready", "-lead_in", "-work", "-rest", "-switch", "-paused", "-done")


class PlayerScreen(Screen[None]):
    """Plays one routine: countdown, what to do, where, how hard, and what comes next."""

    BINDINGS = [
        Binding("space", "toggle_pause", "Pause"),
        Binding("n,right", "next", "Next", key_display="n →"),
        Binding("p,left", "back", "Back", key_display="p ←"),
        Binding("r", "restart", "Restart"),
        Binding("plus,equals_sign", "extend", "+15 s", key_display="+"),
        Binding("m", "mute", "Mute"),
        Binding("q", "end", "End"),
    ]

    def __init__(self, routine: Routine) -> None:
        super().__init__()
        self.routine = routine
        self.timeline: Timeline = expand(routine)
        self.session: Any = None
        self.recorder: Any = None
        self._timer: Timer | None = None
        self._shown: dict[str, object] = {}
        self._leaving = False
        self._sound_failed = False
        self._sound_prepared: Any = None

    def compose(self) -> ComposeResult:
        with Horizontal(id="player-top"):
            yield Label(self.routine.name, id="routine-name", markup=False)
            yield Label("", id="sound-state")
            yield Label("", id="step-of")
        with Horizontal(id="player-body"):
            with Vertical(id="player-main"):
                yield Static("", id="banner", markup=False)
                yield Label("", id="headline", markup=False)
                yield Digits("00:00", id="countdown")
                yield Static("", id="instructions", markup=False)
                yield PressureScale(id="pressure")
                yield TimeBar("Step", id="step-bar")
                yield TimeBar("Routine", id="routine-bar")
                yield Static("", id="next", markup=False)
            yield BodyMap(id="body-map")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        from player.session import Session

        app: Any = self.app
        self.session = Session(self.timeline, clock=app.clock, speed=app.speed)
        from player.history import SessionRecorder

        self.recorder = SessionRecorder(self.routine, path=app.history_path)
        self.session.subscribe(self._to_recorder)
        self.session.subscribe(self._to_sound)
        self.session.subscribe(self.on_session_event)
        self.redraw()
        app.first_run_notice(self._ask_start)

    # -- starting and finishing ------------------------------------------------------------

    def _ask_start(self) -> None:
        self._prepare_sound()
        self.app.push_screen(StartScreen(self.routine, self.timeline.total), self._start_choice)

    def _start_choice(self, choice: StartChoice | None) -> None:
        if choice is None or not choice.start:
            self._leave()
            return
        if self.recorder is not None:
            self.recorder.pain_before = choice.pain_before
        self.session.start()
        self._timer = self.set_interval(1 / POLL_HZ, self.tick)
        self.tick()

    def _leave(self) -> None:
        """Back to the picker without playing (or out, when the player was opened directly)."""
        self._leaving = True
        app: Any = self.app
        if app.routine is not None:
            app.exit(return_code=0)
        else:
            self.dismiss(None)

    def on_session_event(self, event: Event) -> None:
        if isinstance(event, Done) and not self._leaving:
            self._leaving = True
            if self._timer is not None:
                self._timer.stop()
            from player.tui.screens.summary import SummaryScreen

            # The routine can end under the end-session prompt: close it first, so the
            # summary takes this screen's place and nothing of the player is left below.
            while len(self.app.screen_stack) > 1 and self.app.screen is not self:
                self.app.pop_screen()
            self.app.switch_screen(SummaryScreen(self.routine, event, self.recorder))

    def _to_recorder(self, event: Event) -> None:
        # The engine reports a failing listener on stderr, which is the TUI's screen: keep
        # any failure here and say it in a notification instead.
        try:
            self.recorder(event)
        except Exception as exc:
            self.notify(f"History: {exc}", severity="error")

    def _prepare_sound(self) -> None:
        # Speech for every step is rendered in the background while the person reads the
        # start dialog, so a spoken cue never waits on espeak-ng. The sound listener is made
        # off the event loop and may arrive later; then the first event prepares it.
        sound = getattr(self.app, "sound", None)
        if sound is not None and self._sound_prepared is not sound:
            self._sound_prepared = sound
            sound.prepare(self.timeline)

    def _to_sound(self, event: Event) -> None:
        sound = getattr(self.app, "sound", None)
        if sound is None or self._sound_failed:
            return
        try:
            self._prepare_sound()
            sound(event)
        except Exception as exc:  # sound must never stop a session; say so once and go on
            self._sound_failed = True
            self.notify(f"Sound stopped: {exc}", severity="warning")

    def interrupt(self) -> None:
        """Ctrl+C: end the session as interrupted and save it, without the summary."""
        self._leaving = True
        if self.session is not None and self.session.state not in ("ready", "done"):
            self.session.stop(reason="interrupted")
        self._save_quietly()

    def on_unmount(self) -> None:
        # Leaving any other way (Ctrl+Q, the app closing) still records what was done.
        if self.session is not None and self.session.state not in ("ready", "done"):
            self._leaving = True
            self.session.stop(reason="stopped")
            self._save_quietly()

    def _save_quietly(self) -> None:
        if self.recorder is None:
            return
        try:
            self.recorder.save()
        except Exception as exc:  # HistoryError: an unwritable folder must not stop the exit
            self.notify(f"History not saved: {exc}", severity="error")

    # -- drawing ---------------------------------------------------------------------------

    def tick(self) -> None:
        """Let the engine emit what is due, then redraw from what it reports."""
        if self.session is None or self.session.state == "done":
            return
        self.session.poll()
        if not self._leaving:
            self.redraw()

    def _set(self, key: str, value: object) -> bool:
        """Remember `value` under `key`; True when it changed (only then is a widget updated)."""
        if self._shown.get(key, _MISSING) == value:
            return False
        self._shown[key] = value
        return True

    def redraw(self) -> None:
        session = self.session
        state = session.state if session is not None else "ready"
        seg: Segment | None = session.current if session is not None else None
        if seg is None and self.timeline.segments and state == "ready":
            seg = self.timeline.segments[0]
        if seg is None:
            return
        if state == "ready":
            remaining, elapsed = seg.duration, 0.0
        else:
            remaining, elapsed = session.segment_remaining(), session.segment_elapsed()
        kind = "paused" if state == "paused" else ("ready" if state == "ready" else seg.kind)
        if self._set("kind", kind):
            self.remove_class(*_KIND_CLASSES)
            self.add_class(f"-{kind}")
        if self._set("banner", (kind, seg.index)):
            self.query_one("#banner", Static).update(self.banner_text(kind, seg))
        if self._set("headline", seg.index):
            self.query_one("#headline", Label).update(text.segment_headline(seg))
            self.query_one("#step-of", Label).update(f"Step {seg.step} of {seg.of}")
            step = seg.step_ref
            instructions = step.instructions
            if not instructions and step.technique in vocab.TECHNIQUE_BY_ID:
                instructions = vocab.TECHNIQUE_BY_ID[step.technique].instructions
            self.query_one("#instructions", Static).update(instructions)
            self.query_one(PressureScale).set_value(step.pressure)
            self.query_one("#next", Static).update(text.next_text(self.timeline, seg))
            self.query_one(BodyMap).show(seg.region, seg.side)
        clock = format_clock(remaining)
        if self._set("clock", clock):
            self.query_one("#countdown", Digits).update(clock)
        step_segments = [s for s in self.timeline.segments if s.step == seg.step]
        before = sum(s.duration for s in step_segments if s.index < seg.index)
        after = sum(s.duration for s in step_segments if s.index > seg.index)
        self.query_one("#step-bar", TimeBar).set_progress(
            before + elapsed, before + elapsed + remaining + after)
        routine_left = (session.routine_remaining() if state != "ready"
                        else self.timeline.total)
        self.query_one("#routine-bar", TimeBar).set_progress(
            seg.at + elapsed, seg.at + elapsed + routine_left)
        sound = getattr(self.app, "sound", None)
        muted = bool(sound is not None and getattr(sound, "muted", False))
        if self._set("muted", muted):
            self.query_one("#sound-state", Label).update("muted" if muted else "")

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
        return self.session is not None and self.session.state not in ("ready", "done")

    def _then_redraw(self) -> None:
        if not self._leaving:
            self.redraw()

    def action_toggle_pause(self) -> None:
        if self._is_playing():
            self.session.toggle_pause()
            self._then_redraw()

    def action_next(self) -> None:
        if self._is_playing():
            self.session.next()
            self._then_redraw()

    def action_back(self) -> None:
        if self._is_playing():
            self.session.back()
            self._then_redraw()

    def action_restart(self) -> None:
        if self._is_playing():
            self.session.restart_step()
            self._then_redraw()

    def action_extend(self) -> None:
        if self._is_playing():
            self.session.extend(15.0)
            self._then_redraw()
            self.notify("+15 s", timeout=1.5)

    def action_mute(self) -> None:
        sound = getattr(self.app, "sound", None)
        if sound is None:
            self.notify("There is no sound to mute.", timeout=2)
            return
        sound.muted = not sound.muted
        self.notify("Sound off" if sound.muted else "Sound on", timeout=1.5)
        self._then_redraw()

    def action_end(self) -> None:
        if not self._is_playing():
            return
        self.app.push_screen(ConfirmEndScreen(), self._end_answer)

    def _end_answer(self, end: bool | None) -> None:
        if end and self._is_playing():
            self.session.stop(reason="stopped")


_MISSING = object()
