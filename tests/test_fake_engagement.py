"""The fake's clicks, replies and opt-outs, as a client sees them over loopback: computed from
each bulk's delivered messages, following the clock, filtered and paged as LOX24's collections
are, with the quirks a client must survive (replies that name no message, hostile texts)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount, VirtualClock
from lox24tui.fake.engagement import CUSTOMER_BLOCKED, REPLY_NUMBER, link_in
from lox24tui.fake.messages import NUMBERS_BY_COUNTRY, message_uuid
from lox24tui.fake.server import serve

HEADERS = {"X-LOX24-AUTH-TOKEN": FAKE_TOKEN, "Accept": "application/ld+json"}
DAY = 86_400


async def get(url: str, path: str, *, status: int = 200) -> Any:
    async with httpx.AsyncClient(base_url=url, headers=HEADERS) as client:
        response = await client.get(path)
    assert response.status_code == status
    return response.json()


async def every(url: str, path: str) -> list[dict[str, Any]]:
    """Every item of a collection, page after page, as a client follows hydra:next."""
    items: list[dict[str, Any]] = []
    next_page: str | None = path
    while next_page is not None:
        body = await get(url, next_page)
        items += body["hydra:member"]
        next_page = body["hydra:view"].get("hydra:next")
    return items


async def test_replies_come_newest_first_and_name_the_message_they_answer(
    fake: FakeLox24, fake_url: str
) -> None:
    body = await get(fake_url, "/incomings")
    assert body["hydra:totalItems"] > 30  # weeks of campaigns behind the demo account
    replies = body["hydra:member"]
    times = [r["received_at"] for r in replies]
    assert times == sorted(times, reverse=True)
    first = replies[0]
    assert first["from"].startswith(tuple(NUMBERS_BY_COUNTRY.values()))
    assert first["to"] == REPLY_NUMBER
    assert first["@id"] == f"/incomings/{first['uuid']}"
    now = fake.clock.now()
    assert any(  # the message it answers is one of the account's (the newest bulks first)
        first["msg_uuid"] == message_uuid(b.uuid, i)
        for b in fake.account.newest_first()
        for i in range(b.sent_by(now))
    )
    answered = await get(fake_url, f"/incomings?msg_uuid[]={first['msg_uuid']}")
    assert [r["uuid"] for r in answered["hydra:member"]] == [first["uuid"]]
    assert await get(fake_url, f"/incomings/{first['uuid']}") == first
    await get(fake_url, "/incomings/00000000-0000-0000-0000-000000000000", status=404)


async def test_replies_follow_the_clock(fake: FakeLox24, clock: VirtualClock) -> None:
    async with serve(fake) as url:
        before = (await get(url, "/incomings"))["hydra:totalItems"]
        clock.advance(DAY)
        after = (await get(url, "/incomings"))["hydra:totalItems"]
    assert after > before  # today's campaigns are answered over the next day


async def test_a_partial_text_filter_finds_every_stop_whatever_its_case(
    clock: VirtualClock,
) -> None:
    fake = FakeLox24(SimulatedAccount.demo(clock.now()), clock=clock, page_size=500)
    async with serve(fake) as url:
        stops = await every(url, "/incomings?text=sToP")
    assert stops and {r["text"].strip().casefold() for r in stops} == {"stop"}


async def test_who_answered_stop_is_unsubscribed_and_ids_never_move(clock: VirtualClock) -> None:
    fake = FakeLox24(SimulatedAccount.demo(clock.now()), clock=clock, page_size=500)
    async with serve(fake) as url:
        stops = await every(url, "/incomings?text=stop")
        listed = await every(url, "/blocked_numbers")
        clock.advance(DAY)
        later = await every(url, "/blocked_numbers")
        unsubscribed = await every(url, "/blocked_numbers?type=2")
    by_customer = [b["number"] for b in listed if b["type"] == 1]
    assert by_customer == list(CUSTOMER_BLOCKED)
    assert {b["number"] for b in listed if b["type"] == 2} == {r["from"] for r in stops}
    assert later[: len(listed)] == listed and len(later) > len(listed)
    assert {b["type"] for b in unsubscribed} == {2}
    one = listed[-1]
    async with serve(fake) as url:
        assert await get(url, f"/blocked_numbers/{one['id']}") == one


def linked_bulk(fake: FakeLox24) -> str:
    return next(b.uuid for b in fake.account if link_in(b.text) and b.recipients >= 1000)


async def test_a_bulk_with_a_link_is_clicked_after_delivery(fake: FakeLox24, fake_url: str) -> None:
    bulk = linked_bulk(fake)
    clicks = await every(fake_url, f"/bulks/{bulk}/requests")
    assert clicks, "a bulk with a link and a thousand recipients gets clicks"
    sim = fake.account.get(bulk)
    assert sim is not None
    assert all(c["date"] >= sim.delivery_at for c in clicks)
    assert {c["country"] for c in clicks} == {"GB"}
    assert all(c["ip"].startswith("198.51.100.") for c in clicks)
    assert {c["url"] for c in clicks} == {link_in(sim.text)}
    dates = [c["date"] for c in clicks]
    assert dates == sorted(dates)
    newest = await get(fake_url, f"/bulks/{bulk}/requests?_order[date]=desc")
    assert newest["hydra:member"][0]["date"] == max(dates)
    middle = sorted(dates)[len(dates) // 2]
    later = await get(fake_url, f"/bulks/{bulk}/requests?date[gte]={middle}")
    assert later["hydra:totalItems"] == len([d for d in dates if d >= middle])
    one = clicks[0]
    assert await get(fake_url, f"/short_link_requests/{one['id']}") == one


async def test_a_bulk_without_a_link_has_no_clicks_and_an_unknown_one_is_404(
    fake: FakeLox24, fake_url: str
) -> None:
    plain = next(b.uuid for b in fake.account if link_in(b.text) is None)
    assert (await get(fake_url, f"/bulks/{plain}/requests"))["hydra:totalItems"] == 0
    await get(fake_url, "/bulks/00000000-0000-0000-0000-000000000000/requests", status=404)


@pytest.mark.parametrize("quirk", ["replies_unlinked", "hostile_replies"])
async def test_reply_quirks(clock: VirtualClock, quirk: str) -> None:
    account = SimulatedAccount.demo(clock.now())
    for bulk in account:
        bulk.quirks = frozenset({quirk})
    fake = FakeLox24(account, clock=clock)
    async with serve(fake) as url:
        replies = (await get(url, "/incomings"))["hydra:member"]
    assert replies
    if quirk == "replies_unlinked":
        assert {r["msg_uuid"] for r in replies} == {None}  # matched by nothing: best effort
    else:
        assert any("\x1b" in r["text"] for r in replies)  # as sent: showing it safely is ours
        assert any("\u202e" in r["text"] for r in replies)
