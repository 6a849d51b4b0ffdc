"""``lox24tui export``: every watched bulk with every status field, as CSV or JSON."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lox24tui.clock import SystemClock
from lox24tui.commands.arguments import STOPPED, add_command, epilog
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.output import complain, guarded_client, print_line, settings_or_exit
from lox24tui.commands.retry import run_retry
from lox24tui.commands.stopped import stopped_by
from lox24tui.commands.watch import load_or_explain
from lox24tui.engine.bulk_state import BulkState, export_row
from lox24tui.engine.monitor import check_each_once
from lox24tui.session.config import Locations
from lox24tui.state.export import format_for, render, why_not_written, write_export
from lox24tui.state.store import WatchList
from lox24tui.text import humanize

if TYPE_CHECKING:
    from lox24tui.commands.arguments import Subcommands


def run_export(*, fmt: str, output: str | None, out: TextIO) -> int:
    """Exit 0 when every bulk was fetched; 1 when some failed (the rest is written, and stderr
    says which failed and why), when every one failed (nothing is written: an export without a
    row would pass for an empty list), or when the destination's folder is missing; 2, writing
    nothing, when the account guard stopped requests."""
    to_file = output is not None and output != "-"
    if to_file and output is not None:
        missing = _missing_folder(Path(output))
        if missing is not None:
            what = "is not a folder" if missing.exists() else "does not exist"
            complain(
                f"cannot write {output}: {missing} {what}. Create the folder first "
                "(export never creates folders, so a typo cannot scatter files); no request "
                "was made."
            )
            return ExitCode.FAILED
    locations = Locations.default()
    watchlist = load_or_explain(locations.watchlist_file)  # never changes the file
    if watchlist is None:
        return ExitCode.FAILED
    loaded = settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded

    async def fetch() -> list[BulkState]:
        async with guarded_client(settings, token) as client:
            return await check_each_once(client, watchlist.ids, concurrency=settings.concurrency)

    states = asyncio.run(fetch()) if watchlist.ids else []
    stopped = stopped_by(state.error for state in states) if states else None
    if stopped is not None:
        complain(f"nothing exported, the requests were stopped: {stopped}")
        return ExitCode.STOPPED
    failed = [state for state in states if state.error is not None]
    if failed and len(failed) == len(states):
        _name_failures(watchlist, failed)
        where = f"no file was written ({output} is as it was)" if to_file else "nothing was written"
        complain(f"every watched bulk failed, so {where}.")
        return ExitCode.FAILED
    now = datetime.fromtimestamp(SystemClock().now(), UTC)
    rows = [export_row(watchlist.label_of(state.bulk_id), state, now) for state in states]
    if not to_file or output is None:
        out.write(render(rows, fmt))
    else:
        try:
            write_export(output, rows, fmt=fmt)
        except OSError as error:
            complain(f"cannot write {output}: {why_not_written(error)}")
            return ExitCode.FAILED
        print_line(sys.stderr, f"Exported {humanize.plural(len(rows), 'bulk')} to {output}")
    _name_failures(watchlist, failed)
    return ExitCode.FAILED if failed else ExitCode.OK


def _name_failures(watchlist: WatchList, failed: list[BulkState]) -> None:
    """Each failed bulk on stderr, with its label and why."""
    for state in failed:
        name = watchlist.label_of(state.bulk_id) or state.bulk_id
        complain(f"{state.bulk_id} ({name}) failed: {state.error}")


def _missing_folder(path: Path) -> Path | None:
    """The outermost folder on the way to ``path`` that does not exist, or None when its folder
    is there."""
    folder = path.parent
    if folder.is_dir():
        return None
    missing = folder
    while not missing.parent.exists() and missing.parent != missing:
        missing = missing.parent
    return missing


# The command line
EXAMPLES = (
    "lox24tui export --output bulks.csv",
    "lox24tui export --format json > bulks.json",
    "lox24tui export --retry ID --output send-again.csv",
)

EPILOG = f"""\
exit status:
  0  every watched bulk was fetched and written
  1  some bulks failed (the others are written; stderr names each and why),
     every bulk failed (no file is written), the destination cannot be written
     or its folder does not exist (folders are never created), or the
     watch-list file cannot be read
{STOPPED}; nothing is written then

With --retry: 0 the file is written (stderr says how many numbers, and how many
were left out: opted out, not a phone number, repeated); 1 the id is invalid (no
request is made), LOX24 does not know the bulk, or the file cannot be written;
2 the requests were stopped. No file is written unless the opt-outs were checked.
"""


SUMMARY = "write the watch list with every status field as CSV or JSON"

DESCRIPTION = (
    "Fetch every watched bulk once and write one row per bulk: its label, "
    "every status field, when it was checked and its last error. The token is never in it."
)


def declare(commands: Subcommands) -> None:
    parser = add_command(commands, "export", SUMMARY, DESCRIPTION, epilog(EXAMPLES, EPILOG), run)
    parser.add_argument(
        "--format",
        choices=["csv", "json"],
        default=None,
        help="csv (default, or from the file name) or json",
    )
    parser.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    parser.add_argument(
        "--retry",
        metavar="ID",
        help="instead, write the numbers of the bulk ID's failed messages (expired, rejected, "
        "never sent) minus opted-out ones: a CSV of E.164 numbers under a `phone` header, "
        "readable by you only; needs --output",
    )


def run(args: argparse.Namespace) -> int:
    if args.retry is not None:
        return run_retry(args.retry, args.output)
    fmt = args.format or (format_for(args.output) if args.output else "csv")
    return run_export(fmt=fmt, output=args.output, out=sys.stdout)
