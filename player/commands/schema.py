"""Provides `unknot schema`: the routine format as JSON Schema (draft 2020-12), for editors."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = ("Save it and point your editor at it, e.g.\n"
                     "  unknot schema > ~/.config/unknot-routine.schema.json\n"
                     "and start a routine file with\n"
                     "  # yaml-language-server: $schema=~/.config/unknot-routine.schema.json\n\n"
                     + (parser.epilog or ""))
    parser.add_argument("--program", action="store_true",
                        help="the program format (a plan over days) instead of the routine one")


def run(args: argparse.Namespace) -> int:
    import json

    if getattr(args, "program", False):
        from player.program_schema import program_schema

        print(json.dumps(program_schema(), indent=2, ensure_ascii=False))
        return 0
    from player.schema import routine_schema

    print(json.dumps(routine_schema(), indent=2, ensure_ascii=False))
    return 0
