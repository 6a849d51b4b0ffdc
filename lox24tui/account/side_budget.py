"""One request budget per minute for all the engine's side work (delivery counts, the balance,
auto-watch, and whatever comes later): LOX24's pace, whatever the watch list holds.

A sliding window, not a token bucket: in ANY 60 s, side work sends at most
``requests_per_minute`` requests, so no burst after a quiet spell breaks the promise. Status
checks are not charged: they come first and are never delayed by it.
"""

from __future__ import annotations

from collections import deque
from typing import Final

WINDOW: Final = 60.0
"""Seconds over which the budget holds."""
MIN_SIDE_INTERVAL: Final = 30.0
"""The least time between two rounds of one kind of side work (delivery counts, the balance):
a delivery count costs up to seven requests a bulk."""
DEFAULT_REQUESTS_PER_MINUTE: Final = 30
"""Half the 60 requests a minute that lox24tui promises never to exceed in steady state, so
status checks of bulks still sending keep room beside side work."""


class SideBudget:
    """Requests side work may still send in the current minute. The engine charges each side
    job the most requests it may send before the job runs (a delivery count of N requests is
    charged N), so a job that cannot be paid for waits, and nothing side work sends escapes
    the count."""

    def __init__(self, requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE) -> None:
        self.requests_per_minute = requests_per_minute
        self._charges: deque[tuple[float, int]] = deque()

    @property
    def requests_per_minute(self) -> int:
        return self._limit

    @requests_per_minute.setter
    def requests_per_minute(self, value: int) -> None:
        if value < 1:
            raise ValueError("side work needs at least one request a minute")
        self._limit = value

    def available(self, now: float) -> int:
        """Requests that may go out at ``now`` without breaking the budget."""
        self._forget(now)
        return self._limit - sum(n for _, n in self._charges)

    def charge(self, requests: int, now: float) -> None:
        self._charges.append((now, requests))

    def free_at(self, requests: int, now: float) -> float:
        """When ``requests`` may go out: ``now`` if they may already, else the moment enough
        earlier charges leave the window. A job larger than the whole budget is let out once
        the window is empty (it could never be paid for otherwise)."""
        needed = min(requests, self._limit) - self.available(now)
        if needed <= 0:
            return now
        for at, n in self._charges:
            needed -= n
            if needed <= 0:
                return at + WINDOW
        return now  # pragma: no cover - the charges in the window add up to more than needed

    def allows(self, requests: int, now: float) -> bool:
        return self.free_at(requests, now) <= now

    def _forget(self, now: float) -> None:
        while self._charges and self._charges[0][0] + WINDOW <= now:
            self._charges.popleft()
