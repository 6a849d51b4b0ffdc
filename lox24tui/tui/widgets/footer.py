"""Textual's footer, with its keys made in the footer's style from the start.

Textual's ``FooterKey`` starts compact and takes the footer's ``compact`` through a data
binding when it is mounted: a full footer restyles each of its keys twice, compact on and off
again, at every redraw of the footer, which comes with every change of what the keys offer (a
screen opened, the focus moved, X offered for one bulk and not the next). Measured on the demo:
8 % of the dashboard's CPU went there. Keys made here already carry the footer's style, so the
binding finds nothing to change. The command palette's key is not bound, and stays compact, as
Textual leaves it.
"""

from __future__ import annotations

from textual import widgets
from textual.app import ComposeResult
from textual.widgets._footer import FooterKey  # not re-exported; textual is pinned to 8.2


class Footer(widgets.Footer):
    """The key bar at the bottom of every screen."""

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget
