"""The main screen: summary bar, watch table, detail pane, filter, and the actions on them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Final

from textual import events, on
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input

from lox24tui.session.events import EngineChanged, ListChanged, RowsChanged, UndoChanged
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.preferences import PreferencesFile
from lox24tui.text import humanize, sanitise
from lox24tui.tui.cells import COLUMNS, Cell, row_cells, status_text, time_cells
from lox24tui.tui.messages import SessionNews
from lox24tui.tui.screens import detail
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.detail import PANE_BESIDE_FROM, DetailScreen, show_bulk
from lox24tui.tui.screens.dialogs import ConfirmScreen, LabelScreen
from lox24tui.tui.screens.export import ExportScreen, default_export_name
from lox24tui.tui.widgets.bulk_table import BulkTable
from lox24tui.tui.widgets.detail_pane import DetailPane
from lox24tui.tui.widgets.summary_bar import BarContent, SummaryBar, balance_text

PALETTE_BINDINGS: Final = (
    "main.add",
    "main.refresh_all",
    "main.pause",
    "main.filter",
    "main.detail",
    "table.remove",
    "table.label",
    "table.refresh",
    "table.copy_id",
    "undo",
    "main.token",
    "main.export",
    "main.import",
    "main.archived",
    "main.messages",
    "main.cancel",
    "main.raw_json",
    "main.copy_request_id",
)
"""The main screen's and the watch table's bindings offered in the command palette, in its
order. Each entry's title, help and key come from the binding itself (see palette_commands)."""


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
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Show only bulks matching a text or status",
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
            "j",
            "raw_json",
            "Raw JSON",
            tooltip="The detail pane: fields or raw JSON",
            show=False,
            id="main.raw_json",
        ),
        Binding(
            "C",
            "copy_request_id",
            "Copy request id",
            tooltip="From the detail pane",
            show=False,
            id="main.copy_request_id",
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

    @dataclass
    class MessagesWanted(Message):
        """The person asked for a bulk's messages; the App opens them (it holds the client)."""

        bulk_id: str

    bar: reactive[BarContent | None] = reactive(None)
    """What the summary bar shows (bound to it)."""
    show_archived: reactive[bool] = reactive(False)
    """Whether bulks that finished long ago are shown (the archive)."""
    pane_open: reactive[bool] = reactive(False, bindings=True)
    """Whether the detail pane shows beside the table. Its keys (j, C) and its palette entries
    follow it, so changing it refreshes the bindings."""

    def __init__(self, session: WatchSession, preferences: PreferencesFile | None = None) -> None:
        super().__init__()
        self.session = session
        self.preferences = preferences or PreferencesFile(None)
        self._cancel_offered: bool | None = None
        """Whether X was offered at the last cursor move: the footer is redrawn only when
        that changes, not at every move."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield SummaryBar(id="summary").data_bind(showing=MainScreen.bar)
        yield Input(
            placeholder="Filter: text or status (e.g. “in progress”), Esc clears", id="filter"
        )
        with Horizontal(id="body"):
            yield BulkTable(id="bulks")
            yield DetailPane(id="pane", classes="-beside")
        yield Footer()

    @property
    def table(self) -> BulkTable:
        return self.query_one(BulkTable)

    @property
    def pane(self) -> DetailPane:
        return self.query_one("#pane", DetailPane)

    @property
    def filter_text(self) -> str:
        field = self.query_one("#filter", Input)
        return field.value.strip().lower() if field.display else ""

    def on_mount(self) -> None:
        self.table.time_cells = self._time_cells
        self.table.key_name = self.session.key_name
        self.rebuild()
        self._restore_preferences()
        self.set_interval(detail.TIMES_SECONDS, self.refresh_times)
        self.set_interval(1.0, self._tick_countdown)

    def _restore_preferences(self) -> None:
        """The sort and the pane as the person left them. The pane comes back only where it
        fits beside the table: opened over it, it would hide the list they came to see."""
        chosen = self.preferences.current
        if chosen.sort_column in {column.key for column in COLUMNS}:
            self.table.sort_by(chosen.sort_column, chosen.sort_reverse, scroll=False)
        bulk_id = self.table.selected_id
        if chosen.pane_open and bulk_id is not None and self.app.size.width >= PANE_BESIDE_FROM:
            self.open_detail(bulk_id)

    def _remember(self, **changes: object) -> None:
        problem = self.preferences.update(**changes)
        if problem is not None:
            self.notify(problem, title="Preferences", severity="warning", markup=False)

    @on(BulkTable.SortChanged)
    def _sort_changed(self, event: BulkTable.SortChanged) -> None:
        self._remember(sort_column=event.column, sort_reverse=event.reverse)

    def watch_pane_open(self, pane_open: bool) -> None:
        """Also runs on mount, hiding the pane until a bulk is opened. The pane's own display
        style, not a class on the screen: a class takes effect at the next style update, and the
        pane must be gone (or there, to take focus) at once."""
        self.pane.display = pane_open

    # ------------------------------------------------------------ the session's news

    @on(SessionNews)
    def _session_news(self, message: SessionNews) -> None:
        match message.event:
            case RowsChanged(bulk_ids):
                self.apply(bulk_ids)
            case ListChanged(removed, select):
                if self.pane.bulk_id in removed:
                    self.pane_open = False
                self.rebuild()
                if select is not None:
                    self.table.select(select)
            case EngineChanged():
                self.show_summary()
            case UndoChanged():
                self.refresh_bindings()

    def _tick_countdown(self) -> None:
        if self.session.engine.counting_down:
            self.show_summary()

    # ------------------------------------------------------------ drawing

    def cells_for(self, bulk_id: str) -> dict[str, Cell]:
        session = self.session
        return row_cells(session.label_of(bulk_id), session.states[bulk_id], session.clock.now())

    def matches(self, bulk_id: str, text: str | None = None) -> bool:
        """Whether the table shows this bulk: not archived (unless shown), and matching the
        filter's ``text`` (by default the filter as it reads now)."""
        session = self.session
        if not self.show_archived and session.is_archived(bulk_id):
            return False
        text = self.filter_text if text is None else text
        if not text:
            return True
        label, _ = status_text(session.states[bulk_id], session.now())
        haystack = " ".join([session.label_of(bulk_id), bulk_id, label]).lower()
        return text in haystack

    def rebuild(self) -> None:
        """Show every watched bulk that matches the filter, in watch-list order."""
        text = self.filter_text
        self.table.set_rows(
            [bulk_id for bulk_id in self.session.ids if self.matches(bulk_id, text)],
            self.cells_for,
        )
        self.show_summary()
        self.show_detail_of_selection()

    def apply(self, changed: frozenset[str] | set[str]) -> None:
        """Bring the rows of ``changed`` bulks up to date (and the pane, if it shows one)."""
        table = self.table
        states = self.session.states
        resort = False
        for bulk_id in self.session.ids:  # watch-list order, for rows added
            if bulk_id not in changed or bulk_id not in states:
                continue
            visible = self.matches(bulk_id)
            if visible and table.has(bulk_id):
                cells = self.cells_for(bulk_id)
                if table.update_bulk(bulk_id, cells) and table.sort_column is not None:
                    resort = True
            elif visible and self.filter_text:
                self.rebuild()  # it now matches the filter: put it where it belongs
                return
            elif visible:
                table.add_bulk(bulk_id, self.cells_for(bulk_id))
                resort = True
            elif table.has(bulk_id):
                table.remove_bulk(bulk_id)
        if resort:
            table.sort_by(table.sort_column, table.sort_reverse, scroll=False)
        self.show_summary()
        self.show_detail_of_selection(only_if=changed)
        if self.table.selected_id in changed:
            self._offer_cancel_where_it_can()

    def refresh_times(self) -> None:
        """Relative times age: redraw the time cells whose text moved on, of the rows on screen
        (rows scrolling into view catch up as they come: BulkTable.time_cells)."""
        self.table.refresh_visible_times()
        self.show_detail_of_selection()
        self.tell_what_is_seen()

    def tell_what_is_seen(self) -> None:
        """The engine counts the delivery of the bulks on screen first, the selected one first
        of all: told at each cursor move and every few seconds (which also catches scrolling)."""
        self.session.engine.prioritise(self.table.visible_ids())

    def _time_cells(self, bulk_id: str) -> dict[str, Cell]:
        state = self.session.states.get(bulk_id)
        return {} if state is None else time_cells(state, self.session.clock.now())

    def show_summary(self) -> None:
        session = self.session
        shown = self.table.shown_count if self.filter_text else None
        archived = 0 if self.show_archived else session.archived_count()
        self.table.show_currency(session.balance.currency)
        self.bar = BarContent(
            session.summary(archived=self.show_archived),
            session.engine.interval,
            session.demo,
            shown=shown,
            engine_failure=session.engine.failure,
            archived=archived,
            balance=balance_text(
                session.balance.account.balance_amount if session.balance.account else None,
                session.balance.currency,
                low=session.balance.is_low,
                out_of_funds=session.balance.out_of_funds,
            ),
            currency=session.balance.currency,
            archive_shown=self.show_archived and bool(session.archive_after),
            key_name=session.key_name,
        )

    def watch_show_archived(self) -> None:
        if self.is_mounted:
            self.rebuild()

    def action_toggle_archived(self) -> None:
        if not self.session.archive_after:
            self.notify("Nothing is archived: archive_after is 0 in the config.", timeout=4)
            return
        self.show_archived = not self.show_archived
        hours = f"{self.session.archive_after:g} h"
        key = self.session.key_name("main.archived")
        if self.show_archived:
            self.notify(f"Showing bulks that finished over {hours} ago too ({key} hides them).")
        else:
            self.notify(f"Bulks that finished over {hours} ago are hidden ({key} shows them).")

    # ------------------------------------------------------------ detail

    def show_detail_of_selection(self, only_if: frozenset[str] | set[str] | None = None) -> None:
        """The pane beside the table follows the cursor."""
        if not self.pane_open:
            return
        bulk_id = self.table.selected_id
        if bulk_id is None or bulk_id not in self.session.states:
            return
        if only_if is not None and bulk_id not in only_if and self.pane.bulk_id == bulk_id:
            return
        show_bulk(self.pane, self.session, bulk_id)

    def open_detail(self, bulk_id: str) -> None:
        """Beside the table when the terminal is wide enough, else as a screen of its own."""
        if self.app.size.width >= PANE_BESIDE_FROM:
            self.pane_open = True
            show_bulk(self.pane, self.session, bulk_id)
            return

        def reopen(beside: str | None) -> None:
            """The terminal grew: the pane moves beside the table, on the same bulk."""
            if beside is not None and beside in self.session.states:
                self.open_detail(beside)

        self.app.push_screen(DetailScreen(self.session, bulk_id), callback=reopen)

    def on_resize(self, event: events.Resize) -> None:
        """The terminal shrank below room for the pane: it moves over the table, on its bulk.
        Below COMPACT_FOOTER_BELOW columns the footer drops its padding, so that every key it
        offers (X included, where a bulk can be canceled) still fits on its one line."""
        self.query_one(Footer).compact = event.size.width < COMPACT_FOOTER_BELOW
        bulk_id = self.pane.bulk_id
        if self.pane_open and event.size.width < PANE_BESIDE_FROM and bulk_id is not None:
            self.pane_open = False
            self.table.focus()
            self.open_detail(bulk_id)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_detail(event.row_key.value)
            self._remember_pane()

    def _remember_pane(self) -> None:
        """Whether the person keeps the pane open; only where it can sit beside the table
        (below that width it is a screen of its own, opened for one look)."""
        if self.app.size.width >= PANE_BESIDE_FROM:
            self._remember(pane_open=self.pane_open)

    def _offer_cancel_where_it_can(self) -> None:
        """X is offered for some bulks only: the footer is redrawn when the cursor reaches a
        bulk where that changes, or when the selected bulk's status does."""
        cancel_offered = self.check_action("cancel_bulk", ())
        if cancel_offered != self._cancel_offered:
            self._cancel_offered = cancel_offered
            self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._offer_cancel_where_it_can()
        bulk_id = event.row_key.value
        if self.pane_open and bulk_id is not None and bulk_id in self.session.states:
            show_bulk(self.pane, self.session, bulk_id)
        self.tell_what_is_seen()

    def action_toggle_detail(self) -> None:
        if self.pane_open:
            self.pane_open = False
        elif self.table.selected_id is not None:
            self.open_detail(self.table.selected_id)
        self._remember_pane()

    # ------------------------------------------------------------ actions

    def action_add(self) -> None:
        session = self.session

        def added(count: int | None) -> None:
            if count:
                self.table.focus()

        self.app.push_screen(AddBulksScreen(lambda: set(session.ids), session.add), callback=added)

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
        self.session.undo()

    def action_nothing_to_undo(self) -> None:
        """u with nothing to undo: check_action takes "Undo" out of the footer, which
        also disables its key, so this second, hidden binding of u answers instead."""
        self.session.undo()

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
            ExportScreen(suggestion, len(shown), filtered=bool(self.filter_text)), callback=chosen
        )

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        self.set_focus(field)  # at once, so keys typed right after "/" reach the filter

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.rebuild()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.table.focus()

    def action_escape(self) -> None:
        field = self.query_one("#filter", Input)
        if field.display:
            field.value = ""
            field.display = False
            self.rebuild()
            self.table.focus()
        elif self.pane_open:
            self.pane_open = False
            self.table.focus()
            self._remember_pane()

    def action_raw_json(self) -> None:
        self.pane.action_toggle_raw()

    def action_copy_request_id(self) -> None:
        self.pane.action_copy_request_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":  # out of the footer while there is nothing to undo
            return self.session.undo_removal.can_undo
        if action == "cancel_bulk":  # never offered read-only, nor for a finished bulk
            bulk_id = self.table.selected_id
            return bulk_id is not None and self.session.can_cancel(bulk_id)
        if action == "why_no_cancel":
            bulk_id = self.table.selected_id
            return bulk_id is None or not self.session.can_cancel(bulk_id)
        if action in ("raw_json", "copy_request_id"):
            return self.pane_open
        return True

    # ------------------------------------------------------------ command palette

    def palette_commands(self) -> Iterator[SystemCommand]:
        """The sort picker, then a palette entry per binding in PALETTE_BINDINGS, written from
        the binding: its description, its tooltip and the key that runs it now (the keymap's,
        if it rebinds it), so the palette cannot name another key than the footer and the keys
        panel. An action its node disables (check_action) is left out, as the footer leaves it
        out; a key that does not reach it from the focused widget (typing in the filter) is not
        named."""
        yield SystemCommand(
            "Sort by…", "Pick a column, or the watch-list order (s, S)", self.table.action_pick_sort
        )
        declared = {
            binding.id: (node, binding)
            for node in (self, self.table)
            for binding in node.BINDINGS
            if isinstance(binding, Binding)
        }
        active = {
            found.binding.id: found.binding
            for found in self.active_bindings.values()
            if found.binding.id
        }
        for binding_id in PALETTE_BINDINGS:
            node, binding = declared[binding_id]
            if node.check_action(binding.action, ()) is False:
                continue
            help_text = binding.tooltip
            if binding_id in active:
                help_text += f" ({self.app.get_key_display(active[binding_id])})"
            yield SystemCommand(
                binding.description, help_text, partial(self.app.run_action, binding.action, node)
            )
