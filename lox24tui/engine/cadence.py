"""When the engine looks at a bulk next: every ``interval`` (with jitter, so checks of many bulks
spread out), rarely while a bulk is scheduled far ahead or unknown to LOX24, never once it is
final, and backing off exponentially after failures."""

from __future__ import annotations

import math
import random
from typing import Final

from lox24tui.api import BulkNotFound, Lox24Error, StatusCode
from lox24tui.engine.bulk_state import BulkState

DEFAULT_INTERVAL: Final = 10.0
MIN_REFRESH_INTERVAL: Final = 2.0
"""The shortest refresh interval a person may set (``interval``)."""
SCHEDULED_RECHECK: Final = 300.0
"""How often a bulk scheduled far ahead is looked at before its delivery time."""
NOT_FOUND_RECHECK: Final = 600.0
"""How often an id LOX24 does not know is tried again (it may have been a typo, later fixed)."""
BACKOFF_CAP: Final = 300.0
_JITTER: Final = 0.1


class Cadence:
    def __init__(self, interval: float, rng: random.Random) -> None:
        self._interval = _checked_interval(interval)
        self._rng = rng

    @property
    def interval(self) -> float:
        return self._interval

    @interval.setter
    def interval(self, seconds: float) -> None:
        self._interval = _checked_interval(seconds)

    def after_success(self, state: BulkState, now: float) -> float | None:
        """When to look again after an answer; None once the bulk is final."""
        if state.is_final:
            return None
        jittered = self._interval * (1 + self._rng.uniform(-_JITTER, _JITTER))
        status = state.reply.status if state.reply else None
        if status is not None and status.status_code == StatusCode.NEW and status.delivery_at:
            delivery = status.delivery_at.timestamp()
            if delivery - now > 2 * self._interval:
                return max(now + self._interval, min(now + SCHEDULED_RECHECK, delivery + 1.0))
        return now + jittered

    def after_error(self, error: Lox24Error, failures: int, now: float, *, held: bool) -> float:
        """When to try again after a failure: at once when the guard ``held`` requests back
        (first in line once it lets them out), rarely for an unknown id, else backing off."""
        if held:
            return now
        if isinstance(error, BulkNotFound):
            return now + NOT_FOUND_RECHECK
        return now + self._backoff(failures)

    def is_scheduled_far(self, state: BulkState) -> bool:
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


def _checked_interval(seconds: float) -> float:
    if not math.isfinite(seconds) or seconds < MIN_REFRESH_INTERVAL:
        raise ValueError(f"the refresh interval must be at least {MIN_REFRESH_INTERVAL:g} s")
    return seconds
