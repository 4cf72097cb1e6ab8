"""Issue 12, "it must show": a generated corpus of 10,000 routine documents, loaded in this one
process in under 60 s, each giving a Routine or a RoutineError (never anything else, never a
hang) - and a hypothesis test aimed at the classes: numeric extremes, unicode digits, control
characters, slow YAML and include chains far too deep.

The corpus is seeded (the same 10,000 every run): a valid routine whose fields are replaced,
one to four at a time, by hostile values.
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from player.errors import RoutineError
from player.loader import load_routine
from player.routine import Routine

CORPUS_SIZE = 10_000
#: The issue's bound for the whole corpus, on a loaded 2-core machine.
CORPUS_SECONDS = 60.0

FIELDS = ["name", "summary", "technique", "region", "side", "duration", "repeat", "rest",
          "pressure", "lead_in", "cadence", "countdown", "halfway", "say", "tags", "include"]

#: Values that once broke a class of issue 12, and their neighbours.
HOSTILE = [
    # 1: values that validate but explode at play
    "0.000001", "1e-300", "-0", "0", "-1", "1e308", "1e309", ".inf", "-.inf", ".nan", "1e400",
    "99999999999999999999999", "0x7fffffffffffffff", "0o777777777777", "0b" + "1" * 80,
    # 2: one bad value
    '"²"', '"٣"', '"①"', '"3²"', '"' + "9" * 4400 + '"', '"' + "1:" * 300 + '1"',
    '"99999999:99:99"', '"1e999 s"', '"NaN s"', '"inf min"', '"-5 s"', '"٣٠ s"',
    # 3: slow or deep
    "1:" * 2000 + "1", "[" * 200 + "]" * 200, "{a: " * 100 + "1" + "}" * 100,
    "&a [*a]", "*nothing", "!!python/object/apply:os.system ['true']", "!!binary AAAA",
    '"' + "x" * 10_000 + '"',  # 10 KB: any quote of it must be shortened
    # 4: control characters and look-alikes
    '"\\x1b]52;c;aGk=\\x07"', '"\\x1b[2J\\x1b[H"', '"\\u202eevil"', '"a\\x00b"', '"\\x9b31m"',
    '"\\ud800"', '"\\U0010ffff"', '"﷽"', '"🙆" ',
    # 9: authoring slips
    "20 seconds", "90 secs", "2 minutes", "1 min 30 s", "1m30", "1:30", "01:02:03", "20sec",
    "techique", "brethe", "null", "~", "''", "[]", "{}", "yes", "on", "2026-01-01",
]

BASE = """\
name: Corpus
summary: A generated routine.
defaults:
  lead_in: 0
  pressure: 5
steps:
  - technique: trigger-point
    region: upper-trapezius
    side: each
    duration: 20s
    repeat: 2
    rest: 10s
  - technique: breathe
    duration: 30s
    cues:
      cadence: 5s
      countdown: 3
"""


def document(rng: random.Random) -> str:
    """BASE with one to four fields replaced by hostile values, or a line cut or doubled."""
    lines = BASE.splitlines()
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        value = rng.choice(HOSTILE)
        if roll < 0.7:  # replace a field's value
            field = rng.choice(FIELDS)
            hits = [i for i, x in enumerate(lines) if x.strip().startswith(f"{field}:")]
            if hits:
                i = rng.choice(hits)
                indent = lines[i][:len(lines[i]) - len(lines[i].lstrip())]
                lines[i] = f"{indent}{field}: {value}"
            else:
                lines.insert(rng.choice([8, 13, len(lines)]), f"    {field}: {value}")
        elif roll < 0.85:  # damage the structure
            i = rng.randrange(len(lines))
            lines[i] = rng.choice([lines[i][:rng.randrange(len(lines[i]) + 1)],
                                   " " + lines[i], lines[i].replace(":", ""),
                                   lines[i] + " " + value])
        else:  # a step of hostile values, or a whole document of one
            if rng.random() < 0.5:
                lines += ["  - technique: " + value, "    duration: " + rng.choice(HOSTILE)]
            else:
                lines = [value]
    return "\n".join(lines) + "\n"


def outcome(path: Path) -> Routine | None:
    try:
        routine = load_routine(path, search_dirs=(path.parent,))
    except RoutineError as exc:
        assert exc.problems, "a RoutineError names at least one problem"
        for p in exc.problems:
            assert p.line >= 1 and p.column >= 1 and "\n" not in p.message
            assert len(p.message) < 1000  # every value it quotes is shortened
        return None
    assert isinstance(routine, Routine)
    return routine


def rewrite(path: Path, text: str) -> None:
    """`path` now holds `text`: written over the old bytes, then cut to length (truncating to
    nothing first, as write_text does, makes ext4 flush the file to disk: ~6 ms each)."""
    data = text.encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT)
    try:
        os.write(fd, data)
        os.ftruncate(fd, len(data))
    finally:
        os.close(fd)


def test_a_corpus_of_ten_thousand_documents(tmp_path: Path) -> None:
    rng = random.Random(12)
    (tmp_path / "blocks").mkdir()
    (tmp_path / "blocks" / "calm.yaml").write_text(
        "name: Calm\nsteps:\n  - technique: breathe\n    duration: 30s\n", encoding="utf-8")
    path = tmp_path / "doc.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert outcome(path) is not None  # the corpus starts from a routine that is fine
    routines = errors = 0
    start = time.monotonic()
    for _ in range(CORPUS_SIZE):
        rewrite(path, document(rng))
        if outcome(path) is None:
            errors += 1
        else:
            routines += 1
    took = time.monotonic() - start
    assert routines + errors == CORPUS_SIZE
    # The corpus reaches both sides: it is not all errors, nor all fine.
    assert routines > CORPUS_SIZE // 50 and errors > CORPUS_SIZE // 2, (routines, errors)
    assert took < CORPUS_SECONDS, f"{CORPUS_SIZE} documents took {took:.1f} s"


# ---------------------------------------------------------------------------- hypothesis

NUMERIC = st.one_of(
    st.integers(), st.integers(1, 6000).map(lambda n: "9" * n),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e-308", "5e-324", "1e309", ".inf", ".nan", "-0.0", "0x1p-1074"]),
)
UNICODE_DIGITS = st.text(alphabet=st.characters(whitelist_categories=("Nd", "No", "Nl")),
                         min_size=1, max_size=8)
CONTROL = st.text(alphabet=st.characters(whitelist_categories=("Cc", "Cf", "Zl", "Zp")),
                  min_size=1, max_size=8)
VALUE = st.one_of(
    NUMERIC, UNICODE_DIGITS, CONTROL,
    st.tuples(UNICODE_DIGITS, st.sampled_from(["", " s", "s", " min", " seconds"])).map("".join),
    st.tuples(NUMERIC, st.sampled_from([" s", ":", " min"]), NUMERIC).map(lambda t: "".join(
        map(str, t))),
    st.text(max_size=30),
)
FIELD = st.sampled_from(["duration", "repeat", "rest", "pressure", "lead_in", "cadence",
                         "countdown", "name", "technique", "region", "side", "say"])


def quoted(value: object) -> str:
    text = str(value)
    escaped = "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}"
                      for c in text)
    return f'"{escaped}"'


@settings(max_examples=400, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(fields=st.dictionaries(FIELD, VALUE, min_size=1, max_size=4), bare=st.booleans())
def test_hostile_values_in_any_field(tmp_path: Path, fields: dict[str, object],
                                     bare: bool) -> None:
    step: dict[str, object] = {"technique": "breathe", "duration": "30s"}
    step.update((k, v) for k, v in fields.items() if k != "name")
    first, *rest = (f"{k}: {v if bare and isinstance(v, int) else quoted(v)}"
                    for k, v in step.items())
    text = f"name: {quoted(fields.get('name', 'Fuzz'))}\nsteps:\n  - {first}\n"
    text += "".join(f"    {line}\n" for line in rest)
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    start = time.monotonic()
    outcome(path)
    assert time.monotonic() - start < 5.0


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(depth=st.integers(1, 400), cycle=st.booleans())
def test_include_chains_of_any_depth(tmp_path: Path, depth: int, cycle: bool) -> None:
    folder = tmp_path / f"chain-{depth}-{cycle}"
    folder.mkdir(exist_ok=True)
    for i in range(depth):
        nxt = f"c{i + 1}" if i + 1 < depth else ("c0" if cycle else None)
        step = f"  - include: {nxt}\n" if nxt else "  - technique: breathe\n    duration: 30s\n"
        (folder / f"c{i}.yaml").write_text(f"name: C{i}\nsteps:\n{step}", encoding="utf-8")
    start = time.monotonic()
    result = outcome(folder / "c0.yaml")
    assert time.monotonic() - start < 10.0
    if cycle:
        assert result is None  # a cycle is an error, never a RecursionError


def test_a_deep_include_chain_under_a_deep_caller_is_an_error(tmp_path: Path) -> None:
    # The cap holds whatever stack the caller has already used (a test runner, hypothesis):
    # called 800 frames deep, a 400-deep chain is still a RoutineError, never RecursionError.
    import sys

    for i in range(400):
        nxt = f"  - include: c{i + 1}\n" if i + 1 < 400 else "  - technique: breathe\n" \
            "    duration: 30s\n"
        (tmp_path / f"c{i}.yaml").write_text(f"name: C{i}\nsteps:\n{nxt}", encoding="utf-8")

    def deep(frames: int) -> Routine | None:
        return deep(frames - 1) if frames > 0 else outcome(tmp_path / "c0.yaml")

    assert sys.getrecursionlimit() - 800 > 100
    assert deep(800) is None
