"""``lox24tui bulks``: the account's recent bulks, so nobody has to remember a UUID."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import TextIO

from lox24tui.api import Bulk, Lox24Error
from lox24tui.api.records import status_fields
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.output import (
    complain,
    guarded_client,
    print_json,
    print_line,
    settings_or_exit,
)
from lox24tui.commands.stopped import stopped_by
from lox24tui.engine.discovery import BulkQuery, parse_age, recent_bulks
from lox24tui.text import humanize


def run_bulks(
    *, statuses: list[int], since: str | None, as_json: bool, limit: int, out: TextIO = sys.stdout
) -> int:
    try:
        query = BulkQuery(tuple(statuses), parse_age(since) if since else None)
    except ValueError as error:
        complain(str(error))
        return ExitCode.STOPPED
    loaded = settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded

    async def fetch() -> Lox24Error | None:
        now = datetime.now(UTC)
        shown = 0
        async with guarded_client(settings, token, concurrency=1) as client:
            try:
                async for bulk in recent_bulks(client, query, limit=limit):
                    if as_json:
                        record = status_fields(bulk, now)
                        record.update(sender_id=bulk.sender_id, text=bulk.text)
                        print_json(out, {"id": bulk.uuid, **record})
                    else:
                        if shown == 0:
                            print_line(out, HEADER)
                        print_line(out, _line(bulk, now))
                    shown += 1
            except Lox24Error as error:
                return error
        if shown == 0:
            print_line(sys.stderr, "No bulk in the account matches.")
        return None

    problem = asyncio.run(fetch())
    if problem is not None:
        if as_json:
            print_json(out, {"id": None, "error": problem.to_dict()})
        stopped = stopped_by([problem]) is not None
        complain(f"stopped: {problem}" if stopped else str(problem))
        return ExitCode.STOPPED if stopped else ExitCode.FAILED
    return ExitCode.OK


HEADER = f"{'ID':<36}  {'CREATED':<19}  {'STATUS':<14} {'MESSAGES':>9}  {'PRICE':>14}  TEXT"
"""The columns of the lines for people, as :func:`_line` lays them out."""


def _line(bulk: Bulk, now: datetime) -> str:
    created = humanize.local_time(bulk.created_at) if bulk.created_at else "—"
    text = (bulk.text or "").replace("\n", " ")[:40]
    return (
        f"{bulk.uuid or '—'}  {created}  {bulk.label_at(now):<14} "
        f"{humanize.count(bulk.msg_total_count):>9}  {humanize.money(bulk.price):>14}  {text}"
    )
