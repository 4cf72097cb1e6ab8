"""Provides `unknot` with no command: the TUI routine picker."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    # Textual is imported here, not at the top, so other commands never pay for it.
    from player.tui.app import run as run_tui

    return run_tui(args)
