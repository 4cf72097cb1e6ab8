"""Tests for `unknot compose`, through the real command line (a subprocess each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def unknot(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UNKNOT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("UNKNOT_PATH", None)
    return subprocess.run([sys.executable, "-m", "player", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=120)


def test_prints_a_commented_routine_that_validates_strict(tmp_path: Path) -> None:
    proc = unknot(tmp_path, "compose", "--region", "calves", "--region", "feet",
                  "--minutes", "10", "--equipment", "roller", "ball")
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert text.startswith("# Composed by `unknot compose --region calves --region feet")
    # Each step says why it is there and where its durations come from.
    comments = " ".join(line.strip("# ") for line in text.splitlines() if "#" in line)
    assert "Behm et al. 2020" in comments and "ACSM" in comments
    assert "block: routines/compose/calves.yaml:" in comments
    path = tmp_path / "composed.yaml"
    path.write_text(text, encoding="utf-8")
    check = unknot(tmp_path, "validate", "--strict", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    shown = json.loads(unknot(tmp_path, "show", str(path), "--json").stdout)
    assert 540 <= shown["seconds"] <= 660
    regions = {s["region"] for s in shown["segments"]}
    assert {"calves", "feet"} <= regions


def test_output_file_with_long_names_and_aliases(tmp_path: Path) -> None:
    out = tmp_path / "legs.yaml"
    proc = unknot(tmp_path, "compose", "--region", "calf", "thighs", "--minutes", "12",
                  "--equipment", "foam roller", "--equipment", "massage gun", "--output",
                  str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and "wrote" in proc.stderr
    shown = json.loads(unknot(tmp_path, "show", str(out), "--json").stdout)
    assert 648 <= shown["seconds"] <= 792
    assert {s["region"] for s in shown["segments"]} >= {"calves", "quads"}
    assert unknot(tmp_path, "validate", "--strict", str(out)).returncode == 0
    text = out.read_text(encoding="utf-8")
    assert "tool: foam roller" in text and "tool: massage gun" in text


def test_save_puts_it_in_the_user_folder_and_never_overwrites(tmp_path: Path) -> None:
    proc = unknot(tmp_path, "compose", "--region", "neck", "--minutes", "5", "--save",
                  "Stiff neck")
    assert proc.returncode == 0, proc.stderr
    assert "unknot play stiff-neck" in proc.stderr
    listed = json.loads(unknot(tmp_path, "list", "--json").stdout)
    mine = [r for r in listed if r["id"] == "stiff-neck"]
    assert mine and mine[0]["source"] == "user" and mine[0]["regions"] == ["neck"]
    again = unknot(tmp_path, "compose", "--region", "neck", "--minutes", "6", "--save",
                   "Stiff neck")
    assert again.returncode == 1 and "already exists" in again.stderr
    # The first one is untouched.
    assert json.loads(unknot(tmp_path, "show", "stiff-neck", "--json").stdout)["seconds"] <= 330


@pytest.mark.parametrize(("args", "says"), [
    (["--region", "neck", "jaw", "temples", "chest", "glutes", "quads", "calves", "feet",
      "--minutes", "2"], "2 minutes is too short for 8 regions"),
    (["--region", "jaw", "--minutes", "5", "--equipment", "roller"],
     "a foam roller is not used on the jaw; it is worked with hands"),
    (["--region", "calvs", "--minutes", "5"], "did you mean"),
    (["--region", "calves", "--minutes", "5", "--equipment", "bands"], "unknown equipment"),
])
def test_impossible_requests_exit_1_with_one_line(tmp_path: Path, args: list[str],
                                                  says: str) -> None:
    proc = unknot(tmp_path, "compose", *args)
    assert proc.returncode == 1
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("unknot: error: ") and says in lines[0]


def test_without_a_region_is_a_usage_error(tmp_path: Path) -> None:
    proc = unknot(tmp_path, "compose", "--minutes", "5")
    assert proc.returncode == 2 and "--region" in proc.stderr


def test_the_same_request_prints_the_same_file(tmp_path: Path) -> None:
    args = ["compose", "--region", "upper-trapezius", "lower-back", "--minutes", "9",
            "--equipment", "ball", "wall", "--gentle"]
    first, second = unknot(tmp_path, *args), unknot(tmp_path, *args)
    assert first.returncode == 0 and first.stdout == second.stdout
    assert "tags: [composed, gentle]" in first.stdout
