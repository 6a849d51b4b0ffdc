"""Status sources the engine tests drive by hand (gated, refusing, missing), and the ids and
steps those tests share."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from lox24tui.account.guard import (
    AccountGuard,
    FileGuardState,
    GuardedClient,
)
from lox24tui.api import (
    BulkStatus,
    InvalidToken,
    Lox24Client,
    StatusReply,
    Token,
)
from lox24tui.clock import VirtualClock
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.cadence import DEFAULT_INTERVAL
from lox24tui.engine.monitor import DEFAULT_CONCURRENCY, Monitor, check_each_once
from lox24tui.fake import FAKE_TOKEN, FakeLox24

WRONG = "1234567:00000000000000000000000000000000"


MISSING = "00000000-0000-1000-8000-000000000000"

LIVE = "Appointment reminders (voice)"  # sending for the first six minutes
"""A demo bulk that is in progress, so it is fetched at the interval."""


@asynccontextmanager
async def running(
    fake: FakeLox24,
    url: str,
    ids: list[str],
    *,
    token: str = FAKE_TOKEN,
    request_timeout: float = 5.0,
    interval: float = DEFAULT_INTERVAL,
    concurrency: int = DEFAULT_CONCURRENCY,
    rng: random.Random | None = None,
) -> AsyncIterator[Monitor]:
    client = Lox24Client(Token(token), url, timeout=request_timeout, max_connections=20)
    monitor = Monitor(
        client,
        ids,
        interval=interval,
        concurrency=concurrency,
        clock=fake.clock,
        rng=rng or random.Random(1),
    )
    monitor.start()
    try:
        await settle(monitor)
        yield monitor
    finally:
        await monitor.stop()
        await client.aclose()


async def settle(monitor: Monitor) -> None:
    await asyncio.wait_for(monitor.wait_idle(), timeout=10)


async def step(monitor: Monitor, clock: VirtualClock, seconds: float, times: int = 1) -> None:
    for _ in range(times):
        clock.advance(seconds)
        await settle(monitor)


def ids_of(fake: FakeLox24) -> list[str]:
    return [bulk.uuid for bulk in fake.account]


def labelled(fake: FakeLox24, label: str) -> str:
    return next(bulk.uuid for bulk in fake.account if bulk.label == label)


def status_requests(fake: FakeLox24, bulk_id: str | None = None) -> list[float]:
    prefix = f"/bulks/{bulk_id}/status" if bulk_id else "/bulks/"
    return [entry.at for entry in fake.requests(prefix)]


async def check_once(
    fake: FakeLox24, url: str, ids: list[str], *, token: str = FAKE_TOKEN, path: Path | None = None
) -> list[BulkState]:
    """``check_each_once`` as a command runs it: a guarded client, a shared guard file."""
    state = FileGuardState(path, url, clock=fake.clock) if path is not None else None
    async with Lox24Client(Token(token), url, timeout=0.5) as client:
        guard = AccountGuard(Token(token), state=state, clock=fake.clock)
        return await check_each_once(GuardedClient(client, guard), ids, clock=fake.clock)


class GatedSource:
    """A status source whose answers wait until the test lets them through."""

    def __init__(self, outcome: Callable[[str], StatusReply]) -> None:
        self.outcome = outcome
        self.gate = asyncio.Event()
        self.calls: list[str] = []
        self._called = asyncio.Event()

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        self.calls.append(bulk_id)
        self._called.set()
        await self.gate.wait()
        return self.outcome(bulk_id)

    async def wait_for_calls(self, count: int) -> None:
        while len(self.calls) < count:
            self._called.clear()
            await asyncio.wait_for(self._called.wait(), timeout=5)


def reply_for(bulk_id: str) -> StatusReply:
    return StatusReply(bulk_id, BulkStatus(uuid=bulk_id, status_code=5), "r" * 32, "{}")


def refused(bulk_id: str) -> StatusReply:
    raise InvalidToken(http_status=401)


async def settle_briefly() -> None:
    """Let every task that is ready run (a few loop turns), so an extra request would show."""
    for _ in range(20):
        await asyncio.sleep(0)


IDS = [f"00000000-0000-1000-8000-{n:012d}" for n in range(6)]
