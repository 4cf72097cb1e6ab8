#!/usr/bin/env python3
"""Provides the loader's performance figures: run `.venv/bin/python bench/load.py`.

Prints medians (and p99 where it is a distribution) for:
- validating 1,000 generated routine files (one run of `check_file` over each),
- loading and expanding one routine of 10,000 steps,
- `unknot --version` and `unknot validate routines/` as subprocesses (~20 runs each).
Targets (issue 2): the first two under 1 s, the last two under 150 ms median.
"""

from __future__ import annotations

import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from player import vocab  # noqa: E402
from player.loader import check_file, load_routine  # noqa: E402
from player.timeline import expand  # noqa: E402

UNKNOT = REPO / ".venv" / "bin" / "unknot"


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


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def timed(fn, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
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

        runs = timed(validate_all, 5)
        print(f"validate 1,000 generated files: median {statistics.median(runs):.3f} s "
              f"(min {min(runs):.3f} s, 5 runs)")

        big = folder / "big.yaml"
        big.write_text(routine_text(rng, 10_000, compact=True), encoding="utf-8")

        def load_big() -> None:
            routine = load_routine(big, search_dirs=(folder,))
            assert len(expand(routine).segments) > 10_000

        runs = timed(load_big, 5)
        print(f"load + expand one 10,000-step routine ({big.stat().st_size // 1024} KiB): "
              f"median {statistics.median(runs):.3f} s (min {min(runs):.3f} s, 5 runs)")

    if not UNKNOT.exists():
        print(f"(no {UNKNOT}: run scripts/setup for the subprocess figures)")
        return
    for argv in ([str(UNKNOT), "--version"], [str(UNKNOT), "validate", "routines/"]):
        def call(argv: list[str] = argv) -> None:
            subprocess.run(argv, cwd=REPO, check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)

        call()  # warm the page cache and .pyc files
        runs = timed(call, 21)
        shown = " ".join(["unknot", *argv[1:]])
        print(f"{shown}: median {statistics.median(runs) * 1000:.0f} ms, "
              f"p99 {pct(runs, 0.99) * 1000:.0f} ms (21 runs)")


if __name__ == "__main__":
    main()
