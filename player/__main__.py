"""Provides `python -m player`."""

from player.cli import main

raise SystemExit(main())
