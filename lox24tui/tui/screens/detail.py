"""The detail pane as a screen of its own, for terminals too narrow to show it beside the table."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Header

from lox24tui.session.all_accounts import AllAccounts
from lox24tui.session.events import ListChanged, RowsChanged
from lox24tui.tui.messages import SessionNews
from lox24tui.tui.widgets import detail_pane
from lox24tui.tui.widgets.detail_pane import PANE_BESIDE_FROM, DetailPane, show_bulk
from lox24tui.tui.widgets.footer import Footer


class DetailScreen(Screen[str | None]):
    """One bulk in full, kept up to date. Dismisses with None when closed or when its bulk is no
    longer watched, or with its bulk id when the terminal grew wide enough for the pane beside
    the table (which then shows that bulk)."""

    BINDINGS = [Binding("escape,v", "close", "Back", id="detail.close")]

    def __init__(self, session: AllAccounts, bulk_id: str) -> None:
        super().__init__()
        self.session = session
        self.bulk_id = bulk_id
        self._pane = DetailPane(id="detail-screen-pane", classes="-screen")
        show_bulk(self._pane, session, bulk_id)  # filled before the first frame

    def compose(self) -> ComposeResult:
        yield Header()
        yield self._pane
        yield Footer()

    @property
    def pane(self) -> DetailPane:
        return self._pane

    def on_mount(self) -> None:
        self.pane.focus()
        self.set_interval(detail_pane.TIMES_SECONDS, self._show)

    def _show(self) -> None:
        if self.bulk_id in self.session.states:
            show_bulk(self.pane, self.session, self.bulk_id)

    @on(SessionNews)
    def _session_news(self, message: SessionNews) -> None:
        match message.event:
            case RowsChanged(bulk_ids) if self.bulk_id in bulk_ids:
                self._show()
            case ListChanged(removed) if self.bulk_id in removed and self.is_active:
                self.dismiss(None)

    def on_resize(self, event: events.Resize) -> None:
        if event.size.width >= PANE_BESIDE_FROM and self.is_active:  # not again once leaving
            self.dismiss(self.bulk_id)

    def action_close(self) -> None:
        self.dismiss(None)
