"""``lox24tui export --retry ID --output FILE``: the numbers of a bulk's failed messages, minus
opted-out ones, as a CSV file of E.164 numbers with a ``phone`` header. The file holds personal
data: it is written only where the user names it, readable by its owner only (0600), and the
numbers go nowhere else (stderr says how many, never which)."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lox24tui.api import (
    BulkNotFound,
    Lox24Error,
    MessageFilters,
    MessagePage,
)
from lox24tui.api.opt_outs import OptOutPage
from lox24tui.api.sms import ALL_MESSAGES
from lox24tui.commands import output
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.stopped import stopped_by
from lox24tui.insight.retry_list import RetryList, RetrySource, retry_list
from lox24tui.state.export import why_not_written, write_number_list

NEEDS_A_FILE = (
    "--retry writes recipients' phone numbers, which are personal data: name the file with "
    "--output FILE (it is written readable by you only)."
)


def run_retry(text: str, destination: str | None) -> int:
    """Exit 0 when the file is written; 1 for an invalid id (before any request), a bulk LOX24
    does not know, an error answer, or a file that cannot be written; 2 when the requests were
    stopped. Nothing is written unless the whole list, its opt-outs checked, was made."""
    bulk_id = output.bulk_id_or_exit(text)
    if isinstance(bulk_id, int):
        return bulk_id
    if destination is None or destination == "-":
        output.complain(NEEDS_A_FILE)
        return ExitCode.FAILED
    folder = Path(destination).expanduser().parent
    if not folder.is_dir():
        output.complain(
            f"cannot write {destination}: the folder {folder} does not exist (folders are "
            "never created); no request was made."
        )
        return ExitCode.FAILED
    loaded = output.settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded

    answered: list[None] = []

    async def fetch() -> RetryList | Lox24Error:
        async with output.guarded_client(settings, token, concurrency=1) as guarded:
            client = _Counting(guarded, answered)
            try:
                made = await retry_list(client, bulk_id)
                if made.failures == 0:  # LOX24 lists nothing for a bulk it does not know either
                    await guarded.get_bulk_status(bulk_id)
            except Lox24Error as error:
                return error
        return made

    made = asyncio.run(fetch())
    if isinstance(made, Lox24Error):
        if isinstance(made, BulkNotFound):
            output.complain(f"LOX24 does not know the bulk {bulk_id} on this account (404).")
            return ExitCode.FAILED
        stopped = stopped_by([*answered, made]) is not None
        output.complain(
            f"no file was written, the requests were stopped: {made}"
            if stopped
            else f"no file was written: {made}"
        )
        return ExitCode.STOPPED if stopped else ExitCode.FAILED
    try:
        write_number_list(destination, made.numbers)
    except OSError as error:
        output.complain(f"cannot write {destination}: {why_not_written(error)}")
        return ExitCode.FAILED
    output.print_line(
        sys.stderr, f"Wrote {made.summary()} to {destination} (readable by you only)."
    )
    return ExitCode.OK


class _Counting:
    """The guarded client, noting each answered request: a 5xx after some answers exits 1,
    while one with none exits 2 (LOX24 unreachable), as every command's rule says."""

    def __init__(self, client: RetrySource, answered: list[None]) -> None:
        self._client = client
        self._answered = answered

    async def list_messages(
        self, bulk_id: str, *, page: int = 1, filters: MessageFilters = ALL_MESSAGES
    ) -> MessagePage:
        result = await self._client.list_messages(bulk_id, page=page, filters=filters)
        self._answered.append(None)
        return result

    async def list_opt_outs(self, *, page: int = 1, number: str | None = None) -> OptOutPage:
        result = await self._client.list_opt_outs(page=page, number=number)
        self._answered.append(None)
        return result
