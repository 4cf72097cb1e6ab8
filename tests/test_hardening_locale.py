"""Issue 12, class 7: a real ISO-8859-1 locale (built here with localedef) and routines, errors
and history records full of emoji and CJK.

`list`, `show`, `validate` and `history` in text and JSON, headless play, and the TUI in tmux:
no UnicodeEncodeError, no traceback, the exit code the command has in UTF-8, JSON that still
parses and reads back the emoji, a table that stays aligned, in bounded time with the history
untouched - and a TUI that draws ASCII lines, never `\\u2591`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BOUND = 30.0  # seconds, on a loaded 2-core machine; each command takes under 2 s idle
LATIN1 = "en_US.ISO-8859-1"

NAME = "Nacken 🙆 肩こり"
GOOD = f"""\
name: "{NAME}"
summary: "放松 ✨ – ½ Pause"
steps:
  - technique: breathe
    duration: 30s
    instructions: "深呼吸 🌬 — slow, 𝔰𝔩𝔬𝔴"
"""
BAD = """\
name: "Böse 💥"
steps:
  - technique: "肩こり🙆"
    duration: 30s
"""
RECORD = {"routine": "emoji", "name": NAME, "started": "2026-11-02T08:00:00+00:00",
          "ended": "2026-11-02T08:10:00+00:00", "completed": True, "active_seconds": 600.0,
          "steps_done": 1, "steps_skipped": 0, "pain_before": None, "pain_after": None,
          "regions": {}}


@pytest.fixture(scope="module")
def latin1(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a real ISO-8859-1 locale (compiled into a private LOCPATH)."""
    if shutil.which("localedef") is None or not Path("/usr/share/i18n/locales/en_US").exists():
        pytest.skip("needs localedef and the locale sources (apt install locales)")
    where = tmp_path_factory.mktemp("locale")
    made = subprocess.run(["localedef", "-i", "en_US", "-f", "ISO-8859-1",
                           str(where / LATIN1)], capture_output=True, text=True, timeout=120)
    assert (where / LATIN1).is_dir(), made.stderr
    env = {"LOCPATH": str(where), "LC_ALL": LATIN1, "LANG": LATIN1}
    probe = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding)"],
                           env={**os.environ, **env}, capture_output=True, text=True)
    assert probe.stdout.strip().lower() in ("iso8859-1", "iso-8859-1", "latin-1"), probe
    return env


@pytest.fixture
def library(unknot_home: Path) -> Path:
    routines = unknot_home / "routines"
    routines.mkdir()
    (routines / "emoji.yaml").write_text(GOOD, encoding="utf-8")
    (routines / "bad.yaml").write_text(BAD, encoding="utf-8")
    (unknot_home / "history.jsonl").write_text(json.dumps(RECORD, ensure_ascii=False) + "\n",
                                               encoding="utf-8")
    return routines


def unknot(env: dict[str, str], *args: str) -> tuple[subprocess.CompletedProcess[bytes], float]:
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "player", *args], cwd=REPO,
                          env={**os.environ, **env}, capture_output=True,
                          stdin=subprocess.DEVNULL, timeout=BOUND * 2)
    return done, time.monotonic() - start


CASES = {
    # args → exit code
    "list": (["list"], 0),
    "list --json": (["list", "--json"], 0),
    "show": (["show", "emoji"], 0),
    "show --json": (["show", "emoji", "--json"], 0),
    "show bad": (["show", "bad"], 1),
    "validate": (["validate", "{routines}"], 1),
    "validate --json": (["validate", "{routines}", "--json"], 1),
    "history": (["history"], 0),
    "history --json": (["history", "--json"], 0),
    "play --headless": (["play", "emoji", "--headless", "--no-sound", "--no-media-keys",
                         "--speed", "100"], 0),
}


@pytest.mark.parametrize("args,code", CASES.values(), ids=list(CASES))
def test_commands_degrade_in_an_iso_8859_1_locale(latin1: dict[str, str], library: Path,
                                                 unknot_home: Path, args: list[str],
                                                 code: int) -> None:
    history = (unknot_home / "history.jsonl").read_bytes()
    args = [a.replace("{routines}", str(library)) for a in args]
    done, took = unknot(latin1, *args)
    err = done.stderr.decode("latin-1")
    assert "Traceback" not in err and "UnicodeEncodeError" not in err, err
    assert done.returncode == code, err
    assert took < BOUND
    out = done.stdout.decode("latin-1")  # every byte is a Latin-1 character
    assert "🙆" not in out and "肩" not in out  # not sent as bytes the terminal cannot show
    if "--json" in args:
        text = json.dumps(json.loads(out), ensure_ascii=False)  # still JSON...
        # ...that reads back exactly what the file holds.
        assert (NAME in text) if args[0] != "validate" else ("肩こり🙆" in text)
    elif code == 0 and args[0] in ("list", "show", "history"):
        assert "Nacken" in out
    elif code == 1:
        problem = [x for x in (out + err).splitlines() if "bad.yaml:3:" in x]
        assert len(problem) == 1 and "unknown technique" in problem[0], out + err
    assert (unknot_home / "history.jsonl").read_bytes() == history


def test_the_list_table_stays_aligned(latin1: dict[str, str], library: Path) -> None:
    done, _ = unknot(latin1, "list")
    lines = done.stdout.decode("latin-1").splitlines()
    header = lines[0]
    emoji = next(x for x in lines if x.startswith("emoji "))
    # The MIN column ends where the header's does, escapes and all.
    assert emoji.index("0.5") + 3 == header.index("MIN") + 3
    assert "\\ud83d\\ude46" in emoji  # what the terminal cannot show, as an escape


def test_the_tui_draws_ascii_lines_not_escapes(latin1: dict[str, str], library: Path,
                                               unknot_home: Path) -> None:
    if shutil.which("tmux") is None:
        pytest.skip("needs tmux")
    from test_tui_tmux import Tmux

    tmux = Tmux(unknot_home)
    try:
        env = " ".join(f"{k}={v}" for k, v in latin1.items())
        tmux.type(f"cd {REPO} && env {env} {sys.executable} -m player play emoji --no-sound "
                  "--speed 3")
        tmux.keys("Enter")
        tmux.wait_for("Press Enter to continue")  # the first-run notice, in its box
        tmux.keys("Enter")
        tmux.wait_for("Enter to skip")  # pain before
        tmux.keys("Enter")
        screen = tmux.wait(lambda s: "00:2" in s or "00:1" in s, "the countdown running")
        # The screen's own lines, blocks and arrows (U+2xxx) in ASCII of the same width, never
        # as escapes.
        assert "\\u2" not in screen and "\\U" not in screen, screen
        assert "Breathe" in screen and "Step 1 of 1" in screen
        assert "--------" in screen  # the progress bars, in ASCII
        # The routine's own CJK and emoji as the CLI prints them (`\\u6df1`), not as `??`;
        # what has an ASCII stand-in (the dash) takes it.
        assert "\\u6df1\\u547c\\u5438 \\ud83c\\udf2c - slow" in screen, screen
        assert "??" not in screen, screen
    finally:
        tmux.close()
