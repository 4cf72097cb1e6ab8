"""Provides `unknot new` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from player.errors import UnknotError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise UnknotError("'new' is not built yet")
