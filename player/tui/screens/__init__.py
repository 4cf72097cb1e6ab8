"""Provides the screens of the TUI: picker, player, summary and the small dialogs."""
