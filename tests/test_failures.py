"""Why did these fail, and where: failures by reason × country, through the client against the
fake LOX24 on loopback, checked against every message of the bulk read the long way."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest

from lox24tui.api import NOT_SENT_CODES, DlrCode, Lox24Client
from lox24tui.clock import VirtualClock
from lox24tui.fake import FakeLox24
from lox24tui.insight.failures import UNKNOWN_COUNTRY, failure_table, read_failures
from tests.long_way import every_message

SPREAD = "Password reset codes (Unicode)"
"""A demo bulk whose recipients live in DE, GB, FR and AT, some without LOX24's iso2."""
COUNTRY_BY_PREFIX = {"+49": "DE", "+44": "GB", "+33": "FR", "+43": "AT", "+41": "CH"}


def bulk_of(fake: FakeLox24, label: str) -> str:
    return next(bulk.uuid for bulk in fake.account if bulk.label == label)


async def test_failures_are_counted_by_reason_and_country_as_every_message_says(
    client: Lox24Client, fake: FakeLox24, clock: VirtualClock
) -> None:
    clock.advance(7 * 3600)  # long enough for expiries too
    bulk = bulk_of(fake, SPREAD)
    messages = await every_message(client, bulk)
    failed = [
        m
        for m in messages
        if m["dlr_code"] in (DlrCode.EXPIRED, DlrCode.REJECTED)
        or m["status_code"] in NOT_SENT_CODES
    ]
    fake.log.clear()
    table = failure_table(await read_failures(client, bulk))
    assert table.total == len(failed)
    assert all("dlr_code" in e.query or "status_code" in e.query for e in fake.log)
    expected = Counter(COUNTRY_BY_PREFIX[str(m["phone"])[:3]] for m in failed)
    assert {c: table.count(country=c) for c in table.countries} == dict(expected)
    counts = [table.count(country=c) for c in table.countries]
    assert counts == sorted(counts, reverse=True)  # most failures first
    assert table.from_number == sum(1 for m in failed if m["iso2"] is None) > 0
    by_reason = Counter(
        m["dlr_code"] if m["dlr_code"] in (8, 16) else m["status_code"] for m in failed
    )
    assert sorted(table.count(reason=r) for r in table.reasons) == sorted(by_reason.values())
    assert "expired (8)" in table.reasons and "rejected (16)" in table.reasons
    assert any(r.startswith("not sent: ") for r in table.reasons)
    assert table.cost() == sum(Decimal(str(m["price"])) for m in failed)
    assert all(m.price == 0 for m in table.messages(reason="not sent: no operator (5000)"))
    assert sum(table.share(reason=r) for r in table.reasons) == pytest.approx(1.0)
    cell = table.messages("rejected (16)", "FR")
    assert cell and all(m.dlr_code == 16 and str(m.phone).startswith("+33") for m in cell)


async def test_a_country_neither_lox24_nor_the_number_names_is_unknown(
    client: Lox24Client, fake: FakeLox24
) -> None:
    bulk = bulk_of(fake, SPREAD)
    failed = await read_failures(client, bulk)
    odd = failed.messages[0].model_copy(update={"iso2": None, "phone": "call me"})
    table = failure_table(type(failed)((*failed.messages, odd), False, failed.requests))
    assert table.countries[-1] == UNKNOWN_COUNTRY
    assert table.count(country=UNKNOWN_COUNTRY) == 1


async def test_a_bulk_with_more_failures_than_the_cap_says_so(
    client: Lox24Client, fake: FakeLox24
) -> None:
    failed = await read_failures(client, bulk_of(fake, SPREAD), most=25)
    assert len(failed.messages) == 25 and failed.capped
    assert failed.count_words == "the first 25 failed messages (the bulk has more)"


async def test_a_bulk_with_no_failures_reads_two_empty_pages(
    client: Lox24Client, fake: FakeLox24
) -> None:
    scheduled = bulk_of(fake, "Tomorrow's morning promo")
    failed = await read_failures(client, scheduled)
    assert failed.messages == () and not failed.capped and failed.requests == 2
    table = failure_table(failed)
    assert table.total == 0 and table.cost() == 0 and table.share() == 0.0
