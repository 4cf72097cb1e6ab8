"""Tests of the TUI's pure pieces: the body map's cells, the texts for segments and steps."""

from __future__ import annotations

import pytest
from snapshot_app import DESK

from player import vocab
from player.timeline import expand
from player.tui import text
from player.tui.widgets.body_map import BACK, FRONT, WIDTH, lit_cells, render_map


def lit_positions(region: str | None, side: str | None) -> set[tuple[int, int]]:
    return {(y, x) for y, row in enumerate(render_map(region, side))
            for x, (_, lit) in enumerate(row) if lit}


def test_figures_are_rectangular() -> None:
    assert len(FRONT) == len(BACK)
    assert all(len(row) == WIDTH for row in FRONT + BACK)


@pytest.mark.parametrize("region", [r.id for r in vocab.REGIONS])
def test_every_region_lights_something_on_the_view_it_belongs_to(region: str) -> None:
    front, back = lit_cells(region)
    view = vocab.REGION_BY_ID[region].view
    assert front or back
    if view == "front":
        assert front and not back
    if view == "back":
        assert back and not front
    assert lit_positions(region, None)


def test_nothing_is_lit_without_a_region() -> None:
    assert lit_positions(None, None) == set()


def test_calves_light_on_the_back_figure_only() -> None:
    cells = lit_positions("calves", None)
    assert cells and all(x > WIDTH for _, x in cells)


def test_left_and_right_light_opposite_halves_and_front_mirrors_back() -> None:
    left = lit_positions("forearms", "left")
    right = lit_positions("forearms", "right")
    assert left and right and not (left & right)
    both = lit_positions("forearms", "both")
    assert left | right == both
    # Back view (right figure): the person's left is on the viewer's left.
    back_left = {x for _, x in left if x > WIDTH}
    back_right = {x for _, x in right if x > WIDTH}
    assert max(back_left) < min(back_right)
    # Front view: mirrored.
    front_left = {x for _, x in left if x < WIDTH}
    front_right = {x for _, x in right if x < WIDTH}
    assert min(front_left) > max(front_right)


def test_lit_and_unlit_cells_differ_in_glyph_not_only_colour() -> None:
    glyphs = {glyph: lit for row in render_map("quads", None) for glyph, lit in row}
    assert glyphs["█"] is True and glyphs["░"] is False


def test_headline_and_sides() -> None:
    assert text.headline("trigger-point", "upper-trapezius", "left") == \
        "Trigger point · Upper trapezius · Left"
    assert text.headline("breathe", None, None) == "Breathe"
    assert text.headline("effleurage", "jaw", "both") == "Effleurage · Jaw · Both sides"


def test_next_text_names_what_comes() -> None:
    timeline = expand(DESK)
    segs = timeline.segments
    assert text.next_text(timeline, segs[0]) == "Next: Effleurage · Upper trapezius · Left · 30 s"
    assert text.next_text(timeline, segs[1]) == "Next: Switch sides → right · 5 s"
    assert text.next_text(timeline, segs[3]) == \
        "Next: Trigger point · Upper trapezius · Left · 20 s"
    assert text.next_text(timeline, segs[5]) == "Next: Rest · 10 s"
    assert text.next_text(timeline, segs[-1]) == "Next: Finish"


def test_minutes_and_regions() -> None:
    assert text.minutes(0) == "0"
    assert text.minutes(20) == "1"
    assert text.minutes(250) == "4"
    assert text.regions_text(DESK) == "Upper trapezius, Levator scapulae"
    assert text.step_line(2, DESK.steps[1]) == \
        " 2. Trigger point · Upper trapezius · each · 2×20 s"


def test_next_text_has_one_format_for_every_segment() -> None:
    import re

    from snapshot_app import CALVES, JAW, WALL

    shape = re.compile(r"^Next: (Finish|\S.* · \d[\d.]* (s|min)( \d+ s)?)$")
    for routine in (DESK, CALVES, JAW, WALL):
        timeline = expand(routine)
        for seg in timeline.segments:
            line = text.next_text(timeline, seg)
            assert shape.match(line), line
