#!/usr/bin/env python3
"""Provides the field reference of docs/routines.md, generated from the field table.

    scripts/gen_field_docs.py           # rewrite the generated parts of docs/routines.md
    scripts/gen_field_docs.py --check   # exit 1 if they are out of date

Only the text between each `<!-- BEGIN fields: X -->` and `<!-- END fields: X -->` marker is
written (the routine, defaults, steps and cues tables); the prose around them is by hand. The
rows come from player.fields, the table the loader and the schema are built from.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run from a checkout without an install too: the package sits at the top of the repository.
sys.path.insert(0, str(ROOT))

from player.fields import CUE_FIELDS, DEFAULT_FIELDS, ROUTINE_FIELDS, STEP_FIELDS  # noqa: E402

DOC = ROOT / "docs" / "routines.md"
_BLOCK = re.compile(r"(<!-- BEGIN fields: (?P<name>[a-z]+) [^>]*-->\n)(?P<body>.*?)"
                    r"(<!-- END fields: (?P=name) -->)", re.S)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def _row(*cells: str) -> str:
    return ("| " + " | ".join(cells) + " |").replace("|  |", "| |")


def blocks() -> dict[str, str]:
    """Each generated block's text, by marker name."""
    routine = ["| field | required | what it is |", "|---|---|---|"]
    routine += [_row(f"`{f.name}`", f.required or "no", _cell(f.doc)) for f in ROUTINE_FIELDS]
    steps = ["| field | required | what it is | default |", "|---|---|---|---|"]
    steps += [_row(f"`{f.name}`", _cell(f.required or "no"), _cell(f.doc), _cell(f.default_doc))
              for f in STEP_FIELDS]
    cues = ["| cue | value | default | what it does |", "|---|---|---|---|"]
    cues += [_row(f"`{f.name}`", f.value_doc, f.default_doc, _cell(f.doc)) for f in CUE_FIELDS]
    defaults = ("`defaults` takes these step fields and applies them to every step of this file "
                "that does not set them itself: "
                + ", ".join(f"`{f.name}`" for f in DEFAULT_FIELDS) + ".")
    return {"routine": "\n".join(routine), "steps": "\n".join(steps),
            "cues": "\n".join(cues), "defaults": defaults}


def render(text: str) -> str:
    """`text` with every generated block rewritten; ValueError if a block is missing."""
    wanted = blocks()
    found: set[str] = set()

    def replace(m: re.Match[str]) -> str:
        name = m["name"]
        if name not in wanted:
            raise ValueError(f"unknown generated block '{name}' in {DOC.name}")
        found.add(name)
        return f"{m.group(1)}{wanted[name]}\n{m.group(4)}"

    out = _BLOCK.sub(replace, text)
    missing = set(wanted) - found
    if missing:
        raise ValueError(f"{DOC.name} lacks the markers for: {', '.join(sorted(missing))}")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the docs are stale")
    args = parser.parse_args(argv)
    text = DOC.read_text(encoding="utf-8")
    new = render(text)
    if args.check:
        if new != text:
            print(f"{DOC.relative_to(ROOT)} is out of date: run scripts/gen_field_docs.py",
                  file=sys.stderr)
            return 1
        return 0
    if new != text:
        DOC.write_text(new, encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
