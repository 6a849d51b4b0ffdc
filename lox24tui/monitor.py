"""The refresh engine: when each watched bulk is fetched, how many requests fly at once, and what
happens when things fail. Pure asyncio; knows nothing of Textual.

Being a good citizen of LOX24's API is the point of this module:

- A token the engine has not yet seen work is tried with one request, alone; a 401 or 403 stops
  everything until the token changes or the user resumes, and a sliding window keeps the engine
  below LOX24's block threshold (more than three bad-credential requests a minute blocks the IP
  for ten minutes) whatever the user does.
- A 429 stops everything until its Retry-After, or ten minutes when there is none.
- Final bulks are not fetched again; scheduled bulks are fetched rarely until their delivery time;
  404s are checked again rarely; failures back off exponentially with jitter, per bulk.

Front ends consume :class:`BulkUpdate` and :class:`Summary` through :meth:`Monitor.listen` or
:meth:`Monitor.events`, and never reach into the engine's state otherwise.
"""

from __future__ import annotations

import asyncio
import decimal
import heapq
import itertools
import logging
import math
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Final, Protocol

from lox24tui.api import (
    AccountError,
    BulkNotFound,
    InvalidToken,
    Lox24Error,
    RateLimited,
    StatusCode,
    StatusReply,
    UnreadableResponse,
    parse_bulk_id,
)
from lox24tui.clock import Clock, SystemClock
from lox24tui.ledger import CredentialLedger, MemoryLedger

_log = logging.getLogger(__name__)

DEFAULT_INTERVAL: Final = 10.0
MIN_INTERVAL: Final = 2.0
DEFAULT_CONCURRENCY: Final = 8
SCHEDULED_RECHECK: Final = 300.0
"""How often a bulk scheduled far ahead is looked at before its delivery time."""
NOT_FOUND_RECHECK: Final = 600.0
"""How often an id LOX24 does not know is tried again (it may have been a typo, later fixed)."""
BACKOFF_CAP: Final = 300.0
RATE_LIMIT_DEFAULT_WAIT: Final = 600.0
"""LOX24 blocks an IP for ten minutes; a 429 without Retry-After is waited out that long."""
RATE_LIMIT_MAX_WAIT: Final = 3600.0
"""A Retry-After longer than this (or infinite) is capped: the user gets a retry within an hour."""
BAD_CREDENTIALS_ALLOWED: Final = 3
BAD_CREDENTIALS_WINDOW: Final = 60.0
_JITTER: Final = 0.1


class StatusSource(Protocol):
    """What the engine needs from a client: :class:`lox24tui.api.Lox24Client` provides it."""

    async def get_bulk_status(self, bulk_id: str) -> StatusReply: ...


@dataclass(frozen=True, slots=True)
class Transition:
    """A status change the engine observed: the new code and when it was seen."""

    code: int | None
    at: float


@dataclass(frozen=True, slots=True)
class BulkState:
    """Everything the engine knows about one watched bulk. Immutable: each change is a new object,
    so a front end can keep one without it moving under its feet."""

    bulk_id: str
    reply: StatusReply | None = None
    """The last good response."""
    error: Lox24Error | None = None
    """The last failure, cleared by the next success."""
    last_checked: float | None = None
    last_changed: float | None = None
    """When the status code last changed (first seen counts as a change)."""
    next_due: float | None = None
    """When it is fetched next; None when it will not be (final, or the engine is stopped on it)."""
    failures: int = 0
    """Consecutive failed checks."""
    history: tuple[Transition, ...] = ()

    @property
    def status_code(self) -> int | None:
        return self.reply.status.status_code if self.reply else None

    @property
    def is_final(self) -> bool:
        return self.reply is not None and self.reply.status.is_final

    @property
    def not_found(self) -> bool:
        return isinstance(self.error, BulkNotFound)


class Change(StrEnum):
    STATUS = "status"
    """The status code changed (or was seen for the first time)."""
    FIELDS = "fields"
    """Some field of the response changed (counts, price, times…)."""
    ERROR = "error"
    """A new error appeared, or the error went away."""
    CHECKED = "checked"
    """A check completed (always set on updates that follow a request)."""
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class BulkUpdate:
    state: BulkState
    changes: frozenset[Change]

    @property
    def bulk_id(self) -> str:
        return self.state.bulk_id


class BreakerKind(StrEnum):
    AUTH = "auth"
    """401/403: stopped until the token changes or the user resumes."""
    RATE_LIMITED = "rate_limited"
    """429: stopped until the time given."""
    PROTECTING_IP = "protecting_ip"
    """Waiting so as not to send a fourth bad-credential request within a minute."""


@dataclass(frozen=True, slots=True)
class Breaker:
    """Why the whole engine is not sending, and until when (None: until someone acts)."""

    kind: BreakerKind
    error: Lox24Error | None
    until: float | None


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


MonitorEvent = BulkUpdate | Summary
Listener = Callable[[MonitorEvent], None]


def bucket(state: BulkState, now: float) -> str:
    """The label a bulk is counted under in the summary."""
    if state.reply is not None:
        return state.reply.status.label_at(datetime.fromtimestamp(now, UTC))
    if state.not_found:
        return "not found"
    if state.error is not None:
        return "error"
    return "pending"


@dataclass
class _Tracked:
    state: BulkState
    bucket: str = "pending"
    """The summary label this bulk is counted under now."""
    version: int = 0
    """Bumped on every reschedule; queue entries of older versions are stale."""


@dataclass(frozen=True, slots=True)
class _Request:
    bulk_id: str
    generation: int
    token_proven: bool
    """Whether the token had been seen to work when the request went out."""


@dataclass(order=True)
class _Entry:
    due: float
    order: int
    bulk_id: str = field(compare=False)
    version: int = field(compare=False)


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
        ledger: CredentialLedger | None = None,
    ) -> None:
        self._source = source
        self._clock: Clock = clock or SystemClock()
        self._rng = rng or random.Random()
        self._interval = _checked_interval(interval)
        self._concurrency = _checked_concurrency(concurrency)
        self._tracked: dict[str, _Tracked] = {}
        self._queue: list[_Entry] = []
        self._order = itertools.count()
        self._tasks: set[asyncio.Task[None]] = set()
        self._loop_task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._progress = asyncio.Event()
        self._listeners: list[Listener] = []
        self._in_flight: set[str] = set()
        """Ids with a request on the wire (by id, so that re-watching one cannot double it)."""
        self._running = False
        self._requests_sent = 0
        self._generation = 0
        """Bumped when the source (the token) changes; answers to older requests prove nothing."""
        self._token_verified = False
        self._ledger: CredentialLedger = ledger or MemoryLedger()
        """When requests that may have been bad-credential requests went out (see the rule);
        shared with other processes when it is a FileLedger."""
        self._auth_stop: Lox24Error | None = None
        self._rate_limited_until = 0.0
        self._rate_limit_error: RateLimited | None = None
        self._rate_limit_streak = 0
        self._paused_reason: str | None = None
        self._buckets: Counter[str] = Counter()
        self._total_messages = 0
        self._total_price = Decimal(0)
        for bulk_id in ids:
            self.watch(bulk_id)

    # ----------------------------------------------------------------- reading

    @property
    def interval(self) -> float:
        return self._interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        """Takes effect at once: bulks due later than the new interval allows are pulled in."""
        self._interval = _checked_interval(seconds)
        for bulk_id, tracked in self._tracked.items():
            state = tracked.state
            if state.next_due is None or state.last_checked is None or bulk_id in self._in_flight:
                continue
            if state.error is None and not self._is_scheduled_far(state):
                self._schedule(bulk_id, min(state.next_due, state.last_checked + self._interval))
        self._poke()

    @property
    def concurrency(self) -> int:
        return self._concurrency

    @concurrency.setter
    def concurrency(self, value: int) -> None:
        self._concurrency = _checked_concurrency(value)
        self._poke()

    @property
    def watched(self) -> list[str]:
        return list(self._tracked)

    def state(self, bulk_id: str) -> BulkState:
        return self._tracked[bulk_id].state

    def states(self) -> list[BulkState]:
        return [tracked.state for tracked in self._tracked.values()]

    @property
    def breaker(self) -> Breaker | None:
        """Why the engine is not sending, most demanding first (a bad token needs the user)."""
        now = self._clock.now()
        if self._auth_stop is not None:
            return Breaker(BreakerKind.AUTH, self._auth_stop, None)
        if self._rate_limited_until > now:
            return Breaker(
                BreakerKind.RATE_LIMITED, self._rate_limit_error, self._rate_limited_until
            )
        if not self._token_verified:
            until = self._ip_protection_until(now)
            if until is not None:
                return Breaker(BreakerKind.PROTECTING_IP, None, until)
        return None

    @property
    def paused(self) -> bool:
        return self._paused_reason is not None

    @property
    def pause_reason(self) -> str | None:
        return self._paused_reason

    @property
    def token_verified(self) -> bool:
        return self._token_verified

    @property
    def requests_sent(self) -> int:
        return self._requests_sent

    def summary(self) -> Summary:
        now = self._clock.now()
        breaker = self.breaker
        left = None
        if breaker is not None and breaker.until is not None:
            left = max(0.0, breaker.until - now)
        return Summary(
            by_status={label: n for label, n in self._buckets.items() if n},
            total_messages=self._total_messages,
            total_price=self._total_price,
            watched=len(self._tracked),
            in_flight=len(self._in_flight),
            requests_sent=self._requests_sent,
            paused=self.paused,
            pause_reason=self._paused_reason,
            breaker=breaker,
            breaker_seconds_left=left,
            at=now,
        )

    # ----------------------------------------------------------------- output

    def listen(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every update and summary; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def events(self) -> AsyncIterator[MonitorEvent]:
        """Every update and summary from now on, as an async iterator."""
        queue: asyncio.Queue[MonitorEvent] = asyncio.Queue()
        stop = self.listen(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            stop()

    # ----------------------------------------------------------------- control

    def watch(self, bulk_id: str) -> BulkState:
        """Start watching a bulk (fetched as soon as possible). Raises InvalidBulkId."""
        bulk_id = parse_bulk_id(bulk_id)
        if bulk_id in self._tracked:
            return self._tracked[bulk_id].state
        state = BulkState(bulk_id)
        tracked = self._tracked[bulk_id] = _Tracked(state)
        self._count(tracked, +1)
        self._schedule(bulk_id, self._clock.now())
        self._emit_summary()
        self._poke()
        return state

    def unwatch(self, bulk_id: str) -> None:
        tracked = self._tracked.pop(bulk_id, None)
        if tracked is None:
            return
        self._count(tracked, -1)
        self._emit(BulkUpdate(tracked.state, frozenset({Change.REMOVED})))
        self._emit_summary()
        self._poke()

    def refresh(self, bulk_id: str | None = None) -> None:
        """Fetch one bulk (or every bulk) now, final ones included, within the breakers' rules."""
        ids = [bulk_id] if bulk_id is not None else list(self._tracked)
        now = self._clock.now()
        for one in ids:
            tracked = self._tracked.get(one)
            if tracked is None or one in self._in_flight:
                continue
            self._schedule(one, now)
        self._poke()

    def pause(self, reason: str = "paused") -> None:
        self._paused_reason = reason
        self._emit_summary()
        self._poke()

    def resume(self) -> None:
        """Resume polling; also lifts a bad-token stop, since the user says to try again (the
        first request then goes out alone, and the bad-credential window still applies)."""
        self._paused_reason = None
        if self._auth_stop is not None:
            self._auth_stop = None
            self._token_verified = False
        self._emit_summary()
        self._poke()

    def use_source(self, source: StatusSource) -> None:
        """Switch to another client (a new token): the stop on a bad token is lifted."""
        self._source = source
        self._generation += 1
        self._token_verified = False
        self._auth_stop = None
        self._emit_summary()
        self._poke()

    def bad_credentials_wait(self) -> float:
        """Seconds until one more request with an unproven token cannot be the fourth
        bad-credential request within a minute (0: safe now). For token checks made outside the
        engine, which must obey the same rule."""
        now = self._clock.now()
        until = self._ip_protection_until(now)
        return 0.0 if until is None else until - now

    def note_bad_credentials(self) -> None:
        """Record a 401 received outside the engine (a token check), so the rule counts it."""
        self._ledger.record(self._clock.now())

    def report_failure(self, error: Lox24Error) -> None:
        """A request made beside the engine with its token (a list of bulks) failed: the same
        account-wide stops apply (a refused token, a 429), as if the engine had seen it."""
        self._trip_breakers(error, self._clock.now(), self._token_verified)
        self._emit_summary()
        self._poke()

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
            await self._cancel_requests()

    async def stop(self) -> None:
        """Stop the loop and every request in flight, leaving no task behind."""
        loop_task, self._loop_task = self._loop_task, None
        if loop_task is not None:
            loop_task.cancel()
            await asyncio.wait([loop_task])
        await self._cancel_requests()

    async def _cancel_requests(self) -> None:
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self._tasks.clear()
        self._in_flight.clear()

    async def wait_idle(self) -> None:
        """Wait until nothing is in flight and nothing is due now (or the engine is stopped from
        sending by a pause or a breaker)."""
        while not self._is_idle():
            progress = self._progress
            await progress.wait()

    async def check_once(self) -> list[BulkState]:
        """Fetch every watched bulk once, under the same rules as the live loop, and return their
        states. Ids a breaker stopped from being sent keep no result (``last_checked`` None)."""
        started = self._clock.now()
        self.refresh()
        self.start()
        while True:
            pending = [
                t
                for t in self._tracked.values()
                if t.state.last_checked is None
                or t.state.last_checked < started
                or t.state.bulk_id in self._in_flight
            ]
            if not pending:
                break
            if not self._in_flight and (self.breaker is not None or self.paused):
                break
            progress = self._progress
            await progress.wait()
        await self.stop()
        return self.states()

    # ----------------------------------------------------------------- the loop

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            self._expire_rate_limit()
            self._launch_due()
            self._pulse()
            delay = self._next_wake_delay()
            if delay is not None and delay <= 0:
                await asyncio.sleep(0)
                continue
            timer = self._clock.call_later(delay, self._wake.set) if delay is not None else None
            try:
                await self._wake.wait()
            finally:
                if timer is not None:
                    timer.cancel()

    def _sending_allowed(self) -> bool:
        return (
            self._paused_reason is None
            and self._auth_stop is None
            and self._rate_limited_until <= self._clock.now()
        )

    def _launch_due(self) -> None:
        if not self._sending_allowed():
            return
        now = self._clock.now()
        if not self._token_verified:
            # An unproven token: one request at a time, and never a fourth possible
            # bad-credential request within a minute.
            if self._in_flight or self._ip_protection_until(now) is not None:
                return
            entry = self._pop_due(now)
            if entry is not None:
                self._launch(entry)
            return
        while len(self._in_flight) < self._concurrency:
            entry = self._pop_due(now)
            if entry is None:
                return
            self._launch(entry)

    def _pop_due(self, now: float) -> _Entry | None:
        while self._queue and self._queue[0].due <= now:
            entry = heapq.heappop(self._queue)
            if self._is_current(entry):
                return entry
        return None

    def _is_current(self, entry: _Entry) -> bool:
        tracked = self._tracked.get(entry.bulk_id)
        return (
            tracked is not None
            and tracked.version == entry.version
            and entry.bulk_id not in self._in_flight
        )

    def _next_wake_delay(self) -> float | None:
        now = self._clock.now()
        if self._paused_reason is not None or self._auth_stop is not None:
            return None
        if self._rate_limited_until > now:
            return self._rate_limited_until - now
        if not self._token_verified:
            if self._in_flight:
                return None
            protected_until = self._ip_protection_until(now)
            if protected_until is not None:
                return protected_until - now
        if len(self._in_flight) >= self._concurrency:
            return None
        while self._queue and not self._is_current(self._queue[0]):
            heapq.heappop(self._queue)
        if not self._queue:
            return None
        return max(0.0, self._queue[0].due - now)

    def _is_idle(self) -> bool:
        if self._in_flight:
            return False
        if not self._running or not self._sending_allowed():
            return True
        now = self._clock.now()
        if not self._token_verified and self._ip_protection_until(now) is not None:
            return True
        return not any(self._is_current(entry) and entry.due <= now for entry in self._queue)

    def _launch(self, entry: _Entry) -> None:
        self._in_flight.add(entry.bulk_id)
        self._requests_sent += 1
        request = _Request(entry.bulk_id, self._generation, self._token_verified)
        task = asyncio.create_task(self._check(request))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _check(self, request: _Request) -> None:
        try:
            outcome: StatusReply | Lox24Error
            try:
                outcome = await self._source.get_bulk_status(request.bulk_id)
            except asyncio.CancelledError:
                if request.bulk_id in self._tracked:  # first in line when the engine runs again
                    self._schedule(request.bulk_id, self._clock.now())
                raise
            except Lox24Error as error:
                outcome = error
            except Exception as exc:  # a bug must mark one row, not stop the engine
                outcome = UnreadableResponse(f"the client failed to read it ({type(exc).__name__})")
            self._in_flight.discard(request.bulk_id)
            try:
                if isinstance(outcome, Lox24Error):
                    self._on_error(request, outcome)
                else:
                    self._on_reply(request, outcome)
            except Exception as exc:
                reason = f"lox24tui failed to process it ({type(exc).__name__})"
                self._on_error(request, UnreadableResponse(reason))
        finally:
            self._in_flight.discard(request.bulk_id)
            self._emit_summary()
            self._poke()

    # ----------------------------------------------------------------- results

    def _on_reply(self, request: _Request, reply: StatusReply) -> None:
        bulk_id = request.bulk_id
        if request.generation == self._generation:
            self._token_verified = True
            self._rate_limit_streak = 0
        tracked = self._tracked.get(bulk_id)
        if tracked is None:
            return
        now = self._clock.now()
        old = tracked.state
        changes = {Change.CHECKED}
        code = reply.status.status_code
        history = old.history
        last_changed = old.last_changed
        if old.reply is None or old.reply.status.status_code != code:
            changes.add(Change.STATUS)
            history = (*history, Transition(code, now))
            last_changed = now
        if old.reply is None or _fields(old.reply) != _fields(reply):
            changes.add(Change.FIELDS)
        if old.error is not None:
            changes.add(Change.ERROR)
        new = replace(
            old,
            reply=reply,
            error=None,
            last_checked=now,
            last_changed=last_changed,
            failures=0,
            history=history,
        )
        self._replace(tracked, new)
        self._schedule(bulk_id, self._next_after_success(new, now))
        self._emit(BulkUpdate(tracked.state, frozenset(changes)))

    def _on_error(self, request: _Request, error: Lox24Error) -> None:
        bulk_id = request.bulk_id
        now = self._clock.now()
        tracked = self._tracked.get(bulk_id)
        if request.generation != self._generation:
            # An answer for the previous token says nothing about the current one.
            if tracked is not None and isinstance(error, AccountError | RateLimited):
                self._schedule(bulk_id, now)
                return
        else:
            self._trip_breakers(error, now, request.token_proven)
        if tracked is None:
            return
        old = tracked.state
        stopped_by_account = isinstance(error, AccountError | RateLimited)
        failures = old.failures if stopped_by_account else old.failures + 1
        new = replace(old, error=error, last_checked=now, failures=failures)
        changes = {Change.CHECKED}
        if type(old.error) is not type(error) or str(old.error) != str(error):
            changes.add(Change.ERROR)
        self._replace(tracked, new)
        if stopped_by_account:
            due = now  # first in line once the engine may send again
        elif isinstance(error, BulkNotFound):
            due = now + NOT_FOUND_RECHECK
        else:
            due = now + self._backoff(failures)
        self._schedule(bulk_id, due)
        self._emit(BulkUpdate(tracked.state, frozenset(changes)))

    def _trip_breakers(self, error: Lox24Error, now: float, token_proven: bool) -> None:
        """Account-wide consequences of one failure."""
        if isinstance(error, BulkNotFound) or (error.http_status or 500) < 400:
            # LOX24 looked the id up, or answered 200 with a body we could not read: the
            # token works.
            self._token_verified = True
            return
        if isinstance(error, InvalidToken) or not token_proven:
            # LOX24 counts a bad-credential request even when its answer never arrives, so
            # every unproven request that did not prove the token counts against the rule.
            self._ledger.record(now)
        if isinstance(error, AccountError):
            self._token_verified = False
            self._auth_stop = error
        elif isinstance(error, RateLimited):
            self._token_verified = False
            self._rate_limit_streak += 1
            wait = error.retry_after if error.retry_after is not None else RATE_LIMIT_DEFAULT_WAIT
            # Retry-After 0 (or a date in the past) must not turn into a request storm, and
            # 429 after 429 waits longer each time.
            floor = self._interval * 2.0 ** min(self._rate_limit_streak - 1, 16)
            wait = min(max(wait, floor), RATE_LIMIT_MAX_WAIT)
            self._rate_limited_until = max(self._rate_limited_until, now + wait)
            self._rate_limit_error = error

    def _next_after_success(self, state: BulkState, now: float) -> float | None:
        if state.is_final:
            return None
        jittered = self._interval * (1 + self._rng.uniform(-_JITTER, _JITTER))
        status = state.reply.status if state.reply else None
        if status is not None and status.status_code == StatusCode.NEW and status.delivery_at:
            delivery = status.delivery_at.timestamp()
            if delivery - now > 2 * self._interval:
                return max(now + self._interval, min(now + SCHEDULED_RECHECK, delivery + 1.0))
        return now + jittered

    def _is_scheduled_far(self, state: BulkState) -> bool:
        if state.reply is None or state.last_checked is None:
            return False
        status = state.reply.status
        return (
            status.status_code == StatusCode.NEW
            and status.delivery_at is not None
            and status.delivery_at.timestamp() - state.last_checked > 2 * self._interval
        )

    def _backoff(self, failures: int) -> float:
        """Exponential from the interval, capped, with "equal jitter" so retries do not align."""
        ceiling = min(BACKOFF_CAP, self._interval * 2.0 ** min(failures - 1, 16))
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def _ip_protection_until(self, now: float) -> float | None:
        """When another bad-credential request stops being able to be the fourth within a
        minute; None when it already cannot be."""
        recent = self._ledger.recent(now - BAD_CREDENTIALS_WINDOW)
        if len(recent) < BAD_CREDENTIALS_ALLOWED:
            return None
        return recent[-BAD_CREDENTIALS_ALLOWED] + BAD_CREDENTIALS_WINDOW

    def _expire_rate_limit(self) -> None:
        if self._rate_limit_error is not None and self._rate_limited_until <= self._clock.now():
            self._rate_limit_error = None
            self._emit_summary()

    # ----------------------------------------------------------------- bookkeeping

    def _schedule(self, bulk_id: str, due: float | None) -> None:
        tracked = self._tracked[bulk_id]
        tracked.version += 1
        if due is None:
            self._replace(tracked, replace(tracked.state, next_due=None))
            return
        self._replace(tracked, replace(tracked.state, next_due=due))
        heapq.heappush(self._queue, _Entry(due, next(self._order), bulk_id, tracked.version))

    def _replace(self, tracked: _Tracked, new: BulkState) -> None:
        self._count(tracked, -1)
        tracked.state = new
        tracked.bucket = bucket(new, self._clock.now())
        self._count(tracked, +1)

    def _count(self, tracked: _Tracked, sign: int) -> None:
        """Add (+1) or take away (-1) a bulk's share of the summary's running totals, exactly:
        prices are bounded by the model, and 60 digits hold any sum of them."""
        self._buckets[tracked.bucket] += sign
        state = tracked.state
        if state.reply is not None:
            status = state.reply.status
            self._total_messages += sign * (status.msg_total_count or 0)
            with decimal.localcontext(prec=60):
                self._total_price += sign * (status.price or Decimal(0))

    def _emit(self, event: MonitorEvent) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken front end must not stop the engine or the others
                _log.exception("a monitor listener failed")

    def _emit_summary(self) -> None:
        if self._listeners:
            self._emit(self.summary())

    def _poke(self) -> None:
        self._wake.set()
        self._pulse()

    def _pulse(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()


def _fields(reply: StatusReply) -> dict[str, object]:
    return reply.status.model_dump()


def _checked_interval(seconds: float) -> float:
    if not math.isfinite(seconds) or seconds < MIN_INTERVAL:
        raise ValueError(f"the refresh interval must be at least {MIN_INTERVAL:g} s")
    return float(seconds)


def _checked_concurrency(value: int) -> int:
    if value < 1:
        raise ValueError("at least one request must be allowed in flight")
    return value
