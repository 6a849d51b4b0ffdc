"""The main screen: summary bar, watch table, detail pane, filter, and the actions on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Header

from lox24tui.session.all_accounts import AccountTag, AllAccounts
from lox24tui.session.events import EngineChanged, ListChanged, RowsChanged, UndoChanged
from lox24tui.state.preferences import PreferencesFile
from lox24tui.text import humanize, sanitise
from lox24tui.tui.messages import SessionNews
from lox24tui.tui.screens.detail import DetailScreen
from lox24tui.tui.screens.dialogs import ConfirmScreen, LabelScreen
from lox24tui.tui.screens.export import ExportScreen, default_export_name
from lox24tui.tui.widgets.bulk_table import BulkTable
from lox24tui.tui.widgets.bulk_view import BulkView
from lox24tui.tui.widgets.detail_pane import DetailPane
from lox24tui.tui.widgets.filter_field import FilterField
from lox24tui.tui.widgets.footer import Footer
from lox24tui.tui.widgets.summary_bar import (
    BarContent,
    SummaryBar,
    account_balance_text,
    account_lines,
    account_spend_text,
)

COMPACT_FOOTER_BELOW: Final = 100
"""Columns under which the footer is compact (at 80, the full one loses its last keys)."""


class MainScreen(Screen[None]):
    """The watch session at a glance. Reads the session and acts through it; the session's
    messages keep it current."""

    AUTO_FOCUS = "#bulks"
    BINDINGS = [
        # The footer shows the primary keys only (it is one line, 80 columns at least); the
        # rest are in ? help and the command palette.
        Binding("a", "add", "Add", tooltip="Watch one or more bulks", id="main.add"),
        Binding(
            "exclamation_mark",
            "app.alerts",
            "Alerts",
            tooltip="What the alert rules fired, and what their actions returned",
            show=False,
            id="main.alerts",
        ),
        Binding("u", "undo", "Undo", tooltip="Put back the last bulk removed", id="undo"),
        Binding(
            "u",
            "nothing_to_undo",
            "Undo",
            tooltip="Nothing was removed yet",
            show=False,
            id="undo.nothing",
        ),
        Binding(
            "R",
            "refresh_all",
            "Refresh all",
            tooltip="Fetch every watched bulk now",
            show=False,
            id="main.refresh_all",
        ),
        Binding(
            "p", "pause", "Pause", tooltip="Stop or restart polling", show=False, id="main.pause"
        ),
        # A priority binding: it runs as soon as the app reads the key, so the keys typed
        # right after it (a burst from a fast typist or a remote terminal) reach the field it
        # opens, not the table that had the focus when they arrived. Off while the field has
        # the focus, so that a / typed there is text.
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Show only bulks matching a text or status",
            priority=True,
            id="main.filter",
        ),
        Binding(
            "v",
            "toggle_detail",
            "Detail",
            tooltip="Show or hide the selected bulk in full",
            id="main.detail",
        ),
        Binding(
            "t",
            "app.token",
            "Token",
            tooltip="Enter another API token",
            show=False,
            id="main.token",
        ),
        Binding(
            "x",
            "export",
            "Export",
            tooltip="Write the bulks shown as CSV or JSON",
            show=False,
            id="main.export",
        ),
        Binding(
            "i",
            "app.discover",
            "Import",
            tooltip="Pick bulks from the account's recent ones",
            show=False,
            id="main.import",
        ),
        Binding(
            "m",
            "messages",
            "Messages",
            tooltip="The selected bulk's messages: numbers, reports, prices",
            show=False,
            id="main.messages",
        ),
        Binding(
            "X",
            "cancel_bulk",
            "Cancel",
            tooltip="Stop the selected bulk at LOX24 before it is sent (asks first)",
            id="main.cancel",
        ),
        Binding(
            "X",
            "why_no_cancel",
            "Cancel bulk",
            tooltip="Why the selected bulk cannot be canceled",
            show=False,
            id="main.cancel.why",
        ),
        Binding(
            "A",
            "toggle_archived",
            "Archived",
            tooltip="Show or hide bulks that finished long ago (archive_after)",
            show=False,
            id="main.archived",
        ),
        Binding("escape", "escape", "Back", show=False, id="main.escape"),
    ]
    """
    | Key | Action |
    | :- | :- |
    | a | Add bulks to the watch list. |
    | u | Undo the last removal. |
    | R | Refresh every bulk now. |
    | p | Pause or resume polling (also retries a refused token). |
    | / | Filter by text or status. |
    | v | Show or hide the detail pane. |
    | j | Raw JSON in the detail pane (the pane's own key, available from the table too). |
    | C | Copy the request id shown in the detail pane. |
    | t | Enter another API token. |
    | x | Export the bulks shown (filtered, in the order shown) as CSV or JSON. |
    | i | Import: pick bulks from the account's recent ones (no UUIDs to type). |
    | m | The selected bulk's messages, page by page. |
    | X | Cancel the selected bulk at LOX24 (asks first; never for a finished bulk). |
    | A | Show or hide the archive: bulks that finished more than archive_after hours ago. |
    """

    @dataclass
    class CancelConfirmed(Message):
        """The person confirmed canceling a bulk at LOX24; the App sends it (it holds the
        client), through the account guard."""

        bulk_id: str

    class AddWanted(Message):
        """The person asked to watch more bulks; the App asks which account, if there are
        several, and opens the add dialog for it."""

    @dataclass
    class MessagesWanted(Message):
        """The person asked for a bulk's messages; the App opens them (it holds the client)."""

        bulk_id: str

    bar: reactive[BarContent | None] = reactive(None)
    """What the summary bar shows (bound to it)."""

    def __init__(self, session: AllAccounts, preferences: PreferencesFile | None = None) -> None:
        super().__init__()
        self.session = session
        self.preferences = preferences or PreferencesFile(None)
        self._stops: dict[AccountTag, str | None] = {}
        """Each account's stop, as its rows last showed it."""
        self._cancel_offered: bool | None = None
        """Whether X was offered at the last cursor move: the footer is redrawn only when
        that changes, not at every move."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield SummaryBar(id="summary").data_bind(showing=MainScreen.bar)
        clear = self.session.key_name("main.escape")
        view = BulkView(self.session, self.preferences, self.show_summary, id="body")
        yield FilterField(
            view,
            placeholder=f"Filter: text or status (e.g. “in progress”), {clear} clears",
            id="filter",
        )
        yield view
        yield Footer()

    @property
    def view(self) -> BulkView:
        return self.query_one(BulkView)

    @property
    def table(self) -> BulkTable:
        return self.view.table

    @property
    def pane(self) -> DetailPane:
        return self.view.pane

    def on_mount(self) -> None:
        # a guard's stop that lifts by itself counts down in the bar, second by second
        self.set_interval(
            1.0, lambda: self.show_summary() if self.session.engine.counting_down else None
        )

    # ------------------------------------------------------------ the session's news

    @on(SessionNews)
    def _session_news(self, message: SessionNews) -> None:
        match message.event:
            case RowsChanged(bulk_ids):
                self.view.apply(bulk_ids)
                if self.table.selected_id in bulk_ids:
                    self._offer_cancel_where_it_can()
            case ListChanged(removed, select):
                if self.pane.bulk_id in removed:
                    self.view.pane_open = False
                self.view.rebuild()
                if select is not None:
                    self.table.select(select)
            case EngineChanged():
                self._redraw_stopped_accounts()
                self.show_summary()
            case UndoChanged():
                self.refresh_bindings()

    def _redraw_stopped_accounts(self) -> None:
        """An account's token was refused, or works again: its rows say so at once."""
        stops = self.session.engine.stops()
        changed = {tag for tag, stop in stops.items() if self._stops.get(tag) != stop}
        self._stops = stops
        if changed and self.session.several:
            accounts = [a for a in self.session.accounts if a.tag in changed]
            self.view.apply({b for account in accounts for b in account.session.ids})

    def show_summary(self) -> None:
        session = self.session
        view = self.view
        shown = self.table.shown_count if view.filter_text else None
        archived = 0 if view.show_archived else session.archived_count()
        currency = session.currency
        self.table.show_currency(currency)
        first = session.accounts[0].session.balance
        self.bar = BarContent(
            session.summary(archived=view.show_archived),
            session.engine.interval,
            session.demo,
            shown=shown,
            engine_failure=session.engine.failure,
            archived=archived,
            balance=None if session.several else account_balance_text(first),
            spend=() if session.several else account_spend_text(first),
            currency=currency,
            archive_shown=view.show_archived and bool(session.archive_after),
            key_name=session.key_name,
            accounts=tuple(
                account_lines(
                    account.tag,
                    account.session.summary(archived=view.show_archived),
                    account.session.balance,
                )
                for account in session.accounts
            )
            if session.several
            else (),
        )

    def on_resize(self, event: events.Resize) -> None:
        """Below COMPACT_FOOTER_BELOW columns the footer drops its padding, so that every key it
        offers (X included, where a bulk can be canceled) still fits on its one line. Below room
        for the pane beside the table, the pane moves over it, on its bulk."""
        self.query_one(Footer).compact = event.size.width < COMPACT_FOOTER_BELOW
        self.view.fit_pane(event.size.width)

    def _offer_cancel_where_it_can(self) -> None:
        """X is offered for some bulks only: the footer is redrawn when the cursor reaches a
        bulk where that changes, or when the selected bulk's status does."""
        cancel_offered = self.check_action("cancel_bulk", ())
        if cancel_offered != self._cancel_offered:
            self._cancel_offered = cancel_offered
            self.refresh_bindings()

    @on(BulkView.TooNarrowForPane)
    def _open_over_the_table(self, message: BulkView.TooNarrowForPane) -> None:
        def reopen(beside: str | None) -> None:
            """The terminal grew: the pane moves beside the table, on the same bulk."""
            if beside is not None and beside in self.session.states:
                self.view.open_detail(beside)

        self.app.push_screen(DetailScreen(self.session, message.bulk_id), callback=reopen)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self) -> None:
        self._offer_cancel_where_it_can()

    # ------------------------------------------------------------ actions

    def action_toggle_detail(self) -> None:
        self.view.action_toggle_detail()

    def action_toggle_archived(self) -> None:
        self.view.toggle_archived()

    def action_add(self) -> None:
        self.post_message(self.AddWanted())

    @on(BulkTable.RemoveRequested)
    def _remove_requested(self, event: BulkTable.RemoveRequested) -> None:
        """Removing is one key away from the cursor: ask first (u undoes it anyway)."""
        bulk_id = event.bulk_id
        label = self.session.label_of(bulk_id)
        name = f"“{sanitise.one_line(label)}” ({bulk_id})" if label else bulk_id

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.session.remove(bulk_id)

        self.app.push_screen(
            ConfirmScreen(
                f"Stop watching {name}?\n\n{self.session.key_name('undo')} undoes it.",
                yes="Remove",
            ),
            callback=confirmed,
        )

    @on(BulkTable.LabelEditRequested)
    def _label_edit_requested(self, event: BulkTable.LabelEditRequested) -> None:
        bulk_id = event.bulk_id

        def relabel(new_label: str | None) -> None:
            if new_label is not None:
                self.session.set_label(bulk_id, new_label)

        self.app.push_screen(LabelScreen(bulk_id, self.session.label_of(bulk_id)), callback=relabel)

    @on(BulkTable.RefreshRequested)
    def _refresh_requested(self, event: BulkTable.RefreshRequested) -> None:
        """Within the engine's rules: a bulk the account guard holds back says why."""
        why = self.session.engine.refresh(event.bulk_id)
        if why is None:
            self.notify("Refreshing…", timeout=2)
        else:
            self.notify(f"Not refreshed: {why}", severity="warning", markup=False)

    def action_messages(self) -> None:
        bulk_id = self.table.selected_id
        if bulk_id is not None:
            self.post_message(self.MessagesWanted(bulk_id))

    def action_why_no_cancel(self) -> None:
        """X where canceling is not offered: check_action takes "Cancel bulk" out of the
        footer, which also disables its key, so this hidden binding of X says why instead."""
        bulk_id = self.table.selected_id
        if bulk_id is None:
            self.notify("No bulk is selected: there is nothing to cancel.", timeout=4)
            return
        self.notify(
            self.session.why_no_cancel(bulk_id) or "", severity="warning", markup=False, timeout=6
        )

    def action_cancel_bulk(self) -> None:
        """Canceling cannot be undone: say what is canceled, in full, and ask."""
        bulk_id = self.table.selected_id
        if bulk_id is None or not self.session.can_cancel(bulk_id):
            return
        label = self.session.label_of(bulk_id)
        name = f"“{sanitise.one_line(label)}” ({bulk_id})" if label else bulk_id
        status = self.session.states[bulk_id].reply
        details = ""
        if status is not None:
            count = humanize.count(status.status.msg_total_count)
            when = status.status.delivery_at
            at = humanize.local_time_relative(when, self.session.now()) if when else "—"
            details = f"\n\n{count} messages, delivery {at}."

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.post_message(self.CancelConfirmed(bulk_id))

        self.app.push_screen(
            ConfirmScreen(
                f"Cancel {name} at LOX24?{details}\n\nWhat is not sent yet will not be sent. "
                "This cannot be undone.",
                yes="Cancel bulk",
            ),
            callback=confirmed,
        )

    def action_undo(self) -> None:
        self.session.undo_removal.undo()

    def action_nothing_to_undo(self) -> None:
        """u with nothing to undo: check_action takes "Undo" out of the footer, which
        also disables its key, so this second, hidden binding of u answers instead."""
        self.session.undo_removal.undo()

    def action_refresh_all(self) -> None:
        self.session.engine.refresh_all()
        self.notify("Refreshing every bulk…", timeout=2)

    async def action_pause(self) -> None:
        session = self.session
        if session.engine.waiting_for_token:
            await self.run_action("app.token")
            return
        if session.engine.held:
            session.engine.resume()
            self.notify("Polling resumed.", timeout=2)
        else:
            session.engine.pause()

    def action_export(self) -> None:
        """Export what the table shows: the rows the filter lets through, in the order shown
        (a sort included), as a person looking at the screen expects."""
        shown = self.table.shown_ids

        def chosen(path: str | None) -> None:
            if path:
                self.session.export(path, shown)

        suggestion = default_export_name(self.session.now().astimezone())
        self.app.push_screen(
            ExportScreen(suggestion, len(shown), filtered=bool(self.view.filter_text)),
            callback=chosen,
        )

    def action_filter(self) -> None:
        self.query_one(FilterField).open()

    def action_escape(self) -> None:
        """The filter first, if it is open; then the pane."""
        if not self.query_one(FilterField).clear_away() and self.view.pane_open:
            self.view.close_pane()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "filter":
            return not isinstance(self.focused, FilterField)
        if action == "undo":  # out of the footer while there is nothing to undo
            return self.session.undo_removal.can_undo
        if action == "cancel_bulk":  # never offered read-only, nor for a finished bulk
            bulk_id = self.table.selected_id
            return bulk_id is not None and self.session.can_cancel(bulk_id)
        if action == "why_no_cancel":
            bulk_id = self.table.selected_id
            return bulk_id is None or not self.session.can_cancel(bulk_id)
        return True
