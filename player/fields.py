"""Provides the routine format as one table: every field with its parser, default, schema and doc.

The table drives everything that knows a field: the loader's checks and the `Step`/`Routine`
it builds (player.loader), `unknot schema` (player.schema), the comments of the starter
`unknot new` writes (player.scaffold) and the field reference in docs/routines.md
(scripts/gen_field_docs.py writes it between markers; a test fails when it is stale).

Adding a field: one `Field` entry below (with its parser, if none of these fits), the attribute
on `Step` or `Routine` (player/routine.py), then `scripts/gen_field_docs.py`. A parser is
`parse(reader, node, name) -> value`, returning `BAD` after reporting through `reader.error`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from yaml.nodes import MappingNode, Node, ScalarNode

from player import vocab
from player.durations import DurationError, parse_duration, words
from player.includes import inside
from player.reader import BOOL, FLOAT, INT, Reader, is_null, is_str, kind, short, suggest
from player.speedups import MAX_KEY_TEXT, MISSING, Memo

#: Shortest duration other than 0 (duration, lead_in, rest, cadence): a person's second.
MIN_SECONDS = 1.0
#: Longest single duration (duration, lead_in, rest, cadence).
MAX_SECONDS = 3600.0
#: Most work periods per side.
MAX_REPEAT = 100
#: Most countdown beeps.
MAX_COUNTDOWN = 10
#: Most words in a step's `say:` and in its `say_end:`.
MAX_SAY_WORDS = 30
MAX_SAY_END_WORDS = 12
#: Techniques that have no lead-in unless one is written (nothing to get into position for).
NO_LEAD_IN = ("rest", "breathe")


class _Marker:
    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: What a parser returns after reporting a problem.
BAD: Any = _Marker("BAD")
#: `lead_in: auto`: long enough for "Next: " + the spoken cue at the default rate, plus 3 s.
AUTO: Any = _Marker("AUTO")

Parser = Callable[[Reader, Node, str], Any]


@dataclass(frozen=True)
class Field:
    """One field of the format."""

    name: str
    #: Reads the written value (None: the loader reads this field itself, as `steps`).
    parse: Parser | None
    #: One line for docs/routines.md and the schema's description.
    doc: str
    #: The JSON Schema of a written value.
    schema: Mapping[str, Any]
    #: The value a Step/Routine gets when the field is not written.
    default: Any = None
    #: The default as the docs say it ('' for none worth saying).
    default_doc: str = ""
    #: The docs' "required" cell: '' for optional.
    required: str = ""
    #: Whether `defaults:` may set it for every step.
    in_defaults: bool = False
    #: Whether it becomes an attribute of the Step/Routine/Cues of the same name.
    model: bool = True
    #: The kind of value, for the cue table ('' elsewhere).
    value_doc: str = ""
    #: The comment the starter routine puts beside it ('' for none).
    hint: str = ""


# -- schema pieces ---------------------------------------------------------------------------


def ci(text: str) -> str:
    """A regular expression for `text` in any case, as the loader reads words (ECMA has no (?i))."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in text)


def spelled(names: list[str]) -> str:
    """A pattern for every spelling the loader takes of these names: any case, `-`, `_` or ` `."""
    alts = ["".join("[-_ ]" if c == "-" else ci(c) for c in name)
            for name in sorted(names, key=len, reverse=True)]
    return rf"^\s*({'|'.join(alts)})\s*$"


def _vocab_names(items: tuple[vocab.Technique, ...] | tuple[vocab.Region, ...]) -> list[str]:
    out: list[str] = []
    for item in items:
        out.append(item.id)
        out.extend(a for a in item.aliases if a not in out)
    return out


def _named(items: tuple[vocab.Technique, ...] | tuple[vocab.Region, ...]) -> dict[str, Any]:
    """Ids and aliases for completion, and a pattern for the spellings the loader accepts."""
    names = _vocab_names(items)
    return {"anyOf": [{"enum": names}, {"type": "string", "pattern": spelled(names)}]}


_NUM = r"[0-9]{1,9}(\.[0-9]{1,9})?\s*"
_S = f"{ci('s')}({ci('ec')}({ci('ond')})?{ci('s')}?)?"  # s, sec, secs, second, seconds
_M = f"{ci('m')}({ci('in')}({ci('ute')})?{ci('s')}?)?"  # m, min, mins, minute, minutes
_H = f"{ci('h')}(({ci('ou')})?{ci('r')}{ci('s')}?)?"  # h, hr, hrs, hour, hours
_DURATION_TEXT = (rf"\s*({_NUM}({_S})?|({_NUM}{_H})?\s*({_NUM}{_M})?\s*({_NUM}{_S})?|"
                  r"([0-9]{1,9}:)?[0-9]{1,9}:[0-5][0-9](\.[0-9]{1,9})?)\s*$")
#: Less than a second but not 0 (`0.5s`, `0:00.5`): the loader refuses those (MIN_SECONDS).
_SUB_SECOND = (rf"(?!\s*0*\.[0-9]*[1-9][0-9]*\s*({_S})?\s*$)"
               r"(?!\s*([0-9]+:)?0+:00\.[0-9]*[1-9])")
#: A duration as text, as player.durations reads it (the range is the loader's to check).
DURATION_OR_ZERO_PATTERN = r"^(?=\s*[0-9])" + _SUB_SECOND + _DURATION_TEXT
#: ...with some digit other than 0, so `0s` and `0:00` are refused as the loader does.
DURATION_PATTERN = r"^(?=\s*[0-9])(?=[^1-9]*[1-9])" + _SUB_SECOND + _DURATION_TEXT

DURATION = {
    "anyOf": [
        {"type": "number", "minimum": MIN_SECONDS, "maximum": MAX_SECONDS},
        {"type": "string", "pattern": DURATION_PATTERN},
    ],
}
DURATION_OR_ZERO = {
    "anyOf": [
        {"const": 0},
        {"type": "number", "minimum": MIN_SECONDS, "maximum": MAX_SECONDS},
        {"type": "string", "pattern": DURATION_OR_ZERO_PATTERN},
    ],
}
#: Any scalar: the loader reads a number or true/false written for text as its text.
TEXT: dict[str, Any] = {"type": ["string", "number", "boolean", "null"]}
TEXT_LIST: dict[str, Any] = {"anyOf": [TEXT, {"type": "array",
                                              "items": {"type": ["string", "number", "boolean"]}}]}


def _words_schema(limit: int) -> dict[str, Any]:
    """Text of at most `limit` words (runs of non-space), as the validator counts them."""
    return {"anyOf": [{"type": "string", "pattern": rf"^\s*(\S+(\s+|$)){{0,{limit}}}$"},
                      {"type": ["number", "boolean", "null"]}]}


# -- parsers ---------------------------------------------------------------------------------


def parse_text(r: Reader, node: Node, name: str) -> Any:
    """Text (a number or true/false as written); None when null."""
    if is_null(node):
        return None
    text = r.text(node, name)
    return BAD if text is None else text


def parse_routine_text(r: Reader, node: Node, name: str) -> Any:
    return r.text(node, name) or ""


def parse_text_list(r: Reader, node: Node, name: str) -> Any:
    return r.text_list(node, name)


def parse_name(r: Reader, node: Node, name: str) -> Any:
    text = r.text(node, name)
    if (text is not None and not text) or (text is None and is_null(node)):
        r.error(node, "'name' must not be empty")
    return text or ""


def parse_version(r: Reader, node: Node, name: str) -> Any:
    if not (isinstance(node, ScalarNode) and node.tag == INT and r.number(node) == 1):
        shown = short(str(node.value)) if isinstance(node, ScalarNode) else kind(node)
        r.error(node, f"unsupported version {shown}: this unknot reads version 1")
        return BAD
    return 1


def parse_seconds(r: Reader, node: Node, name: str, *, positive: bool = False) -> Any:
    """A duration field in seconds, checked against its range; BAD after reporting."""
    value = _duration_value(r, node, name)
    if value is BAD:
        return BAD
    # parse_duration reads no signs: call "-5s" negative, not unreadable.
    negative = isinstance(value, str) and value.strip().startswith("-")
    try:
        secs = -1.0 if negative else parse_duration(value)
    except DurationError:
        secs = float("nan")
    written = short(str(node.value))
    problem = _range_problem(secs, name, written, positive)
    if problem:
        r.error(node, problem)
        return BAD
    return secs


def _duration_value(r: Reader, node: Node, name: str) -> Any:
    """The written duration: its text, or the number YAML read; BAD after reporting."""
    if is_null(node):
        r.error(node, f"'{name}' needs a duration like 20s, 1m30s or 1:30")
        return BAD
    if not isinstance(node, ScalarNode) or node.tag == BOOL:
        r.error(node, f"'{name}' must be a duration like 20s, 1m30s or 1:30, got {kind(node)}")
        return BAD
    if node.tag in (INT, FLOAT):
        num = r.number(node)
        if num is None:
            r.error(node, f"'{name}' is not a number unknot can read: {kind(node)}")
            return BAD
        return num
    return node.value


def _range_problem(secs: float, name: str, written: str, positive: bool) -> str:
    if secs != secs:  # NaN, or text parse_duration cannot read
        return f"cannot read {name} '{written}': write it like 20s, 1m30s or 1:30"
    if positive and secs <= 0:
        return f"'{name}' must be more than 0 seconds, got {written}"
    if secs < 0:
        return f"'{name}' must be 0 or more, got {written}"
    if secs > MAX_SECONDS:
        return f"'{name}' must be at most 1 hour, got {written}"
    if 0 < secs < MIN_SECONDS:
        # A person cannot do anything in a millisecond, and a cadence of one microsecond
        # would be millions of cues (issue 12, class 1).
        zero = "" if positive else "0 or "
        return f"'{name}' must be {zero}at least 1 second, got {written}"
    return ""


def parse_duration_field(r: Reader, node: Node, name: str) -> Any:
    return parse_seconds(r, node, name, positive=True)


def parse_lead_in(r: Reader, node: Node, name: str) -> Any:
    if is_str(node) and str(node.value).strip().lower() == "auto":
        return AUTO
    return parse_seconds(r, node, name)


def parse_repeat(r: Reader, node: Node, name: str) -> Any:
    num = r.whole(node)
    if num is None or num < 1:
        r.error(node, f"'repeat' must be a whole number of at least 1, got {kind(node)}")
        return BAD
    if num > MAX_REPEAT:
        r.error(node, f"'repeat' must be at most {MAX_REPEAT}, got {kind(node)}")
        return BAD
    return int(num)


def parse_pressure(r: Reader, node: Node, name: str) -> Any:
    if is_str(node):
        word = str(node.value).strip().lower()
        if word in vocab.PRESSURE_WORDS:
            return vocab.PRESSURE_WORDS[word]
        # ASCII digits only, and few: '²' and '٣' pass isdigit() but not int(), and a string
        # of 5,000 digits is past what int() converts (issue 12, class 2).
        if word.isascii() and word.isdigit() and len(word) <= 2 and int(word) <= 10:
            return int(word)
        r.error(node, f"'pressure' must be light, moderate, firm or a whole number from 0 to 10,"
                      f" got {kind(node)}{suggest(word, vocab.PRESSURE_WORDS)}")
        return BAD
    num = r.number(node)
    if num is not None and 0 <= num <= 10 and num == int(num):
        return int(num)
    r.error(node, "'pressure' must be light, moderate, firm or a whole number from 0 to "
                  f"10, got {kind(node)}")
    return BAD


def parse_side(r: Reader, node: Node, name: str) -> Any:
    """The side, None when omitted/null/`none`, or BAD after reporting a bad one."""
    if is_null(node):
        return None
    if is_str(node):
        word = str(node.value).strip().lower()
        if word in vocab.SIDES:
            return word
        if word in ("none", ""):
            return None
    word = str(node.value) if isinstance(node, ScalarNode) else ""
    hint = suggest(word, vocab.SIDES) if word else ""
    r.error(node, f"unknown side {kind(node)}{hint}: use left, right, each or both")
    return BAD


def _say_parser(limit: int, when: str) -> Parser:
    def parse_say(r: Reader, node: Node, name: str) -> Any:
        """A spoken text within its word limit, None when null, or BAD after reporting."""
        if is_null(node):
            return None
        text = r.text(node, name)
        if text is None:
            return BAD
        if words(text) > limit:
            r.error(node, f"'{name}' has {words(text)} words: at most {limit} "
                          f"(it is spoken {when})")
            return BAD
        return text or None

    return parse_say


def parse_technique(r: Reader, node: Node, name: str) -> Any:
    word = r.text(node, name)
    tid = vocab.technique_id(word) if word else None
    if tid is None:
        r.error(node, f"unknown technique {kind(node)}"
                      f"{suggest(word or '', vocab.technique_names())}")
        return BAD
    return vocab.technique(tid)


def parse_region(r: Reader, node: Node, name: str) -> Any:
    """The Region, None when null (as if not written), or BAD after reporting."""
    if is_null(node):
        return None
    word = r.text(node, name)
    rid = vocab.region_id(word) if word else None
    if rid is None:
        r.error(node, f"unknown region {kind(node)}{suggest(word or '', vocab.region_names())}")
        return BAD
    return vocab.region(rid)


def parse_flag(r: Reader, node: Node, name: str) -> Any:
    flag = r.flag(node, name)
    return BAD if flag is None else flag


def parse_countdown(r: Reader, node: Node, name: str) -> Any:
    num = r.whole(node)
    if num is None or not 0 <= num <= MAX_COUNTDOWN:
        r.error(node, f"cue 'countdown' must be a whole number of beeps from 0 to "
                      f"{MAX_COUNTDOWN}, got {kind(node)}")
        return BAD
    return int(num)


def parse_cadence(r: Reader, node: Node, name: str) -> Any:
    if r.false_flag(node):
        return 0.0
    return parse_seconds(r, node, "cadence")


def parse_cues(r: Reader, node: Node, name: str) -> Any:
    """Cue settings written in one `cues:` mapping: name → value (only those written)."""
    if is_null(node):
        return {}
    if not isinstance(node, MappingNode):
        r.error(node, f"'cues' must be a mapping like {{halfway: true, countdown: 3}}, "
                      f"got {kind(node)}")
        return {}
    return parse_mapping(r, node, CUE_FIELDS, "cues")


def parse_sounds(r: Reader, node: Node, name: str) -> Any:
    """Custom cue WAVs written in one `sounds:` mapping: cue → absolute path."""
    out: dict[str, str] = {}
    if is_null(node):
        return out
    if not isinstance(node, MappingNode):
        r.error(node, "'sounds' must be a mapping of cue name to WAV file, like "
                      f"{{start: bell.wav}}, got {kind(node)}")
        return out
    from player.paths import sounds_dir

    roots = [r.path.parent, sounds_dir().resolve()]
    for cue, (_, value) in r.mapping(node, vocab.CUE_NAMES, "sounds").items():
        target = _sound(r, value, cue, roots)
        if target is not None:
            out[cue] = target
    return out


def _sound(r: Reader, node: Node, cue: str, roots: list[Path]) -> str | None:
    """One cue's WAV as an absolute path, or None (reported) to play the built-in cue."""
    rel = r.text(node, f"sounds.{cue}")
    if not rel:
        return None
    try:
        target = (r.path.parent / rel).resolve()
    except (OSError, ValueError):
        r.warn(node, f"sound '{short(rel)}' for cue '{cue}' is not a usable file name: the "
                     "default cue plays instead")
        return None
    if not inside(target, roots):
        r.error(node, f"sound '{short(rel)}' for cue '{cue}' leaves the routine's folder: keep "
                      "WAVs beside the routine or in unknot's sounds/")
        return None
    too_big = _wav_too_big(target)
    if too_big:
        r.error(node, f"sound '{short(rel)}' for cue '{cue}' {too_big}")
        return None
    problem = wav_problem(target)
    if problem:
        r.warn(node, f"sound '{short(rel)}' for cue '{cue}' {problem}: the default cue plays "
                     "instead")
        return None
    return str(target)


def _wav_too_big(path: Path) -> str:
    """Why a WAV is too big for a cue ('' when it is not, or cannot be read at all)."""
    from player.cue_limits import sound_too_big

    try:
        return sound_too_big(path)
    except (OSError, ValueError):
        return ""


def wav_problem(path: Path) -> str:
    """Why a WAV cannot be used ('' when it looks fine)."""
    try:
        if not path.is_file():
            return "is not found" if not path.exists() else "is not a file"
        with path.open("rb") as fh:
            head = fh.read(12)
    except FileNotFoundError:
        return "is not found"
    except (OSError, ValueError):
        return "cannot be read"
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return "is not a WAV file"
    return ""


def parse_mapping(r: Reader, node: Node, table: tuple[Field, ...], what: str) -> dict[str, Any]:
    """The fields of a mapping that parse well: name → value (each reported at its node)."""
    return {name: value for name, (value, _) in parse_fields(r, node, table, what).items()}


def parse_fields(r: Reader, node: Node, table: tuple[Field, ...], what: str,
                 ) -> dict[str, tuple[Any, Node]]:
    """Like parse_mapping, keeping each value's node (for warnings): name → (value, node)."""
    return parse_written(r, r.mapping(node, names(table), what), table)


_PARSED = Memo()


def parse_written(r: Reader, written: dict[str, tuple[Node, Node]], table: tuple[Field, ...],
                  ) -> dict[str, tuple[Any, Node]]:
    """The written fields that parse well: name → (value, node); the others are reported.

    A scalar a parser read cleanly is not parsed again (player.speedups says why).
    """
    out: dict[str, tuple[Any, Node]] = {}
    by_name = _BY_NAME[id(table)]
    for name, (_, node) in written.items():
        parse = by_name[name].parse
        if parse is None:
            continue
        key = (name, node.tag, node.value) if node.__class__ is ScalarNode and \
            len(node.value) <= MAX_KEY_TEXT else None
        value = _PARSED.get(key) if key is not None else MISSING
        if value is MISSING:
            before = r.reported
            value = parse(r, node, name)
            if key is not None and r.reported == before:
                _PARSED.put(key, value)
        if value is not BAD:
            out[name] = (value, node)
    return out


# -- the table -------------------------------------------------------------------------------

_PRESSURE_SCHEMA = {
    "anyOf": [
        {"enum": list(vocab.PRESSURE_WORDS)},
        {"type": "string", "pattern": spelled(list(vocab.PRESSURE_WORDS))},
        {"type": "string", "pattern": r"^\s*0*([0-9]|10)\s*$"},
        {"type": "integer", "minimum": 0, "maximum": 10},
    ],
}
_SIDE_SCHEMA = {
    "anyOf": [
        {"enum": [*vocab.SIDES, None]},
        {"type": "string", "pattern": spelled([*vocab.SIDES, "none"]).replace(")\\s*$", "|)\\s*$")},
    ],
}

#: The fields of a `cues:` mapping, in the order messages list them.
CUE_FIELDS: tuple[Field, ...] = (
    Field("start", parse_flag, "a cue when work starts", {"type": "boolean"}, True, "true",
          value_doc="true/false"),
    Field("halfway", parse_flag, "a cue halfway through each work period", {"type": "boolean"},
          True, "true", value_doc="true/false"),
    Field("countdown", parse_countdown,
          "beeps in the last seconds of work and of the lead-in (0 = none)",
          {"type": "integer", "minimum": 0, "maximum": MAX_COUNTDOWN}, 3, "3",
          value_doc=f"whole number 0–{MAX_COUNTDOWN}"),
    Field("switch", parse_flag, "a cue when it is time to change sides", {"type": "boolean"},
          True, "true", value_doc="true/false"),
    Field("end", parse_flag, "a cue when work ends", {"type": "boolean"}, True, "true",
          value_doc="true/false"),
    Field("cadence", parse_cadence,
          "a soft tick every N seconds of work, to pace rolling (`cadence: 3s`)",
          {"anyOf": [DURATION_OR_ZERO, {"const": False}]}, 0.0, "0 (off)",
          value_doc="duration"),
)

_CUES_SCHEMA = {
    "type": ["object", "null"],
    "additionalProperties": False,
    "properties": {f.name: {**f.schema, "description": f.doc} for f in CUE_FIELDS},
}

#: The fields of a step, in the order the docs and messages list them.
STEP_FIELDS: tuple[Field, ...] = (
    Field("technique", parse_technique,
          "what to do: an id or alias from [Techniques](#techniques)", _named(vocab.TECHNIQUES),
          required="yes"),
    Field("region", parse_region, "where: an id or alias from [Regions](#regions)",
          {"anyOf": [_named(vocab.REGIONS), {"type": "null"}]},
          required="yes, except for `breathe` and `rest`"),
    Field("duration", parse_duration_field,
          "work time per period, per side ([durations](#durations)); more than 0, at most "
          "1 hour", DURATION, required="yes", hint="20, 20s, 1m, 1m30s or 1:30"),
    Field("side", parse_side,
          "`left`, `right`, `each` (left, then right), `both`, or leave it out",
          _SIDE_SCHEMA, None, "none", in_defaults=True,
          hint="left, then right, with a switch between"),
    Field("repeat", parse_repeat, f"work periods per side, 1 to {MAX_REPEAT}",
          {"type": "integer", "minimum": 1, "maximum": MAX_REPEAT}, 1, "1", in_defaults=True,
          hint="work periods per side"),
    Field("rest", parse_seconds, "rest between repeats", DURATION_OR_ZERO, 0.0, "0",
          in_defaults=True, hint="between them"),
    Field("lead_in", parse_lead_in,
          "get-into-position time before the step (0 = none); also the time to switch sides. "
          "`auto`: long enough for \"Next: \" + the spoken cue at 180 words a minute, plus 3 s, "
          "at least 5 s",
          {"anyOf": [DURATION_OR_ZERO, {"type": "string", "pattern": spelled(["auto"])}]},
          AUTO, "`auto`; 0 for `rest` and `breathe`", in_defaults=True,
          hint="time to get into position: auto fits the spoken cue (0 = none)"),
    Field("pressure", parse_pressure,
          "`light` (3), `moderate` (5), `firm` (7), or a whole number 0–10", _PRESSURE_SCHEMA,
          None, "none", in_defaults=True, hint="light | moderate | firm, or 0-10 (stay at 7 or "
                                               "below)"),
    Field("tool", parse_text, "what to use: `hands`, `massage ball`, `foam roller`…", TEXT,
          None, "none", in_defaults=True),
    Field("instructions", parse_text, "what to do, in your words", TEXT, None,
          "the technique's own text"),
    Field("title", parse_text, "a display name for the step, instead of `Technique · Region`",
          TEXT, None, "none"),
    Field("cues", parse_cues, "which cues sound ([cues](#cues))", _CUES_SCHEMA, None, "all on",
          in_defaults=True),
    Field("sounds", parse_sounds, "your own WAV per cue ([sounds](#sounds))",
          {"type": ["object", "null"], "additionalProperties": False,
           "properties": {name: TEXT for name in vocab.CUE_NAMES}},
          None, "built-in cues", in_defaults=True, model=False),
    Field("say", _say_parser(MAX_SAY_WORDS, "while you get into position"),
          f"the spoken cue, at most {MAX_SAY_WORDS} words: position, landmark, pressure, how it "
          "should feel", _words_schema(MAX_SAY_WORDS), None,
          "a phrase from technique, region, side and pressure"),
    Field("say_end", _say_parser(MAX_SAY_END_WORDS, "in the last 5 s"),
          f"spoken 5 s before the end of the step's last work period, at most "
          f"{MAX_SAY_END_WORDS} words", _words_schema(MAX_SAY_END_WORDS), None, "none",
          hint="spoken 5 s before the end"),
)

#: The fields `defaults:` takes (each applies to every step of the file that does not set it).
DEFAULT_FIELDS: tuple[Field, ...] = tuple(f for f in STEP_FIELDS if f.in_defaults)

#: The top-level fields of a routine file, in the order messages list them.
ROUTINE_FIELDS: tuple[Field, ...] = (
    Field("version", parse_version, "the format version; only `1` exists", {"const": 1},
          model=False),
    Field("name", parse_name, "the title shown in the picker and the player",
          {"anyOf": [{"type": "string", "pattern": r"\S"}, {"type": ["number", "boolean"]}]},
          "", required="yes"),
    Field("summary", parse_routine_text,
          "one line shown in the picker and in `unknot list --json`", TEXT, ""),
    Field("tags", parse_text_list, "a list of words to filter by (`unknot list --tag desk`)",
          TEXT_LIST, ()),
    Field("equipment", parse_text_list,
          "a list: what to have at hand (`[foam roller, massage ball]`)", TEXT_LIST, ()),
    Field("caution", parse_routine_text, "shown before the routine starts: who should skip what",
          TEXT, ""),
    Field("defaults", None,
          "settings applied to every step that does not set them ([defaults](#defaults))", {},
          model=False),
    Field("steps", None, "the list of steps, at least one ([steps](#steps))", {},
          required="yes", model=False),
)


def names(table: tuple[Field, ...]) -> tuple[str, ...]:
    return tuple(f.name for f in table)


_BY_NAME: dict[int, dict[str, Field]] = {
    id(table): {f.name: f for f in table}
    for table in (CUE_FIELDS, STEP_FIELDS, DEFAULT_FIELDS, ROUTINE_FIELDS)}


def field(table: tuple[Field, ...], name: str) -> Field:
    return next(f for f in table if f.name == name)
