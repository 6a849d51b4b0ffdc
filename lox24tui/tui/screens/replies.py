"""Who answered? The replies to one bulk's messages (``insight.replies``), checked a page of
messages at a time as the user asks (space), newest reply first within what was checked.

A reply is its sender's: the number is masked as everywhere else, the text shown sanitised and
never as markup (it may hold escape sequences or right-to-left marks on purpose). Matching is
best effort, and the state line says how it was done."""

from __future__ import annotations

from typing import Final

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from lox24tui.api.replies import Reply
from lox24tui.insight.replies import replies_among
from lox24tui.text import humanize, sanitise
from lox24tui.text.phones import mask_phone
from lox24tui.tui.screens.one_bulk import OneBulk
from lox24tui.tui.screens.one_bulk_table import OneBulkTableScreen

COLUMNS: Final = (("when", "Received at", 19), ("from", "From", 16), ("text", "Reply", 60))
PAGES_PER_CHECK: Final = 5
"""Pages of sent messages one check reads at most (about ten requests), stopping at the first
page with replies: replies are rare (about one message in a hundred), so one page at a time
would mostly find nothing."""
MATCHING: Final = (
    "matched through msg_uuid, which LOX24 fills for Economy replies; for other services it "
    "may not, so a reply can be missing here"
)


class RepliesScreen(OneBulkTableScreen):
    """The replies found so far, and the whole text of the one under the cursor below them."""

    NAME = "replies"
    READING = "Looking for replies…"

    BINDINGS = [
        Binding(
            "space",
            "check_more",
            "Check more",
            tooltip="Look for replies to the next page of the bulk's sent messages",
            id="replies.check_more",
        ),
        Binding("escape", "close", "Back", id="replies.close"),
    ]

    def __init__(self, bulk: OneBulk) -> None:
        super().__init__(bulk)
        self.replies: list[Reply] = []
        self.checked = 0
        self.sent: int | None = None
        self._next_page: int | None = 1

    def title_words(self) -> str:
        return f"Replies to {self.bulk.name}"

    def compose_below(self) -> ComposeResult:
        yield Static("", id="replies-text", markup=False)

    def on_mount(self) -> None:
        for key, title, width in COLUMNS:
            self.table.add_column(title, key=key, width=width)
        self.table.focus()
        self._check()

    @property
    def is_busy(self) -> bool:
        """Whether a check is on its way."""
        return any(w.name == "looking for replies" and not w.is_finished for w in self.workers)

    def action_check_more(self) -> None:
        if self._next_page is None:
            self.notify("Every sent message has been checked.", timeout=3)
            return
        self._check()

    @work(exclusive=True, group="replies", exit_on_error=False, name="looking for replies")
    async def _check(self) -> None:
        for _ in range(PAGES_PER_CHECK):
            page = self._next_page
            if page is None:
                break
            self.say(f"Looking for replies to page {page} of the sent messages…")
            found = await self.asked(replies_among(self.bulk.client, self.bulk.bulk_id, page=page))
            if found is None:
                return
            self.checked += found.checked
            self.sent = found.sent if found.sent is not None else self.sent
            self._next_page = found.next_page
            for reply in sorted(found.replies, key=_newest_first):
                self.table.add_row(*_cells(reply))
                self.replies.append(reply)
            if found.replies:
                break
        self.say(self._summary())
        self._show_text()

    def _summary(self) -> str:
        count = len(self.replies)
        found = f"{count:,} {'reply' if count == 1 else 'replies'}"
        of = f" of {self.sent:,}" if self.sent is not None else ""
        more = " · space checks more" if self._next_page is not None else " · all checked"
        return f"{found} to the first {self.checked:,}{of} sent messages ({MATCHING}){more}"

    @on(DataTable.RowHighlighted)
    def _show_text(self) -> None:
        """The whole text of the reply under the cursor, below the table."""
        row = self.table.cursor_row
        text = self.replies[row].text if 0 <= row < len(self.replies) else None
        shown = sanitise.one_line(text) if text else ""
        self.query_one("#replies-text", Static).update(shown)


def _newest_first(reply: Reply) -> float:
    return -(reply.received_at.timestamp() if reply.received_at else 0.0)


def _cells(reply: Reply) -> list[Text]:
    return [
        Text(humanize.local_time(reply.received_at) if reply.received_at else "—"),
        Text(mask_phone(reply.sender)),
        Text(sanitise.one_line(reply.text or "—"), no_wrap=True, overflow="ellipsis"),
    ]
