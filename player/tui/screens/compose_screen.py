"""Provides "Where does it hurt?": regions chosen on a large body map, minutes and equipment,
and a live preview of the routine player.compose makes from them. Enter plays it, `s` saves it
into the user's routine folder (then it is an ordinary routine: `e` in the picker edits it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Iterable

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer, Label, Static

from player import compose as composer
from player import vocab
from player.durations import format_clock, format_human
from player.errors import UnknotError
from player.routine import Step
from player.tui.messages import PlayRequested
from player.tui.widgets.body_map import BACK, FIGURE_ROWS, FRONT, REGION_CELLS, WIDTH, lit_cells

#: Cells between the front and the back figure, whatever the scale.
GAP = 4
#: Minutes the screen offers, and where it starts.
MINUTES_RANGE = (3, 30)
START_MINUTES = 10
#: The preview's step lines stop here even in a wide column, so a time stays near its step.
PREVIEW_WIDTH = 32


def _cell_regions() -> dict[tuple[int, str], str]:
    """(figure, cell code) → the region a click there chooses (figure 0 front, 1 back).

    Where regions share a code (quads and the IT band on the outer thigh), the region with the
    fewest codes wins, so every code picks the most specific region it belongs to.
    """
    owners: dict[tuple[int, str], list[tuple[int, int, str]]] = {}
    order = {r.id: i for i, r in enumerate(vocab.REGIONS)}
    for rid in REGION_CELLS:
        for figure, codes in enumerate(lit_cells(rid)):
            for code in codes:
                owners.setdefault((figure, code), []).append((len(codes), order[rid], rid))
    return {key: min(found)[2] for key, found in owners.items()}


CELL_REGIONS = _cell_regions()


def _centres() -> dict[str, tuple[float, float]]:
    """Each mapped region's centre on the unscaled map (x across both figures, y down)."""
    points: dict[str, list[tuple[int, int]]] = {}
    for figure, grid in enumerate((FRONT, BACK)):
        for y, row in enumerate(grid):
            for x, code in enumerate(row):
                rid = CELL_REGIONS.get((figure, code))
                if rid is not None:
                    points.setdefault(rid, []).append((x + figure * (WIDTH + GAP), y))
    return {rid: (sum(p[0] for p in ps) / len(ps), sum(p[1] for p in ps) / len(ps))
            for rid, ps in points.items()}


CENTRES = _centres()


class RegionMap(Widget, can_focus=True):
    """The front and back figures, scaled up to aim at; regions toggle with a click or space."""

    BINDINGS = [
        Binding("up", "move('up')", "Region up", show=False),
        Binding("down", "move('down')", "Region down", show=False),
        Binding("left", "move('left')", "Region left", show=False),
        Binding("right", "move('right')", "Region right", show=False),
        Binding("space", "choose", "Toggle region"),
    ]

    DEFAULT_CSS = """
    RegionMap { width: 1fr; height: 1fr; }
    RegionMap > .region-map--body { color: $foreground 35%; }
    RegionMap > .region-map--chosen { color: $accent; text-style: bold; }
    RegionMap > .region-map--focus { color: $success; text-style: bold; }
    RegionMap > .region-map--label { color: $foreground 60%; }
    """
    COMPONENT_CLASSES = {"region-map--body", "region-map--chosen", "region-map--focus",
                         "region-map--label"}

    chosen: reactive[frozenset[str]] = reactive(frozenset())
    """Region ids chosen."""

    focused: reactive[str] = reactive("upper-trapezius")
    """The region the keys act on, shown under the map."""

    @dataclass
    class Changed(Message):
        """The chosen regions changed."""

        chosen: frozenset[str]

    def __init__(self, regions: Iterable[str], chosen: Iterable[str] = (), *,
                 id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        #: Every region that can be chosen, head to feet: up and down walk this list.
        self.regions = tuple(regions)
        self.set_reactive(RegionMap.chosen, frozenset(r for r in chosen if r in self.regions))
        first = next(iter(sorted(self.chosen, key=self.regions.index)), None)
        self.set_reactive(RegionMap.focused, first or self.regions[0])
        self.note = ""

    # -- geometry ------------------------------------------------------------------------

    def scale(self) -> tuple[int, int, int, int]:
        """(cells across per map cell, rows per map row, left margin, top margin): the map as
        large as the widget allows, centred in it."""
        width, height = self.size
        sx = max(1, min(3, (width - GAP) // (2 * WIDTH)))
        sy = max(1, min(2, (height - 2) // FIGURE_ROWS))
        margin = max(0, (width - (2 * WIDTH * sx + GAP)) // 2)
        top = max(0, (height - (FIGURE_ROWS * sy + 2)) // 2)
        return sx, sy, margin, top

    def region_at(self, x: int, y: int) -> str | None:
        """The region drawn at widget cell (x, y), or None."""
        sx, sy, margin, top = self.scale()
        y -= top
        row = (y - 1) // sy
        if y < 1 or not 0 <= row < FIGURE_ROWS:
            return None
        x -= margin
        back_start = WIDTH * sx + GAP
        if 0 <= x < WIDTH * sx:
            figure, column = 0, x // sx
        elif back_start <= x < back_start + WIDTH * sx:
            figure, column = 1, (x - back_start) // sx
        else:
            return None
        code = (FRONT, BACK)[figure][row][column]
        return CELL_REGIONS.get((figure, code)) if code != " " else None

    # -- drawing ---------------------------------------------------------------------------

    def render(self) -> Text:
        styles = {name: self.get_component_rich_style(f"region-map--{name}")
                  for name in ("body", "chosen", "focus", "label")}
        sx, sy, margin, top = self.scale()
        chosen_codes: tuple[set[str], set[str]] = (set(), set())
        for rid in self.chosen:
            for figure, codes in enumerate(lit_cells(rid)):
                chosen_codes[figure].update(codes)
        focus_codes = lit_cells(self.focused)
        text = Text("\n" * top, no_wrap=True, overflow="crop")
        pad = " " * margin
        text.append(pad + "front".center(WIDTH * sx) + " " * GAP + "back".center(WIDTH * sx)
                    + "\n", style=styles["label"])
        for front_row, back_row in zip(FRONT, BACK, strict=True):
            line = Text(pad)
            for figure, row in enumerate((front_row, back_row)):
                if figure:
                    line.append(" " * GAP)
                for code in row:
                    if code == " ":
                        line.append(" " * sx)
                        continue
                    owner = CELL_REGIONS.get((figure, code))
                    if code in focus_codes[figure] and owner == self.focused:
                        glyph, style = ("█" if code in chosen_codes[figure] else "▒"), "focus"
                    elif code in chosen_codes[figure]:
                        glyph, style = "█", "chosen"
                    else:
                        glyph, style = "░", "body"
                    line.append(glyph * sx, style=styles[style])
            for _ in range(sy):
                text.append_text(line)
                text.append("\n")
        text.append(pad + self.caption(), style=styles["focus"])
        return text

    def caption(self) -> str:
        """The focused region's name and whether it is chosen (or why it cannot be)."""
        if self.note:
            return self.note
        name = vocab.REGION_BY_ID[self.focused].name
        state = "chosen" if self.focused in self.chosen else "space or click to choose"
        return f"▸ {name} · {state}"

    # -- input ---------------------------------------------------------------------------

    def watch_focused(self) -> None:
        self.note = ""

    def toggle(self, rid: str) -> None:
        self.focused = rid
        self.chosen = self.chosen ^ {rid}
        self.post_message(self.Changed(self.chosen))

    def action_choose(self) -> None:
        self.toggle(self.focused)

    def action_move(self, direction: str) -> None:
        here = self.regions.index(self.focused) if self.focused in self.regions else 0
        if direction in ("up", "down"):
            step = -1 if direction == "up" else 1
            self.focused = self.regions[max(0, min(len(self.regions) - 1, here + step))]
            return
        x0, y0 = CENTRES.get(self.focused, (0.0, 0.0))
        sign = -1 if direction == "left" else 1
        best: tuple[float, str] | None = None
        for rid in self.regions:
            if rid not in CENTRES or rid == self.focused:
                continue
            x, y = CENTRES[rid]
            if (x - x0) * sign <= 0.5:
                continue
            score = abs(x - x0) + 3 * abs(y - y0)
            if best is None or score < best[0]:
                best = (score, rid)
        if best is not None:
            self.focused = best[1]

    def on_click(self, event: events.Click) -> None:
        rid = self.region_at(event.x, event.y)
        if rid is None:
            return
        self.focus()
        if rid not in self.regions:
            self.focused_note(rid)
            return
        self.toggle(rid)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        rid = self.region_at(event.x, event.y)
        if rid is not None and rid in self.regions and rid != self.focused:
            self.focused = rid

    def focused_note(self, rid: str) -> None:
        """Say why a region on the map cannot be chosen (the back of the knee)."""
        try:
            composer.compose([rid], START_MINUTES)
        except UnknotError as exc:
            self.note = f"▸ {vocab.REGION_BY_ID[rid].name}: {exc}"
        self.refresh()


def _work(step: Step) -> str:
    """A step's work time in few cells: `1:05`, `2×0:30`."""
    clock = format_clock(step.duration).lstrip("0") or "0"
    clock = "0" + clock if clock.startswith(":") else clock
    return f"{step.repeat}×{clock}" if step.repeat > 1 else clock


def preview_lines(composition: composer.Composition, width: int) -> list[str]:
    """The composed steps grouped under the region asked for, one line each, fitted to `width`.

    `Calves` / ` Foam roll L/R    1:00` (L/R: each side in turn), so the preview reads in a
    column of 22 cells beside the map at 80×24.
    """
    lines: list[str] = []
    heading = None
    for part in composition.parts:
        if part.block.asked != heading:
            heading = part.block.asked
            lines.append(vocab.REGION_BY_ID[heading].name[:width])
        step = part.step
        name = vocab.TECHNIQUE_BY_ID[step.technique].name
        if step.region != heading:
            name += f" ({vocab.REGION_BY_ID[step.region or heading].name})"
        mark = " L/R" if step.side == "each" else ""
        work = _work(step)
        room = max(1, width - len(work) - len(mark) - 2)
        if len(name) > room:
            name = name[: room - 1] + "…"
        lines.append(f" {name}{mark}".ljust(width - len(work)) + work)
    return lines


class ComposedSteps(Static):
    """The preview's steps, redrawn to the column's width."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, markup=False)
        self.composition: composer.Composition | None = None

    def show(self, composition: composer.Composition | None) -> None:
        self.composition = composition
        self.display = composition is not None
        self.refresh(layout=True)

    def render(self) -> Text:
        out = Text(no_wrap=True, overflow="crop")
        if self.composition is None:
            return out
        width = max(8, min(PREVIEW_WIDTH, self.size.width))
        for index, line in enumerate(preview_lines(self.composition, width)):
            if index:
                out.append("\n")
            out.append(line, style="" if line.startswith(" ") else "bold")
        return out

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if self.composition is None:
            return 0
        return len(preview_lines(self.composition, max(8, min(PREVIEW_WIDTH, width))))


class Clickable(Static):
    """A one-cell-high control that runs a screen action when clicked."""

    def __init__(self, label: str, action: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(label, id=id, markup=False)
        self.action = action

    async def on_click(self) -> None:
        await self.screen.run_action(self.action)


class KitToggle(Static, can_focus=True):
    """`[x] roller`: a one-line switch for a piece of equipment (or gentle), readable without
    colour; space or a click flips it."""

    BINDINGS = [Binding("space", "flip", "Toggle", show=False)]

    value: reactive[bool] = reactive(False)
    """Whether it is on."""

    @dataclass
    class Changed(Message):
        """A switch was flipped."""

        toggle: KitToggle

    def __init__(self, label: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, markup=False)
        self.label = label

    def render(self) -> str:
        return f"[{'x' if self.value else ' '}] {self.label}"

    def watch_value(self) -> None:
        self.post_message(self.Changed(self))

    def action_flip(self) -> None:
        self.value = not self.value

    def on_click(self) -> None:
        self.focus()
        self.value = not self.value


@dataclass
class PainfulRegions(Message):
    """The regions rated painful in the last week, read from history off the event loop."""

    regions: list[str]


class ComposeScreen(Screen["Path | None"]):
    """Where does it hurt? Choose regions, minutes and equipment; play or save the result."""

    CSS_PATH = "compose_screen.tcss"
    # Below 100 columns the preview keeps to a narrow column so the map can be drawn double width.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        Binding("enter", "play", "Play", priority=True),
        Binding("s", "save", "Save"),
        Binding("minus", "minutes(-1)", "−1 min"),
        Binding("plus,equals_sign", "minutes(1)", "+1 min"),
        Binding("g", "gentle", "Gentle", show=False),
        Binding("escape", "close", "Back"),
    ]

    minutes: reactive[int] = reactive(START_MINUTES)
    """The minutes asked for."""

    def __init__(self, preselect: Iterable[str] | None = None,
                 today: date | None = None) -> None:
        """`preselect`: the regions to start with; None reads the history for the regions
        rated painful (4 or more) in the last 7 days (player.pain.painful_regions)."""
        super().__init__()
        self.preselect = tuple(preselect or ())
        self._read_history = preselect is None
        self._today = today
        self.composition: composer.Composition | None = None
        self.problem = ""
        self.saved: Path | None = None

    def compose(self) -> ComposeResult:
        yield Label("Where does it hurt?", id="cs-title")
        with Horizontal(id="cs-body"):
            with Vertical(id="cs-left"):
                yield RegionMap(composer.composable_regions(), self.preselect, id="cs-map")
                with Horizontal(id="cs-minutes"):
                    yield Label("Minutes ", classes="cs-label")
                    yield Clickable("[−]", "minutes(-1)", id="cs-less")
                    yield Label(str(self.minutes), id="cs-minutes-value")
                    yield Clickable("[+]", "minutes(1)", id="cs-more")
                with Horizontal(id="cs-kit"):
                    for eid in composer.EQUIPMENT:
                        if eid != "hands":
                            yield KitToggle(eid, id=f"cs-kit-{eid}")
                    yield KitToggle("gentle", id="cs-gentle")
            with VerticalScroll(id="cs-preview"):
                yield Label("", id="cs-name", markup=False)
                yield ComposedSteps(id="cs-steps")
                yield Static("", id="cs-total", markup=False)
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(RegionMap).focus()
        self.refresh_preview()
        if self._read_history:
            self.read_painful()

    @work(thread=True, exclusive=True)
    def read_painful(self) -> None:
        from player import history, pain

        today = self._today or date.today()
        since = (today - timedelta(days=pain.RECENT_DAYS - 1)).isoformat()
        rated: list[dict[str, object]] = []  # the last week's rated sessions only
        try:
            history.scan_history(getattr(self.app, "history_path", None), warn=None, since=since,
                                 keep=0, each=history.only_rated(rated.append), today=today)
        except history.HistoryError:
            return  # no history to go by: nothing chosen yet, as on a first run
        self.post_message(PainfulRegions(pain.painful_regions(rated, today)))

    @on(PainfulRegions)
    def preselect_painful(self, message: PainfulRegions) -> None:
        map_ = self.query_one(RegionMap)
        regions = [r for r in message.regions if r in map_.regions]
        if not regions or map_.chosen:
            return  # the person has started choosing: their choice wins
        map_.chosen = frozenset(regions)
        map_.focused = regions[0]
        self.refresh_preview()
        self.notify(f"Chosen from your recent pain ratings: "
                    f"{', '.join(vocab.REGION_BY_ID[r].name.lower() for r in regions)}.",
                    timeout=4, markup=False)

    # -- the request -----------------------------------------------------------------------

    def equipment(self) -> list[str]:
        return [eid for eid in composer.EQUIPMENT if eid != "hands"
                and self.query_one(f"#cs-kit-{eid}", KitToggle).value]

    def gentle(self) -> bool:
        return self.query_one("#cs-gentle", KitToggle).value

    def chosen(self) -> list[str]:
        return sorted(self.query_one(RegionMap).chosen)

    @on(RegionMap.Changed)
    @on(KitToggle.Changed)
    def refresh_preview(self) -> None:
        name = self.query_one("#cs-name", Label)
        steps = self.query_one("#cs-steps", ComposedSteps)
        total = self.query_one("#cs-total", Static)
        self.composition, self.problem = None, ""
        regions = self.chosen()
        if not regions:
            name.update("Choose where it hurts")
            steps.show(None)
            total.update("Click a region on the map, or move with the arrow keys and press "
                         "space.")
            return
        try:
            # Hands are always there on this screen: a ball that does not suit the jaw just
            # leaves the jaw to the hands.
            self.composition = composer.compose(regions, self.minutes,
                                               ["hands", *self.equipment()], self.gentle())
        except UnknotError as exc:
            self.problem = str(exc)
            name.update("Cannot compose this")
            steps.show(None)
            total.update(f"⚠ {self.problem[0].upper()}{self.problem[1:]}.")
            return
        # The minutes are on the screen already; the preview's title names the regions.
        name.update(self.composition.routine.name.split(" · ")[0])
        steps.show(self.composition)
        total.update(f"Total {format_human(self.composition.total)} · Enter plays · s saves")

    def watch_minutes(self) -> None:
        if self.is_mounted:
            self.query_one("#cs-minutes-value", Label).update(str(self.minutes))
            self.refresh_preview()

    # -- actions ---------------------------------------------------------------------------

    def action_minutes(self, delta: int) -> None:
        low, high = MINUTES_RANGE
        self.minutes = max(low, min(high, self.minutes + delta))

    def action_gentle(self) -> None:
        box = self.query_one("#cs-gentle", KitToggle)
        box.value = not box.value

    def _ready(self) -> composer.Composition | None:
        if self.composition is None:
            self.notify(self.problem or "Choose at least one region first.", severity="warning",
                        markup=False)
        return self.composition

    def action_play(self) -> None:
        composition = self._ready()
        if composition is not None:
            self.post_message(PlayRequested(composition.routine))

    def action_save(self) -> None:
        composition = self._ready()
        if composition is None:
            return
        try:
            self.saved = composer.save(composition)
        except (UnknotError, OSError) as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.notify(f"Saved as {self.saved.stem} in {self.saved.parent}: it is in the picker "
                    "now, and e edits it there.", markup=False, timeout=6)

    def action_close(self) -> None:
        self.dismiss(self.saved)
