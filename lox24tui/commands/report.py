"""``lox24tui report ID…``: what to tell your manager. Each campaign's story (``insight.report``)
as Markdown, JSON or one self-contained HTML file. No phone number, click IP or reply text is
ever in it."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, TextIO

from lox24tui.api import BulkNotFound, Lox24Error
from lox24tui.clock import SystemClock
from lox24tui.commands import output
from lox24tui.commands.arguments import STOPPED, add_command, epilog
from lox24tui.commands.completion import add_bulk_ids
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.stopped import stopped_by
from lox24tui.insight.report import CampaignReport, gather_report
from lox24tui.insight.report_formats import FORMATS, render
from lox24tui.session.config import Locations
from lox24tui.state.export import why_not_written, write_report
from lox24tui.state.history import History
from lox24tui.state.store import WatchList, WatchListDamaged

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_report(texts: list[str], *, fmt: str, destination: str | None, out: TextIO) -> int:
    """Exit 0 when every report was written; 1 for an invalid id (before any request), a bulk
    LOX24 does not know, an error answer, or a file that cannot be written; 2 when stopped. A
    report is written whole or not at all."""
    ids: list[str] = []
    for text in texts:
        bulk_id = output.bulk_id_or_exit(text)
        if isinstance(bulk_id, int):
            return bulk_id
        ids.append(bulk_id)
    loaded = output.settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded
    locations = Locations.default()
    labels = _labels(locations)
    timelines = _timelines(locations, ids, settings.history_days)
    clock = SystemClock()

    async def gather() -> list[CampaignReport] | Lox24Error:
        async with output.guarded_client(settings, token, concurrency=1) as client:
            made = []
            try:
                currency = (await client.get_account()).currency
            except Lox24Error as error:
                return error
            for bulk_id in ids:
                try:
                    made.append(
                        await gather_report(
                            client,
                            bulk_id,
                            label=labels.get(bulk_id, ""),
                            timeline=timelines.get(bulk_id, []),
                            currency=currency,
                            now=clock.now,
                        )
                    )
                except Lox24Error as error:
                    if isinstance(error, BulkNotFound):
                        error.message = f"LOX24 does not know the bulk {bulk_id} on this account"
                    return error
            return made

    made = asyncio.run(gather())
    if isinstance(made, Lox24Error):
        stopped = stopped_by([made]) is not None
        output.complain(f"no report was written: {made}")
        return ExitCode.STOPPED if stopped else ExitCode.FAILED
    text = render(made, fmt)
    if destination is None or destination == "-":
        out.write(text)
        return ExitCode.OK
    try:
        write_report(destination, text)
    except OSError as error:
        output.complain(f"cannot write {destination}: {why_not_written(error)}")
        return ExitCode.FAILED
    output.print_line(sys.stderr, f"Wrote the report of {len(made)} bulk(s) to {destination}")
    return ExitCode.OK


def _labels(locations: Locations) -> dict[str, str]:
    """The watch list's labels, when it can be read: a label is a courtesy, and a report of a
    bulk never needs the list (a damaged list is left as it is, and said by the list's own
    commands)."""
    try:
        watchlist, _ = WatchList.load(locations.watchlist_file)
    except (WatchListDamaged, OSError):
        return {}
    return {entry.bulk_id: entry.label for entry in watchlist.entries}


def _timelines(
    locations: Locations, ids: list[str], days: int
) -> dict[str, list[tuple[float, str]]]:
    """The statuses lox24tui saw each bulk in, from the history file (no request)."""
    path = locations.history_file
    if not path.exists():  # nothing seen yet; reading must not create the file
        return {}
    found: dict[str, list[tuple[float, str]]] = {}
    with History(path, retention_days=days) as history:
        for change in history.transitions(ids):
            found.setdefault(change.bulk_id, []).append((change.at, change.status))
    return found


# The command line
EXAMPLES = (
    "lox24tui report ID          # Markdown: paste it into a chat or a ticket",
    "lox24tui report ID --format html -o report.html",
    "lox24tui report ID1 ID2 --format json",
)

EPILOG = f"""\
exit status:
  0  the report was written
  1  an id is invalid (no request is made), LOX24 does not know a bulk, LOX24
     answered with an error, or the file cannot be written; nothing is written
{STOPPED}; nothing is written then

A report holds no phone number, no click's IP or browser string and no reply.
"""

SUMMARY = "one campaign's story as Markdown, JSON or HTML: what to tell your manager"

DESCRIPTION = (
    "For each bulk: its status and the changes lox24tui saw, delivery outcomes, failures by "
    "reason and country with their cost, clicks on its links, duration and send rate."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "report", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    add_bulk_ids(parser)
    parser.add_argument(
        "--format", choices=FORMATS, default="markdown", help="%(choices)s (%(default)s)"
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")


def run(args: argparse.Namespace) -> int:
    return run_report(args.ids, fmt=args.format, destination=args.output, out=sys.stdout)
