"""``lox24tui export``: every watched bulk with every status field, as CSV or JSON."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from lox24tui.clock import SystemClock
from lox24tui.commands.output import complain, guarded_client, print_line, settings_or_exit
from lox24tui.commands.stopped import stopped_by
from lox24tui.commands.watch import load_or_explain
from lox24tui.config import Locations
from lox24tui.exit_codes import ExitCode
from lox24tui.export import export_row, render
from lox24tui.files import write_atomically
from lox24tui.monitor import BulkState, check_each_once


def run_export(*, fmt: str, output: str | None, out: TextIO = sys.stdout) -> int:
    """Exit 0 when every bulk was fetched; 1 when some failed (the rest is written, and stderr
    says which failed and why); 2, writing nothing, when the account guard stopped requests."""
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
    now = datetime.fromtimestamp(SystemClock().now(), UTC)
    rows = [export_row(watchlist.label_of(state.bulk_id), state, now) for state in states]
    if output is None or output == "-":
        out.write(render(rows, fmt))
    else:
        try:
            write_atomically(Path(output), render(rows, fmt, for_file=True))
        except OSError as error:
            complain(f"cannot write {output}: {error.strerror or type(error).__name__}")
            return ExitCode.FAILED
        print_line(sys.stderr, f"Exported {len(rows)} bulks to {output}")
    failed = [state for state in states if state.error is not None]
    for state in failed:
        name = watchlist.label_of(state.bulk_id) or state.bulk_id
        complain(f"{state.bulk_id} ({name}) failed: {state.error}")
    return ExitCode.FAILED if failed else ExitCode.OK
