"""Provides the two MPRIS 2.2 interfaces (root and Player) as dbus-fast services.

Imported only by `player.mpris`, on its own thread, once a session bus is wanted: importing it
imports dbus-fast. Every method and property runs on the MPRIS thread's asyncio loop; the state
they read (`MprisState`) is only ever written there too, from snapshots the session's owner
hands over with `loop.call_soon_threadsafe`. Commands go back through `SessionControl.submit`.

No `from __future__ import annotations` here: dbus-fast reads the D-Bus signatures from the
annotations at class creation.
"""

import time
from collections.abc import Callable
from typing import Annotated

from dbus_fast import PropertyAccess, Variant
from dbus_fast.annotations import (
    DBusBool,
    DBusDict,
    DBusDouble,
    DBusInt64,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
)
from dbus_fast.service import ServiceInterface, dbus_property, method, signal

from player.control import Command, Snapshot

#: The trackid when no step is current (MPRIS 2.2: "/org/mpris/MediaPlayer2/TrackList/NoTrack").
NO_TRACK = "/org/mpris/MediaPlayer2/TrackList/NoTrack"
#: Per-step track ids live under the player's own namespace, not /org/mpris (the spec reserves it).
TRACK_PREFIX = "/org/unknot/step/"
#: A jump of the step position larger than this (routine seconds) is announced with Seeked.
SEEK_TOLERANCE = 0.5

DBusStrings = Annotated[list[str], DBusSignature("as")]
Submit = Callable[[Command], None]


def playback_status(snap: Snapshot) -> str:
    if snap.done or snap.state == "ready":
        return "Stopped"
    return "Paused" if snap.paused else "Playing"


def metadata(snap: Snapshot) -> dict[str, Variant]:
    trackid = f"{TRACK_PREFIX}{snap.step}" if snap.step and not snap.done else NO_TRACK
    meta = {
        "mpris:trackid": Variant("o", trackid),
        "xesam:album": Variant("s", snap.routine_name),
        "xesam:artist": Variant("as", ["unknot"]),
    }
    if trackid != NO_TRACK:
        meta["xesam:title"] = Variant("s", snap.title)
        meta["mpris:length"] = Variant("x", round(snap.step_length * 1e6))
        meta["xesam:trackNumber"] = Variant("i", snap.step)
    else:
        meta["xesam:title"] = Variant("s", snap.routine_name)
    return meta


class MprisState:
    """The latest snapshot, as the two interfaces show it."""

    def __init__(self, snap: Snapshot, now: Callable[[], float] = time.monotonic) -> None:
        self.snap = snap
        self.now = now

    def position(self) -> float:
        """Routine seconds into the step now (moving on from the snapshot while it plays)."""
        snap = self.snap
        pos = snap.step_elapsed
        if playback_status(snap) == "Playing":
            pos += max(self.now() - snap.taken_at, 0.0) * snap.speed
        return max(min(pos, max(snap.step_length, snap.step_elapsed)), 0.0)

    def seeked(self, new: Snapshot) -> bool:
        """Whether going from the current snapshot to `new` is a jump inside one step."""
        old = self.snap
        if old.done or new.done or old.step != new.step or not new.step:
            return False
        expected = old.step_elapsed
        if playback_status(old) == "Playing":
            expected += max(new.taken_at - old.taken_at, 0.0) * old.speed
        if abs(new.step_elapsed - expected) > SEEK_TOLERANCE:
            return True  # a restart of the step
        # A `+15 s`: the same segment grew.
        return (old.kind == new.kind and old.side == new.side
                and new.segment_length > old.segment_length + SEEK_TOLERANCE)


class Root(ServiceInterface):
    """org.mpris.MediaPlayer2."""

    def __init__(self, submit: Submit) -> None:
        super().__init__("org.mpris.MediaPlayer2")
        self._submit = submit

    @method()
    def Raise(self) -> None:  # noqa: N802 (D-Bus names)
        return None  # a terminal cannot be raised

    @method()
    def Quit(self) -> None:  # noqa: N802
        self._submit(Command.QUIT)

    @dbus_property(access=PropertyAccess.READ)
    def CanQuit(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanRaise(self) -> DBusBool:  # noqa: N802
        return False

    @dbus_property(access=PropertyAccess.READ)
    def HasTrackList(self) -> DBusBool:  # noqa: N802
        return False

    @dbus_property(access=PropertyAccess.READ)
    def Identity(self) -> DBusStr:  # noqa: N802
        return "unknot"

    @dbus_property(access=PropertyAccess.READ)
    def SupportedUriSchemes(self) -> DBusStrings:  # noqa: N802
        return []

    @dbus_property(access=PropertyAccess.READ)
    def SupportedMimeTypes(self) -> DBusStrings:  # noqa: N802
        return []


class Player(ServiceInterface):
    """org.mpris.MediaPlayer2.Player."""

    def __init__(self, submit: Submit, state: MprisState) -> None:
        super().__init__("org.mpris.MediaPlayer2.Player")
        self._submit = submit
        self.state = state

    # -- methods

    @method()
    def Next(self) -> None:  # noqa: N802
        self._submit(Command.NEXT)

    @method()
    def Previous(self) -> None:  # noqa: N802
        self._submit(Command.PREVIOUS)

    @method()
    def Pause(self) -> None:  # noqa: N802
        self._submit(Command.PAUSE)

    @method()
    def PlayPause(self) -> None:  # noqa: N802
        self._submit(Command.PLAY_PAUSE)

    @method()
    def Stop(self) -> None:  # noqa: N802
        self._submit(Command.STOP)

    @method()
    def Play(self) -> None:  # noqa: N802
        self._submit(Command.PLAY)

    @method()
    def Seek(self, offset: DBusInt64) -> None:  # noqa: N802
        return None  # CanSeek is false

    @method()
    def SetPosition(self, track_id: DBusObjectPath, position: DBusInt64) -> None:  # noqa: N802
        return None

    @method()
    def OpenUri(self, uri: DBusStr) -> None:  # noqa: N802
        return None

    @signal()
    def Seeked(self, position: DBusInt64) -> DBusInt64:  # noqa: N802
        return position

    # -- properties

    @dbus_property(access=PropertyAccess.READ)
    def PlaybackStatus(self) -> DBusStr:  # noqa: N802
        return playback_status(self.state.snap)

    @dbus_property(access=PropertyAccess.READ)
    def Rate(self) -> DBusDouble:  # noqa: N802
        return float(self.state.snap.speed)

    @dbus_property(access=PropertyAccess.READ)
    def MinimumRate(self) -> DBusDouble:  # noqa: N802
        return min(1.0, float(self.state.snap.speed))

    @dbus_property(access=PropertyAccess.READ)
    def MaximumRate(self) -> DBusDouble:  # noqa: N802
        return max(1.0, float(self.state.snap.speed))

    @dbus_property(access=PropertyAccess.READ)
    def Metadata(self) -> DBusDict:  # noqa: N802
        return metadata(self.state.snap)

    @dbus_property(access=PropertyAccess.READ)
    def Volume(self) -> DBusDouble:  # noqa: N802
        return 1.0

    @dbus_property(access=PropertyAccess.READ)
    def Position(self) -> DBusInt64:  # noqa: N802
        return round(self.state.position() * 1e6)

    @dbus_property(access=PropertyAccess.READ)
    def CanGoNext(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanGoPrevious(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPlay(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanPause(self) -> DBusBool:  # noqa: N802
        return True

    @dbus_property(access=PropertyAccess.READ)
    def CanSeek(self) -> DBusBool:  # noqa: N802
        return False

    @dbus_property(access=PropertyAccess.READ)
    def CanControl(self) -> DBusBool:  # noqa: N802
        return True

    # -- updates (on the MPRIS loop)

    def update(self, snap: Snapshot) -> None:
        """Takes a new snapshot; announces what changed, and a jump inside the step."""
        old = self.state.snap
        jumped = self.state.seeked(snap)
        self.state.snap = snap
        changed: dict[str, object] = {}
        if playback_status(old) != playback_status(snap):
            changed["PlaybackStatus"] = playback_status(snap)
        if metadata(old) != metadata(snap):
            changed["Metadata"] = metadata(snap)
        if old.speed != snap.speed:
            changed["Rate"] = float(snap.speed)
        if changed:
            self.emit_properties_changed(changed)
        if jumped:
            self.Seeked(round(self.state.position() * 1e6))
