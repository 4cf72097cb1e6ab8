"""Tests over every built-in routine: it loads, expands, is timed sensibly and reads well.

These run the real loader, timeline and `unknot` commands on the shipped files in routines/.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from player import vocab
from player.cli import main
from player.loader import load_routine
from player.paths import builtin_routines_dir
from player.routine import Routine
from player.timeline import expand

ROUTINES = builtin_routines_dir()
FILES = sorted(p for p in ROUTINES.iterdir() if p.is_file() and p.suffix in (".yaml", ".yml"))
IDS = [p.stem for p in FILES]

#: The routines the library issue asks for by name.
REQUIRED = {
    "desk-neck-shoulders", "tension-headache", "low-back-relief", "post-run-legs", "feet-plantar",
    "forearms-typists", "full-body-foam-roll", "quick-reset", "pre-sleep-wind-down",
    "jaw-temples", "pre-workout-primer", "post-workout-recovery",
    # The second release's three (domain.md "Second release"): upper-body DOMS, desk hips, and
    # two minutes for the feet in bed before the first steps.
    "upper-body-recovery", "desk-hips", "plantar-first-steps",
}

#: A sentence candidate: from a capital letter to the next full stop.
SENTENCE = re.compile(r"[A-Z][^.!?]*\.")

#: Words the evidence does not carry (domain.md: no cures, no toxins).
OVERCLAIMS = re.compile(r"\b(cur(e|es|ed|ing)|toxins?|detox\w*|flush(es|ing)? out)\b", re.I)

#: Techniques that count as deeper work: effleurage goes before them when a routine has both.
DEEPER = {"petrissage", "friction", "trigger-point"}


def has_full_sentence(text: str) -> bool:
    """True when `text` holds a capital letter … full stop run of at least four words."""
    return any(len(m.group().split()) >= 4 for m in SENTENCE.finditer(text))


def test_the_sentence_check_can_fail() -> None:
    assert has_full_sentence("Roll slowly along the calf.")
    assert not has_full_sentence("roll slowly along the calf.")
    assert not has_full_sentence("Roll the calf.")
    assert not has_full_sentence("Roll slowly along the calf")
    assert not has_full_sentence("")


def _load(path: Path) -> Routine:
    return load_routine(path, source="built-in", search_dirs=(ROUTINES,))


def _run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_the_library_has_the_fifteen_asked_for() -> None:
    assert len(FILES) >= 15
    assert REQUIRED <= set(IDS)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_loads_expands_and_is_described(path: Path) -> None:
    routine = _load(path)
    assert routine.id == path.stem
    assert routine.name and routine.summary and routine.tags
    # One line: the picker and docs/library.md show it in a single table cell.
    assert "\n" not in routine.summary
    timeline = expand(routine)
    assert timeline.segments
    assert {s.kind for s in timeline.segments} >= {"lead_in", "work"}


@pytest.mark.parametrize("routine_id", IDS)
def test_show_json_total_matches_its_segments(
    routine_id: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = _run_json(capsys, "show", routine_id, "--json")
    assert isinstance(shown, dict)
    segments = shown["segments"]
    total = shown["seconds"]
    assert total == pytest.approx(sum(s["duration"] for s in segments), abs=0.01)
    last = segments[-1]
    assert total == pytest.approx(last["at"] + last["duration"], abs=0.01)
    # No gaps or overlaps: every segment starts where the one before ended.
    for before, after in zip(segments[:-1], segments[1:], strict=True):
        assert after["at"] == pytest.approx(before["at"] + before["duration"], abs=0.01)
    assert 2 * 60 <= total <= 20 * 60, f"{routine_id} lasts {total / 60:.1f} min"
    assert total == pytest.approx(expand(_load(ROUTINES / f"{routine_id}.yaml")).total, abs=0.01)


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_trigger_point_holds_are_10_to_30_seconds(path: Path) -> None:
    for seg in expand(_load(path)).segments:
        if seg.kind == "work" and seg.technique == "trigger-point":
            assert 10 <= seg.duration <= 30, f"step {seg.step} holds {seg.duration} s"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_duration_is_in_the_recommended_range(path: Path) -> None:
    for number, step in enumerate(_load(path).steps, start=1):
        tech = vocab.technique(step.technique)
        assert tech.min_seconds <= step.duration <= tech.max_seconds, (
            f"step {number} ({step.technique}) lasts {step.duration} s"
        )


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_roller_on_the_lower_back_or_neck(path: Path) -> None:
    for step in _load(path).steps:
        if step.technique == "foam-roll":
            assert step.region not in ("lower-back", "neck")
            assert step.region and not vocab.region(step.region).no_roller


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_pressure_stays_at_7_or_below_and_light_on_danger_zones(path: Path) -> None:
    for step in _load(path).steps:
        if step.pressure is None:
            continue
        assert step.pressure <= vocab.PRESSURE_WARN_ABOVE
        if step.region and vocab.region(step.region).danger:
            assert step.pressure < vocab.PRESSURE_FIRM


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_step_has_a_full_sentence_of_instructions(path: Path) -> None:
    for number, step in enumerate(_load(path).steps, start=1):
        assert has_full_sentence(step.instructions), f"step {number}: {step.instructions!r}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_claims_the_evidence_does_not_carry(path: Path) -> None:
    routine = _load(path)
    texts = [routine.name, routine.summary, routine.caution]
    texts += [step.instructions for step in routine.steps]
    for text in texts:
        assert not OVERCLAIMS.search(text), text


#: Techniques that press into tissue: their instructions say how it should feel.
PRESSING = {"petrissage", "friction", "trigger-point", "myofascial-release", "foam-roll",
            "ball-roll", "percussion"}


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_says_when_to_stop_and_how_hard_to_press(path: Path) -> None:
    routine = _load(path)
    caution = routine.caution.lower()
    assert "sharp" in caution and ("numb" in caution or "tingl" in caution), routine.caution
    for number, step in enumerate(routine.steps, start=1):
        if step.technique in PRESSING:
            text = step.instructions
            assert "out of 10" in text or "sharp" in text, f"step {number}: {text!r}"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_effleurage_comes_before_deeper_work(path: Path) -> None:
    techniques = [step.technique for step in _load(path).steps]
    if "effleurage" not in techniques:
        return
    first_deeper = next((i for i, t in enumerate(techniques) if t in DEEPER), len(techniques))
    assert techniques.index("effleurage") < first_deeper


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_rolling_steps_tick_every_two_to_four_seconds(path: Path) -> None:
    for number, step in enumerate(_load(path).steps, start=1):
        if step.technique == "foam-roll":
            assert 2 <= step.cues.cadence <= 4, f"step {number} cadence {step.cues.cadence}"


def test_percussion_steps_say_twenty_seconds_per_spot() -> None:
    found = 0
    for path in FILES:
        for step in _load(path).steps:
            if step.technique == "percussion":
                found += 1
                assert "20 seconds" in step.instructions
    assert found


def test_sided_work_uses_each_and_the_breathing_block_is_shared() -> None:
    routines = [_load(p) for p in FILES]
    sided = sum(1 for r in routines if any(s.side == "each" for s in r.steps))
    assert sided >= 10
    including = [p.stem for p in FILES if "include: blocks/breathing.yaml" in p.read_text()]
    assert len(including) >= 3, including
    breaths = [r.id for r in routines if "breathe" in r.techniques]
    assert set(including) <= set(breaths)


def test_list_json_covers_fifteen_routines_fourteen_regions_every_technique(
    capsys: pytest.CaptureFixture[str],
) -> None:
    listed = _run_json(capsys, "list", "--json")
    assert isinstance(listed, list)
    builtins = [r for r in listed if r["source"] == "built-in"]
    assert {r["id"] for r in builtins} == set(IDS)
    assert len(builtins) >= 15
    regions = {region for r in builtins for region in r["regions"]}
    techniques = {t for r in builtins for t in r["techniques"]}
    assert len(regions) >= 14, sorted(regions)
    assert techniques == {t.id for t in vocab.TECHNIQUES}
    # The include-only blocks are not routines of their own.
    assert not any("blocks" in Path(r["path"]).parts for r in builtins)
    for r in builtins:
        assert 2 * 60 <= r["seconds"] <= 20 * 60


def test_validate_strict_is_clean_on_the_whole_library() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "player", "validate", "--strict", str(ROUTINES)],
        capture_output=True, text=True, timeout=60,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    # Problems print as `file:line:col: severity: message`; a closing tally may follow.
    assert not re.search(r":\d+:\d+: (warning|error):", output), output


# --- the second release's checks (domain.md "Second release") ---------------------------------

#: A step that tells you to change sides in its text, which nobody with eyes closed would hear.
SWITCH_TEXT = re.compile(r"\b(switch|swap|change) (to the other )?sides?\b|other side halfway",
                         re.I)
#: Names that promise an outcome (domain.md: "for tension-type headaches", "low back care").
OUTCOME = re.compile(r"\b(relief|reliev\w*|cur\w*|heal\w*|fix\w*|treat\w*|eliminat\w*)\b", re.I)


def _step_comment(path: Path, line: int) -> str:
    """The comment lines just above the step that starts on 1-based `line` (its `- ` line)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = line - 1
    while i >= 0 and not lines[i].lstrip().startswith("- "):
        i -= 1
    above = []
    i -= 1
    while i >= 0 and lines[i].lstrip().startswith("#"):
        above.append(lines[i])
        i -= 1
    return "\n".join(reversed(above))


def test_the_comment_finder_can_fail(tmp_path: Path) -> None:
    f = tmp_path / "r.yaml"
    f.write_text("steps:\n  # why: a movement\n  - technique: stretch\n    region: neck\n"
                 "  - technique: stretch\n", encoding="utf-8")
    assert "why:" in _step_comment(f, 3)
    assert "why:" in _step_comment(f, 4)
    assert _step_comment(f, 5) == ""


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_step_has_a_spoken_cue(path: Path) -> None:
    for number, step in enumerate(_load(path).steps, start=1):
        assert step.say, f"step {number} ({step.technique}) has no say:"


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_side_less_step_asks_you_to_switch_sides(path: Path) -> None:
    for number, step in enumerate(_load(path).steps, start=1):
        if step.side == "each":
            continue
        for text in (step.instructions, step.say or "", step.say_end or ""):
            assert not SWITCH_TEXT.search(text), (
                f"step {number} says to switch sides but has no side: each: {text!r}")


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_every_stretch_is_two_holds_of_20_s_or_says_why(path: Path) -> None:
    for number, step in enumerate(_load(path).steps, start=1):
        if step.technique != "stretch":
            continue
        if step.repeat >= 2 and step.duration >= 20:
            continue
        assert step.where is not None and Path(step.where.path).name == path.name, (
            f"step {number}: a short stretch from an included file")
        assert "why:" in _step_comment(path, step.where.line), (
            f"step {number}: {step.repeat} x {step.duration:g} s of stretch, under 2 x 20 s "
            "(ACSM), with no '# why:' comment above it")


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_names_and_summaries_promise_no_outcome(path: Path) -> None:
    routine = _load(path)
    for text in (routine.name, routine.summary):
        assert not OUTCOME.search(text), text


def test_condition_routines_move_stretch_and_name_a_clinician() -> None:
    back = _load(ROUTINES / "low-back-relief.yaml")
    titles = {(s.title or "").lower() for s in back.steps}
    assert {"pelvic tilts", "cat-camel"} <= titles or {"knee rocks"} <= titles
    assert "clinician" in back.caution
    feet = _load(ROUTINES / "feet-plantar.yaml")
    assert any(s.technique == "stretch" and s.region == "feet" for s in feet.steps)
    assert any(s.technique == "stretch" and s.region == "calves" and "bend" in
               s.instructions.lower() for s in feet.steps)
    assert "first steps" in feet.caution
    head = _load(ROUTINES / "tension-headache.yaml")
    assert "clinician if you get headaches often" in " ".join(head.caution.split())


@pytest.mark.parametrize("path", FILES, ids=IDS)
def test_no_roller_on_the_achilles_and_no_friction_on_the_heel(path: Path) -> None:
    for number, step in enumerate(_load(path).steps, start=1):
        text = step.instructions.lower()
        if step.technique in ("foam-roll", "ball-roll") and step.region == "calves":
            assert "just above the ankle" not in text, f"step {number}: that is the tendon"
            assert "achilles" in text, f"step {number} does not say to stay off the tendon"
        if step.technique == "friction" and step.region == "feet":
            assert "edge of the heel" not in text and "arch" in text, f"step {number}: {text!r}"
