"""Side work (delivery counts, the account) runs in the capacity status checks leave: under the
engine's concurrency cap, after the status checks that are due, paused and held with them."""

from __future__ import annotations

import asyncio

from lox24tui.account.guard import AccountGuard
from lox24tui.api import BulkStatus, InvalidToken, StatusReply
from lox24tui.clock import VirtualClock
from lox24tui.engine.monitor import Monitor
from lox24tui.engine.side_work import SideJob
from tests.engine_sources import IDS, GatedSource, reply_for, settle_briefly


class Jobs:
    """Side work whose jobs wait at a gate and note what the engine had done when they began."""

    def __init__(
        self, clock: VirtualClock, count: int, *, fails: bool = False, requests: int = 1
    ) -> None:
        self.clock = clock
        self.requests = requests
        self.due = [clock.now()] * count
        self.gate = asyncio.Event()
        self.began = asyncio.Event()
        self.started = 0
        self.finished = 0
        self.fails = fails
        self.status_calls_at_start: list[int] = []
        self.source: GatedSource | None = None

    def due_at(self) -> float | None:
        return min(self.due, default=None)

    def take(self, now: float) -> SideJob | None:
        if not self.due or self.due[0] > now:
            return None
        self.due.pop(0)
        return SideJob(self._job, requests=self.requests)

    async def _job(self) -> None:
        self.started += 1
        self.began.set()
        if self.source is not None:
            self.status_calls_at_start.append(len(self.source.calls))
        await self.gate.wait()
        if self.fails:
            raise RuntimeError("a bug in side work")
        self.finished += 1


def start_with(monitor: Monitor, *works: Jobs) -> None:
    """Start the engine with ``works`` as its side work, in this order, none held back."""
    for jobs in works:
        jobs.gate.set()
        monitor.side.add(jobs)
    monitor.start()


async def test_due_status_checks_go_before_side_work(clock: VirtualClock) -> None:
    source = GatedSource(reply_for)
    monitor = Monitor(source, IDS[:4], concurrency=2, clock=clock)
    jobs = Jobs(clock, 1)
    jobs.source = source
    monitor.side.add(jobs)
    monitor.start()
    await source.wait_for_calls(1)
    await settle_briefly()
    assert jobs.started == 0  # both slots are status checks
    source.gate.set()
    await asyncio.wait_for(jobs.began.wait(), 5)
    assert jobs.status_calls_at_start == [4]  # only once every due status was asked for
    jobs.gate.set()
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert jobs.finished == 1
    await monitor.stop()


async def test_side_work_takes_at_most_half_the_slots(clock: VirtualClock) -> None:
    monitor = Monitor(GatedSource(reply_for), [], concurrency=4, clock=clock)
    jobs = Jobs(clock, 5)
    monitor.side.add(jobs)
    monitor.start()
    await settle_briefly()
    assert jobs.started == 2
    jobs.gate.set()
    await asyncio.wait_for(monitor.wait_idle(), 5)  # idle only once all five ran
    assert jobs.finished == 5
    await monitor.stop()


async def test_side_work_waits_while_paused(clock: VirtualClock) -> None:
    monitor = Monitor(GatedSource(reply_for), [], clock=clock)
    monitor.pause("by you")
    jobs = Jobs(clock, 1)
    start_with(monitor, jobs)
    await settle_briefly()
    assert jobs.started == 0
    monitor.resume()
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert jobs.finished == 1
    await monitor.stop()


async def test_side_work_is_held_when_the_guard_stops_requests(clock: VirtualClock) -> None:
    def refused(bulk_id: str) -> StatusReply:
        raise InvalidToken(http_status=401)

    source = GatedSource(refused)
    source.gate.set()
    monitor = Monitor(source, IDS[:1], clock=clock)
    jobs = Jobs(clock, 1)
    monitor.side.add(jobs)
    monitor.start()
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert monitor.breaker is not None
    assert jobs.started == 0  # the refused token stops side work too
    await monitor.stop()


async def test_side_work_falling_due_later_wakes_the_engine(clock: VirtualClock) -> None:
    monitor = Monitor(GatedSource(reply_for), [], clock=clock)
    jobs = Jobs(clock, 0)
    start_with(monitor, jobs)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    jobs.due.append(clock.now() + 30)
    monitor.side.wake()
    await settle_briefly()
    assert jobs.started == 0
    clock.advance(30)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert jobs.finished == 1
    await monitor.stop()


async def test_a_failing_side_job_does_not_stop_status_checks(clock: VirtualClock) -> None:
    def in_progress(bulk_id: str) -> StatusReply:
        return StatusReply(bulk_id, BulkStatus(uuid=bulk_id, status_code=1), "r" * 32, "{}")

    source = GatedSource(in_progress)
    source.gate.set()
    monitor = Monitor(source, IDS[:1], interval=10, clock=clock)
    jobs = Jobs(clock, 1, fails=True)
    start_with(monitor, jobs)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert jobs.started == 1 and jobs.finished == 0
    clock.advance(12)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert len(source.calls) == 2  # the engine goes on
    await monitor.stop()


async def test_the_engine_goes_on_when_a_screens_request_that_held_it_back_ends(
    clock: VirtualClock,
) -> None:
    """A request from beside the engine (the messages screen, say) goes out first with a token
    not yet seen to work; the engine waits for its answer, and must send as soon as it comes."""
    guard = AccountGuard("1234567:" + "b" * 32, clock=clock)
    answered = asyncio.Event()

    async def outside() -> None:
        async def call() -> None:
            await answered.wait()

        await guard.send(await guard.admission(), call)

    held = asyncio.create_task(outside())
    await settle_briefly()
    source = GatedSource(reply_for)
    source.gate.set()
    monitor = Monitor(source, IDS[:3], clock=clock, guard=guard)
    monitor.start()
    await settle_briefly()
    assert source.calls == []  # held back: the token's first request is still out
    answered.set()  # it worked: the token is proven
    await held
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert sorted(source.calls) == sorted(IDS[:3])
    await monitor.stop()


async def test_every_side_work_shares_one_budget_a_minute_and_status_checks_are_not_charged(
    clock: VirtualClock,
) -> None:
    source = GatedSource(reply_for)
    source.gate.set()
    monitor = Monitor(source, IDS[:4], clock=clock, side_requests_per_minute=10)
    balance, counts = Jobs(clock, 3, requests=1), Jobs(clock, 3, requests=7)
    start_with(monitor, balance, counts)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert len(source.calls) == 4  # every status check went out, whatever the budget
    # turn by turn: 1 + 7 + 1 in the first minute; the next 7 would break the budget of 10,
    # so it waits, and nothing overtakes it
    assert (balance.started, counts.started) == (2, 1)
    clock.advance(59)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert (balance.started, counts.started) == (2, 1)  # the window is not over
    clock.advance(1)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert (balance.started, counts.started) == (3, 2)  # once the first minute's left it
    clock.advance(60)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert counts.started == 3
    await monitor.stop()


async def test_side_works_take_turns_so_a_long_one_keeps_no_other_waiting(
    clock: VirtualClock,
) -> None:
    monitor = Monitor(GatedSource(reply_for), [], clock=clock, side_requests_per_minute=7)
    counts, balance = Jobs(clock, 100, requests=3), Jobs(clock, 1, requests=1)
    start_with(monitor, counts, balance)
    await asyncio.wait_for(monitor.wait_idle(), 5)
    assert (counts.started, balance.started) == (2, 1)  # the balance had its turn at once
    await monitor.stop()
