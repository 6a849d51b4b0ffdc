"""Why did these fail, and where? One bulk's failed messages as a table of reason × destination
country (``insight.failures``): counts, each reason's share of the failures and what they cost.

Enter on a cell lists exactly those messages (the screen holds them: no request is sent for
it); on the "all" column or row, every failure of that reason or country. ``r`` writes the
numbers to send again. The failures are read once, when the screen opens."""

from __future__ import annotations

from typing import Final

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.widgets import DataTable

from lox24tui.insight.failures import UNKNOWN_COUNTRY, FailureTable, failure_table, read_failures
from lox24tui.text import humanize, sanitise
from lox24tui.tui.screens.messages import ChosenMessages, MessagesScreen
from lox24tui.tui.screens.one_bulk import OneBulk
from lox24tui.tui.screens.one_bulk_table import OneBulkTableScreen
from lox24tui.tui.screens.send_again import ask_and_write_retry_list

ALL: Final = "all"
"""The key of the "all" row (every reason) and column (every country)."""
SHARE: Final = "share"
COST: Final = "cost"


class FailuresScreen(OneBulkTableScreen):
    """Reasons down, countries across."""

    NAME = "failures"
    CURSOR = "cell"
    READING = "Reading the failed messages…"

    BINDINGS = [
        Binding(
            "enter",
            "open",
            "Show messages",
            tooltip="List the failed messages of the reason and country under the cursor",
            id="failures.open",
        ),
        Binding(
            "r",
            "retry_list",
            "Send again",
            tooltip="Write the numbers of the failed messages, minus opt-outs, for a new bulk",
            id="failures.retry_list",
        ),
        Binding("escape", "close", "Back", id="failures.close"),
    ]

    def __init__(self, bulk: OneBulk) -> None:
        super().__init__(bulk)
        self._currency = bulk.currency or ""
        self.failures: FailureTable | None = None
        """The table, once read."""

    def title_words(self) -> str:
        return f"Failures of {self.bulk.name}"

    def on_mount(self) -> None:
        self.table.focus()
        self._load()

    @work(exclusive=True, group="failures", exit_on_error=False, name="reading the failures")
    async def _load(self) -> None:
        failed = await self.asked(read_failures(self.bulk.client, self.bulk.bulk_id))
        if failed is None:
            return
        self.failures = failure_table(failed)
        self._fill(self.failures)

    def _fill(self, failures: FailureTable) -> None:
        table = self.table
        table.clear(columns=True)
        table.add_column("Reason", key="reason")
        for country in failures.countries:
            title = "unknown" if country == UNKNOWN_COUNTRY else country
            table.add_column(title, key=country)
        table.add_column("All", key=ALL)
        table.add_column("Share", key=SHARE)
        table.add_column("Cost", key=COST)
        for reason in (*failures.reasons, ALL):
            of = None if reason == ALL else reason
            cells = [Text(sanitise.one_line("every reason" if reason == ALL else reason))]
            for country in (*failures.countries, ALL):
                count = failures.count(of, None if country == ALL else country)
                cells.append(Text(f"{count:,}" if count else "·", justify="right"))
            cells.append(Text(f"{failures.share(of):.1%}", justify="right"))
            money = humanize.money(failures.cost(of), self._currency, places=2)
            cells.append(Text(sanitise.one_line(money), justify="right"))
            table.add_row(*cells, key=reason)
        self.say(self._summary(failures))

    def _summary(self, failures: FailureTable) -> str:
        if not failures.total:
            return "No failed messages: nothing expired, was rejected or went unsent."
        said = [f"{failures.failed.count_words.capitalize()}"]
        money = humanize.money(failures.cost(), self._currency)
        said.append(f"they cost {money}")
        if failures.from_number:
            said.append(f"country read from the number for {failures.from_number:,}")
        said.append("Enter lists the messages of a cell")
        return " · ".join(said)

    @on(DataTable.CellSelected)
    def _cell_chosen(self, event: DataTable.CellSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        failures = self.failures
        table = self.table
        if failures is None or not failures.total or table.row_count == 0:
            return
        row_key, column_key = table.coordinate_to_cell_key(table.cursor_coordinate)
        reason = None if row_key.value == ALL else row_key.value
        column = column_key.value
        country = None if column in (ALL, SHARE, COST, "reason") else column
        messages = failures.messages(reason, country)
        if not messages:
            self.notify("No failed messages there.", timeout=2)
            return
        words = ", ".join(
            part
            for part in (
                reason or "every reason",
                f"to {'an unknown country' if country == UNKNOWN_COUNTRY else country}"
                if country
                else "",
            )
            if part
        )
        self.app.push_screen(
            MessagesScreen(self.bulk, preset=ChosenMessages(words, tuple(messages)))
        )

    def action_retry_list(self) -> None:
        ask_and_write_retry_list(self, self.bulk)
