"""Provides the reusable widgets of the TUI: body map, pressure scale, labelled progress."""
