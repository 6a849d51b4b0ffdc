"""The account's balance, kept fresh as side work of the engine
(:class:`lox24tui.engine.monitor.SideWork`): one ``GET /me`` every ``account_interval`` seconds, and
right after a watched bulk finishes (it has just spent money). Through the account guard, in the
capacity status checks leave, charged one request to the side-work budget.
"""

from __future__ import annotations

from collections.abc import Callable

from lox24tui.account.side_budget import MIN_SIDE_INTERVAL
from lox24tui.api import Account, Lox24Error
from lox24tui.api.protocol import AccountSource
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkUpdate, Change
from lox24tui.engine.monitor import Monitor, MonitorEvent
from lox24tui.engine.side_work import SideJob


class AccountWatch:
    """Side work that keeps the account (balance, currency) fresh."""

    def __init__(
        self,
        monitor: Monitor,
        client: Callable[[], AccountSource | None],
        clock: Clock,
        on_account: Callable[[Account], None],
        *,
        interval: float = 300.0,
    ) -> None:
        self._monitor = monitor
        self._client = client
        self._clock = clock
        self._on_account = on_account
        self.interval = max(MIN_SIDE_INTERVAL, interval)
        self._due: float | None = clock.now()
        self._running = False
        self._again = False
        """A bulk finished while a look was on its way: look again at once."""
        monitor.updates.listen(self._on_engine_event)

    def soon(self) -> None:
        """Look as soon as a slot is free (a new token, say)."""
        if self._running:
            self._again = True
        else:
            self._due = self._clock.now()
            self._monitor.side.wake()

    def _on_engine_event(self, event: MonitorEvent) -> None:
        """A bulk that just finished has spent money: look at the balance now."""
        if (
            isinstance(event, BulkUpdate)
            and Change.STATUS in event.changes
            and event.state.is_final
            and len(event.state.history) > 1  # a change seen, not a bulk final from the start
        ):
            self.soon()

    def due_at(self) -> float | None:
        return self._due

    def take(self, now: float) -> SideJob | None:
        if self._due is None or self._due > now:
            return None
        self._due = None
        self._running = True
        self._again = False
        return SideJob(self._look, requests=1)

    async def _look(self) -> None:
        try:
            client = self._client()
            if client is None:
                return
            guard = self._monitor.guard
            try:
                account = await client.get_account()
            except Lox24Error:
                return  # the guard has taken note; the next look tries again
            if self._monitor.guard is guard:  # not the account of a token no longer in use
                self._on_account(account)
        finally:
            self._running = False
            now = self._clock.now()
            self._due = now if self._again else now + self.interval
