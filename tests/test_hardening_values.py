"""Issue 12, classes 1, 2, 3 and 9 through the real commands, several cases each.

1 values that validate but would explode at play (cadence 1 µs, a millisecond step, 10^5
repeats), 2 one bad value (unicode digits, 4,400 digits, a clock with huge parts), 3 slow or deep
input (sexagesimal, 250 includes deep, a 400 KB value quoted), 9 messages that point wrong
(misspelled field, plural units): each is one line naming file:line:col in `validate`, exit 1,
in bounded time; `play` refuses it in one line before anything starts; `list` still lists every
built-in and shows the bad file as its own line; nothing is written to the history.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BOUND = 30.0  # seconds, on a loaded 2-core machine; each is under 2 s idle

STEP = "name: {name}\nsteps:\n  - technique: breathe\n    duration: {duration}\n{extra}"

#: file id → (its text, the one error validate reports: "line:col: message")
BAD: dict[str, tuple[str, str]] = {
    # class 1
    "cadence": (STEP.format(name="C1", duration="30s", extra="    cues: {cadence: 0.000001}\n"),
                "5:21: error: 'cadence' must be 0 or at least 1 second, got 0.000001"),
    "millisecond": (STEP.format(name="C1b", duration="0.001s", extra=""),
                    "4:15: error: 'duration' must be at least 1 second, got 0.001s"),
    "repeats": (STEP.format(name="C1c", duration="30s", extra="    repeat: 100000\n"),
                "5:13: error: 'repeat' must be at most 100, got the number 100000"),
    "countdown": (STEP.format(name="C1d", duration="30s", extra="    cues: {countdown: 99}\n"),
                  "5:23: error: cue 'countdown' must be a whole number of beeps from 0 to 10, "
                  "got the number 99"),
    # class 2
    "superscript": (STEP.format(name="C2", duration="30s", extra='    pressure: "²"\n'),
                    "5:15: error: 'pressure' must be light, moderate, firm or a whole number "
                    "from 0 to 10, got '²'"),
    "arabic": (STEP.format(name="C2b", duration="30s", extra='    pressure: "٣"\n'),
               "5:15: error: 'pressure' must be light, moderate, firm or a whole number from 0 "
               "to 10, got '٣'"),
    "digits": (STEP.format(name="C2c", duration="30s", extra=f'    pressure: "{"9" * 4400}"\n'),
               "5:15: error: 'pressure' must be light, moderate, firm or a whole number from 0 "
               f"to 10, got '{'9' * 39}…'"),
    "clock": (STEP.format(name="C2d", duration='"99999999:99:99"', extra=""),
              "4:15: error: cannot read duration '99999999:99:99': write it like 20s, 1m30s or "
              "1:30"),
    # class 3
    "sexagesimal": (STEP.format(name="C3", duration="30s",
                                extra="    repeat: " + ":".join(["1"] * 20000) + "\n"),
                    "5:13: error: 'repeat' must be a whole number of at least 1, got the number "
                    + "1:" * 19 + "1…"),
    "huge": (STEP.format(name="C3b", duration="30s", extra=f'    side: "{"x" * 400_000}"\n'),
             "5:11: error: unknown side '" + "x" * 39 + "…': use left, right, each or both"),
    # class 9
    "techique": ("name: C9\nsteps:\n  - techique: breathe\n    duration: 30s\n",
                 "3:5: error: unknown field 'techique' in step 1 (did you mean 'technique'?)"),
}
#: Written the way people write them: accepted (class 9).
PLURALS = ["90 secs", "20 seconds", "2 minutes", "1 min 30 secs", "1 minute"]


@pytest.fixture
def library(unknot_home: Path) -> Path:
    folder = unknot_home / "routines"
    folder.mkdir()
    for rid, (text, _) in BAD.items():
        (folder / f"{rid}.yaml").write_text(text, encoding="utf-8")
    depth = 250  # an include chain deeper than Python's patience for recursion
    for i in range(depth):
        nxt = f"  - include: deep{i + 1}\n" if i + 1 < depth else \
            "  - technique: breathe\n    duration: 30s\n"
        (folder / f"deep{i}.yaml").write_text(f"name: D{i}\nsteps:\n{nxt}", encoding="utf-8")
    return folder


def unknot(*args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "player", *args], cwd=REPO, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=BOUND * 2)
    assert "Traceback" not in done.stderr, done.stderr
    return done, time.monotonic() - start


def test_validate_says_each_once_in_one_line(library: Path) -> None:
    done, took = unknot("validate", str(library))
    lines = done.stdout.splitlines()
    for rid, (_, problem) in BAD.items():
        mine = [x for x in lines if x.startswith(f"{library / rid}.yaml:")]
        assert mine == [f"{library / rid}.yaml:{problem}"], (rid, mine)
    assert all(len(x) < 400 for x in lines)  # no value is quoted whole
    assert done.returncode == 1 and took < BOUND


def test_a_deep_include_chain_is_an_error_not_a_recursion_error(library: Path) -> None:
    done, took = unknot("validate", str(library / "deep0.yaml"))
    assert done.returncode == 1 and took < BOUND
    lines = done.stdout.splitlines()
    # One line, at the top file's include, naming the chain briefly (not one line per file).
    assert lines == [
        f"{library / 'deep0.yaml'}:3:14: error: includes nest more than 32 deep (deep0.yaml → "
        "deep1.yaml → deep2.yaml → (27 more) → deep30.yaml → deep31.yaml → deep32.yaml): "
        "include the routines one after another instead"]
    # A file far enough down the chain is fine on its own; each file above it is one line.
    done, _ = unknot("validate", str(library))
    nest = [x for x in done.stdout.splitlines() if "deep" in x.split(":")[0]]
    assert all("nest more than 32 deep (deep" in x for x in nest) and nest


@pytest.mark.parametrize("rid", list(BAD))
def test_play_refuses_it_before_anything_starts(rid: str, library: Path,
                                                unknot_home: Path) -> None:
    done, took = unknot("play", rid, "--headless", "--no-sound", "--no-media-keys")
    assert done.stderr.splitlines() == [f"unknot: error: {library / rid}.yaml:{BAD[rid][1]}"]
    assert done.stdout == "" and done.returncode == 1 and took < BOUND
    assert not (unknot_home / "history.jsonl").exists()


def test_list_keeps_every_builtin_and_names_each_bad_file(library: Path) -> None:
    from player import paths

    builtins = sorted(p.stem for p in paths.builtin_routines_dir().glob("*.yaml"))
    done, took = unknot("list", "--json")
    listed = {row["id"] for row in json.loads(done.stdout)}
    assert set(builtins) <= listed  # one broken user file never costs the library
    errors = done.stderr.splitlines()
    for rid, (_, problem) in BAD.items():
        assert errors.count(f"unknot: {library / rid}.yaml:{problem}") == 1, rid
    assert done.returncode == 0 and took < BOUND


@pytest.mark.parametrize("written", PLURALS)
def test_plural_units_are_accepted(written: str, tmp_path: Path) -> None:
    path = tmp_path / "plural.yaml"
    path.write_text(STEP.format(name="P", duration=written, extra=""), encoding="utf-8")
    done, _ = unknot("validate", str(path))
    assert done.returncode == 0 and ": error:" not in done.stdout, done.stdout
