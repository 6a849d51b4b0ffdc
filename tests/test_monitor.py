"""The refresh engine against the fake LOX24 over loopback, on a virtual clock shared by both."""

from __future__ import annotations

import asyncio
import itertools
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from lox24tui.account.guard import (
    AccountGuard,
    BreakerKind,
    GuardedClient,
    GuardStopped,
)
from lox24tui.api import (
    InvalidBulkId,
    InvalidToken,
    Lox24Client,
    NetworkError,
    RateLimited,
    StatusReply,
    Token,
)
from lox24tui.clock import VirtualClock
from lox24tui.engine.bulk_state import BulkUpdate, Change
from lox24tui.engine.cadence import BACKOFF_CAP, NOT_FOUND_RECHECK
from lox24tui.engine.monitor import Monitor, MonitorEvent, Summary, check_each_once
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
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


async def test_a_bad_token_costs_exactly_one_request_whatever_the_list_size(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    ids = ids_of(fake)[:50]
    async with running(fake, fake_url, ids, token=WRONG) as monitor:
        await step(monitor, clock, 30, times=10)
        assert len(fake.log) == 1 and fake.log[0].status == 401
        summary = monitor.summary()
    assert summary.breaker is not None and summary.breaker.kind == BreakerKind.AUTH
    assert isinstance(summary.breaker.error, InvalidToken)
    assert summary.breaker_seconds_left is None
    assert summary.by_status == {"error": 1, "pending": 49}


async def test_an_inactive_account_costs_one_request_too(clock: VirtualClock) -> None:
    fake = FakeLox24(SimulatedAccount.demo(clock.now()), clock=clock, account_active=False)
    async with serve(fake) as url, running(fake, url, ids_of(fake)[:20]) as monitor:
        await step(monitor, clock, 60, times=3)
        assert [entry.status for entry in fake.log] == [403]
        assert monitor.breaker is not None and monitor.breaker.kind == BreakerKind.AUTH


async def test_resuming_a_bad_token_never_gets_the_ip_blocked(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    async with running(fake, fake_url, ids_of(fake)[:10], token=WRONG) as monitor:
        for _ in range(6):  # an impatient user pressing "resume" every five seconds
            monitor.resume()
            await step(monitor, clock, 5)
        statuses = [entry.status for entry in fake.log]
        times = [entry.at for entry in fake.log]
        assert 429 not in statuses
        assert all(sum(1 for t in times if start <= t < start + 60) <= 3 for start in times)
        assert monitor.breaker is not None
        assert monitor.breaker.kind == BreakerKind.PROTECTING_IP
        await step(monitor, clock, 65)
        assert len(fake.log) == 4 and fake.blocked_for() == 0


async def test_a_new_token_lifts_the_stop_and_polling_resumes(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    ids = ids_of(fake)[:12]
    async with running(fake, fake_url, ids, token=WRONG) as monitor:
        assert len(fake.log) == 1
        good = Lox24Client(Token(FAKE_TOKEN), fake_url)
        try:
            monitor.use_source(good)
            await settle(monitor)
            assert len(fake.log) == 1 + len(ids)
            assert all(state.reply is not None for state in monitor.states())
            assert monitor.breaker is None
        finally:
            await monitor.stop()
            await good.aclose()


@pytest.mark.parametrize(("retry_after", "window"), [("30", 30.0), (None, 600.0)])
async def test_429_stops_everything_until_the_window_ends(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, retry_after: str | None, window: float
) -> None:
    fake.fail("status", status=429, times=1, retry_after=retry_after)
    ids = ids_of(fake)[:15]
    async with running(fake, fake_url, ids, interval=10) as monitor:
        assert len(fake.log) == 1
        summary = monitor.summary()
        assert summary.breaker is not None and summary.breaker.kind == BreakerKind.RATE_LIMITED
        assert isinstance(summary.breaker.error, RateLimited)
        assert summary.breaker_seconds_left == window
        await step(monitor, clock, window / 3, times=2)
        assert len(fake.log) == 1
        assert monitor.summary().breaker_seconds_left == pytest.approx(window / 3)
        await step(monitor, clock, window / 3 + 1)
        assert len(fake.log) == 1 + len(ids)
        assert monitor.breaker is None


async def test_a_streak_of_server_errors_backs_off_then_recovers(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    sick = labelled(fake, "Black Friday newsletter")
    healthy = labelled(fake, LIVE)
    fake.fail("status", status=503, bulk_id=sick, times=4)
    async with running(fake, fake_url, [healthy, sick], interval=10) as monitor:
        await step(monitor, clock, 1, times=200)
        state = monitor.state(sick)
    sick_times = status_requests(fake, sick)
    gaps = [b - a for a, b in itertools.pairwise(sick_times)]
    assert len(sick_times) >= 5
    assert gaps[1] > gaps[0] and gaps[2] > gaps[1], gaps
    assert state.reply is not None and state.error is None and state.failures == 0
    assert len(status_requests(fake, healthy)) >= 17  # unaffected: every ~10 s for 200 s


async def test_backoff_is_capped(fake: FakeLox24, fake_url: str, clock: VirtualClock) -> None:
    sick = labelled(fake, "Black Friday newsletter")
    fake.fail("status", status=500, bulk_id=sick)
    async with running(fake, fake_url, [sick], interval=10) as monitor:
        await step(monitor, clock, 30, times=120)
        state = monitor.state(sick)
    times = status_requests(fake, sick)
    assert state.failures == len(times)
    assert max(b - a for a, b in itertools.pairwise(times)) <= BACKOFF_CAP + 30


async def test_a_timeout_marks_one_row_and_the_rest_go_on(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    slow = labelled(fake, "Black Friday newsletter")
    others = [bulk for bulk in ids_of(fake)[:6] if bulk != slow]
    fake.fail("hang", bulk_id=slow, delay=5.0, times=1)
    async with running(fake, fake_url, [*others, slow], request_timeout=0.3) as monitor:
        assert isinstance(monitor.state(slow).error, NetworkError)
        assert all(monitor.state(bulk).reply is not None for bulk in others)
        await step(monitor, clock, 25)
        assert monitor.state(slow).error is None and monitor.state(slow).reply is not None


async def test_final_bulks_are_not_fetched_again_unless_forced(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    done = labelled(fake, "Dry run: price check")
    canceled = labelled(fake, "Winter sale (canceled)")
    async with running(fake, fake_url, [done, canceled, live]) as monitor:
        await step(monitor, clock, 11, times=10)
        assert len(status_requests(fake, done)) == len(status_requests(fake, canceled)) == 1
        assert len(status_requests(fake, live)) >= 10
        assert monitor.state(done).next_due is None
        monitor.refresh(done)
        await settle(monitor)
        assert len(status_requests(fake, done)) == 2


async def test_a_bulk_scheduled_far_ahead_is_fetched_rarely_until_its_delivery(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    later = labelled(fake, "Tomorrow's morning promo")
    soon = labelled(fake, "Hotline announcement (SSML)")  # delivery in 90 s
    async with running(fake, fake_url, [later, soon], interval=10) as monitor:
        await step(monitor, clock, 10, times=60)  # ten minutes
        assert len(status_requests(fake, later)) == 3  # at start, +5 min, +10 min
        soon_times = status_requests(fake, soon)
        assert soon_times[1] - soon_times[0] == pytest.approx(90, abs=11)
        history = [t.code for t in monitor.state(soon).history]
    assert history == [0, 5, 10]


async def test_status_changes_are_reported_as_typed_updates_and_summaries(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    store = labelled(fake, "Store opening reminder")  # 0 -> 5 at +20 s -> 10 at +50 s
    events: list[MonitorEvent] = []
    async with running(fake, fake_url, [store], interval=5) as monitor:
        monitor.updates.listen(events.append)
        await step(monitor, clock, 5, times=14)
        state = monitor.state(store)
    updates = [e for e in events if isinstance(e, BulkUpdate)]
    status_changes = [u.state.status_code for u in updates if Change.STATUS in u.changes]
    assert status_changes == [5, 10]
    assert [t.code for t in state.history] == [0, 5, 10]
    assert state.last_changed == state.history[-1].at
    summaries = [e for e in events if isinstance(e, Summary)]
    assert summaries[-1].by_status == {"processed": 1}
    assert summaries[-1].total_messages == 800
    assert summaries[-1].total_price == Decimal("60.0000")


async def test_the_summary_adds_up_exactly(fake: FakeLox24, fake_url: str) -> None:
    ids = [bulk.uuid for bulk in fake.account.newest_first()[:12]]
    async with running(fake, fake_url, ids) as monitor:
        summary = monitor.summary()
        prices = [s.reply.status.price for s in monitor.states() if s.reply]
        counts = [s.reply.status.msg_total_count for s in monitor.states() if s.reply]
    assert summary.total_price == sum(p for p in prices if p is not None)
    assert summary.total_messages == sum(c for c in counts if c is not None)
    assert sum(summary.by_status.values()) == 12
    assert {
        "scheduled",
        "in progress",
        "processed",
        "canceled",
        "system error",
        "no recipients",
    } <= set(summary.by_status)


async def test_an_unknown_id_is_not_found_and_checked_again_rarely(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    async with running(fake, fake_url, [MISSING]) as monitor:
        assert monitor.state(MISSING).not_found
        assert monitor.summary().by_status == {"not found": 1}
        await step(monitor, clock, 60, times=9)
        assert len(status_requests(fake, MISSING)) == 1
        await step(monitor, clock, NOT_FOUND_RECHECK - 540)
        assert len(status_requests(fake, MISSING)) == 2


async def test_ids_can_be_added_and_removed_while_running(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    first, second, third = (
        labelled(fake, label)
        for label in (
            "Black Friday newsletter",
            "Appointment reminders (voice)",
            "Hotline announcement (SSML)",
        )
    )
    async with running(fake, fake_url, [first]) as monitor:
        monitor.watch(second)
        await settle(monitor)
        assert monitor.state(second).reply is not None
        monitor.unwatch(first)
        monitor.watch(third)
        await step(monitor, clock, 11, times=3)
        assert monitor.watched == [second, third]
        assert len(status_requests(fake, first)) == 1
        assert len(status_requests(fake, second)) >= 4
        with pytest.raises(InvalidBulkId):
            monitor.watch("../me")
    assert all("/me" not in entry.path for entry in fake.log)


@pytest.mark.waits
async def test_concurrency_never_exceeds_the_cap(clock: VirtualClock) -> None:
    # each answer takes long enough that a busy machine still has the whole cap on the wire
    # at once: the test shows the cap is reached (so it could be exceeded) and never exceeded
    fake = FakeLox24(SimulatedAccount.generated(60, clock.now()), clock=clock, latency=0.25)
    async with serve(fake) as url, running(fake, url, ids_of(fake), concurrency=5) as monitor:
        assert fake.max_in_flight == 5
        monitor.concurrency = 12
        monitor.refresh()
        await settle(monitor)
        assert fake.max_in_flight == 12
    assert len(fake.log) == 120


async def test_pause_stops_requests_and_resume_restarts_them(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    async with running(fake, fake_url, [live], interval=10) as monitor:
        monitor.pause("paused by you")
        await step(monitor, clock, 11, times=5)
        assert len(fake.log) == 1
        assert monitor.summary().pause_reason == "paused by you"
        monitor.resume()
        await settle(monitor)
        assert len(fake.log) == 2


async def test_changing_the_interval_takes_effect_at_once(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    async with running(fake, fake_url, [live], interval=60) as monitor:
        monitor.interval = 5
        await step(monitor, clock, 6)
        assert len(fake.log) == 2
        with pytest.raises(ValueError, match="at least 2 s"):
            monitor.interval = 1


async def test_a_bug_in_the_client_marks_one_row(fake: FakeLox24, clock: VirtualClock) -> None:
    class Flaky:
        async def get_bulk_status(self, bulk_id: str) -> StatusReply:
            raise KeyError("boom")

    good = labelled(fake, "Black Friday newsletter")
    monitor = Monitor(Flaky(), [good], clock=clock)
    monitor.start()
    await settle(monitor)
    await monitor.stop()
    assert "KeyError" in str(monitor.state(good).error)


async def test_a_bug_in_the_client_marks_one_row_of_a_one_shot_check(clock: VirtualClock) -> None:
    class Flaky:
        async def get_bulk_status(self, bulk_id: str) -> StatusReply:
            if bulk_id == IDS[1]:
                raise KeyError("boom")
            return reply_for(bulk_id)

    guard = AccountGuard(Token(FAKE_TOKEN), clock=clock)
    states = await check_each_once(GuardedClient(Flaky(), guard), IDS[:3], clock=clock)  # type: ignore[arg-type]
    assert [s.error is None for s in states] == [True, False, True]
    assert "KeyError" in str(states[1].error) and states[1].last_checked == clock.now()


async def test_stop_leaves_no_task_behind(fake: FakeLox24, clock: VirtualClock) -> None:
    fake.latency = 30.0
    before = asyncio.all_tasks()
    transport = httpx.ASGITransport(app=fake)
    client = Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport)
    monitor = Monitor(client, ids_of(fake)[:5], clock=clock)
    monitor.start()
    while fake.in_flight == 0:  # noqa: ASYNC110 - stop with a request in flight
        await asyncio.sleep(0)
    await monitor.stop()
    await client.aclose()
    assert asyncio.all_tasks() - before == set()


async def test_check_once_fetches_each_id_once(fake: FakeLox24, fake_url: str) -> None:
    ids = ids_of(fake)[:10]
    states = await check_once(fake, fake_url, [*ids, MISSING])
    assert len(fake.log) == 11
    assert sum(s.reply is not None for s in states) == 10
    assert [s.bulk_id for s in states if s.not_found] == [MISSING]


async def test_check_once_with_a_bad_token_sends_one(fake: FakeLox24, fake_url: str) -> None:
    states = await check_once(fake, fake_url, ids_of(fake)[:30], token=WRONG)
    assert len(fake.log) == 1
    assert sum(s.last_checked is None for s in states) == 29
    assert all(isinstance(s.error, GuardStopped) for s in states[1:])


async def test_retry_after_zero_does_not_become_a_request_storm(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    fake.fail("status", status=429, retry_after="0")
    async with running(fake, fake_url, ids_of(fake)[:5], interval=10) as monitor:
        await step(monitor, clock, 1, times=60)
        assert monitor.breaker is not None
    assert len(fake.log) <= 5  # at 0, 10, 30 s: each 429 waits at least the interval, doubling


async def test_a_late_answer_for_the_old_token_does_not_vouch_for_the_new_one(
    clock: VirtualClock,
) -> None:
    old, new = GatedSource(reply_for), GatedSource(refused)
    monitor = Monitor(old, IDS, clock=clock)
    monitor.start()
    await old.wait_for_calls(1)
    await settle_briefly()
    assert len(old.calls) == 1  # the probe, alone
    monitor.use_source(new)
    old.gate.set()  # the old token's answer arrives after the switch
    await new.wait_for_calls(1)
    await settle_briefly()
    assert not monitor.guard.token_proven
    assert len(new.calls) == 1  # the new token is still tried alone
    new.gate.set()
    await settle(monitor)
    await monitor.stop()
    assert monitor.breaker is not None and monitor.breaker.kind == BreakerKind.AUTH
    assert len(new.calls) == 1


async def test_a_429_window_survives_a_bad_token_stop_and_a_resume(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    fake.fail("status", status=429, times=1, retry_after="120")
    async with running(fake, fake_url, ids_of(fake)[:3]) as monitor:
        monitor.resume()
        async with Lox24Client(Token(FAKE_TOKEN), fake_url) as same_token:
            monitor.use_source(same_token)  # the token entered again
            await step(monitor, clock, 60)
            assert len(fake.log) == 1
            await step(monitor, clock, 61)
            assert len(fake.log) == 4


async def test_stopping_mid_flight_keeps_those_bulks_in_the_schedule(clock: VirtualClock) -> None:
    source = GatedSource(reply_for)
    monitor = Monitor(source, IDS[:1], clock=clock)
    monitor.start()
    await source.wait_for_calls(1)
    await monitor.stop()
    source.gate.set()
    monitor.start()
    await settle(monitor)
    await monitor.stop()
    assert source.calls == [IDS[0], IDS[0]]
    assert monitor.state(IDS[0]).reply is not None


async def test_unanswered_requests_with_an_unproven_token_count_against_the_rule(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    fake.fail("hang", delay=5.0)
    async with running(fake, fake_url, ids_of(fake)[:5], request_timeout=0.1) as monitor:
        for _ in range(12):
            await step(monitor, clock, 5)
        times = [entry.at for entry in fake.log]
    assert all(sum(1 for t in times if start <= t < start + 60) <= 3 for start in times)


async def test_a_200_with_a_broken_body_still_proves_the_token(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    fake.fail("malformed", times=1)
    async with running(fake, fake_url, ids_of(fake)[:6]) as monitor:
        assert monitor.guard.token_proven
        assert len(fake.log) == 6  # after the first answer, the rest fanned out
        assert sum(state.error is not None for state in monitor.states()) == 1


async def test_runs_sharing_a_guard_file_stay_under_the_rule_together(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, tmp_path: Path
) -> None:
    """Four runs of `lox24tui status` with a wrong token within a minute: three requests."""
    shared = tmp_path / "account-guard.json"
    for _ in range(4):
        await check_once(fake, fake_url, ids_of(fake)[:3], token=WRONG, path=shared)
        clock.advance(5)
    assert [entry.status for entry in fake.log] == [401, 401, 401]
    clock.advance(65)
    await check_once(fake, fake_url, ids_of(fake)[:3], token=WRONG, path=shared)
    assert len(fake.log) == 4 and fake.blocked_for() == 0


async def test_an_outage_is_shown_probed_alone_and_recovered_from_within_an_interval(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    async with running(fake, fake_url, ids_of(fake), interval=10) as monitor:
        live = [s.bulk_id for s in monitor.states() if not s.is_final]
        assert len(live) >= 3
        fake.fail("status", status=503)
        outage_start = clock.now()
        await step(monitor, clock, 10, times=6)  # a minute without LOX24
        breaker = monitor.summary().breaker
        assert breaker is not None and breaker.kind == BreakerKind.UNREACHABLE
        assert breaker.since is not None and breaker.since >= outage_start
        # LOX24 counted as unreachable by the second round; from then on, one probe at a time
        during = [e.at for e in fake.log if e.at > outage_start + 21]
        assert 1 <= len(during) == len(set(during)) <= 2
        failed = [b for b in live if monitor.state(b).error is not None]
        assert len(failed) >= 3
        fake.clear_faults()
        back = clock.now()
        await step(monitor, clock, 60)  # the next probe answers: the rest follow at once
        assert monitor.breaker is None
        assert all(monitor.state(b).error is None for b in failed)
        fetched_at = {e.path.split("/")[2]: e.at for e in fake.log if e.at > back}
        assert set(failed) <= set(fetched_at)
        assert len(set(fetched_at.values())) == 1  # in the same moment, not each on its backoff


async def test_fetch_now_sends_one_bulk_while_paused_and_the_pause_holds(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    store = labelled(fake, "Store opening reminder")  # delivery 20 s after start
    async with running(fake, fake_url, [store, live], interval=10) as monitor:
        monitor.pause("by you")
        await step(monitor, clock, 25)
        assert len(fake.log) == 2  # the first look at each, before the pause
        assert monitor.fetch_now(store) is None
        await settle(monitor)
        assert len(status_requests(fake, store)) == 2 and len(status_requests(fake, live)) == 1
        assert monitor.state(store).status_code == 5  # in progress
        await step(monitor, clock, 11, times=3)
        assert len(fake.log) == 3 and monitor.pause_reason is not None


async def test_fetch_now_is_held_by_the_account_guard_paused_or_not(
    fake: FakeLox24, fake_url: str, clock: VirtualClock, live: str
) -> None:
    async with running(fake, fake_url, [live], interval=10) as monitor:
        fake.fail("status", status=429, times=1)
        assert monitor.fetch_now(live) is None
        await settle(monitor)
        assert fake.log[-1].status == 429
        for paused in (False, True):
            if paused:
                monitor.pause("by you")
            breaker = monitor.fetch_now(live)
            await settle(monitor)
            assert breaker is not None and breaker.kind == BreakerKind.RATE_LIMITED
            assert "429" in breaker.reason(clock.now())
            assert len(fake.log) == 2
