"""The refresh engine's promises to front ends, checked as a front end sees them: the typed
updates and summaries it receives, and when LOX24 (the fake, over loopback) is asked for what.
Jitter is pinned to one end of its range where a test needs to know a wait exactly."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
from collections import Counter
from collections.abc import AsyncGenerator, Callable, Iterable
from contextlib import aclosing
from decimal import Decimal
from typing import cast

import pytest

from lox24tui.account.guard import PROBE_MAX_WAIT, BreakerKind, GuardStopped
from lox24tui.api import (
    BulkNotFound,
    BulkStatus,
    InvalidToken,
    Lox24Client,
    Lox24Error,
    RateLimited,
    ServerError,
    StatusReply,
    Token,
    UnreadableResponse,
)
from lox24tui.clock import VirtualClock
from lox24tui.engine.bulk_state import BulkState, BulkUpdate, Change, Transition
from lox24tui.engine.monitor import Monitor, MonitorEvent, Summary
from lox24tui.fake import FAKE_TOKEN, FakeLox24, LoggedRequest, SimBulk, SimulatedAccount
from lox24tui.fake.account import time_uuid
from lox24tui.fake.server import serve
from tests.engine_sources import (
    IDS,
    LIVE,
    MISSING,
    WRONG,
    GatedSource,
    check_once,
    ids_of,
    labelled,
    refused,
    reply_for,
    running,
    settle,
    settle_briefly,
    status_requests,
    step,
)


class PinnedJitter(random.Random):
    """Randomness stuck at one end of every range it is asked for: each wait is then known."""

    def __init__(self, end: str) -> None:
        super().__init__(0)
        self.end = end

    def uniform(self, a: float, b: float) -> float:
        return a if self.end == "low" else b


class ScriptedSource:
    """A stand-in client that answers each call with the next outcome of a script, and notes when
    (on the test's clock) each call was made."""

    def __init__(self, clock: VirtualClock, outcomes: Iterable[StatusReply | Lox24Error]) -> None:
        self.clock = clock
        self.outcomes = list(outcomes)
        self.calls: list[float] = []

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        self.calls.append(self.clock.now())
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, Lox24Error):
            raise outcome
        return outcome


def add_bulk(fake: FakeLox24, delivery_in: float, *, status_code: int | None = None) -> str:
    """A bulk of 100 recipients to be delivered ``delivery_in`` seconds from now."""
    now = fake.clock.now()
    bulk = SimBulk(
        uuid=time_uuid(now + delivery_in, 7000 + len(fake.account)),
        created_at=now - 60,
        delivery_at=now + delivery_in,
        recipients=100,
        status_code_override=status_code,
    )
    return fake.account.add(bulk).uuid


def bulk_ids(entries: Iterable[LoggedRequest]) -> set[str]:
    """The bulks that logged status requests are about."""
    return {entry.path.split("/")[2] for entry in entries}


async def until_due(monitor: Monitor, clock: VirtualClock, bulk_id: str) -> float:
    """Move the clock to the bulk's next check, making sure it is not checked a moment earlier;
    returns how long it waited since its previous check."""
    before = monitor.state(bulk_id)
    assert before.next_due is not None and before.last_checked is not None
    await step(monitor, clock, max(0.0, before.next_due - clock.now() - 0.01))
    assert monitor.state(bulk_id).last_checked == before.last_checked
    await step(monitor, clock, before.next_due - clock.now())
    assert monitor.state(bulk_id).last_checked == before.next_due
    return before.next_due - before.last_checked


async def until(
    monitor: Monitor, clock: VirtualClock, done: Callable[[], bool], limit: int = 1000
) -> None:
    """Step the clock a second at a time until ``done()``."""
    for _ in range(limit):
        if done():
            return
        await step(monitor, clock, 1)
    raise AssertionError("it did not happen")


def updates_of(events: list[MonitorEvent]) -> list[BulkUpdate]:
    return [event for event in events if isinstance(event, BulkUpdate)]


# ----------------------------------------------------------------- when bulks are fetched


@pytest.mark.parametrize(("end", "wait"), [("low", 9.0), ("high", 11.0)])
async def test_a_live_bulk_is_fetched_every_interval_give_or_take_a_tenth(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str, end: str, wait: float
) -> None:
    async with running(fake, fake_url, [live], interval=10, rng=PinnedJitter(end)) as monitor:
        waits = [await until_due(monitor, clock, live) for _ in range(3)]
    assert waits == pytest.approx([wait] * 3)
    gaps = [b - a for a, b in itertools.pairwise(status_requests(fake, live))]
    assert gaps == pytest.approx([wait] * 3)


@pytest.mark.parametrize(
    ("end", "waits"),
    [
        ("low", [5, 10, 20, 40, 80, 150, 150]),
        ("high", [10, 20, 40, 80, 160, 300, 300]),
    ],
)
async def test_failures_back_off_exponentially_with_jitter_up_to_the_cap(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, end: str, waits: list[float]
) -> None:
    sick = labelled(fake, LIVE)
    fake.fail("malformed", bulk_id=sick)  # an unreadable 200: this bulk fails, LOX24 is fine
    async with running(fake, fake_url, [sick], interval=10, rng=PinnedJitter(end)) as monitor:
        measured = [await until_due(monitor, clock, sick) for _ in waits]
        state = monitor.state(sick)
    assert measured == waits
    assert [b - a for a, b in itertools.pairwise(status_requests(fake, sick))] == waits
    assert state.failures == len(waits) + 1
    assert isinstance(state.error, UnreadableResponse) and monitor.breaker is None


@pytest.mark.parametrize(
    ("interval", "delivery_in", "status_code", "wait"),
    [
        (10, 15, None, 9.0),  # delivery within two intervals: the usual pace
        (10, 20, None, 9.0),  # exactly two intervals ahead: still the usual pace
        (10, 25, None, 26.0),  # further ahead: a second after its delivery time
        (10, 18 * 3600, None, 300.0),  # far ahead: every five minutes
        (600, 18 * 3600, None, 600.0),  # but never more often than the interval
        (10, 3600, 5, 9.0),  # already sending, whatever its delivery time says
    ],
)
async def test_a_bulk_waiting_for_its_delivery_is_fetched_when_it_can_have_changed(
    fake: FakeLox24,
    fake_url: str,
    clock: VirtualClock,
    interval: float,
    delivery_in: float,
    status_code: int | None,
    wait: float,
) -> None:
    bulk = add_bulk(fake, delivery_in, status_code=status_code)
    async with running(
        fake, fake_url, [bulk], interval=interval, rng=PinnedJitter("low")
    ) as monitor:
        assert await until_due(monitor, clock, bulk) == pytest.approx(wait)


async def test_a_shorter_interval_pulls_in_all_but_the_bulks_whose_delivery_is_far_off(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    near = add_bulk(fake, 20)  # two new intervals ahead: not far
    ahead = add_bulk(fake, 25)  # more than two new intervals ahead
    tomorrow = labelled(fake, "Tomorrow's morning promo")
    ids = [live, near, ahead, tomorrow]
    async with running(fake, fake_url, ids, interval=15, rng=PinnedJitter("low")) as monitor:
        start = clock.now()  # all are due at +13.5 s, but tomorrow's at +5 min
        monitor.interval = 10
        await step(monitor, clock, 10)
        assert bulk_ids(e for e in fake.log if e.at > start) == {live, near}
        await step(monitor, clock, start + 13.4 - clock.now())
        assert bulk_ids(e for e in fake.log if e.at > start) == {live, near}
        await step(monitor, clock, start + 13.5 - clock.now())
        assert bulk_ids(e for e in fake.log if e.at > start + 10) == {ahead}
        assert monitor.state(tomorrow).next_due == start + 300


async def test_a_refused_token_or_a_429_is_not_a_failure_of_the_bulk(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    async with running(fake, fake_url, ids_of(fake)[:3], token=WRONG) as monitor:
        (tried,) = [state for state in monitor.states() if state.error is not None]
    assert isinstance(tried.error, InvalidToken)
    assert tried.failures == 0 and tried.last_checked == tried.next_due == clock.now()

    fake.log.clear()
    fake.fail("status", status=429, times=1, retry_after="30")
    async with running(fake, fake_url, ids_of(fake)[:3]) as monitor:
        (tried,) = [state for state in monitor.states() if state.error is not None]
        assert isinstance(tried.error, RateLimited)
        assert tried.failures == 0 and tried.last_checked == tried.next_due == clock.now()
        await step(monitor, clock, 29.5)
        assert monitor.summary().breaker_seconds_left == 0.5
        monitor.refresh()  # pressed during the wait: changes nothing, delays nothing
        await settle_briefly()
        await step(monitor, clock, 0.5)
        assert len(fake.log) == 4


async def test_while_lox24_is_unreachable_a_failed_bulk_waits_for_the_probe_not_its_backoff(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    sick = labelled(fake, LIVE)
    fake.fail("status", status=503)
    async with running(fake, fake_url, [sick], interval=10) as monitor:
        await step(monitor, clock, 1, times=600)
        breaker = monitor.breaker
        state = monitor.state(sick)
    assert breaker is not None and breaker.kind == BreakerKind.UNREACHABLE
    times = status_requests(fake, sick)
    assert len(times) >= 10
    assert max(b - a for a, b in itertools.pairwise(times)) <= PROBE_MAX_WAIT
    assert state.failures == len(times) and state.next_due == state.last_checked


async def test_when_lox24_answers_again_every_bulk_that_failed_is_fetched_at_once(
    clock: VirtualClock,
) -> None:
    fake = FakeLox24(SimulatedAccount.generated(3, clock.now(), final_fraction=0.34), clock=clock)
    done, steady, sick = ids_of(fake)
    fake.fail("status", status=503, bulk_id=sick)
    ids = [done, steady, sick, MISSING]
    async with serve(fake) as url, running(fake, url, ids, interval=10) as monitor:
        await until(monitor, clock, lambda: monitor.state(sick).failures == 6)
        assert monitor.breaker is None  # the others kept answering
        fake.clear_faults()
        fake.fail("status", status=503)  # now LOX24 fails for everyone
        await until(monitor, clock, lambda: monitor.breaker is not None)
        sick_due = monitor.state(sick).next_due
        fake.clear_faults()
        await until(monitor, clock, lambda: monitor.breaker is None)
        back = clock.now()
        assert sick_due is not None and sick_due > back + 60  # its backoff would be long
        assert monitor.state(sick).error is None
    assert bulk_ids(e for e in fake.log if e.at == back) == {steady, sick}
    assert all(e.status == 200 for e in fake.log if e.at == back)
    assert len(status_requests(fake, done)) == len(status_requests(fake, MISSING)) == 1


async def test_refresh_fetches_the_bulk_asked_for_or_every_bulk(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    done = labelled(fake, "Dry run: price check")
    canceled = labelled(fake, "Winter sale (canceled)")
    async with running(fake, fake_url, [done, canceled]) as monitor:
        monitor.refresh(done)
        monitor.refresh(MISSING)  # not watched: nothing to do
        await settle(monitor)
        assert [len(status_requests(fake, b)) for b in (done, canceled, MISSING)] == [2, 1, 0]
        monitor.refresh()
        await settle(monitor)
        assert [len(status_requests(fake, b)) for b in (done, canceled, MISSING)] == [3, 2, 0]


async def test_refreshing_everything_skips_a_bulk_on_the_wire_but_not_the_others(
    clock: VirtualClock,
) -> None:
    source = GatedSource(reply_for)
    source.gate.set()
    monitor = Monitor(source, IDS[:3], clock=clock)
    monitor.start()
    await settle(monitor)
    source.gate.clear()
    monitor.refresh(IDS[0])
    await source.wait_for_calls(4)
    monitor.refresh()
    await settle_briefly()
    assert source.calls[3:] == [IDS[0], IDS[1], IDS[2]]
    summary = monitor.summary()
    assert (summary.in_flight, summary.requests_sent, summary.watched) == (3, 6, 3)
    source.gate.set()
    await settle(monitor)
    await monitor.stop()
    assert monitor.summary().in_flight == 0


async def test_a_refusal_for_the_old_token_arriving_after_a_switch_is_not_shown(
    clock: VirtualClock,
) -> None:
    old = GatedSource(refused)
    new = ScriptedSource(clock, [reply_for(IDS[0])])
    monitor = Monitor(old, IDS[:1], clock=clock)
    events: list[MonitorEvent] = []
    monitor.updates.listen(events.append)
    monitor.start()
    await old.wait_for_calls(1)
    monitor.use_source(new)
    old.gate.set()  # the old token's refusal arrives after the switch
    await settle(monitor)
    await monitor.stop()
    assert new.calls == [clock.now()]  # the bulk is asked for again, with the new token
    assert [u.state.error for u in updates_of(events)] == [None]
    assert monitor.state(IDS[0]).reply is not None and monitor.breaker is None


async def test_a_new_client_with_the_same_token_keeps_it_proven(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    ids = ids_of(fake)[:6]
    async with running(fake, fake_url, ids) as monitor:
        assert monitor.guard.token_proven
        same = Lox24Client(Token(FAKE_TOKEN), fake_url)
        try:
            monitor.use_source(same)
            assert monitor.guard.token_proven
            monitor.refresh()
            await settle(monitor)
        finally:
            await monitor.stop()
            await same.aclose()
    assert len(fake.log) == 12


async def test_wait_idle_waits_for_the_first_round_right_after_start(clock: VirtualClock) -> None:
    source = GatedSource(reply_for)
    source.gate.set()
    monitor = Monitor(source, IDS, clock=clock)
    async with asyncio.timeout(10):
        await monitor.wait_idle()  # not started: nothing will happen, so nothing to wait for
        assert source.calls == []
        monitor.start()
        await monitor.wait_idle()
    await monitor.stop()
    assert all(state.reply is not None for state in monitor.states())


async def test_every_bulk_is_fetched_at_the_moment_its_next_due_says(
    clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeLox24(SimulatedAccount.generated(8, clock.now()), clock=clock)
    async with serve(fake) as url, running(fake, url, ids_of(fake), interval=10) as monitor:
        for _ in range(40):
            planned = {state.bulk_id: state.next_due for state in monitor.states()}
            due = min(when for when in planned.values() if when is not None)
            await step(monitor, clock, due - clock.now())
            checked = {bulk for bulk, when in planned.items() if when == due}
            assert {bulk for bulk in checked if monitor.state(bulk).last_checked == due} == checked
            assert {bulk for bulk in planned if monitor.state(bulk).last_checked == due} == checked
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


async def test_bulks_due_together_go_out_in_the_order_they_were_watched(
    clock: VirtualClock,
) -> None:
    order = [IDS[3], IDS[0], IDS[5], IDS[1], IDS[4], IDS[2]]
    source = GatedSource(reply_for)
    source.gate.set()
    monitor = Monitor(source, order, clock=clock, concurrency=1)
    monitor.start()
    await settle(monitor)
    monitor.refresh()
    await settle(monitor)
    await monitor.stop()
    assert source.calls == order + order


def test_the_limits_of_interval_and_concurrency() -> None:
    source = GatedSource(reply_for)
    monitor = Monitor(source, interval=2, concurrency=1)
    assert (monitor.interval, monitor.concurrency) == (2, 1)
    message = "^at least one request must be allowed in flight$"
    with pytest.raises(ValueError, match=message):
        monitor.concurrency = 0
    with pytest.raises(ValueError, match=message):
        Monitor(source, concurrency=0)
    with pytest.raises(ValueError, match="at least 2 s"):
        monitor.interval = 1.99


async def test_a_worker_running_the_engine_ends_cancelled_and_leaves_nothing_behind(
    clock: VirtualClock,
) -> None:
    source = GatedSource(reply_for)  # its answers never come
    monitor = Monitor(source, IDS[:2], clock=clock)
    summaries: list[Summary] = []
    monitor.updates.listen(lambda e: summaries.append(e) if isinstance(e, Summary) else None)
    before = asyncio.all_tasks()
    worker = asyncio.create_task(monitor.run())
    await source.wait_for_calls(1)
    assert monitor.summary().in_flight == 1
    worker.cancel()
    await asyncio.wait([worker])
    assert worker.cancelled()
    assert asyncio.all_tasks() == before and monitor.summary().in_flight == 0
    assert summaries[-1].in_flight == 0  # the last word a front end heard
    clock.advance(60)  # everything is due, and nothing runs the engine: nothing to wait for
    async with asyncio.timeout(10):
        await monitor.wait_idle()
    assert source.calls == [IDS[0]]
    assert monitor.state(IDS[0]).next_due is not None  # first in line once it runs again


async def test_an_answer_the_engine_cannot_process_marks_one_row(clock: VirtualClock) -> None:
    class Odd:
        """A client bug: one answer is not a status reply at all."""

        async def get_bulk_status(self, bulk_id: str) -> object:
            return object() if bulk_id == IDS[1] else reply_for(bulk_id)

    monitor = Monitor(Odd(), IDS[:3], clock=clock)  # type: ignore[arg-type]
    monitor.start()
    await settle(monitor)
    await monitor.stop()
    odd = monitor.state(IDS[1])
    assert isinstance(odd.error, UnreadableResponse) and odd.failures == 1
    assert str(odd.error) == (
        "LOX24's response could not be read: lox24tui failed to process it (AttributeError)."
    )
    assert odd.last_checked == clock.now() and odd.next_due is not None
    assert [state.reply is not None for state in monitor.states()] == [True, False, True]


# ----------------------------------------------------------------- what front ends receive


async def test_each_update_says_what_changed(clock: VirtualClock) -> None:
    bulk = IDS[0]

    def counted(count: int) -> StatusReply:
        status = BulkStatus(uuid=bulk, status_code=5, msg_total_count=count)
        return StatusReply(bulk, status, "r" * 32, "{}")

    script: list[StatusReply | Lox24Error] = [
        UnreadableResponse("not JSON", http_status=200),
        UnreadableResponse("not JSON", http_status=200),  # the same again
        UnreadableResponse("cut off", http_status=200),  # the same kind, another message
        ServerError(http_status=503),  # another kind
        counted(10),  # answered
        counted(10),  # nothing new
        counted(20),  # a field moved
    ]
    source = ScriptedSource(clock, script)
    monitor = Monitor(source, [bulk], clock=clock)
    events: list[MonitorEvent] = []
    monitor.updates.listen(events.append)
    in_flight: list[int] = []  # as a front end redrawing on each update sees it
    monitor.updates.listen(lambda e: in_flight.append(monitor.summary().in_flight))
    monitor.start()
    await settle(monitor)
    for _ in script[1:]:
        await until_due(monitor, clock, bulk)
    await monitor.stop()
    updates = updates_of(events)
    checked, error, status, fields = Change.CHECKED, Change.ERROR, Change.STATUS, Change.FIELDS
    assert [update.changes for update in updates] == [
        {checked, error},
        {checked},
        {checked, error},
        {checked, error},
        {checked, status, fields, error},
        {checked},
        {checked, fields},
    ]
    assert [update.state.failures for update in updates] == [1, 2, 3, 4, 0, 0, 0]
    assert [update.state.last_checked for update in updates] == source.calls
    assert [type(update.state.error) for update in updates[:4]] == [
        UnreadableResponse,
        UnreadableResponse,
        UnreadableResponse,
        ServerError,
    ]
    assert {update.bulk_id for update in updates} == {bulk}
    assert set(in_flight) == {0}
    answered = source.calls[4]
    assert monitor.state(bulk).last_changed == answered
    assert monitor.state(bulk).history == (Transition(5, answered),)


async def test_events_yields_updates_and_summaries(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    async def first(count: int) -> list[MonitorEvent]:
        received: list[MonitorEvent] = []
        stream = cast(AsyncGenerator[MonitorEvent, None], monitor.updates.events())
        async with aclosing(stream):
            async for event in stream:
                received.append(event)
                if len(received) == count:
                    break
        return received

    async with running(fake, fake_url, [live], interval=10) as monitor:
        listening = asyncio.create_task(first(2))
        await settle_briefly()  # the iterator is listening now
        await step(monitor, clock, 11)
        update, summary = await asyncio.wait_for(listening, timeout=5)
    assert isinstance(update, BulkUpdate) and update.bulk_id == live
    assert Change.CHECKED in update.changes and update.state.last_checked == clock.now()
    assert isinstance(summary, Summary) and summary.requests_sent == 2


async def test_unwatching_announces_the_removal_and_takes_the_bulk_out_of_the_totals(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    labels = ("Dry run: price check", "Winter sale (canceled)", LIVE)
    gone, *kept = (labelled(fake, label) for label in labels)
    async with running(fake, fake_url, [gone, *kept]) as monitor:
        before = monitor.summary()
        removed = monitor.state(gone)
        events: list[MonitorEvent] = []
        monitor.updates.listen(events.append)
        monitor.unwatch(gone)
        monitor.unwatch(gone)  # again: nothing happens
        monitor.unwatch(MISSING)  # never watched: nothing happens
        after = monitor.summary()
        rest = monitor.states()
    assert events[0] == BulkUpdate(removed, frozenset({Change.REMOVED}))
    assert events[1:] == [after] and monitor.watched == kept
    assert removed.reply is not None and removed.reply.status.price == Decimal("375.0000")
    assert (before.watched, after.watched) == (3, 2)
    assert after.total_messages == before.total_messages - 5000
    assert after.total_price == before.total_price - Decimal(375)
    statuses = [state.reply.status for state in rest if state.reply is not None]
    assert after.total_messages == sum(s.msg_total_count or 0 for s in statuses)
    assert after.by_status == dict(Counter(s.status.label for s in statuses))


async def test_a_listener_that_stops_listening_hears_nothing_more(clock: VirtualClock) -> None:
    monitor = Monitor(GatedSource(reply_for), clock=clock)
    heard: list[MonitorEvent] = []
    stop = monitor.updates.listen(heard.append)
    monitor.watch(IDS[0])
    stop()
    monitor.watch(IDS[1])
    assert len(heard) == 1
    assert isinstance(heard[0], Summary) and heard[0].by_status == {"pending": 1}


async def test_a_broken_listener_is_logged_and_the_others_still_hear(
    clock: VirtualClock, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: MonitorEvent) -> None:
        raise RuntimeError("a front end bug")

    monitor = Monitor(GatedSource(reply_for), clock=clock)
    heard: list[MonitorEvent] = []
    monitor.updates.listen(broken)
    monitor.updates.listen(heard.append)
    with caplog.at_level(logging.ERROR, logger="lox24tui.engine"):
        monitor.watch(IDS[0])
    assert len(heard) == 1
    assert [record.getMessage() for record in caplog.records] == ["a listener of the engine failed"]
    assert "a front end bug" in caplog.text


async def test_summaries_tell_about_pausing_and_resuming(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    async with running(fake, fake_url, [live], interval=10) as monitor:
        summaries: list[Summary] = []
        monitor.updates.listen(lambda e: summaries.append(e) if isinstance(e, Summary) else None)
        assert not monitor.summary().paused
        monitor.pause()
        paused = summaries[-1]
        await step(monitor, clock, 30)
        monitor.resume()
        resumed = summaries[-1]
        await settle(monitor)
    assert (paused.paused, paused.pause_reason, paused.at) == (True, "paused", clock.now() - 30)
    assert (resumed.paused, resumed.pause_reason, resumed.at) == (False, None, clock.now())
    assert len(fake.log) == 2
    assert summaries[-1].requests_sent == 2


async def test_requests_sent_counts_from_zero(clock: VirtualClock) -> None:
    source = ScriptedSource(clock, [reply_for(IDS[0])])
    monitor = Monitor(source, IDS[:1], clock=clock)
    assert monitor.summary().requests_sent == 0
    monitor.start()
    await settle(monitor)
    await monitor.stop()
    assert monitor.summary().requests_sent == 1


async def test_the_totals_stay_exact_with_prices_of_many_digits(clock: VirtualClock) -> None:
    prices = {IDS[0]: Decimal("999999999999.99999999"), IDS[1]: Decimal("1E-27")}

    def priced(bulk_id: str) -> StatusReply:
        status = BulkStatus(uuid=bulk_id, status_code=5, price=prices[bulk_id])
        return StatusReply(bulk_id, status, "r" * 32, "{}")

    source = GatedSource(priced)
    source.gate.set()
    monitor = Monitor(source, IDS[:2], clock=clock)
    monitor.start()
    await settle(monitor)
    await monitor.stop()
    exact = Decimal("999999999999.999999990000000000000000001")
    assert monitor.summary().total_price == exact
    monitor.unwatch(IDS[0])
    assert monitor.summary().total_price == Decimal("1E-27")
    monitor.unwatch(IDS[1])
    assert monitor.summary().total_price == 0


# ----------------------------------------------------------------- one-shot checks


async def test_check_once_reports_each_bulk_as_seen_at_that_moment(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    found, missing = await check_once(fake, fake_url, [live, MISSING, live])
    now = clock.now()
    assert found.reply is not None and found.reply.status.status_code == 5
    assert found == BulkState(
        live, reply=found.reply, last_checked=now, last_changed=now, history=(Transition(5, now),)
    )
    assert isinstance(missing.error, BulkNotFound)
    assert missing == BulkState(MISSING, error=missing.error, last_checked=now, failures=1)


async def test_check_once_with_a_bad_token_names_each_bulk_it_did_not_send(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    ids = ids_of(fake)[:3]
    states = await check_once(fake, fake_url, ids, token=WRONG)
    assert [state.bulk_id for state in states] == ids
    tried, *stopped = states
    assert isinstance(tried.error, InvalidToken)
    assert (tried.failures, tried.last_checked) == (1, clock.now())
    assert all(isinstance(state.error, GuardStopped) for state in stopped)
    assert all((state.failures, state.last_checked) == (0, None) for state in stopped)
