"""Tests that the domain and the authoring commands never import Textual.

`unknot list`, `show` and `validate` run in a fresh interpreter through the real entry point;
afterwards `sys.modules` must hold no `textual` (nor `rich`, which only Textual pulls in).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "routines" / "calf-care.yaml"

PROBE = """
import contextlib, io, json, sys
from player.cli import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:  # argparse's --version exits from inside main()
        code = exc.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
print(json.dumps({"code": code, "heavy": heavy}))
"""


@pytest.mark.parametrize("argv", [
    ["list"], ["list", "--json"], ["show", str(FIXTURE)], ["show", str(FIXTURE), "--json"],
    ["validate", str(REPO / "routines")], ["schema"], ["--version"],
    ["compose", "--region", "calves", "--minutes", "5"],
], ids=lambda a: " ".join(a)[:30])
def test_commands_do_not_import_textual(argv: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True,
                          cwd=REPO)
    result = json.loads(proc.stdout)
    assert result == {"code": 0, "heavy": []}


def test_domain_modules_do_not_import_textual() -> None:
    code = ("import sys, player.loader, player.library, player.timeline, player.schema, "
            "player.scaffold, player.compose, player.pain\n"
            "print([m for m in sys.modules if m.startswith(('textual','rich'))])")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO)
    assert proc.stdout.strip() == "[]", proc.stderr


def test_the_probe_can_see_textual() -> None:
    # Guards the tests above against passing vacuously: importing Textual does show up.
    code = "import sys, textual.app\nprint('textual' in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip() == "True"
