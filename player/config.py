"""Provides the settings file, config.toml: where it lives, reading it, and its defaults for the
command line.

The file holds defaults for options (`sound = "bell"`, `voice = false`, `title = false`…);
anything given on the command line wins, because the file's values become the parser's
defaults before the arguments are read. A bad file is one `file:line: error: …` line and the
defaults: a settings file must never stop a session from starting.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

FILE_NAME = "config.toml"
#: A settings file is a few lines; anything larger is not one (and is not read whole).
MAX_BYTES = 64 * 1024

SOUND_CHOICES = ("auto", "simpleaudio", "command", "bell", "off")

Kind = Literal["bool", "str", "int"]


@dataclass(frozen=True)
class Setting:
    """One key of config.toml and the option it gives a default to."""

    name: str
    kind: Kind
    default: object
    doc: str
    unset: str = ""
    """What an unset setting (default None) means."""
    choices: tuple[str, ...] = ()
    low: int | None = None
    high: int | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("sound", "str", "auto", "sound backend: auto, simpleaudio, command, bell or off",
            choices=SOUND_CHOICES),
    Setting("voice", "bool", None, "spoken cues",
            unset="on when espeak-ng or say is found"),
    Setting("voice_name", "str", None, "espeak-ng voice or `say -v` voice",
            unset="the voice's own default"),
    Setting("voice_rate", "int", None, "speaking rate in words a minute",
            unset="the voice's own rate", low=80, high=450),
    Setting("theme", "str", None, "the TUI's Textual theme, e.g. textual-light, nord, gruvbox",
            unset="textual-dark"),
    Setting("title", "bool", True, "time left and step in the terminal's title while playing"),
    Setting("media_keys", "bool", True, "publish sessions on D-Bus (MPRIS: media keys, headsets)"),
    Setting("remote", "bool", False, "serve the phone remote page while playing (--remote)"),
)
SETTING_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass
class Config:
    """What config.toml says: the settings it sets, and the one problem that voided it."""

    path: Path
    values: dict[str, object] = field(default_factory=dict)
    exists: bool = False
    problem: str | None = None


def config_path() -> Path:
    """`UNKNOT_HOME/config.toml` when UNKNOT_HOME is set, else the platform config folder's."""
    home = os.environ.get("UNKNOT_HOME")
    if home:
        return Path(home).expanduser() / FILE_NAME
    from platformdirs import user_config_path

    return user_config_path("unknot", appauthor=False) / FILE_NAME


def _line_of(text: str, key: str) -> int:
    """The line where `key` is assigned or its table opens (1 when it cannot be found)."""
    pattern = re.compile(rf"""^\s*(\[+\s*)?(["']?){re.escape(key)}\2\s*[=.\]]""")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return 1


def _closest(name: str) -> str:
    from player.vocab import did_you_mean

    return did_you_mean(name, SETTING_BY_NAME)


def _check(setting: Setting, value: object) -> str | None:
    """Why `value` will not do for `setting`, or None."""
    if setting.kind == "bool":
        if not isinstance(value, bool):
            return f"{setting.name} must be true or false, not {_shown(value)}"
    elif setting.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{setting.name} must be a whole number, not {_shown(value)}"
        if setting.low is not None and setting.high is not None and not (
                setting.low <= value <= setting.high):
            return f"{setting.name} must be from {setting.low} to {setting.high}, not {value}"
    else:
        if not isinstance(value, str) or not value.strip():
            return f"{setting.name} must be a non-empty string in quotes, not {_shown(value)}"
        if setting.choices and value not in setting.choices:
            return (f"{setting.name} must be one of {', '.join(setting.choices)}, "
                    f"not {_shown(value)}")
    return None


def _shown(value: object) -> str:
    from player.safe_text import visible

    if isinstance(value, str):
        return '"' + visible(value[:40], multiline=False) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return visible(str(value)[:40], multiline=False)


def parse(text: str, path: Path) -> Config:
    """The settings in `text` (the contents of `path`), or a Config naming its first problem."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib

    config = Config(path, exists=True)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(found.group(1)) if found else 1
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
        config.problem = f"{path}:{line}: error: {message[:1].lower()}{message[1:]} (not TOML)"
        return config
    for key, value in data.items():
        setting = SETTING_BY_NAME.get(key)
        if setting is None:
            from player.safe_text import visible

            shown = visible(key[:40], multiline=False)
            config.problem = (f"{path}:{_line_of(text, key)}: error: unknown setting "
                              f"'{shown}'{_closest(key)}")
            return config
        reason = _check(setting, value)
        if reason is not None:
            config.problem = f"{path}:{_line_of(text, key)}: error: {reason}"
            return config
    config.values = dict(data)
    return config


def load(path: Path | None = None) -> Config:
    """Read config.toml (by default `config_path()`); a missing file is no settings at all.

    Never raises: an unreadable or bad file gives a Config whose `problem` says why (one line,
    ending `; using the defaults`), with no values, so every default holds."""
    config = _read(path or config_path())
    if config.problem is not None:
        config.values = {}
        config.problem += "; using the defaults"
    return config


def _read(path: Path) -> Config:
    try:
        if not path.exists():
            return Config(path)
        if not path.is_file():
            # A folder, or a FIFO that would block the start until someone wrote to it.
            return Config(path, exists=True, problem=f"{path}: error: not a regular file")
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        return Config(path, exists=True, problem=f"{path}: error: cannot read it: {reason}")
    if len(raw) > MAX_BYTES:
        return Config(path, exists=True, problem=f"{path}:1: error: larger than "
                                                 f"{MAX_BYTES // 1024} KiB, not a settings file")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return Config(path, exists=True, problem=f"{path}:{line}: error: not UTF-8 text")
    return parse(text, path)


def _parsers(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    """`parser` and its subcommands' parsers (argparse has no public way to list them)."""
    found = [parser]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found.extend(action.choices.values())
    return found


def apply_defaults(parser: argparse.ArgumentParser, values: dict[str, object]) -> None:
    """Make `values` the defaults of the options they set, so the command line still wins.

    A setting goes to each parser that defines its option with a real default: the top-level
    parser for the common options (the subcommands' copies are SUPPRESSed, so a common option
    given before the subcommand survives) and a subcommand's parser for its own options. A
    setting no option takes (`theme`) lands on the namespace as an attribute of its own."""
    top, *subs = _parsers(parser)
    for name, value in values.items():
        placed = False
        for each in (top, *subs):
            if any(a.dest == name and a.default is not argparse.SUPPRESS
                   for a in each._actions):
                each.set_defaults(**{name: value})
                placed = True
        if not placed:
            top.set_defaults(**{name: value})


def configure(parser: argparse.ArgumentParser) -> Config:
    """Load config.toml and make its values `parser`'s defaults; the caller reports `problem`
    (one line) when there is one."""
    config = load()
    apply_defaults(parser, config.values)
    return config


def in_force(args: argparse.Namespace, config: Config) -> list[tuple[Setting, object, str]]:
    """Each setting with the value in force for this run and where it came from:
    `command line`, `config.toml` or `default`."""
    rows: list[tuple[Setting, object, str]] = []
    for setting in SETTINGS:
        from_file = setting.name in config.values
        base = config.values[setting.name] if from_file else setting.default
        value = getattr(args, setting.name, base)
        if value != base:
            source = "command line"
        else:
            source = FILE_NAME if from_file else "default"
        rows.append((setting, value, source))
    return rows
