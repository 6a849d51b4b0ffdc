"""Requests a minute in steady state, with the defaults: 1,000 watched bulks, all processed
within the last hours, 5 % of every bulk's reports pending for ever.

Runs the engine as the dashboard builds it (status checks, delivery counts, the balance) with
every default setting, against the fake LOX24 in process, on the injected clock: the first
delivery pass at LOX24's pace takes hours (about 8 requests a bulk at 30 a minute), so time is
simulated, not waited for. After the first pass (every bulk counted once), it counts the
requests the fake receives over 10 simulated minutes and prints them a minute, beside the
target of ≤ 60, with the CPU seconds this process spent in that window (the engine and the
in-process fake together: an upper bound for the engine).

    python benchmarks/pace.py
    python benchmarks/pace.py --bulks 200 --minutes 10 --pending 0.05
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from decimal import Decimal

import httpx

from lox24tui.account.guard import AccountGuard, GuardedClient
from lox24tui.api import Account, Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.engine.account_watch import AccountWatch
from lox24tui.engine.delivery_schedule import DeliverySchedule
from lox24tui.engine.monitor import Monitor
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.session.config import Settings

TARGET_PER_MINUTE = 60
STEP = 5.0
"""Seconds the clock moves at a time; the engine runs until idle at each step."""


def account(bulks: int, start: float, pending: float) -> SimulatedAccount:
    """``bulks`` bulks processed between 1 and 6 hours ago, 200 to 5,000 messages each."""
    rng = random.Random(18)
    simulated = SimulatedAccount()
    for index in range(bulks):
        created = start - rng.uniform(3600, 6 * 3600)
        simulated.add(
            SimBulk(
                uuid=time_uuid(created, index),
                created_at=created,
                delivery_at=created + 60,
                recipients=rng.randint(200, 5000),
                send_seconds=60,
                label=f"Bulk {index + 1}",
                pending_forever=pending,
            )
        )
    simulated.set_balance(Decimal("1000000.00"), start)
    return simulated


async def main(bulks: int, minutes: int, pending: float) -> None:
    settings = Settings()
    clock = VirtualClock()
    fake = FakeLox24(account(bulks, clock.now(), pending), clock=clock)
    token = Token(FAKE_TOKEN)
    client = Lox24Client(
        token, "http://fake", transport=httpx.ASGITransport(app=fake), now=clock.now
    )
    monitor = Monitor(
        client,
        [bulk.uuid for bulk in fake.account],
        interval=settings.interval,
        concurrency=settings.concurrency,
        clock=clock,
        guard=AccountGuard(token, clock=clock, interval=settings.interval),
        side_requests_per_minute=settings.side_requests_per_minute,
    )

    def guarded() -> GuardedClient:
        return GuardedClient(client, monitor.guard)

    def seen(_: Account) -> None:
        pass

    monitor.side.add(
        AccountWatch(monitor, guarded, clock, seen, interval=settings.account_interval)
    )
    monitor.side.add(DeliverySchedule(monitor, guarded, clock, interval=settings.delivery_interval))
    print(
        f"{bulks:,} processed bulks, {pending:.0%} of reports pending for ever; defaults: "
        f"interval {settings.interval:g} s, delivery_interval {settings.delivery_interval:g} s, "
        f"side_requests_per_minute {settings.side_requests_per_minute}"
    )
    monitor.start()
    try:
        started = clock.now()
        await asyncio.wait_for(monitor.wait_idle(), 60)
        while monitor.side.first_pass is not None or clock.now() - started < 60:
            clock.advance(STEP)
            await asyncio.wait_for(monitor.wait_idle(), 60)
        first_pass = clock.now() - started
        print(
            f"first pass (every bulk counted once): {first_pass / 60:.0f} simulated minutes, "
            f"{len(fake.log):,} requests"
        )
        before = len(fake.log)
        cpu = time.process_time()
        window_start = clock.now()
        while clock.now() - window_start < minutes * 60:
            clock.advance(STEP)
            await asyncio.wait_for(monitor.wait_idle(), 60)
        cpu = time.process_time() - cpu
        sent = fake.log[before:]
        per_minute = len(sent) / minutes
        status = sum(1 for entry in sent if entry.path.endswith("/status"))
        verdict = "met" if per_minute <= TARGET_PER_MINUTE else "NOT met"
        side = (len(sent) - status) / minutes
        print(
            f"after it, over {minutes} simulated minutes: {per_minute:.1f} requests a minute "
            f"(target ≤ {TARGET_PER_MINUTE}: {verdict}); status checks "
            f"{status / minutes:.1f}, side work {side:.1f}"
        )
        print(
            f"CPU of this process in that window (engine + in-process fake): {cpu:.2f} s for "
            f"{minutes * 60} simulated seconds"
        )
    finally:
        await monitor.stop()
        await client.aclose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bulks", type=int, default=1000)
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--pending", type=float, default=0.05)
    args = parser.parse_args()
    asyncio.run(main(args.bulks, args.minutes, args.pending))
