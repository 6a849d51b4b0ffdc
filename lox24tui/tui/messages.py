"""The watch session's events as Textual messages, for the screens that show the session.

The App listens to the session and posts each of these to every screen in its stack; a screen
that shows no such thing ignores it. They do not bubble: they are news for the screen, not for
the App that sent them.
"""

from __future__ import annotations

from textual.message import Message

from lox24tui.session.events import EngineChanged, ListChanged, RowsChanged, UndoChanged

ScreenNews = RowsChanged | ListChanged | EngineChanged | UndoChanged
"""The session's events that screens show; the App itself handles the others (toasts, the
damaged-list question)."""


class SessionMessage(Message, bubble=False):
    """Base of the session's messages."""


class BulksChanged(SessionMessage):
    """These bulks' states or labels changed."""

    def __init__(self, bulk_ids: frozenset[str]) -> None:
        super().__init__()
        self.bulk_ids = bulk_ids


class WatchListChanged(SessionMessage):
    """Which bulks are watched, or their order, changed."""

    def __init__(self, removed: frozenset[str], select: str | None) -> None:
        super().__init__()
        self.removed = removed
        self.select = select


class SummaryChanged(SessionMessage):
    """The engine's state (paused, stopped, failed, new token) changed."""


class UndoAvailable(SessionMessage):
    """Whether u has something to put back changed."""

    def __init__(self, can_undo: bool) -> None:
        super().__init__()
        self.can_undo = can_undo


def message_for(event: ScreenNews) -> SessionMessage:
    """A new message for a screen about ``event``."""
    match event:
        case RowsChanged(bulk_ids):
            return BulksChanged(bulk_ids)
        case ListChanged(removed, select):
            return WatchListChanged(removed, select)
        case EngineChanged():
            return SummaryChanged()
        case UndoChanged(can_undo):
            return UndoAvailable(can_undo)
