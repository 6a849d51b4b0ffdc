"""The client against the fake LOX24 over a real loopback socket: the HTTP path end to end."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lox24tui.api import (
    BulkNotFound,
    InvalidToken,
    Lox24Client,
    NetworkError,
    RateLimited,
    ServerError,
    Token,
    UnreadableResponse,
)
from lox24tui.api.records import CONTRACT_FIELDS, reply_record
from lox24tui.fake import FakeLox24

WRONG = Token("1234567:00000000000000000000000000000000")


def labelled(fake: FakeLox24, label: str) -> str:
    return next(bulk.uuid for bulk in fake.account if bulk.label == label)


async def test_status_of_a_voice_bulk_with_every_field(
    fake: FakeLox24, fake_url: str, token: str
) -> None:
    bulk = labelled(fake, "Appointment reminders (voice)")
    async with Lox24Client(Token(token), fake_url) as client:
        reply = await client.get_bulk_status(bulk)
    status = reply.status
    assert status.uuid == bulk
    assert status.status.label == "in progress"
    assert status.voice_language == "German"
    assert status.service_code == "text2speech"
    assert isinstance(status.price, Decimal) and status.price > 0
    assert reply.request_id is not None and len(reply.request_id) == 32
    record = reply_record(reply, datetime.fromtimestamp(fake.clock.now(), UTC))
    assert set(CONTRACT_FIELDS) <= set(record)
    assert all(record[name] is not None for name in CONTRACT_FIELDS if name not in {"source"})


async def test_ld_json_over_http(fake: FakeLox24, fake_url: str, token: str) -> None:
    bulk = labelled(fake, "Black Friday newsletter")
    async with Lox24Client(Token(token), fake_url, accept="application/ld+json") as client:
        reply = await client.get_bulk_status(bulk)
        page = await client.list_bulks()
    assert reply.status.json_ld_id == f"/bulks/{bulk}"
    assert page.total == len(fake.account) and page.next_page == 2


async def test_the_quirky_legacy_bulk_reads_cleanly(
    fake: FakeLox24, fake_url: str, token: str
) -> None:
    bulk = labelled(fake, "Legacy economy campaign")
    async with Lox24Client(Token(token), fake_url) as client:
        status = (await client.get_bulk_status(bulk)).status
    assert status.created_at is not None
    assert status.price == Decimal("48")
    assert status.msg_total_count == 640
    assert status.extra_fields == {"sms_parts": 2}
    assert status.unreadable_fields == {}


async def test_plain_json_list_pages_until_empty(
    fake: FakeLox24, fake_url: str, token: str
) -> None:
    async with Lox24Client(Token(token), fake_url) as client:
        seen: list[str] = []
        page_number: int | None = 1
        while page_number is not None:
            page = await client.list_bulks(page=page_number)
            seen += [item.uuid for item in page.items if item.uuid]
            page_number = page.next_page
    assert len(seen) == len(set(seen)) == len(fake.account)


async def test_wrong_token_over_http(fake_url: str) -> None:
    async with Lox24Client(WRONG, fake_url) as client:
        with pytest.raises(InvalidToken) as caught:
            await client.check_token()
    assert caught.value.request_id is not None
    assert "00000000000000000000" not in str(caught.value) + repr(caught.value)


async def test_fourth_bad_request_is_blocked(fake_url: str) -> None:
    async with Lox24Client(WRONG, fake_url) as client:
        for _ in range(3):
            with pytest.raises(InvalidToken):
                await client.check_token()
        with pytest.raises(RateLimited) as caught:
            await client.check_token()
    assert caught.value.retry_after == 600


async def test_not_found_and_server_errors_over_http(
    fake: FakeLox24, fake_url: str, token: str
) -> None:
    missing = "00000000-0000-1000-8000-000000000000"
    fake.fail("status", status=500, times=1)
    fake.fail("html", status=502, times=1)
    async with Lox24Client(Token(token), fake_url) as client:
        with pytest.raises(ServerError) as first:
            await client.get_bulk_status(missing)
        with pytest.raises(ServerError) as second:
            await client.get_bulk_status(missing)
        with pytest.raises(BulkNotFound):
            await client.get_bulk_status(missing)
    assert first.value.http_status == 500
    assert second.value.http_status == 502 and second.value.detail == "502 Bad Gateway"


@pytest.mark.parametrize(
    ("kind", "reason"),
    [("malformed", "not valid JSON"), ("truncated", "truncated"), ("wrong_shape", "got list")],
)
async def test_broken_bodies_over_http(
    fake: FakeLox24, fake_url: str, token: str, kind: str, reason: str
) -> None:
    fake.fail(kind)
    async with Lox24Client(Token(token), fake_url) as client:
        with pytest.raises(UnreadableResponse) as caught:
            await client.get_bulk_status(labelled(fake, "Black Friday newsletter"))
    assert reason in str(caught.value)


async def test_a_server_that_hangs_times_out(fake: FakeLox24, fake_url: str, token: str) -> None:
    fake.fail("hang", delay=5.0)
    async with Lox24Client(Token(token), fake_url, timeout=0.2) as client:
        with pytest.raises(NetworkError) as caught:
            await client.get_bulk_status(labelled(fake, "Black Friday newsletter"))
    assert "no answer within 0.2 s" in str(caught.value)


async def test_a_refused_connection_is_a_network_error(token: str) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with Lox24Client(Token(token), f"http://127.0.0.1:{port}") as client:
        with pytest.raises(NetworkError) as caught:
            await client.get_bulk_status("da0fa78c-4699-11ea-a637-96000028b339")
    assert "could not connect" in str(caught.value)
