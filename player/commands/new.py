"""Provides `unknot new NAME`: write a commented starter routine into the user's routine folder."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the routine's name; its id is made from it")
    parser.add_argument("--from", dest="source", metavar="ID",
                        help="copy an existing routine (library id or file) instead")
    parser.add_argument("--edit", action="store_true", help="open the new file in $EDITOR")


def run(args: argparse.Namespace) -> int:
    import json
    import os
    import shlex
    import subprocess
    from pathlib import Path

    from player import paths
    from player.errors import UnknotError, UsageError
    from player.library import find, looks_like_path, resolve
    from player.loader import SUFFIXES, check_file, is_regular_file
    from player.scaffold import rename, slug, starter
    from player.schema import SCHEMA_FILE, routine_schema

    name = " ".join(args.name.split())
    rid = slug(name)
    if not rid:
        raise UsageError(f"cannot make a file name from {args.name!r}: use letters or digits")
    folder = paths.user_routines_dir()
    for suffix in SUFFIXES:
        existing = folder / (rid + suffix)
        if existing.exists():
            raise UnknotError(f"{existing} already exists: choose another name, or edit it "
                              "(unknot never overwrites a routine)")

    if args.source:
        if looks_like_path(args.source) or is_regular_file(Path(args.source)):
            source_path = Path(args.source)
            if not is_regular_file(source_path):
                raise UnknotError(f"no such routine file: {args.source}")
        else:
            found = find(args.source, args.routines)
            if found is None:
                resolve(args.source, args.routines)  # raises with a did-you-mean
                raise UnknotError(f"unknown routine '{args.source}'")  # pragma: no cover
            source_path = found[0]
        try:
            text = rename(source_path.read_text(encoding="utf-8"), name)
        except (OSError, UnicodeDecodeError) as exc:
            raise UnknotError(f"cannot read {source_path}: {exc}") from None
    else:
        text = starter(name, rid, schema=SCHEMA_FILE)

    target = folder / f"{rid}.yaml"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as fh:
            fh.write(text)
    except FileExistsError:
        raise UnknotError(f"{target} already exists: choose another name") from None
    except OSError as exc:
        raise UnknotError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        # Editors read the modeline's schema from beside the routines; keep it current.
        (folder / SCHEMA_FILE).write_text(json.dumps(routine_schema(), indent=2) + "\n",
                                          encoding="utf-8")
    except OSError:
        pass
    print(target.resolve())

    _, problems = check_file(target)
    for problem in problems:
        print(problem)

    if args.edit:
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
        if not editor:
            raise UnknotError("set $EDITOR (or $VISUAL) to open the file, e.g. EDITOR=nano")
        try:
            return subprocess.call([*shlex.split(editor), str(target)])
        except (OSError, ValueError) as exc:
            raise UnknotError(f"cannot run editor {editor!r}: {exc}") from None
    return 0
