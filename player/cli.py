"""Provides the `unknot` command line: argument parsing and dispatch to player.commands.

Start-up imports only what the chosen command needs: `--version` prints before argparse is
even imported, and only the chosen command's module is imported to register its options (the
others are listed in `--help` by name and help line alone). Each command imports what it needs
inside `run`, so `unknot validate` and headless play never load Textual, and `--help` and
`--version` never load the domain (nor `dataclasses`, through player.errors).
"""

from __future__ import annotations

import os
import sys
from importlib import import_module

from player import __version__

#: typing.TYPE_CHECKING without importing typing (a few ms at every start); mypy reads it so.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence
    from typing import Any

#: subcommand → (module under player.commands, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "play": ("play", "play a routine (the TUI player, or --headless for a plain timer)"),
    "list": ("list_cmd", "list the routines in the library"),
    "show": ("show", "show a routine's expanded timeline and total"),
    "validate": ("validate", "check routine files or folders"),
    "new": ("new", "write a commented starter routine into your routine folder"),
    "schema": ("schema", "print the routine format as JSON Schema (for editors)"),
    "history": ("history", "past sessions, streaks and minutes per region"),
    "compose": ("compose", "compose a routine for where it hurts, in the minutes you have"),
    "program": ("program", "plans over days: list, show, start, stop, export to a calendar"),
    "today": ("today", "today's session in the active program, and the streak"),
    "doctor": ("doctor", "show the sound backend, voice and folders; play a test cue"),
    "config": ("config", "where config.toml lives and the settings in force"),
}

def _epilog() -> str:
    import textwrap

    from player.notice import NOTICE

    return textwrap.fill(NOTICE, width=79)


MIN_SPEED = 0.01
MAX_SPEED = 1000.0


def _positive_speed(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid speed {text!r}: use a number like 2 or 0.5"
        ) from None
    # A floor as well as a ceiling: at ×1e-308 the next deadline is past what the clock can
    # hold (a traceback in select); at ×0.01 a 10-minute routine already takes 17 hours.
    if not MIN_SPEED <= value <= MAX_SPEED:
        raise argparse.ArgumentTypeError(
            f"speed must be from {MIN_SPEED:g} to {MAX_SPEED:g}, got {text[:40]}")
    return value


def _add_common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """Options accepted before or after the subcommand (and with none)."""
    import argparse

    def d(value: object) -> object:
        return argparse.SUPPRESS if suppress else value

    g = parser.add_argument_group("common options")
    g.add_argument("--routines", metavar="DIR", action="append", default=d([]),
                   help="an extra routine folder (repeatable)")
    g.add_argument("--sound", choices=["auto", "simpleaudio", "command", "bell", "off"],
                   default=d("auto"), help="sound backend (default: auto)")
    g.add_argument("--no-sound", dest="sound", action="store_const", const="off",
                   default=d("auto"), help="no sound at all (same as --sound off)")
    g.add_argument("--voice", dest="voice", action="store_true", default=d(None),
                   help="speak each step (default: on when espeak-ng or say is found)")
    g.add_argument("--no-voice", dest="voice", action="store_false", default=d(None),
                   help="no spoken cues")
    g.add_argument("--speed", type=_positive_speed, metavar="X", default=d(1.0),
                   help="play X times faster (previews and tests)")
    g.add_argument("--record", action="store_true", default=d(False),
                   help="save a --speed preview to the history as if it were a session")


def _parser_class() -> type[argparse.ArgumentParser]:
    import argparse

    class _Parser(argparse.ArgumentParser):
        def _print_message(self, message: str, file: Any = None) -> None:
            # argparse swallows OSError here, so `--help >/dev/full` exited 0 having written
            # nothing; let it reach main(), which says so in one line and exits 1.
            if message:
                (file or sys.stderr).write(message)

        def error(self, message: str) -> None:  # type: ignore[override]
            # One line and exit 2, as argparse does, but without dumping the whole usage block.
            self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")

    return _Parser


class _ProbeFailed(Exception):
    """The quick look at the command line found something only the whole parser can report."""


def _chosen_command(argv: Sequence[str] | None) -> str | None:
    """The subcommand named on the command line (None: the picker), found without importing
    any command module: a parser with the same top-level options and empty subcommands.

    Raises _ProbeFailed for anything it cannot tell (an error, a bad value): the caller then
    builds every command's options, so the error a person sees is the one it always was.
    """
    import argparse

    base = _parser_class()

    class Probe(base):  # type: ignore[valid-type, misc]
        def error(self, message: str) -> None:
            raise _ProbeFailed(message)

    probe = Probe(prog="unknot", add_help=False)
    probe.add_argument("--version", action="version", version=f"unknot {__version__}")
    _add_common(probe, suppress=False)
    sub = probe.add_subparsers(dest="command", parser_class=Probe)
    for name in COMMANDS:
        # No abbreviations inside a subcommand: its own options are not known here.
        _add_common(sub.add_parser(name, add_help=False, allow_abbrev=False), suppress=True)
    try:
        args, _ = probe.parse_known_args(argv)
    except argparse.ArgumentError as exc:
        raise _ProbeFailed(str(exc)) from None
    command = args.command
    return command if command in COMMANDS else None


#: Every command's options (the default of build_parser).
ALL = "*"


def build_parser(command: str | None = ALL) -> argparse.ArgumentParser:
    """The command-line parser; with a `command` (or None, the picker), only that command's
    module is imported and its options added. `--help` lists every command either way."""
    import argparse

    parser_class = _parser_class()
    epilog = _epilog()
    parser = parser_class(
        prog="unknot",
        description="A guided self-massage routine player. With no command, opens the picker.",
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"unknot {__version__}")
    _add_common(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=parser_class)
    for name, (module, help_text) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text.capitalize() + ".",
                           epilog=epilog, formatter_class=argparse.RawDescriptionHelpFormatter)
        _add_common(p, suppress=True)
        if command == ALL or command == name:
            import_module(f"player.commands.{module}").add_arguments(p)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run unknot; returns the exit code."""
    given = sys.argv[1:] if argv is None else list(argv)
    if given == ["--version"] and _print_version():
        return 0
    from player.errors import UnknotError
    from player.safe_text import OutputError, guarded_streams

    with guarded_streams():
        try:
            try:
                try:
                    chosen: str | None = _chosen_command(given)
                except _ProbeFailed:
                    chosen = ALL
                parser = build_parser(chosen)
                from player.config import configure

                # config.toml's settings become the defaults, so the command line still wins.
                settings = configure(parser)
                args = parser.parse_args(given)
            except SystemExit as exc:  # --help, --version, a usage error: argparse has printed
                sys.stdout.flush()  # --help to a full disk shows here
                return exc.code if isinstance(exc.code, int) else 2
            if settings.problem and args.command != "config":  # `unknot config` shows it itself
                print(settings.problem, file=sys.stderr)
            module = "picker" if args.command is None else COMMANDS[args.command][0]
            code = int(import_module(f"player.commands.{module}").run(args) or 0)
            sys.stdout.flush()  # a full disk shows here, not at exit as an ignored exception
            return code
        except OutputError as exc:
            return _cannot_write(exc)
        except UnknotError as exc:
            print(f"unknot: error: {exc}", file=sys.stderr)
            return exc.exit_code
        except KeyboardInterrupt:
            print("unknot: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            # `unknot list | head`: the reader went away; not an error worth a traceback.
            _discard_stdout()
            return 0


def _print_version() -> bool:
    """`unknot --version` before anything else is imported; False if it could not be written
    (the whole path then runs and reports that in its one line)."""
    out = sys.stdout
    if out is None:  # fd 1 closed before start
        return False
    try:
        out.write(f"unknot {__version__}\n")
        out.flush()
    except (OSError, ValueError):
        return False
    return True


def _discard_stdout() -> None:
    """Point fd 1 at /dev/null, so what is still buffered for it goes nowhere quietly at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
    except OSError:
        pass


def _cannot_write(exc: OSError) -> int:
    """One line on stderr (or, if stderr is what failed, straight to fd 2) and exit 1."""
    _discard_stdout()
    message = f"unknot: error: {exc}\n"
    try:
        sys.stderr.write(message)
        sys.stderr.flush()
    except OSError:
        try:
            os.write(2, message.encode("utf-8", "backslashreplace"))
        except OSError:
            pass
    return 1
