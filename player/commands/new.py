"""Provides `unknot new NAME`: write a commented starter routine into the user's routine folder."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", metavar="NAME", help="the routine's name; its id is made from it")
    parser.add_argument("--from", dest="source", metavar="ID",
                        help="copy an existing routine (library id or file) instead")
    parser.add_argument("--edit", action="store_true", help="open the new file in $EDITOR")


def run(args: argparse.Namespace) -> int:
    import subprocess
    import sys
    from pathlib import Path

    from player.errors import UnknotError
    from player.library import find, looks_like_path, resolve
    from player.loader import check_file, is_regular_file
    from player.safe_text import OutputError
    from player.scaffold import create, editor_command

    text = None
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
            text = source_path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UnknotError(f"cannot read {source_path}: {exc}") from None

    target = create(args.name, text)
    _, problems = check_file(target)
    try:
        print(target.resolve())
        for problem in problems:
            print(problem)
        sys.stdout.flush()
    except OutputError as exc:
        # The file is there: say so, or the person tries again and finds the name taken.
        raise OutputError(f"{exc} (the routine was written to {target.resolve()})") from None

    if args.edit:
        argv = editor_command()
        if not argv:
            raise UnknotError("set $EDITOR (or $VISUAL) to open the file, e.g. EDITOR=nano")
        try:
            return subprocess.call([*argv, str(target)])
        except OSError as exc:
            raise UnknotError(f"cannot run editor {argv[0]!r}: {exc}") from None
    return 0
