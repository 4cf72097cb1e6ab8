"""player.history is a package (record, recorder, store, stats, format) whose names load on first
use: every re-exported name resolves to its module's object, and `unknot history` loads neither
YAML nor the recorder and the engine's events it would pull in."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import player.history as history
from player.history import format as history_format
from player.history import record, recorder, stats, store

REPO = Path(__file__).resolve().parent.parent


def test_every_exported_name_comes_from_its_module() -> None:
    modules = {"format": history_format, "record": record, "recorder": recorder,
               "stats": stats, "store": store}
    assert sorted(history.__all__) == sorted(history._WHERE)
    for name, where in history._WHERE.items():
        assert getattr(history, name) is getattr(modules[where], name), name
    assert set(history.__all__) <= set(dir(history))
    with pytest.raises(AttributeError):
        history.no_such_name  # noqa: B018


PROBE = """
import contextlib, io, json, sys
from player.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(["history"])
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def test_unknot_history_loads_no_yaml_and_no_recorder(unknot_home: Path) -> None:
    line = {"routine": "desk", "name": "Desk", "started": "2026-03-11T08:00:00+01:00",
            "active_seconds": 600.0, "regions": {"calves": 300.0}}
    (unknot_home / "history.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          cwd=REPO, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["code"] == 0 and "Desk" in result["out"]
    modules = set(result["modules"])
    assert "player.history.store" in modules  # the probe sees what was read with
    heavy = {"yaml", "player.loader", "player.history.recorder", "player.events",
             "player.session", "player.timeline", "textual"}
    assert modules & heavy == set()
