"""``lox24tui bulks``: the account's recent bulks, so nobody has to remember a UUID."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from lox24tui.api import Bulk, Lox24Error, StatusCode
from lox24tui.api.records import status_fields
from lox24tui.commands import output
from lox24tui.commands.arguments import STOPPED, add_command, epilog, positive
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.stopped import stopped_by
from lox24tui.engine.discovery import BulkQuery, parse_age, recent_bulks
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_bulks(
    *, statuses: list[int], since: str | None, as_json: bool, limit: int, out: TextIO
) -> int:
    try:
        query = BulkQuery(tuple(statuses), parse_age(since) if since else None)
    except ValueError as error:
        output.complain(str(error))
        return ExitCode.STOPPED
    loaded = output.settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded

    async def fetch() -> Lox24Error | None:
        now = datetime.now(UTC)
        shown = 0
        async with output.guarded_client(settings, token, concurrency=1) as client:
            try:
                async for bulk in recent_bulks(client, query, limit=limit):
                    if as_json:
                        record = status_fields(bulk, now)
                        record.update(sender_id=bulk.sender_id, text=bulk.text)
                        output.print_json(out, {"id": bulk.uuid, **record})
                    else:
                        if shown == 0:
                            output.print_line(out, HEADER)
                        output.print_line(out, _line(bulk, now))
                    shown += 1
            except Lox24Error as error:
                return error
        if shown == 0:
            output.print_line(sys.stderr, "No bulk in the account matches.")
        return None

    problem = asyncio.run(fetch())
    if problem is not None:
        if as_json:
            output.print_json(out, {"id": None, "error": problem.to_dict()})
        stopped = stopped_by([problem]) is not None
        output.complain(f"stopped: {problem}" if stopped else str(problem))
        return ExitCode.STOPPED if stopped else ExitCode.FAILED
    return ExitCode.OK


HEADER = f"{'ID':<36}  {'CREATED':<19}  {'STATUS':<14} {'MESSAGES':>9}  {'PRICE':>10}  TEXT"
"""The columns of the lines for people, as :func:`_line` lays them out."""


def _line(bulk: Bulk, now: datetime) -> str:
    created = humanize.local_time(bulk.created_at) if bulk.created_at else "—"
    text = (bulk.text or "").replace("\n", " ")[:40]
    return (
        f"{bulk.uuid or '—'}  {created}  {bulk.label_at(now):<14} "
        f"{humanize.count(bulk.msg_total_count):>9}  {humanize.money(bulk.price, None):>10}  {text}"
    )


# The command line
EXAMPLES = ("lox24tui bulks --since 24h", "lox24tui bulks --status 5 --json")

EPILOG = f"""\
exit status:
  0  the list was printed
  1  LOX24 answered with an error, or the answer could not be read
{STOPPED}
"""


SUMMARY = "list the account's recent bulks"

DESCRIPTION = "List the account's bulks, newest first (GET /bulks), to find ids."


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "bulks", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    parser.add_argument(
        "--status",
        type=_status_code,
        action="append",
        default=[],
        metavar="CODE",
        help="only bulks with this status code (repeatable): 0 new, 5 in progress, "
        "10 processed, 15 canceled, 20 system error, 201 no recipients",
    )
    parser.add_argument(
        "--since", metavar="AGE", help="only bulks created within AGE, e.g. 24h, 7d"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument(
        "--limit", type=positive, default=50, help="at most this many (%(default)s)"
    )


def run(args: argparse.Namespace) -> int:
    return run_bulks(
        statuses=args.status, since=args.since, as_json=args.json, limit=args.limit, out=sys.stdout
    )


def _status_code(text: str) -> int:
    """A code of the contract (:class:`lox24tui.api.StatusCode`), else argparse's error."""
    known = [int(code) for code in StatusCode]
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value not in known:
        raise argparse.ArgumentTypeError(f"must be one of {', '.join(map(str, known))}")
    return value
