"""The archive: bulks that finished long ago, hidden from the table until asked for (A), so that
a list kept all day shows what still matters. Nothing is removed: the rows come back at a key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lox24tui.clock import Clock
from lox24tui.engine.bulk_state import BulkState
from lox24tui.session.events import EventBus
from lox24tui.session.tally import Tally


class Archive:
    def __init__(
        self, hours: float, states: Mapping[str, BulkState], clock: Clock, events: EventBus
    ) -> None:
        self.hours = hours
        """Hours after which a finished bulk is archived (hidden until asked for); 0 never."""
        self._states = states
        self._clock = clock
        self._events = events
        self._counted: tuple[tuple[int, int], Tally] | None = None
        self._added_at: dict[str, float] = {}
        """When bulks were added in this run: one the person just asked to see is not
        archived until ``hours`` after that, however long ago it finished."""

    def added(self, bulk_ids: Iterable[str]) -> None:
        self._added_at.update(dict.fromkeys(bulk_ids, self._clock.now()))

    def hides(self, bulk_id: str) -> bool:
        """Finished more than ``hours`` ago (by LOX24's times: when it was processed, else when
        it was to be delivered, else created), and not added by the person within that time
        (what they just asked to see stays in sight)."""
        state = self._states.get(bulk_id)
        if not self.hours or state is None or state.reply is None or not state.is_final:
            return False
        status = state.reply.status
        ended = status.processed_at or status.delivery_at or status.created_at
        if ended is None:
            return False
        since = max(ended.timestamp(), self._added_at.get(bulk_id, 0.0))
        return self._clock.now() - since > self.hours * 3600

    @property
    def count(self) -> int:
        """How many watched bulks the archive hides."""
        return self.tally().bulks

    def tally(self) -> Tally:
        """The counts of the bulks the archive hides. Worked out again only after a flush or a
        change of the list, or once a minute (time archives bulks too): the summary asks for it
        at every redraw, and at 10,000 bulks a pass costs ~15 ms."""
        key = (self._events.generation, int(self._clock.now() // 60))
        if self._counted is None or self._counted[0] != key:
            hidden = Tally()
            now = self._clock.now()
            for bulk_id in filter(self.hides, self._states):
                hidden.set(self._states[bulk_id], now)
            self._counted = (key, hidden)
        return self._counted[1]
