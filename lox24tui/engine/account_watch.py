"""The account's balance, kept fresh as side work of the engine
(:class:`lox24tui.engine.monitor.SideWork`): one ``GET /me`` every ``account_interval`` seconds, and
right after a watched bulk finishes (it has just spent money). Through the account guard, in the
capacity status checks leave, charged one request to the side-work budget.
"""

from __future__ import annotations

from lox24tui.api import Account
from lox24tui.api.protocol import AccountSource
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.periodic_look import PeriodicLook


class AccountWatch(PeriodicLook[AccountSource, Account]):
    """Side work that keeps the account (balance, currency) fresh."""

    REQUESTS = 1

    def status_changed(self, state: BulkState) -> None:
        """A bulk that just finished has spent money: look at the balance now."""
        if state.is_final:
            self.soon()

    async def read(self, client: AccountSource) -> Account:
        return await client.get_account()
