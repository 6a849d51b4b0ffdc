"""The engine's requests on the wire, and the two signals its loop runs on.

Kept apart from the loop's decisions (what to send, when): this is only the bookkeeping that
every decision reads, a set of bulk ids in flight and the tasks that carry them, and the alarm
that wakes the loop (something changed) and tells waiters that work moved on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any


class InFlight:
    """Status checks on the wire by bulk id, and every task of the engine (side work's too), so
    that stopping the engine leaves none behind."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        """Bulks with a status request on the wire (by id: re-watching one cannot double it)."""
        self.tasks: set[asyncio.Task[None]] = set()
        self.sent = 0
        """Status requests sent since the engine was made."""

    def start(self, bulk_id: str, check: Coroutine[Any, Any, None]) -> None:
        self.ids.add(bulk_id)
        self.sent += 1
        task = asyncio.create_task(check)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def cancel_all(self) -> None:
        tasks = list(self.tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks)
        self.tasks.clear()
        self.ids.clear()


class Alarm:
    """``poke`` wakes the engine's loop (a bulk was added, an answer came, the user asked);
    ``pulse`` tells whoever waits for the engine to settle that something moved."""

    def __init__(self) -> None:
        self.wake = asyncio.Event()
        self._progress = asyncio.Event()

    def poke(self) -> None:
        self.wake.set()
        self.pulse()

    def pulse(self) -> None:
        self._progress.set()
        self._progress = asyncio.Event()

    async def next_pulse(self) -> None:
        await self._progress.wait()
