"""Provides the program format as JSON Schema (draft 2020-12), for editors' YAML support.

Built from player.programs' field lists. The validator stays the authority (it also checks that
each routine id is in the library); the schema gives completion and early red squiggles.
"""

from __future__ import annotations

from typing import Any

from player.programs import DAY_FIELDS, MAX_DAYS, REST, TOP_FIELDS

#: What each field means, one line each (the schema's descriptions).
FIELD_DOCS = {
    "version": "Format version; 1 (the only one so far).",
    "name": "The program's name, as lists and calendars show it.",
    "summary": "Who the program is for and what it does.",
    "caution": "When to stop and see a clinician; shown with the program.",
    "days": "The plan, one item a day: a routine id, rest, or {routine: ID, note: TEXT}.",
    "routine": "The id of a routine in the library (its file name without .yaml), or rest.",
    "note": "A line for the day, shown by 'unknot today' and in the calendar event.",
}


def program_schema() -> dict[str, Any]:
    """The JSON Schema of a program file, version 1."""
    routine_id = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                  "description": FIELD_DOCS["routine"]}
    text = {"type": "string"}
    day = {
        "description": FIELD_DOCS["days"],
        "oneOf": [
            {"const": REST, "description": "A rest day."},
            {**routine_id, "not": {"const": REST}},
            {
                "type": "object",
                "properties": {"routine": routine_id,
                               "note": {**text, "description": FIELD_DOCS["note"]}},
                "required": ["routine"],
                "additionalProperties": False,
            },
        ],
    }
    fields: dict[str, Any] = {
        "version": {"const": 1, "description": FIELD_DOCS["version"]},
        "name": {**text, "minLength": 1, "description": FIELD_DOCS["name"]},
        "summary": {**text, "description": FIELD_DOCS["summary"]},
        "caution": {**text, "description": FIELD_DOCS["caution"]},
        "days": {"type": "array", "minItems": 1, "maxItems": MAX_DAYS, "items": day,
                 "description": FIELD_DOCS["days"]},
    }
    assert set(fields) == set(TOP_FIELDS) and set(DAY_FIELDS) <= set(FIELD_DOCS)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://unknot.invalid/schema/program-1.json",
        "title": "unknot program",
        "description": "A plan over days of unknot routines.",
        "type": "object",
        "properties": {k: fields[k] for k in TOP_FIELDS},
        "required": ["name", "days"],
        "additionalProperties": False,
    }
