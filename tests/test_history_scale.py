"""A million sessions open the TUI history screen in bounded memory (issue 15).

The screen reads in one streamed pass (`store.scan_history`): the summary's totals, the last 50
records and each region's last pain ratings, never the whole file. Measured for real: the same
Textual app opens the screen in a fresh interpreter over 1,000 and over 1,000,000 records, and
the peak resident memory (VmHWM) of the two may differ by no more than a block's worth.
Reading the whole file, as the screen used to, holds about 1.7 GB for a million records.
`unknot today` (and the program's progress it reads) is held to a flat peak the same way.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 3, 11)

PROBE = """
import asyncio, json, resource, sys, time
from datetime import date
from textual.app import App
from textual.widgets import DataTable, Static
from player.tui.screens.history_screen import HistoryScreen

class HistoryApp(App[None]):
    def __init__(self, screen):
        super().__init__()
        self.history_screen = screen
    def on_mount(self):
        self.push_screen(self.history_screen)

def peak_mib():
    # VmHWM: this process's own peak (ru_maxrss would carry the parent's over fork and exec).
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024

def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

async def main():
    screen = HistoryScreen(path=sys.argv[1], today=date.fromisoformat(sys.argv[2]))
    app = HistoryApp(screen)
    async with app.run_test(size=(100, 50)) as pilot:
        start, start_cpu = time.perf_counter(), cpu()
        await app.workers.wait_for_complete()
        await pilot.pause()
        wall, used = time.perf_counter() - start, cpu() - start_cpu
        table = screen.query_one("#history-table", DataTable)
        print(json.dumps({
            "rows": table.row_count,
            "newest": list(map(str, table.get_row_at(0))),
            "summary": str(screen.query_one("#history-summary", Static).render()),
            "pain": str(screen.query_one("#history-pain", Static).render()),
            "wall": wall, "cpu": used,
            "peak_mib": peak_mib(),
        }))

asyncio.run(main())
"""


def write_history(path: Path, n: int) -> None:
    """n sessions over the last 1,000 days, oldest first; every tenth rates the calves."""
    block = []
    for i in range(1000):
        day = TODAY - timedelta(days=999 - i)
        record: dict[str, object] = {
            "routine": "desk-neck", "name": f"Desk {i}", "started": f"{day}T08:00:00+01:00",
            "ended": f"{day}T08:10:00+01:00", "completed": True, "active_seconds": 600.0,
            "steps_done": 5, "steps_skipped": 0, "pain_before": 6, "pain_after": 4,
            "regions": {"calves": 300.0, "neck": 240.0}}
        if i % 10 == 0:
            record["region_pain"] = {"calves": {"before": 7, "after": i % 6}}
        block.append(json.dumps(record, ensure_ascii=False))
    text = ("\n".join(block) + "\n").encode()
    with path.open("wb") as f:
        # The last block is the newest: the newest session of every file is "Desk 999".
        for _ in range(n // 1000):
            f.write(text)


def open_screen(path: Path) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", PROBE, str(path), TODAY.isoformat()],
                          capture_output=True, text=True, cwd=REPO, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_a_million_records_open_the_history_screen_in_bounded_memory(tmp_path: Path) -> None:
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    write_history(small, 1_000)
    write_history(large, 1_000_000)
    assert large.stat().st_size > 250 * 2**20  # the whole file would not fit the bound below
    few, many = open_screen(small), open_screen(large)
    # The calves' last five ratings, by date then file order: sessions 950 to 990 of the one
    # block; in the million, session 990 (the latest rated day) of each of the last five blocks.
    for result, count, rated in ((few, "1000", ["7→2", "7→0", "7→4", "7→2", "7→0"]),
                                 (many, "1000000", ["7→0"] * 5)):
        assert result["rows"] == 50
        newest = result["newest"]
        assert isinstance(newest, list) and newest[:2] == [f"{TODAY} 08:00", "Desk 999"]
        assert f"Sessions: {count}" in str(result["summary"])
        assert str(result["pain"]).split()[1:] == rated
    grew = float(many["peak_mib"]) - float(few["peak_mib"])  # type: ignore[arg-type]
    print(f"history screen: 1,000 records peak {few['peak_mib']:.1f} MiB; 1,000,000 records "
          f"peak {many['peak_mib']:.1f} MiB, read in {many['wall']:.2f} s wall, "
          f"{many['cpu']:.2f} s CPU")
    assert grew < 64, (few, many)
    # CPU, not wall time, so a busy machine does not fail it: 2.6 s on a quiet one (whole-file
    # reading took 10.6 s CPU and 1,691 MiB).
    assert float(many["cpu"]) < 20, many  # type: ignore[arg-type]


def test_today_and_the_program_read_the_history_in_bounded_memory(
        unknot_home: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import tracemalloc

    from player import programs
    from player.cli import main
    from player.history import append_record, store

    monkeypatch.setattr(programs, "local_today", lambda: TODAY)
    monkeypatch.setattr(store, "_BLOCK", 1 << 18)
    write_history(unknot_home / "history.jsonl", 60_000)  # 17 MB, all before the plan started
    assert main(["program", "start", "desk-week"]) == 0
    first = programs.find("desk-week").days[0].routine
    assert first is not None
    append_record({"routine": first, "name": "x", "started": f"{TODAY}T18:00:00+01:00",
                   "active_seconds": 600.0})
    assert main(["today"]) == 0  # once for the imports and caches; then measured
    capsys.readouterr()
    tracemalloc.start()
    try:
        assert main(["today"]) == 0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    out = capsys.readouterr().out
    assert "Day 1 of 5" in out and "(done today)" in out and "Streak: 1000 days" in out
    # Measured: 2.7 MiB; read whole (read_history), the same file takes 138 MiB.
    assert peak < 12 * 2**20, peak
