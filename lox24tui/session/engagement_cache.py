"""Clicks and replies for the detail pane, read when the user looks at a bulk and kept: a bulk
looked at again within :data:`MAX_AGE` costs no request, and one is never asked about twice
at once. A bulk that has not sent anything has nothing to ask about."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from lox24tui.api import StatusCode
from lox24tui.engine.bulk_state import BulkState
from lox24tui.insight.engagement import Engagement

MAX_AGE: Final = 300.0
"""Seconds a bulk's clicks and replies are shown before they are read again (when looked at):
the side work's pace, not the refresh's; clicks and replies trickle in over days."""
SENT: Final = frozenset(
    {StatusCode.IN_PROGRESS, StatusCode.PROCESSED, StatusCode.CANCELED, StatusCode.SYSTEM_ERROR}
)


@dataclass(frozen=True, slots=True)
class Engaged:
    """What was read about a bulk, and when: the counts, or why they could not be read."""

    at: float
    engagement: Engagement | None
    problem: str | None = None


class EngagementCache:
    def __init__(self) -> None:
        self._known: dict[str, Engaged] = {}
        self._asking: set[str] = set()

    def get(self, bulk_id: str) -> Engaged | None:
        return self._known.get(bulk_id)

    def claim(self, state: BulkState, now: float) -> bool:
        """Whether to read the bulk's clicks and replies now that someone looks at it; if so,
        it counts as being read from now on (one read at a time, however often the pane is
        redrawn meanwhile), until :meth:`keep` or :meth:`release`."""
        if not self._wanted(state, now):
            return False
        self._asking.add(state.bulk_id)
        return True

    def _wanted(self, state: BulkState, now: float) -> bool:
        if state.bulk_id in self._asking or state.reply is None:
            return False
        status = state.reply.status
        if status.status_code not in SENT or not status.msg_total_count:
            return False
        known = self._known.get(state.bulk_id)
        return known is None or now - known.at >= MAX_AGE

    def reading(self, bulk_id: str) -> bool:
        return bulk_id in self._asking

    def release(self, bulk_id: str) -> None:
        """Not read after all (no token yet): the next look asks again."""
        self._asking.discard(bulk_id)

    def keep(self, bulk_id: str, engaged: Engaged) -> None:
        self._asking.discard(bulk_id)
        self._known[bulk_id] = engaged

    def forget(self, bulk_id: str) -> None:
        self._known.pop(bulk_id, None)
        self._asking.discard(bulk_id)
