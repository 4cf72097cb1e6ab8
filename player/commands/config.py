"""Provides `unknot config`: where config.toml lives and the settings in force for this run."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help='one JSON object: {"path", "exists", "problem", "settings"}')


def _toml(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def run(args: argparse.Namespace) -> int:
    import json

    from player.config import in_force, load
    from player.safe_text import visible

    # The CLI has read the file already (and said what is wrong with it); read it again for
    # what it holds, since the parser only kept the values.
    config = load()
    rows = in_force(args, config)
    if args.json:
        print(json.dumps({
            "path": str(config.path),
            "exists": config.exists,
            "problem": config.problem,
            "settings": {s.name: {"value": v, "source": src} for s, v, src in rows},
        }))
        return 0
    state = "" if config.exists else " (not created yet: every setting has its default)"
    print(f"# {visible(str(config.path), multiline=False)}{state}")
    if config.problem:
        print("# the file has a problem, so the defaults are in force:")
        print(f"# {config.problem}")
    width = max(len(s.name) for s, _, _ in rows)
    for setting, value, source in rows:
        if value is None:
            line = f"# {setting.name} ="
            note = f"{source}: unset, {setting.unset}"
        else:
            shown = visible(value, multiline=False) if isinstance(value, str) else value
            line = f"{setting.name:<{width}} = {_toml(shown)}"
            note = source
        print(f"{line:<{width + 24}} # {note}")
    return 0
