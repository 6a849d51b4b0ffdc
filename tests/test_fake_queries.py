"""The fake reads query strings as LOX24's API Platform does: every form of filter the contract
names, LOX24's PHP client's ``prop[0]=`` form among them; a parameter LOX24 does not know is
ignored (everything comes back, as from LOX24) and noted, so that no client bug hides behind it.
Over loopback, with httpx as any client would ask."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24
from lox24tui.fake.messages import message_uuid

HEADERS = {"X-LOX24-AUTH-TOKEN": FAKE_TOKEN, "Accept": "application/ld+json"}


async def collection(url: str, path: str, query: str = "") -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, headers=HEADERS) as client:
        response = await client.get(f"{path}?{query}" if query else path)
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def total(url: str, path: str, query: str = "") -> int:
    found: int = (await collection(url, path, query))["hydra:totalItems"]
    return found


def uuids(body: dict[str, Any]) -> list[str]:
    return [item["uuid"] for item in body["hydra:member"]]


async def test_every_form_of_several_values_reads_alike(fake_url: str) -> None:
    processed = await total(fake_url, "/bulks", "status_code=10")
    canceled = await total(fake_url, "/bulks", "status_code=15")
    assert processed > 0 and canceled > 0
    for query in (
        "status_code[]=10&status_code[]=15",
        "status_code[0]=10&status_code[1]=15",  # LOX24's PHP client (http_build_query)
    ):
        assert await total(fake_url, "/bulks", query) == processed + canceled


async def test_ranges_and_between_bound_creation_times(fake: FakeLox24, fake_url: str) -> None:
    times = sorted(int(b.created_at) for b in fake.account.newest_first())
    low, high = times[2], times[-3]
    inside = len([t for t in times if low <= t <= high])
    assert 0 < inside < len(times)
    for query in (
        f"created_at[gte]={low}&created_at[lte]={high}",
        f"created_at[between]={low}..{high}",
    ):
        assert await total(fake_url, "/bulks", query) == inside
    before = await total(fake_url, "/bulks", f"created_at[lt]={low}")
    assert before == len([t for t in times if t < low])


async def test_the_order_asked_is_the_order_given(fake_url: str) -> None:
    newest = uuids(await collection(fake_url, "/bulks", "_order[created_at]=desc"))
    oldest = uuids(await collection(fake_url, "/bulks", "_order[created_at]=asc"))
    assert newest[0] != oldest[0]
    everything = uuids(await collection(fake_url, "/bulks"))
    assert everything == newest  # newest first unless asked otherwise


async def test_a_filter_lox24_does_not_know_is_ignored_and_noted(
    fake: FakeLox24, fake_url: str
) -> None:
    everything = await total(fake_url, "/bulks")
    misspelled = await total(fake_url, "/bulks", "statuscode=10&status_code[gte]=10")
    assert misspelled == everything  # as LOX24 would answer it
    assert fake.unknown_filters == ["/bulks: statuscode", "/bulks: status_code[gte]"]
    fake.unknown_filters.clear()  # this test sent them on purpose


def sending_bulk(fake: FakeLox24) -> str:
    """A bulk with many messages, some never sent (blocked, no operator)."""
    now = fake.clock.now()
    return next(b.uuid for b in fake.account.newest_first() if b.sent_by(now) >= 200)


async def test_messages_by_country_unicode_and_id(fake: FakeLox24, fake_url: str) -> None:
    bulk = sending_bulk(fake)
    every = await total(fake_url, "/sms", f"bulk={bulk}")
    assert await total(fake_url, "/sms", f"bulk={bulk}&iso2[]=GB") == every  # all British
    assert await total(fake_url, "/sms", f"bulk={bulk}&iso2=gb") == every  # in any case
    assert await total(fake_url, "/sms", f"bulk={bulk}&iso2[]=DE") == 0
    unicode = fake.account.get(bulk).is_unicode  # type: ignore[union-attr]
    same, other = ("true", "false") if unicode else ("false", "true")
    assert await total(fake_url, "/sms", f"bulk={bulk}&is_unicode={same}") == every
    assert await total(fake_url, "/sms", f"bulk={bulk}&is_unicode={other}") == 0
    wanted = sorted([message_uuid(bulk, 3), message_uuid(bulk, 170)])
    query = f"bulk={bulk}&uuid[]={wanted[0]}&uuid[]={wanted[1]}"
    assert sorted(uuids(await collection(fake_url, "/sms", query))) == wanted


async def test_messages_by_time_sent_and_in_either_order(fake: FakeLox24, fake_url: str) -> None:
    bulk = sending_bulk(fake)
    every = await total(fake_url, "/sms", f"bulk={bulk}")
    sim = fake.account.get(bulk)
    assert sim is not None
    sent = await total(fake_url, "/sms", f"bulk={bulk}&gateway_sent_at[gte]=0")
    not_sent = await total(fake_url, "/sms", f"bulk={bulk}&is_sent=false")
    assert not_sent > 0 and sent + not_sent == every  # never sent: no gateway_sent_at
    middle = int(sim.message_sent_at(sim.sent_by(fake.clock.now()) // 2))
    later = await collection(fake_url, "/sms", f"bulk={bulk}&gateway_sent_at[gte]={middle}")
    assert all(m["gateway_sent_at"] >= middle for m in later["hydra:member"])
    assert 0 < later["hydra:totalItems"] < sent
    started = int(sim.delivery_at)  # all its messages were created when it started sending
    assert await total(fake_url, "/sms", f"bulk={bulk}&created_at[gte]={started}") == every
    assert await total(fake_url, "/sms", f"bulk={bulk}&created_at[gt]={started}") == 0
    newest = await collection(fake_url, "/sms", f"bulk={bulk}&_order[gateway_sent_at]=desc")
    stamps = [m["gateway_sent_at"] for m in newest["hydra:member"]]
    assert None not in stamps  # the messages never sent come last
    assert stamps == sorted(stamps, reverse=True)
    assert stamps[0] >= middle


@pytest.mark.parametrize(
    "query",
    ["dlr_code=1&dlr_code=8", "dlr_code[]=1&dlr_code[]=8", "dlr_code[0]=1&dlr_code[1]=8"],
)
async def test_delivery_codes_in_every_form_count_alike(
    fake: FakeLox24, fake_url: str, query: str
) -> None:
    bulk = sending_bulk(fake)
    delivered = await total(fake_url, "/sms", f"bulk={bulk}&dlr_code=1")
    expired = await total(fake_url, "/sms", f"bulk={bulk}&dlr_code=8")
    assert delivered > 0
    assert await total(fake_url, "/sms", f"bulk={bulk}&{query}") == delivered + expired
