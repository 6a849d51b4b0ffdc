"""Whom to send again, from any screen about one bulk (its messages, its failures): ask where,
then read the failed messages and the opt-outs and write the list (``insight.retry_list``).

The file holds recipients' numbers: the dialog says so first, the file is readable by its owner
only, and the toast gives counts, never a number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from lox24tui.api import Lox24Error
from lox24tui.insight.failures import MOST_FAILURES
from lox24tui.insight.retry_list import retry_list
from lox24tui.state.export import why_not_written, write_number_list
from lox24tui.text import sanitise
from lox24tui.tui.screens.export import ExportScreen, ask_then, say_no_file
from lox24tui.tui.screens.one_bulk import OneBulk, why_unanswered

PERSONAL_DATA: Final = (
    "This file will hold recipients' phone numbers: personal data. Keep it where only those "
    "allowed to see them can, and delete it when it is no longer needed."
)


class RetryExportScreen(ExportScreen):
    """Where to write the numbers to send again; says first that the file holds personal data."""

    HINT = (
        "The numbers of the failed messages (expired, rejected, never sent) minus the account's "
        "opt-outs, each once: one E.164 number a line under a `phone` header, as SMS tools "
        f"import them. At most the first {MOST_FAILURES:,} failures are read."
    )

    def __init__(self, suggestion: str) -> None:
        super().__init__(suggestion, 0, filtered=True, scope="the numbers to send again")

    def notices(self) -> Iterator[Widget]:
        yield Static(PERSONAL_DATA, classes="warning", id="personal-data", markup=False)


def ask_and_write_retry_list(screen: Screen[None], bulk: OneBulk) -> None:
    """The dialog on ``screen``; once a file is named, a worker of ``screen`` makes the list."""
    stamp = f"{bulk.now().astimezone():%Y%m%d-%H%M%S}"
    dialog = RetryExportScreen(f"lox24tui-send-again-{bulk.bulk_id[:8]}-{stamp}.csv")
    ask_then(screen, dialog, lambda path: _write(screen, bulk, path), name="making the retry list")


async def _write(screen: Screen[None], bulk: OneBulk, path: str) -> None:
    screen.notify("Reading the failed messages and the opt-outs…", timeout=3)
    try:
        made = await retry_list(bulk.client, bulk.bulk_id)
    except Lox24Error as error:
        say_no_file(screen, "file", why_unanswered(error))
        return
    try:
        write_number_list(path, made.numbers)
    except OSError as error:
        say_no_file(screen, "file", f"cannot write {path}: {why_not_written(error)}")
        return
    said = f"Wrote {made.summary()} to {path} (readable by you only)"
    screen.notify(sanitise.one_line(said), timeout=8, markup=False)
