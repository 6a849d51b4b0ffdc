"""Clicks and replies, read when the user looks at a bulk (the detail pane) or, while the table
shows them, at the side work's pace (:mod:`lox24tui.session.engagement_rounds`), and kept: a bulk
looked at again within :data:`MAX_AGE` costs no request, and one is never asked about twice at
once. A bulk that has not sent anything has nothing to ask about."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from lox24tui.api import StatusCode
from lox24tui.engine.bulk_state import BulkState
from lox24tui.insight.engagement import Engagement

MAX_AGE: Final = 300.0
"""Seconds a bulk's clicks and replies are shown before they are read again (when looked at):
the side work's pace, not the refresh's; clicks and replies trickle in over days."""
QUIET_AGE: Final = 24 * 3600.0
"""The longest a finished bulk's counts are kept in the table's column before they are read
again: a campaign's clicks and replies come mostly in its first hours, so the longer ago it
ended, the less often it is asked about (a twelfth of its age, from MAX_AGE up to this)."""
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
    def __init__(self, wake: Callable[[], None] = lambda: None) -> None:
        self._known: dict[str, Engaged] = {}
        self._asking: set[str] = set()
        self._wake = wake
        self.in_table = False
        """The table shows clicks and replies: every sent bulk's are kept fresh, not only those
        of the bulks looked at."""

    def show_in_table(self, shown: bool) -> None:
        """The table's clicks and replies were shown or hidden: side work reads them, or stops."""
        self.in_table = shown
        self._wake()

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
        if not self._readable(state):
            return False
        known = self._known.get(state.bulk_id)
        return known is None or now - known.at >= MAX_AGE

    def _readable(self, state: BulkState) -> bool:
        """Sent something, and not being read now."""
        if state.bulk_id in self._asking or state.reply is None:
            return False
        status = state.reply.status
        return status.status_code in SENT and bool(status.msg_total_count)

    def due(self, state: BulkState, now: float) -> float | None:
        """When the table's column wants the bulk's counts read (again): at once when never read,
        MAX_AGE after the last read while it sends, less often the longer ago it ended (see
        QUIET_AGE). None: nothing to read (never sent, or being read now)."""
        if not self._readable(state):
            return None
        known = self._known.get(state.bulk_id)
        if known is None:
            return now
        if not state.is_final:
            return known.at + MAX_AGE
        status = state.reply.status if state.reply else None
        ended = status.processed_at.timestamp() if status and status.processed_at else known.at
        return known.at + min(QUIET_AGE, max(MAX_AGE, (known.at - ended) / 12))

    def claim_due(self, state: BulkState, now: float) -> bool:
        """Whether the table's column wants the bulk read now; if so it counts as being read,
        as for :meth:`claim`."""
        due = self.due(state, now)
        if due is None or due > now:
            return False
        self._asking.add(state.bulk_id)
        return True

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
