"""When the dashboard reads the balance (``GET /me``) as side work of the engine: at start, then
every ``account_interval``, and at once after a watched bulk finishes under watch (it has just
spent money). Run on the engine and the fake in-process, on a virtual clock: each look is a
request the fake logs."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from decimal import Decimal

import httpx

from lox24tui.account.side_budget import MIN_SIDE_INTERVAL
from lox24tui.api import Account, Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.engine.account_watch import AccountWatch
from lox24tui.engine.monitor import DEFAULT_CONCURRENCY, Monitor
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount

SENDING = "22222222-0000-1000-8000-000000000001"
DONE = "22222222-0000-1000-8000-000000000002"


def account_with(clock: VirtualClock) -> FakeLox24:
    """A bulk sending for another 30 s, and one that finished an hour ago."""
    now = clock.now()
    fake = FakeLox24(
        SimulatedAccount(
            [
                SimBulk(SENDING, now - 120, now - 30, 100, send_seconds=60),
                SimBulk(DONE, now - 7_200, now - 7_000, 100),
            ]
        ),
        clock=clock,
    )
    fake.account.set_balance(Decimal("100.00"), now)
    return fake


class BalanceHeld(httpx.AsyncBaseTransport):
    """The fake, with its answers to ``GET /me`` held until the test lets them go."""

    def __init__(self, fake: FakeLox24) -> None:
        self._inner = httpx.ASGITransport(app=fake)
        self.gate = asyncio.Event()
        self.waiting = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/me":
            self.waiting += 1
            await self.gate.wait()
        return await self._inner.handle_async_request(request)


@asynccontextmanager
async def watching(
    fake: FakeLox24,
    clock: VirtualClock,
    bulk_ids: list[str],
    *,
    interval: float = 300.0,
    transport: httpx.AsyncBaseTransport | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
) -> AsyncIterator[tuple[Monitor, list[Account]]]:
    """The engine watching ``bulk_ids``, with the balance as side work; yields it and the
    accounts read so far."""
    transport = transport or httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport) as client:
        monitor = Monitor(client, bulk_ids, clock=clock, concurrency=concurrency)
        read: list[Account] = []
        watch = AccountWatch(monitor, lambda: client, clock, read.append, interval=interval)
        monitor.side.add(watch)
        monitor.start()
        try:
            yield monitor, read
        finally:
            await monitor.stop()


def balance_reads(fake: FakeLox24) -> list[float]:
    """When the fake was asked for the account, in its clock's seconds."""
    return [entry.at for entry in fake.log if entry.path == "/me"]


async def until(condition: Callable[[], bool], what: str) -> None:
    """Let the engine run until ``condition`` holds (it comes within a few loop turns)."""
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{what} never came")


async def after(monitor: Monitor, clock: VirtualClock, seconds: float) -> None:
    """``seconds`` later, once the engine has done what fell due."""
    clock.advance(seconds)
    await asyncio.wait_for(monitor.wait_idle(), 5)


async def test_the_balance_is_read_at_start_then_each_interval_and_not_sooner() -> None:
    clock = VirtualClock()
    fake = account_with(clock)
    start = clock.now()
    async with watching(fake, clock, [DONE], interval=120.0) as (monitor, read):
        await until(lambda: len(read) == 1, "the first reading")
        assert read[0].balance_amount == Decimal("100.00")
        await after(monitor, clock, 119)
        assert len(balance_reads(fake)) == 1
        await after(monitor, clock, 1)
        await until(lambda: len(read) == 2, "the reading after 120 s")
        await after(monitor, clock, 120)
        await until(lambda: len(read) == 3, "the reading after 240 s")
    assert balance_reads(fake) == [start, start + 120, start + 240]


async def test_a_shorter_interval_than_side_works_least_is_raised_to_it() -> None:
    clock = VirtualClock()
    fake = account_with(clock)
    async with watching(fake, clock, [DONE], interval=1.0) as (monitor, read):
        await until(lambda: len(read) == 1, "the first reading")
        await after(monitor, clock, MIN_SIDE_INTERVAL - 1)
        assert len(balance_reads(fake)) == 1
        await after(monitor, clock, 1)
        await until(lambda: len(read) == 2, "the reading after the least interval")


async def test_a_bulk_that_finishes_under_watch_has_the_balance_read_at_once() -> None:
    clock = VirtualClock()
    fake = account_with(clock)
    start = clock.now()
    async with watching(fake, clock, [SENDING, DONE]) as (monitor, read):
        await until(lambda: len(read) == 1, "the first reading")
        state = monitor.state(SENDING)
        while not state.is_final:  # its status checks, until it is seen processed
            await after(monitor, clock, 10)
            state = monitor.state(SENDING)
        await until(lambda: len(read) == 2, "the reading after it finished")
    finished_seen = clock.now()
    assert balance_reads(fake) == [start, finished_seen]  # long before the 300 s interval
    assert finished_seen - start < 300


async def test_a_bulk_already_finished_when_first_seen_reads_nothing_more() -> None:
    """Its money was spent before the dashboard started: the reading at start has it."""
    clock = VirtualClock()
    fake = account_with(clock)
    async with watching(fake, clock, [DONE]) as (monitor, read):
        await until(lambda: len(read) == 1, "the first reading")
        for _ in range(5):
            await after(monitor, clock, 30)
        assert len(balance_reads(fake)) == 1


async def test_a_bulk_that_starts_sending_reads_nothing_more() -> None:
    """A change of status that spends nothing yet (scheduled, then sending) waits for the
    interval."""
    clock = VirtualClock()
    now = clock.now()
    starts = "22222222-0000-1000-8000-000000000003"
    fake = FakeLox24(
        SimulatedAccount([SimBulk(starts, now - 60, now + 15, 100, send_seconds=3_600)]),
        clock=clock,
    )
    async with watching(fake, clock, [starts]) as (monitor, read):
        await until(lambda: len(read) == 1, "the first reading")
        for _ in range(6):
            await after(monitor, clock, 10)
        assert len(monitor.state(starts).history) == 2  # new, then in progress: a change seen
        assert len(balance_reads(fake)) == 1


async def test_a_bulk_finishing_while_the_balance_is_on_its_way_has_it_read_again_after() -> None:
    """The reading on its way may have been answered before the money was spent: one more
    follows it at once, not an interval later."""
    clock = VirtualClock()
    fake = account_with(clock)
    held = BalanceHeld(fake)
    async with watching(fake, clock, [SENDING], transport=held) as (monitor, read):
        await until(lambda: held.waiting == 1, "the first reading on its way")
        clock.advance(60)  # its last message went 30 s ago: the next status check sees it
        await until(lambda: monitor.state(SENDING).is_final, "the bulk seen finished")
        held.gate.set()
        await until(lambda: len(read) == 2, "the reading after the one on its way")
        assert clock.now() - balance_reads(fake)[0] < 300


async def test_a_balance_reading_that_hangs_holds_no_status_check_back() -> None:
    """LOX24 slow to answer ``GET /me``: the bulks are still checked and seen to finish. With
    four slots, side work may take two, so the engine plans its next wake-up while the
    reading is on its way."""
    clock = VirtualClock()
    fake = account_with(clock)
    held = BalanceHeld(fake)
    async with watching(fake, clock, [SENDING], transport=held, concurrency=4) as (monitor, read):
        await until(lambda: held.waiting == 1, "the first reading on its way")
        for _ in range(6):  # its last message goes out 30 s from now
            clock.advance(10)
            await asyncio.sleep(0.01)
        await until(lambda: monitor.state(SENDING).is_final, "the bulk seen finished")
        assert read == [] and held.waiting == 1  # the reading is still on its way, alone


async def test_asked_to_look_now_the_balance_is_read_at_once_though_the_engine_sleeps() -> None:
    """What the dashboard asks when a token is put to use: no interval, no status change, no
    tick of the clock needed."""
    clock = VirtualClock()
    fake = account_with(clock)
    start = clock.now()
    transport = httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport) as client:
        monitor = Monitor(client, [DONE], clock=clock)
        read: list[Account] = []
        watch = AccountWatch(monitor, lambda: client, clock, read.append, interval=300.0)
        monitor.side.add(watch)
        monitor.start()
        try:
            await until(lambda: len(read) == 1, "the first reading")
            await asyncio.wait_for(monitor.wait_idle(), 5)  # asleep until something falls due
            watch.soon()
            await until(lambda: len(read) == 2, "the reading asked for")
        finally:
            await monitor.stop()
    assert balance_reads(fake) == [start, start]
