"""Tests for every validation error and warning: the message, its line and its column.

Each case writes a small routine file and compares the exact problems reported for it
(`line:column: severity: message`), so a moved column or a reworded message fails here.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from player.errors import RoutineError
from player.loader import MAX_BYTES, MAX_PROBLEMS, check_file, load_routine

HEAD = "name: x\nsteps:\n"
REST = "  - technique: rest\n    duration: 10\n"


def found(path: Path, search: tuple[Path, ...] = ()) -> list[str]:
    _, problems = check_file(path, search_dirs=search or (path.parent,))
    return [f"{p.line}:{p.column}: {p.severity}: {p.message}" for p in problems
            if p.path == str(path)]


def write(tmp_path: Path, text: str | bytes, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


ERRORS: dict[str, tuple[str, list[str]]] = {
    "bad YAML": (
        "name: x\nsteps: [\n", ["3:1: error: bad YAML: did not find expected node content"]),
    "bad YAML indentation": (
        "name: x\n  steps: 1\n",
        ["2:8: error: bad YAML: mapping values are not allowed in this context"]),
    "tab indentation": (
        "name: x\nsteps:\n\t- technique: rest\n",
        ["3:1: error: bad YAML: found character that cannot start any token"]),
    "unknown top-level field": (
        "name: x\nsumary: y\nsteps:\n" + REST,
        ["2:1: error: unknown field 'sumary' in a routine (did you mean 'summary'?)"]),
    "unknown field, nothing close": (
        "name: x\nzzzqqq: y\nsteps:\n" + REST,
        ["2:1: error: unknown field 'zzzqqq' in a routine (a routine takes: version, name, "
         "summary, tags, equipment, caution, defaults, steps)"]),
    "unknown step field": (
        HEAD + "  - technique: rest\n    durration: 10\n",
        # Said once, with the suggestion; not again as a missing 'duration' (issue 12, 9).
        ["4:5: error: unknown field 'durration' in step 1 (did you mean 'duration'?)"]),
    "unknown defaults field": (
        "name: x\ndefaults:\n  pressur: 3\nsteps:\n" + REST,
        ["3:3: error: unknown field 'pressur' in defaults (did you mean 'pressure'?)"]),
    "unknown cue": (
        HEAD + REST + "    cues: {halfwy: true}\n",
        ["5:12: error: unknown field 'halfwy' in cues (did you mean 'halfway'?)"]),
    "unknown technique": (
        HEAD + "  - technique: efleurage\n    region: neck\n    duration: 30\n",
        ["3:16: error: unknown technique 'efleurage' (did you mean 'effleurage'?)"]),
    "unknown region": (
        HEAD + "  - technique: effleurage\n    region: calfs\n    duration: 30\n",
        ["4:13: error: unknown region 'calfs' (did you mean 'calf'?)"]),
    "unknown side": (
        HEAD + "  - technique: effleurage\n    region: calves\n    side: lefft\n"
               "    duration: 30\n",
        ["5:11: error: unknown side 'lefft' (did you mean 'left'?): use left, right, each "
         "or both"]),
    "missing name": ("steps:\n" + REST, ["1:1: error: missing required field 'name'"]),
    "empty name": ("name: ''\nsteps:\n" + REST, ["1:7: error: 'name' must not be empty"]),
    "missing steps": ("name: x\n", ["1:1: error: missing required field 'steps'"]),
    "empty steps": (
        "name: x\nsteps: []\n", ["2:8: error: 'steps' is empty: add at least one step"]),
    "null steps": ("name: x\nsteps:\n", ["2:1: error: 'steps' is empty: add at least one step"]),
    "missing technique": (
        HEAD + "  - region: calves\n    duration: 10\n",
        ["3:5: error: missing required field 'technique' in step 1"]),
    "missing duration": (
        HEAD + "  - technique: rest\n",
        ["3:5: error: missing required field 'duration' in step 1"]),
    "missing region": (
        HEAD + "  - technique: stretch\n    duration: 30\n",
        ["3:5: error: missing required field 'region' in step 1 (stretch works on a region)"]),
    "zero duration": (
        HEAD + "  - technique: rest\n    duration: 0\n",
        ["4:15: error: 'duration' must be more than 0 seconds, got 0"]),
    "negative duration": (
        HEAD + "  - technique: rest\n    duration: -5s\n",
        ["4:15: error: 'duration' must be more than 0 seconds, got -5s"]),
    "negative number duration": (
        HEAD + "  - technique: rest\n    duration: -5\n",
        ["4:15: error: 'duration' must be more than 0 seconds, got -5"]),
    "duration over an hour": (
        HEAD + "  - technique: rest\n    duration: 61m\n",
        ["4:15: error: 'duration' must be at most 1 hour, got 61m"]),
    "unparseable duration": (
        HEAD + "  - technique: rest\n    duration: ten seconds\n",
        ["4:15: error: cannot read duration 'ten seconds': write it like 20s, 1m30s or 1:30"]),
    "boolean duration": (
        HEAD + "  - technique: rest\n    duration: yes\n",
        ["4:15: error: 'duration' must be a duration like 20s, 1m30s or 1:30, got 'yes'"]),
    "negative lead-in": (
        HEAD + REST + "    lead_in: -1\n",
        ["5:14: error: 'lead_in' must be 0 or more, got -1"]),
    "repeat zero": (
        HEAD + REST + "    repeat: 0\n",
        ["5:13: error: 'repeat' must be a whole number of at least 1, got the number 0"]),
    "repeat fraction": (
        HEAD + REST + "    repeat: 1.5\n",
        ["5:13: error: 'repeat' must be a whole number of at least 1, got the number 1.5"]),
    "duplicate step key": (
        HEAD + REST + "    duration: 20\n",
        ["5:5: error: duplicate key 'duration' (first at line 4): remove one of them"]),
    "duplicate top-level key": (
        "name: x\nname: y\nsteps:\n" + REST,
        ["2:1: error: duplicate key 'name' (first at line 1): remove one of them"]),
    "python tag": (
        "name: !!python/object:os.system x\nsteps:\n" + REST,
        ["1:7: error: tag '!!python/object:os.system' is not allowed: routine files are plain "
         "YAML without tags"]),
    "python apply tag": (
        HEAD + "  - !!python/object/apply:os.system [echo hi]\n",
        ["3:5: error: tag '!!python/object/apply:os.system' is not allowed: routine files are "
         "plain YAML without tags",
         "3:5: error: step 1 must be a mapping with technique, region and duration (or include: "
         "ID), got a list"]),
    "local tag": (
        "name: !shout x\nsteps:\n" + REST,
        ["1:7: error: tag '!shout' is not allowed: routine files are plain YAML without tags"]),
    "version 2": (
        "version: 2\n" + HEAD + REST,
        ["1:10: error: unsupported version 2: this unknot reads version 1"]),
    "pressure word": (
        HEAD + REST + "    pressure: hard\n",
        ["5:15: error: 'pressure' must be light, moderate, firm or a whole number from 0 to 10, "
         "got 'hard'"]),
    "pressure above 10": (
        HEAD + REST + "    pressure: 11\n",
        ["5:15: error: 'pressure' must be light, moderate, firm or a whole number from 0 to 10, "
         "got the number 11"]),
    "countdown": (
        HEAD + REST + "    cues: {countdown: 11}\n",
        ["5:23: error: cue 'countdown' must be a whole number of beeps from 0 to 10, got the "
         "number 11"]),
    "cue flag": (
        HEAD + REST + "    cues: {halfway: maybe}\n",
        ["5:21: error: cue 'halfway' must be true or false, got 'maybe'"]),
    "top-level list": (
        "- a\n- b\n",
        ["1:1: error: a routine file must be a mapping with a name and steps, got a list"]),
    "empty file": ("", ["1:1: error: file is empty: a routine needs a name and steps"]),
    "only comments": (
        "# nothing\n", ["1:1: error: file is empty: a routine needs a name and steps"]),
    "step not a mapping": (
        HEAD + "  - rest\n",
        ["3:5: error: step 1 must be a mapping with technique, region and duration (or include: "
         "ID), got 'rest'"]),
    "include with other fields": (
        HEAD + "  - include: nowhere\n    duration: 10\n",
        ["3:14: error: cannot find routine 'nowhere' to include",
         "4:5: error: 'include' stands alone in its step: move 'duration' into the included "
         "routine or a step of its own"]),
    "every problem at once": (
        "name: x\nsumary: y\nsteps:\n  - technique: efleurage\n    region: nekc\n"
        "    duration: 0\n  - technique: rest\n    duration: 10\n    repeat: 0\n",
        ["2:1: error: unknown field 'sumary' in a routine (did you mean 'summary'?)",
         "4:16: error: unknown technique 'efleurage' (did you mean 'effleurage'?)",
         "5:13: error: unknown region 'nekc' (did you mean 'neck'?)",
         "6:15: error: 'duration' must be more than 0 seconds, got 0",
         "9:13: error: 'repeat' must be a whole number of at least 1, got the number 0"]),
}

WARNINGS: dict[str, tuple[str, list[str]]] = {
    "longer than recommended": (
        HEAD + "  - technique: trigger-point\n    region: calves\n    duration: 45s\n",
        ["5:15: warning: trigger-point for 45 s is longer than the recommended 10–30 s"]),
    "shorter than recommended": (
        HEAD + "  - technique: foam-roll\n    region: calves\n    duration: 10s\n",
        ["5:15: warning: foam-roll for 10 s is shorter than the recommended 30 s–2 min"]),
    "pressure above 7": (
        HEAD + "  - technique: petrissage\n    region: calves\n    duration: 30s\n"
               "    pressure: 8\n",
        ["6:15: warning: pressure 8 is above 7: self-massage should stay at a 'good pain' of 4 "
         "to 7"]),
    "firm on the neck": (
        HEAD + "  - technique: effleurage\n    region: neck\n    duration: 30s\n"
               "    pressure: firm\n",
        ["6:15: warning: firm pressure (7) on the neck, a danger zone: use only broad, light "
         "pressure there"]),
    "firm default on the back of the knee": (
        "name: x\ndefaults:\n  pressure: 6\nsteps:\n  - technique: effleurage\n"
        "    region: back-of-knee\n    duration: 30s\n",
        ["3:13: warning: firm pressure (6) on the back of knee, a danger zone: use only broad, "
         "light pressure there"]),
    "foam-roll the lower back": (
        HEAD + "  - technique: foam-roll\n    region: lower-back\n    duration: 30s\n",
        ["4:13: warning: never foam-roll the lower back: roll the muscles around it instead"]),
    "roll the neck (alias)": (
        HEAD + "  - technique: roller\n    region: neck\n    duration: 30s\n",
        ["4:13: warning: never foam-roll the neck: roll the muscles around it instead"]),
}


@pytest.mark.parametrize("text,expected", ERRORS.values(), ids=list(ERRORS))
def test_errors(tmp_path: Path, text: str, expected: list[str]) -> None:
    path = write(tmp_path, text)
    assert found(path) == expected
    with pytest.raises(RoutineError) as info:
        load_routine(path, search_dirs=(tmp_path,))
    assert str(info.value) == f"{path}:{expected[0]}"


@pytest.mark.parametrize("text,expected", WARNINGS.values(), ids=list(WARNINGS))
def test_warnings_leave_the_routine_usable(tmp_path: Path, text: str,
                                           expected: list[str]) -> None:
    path = write(tmp_path, text)
    assert found(path) == expected
    routine = load_routine(path, search_dirs=(tmp_path,))
    assert routine.steps


def test_moderate_pressure_on_a_danger_zone_is_fine(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "  - technique: effleurage\n    region: neck\n"
                                  "    duration: 30s\n    pressure: 5\n")
    assert found(path) == []


def test_a_warning_in_defaults_is_reported_once(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\ndefaults:\n  pressure: 9\nsteps:\n" + REST * 3)
    assert found(path) == ["3:13: warning: pressure 9 is above 7: self-massage should stay at "
                           "a 'good pain' of 4 to 7"]


# -- whole-file problems ------------------------------------------------------------------------

def test_not_utf8_points_at_the_byte(tmp_path: Path) -> None:
    path = write(tmp_path, b"name: caf\xe9\nsteps: []\n")
    assert found(path) == ["1:10: error: file is not UTF-8 text (byte 0xe9): save it as UTF-8"]


def test_utf8_with_bom_is_read(tmp_path: Path) -> None:
    path = write(tmp_path, ("\ufeff" + HEAD + REST).encode("utf-8"))
    assert load_routine(path).name == "x"


def test_binary_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    assert found(path) == ["1:1: error: binary file: a routine is a YAML text file"]


def test_file_over_one_mebibyte(tmp_path: Path) -> None:
    text = HEAD + REST + "#" * MAX_BYTES
    path = write(tmp_path, text)
    assert found(path) == [f"1:1: error: file is larger than 1 MiB ({len(text)} bytes): "
                           "a routine is a small text file"]


def test_missing_file(tmp_path: Path) -> None:
    problems = found(tmp_path / "gone.yaml")
    assert problems == ["1:1: error: cannot read file: No such file or directory"]


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for c in "bcdefghijklmnopqrstu":
        lines.append(f"{c}: &{c} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = c
    path = write(tmp_path, "\n".join(lines) + "\n")
    start = time.perf_counter()
    problems = found(path)
    assert time.perf_counter() - start < 1.0
    assert problems == ["1:1: error: too many aliases: the file expands to more than 2000000 "
                        "values"]


def test_recursive_alias(tmp_path: Path) -> None:
    path = write(tmp_path, "name: x\nsteps: &s\n  - *s\n")
    assert found(path) == ["2:8: error: recursive alias: a value that contains itself"]


def test_deep_nesting_is_refused_before_parsing(tmp_path: Path) -> None:
    # libyaml's composer recurses in C: a few hundred thousand `[` would crash the process.
    path = write(tmp_path, "name: x\nsteps: " + "[" * 300_000 + "\n")
    start = time.perf_counter()
    assert found(path) == ["2:108: error: nesting is too deep (more than 100 levels)"]
    assert time.perf_counter() - start < 1.0


def test_plain_aliases_and_merge_keys_work(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "  - &roll {technique: foam-roll, region: calves, "
                                  "duration: 45s}\n  - *roll\n  - <<: *roll\n    region: quads\n")
    routine = load_routine(path)
    assert [s.region for s in routine.steps] == ["calves", "calves", "quads"]


# -- includes --------------------------------------------------------------------------------

def test_include_cycle(tmp_path: Path) -> None:
    a = write(tmp_path, "name: a\nsteps:\n  - include: b\n", "a.yaml")
    write(tmp_path, "name: b\nsteps:\n" + REST + "  - include: a.yaml\n", "b.yaml")
    _, problems = check_file(a, search_dirs=(tmp_path,))
    assert [str(p) for p in problems] == [
        f"{a}:3:14: error: included routine 'b' has errors",
        f"{tmp_path / 'b.yaml'}:5:14: error: include cycle: a.yaml → b.yaml → a.yaml",
    ]


def test_include_of_itself(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "  - include: r\n")
    assert found(path) == ["3:14: error: include cycle: r.yaml → r.yaml"]


def test_include_leaving_the_routine_folders(tmp_path: Path) -> None:
    outside = write(tmp_path, "name: o\nsteps:\n" + REST, "outside.yaml")
    assert outside.exists()
    path = write(tmp_path, HEAD + "  - include: ../outside.yaml\n", "lib/r.yaml")
    assert found(path, (tmp_path / "lib",)) == [
        "3:14: error: include '../outside.yaml' leaves the routine folders: keep included "
        "files beside the routine or in the library"]


def test_include_absolute_path_is_refused(tmp_path: Path) -> None:
    outside = write(tmp_path, "name: o\nsteps:\n" + REST, "o.yaml")
    path = write(tmp_path, HEAD + f"  - include: {outside}\n", "lib/r.yaml")
    (problem,) = found(path, (tmp_path / "lib",))
    assert problem.startswith("3:14: error: include '/")
    assert problem.endswith("' leaves the routine folders: keep included files beside the "
                            "routine or in the library")


def test_unknown_include_suggests(tmp_path: Path) -> None:
    write(tmp_path, "name: b\nsteps:\n" + REST, "blocks/breathing.yaml")
    path = write(tmp_path, HEAD + "  - include: breathng\n")
    assert found(path) == ["3:14: error: cannot find routine 'breathng' to include (did you "
                           "mean 'breathing'?)"]


def test_errors_in_an_included_file_carry_its_path(tmp_path: Path) -> None:
    block = write(tmp_path, "name: b\nsteps:\n  - technique: rest\n    duration: 0\n",
                  "blocks/b.yaml")
    path = write(tmp_path, HEAD + "  - include: blocks/b.yaml\n")
    _, problems = check_file(path, search_dirs=(tmp_path,))
    assert [str(p) for p in problems] == [
        f"{path}:3:14: error: included routine 'blocks/b.yaml' has errors",
        f"{block}:4:15: error: 'duration' must be more than 0 seconds, got 0",
    ]


# -- sounds ----------------------------------------------------------------------------------

def test_missing_sound_is_a_warning_and_the_default_plays(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + REST + "    sounds: {start: ding.wav}\n")
    assert found(path) == ["5:21: warning: sound 'ding.wav' for cue 'start' is not found: the "
                           "default cue plays instead"]
    assert load_routine(path).steps[0].cues.sound_for("start") is None


def test_a_sound_that_is_not_a_wav(tmp_path: Path) -> None:
    write(tmp_path, "not a wav at all", "ding.wav")
    path = write(tmp_path, HEAD + REST + "    sounds: {end: ding.wav}\n")
    assert found(path) == ["5:19: warning: sound 'ding.wav' for cue 'end' is not a WAV file: "
                           "the default cue plays instead"]


def test_a_sound_outside_the_routine_folder(tmp_path: Path) -> None:
    write(tmp_path, b"RIFF\0\0\0\0WAVEfmt ", "ding.wav")
    path = write(tmp_path, HEAD + REST + "    sounds: {end: ../ding.wav}\n", "lib/r.yaml")
    assert found(path) == ["5:19: error: sound '../ding.wav' for cue 'end' leaves the "
                           "routine's folder: keep WAVs beside the routine or in unknot's "
                           "sounds/"]


def test_unknown_cue_in_sounds(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + REST + "    sounds: {strat: a.wav}\n")
    assert found(path) == ["5:14: error: unknown field 'strat' in sounds (did you mean "
                           "'start'?)"]


# -- odd files and floods ------------------------------------------------------------------------

def test_devices_and_fifos_are_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        _, problems = check_file(path)
        assert [str(p) for p in problems] == [
            f"{path}:1:1: error: not a regular file: a routine is a YAML text file"]


def test_a_folder_is_not_a_routine(tmp_path: Path) -> None:
    assert found(tmp_path) == ["1:1: error: is a folder, not a routine file"]


def test_an_impossible_include_name_is_just_not_found(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + f"  - include: blocks/{'x' * 5000}.yaml\n")
    (problem,) = found(path)
    assert problem.startswith("3:14: error: cannot find routine 'blocks/xxx")


def test_a_flood_of_problems_stops_at_the_limit(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "  - 1\n" * 1000)
    problems = found(path)
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[-1] == f"{MAX_PROBLEMS + 3}:5: error: too many problems: stopped after 200"


def test_a_python_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    path = write(tmp_path, f"name: !!python/object/apply:os.system ['touch {marker}']\n"
                           "steps:\n" + REST)
    assert found(path)[0].startswith("1:7: error: tag '!!python/object/apply:os.system'")
    assert not marker.exists()
