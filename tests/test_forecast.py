"""The spend forecast: what the bulks waiting to send will cost, read from the fake LOX24 over
loopback as the dashboard, ``monitor`` and ``account`` read it, and the words people see."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lox24tui.alerts.conditions import account_holds
from lox24tui.alerts.rules import AlertRule
from lox24tui.api import Lox24Client, Token
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.server import serve
from lox24tui.insight.forecast import (
    MAX_PAGES,
    Basis,
    Forecast,
    ScheduledCost,
    forecast_json,
    read_forecast,
    recent_prices,
)

HOUR = 3600.0


def finished(uuid_tail: int, start: float, recipients: int, unit: str, **kwargs: object) -> SimBulk:
    return SimBulk(
        uuid=f"00000000-0000-1000-8000-{uuid_tail:012d}",
        created_at=start - 48 * HOUR - uuid_tail,
        delivery_at=start - 47 * HOUR,
        recipients=recipients,
        unit_price=Decimal(unit),
        **kwargs,  # type: ignore[arg-type]
    )


def scheduled(
    uuid_tail: int, start: float, recipients: int, *quirks: str, **kwargs: object
) -> SimBulk:
    uuid = f"11111111-0000-1000-8000-{uuid_tail:012d}"
    return SimBulk.scheduled(uuid, start, 24 * HOUR, recipients, *quirks, **kwargs)


def account_of(*bulks: SimBulk, balance: str = "100.00", start: float) -> SimulatedAccount:
    account = SimulatedAccount(bulks)
    account.set_balance(Decimal(balance), start)
    return account


async def forecast_from(fake: FakeLox24) -> Forecast:
    async with serve(fake) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
        return await read_forecast(client)


def bulk_requests(fake: FakeLox24) -> list[str]:
    return [entry.query for entry in fake.log if entry.path == "/bulks"]


async def test_a_bulk_priced_by_lox24_costs_its_own_price_in_one_request(
    clock: VirtualClock,
) -> None:
    start = clock.now()
    fake = FakeLox24(
        account_of(
            scheduled(1, start, 2_000, "sized_when_scheduled", "priced_when_scheduled"),
            finished(1, start, 1_000, "0.09"),
            start=start,
        ),
        clock=clock,
    )
    forecast = await forecast_from(fake)
    assert [(b.basis, b.cost, b.messages) for b in forecast.bulks] == [
        (Basis.PRICED, Decimal("150"), 2_000)  # the fake's default 0.075 a message
    ]
    assert forecast.sentence(Decimal("100"), "EUR") == (
        "1 scheduled bulk needs 150.00 EUR; balance 100.00 EUR"
    )
    assert len(bulk_requests(fake)) == 1  # no estimate needed: no prices read
    assert forecast_json(forecast, Decimal("100")) == {
        "scheduled_bulks": 1,
        "cost": "150.0",
        "estimated": False,
        "unknown_size": 0,
        "complete": True,
        "over_balance": True,
        "bulks": [
            {
                "uuid": "11111111-0000-1000-8000-000000000001",
                "delivery_at": datetime.fromtimestamp(start + 24 * HOUR, UTC).isoformat(),
                "messages": 2_000,
                "cost": "150.0",
                "basis": "priced",
            }
        ],
    }


async def test_a_sized_bulk_is_estimated_at_recent_prices_of_its_service(
    clock: VirtualClock,
) -> None:
    start = clock.now()
    fake = FakeLox24(
        account_of(
            scheduled(1, start, 1_000, "sized_when_scheduled"),
            scheduled(2, start, 100, "sized_when_scheduled", service_code="text2speech"),
            # SMS: (1,000 × 0.08 + 3,000 × 0.06) / 4,000 = 0.065 a message, weighted by size
            finished(1, start, 1_000, "0.08"),
            finished(2, start, 3_000, "0.06"),
            finished(3, start, 500, "0.20", service_code="text2speech"),
            finished(4, start, 9_000, "0.50", is_dryrun=True),  # a test: nothing was charged
            start=start,
        ),
        clock=clock,
    )
    forecast = await forecast_from(fake)
    costs = {b.messages: (b.basis, b.per_message, b.cost) for b in forecast.bulks}
    assert costs == {
        1_000: (Basis.ESTIMATE, Decimal("0.065"), Decimal("65")),
        100: (Basis.ESTIMATE, Decimal("0.2"), Decimal("20")),
    }
    assert forecast.cost == Decimal("85")
    assert forecast.amount("EUR") == "about 85.00 EUR"
    assert forecast.basis("EUR") == (
        "estimate at the price per message of the last 3 processed bulks "
        "(direct 0.0650 EUR, text2speech 0.2000 EUR)"
    )
    waiting, prices = bulk_requests(fake)  # the waiting bulks, then one page of prices
    assert "status_code%5B%5D=0" in waiting and "status_code%5B%5D=10" in prices


async def test_a_bulk_of_unknown_size_is_counted_apart_never_guessed(clock: VirtualClock) -> None:
    start = clock.now()
    fake = FakeLox24(
        account_of(
            scheduled(1, start, 4_000),  # LOX24 says no size before sending
            scheduled(2, start, 1_000, "sized_when_scheduled", "priced_when_scheduled"),
            finished(1, start, 1_000, "0.08"),
            start=start,
        ),
        clock=clock,
    )
    forecast = await forecast_from(fake)
    assert forecast.unknown == 1 and forecast.cost == Decimal("75")
    assert forecast.sentence(None, "EUR") == (
        "2 scheduled bulks need at least 75.00 EUR (1 of a size not known yet)"
    )
    assert forecast.basis("EUR") == (
        "1 bulk priced by LOX24; 1 not counted: LOX24 gives no size or price before sending"
    )
    assert len(bulk_requests(fake)) == 1  # nothing to estimate: no prices read


async def test_bulks_that_sent_or_are_dry_runs_are_not_in_the_forecast(clock: VirtualClock) -> None:
    start = clock.now()
    dry = scheduled(2, start, 700, "sized_when_scheduled", is_dryrun=True)
    fake = FakeLox24(account_of(finished(1, start, 1_000, "0.08"), dry, start=start), clock=clock)
    forecast = await forecast_from(fake)
    assert forecast.bulks == () and not forecast.exceeds(Decimal(0))
    assert forecast.sentence(Decimal(5), "EUR") == "no scheduled bulks"


async def test_more_waiting_bulks_than_pages_read_make_a_lower_bound(clock: VirtualClock) -> None:
    start = clock.now()
    many = [
        scheduled(n, start, 10, "sized_when_scheduled", "priced_when_scheduled")
        for n in range(MAX_PAGES * 2 + 1)
    ]
    fake = FakeLox24(account_of(*many, start=start), clock=clock, page_size=2)
    forecast = await forecast_from(fake)
    assert not forecast.complete and len(forecast.bulks) == MAX_PAGES * 2
    assert forecast.sentence(None, "EUR").startswith("more than 6 scheduled bulks need at least")
    assert len({bulk.bulk_id for bulk in forecast.bulks}) == MAX_PAGES * 2  # page after page
    asked = bulk_requests(fake)
    assert len(asked) == MAX_PAGES and all("status_code%5B%5D=0" in query for query in asked)


def cost(amount: str, basis: Basis = Basis.ESTIMATE) -> ScheduledCost:
    return ScheduledCost("b", None, 10, Decimal(amount), basis)


SPEND = AlertRule.model_validate({"name": "spend", "when": "spend_over_balance"})


@pytest.mark.parametrize(
    ("balance", "over"), [("299.99", True), ("300", False), ("300.01", False), (None, False)]
)
def test_the_spend_is_over_the_balance_only_when_it_costs_more(
    balance: str | None, over: bool
) -> None:
    forecast = Forecast((cost("100"), cost("200", Basis.PRICED)), recent_prices(()))
    amount = None if balance is None else Decimal(balance)
    assert forecast.exceeds(amount) is over
    assert account_holds(SPEND, amount, forecast) is over
    assert account_holds(SPEND, amount, None) is False  # no forecast read yet


def test_bulks_of_unknown_cost_alone_are_never_over() -> None:
    unknown = ScheduledCost("b", None, None, None, Basis.UNKNOWN)
    assert not Forecast((unknown,), recent_prices(())).exceeds(Decimal(0))
