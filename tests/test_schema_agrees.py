"""The schema and the validator agree: generated routines get the same verdict from both.

Routines are generated from the vocabulary (ids, aliases, spaced and mixed-case names), every
duration spelling, every side and pressure spelling, and a share of wrong values; the loader
(`check_file`, what `unknot validate` runs) and the JSON Schema (checked by the jsonschema
library) must both accept or both reject each one. Warnings are advice, not a verdict.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from player import vocab
from player.loader import check_file
from player.schema import routine_schema

jsonschema = pytest.importorskip("jsonschema")
VALIDATOR = jsonschema.Draft202012Validator(routine_schema())


def mostly(good: st.SearchStrategy[Any], bad: st.SearchStrategy[Any],
           ) -> st.SearchStrategy[Any]:
    """`good` about 19 times in 20, so a routine of several fields is often valid as a whole."""
    return st.integers(min_value=0, max_value=19).flatmap(lambda n: bad if n == 0 else good)


def spellings(name: str) -> st.SearchStrategy[str]:
    """The ways a person may write a vocabulary name: `foam-roll`, `Foam roll`, `FOAM_ROLL`."""
    sep = st.sampled_from(["-", " ", "_"])
    case = st.sampled_from([str.lower, str.upper, str.capitalize, str.title])
    pad = st.sampled_from(["", " "])
    return st.builds(lambda s, c, p: p + c(name.replace("-", s)) + p, sep, case, pad)


def named(items: tuple[vocab.Technique, ...] | tuple[vocab.Region, ...],
          ) -> st.SearchStrategy[str]:
    every = [n for item in items for n in (item.id, *item.aliases)]
    good = st.sampled_from(every).flatmap(spellings)
    bad = st.sampled_from(["kneed", "foam--roll", "calvesx", "", "x", "upper trap"])
    return mostly(good, bad)


def _clock(total: int) -> str:
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def spelled_duration(total: int) -> st.SearchStrategy[object]:
    """Every spelling of a whole number of seconds the format documents."""
    m, s = divmod(total, 60)
    forms: list[object] = [total, float(total), str(total), f"{total}s", f"{total} sec",
                           f"{total}S", f"{total} secs", f"{total} Seconds", _clock(total)]
    if m:
        forms += [f"{m}m{s}s" if s else f"{m}m", f"{m} min {s} s" if s else f"{m} min",
                  f"{m}M {s}SEC" if s else f"{m}MIN", f"{m} minutes {s} second" if s
                  else f"{m} minute"]
    if total == 3600:
        forms += ["1h", "1 h", "1H", "1 hour", "1 hrs", "1 HOURS"]
    return st.sampled_from(forms)


def durations(zero_ok: bool) -> st.SearchStrategy[object]:
    good = st.integers(min_value=0 if zero_ok else 1, max_value=3600).flatmap(spelled_duration)
    fractions = st.sampled_from(["2.5", 2.5, "1m 0.5s", "0.5m", "1.5 secs"])
    # Under a second but not 0 is refused, as are a string of 10 digits and plain nonsense.
    bad = st.sampled_from(["soon", "", "-5s", "1:75", "20 secondz", -1, 3601, True, None,
                           0.5, "0.5s", "0.25", "0:00.5", "1234567890s",
                           *([] if zero_ok else [0, 0.0, "0s", "0:00"])])
    return mostly(st.one_of(good, good, good, fractions), bad)


SIDES = mostly(st.sampled_from([*vocab.SIDES, "none", "Left", " RIGHT ", "Each", None]),
               st.sampled_from(["lft", "middle", 3, True]))
PRESSURES = mostly(st.one_of(st.sampled_from(["light", "Moderate", " FIRM ", "5", "10", "07",
                                              5.0]), st.integers(min_value=0, max_value=10)),
                   st.sampled_from(["hard", "11", -1, 11, None]))
TEXTS = st.one_of(st.sampled_from(["massage ball", "Hands", "", "x" * 50]),
                  st.sampled_from([7, 2.5, True]))


def say(limit: int) -> st.SearchStrategy[object]:
    return mostly(st.integers(min_value=0, max_value=limit),
                  st.integers(min_value=limit + 1, max_value=limit + 3)).map(
        lambda n: " ".join(["word"] * n))


CUES = st.fixed_dictionaries({}, optional={
    "start": st.booleans(), "halfway": mostly(st.booleans(), st.just("yes please")),
    "countdown": mostly(st.integers(min_value=0, max_value=10), st.sampled_from([-1, 11, 2.5])),
    "switch": st.booleans(),
    "end": st.booleans(), "cadence": st.one_of(durations(zero_ok=True), st.just(False)),
})

OPTIONAL_STEP = {
    "side": SIDES,
    "repeat": mostly(st.integers(min_value=1, max_value=100), st.sampled_from([0, 101, "two"])),
    "rest": durations(zero_ok=True),
    "lead_in": st.one_of(durations(zero_ok=True), st.sampled_from(["auto", " Auto", "AUTO"])),
    "pressure": PRESSURES,
    "tool": TEXTS,
    "title": TEXTS,
    "instructions": TEXTS,
    "cues": CUES,
    "say": say(30),
    "say_end": say(12),
}

STEP = st.fixed_dictionaries(
    {"technique": named(vocab.TECHNIQUES), "duration": durations(zero_ok=False),
     # Left out now and then: breathe and rest need none, every other technique does.
     "region": mostly(named(vocab.REGIONS), st.just(None))},
    optional=OPTIONAL_STEP,
).map(lambda step: {k: v for k, v in step.items() if not (k == "region" and v is None)})
DEFAULTS = st.fixed_dictionaries({}, optional={
    k: OPTIONAL_STEP[k] for k in ("side", "repeat", "rest", "lead_in", "pressure", "tool",
                                  "cues")})
ROUTINE = st.fixed_dictionaries(
    {"name": mostly(st.sampled_from(["Neck", "A routine", 5]), st.sampled_from(["", " ", None])),
     "steps": mostly(st.lists(STEP, min_size=1, max_size=3), st.just([]))},
    optional={"summary": TEXTS, "tags": st.one_of(st.just("desk"), st.lists(TEXTS, max_size=3)),
              "version": mostly(st.just(1), st.just(2)), "defaults": DEFAULTS},
)


def loader_accepts(tmp: Path, routine: dict[str, Any]) -> tuple[bool, list[str]]:
    path = tmp / "generated.yaml"
    path.write_text(yaml.safe_dump(routine, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    result, problems = check_file(path, search_dirs=(tmp,))
    return result is not None, [str(p) for p in problems if p.severity == "error"]


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ROUTINE)
@example({"name": "IT", "steps": [{"technique": "foam roll", "region": "IT band",
                                    "duration": "1 min"}]})
@example({"name": "T", "steps": [{"technique": "Trigger Point", "region": "upper_traps",
                                  "duration": "0:20", "side": "Each"}]})
@example({"name": "B", "steps": [{"technique": "breathe", "duration": "0s"}]})
@example({"name": "R", "steps": [{"technique": "stretch", "duration": "30s"}]})
def test_the_schema_and_the_validator_agree(tmp_path: Path, routine: dict[str, Any]) -> None:
    accepted, errors = loader_accepts(tmp_path, routine)
    schema_errors = [e.message for e in VALIDATOR.iter_errors(routine)]
    assert accepted == (not schema_errors), (routine, errors, schema_errors[:3])


def test_the_issue_examples_are_valid_under_both() -> None:
    for text in ("foam roll", "Foam Roll", "foam_roll"):
        assert VALIDATOR.is_valid({"name": "x", "steps": [
            {"technique": text, "region": "IT band", "duration": "1m"}]}), text
