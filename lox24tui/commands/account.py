"""``lox24tui account``: the balance, its currency, when it last changed, the services, and what
the scheduled bulks will cost against it (the spend forecast, in one or two more requests)."""

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
from lox24tui.insight.forecast import Forecast, forecast_json, read_forecast
from lox24tui.session.config import below_low_balance
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_account(*, as_json: bool, out: TextIO) -> int:
    loaded = output.settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded

    async def fetch() -> tuple[Account, Forecast | Lox24Error] | Lox24Error:
        async with output.guarded_client(settings, token, concurrency=1) as client:
            try:
                account = await client.get_account()
            except Lox24Error as error:
                return error
            try:
                return account, await read_forecast(client)
            except Lox24Error as error:  # the account is known: say it, and why no forecast
                return account, error

    fetched = asyncio.run(fetch())
    if isinstance(fetched, Lox24Error):
        stopped = stopped_by([fetched]) is not None
        output.complain(f"stopped: {fetched}" if stopped else str(fetched))
        return ExitCode.STOPPED if stopped else ExitCode.FAILED
    result, forecast = fetched
    low = settings.low_balance
    is_low = below_low_balance(result.balance_amount, low)
    if as_json:
        record: dict[str, object] = {name: getattr(result, name) for name in ACCOUNT_FIELDS}
        record.update(result.extra_fields)
        record["forecast"] = (
            forecast_json(forecast, result.balance_amount)
            if isinstance(forecast, Forecast)
            else {"error": str(forecast)}
        )
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
    if isinstance(forecast, Forecast):
        rows.append(("scheduled", forecast.sentence(None, currency)))
        if forecast.bulks:
            rows.append(("basis", forecast.basis(currency)))
        if forecast.exceeds(result.balance_amount):
            rows.append(("warning", "the scheduled bulks would cost more than the balance"))
    else:
        rows.append(("scheduled", f"not known: {forecast}"))
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


SUMMARY = "show the account's balance, services and scheduled spend"

DESCRIPTION = (
    "Show the account (GET /me): balance, currency, when the balance last "
    "changed, the services it may use, and what the scheduled bulks will cost "
    "(their own price where LOX24 gives one, else an estimate from the price per "
    "message of recent bulks; never a dry run)."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "account", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    parser.add_argument("--json", action="store_true", help="one JSON object, LOX24's field names")


def run(args: argparse.Namespace) -> int:
    return run_account(as_json=args.json, out=sys.stdout)
