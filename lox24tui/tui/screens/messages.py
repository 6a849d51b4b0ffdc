"""The messages screen: one bulk's messages (GET /sms), page by page as the cursor goes down,
filtered by delivery outcome, to see who did not get the message and why.

Recipients' phone numbers are personal data. This screen shows them in full because the user
asked for them; they never leave it except by the user's own hand: ``c`` puts one on the
clipboard (the toast does not repeat it), ``x`` writes a file after saying what it holds.
Nothing else (toasts, the state line, logs, errors) ever carries one.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message as TextualMessage
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Checkbox, DataTable, Header, Select, Static

from lox24tui.api import Lox24Error, Message, dlr_label, sms_status_label
from lox24tui.api.sms import ALL_MESSAGES
from lox24tui.engine.delivery import OUTCOME_FILTERS, OUTCOMES
from lox24tui.session.watch_session import capitalised
from lox24tui.state.export import message_columns, message_record, why_not_written, write_export
from lox24tui.text import humanize, sanitise
from lox24tui.tui.screens.clicks import ClicksScreen
from lox24tui.tui.screens.export import ExportScreen
from lox24tui.tui.screens.one_bulk import OneBulk, why_unanswered
from lox24tui.tui.screens.replies import RepliesScreen
from lox24tui.tui.screens.report_file import ask_and_write_report
from lox24tui.tui.screens.send_again import PERSONAL_DATA, ask_and_write_retry_list
from lox24tui.tui.widgets.footer import Footer
from lox24tui.tui.workers import SaysWorkerFailures

ALL: Final = "all"
OUTCOME_NAMES: Final = {
    ALL: "all messages",
    **{
        outcome: "only " + {"none": "no report yet", "not_sent": "not sent"}.get(outcome, outcome)
        for outcome in OUTCOMES
    },
}
"""The outcome filter: everything, or one outcome of a delivery breakdown ("only rejected")."""
COLUMNS: Final = (
    ("phone", "Phone", 17),
    ("status", "Status", 24),
    ("report", "Delivery report", 18),
    ("sent", "Sent at", 19),
    ("parts", "Parts", 5),
    ("price", "Price", 14),
)
"""Key, title and width of each column, in the order of :meth:`MessagesScreen._cells`."""
LOAD_MORE_WITHIN: Final = 5
"""Load the next page when the cursor comes this close to the last row."""
EXPORT_MAX: Final = 5000
"""The most messages an export loads first: a bound on the requests one key press sends."""


def default_messages_name(now: datetime) -> str:
    return f"lox24tui-messages-{now:%Y%m%d-%H%M%S}.csv"


class MessagesExportScreen(ExportScreen):
    """The export dialog for messages: says first that the file holds personal data, and, while
    pages remain unloaded, offers to load them (up to :data:`EXPORT_MAX` messages) before
    writing. Dismisses with the path; :attr:`load_all` says whether to load the rest first."""

    HINT = (
        "LOX24's fields of each message, in the order shown. A name ending in .json writes "
        "JSON; anything else, CSV."
    )

    def __init__(self, suggestion: str, scope: str, *, more: bool) -> None:
        super().__init__(suggestion, 0, filtered=True, scope=scope)
        self._more = more
        self.load_all = more
        """Whether to load the other pages before writing; kept as the box is ticked, for the
        caller to read once the dialog is gone."""

    def notices(self) -> Iterator[Widget]:
        yield Static(PERSONAL_DATA, classes="warning", id="personal-data", markup=False)

    def options(self) -> Iterator[Widget]:
        if self._more:
            yield Checkbox(
                f"Load the other pages first (up to {EXPORT_MAX:,} messages)",
                value=True,
                id="load-all",
            )

    @on(Checkbox.Changed, "#load-all")
    def _load_all_changed(self, event: Checkbox.Changed) -> None:
        self.load_all = event.value


@dataclass(frozen=True)
class ChosenMessages:
    """Messages chosen elsewhere, and what they are in words ("rejected, to DE")."""

    words: str
    messages: tuple[Message, ...]


class MessagesScreen(SaysWorkerFailures, Screen[None]):
    """A bulk's messages: phone, status, delivery report, when sent, parts, price. Every request
    goes through the guarded client, so the account guard's rules hold here too."""

    @dataclass
    class FailuresWanted(TextualMessage):
        """The person asked for the bulk's failures by reason and country; the App opens them
        (the failures screen lists its cells on this screen)."""

        bulk_id: str

    BINDINGS = [
        Binding(
            "c",
            "copy_phone",
            "Copy phone",
            tooltip="Copy the phone number of the message under the cursor",
            id="messages.copy_phone",
        ),
        Binding(
            "x",
            "export",
            "Export",
            tooltip="Write the messages listed as CSV or JSON",
            id="messages.export",
        ),
        Binding(
            "r",
            "retry_list",
            "Send again",
            tooltip="Write the numbers of the failed messages, minus opt-outs, for a new bulk",
            id="messages.retry_list",
        ),
        Binding(
            "l",
            "clicks",
            "Clicks",
            tooltip="The clicks on the bulk's short links: when, where, which browser",
            id="messages.clicks",
        ),
        Binding(
            "p",
            "report",
            "Report",
            tooltip="Write the campaign report: Markdown, JSON or one HTML page",
            id="messages.report",
        ),
        Binding(
            "a",
            "replies",
            "Replies",
            tooltip="The replies to the bulk's messages, checked a page at a time",
            id="messages.replies",
        ),
        Binding(
            "f",
            "failures",
            "Failures",
            tooltip="The failed messages by reason and country, with what they cost",
            id="messages.failures",
        ),
        Binding(
            "slash",
            "outcome",
            "Outcome",
            tooltip="Show only the messages of one delivery outcome",
            id="messages.outcome",
        ),
        Binding("escape", "close", "Back", id="messages.close"),
    ]

    def __init__(self, bulk: OneBulk, *, preset: ChosenMessages | None = None) -> None:
        """``preset``: list these messages, already read elsewhere (a cell of the failures
        screen), instead of asking LOX24 page by page; the outcome filter is then theirs."""
        super().__init__()
        self.bulk = bulk
        self._preset = preset
        self._client = bulk.client
        self._bulk_id = bulk.bulk_id
        self._currency = bulk.currency
        self._messages: list[Message] = []
        """The messages listed, in the table's order (row ``i`` is message ``i``)."""
        self._next_page: int | None = 1
        self._total: int | None = None
        self._loading = False
        self._problem: str | None = None

    @property
    def reading_page(self) -> bool:
        """A page is being read (the state line says so)."""
        return self._loading

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="messages-bar"):
            yield Static(self._title(), id="messages-title", markup=False)
            yield Select(
                [(name, value) for value, name in OUTCOME_NAMES.items()],
                value=ALL,
                allow_blank=False,
                id="outcome-filter",
            )
        yield Static("", id="messages-state", markup=False)
        yield DataTable(id="messages-table", cursor_type="row")
        yield Footer()

    def _title(self) -> str:
        return f"Messages of {self.bulk.name}"

    @property
    def bulk_id(self) -> str:
        """The bulk whose messages these are."""
        return self._bulk_id

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one("#messages-table", DataTable)

    @property
    def outcome(self) -> str:
        value = self.query_one("#outcome-filter", Select).value
        return value if isinstance(value, str) else ALL

    def on_mount(self) -> None:
        self.query_one("#outcome-filter", Select).display = self._preset is None
        table = self.table
        for key, title, width in COLUMNS:
            table.add_column(title, key=key, width=width)
        table.focus()
        self._reload()

    @on(Select.Changed, "#outcome-filter")
    def _outcome_changed(self) -> None:
        self._reload()
        self.table.focus()

    def _reload(self) -> None:
        """From page 1 with the outcome chosen; a load still running is cancelled (exclusive).
        Preset messages are listed as they are: nothing is asked."""
        self._messages.clear()
        self.table.clear()
        if self._preset is not None:
            self._add(list(self._preset.messages))
            self._next_page = None
            self._total = len(self._preset.messages)
            self._say(self._summary())
            return
        self._next_page = 1
        self._total = None
        self._problem = None
        self._load()

    def _load_more(self) -> None:
        if self._next_page is not None and not self._loading and self._problem is None:
            self._load()

    @on(DataTable.RowHighlighted)
    def _maybe_load_more(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.table.row_count - LOAD_MORE_WITHIN:
            self._load_more()

    @work(exclusive=True, group="messages", exit_on_error=False, name="loading the messages")
    async def _load(self, up_to: int = 0, then_export: str | None = None) -> None:
        """Load the next page, or pages until ``up_to`` messages are listed (for an export,
        written to ``then_export`` once loaded). A failure is said on the state line and stops
        the loading: no automatic retries, the user decides (a filter change tries again)."""
        filters = OUTCOME_FILTERS.get(self.outcome, ALL_MESSAGES)
        self._loading = True
        try:
            while self._next_page is not None:
                page = self._next_page
                self._say(f"Loading page {page}…")
                try:
                    result = await self._client.list_messages(
                        self._bulk_id, page=page, filters=filters
                    )
                except Lox24Error as error:
                    self._fail(capitalised(why_unanswered(error)))
                    return
                self._add(result.items)
                more = result.next_page is not None and result.next_page > page
                self._next_page = result.next_page if more and result.items else None
                self._total = result.total if result.total is not None else self._total
                if len(self._messages) >= up_to:
                    break
        finally:
            self._loading = False
        self._say(self._summary())
        if then_export is not None:
            self._write(then_export)

    def _add(self, messages: list[Message]) -> None:
        table = self.table
        for message in messages:
            table.add_row(*self._cells(message), key=str(len(self._messages)))
            self._messages.append(message)

    def _cells(self, message: Message) -> list[Text]:
        sent = message.gateway_sent_at
        price = message.price
        money = (
            "—"
            if price is None
            else humanize.money(price, self._currency or "", places=humanize.PRICE_PLACES)
        )
        return [
            Text(sanitise.one_line(message.phone or "—"), no_wrap=True),
            Text(sms_status_label(message.status_code)),
            Text(dlr_label(message.dlr_code)),
            Text(humanize.local_time(sent) if sent else "—"),
            Text("—" if message.parts_count is None else str(message.parts_count), justify="right"),
            Text(sanitise.one_line(money), justify="right"),
        ]

    def _summary(self) -> str:
        count = len(self._messages)
        total = f" of {self._total:,}" if self._total is not None else ""
        which = "" if self.outcome == ALL else f", {OUTCOME_NAMES[self.outcome]}"
        if self._preset is not None:
            which = f", {self._preset.words}"
        more = " · scroll for more" if self._next_page is not None else ""
        return f"{count:,}{total} messages{which}{more} · c copies a phone · x exports"

    def _fail(self, text: str) -> None:
        self._problem = text
        self._say(f"{text} Change the outcome to try again.")

    def _say(self, text: str) -> None:
        self.query_one("#messages-state", Static).update(sanitise.one_line(text))

    def _current(self) -> Message | None:
        table = self.table
        if table.row_count == 0:
            return None
        return self._messages[table.cursor_row]

    def action_copy_phone(self) -> None:
        message = self._current()
        if message is None or not message.phone:
            self.notify("No phone number here.", timeout=2)
            return
        self.app.copy_to_clipboard(message.phone)
        self.notify("Copied the phone number", timeout=2)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Preset messages have their outcome already: no filter to choose."""
        return not (action == "outcome" and self._preset is not None)

    def action_failures(self) -> None:
        self.post_message(self.FailuresWanted(self._bulk_id))

    def action_clicks(self) -> None:
        self.app.push_screen(ClicksScreen(self.bulk))

    def action_replies(self) -> None:
        self.app.push_screen(RepliesScreen(self.bulk))

    def action_report(self) -> None:
        ask_and_write_report(self, self.bulk)

    def action_outcome(self) -> None:
        select = self.query_one("#outcome-filter", Select)
        select.focus()
        select.expanded = True

    def action_export(self) -> None:
        """Export what the list shows; while pages remain, the dialog offers to load them."""
        count = len(self._messages)
        noun = "message" if count == 1 else "messages"
        which = "" if self.outcome == ALL else f" ({OUTCOME_NAMES[self.outcome]})"
        more = self._next_page is not None and self._problem is None
        dialog = MessagesExportScreen(
            default_messages_name(self.bulk.now().astimezone()),
            f"the {count:,} {noun} listed{which}",
            more=more,
        )

        def chosen(path: str | None) -> None:
            if not path:
                return
            if dialog.load_all:  # a page still loading is cancelled, and asked for again
                self._load(up_to=EXPORT_MAX, then_export=path)
            else:
                self._write(path)

        self.app.push_screen(dialog, callback=chosen)

    def _write(self, path: str) -> None:
        """The messages listed to ``path``, whole or not at all; the toast names the file and
        the count, never a number in it."""
        rows = [message_record(message) for message in self._messages]
        try:
            write_export(path, rows, columns=message_columns(rows), personal=True)
        except OSError as error:
            why = why_not_written(error)
            self.notify(f"Cannot write {path}: {why}", severity="error", markup=False)
            return
        self.notify(f"Exported {len(rows):,} messages to {path}", timeout=5, markup=False)

    def action_retry_list(self) -> None:
        ask_and_write_retry_list(self, self.bulk)

    def action_close(self) -> None:
        self.dismiss(None)
