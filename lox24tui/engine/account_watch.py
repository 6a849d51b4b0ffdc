"""The account's balance, kept fresh as side work of the engine
(:class:`lox24tui.engine.monitor.SideWork`): one ``GET /me`` every ``account_interval`` seconds, and
right after a watched bulk finishes (it has just spent money). Through the account guard, in the
capacity status checks leave, charged one request to the side-work budget.
"""

from __future__ import annotations

from collections.abc import Callable

from lox24tui.account.side_budget import MIN_SIDE_INTERVAL
from lox24tui.api import Account
from lox24tui.api.protocol import AccountSource
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.monitor import Monitor
from lox24tui.engine.periodic_look import PeriodicLook


class AccountWatch(PeriodicLook[AccountSource, Account]):
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
        interval = max(MIN_SIDE_INTERVAL, interval)
        super().__init__(monitor, client, clock, on_account, interval=interval, requests=1)

    def status_changed(self, state: BulkState) -> None:
        """A bulk that just finished has spent money: look at the balance now."""
        if state.is_final:
            self.soon()

    async def read(self, client: AccountSource) -> Account:
        return await client.get_account()
