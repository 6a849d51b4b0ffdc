"""The account as the dashboard shows it: the balance, its currency, and the two warnings
about money (below ``low_balance``; messages held back for want of funds)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from lox24tui.api import Account
from lox24tui.engine.bulk_state import BulkState
from lox24tui.session.config import below_low_balance
from lox24tui.session.events import EngineChanged, EventBus
from lox24tui.text import sanitise


class AccountView:
    def __init__(
        self, low_balance: Decimal, states: Mapping[str, BulkState], events: EventBus
    ) -> None:
        self.low_balance = low_balance
        """Below this balance the summary warns (0: never)."""
        self.account: Account | None = None
        """The account as LOX24 last described it (balance, currency); None until then."""
        self._states = states
        self._events = events
        self._low_said = False
        """The balance was below ``low_balance`` at the last reading that had one."""

    def seen(self, account: Account) -> bool:
        """New figures from GET /me. True when the balance has just fallen below
        ``low_balance``: the warning is given once, and again only after the balance rose above
        it (a reading without a balance changes nothing)."""
        self.account = account
        self._events.emit(EngineChanged())
        if account.balance_amount is None:
            return False
        fell = self.is_low and not self._low_said
        self._low_said = self.is_low
        return fell

    def forget(self) -> None:
        """A new token is in use: the account shown was the old token's."""
        self.account = None

    @property
    def is_low(self) -> bool:
        balance = self.account.balance_amount if self.account is not None else None
        return below_low_balance(balance, self.low_balance)

    @property
    def out_of_funds(self) -> bool:
        """LOX24 held messages of a watched bulk back for want of funds (status 3000) at its
        latest count, and the balance has not risen since: the account needs topping up."""
        if self.account is None:
            return False
        changed = self.account.balance_changed_at
        for state in self._states.values():
            delivery = state.delivery
            if delivery is None or not delivery.no_funds:
                continue
            if changed is None or changed.timestamp() <= delivery.taken_at:
                return True
        return False

    @property
    def currency(self) -> str | None:
        """The account's currency, once known: every money column uses it. LOX24's text, so
        made inert like all of it."""
        currency = self.account.currency if self.account is not None else None
        return sanitise.one_line(currency) if currency else None
