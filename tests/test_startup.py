"""Start-up imports only what the chosen command needs (issue 15).

Through the real console entry (`player.cli:main`) in a fresh interpreter: `--version` loads no
argparse, no dataclasses/inspect and nothing of the domain; `--help` and a command's `--help`
load argparse but not the domain (YAML, the loader) nor any other command's module
(they do load player.safe_text and player.config, which use dataclasses: --help to a full
disk is one error line, and config.toml's values are the defaults it shows).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

PROBE = """
import contextlib, io, json, sys
from player.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""

DOMAIN = ("yaml", "player.loader", "player.library", "player.routine", "player.vocab", "textual")


def probe(*argv: str) -> dict[str, object]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def loaded(result: dict[str, object], names: tuple[str, ...]) -> list[str]:
    modules = result["modules"]
    assert isinstance(modules, list)
    return [m for m in modules if m in names or m.split(".")[0] in names]


def test_version_loads_neither_argparse_nor_dataclasses_nor_the_domain() -> None:
    result = probe("--version")
    assert result["code"] == 0 and result["out"] == "unknot 0.1.0\n"
    assert loaded(result, ("argparse", "dataclasses", "inspect", *DOMAIN)) == []


@pytest.mark.parametrize("argv", [["--help"], ["play", "--help"], ["history", "--help"]])
def test_help_loads_only_its_own_command(argv: list[str]) -> None:
    result = probe(*argv)
    assert result["code"] == 0 and "usage: unknot" in str(result["out"])
    assert loaded(result, DOMAIN) == []
    commands = [m for m in loaded(result, ("player",)) if m.startswith("player.commands.")]
    expected = [] if argv == ["--help"] else [f"player.commands.{argv[0]}"]
    assert commands == expected


def test_a_command_after_top_level_options_is_still_found() -> None:
    # `--routines DIR` takes a value: the command is the word after it, as argparse parses it.
    result = probe("--routines", "list", "history", "--help")
    assert result["code"] == 0
    commands = [m for m in loaded(result, ("player",)) if m.startswith("player.commands.")]
    assert commands == ["player.commands.history"]


def test_the_probe_sees_imports() -> None:
    # Guards the tests above against passing vacuously: a command that loads the domain shows it.
    result = probe("validate", str(REPO / "routines"))
    assert result["code"] == 0
    assert "yaml" in loaded(result, DOMAIN)
    assert loaded(result, ("dataclasses", "player.errors")) == ["dataclasses", "player.errors"]
