"""Tests that an installed unknot (a real wheel in a fresh virtualenv) finds its built-in
routines without the source checkout: routines/ and sounds/ travel inside the package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_installed_wheel_lists_the_builtin_routines(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check",
         "-q", "-w", str(dist), str(REPO)],
        capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("unknot-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    install = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q",
         "--disable-pip-version-check", str(wheel)],
        capture_output=True, text=True, timeout=900,
    )
    assert install.returncode == 0, install.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "UNKNOT_HOME": str(tmp_path / "home")}
    env.pop("UNKNOT_PATH", None)
    env.pop("PYTHONPATH", None)
    listed = subprocess.run([str(venv / "bin" / "unknot"), "list", "--json"], cwd=elsewhere,
                            capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    expected = sorted(p.stem for p in (REPO / "routines").glob("*.yaml"))
    assert sorted(r["id"] for r in rows) == expected
    for row in rows:
        assert row["source"] == "built-in"
        path = Path(row["path"])
        # Found inside the installed package, not in this checkout.
        assert REPO not in path.parents and "_data" in path.parts and path.is_file()
    sounds = next(Path(rows[0]["path"]).parents[1].glob("sounds"), None)
    assert sounds is not None and sounds.is_dir()

    shown = subprocess.run([str(venv / "bin" / "unknot"), "show", expected[0], "--json"],
                           cwd=elsewhere, capture_output=True, text=True, env=env, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["seconds"] > 0

    # Programs travel inside the package too, and their routines are found.
    listed = subprocess.run([str(venv / "bin" / "unknot"), "program", "list", "--json"],
                            cwd=elsewhere, capture_output=True, text=True, env=env, timeout=120)
    assert listed.returncode == 0 and listed.stderr == "", listed.stderr
    expected = sorted(p.stem for p in (REPO / "programs").glob("*.yaml"))
    assert sorted(r["id"] for r in json.loads(listed.stdout)) == expected

    # The compose building blocks travel too (routines/compose/), and are not listed.
    composed = subprocess.run([str(venv / "bin" / "unknot"), "compose", "--region", "calves",
                               "--minutes", "5"], cwd=elsewhere, capture_output=True,
                              text=True, env=env, timeout=120)
    assert composed.returncode == 0, composed.stderr
    assert "block: routines/compose/calves.yaml:" in composed.stdout.replace("\n  # ", " ")
