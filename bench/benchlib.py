"""Provides what every bench script shares: the environment header, samples, verdicts, --check.

Every figure is printed as median, min and max over its runs; every target is checked beside a
floor or peer measured in the same run (interleaved with it, so both see the same load), and
printed as one verdict line: the figure, the floor, the ratio, the target and PASS or FAIL.
With `--check` a script exits 1 when any verdict is FAIL. A figure that cannot be measured here
is printed as "not measured: <why>", never as a made-up number, and is not a FAIL.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

REPO = Path(__file__).resolve().parent.parent
#: The interpreter unknot runs on (the venv's), so a floor pays the same start-up as unknot.
PYTHON = sys.executable
UNKNOT = REPO / ".venv" / "bin" / "unknot"


def arguments(doc: str | None, extra: Callable[[argparse.ArgumentParser], None] | None = None,
              ) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when any target is missed (FAIL)")
    parser.add_argument("--quick", action="store_true",
                        help="fewer runs (bench/run_all uses this to stay under 5 minutes)")
    if extra is not None:
        extra(parser)
    return parser.parse_args()


def pyc_state() -> str:
    """Whether start-up compiles our sources (no .pyc to read) or reads them."""
    dont = os.environ.get("PYTHONDONTWRITEBYTECODE") or "unset"
    prefix = os.environ.get("PYTHONPYCACHEPREFIX")
    cache = REPO / "player" / "__pycache__"
    count = len(list(cache.glob("*.pyc"))) if cache.is_dir() else 0
    where = (f"player/__pycache__ holds {count} .pyc" if count
             else "player/__pycache__ absent (our modules are compiled at every start)")
    text = f"PYTHONDONTWRITEBYTECODE={dont}, {where}"
    if prefix:
        text += f", PYTHONPYCACHEPREFIX={prefix}"
    return text


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1/5/15 min) on {os.cpu_count()} CPUs"


def _commit() -> str:
    try:
        out = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--", "player"],
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return out + (" (player/ modified)" if dirty else "")


def fmt(seconds: float, unit: str) -> str:
    if unit == "s":
        return f"{seconds:.3f} s"
    if unit == "%":
        return f"{seconds:.2f} %"
    if unit == "MiB":
        return f"{seconds:.1f} MiB"
    return f"{seconds * 1000:.1f} ms" if seconds * 1000 >= 10 else f"{seconds * 1000:.3f} ms"


@dataclass
class Samples:
    """The runs of one figure (seconds, or percent / MiB with that unit)."""

    name: str
    values: list[float]
    unit: str = "ms"

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def line(self) -> str:
        v = self.values
        return (f"{self.name:<44} median {fmt(self.median, self.unit):>10}   "
                f"min {fmt(min(v), self.unit):>10}   max {fmt(max(v), self.unit):>10}   "
                f"(n={len(v)})")


@dataclass
class Verdict:
    name: str
    passed: bool
    text: str


@dataclass
class Report:
    """Prints the header, the figures and the verdicts of one bench script."""

    title: str
    args: argparse.Namespace
    verdicts: list[Verdict] = field(default_factory=list)
    unmeasured: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def __post_init__(self) -> None:
        print(f"== {self.title}")
        print(f"   at {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}, commit {_commit()}, "
              f"Python {platform.python_version()} ({PYTHON})")
        print(f"   load average {load_average()}")
        print(f"   .pyc: {pyc_state()}")
        sys.stdout.flush()

    def show(self, samples: Samples) -> Samples:
        print(samples.line(), flush=True)
        return samples

    def note(self, text: str) -> None:
        print(f"   {text}", flush=True)

    def verdict(self, name: str, passed: bool, detail: str) -> None:
        word = "PASS" if passed else "FAIL"
        text = f"-> {name}: {detail}: {word}"
        print(text, flush=True)
        self.verdicts.append(Verdict(name, passed, text))

    def against_floor(self, name: str, subject: Samples, floor: Samples, *,
                      max_ratio: float | None = None, max_value: float | None = None) -> float:
        """A verdict on `subject` beside `floor`: its ratio, and the targets given."""
        ratio = subject.median / floor.median if floor.median > 0 else float("inf")
        shown = f"{ratio:.2f}×" if floor.median > 0 else "n/a (the floor measured 0)"
        parts = [f"{fmt(subject.median, subject.unit)} vs floor "
                 f"{fmt(floor.median, floor.unit)} ({floor.name.strip()}), ratio {shown}"]
        ok = True
        targets = []
        if max_ratio is not None:
            targets.append(f"≤ {max_ratio:g}× floor")
            ok = ok and ratio <= max_ratio
        if max_value is not None:
            targets.append(f"≤ {fmt(max_value, subject.unit)}")
            ok = ok and subject.median <= max_value
        if targets:
            parts.append("target " + " and ".join(targets))
            self.verdict(name, ok, ", ".join(parts))
        else:
            print(f"-> {name}: {parts[0]} (no target)", flush=True)
        return ratio

    def below(self, name: str, value: float, limit: float, unit: str, what: str = "") -> None:
        detail = f"{what + ' ' if what else ''}{fmt(value, unit)}, target ≤ {fmt(limit, unit)}"
        self.verdict(name, value <= limit, detail)

    def not_measured(self, name: str, why: str) -> None:
        print(f"-> {name}: not measured: {why}", flush=True)
        self.unmeasured.append(name)

    def finish(self) -> int:
        failed = [v for v in self.verdicts if not v.passed]
        took = time.monotonic() - self.started
        print(f"   load average after: {load_average()}; took {took:.0f} s")
        print(f"== {self.title}: {len(self.verdicts) - len(failed)} PASS, {len(failed)} FAIL"
              + (f", {len(self.unmeasured)} not measured" if self.unmeasured else "")
              + (" (" + "; ".join(v.name for v in failed) + ")" if failed else ""))
        sys.stdout.flush()
        return 1 if failed and self.args.check else 0


@dataclass
class Child:
    wall: float
    cpu: float
    #: Peak resident memory in MiB (ru_maxrss of this one child, from wait4).
    peak_mib: float
    code: int
    stdout: bytes
    stderr: bytes


#: GNU time reports the child's own peak memory; wait4's ru_maxrss of a child forked from this
#: (large) process starts at this process's size, so it is only an upper bound.
GNU_TIME = Path("/usr/bin/time")


def run_child(argv: Sequence[str], *, env: dict[str, str] | None = None,
              cwd: Path | None = None, keep_stdout: bool = False) -> Child:
    """Run a command to its end: wall time, CPU seconds and peak memory of the command.

    Its output goes to temporary files (never a pipe this process would have to drain), or
    stdout to /dev/null unless `keep_stdout`. Peak memory is GNU time's %M where installed.
    """
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out, \
            tempfile.NamedTemporaryFile(prefix="unknot-bench-time-") as peak:
        cmd = list(argv)
        if GNU_TIME.exists():
            cmd = [str(GNU_TIME), "-f", "%M", "-o", peak.name, *cmd]
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=out if keep_stdout else subprocess.DEVNULL, stderr=err)
        # wait4 counts the command's CPU too (a reaped child's usage is its parent's).
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        peak_mib = usage.ru_maxrss / 1024
        if GNU_TIME.exists():
            try:
                peak_mib = int(Path(peak.name).read_text().split()[-1]) / 1024
            except (OSError, ValueError, IndexError):
                pass
        out.seek(0)
        err.seek(0)
        return Child(wall, usage.ru_utime + usage.ru_stime, peak_mib, proc.returncode,
                     out.read(), err.read())


def interleaved(runs: int, *fns: Callable[[], float]) -> list[list[float]]:
    """Each fn `runs` times, taking turns (a, b, a, b…), so every one sees the same load."""
    out: list[list[float]] = [[] for _ in fns]
    for _ in range(runs):
        for i, fn in enumerate(fns):
            out[i].append(fn())
    return out


def timed(fn: Callable[[], object]) -> Callable[[], float]:
    def run() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start
    return run


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]
