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
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.monitor import Monitor
from lox24tui.engine.periodic_look import PeriodicLook


class AccountWatch(PeriodicLook):
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
        super().__init__(monitor, clock, interval=max(MIN_SIDE_INTERVAL, interval), requests=1)
        self._client = client
        self._on_account = on_account

    def status_changed(self, state: BulkState) -> None:
        """A bulk that just finished has spent money: look at the balance now."""
        if state.is_final:
            self.soon()

    async def look(self) -> None:
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
