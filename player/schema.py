"""Provides the routine format as JSON Schema (draft 2020-12), for editors' YAML support.

Built from player.vocab and the loader's field lists, so it cannot drift from what the
validator accepts. The validator stays the authority (it also checks ranges per technique,
includes and sounds); the schema gives completion and early red squiggles.
"""

from __future__ import annotations

from typing import Any

from player import vocab
from player.loader import MAX_COUNTDOWN, MAX_REPEAT, MAX_SAY_END_WORDS, MAX_SAY_WORDS

#: The file `unknot new` writes beside the user's routines for the modeline to point at.
SCHEMA_FILE = "unknot-routine.schema.json"

_DURATION_PATTERN = (r"^(?=\s*[0-9])\s*([0-9]+(\.[0-9]+)?\s*(s|sec)?|"
                     r"([0-9]+(\.[0-9]+)?\s*h)?\s*([0-9]+(\.[0-9]+)?\s*m(in)?)?\s*"
                     r"([0-9]+(\.[0-9]+)?\s*s(ec)?)?|([0-9]+:)?[0-9]+:[0-5][0-9](\.[0-9]+)?)\s*$")


def _names(items: tuple[vocab.Technique, ...] | tuple[vocab.Region, ...]) -> list[str]:
    out: list[str] = []
    for item in items:
        out.append(item.id)
        out.extend(a for a in item.aliases if a not in out)
    return out


def _words(limit: int, description: str) -> dict[str, Any]:
    """Text of at most `limit` words (runs of non-space), as the validator counts them."""
    return {"type": "string", "description": description,
            "pattern": rf"^\s*(\S+(\s+|$)){{0,{limit}}}$"}


def routine_schema() -> dict[str, Any]:
    """The JSON Schema of a routine file, version 1."""
    duration = {
        "description": "Seconds as a number, or text like 20s, 1m, 1m30s, 1:30.",
        "anyOf": [
            {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
            {"type": "string", "pattern": _DURATION_PATTERN},
        ],
    }
    duration_or_zero = {
        "description": "Seconds as a number, or text like 5s or 0:05; 0 turns it off.",
        "anyOf": [
            {"type": "number", "minimum": 0, "maximum": 3600},
            {"type": "string", "pattern": _DURATION_PATTERN},
        ],
    }
    pressure = {
        "description": "light, moderate or firm, or 0–10 discomfort (stay at 7 or below).",
        "anyOf": [
            {"enum": list(vocab.PRESSURE_WORDS)},
            {"type": "integer", "minimum": 0, "maximum": 10},
        ],
    }
    side = {
        "description": "left, right, each (left then right, with a switch between), or both.",
        "enum": [*vocab.SIDES, None],
    }
    cues = {
        "type": "object",
        "description": "Which cues sound during a step.",
        "additionalProperties": False,
        "properties": {
            "start": {"type": "boolean"},
            "halfway": {"type": "boolean"},
            "countdown": {"type": "integer", "minimum": 0, "maximum": MAX_COUNTDOWN,
                          "description": "Beeps in the last seconds of work and lead-in."},
            "switch": {"type": "boolean"},
            "end": {"type": "boolean"},
            "cadence": {**duration_or_zero,
                        "description": "A soft tick every N seconds of work (0 = off)."},
        },
    }
    sounds = {
        "type": "object",
        "description": "A WAV per cue, relative to the routine file.",
        "additionalProperties": False,
        "properties": {name: {"type": "string"} for name in vocab.CUE_NAMES},
    }
    text = {"type": "string"}
    common = {
        "side": {"$ref": "#/$defs/side"},
        "repeat": {"type": "integer", "minimum": 1, "maximum": MAX_REPEAT,
                   "description": "Work periods per side."},
        "rest": {"$ref": "#/$defs/duration_or_zero", "description": "Rest between repeats."},
        "pressure": {"$ref": "#/$defs/pressure"},
        "tool": text,
        "lead_in": {"anyOf": [{"$ref": "#/$defs/duration_or_zero"}, {"const": "auto"}],
                    "description": "Get-into-position time before the step: auto (the default) "
                                   "fits the spoken cue plus 3 s, at least 5 s; rest and "
                                   "breathe have none unless written."},
        "cues": {"$ref": "#/$defs/cues"},
        "sounds": {"$ref": "#/$defs/sounds"},
    }
    step = {
        "type": "object",
        "additionalProperties": False,
        "required": ["technique", "duration"],
        "properties": {
            "technique": {"enum": _names(vocab.TECHNIQUES),
                          "description": "What to do; see docs/routines.md."},
            "region": {"enum": _names(vocab.REGIONS),
                       "description": "Where; required except for breathe and rest."},
            "duration": {"$ref": "#/$defs/duration", "description": "Work time per period."},
            "instructions": text,
            "title": text,
            "say": _words(MAX_SAY_WORDS, "The spoken cue: position, landmark, pressure, feel."),
            "say_end": _words(MAX_SAY_END_WORDS, "Spoken 5 s before the step's last work ends."),
            **common,
        },
    }
    include = {
        "type": "object",
        "additionalProperties": False,
        "required": ["include"],
        "properties": {"include": {
            "type": "string",
            "description": "A library id or a path relative to this file."}},
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "unknot routine",
        "description": "A guided self-massage routine for unknot (format version 1).",
        "type": "object",
        "additionalProperties": False,
        "required": ["name", "steps"],
        "properties": {
            "version": {"const": 1},
            "name": {"type": "string", "minLength": 1},
            "summary": text,
            "tags": {"type": "array", "items": text},
            "equipment": {"type": "array", "items": text},
            "caution": text,
            "defaults": {
                "type": "object",
                "additionalProperties": False,
                "description": "Applied to every step unless the step says otherwise.",
                "properties": common,
            },
            "steps": {"type": "array", "minItems": 1,
                      "items": {"oneOf": [{"$ref": "#/$defs/step"},
                                          {"$ref": "#/$defs/include"}]}},
        },
        "$defs": {
            "duration": duration,
            "duration_or_zero": duration_or_zero,
            "pressure": pressure,
            "side": side,
            "cues": cues,
            "sounds": sounds,
            "step": step,
            "include": include,
        },
    }
