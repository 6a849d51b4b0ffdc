"""The import screen: the account's recent bulks (GET /bulks), newest first, loaded page by page
as you scroll, filtered by status and age. Pick some and watch them, without typing a UUID."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Header, Select, Static

from lox24tui.api import (
    SCHEDULED,
    Bulk,
    BulkFilters,
    Lox24Error,
    StatusCode,
    label_with_code,
    status_info,
)
from lox24tui.api.protocol import BulkLister
from lox24tui.engine.discovery import label_for
from lox24tui.text import humanize, sanitise
from lox24tui.tui.cells import STATUS_STYLES
from lox24tui.tui.widgets.footer import Footer
from lox24tui.tui.workers import SaysWorkerFailures


def _status_choice(code: StatusCode) -> tuple[str, int]:
    """A status filter option, named with the models' labels: "in progress (5)"."""
    label = status_info(code).label
    if code == StatusCode.NEW:
        label += f" or {SCHEDULED}"  # the filter asks LOX24 by code, and 0 is both
    return label_with_code(label, code), int(code)


STATUS_CHOICES: Final = [("any status", -1), *(_status_choice(code) for code in StatusCode)]
AGE_CHOICES: Final = [
    ("any age", 0),
    ("last hour", 3600),
    ("last 24 h", 86400),
    ("last 7 days", 7 * 86400),
    ("last 30 days", 30 * 86400),
]
LOAD_MORE_WITHIN: Final = 5
"""Load the next page when the cursor comes this close to the last row."""


class DiscoverScreen(SaysWorkerFailures, Screen[list[tuple[str, str]]]):
    """Dismisses with the (id, label) pairs picked to watch (the label from the bulk's text)."""

    BINDINGS = [
        Binding(
            "space",
            "pick",
            "Pick",
            tooltip="Pick or unpick the bulk under the cursor",
            id="discover.pick",
        ),
        Binding(
            "w",
            "watch_picked",
            "Watch picked",
            tooltip="Watch every picked bulk",
            id="discover.watch",
        ),
        Binding("escape", "close", "Back", id="discover.close"),
    ]

    def __init__(
        self,
        client: BulkLister,
        watched: Callable[[], set[str]],
        now: Callable[[], datetime],
        blocked: Callable[[], str | None],
        currency: str | None = None,
        *,
        where: str = "",
    ) -> None:
        super().__init__()
        self._client = client
        self._where = where
        """ " in Swiss branch": the account whose bulks these are, when there are several."""
        self._currency = currency
        """The account's, once known (never assumed: an amount shows alone until then)."""
        self._watched = watched
        self._now = now
        self._blocked = blocked
        self._bulks: dict[str, Bulk] = {}
        self._picked: dict[str, str] = {}
        """Picked id → label; kept when a filter hides the bulk."""
        self._next_page: int | None = 1
        self._loading = False
        self._loaded_query: tuple[list[int], datetime | None] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="discover-filters"):
            yield Select(STATUS_CHOICES, value=-1, allow_blank=False, id="status-filter")
            yield Select(AGE_CHOICES, value=0, allow_blank=False, id="age-filter")
        yield Static("", id="discover-state", markup=False)
        yield DataTable(id="discover-table", cursor_type="row")
        yield Footer()

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#discover-table", DataTable)

    def on_mount(self) -> None:
        table = self.table
        for key, title, width in (
            ("pick", "", 8),
            ("created", "Created", 17),
            ("status", "Status", 15),
            ("messages", "Messages", 9),
            ("cost", "Cost", 14),
            ("text", "Text", 36),
            ("id", "Bulk id", 36),
        ):
            table.add_column(title, key=key, width=width)
        table.focus()
        self.watch(table, "scroll_y", self._scrolled, init=False)
        self._reload()

    @on(Select.Changed)
    def _filters_changed(self) -> None:
        if self._query() != self._loaded_query:
            self._reload()

    def _scrolled(self) -> None:
        table = self.table
        if table.scroll_y >= table.max_scroll_y - 2:
            self._load_more()

    def _load_more(self) -> None:
        if self._next_page is not None and not self._loading:
            self._load_page()

    def _reload(self) -> None:
        self._loaded_query = self._query()
        self._bulks.clear()
        self.table.clear()
        self._next_page = 1
        self._load_page()

    def _query(self) -> tuple[list[int], datetime | None]:
        status = self.query_one("#status-filter", Select).value
        age = self.query_one("#age-filter", Select).value
        codes = [int(status)] if isinstance(status, int) and status >= 0 else []
        since = self._now() - timedelta(seconds=age) if isinstance(age, int) and age else None
        return codes, since

    @work(exclusive=True, group="discover", exit_on_error=False, name="loading bulks")
    async def _load_page(self) -> None:
        if self._next_page is None:
            return
        reason = self._blocked()
        if reason is not None:
            self._say(f"Not asking LOX24 now: {reason}")
            return
        codes, since = self._query()
        page = self._next_page
        self._loading = True
        self._say(f"Loading page {page}…")
        try:
            filters = BulkFilters(status_codes=tuple(codes), created_since=since)
            result = await self._client.list_bulks(page=page, filters=filters)
        except Lox24Error as error:
            self._say(f"{error} Change a filter to try again.")
            self._next_page = None  # no automatic retries: the user decides
            return
        finally:
            self._loading = False
        self._next_page = result.next_page if result.items else None
        watched = self._watched()
        for bulk in result.items:
            if bulk.uuid and bulk.uuid not in self._bulks:
                self._bulks[bulk.uuid] = bulk
                self.table.add_row(*self._cells(bulk, bulk.uuid in watched), key=bulk.uuid)
        total = f" of {result.total}" if result.total is not None else ""
        more = " · scroll for more" if self._next_page else ""
        self._say(
            f"{humanize.plural(len(self._bulks), 'bulk')}{total}{sanitise.one_line(self._where)}, "
            f"newest first{more} · space "
            "picks, w watches "
            f"the picked ({len(self._picked)})"
        )

    def _cells(self, bulk: Bulk, watched: bool) -> list[Text]:
        now = self._now()
        label = bulk.label_at(now)
        mark = "✓ picked" if bulk.uuid in self._picked else ("watched" if watched else "")
        return [
            Text(mark, style="bold green" if bulk.uuid in self._picked else "dim"),
            Text(humanize.local_time(bulk.created_at)[:16] if bulk.created_at else "—"),
            Text(label, style=STATUS_STYLES.get(label, "")),
            Text(humanize.count(bulk.msg_total_count).rjust(9)),
            Text(
                humanize.money(bulk.price, self._currency, places=humanize.COLUMN_PLACES).rjust(14)
            ),
            Text(
                sanitise.one_line((bulk.text or "").replace("\n", " ")),
                no_wrap=True,
                overflow="ellipsis",
            ),
            Text(sanitise.one_line(bulk.uuid or ""), style="dim"),
        ]

    def _say(self, text: str) -> None:
        self.query_one("#discover-state", Static).update(sanitise.one_line(text))

    @on(DataTable.RowHighlighted)
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.table.row_count - LOAD_MORE_WITHIN:
            self._load_more()

    def action_pick(self) -> None:
        table = self.table
        if table.row_count == 0:
            return
        bulk_id = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if bulk_id is None:
            return
        if bulk_id in self._watched():
            self.notify("Already watched.", timeout=2)
            return
        if bulk_id in self._picked:
            del self._picked[bulk_id]
        else:
            self._picked[bulk_id] = label_for(self._bulks[bulk_id])
        mark = "✓ picked" if bulk_id in self._picked else ""
        table.update_cell(bulk_id, "pick", Text(mark, style="bold green"))
        table.move_cursor(row=table.cursor_row + 1)
        self._say(f"{len(self._picked)} picked · w watches them · space picks or unpicks")

    @on(DataTable.RowSelected)
    def _row_selected(self) -> None:
        self.action_pick()

    def action_watch_picked(self) -> None:
        self.dismiss(list(self._picked.items()))

    def action_close(self) -> None:
        self.dismiss([])
