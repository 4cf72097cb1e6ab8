"""Tests for `unknot history`: the real entry point, its text, --json round trip, --csv,
filters, damaged lines and bad options."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from player import paths
from player.cli import main
from player.events import Done
from player.history import FIELDS, SessionRecorder, append_record, read_history
from player.routine import Routine, Step

REPO = Path(__file__).resolve().parent.parent


def add_session(days_ago: int, *, routine_id: str = "desk-neck", name: str = "Desk neck",
                seconds: float = 600.0, before: int | None = None, after: int | None = None,
                regions: dict[str, float] | None = None) -> dict[str, object]:
    """A session written by the real recorder, `days_ago` local days before today at 08:00."""
    day = date.today() - timedelta(days=days_ago)
    start = datetime(day.year, day.month, day.day, 8, 0).astimezone()
    routine = Routine(id=routine_id, name=name, steps=(Step("breathe", None, None, 30.0),))
    rec = SessionRecorder(routine, now=lambda: start)
    rec(Done(completed=True, t=seconds, steps_done=1, steps_skipped=0, active_seconds=seconds))
    rec.pain_before, rec.pain_after = before, after
    if regions is None:
        saved = rec.save()
    else:
        # No work segments were played here; these records stand for longer sessions.
        saved = {**(rec.build() or {}), "regions": regions}
        append_record(saved)
    assert saved is not None
    return saved


def run_cli(*argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["history", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_empty_history_is_a_friendly_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(capsys=capsys)
    assert code == 0 and err == ""
    assert out.startswith("No sessions yet.")
    assert run_cli("--json", capsys=capsys)[1] == "[]\n"
    assert run_cli("--csv", capsys=capsys)[1] == ",".join([*FIELDS, "regions"]) + "\n"


def test_text_shows_sessions_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    add_session(2, seconds=300, before=6, after=3, regions={"calves": 240.0})
    add_session(1, name="Calf rescue", routine_id="calves", seconds=900, regions={"calves": 600.0,
                "upper-trapezius": 120.0})
    add_session(0, seconds=90, before=5, after=4)
    code, out, err = run_cli(capsys=capsys)
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == "Recent sessions"
    today = date.today().isoformat()
    assert any(line.startswith(f"  {today} 08:00  Desk neck") and line.endswith("yes   5 → 4")
               for line in lines)
    assert any("Calf rescue" in line and "15.0" in line for line in lines)
    assert "Streak:             3 days" in lines
    assert "Pain change:        −2.0 on average (2 sessions rated before and after)" in lines
    region_lines = lines[lines.index("Last 30 days by region:") + 1:]
    assert region_lines[0].split()[:3] == ["Calves", "14", "min"]
    assert region_lines[1].split()[:4] == ["Upper", "trapezius", "2.0", "min"]
    week = [line for line in lines if line.startswith("This week:")]
    assert len(week) == 1


def test_limit_routine_and_since(capsys: pytest.CaptureFixture[str]) -> None:
    for days in (10, 5, 3, 1):
        add_session(days, routine_id="a" if days % 2 else "b", name=f"R{days}")
    out = run_cli("--limit", "2", capsys=capsys)[1]
    assert out.splitlines()[0] == "Recent sessions (last 2 of 4)"
    assert "R3" in out and "R1" in out and "R5" not in out
    since = (date.today() - timedelta(days=4)).isoformat()
    records = json.loads(run_cli("--json", "--since", since, capsys=capsys)[1])
    assert [r["name"] for r in records] == ["R3", "R1"]
    records = json.loads(run_cli("--json", "--routine", "b", capsys=capsys)[1])
    assert [r["name"] for r in records] == ["R10"]
    records = json.loads(run_cli("--json", "--since", "4d", "--limit", "1", capsys=capsys)[1])
    assert [r["name"] for r in records] == ["R1"]
    code, out, _ = run_cli("--routine", "nothing-like-it", capsys=capsys)
    assert code == 0 and out == "No sessions match.\n"


def test_json_round_trips_to_the_stored_records(capsys: pytest.CaptureFixture[str]) -> None:
    add_session(3, name="Nacken – sanft", before=7, after=2, regions={"neck": 120.0})
    add_session(2, before=None, after=None)
    add_session(0, before=4, after=None)
    stored = [json.loads(line) for line in paths.history_path().read_text().splitlines()]
    code, out, _ = run_cli("--json", capsys=capsys)
    assert code == 0
    assert json.loads(out) == stored == read_history()
    # Written back as lines, the output is the same history again.
    paths.history_path().write_text("".join(json.dumps(r) + "\n" for r in json.loads(out)))
    assert json.loads(run_cli("--json", capsys=capsys)[1]) == stored


def test_csv_has_the_design_fields(capsys: pytest.CaptureFixture[str]) -> None:
    add_session(1, before=6, after=3, regions={"calves": 60.0, "feet": 30.5})
    add_session(0)
    rows = list(csv.DictReader(io.StringIO(run_cli("--csv", capsys=capsys)[1])))
    assert len(rows) == 2
    assert rows[0]["pain_before"] == "6" and rows[0]["completed"] == "true"
    assert rows[0]["regions"] == "calves=60.0;feet=30.5"
    assert rows[1]["pain_after"] == "" and rows[1]["regions"] == ""
    assert list(rows[0]) == [*FIELDS, "regions"]


def test_garbage_line_is_reported_by_number_others_shown_file_untouched() -> None:
    add_session(2, name="First")
    with paths.history_path().open("ab") as f:
        f.write(b'{"routine": "torn", "name": "Bro\n')
    add_session(1, name="Third")
    add_session(0, name="Fourth")
    before = paths.history_path().read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "player", "history"], cwd=REPO, capture_output=True, text=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"}, timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stderr == f"{paths.history_path()}:2: warning: skipped a damaged line\n"
    assert "First" in proc.stdout and "Third" in proc.stdout and "Fourth" in proc.stdout
    assert "Bro" not in proc.stdout
    assert paths.history_path().read_bytes() == before


@pytest.mark.parametrize(
    "argv,message",
    [
        (["--since", "last tuesday"], "invalid date 'last tuesday'"),
        (["--limit", "0"], "must be at least 1"),
        (["--limit", "ten"], "invalid number 'ten'"),
        (["--json", "--csv"], "not allowed with argument"),
    ],
)
def test_bad_options_are_one_line_and_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        code = main(["history", *argv])
    except SystemExit as exc:  # argparse exits itself
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_unreadable_history_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    paths.history_path().mkdir(parents=True)
    code, out, err = run_cli(capsys=capsys)
    assert code == 1 and out == ""
    assert err.startswith("unknot: error: cannot read ") and err.count("\n") == 1


def test_recorder_output_and_append_record_agree(unknot_home: Path) -> None:
    saved = add_session(0)
    append_record(saved)
    assert read_history() == [saved, saved]


@pytest.mark.parametrize("encoding", ["utf-8", "ascii"])
def test_names_the_terminal_cannot_show_never_stop_the_command(encoding: str) -> None:
    append_record({"routine": "x", "name": "odd \ud800 née", "started": "2026-03-01T07:00:00+01:00",
                   "active_seconds": 60.0})
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    for argv in ([], ["--csv"], ["--json"]):
        proc = subprocess.run([sys.executable, "-m", "player", "history", *argv], cwd=REPO,
                              capture_output=True, env=env, timeout=60)
        assert proc.returncode == 0 and proc.stderr == b""
        if argv == ["--json"]:
            assert json.loads(proc.stdout)[0]["name"] == "odd \ud800 née"
