"""Provides `unknot validate PATH…`: check routine files and folders, one line per problem."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from player.errors import Problem


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="routine or program files, or folders to check recursively")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON array of {path, line, column, severity, message}")


def routine_files(folder: Path, skipped: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Every *.yaml / *.yml below `folder`, skipping hidden files and folders; what looks like
    a routine but is not a file (a FIFO, a device, a link loop) goes to `skipped`."""
    from player.paths import SUFFIXES, walk_kind

    out = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts) or path.suffix not in SUFFIXES:
            continue
        regular, what = walk_kind(path)  # one stat per name
        if regular:
            out.append(path)
        elif what is not None and what != "a folder" and skipped is not None:
            skipped.append((path, what))
    return sorted(out)


def _collect(raws: list[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The files to check (folders walked) and what was skipped; UnknotError for a bad name."""
    from player.errors import UnknotError
    from player.paths import not_a_file

    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for raw in raws:
        path = Path(raw)
        if path.is_dir():
            files.extend(routine_files(path, skipped))
        elif path.exists():
            files.append(path)
        elif what := not_a_file(path):
            raise UnknotError(f"cannot check {raw}: it is {what}")
        else:
            raise UnknotError(f"no such file or folder: {raw}")
    return files, skipped


def _report(problems: list[Problem], files: int, as_json: bool) -> int:
    """Print the problems and the count; the exit code."""
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if as_json:
        print(json.dumps([p.as_json() for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem)
        noun = "file" if files == 1 else "files"
        print(f"{files} {noun} checked: {errors} error{'s' * (errors != 1)}, "
              f"{warnings} warning{'s' * (warnings != 1)}", file=sys.stderr)
    return 1 if errors else 0


def run(args: argparse.Namespace) -> int:
    from player.errors import Problem
    from player.loader import check_file
    from player.paths import looks_like_program, not_a_file, routine_folders

    files, skipped = _collect(args.paths)
    walked = set(files) - set(map(Path, args.paths))  # regular files when walked: stat once
    search = [d for d, _ in routine_folders(args.routines)]
    known: list[str] | None = None
    problems: list[Problem] = []
    seen: set[Problem] = set()
    for path, what in sorted(skipped):  # said, never passed over without a word (issue 12, class 8)
        problems.append(Problem(str(path), 1, 1, "error" if args.strict else "warning",
                                f"skipped: {what}, not a routine file"))
    for path in files:
        # A FIFO or device is never opened here (it would block): check_file says what it is.
        if (path in walked or not_a_file(path) is None) and looks_like_program(path):
            from player import programs  # only when there is a program to check

            known = programs.known_routines(args.routines) if known is None else known
            _, found = programs.check_program_file(path, known)
        else:
            _, found = check_file(path, search_dirs=search)
        for problem in found:
            if args.strict and problem.severity == "warning":
                problem = Problem(problem.path, problem.line, problem.column, "error",
                                  problem.message)
            # A block included by several files reports its problems once.
            if problem not in seen:
                seen.add(problem)
                problems.append(problem)
    return _report(problems, len(files), args.json)
