"""The detail pane as a screen of its own, for terminals too narrow to show it beside the table."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header

from lox24tui.tui.widgets.detail_pane import DetailPane


class DetailScreen(Screen[None]):
    BINDINGS = [Binding("escape,v", "close", "Back")]

    def __init__(self) -> None:
        super().__init__()
        self._pane = DetailPane(id="detail-screen-pane")
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

    def action_close(self) -> None:
        self.dismiss(None)
