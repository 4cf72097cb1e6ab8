"""Provides `unknot compose`: a routine for the regions that hurt, the minutes and the kit."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    # Every command's parser is built at start-up: nothing here may import the composer.
    parser.add_argument("--region", dest="regions", metavar="R", action="extend", nargs="+",
                        required=True,
                        help="a region to work, e.g. calves, neck, pecs (repeatable; aliases "
                             "as in routine files)")
    parser.add_argument("--minutes", type=float, metavar="N", required=True,
                        help="how long the routine should take (it fits within 10 %%)")
    parser.add_argument("--equipment", metavar="E", action="extend", nargs="+", default=[],
                        help="what you have besides your hands: ball, roller, wall, gun "
                             "(or massage ball, foam roller, massage gun)")
    parser.add_argument("--gentle", action="store_true",
                        help="light pressure only, no trigger-point holds or massage gun")
    out = parser.add_mutually_exclusive_group()
    out.add_argument("--save", metavar="NAME",
                     help="save it into your routine folder under this name (never overwrites)")
    out.add_argument("--output", metavar="FILE", help="write it to FILE instead of printing it")


def run(args: argparse.Namespace) -> int:
    import sys
    from pathlib import Path

    from player.compose import compose, save, to_yaml
    from player.durations import format_human
    from player.errors import UnknotError

    composition = compose(args.regions, args.minutes, args.equipment, args.gentle)
    length = format_human(composition.total)
    if args.save is not None:
        target = save(composition, args.save)
        print(f"saved {target.resolve()} ({length}); play it with: unknot play {target.stem}",
              file=sys.stderr)
        return 0
    text = to_yaml(composition)
    if args.output is not None:
        target = Path(args.output)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UnknotError(f"cannot write {args.output}: {exc.strerror or exc}") from None
        print(f"wrote {args.output} ({length})", file=sys.stderr)
        return 0
    sys.stdout.write(text)
    return 0
