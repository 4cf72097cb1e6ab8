"""Terminal escape injection: what a routine file or the history says is shown, never obeyed.

A hostile routine (escapes in its name, summary, caution, instructions, a bad value and its
file name) and a hostile history go through the real CLI; no ESC, BEL, C1 or bidi-override
character may reach stdout or stderr, the JSON output stays valid and keeps the text exactly.
The TUI shows the same text with the escapes visible and its markup not interpreted.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from snapshot_app import picker_app, sync
from textual.widgets import DataTable, Label, Static

from player.library import Entry
from player.loader import check_file
from player.safe_text import SafeStream, visible, visible_copy

REPO = Path(__file__).resolve().parent.parent

OSC_TITLE = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J\x1b[H"
CLIPBOARD = "\x1b]52;c;ZWNobyBoaQ==\x1b\\"
C1_CSI = "\x9b31m"
RTL = "\u202e"
NAME = f"Evil{OSC_TITLE}{CLEAR} [bold]x[/] [/oops]"

_SUMMARY = json.dumps("sum" + CLIPBOARD + RTL)
_CAUTION = json.dumps("care" + C1_CSI + "\x07")
_TAG = json.dumps("t" + CLEAR)
_TITLE = json.dumps("T" + OSC_TITLE)
_INSTRUCTIONS = json.dumps("line one\nline two" + CLEAR)
_REGION = json.dumps("calves" + CLEAR + OSC_TITLE)
_DURATION = json.dumps("20" + CLIPBOARD)

HOSTILE = f"""\
name: {json.dumps(NAME)}
summary: {_SUMMARY}
caution: {_CAUTION}
tags: [{_TAG}]
steps:
  - technique: trigger-point
    region: calves
    duration: 20 s
    title: {_TITLE}
    instructions: {_INSTRUCTIONS}
"""

#: A broken file whose error message quotes its bad value (and whose name holds an escape).
BROKEN = f"""\
name: Broken
steps:
  - technique: trigger-point
    region: {_REGION}
    duration: {_DURATION}
"""

FORBIDDEN = ("\x1b", "\x07", "\x9b", "\x9d", "\x90", "\x9c", "\u202e", "\r", "\x08")


def assert_inert(text: str) -> None:
    for ch in FORBIDDEN:
        assert ch not in text, f"{ch!r} reached the terminal: {text[:300]!r}"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    done = subprocess.run([sys.executable, "-m", "player", *args], cwd=REPO,
                          capture_output=True, stdin=subprocess.DEVNULL, timeout=120,
                          env={**os.environ, **(env or {})})
    for stream in (done.stdout, done.stderr):
        assert_inert(stream.decode("utf-8"))
    assert b"Traceback" not in done.stderr
    return done


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "routines"
    folder.mkdir()
    (folder / "evil.yaml").write_text(HOSTILE, encoding="utf-8")
    (folder / "broken\x1b[2J.yaml").write_text(BROKEN, encoding="utf-8")
    return folder


def test_visible_shows_every_control_character_and_keeps_the_rest() -> None:
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("bell\x07") == "bell\\x07"
    assert visible("c1\x9b") == "c1\\u009b"
    assert visible("del\x7f") == "del\\u007f"
    assert visible("rtl\u202eltr\u2066") == "rtl\\u202eltr\\u2066"
    assert visible("cr\roverwrite") == "cr\\x0doverwrite"
    assert visible("two\nlines\tand a tab") == "two\nlines\tand a tab"
    assert visible("two\nlines", multiline=False) == "two\\x0alines"
    # Letters, emoji (with their joiners) and CJK are not controls.
    plain = "Nacken · 肩 · 🧘\u200d♀️ · ×2"
    assert visible(plain) is plain


def test_a_safe_stream_keeps_json_valid_and_exact() -> None:
    value = {"name": NAME + C1_CSI + RTL + "\x7f"}
    out = io.StringIO()
    SafeStream(out).write(json.dumps(value, ensure_ascii=False) + "\n")  # type: ignore[arg-type]
    assert_inert(out.getvalue())
    assert json.loads(out.getvalue()) == value


def test_visible_copy_reaches_every_string_of_a_routine(hostile: Path) -> None:
    routine, _ = check_file(hostile / "evil.yaml")
    assert routine is not None
    shown = visible_copy(routine)
    texts = [shown.name, shown.summary, shown.caution, *shown.tags,
             *(s.instructions for s in shown.steps), *(s.title or "" for s in shown.steps)]
    for text in texts:
        assert_inert(text)
    assert shown.name == visible(NAME)
    assert "line one\nline two" in shown.steps[0].instructions  # newlines kept
    assert shown.steps == visible_copy(shown).steps  # already safe: unchanged
    assert routine.name == NAME  # the original is left alone


@pytest.mark.parametrize("args", [
    ("list",), ("list", "--json"), ("show", "evil"), ("show", "evil", "--json"),
    ("validate", "{dir}"), ("validate", "--json", "{dir}"), ("show", "{dir}/broken\x1b[2J.yaml"),
    ("play", "evil", "--headless", "--speed", "1000"),
    ("play", "evil", "--headless", "--json", "--speed", "1000"),
])
def test_the_cli_never_passes_escapes_from_a_routine_file(hostile: Path,
                                                         args: tuple[str, ...]) -> None:
    argv = [a.replace("{dir}", str(hostile)) for a in args]
    broken = any("broken" in a for a in argv)
    done = run(*argv, "--routines", str(hostile))
    out = done.stdout.decode()
    if "--json" in argv:
        if argv[0] == "play":
            events = [json.loads(line) for line in out.splitlines()]
            assert events[-1]["event"] == "done"
        else:
            data = json.loads(out)
            if argv[0] in ("list", "show"):
                names = [data["name"]] if argv[0] == "show" else [r["name"] for r in data]
                assert NAME in names  # exact, escapes and all, once decoded
            else:
                assert any("\x1b" in p["path"] for p in data)
    elif argv[0] in ("list", "show") and not broken:
        assert visible(NAME, multiline=False) in out
    else:
        text = out + done.stderr.decode()
        assert "\\x1b" in text  # shown, not obeyed
    if argv[0] == "validate" or broken:
        assert done.returncode == 1
    else:
        assert done.returncode == 0, done.stderr


def test_history_never_passes_escapes_from_a_record(unknot_home: Path) -> None:
    record = {"routine": "r" + OSC_TITLE, "name": NAME, "started": "2026-12-01T10:00:00+00:00",
              "ended": "2026-12-01T10:05:00+00:00", "completed": True, "active_seconds": 300,
              "steps_done": 1, "steps_skipped": 0, "pain_before": None, "pain_after": None,
              "regions": {"calves" + CLEAR: 300}}
    (unknot_home / "history.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n"
                                               + "{\"name\": \"" + CLEAR + "\n", "utf-8")
    for args in (("history",), ("history", "--csv")):
        done = run(*args)
        assert done.returncode == 0
        assert "Evil\\x1b]0;pwned\\x07" in done.stdout.decode()
    done = run("history", "--json")
    assert json.loads(done.stdout)[0]["name"] == NAME


@sync
async def test_the_tui_shows_escapes_and_markup_as_text(hostile: Path) -> None:
    from player.library import discover

    def library() -> list[Entry]:
        return [e for e in discover([hostile]) if e.source != "built-in"]

    app = picker_app(library=library)
    async with app.run_test(size=(120, 34), notifications=True) as pilot:
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        cells = [str(c) for i in range(table.row_count) for c in table.get_row_at(i)]
        assert any(n.startswith("Evil\\x1b]0;pwned\\x07") for n in names), names
        assert any(n.startswith("broken\\x1b[2J") for n in names), names
        for cell in cells:
            assert_inert(cell)
        table.move_cursor(row=[i for i, n in enumerate(names) if n.startswith("Evil")][0])
        await pilot.pause()
        name = app.screen.query_one("#pv-name", Label)
        assert str(name.render()) == visible(NAME)  # [bold] and [/oops] as written
        for widget in app.screen.query(Static):
            assert_inert(str(widget.render()))


#: A routine whose spoken lines, and a program whose name, summary and note, hold escapes.
SPOKEN = f"""\
name: Spoken
steps:
  - technique: breathe
    duration: 20s
    say: {json.dumps("hi " + OSC_TITLE + " there")}
    say_end: {json.dumps("end " + CLEAR)}
"""
PROGRAM = f"""\
name: {json.dumps("Prog " + OSC_TITLE)}
summary: {json.dumps("s " + CLEAR)}
days:
  - spoken
  - {{routine: spoken, note: {json.dumps("n " + CLIPBOARD)}}}
"""
#: More places text from a file, the command line or config.toml is printed (issue 12 class 4
#: re-audit): (args, exit code). Each is inert, exits as said and takes bounded time.
MORE = [
    (("show", "spoken", "--script"), 0), (("show", "spoken", "--script", "--json"), 0),
    (("program", "list"), 0), (("program", "list", "--json"), 0),
    (("program", "show", "prog"), 0), (("today",), 0), (("config",), 0),
    (("show", "x" + CLEAR), 1), (("play", "x" + OSC_TITLE, "--headless"), 1),
    (("validate", "/nonexistent/" + CLEAR), 1), (("history", "--region", "calves" + CLEAR), 2),
    (("compose", "--region", "calves" + OSC_TITLE, "--minutes", "5"), 1),
    (("--speed", "1" + CLEAR, "list"), 2), (("new", "a" + CLEAR + "b"), 2),
    (("compose", "--region", "calves", "--minutes", "5", "--save", "x" + RTL), 2),
]


@pytest.mark.parametrize("args,code", MORE, ids=[visible(" ".join(a)) for a, _ in MORE])
def test_every_other_printed_text_is_inert_too(args: tuple[str, ...], code: int,
                                               unknot_home: Path) -> None:
    import time

    (unknot_home / "routines").mkdir()
    (unknot_home / "routines" / "spoken.yaml").write_text(SPOKEN, encoding="utf-8")
    (unknot_home / "programs").mkdir()
    (unknot_home / "programs" / "prog.yaml").write_text(PROGRAM, encoding="utf-8")
    (unknot_home / "config.toml").write_text(f'theme = "x{OSC_TITLE}"\n', encoding="utf-8")
    start = time.monotonic()
    done = run(*args)  # asserts nothing unsafe reached stdout or stderr
    assert time.monotonic() - start < 30  # bounded, on a loaded 2-core machine
    assert done.returncode == code, done.stderr
    if args[0] == "new" or "--save" in args:
        assert done.stderr.decode().splitlines()[-1].startswith(
            "unknot: error: a routine name cannot hold control characters: ")
        assert not list((unknot_home / "routines").glob("[!s]*.yaml"))  # nothing written
