#!/usr/bin/env python3
"""Benchmarks `unknot history` over 100,000 and 1,000,000 records, beside its floors.

Writes the records into a temporary UNKNOT_HOME (the recorder's fields, several sessions a day
going back in time), then times as a user runs them, interleaved with the floors:
- `unknot history` (interpreter start, imports, reading, summary, printing): wall time and peak
  memory of the child (wait4's ru_maxrss);
- floors: `python -c pass`, and a python child that parses every line with json.loads (the
  least any reader of the file does); `unknot history --json` for reference (100,000 only).
Targets (issue 15): 100,000 records < 0.3 s; 1,000,000 records < 2.5 s and < 100 MiB peak.

Usage: .venv/bin/python bench/history.py [--check] [--quick] [--runs K]
"""

from __future__ import annotations

import os
import random
import sys
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import PYTHON, REPO, Report, Samples, arguments, run_child  # noqa: E402

REGIONS = ["calves", "quads", "hamstrings", "upper-trapezius", "neck", "feet", "lower-back",
           "forearms", "glutes", "it-band"]
ROUTINES = [("desk-neck-shoulders", "Desk neck & shoulders"), ("post-run-legs", "Post-run legs"),
            ("feet-plantar", "Feet: plantar"), ("pre-sleep-wind-down", "Pre-sleep wind-down")]
LINE = ('{"routine": "%s", "name": "%s", "started": "%s", "ended": "%s", "completed": %s, '
        '"active_seconds": %.1f, "steps_done": %d, "steps_skipped": %d, "pain_before": %s, '
        '"pain_after": %s, "regions": {"%s": %.1f, "%s": %.1f, "%s": %.1f}}\n')
PER_LINE_LOADS = """\
import json, sys
loads = json.loads
with open(sys.argv[1], "rb") as f:
    for line in f:
        loads(line)
"""


def write_records(path: Path, n: int) -> None:
    """n sessions, 37 minutes apart, ending now, as the recorder writes them (json.dumps)."""
    rng = random.Random(1)
    end = datetime.now().astimezone().replace(microsecond=0)
    offset = end.isoformat()[19:]
    first = end - timedelta(minutes=37 * n)
    with path.open("w", encoding="utf-8") as f:
        chunk = []
        for i in range(n):
            start = first + timedelta(minutes=37 * i)
            active = rng.uniform(300, 1500)
            rid, name = rng.choice(ROUTINES)
            regions = rng.sample(REGIONS, 3)
            third = round(active / 3, 1)
            chunk.append(LINE % (
                rid, name, start.strftime("%Y-%m-%dT%H:%M:%S") + offset,
                (start + timedelta(seconds=active + 30)).strftime("%Y-%m-%dT%H:%M:%S") + offset,
                "true" if rng.random() > 0.2 else "false", active, rng.randint(3, 12),
                rng.randint(0, 2), rng.choice(["null", "4", "5", "6", "7"]),
                rng.choice(["null", "1", "2", "3", "4"]),
                regions[0], third, regions[1], third, regions[2], third))
            if len(chunk) == 10_000:
                f.write("".join(chunk))
                chunk.clear()
        f.write("".join(chunk))


def measure(report: Report, home: Path, n: int, runs: int, *, json_too: bool,
            max_seconds: float, max_mib: float | None) -> None:
    path = home / "history.jsonl"
    write_records(path, n)
    env = {**os.environ, "UNKNOT_HOME": str(home)}
    size = path.stat().st_size / 2**20
    report.note(f"{n:,} records, {size:.1f} MiB")
    commands = {
        "history": [PYTHON, "-m", "player", "history"],
        "pass": [PYTHON, "-c", "pass"],
        "loads": [PYTHON, "-c", PER_LINE_LOADS, str(path)],
    }
    if json_too:
        commands["json"] = [PYTHON, "-m", "player", "history", "--json"]
    kids: dict[str, list] = {k: [] for k in commands}
    run_child(commands["history"], env=env, cwd=REPO)  # the page cache warm
    for _ in range(runs):
        for key, argv in commands.items():
            child = run_child(argv, env=env, cwd=REPO)
            if child.code != 0 or child.stderr:
                raise SystemExit(f"{' '.join(argv[:4])} failed: {child.stderr.decode()[-2000:]}")
            kids[key].append(child)
    label = f"{n:,}"
    ours = report.show(Samples(f"unknot history, {label} records",
                               [c.wall for c in kids["history"]]))
    cpu = report.show(Samples("  CPU (user+sys)", [c.cpu for c in kids["history"]]))
    peak = report.show(Samples("  peak memory", [c.peak_mib for c in kids["history"]], "MiB"))
    if json_too:
        js = report.show(Samples(f"unknot history --json, {label}", [c.wall for c in kids["json"]]))
        report.show(Samples("  peak memory", [c.peak_mib for c in kids["json"]], "MiB"))
    floor = report.show(Samples("  floor: python -c pass", [c.wall for c in kids["pass"]]))
    loads = report.show(Samples("  floor: python + json.loads per line",
                                [c.wall for c in kids["loads"]]))
    loads_cpu = report.show(Samples("  floor CPU", [c.cpu for c in kids["loads"]]))
    report.show(Samples("  floor peak memory", [c.peak_mib for c in kids["loads"]], "MiB"))
    report.against_floor(f"unknot history {label} (time)", ours, loads, max_value=max_seconds)
    report.against_floor(f"unknot history {label} vs python start-up", ours, floor)
    # CPU seconds move less with the machine's load than wall time (for reading a loaded run).
    report.against_floor(f"unknot history {label} (CPU, reference)", cpu, loads_cpu)
    if json_too:
        report.against_floor(f"unknot history --json {label}", js, loads)
    if max_mib is not None:
        report.below(f"unknot history {label} (peak memory)", peak.median, max_mib, "MiB",
                     "median peak")


def main() -> int:
    args = arguments(__doc__, lambda p: p.add_argument("--runs", type=int, default=None))
    report = Report("bench/history.py: unknot history at 100,000 and 1,000,000 records", args)
    runs = args.runs or (5 if args.quick else 9)
    with tempfile.TemporaryDirectory(prefix="unknot-bench-") as home:
        measure(report, Path(home), 100_000, runs, json_too=True, max_seconds=0.3, max_mib=None)
    with tempfile.TemporaryDirectory(prefix="unknot-bench-") as home:
        measure(report, Path(home), 1_000_000, 2 if args.quick else 3 if runs < 9 else 5,
                json_too=False, max_seconds=2.5, max_mib=100.0)
    return report.finish()


if __name__ == "__main__":
    raise SystemExit(main())
