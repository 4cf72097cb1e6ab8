"""Provides the composer: regions × minutes × equipment × gentle → a routine built from blocks.

Blocks are ordinary routine files in `routines/compose/`, one per region (validated like any
routine). The composer picks from them, orders each region's work as domain.md says (effleurage
first, then rolling or pressure, then a stretch), spreads the time over the regions and fits the
total to the minutes asked within ±10 % by moving durations and repeats inside the ranges of
`DOSES`. Same request, same routine. A request it cannot meet raises ComposeError with one line
saying what it can do instead. Pure: no Textual, and the only files read are the blocks.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal, Sequence

from player import paths, vocab
from player.durations import format_human
from player.errors import UnknotError
from player.loader import check_file
from player.routine import Routine, Step
from player.timeline import expand

#: Equipment ids in the order they are listed, with the words people see.
EQUIPMENT: dict[str, str] = {
    "hands": "hands",
    "ball": "massage ball",
    "roller": "foam roller",
    "wall": "wall",
    "gun": "massage gun",
}
_EQUIPMENT_ALIASES: dict[str, str] = {
    "hand": "hands", "massage-ball": "ball", "lacrosse-ball": "ball", "tennis-ball": "ball",
    "foam-roller": "roller", "foam-roll": "roller", "massage-gun": "gun",
    "percussion-gun": "gun",
}

#: A block's `tool:` → the equipment it needs (hands are always there).
TOOLS: dict[str, frozenset[str]] = {
    "hands": frozenset({"hands"}),
    "massage ball": frozenset({"ball"}),
    "massage ball on a wall": frozenset({"ball", "wall"}),
    "foam roller": frozenset({"roller"}),
    "massage gun": frozenset({"gun"}),
    "wall": frozenset({"wall"}),
}

Phase = Literal["warm", "work", "stretch"]
PHASES: tuple[Phase, ...] = ("warm", "work", "stretch")


@dataclass(frozen=True)
class Dose:
    """How long one block of a technique may run: per work period, how many, and why."""

    low: float
    high: float
    min_repeat: int
    max_repeat: int
    #: Rest between repeats when the block does not say.
    rest: float
    source: str


#: The ranges the composer moves durations in (inside vocab's validation ranges), from domain.md.
DOSES: dict[str, Dose] = {
    "effleurage": Dose(30, 90, 1, 1, 0,
                       "effleurage 30-120 s per region, always first (Swedish sequence, "
                       "source article 003)"),
    "petrissage": Dose(30, 90, 1, 1, 0,
                       "petrissage 30-120 s per region, after effleurage (source article 003)"),
    "friction": Dose(20, 60, 1, 1, 0, "friction after the strokes (Swedish sequence)"),
    "tapotement": Dose(15, 45, 1, 1, 0, "tapping 15-60 s, after the deeper strokes "
                       "(Swedish sequence)"),
    "vibration": Dose(15, 45, 1, 1, 0, "vibration 15-60 s (Swedish sequence)"),
    "trigger-point": Dose(15, 30, 1, 3, 10,
                          "holds of 10-30 s per point (source article; Gemmell 2008)"),
    "myofascial-release": Dose(20, 60, 1, 2, 10,
                               "tender-spot holds of 20-30 s, up to 60 s (NASM course text)"),
    "foam-roll": Dose(30, 120, 1, 3, 10,
                      "30-120 s per set, 1-3 sets, passes of 2-4 s each way "
                      "(Behm et al. 2020)"),
    "ball-roll": Dose(30, 120, 1, 1, 0, "massage ball 30-120 s per area (domain.md)"),
    "percussion": Dose(30, 90, 1, 1, 0,
                       "massage gun 30 s-2 min per muscle, at most 20 s on one spot "
                       "(consumer guides)"),
    "stretch": Dose(15, 30, 2, 4, 5, "holds of 10-30 s, 2-4 repeats (ACSM)"),
}

#: What `--gentle` leaves out, and the most pressure it allows (0-10).
GENTLE_SKIPS = frozenset({"trigger-point", "percussion"})
GENTLE_PRESSURE = 3
#: Regions worked through others: the IT band is handled by the TFL and glutes (domain.md).
WORKED_THROUGH: dict[str, frozenset[str]] = {"it-band": frozenset({"it-band", "tfl", "glutes"})}
#: Regions with no left and right of their own (a step there may still be `each`).
MIDLINE = frozenset({"scalp", "neck", "upper-back", "lower-back", "abdomen"})
#: The massage gun only on large muscles (domain.md: percussion).
GUN_REGIONS = frozenset({"upper-trapezius", "shoulders", "chest", "lats", "biceps", "triceps",
                         "glutes", "tfl", "quads", "hamstrings", "calves"})
#: How far the total may be from the minutes asked.
TOLERANCE = 0.10
#: Most minutes a composed routine may ask for.
MAX_MINUTES = 60

_REFUSED = {
    "back-of-knee": "the back of the knee is a danger zone and unknot composes no work there; "
                    "try --region calves or --region hamstrings, which end either side of it",
}


class ComposeError(UnknotError):
    """A request the composer cannot meet; the message is one line saying what it can do."""


@dataclass(frozen=True)
class Block:
    """One step of a region's block file, with what it needs and where it was written."""

    step: Step
    #: The region file it came from (the region asked for, e.g. `it-band` for a TFL step).
    asked: str
    needs: frozenset[str]
    phase: Phase
    #: Position in its file: ties keep the author's order.
    index: int
    where: str


@dataclass(frozen=True)
class Part:
    """A step of the composed routine and why it is there."""

    step: Step
    block: Block
    why: str


@dataclass(frozen=True)
class Request:
    """What was asked, normalised: region ids, minutes, equipment ids, gentle."""

    regions: tuple[str, ...]
    minutes: float
    equipment: tuple[str, ...]
    gentle: bool


@dataclass(frozen=True)
class Composition:
    """A composed routine, its parts in order, and what was asked."""

    routine: Routine
    parts: tuple[Part, ...]
    request: Request
    total: float
    #: Equipment asked for that no chosen block uses, for a note.
    unused: tuple[str, ...] = ()


def equipment_id(name: str) -> str | None:
    """The equipment id for a name: `ball`, `massage ball`, `foam-roller` → `ball`/`roller`."""
    key = name.strip().lower().replace("_", "-").replace(" ", "-")
    if key in EQUIPMENT:
        return key
    for eid, long in EQUIPMENT.items():
        if key == long.replace(" ", "-"):
            return eid
    return _EQUIPMENT_ALIASES.get(key)


def phase_of(technique: str) -> Phase:
    """Effleurage warms up, a stretch closes, everything else is the work between."""
    if technique == "effleurage":
        return "warm"
    return "stretch" if technique == "stretch" else "work"


def blocks_dir() -> Path:
    """The folder of building blocks shipped with unknot."""
    return paths.builtin_routines_dir() / "compose"


@lru_cache(maxsize=64)
def _load_blocks(folder: str, region: str) -> tuple[tuple[Block, ...], str]:
    path = Path(folder) / f"{region}.yaml"
    if not path.is_file():
        return (), ""
    routine, problems = check_file(path)
    if routine is None:
        raise ComposeError(f"the building blocks are broken: {problems[0]}")
    out = []
    for index, step in enumerate(routine.steps):
        needs = TOOLS.get(step.tool or "")
        if needs is None:
            raise ComposeError(f"{step.where}: block tool {step.tool!r} is not one of "
                               f"{', '.join(TOOLS)}")
        line = f":{step.where.line}" if step.where else ""
        out.append(Block(step, region, needs, phase_of(step.technique), index,
                         f"routines/compose/{path.name}{line}"))
    return tuple(out), routine.caution


def region_blocks(region: str, folder: Path | None = None) -> tuple[Block, ...]:
    """Every block written for a region id (empty when there are none)."""
    return _load_blocks(str(folder or blocks_dir()), region)[0]


def composable_regions(folder: Path | None = None) -> tuple[str, ...]:
    """Region ids that have blocks, head to feet."""
    return tuple(r.id for r in vocab.REGIONS if region_blocks(r.id, folder))


# -- time arithmetic ----------------------------------------------------------------------------

def _sides(step: Step) -> int:
    return 2 if step.side == "each" else 1


def step_seconds(step: Step) -> float:
    """A step's length in the timeline: lead-in, work and rests per side, a switch between."""
    s = _sides(step)
    return (step.lead_in * s + s * (step.repeat * step.duration
                                    + (step.repeat - 1) * step.rest))


def _options(block: Block) -> list[tuple[float, int]]:
    """(duration, repeat) pairs the block may take, cheapest first, each dearer than the last."""
    dose = DOSES.get(block.step.technique)
    if dose is None:
        return [(block.step.duration, block.step.repeat)]
    rest = block.step.rest or dose.rest
    seen: dict[float, tuple[float, int]] = {}
    for n in range(dose.min_repeat, dose.max_repeat + 1):
        d = dose.low
        while d <= dose.high + 1e-9:
            cost = n * d + (n - 1) * rest
            seen.setdefault(cost, (d, n))
            d += 5
    return [seen[c] for c in sorted(seen)]


def _shaped(block: Block, option: tuple[float, int], gentle: bool) -> Step:
    d, n = option
    dose = DOSES.get(block.step.technique)
    rest = (block.step.rest or (dose.rest if dose else 0.0)) if n > 1 else 0.0
    pressure = block.step.pressure
    if gentle and pressure is not None:
        pressure = min(pressure, GENTLE_PRESSURE)
    return dataclasses.replace(block.step, duration=float(d), repeat=n, rest=float(rest),
                               pressure=pressure, where=None)


def _default_option(block: Block, options: list[tuple[float, int]]) -> int:
    want = block.step.repeat * block.step.duration
    return min(range(len(options)), key=lambda i: abs(options[i][0] * options[i][1] - want))


# -- the request ------------------------------------------------------------------------------

def _names(region_ids: Iterable[str]) -> str:
    names = [vocab.REGION_BY_ID[r].name.lower() for r in region_ids]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _equipment_words(ids: Iterable[str]) -> str:
    words = [EQUIPMENT[e] for e in EQUIPMENT if e in set(ids)]
    if len(words) <= 2:
        return " and ".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def normalise(regions: Sequence[str], minutes: float, equipment: Sequence[str] = (),
              gentle: bool = False) -> Request:
    """Region and equipment names → ids (aliases and long names accepted); ComposeError if not."""
    if not regions:
        raise ComposeError("name at least one region, e.g. --region calves")
    ids: set[str] = set()
    for name in regions:
        rid = vocab.region_id(name)
        if rid is None:
            hint = vocab.did_you_mean(name.lower(), vocab.region_names())
            raise ComposeError(f"unknown region '{name[:40]}'{hint}")
        ids.add(rid)
    kit: set[str] = set()
    for name in equipment:
        eid = equipment_id(name)
        if eid is None:
            raise ComposeError(f"unknown equipment '{name[:40]}': use "
                               f"{', '.join(EQUIPMENT)} (or massage ball, foam roller, "
                               "massage gun)")
        kit.add(eid)
    if not isinstance(minutes, (int, float)) or not math.isfinite(minutes) or minutes <= 0:
        raise ComposeError(f"minutes must be a number above 0, got {minutes}")
    if minutes > MAX_MINUTES:
        raise ComposeError(f"unknot composes at most {MAX_MINUTES} minutes; self-massage "
                           "sessions run 3-20 minutes (domain.md)")
    order = [r.id for r in vocab.REGIONS]
    return Request(tuple(sorted(ids, key=order.index)), float(minutes),
                   tuple(e for e in EQUIPMENT if e in kit), bool(gentle))


# -- composing --------------------------------------------------------------------------------

def _priority(blocks: Sequence[Block]) -> list[Block]:
    """The first work block, the first warm-up, the first stretch, then the rest in file order."""
    first: list[Block] = []
    for phase in ("work", "warm", "stretch"):
        found = next((b for b in blocks if b.phase == phase), None)
        if found is not None:
            first.append(found)
    return first + [b for b in blocks if b not in first]


def _usable(blocks: Sequence[Block], have: frozenset[str], gentle: bool) -> list[Block]:
    return [b for b in blocks if b.needs <= have
            and not (gentle and b.step.technique in GENTLE_SKIPS)]


class _Plan:
    """The blocks chosen so far, each at an option index; what the fitting loop moves."""

    def __init__(self, candidates: dict[str, list[Block]], gentle: bool) -> None:
        self.candidates = candidates
        self.gentle = gentle
        self.options = {id(b): _options(b) for bs in candidates.values() for b in bs}
        self.chosen: dict[str, list[Block]] = {r: [] for r in candidates}
        self.level: dict[int, int] = {}

    def cost(self, block: Block, level: int | None = None) -> float:
        opts = self.options[id(block)]
        lvl = self.level[id(block)] if level is None else level
        return step_seconds(_shaped(block, opts[lvl], self.gentle))

    def default_cost(self, block: Block) -> float:
        opts = self.options[id(block)]
        return self.cost(block, _default_option(block, opts))

    def region_total(self, region: str) -> float:
        return sum(self.cost(b) for b in self.chosen[region])

    def total(self) -> float:
        return sum(self.region_total(r) for r in self.chosen)

    def add(self, region: str, block: Block) -> None:
        self.chosen[region].append(block)
        self.level[id(block)] = 0

    def next_block(self, region: str) -> Block | None:
        taken = self.chosen[region]
        return next((b for b in self.candidates[region] if b not in taken), None)

    def actions(self) -> list[tuple[float, str, Block, bool]]:
        """Possible moves, most wanted first: (extra seconds, region, block, is a new block).

        The region with the least time goes first, so time spreads over the regions; inside it
        the chosen block furthest below its default grows, else a new block is added.
        """
        moves: list[tuple[tuple[float, float], tuple[float, str, Block, bool]]] = []
        for region, blocks in self.chosen.items():
            here = self.region_total(region)
            grow = [b for b in blocks if self.level[id(b)] + 1 < len(self.options[id(b)])]
            # Below their usual length, the chosen blocks grow first; past it, a new block
            # (a warm-up or a stretch) is worth more than a longer one.
            below = False
            if grow:
                b = min(grow, key=lambda x: (self.cost(x) / self.default_cost(x), x.index))
                below = self.cost(b) < self.default_cost(b)
                extra = self.cost(b, self.level[id(b)] + 1) - self.cost(b)
                moves.append(((here, 0 if below else 1), (extra, region, b, False)))
            nxt = self.next_block(region)
            if nxt is not None:
                moves.append(((here, 1 if below else 0), (self.cost(nxt, 0), region, nxt, True)))
        moves.sort(key=lambda m: m[0])
        return [m[1] for m in moves]


def _too_short(req: Request, cheapest: dict[str, float], high: float) -> ComposeError:
    need = sum(cheapest.values())
    at_least = math.ceil(need / 60 / (1 + TOLERANCE))
    fit, used = 0, 0.0
    for rid in req.regions:
        if used + cheapest[rid] <= high:
            fit += 1
            used += cheapest[rid]
    minutes = f"{req.minutes:g} minute{'s' * (req.minutes != 1)}"
    if len(req.regions) == 1:
        return ComposeError(f"{minutes} is too short for the {_names(req.regions)}: the "
                            f"shortest block there takes {format_human(need)}; ask for at "
                            f"least {at_least} minutes")
    instead = (f", or choose at most {fit} region{'s' * (fit != 1)} for {minutes}" if fit
               else "")
    return ComposeError(f"{minutes} is too short for {len(req.regions)} regions: one short "
                        f"block each needs at least {at_least} minutes{instead}")


def _candidates(req: Request, folder: Path | None) -> tuple[dict[str, list[Block]], list[str]]:
    """Each region's usable blocks, ranked, and the regions' cautions; ComposeError if none."""
    have = frozenset(req.equipment) | {"hands"}
    candidates: dict[str, list[Block]] = {}
    cautions: list[str] = []
    for rid in req.regions:
        if rid in _REFUSED:
            raise ComposeError(_REFUSED[rid])
        blocks, caution = _load_blocks(str(folder or blocks_dir()), rid)
        if not blocks:
            raise ComposeError(f"unknot has no building blocks for the "
                               f"{vocab.REGION_BY_ID[rid].name.lower()} yet; it has them for "
                               f"{', '.join(composable_regions(folder))}")
        usable = _usable(blocks, have, req.gentle)
        if not usable:
            raise ComposeError(f"nothing for the {_names([rid])} fits "
                               f"{'gentle work with ' if req.gentle else ''}"
                               f"{_equipment_words(have)}")
        candidates[rid] = _priority(usable)
        if caution and caution not in cautions:
            cautions.append(caution)
    return candidates, cautions


def _check_kit(req: Request, candidates: dict[str, list[Block]], folder: Path | None) -> None:
    """Equipment named without hands that no block of these regions uses: say what does."""
    asked = set(req.equipment) - {"hands"}
    if not asked or "hands" in req.equipment:
        return
    if any(b.needs & asked for bs in candidates.values() for b in bs):
        return
    tools = {e for rid in req.regions for b in region_blocks(rid, folder) for e in b.needs}
    raise ComposeError(
        f"a {_equipment_words(asked)} is not used on the {_names(req.regions)}; "
        f"{'it is' if len(req.regions) == 1 else 'they are'} worked with "
        f"{_equipment_words(tools)}: add --equipment hands, or choose another region")


def _start(plan: _Plan, req: Request, high: float) -> None:
    """One block per region: the first ranked, or the shortest when those do not fit."""
    candidates = plan.candidates
    cheapest = {rid: min(plan.cost(b, 0) for b in bs) for rid, bs in candidates.items()}
    if sum(cheapest.values()) > high:
        raise _too_short(req, cheapest, high)
    firsts = {rid: bs[0] for rid, bs in candidates.items()}
    if sum(plan.cost(b, 0) for b in firsts.values()) > high:
        firsts = {rid: min(bs, key=lambda b: (plan.cost(b, 0), b.index))
                  for rid, bs in candidates.items()}
    for rid, block in firsts.items():
        plan.add(rid, block)


def _add_usual(plan: _Plan, req: Request, target: float) -> None:
    """More blocks, round the regions, while their usual lengths still fit the minutes."""
    grew = True
    while grew:
        grew = False
        for rid in req.regions:
            nxt = plan.next_block(rid)
            if nxt is None:
                continue
            planned = sum(plan.default_cost(b) for bs in plan.chosen.values() for b in bs)
            if planned + plan.default_cost(nxt) <= target:
                plan.add(rid, nxt)
                grew = True


def _grow(plan: _Plan, target: float, high: float) -> float:
    """Grow durations and repeats (the most starved region first) up to the target."""
    total = plan.total()
    while total < target:
        move = next(((rid, block, new) for extra, rid, block, new in plan.actions()
                     if total + extra <= high), None)
        if move is None:
            break
        rid, block, new = move
        if new:
            plan.add(rid, block)
        else:
            plan.level[id(block)] += 1
        total = plan.total()
    return total


def compose(regions: Sequence[str], minutes: float, equipment: Sequence[str] = (),
            gentle: bool = False, folder: Path | None = None) -> Composition:
    """A routine for `regions` that fits `minutes` ±10 % with `equipment`; ComposeError if not."""
    req = normalise(regions, minutes, equipment, gentle)
    candidates, cautions = _candidates(req, folder)
    _check_kit(req, candidates, folder)
    target = req.minutes * 60
    low, high = target * (1 - TOLERANCE), target * (1 + TOLERANCE)
    plan = _Plan(candidates, req.gentle)
    _start(plan, req, high)
    _add_usual(plan, req, target)
    total = _grow(plan, target, high)
    have = frozenset(req.equipment) | {"hands"}
    if total < low:
        most = math.floor(total / 60 / (1 - TOLERANCE))
        raise ComposeError(f"the blocks for the {_names(req.regions)} with "
                           f"{_equipment_words(have)} fill at most {most} minutes; ask for "
                           f"{most} or fewer, or add regions or equipment")
    return _assemble(req, plan, cautions, have)


def _why(block: Block, request: Request) -> str:
    tech = vocab.TECHNIQUE_BY_ID[block.step.technique]
    region = vocab.REGION_BY_ID[block.asked].name
    lead = {"warm": "warm-up first", "work": "the main work", "stretch": "a stretch to finish"}
    text = f"{region}: {lead[block.phase]}, {tech.name.lower()}"
    if block.step.region != block.asked:
        worked = vocab.REGION_BY_ID[block.step.region or block.asked].name
        text += f" on the {worked} (the {region} is worked through it, domain.md)"
    dose = DOSES.get(tech.id)
    if dose is not None:
        text += f"; {dose.source}"
    return text


def _assemble(req: Request, plan: _Plan, cautions: list[str],
              have: frozenset[str]) -> Composition:
    parts: list[Part] = []
    phase_rank = {p: i for i, p in enumerate(PHASES)}
    for rid in req.regions:
        ordered = sorted(plan.chosen[rid], key=lambda b: (phase_rank[b.phase], b.index))
        for block in ordered:
            opts = plan.options[id(block)]
            step = _shaped(block, opts[plan.level[id(block)]], req.gentle)
            parts.append(Part(step, block, _why(block, req)))
    used = {e for p in parts for e in p.block.needs}
    names = [vocab.REGION_BY_ID[r].name for r in req.regions]
    title = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " & " + names[-1]
    minutes = f"{req.minutes:g} min"
    summary = (f"Composed for the {_names(req.regions)}: {minutes}"
               f"{', gentle' if req.gentle else ''}, with {_equipment_words(used)}.")
    routine = Routine(
        id="composed",
        name=f"{title} · {minutes}",
        steps=tuple(p.step for p in parts),
        summary=summary,
        tags=("composed",) + (("gentle",) if req.gentle else ()),
        equipment=tuple(EQUIPMENT[e] for e in EQUIPMENT if e in used and e != "hands"),
        caution=" ".join(cautions),
        source="path",
    )
    total = expand(routine).total
    unused = tuple(e for e in req.equipment if e not in used and e != "hands")
    return Composition(routine, tuple(parts), req, total, unused)


def covered(composition: Composition) -> set[str]:
    """The regions asked for that the routine works (the IT band through the TFL and glutes)."""
    worked = {s.region for s in composition.routine.steps}
    return {r for r in composition.request.regions
            if worked & WORKED_THROUGH.get(r, frozenset({r}))}


# -- YAML -------------------------------------------------------------------------------------

def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _seconds(value: float) -> str:
    return f"{value:g}s"


def command_line(req: Request) -> str:
    """The `unknot compose` command that makes this request."""
    words = ["unknot compose"]
    words += [f"--region {r}" for r in req.regions]
    words.append(f"--minutes {req.minutes:g}")
    words += [f"--equipment {e}" for e in req.equipment]
    if req.gentle:
        words.append("--gentle")
    return " ".join(words)


def _wrap_comment(text: str, indent: str, width: int = 96) -> list[str]:
    import textwrap

    return [indent + "# " + line
            for line in textwrap.wrap(text, width - len(indent) - 2, break_on_hyphens=False)]


def to_yaml(composition: Composition) -> str:
    """The routine as a commented YAML file: why each block, where its durations come from."""
    r, req = composition.routine, composition.request
    lines = [
        f"# Composed by `{command_line(req)}`.",
        f"# It runs {format_human(composition.total)} (asked: {req.minutes:g} min, ±10 %).",
        "# A starting point for your own routine: edit it, then check it with",
        "# `unknot validate --strict FILE`. The steps come from the building blocks in",
        "# routines/compose/ (one file per region); each region goes effleurage first, then",
        "# rolling or pressure, then a stretch (domain.md). docs/compose.md has the sources.",
    ]
    if composition.unused:
        lines.append(f"# Not used here: {_equipment_words(composition.unused)} (no block for "
                     "these regions needs it).")
    lines += [f"name: {_q(r.name)}", f"summary: {_q(r.summary)}",
              f"tags: [{', '.join(r.tags)}]"]
    if r.equipment:
        lines.append(f"equipment: [{', '.join(r.equipment)}]")
    if r.caution:
        lines.append(f"caution: {_q(r.caution)}")
    lines.append("steps:")
    for part in composition.parts:
        s = part.step
        lines += _wrap_comment(part.why + f" (block: {part.block.where})", "  ")
        lines.append(f"  - technique: {s.technique}")
        lines.append(f"    region: {s.region}")
        if s.side:
            lines.append(f"    side: {s.side}")
        lines.append(f"    duration: {_seconds(s.duration)}")
        if s.repeat > 1:
            lines.append(f"    repeat: {s.repeat}")
            lines.append(f"    rest: {_seconds(s.rest)}")
        if s.pressure is not None:
            lines.append(f"    pressure: {s.pressure}")
        if s.tool:
            lines.append(f"    tool: {s.tool}")
        if s.cues.cadence:
            lines.append(f"    cues: {{cadence: {_seconds(s.cues.cadence)}}}")
        if s.say:
            lines.append(f"    say: {_q(s.say)}")
        if s.instructions:
            lines.append(f"    instructions: {_q(s.instructions)}")
    return "\n".join(lines) + "\n"


# -- saving -----------------------------------------------------------------------------------

def default_name(composition: Composition) -> str:
    """A routine name for a composition: its regions and minutes (`Calves & Feet 10 min`)."""
    return composition.routine.name.replace(" · ", " ")


def save(composition: Composition, name: str | None = None) -> Path:
    """Write the composed routine into the user's routine folder and return its path.

    With a `name`, it never overwrites (UnknotError, as `unknot new`); without one, the default
    name gets `2`, `3`… until it is free.
    """
    from player import scaffold
    from player.loader import SUFFIXES

    text = to_yaml(composition)
    if name is not None:
        return scaffold.create(name, text)
    base = default_name(composition)
    folder = paths.user_routines_dir()
    for n in range(1, 1000):
        candidate = base if n == 1 else f"{base} {n}"
        rid = scaffold.slug(candidate)
        if not any((folder / (rid + s)).exists() for s in SUFFIXES):
            return scaffold.create(candidate, text)
    raise UnknotError(f"too many routines named {base!r} in {folder}")
