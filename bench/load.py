#!/usr/bin/env python3
"""Benchmarks the loader and start-up beside their floors: run `.venv/bin/python bench/load.py`.

Each figure is measured interleaved with its floor in the same run:
- validating 1,000 generated routine files, in this process (`check_file` on each) and through
  `unknot validate DIR` (CPU seconds and peak memory of the child), against a bare CSafeLoader
  parse of the same files (in this process, and as a python child). Target (issue 15):
  ≤ 1.2× the bare parse;
- loading and expanding one routine of 10,000 steps (target < 0.5 s), beside the bare parse;
- `unknot --version` against `python -c pass` on the same interpreter (target ≤ 3×), and
  `unknot --help`, termdown's --version where installed, and with .pyc files for reference;
- `unknot list` and `unknot show ROUTINE` beside `python -c pass` (no target).
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import yaml  # noqa: E402
from benchlib import (  # noqa: E402
    PYTHON,
    REPO,
    UNKNOT,
    Report,
    Samples,
    arguments,
    interleaved,
    run_child,
    timed,
)

from player import vocab  # noqa: E402
from player.loader import check_file, load_routine  # noqa: E402
from player.timeline import expand  # noqa: E402


def step_text(rng: random.Random) -> str:
    tech = rng.choice([t for t in vocab.TECHNIQUES if t.needs_region])
    region = rng.choice([r for r in vocab.REGIONS if not r.danger and not r.no_roller])
    seconds = int(rng.uniform(tech.min_seconds, tech.max_seconds))
    return (f"  - technique: {tech.id}\n    region: {region.id}\n"
            f"    side: {rng.choice(vocab.SIDES)}\n    duration: {seconds}s\n"
            f"    pressure: {rng.choice(['light', 'moderate', 4, 5])}\n"
            f"    instructions: Work slowly and breathe.\n")


def compact_step(rng: random.Random) -> str:
    # One flow mapping per line: 10,000 steps must stay under the loader's 1 MiB limit.
    tech = rng.choice([t for t in vocab.TECHNIQUES if t.needs_region])
    region = rng.choice([r for r in vocab.REGIONS if not r.danger and not r.no_roller])
    seconds = int(rng.uniform(tech.min_seconds, tech.max_seconds))
    return (f"  - {{technique: {tech.id}, region: {region.id}, "
            f"side: {rng.choice(vocab.SIDES)}, duration: {seconds}s}}\n")


def routine_text(rng: random.Random, steps: int, compact: bool = False) -> str:
    make = compact_step if compact else step_text
    return ("name: Generated\nsummary: A generated routine.\ntags: [bench]\n"
            "defaults:\n  lead_in: 5s\n  cues: {halfway: true, countdown: 3}\nsteps:\n"
            + "".join(make(rng) for _ in range(steps)))


BARE_PARSE = """\
import sys, yaml
from pathlib import Path
for p in sorted(Path(sys.argv[1]).glob("*.yaml")):
    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)
"""


def bare_parse(paths: list[Path]) -> None:
    for path in paths:
        yaml.load(path.read_bytes(), Loader=yaml.CSafeLoader)


def main() -> int:
    args = arguments(__doc__)
    report = Report("bench/load.py: loader and start-up", args)
    rng = random.Random(7)
    runs = 3 if args.quick else 5
    with tempfile.TemporaryDirectory(prefix="unknot-bench-") as tmp:
        folder = Path(tmp) / "many"
        folder.mkdir()
        files = []
        for i in range(1000):
            path = folder / f"r{i:04d}.yaml"
            path.write_text(routine_text(rng, rng.randint(4, 12)), encoding="utf-8")
            files.append(path)

        def validate_all() -> None:
            for path in files:
                routine, problems = check_file(path, search_dirs=(folder,))
                assert routine is not None and not [p for p in problems
                                                    if p.severity == "error"], problems

        ours, floor = interleaved(runs, timed(validate_all), timed(lambda: bare_parse(files)))
        a = report.show(Samples("validate 1,000 files, in process", ours, "s"))
        b = report.show(Samples("  floor: CSafeLoader parse, in process", floor, "s"))
        report.against_floor("validate 1,000 files (in process)", a, b, max_ratio=1.2)

        if UNKNOT.exists():
            cli = [str(UNKNOT), "validate", str(folder)]
            bare = [PYTHON, "-c", BARE_PARSE, str(folder)]
            kids: dict[str, list] = {"cli": [], "bare": []}
            for _ in range(runs):
                for key, argv in (("cli", cli), ("bare", bare)):
                    child = run_child(argv, cwd=REPO)
                    if child.code != 0:
                        raise SystemExit(f"{argv[:3]} failed: {child.stderr.decode()[-2000:]}")
                    kids[key].append(child)
            a = report.show(Samples("unknot validate DIR (1,000 files), CPU",
                                    [c.cpu for c in kids["cli"]], "s"))
            report.show(Samples("  wall", [c.wall for c in kids["cli"]], "s"))
            report.show(Samples("  peak memory", [c.peak_mib for c in kids["cli"]], "MiB"))
            b = report.show(Samples("  floor: python + CSafeLoader parse, CPU",
                                    [c.cpu for c in kids["bare"]], "s"))
            report.show(Samples("  floor peak memory", [c.peak_mib for c in kids["bare"]], "MiB"))
            report.against_floor("unknot validate 1,000 files (CPU)", a, b, max_ratio=1.2)

        big = Path(tmp) / "big.yaml"
        big.write_text(routine_text(rng, 10_000, compact=True), encoding="utf-8")

        def load_big() -> None:
            routine = load_routine(big, search_dirs=(Path(tmp),))
            assert len(expand(routine).segments) > 10_000

        ours, floor = interleaved(runs, timed(load_big), timed(lambda: bare_parse([big])))
        a = report.show(Samples(f"load + expand 10,000 steps ({big.stat().st_size // 1024} KiB)",
                                ours, "s"))
        b = report.show(Samples("  floor: CSafeLoader parse of the file", floor, "s"))
        report.against_floor("10,000-step load + expand", a, b, max_value=0.5)

    if not UNKNOT.exists():
        report.not_measured("start-up", f"no {UNKNOT}: run scripts/setup")
        return report.finish()
    startup(report, 7 if args.quick else 21)
    return report.finish()


def wall(argv: list[str], env: dict[str, str] | None = None) -> float:
    child = run_child(argv, cwd=REPO, env=env)
    if child.code != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({child.code}): {child.stderr.decode()}")
    return child.wall


def startup(report: Report, runs: int) -> None:
    floor_argv = [PYTHON, "-c", "pass"]
    commands = {
        "--version": [str(UNKNOT), "--version"],
        "--help": [str(UNKNOT), "--help"],
        "list": [str(UNKNOT), "list"],
        "show": [str(UNKNOT), "show", "desk-neck-shoulders"],
    }
    # The peer: termdown (the bench extra of pyproject, installed by scripts/setup) beside
    # this interpreter, else on PATH; taking turns with the rest.
    venv_termdown = Path(PYTHON).parent / "termdown"
    termdown = str(venv_termdown) if venv_termdown.exists() else shutil.which("termdown")
    peer = [termdown, "--version"] if termdown else None
    for argv in [*commands.values(), *([peer] if peer else [])]:
        wall(argv)  # the page cache (and any cache unknot keeps) warm
    fns = [lambda: wall(floor_argv)] + [lambda argv=argv: wall(argv) for argv in commands.values()]
    if peer:
        fns.append(lambda: wall(peer))
    samples = interleaved(runs, *fns)
    floor = report.show(Samples("python -c pass (same interpreter)", samples[0]))
    shown = {name: report.show(Samples(f"unknot {name}" if name.startswith("-")
                                       else f"unknot {' '.join(commands[name][1:])}", s))
             for name, s in zip(commands, samples[1:1 + len(commands)], strict=True)}
    report.against_floor("unknot --version", shown["--version"], floor, max_ratio=3.0)
    report.against_floor("unknot --help", shown["--help"], floor)
    report.against_floor("unknot list", shown["list"], floor)
    report.against_floor("unknot show", shown["show"], floor)
    if peer:
        t = report.show(Samples("peer: termdown --version", samples[-1]))
        report.against_floor("unknot --version vs peer termdown --version (reference)",
                             shown["--version"], t)
    else:
        report.not_measured("peer termdown --version",
                            "termdown is not installed (scripts/setup installs the bench extra)")

    # The same with .pyc files to read: a private cache prefix, written by a first run.
    with tempfile.TemporaryDirectory(prefix="unknot-pyc-") as prefix:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = prefix
        wall(commands["--version"], env)
        wall(floor_argv, env)
        a, b = interleaved(runs, lambda: wall(commands["--version"], env),
                           lambda: wall(floor_argv, env))
        x = report.show(Samples("with .pyc: unknot --version", a))
        y = report.show(Samples("  with .pyc: python -c pass", b))
        report.against_floor("unknot --version with .pyc (reference)", x, y)


if __name__ == "__main__":
    raise SystemExit(main())
