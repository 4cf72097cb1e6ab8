"""Provides a footer that never loses its most important keys: when the bindings do not fit on
the line, the least important ones are left out (`?` help lists them all) instead of running
off the right-hand edge, where Textual's Footer clips whatever comes last — `q` included.

A screen ranks its keys with `FOOTER_KEEP`, a tuple of actions, the first kept longest;
shown keys it does not rank go first. The order on the line stays the BINDINGS order.
"""

from __future__ import annotations

from typing import Sequence

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.widgets import Footer


def key_width(key_display: str, description: str) -> int:
    """Cells one FooterKey takes in the non-compact style: ` key ` then `description `."""
    return cell_len(key_display) + 2 + (cell_len(description) + 1 if description else 0)


def fitting(keys: list[tuple[str, int]], ranking: Sequence[str], width: int) -> set[int]:
    """Indexes of `keys` ((action, cells) pairs) that fit in `width` cells.

    Unranked actions go first (the rightmost first), then ranked ones from the end of
    `ranking`; `ranking[0]` is never dropped, whatever the width."""
    rank = {action: i for i, action in enumerate(ranking)}
    never = ranking[0] if ranking else None
    drop_order = sorted(range(len(keys)),
                        key=lambda i: (-rank.get(keys[i][0], len(rank)), -i))
    kept = set(range(len(keys)))
    total = sum(cells for _, cells in keys)
    for index in drop_order:
        if total <= width:
            break
        if keys[index][0] == never:
            continue
        kept.discard(index)
        total -= keys[index][1]
    return kept


def action_name(action: str) -> str:
    """`toggle_pause('pause')` → `toggle_pause`."""
    return action.split("(", 1)[0]


class FittingFooter(Footer):
    """Textual's Footer, with the keys that do not fit left out by rank (`FOOTER_KEEP`)."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("show_command_palette", False)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._fitted_width = 0

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        width = self.size.width or self.app.size.width
        self._fitted_width = width
        # FooterKey is not exported by textual.widgets: know the keys by what they carry.
        keys = [w for w in widgets if hasattr(w, "key_display") and hasattr(w, "action")]
        if len(keys) != len(widgets):  # groups: leave Textual's layout alone
            yield from widgets
            return
        ranking = tuple(getattr(self.screen, "FOOTER_KEEP", ()))
        kept = fitting([(action_name(getattr(k, "action", "")),
                         key_width(getattr(k, "key_display", ""), getattr(k, "description", "")))
                        for k in keys], ranking, width)
        for index, key in enumerate(keys):
            if index in kept:
                yield key

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width != self._fitted_width and self.is_attached:
            self._fitted_width = event.size.width
            self.call_after_refresh(self.recompose)
