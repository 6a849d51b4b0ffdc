"""What leaves the watch list can come back: the last removal, whether the person removed a bulk
here or another process removed some from the file."""

from __future__ import annotations

from collections.abc import Sequence

from lox24tui.session.events import EventBus, UndoChanged
from lox24tui.state.store import Removed


class LastRemoval:
    def __init__(self, events: EventBus) -> None:
        self._events = events
        self.removed: list[Removed] | None = None

    @property
    def can_undo(self) -> bool:
        return self.removed is not None

    def set(self, removal: list[Removed] | None) -> None:
        """Remember ``removal`` (None: nothing to undo); the Undo key comes and goes with it."""
        had = self.removed is not None
        self.removed = removal
        if had != (removal is not None):
            self._events.emit(UndoChanged(removal is not None))


def names(removed: Sequence[Removed], most: int = 5) -> str:
    """'“Black Friday”, 0e03b500-… and 3 more': labels where there are some."""
    shown = [
        f"“{item.entry.label}”" if item.entry.label else item.entry.bulk_id for item in removed
    ]
    more = len(shown) - most
    return ", ".join(shown[:most]) + (f" and {more} more" if more > 0 else "")
