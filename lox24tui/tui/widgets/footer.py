"""Textual's footer, redrawn only when what it shows changes, its keys made in its own style.

Textual's footer removes and mounts every one of its keys at each change of the screen's
bindings, whether or not what it shows changed: the focus moving between widgets with the same
keys, a screen asking for its bindings to be checked again. Its ``FooterKey`` also starts
compact and takes the footer's ``compact`` through a data binding once mounted, so a full
footer restyled each key twice, compact on and off again, at every redraw. Measured in the
dashboard's tests: the restyling 8 % of the CPU, the redraws 10 %. This footer redraws when a
key, its label, its state (offered, greyed) or its display changes, and makes its keys in its
own style; the command palette's key is not bound, and stays compact, as Textual leaves it.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual import widgets
from textual.app import ComposeResult
from textual.widgets._footer import FooterKey  # not re-exported; textual is pinned to 8.2


class Footer(widgets.Footer):
    """The key bar at the bottom of every screen."""

    _drawn_for: Hashable = None

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    async def recompose(self) -> None:
        shown = self._what_it_shows()
        if self.children and shown == self._drawn_for:
            return
        self._drawn_for = shown
        await super().recompose()

    def _what_it_shows(self) -> Hashable:
        if not self.is_attached:
            return None
        display = self.app.get_key_display
        return self.show_command_palette, tuple(
            (binding, display(binding), enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        )
