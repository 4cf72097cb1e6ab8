"""Provides `unknot validate PATH…`: check routine files and folders, one line per problem."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="routine or program files, or folders to check recursively")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON array of {path, line, column, severity, message}")


def routine_files(folder: Path) -> list[Path]:
    """Every *.yaml / *.yml below `folder`, skipping hidden files and folders."""
    from player.loader import SUFFIXES

    out = []
    for path in folder.rglob("*"):
        rel = path.relative_to(folder)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix in SUFFIXES and path.is_file():
            out.append(path)
    return sorted(out)


def run(args: argparse.Namespace) -> int:
    from player.errors import Problem, UnknotError
    from player.library import routine_folders
    from player.loader import check_file

    files: list[Path] = []
    for raw in args.paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(routine_files(path))
        elif path.exists():
            files.append(path)
        else:
            raise UnknotError(f"no such file or folder: {raw}")
    search = [d for d, _ in routine_folders(args.routines)]
    from player import programs

    known: list[str] | None = None
    problems: list[Problem] = []
    seen: set[Problem] = set()
    for path in files:
        if programs.looks_like_program(path):
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
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if args.json:
        print(json.dumps([p.as_json() for p in problems], indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            print(problem)
        noun = "file" if len(files) == 1 else "files"
        print(f"{len(files)} {noun} checked: {errors} error{'s' * (errors != 1)}, "
              f"{warnings} warning{'s' * (warnings != 1)}", file=sys.stderr)
    return 1 if errors else 0
