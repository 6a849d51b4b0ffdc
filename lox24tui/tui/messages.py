"""The watch session's news as one Textual message, for the screens that show the session.

The session's typed events (:mod:`lox24tui.session.events`) are the only vocabulary: the App
listens to the session and posts a :class:`SessionNews` carrying the event to every screen in
its stack, and a screen matches on the event it cares about. The message does not bubble: it is
news for the screen, not for the App that sent it.
"""

from __future__ import annotations

from textual.message import Message

from lox24tui.session.events import EngineChanged, ListChanged, RowsChanged, UndoChanged

ScreenNews = RowsChanged | ListChanged | EngineChanged | UndoChanged
"""The session's events that screens show; the App itself handles the others (toasts, the
damaged-list question)."""


class SessionNews(Message, bubble=False):
    def __init__(self, event: ScreenNews) -> None:
        super().__init__()
        self.event = event
