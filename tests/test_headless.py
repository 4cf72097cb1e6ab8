"""Tests for headless play: the line formats, and the real `unknot play --headless` in a
subprocess (JSON lines, exit codes 0/1/2/130/143, signals, pipes, history, no Textual)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from loaded import STALL

from player.events import CueFired, Done, Paused, Resumed, SegmentStarted, Skipped
from player.headless import json_event, region_name, segment_line, stamp, summary_line
from player.routine import Routine, Step
from player.timeline import expand

REPO = Path(__file__).resolve().parent.parent

ROUTINE_YAML = """\
name: Headless test
caution: Only a test.
defaults:
  lead_in: 2s
  cues: {countdown: 1}
steps:
  - technique: trigger-point
    region: upper-trapezius
    side: each
    duration: 10s
    repeat: 2
    rest: 3s
  - technique: foam-roll
    region: calves
    side: left
    duration: 30s
  - technique: breathe
    duration: 20s
    lead_in: 0
"""
#: 2 + (10 + 3 + 10) + 2 + (10 + 3 + 10) + 2 + 30 + 20
TOTAL = 102.0


# ---------------------------------------------------------------------------- formats


def twelve_steps() -> Routine:
    steps = [Step("effleurage", "forearms", None, 30.0, lead_in=0.0) for _ in range(12)]
    steps[2] = Step("trigger-point", "upper-trapezius", "each", 20.0, lead_in=5.0)
    return Routine(id="t", name="T", steps=tuple(steps))


def test_work_line_has_the_shape_of_design_md() -> None:
    timeline = expand(twelve_steps())
    seg = next(s for s in timeline.segments if s.step == 3 and s.kind == "work")
    assert seg.at == 65.0
    assert segment_line(seg) == "[01:05] ▶ 3/12 Trigger point · upper trapezius · left · 20 s"


def test_lines_for_lead_in_switch_rest_and_sets() -> None:
    r = Routine(id="t", name="T", steps=(
        Step("trigger-point", "tfl", "each", 15.0, repeat=2, rest=5.0, lead_in=5.0),))
    lines = [segment_line(s) for s in expand(r).segments]
    assert lines == [
        "[00:00] … 1/1 get into position: Trigger point · TFL · left · 5 s",
        "[00:05] ▶ 1/1 Trigger point · TFL · left · 15 s · set 1/2",
        "[00:20] ◦ 1/1 rest · 5 s",
        "[00:25] ▶ 1/1 Trigger point · TFL · left · 15 s · set 2/2",
        "[00:40] ⇄ 1/1 switch sides → right · 5 s",
        "[00:45] ▶ 1/1 Trigger point · TFL · right · 15 s · set 1/2",
        "[01:00] ◦ 1/1 rest · 5 s",
        "[01:05] ▶ 1/1 Trigger point · TFL · right · 15 s · set 2/2",
    ]


def test_region_names_in_running_text() -> None:
    assert region_name("upper-trapezius") == "upper trapezius"
    assert region_name("it-band") == "IT band"
    assert region_name(None) is None


def test_stamp() -> None:
    assert stamp(0) == "[00:00]"
    assert stamp(65.9) == "[01:05]"
    assert stamp(3600 + 61) == "[1:01:01]"
    assert stamp(5.9999999) == "[00:06]"  # float noise never shows a second too few


def test_json_objects() -> None:
    timeline = expand(twelve_steps())
    seg = next(s for s in timeline.segments if s.step == 3 and s.kind == "work")
    assert json_event(SegmentStarted(seg, at=65.0, t=65.0021), timeline) == {
        "event": "segment", "kind": "work", "step": 3, "of": 12, "technique": "trigger-point",
        "region": "upper-trapezius", "side": "left", "duration": 20.0, "repeat": 1,
        "repeats": 1, "at": 65.0, "t": 65.002}
    assert json_event(CueFired("countdown", seg, at=82.0, t=82.0, remaining=3.0,
                               sound="/x.wav"), timeline) == {
        "event": "cue", "cue": "countdown", "kind": "work", "step": 3, "of": 12,
        "remaining": 3.0, "at": 82.0, "t": 82.0, "sound": "/x.wav"}
    assert json_event(Paused(t=1.0), timeline) == {"event": "pause", "t": 1.0}
    assert json_event(Resumed(t=1.0, paused_for=2.5), timeline) == {
        "event": "resume", "paused_for": 2.5, "t": 1.0}
    assert json_event(Skipped("next", 3, 4, t=70.0), timeline) == {
        "event": "skip", "action": "next", "from": 3, "to": 4, "of": 12, "t": 70.0}
    done = json_event(Done(True, t=timeline.total, steps_done=12, steps_skipped=0,
                           active_seconds=timeline.total), timeline)
    assert done["event"] == "done" and done["at"] == timeline.total and done["completed"]


def test_summary_lines() -> None:
    timeline = expand(twelve_steps())
    done = Done(True, t=timeline.total, steps_done=12, steps_skipped=0,
                active_seconds=timeline.total)
    assert summary_line(done, timeline, timeline.total, 12) == (
        "[06:20] ■ done · 12/12 steps done · 0 skipped · 6 min 20 s active")
    stopped = Done(False, t=70.0, steps_done=2, steps_skipped=1, active_seconds=70.0,
                   reason="interrupted")
    assert summary_line(stopped, timeline, 95.0, 4) == (
        "[01:35] ■ interrupted at step 4/12 · 2/12 steps done · 1 skipped · 1 min 10 s active")


# ---------------------------------------------------------------------------- subprocess


@pytest.fixture
def routine_file(tmp_path: Path) -> Path:
    path = tmp_path / "headless-test.yaml"
    path.write_text(ROUTINE_YAML, encoding="utf-8")
    return path


def unknot(*args: str, **kw: Any) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "player", *args],
        cwd=REPO, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        stdin=kw.pop("stdin", subprocess.DEVNULL), **kw)


def run_unknot(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "player", *args], cwd=REPO, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=timeout)


def history(home: Path) -> list[dict[str, Any]]:
    path = home / "history.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.mark.slow
def test_json_run_to_the_end(routine_file: Path, unknot_home: Path) -> None:
    proc = run_unknot("play", str(routine_file), "--headless", "--json", "--no-sound",
                      "--speed", "100", "--record", "--pain-before", "6", "--pain-after", "3")
    assert proc.returncode == 0, proc.stderr
    objs = [json.loads(line) for line in proc.stdout.splitlines()]  # every line whole JSON
    segs = [o for o in objs if o["event"] == "segment"]
    assert [(o["kind"], o["step"], o["side"], o["at"]) for o in segs] == [
        ("lead_in", 1, "left", 0.0), ("work", 1, "left", 2.0), ("rest", 1, "left", 12.0),
        ("work", 1, "left", 15.0), ("switch", 1, "right", 25.0), ("work", 1, "right", 27.0),
        ("rest", 1, "right", 37.0), ("work", 1, "right", 40.0), ("lead_in", 2, "left", 50.0),
        ("work", 2, "left", 52.0), ("work", 3, None, 82.0)]
    for o in segs:
        assert set(o) >= {"event", "kind", "step", "of", "technique", "region", "side",
                          "duration", "at", "t"}
        assert o["of"] == 3
        # Never early; late by at most a loaded machine's stall (tests/loaded.py: 195 ms was
        # seen, which at --speed 100 is 19.5 routine seconds).
        assert 0 <= o["t"] - o["at"] < STALL * 100
    cues = [o["cue"] for o in objs if o["event"] == "cue"]
    assert cues[:4] == ["countdown", "start", "countdown", "end"]
    assert cues.count("halfway") == 2  # the 30 s roll and the 20 s breathing
    assert cues[-1] == "done"
    done = objs[-1]
    assert done["event"] == "done" and done["completed"] is True and done["at"] == TOTAL
    assert done["steps_done"] == 3 and done["steps_skipped"] == 0
    [record] = history(unknot_home)
    assert record["completed"] is True and record["steps_done"] == 3
    assert (record["pain_before"], record["pain_after"]) == (6, 3)


@pytest.mark.slow
def test_human_run_prints_header_lines_and_summary(routine_file: Path) -> None:
    proc = run_unknot("play", str(routine_file), "--headless", "--no-sound",
                      "--speed", "200", "--start-at", "2")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "Headless test · 3 steps · 1 min 42 s · from step 2 · speed ×200",
        "Caution: Only a test.",
        "[00:50] … 2/3 get into position: Foam roll · calves · left · 2 s",
        "[00:52] ▶ 2/3 Foam roll · calves · left · 30 s",
        "[01:22] ▶ 3/3 Breathe · 20 s",
        "[01:42] ■ done · 2/3 steps done · 0 skipped · 52 s active",
    ]
    assert "Traceback" not in proc.stderr


def wait_past_ten_seconds(proc: subprocess.Popen[str]) -> None:
    """Read JSON lines until one says the session has more than 10 active seconds."""
    while json.loads(wait_for_line(proc)).get("t", 0) <= 10:
        pass


def wait_for_line(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, proc.stderr.read() if proc.stderr else ""
    return line


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "code", "reason"), [
    (signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated"),
    (signal.SIGHUP, 129, "terminated")])
def test_signals_end_with_a_summary_and_their_exit_code(
        routine_file: Path, unknot_home: Path, sig: int, code: int, reason: str) -> None:
    proc = unknot("play", str(routine_file), "--headless", "--json", "--no-sound",
                  "--speed", "5", "--record")
    first = json.loads(wait_for_line(proc))
    assert first["event"] == "segment"
    wait_past_ten_seconds(proc)  # a session stopped sooner is not recorded
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == code, err
    objs = [json.loads(line) for line in out.splitlines()]  # nothing half-written
    assert objs[-1]["event"] == "done"
    assert objs[-1]["reason"] == reason and objs[-1]["completed"] is False
    assert "Traceback" not in err
    [record] = history(unknot_home)
    assert record["completed"] is False and record["active_seconds"] > 0


@pytest.mark.slow
def test_sigint_in_human_mode_prints_the_summary_line(routine_file: Path) -> None:
    proc = unknot("play", str(routine_file), "--headless", "--no-sound", "--speed", "5")
    wait_for_line(proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130
    assert "■ interrupted at step 1/3 · 0/3 steps done" in out.splitlines()[-1]


@pytest.mark.slow
def test_a_closed_pipe_stops_quietly(routine_file: Path, unknot_home: Path) -> None:
    proc = unknot("play", str(routine_file), "--headless", "--json", "--no-sound",
                  "--speed", "20", "--record")
    wait_past_ten_seconds(proc)
    assert proc.stdout is not None
    proc.stdout.close()  # like `| head -1`
    assert proc.wait(timeout=20) == 0
    assert proc.stderr is not None
    assert "Traceback" not in proc.stderr.read()
    assert history(unknot_home)[0]["completed"] is False


@pytest.mark.slow
def test_stdin_a_pipe_is_fine(routine_file: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "player", "play", str(routine_file), "--headless", "--json",
         "--no-sound", "--speed", "200", "--start-at", "3"],
        cwd=REPO, text=True, capture_output=True, input="q n p \n", timeout=60)
    # Keys come only from a terminal: the piped "q" is not read, the session runs out.
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout.splitlines()[-1])["completed"] is True


def test_unknown_routine_is_one_line_and_exit_1() -> None:
    proc = run_unknot("play", "no-such-routine-xyz", "--headless", "--no-sound")
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("unknot: error:"), proc.stderr


def test_missing_file_is_one_line_and_exit_1(tmp_path: Path) -> None:
    proc = run_unknot("play", str(tmp_path / "nope.yaml"), "--headless", "--no-sound")
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_broken_routine_file_is_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Bad\nsteps:\n  - technique: trigger-pont\n    region: calves\n"
                   "    duration: 20s\n")
    proc = run_unknot("play", str(bad), "--headless", "--no-sound")
    assert proc.returncode == 1
    assert "bad.yaml:3" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("args", [
    ["--start-at", "9"], ["--start-at", "0"], ["--start-at", "x"],
    ["--pain-before", "11"], ["--pain-after", "mild"], ["--json"]])
def test_usage_errors_exit_2(routine_file: Path, args: list[str]) -> None:
    headless = [] if args == ["--json"] else ["--headless"]
    proc = run_unknot("play", str(routine_file), *headless, "--no-sound", *args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr


def test_headless_never_imports_textual(routine_file: Path) -> None:
    code = (
        "import sys\n"
        "from player.cli import main\n"
        f"rc = main(['play', {str(routine_file)!r}, '--headless', '--json', '--no-sound',"
        " '--speed', '1000', '--start-at', '3'])\n"
        "sys.stderr.write('TEXTUAL=%s RC=%s' % ('textual' in sys.modules, rc))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    assert "TEXTUAL=False RC=0" in proc.stderr, proc.stderr


def test_ask_pain_without_a_terminal_says_so_and_plays(routine_file: Path) -> None:
    proc = run_unknot("play", str(routine_file), "--headless", "--no-sound", "--ask-pain",
                      "--speed", "1000", "--start-at", "3")
    assert proc.returncode == 0
    assert "--ask-pain needs a terminal" in proc.stderr


def test_an_unwritable_history_is_one_line_and_the_same_result(
        routine_file: Path, tmp_path: Path) -> None:
    # A home below a plain file cannot be created, even by root.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    env = dict(os.environ, UNKNOT_HOME=str(blocker / "home"))
    proc = subprocess.run(
        [sys.executable, "-m", "player", "play", str(routine_file), "--headless",
         "--no-sound", "--speed", "1000", "--record", "--start-at", "3"],
        cwd=REPO, text=True, capture_output=True, stdin=subprocess.DEVNULL, env=env,
        timeout=60)
    # The session ran but was lost: said on stderr and exit 1, never a silent success.
    assert proc.returncode == 1
    errs = [line for line in proc.stderr.splitlines() if "history" in line]
    assert len(errs) == 1 and "Traceback" not in proc.stderr, proc.stderr


def _modules_after(code: str) -> set[str]:
    """The player.* modules loaded once `code` has run in a fresh interpreter."""
    probe = code + "\nimport sys; print(' '.join(m for m in sys.modules if m.startswith('player')))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=REPO, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return set(proc.stdout.split())


def test_the_json_format_loads_without_the_driver() -> None:
    # The event log and the phone remote take json_event; they need not load the driver.
    loaded = _modules_after("from player.headless import json_event; json_event")
    assert "player.headless.format" in loaded
    assert not loaded & {"player.headless.driver", "player.headless.terminal",
                         "player.playback"}


def test_version_does_not_load_headless_play() -> None:
    loaded = _modules_after("from player.cli import main\ntry:\n    main(['--version'])\n"
                            "except SystemExit:\n    pass")
    assert "player.cli" in loaded  # the probe sees what was imported
    assert not any(m.startswith("player.headless") for m in loaded), loaded


def test_every_name_the_package_lists_is_there() -> None:
    import player.headless as package
    from player.headless import driver, terminal
    from player.headless import format as text

    homes = {name: getattr(package, name) for name in package.__all__}
    assert homes["Headless"] is driver.Headless and homes["Printer"] is terminal.Printer
    assert homes["json_event"] is text.json_event
    with pytest.raises(AttributeError):
        package.no_such_name  # noqa: B018
