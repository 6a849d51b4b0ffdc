"""When each watched bulk's messages are counted by delivery outcome, as side work of the
engine (:class:`lox24tui.engine.monitor.SideWork`), at LOX24's pace.

A bulk is counted once it has sent (in progress, and after: processed, canceled or failed
with messages), until its counts settle (every message final, or 72 h after processing; a
bulk processed longer ago than that is not asked about again).

**A recount asks first whether anything changed, in one request** (:func:`take_fingerprint`):
how many of the bulk's messages are still open, ``dlr_code[]`` 0, 2 or 4 (no report yet,
queued, submitted), as ``hydra:totalItems``, with the delivery report codes seen on that
answer's first page. 1, 8 and 16 are final, and a message never sent stays unsent, so every
report that arrives takes a message out of that count: a change of outcome cannot pass
unseen. Moves between two open outcomes (no report → queued → submitted) leave the count as it
is; they show when the open messages fit on one page (their codes are part of the
fingerprint), and otherwise at the next full count. The fingerprint is taken BEFORE the full
breakdown, so a report that arrives while the breakdown is read moves the next fingerprint.
The full breakdown (up to :data:`lox24tui.engine.delivery.MAX_REQUESTS` requests) is read only when
the fingerprint moved, or there is none yet, or LOX24 sends no totals.

A bulk still sending (in progress) is counted in full every ``delivery_interval``: it changes
all the time, and its messages may still turn out never sent, which the fingerprint does not
see.

**Recounts back off**: after a fingerprint that did not move, the next one waits twice as
long, from ``delivery_interval`` up to :data:`BACKOFF_CAP`; one that moved starts again from
``delivery_interval``.

**Who goes first**: each job is charged to the engine's side-work budget (a fingerprint 1, a
breakdown :data:`~lox24tui.engine.delivery.MAX_REQUESTS`). Of the counts due, the bulks a person is
looking at (:meth:`lox24tui.engine.monitor.Monitor.prioritise`: selected, then visible) go
first, but never twice in a row while another bulk is due: the rest then take turns oldest-due
first, so nothing starves. A bulk's breakdown keeps the place its fingerprint had in the line.

Counts go through the account guard like every request, in the capacity status checks leave,
and one count's requests go out one after the other, so a count takes one of the engine's
slots, never seven.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Final

from lox24tui.account.side_budget import MIN_SIDE_INTERVAL
from lox24tui.api import (
    DlrCode,
    Lox24Error,
    MessageFilters,
    MessagePage,
    StatusCode,
    count_messages,
)
from lox24tui.api.protocol import MessageSource
from lox24tui.api.sms import ALL_MESSAGES
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState, BulkUpdate, Change
from lox24tui.engine.delivery import MAX_REQUESTS, SETTLE_AFTER, count_delivery
from lox24tui.engine.monitor import Monitor, MonitorEvent
from lox24tui.engine.side_work import FirstPass, SideJob

BACKOFF_CAP: Final = 3600.0
"""The longest a bulk whose counts did not move waits for its next look: an hour."""
OPEN_CODES: Final = (DlrCode.NONE, DlrCode.QUEUED, DlrCode.SUBMITTED)
"""Delivery report codes that may still change: a message leaves them when its report comes."""
SENT_STATUSES: Final = frozenset(
    {StatusCode.IN_PROGRESS, StatusCode.PROCESSED, StatusCode.CANCELED, StatusCode.SYSTEM_ERROR}
)
"""Statuses in which a bulk may have sent messages whose reports are worth counting."""


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What one request tells of a bulk's delivery: it moves whenever a report arrives."""

    open_messages: int
    """``hydra:totalItems`` of the bulk's messages with ``dlr_code`` 0, 2 or 4."""
    first_page_codes: tuple[tuple[int, int], ...]
    """The delivery report codes on that answer's first page, with how many of each."""
    status_code: int | None
    message_total: int | None
    """The bulk's own figures at the time: a bulk that changed is counted again in full."""


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


async def take_fingerprint(client: MessageSource, state: BulkState) -> Fingerprint | None:
    """One request: the bulk's open messages. None when LOX24 sent no total (the count is
    then no fingerprint: only a full count can tell)."""
    assert state.reply is not None
    counted = await count_messages(client, state.bulk_id, dlr_code=OPEN_CODES, max_pages=1)
    if counted.partial:
        return None
    status = state.reply.status
    return Fingerprint(
        counted.count,
        tuple(sorted(counted.seen_dlr_codes.items())),
        status.status_code,
        status.msg_total_count,
    )


class DeliverySchedule:
    """Side work that keeps each watched bulk's delivery counts fresh, at LOX24's pace."""

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
        self.interval = max(MIN_SIDE_INTERVAL, interval)
        self._due: dict[str, float] = {}
        self._counting: set[str] = set()
        self._full_next: dict[str, Fingerprint | None] = {}
        """Bulks whose next job is the full breakdown, with the fingerprint taken before it."""
        self._fingerprints: dict[str, Fingerprint] = {}
        self._was_due: dict[str, float] = {}
        """When each bulk being counted was due: its breakdown keeps that place in the line."""
        self._waits: dict[str, float] = {}
        """How long each bulk waits after a fingerprint that does not move."""
        self._first_done: set[str] = set()
        self._first_outstanding: set[str] = set()
        self._served_priority = False
        """The last job taken was a prioritised bulk's: the next goes to the rest, if one is due."""
        monitor.updates.listen(self._on_engine_event)

    # ------------------------------------------------------------ what the engine asks

    def first_pass(self) -> FirstPass | None:
        """How many bulks worth counting have been counted once, of how many; None once every
        one has been."""
        if not self._first_outstanding:
            return None
        done = len(self._first_done)
        return FirstPass(done, done + len(self._first_outstanding))

    def due_at(self) -> float | None:
        return min(self._due.values(), default=None)

    def take(self, now: float) -> SideJob | None:
        due = [(at, bulk_id) for bulk_id, at in self._due.items() if at <= now]
        while due:
            bulk_id = self._next_in_line(due)
            was_due = self._due.pop(bulk_id)
            due.remove((was_due, bulk_id))
            if bulk_id not in self._monitor.watched:
                continue
            state = self._monitor.state(bulk_id)
            if state.reply is None:
                continue
            if self._too_old(state):  # settled without a request
                self._settle(state)
                continue
            self._counting.add(bulk_id)
            self._was_due[bulk_id] = was_due
            if state.reply.status.status_code == StatusCode.IN_PROGRESS:
                self._full_next[bulk_id] = None  # still sending: counted in full each time
            return self._job_for(bulk_id)
        return None

    def _job_for(self, bulk_id: str) -> SideJob:
        if bulk_id in self._full_next:
            return SideJob(lambda: self._count(bulk_id), requests=MAX_REQUESTS)
        return SideJob(lambda: self._look(bulk_id), requests=1)

    def _next_in_line(self, due: list[tuple[float, str]]) -> str:
        """The prioritised bulk first (selected, then visible), then the oldest due; never two
        prioritised in a row while another bulk waits."""
        rank = {bulk_id: n for n, bulk_id in enumerate(self._monitor.side.prioritised)}
        seen = [(rank[bulk_id], at, bulk_id) for at, bulk_id in due if bulk_id in rank]
        # a breakdown goes before a question due at the same time: a bulk's first count is
        # done before the next bulk's begins
        others = [
            (at, bulk_id not in self._full_next, bulk_id)
            for at, bulk_id in due
            if bulk_id not in rank
        ]
        if seen and not (self._served_priority and others):
            self._served_priority = True
            return min(seen)[2]
        self._served_priority = False
        return min(others)[2]

    # ------------------------------------------------------------ what the engine tells

    def _on_engine_event(self, event: MonitorEvent) -> None:
        if not isinstance(event, BulkUpdate):
            return
        bulk_id = event.bulk_id
        if Change.REMOVED in event.changes:
            self._forget(bulk_id)
            return
        if bulk_id in self._counting:
            return
        if bulk_id in self._due:
            if Change.STATUS in event.changes:  # it finished, say: look again now
                self._waits.pop(bulk_id, None)
                self._due[bulk_id] = self._clock.now()
                self._monitor.side.wake()
            return
        if worth_counting(event.state):
            if event.state.delivery is None and bulk_id not in self._first_done:
                self._first_outstanding.add(bulk_id)
            self._due[bulk_id] = self._clock.now()  # first count, or a bulk that started again
            self._tell_progress()
            self._monitor.side.wake()

    def _forget(self, bulk_id: str) -> None:
        self._due.pop(bulk_id, None)
        self._was_due.pop(bulk_id, None)
        self._full_next.pop(bulk_id, None)
        self._fingerprints.pop(bulk_id, None)
        self._waits.pop(bulk_id, None)
        self._first_done.discard(bulk_id)
        self._first_outstanding.discard(bulk_id)
        self._tell_progress()

    def _tell_progress(self) -> None:
        self._monitor.side.report_first_pass(self.first_pass())

    # ------------------------------------------------------------ the jobs

    async def _look(self, bulk_id: str) -> None:
        """One request: has anything changed since the last full count?"""
        next_due: float | None = None
        try:
            client = self._client()
            if client is None or bulk_id not in self._monitor.watched:
                return
            state = self._monitor.state(bulk_id)
            if state.reply is None:
                return
            guard = self._monitor.guard
            try:
                fingerprint = await take_fingerprint(OneAtATime(client), state)
            except Lox24Error:
                return  # the guard has taken note; try again at the next turn
            if self._monitor.guard is not guard:
                return  # an old token's answer
            before = self._fingerprints.get(bulk_id)
            if fingerprint is None or fingerprint != before or state.delivery is None:
                self._full_next[bulk_id] = fingerprint
                next_due = self._was_due.get(bulk_id, self._clock.now())  # its place in line
                return
            self._waits[bulk_id] = min(BACKOFF_CAP, 2 * self._wait(bulk_id))
        finally:
            self._counting.discard(bulk_id)
            self._was_due.pop(bulk_id, None)
            self._reschedule(bulk_id, next_due)

    async def _count(self, bulk_id: str) -> None:
        """The full breakdown, after a fingerprint that moved."""
        fingerprint = self._full_next.pop(bulk_id, None)
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
                return  # the guard has taken note; try again at the next turn
            if self._monitor.guard is not guard:  # not an old token's
                return
            if fingerprint is not None:
                self._fingerprints[bulk_id] = fingerprint
            else:
                self._fingerprints.pop(bulk_id, None)
            self._waits[bulk_id] = self.interval
            self._monitor.record_delivery(bulk_id, counts)
            if bulk_id in self._first_outstanding:
                self._first_outstanding.discard(bulk_id)
                self._first_done.add(bulk_id)
                self._tell_progress()
        finally:
            self._counting.discard(bulk_id)
            self._was_due.pop(bulk_id, None)
            self._reschedule(bulk_id, None)

    def _reschedule(self, bulk_id: str, due: float | None) -> None:
        if bulk_id not in self._monitor.watched:
            return
        if worth_counting(self._monitor.state(bulk_id)):
            self._due[bulk_id] = self._clock.now() + self._wait(bulk_id) if due is None else due
        else:
            self._first_outstanding.discard(bulk_id)
            self._tell_progress()

    def _wait(self, bulk_id: str) -> float:
        return self._waits.get(bulk_id, self.interval)

    def _too_old(self, state: BulkState) -> bool:
        """Processed more than 72 h ago: no report is waited for any more."""
        assert state.reply is not None
        processed = state.reply.status.processed_at
        now = datetime.fromtimestamp(self._clock.now(), UTC)
        return (
            state.delivery is not None
            and processed is not None
            and now - processed >= (SETTLE_AFTER)
        )

    def _settle(self, state: BulkState) -> None:
        assert state.delivery is not None
        self._monitor.record_delivery(
            state.bulk_id, replace(state.delivery, settled=True, taken_at=self._clock.now())
        )
