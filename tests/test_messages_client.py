"""Messages, account and cancel through the client, against the fake LOX24 over loopback: counts
from ``hydra:totalItems`` in one request, or by capped paging when the total is missing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from lox24tui.account.guard import AccountGuard, GuardedClient, WritesDisabled
from lox24tui.api import (
    Account,
    BulkNotFound,
    DlrCode,
    Lox24Client,
    Message,
    MessageFilters,
    Token,
    WriteRefused,
    count_messages,
)
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount, VirtualClock
from lox24tui.fake.server import serve

from .conftest import BIG, TOPPED_UP, add_sending_bulk

LD = "application/ld+json"
SMALL = "2f1c3a01-4699-11ea-a637-96000028b339"


@pytest.fixture
def fake(clock: VirtualClock) -> FakeLox24:
    account = SimulatedAccount.demo(clock.now())
    add_sending_bulk(account, clock.now())
    add_sending_bulk(account, clock.now(), SMALL, 50)
    return FakeLox24(account, clock=clock)


@pytest.fixture
async def ld_client(fake_url: str) -> AsyncIterator[Lox24Client]:
    async with Lox24Client(Token(FAKE_TOKEN), fake_url, accept=LD) as client:
        yield client


def sms_requests(fake: FakeLox24) -> int:
    return len(fake.requests("/sms"))


async def test_a_count_is_one_request_however_large_the_bulk(
    fake: FakeLox24, ld_client: Lox24Client, clock: VirtualClock
) -> None:
    clock.advance(600)
    delivered = await count_messages(ld_client, BIG, dlr_code=DlrCode.DELIVERED)
    everything = await count_messages(ld_client, BIG)
    assert everything.count == 50_000 and not everything.partial and everything.complete
    assert 0.8 * 50_000 < delivered.count < 50_000
    assert sms_requests(fake) == 2


async def test_without_a_total_the_count_pages_up_to_its_cap_and_says_so(
    fake: FakeLox24, ld_client: Lox24Client, clock: VirtualClock
) -> None:
    fake.total_items = "absent"
    clock.advance(600)
    capped = await count_messages(ld_client, BIG, max_pages=3)
    assert capped.count == 3 * fake.page_size
    assert capped.partial and not capped.complete and capped.requests == 3
    whole = await count_messages(ld_client, SMALL, max_pages=3)
    assert whole.count == 50 and whole.partial and whole.complete and whole.requests == 2
    assert sms_requests(fake) == 5


async def test_a_null_total_pages_and_a_string_total_is_read(
    fake: FakeLox24, ld_client: Lox24Client, clock: VirtualClock
) -> None:
    clock.advance(600)
    fake.total_items = "null"
    paged = await count_messages(ld_client, SMALL)
    fake.total_items = "string"
    read = await count_messages(ld_client, BIG)
    assert paged.partial and paged.count == 50
    assert not read.partial and read.count == 50_000


async def test_a_plain_json_client_still_counts_in_one_request(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(600)
    async with Lox24Client(Token(FAKE_TOKEN), fake_url) as client:
        counted = await count_messages(client, BIG)
    assert counted.count == 50_000 and not counted.partial and sms_requests(fake) == 1


async def test_messages_are_read_with_exact_prices_and_unknown_codes(
    fake: FakeLox24, ld_client: Lox24Client, clock: VirtualClock
) -> None:
    fake.account.get(BIG).quirks = frozenset({"odd_codes"})  # type: ignore[union-attr]
    clock.advance(600)
    page = await ld_client.list_messages(BIG, filters=MessageFilters(dlr_codes=(32,)))
    odd = page.items[0]
    assert odd.dlr_code == 32 and odd.status_code == 7777  # undocumented, kept
    assert page.total is not None and page.total > 0 and page.next_page == 2
    delivered_page = await ld_client.list_messages(BIG, filters=MessageFilters((1,)))
    delivered = delivered_page.items[0]
    assert delivered.price == Decimal("0.075") and isinstance(delivered.price, Decimal)
    assert delivered.phone is not None and delivered.phone.startswith("+447700900")
    assert delivered.phone not in repr(delivered)  # personal data stays out of logs
    assert "+447700900" not in repr(delivered_page)
    newest = await ld_client.list_messages(BIG, filters=MessageFilters(newest_first=True))
    latest, first = newest.items[0].gateway_sent_at, delivered.gateway_sent_at
    assert latest is not None and first is not None and latest > first


def test_a_message_with_nulls_and_odd_values_still_reads() -> None:
    message = Message.model_validate(
        {"phone": None, "text": None, "dlr_code": 64, "price": "0.0750", "created_at": "soon"}
    )
    assert message.phone is None and message.text is None and message.dlr_code == 64
    assert message.price == Decimal("0.0750") and message.created_at is None
    assert message.unreadable_fields == {"created_at": "soon"}


async def test_the_account_reads_balance_and_currency(
    ld_client: Lox24Client, clock: VirtualClock
) -> None:
    account = await ld_client.get_account()
    assert isinstance(account, Account)
    assert account.currency == "EUR" and account.balance_amount == TOPPED_UP
    assert account.services and "direct" in account.services
    assert account.balance_changed_at is not None


async def test_cancel_answers_the_status_or_says_why_not(
    fake: FakeLox24, ld_client: Lox24Client, clock: VirtualClock
) -> None:
    clock.advance(60)
    reply = await ld_client.cancel_bulk(BIG)
    assert reply.status.status_code == 15
    with pytest.raises(WriteRefused) as refused:
        await ld_client.cancel_bulk(BIG)
    assert refused.value.http_status == 400
    assert refused.value.detail is not None and "cannot be canceled" in refused.value.detail
    with pytest.raises(BulkNotFound):
        await ld_client.cancel_bulk("00000000-0000-1000-8000-000000000000")


async def test_read_only_sends_no_cancel(fake: FakeLox24, ld_client: Lox24Client) -> None:
    guarded = GuardedClient(ld_client, AccountGuard(FAKE_TOKEN), read_only=True)
    with pytest.raises(WritesDisabled):
        await guarded.cancel_bulk(BIG)
    assert fake.requests("/bulks") == []


async def test_a_guarded_count_asks_the_guard_for_every_page(
    fake: FakeLox24, ld_client: Lox24Client, clock: VirtualClock
) -> None:
    fake.total_items = "absent"
    clock.advance(600)
    guard = AccountGuard(FAKE_TOKEN)
    admitted = 0
    admit = guard.admit

    def counting_admit() -> object:
        nonlocal admitted
        admitted += 1
        return admit()

    guard.admit = counting_admit  # type: ignore[method-assign,assignment]
    counted = await count_messages(GuardedClient(ld_client, guard), BIG, max_pages=4)
    assert counted.requests == 4 == admitted == sms_requests(fake)


async def test_counts_over_a_served_fake_with_many_bulks(clock: VirtualClock) -> None:
    account = SimulatedAccount.generated(3, clock.now(), messages=50_000)
    clock.advance(3600)
    async with (
        serve(FakeLox24(account, clock=clock)) as url,
        Lox24Client(Token(FAKE_TOKEN), url, accept=LD) as client,
    ):
        counts = [(await count_messages(client, b.uuid)).count for b in account]
    assert counts == [b.state(clock.now())[1] for b in account]
