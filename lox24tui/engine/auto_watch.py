"""Auto-watch: with ``auto_watch = true``, every bulk created in the account while the dashboard
runs joins the watch list by itself.

One ``GET /bulks`` (newest first, created since the dashboard started) every
:data:`LOOK_EVERY` seconds, as side work of the engine: through the account guard, in the
capacity status checks leave, paused with them, and charged :data:`PAGES_PER_LOOK` requests to
the side-work budget. A bulk it added once is never added again, so
removing it from the list sticks.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from datetime import UTC, datetime
from typing import Final

from lox24tui.api import Lox24Error, is_bulk_id, parse_bulk_id
from lox24tui.api.protocol import BulkLister
from lox24tui.clock import Clock
from lox24tui.engine.discovery import BulkQuery, label_for, recent_bulks
from lox24tui.engine.side_work import SideJob

LOOK_EVERY: Final = 120.0
"""Seconds between two looks at the account's new bulks: new bulks are rare, requests are not
free, and a bulk is usually scheduled minutes ahead of sending."""
MOST_PER_LOOK: Final = 200
PAGES_PER_LOOK: Final = 3
"""Pages of new bulks read at one look at the most: what each look is charged."""


class AutoWatch:
    """Side work for the engine (:class:`lox24tui.engine.monitor.SideWork`)."""

    def __init__(
        self,
        client: Callable[[], BulkLister | None],
        adopt: Callable[[Sequence[tuple[str, str]]], Collection[str]],
        clock: Clock,
        *,
        every: float = LOOK_EVERY,
    ) -> None:
        """``client``: the guarded client of the token in use, or None before there is one;
        ``adopt``: watches (id, label) pairs, and says which of them are watched now (a list
        that cannot be saved takes none: they are offered again at the next look)."""
        self._client = client
        self._adopt = adopt
        self._clock = clock
        self._every = every
        self._started = clock.now()
        self._due: float | None = self._started + every
        self._offered: set[str] = set()

    def due_at(self) -> float | None:
        return self._due

    def take(self, now: float) -> SideJob | None:
        if self._due is None or self._due > now:
            return None
        self._due = None  # while it runs
        return SideJob(self._look, requests=PAGES_PER_LOOK)

    async def _look(self) -> None:
        try:
            client = self._client()
            if client is None:
                return
            now = self._clock.now()
            since = datetime.fromtimestamp(now, UTC) - datetime.fromtimestamp(self._started, UTC)
            new: list[tuple[str, str]] = []
            query = BulkQuery(since=since)
            async for bulk in recent_bulks(
                client,
                query,
                limit=MOST_PER_LOOK,
                now=datetime.fromtimestamp(now, UTC),
                max_pages=PAGES_PER_LOOK,
            ):
                if bulk.uuid and is_bulk_id(bulk.uuid):
                    bulk_id = parse_bulk_id(bulk.uuid)
                    if bulk_id not in self._offered:
                        new.append((bulk_id, label_for(bulk)))
            if new:
                watched = self._adopt(list(reversed(new)))  # oldest first, as created
                self._offered.update(bulk_id for bulk_id, _ in new if bulk_id in watched)
        except Lox24Error:
            pass  # the guard has taken note; the next look tries again
        finally:
            self._due = self._clock.now() + self._every
