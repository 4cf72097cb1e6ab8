"""Provides the Textual user interface: the routine picker, the player and the summary.

Only this package imports Textual; the CLI imports `player.tui.app` inside the commands that
need it, so `unknot list`, `validate` and headless play never pay for it.
"""
