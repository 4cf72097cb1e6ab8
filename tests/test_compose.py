"""Tests for the building blocks (routines/compose/) and the composer (player.compose)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player import compose, library, vocab
from player.loader import check_file
from player.timeline import expand

REPO = Path(__file__).resolve().parents[1]
BLOCKS = REPO / "routines" / "compose"
BLOCK_FILES = sorted(BLOCKS.glob("*.yaml"))

# The safety facts of domain.md, written out here rather than read from player.compose, so the
# tests check the composer against the domain and not against itself.
NEVER_ROLLED = {"lower-back", "neck", "it-band", "back-of-knee"}
GUN_ONLY_ON = {"upper-trapezius", "shoulders", "chest", "lats", "biceps", "triceps", "glutes",
               "tfl", "quads", "hamstrings", "calves"}
NO_SIDES = {"scalp", "neck", "upper-back", "lower-back", "abdomen"}
RANGES = {  # technique: (shortest, longest) work period in seconds, domain.md
    "effleurage": (30, 120), "petrissage": (30, 120), "friction": (20, 120),
    "trigger-point": (10, 30), "myofascial-release": (20, 60), "foam-roll": (30, 120),
    "ball-roll": (30, 120), "percussion": (30, 120), "stretch": (10, 30),
    "tapotement": (15, 60), "vibration": (15, 60),
}
ORDER = {"effleurage": 0, "stretch": 2}


def _safety_problems(steps, gentle: bool = False) -> list[str]:
    out = []
    for s in steps:
        where = f"{s.technique} on {s.region}"
        if s.region in NEVER_ROLLED and (s.technique == "foam-roll" or s.tool == "foam roller"):
            out.append(f"roller: {where}")
        if (s.technique == "percussion" or s.tool == "massage gun") and \
                s.region not in GUN_ONLY_ON:
            out.append(f"gun off a large muscle: {where}")
        if vocab.REGION_BY_ID[s.region].danger and (
                (s.pressure or 0) > 3 or s.technique in ("trigger-point", "percussion")):
            out.append(f"more than light work on a danger zone: {where}")
        if s.region not in NO_SIDES and s.side not in ("each", "both"):
            out.append(f"no side on a sided region: {where} ({s.side})")
        if gentle and (s.technique in ("trigger-point", "percussion") or (s.pressure or 0) > 3):
            out.append(f"not gentle: {where} at {s.pressure}")
    return out


# -- the blocks -----------------------------------------------------------------------------

def test_every_region_but_the_back_of_the_knee_has_blocks() -> None:
    have = {p.stem for p in BLOCK_FILES}
    assert have == {r.id for r in vocab.REGIONS} - {"back-of-knee"}


@pytest.mark.parametrize("path", BLOCK_FILES, ids=lambda p: p.stem)
def test_block_file_validates_strict_and_is_safe(path: Path) -> None:
    routine, problems = check_file(path)
    assert routine is not None and problems == [], [str(p) for p in problems]
    assert _safety_problems(routine.steps) == []
    for step in routine.steps:
        assert step.say and len(step.say.split()) <= 30, step
        assert step.tool in compose.TOOLS, step.tool
        low, high = RANGES[step.technique]
        assert low <= step.duration <= high, step
    # A region's own file works that region (the IT band: through the TFL and glutes).
    allowed = compose.WORKED_THROUGH.get(path.stem, {path.stem})
    assert {s.region for s in routine.steps} <= allowed


def test_blocks_are_not_listed_as_routines(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("UNKNOT_HOME", str(tmp_path))
    entries = library.discover()
    assert entries and not any("compose" in e.path.parts for e in entries)
    assert library.find("calves") is None


# -- the composer ---------------------------------------------------------------------------

def _check(c: compose.Composition, tmp_path: Path, minutes: float, kit: set[str],
           gentle: bool) -> None:
    """Everything a composed routine must be, read back from the YAML it writes."""
    path = tmp_path / "composed.yaml"
    path.write_text(compose.to_yaml(c), encoding="utf-8")
    routine, problems = check_file(path)
    assert routine is not None and problems == [], [str(p) for p in problems]  # --strict clean
    total = expand(routine).total
    assert total == pytest.approx(c.total)
    assert 0.9 * minutes * 60 <= total <= 1.1 * minutes * 60
    worked = {s.region for s in routine.steps}
    for region in c.request.regions:
        assert worked & compose.WORKED_THROUGH.get(region, {region}), region
    for step in routine.steps:
        assert compose.TOOLS[step.tool or ""] <= kit | {"hands"}, step.tool
    assert _safety_problems(routine.steps, gentle) == []
    # Per region asked: effleurage first, then rolling or pressure, then a stretch.
    for region in c.request.regions:
        ranks = [ORDER.get(p.step.technique, 1) for p in c.parts if p.block.asked == region]
        assert ranks == sorted(ranks), region


def test_calves_and_feet_with_a_roller(tmp_path: Path) -> None:
    c = compose.compose(["calf", "plantar-fascia"], 10, ["foam roller", "massage ball"])
    _check(c, tmp_path, 10, {"roller", "ball"}, False)
    techniques = [(s.region, s.technique) for s in c.routine.steps]
    assert techniques[0] == ("calves", "effleurage")
    assert ("calves", "foam-roll") in techniques and ("feet", "ball-roll") in techniques
    # Time is spread: neither region gets less than a third of it.
    for region in ("calves", "feet"):
        share = sum(compose.step_seconds(s) for s in c.routine.steps if s.region == region)
        assert share > c.total / 3


def test_the_same_request_gives_the_same_routine() -> None:
    a = compose.to_yaml(compose.compose(["feet", "calves"], 12, ["ball", "roller"]))
    b = compose.to_yaml(compose.compose(["calves", "feet"], 12, ["roller", "ball"]))
    assert a == b


def test_it_band_is_worked_through_the_tfl_and_glutes(tmp_path: Path) -> None:
    c = compose.compose(["it-band"], 8, ["roller", "ball"])
    _check(c, tmp_path, 8, {"roller", "ball"}, False)
    rolled = {s.region for s in c.routine.steps if s.technique in ("foam-roll", "ball-roll")}
    assert rolled and rolled <= {"tfl", "glutes"}


def test_gentle_leaves_out_holds_and_the_gun(tmp_path: Path) -> None:
    c = compose.compose(["upper-trapezius", "glutes"], 10, ["ball", "wall", "gun"], gentle=True)
    _check(c, tmp_path, 10, {"ball", "wall", "gun"}, True)
    assert "gentle" in c.routine.tags


@pytest.mark.parametrize(("regions", "minutes", "kit", "says"), [
    (["neck", "jaw", "temples", "chest", "glutes", "quads", "calves", "feet"], 2, [],
     "2 minutes is too short for 8 regions"),
    (["jaw"], 5, ["roller"], "a foam roller is not used on the jaw; it is worked with hands"),
    (["calves"], 30, [], "fill at most"),
    (["back-of-knee"], 5, [], "danger zone"),
    (["elbows"], 5, [], "unknown region 'elbows'"),
    (["calves"], 5, ["kettlebell"], "unknown equipment 'kettlebell'"),
    (["calves"], 0, [], "above 0"),
])
def test_impossible_requests_get_one_line_saying_what_instead(regions, minutes, kit,
                                                               says) -> None:
    with pytest.raises(compose.ComposeError) as err:
        compose.compose(regions, minutes, kit)
    text = str(err.value)
    assert says in text and "\n" not in text


def test_too_short_names_what_fits() -> None:
    with pytest.raises(compose.ComposeError) as err:
        compose.compose(["neck", "jaw", "temples", "chest", "glutes", "quads", "calves",
                         "feet"], 2)
    text = str(err.value)
    # The numbers it offers really work.
    at_least = int(text.split("at least ")[1].split(" ")[0])
    compose.compose(["neck", "jaw", "temples", "chest", "glutes", "quads", "calves", "feet"],
                    at_least + 1)
    regions = int(text.split("at most ")[1].split(" ")[0])
    compose.compose(["neck", "jaw", "temples"][:regions], 2)


@pytest.mark.parametrize("region", compose.composable_regions())
def test_every_region_composes_five_minutes_with_hands(region: str, tmp_path: Path) -> None:
    _check(compose.compose([region], 5), tmp_path, 5, set(), False)


REGION_IDS = list(compose.composable_regions()) + ["back-of-knee"]


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(regions=st.lists(st.sampled_from(REGION_IDS), min_size=1, max_size=6, unique=True),
       minutes=st.integers(3, 30),
       kit=st.sets(st.sampled_from(list(compose.EQUIPMENT))),
       gentle=st.booleans())
def test_any_request_composes_a_valid_routine_or_refuses_in_one_line(
        regions, minutes, kit, gentle, tmp_path: Path) -> None:
    try:
        c = compose.compose(regions, minutes, sorted(kit), gentle)
    except compose.ComposeError as err:
        assert str(err) and "\n" not in str(err)
        return
    _check(c, tmp_path, minutes, set(kit), gentle)
