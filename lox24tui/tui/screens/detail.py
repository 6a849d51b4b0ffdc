"""The detail pane as a screen of its own, for terminals too narrow to show it beside the table."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from lox24tui.tui.widgets.detail_pane import DetailPane

PANE_BESIDE_FROM = 120
"""Terminal columns from which the detail pane sits beside the table; narrower, it is this
screen, over the table."""


class DetailScreen(Screen[str | None]):
    """Dismisses with None when closed, or with its bulk id when the terminal grew wide enough
    for the pane beside the table (which then shows that bulk)."""

    BINDINGS = [Binding("escape,v", "close", "Back", id="detail.close")]

    def __init__(self) -> None:
        super().__init__()
        self._pane = DetailPane(id="detail-screen-pane", classes="-screen")
        """Built now, so it can be filled before the screen has composed."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield self._pane
        yield Footer()

    @property
    def pane(self) -> DetailPane:
        return self._pane

    def on_mount(self) -> None:
        self.pane.focus()

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width >= PANE_BESIDE_FROM and self.is_active:  # not again once leaving
            self.dismiss(self.pane.bulk_id)

    def action_close(self) -> None:
        self.dismiss(None)
