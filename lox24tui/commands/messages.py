"""``lox24tui messages ID``: a bulk's messages with their delivery outcome. With the dashboard's
messages screen, the only place lox24tui shows recipients' phone numbers, because the user asked
for them (``--mask`` hides all but the country code and the last four digits)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from lox24tui.api import (
    BulkNotFound,
    Lox24Error,
    Message,
    MessageFilters,
    dlr_label,
    sms_status_label,
)
from lox24tui.commands import output
from lox24tui.commands.arguments import STOPPED, add_command, epilog, positive
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.stopped import stopped_by
from lox24tui.engine.delivery import OUTCOME_FILTERS, OUTCOMES
from lox24tui.state.export import message_record
from lox24tui.text import humanize
from lox24tui.text.phones import mask_phone

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_messages(
    text: str,
    *,
    outcome: str | None,
    mask: bool,
    as_json: bool,
    limit: int,
    out: TextIO,
) -> int:
    asked = output.bulk_and_settings_or_exit(text)
    if isinstance(asked, int):
        return asked
    bulk_id, settings, token = asked
    filters = OUTCOME_FILTERS[outcome] if outcome else MessageFilters()

    async def fetch() -> Lox24Error | None:
        shown = 0
        page: int | None = 1
        async with output.guarded_client(settings, token, concurrency=1) as client:
            try:
                while page is not None and shown < limit:
                    result = await client.list_messages(bulk_id, page=page, filters=filters)
                    for message in result.items[: limit - shown]:
                        if as_json:
                            output.print_json(out, message_record(message, mask=mask))
                        else:
                            output.print_line(out, _line(message, mask=mask))
                        shown += 1
                    more = result.next_page is not None and result.next_page > page
                    page = result.next_page if more and result.items else None
                if shown == 0:
                    # An empty list is also LOX24's answer for a bulk it does not know: ask
                    # for the bulk itself (one request) so a typo is not taken for "no messages".
                    await client.get_bulk_status(bulk_id)
                    output.print_line(sys.stderr, _nothing_matches(bulk_id, outcome))
            except Lox24Error as error:
                return error
        return None

    problem = asyncio.run(fetch())
    if problem is None:
        return ExitCode.OK
    if isinstance(problem, BulkNotFound):
        output.complain(f"LOX24 does not know the bulk {bulk_id} on this account (404).")
        return ExitCode.FAILED
    stopped = stopped_by([problem]) is not None
    output.complain(f"stopped: {problem}" if stopped else str(problem))
    return ExitCode.STOPPED if stopped else ExitCode.FAILED


def _nothing_matches(bulk_id: str, outcome: str | None) -> str:
    if outcome is None:
        return f"The bulk {bulk_id} has no messages."
    return f"The bulk {bulk_id} has no messages with the outcome {outcome}."


def _line(message: Message, *, mask: bool) -> str:
    phone = mask_phone(message.phone) if mask else (message.phone or "—")
    created = humanize.local_time(message.created_at) if message.created_at else "—"
    sent = (
        f"sent {humanize.local_time(message.gateway_sent_at)}"
        if message.gateway_sent_at
        else "never sent"
    )
    parts = "—" if message.parts_count is None else f"{message.parts_count} part(s)"
    price = "—" if message.price is None else f"{message.price:f}"
    return (
        f"{message.uuid or '—'}  {phone:<16} {dlr_label(message.dlr_code):<18} "
        f"{sms_status_label(message.status_code):<22} created {created}  {sent}  "
        f"{parts}  price {price}"
    )


# The command line
EXAMPLES = ("lox24tui messages ID --dlr rejected --mask",)

EPILOG = f"""\
exit status:
  0  the messages were printed (none, if none match: stderr says so)
  1  the id is invalid or LOX24 does not know that bulk, LOX24 answered with an
     error, or the answer could not be read
{STOPPED}

Phone numbers are recipients' personal data: this is the only command that shows
them (--mask hides all but the country code and the last four digits).
"""


SUMMARY = "list a bulk's messages with their delivery outcome"

DESCRIPTION = (
    "List a bulk's messages (GET /sms), oldest first, with their delivery report and status."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "messages", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    parser.add_argument("id", metavar="ID", help="the bulk's id (a UUID)")
    parser.add_argument(
        "--dlr",
        choices=OUTCOMES,
        metavar="OUTCOME",
        help=f"only messages with this outcome: {', '.join(OUTCOMES)} (none: sent, no "
        "report yet; not_sent: never sent, e.g. no funds or blocked)",
    )
    parser.add_argument("--mask", action="store_true", help="show phone numbers as +49 ••• 4567")
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per line, LOX24's field names"
    )
    parser.add_argument(
        "--limit", type=positive, default=100, help="at most this many (%(default)s)"
    )


def run(args: argparse.Namespace) -> int:
    return run_messages(
        args.id,
        outcome=args.dlr,
        mask=args.mask,
        as_json=args.json,
        limit=args.limit,
        out=sys.stdout,
    )
