"""``lox24tui account``: the balance, its currency, when it last changed, and the services."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TextIO

from lox24tui.api import ACCOUNT_FIELDS, Account, Lox24Error
from lox24tui.commands import output
from lox24tui.commands.arguments import STOPPED, add_command, epilog
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.stopped import stopped_by
from lox24tui.session.config import below_low_balance
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_account(*, as_json: bool, out: TextIO = sys.stdout) -> int:
    loaded = output.settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded

    async def fetch() -> Account | Lox24Error:
        async with output.guarded_client(settings, token, concurrency=1) as client:
            try:
                return await client.get_account()
            except Lox24Error as error:
                return error

    result = asyncio.run(fetch())
    if isinstance(result, Lox24Error):
        stopped = stopped_by([result]) is not None
        output.complain(f"stopped: {result}" if stopped else str(result))
        return ExitCode.STOPPED if stopped else ExitCode.FAILED
    low = settings.low_balance
    is_low = below_low_balance(result.balance_amount, low)
    if as_json:
        record = {name: getattr(result, name) for name in ACCOUNT_FIELDS}
        record.update(result.extra_fields)
        output.print_json(out, record)
        return ExitCode.OK
    currency = result.currency or "(no currency)"
    now = datetime.now(UTC)
    output.print_line(out, f"● account {'—' if result.id is None else result.id}")
    rows = [
        ("balance", humanize.money(result.balance_amount, currency)),
        ("changed", humanize.local_time_relative(result.balance_changed_at, now)),
        ("services", ", ".join(result.services or []) or "—"),
        ("text deleted", humanize.flag(result.is_text_deleted)),
    ]
    if is_low:
        rows.append(("warning", f"below your low_balance of {humanize.money(low, currency)}"))
    for key, value in result.unreadable_fields.items():
        rows.append((key, f"unreadable: {value!r}"))
    for label, value in rows:
        output.print_line(out, f"    {label:<13} {value}")
    return ExitCode.OK


# The command line
EXAMPLES = ("lox24tui account", "lox24tui account --json")

EPILOG = f"""\
exit status:
  0  the account was printed
  1  LOX24 answered with an error, or the answer could not be read
{STOPPED}
"""


SUMMARY = "show the account's balance and services"

DESCRIPTION = (
    "Show the account (GET /me): balance, currency, when the balance last "
    "changed, and the services it may use."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "account", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG))
    parser.add_argument("--json", action="store_true", help="one JSON object, LOX24's field names")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_account(as_json=args.json)
