"""``lox24tui export``: every watched bulk with every status field, as CSV or JSON."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from lox24tui.api import Lox24ClientPool, Lox24Error
from lox24tui.clock import SystemClock
from lox24tui.commands.output import complain, print_line, settings_or_exit
from lox24tui.config import Locations
from lox24tui.export import export_row, render
from lox24tui.files import write_atomically
from lox24tui.ledger import FileLedger
from lox24tui.monitor import BulkState, Monitor
from lox24tui.store import WatchList

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def run_export(*, fmt: str, output: str | None, out: TextIO = sys.stdout) -> int:
    locations = Locations.default()
    watchlist, problem = WatchList.load(locations.watchlist_file)
    if problem is not None:
        complain(problem.message)
    loaded = settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded

    async def fetch() -> tuple[list[BulkState], Lox24Error | None]:
        async with Lox24ClientPool(
            token, settings.api_url, timeout=settings.timeout, max_connections=settings.concurrency
        ) as client:
            monitor = Monitor(
                client,
                watchlist.ids,
                concurrency=settings.concurrency,
                ledger=FileLedger(locations.credential_ledger_file),
            )
            states = await monitor.check_once()
            breaker = monitor.breaker
            return states, (breaker.error if breaker else None)

    states, stopped_by = asyncio.run(fetch()) if watchlist.ids else ([], None)
    if stopped_by is not None:
        complain(f"nothing exported, LOX24 stopped the requests: {stopped_by}")
        return EXIT_USAGE
    now = datetime.fromtimestamp(SystemClock().now(), UTC)
    rows = [export_row(watchlist.label_of(state.bulk_id), state, now) for state in states]
    if output is None or output == "-":
        out.write(render(rows, fmt))
    else:
        try:
            write_atomically(Path(output), render(rows, fmt, for_file=True))
        except OSError as error:
            complain(f"cannot write {output}: {error.strerror or error}")
            return EXIT_FAILED
        print_line(sys.stderr, f"Exported {len(rows)} bulks to {output}")
    failed = [row for row in rows if row["last_error"] is not None]
    return EXIT_FAILED if failed else EXIT_OK
