"""Delivery breakdowns: counts by outcome in at most seven requests whatever the bulk's size,
partial when LOX24 sends no totals, and "settled" once nothing can change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from lox24tui.account.guard import AccountGuard, GuardedClient
from lox24tui.api import BulkStatus, Lox24Client, MessageFilters, ServerError, Token
from lox24tui.engine.delivery import MAX_REQUESTS, DeliveryBreakdown, count_delivery, is_settled
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount, VirtualClock

from .conftest import BIG, add_sending_bulk

LD = "application/ld+json"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def fake(clock: VirtualClock) -> FakeLox24:
    account = SimulatedAccount.demo(clock.now())
    add_sending_bulk(account, clock.now())
    return FakeLox24(account, clock=clock)


async def breakdown_of(
    fake: FakeLox24, url: str, *, accept: str = LD, bulk: str = BIG
) -> DeliveryBreakdown:
    async with Lox24Client(Token(FAKE_TOKEN), url, accept=accept) as client:
        guarded = GuardedClient(client, AccountGuard(FAKE_TOKEN, clock=fake.clock))
        status = (await client.get_bulk_status(bulk)).status
        return await count_delivery(guarded, bulk, status=status, now=fake.clock.now)


def sms_requests(fake: FakeLox24) -> int:
    return len(fake.requests("/sms"))


async def test_a_bulk_of_50000_is_counted_in_seven_requests(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(300)  # half sent, reports on their way
    sending = await breakdown_of(fake, fake_url)
    assert sms_requests(fake) == MAX_REQUESTS
    assert sending.total == 50_000 and not sending.partial and not sending.settled
    assert sending.waiting == 25_000 and sending.sent + sending.not_sent == 25_000
    assert sending.queued > 0 and sending.submitted > 0 and sending.delivered > 20_000
    assert sending.not_sent > 0 and sending.none >= 0
    parts = (
        sending.delivered,
        sending.queued,
        sending.submitted,
        sending.expired,
        sending.rejected,
        sending.none,
        sending.not_sent,
        sending.waiting,
    )
    assert sum(parts) == sending.total and sending.other == 0


async def test_messages_held_back_for_want_of_funds_are_noticed(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(300)
    assert not (await breakdown_of(fake, fake_url)).no_funds
    fake.account.set_balance(Decimal("0.05"), clock.now())  # less than one message costs
    clock.advance(60)  # the bulk goes on creating messages: LOX24 holds them with 3000
    assert (await breakdown_of(fake, fake_url)).no_funds


async def test_settled_once_every_message_is_final(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(5 * 3600)  # finished sending; some submitted for hours, some not yet expired
    waiting = await breakdown_of(fake, fake_url)
    clock.advance(3 * 3600)
    done = await breakdown_of(fake, fake_url)
    assert not waiting.settled and waiting.queued + waiting.submitted > 0
    assert done.settled and done.queued == done.submitted == done.none == 0
    assert (
        done.expired > 0 and done.delivered + done.expired + done.rejected + done.not_sent == 50_000
    )


async def test_without_totals_the_breakdown_is_partial_and_still_seven_requests(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    fake.total_items = "absent"
    clock.advance(8 * 3600)
    partial = await breakdown_of(fake, fake_url)
    assert partial.partial and not partial.settled  # a lower bound settles nothing
    assert sms_requests(fake) == MAX_REQUESTS
    assert partial.total == (MAX_REQUESTS - 1) * fake.page_size


async def test_an_undocumented_code_counts_as_other_when_a_page_shows_it(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    fake.account.get(BIG).quirks = frozenset({"odd_codes"})  # type: ignore[union-attr]
    fake.total_items = "absent"
    fake.page_size = 10_000
    clock.advance(600)  # 50,000 messages in five pages
    seen = await breakdown_of(fake, fake_url)
    assert seen.other > 0 and seen.rejected == 0
    assert seen.total == 50_000 and seen.partial


async def test_a_bulk_without_messages_costs_no_request(fake: FakeLox24, fake_url: str) -> None:
    scheduled = next(b.uuid for b in fake.account if b.label == "Store opening reminder")
    nothing = await breakdown_of(fake, fake_url, bulk=scheduled)
    assert nothing.total == 0 and not nothing.settled
    sized = next(b.uuid for b in fake.account if b.label == "Tomorrow's morning promo")
    waiting = await breakdown_of(fake, fake_url, bulk=sized)  # created, none sent yet
    assert waiting.total == waiting.waiting == 25_000 and not waiting.settled
    assert sms_requests(fake) == 0


async def test_a_failed_count_fails_the_breakdown(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(60)
    fake.fail("status", status=503, bulk_id=BIG, times=1)
    with pytest.raises(ServerError):
        await breakdown_of(fake, fake_url)


def status(code: int, processed_hours_ago: float | None) -> BulkStatus:
    processed = (
        None
        if processed_hours_ago is None
        else int((NOW - timedelta(hours=processed_hours_ago)).timestamp())
    )
    return BulkStatus.model_validate({"status_code": code, "processed_at": processed})


@pytest.mark.parametrize(
    ("open_messages", "counted_all", "code", "hours", "settled"),
    [
        (0, True, 10, 1, True),  # processed, every message final
        (3, True, 10, 1, False),  # reports still to come
        (0, True, 5, 1, False),  # still sending: more messages to come
        (0, False, 10, 1, False),  # a partial count proves nothing
        (3, True, 10, 72, True),  # 72 h after processing, late reports are not waited for
        (3, False, 5, 71.9, False),
        (0, True, 15, None, True),  # canceled before sending
    ],
)
def test_settled(
    open_messages: int, counted_all: bool, code: int, hours: float | None, settled: bool
) -> None:
    bulk = status(code, hours)
    assert (
        is_settled(
            open_messages=open_messages,
            counted_all=counted_all,
            bulk_final=bulk.is_final,
            processed_at=bulk.processed_at,
            now=NOW,
        )
        is settled
    )


async def test_a_message_with_no_connection_to_a_landline_counts_as_not_sent(
    fake: FakeLox24, fake_url: str
) -> None:
    """SMS status 2000 gets no report: it is not sent, not 'no report yet' for 72 h."""
    clock = fake.clock
    assert isinstance(clock, VirtualClock)
    bulk = add_sending_bulk(fake.account, clock.now())
    clock.advance(8 * 3600)
    async with Lox24Client(Token(FAKE_TOKEN), fake_url) as client:
        landline = await client.list_messages(bulk, filters=MessageFilters(status_codes=(2000,)))
        assert landline.items  # the fake has some
        counts = await count_delivery(client, bulk, status=None, now=clock.now)
    assert counts.not_sent >= len(landline.items)
    assert counts.none == 0  # every message that will get no report is said to be not sent
