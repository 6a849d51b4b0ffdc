"""Time for the engine and the fake: the real clock, or a virtual one that tests move by hand.

With :class:`VirtualClock`, ten minutes of IP block or a bulk's whole life pass in one call to
:meth:`VirtualClock.advance`, so the suite is fast and never sleeps to make timing pass.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class Timer(Protocol):
    def cancel(self) -> None: ...


class Clock(Protocol):
    def now(self) -> float:
        """Unix seconds."""
        ...

    async def sleep(self, seconds: float) -> None: ...

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        """Run ``callback`` (in the event loop) once ``seconds`` have passed."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> float:
        return time.time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds))

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        return asyncio.get_running_loop().call_later(max(0.0, seconds), callback)


@dataclass(order=True)
class _VirtualTimer:
    when: float
    order: int
    callback: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """A clock that moves only when told to; sleepers wake when :meth:`advance` reaches them."""

    def __init__(self, start: float = 1_764_150_000.0) -> None:
        self._now = start
        self._timers: list[_VirtualTimer] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def wake() -> None:
            if not future.done():
                future.set_result(None)

        timer = self.call_later(seconds, wake)
        try:
            await future
        finally:
            timer.cancel()

    def call_later(self, seconds: float, callback: Callable[[], None]) -> Timer:
        timer = _VirtualTimer(self._now + max(0.0, seconds), next(self._order), callback)
        heapq.heappush(self._timers, timer)
        return timer

    def advance(self, seconds: float) -> None:
        """Move time forward and run every timer whose time has come, in order."""
        self._now += seconds
        while self._timers and self._timers[0].when <= self._now:
            timer = heapq.heappop(self._timers)
            if not timer.cancelled:
                timer.callback()
