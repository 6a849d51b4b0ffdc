"""Whom can I safely send again: the retry list of a bulk, through the client, against the fake
LOX24 on loopback. What it must hold is worked out here the long way (every message of the
bulk, the whole opt-out list), so the list's short way (failed messages only, the cheaper
opt-out check) is checked against it."""

from __future__ import annotations

import pytest

from lox24tui.account.guard import AccountGuard, GuardedClient
from lox24tui.api import NOT_SENT_CODES, DlrCode, Lox24Client, Token
from lox24tui.api.errors import ServerError
from lox24tui.clock import VirtualClock
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimBulk, SimulatedAccount
from lox24tui.fake.server import serve
from lox24tui.insight.retry_list import RetryList, retry_list
from tests.long_way import every_message, every_opt_out

FAILED_CODES = {DlrCode.EXPIRED, DlrCode.REJECTED}


def account_with(clock: VirtualClock, recipients: int, **options: object) -> SimulatedAccount:
    account = SimulatedAccount.demo(clock.now(), history=0)
    account.add(
        SimBulk(
            uuid="5e7d0c00-4699-11ea-a637-96000028b339",
            created_at=clock.now() - 7200,
            delivery_at=clock.now() - 7000,
            recipients=recipients,
            send_seconds=60,
            label="Retry me",
            **options,  # type: ignore[arg-type]
        )
    )
    return account


BULK = "5e7d0c00-4699-11ea-a637-96000028b339"


def failed(message: dict[str, object]) -> bool:
    return message["dlr_code"] in FAILED_CODES or message["status_code"] in NOT_SENT_CODES


async def test_the_list_is_every_failed_number_once_minus_the_opt_outs(
    client: Lox24Client, fake: FakeLox24
) -> None:
    bulk = next(b for b in fake.account if b.label == "Black Friday newsletter")
    messages = await every_message(client, bulk.uuid)
    opted_out = await every_opt_out(client)
    failed_numbers = list(dict.fromkeys(str(m["phone"]) for m in messages if failed(m)))
    assert failed_numbers, "the demo's bulk has failures"
    assert set(failed_numbers) & opted_out, "and some of them opted out"
    fake.log.clear()
    made = await retry_list(client, bulk.uuid)
    assert set(made.numbers) == set(failed_numbers) - opted_out
    assert len(made.numbers) == len(set(made.numbers))
    assert made.failures == sum(1 for m in messages if failed(m))
    assert made.opted_out == len(set(failed_numbers) & opted_out)
    assert made.repeated == made.failures - len(failed_numbers)
    assert not made.capped
    assert made.requests == len(fake.log)
    sms = [entry for entry in fake.requests("/sms")]
    assert all("dlr_code" in e.query or "status_code" in e.query for e in sms)  # failed only


async def test_numbers_are_written_in_e164_and_unreadable_ones_are_counted(
    clock: VirtualClock,
) -> None:
    fake = FakeLox24(account_with(clock, 6000, quirks=frozenset({"odd_numbers"})), clock=clock)
    async with serve(fake) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
        messages = [m for m in await every_message(client, BULK) if failed(m)]
        made = await retry_list(client, BULK)
    forms = {str(m["phone"]) for m in messages}
    assert any(form.startswith("07700 ") for form in forms), "national numbers among them"
    assert all(number.startswith("+44") and number[1:].isdigit() for number in made.numbers)
    odd = sum(1 for m in messages if m["phone"] in (None, "12", "call me"))
    assert odd and made.unreadable == odd
    assert "not a phone number" in made.summary()


async def test_a_bulk_with_more_failures_than_the_cap_says_so(
    client: Lox24Client, fake: FakeLox24
) -> None:
    bulk = next(b for b in fake.account if b.label == "Black Friday newsletter")
    made = await retry_list(client, bulk.uuid, most=40)
    assert made.failures == 40 and made.capped
    assert "the first 40 failed messages (the bulk has more)" in made.summary()


async def test_a_bulk_with_no_messages_costs_one_request_per_ask_and_no_opt_out_check(
    client: Lox24Client, fake: FakeLox24
) -> None:
    bulk = next(b for b in fake.account if b.status_json(fake.clock.now())["msg_total_count"] == 0)
    made = await retry_list(client, bulk.uuid)
    assert made == RetryList((), 0, 0, 0, 0, False, 2)
    assert fake.requests("/blocked_numbers") == []
    assert made.summary() == "0 numbers to send again, from 0 failed messages"


async def test_a_long_opt_out_list_is_checked_number_by_number_when_that_costs_less(
    clock: VirtualClock,
) -> None:
    """At a page size of 2 the account's opt-out list takes many pages; a bulk with a handful
    of failed numbers is cheaper to check one number at a time."""
    fake = FakeLox24(account_with(clock, 40), clock=clock, page_size=2)
    async with serve(fake) as url, Lox24Client(Token(FAKE_TOKEN), url) as client:
        opted_out = await every_opt_out(client)
        pages = len(fake.requests("/blocked_numbers"))
        fake.log.clear()
        made = await retry_list(
            GuardedClient(client, AccountGuard(Token(FAKE_TOKEN), clock=clock)), BULK
        )
    checks = fake.requests("/blocked_numbers")
    distinct = len(made.numbers) + made.opted_out
    assert 1 < len(checks) <= 1 + distinct  # the first page, then one per number at most
    assert all("number=%2B" in check.query for check in checks[1:])
    assert len(checks) < pages
    assert not set(made.numbers) & opted_out


async def test_no_list_is_made_when_the_opt_outs_cannot_be_read(
    client: Lox24Client, fake: FakeLox24
) -> None:
    bulk = next(b for b in fake.account if b.label == "Black Friday newsletter")
    fake.fail("status", path="/blocked_numbers", status=503)
    with pytest.raises(ServerError):
        await retry_list(client, bulk.uuid)
