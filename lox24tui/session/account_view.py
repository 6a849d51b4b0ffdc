"""The account as the dashboard shows it: the balance, its currency, and the two warnings
about money (below ``low_balance``; messages held back for want of funds)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from lox24tui.api import Account
from lox24tui.engine.bulk_state import BulkState
from lox24tui.insight.forecast import Forecast
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
        self.forecast: Forecast | None = None
        """What the bulks waiting to send will cost, as last read; None until then."""
        self._low_said = False
        self._over_said: bool | None = None
        """The scheduled spend was over the balance at the last look (:meth:`newly_over`);
        None before both were known."""
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

    def forecast_seen(self, forecast: Forecast) -> None:
        self.forecast = forecast
        self._events.emit(EngineChanged())

    def forget(self) -> None:
        """A new token is in use: the account shown was the old token's."""
        self.account = None
        self.forecast = None
        self._over_said = None

    def newly_over(self) -> bool:
        """True once when the scheduled spend has just gone over the balance (after a reading
        of either); again only after it was back within it. Over at the first sight of both
        is not news (the bar says it in red; no storm of warnings at start)."""
        if self.forecast is None or self.balance_amount is None:
            return False
        over, was = self.over_balance, self._over_said
        self._over_said = over
        return over and was is False

    def spend_words(self) -> str:
        """The forecast against the balance, with its basis, for a toast or a log line."""
        if self.forecast is None:
            return "the scheduled spend is not known yet"
        currency = self.currency
        sentence = self.forecast.sentence(self.balance_amount, currency)
        return f"{sentence[:1].upper()}{sentence[1:]} ({self.forecast.basis(currency)})."

    @property
    def balance_amount(self) -> Decimal | None:
        return self.account.balance_amount if self.account is not None else None

    @property
    def over_balance(self) -> bool:
        """The scheduled bulks would cost more than the balance (both known)."""
        return self.forecast is not None and self.forecast.exceeds(self.balance_amount)

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
