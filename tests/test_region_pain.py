"""Pain per region end to end (issue 13): rated at the prompts and with --pain-before/after,
recorded as region_pain, shown by `unknot history --region`, and chosen first next time on
"Where does it hurt?"."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from snapshot_app import CALVES, picker_app, player_app, sync

from player.clock import FakeClock
from player.tui.screens.compose_screen import ComposeScreen, RegionMap
from player.tui.screens.dialogs import StartScreen
from player.tui.screens.summary import SummaryScreen

REPO = Path(__file__).resolve().parents[1]
SHORT = """\
name: Short calves
steps:
  - technique: effleurage
    region: calves
    side: each
    duration: 12s
    say: Both hands around the ankle, stroke up the calf.
"""


def unknot(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UNKNOT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("UNKNOT_PATH", None)
    return subprocess.run([sys.executable, "-m", "player", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=120)


def records(home: Path) -> list[dict[str, object]]:
    path = home / "history.jsonl"
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def test_recorded_shown_by_history_region_and_chosen_next_time(unknot_home: Path,
                                                                tmp_path: Path) -> None:
    routine = tmp_path / "short.yaml"
    routine.write_text(SHORT, encoding="utf-8")
    played = unknot(unknot_home, "play", str(routine), "--headless", "--no-sound",
                    "--speed", "20", "--record", "--pain-before", "5, calf=7, feet=2",
                    "--pain-after", "calves=5")
    assert played.returncode == 0, played.stderr
    [record] = records(unknot_home)
    assert (record["pain_before"], record["pain_after"]) == (5, None)
    assert record["region_pain"] == {"calves": {"before": 7, "after": 5},
                                     "feet": {"before": 2}}

    shown = unknot(unknot_home, "history", "--region", "calf")
    assert shown.returncode == 0, shown.stderr
    assert "Pain in the calves" in shown.stdout and "7 → 5   (-2)" in shown.stdout
    as_json = json.loads(unknot(unknot_home, "history", "--region", "feet", "--json").stdout)
    assert [(r["before"], r["after"]) for r in as_json] == [(2, None)]
    none = unknot(unknot_home, "history", "--region", "neck")
    assert none.returncode == 0 and "No pain ratings for the neck" in none.stdout
    bad = unknot(unknot_home, "history", "--region", "calvs")
    assert bad.returncode == 2 and "did you mean 'calves'" in bad.stderr

    # Next time: the calves (5 after, painful) start chosen; the feet (2) do not.
    @sync
    async def next_time() -> None:
        app = picker_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("w")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ComposeScreen)
            map_ = screen.query_one(RegionMap)
            deadline = time.monotonic() + 30
            while not map_.chosen and time.monotonic() < deadline:
                await pilot.pause(0.05)
            assert map_.chosen == {"calves"}

    next_time()


def test_bad_region_rating_is_a_usage_error(unknot_home: Path, tmp_path: Path) -> None:
    routine = tmp_path / "short.yaml"
    routine.write_text(SHORT, encoding="utf-8")
    proc = unknot(unknot_home, "play", str(routine), "--headless", "--pain-before", "calves=11")
    assert proc.returncode == 2
    assert "pain for calves must be from 0 to 10, got 11" in proc.stderr
    assert records(unknot_home) == []


@sync
async def test_the_tui_prompts_take_regions_and_the_history_screen_shows_them(
        unknot_home: Path) -> None:
    clock = FakeClock()
    app = player_app(CALVES, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)
        await pilot.press(*"calves=6,feet=3", "enter")
        await pilot.pause()
        clock.advance(200)
        app.screen.tick()  # type: ignore[attr-defined]
        await pilot.pause()
        summary = app.screen
        assert isinstance(summary, SummaryScreen)
        stats = str(summary.query_one("#summary-stats").content)
        assert "Pain before    calves 6, feet 3" in stats
        await pilot.press(*"2,calves=4", "enter")
        await pilot.pause()
    [record] = records(unknot_home)
    assert record["pain_before"] is None and record["pain_after"] == 2
    assert record["region_pain"] == {"calves": {"before": 6, "after": 4},
                                     "feet": {"before": 3}}

    from player.tui.screens.history_screen import HistoryScreen

    app = picker_app()
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        app.push_screen(HistoryScreen())
        deadline = time.monotonic() + 30
        while (getattr(app.screen, "records", None) is None
               and time.monotonic() < deadline):
            await pilot.pause(0.05)
        rated = str(app.screen.query_one("#history-pain").content)
        assert "Calves" in rated and "6→4" in rated and "3→–" in rated
