"""Provides the fixed vocabularies of a routine: techniques, regions, sides and pressure words.

Ranges and safety facts follow ../shared/domain.md (Behm et al. 2020 for foam rolling, ACSM for
stretching, the trigger-point literature for holds). They drive validation warnings and the
authoring guide, so change them here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

#: The sides a step can name (`SIDES`).
Side = Literal["left", "right", "each", "both"]
#: Cue names (`CUE_NAMES`).
CueName = Literal["start", "halfway", "countdown", "cadence", "switch", "end", "done"]
#: What a timeline segment is (player.timeline).
SegmentKind = Literal["lead_in", "work", "rest", "switch"]
#: What a session is doing (player.session `Session.state`): a segment's kind while it runs.
State = Literal["ready", "lead_in", "work", "rest", "switch", "paused", "done"]
#: Where a routine came from: the built-in library, the user's folders, or a path given.
Source = Literal["built-in", "user", "path"]
#: How bad a problem is: an error stops the routine; a warning is advice (`--strict`: error).
Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Technique:
    """A way of working on a region, with its recommended work time per period."""

    id: str
    name: str
    instructions: str
    min_seconds: float
    max_seconds: float
    aliases: tuple[str, ...] = ()
    needs_region: bool = True
    uses_roller: bool = False


@dataclass(frozen=True)
class Region:
    """A part of the body a step works on."""

    id: str
    name: str
    aliases: tuple[str, ...] = ()
    #: Only broad, light pressure belongs here (domain.md: danger zones).
    danger: bool = False
    #: Never roll with a foam roller here (lumbar spine, neck).
    no_roller: bool = False
    #: Where the region sits, for the body map: "front", "back" or "both".
    view: str = "both"
    group: str = ""


TECHNIQUES: tuple[Technique, ...] = (
    Technique(
        "effleurage", "Effleurage",
        "Long, slow gliding strokes with the flat of the hand, toward the heart. Light pressure "
        "that warms the tissue before deeper work.",
        30, 120, aliases=("stroking", "gliding"),
    ),
    Technique(
        "petrissage", "Petrissage",
        "Knead the muscle: lift, squeeze and release it between fingers and thumb, moving along "
        "its length. Firm but comfortable.",
        30, 120, aliases=("kneading", "pincer"),
    ),
    Technique(
        "friction", "Friction",
        "Small, deep circles or short strokes across the fibres with the fingertips, skin moving "
        "with the fingers. Keep it below sharp.",
        20, 120, aliases=("cross-fiber-friction", "cross-friction"),
    ),
    Technique(
        "tapotement", "Tapotement",
        "Light, quick rhythmic tapping with loose fingertips or the edge of the hands. Keep the "
        "wrists relaxed.",
        15, 60, aliases=("tapping", "percussion-hands"),
    ),
    Technique(
        "vibration", "Vibration",
        "Rest the hand on the muscle and make a fine, fast trembling movement through it.",
        15, 60, aliases=("shaking",),
    ),
    Technique(
        "trigger-point", "Trigger point",
        "Find a tender spot and press steadily into it. Hold still and breathe slowly; the "
        "discomfort should ease while you hold. About 5 to 7 out of 10, never sharp.",
        10, 30, aliases=("trigger", "ischemic-compression", "pressure-point", "tp"),
    ),
    Technique(
        "myofascial-release", "Myofascial release",
        "Sink slowly into the tissue with a ball or hands and wait for it to soften, then move "
        "on a little. Slow and sustained, no rubbing.",
        20, 180, aliases=("mfr", "tender-spot-hold", "hold"),
    ),
    Technique(
        "foam-roll", "Foam roll",
        "Roll slowly along the muscle on the foam roller, two to four seconds each way. Pause on "
        "tender spots and breathe. Keep the pressure at a 'good pain', never sharp.",
        30, 120, aliases=("foam-rolling", "roller", "roll"), uses_roller=True,
    ),
    Technique(
        "ball-roll", "Ball roll",
        "Roll the massage ball slowly over the area with your body weight or a wall, pausing on "
        "tender spots.",
        30, 120, aliases=("ball", "massage-ball", "lacrosse-ball"),
    ),
    Technique(
        "percussion", "Percussion",
        "Float the massage gun over the muscle without pressing; keep it moving and stay no more "
        "than 20 seconds on one spot. Large muscles only, away from bone.",
        30, 120, aliases=("massage-gun", "gun"),
    ),
    Technique(
        "stretch", "Stretch",
        "Ease into the stretch until you feel a gentle pull, then hold still and breathe. No "
        "bouncing.",
        10, 60, aliases=("static-stretch",),
    ),
    Technique(
        "breathe", "Breathe",
        "Breathe in slowly through the nose for four counts, out through the mouth for six. Let "
        "the shoulders drop on every breath out.",
        20, 300, aliases=("breathing", "breath"), needs_region=False,
    ),
    Technique(
        "rest", "Rest",
        "Rest. Let the area settle and notice how it feels.",
        5, 120, aliases=("pause", "recover"), needs_region=False,
    ),
)

REGIONS: tuple[Region, ...] = (
    Region("scalp", "Scalp", ("head",), view="both", group="head"),
    Region("temples", "Temples", ("temporalis", "temple"), view="front", group="head"),
    Region("jaw", "Jaw", ("masseter", "tmj"), view="front", group="head"),
    Region("suboccipitals", "Suboccipitals", ("suboccipital", "skull-base", "base-of-skull"),
           view="back", group="head"),
    Region("neck", "Neck", ("front-of-neck", "scm", "sternocleidomastoid", "throat"),
           danger=True, no_roller=True, view="front", group="neck"),
    Region("upper-trapezius", "Upper trapezius", ("traps", "trapezius", "upper-traps"),
           view="back", group="neck"),
    Region("levator-scapulae", "Levator scapulae", ("levator",), view="back", group="neck"),
    Region("shoulders", "Shoulders", ("shoulder", "deltoids", "delts"), group="arms"),
    Region("chest", "Chest", ("pecs", "pectorals", "pec"), view="front", group="torso"),
    Region("upper-back", "Upper back", ("thoracic", "thoracic-spine", "rhomboids", "mid-back"),
           view="back", group="torso"),
    Region("lats", "Lats", ("latissimus", "latissimus-dorsi"), view="back", group="torso"),
    Region("lower-back", "Lower back", ("lumbar", "low-back", "lumbar-spine"),
           no_roller=True, view="back", group="torso"),
    Region("quadratus-lumborum", "Quadratus lumborum", ("ql",), view="back", group="torso"),
    Region("abdomen", "Abdomen", ("belly", "stomach", "abs"), danger=True, view="front",
           group="torso"),
    Region("biceps", "Biceps", ("bicep", "upper-arm"), view="front", group="arms"),
    Region("triceps", "Triceps", ("tricep",), view="back", group="arms"),
    Region("forearms", "Forearms", ("forearm", "wrist-flexors", "wrist-extensors"), group="arms"),
    Region("hands", "Hands", ("hand", "palm", "palms", "thumb"), group="arms"),
    Region("glutes", "Glutes", ("glute", "buttocks", "gluteus"), view="back", group="hips"),
    Region("piriformis", "Piriformis", (), view="back", group="hips"),
    Region("hip-flexors", "Hip flexors", ("psoas", "iliopsoas", "hip-flexor"), view="front",
           group="hips"),
    Region("tfl", "TFL", ("tensor-fasciae-latae", "outer-hip"), view="front", group="hips"),
    Region("it-band", "IT band", ("itb", "iliotibial-band"), group="legs"),
    Region("quads", "Quads", ("quadriceps", "thighs", "front-thigh"), view="front", group="legs"),
    Region("hamstrings", "Hamstrings", ("hamstring", "back-thigh"), view="back", group="legs"),
    Region("adductors", "Adductors", ("inner-thigh", "groin-muscles"), view="front",
           group="legs"),
    Region("back-of-knee", "Back of knee", ("popliteal", "knee-pit"), danger=True, view="back",
           group="legs"),
    Region("shins", "Shins", ("shin", "tibialis", "tibialis-anterior"), view="front",
           group="legs"),
    Region("calves", "Calves", ("calf", "gastrocnemius", "soleus"), view="back", group="legs"),
    Region("feet", "Feet", ("foot", "plantar-fascia", "soles", "sole", "arch"), group="legs"),
)

#: Sides a step can name. `each` expands to left then right with a switch between.
SIDES: tuple[Side, ...] = ("left", "right", "each", "both")

#: Pressure words and the 0–10 discomfort they stand for.
PRESSURE_WORDS: dict[str, int] = {"light": 3, "moderate": 5, "firm": 7}

#: Above this on the 0–10 scale, validation warns (domain.md: never above 7).
PRESSURE_WARN_ABOVE = 7
#: At or above this, work on a danger zone warns.
PRESSURE_FIRM = 6

#: Cue names, in the order a step meets them.
CUE_NAMES: tuple[CueName, ...] = ("start", "halfway", "countdown", "cadence", "switch", "end",
                                  "done")


def _norm(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(" ", "-")


def _index(items: tuple[Technique, ...] | tuple[Region, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        out[item.id] = item.id
        for alias in item.aliases:
            out[_norm(alias)] = item.id
    return out


_TECHNIQUE_INDEX = _index(TECHNIQUES)
_REGION_INDEX = _index(REGIONS)
TECHNIQUE_BY_ID: dict[str, Technique] = {t.id: t for t in TECHNIQUES}
REGION_BY_ID: dict[str, Region] = {r.id: r for r in REGIONS}


def technique_id(name: str) -> str | None:
    """The technique id for a name or alias (`kneading` → `petrissage`), or None."""
    return _TECHNIQUE_INDEX.get(_norm(name))


def region_id(name: str) -> str | None:
    """The region id for a name or alias (`pecs` → `chest`), or None."""
    return _REGION_INDEX.get(_norm(name))


def technique_names() -> list[str]:
    """Every accepted technique spelling (ids and aliases), for suggestions."""
    return list(_TECHNIQUE_INDEX)


def region_names() -> list[str]:
    """Every accepted region spelling (ids and aliases), for suggestions."""
    return list(_REGION_INDEX)


def technique(tid: str) -> Technique:
    return TECHNIQUE_BY_ID[tid]


def region(rid: str) -> Region:
    return REGION_BY_ID[rid]


def display_name(kind: Literal["technique", "region"], item_id: str, *,
                 in_text: bool = False) -> str:
    """The name people read for a technique or region id: `Trigger point`, `Upper trapezius`.

    `in_text`: as it reads inside a sentence (`upper trapezius`, but `TFL`, `IT band`). An id the
    vocabulary does not know reads as itself with spaces (`my-area` → `My area`).
    """
    found: Technique | Region | None = (TECHNIQUE_BY_ID if kind == "technique"
                                        else REGION_BY_ID).get(item_id)
    name = found.name if found else item_id.replace("-", " ").capitalize()
    if not in_text or (len(name) > 1 and name[1].isupper()):
        return name
    return name[:1].lower() + name[1:]


def did_you_mean(word: str, choices: Iterable[str], cutoff: float = 0.6) -> str:
    """` (did you mean 'x'?)` for the choice closest to `word`, or '' when none is close."""
    import difflib  # only a mistake pays for it

    if len(word) > 64:  # nothing it is compared with is that long; difflib would take its time
        return ""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)
    return f" (did you mean '{close[0]}'?)" if close else ""


def pressure_word(level: int) -> str:
    """The word for a 0–10 level: light (≤ 3), moderate (4–5) or firm (6 and up)."""
    if level <= PRESSURE_WORDS["light"]:
        return "light"
    return "moderate" if level <= PRESSURE_WORDS["moderate"] else "firm"


def cue_phrase(technique_id: str, region_id: str | None, side: str | None,
               pressure: int | None) -> str:
    """The spoken cue of a step without `say`: technique, region, side and pressure in words.

    'Foam roll, calves, left side. Moderate pressure, about 5 out of 10.' `side` is the side
    the step starts on (`each` starts on the left).
    """
    parts = [display_name("technique", technique_id)]
    if region_id is not None:
        parts.append(display_name("region", region_id).lower())
        first = "left" if side == "each" else side
        if first in ("left", "right"):
            parts.append(f"{first} side")
        elif first == "both":
            parts.append("both sides")
    text = ", ".join(parts) + "."
    if pressure is not None:
        text += f" {pressure_word(pressure).capitalize()} pressure, about {pressure} out of 10."
    return text
