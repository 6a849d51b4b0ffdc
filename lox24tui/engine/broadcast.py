"""Events handed to every front end that listens: the dashboard, a watching command, the
engine's own side work.

One listener that raises must not stop the engine or keep the others from hearing: its failure
goes to the debug log, and the event goes on to the rest.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from typing import Generic, TypeVar

_log = logging.getLogger(__name__)

Event = TypeVar("Event")


class Broadcast(Generic[Event]):
    """Every event, to every listener, in the order they listened."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[Event], None]] = []

    def listen(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``listener`` with every event; returns a function that stops it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    async def events(self) -> AsyncIterator[Event]:
        """Every event from now on, as an async iterator."""
        queue: asyncio.Queue[Event] = asyncio.Queue()
        stop = self.listen(queue.put_nowait)
        try:
            while True:
                yield await queue.get()
        finally:
            stop()

    @property
    def heard(self) -> bool:
        """Someone listens: an event nobody hears need not be made."""
        return bool(self._listeners)

    def emit(self, event: Event) -> None:
        for listener in list(self._listeners):
            try:
                listener(event)
            except Exception:  # one broken front end must not stop the engine or the others
                _log.exception("a listener of the engine failed")
