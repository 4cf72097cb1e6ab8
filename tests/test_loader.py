"""Tests for the loader: what each field of the format means once loaded, includes, and that
no input whatever escapes as anything but a Routine or a RoutineError (hypothesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player import vocab
from player.errors import RoutineError
from player.loader import DEFAULT_LEAD_IN, check_file, load_routine
from player.routine import Cues, Routine

FIXTURES = Path(__file__).parent / "fixtures" / "routines"
CALF = FIXTURES / "calf-care.yaml"


def write(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_the_full_fixture_loads_with_every_field() -> None:
    routine, problems = check_file(CALF, search_dirs=(FIXTURES,))
    assert problems == []
    assert routine is not None
    assert routine.id == "calf-care"
    assert routine.name == "Calf care"
    assert routine.summary == "Roll and stretch the calves after a run."
    assert routine.tags == ("legs", "run")
    assert routine.equipment == ("foam roller",)
    assert routine.caution == "Skip this after a calf injury."
    assert routine.path == CALF.resolve()
    roll, knead, breath, stretch = routine.steps
    # Step 1: defaults fill in what the step leaves out; its own cues merge with them.
    assert (roll.technique, roll.region, roll.side) == ("foam-roll", "calves", "each")
    assert (roll.duration, roll.repeat, roll.rest, roll.lead_in) == (60, 2, 10, 3)
    assert roll.pressure == vocab.PRESSURE_WORDS["moderate"]
    assert roll.tool == "foam roller"
    assert roll.title == "Calf roll"
    assert (roll.say, roll.say_end) == ("Roll the left calf, slowly.", "Ease off.")
    assert roll.instructions == vocab.technique("foam-roll").instructions
    tick = str((FIXTURES / "sounds" / "tick.wav").resolve())
    assert roll.cues == Cues(halfway=False, countdown=2, cadence=3.0, sounds=(("start", tick),))
    assert roll.where is not None and (roll.where.line, roll.where.column) == (15, 5)
    # Step 2: aliases (kneading, calf), a clock duration, overrides of every default.
    assert (knead.technique, knead.region, knead.side) == ("petrissage", "calves", "both")
    assert (knead.duration, knead.lead_in, knead.pressure) == (90, 0, 4)
    assert knead.instructions == "Squeeze the calf with both hands."
    assert (knead.say, knead.say_end) == (None, None)
    assert knead.cues.countdown == 0 and knead.cues.end is False and knead.cues.halfway is False
    # Included steps keep their own file's defaults, not the includer's.
    assert (breath.technique, breath.region, breath.side) == ("breathe", None, None)
    # A breathe (or rest) step has no lead-in unless one is written.
    assert breath.lead_in == 0 and breath.pressure is None
    assert breath.where is not None and breath.where.path.endswith("breath.yaml")
    assert (stretch.technique, stretch.side, stretch.lead_in) == ("stretch", "each", 5)


@pytest.mark.parametrize("written,seconds", [
    ("20", 20), ("20s", 20), ("1m", 60), ("1m30s", 90), ("'1:30'", 90), ("1:30", 90),
    ("0:20", 20), ("2.5", 2.5), ("1h", 3600), ("90 sec", 90), ("1 min", 60),
])
def test_durations_as_written(tmp_path: Path, written: str, seconds: float) -> None:
    path = write(tmp_path, f"name: x\nsteps:\n  - technique: rest\n    duration: {written}\n")
    routine, _ = check_file(path)
    assert routine is not None and routine.steps[0].duration == seconds


def test_defaults_and_what_a_step_overrides(tmp_path: Path) -> None:
    path = write(tmp_path, """\
name: x
defaults: {lead_in: 0, pressure: 4, side: each, tool: ball, rest: 5s, repeat: 2,
           cues: {countdown: 5, start: false}}
steps:
  - {technique: trigger-point, region: calves, duration: 20}
  - {technique: trigger-point, region: calves, duration: 20, side: left, repeat: 1,
     pressure: light, tool: thumb, lead_in: 2, rest: 0, cues: {start: true}}
  - {technique: breathe, duration: 30}
""")
    a, b, c = load_routine(path).steps
    assert (a.side, a.repeat, a.rest, a.lead_in, a.pressure, a.tool) == ("each", 2, 5, 0, 4, "ball")
    assert a.cues == Cues(start=False, countdown=5)
    assert (b.side, b.repeat, b.rest, b.lead_in, b.pressure, b.tool) == (
        "left", 1, 0, 2, 3, "thumb")
    assert b.cues == Cues(start=True, countdown=5)
    # A default side means nothing to a breathing step.
    assert c.side is None and c.region is None


def test_no_defaults_gives_the_documented_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nsteps:\n  - {technique: stretch, region: quads, "
                           "duration: 30}\n")
    (step,) = load_routine(path).steps
    assert (step.side, step.repeat, step.rest, step.lead_in, step.pressure) == (
        None, 1, 0, DEFAULT_LEAD_IN, None)
    assert step.cues == Cues()
    assert step.title is None and step.tool is None


def test_version_one_and_text_fields(tmp_path: Path) -> None:
    path = write(tmp_path, "version: 1\nname: 42\ntags: desk\nequipment: []\nsummary:\n"
                           "steps:\n  - {technique: rest, duration: 5}\n")
    routine = load_routine(path, source="user")
    assert (routine.name, routine.tags, routine.equipment, routine.summary) == ("42", ("desk",),
                                                                                (), "")
    assert routine.source == "user"


def test_include_by_id_from_blocks_and_library(tmp_path: Path) -> None:
    lib = tmp_path / "lib"
    write(lib, "name: b\nsteps:\n  - {technique: breathe, duration: 60}\n", "blocks/calm.yaml")
    write(lib, "name: s\nsteps:\n  - {technique: stretch, region: quads, duration: 30}\n",
          "quad-stretch.yml")
    path = write(tmp_path, "name: x\nsteps:\n  - include: calm\n  - include: quad-stretch\n"
                           "  - include: calm\n", "mine/r.yaml")
    routine = load_routine(path, search_dirs=(lib,))
    assert [s.technique for s in routine.steps] == ["breathe", "stretch", "breathe"]


def test_relative_include_falls_back_to_the_library(tmp_path: Path) -> None:
    # `unknot new --from` copies a built-in that says `include: blocks/…` into the user folder.
    lib = tmp_path / "lib"
    write(lib, "name: b\nsteps:\n  - {technique: breathe, duration: 60}\n", "blocks/calm.yaml")
    path = write(tmp_path, "name: x\nsteps:\n  - include: blocks/calm.yaml\n", "mine/r.yaml")
    assert load_routine(path, search_dirs=(lib,)).steps[0].technique == "breathe"


def test_the_step_limit_stops_include_bombs(tmp_path: Path) -> None:
    write(tmp_path, "name: a\nsteps:\n" + "  - {technique: rest, duration: 5}\n" * 50, "a.yaml")
    for lower, upper in zip("abcd", "bcde", strict=True):
        write(tmp_path, f"name: {upper}\nsteps:\n" + f"  - include: {lower}\n" * 50,
              f"{upper}.yaml")
    routine, problems = check_file(tmp_path / "e.yaml", search_dirs=(tmp_path,))
    assert routine is None
    assert any("more than 100000 steps" in p.message for p in problems)


def test_load_routine_raises_with_every_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nsteps:\n  - {technique: nope, duration: 0}\n")
    with pytest.raises(RoutineError) as info:
        load_routine(path)
    assert len(info.value.problems) == 2
    assert info.value.exit_code == 1


def test_warnings_come_back_with_the_routine(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nsteps:\n  - {technique: stretch, region: quads, "
                           "duration: 90}\n")
    routine, problems = check_file(path)
    assert routine is not None
    assert [p.severity for p in problems] == ["warning"]


# -- hypothesis: anything in, a Routine or a RoutineError out ------------------------------------

def _outcome(path: Path) -> Routine | None:
    try:
        return load_routine(path, search_dirs=(path.parent,))
    except RoutineError as exc:
        assert exc.problems and all(p.severity in ("error", "warning") for p in exc.problems)
        assert all(p.line >= 1 and p.column >= 1 for p in exc.problems)
        return None


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(st.binary(max_size=400))
def test_any_bytes(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "h.yaml"
    path.write_bytes(data)
    _outcome(path)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("name:steps-[]{}&*!|>'\"#,?% \n\t0123456789abc"
                                              "techniqu duration region 1m30s:")), max_size=300))
def test_any_yamlish_text(tmp_path: Path, text: str) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(text, encoding="utf-8")
    _outcome(path)


FIELD_NAMES = ["name", "summary", "tags", "steps", "defaults", "technique", "region", "side",
               "duration", "repeat", "rest", "pressure", "cues", "sounds", "include", "lead_in",
               "halfway", "countdown", "cadence", "version", "title", "tool", "start"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["effleurage", "kneading", "neck", "calves", "each", "left", "20s", "1:30",
                     "firm", "light", "-5", "0", "blocks/x", "r", "../r.yaml", "start"]),
)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(
        st.sampled_from(FIELD_NAMES) | st.text(max_size=8), inner, max_size=6),
    max_leaves=40,
)
ROUTINE_LIKE = st.fixed_dictionaries(
    {"name": SCALARS, "steps": st.lists(st.dictionaries(st.sampled_from(FIELD_NAMES), DATA,
                                                        max_size=6), max_size=4)},
    optional={"defaults": DATA, "summary": DATA, "tags": DATA},
)


@SETTINGS
@given(st.one_of(DATA, ROUTINE_LIKE))
def test_any_yaml_shaped_data(tmp_path: Path, data: object) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    _outcome(path)


# -- spoken cues and lead_in: auto (issue 10's format) ------------------------------------------


def steps_of(tmp_path: Path, body: str, defaults: str = "") -> tuple[list[object], list[str]]:
    text = "name: x\n" + (f"defaults:\n{defaults}" if defaults else "") + "steps:\n" + body
    routine, problems = check_file(write(tmp_path, text))
    return (list(routine.steps) if routine else []), [str(p).split(": ", 1)[1] for p in problems]


def test_lead_in_auto_fits_the_spoken_cue_plus_3_s(tmp_path: Path) -> None:
    say = " ".join(["word"] * 29)  # "Next: " + 29 words = 30 words = 10 s at 180 a minute
    steps, problems = steps_of(tmp_path, f"  - {{technique: stretch, region: quads, duration: 30,"
                                         f" say: {say}}}\n"
                                         "  - {technique: stretch, region: quads, duration: 30,"
                                         " lead_in: auto}\n")
    assert problems == []
    long, short = steps
    assert long.lead_in == 13 and long.say == say  # type: ignore[attr-defined]
    # "Next: Stretch, quads." is 1 s of speech: the 5 s floor applies.
    assert short.lead_in == 5  # type: ignore[attr-defined]


def test_generated_cue_counts_for_auto_when_there_is_no_say(tmp_path: Path) -> None:
    steps, _ = steps_of(tmp_path, "  - {technique: trigger-point, region: upper-trapezius, "
                                  "side: each, duration: 20, pressure: moderate}\n")
    phrase = vocab.cue_phrase("trigger-point", "upper-trapezius", "each", 5)
    assert phrase == ("Trigger point, upper trapezius, left side. "
                      "Moderate pressure, about 5 out of 10.")
    # "Next: " + 13 words = 14 words = 4.7 s of speech, + 3 s, rounded up.
    assert steps[0].lead_in == 8  # type: ignore[attr-defined]


def test_rest_and_breathe_have_no_lead_in_unless_written(tmp_path: Path) -> None:
    body = "  - {technique: rest, duration: 10}\n  - {technique: breathe, duration: 30}\n" \
           "  - {technique: breathe, duration: 30, lead_in: 4}\n"
    steps, _ = steps_of(tmp_path, body)
    assert [s.lead_in for s in steps] == [0, 0, 4]  # type: ignore[attr-defined]
    steps, _ = steps_of(tmp_path, body, defaults="  lead_in: 6s\n")
    assert [s.lead_in for s in steps] == [6, 6, 4]  # type: ignore[attr-defined]


def test_a_fixed_lead_in_shorter_than_the_cue_warns_with_both_lengths(tmp_path: Path) -> None:
    say = " ".join(["word"] * 20)  # 21 words with "Next:" = 7.0 s
    _, problems = steps_of(tmp_path, f"  - {{technique: stretch, region: quads, duration: 30, "
                                     f"lead_in: 4s, say: {say}}}\n"
                                     f"  - {{technique: stretch, region: quads, duration: 30, "
                                     f"lead_in: 8s, say: {say}}}\n"
                                     f"  - {{technique: stretch, region: quads, duration: 30, "
                                     f"lead_in: 0, say: {say}}}\n")
    assert problems == ["warning: lead_in 4 s is shorter than the spoken cue (7.0 s at 180 words "
                        "a minute): write lead_in: auto or a longer one"]


def test_say_and_say_end_word_limits(tmp_path: Path) -> None:
    ok = " ".join(["w"] * 30)
    steps, problems = steps_of(tmp_path, f"  - {{technique: stretch, region: quads, duration: 30, "
                                         f"say: {ok}, say_end: {' '.join(['w'] * 12)}}}\n")
    assert problems == [] and steps
    _, problems = steps_of(tmp_path, f"  - {{technique: stretch, region: quads, duration: 30, "
                                     f"say: {ok} w, say_end: {' '.join(['w'] * 13)}}}\n")
    assert problems == [
        "error: 'say' has 31 words: at most 30 (it is spoken while you get into position)",
        "error: 'say_end' has 13 words: at most 12 (it is spoken in the last 5 s)"]
