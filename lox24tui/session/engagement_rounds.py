"""Clicks and replies read in the background: for the bulk someone looks at (the detail pane),
and, while the table shows its clicks and replies columns, for every sent bulk at the side
work's pace, the bulks on screen first. Every read goes through the guard and, in the table's
case, the side-work budget; what is read is kept in the session's
:class:`~lox24tui.session.engagement_cache.EngagementCache`."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Final

from lox24tui.api import Lox24Error
from lox24tui.engine.bulk_state import BulkUpdate, Change
from lox24tui.engine.monitor import MonitorEvent
from lox24tui.engine.side_work import SideJob
from lox24tui.insight.engagement import EngagementSource, read_engagement
from lox24tui.session.engagement_cache import Engaged
from lox24tui.session.watch_session import WatchSession
from lox24tui.state.files import os_reason
from lox24tui.text import sanitise

REQUESTS: Final = 3
"""The most one read sends (clicks, a page of sent messages, their replies), charged to the
side-work budget before it runs."""
NO_CLIENT_WAIT: Final = 30.0
"""Seconds before the reads are tried again when none could be taken (no token yet)."""


async def read_into(session: WatchSession, client: EngagementSource, bulk_id: str) -> None:
    """Read the bulk's clicks and replies through ``client`` and keep them in the session (which
    redraws the bulk); what stopped them is kept in words instead, and shown."""
    try:
        found = await read_engagement(client, bulk_id)
    except Lox24Error as error:
        engaged = Engaged(session.clock.now(), None, sanitise.one_line(str(error)))
    except OSError as error:
        engaged = Engaged(session.clock.now(), None, os_reason(error)[0])
    else:
        engaged = Engaged(session.clock.now(), found)
    session.keep_engagement(bulk_id, engaged)


class EngagementRounds:
    """Side work (:class:`~lox24tui.engine.side_work.SideWork`) that keeps every sent bulk's
    clicks and replies fresh while the table shows them; nothing while it does not.

    When the next read falls due is found by a walk over the watched bulks, done again only
    when it can have moved: a status changed (a bulk started sending, or ended), a read was
    taken or ended, the columns were shown."""

    def __init__(
        self, session: WatchSession, client: Callable[[], EngagementSource | None]
    ) -> None:
        self._session = session
        self._client = client
        self._next: float | None = None
        self._stale = True
        """``_next`` may be wrong: find it again."""
        session.monitor.updates.listen(self._on_engine_event)

    def _on_engine_event(self, event: MonitorEvent) -> None:
        if isinstance(event, BulkUpdate) and Change.STATUS in event.changes:
            self._stale = True

    def due_at(self) -> float | None:
        session = self._session
        if not session.engagement.in_table:
            self._stale = True  # shown again later: look afresh
            return None
        if self._stale:
            now = session.clock.now()
            cache = session.engagement
            due = (cache.due(state, now) for state in session.monitor.states())
            self._next = min((at for at in due if at is not None), default=None)
            self._stale = False
        return self._next

    def take(self, now: float) -> SideJob | None:
        """The first due read among the bulks on screen, then the watch list's. Asked whenever
        any side work is due, so it returns at once when its own is not."""
        due = self.due_at()
        if due is None or due > now:
            return None
        session = self._session
        client = self._client()
        monitor = session.monitor
        self._stale = True  # whatever happens, the next due read is another one
        if client is None:  # no token yet: nothing can be read until there is
            self._next, self._stale = now + NO_CLIENT_WAIT, False
            return None
        for bulk_id in dict.fromkeys([*monitor.side.prioritised, *monitor.watched]):
            if session.engagement.claim_due(monitor.state(bulk_id), now):
                return SideJob(partial(self._read, client, bulk_id), REQUESTS)
        self._next, self._stale = now + NO_CLIENT_WAIT, False  # never a busy loop
        return None

    async def _read(self, client: EngagementSource, bulk_id: str) -> None:
        try:
            await read_into(self._session, client, bulk_id)
        finally:
            self._stale = True  # its next read is due MAX_AGE or more from now
