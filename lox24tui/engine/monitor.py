"""The refresh engine: when each watched bulk is fetched, how many requests fly at once, and what
happens when things fail. Pure asyncio; knows nothing of Textual.

The engine schedules; the account guard (:mod:`lox24tui.account.guard`) decides whether a request
may go out at all (refused tokens, 429s, an unreachable LOX24). Here: final bulks are not fetched
again; scheduled bulks are fetched rarely until their delivery time; 404s are checked again
rarely; failures back off exponentially with jitter, per bulk; when LOX24 answers again after
being unreachable, every bulk that failed meanwhile is due at once. Side work (delivery counts,
the balance, auto-watch) runs in the slots status checks leave, within one request budget a
minute (:mod:`lox24tui.account.side_budget`) that status checks are never charged to.

What one status check is (sent under the guard that admitted it, its answer kept with its bulk)
is :mod:`lox24tui.engine.status_checks`; here, when checks go out.

:func:`check_each_once` is the engine's one-shot mode for commands: each id is asked for once,
never retried.

Front ends consume :class:`BulkUpdate` and :class:`Summary` through ``Monitor.updates`` (a
:class:`~lox24tui.engine.broadcast.Broadcast`), and never reach into the engine's state otherwise.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final

from lox24tui.account.guard import (
    REFUSED_ALLOWED,
    AccountGuard,
    Breaker,
    BreakerKind,
    GuardStopped,
)
from lox24tui.account.side_budget import DEFAULT_REQUESTS_PER_MINUTE
from lox24tui.api import Lox24Error, UnreadableResponse, parse_bulk_id
from lox24tui.api.protocol import StatusSource
from lox24tui.clock import Clock, SystemClock
from lox24tui.engine.broadcast import Broadcast
from lox24tui.engine.bulk_state import BulkState, BulkUpdate, Change, Transition
from lox24tui.engine.cadence import DEFAULT_INTERVAL, Cadence
from lox24tui.engine.delivery import DeliveryBreakdown
from lox24tui.engine.in_flight import Alarm, InFlight
from lox24tui.engine.side_work import FirstPass, SideWorkRunner
from lox24tui.engine.status_checks import StatusChecks
from lox24tui.engine.watched_bulks import WatchedBulks

_log = logging.getLogger(__name__)

DEFAULT_CONCURRENCY: Final = REFUSED_ALLOWED
"""Requests in flight at once: when a key is revoked mid-burst, every one in flight is refused,
so more than LOX24's three a minute would get the IP blocked for ten minutes."""


@dataclass(frozen=True, slots=True)
class Summary:
    """The whole watch list at a glance."""

    by_status: dict[str, int]
    """Bulks per status label ("in progress", "scheduled", "not found", "pending", …)."""
    total_messages: int
    total_price: Decimal
    watched: int
    in_flight: int
    requests_sent: int
    paused: bool
    pause_reason: str | None
    breaker: Breaker | None
    breaker_seconds_left: float | None
    """Time left on a breaker that lifts by itself."""
    at: float
    first_pass: FirstPass | None = None
    """While the first delivery count of some bulk is outstanding: how far it has come."""


MonitorEvent = BulkUpdate | Summary


class Monitor:
    """Keeps the statuses of watched bulks fresh: :meth:`start` it, :meth:`stop` it."""

    def __init__(
        self,
        source: StatusSource,
        ids: Iterable[str] = (),
        *,
        interval: float = DEFAULT_INTERVAL,
        concurrency: int = DEFAULT_CONCURRENCY,
        clock: Clock | None = None,
        rng: random.Random | None = None,
        guard: AccountGuard | None = None,
        side_requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self._cadence = Cadence(interval, rng or random.Random())
        self._concurrency = _checked_concurrency(concurrency)
        self._bulks = WatchedBulks(self._clock)
        self._wire = InFlight()
        self._loop_task: asyncio.Task[None] | None = None
        self._alarm = Alarm()
        self.updates: Broadcast[MonitorEvent] = Broadcast()
        """Every update of a bulk and every summary, to the front ends that listen."""
        self.side = SideWorkRunner(
            side_requests_per_minute,
            self._wire.tasks,
            self._alarm.poke,
            self._emit_summary,
        )
        """The work beside status checks (delivery counts, the balance, auto-watch)."""
        self._running = False
        self._checks = StatusChecks(
            source,
            guard
            or AccountGuard(getattr(source, "token", None), clock=self._clock, interval=interval),
            bulks=self._bulks,
            wire=self._wire,
            cadence=self._cadence,
            clock=self._clock,
            emit=self.updates.emit,
            changed=self._changed,
            poke=self._alarm.poke,
        )
        self._paused_reason: str | None = None
        for bulk_id in ids:
            self.watch(bulk_id)

    # ----------------------------------------------------------------- reading

    @property
    def interval(self) -> float:
        return self._cadence.interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        """Takes effect at once: bulks due later than the new interval allows are pulled in."""
        self._cadence.interval = seconds
        self.guard.interval = self._cadence.interval
        for bulk_id in self._bulks:
            state = self._bulks.state(bulk_id)
            if state.next_due is None or state.last_checked is None or bulk_id in self._wire.ids:
                continue
            if state.error is None and not self._cadence.is_scheduled_far(state):
                self._bulks.schedule(
                    bulk_id, min(state.next_due, state.last_checked + self._cadence.interval)
                )
        self._alarm.poke()

    @property
    def concurrency(self) -> int:
        return self._concurrency

    @concurrency.setter
    def concurrency(self, value: int) -> None:
        self._concurrency = _checked_concurrency(value)
        self._alarm.poke()

    @property
    def watched(self) -> list[str]:
        return list(self._bulks)

    def state(self, bulk_id: str) -> BulkState:
        return self._bulks.state(bulk_id)

    def states(self) -> list[BulkState]:
        return self._bulks.states()

    @property
    def guard(self) -> AccountGuard:
        """The guard of the token in use: requests made beside the engine go through it too."""
        return self._checks.guard

    @property
    def breaker(self) -> Breaker | None:
        """Why the engine is not sending (the guard's word)."""
        return self.guard.breaker()

    @property
    def pause_reason(self) -> str | None:
        return self._paused_reason

    def summary(self) -> Summary:
        now = self._clock.now()
        breaker = self.breaker
        left = None
        if breaker is not None and breaker.until is not None:
            left = max(0.0, breaker.until - now)
        return Summary(
            by_status=self._bulks.by_status,
            total_messages=self._bulks.messages,
            total_price=self._bulks.price,
            watched=len(self._bulks),
            in_flight=len(self._wire.ids),
            requests_sent=self._wire.sent,
            paused=self._paused_reason is not None,
            pause_reason=self._paused_reason,
            breaker=breaker,
            breaker_seconds_left=left,
            at=now,
            first_pass=self.side.first_pass,
        )

    # ----------------------------------------------------------------- control

    def watch(self, bulk_id: str) -> BulkState:
        """Start watching a bulk (fetched as soon as possible). Raises InvalidBulkId."""
        bulk_id = parse_bulk_id(bulk_id)
        if bulk_id in self._bulks:
            return self._bulks.state(bulk_id)
        state = self._bulks.add(bulk_id)
        self._changed()
        return state

    def unwatch(self, bulk_id: str) -> None:
        state = self._bulks.remove(bulk_id)
        if state is None:
            return
        self.updates.emit(BulkUpdate(state, frozenset({Change.REMOVED})))
        self._changed()

    def refresh(self, bulk_id: str | None = None) -> None:
        """Fetch one bulk (or every bulk) now, final ones included, within the breakers' rules."""
        ids = [bulk_id] if bulk_id is not None else list(self._bulks)
        now = self._clock.now()
        for one in ids:
            if one not in self._bulks or one in self._wire.ids:
                continue
            self._bulks.schedule(one, now)
        self._alarm.poke()

    def fetch_now(self, bulk_id: str) -> Breaker | None:
        """Fetch one watched bulk at once, final or not, even while polling is paused: a person
        asked for this bulk, and a pause holds the schedule, not them. The account guard still
        decides, as for every request.

        Returns None when the request is on its way (while polling runs, it may wait for a free
        request slot or another request's answer), or why it cannot go out now: the guard's
        breaker, or BUSY while paused with every request slot taken. The bulk is then first in
        line for when requests go out again. Raises KeyError for a bulk not watched."""
        if bulk_id in self._wire.ids:
            return None  # its answer is on the way
        self._bulks.schedule(bulk_id, self._clock.now())
        self._alarm.poke()
        if self._paused_reason is None:  # the loop sends it; say only what holds it back
            blocked = self.guard.blocked()
            return None if blocked is None or blocked.kind == BreakerKind.BUSY else blocked
        if len(self._wire.ids) >= self._concurrency:
            return Breaker(BreakerKind.BUSY)
        admitted = self.guard.admit()
        if isinstance(admitted, Breaker):
            return admitted
        self._checks.launch(bulk_id, admitted)
        return None

    def record_delivery(self, bulk_id: str, delivery: DeliveryBreakdown) -> None:
        """Keep a bulk's new delivery counts with its state, and tell the front ends only when
        they differ from the last ones apart from when they were taken: a count that did not
        change redraws nothing (the detail pane's "counted … ago" catches up at its next
        redraw)."""
        if bulk_id not in self._bulks:
            return
        state = self._bulks.state(bulk_id)
        old = state.delivery
        self._bulks.set(bulk_id, replace(state, delivery=delivery))
        if old is None or replace(old, taken_at=delivery.taken_at) != delivery:
            self.updates.emit(BulkUpdate(self._bulks.state(bulk_id), frozenset({Change.DELIVERY})))

    def pause(self, reason: str = "paused") -> None:
        _log.debug("engine paused: %s", reason)
        self._paused_reason = reason
        self._changed()

    def resume(self) -> None:
        """Resume polling; also lifts a bad-token stop, since the user says to try again (the
        first request then goes out alone, and the bad-credential window still applies)."""
        _log.debug("engine resumed")
        self._paused_reason = None
        self.guard.resume()
        self._changed()

    def use_source(self, source: StatusSource, guard: AccountGuard | None = None) -> None:
        """Switch to another client (a new token), under that token's guard: the stop on the
        old token does not carry over, and answers still on the way for it prove nothing."""
        self._checks.use(source, guard or self.guard.for_token(getattr(source, "token", None)))
        self._changed()

    def start(self) -> None:
        """Run the engine in a task of its own (or await :meth:`run` in a worker instead)."""
        if self._loop_task is None or self._loop_task.done():
            self._running = True  # already, so that wait_idle() waits for the first round
            self._loop_task = asyncio.create_task(self.run(), name="lox24tui-monitor")

    async def run(self) -> None:
        """The engine's loop, until cancelled; requests in flight are cancelled with it."""
        self._running = True
        try:
            await self._run()
        finally:
            self._running = False
            await self._wire.cancel_all()

    async def stop(self) -> None:
        """Stop the loop and every request in flight, leaving no task behind."""
        loop_task, self._loop_task = self._loop_task, None
        if loop_task is not None:
            loop_task.cancel()
            await asyncio.wait([loop_task])
        await self._wire.cancel_all()

    async def wait_idle(self) -> None:
        """Wait until nothing is in flight and nothing is due now (or the engine is stopped from
        sending by a pause or a breaker)."""
        while not self._is_idle():
            await self._alarm.next_pulse()

    # ----------------------------------------------------------------- the loop

    async def _run(self) -> None:
        while True:
            self._alarm.wake.clear()
            self._launch_due()
            self._alarm.pulse()
            delay = self._next_wake_delay()
            if delay is not None and delay <= 0:
                await asyncio.sleep(0)
                continue
            timer = (
                self._clock.call_later(delay, self._alarm.wake.set) if delay is not None else None
            )
            try:
                await self._alarm.wake.wait()
            finally:
                if timer is not None:
                    timer.cancel()

    def _launch_due(self) -> None:
        """Send what is due, as far as the concurrency cap and the guard allow: status checks
        first, then side work in the slots they leave."""
        if self._paused_reason is not None:
            return
        now = self._clock.now()
        while self._free_slots() > 0:
            first = self._bulks.first_due(self._wire.ids)
            if first is None or first[1] > now:
                break
            ticket = self.guard.admit()
            if isinstance(ticket, Breaker):
                return
            self._bulks.take_first()
            self._checks.launch(first[0], ticket)
        else:
            return  # every slot is taken
        self.side.launch(
            now, self._concurrency, self._free_slots, lambda: self.guard.blocked() is not None
        )

    def _free_slots(self) -> int:
        return self._concurrency - len(self._wire.ids) - self.side.in_flight

    def _next_wake_delay(self) -> float | None:
        """Seconds until something may be sent; None: until an answer or a user pokes."""
        now = self._clock.now()
        if self._paused_reason is not None:
            return None
        blocked = self.guard.blocked()
        if blocked is not None:
            return None if blocked.until is None else max(0.0, blocked.until - now)
        if self._free_slots() <= 0:
            return None
        first = self._bulks.first_due(self._wire.ids)
        due = [
            at
            for at in (
                None if first is None else first[1],
                self.side.due(self._clock.now(), self._concurrency),
            )
            if at is not None
        ]
        return max(0.0, min(due) - now) if due else None

    def _is_idle(self) -> bool:
        if self._wire.ids or self.side.in_flight:
            return False
        if not self._running or self._paused_reason is not None:
            return True
        if self.guard.blocked() is not None:
            return True
        now = self._clock.now()
        side_due = self.side.due(now, self._concurrency)
        first = self._bulks.first_due(self._wire.ids)
        return (first is None or first[1] > now) and (side_due is None or side_due > now)

    # ----------------------------------------------------------------- bookkeeping

    def _emit_summary(self) -> None:
        if self.updates.heard:
            self.updates.emit(self.summary())

    def _changed(self) -> None:
        """Something the summary shows changed, and perhaps what may be sent: the front ends
        that listen get a new summary, and the loop looks again."""
        self._emit_summary()
        self._alarm.poke()


async def check_each_once(
    client: StatusSource,
    ids: Iterable[str],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    clock: Clock | None = None,
) -> list[BulkState]:
    """Ask LOX24 for each bulk once, at most ``concurrency`` at a time, and never again: a
    failure is reported, not retried (what one-shot commands promise). An id the guard did not
    let out has a :class:`GuardStopped` error and no ``last_checked``."""
    clock = clock or SystemClock()
    ids = list(dict.fromkeys(parse_bulk_id(bulk_id) for bulk_id in ids))
    states = {bulk_id: BulkState(bulk_id) for bulk_id in ids}
    slots = asyncio.Semaphore(_checked_concurrency(concurrency))

    async def check(bulk_id: str) -> None:
        async with slots:
            try:
                reply = await client.get_bulk_status(bulk_id)
            except GuardStopped as stopped:
                states[bulk_id] = BulkState(bulk_id, error=stopped)
                return
            except Exception as exc:  # a bug must mark one row, not end the command
                error = (
                    exc
                    if isinstance(exc, Lox24Error)
                    else UnreadableResponse(f"the client failed to read it ({type(exc).__name__})")
                )
                states[bulk_id] = BulkState(
                    bulk_id, error=error, last_checked=clock.now(), failures=1
                )
                return
            now = clock.now()
            code = reply.status.status_code
            states[bulk_id] = BulkState(
                bulk_id,
                reply=reply,
                last_checked=now,
                last_changed=now,
                history=(Transition(code, now),),
            )

    await asyncio.gather(*(check(bulk_id) for bulk_id in ids))
    return [states[bulk_id] for bulk_id in ids]


def _checked_concurrency(value: int) -> int:
    if value < 1:
        raise ValueError("at least one request must be allowed in flight")
    return value
