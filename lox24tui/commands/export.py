"""``lox24tui export``: every watched bulk with every status field, as CSV or JSON."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TextIO

from lox24tui import humanize
from lox24tui.commands.output import guarded_client, settings_or_exit
from lox24tui.commands.watch import load_or_explain
from lox24tui.config import Locations
from lox24tui.exit_codes import ExitCode
from lox24tui.export import export_row, render
from lox24tui.files import write_atomically
from lox24tui.guard import stops_everything
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
    stopped = next((s.error for s in states if s.error and stops_everything(s.error)), None)
    if stopped is not None:
        reason = humanize.plain(str(stopped))
        print(f"lox24tui: nothing exported, the requests were stopped: {reason}", file=sys.stderr)
        return ExitCode.STOPPED
    rows = [export_row(watchlist.label_of(state.bulk_id), state) for state in states]
    if output is None or output == "-":
        out.write(render(rows, fmt))
    else:
        try:
            write_atomically(Path(output), render(rows, fmt, for_file=True))
        except OSError as error:
            why = error.strerror or type(error).__name__
            print(f"lox24tui: cannot write {output}: {why}", file=sys.stderr)
            return ExitCode.FAILED
        print(f"Exported {len(rows)} bulks to {output}", file=sys.stderr)
    failed = [state for state in states if state.error is not None]
    for state in failed:
        assert state.error is not None
        name = watchlist.label_of(state.bulk_id) or state.bulk_id
        why = humanize.plain(str(state.error))
        print(f"lox24tui: {state.bulk_id} ({humanize.plain(name)}) failed: {why}", file=sys.stderr)
    return ExitCode.FAILED if failed else ExitCode.OK
