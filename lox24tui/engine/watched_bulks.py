"""The engine's book of watched bulks: each one's state, the queue of when each is due, and the
running totals the summary shows (bulks per status, messages, money), kept exact as states
change rather than summed again at every redraw."""

from __future__ import annotations

import decimal
import heapq
import itertools
import logging
from collections import Counter
from collections.abc import Container, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal

from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState, bucket

_log = logging.getLogger(__name__)


@dataclass
class _Tracked:
    state: BulkState
    bucket: str = "pending"
    """The summary label this bulk is counted under now."""
    version: int = 0
    """Bumped on every reschedule; queue entries of older versions are stale."""


@dataclass(order=True)
class _Entry:
    due: float
    order: int
    bulk_id: str = field(compare=False)
    version: int = field(compare=False)


class WatchedBulks:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._tracked: dict[str, _Tracked] = {}
        self._queue: list[_Entry] = []
        self._order = itertools.count()
        self._buckets: Counter[str] = Counter()
        self.messages = 0
        """The messages of every watched bulk, as last answered."""
        self.price = Decimal(0)
        """What every watched bulk cost, as last answered."""

    def __contains__(self, bulk_id: object) -> bool:
        return bulk_id in self._tracked

    def __len__(self) -> int:
        return len(self._tracked)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._tracked))

    def state(self, bulk_id: str) -> BulkState:
        return self._tracked[bulk_id].state

    def states(self) -> list[BulkState]:
        return [tracked.state for tracked in self._tracked.values()]

    @property
    def by_status(self) -> dict[str, int]:
        return {label: n for label, n in self._buckets.items() if n}

    def add(self, bulk_id: str) -> BulkState:
        """Start keeping ``bulk_id`` (due at once); its state, new or as kept already."""
        if bulk_id in self._tracked:
            return self._tracked[bulk_id].state
        tracked = self._tracked[bulk_id] = _Tracked(BulkState(bulk_id))
        self._count(tracked, +1)
        self.schedule(bulk_id, self._clock.now())
        return tracked.state

    def remove(self, bulk_id: str) -> BulkState | None:
        tracked = self._tracked.pop(bulk_id, None)
        if tracked is None:
            return None
        self._count(tracked, -1)
        return tracked.state

    def set(self, bulk_id: str, new: BulkState) -> None:
        """A bulk's new state, counted in the totals under its new status."""
        tracked = self._tracked[bulk_id]
        self._count(tracked, -1)
        tracked.state = new
        tracked.bucket = bucket(new, self._clock.now())
        self._count(tracked, +1)

    def schedule(self, bulk_id: str, due: float | None) -> None:
        """Check ``bulk_id`` at ``due`` (None: never again); an earlier place in the queue
        goes stale."""
        tracked = self._tracked[bulk_id]
        tracked.version += 1
        if due is None:
            _log.debug("engine: %s needs no more checks", bulk_id)
            self.set(bulk_id, replace(tracked.state, next_due=None))
            return
        _log.debug("engine: next check of %s in %.1f s", bulk_id, max(0.0, due - self._clock.now()))
        self.set(bulk_id, replace(tracked.state, next_due=due))
        heapq.heappush(self._queue, _Entry(due, next(self._order), bulk_id, tracked.version))

    def first_due(self, busy: Container[str]) -> tuple[str, float] | None:
        """The bulk due first (not one in ``busy``) and when, stale places dropped on the way."""
        while self._queue and not self._is_current(self._queue[0], busy):
            heapq.heappop(self._queue)
        return (self._queue[0].bulk_id, self._queue[0].due) if self._queue else None

    def take_first(self) -> None:
        """The bulk :meth:`first_due` named is on its way."""
        heapq.heappop(self._queue)

    def _is_current(self, entry: _Entry, busy: Container[str]) -> bool:
        tracked = self._tracked.get(entry.bulk_id)
        return (
            tracked is not None and tracked.version == entry.version and entry.bulk_id not in busy
        )

    def _count(self, tracked: _Tracked, sign: int) -> None:
        """Add (+1) or take away (-1) a bulk's share of the summary's running totals, exactly:
        prices are bounded by the model, and 60 digits hold any sum of them."""
        self._buckets[tracked.bucket] += sign
        state = tracked.state
        if state.reply is not None:
            status = state.reply.status
            self.messages += sign * (status.msg_total_count or 0)
            with decimal.localcontext(prec=60):
                self.price += sign * (status.price or Decimal(0))
