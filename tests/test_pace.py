"""LOX24's pace by default: delivery recounts ask first whether anything changed, back off when
nothing did, and all side work shares one request budget a minute, the bulks on screen first.

The engine runs with its delivery schedule against the fake LOX24 in process, on the injected
clock; what is asserted is what the fake received and what the engine told its listeners."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qs

import httpx
import pytest

from lox24tui.account.guard import AccountGuard, GuardedClient
from lox24tui.api import Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.engine.bulk_state import BulkUpdate, Change
from lox24tui.engine.delivery import MAX_REQUESTS
from lox24tui.engine.delivery_schedule import BACKOFF_CAP, DeliverySchedule
from lox24tui.engine.monitor import Monitor, MonitorEvent, Summary
from lox24tui.engine.side_work import FirstPass
from lox24tui.fake import FAKE_TOKEN, FakeLox24, LoggedRequest, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid

HOUR = 3600.0
START = 1_764_150_000.0


def processed_bulk(index: int, *, ago: float, recipients: int = 200, **extra: object) -> SimBulk:
    """A bulk that finished sending ``ago`` seconds before the clock's start."""
    created = START - ago - 120
    return SimBulk(
        uuid=time_uuid(created, index),
        created_at=created,
        delivery_at=created + 60,
        recipients=recipients,
        send_seconds=60,
        label=f"Bulk {index}",
        **extra,  # type: ignore[arg-type]
    )


def sending_bulk(index: int) -> SimBulk:
    created = START - 300
    return SimBulk(
        uuid=time_uuid(created, 10_000 + index),
        created_at=created,
        delivery_at=created + 60,
        recipients=100_000,
        send_seconds=24 * HOUR,
        label=f"Sending {index}",
    )


@dataclass
class Engine:
    """The engine with its delivery schedule, as the dashboard builds them."""

    clock: VirtualClock
    fake: FakeLox24
    monitor: Monitor
    schedule: DeliverySchedule
    events: list[MonitorEvent] = field(default_factory=list)

    def sms(self, bulk_id: str | None = None) -> list[LoggedRequest]:
        return [
            entry
            for entry in self.fake.requests("/sms")
            if bulk_id is None or parse_qs(entry.query).get("bulk") == [bulk_id]
        ]

    def side_requests(self) -> list[LoggedRequest]:
        """Everything but status checks."""
        return [entry for entry in self.fake.log if not entry.path.endswith("/status")]

    def delivery_updates(self, bulk_id: str) -> int:
        return sum(
            1
            for event in self.events
            if isinstance(event, BulkUpdate)
            and event.bulk_id == bulk_id
            and Change.DELIVERY in event.changes
        )

    async def run(self, seconds: float, step: float = 5.0) -> None:
        """Let ``seconds`` pass on the clock, ``step`` at a time, the engine idle at each."""
        passed = 0.0
        while passed < seconds:
            await asyncio.wait_for(self.monitor.wait_idle(), 10)
            self.clock.advance(step)
            passed += step
        await asyncio.wait_for(self.monitor.wait_idle(), 10)


@pytest.fixture
async def engine_for() -> AsyncIterator[Callable[..., Engine]]:
    built: list[tuple[Monitor, Lox24Client]] = []

    def build(bulks: Iterable[SimBulk], **monitor_options: object) -> Engine:
        clock = VirtualClock(START)
        fake = FakeLox24(SimulatedAccount(bulks), clock=clock)
        token = Token(FAKE_TOKEN)
        client = Lox24Client(
            token, "http://fake", transport=httpx.ASGITransport(app=fake), now=clock.now
        )
        monitor = Monitor(
            client,
            [bulk.uuid for bulk in fake.account],
            clock=clock,
            guard=AccountGuard(token, clock=clock),
            **monitor_options,  # type: ignore[arg-type]
        )
        schedule = DeliverySchedule(
            monitor, lambda: GuardedClient(client, monitor.guard), clock, interval=60
        )
        monitor.side.add(schedule)
        engine = Engine(clock, fake, monitor, schedule)
        monitor.updates.listen(engine.events.append)
        monitor.start()
        built.append((monitor, client))
        return engine

    yield build
    for monitor, client in built:
        await monitor.stop()
        await client.aclose()


async def test_a_recount_that_finds_nothing_moved_costs_one_request(
    engine_for: Callable[..., Engine],
) -> None:
    bulk = processed_bulk(1, ago=8 * HOUR, pending_forever=0.05)
    engine = engine_for([bulk])
    await engine.run(5)
    first = engine.monitor.state(bulk.uuid).delivery
    assert first is not None and first.submitted > 0 and not first.settled
    assert len(engine.sms()) == 1 + MAX_REQUESTS  # "anything open?", then the breakdown
    await engine.run(60 + 120 + 240)  # three recounts, nothing moved
    assert len(engine.sms()) == 1 + MAX_REQUESTS + 3
    assert engine.monitor.state(bulk.uuid).delivery == first
    assert engine.delivery_updates(bulk.uuid) == 1  # nothing redrawn for an unchanged count


async def test_a_report_that_arrives_brings_the_full_count(
    engine_for: Callable[..., Engine],
) -> None:
    # 25 minutes after sending, the fake's "delivered late" messages are still submitted; at
    # 30 minutes they are delivered
    bulk = processed_bulk(2, ago=25 * 60, recipients=1000)
    engine = engine_for([bulk])
    await engine.run(5)
    first = engine.monitor.state(bulk.uuid).delivery
    assert first is not None
    counted = len(engine.sms())
    await engine.run(8 * 60)  # looks at 1, 3 and 7 minutes: the last one sees them arrive
    later = engine.monitor.state(bulk.uuid).delivery
    assert later is not None and later.delivered > first.delivered
    assert later.submitted < first.submitted
    full_counts = (len(engine.sms()) - counted) // (1 + MAX_REQUESTS)
    assert full_counts >= 1 and engine.delivery_updates(bulk.uuid) >= 2


async def test_a_count_that_does_not_move_waits_twice_as_long_up_to_an_hour(
    engine_for: Callable[..., Engine],
) -> None:
    bulk = processed_bulk(3, ago=8 * HOUR, pending_forever=0.05)
    engine = engine_for([bulk])
    await engine.run(4 * HOUR, step=10)
    times = sorted({round(entry.at) for entry in engine.sms(bulk.uuid)})
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert gaps[0] == pytest.approx(60, abs=10)  # the breakdown, then the plain interval
    doubling = [60 * 2**n for n in range(1, 6)]  # 120 … 1,920
    assert gaps[1:6] == pytest.approx(doubling, abs=10)
    assert gaps[6:] and all(gap == pytest.approx(BACKOFF_CAP, abs=10) for gap in gaps[6:])


async def test_side_work_keeps_its_budget_over_an_hour_and_never_delays_status_checks(
    engine_for: Callable[..., Engine],
) -> None:
    finished = [processed_bulk(i, ago=8 * HOUR, pending_forever=0.05) for i in range(60)]
    sending = [sending_bulk(i) for i in range(3)]
    engine = engine_for([*finished, *sending], interval=10, side_requests_per_minute=20)
    await engine.run(HOUR)
    side = sorted(entry.at for entry in engine.side_requests())
    # it kept sending all along at the budget's pace (a breakdown waits for 7 to be free)
    assert len(side) >= 60 * (20 - MAX_REQUESTS)
    for index, at in enumerate(side):  # no 60 s window holds more than the budget
        in_window = [t for t in side[index:] if t < at + 60]
        assert len(in_window) <= 20, (at - START, len(in_window))
    for bulk in sending:
        checks = sorted(entry.at for entry in engine.fake.requests(f"/bulks/{bulk.uuid}/status"))
        gaps = [b - a for a, b in itertools.pairwise(checks)]
        # the interval, its jitter, and one step of the clock: never later for side work
        assert len(checks) >= HOUR / 15 and max(gaps) <= 10 * 1.1 + 5


async def test_bulks_on_screen_are_counted_first_and_the_rest_still_get_their_turn(
    engine_for: Callable[..., Engine],
) -> None:
    bulks = [processed_bulk(i, ago=8 * HOUR, pending_forever=0.05) for i in range(30)]
    engine = engine_for(bulks, side_requests_per_minute=16)  # two first counts a minute
    progress: list[Summary] = []
    engine.monitor.updates.listen(lambda e: progress.append(e) if isinstance(e, Summary) else None)
    await engine.run(60)

    def counted_in_order() -> list[str]:
        ids: list[str] = []
        for entry in engine.sms():
            bulk_id = parse_qs(entry.query)["bulk"][0]
            if bulk_id not in ids:
                ids.append(bulk_id)
        return ids

    before = counted_in_order()
    assert 0 < len(before) < 10
    seen = [bulk.uuid for bulk in reversed(bulks)][:3]  # scrolled to the end, cursor on the last
    engine.monitor.side.prioritise(seen)
    await engine.run(20 * 60)
    after = counted_in_order()[len(before) :]
    # one count already waiting for the budget goes first, then the selected bulk; the bulks
    # on screen take every other turn (each one's breakdown too), the rest the turns between
    assert seen[0] in after[:2]
    on_screen = [after.index(bulk_id) for bulk_id in seen]
    assert on_screen == sorted(on_screen) and on_screen[-1] < 10
    assert set(before + after) == {bulk.uuid for bulk in bulks}  # and nobody starves
    first_passes = [s.first_pass for s in progress if s.first_pass is not None]
    assert max(p.of for p in first_passes) == 30  # as their statuses arrived
    assert first_passes[-1] == FirstPass(29, 30)
    assert engine.monitor.side.first_pass is None  # the first pass is over


async def test_a_full_recount_that_finds_the_same_counts_redraws_nothing(
    engine_for: Callable[..., Engine],
) -> None:
    # still sending (so counted in full each minute), one message every 2.4 hours: the counts
    # stay as they are between two recounts
    created = START - 3 * HOUR
    bulk = SimBulk(
        uuid=time_uuid(created, 7),
        created_at=created,
        delivery_at=created + 60,
        recipients=10,
        send_seconds=24 * HOUR,
        label="Slow",
    )
    engine = engine_for([bulk])
    await engine.run(5)
    first = engine.monitor.state(bulk.uuid).delivery
    assert first is not None and first.sent == 1 and first.waiting == 9
    await engine.run(3 * 60)
    assert len(engine.sms(bulk.uuid)) == 4 * MAX_REQUESTS  # counted in full each minute
    later = engine.monitor.state(bulk.uuid).delivery
    assert later is not None and later.taken_at > first.taken_at  # kept, for "counted … ago"
    assert engine.delivery_updates(bulk.uuid) == 1  # but nothing told to redraw


async def test_the_first_pass_finishes_each_bulk_before_asking_about_the_next(
    engine_for: Callable[..., Engine],
) -> None:
    bulks = [processed_bulk(i, ago=8 * HOUR, pending_forever=0.05) for i in range(60)]
    engine = engine_for(bulks, side_requests_per_minute=16)  # two first counts a minute
    await engine.run(4 * 60)
    progress = engine.monitor.side.first_pass
    # not 60 questions first (nearly four minutes of the budget) and breakdowns after
    assert progress is not None and progress.of == 60 and progress.done >= 6
