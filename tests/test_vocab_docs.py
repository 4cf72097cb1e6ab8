"""Tests that docs/routines.md stays true: its tables match player.vocab, its examples
validate, and its sample timeline is what `unknot show` prints."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from player import paths, vocab
from player.cli import main
from player.loader import check_file, range_text

DOC = Path(__file__).resolve().parent.parent / "docs" / "routines.md"
TEXT = DOC.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", TEXT, re.S)
#: Whole routines (the modeline snippet is only a fragment).
EXAMPLES = [body for lang, body in BLOCKS
            if lang == "yaml" and re.search(r"(?m)^name: ", body) and "steps:" in body]


def test_every_technique_row() -> None:
    for t in vocab.TECHNIQUES:
        row = (f"| `{t.id}` | {t.name} | {range_text(t.min_seconds, t.max_seconds)} | "
               f"{', '.join(t.aliases) or '–'} | {'yes' if t.needs_region else 'no'} |")
        assert row in TEXT


def test_every_region_row() -> None:
    for r in vocab.REGIONS:
        notes = [n for flag, n in ((r.danger, "danger zone: light, broad pressure only"),
                                   (r.no_roller, "never foam-roll")) if flag]
        row = (f"| `{r.id}` | {r.name} | {', '.join(r.aliases) or '–'} | "
               f"{'; '.join(notes) or '–'} |")
        assert row in TEXT


def test_the_modeline_is_shown() -> None:
    assert "# yaml-language-server: $schema=" in TEXT


def _write_examples(folder: Path) -> list[Path]:
    out = []
    for i, body in enumerate(EXAMPLES):
        name = re.search(r"(?m)^name: (.*)$", body).group(1)  # type: ignore[union-attr]
        if name == "Neck warm-up":
            path = folder / "blocks" / "neck-warm-up.yaml"
        else:
            path = folder / f"example-{i}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(body, encoding="utf-8")
        out.append(path)
    return out


def test_the_examples_validate(tmp_path: Path) -> None:
    assert len(EXAMPLES) >= 6
    for path in _write_examples(tmp_path):
        routine, problems = check_file(path,
                                       search_dirs=(tmp_path, paths.builtin_routines_dir()))
        assert routine is not None, [str(p) for p in problems]
        # The one allowed warning: the paced-rolling example names a WAV the reader adds.
        assert all("wood.wav" in p.message for p in problems), [str(p) for p in problems]


def test_the_sample_timeline_is_what_show_prints(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    sample = next(body for lang, body in BLOCKS if lang == "text" and body.startswith("START"))
    example = next(p for p in _write_examples(tmp_path) if "Upper traps" in p.read_text())
    assert main(["show", str(example)]) == 0
    out = capsys.readouterr().out
    assert out.endswith(sample)
