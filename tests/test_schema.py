"""Tests for `unknot schema`: every built-in routine (and fixture) is valid under it, and
unknown fields, techniques and shapes are not.

A small validator for the keywords our schema uses lives here, so messages name the field; it
refuses any keyword it does not know, so the schema cannot outgrow it silently.
tests/test_schema_agrees.py checks the same schema with the jsonschema library.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from player import paths
from player.scaffold import starter
from player.schema import routine_schema

FIXTURES = Path(__file__).parent / "fixtures" / "routines"
KNOWN = {"$schema", "$defs", "$ref", "title", "description", "type", "properties", "required",
         "additionalProperties", "items", "minItems", "minLength", "enum", "const", "anyOf",
         "oneOf", "minimum", "maximum", "exclusiveMinimum", "pattern"}
TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def errors(schema: dict[str, Any], value: Any, root: dict[str, Any], at: str = "") -> list[str]:
    unknown = set(schema) - KNOWN
    assert not unknown, f"the test validator does not know {unknown}"
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        return errors(root["$defs"][name], value, root, at)
    out: list[str] = []
    kind = schema.get("type")
    if isinstance(kind, list):  # any of these types
        if all(errors({"type": k}, value, root, at) for k in kind):
            return [f"{at}: not {' or '.join(kind)}"]
        kind = None
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, (int, float))):
        return [f"{at}: not a number"]
    if kind == "integer" and (isinstance(value, bool) or not isinstance(value, int)):
        return [f"{at}: not an integer"]
    if kind in TYPES and not isinstance(value, TYPES[kind]):
        return [f"{at}: not {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        out.append(f"{at}: {value!r} not in enum")
    if "const" in schema and value != schema["const"]:
        out.append(f"{at}: not {schema['const']!r}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            out.append(f"{at}: below minimum")
        if "maximum" in schema and value > schema["maximum"]:
            out.append(f"{at}: above maximum")
        if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
            out.append(f"{at}: not above exclusiveMinimum")
    if isinstance(value, str):
        if "pattern" in schema and not re.search(schema["pattern"], value):
            out.append(f"{at}: {value!r} does not match pattern")
        if len(value) < schema.get("minLength", 0):
            out.append(f"{at}: too short")
    if isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                out.append(f"{at}: missing {name}")
        props = schema.get("properties", {})
        for name, item in value.items():
            if name in props:
                out += errors(props[name], item, root, f"{at}.{name}")
            elif schema.get("additionalProperties") is False:
                out.append(f"{at}: unknown field {name}")
    if isinstance(value, list):
        if len(value) < schema.get("minItems", 0):
            out.append(f"{at}: too few items")
        if "items" in schema:
            for i, item in enumerate(value):
                out += errors(schema["items"], item, root, f"{at}[{i}]")
    if "anyOf" in schema and all(errors(s, value, root, at) for s in schema["anyOf"]):
        out.append(f"{at}: matches none of anyOf")
    if "oneOf" in schema and sum(not errors(s, value, root, at) for s in schema["oneOf"]) != 1:
        out.append(f"{at}: does not match exactly one of oneOf")
    return out


SCHEMA = routine_schema()
FILES = sorted([*paths.builtin_routines_dir().rglob("*.yaml"), *FIXTURES.rglob("*.yaml")])


def check(value: Any) -> list[str]:
    return errors(SCHEMA, value, SCHEMA)


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_builtin_routine_and_fixture_is_valid(path: Path) -> None:
    assert check(yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_the_starter_is_valid() -> None:
    assert check(yaml.safe_load(starter("Mine", "mine"))) == []


BASE = {"name": "x", "steps": [{"technique": "stretch", "region": "calves", "duration": "30s"}]}


@pytest.mark.parametrize("change,problem", [
    ({"sumary": "typo"}, ": unknown field sumary"),
    ({"steps": []}, ".steps: too few items"),
    ({"steps": [{"technique": "efleurage", "region": "calves", "duration": 30}]},
     ".steps[0]: does not match exactly one of oneOf"),
    ({"steps": [{"technique": "stretch", "duration": 30, "colour": "red"}]},
     ".steps[0]: does not match exactly one of oneOf"),
    ({"steps": [{"include": "x", "duration": 30}]},
     ".steps[0]: does not match exactly one of oneOf"),
    ({"defaults": {"pressure": "hard"}}, ".defaults.pressure: matches none of anyOf"),
    ({"defaults": {"cues": {"halfwy": True}}}, ".defaults.cues: unknown field halfwy"),
    ({"version": 2}, ".version: not 1"),
])
def test_the_schema_rejects(change: dict[str, Any], problem: str) -> None:
    assert check(BASE) == []
    assert problem in check({**BASE, **change})


@pytest.mark.parametrize("duration", ["20", "20s", "1m", "1m30s", "1:30", "0:20", 20, 2.5])
def test_duration_spellings(duration: object) -> None:
    routine = {**BASE, "steps": [{"technique": "rest", "duration": duration}]}
    assert check(routine) == []


@pytest.mark.parametrize("duration", ["soon", "", 0, -1, True])
def test_bad_durations(duration: object) -> None:
    assert check({**BASE, "steps": [{"technique": "rest", "duration": duration}]})
