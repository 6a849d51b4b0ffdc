"""The watched bulks as the main screen shows them: the table, and beside it the detail pane of
the bulk under the cursor.

The screen around it owns the summary bar, the filter field and the actions that open dialogs;
this view owns which rows are shown and how (the filter's text, the archive), where the pane sits
and what it shows, and the sort and pane the person left. The pane's keys (j, C) are declared
here, so they reach it from the table, its focused child. v and A stay among the screen's
bindings: the footer and the keys panel list them in the screen's order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable

from lox24tui.session.all_accounts import AllAccounts
from lox24tui.state.preferences import PreferencesFile
from lox24tui.tui.rows import Rows
from lox24tui.tui.widgets import detail_pane
from lox24tui.tui.widgets.bulk_table import BulkTable
from lox24tui.tui.widgets.detail_pane import PANE_BESIDE_FROM, DetailPane, show_bulk

PANE_ACTIONS: Final = frozenset({"raw_json", "copy_request_id"})
"""The pane's keys, offered only while it is open."""


class BulkView(Horizontal):
    """The table of watched bulks and the detail pane beside it."""

    BINDINGS = [
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
    ]

    @dataclass
    class TooNarrowForPane(Message):
        """A bulk was opened where the pane does not fit beside the table: the screen shows it
        on a screen of its own, over the table."""

        bulk_id: str

    filter_text: reactive[str] = reactive("")
    """The filter as typed, trimmed and lower-cased ("" shows every bulk)."""
    show_archived: reactive[bool] = reactive(False)
    """Whether bulks that finished long ago are shown (the archive)."""
    pane_open: reactive[bool] = reactive(False, bindings=True)
    """Whether the detail pane shows beside the table. Its keys (j, C) and its palette entries
    follow it, so changing it refreshes the bindings."""

    def __init__(
        self,
        session: AllAccounts,
        preferences: PreferencesFile,
        shown: Callable[[], None],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.session = session
        self.rows = Rows(session)
        """Which bulks the filter lets through, and their cells."""
        self.preferences = preferences
        self._shown = shown
        """Called when the rows shown, or a row's content, changed: the screen's summary of them
        is redrawn at once, in the same frame as the rows."""

    def compose(self) -> ComposeResult:
        engagement = self.preferences.current.engagement_columns
        yield BulkTable(columns=self.rows.columns(engagement), id="bulks")
        yield DetailPane(id="pane", classes="-beside")

    @property
    def table(self) -> BulkTable:
        return self.query_one(BulkTable)

    @property
    def pane(self) -> DetailPane:
        return self.query_one("#pane", DetailPane)

    def on_mount(self) -> None:
        self.session.engagement.show_in_table(self.preferences.current.engagement_columns)
        self.table.time_cells = self.rows.time_cells
        self.table.key_name = self.session.key_name
        self.rebuild()
        self._restore_preferences()
        self.set_interval(detail_pane.TIMES_SECONDS, self.refresh_times)

    # ------------------------------------------------------------ what the person left

    def _restore_preferences(self) -> None:
        """The sort and the pane as the person left them. The pane comes back only where it
        fits beside the table: opened over it, it would hide the list they came to see."""
        chosen = self.preferences.current
        if chosen.sort_column in {column.key for column in self.table.specs}:
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

    def _remember_pane(self) -> None:
        """Whether the person keeps the pane open; only where it can sit beside the table
        (below that width it is a screen of its own, opened for one look)."""
        if self.app.size.width >= PANE_BESIDE_FROM:
            self._remember(pane_open=self.pane_open)

    # ------------------------------------------------------------ rows

    @property
    def engagement_shown(self) -> bool:
        return self.session.engagement.in_table

    def toggle_engagement(self) -> None:
        """Show or hide the clicks and replies columns, and remember it. Shown, every sent
        bulk's are read as side work (the ones on screen first) and kept fresh; hidden, none
        are read but for the bulk the pane shows."""
        shown = not self.engagement_shown
        self.session.engagement.show_in_table(shown)
        self.table.show_columns(self.rows.columns(shown))
        self._shown()
        self._remember(engagement_columns=shown)
        if shown:
            self.notify(
                "Clicks and replies are read for every bulk that sent, those on screen first, "
                "within the side-work budget: they fill in over the next minutes.",
                title="Clicks and replies",
                timeout=6,
            )

    def matches(self, bulk_id: str) -> bool:
        """Whether the table shows this bulk, with the filter and the archive as they are."""
        return self.rows.match(bulk_id, self.filter_text, archive_shown=self.show_archived)

    def rebuild(self) -> None:
        """Show every watched bulk that matches the filter, in watch-list order."""
        self.table.set_rows([b for b in self.session.ids if self.matches(b)], self.rows.cells)
        self._shown()
        self.show_detail_of_selection()

    def watch_filter_text(self) -> None:
        if self.is_mounted:
            self.rebuild()

    def watch_show_archived(self) -> None:
        if self.is_mounted:
            self.rebuild()

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
                cells = self.rows.cells(bulk_id)
                if table.update_bulk(bulk_id, cells) and table.sort_column is not None:
                    resort = True
            elif visible and self.filter_text:
                self.rebuild()  # it now matches the filter: put it where it belongs
                return
            elif visible:
                table.add_bulk(bulk_id, self.rows.cells(bulk_id))
                resort = True
            elif table.has(bulk_id):
                table.remove_bulk(bulk_id)
        if resort:
            table.sort_by(table.sort_column, table.sort_reverse, scroll=False)
        self._shown()
        self.show_detail_of_selection(only_if=changed)

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

    def toggle_archived(self) -> None:
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

    # ------------------------------------------------------------ the pane

    def watch_pane_open(self, pane_open: bool) -> None:
        """Also runs on mount, hiding the pane until a bulk is opened. The pane's own display
        style, not a class on the screen: a class takes effect at the next style update, and the
        pane must be gone (or there, to take focus) at once."""
        self.pane.display = pane_open

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
        else:
            self.post_message(self.TooNarrowForPane(bulk_id))

    def fit_pane(self, width: int) -> None:
        """The terminal shrank below room for the pane: it moves over the table, on its bulk."""
        bulk_id = self.pane.bulk_id
        if self.pane_open and width < PANE_BESIDE_FROM and bulk_id is not None:
            self.pane_open = False
            self.table.focus()
            self.open_detail(bulk_id)

    def close_pane(self) -> None:
        self.pane_open = False
        self.table.focus()
        self._remember_pane()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_detail(event.row_key.value)
            self._remember_pane()

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
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

    def action_raw_json(self) -> None:
        self.pane.action_toggle_raw()

    def action_copy_request_id(self) -> None:
        self.pane.action_copy_request_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in PANE_ACTIONS:
            return self.pane_open
        return True
