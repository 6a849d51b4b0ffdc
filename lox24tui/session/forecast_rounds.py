"""The spend forecast kept fresh as side work of the engine: read at start, every
:data:`FORECAST_EVERY`, and soon after a watched bulk leaves "scheduled" or finishes (what
waits, and what the balance holds, changed). Through the account guard and the side-work
budget, like every request beside status checks. The price per message it needs for an
estimate is read once per :data:`PRICES_FOR` at the most."""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from lox24tui.account.side_budget import MIN_SIDE_INTERVAL
from lox24tui.api.protocol import BulkLister
from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.monitor import Monitor
from lox24tui.engine.periodic_look import PeriodicLook
from lox24tui.insight.forecast import (
    NO_PRICES,
    Forecast,
    Prices,
    forecast_of,
    needs_prices,
    read_prices,
    read_waiting,
)
from lox24tui.insight.forecast import (
    REQUESTS as READING_REQUESTS,
)

FORECAST_EVERY: Final = 15 * 60.0
"""Seconds between two readings: bulks are booked by people, rarely minute by minute."""
PRICES_FOR: Final = 3600.0
"""Seconds the price per message of the recent bulks is kept: it moves with a price list."""
SOON: Final = MIN_SIDE_INTERVAL
"""After a watched bulk changed, the next reading comes no sooner than this (a burst of
changes is one reading)."""


class ForecastRounds(PeriodicLook[BulkLister, Forecast]):
    """Side work (:class:`~lox24tui.engine.side_work.SideWork`) that reads the forecast and
    hands it to ``on_forecast``."""

    REQUESTS = READING_REQUESTS
    AGAIN_AFTER = SOON

    def __init__(
        self,
        monitor: Monitor,
        client: Callable[[], BulkLister | None],
        clock: Clock,
        on_forecast: Callable[[Forecast], None],
    ) -> None:
        super().__init__(monitor, client, clock, on_forecast, interval=FORECAST_EVERY)
        self._prices: Prices | None = None
        self._prices_at = 0.0

    def status_changed(self, state: BulkState) -> None:
        """A watched bulk started sending, was canceled or finished: what waits has changed."""
        self.soon(SOON)

    async def read(self, client: BulkLister) -> Forecast:
        waiting, complete = await read_waiting(client)
        now = self._clock.now()
        if any(needs_prices(bulk) for bulk in waiting) and (
            self._prices is None or now - self._prices_at >= PRICES_FOR
        ):
            self._prices, self._prices_at = await read_prices(client), now
        return forecast_of(waiting, self._prices or NO_PRICES, complete=complete)
