"""The main screen: summary bar, watch table, detail pane, filter, and the actions on them."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input

from lox24tui import sanitise
from lox24tui.tui.cells import Cell, row_cells, status_text, time_cells
from lox24tui.tui.screens.add_bulks import AddBulksScreen
from lox24tui.tui.screens.detail import PANE_BESIDE_FROM, DetailScreen
from lox24tui.tui.screens.dialogs import ConfirmScreen, LabelScreen
from lox24tui.tui.screens.export import ExportScreen, default_export_name
from lox24tui.tui.widgets.bulk_table import BulkTable
from lox24tui.tui.widgets.detail_pane import DetailPane
from lox24tui.tui.widgets.summary_bar import SummaryBar

if TYPE_CHECKING:
    from lox24tui.tui.app import Lox24App


class MainScreen(Screen[None]):
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
            "t", "token", "Token", tooltip="Enter another API token", show=False, id="main.token"
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
            "discover",
            "Import",
            tooltip="Pick bulks from the account's recent ones",
            show=False,
            id="main.import",
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
    """

    pane_open: reactive[bool] = reactive(False, bindings=True)
    """Whether the detail pane shows beside the table. Its keys (j, C) and its palette entries
    follow it, so changing it refreshes the bindings."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield SummaryBar(id="summary")
        yield Input(
            placeholder="Filter: text or status (e.g. “in progress”), Esc clears", id="filter"
        )
        with Horizontal(id="body"):
            yield BulkTable(id="bulks")
            yield DetailPane(id="pane", classes="-beside")
        yield Footer()

    @property
    def dashboard(self) -> Lox24App:
        return cast("Lox24App", self.app)

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
        self.rebuild()

    def watch_pane_open(self, pane_open: bool) -> None:
        """Also runs on mount, hiding the pane until a bulk is opened. The pane's own display
        style, not a class on the screen: a class takes effect at the next style update, and the
        pane must be gone (or there, to take focus) at once."""
        self.pane.display = pane_open

    # ------------------------------------------------------------ drawing

    def cells_for(self, bulk_id: str) -> dict[str, Cell]:
        app = self.dashboard
        return row_cells(app.watchlist.label_of(bulk_id), app.states[bulk_id], app.clock.now())

    def matches(self, bulk_id: str) -> bool:
        text = self.filter_text
        if not text:
            return True
        app = self.dashboard
        state = app.states[bulk_id]
        label, _ = status_text(state, app.now())
        haystack = " ".join([app.watchlist.label_of(bulk_id), bulk_id, label]).lower()
        return text in haystack

    def rebuild(self) -> None:
        """Show every watched bulk that matches the filter, in watch-list order."""
        self.table.set_rows(
            {
                bulk_id: self.cells_for(bulk_id)
                for bulk_id in self.dashboard.watchlist.ids
                if self.matches(bulk_id)
            }
        )
        self.show_summary()

    def apply(self, changed: set[str]) -> None:
        """Bring the rows of ``changed`` bulks up to date (and the pane, if it shows one)."""
        table = self.table
        states = self.dashboard.states
        resort = False
        for bulk_id in self.dashboard.watchlist.ids:  # watch-list order, for rows added
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

    def refresh_times(self) -> None:
        """Relative times age: redraw the time cells whose text moved on (only those two
        columns, so a thousand rows cost milliseconds, not a frame)."""
        app = self.dashboard
        now = app.clock.now()
        for bulk_id, state in app.states.items():
            if self.table.has(bulk_id):
                self.table.update_bulk(bulk_id, time_cells(state, now))
        self.show_detail_of_selection()

    def show_summary(self) -> None:
        app = self.dashboard
        shown = self.table.row_count if self.filter_text else None
        self.query_one(SummaryBar).show(
            app.monitor.summary(),
            app.monitor.interval,
            app.demo,
            shown=shown,
            engine_failure=app.engine_failure,
        )

    def forget(self, bulk_id: str) -> None:
        """A bulk left the watch list: its row goes, and so does any detail view of it."""
        self.table.remove_bulk(bulk_id)
        if self.pane.bulk_id == bulk_id:
            self.pane_open = False
        screen = self.app.screen
        if isinstance(screen, DetailScreen) and screen.pane.bulk_id == bulk_id:
            screen.dismiss(None)
        self.show_summary()

    # ------------------------------------------------------------ detail

    def _detail_targets(self) -> list[DetailPane]:
        targets = [self.pane] if self.pane_open else []
        screen = self.app.screen
        if isinstance(screen, DetailScreen):
            targets.append(screen.pane)
        return targets

    def show_detail_of_selection(self, only_if: set[str] | None = None) -> None:
        for pane in self._detail_targets():
            bulk_id = pane.bulk_id if isinstance(self.app.screen, DetailScreen) else None
            bulk_id = bulk_id or self.table.selected_id
            if bulk_id is None or bulk_id not in self.dashboard.states:
                continue
            if only_if is not None and bulk_id not in only_if and pane.bulk_id == bulk_id:
                continue
            self.fill_detail(pane, bulk_id)

    def fill_detail(self, pane: DetailPane, bulk_id: str) -> None:
        app = self.dashboard
        pane.show(
            app.watchlist.label_of(bulk_id),
            app.states[bulk_id],
            app.previous_replies.get(bulk_id),
            app.clock.now(),
        )

    def open_detail(self, bulk_id: str) -> None:
        """Beside the table when the terminal is wide enough, else as a screen of its own."""
        if self.app.size.width >= PANE_BESIDE_FROM:
            self.pane_open = True
            self.fill_detail(self.pane, bulk_id)
            return

        def reopen(beside: str | None) -> None:
            """The terminal grew: the pane moves beside the table, on the same bulk."""
            if beside is not None and beside in self.dashboard.states:
                self.open_detail(beside)

        screen = DetailScreen()
        self.app.push_screen(screen, callback=reopen)
        self.fill_detail(screen.pane, bulk_id)

    def on_resize(self, event: events.Resize) -> None:
        """The terminal shrank below room for the pane: it moves over the table, on its bulk."""
        bulk_id = self.pane.bulk_id
        if self.pane_open and event.size.width < PANE_BESIDE_FROM and bulk_id is not None:
            self.pane_open = False
            self.table.focus()
            self.open_detail(bulk_id)

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_detail(event.row_key.value)

    @on(DataTable.RowHighlighted)
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.pane_open and event.row_key.value in self.dashboard.states:
            self.fill_detail(self.pane, event.row_key.value)

    def action_toggle_detail(self) -> None:
        if self.pane_open:
            self.pane_open = False
            return
        bulk_id = self.table.selected_id
        if bulk_id is not None:
            self.open_detail(bulk_id)

    # ------------------------------------------------------------ actions

    def action_add(self) -> None:
        app = self.dashboard

        def added(count: int | None) -> None:
            if count:
                self.table.focus()

        self.app.push_screen(
            AddBulksScreen(lambda: set(app.watchlist.ids), app.add_bulks), callback=added
        )

    @on(BulkTable.RemoveRequested)
    def _remove_requested(self, event: BulkTable.RemoveRequested) -> None:
        """Removing is one key away from the cursor: ask first (u undoes it anyway)."""
        app = self.dashboard
        bulk_id = event.bulk_id
        label = app.watchlist.label_of(bulk_id)
        name = f"“{sanitise.one_line(label)}” ({bulk_id})" if label else bulk_id

        def confirmed(yes: bool | None) -> None:
            if yes:
                app.remove_bulk(bulk_id)

        self.app.push_screen(
            ConfirmScreen(f"Stop watching {name}?\n\nu undoes it.", yes="Remove"),
            callback=confirmed,
        )

    @on(BulkTable.LabelEditRequested)
    def _label_edit_requested(self, event: BulkTable.LabelEditRequested) -> None:
        app = self.dashboard
        bulk_id = event.bulk_id

        def relabel(new_label: str | None) -> None:
            if new_label is not None:
                app.set_label(bulk_id, new_label)

        self.app.push_screen(
            LabelScreen(bulk_id, app.watchlist.label_of(bulk_id)), callback=relabel
        )

    @on(BulkTable.RefreshRequested)
    def _refresh_requested(self, event: BulkTable.RefreshRequested) -> None:
        """Within the engine's rules: a bulk the account guard holds back says why."""
        app = self.dashboard
        blocked = app.monitor.fetch_now(event.bulk_id)
        if blocked is None:
            self.notify("Refreshing…", timeout=2)
        else:
            why = blocked.reason(app.clock.now())
            self.notify(f"Not refreshed: {why}", severity="warning", markup=False)

    def action_undo(self) -> None:
        self.dashboard.undo_removal()

    def action_nothing_to_undo(self) -> None:
        """u with nothing to undo: check_action takes "Undo" out of the footer, which
        also disables its key, so this second, hidden binding of u answers instead."""
        self.dashboard.undo_removal()

    def action_refresh_all(self) -> None:
        self.dashboard.monitor.refresh()
        self.notify("Refreshing every bulk…", timeout=2)

    def action_pause(self) -> None:
        if self.dashboard.client is None:
            self.action_token()
            return
        monitor = self.dashboard.monitor
        if monitor.paused or monitor.breaker is not None:
            monitor.resume()
            self.notify("Polling resumed.", timeout=2)
        else:
            monitor.pause("by you")
        self.show_summary()

    def action_discover(self) -> None:
        self.dashboard.open_discover()

    def action_export(self) -> None:
        """Export what the table shows: the rows the filter lets through, in the order shown
        (a sort included), as a person looking at the screen expects."""
        shown = [str(row.key.value) for row in self.table.ordered_rows]

        def chosen(path: str | None) -> None:
            if path:
                self.dashboard.export_to(path, shown)

        suggestion = default_export_name(self.dashboard.now().astimezone())
        self.app.push_screen(
            ExportScreen(suggestion, len(shown), filtered=bool(self.filter_text)), callback=chosen
        )

    def action_token(self) -> None:
        self.dashboard.ask_for_token("Enter the LOX24 API token to use from now on.")

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

    def action_raw_json(self) -> None:
        self.pane.action_toggle_raw()

    def action_copy_request_id(self) -> None:
        self.pane.action_copy_request_id()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "undo":  # out of the footer while there is nothing to undo
            return self.dashboard.last_removal is not None
        if action in ("raw_json", "copy_request_id"):
            return self.pane_open
        return True
