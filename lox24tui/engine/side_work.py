"""Side work: the requests the engine sends beside status checks (delivery counts, the balance,
auto-watch), in the capacity status checks leave. It never takes more than half the slots, the
works take turns, and every job is paid for from one budget a minute
(:class:`lox24tui.account.side_budget.SideBudget`) that status checks are never charged to."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from lox24tui.account.side_budget import SideBudget

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SideJob:
    """One piece of side work, and the most requests it may send: the engine charges that to
    the side-work budget (:class:`lox24tui.account.side_budget.SideBudget`) before it runs it."""

    run: Callable[[], Awaitable[None]]
    requests: int = 1


@dataclass(frozen=True, slots=True)
class FirstPass:
    """How far the first delivery count of the watched bulks has come: ``done`` of ``of``
    bulks worth counting have been counted once."""

    done: int
    of: int


class SideWork(Protocol):
    """Requests the engine sends beside status checks (delivery counts, the account balance,
    auto-watch), in the capacity status checks leave: under the same concurrency cap, paused
    with it, held by the same guard, and within one request budget per minute shared by all
    side work (``side_requests_per_minute``), which status checks are never charged to. Its
    calls go through the guard themselves (a GuardedClient)."""

    def due_at(self) -> float | None:
        """When its next job is due; None when it has nothing to do."""
        ...

    def take(self, now: float) -> SideJob | None:
        """The next job due at ``now`` (the engine runs it once the budget can pay for it:
        until then it is held, and no other side job overtakes it), or None."""
        ...


class SideWorkRunner:
    """Runs the engine's side work: which job goes next, whether a slot and the budget allow it,
    and what the person is looking at (their bulks' side work goes first)."""

    def __init__(
        self,
        requests_per_minute: int,
        tasks: set[asyncio.Task[None]],
        poke: Callable[[], None],
        summary_changed: Callable[[], None],
    ) -> None:
        self._works: list[SideWork] = []
        self._budget = SideBudget(requests_per_minute)
        self._tasks = tasks
        """The engine's tasks: stopping the engine cancels side jobs with status checks."""
        self._poke = poke
        self._summary_changed = summary_changed
        self.in_flight = 0
        self._turn = 0
        """Which side work is asked first for the next job (they take turns)."""
        self._held: SideJob | None = None
        """Taken, but waiting for the budget: it goes first once the budget can pay for it."""
        self._prioritised: tuple[str, ...] = ()
        self._first_pass: FirstPass | None = None

    def add(self, work: SideWork) -> None:
        """Run ``work``'s jobs in the capacity status checks leave (see :class:`SideWork`)."""
        self._works.append(work)
        self._poke()

    def wake(self) -> None:
        """Something became due outside the engine's own schedule: look again."""
        self._poke()

    @property
    def requests_per_minute(self) -> int:
        return self._budget.requests_per_minute

    @requests_per_minute.setter
    def requests_per_minute(self, value: int) -> None:
        self._budget.requests_per_minute = value
        self._poke()

    @property
    def prioritised(self) -> tuple[str, ...]:
        """The bulks a person is looking at (selected first, then visible): side work serves
        them first (see :meth:`prioritise`)."""
        return self._prioritised

    def prioritise(self, bulk_ids: Iterable[str]) -> None:
        """The front end says which bulks are on screen, the selected one first: their side
        work (delivery counts) goes before the rest's. Each call replaces the last."""
        ids = tuple(dict.fromkeys(bulk_ids))
        if ids != self._prioritised:
            self._prioritised = ids
            self._poke()

    @property
    def first_pass(self) -> FirstPass | None:
        return self._first_pass

    def report_first_pass(self, progress: FirstPass | None) -> None:
        """Side work says how far its first pass has come (None: done); the summary shows it."""
        if progress != self._first_pass:
            self._first_pass = progress
            self._summary_changed()

    @staticmethod
    def slots(concurrency: int) -> int:
        """Side work never takes more than half the slots: a status check that falls due while
        delivery counts run waits for at most half of them to end."""
        return max(1, concurrency // 2)

    def launch(
        self, now: float, concurrency: int, free_slots: Callable[[], int], held: Callable[[], bool]
    ) -> None:
        """Side jobs in the slots and the budget left, the works taking turns; a job the budget
        cannot pay for yet is held, and goes first once it can."""
        while self.in_flight < self.slots(concurrency) and free_slots() > 0:
            if held():
                return
            job = self._held or self._take(now)
            if job is None:
                return
            if not self._budget.allows(job.requests, now):
                self._held = job
                return
            self._held = None
            self._budget.charge(job.requests, now)
            self.in_flight += 1
            task = asyncio.create_task(self._run(job))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def _take(self, now: float) -> SideJob | None:
        """The side works take turns: after one gave a job, the next is asked first, so a
        long first pass of delivery counts cannot keep the balance or auto-watch waiting."""
        works = self._works
        for offset in range(len(works)):
            index = (self._turn + offset) % len(works)
            job = works[index].take(now)
            if job is not None:
                self._turn = index + 1
                return job
        return None

    async def _run(self, job: SideJob) -> None:
        try:
            await job.run()
        except asyncio.CancelledError:
            raise
        except Exception:  # a bug in side work must not stop status checks
            _log.exception("side work failed")
        finally:
            self.in_flight -= 1
            self._poke()

    def due(self, now: float, concurrency: int) -> float | None:
        """When the earliest side job falls due and the budget can pay for it, if a side slot
        may take it."""
        if self.in_flight >= self.slots(concurrency):
            return None
        if self._held is not None:
            return self._budget.free_at(self._held.requests, now)
        due = [at for work in self._works if (at := work.due_at()) is not None]
        if not due:
            return None
        return max(min(due), self._budget.free_at(1, now))
