"""The forecast's rules, each at its edge: which recent bulks give the price per message and how
they weigh, how a waiting bulk is costed and on what basis, when the dashboard's rounds read it
again, and when going over the balance is news."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from lox24tui.api import Account, BulkStatus, Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.engine.account_watch import AccountWatch
from lox24tui.engine.monitor import Monitor
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.account import SIZED_AND_PRICED
from lox24tui.insight.forecast import (
    NO_PRICES,
    Basis,
    Forecast,
    ScheduledCost,
    forecast_json,
    forecast_of,
    recent_prices,
    scheduled_cost,
)
from lox24tui.insight.forecast import (
    REQUESTS as READING_REQUESTS,
)
from lox24tui.session.account_view import AccountView
from lox24tui.session.events import EngineChanged, EventBus
from lox24tui.session.forecast_rounds import FORECAST_EVERY, PRICES_FOR, SOON, ForecastRounds

WHEN = datetime(2026, 12, 24, 9, 0, tzinfo=UTC)
BOOKED = "11111111-0000-1000-8000-000000000003"


def bulk(**fields: Any) -> BulkStatus:
    """A bulk as ``GET /bulks`` lists it (LOX24's field names)."""
    return BulkStatus.model_validate({"status_code": 10, "service_code": "direct", **fields})


def test_the_price_per_message_weighs_each_bulk_by_its_messages_and_skips_what_was_not_paid() -> (
    None
):
    prices = recent_prices(
        [  # newest first, as LOX24 lists them
            bulk(price=80, msg_total_count=1_000),
            bulk(price=4_500, msg_total_count=9_000, is_dryrun=True),  # a test: not charged
            bulk(price=0, msg_total_count=500),  # not priced
            bulk(price=5, msg_total_count=0),  # no messages: no price per message
            bulk(price=50, msg_total_count=100, status_code=15),  # canceled part way
            bulk(price="0.5", msg_total_count=1, service_code=None),
            bulk(price=180, msg_total_count=3_000),
        ]
    )
    assert prices.per_service == {"direct": Decimal("0.065"), "": Decimal("0.5")}
    assert prices.overall == Decimal("260.5") / 4_001 and prices.bulks == 3


def test_a_waiting_bulk_is_costed_by_its_own_price_its_service_or_all_services() -> None:
    prices = recent_prices(
        [
            bulk(price="66.65", msg_total_count=1_000),  # 0.06665 a message
            bulk(price=30, msg_total_count=200, service_code="text2speech"),
        ]
    )
    waiting = dict(status_code=0, delivery_at=int(WHEN.timestamp()))
    priced = scheduled_cost(bulk(uuid="p", price=12, msg_total_count=10, **waiting), prices)
    assert priced == ScheduledCost("p", WHEN, 10, Decimal(12), Basis.PRICED, "direct")
    one = scheduled_cost(bulk(uuid="s", msg_total_count=1, **waiting), prices)
    # rounded half up to LOX24's fraction of a cent (half-even would give 0.0666)
    assert one == ScheduledCost(
        "s", WHEN, 1, Decimal("0.0667"), Basis.ESTIMATE, "direct", Decimal("0.0667")
    )
    ssml = scheduled_cost(
        bulk(uuid="v", msg_total_count=100, service_code="text2speech_ssml", **waiting), prices
    )
    assert ssml.per_message == Decimal("0.0805") and ssml.cost == Decimal("8.05")  # 96.65/1,200
    unknown = scheduled_cost(bulk(uuid="u", msg_total_count=0, **waiting), prices)
    assert unknown == ScheduledCost("u", WHEN, None, None, Basis.UNKNOWN, "direct")
    unpriced = scheduled_cost(bulk(uuid="n", msg_total_count=5, **waiting), NO_PRICES)
    assert unpriced == ScheduledCost("n", WHEN, 5, None, Basis.UNKNOWN, "direct")
    assert Forecast((one,), prices).amount("EUR") == "about 0.07 EUR"  # a column's 2 places
    alone = Forecast((unknown,), prices)
    assert alone.sentence(Decimal("5.5"), "EUR") == (
        "1 scheduled bulk, of a size LOX24 has not said yet; balance 5.50 EUR"
    )
    assert forecast_json(alone, None)["bulks"] == [
        {
            "uuid": "u",
            "delivery_at": WHEN.isoformat(),
            "messages": None,
            "cost": None,
            "basis": "unknown",
        }
    ]
    said = Forecast((priced, unpriced), NO_PRICES)
    assert (
        said.sentence(None, "CHF") == "2 scheduled bulks need at least 12.00 CHF (1 not costed yet)"
    )
    assert said.basis("CHF") == (
        "1 bulk priced by LOX24; 1 not counted: no recent processed bulk to price a message by"
    )


def test_going_over_the_balance_is_news_once_and_never_at_first_sight() -> None:
    over = forecast_of(
        [bulk(status_code=0, price=100, msg_total_count=10)], NO_PRICES, complete=True
    )
    under = forecast_of([], NO_PRICES, complete=True)
    view = AccountView(Decimal(0), {}, EventBus())
    assert not view.newly_over()  # nothing known yet
    view.forecast_seen(over)
    assert not view.newly_over()  # no balance yet
    view.seen(account(50))
    assert view.over_balance and not view.newly_over()  # over at first sight: the bar says it
    view.seen(account(500))
    assert not view.over_balance and not view.newly_over()
    view.seen(account(60))
    assert view.newly_over() and not view.newly_over()  # once
    view.forecast_seen(under)
    assert not view.newly_over()
    view.forecast_seen(over)
    assert view.newly_over()
    assert view.spend_words() == (
        "1 scheduled bulk needs 100.00 EUR; balance 60.00 EUR (1 bulk priced by LOX24)."
    )
    view.forget()  # a new token: nothing of the old account's stays
    assert view.forecast is None and view.spend_words() == "the scheduled spend is not known yet"
    view.seen(account(10))
    view.forecast_seen(over)
    assert not view.newly_over()  # first sight again


def test_the_spend_in_words_is_a_sentence_with_its_basis_in_the_accounts_currency() -> None:
    events = EventBus()
    told: list[object] = []
    events.listen(told.append)
    view = AccountView(Decimal(0), {}, events)
    view.seen(account(50))
    prices = recent_prices([bulk(price=80, msg_total_count=1_000)])
    waiting = [
        bulk(uuid=f"w{n}", status_code=0, msg_total_count=100, delivery_at=WHEN.timestamp())
        for n in range(3)
    ]
    view.forecast_seen(forecast_of(waiting, prices, complete=False))  # more pages than read
    assert told[-1] == EngineChanged()  # the summary bar redraws with it
    assert view.spend_words() == (
        "More than 3 scheduled bulks need at least 24.00 EUR; balance 50.00 EUR (estimate at the "
        "price per message of the last processed bulk (direct 0.0800 EUR))."
    )


def account(balance: int) -> Any:
    from lox24tui.api import Account

    return Account.model_validate({"balance_amount": balance, "currency": "EUR"})


async def test_the_rounds_read_at_start_then_each_quarter_hour_and_keep_the_prices_an_hour() -> (
    None
):
    clock = VirtualClock()
    now = clock.now()
    account_ = SimulatedAccount(
        [
            SimBulk.scheduled(
                "11111111-0000-1000-8000-000000000001", now, 86_400, 100, "sized_when_scheduled"
            ),
            SimBulk("00000000-0000-1000-8000-000000000001", now - 7_200, now - 7_000, 100),
        ]
    )
    fake = FakeLox24(account_, clock=clock)
    transport = httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport) as client:
        monitor = Monitor(client, [], clock=clock)
        seen: list[Forecast] = []
        monitor.side.add(ForecastRounds(monitor, lambda: client, clock, seen.append))
        monitor.start()
        try:
            for _ in range(int(PRICES_FOR / FORECAST_EVERY) + 1):
                await until_read(seen, len(seen) + 1)
                clock.advance(FORECAST_EVERY)
            await until_read(seen, len(seen) + 1)
        finally:
            await monitor.stop()
    asked = [e.query for e in fake.log if e.path == "/bulks"]
    assert len(seen) == 6 and len(asked) == 6 + 2  # six readings; the prices at 0 and 1 h
    prices_at = [e.at - now for e in fake.log if "status_code%5B%5D=10" in e.query]
    assert prices_at == [0, PRICES_FOR]  # kept an hour, and not a reading longer
    assert seen[-1].cost == Decimal("7.5")  # 100 messages at the fake's 0.075
    assert seen[-1].sentence(None, "EUR") == "1 scheduled bulk needs about 7.50 EUR"  # all read


async def until_read(seen: Sequence[object], count: int) -> None:
    for _ in range(500):
        if len(seen) >= count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"reading {count} never came")


async def test_a_watched_bulk_that_starts_sending_has_the_forecast_read_again_soon() -> None:
    clock = VirtualClock()
    now = clock.now()
    starts = SimBulk.scheduled(
        "11111111-0000-1000-8000-000000000002", now, 100, 100, *SIZED_AND_PRICED, send_seconds=3_600
    )
    fake = FakeLox24(SimulatedAccount([starts]), clock=clock)
    fake.account.set_balance(Decimal("1000"), now)
    transport = httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport) as client:
        monitor = Monitor(client, [starts.uuid], clock=clock)
        seen: list[Forecast] = []
        monitor.side.add(ForecastRounds(monitor, lambda: client, clock, seen.append))
        monitor.start()
        try:
            await until_read(seen, 1)
            assert [b.bulk_id for b in seen[0].bulks] == [starts.uuid]  # waiting, priced
            for _ in range(9):  # status checks every 10 s: nothing new, no reading
                clock.advance(10)
                await asyncio.wait_for(monitor.wait_idle(), 5)
            assert len(seen) == 1
            clock.advance(15)  # it starts sending: the status check sees it
            await asyncio.wait_for(monitor.wait_idle(), 5)
            assert len(seen) == 1  # not at once: a burst of changes is one reading
            clock.advance(SOON)
            await until_read(seen, 2)
            assert seen[1].bulks == ()  # nothing waits any more
            read_at = [e.at for e in fake.log if "status_code%5B%5D=0" in e.query]
            assert read_at[1] - read_at[0] < FORECAST_EVERY  # sooner than the quarter hour
        finally:
            await monitor.stop()


async def test_a_burst_of_changes_is_read_once_soon_after_the_first_not_put_off_by_the_rest() -> (
    None
):
    """Two watched bulks start sending 15 s apart: one reading, SOON after the first change,
    not SOON after the last (changes every few seconds would otherwise put it off for good)."""
    clock = VirtualClock()
    now = clock.now()
    first, second = (
        SimBulk.scheduled(
            f"11111111-0000-1000-8000-00000000001{n}",
            now,
            100 + 15 * n,
            100,
            *SIZED_AND_PRICED,
            send_seconds=3_600,
        )
        for n in range(2)
    )
    fake = FakeLox24(SimulatedAccount([first, second]), clock=clock)
    fake.account.set_balance(Decimal("1000"), now)
    transport = httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport) as client:
        monitor = Monitor(client, [first.uuid, second.uuid], clock=clock)
        seen: list[Forecast] = []
        monitor.side.add(ForecastRounds(monitor, lambda: client, clock, seen.append))
        monitor.start()
        seen_sending: dict[str, float] = {}
        try:
            await until_read(seen, 1)
            while len(seen) < 2:
                clock.advance(5)
                await asyncio.wait_for(monitor.wait_idle(), 5)  # what fell due, done
                for bulk in (first, second):
                    if monitor.state(bulk.uuid).status_code == 5:  # in progress
                        seen_sending.setdefault(bulk.uuid, clock.now())
                assert clock.now() < now + 1_000, "the second reading never came"
        finally:
            await monitor.stop()
    started, then = seen_sending[first.uuid], seen_sending[second.uuid]
    assert started < then < started + SOON  # a burst: the second change came before the reading
    read_at = [e.at for e in fake.log if "status_code%5B%5D=0" in e.query]
    assert started + SOON <= read_at[1] <= started + SOON + 5  # one step of this test's clock


async def test_a_reading_is_charged_every_request_it_may_send_to_the_side_budget() -> None:
    """With a budget of one reading a minute, the balance asked for at the same start waits
    for the window to free: a reading may send REQUESTS requests, not one."""
    clock = VirtualClock()
    now = clock.now()
    fake = FakeLox24(SimulatedAccount([SimBulk.scheduled(BOOKED, now, 600, 100)]), clock=clock)
    fake.account.set_balance(Decimal("1000"), now)
    transport = httpx.ASGITransport(app=fake)
    async with Lox24Client(Token(FAKE_TOKEN), "http://fake.test", transport=transport) as client:
        monitor = Monitor(client, [], clock=clock, side_requests_per_minute=READING_REQUESTS)
        seen: list[Forecast] = []
        read: list[Account] = []
        monitor.side.add(ForecastRounds(monitor, lambda: client, clock, seen.append))
        monitor.side.add(AccountWatch(monitor, lambda: client, clock, read.append, interval=300))
        monitor.start()
        try:
            await until_read(seen, 1)
            await asyncio.wait_for(monitor.wait_idle(), 5)
            assert read == []  # the reading's requests fill the minute
            clock.advance(60)
            await asyncio.wait_for(monitor.wait_idle(), 5)
            await until_read(read, 1)
        finally:
            await monitor.stop()
    assert [entry.at for entry in fake.log if entry.path == "/me"] == [now + 60]
