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

from lox24tui.insight.failures import MOST_FAILURES
from lox24tui.insight.retry_list import RetryList, retry_list
from lox24tui.state.export import write_number_list
from lox24tui.tui.screens.bulk_file import BulkFileScreen, ask_and_write
from lox24tui.tui.screens.one_bulk import OneBulk

PERSONAL_DATA: Final = (
    "This file will hold recipients' phone numbers: personal data. Keep it where only those "
    "allowed to see them can, and delete it when it is no longer needed."
)


class RetryExportScreen(BulkFileScreen):
    """Where to write the numbers to send again; says first that the file holds personal data."""

    KIND, SUFFIX, WHAT = "send-again", "csv", "numbers to send again"
    GATHERING = "Reading the failed messages and the opt-outs…"
    HINT = (
        "The numbers of the failed messages (expired, rejected, never sent) minus the account's "
        "opt-outs, each once: one E.164 number a line under a `phone` header, as SMS tools "
        f"import them. At most the first {MOST_FAILURES:,} failures are read."
    )

    def notices(self) -> Iterator[Widget]:
        yield Static(PERSONAL_DATA, classes="warning", id="personal-data", markup=False)


def ask_and_write_retry_list(screen: Screen[None], bulk: OneBulk) -> None:
    """The toast gives counts, never a number."""

    def write(path: str, made: RetryList) -> str:
        write_number_list(path, made.numbers)
        return f"Wrote {made.summary()} to {path} (readable by you only)"

    ask_and_write(
        screen, RetryExportScreen(bulk), lambda: retry_list(bulk.client, bulk.bulk_id), write
    )
