"""``lox24tui accounts``: the accounts the config names, each with its server, where its token
is and whether it is there (masked, never whole), and its watch list. It reads the config and
the files only: no request goes out (``lox24tui --account NAME account`` asks LOX24)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import TYPE_CHECKING, TextIO

from lox24tui.commands import output
from lox24tui.commands.arguments import add_command, epilog
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.session.config import (
    ConfigError,
    Locations,
    Settings,
    load_settings,
    settings_of_account,
)
from lox24tui.state.store import WatchList, WatchListDamaged
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands

DEFAULT: str = "(default)"
"""How the account without a name (``token``, ``LOX24_TOKEN``, the keyring) is listed."""


def run_accounts(*, as_json: bool, out: TextIO) -> int:
    try:
        base = load_settings()
    except ConfigError as error:
        output.complain(str(error))
        return ExitCode.STOPPED
    rows = [_row(DEFAULT, None, base)]
    for name in base.accounts:
        try:
            rows.append(_row(name, name, settings_of_account(name)))
        except ConfigError as error:  # its token cannot be used: said on its own row
            rows.append(_row(name, name, base, problem=str(error)))
    if as_json:
        for row in rows:
            output.print_json(out, row)
        return ExitCode.OK
    for row in rows:
        label = f"  {row['label']}" if row["label"] else ""
        output.print_line(out, f"● {row['name']}{label}")
        output.print_line(out, f"    server        {row['api_url']}")
        output.print_line(out, f"    token         {_token_words(row)}")
        if row["colour"]:
            output.print_line(out, f"    colour        {row['colour']}")
        watched = row["watched"]
        count = "damaged" if watched is None else humanize.plural(int(str(watched)), "bulk")
        output.print_line(out, f"    watch list    {count} ({row['watch_list']})")
    return ExitCode.OK


def _token_words(row: dict[str, object]) -> str:
    if row["problem"]:
        return f"unusable: {row['problem']}"
    if row["token"] is None:
        source = row["token_source"] or "LOX24_TOKEN, the keyring or token in the config"
        return f"none ({source})"
    return f"{row['token']}, from {row['token_source']}"


def _row(
    name: str, account: str | None, settings: Settings, *, problem: str | None = None
) -> dict[str, object]:
    config = settings.accounts.get(account) if account is not None else None
    token = settings.api_token if problem is None else None
    if config is not None and problem is not None:
        settings = settings.model_copy(update={"api_url": config.api_url})
    locations = dataclasses.replace(Locations.default(), account=account)
    return {
        "name": name,
        "label": (config.label if config else None) or "",
        "api_url": settings.api_url,
        "token": token.masked if token is not None else None,
        "token_source": settings.token_source if problem is None else None,
        "problem": problem,
        "colour": config.colour if config else None,
        "watch_list": str(locations.watchlist_file),
        "watched": _watched(locations),
    }


def _watched(locations: Locations) -> int | None:
    """How many bulks the account watches (None: its list is damaged)."""
    path = locations.watchlist_file
    if not path.exists():
        return 0
    try:
        watchlist, _ = WatchList.load(path)
    except WatchListDamaged:
        return None
    return len(watchlist.ids)


EXAMPLES = ("lox24tui accounts", "lox24tui accounts --json")
EPILOG = """\
exit status:
  0  the accounts were listed
  2  the config file cannot be used
"""
SUMMARY = "list the accounts the config names, offline"
DESCRIPTION = (
    "List the default account and every [accounts.NAME] of the config: its server, where its "
    "token is and whether it is there (masked), its colour and its watch list. No request is "
    "sent; `lox24tui --account NAME account` asks LOX24."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "accounts", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    parser.add_argument("--json", action="store_true", help="one JSON object per account")


def run(args: argparse.Namespace) -> int:
    return run_accounts(as_json=args.json, out=sys.stdout)
