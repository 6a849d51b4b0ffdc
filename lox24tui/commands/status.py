"""``lox24tui status ID…``: a one-shot look-up for people and scripts, through the engine."""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from typing import TextIO

from lox24tui import humanize
from lox24tui.api import (
    InvalidBulkId,
    Lox24ClientPool,
    Lox24Error,
    label_with_code,
    parse_bulk_id,
    voice_language_with_code,
)
from lox24tui.commands.output import print_json, print_line, settings_or_exit
from lox24tui.config import Locations
from lox24tui.ledger import FileLedger
from lox24tui.monitor import BulkState, Monitor
from lox24tui.records import error_record, reply_record

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
WATCH_STOPPED = 2


class NotSent(Lox24Error):
    """An id the engine did not send because the account was stopped by an earlier answer."""

    kind = "not_sent"
    title = "not sent"

    def __init__(self, cause: Lox24Error | None) -> None:
        self.cause = cause
        super().__init__()

    def _describe(self) -> str:
        why = (
            self.cause.message
            if self.cause
            else "requests with a refused token already went out three times within the last "
            "minute (from any lox24tui); wait a minute, so LOX24 does not block this IP"
        )
        return f"Not sent, to protect the account: {why}"


def run_status(
    texts: list[str], *, as_json: bool, watch: bool = False, out: TextIO = sys.stdout
) -> int:
    ids: list[str] = []
    invalid: list[InvalidBulkId] = []
    for text in texts:
        try:
            bulk_id = parse_bulk_id(text)
        except InvalidBulkId as error:
            invalid.append(error)
            continue
        if bulk_id not in ids:
            ids.append(bulk_id)
    for refused in invalid:
        if as_json:
            print_json(out, error_record(refused.text, refused))
        else:
            print_line(out, f"✗ {refused.message}")
    if watch and invalid:
        return WATCH_STOPPED
    if not ids:
        return EXIT_FAILED
    loaded = settings_or_exit()
    if isinstance(loaded, int):
        return loaded
    settings, token = loaded
    if watch:
        from lox24tui.commands.watch_status import watch_until_final

        return watch_until_final(ids, settings, token, as_json=as_json, out=out)

    async def fetch() -> tuple[list[BulkState], Lox24Error | None]:
        async with Lox24ClientPool(
            token,
            settings.api_url,
            timeout=settings.timeout,
            max_connections=settings.concurrency,
        ) as client:
            monitor = Monitor(
                client,
                ids,
                concurrency=settings.concurrency,
                ledger=FileLedger(Locations.default().credential_ledger_file),
            )
            states = await monitor.check_once()
            breaker = monitor.breaker
            return states, breaker.error if breaker else None

    states, stopped_by = asyncio.run(fetch())
    now = datetime.now(UTC)
    failed = bool(invalid)
    for state in states:
        if state.reply is not None and state.error is None:
            if as_json:
                print_json(out, reply_record(state.reply, now))
            else:
                _print_human(out, state, now)
            continue
        failed = True
        problem = state.error if state.last_checked is not None else None
        problem = problem or NotSent(stopped_by)
        if as_json:
            print_json(out, error_record(state.bulk_id, problem))
        else:
            print_line(out, f"✗ {state.bulk_id}  {problem.title}: {problem}")
    return EXIT_FAILED if failed else EXIT_OK


def _print_human(out: TextIO, state: BulkState, now: datetime) -> None:
    assert state.reply is not None
    status = state.reply.status
    info = status.status
    dry = "  [dry run]" if status.is_dryrun else ""
    shown = label_with_code(status.label_at(now), status.status_code)
    print_line(out, f"● {state.bulk_id}  {shown}{dry}")
    rows = [
        ("meaning", info.meaning),
        ("messages", humanize.count(status.msg_total_count)),
        ("price", humanize.money(status.price)),
        ("delivery", humanize.local_time_relative(status.delivery_at, now)),
        ("created", humanize.local_time_relative(status.created_at, now)),
        ("processed", humanize.local_time_relative(status.processed_at, now)),
        ("service", status.service_code or "—"),
        ("voice", voice_language_with_code(status.voice_lang)),
        ("unicode", humanize.flag(status.is_unicode)),
        ("dry run", humanize.flag(status.is_dryrun)),
        ("text deleted", humanize.flag(status.is_text_deleted)),
        ("key id", "—" if status.key_id is None else str(status.key_id)),
        ("source", "—" if status.source is None else str(status.source)),
        ("ip", status.ip or "—"),
        ("request id", state.reply.request_id or "—"),
    ]
    for key, value in status.unreadable_fields.items():
        rows.append((key, f"unreadable: {value!r}"))
    for key, value in status.extra_fields.items():
        rows.append((key, f"{value!r} (not in the contract)"))
    for label, value in rows:
        print_line(out, f"    {label:<13} {value}")
