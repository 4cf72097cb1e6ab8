"""Tests for config.toml and `unknot config`: where the file lives, what it may say, that the
command line wins, and that a bad file is one `file:line: error` line and the defaults."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from player import config as cfg
from player.cli import build_parser, main


def write(home: Path, text: str | bytes) -> Path:
    path = home / "config.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def settings(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[dict, str]:
    assert main([*argv, "config", "--json"] if "config" not in argv else [*argv, "--json"]) == 0
    out, err = capsys.readouterr()
    return json.loads(out), err


def test_path_is_under_unknot_home(unknot_home: Path) -> None:
    assert cfg.config_path() == unknot_home / "config.toml"


def test_path_is_the_platform_config_folder_without_unknot_home(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("UNKNOT_HOME")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert cfg.config_path() == tmp_path / "xdg" / "unknot" / "config.toml"
    else:
        assert cfg.config_path().name == "config.toml"


def test_no_file_is_every_default(capsys: pytest.CaptureFixture[str]) -> None:
    data, err = settings(capsys)
    assert err == ""
    assert data["exists"] is False and data["problem"] is None
    got = {k: (v["value"], v["source"]) for k, v in data["settings"].items()}
    assert got == {s.name: (s.default, "default") for s in cfg.SETTINGS}
    assert set(got) == {"sound", "voice", "voice_name", "voice_rate", "theme", "title",
                        "media_keys", "remote"}


def test_the_file_sets_defaults_and_the_command_line_wins(
        unknot_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(unknot_home, 'sound = "bell"\nvoice = false\ntheme = "nord"\nvoice_rate = 150\n'
                       "title = false\n")
    data, err = settings(capsys)
    assert err == ""
    s = data["settings"]
    assert (s["sound"]["value"], s["sound"]["source"]) == ("bell", "config.toml")
    assert (s["voice"]["value"], s["voice"]["source"]) == (False, "config.toml")
    assert s["theme"]["value"] == "nord" and s["voice_rate"]["value"] == 150
    assert (s["title"]["value"], s["remote"]["source"]) == (False, "default")
    # Given before the subcommand or after it, the option wins over the file.
    for argv in (["--sound", "off", "--voice"], ["config", "--no-sound", "--voice"]):
        data, _ = settings(capsys, *argv)
        s = data["settings"]
        assert (s["sound"]["value"], s["sound"]["source"]) == ("off", "command line")
        assert (s["voice"]["value"], s["voice"]["source"]) == (True, "command line")
        assert s["theme"]["source"] == "config.toml"


def test_subcommand_options_take_the_file_as_default_too(unknot_home: Path) -> None:
    write(unknot_home, 'media_keys = false\nsound = "bell"\ntheme = "nord"\n')
    parser = build_parser()
    cfg.configure(parser)
    args = parser.parse_args(["play", "x"])
    assert (args.media_keys, args.sound, args.theme) == (False, "bell", "nord")
    # A common option before the subcommand is not undone by the subcommand's parser.
    assert parser.parse_args(["--sound", "off", "play", "x"]).sound == "off"
    assert parser.parse_args(["play", "x", "--sound", "command"]).sound == "command"
    write(unknot_home, "media_keys = true\n")
    parser = build_parser()
    cfg.configure(parser)
    assert parser.parse_args(["play", "x"]).media_keys is True
    assert parser.parse_args(["play", "x", "--no-media-keys"]).media_keys is False


@pytest.mark.parametrize(("text", "line", "says"), [
    ('sound = "bell"\nsond = "off"\n', 2, "unknown setting 'sond' (did you mean 'sound'?)"),
    ('sound = "loud"\n', 1, "sound must be one of auto, simpleaudio, command, bell, off"),
    ('# mine\n\nvoice = "yes"\n', 3, "voice must be true or false, not \"yes\""),
    ("voice_rate = 20\n", 1, "voice_rate must be from 80 to 450, not 20"),
    ('voice_rate = "fast"\n', 1, "voice_rate must be a whole number"),
    ('theme = ""\n', 1, "theme must be a non-empty string"),
    ("title = true\n[tui]\nx = 1\n", 2, "unknown setting 'tui'"),
    ('sound = "bell"\nvoice = \n', 2, "not TOML"),
    ('sound = "bell"\nsound = "off"\n', 2, "not TOML"),
    ('sound = "bell\n', 1, "not TOML"),
    (b'sound = "bell"\ntheme = "\xff"\n', 2, "not UTF-8"),
], ids=["unknown", "choice", "bool", "range", "int", "empty", "table", "syntax", "duplicate",
        "unterminated", "utf8"])
def test_a_bad_file_is_one_line_and_the_defaults(
        unknot_home: Path, capsys: pytest.CaptureFixture[str], text: str | bytes, line: int,
        says: str) -> None:
    path = write(unknot_home, text)
    assert main(["list", "--json"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)  # the command still ran
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"{path}:{line}: error: "), err
    assert says in lines[0] and lines[0].endswith("; using the defaults")
    data, err = settings(capsys)
    assert err == ""  # `unknot config` shows the problem itself, once
    assert data["problem"] == lines[0]
    assert all(v["source"] == "default" for v in data["settings"].values())


def test_control_characters_in_the_file_are_shown_not_sent(
        unknot_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(unknot_home, '"\\u001b[2Jsnd" = 1\n')
    main(["list"])
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2Jsnd" in err


def test_a_folder_or_a_fifo_is_one_line_never_a_hang(unknot_home: Path) -> None:
    path = unknot_home / "config.toml"
    os.mkfifo(path)
    # A FIFO nobody writes to would block open() forever; the subprocess proves it does not.
    proc = subprocess.run([sys.executable, "-m", "player", "config"], capture_output=True,
                          text=True, timeout=60, env={**os.environ})
    assert proc.returncode == 0
    assert f"{path}: error: not a regular file" in proc.stdout
    path.unlink()
    path.mkdir()
    loaded = cfg.load()
    assert loaded.values == {} and "not a regular file" in (loaded.problem or "")


def test_unknot_config_prints_the_path_and_the_settings(
        unknot_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"# {unknot_home / 'config.toml'} (not created yet: every " \
                                  "setting has its default)"
    write(unknot_home, 'sound = "bell"\n')
    assert main(["--no-voice", "config"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"# {unknot_home / 'config.toml'}"
    rows = {line.split()[0]: line for line in out.splitlines()[1:]}
    assert rows["sound"].split("#")[0].strip() == 'sound      = "bell"'
    assert rows["sound"].endswith("# config.toml")
    assert rows["voice"].endswith("# command line") and "= false" in rows["voice"]
    assert "# voice_name =" in out and "unset" in out
    # What it prints is TOML that reads back as the same settings.
    import tomllib

    assert tomllib.loads(out) == {"sound": "bell", "voice": False, "title": True,
                                  "media_keys": True, "remote": False}


def test_the_tui_takes_the_theme(unknot_home: Path) -> None:
    from player.tui.app import make_app

    assert make_app(theme="nord").theme == "nord"
    app = make_app(theme="no-such-theme")
    assert app.theme == "textual-dark" and app._unknown_theme == "no-such-theme"


def test_an_oversized_file_is_not_read_whole(unknot_home: Path) -> None:
    write(unknot_home, "# padding\n" * 20_000)
    loaded = cfg.load()
    assert loaded.values == {} and "larger than 64 KiB" in (loaded.problem or "")


def test_the_readme_example_is_a_valid_config(unknot_home: Path) -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    example = readme.split("```toml\n", 1)[1].split("```", 1)[0]
    loaded = cfg.parse(example, Path("README.md"))
    assert loaded.problem is None and set(loaded.values) == {s.name for s in cfg.SETTINGS}
