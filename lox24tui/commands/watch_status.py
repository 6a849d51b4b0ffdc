"""``lox24tui status ID… --watch``: follow bulks until every one is final, for scripts.

    lox24tui status "$ID" --watch && echo delivered

Exit status: 0 when every bulk ended processed (10); 1 when any ended canceled, in a system error
or with no recipients (15, 20, 201); 2 when something stopped the watch: a refused token, an
inactive account, a bulk LOX24 does not know, or a rate limit / IP block.

Each change of the engine's state (LOX24 unreachable, back, rate-limited…) is said on stderr
with its time (:mod:`lox24tui.commands.engine_lines`).

Every status change it sees goes into the history file (lox24tui.state.history), batched, so the
dashboard and ``lox24tui history`` later show what this process saw.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import TextIO

from lox24tui.account.guard import BreakerKind, GuardStopped
from lox24tui.api import (
    AccountError,
    Lox24ClientPool,
    Lox24Error,
    RateLimited,
    Token,
    status_info,
    status_label,
)
from lox24tui.api.records import status_fields
from lox24tui.commands.engine_lines import EngineStateLines
from lox24tui.commands.exit_codes import ExitCode
from lox24tui.commands.output import complain, print_json, print_line, shared_guard
from lox24tui.engine.bulk_state import BulkState, BulkUpdate, Change, transition_from
from lox24tui.engine.monitor import Monitor, MonitorEvent
from lox24tui.session.config import Locations, Settings
from lox24tui.state.history import History
from lox24tui.state.store import WatchList, WatchListDamaged
from lox24tui.text import humanize


def watch_until_final(
    ids: list[str], settings: Settings, token: Token, *, as_json: bool, out: TextIO
) -> int:
    return asyncio.run(_watch(ids, settings, token, as_json=as_json, out=out))


async def _watch(
    ids: list[str], settings: Settings, token: Token, *, as_json: bool, out: TextIO
) -> int:
    outcome: asyncio.Future[ExitCode] = asyncio.get_running_loop().create_future()

    def finish(code: ExitCode) -> None:
        if not outcome.done():
            outcome.set_result(code)

    locations = Locations.default()
    labels = _labels(locations)
    history = History(locations.history_file, retention_days=settings.history_days)
    writer = history.writer(call_later=asyncio.get_running_loop().call_later)
    told: set[str] = set()
    engine_state = EngineStateLines()

    def tell_history_problems() -> None:
        for notice in history.pop_notices():
            if notice not in told:
                told.add(notice)
                complain(notice)

    tell_history_problems()

    async with Lox24ClientPool(
        token, settings.api_url, timeout=settings.timeout, max_connections=settings.concurrency
    ) as client:
        monitor = Monitor(
            client,
            ids,
            interval=settings.interval,
            concurrency=settings.concurrency,
            guard=shared_guard(settings, token, locations, lock_wait=None),
        )

        def on_event(event: MonitorEvent) -> None:
            if isinstance(event, BulkUpdate):
                state = event.state
                if Change.STATUS in event.changes:
                    _report(out, state, as_json)
                    writer.add(transition_from(state, labels.get(state.bulk_id, "")))
                    tell_history_problems()
                if state.not_found and Change.ERROR in event.changes:
                    _report_error(out, state.bulk_id, state.error, as_json)
                    finish(ExitCode.WATCH_STOPPED)
                elif (
                    state.error is not None
                    and Change.ERROR in event.changes
                    and not _stops_the_watch(state.error)
                ):
                    complain(f"{state.bulk_id}: {state.error} (retrying)")
                states = monitor.states()
                if all(s.is_final for s in states):
                    failed = any(not status_info(s.status_code).is_sent for s in states)
                    finish(ExitCode.SOME_ENDED_BADLY if failed else ExitCode.ALL_PROCESSED)
                return
            breaker = event.breaker
            if breaker is None or breaker.kind not in _SAID_ELSEWHERE:
                engine_state.see(breaker, event.at)  # a stop is said once, as "stopped" below
            if breaker is not None and breaker.kind in _WATCH_STOPPERS and not outcome.done():
                _report_error(out, None, breaker.error, as_json)  # once, however often told
                finish(ExitCode.WATCH_STOPPED)

        monitor.updates.listen(on_event)
        monitor.start()
        try:
            return await outcome
        finally:
            await monitor.stop()
            writer.flush()
            tell_history_problems()
            history.close()


_WATCH_STOPPERS = (BreakerKind.AUTH, BreakerKind.RATE_LIMITED)
"""The stops that end a watch (exit 2): the user must act, or wait longer than a watch should."""
_SAID_ELSEWHERE = (*_WATCH_STOPPERS, BreakerKind.STATE)
"""Stops the engine-state lines leave out: said as "stopped", or by the guard's file as it
happens (a held lock, a file that cannot be written)."""


def _stops_the_watch(error: Lox24Error) -> bool:
    """Whether a bulk's error is the stop itself, which the watch reports once as "stopped"
    (never beside "(retrying)")."""
    if isinstance(error, GuardStopped):
        return error.breaker.kind in _WATCH_STOPPERS
    return isinstance(error, AccountError | RateLimited)


def _labels(locations: Locations) -> dict[str, str]:
    """The labels the user gave the bulks on the watch list, for the history; none when the
    list cannot be read (the watch goes on without them)."""
    try:
        watchlist, _ = WatchList.load(locations.watchlist_file)
    except (WatchListDamaged, OSError):
        return {}
    return {bulk_id: watchlist.label_of(bulk_id) for bulk_id in watchlist.ids}


def _report(out: TextIO, state: BulkState, as_json: bool) -> None:
    assert state.reply is not None
    status = state.reply.status
    at = datetime.fromtimestamp(state.last_changed or 0, UTC)
    earlier = state.history[-2] if len(state.history) > 1 else None
    previous = earlier.code if earlier else None
    if as_json:
        print_json(
            out,
            {
                "id": state.bulk_id,
                "at": int(at.timestamp()),
                "from": previous,
                "to": status.status_code,
                "request_id": state.reply.request_id,
                **status_fields(status, at),
            },
        )
        return
    label = status.label_at(at)
    if earlier is None:
        arrow = "now"
    else:  # the label it had then: "scheduled", if its delivery was still ahead
        then = datetime.fromtimestamp(earlier.at, UTC)
        arrow = f"{status_label(earlier.code, status.delivery_at, then)} →"
    print_line(
        out,
        f"{humanize.local_time(at)}  {state.bulk_id}  {arrow} {label}"
        f"  ({humanize.count(status.msg_total_count)} messages, "
        f"{humanize.money(status.price, None)})",
    )


def _report_error(
    out: TextIO, bulk_id: str | None, error: Lox24Error | None, as_json: bool
) -> None:
    if error is None:
        return
    if as_json:
        print_json(out, {"id": bulk_id, "error": error.to_dict()})
    complain(f"stopped: {error}")
