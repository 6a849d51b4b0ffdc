"""``lox24tui failures ID``: why a bulk's messages failed, and where. The dashboard's failures
screen (``m``, then ``f``) for scripts and terminals: reason × destination country, with each
reason's share of the failures and what they cost. Counts only: no phone number is printed."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from lox24tui.api import BulkNotFound, Lox24Error
from lox24tui.commands import output
from lox24tui.commands.arguments import STOPPED, add_command, epilog
from lox24tui.commands.completion import complete_watched_ids
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.stopped import stopped_by
from lox24tui.insight.failures import (
    MOST_FAILURES,
    UNKNOWN_COUNTRY,
    FailureTable,
    failure_table,
    read_failures,
)
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_failures(text: str, *, as_json: bool, out: TextIO) -> int:
    asked = output.bulk_and_settings_or_exit(text)
    if isinstance(asked, int):
        return asked
    bulk_id, settings, token = asked

    async def fetch() -> tuple[FailureTable | Lox24Error, str | None]:
        async with output.guarded_client(settings, token, concurrency=1) as client:
            try:
                table = failure_table(await read_failures(client, bulk_id))
                if table.total == 0:  # LOX24 lists nothing for a bulk it does not know either
                    await client.get_bulk_status(bulk_id)
                return table, (await client.get_account()).currency if table.total else None
            except Lox24Error as error:
                return error, None

    found, currency = asyncio.run(fetch())
    if isinstance(found, BulkNotFound):
        output.complain(f"LOX24 does not know the bulk {bulk_id} on this account (404).")
        return ExitCode.FAILED
    if isinstance(found, Lox24Error):
        stopped = stopped_by([found]) is not None
        output.complain(f"stopped: {found}" if stopped else str(found))
        return ExitCode.STOPPED if stopped else ExitCode.FAILED
    if as_json:
        for record in _records(found):
            output.print_json(out, record)
    else:
        for line in _lines(found, currency):
            output.print_line(out, line)
    if found.failed.capped:
        output.complain(f"only {found.failed.count_words} were read.")
    return ExitCode.OK


def _records(table: FailureTable) -> list[dict[str, object]]:
    """One object per reason and country with failures."""
    return [
        {
            "reason": reason,
            "country": None if country == UNKNOWN_COUNTRY else country,
            "count": table.count(reason, country),
            "share": round(table.count(reason, country) / table.total, 4),
            "cost": table.cost(reason, country),
            "capped": table.failed.capped,
        }
        for reason in table.reasons
        for country in table.countries
        if table.count(reason, country)
    ]


def _lines(table: FailureTable, currency: str | None) -> list[str]:
    if not table.total:
        return ["No failed messages: nothing expired, was rejected or went unsent."]
    width = max(len(reason) for reason in (*table.reasons, "every reason"))
    countries = ["unknown" if c == UNKNOWN_COUNTRY else c for c in table.countries]
    head = f"{'REASON':<{width}}  " + "  ".join(f"{c:>7}" for c in countries)
    lines = [head + f"  {'ALL':>7}  {'SHARE':>6}  COST"]
    for reason in (*table.reasons, None):
        cells = [table.count(reason, country) for country in table.countries]
        money = humanize.money(table.cost(reason), currency or "", places=2)
        lines.append(
            f"{reason or 'every reason':<{width}}  "
            + "  ".join(f"{n:>7,}" if n else f"{'·':>7}" for n in cells)
            + f"  {table.count(reason):>7,}  {table.share(reason):>6.1%}  {money}"
        )
    if table.from_number:
        lines.append(f"(the country of {table.from_number:,} was read from the number)")
    return lines


# The command line
EXAMPLES = ("lox24tui failures ID", "lox24tui failures ID --json | jq 'select(.country == \"DE\")'")

EPILOG = f"""\
exit status:
  0  the failures were printed (none, if none failed)
  1  the id is invalid (no request is made) or LOX24 does not know that bulk,
     LOX24 answered with an error, or the answer could not be read
{STOPPED}

Only failed messages are read (expired, rejected, never sent), at most the first
{MOST_FAILURES:,}; stderr says so when a bulk has more. No phone number is printed.
"""

SUMMARY = "why a bulk's messages failed, and where: reason × country, with cost"

DESCRIPTION = (
    "Count a bulk's failed messages by reason (the operator's report, or why LOX24 never sent "
    "it) and destination country (LOX24's iso2, or read from the number), with each reason's "
    "share of the failures and what they cost."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "failures", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    complete_watched_ids(parser.add_argument("id", metavar="ID", help="the bulk's id (a UUID)"))
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per reason and country"
    )


def run(args: argparse.Namespace) -> int:
    return run_failures(args.id, as_json=args.json, out=sys.stdout)
