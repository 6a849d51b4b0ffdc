"""When each watched bulk's messages are counted by delivery outcome, as side work of the
engine (:class:`lox24tui.monitor.SideWork`).

A bulk is counted once it has sent (in progress, and after: processed, canceled or failed
with messages), every ``delivery_interval`` seconds, until its counts settle (every message
final, or 72 h after processing). Counts go through the account guard like every request, in
the capacity status checks leave, and one count's requests go out one after the other, so a
count takes one of the engine's slots, never seven.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Final

from lox24tui.api import (
    Lox24Error,
    MessageFilters,
    MessagePage,
    MessageSource,
    StatusCode,
)
from lox24tui.api.sms import ALL_MESSAGES
from lox24tui.clock import Clock
from lox24tui.delivery import count_delivery
from lox24tui.monitor import BulkState, BulkUpdate, Change, Monitor, MonitorEvent

MIN_INTERVAL: Final = 30.0
SENT_STATUSES: Final = frozenset(
    {StatusCode.IN_PROGRESS, StatusCode.PROCESSED, StatusCode.CANCELED, StatusCode.SYSTEM_ERROR}
)
"""Statuses in which a bulk may have sent messages whose reports are worth counting."""


class OneAtATime:
    """A message source that sends one request at a time: a delivery count runs its requests
    in turn, in the single engine slot it was given."""

    def __init__(self, source: MessageSource) -> None:
        self._source = source
        self._turn = asyncio.Lock()

    async def list_messages(
        self, bulk_id: str, *, page: int = 1, filters: MessageFilters = ALL_MESSAGES
    ) -> MessagePage:
        async with self._turn:
            return await self._source.list_messages(bulk_id, page=page, filters=filters)


def worth_counting(state: BulkState) -> bool:
    """Has it sent, and may its counts still change?"""
    if state.reply is None:
        return False
    status = state.reply.status
    if status.status_code not in SENT_STATUSES or status.msg_total_count == 0:
        return False
    return state.delivery is None or not state.delivery.settled


class DeliverySchedule:
    """Side work that keeps each watched bulk's delivery counts fresh."""

    def __init__(
        self,
        monitor: Monitor,
        client: Callable[[], MessageSource | None],
        clock: Clock,
        *,
        interval: float = 60.0,
    ) -> None:
        """``client``: the guarded client of the token in use, or None before there is one."""
        self._monitor = monitor
        self._client = client
        self._clock = clock
        self.interval = max(MIN_INTERVAL, interval)
        self._due: dict[str, float] = {}
        self._counting: set[str] = set()
        monitor.listen(self._on_engine_event)

    def _on_engine_event(self, event: MonitorEvent) -> None:
        if not isinstance(event, BulkUpdate):
            return
        bulk_id = event.bulk_id
        if Change.REMOVED in event.changes:
            self._due.pop(bulk_id, None)
            return
        if bulk_id in self._due or bulk_id in self._counting:
            return
        if worth_counting(event.state):
            self._due[bulk_id] = self._clock.now()  # first count, or a bulk that started again
            self._monitor.wake()

    def due_at(self) -> float | None:
        return min(self._due.values(), default=None)

    def take(self, now: float) -> Callable[[], Awaitable[None]] | None:
        due = [(at, bulk_id) for bulk_id, at in self._due.items() if at <= now]
        if not due:
            return None
        _, bulk_id = min(due)
        del self._due[bulk_id]
        self._counting.add(bulk_id)
        return lambda: self._count(bulk_id)

    async def _count(self, bulk_id: str) -> None:
        try:
            client = self._client()
            if client is None or bulk_id not in self._monitor.watched:
                return
            state = self._monitor.state(bulk_id)
            status = state.reply.status if state.reply is not None else None
            guard = self._monitor.guard
            try:
                counts = await count_delivery(
                    OneAtATime(client), bulk_id, status=status, now=self._clock.now
                )
            except Lox24Error:
                counts = None  # the guard has taken note; try again at the next turn
            if counts is not None and self._monitor.guard is guard:  # not an old token's
                self._monitor.record_delivery(bulk_id, counts)
        finally:
            self._counting.discard(bulk_id)
            if bulk_id in self._monitor.watched:
                state = self._monitor.state(bulk_id)
                if worth_counting(state):
                    self._due[bulk_id] = self._clock.now() + self.interval
