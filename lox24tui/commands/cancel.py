"""``lox24tui cancel ID…``: stop bulks that have not finished sending. The one command that
changes something at LOX24, so it asks first on a terminal, refuses without a terminal unless
``--yes`` says so, and refuses altogether when lox24tui is read-only."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

from lox24tui.account.guard import WritesDisabled
from lox24tui.api import InvalidBulkId, Lox24Error, StatusCode, label_with_code, parse_bulk_id
from lox24tui.commands import output
from lox24tui.commands.arguments import add_command, epilog
from lox24tui.commands.completion import add_bulk_ids
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.stopped import stopped_by
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_cancel(
    texts: list[str],
    *,
    yes: bool,
    read_only: bool = False,
    interactive: bool | None = None,
    ask: Callable[[str], str] = input,
    out: TextIO,
) -> int:
    ids: list[str] = []
    for text in texts:
        try:
            bulk_id = parse_bulk_id(text)
        except InvalidBulkId as error:
            output.complain(f"{error.message} Nothing was canceled.")
            return ExitCode.FAILED
        if bulk_id not in ids:
            ids.append(bulk_id)
    loaded = output.settings_or_exit(read_only=read_only)
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded
    if settings.read_only:
        output.complain(WritesDisabled().message)
        return ExitCode.STOPPED
    if not yes:
        on_terminal = sys.stdin.isatty() if interactive is None else interactive
        if not on_terminal:
            output.complain(
                "cancel changes bulks at LOX24 and there is no terminal to ask on: "
                "add --yes to cancel without asking. Nothing was canceled."
            )
            return ExitCode.STOPPED
        if len(ids) == 1:
            question = f"Cancel {ids[0]}? Its unsent messages will not be sent. [y/N] "
        else:
            question = (
                f"Cancel {humanize.plural(len(ids), 'bulk')}? Their unsent messages will not "
                "be sent. [y/N] "
            )
        answer = ask(question)
        if answer.strip().lower() not in ("y", "yes"):
            output.print_line(out, "Nothing was canceled.")
            return ExitCode.FAILED

    async def cancel_each() -> int:
        canceled = 0
        outcomes: list[Lox24Error | None] = []
        async with output.guarded_client(settings, token, concurrency=1) as client:
            for bulk_id in ids:  # one at a time: a write is never fired in a burst
                try:
                    reply = await client.cancel_bulk(bulk_id)
                except Lox24Error as error:
                    outcomes.append(error)
                    if stopped_by(outcomes) is not None:  # said once, on stderr
                        output.print_line(out, f"✗ {bulk_id}  not canceled: {error.title}")
                        output.complain(f"stopped: {error}")
                        return ExitCode.STOPPED
                    output.print_line(out, f"✗ {bulk_id}  {error.title}: {error}")
                    continue
                outcomes.append(None)
                code = reply.status.status_code
                shown = label_with_code(reply.status.status.label, code)
                if code == StatusCode.CANCELED:
                    canceled += 1
                    output.print_line(out, f"✓ {bulk_id}  {shown}")
                else:
                    output.print_line(
                        out, f"✗ {bulk_id}  LOX24 answered {shown}, not canceled (15)"
                    )
        return ExitCode.OK if canceled == len(ids) else ExitCode.FAILED

    return asyncio.run(cancel_each())


# The command line
EXAMPLES = ("lox24tui cancel ID1 ID2", "lox24tui cancel ID --yes     # in scripts")

EPILOG = """\
exit status:
  0  every bulk was canceled
  1  an id was invalid, LOX24 refused or failed to cancel a bulk (it says why),
     or you answered no
  2  nothing (more) was canceled: lox24tui is read-only (--read-only or
     read_only = true) or there was no terminal to ask on and no --yes (then no
     request was made), or the requests were stopped (a refused token, an
     inactive account, a rate limit, protecting your IP, LOX24 unreachable);
     also: no token, a bad config file
"""


SUMMARY = "cancel bulks that have not finished sending"

DESCRIPTION = (
    "Cancel bulks (PUT /bulks/{id}/cancel): a new bulk, or one still sending, "
    "stops and its unsent messages are not sent. Asks first on a terminal; one request at "
    "a time, never retried."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "cancel", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    add_bulk_ids(parser)
    parser.add_argument("--yes", action="store_true", help="do not ask (needed without a terminal)")


def run(args: argparse.Namespace) -> int:
    return run_cancel(args.ids, yes=args.yes, read_only=args.read_only, out=sys.stdout)
