"""Provides the reusable widgets of the TUI: body map, pressure scale, labelled progress, the
picker's routine table and step list."""
