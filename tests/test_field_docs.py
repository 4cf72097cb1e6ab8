"""The field reference in docs/routines.md is the field table's (scripts/gen_field_docs.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

from conftest import REPO

SCRIPT = REPO / "scripts" / "gen_field_docs.py"


def _gen():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("gen_field_docs", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_field_reference_is_up_to_date() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True,
                          text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr


def test_a_stale_reference_is_caught() -> None:
    gen = _gen()
    text = gen.DOC.read_text(encoding="utf-8")
    stale = text.replace("| `repeat` | no | work periods per side, 1 to 100 | 1 |",
                         "| `repeat` | no | work periods per side | 1 |")
    assert stale != text
    assert gen.render(stale) == text


def test_every_field_of_the_table_is_in_the_docs() -> None:
    from player.fields import CUE_FIELDS, ROUTINE_FIELDS, STEP_FIELDS

    text = (REPO / "docs" / "routines.md").read_text(encoding="utf-8")
    for f in (*ROUTINE_FIELDS, *STEP_FIELDS, *CUE_FIELDS):
        assert f"| `{f.name}` |" in text, f.name
