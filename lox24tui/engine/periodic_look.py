"""Side work that looks at one thing of the account now and then: the balance
(:class:`lox24tui.engine.account_watch.AccountWatch`), the scheduled spend
(:class:`lox24tui.session.forecast_rounds.ForecastRounds`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from lox24tui.account.side_budget import MIN_SIDE_INTERVAL
from lox24tui.api import Lox24Error
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState, BulkUpdate, Change
from lox24tui.engine.monitor import Monitor, MonitorEvent
from lox24tui.engine.side_work import SideJob

Source = TypeVar("Source")
Seen = TypeVar("Seen")


class PeriodicLook(Generic[Source, Seen]):
    """Side work that looks at one thing of the account (the balance, the scheduled spend)
    every ``interval`` (never more often than :data:`MIN_SIDE_INTERVAL`), and sooner when
    :meth:`soon` is asked (something it shows changed). A look asked for while one is on its
    way follows it after :attr:`AGAIN_AFTER`. The subclass says what a look reads
    (:meth:`read`, at most :attr:`REQUESTS` requests); what it read goes to ``on_seen``,
    unless the token changed meanwhile. ``client`` is the client of the token in use, or None
    while there is none (then no look is made)."""

    REQUESTS: ClassVar[int]
    """The most one look sends: charged to the side-work budget."""
    AGAIN_AFTER: ClassVar[float] = 0.0

    def __init__(
        self,
        monitor: Monitor,
        client: Callable[[], Source | None],
        clock: Clock,
        on_seen: Callable[[Seen], None],
        *,
        interval: float,
    ) -> None:
        self._monitor = monitor
        self._client = client
        self._clock = clock
        self._on_seen = on_seen
        self._wake = monitor.side.wake
        self.interval = max(MIN_SIDE_INTERVAL, interval)
        self._due: float | None = clock.now()
        self._running = False
        self._again = False
        """Asked for while a look was on its way: look again after :attr:`AGAIN_AFTER`."""
        monitor.updates.listen(self._on_engine_event)

    def _on_engine_event(self, event: MonitorEvent) -> None:
        if (
            isinstance(event, BulkUpdate)
            and Change.STATUS in event.changes
            and len(event.state.history) > 1  # a change seen, not a bulk first seen
        ):
            self.status_changed(event.state)

    def status_changed(self, state: BulkState) -> None:
        """A watched bulk's status changed under the engine's eyes (not a bulk first seen):
        what this looks at may have changed with it."""

    def soon(self, delay: float = 0.0) -> None:
        """Look within ``delay`` seconds (never later than already due)."""
        if self._running:
            self._again = True
            return
        at = self._clock.now() + delay
        if self._due is None or self._due > at:
            self._due = at
            self._wake()

    def due_at(self) -> float | None:
        return self._due

    def take(self, now: float) -> SideJob | None:
        if self._due is None or self._due > now:
            return None
        self._due = None
        self._running = True
        self._again = False
        return SideJob(self._run, self.REQUESTS)

    async def _run(self) -> None:
        try:
            await self._look()
        finally:
            self._running = False
            wait = self.AGAIN_AFTER if self._again else self.interval
            self._due = self._clock.now() + wait

    async def _look(self) -> None:
        client = self._client()
        if client is None:
            return
        guard = self._monitor.guard
        try:
            seen = await self.read(client)
        except Lox24Error:
            return  # the guard has taken note; the next look tries again
        if self._monitor.guard is guard:  # not what a token no longer in use saw
            self._on_seen(seen)

    async def read(self, client: Source) -> Seen:
        raise NotImplementedError
