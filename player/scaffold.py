"""Provides the starter text `unknot new` writes: a short commented routine that validates.

The comments beside its fields are the field table's hints (player.fields), so they say what
the format says.
"""

from __future__ import annotations

import re
from pathlib import Path

STARTER = """\
# yaml-language-server: $schema={schema}
# {name}: a routine of your own. `unknot show {id}` checks it and shows its
# timeline; `unknot play {id}` plays it.
# Every field is described in docs/routines.md (techniques, regions, sides, cues).
name: {title}
summary: A short description shown in the picker.
tags: [mine]
equipment: [massage ball]
# caution: Shown before the routine starts, e.g. skip the ball work after a neck injury.
defaults:
  lead_in: auto        {lead_in}
  pressure: moderate   {pressure}
  cues: {{halfway: true, countdown: 3}}
steps:
  - technique: effleurage          # long gliding strokes to warm up
    region: upper-trapezius
    side: each                     {side}
    duration: 30s                  {duration}
    pressure: light

  - technique: trigger-point       # hold a tender spot: 10-30 s
    region: upper-trapezius
    side: each
    duration: 20s
    repeat: 2                      {repeat}
    rest: 10s                      {rest}
    tool: massage ball
    instructions: Lean into a ball against the wall and hold one tender spot still.
    say: Ball on the wall, on top of the shoulder blade. Lean in until tender, then hold.
    say_end: Ease off the ball slowly.   {say_end}

  - technique: breathe             # breathe and rest need no region
    duration: 1m
"""


def slug(name: str) -> str:
    """The file stem (routine id) for a name: `My neck, after work` → `my-neck-after-work`."""
    text = re.sub(r"[^a-z0-9]+", "-", name.strip().lower())
    return text.strip("-")[:60].strip("-")


def starter(name: str, rid: str, schema: str = "unknot-routine.schema.json") -> str:
    """The commented starter routine for `name`, saved as `rid`.yaml."""
    title = name.strip() or rid
    # Quote the title whenever plain YAML could misread it (colons, #, leading symbols).
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9 &'(),.!?-]*", title):
        title = '"' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    from player.fields import STEP_FIELDS

    hints = {f.name: f"# {f.hint}" for f in STEP_FIELDS if f.hint}
    return STARTER.format(name=name.strip() or rid, title=title, id=rid, schema=schema, **hints)


def rename(text: str, name: str) -> str:
    """A copied routine's text with its top-level `name:` replaced (the rest kept as written)."""
    quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    new, count = re.subn(r"(?m)^name:.*$", f"name: {quoted}", text, count=1)
    return new if count else f"name: {quoted}\n{text}"


def create(name: str, text: str | None = None) -> Path:
    """Write a new routine named `name` into the user's folder and return its path.

    `text` is the routine to write (a copy for `new --from`); by default the starter. Never
    overwrites: an existing routine with the same id, in any suffix, is an UnknotError. The
    JSON Schema is written beside it so the starter's editor modeline works at once.
    """
    import json

    from player import paths
    from player.errors import UnknotError, UsageError
    from player.loader import SUFFIXES
    from player.safe_text import visible
    from player.schema import SCHEMA_FILE, routine_schema

    name = " ".join(name.split())
    if visible(name, multiline=False) != name:
        # It would go into the file's `name:` as is, and the file would not load.
        raise UsageError(f"a routine name cannot hold control characters: "
                         f"{visible(name, multiline=False)}")
    rid = slug(name)
    if not rid:
        raise UsageError(f"cannot make a file name from {name!r}: use letters or digits")
    folder = paths.user_routines_dir()
    for suffix in SUFFIXES:
        existing = folder / (rid + suffix)
        if existing.exists():
            raise UnknotError(f"{existing} already exists: choose another name, or edit it "
                              "(unknot never overwrites a routine)")
    target = folder / f"{rid}.yaml"
    body = starter(name, rid, schema=SCHEMA_FILE) if text is None else rename(text, name)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_whole(target, body, replace=False)
    except FileExistsError:
        raise UnknotError(f"{target} already exists: choose another name") from None
    except OSError as exc:
        raise UnknotError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        write_whole(folder / SCHEMA_FILE, json.dumps(routine_schema(), indent=2) + "\n")
    except OSError:
        pass  # the schema only helps editors; the routine is written
    return target


def write_whole(target: Path, text: str, *, replace: bool = True) -> None:
    """Write `text` to `target` whole or not at all: into a temporary file beside it, flushed
    to disk, then moved into place (issue 12, "silent loss": a full disk used to leave an empty
    routine that then blocked its name). Without `replace`, an existing `target` is a
    FileExistsError and is left alone. Nothing is left behind when it fails."""
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if replace:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)  # atomic, and never over an existing file
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links
            if target.exists():
                raise FileExistsError(target) from None
            os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def editor_command() -> list[str] | None:
    """The editor to open a routine in, as an argument list (see `player.editor`), or None."""
    from player.editor import find_editor

    found = find_editor()
    return found.argv if found is not None else None
