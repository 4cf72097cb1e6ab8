"""Benchmarks `unknot history` over 100,000 records (target: under 1 s).

Writes the records into a temporary UNKNOT_HOME, then times
- the whole command as a user runs it (a subprocess: interpreter start, imports, read, summary,
  printing), median and p99 of several runs;
- the same with `--json` (every record printed), for reference;
- the pure part in this process: read_history + summarize, and read_history alone.

Usage: .venv/bin/python bench/history.py [--records N] [--runs K]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

REGIONS = ["calves", "quads", "hamstrings", "upper-trapezius", "neck", "feet", "lower-back",
           "forearms", "glutes", "it-band"]
ROUTINES = [("desk-neck-shoulders", "Desk neck & shoulders"), ("post-run-legs", "Post-run legs"),
            ("feet-plantar", "Feet: plantar"), ("pre-sleep-wind-down", "Pre-sleep wind-down")]


def write_records(path: Path, n: int) -> None:
    """n sessions, several a day going back in time, as the recorder writes them."""
    rng = random.Random(1)
    end = datetime.now().astimezone()
    lines = []
    for i in range(n):
        start = end - timedelta(minutes=37 * (n - i))
        active = rng.uniform(300, 1500)
        rid, name = rng.choice(ROUTINES)
        record = {
            "routine": rid, "name": name,
            "started": start.isoformat(timespec="seconds"),
            "ended": (start + timedelta(seconds=active + 30)).isoformat(timespec="seconds"),
            "completed": rng.random() > 0.2, "active_seconds": round(active, 1),
            "steps_done": rng.randint(3, 12), "steps_skipped": rng.randint(0, 2),
            "pain_before": rng.choice([None, 4, 5, 6, 7]),
            "pain_after": rng.choice([None, 1, 2, 3, 4]),
            "regions": {r: round(active / 3, 1) for r in rng.sample(REGIONS, 3)},
        }
        lines.append(json.dumps(record, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n")


def stats(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return (f"median {statistics.median(samples) * 1000:7.1f} ms   p99 {p99 * 1000:7.1f} ms   "
            f"min {ordered[0] * 1000:7.1f} ms   ({len(samples)} runs)")


def time_command(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        samples.append(time.perf_counter() - t0)
        if proc.returncode != 0 or proc.stderr:
            raise SystemExit(f"{' '.join(argv)} failed: {proc.stderr.decode()}")
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    from player.history import read_history, summarize

    with tempfile.TemporaryDirectory(prefix="unknot-bench-") as home:
        path = Path(home) / "history.jsonl"
        write_records(path, args.records)
        env = {**os.environ, "UNKNOT_HOME": home}
        size = path.stat().st_size / 1e6
        print(f"{args.records:,} records, {size:.1f} MB, Python {sys.version.split()[0]}, "
              f"{os.cpu_count()} CPUs")

        unknot = [sys.executable, "-m", "player", "history"]
        time_command(unknot, env, 1)  # warm the page cache and .pyc files
        print(f"unknot history           {stats(time_command(unknot, env, args.runs))}")
        print(f"unknot history --json    "
              f"{stats(time_command([*unknot, '--json'], env, max(3, args.runs // 3)))}")
        baseline = [sys.executable, "-c", "pass"]
        print(f"python -c pass           {stats(time_command(baseline, env, args.runs))}")

        both, read_only = [], []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            records = read_history(path)
            t1 = time.perf_counter()
            summarize(records)
            t2 = time.perf_counter()
            both.append(t2 - t0)
            read_only.append(t1 - t0)
        print(f"read_history+summarize   {stats(both)}")
        print(f"read_history             {stats(read_only)}")
        print("target: unknot history median under 1000 ms")


if __name__ == "__main__":
    main()
