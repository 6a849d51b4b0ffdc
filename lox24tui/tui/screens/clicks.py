"""Who clicked? The clicks on one bulk's short links (``GET /bulks/{id}/requests``), newest
first: when, from which country, with which browser, system and device.

A click's IP address and user agent are personal data: lox24tui never reads them (see
``api.clicks``), so this screen cannot show them. LOX24 counts requests to the link, not
people: a messenger that fetches the page to preview it counts too, and its "software type"
says so."""

from __future__ import annotations

from typing import Final

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widgets import DataTable

from lox24tui.api.clicks import Click
from lox24tui.text import humanize, sanitise
from lox24tui.tui.screens.one_bulk import OneBulk
from lox24tui.tui.screens.one_bulk_table import OneBulkTableScreen

COLUMNS: Final = (
    ("when", "Clicked at", 19),
    ("country", "Country", 7),
    ("browser", "Browser", 24),
    ("os", "System", 16),
    ("device", "Device", 10),
    ("software", "Software", 16),
)
LOAD_MORE_WITHIN: Final = 5
"""Load the next page when the cursor comes this close to the last row."""


class ClicksScreen(OneBulkTableScreen):
    """Pages load as the cursor goes down."""

    NAME = "clicks"
    READING = "Reading the clicks…"
    BINDINGS = [Binding("escape", "close", "Back", id="clicks.close")]

    def __init__(self, bulk: OneBulk) -> None:
        super().__init__(bulk)
        self.clicks: list[Click] = []
        self.total: int | None = None
        self._next_page: int | None = 1
        self._loading = False

    def title_words(self) -> str:
        return f"Clicks on the links of {self.bulk.name}"

    def on_mount(self) -> None:
        for key, title, width in COLUMNS:
            self.table.add_column(title, key=key, width=width)
        self.table.focus()
        self._load()

    @on(DataTable.RowHighlighted)
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        near_the_end = event.cursor_row >= self.table.row_count - LOAD_MORE_WITHIN
        if near_the_end and self._next_page is not None and not self._loading:
            self._load()

    @work(exclusive=True, group="clicks", exit_on_error=False, name="reading the clicks")
    async def _load(self) -> None:
        page = self._next_page
        if page is None:
            return
        self._loading = True
        try:
            result = await self.asked(self.bulk.client.list_clicks(self.bulk.bulk_id, page=page))
        finally:
            self._loading = False
        if result is None:
            return
        for click in result.items:
            self.table.add_row(*_cells(click))
            self.clicks.append(click)
        more = result.next_page is not None and result.next_page > page and result.items
        self._next_page = result.next_page if more else None
        self.total = result.total if result.total is not None else self.total
        self.say(self._summary())

    def _summary(self) -> str:
        shown = len(self.clicks)
        if not shown:
            return "No clicks: nobody has opened the bulk's links (or its text has none)."
        total = self.total if self.total is not None else shown
        noun = "click" if total == 1 else "clicks"
        listed = f" · {shown:,} listed, scroll for more" if self._next_page is not None else ""
        previews = sum(1 for c in self.clicks if "preview" in (c.software_type or "").lower())
        said = f" · {previews:,} of those listed are link previews" if previews else ""
        return (
            f"{total:,} {noun} on the short links (requests, not people){listed}{said} · "
            "IP addresses and user agents are personal data: never read"
        )


def _cells(click: Click) -> list[Text]:
    def named(name: str | None, version: str | None) -> str:
        return sanitise.one_line(" ".join(part for part in (name, version) if part) or "—")

    return [
        Text(humanize.local_time(click.date) if click.date else "—"),
        Text(sanitise.one_line(click.country or "—")),
        Text(named(click.browser, click.browser_version)),
        Text(named(click.os, click.os_version)),
        Text(sanitise.one_line(click.hardware_type or "—")),
        Text(sanitise.one_line(click.software_type or "—")),
    ]
