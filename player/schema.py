"""Provides the routine format as JSON Schema (draft 2020-12), for editors' YAML support.

Built from the field table (player.fields), so a field the loader reads is a field the schema
knows, and every spelling the loader accepts (aliases, `foam roll`, `IT band`, `20 sec`) the
schema accepts too; a hypothesis test (tests/test_schema_agrees.py) holds them to the same
verdict. The validator stays the authority (it also checks ranges per technique, durations
over an hour written as text, includes and sounds); the schema gives completion and early red
squiggles.
"""

from __future__ import annotations

from typing import Any

from player import vocab
from player.fields import ROUTINE_FIELDS, STEP_FIELDS, Field, spelled

#: The file `unknot new` writes beside the user's routines for the modeline to point at.
SCHEMA_FILE = "unknot-routine.schema.json"


def _properties(table: tuple[Field, ...]) -> dict[str, Any]:
    return {f.name: {**f.schema, "description": f.doc} for f in table if f.parse is not None}


def _needs_region() -> dict[str, Any]:
    """A step names a region unless its technique is one that needs none (breathe, rest)."""
    free = [name for t in vocab.TECHNIQUES if not t.needs_region for name in (t.id, *t.aliases)]
    return {"anyOf": [
        {"required": ["region"], "properties": {"region": {"type": "string"}}},
        {"properties": {"technique": {"type": "string", "pattern": spelled(free)}}},
    ]}


def routine_schema() -> dict[str, Any]:
    """The JSON Schema of a routine file, version 1."""
    step = {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in STEP_FIELDS if f.required == "yes"],
        "properties": _properties(STEP_FIELDS),
        **_needs_region(),
    }
    include = {
        "type": "object",
        "additionalProperties": False,
        "required": ["include"],
        "properties": {"include": {
            "type": "string",
            "description": "A library id or a path relative to this file."}},
    }
    top = _properties(ROUTINE_FIELDS)
    top["defaults"] = {
        "type": ["object", "null"],
        "additionalProperties": False,
        "description": "Applied to every step unless the step says otherwise.",
        "properties": _properties(tuple(f for f in STEP_FIELDS if f.in_defaults)),
    }
    top["steps"] = {"type": "array", "minItems": 1,
                    "description": "The steps, in order: each a step or an include.",
                    "items": {"oneOf": [{"$ref": "#/$defs/step"}, {"$ref": "#/$defs/include"}]}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "unknot routine",
        "description": "A guided self-massage routine for unknot (format version 1).",
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in ROUTINE_FIELDS if f.required == "yes"],
        "properties": top,
        "$defs": {"step": step, "include": include},
    }
