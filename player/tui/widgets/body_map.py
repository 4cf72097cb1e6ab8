"""Provides the body map: a front and a back figure in text with the current region lit.

Each figure is a grid of cell codes (one letter per body part, space for nothing). A region
lights the codes listed for it in `REGION_CELLS`, on the views its vocabulary entry names, and
only on its side when the step says left or right. Lit cells use a full block and the others a
light shade, so the map still reads without colour (NO_COLOR). Where columns are short the
player shows only the figure that has the region (`views`), or no map at all.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from player import vocab

# The person faces us in the front view (their right is on our left) and faces away in the
# back view (their left is on our left). Every row is 13 cells; column 6 is the midline.
FRONT = (
    "    SSSSS    ",
    "    TJJJT    ",
    "     NNN     ",
    "  DDCCCCCDD  ",
    " II CCCCC II ",
    " II AAAAA II ",
    " FF AAAAA FF ",
    " HH YXXXY HH ",
    "   WRZ ZRW   ",
    "   WRZ ZRW   ",
    "    kk kk    ",
    "    cc cc    ",
    "    cc cc    ",
    "    ff ff    ",
)
BACK = (
    "    SSSSS    ",
    "    SOOOS    ",
    "     VUV     ",
    "  DDUUUUUDD  ",
    " II BBBBB II ",
    " II LBBBL II ",
    " FF QKKKQ FF ",
    " HH GGGGG HH ",
    "   WMM MMW   ",
    "   WMM MMW   ",
    "    EE EE    ",
    "    cc cc    ",
    "    cc cc    ",
    "    ff ff    ",
)
WIDTH = 13
MIDLINE = 6
FIGURE_ROWS = len(FRONT)

#: Region id → the cell codes it lights on the front and on the back figure.
REGION_CELLS: dict[str, tuple[str, str]] = {
    "scalp": ("S", "S"),
    "temples": ("T", ""),
    "jaw": ("J", ""),
    "suboccipitals": ("", "O"),
    "neck": ("N", ""),
    "upper-trapezius": ("", "U"),
    "levator-scapulae": ("", "V"),
    "shoulders": ("D", "D"),
    "chest": ("C", ""),
    "upper-back": ("", "B"),
    "lats": ("", "L"),
    "lower-back": ("", "K"),
    "quadratus-lumborum": ("", "Q"),
    "abdomen": ("A", ""),
    "biceps": ("I", ""),
    "triceps": ("", "I"),
    "forearms": ("F", "F"),
    "hands": ("H", "H"),
    "glutes": ("", "G"),
    "piriformis": ("", "G"),
    "hip-flexors": ("X", ""),
    "tfl": ("Y", ""),
    "it-band": ("W", "W"),
    "quads": ("RW", ""),
    "hamstrings": ("", "M"),
    "adductors": ("Z", ""),
    "back-of-knee": ("", "E"),
    "shins": ("c", ""),
    "calves": ("", "c"),
    "feet": ("f", "f"),
}

#: Cells lit for a region missing from REGION_CELLS, by its vocabulary group.
GROUP_CELLS: dict[str, tuple[str, str]] = {
    "head": ("STJ", "SO"),
    "neck": ("N", "VU"),
    "torso": ("CA", "BLKQ"),
    "arms": ("DIFH", "DIFH"),
    "hips": ("XY", "G"),
    "legs": ("RWZkcf", "MWEcf"),
}


def lit_cells(region: str | None) -> tuple[str, str]:
    """The cell codes a region lights on (front, back), honouring its vocabulary view."""
    if not region:
        return ("", "")
    info = vocab.REGION_BY_ID.get(region)
    cells = REGION_CELLS.get(region)
    if cells is None:
        cells = GROUP_CELLS.get(info.group if info else "", ("", ""))
    front, back = cells
    if info is not None and info.view == "front":
        back = ""
    elif info is not None and info.view == "back":
        front = ""
    return front, back


def _on_side(column: int, side: str | None, *, front: bool) -> bool:
    """Whether a cell in `column` belongs to `side` of the body (the midline belongs to both)."""
    if side not in ("left", "right") or column == MIDLINE:
        return True
    viewer_left = column < MIDLINE
    # Front view: the person's left is on the viewer's right.
    person_left = viewer_left != front
    return person_left == (side == "left")


def render_map(region: str | None, side: str | None) -> list[list[tuple[str, bool]]]:
    """Rows of (glyph, lit) pairs: the two figures side by side with a gap of three cells."""
    front_codes, back_codes = lit_cells(region)
    rows: list[list[tuple[str, bool]]] = []
    for front_row, back_row in zip(FRONT, BACK, strict=True):
        row: list[tuple[str, bool]] = []
        for view_row, codes, is_front in ((front_row, front_codes, True),
                                          (back_row, back_codes, False)):
            for column, code in enumerate(view_row):
                if code == " ":
                    row.append((" ", False))
                    continue
                lit = code in codes and _on_side(column, side, front=is_front)
                row.append(("█" if lit else "░", lit))
            if is_front:
                row.extend([(" ", False)] * 3)
        rows.append(row)
    return rows


def map_size(views: str) -> tuple[int, int]:
    """(columns, rows) of the body map showing `views` (`both`, `front` or `back`)."""
    if views == "both":
        # Two figures three cells apart; a label row above and the region's name below.
        return 2 * WIDTH + 3, FIGURE_ROWS + 2
    # One figure under its label; the player's headline names the region.
    return WIDTH, FIGURE_ROWS + 1


class BodyMap(Widget):
    """Front and back figures with the region being worked lit."""

    DEFAULT_CSS = """
    BodyMap {
        width: auto;
        height: auto;
    }
    BodyMap > .body-map--body { color: $foreground 35%; }
    BodyMap > .body-map--lit { color: $accent; text-style: bold; }
    BodyMap > .body-map--label { color: $foreground 60%; }
    """

    COMPONENT_CLASSES = {"body-map--body", "body-map--lit", "body-map--label"}

    body_region: reactive[str | None] = reactive(None)
    """The region id being worked, or None for nothing lit."""

    body_side: reactive[str | None] = reactive(None)
    """`left`, `right`, `both` or None: lights one side of a limb when it is left or right."""

    views: reactive[str] = reactive("both", layout=True)
    """`both` figures side by side, or only the `front` or the `back` one."""

    def show(self, region: str | None, side: str | None) -> None:
        """Light `region` on `side` (one refresh however many of them changed)."""
        self.set_reactive(BodyMap.body_region, region)
        self.set_reactive(BodyMap.body_side, side)
        self.refresh()

    def render(self) -> Text:
        body = self.get_component_rich_style("body-map--body")
        lit = self.get_component_rich_style("body-map--lit")
        label = self.get_component_rich_style("body-map--label")
        text = Text(no_wrap=True, overflow="crop")
        rows = render_map(self.body_region, self.body_side)
        if self.views in ("front", "back"):
            start = 0 if self.views == "front" else WIDTH + 3
            text.append(self.views.center(WIDTH).rstrip() + "\n", style=label)
            for row in rows:
                for glyph, is_lit in row[start:start + WIDTH]:
                    text.append(glyph, style=lit if is_lit else body)
                text.append("\n")
            text.rstrip()
            return text
        text.append("    front".ljust(WIDTH + 3) + "     back\n", style=label)
        for row in rows:
            for glyph, is_lit in row:
                text.append(glyph, style=lit if is_lit else body)
            text.append("\n")
        if self.body_region:
            name = vocab.display_name("region", self.body_region)
            if self.body_side in ("left", "right"):
                name += f" · {self.body_side}"
            text.append(name.center(2 * WIDTH + 3)[: 2 * WIDTH + 3], style=lit)
        return text
