"""The fake LOX24 follows the contract: auth, request ids, content types, the IP-block rule, and a
simulated account whose bulks live through their states as time passes."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import httpx
import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount, VirtualClock
from lox24tui.fake.app import BLOCK_SECONDS

WRONG = "1234567:00000000000000000000000000000000"


def http(fake: FakeLox24, client_ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=fake, client=(client_ip, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://fake.test")


def auth(token: str = FAKE_TOKEN) -> dict[str, str]:
    return {"X-LOX24-AUTH-TOKEN": token}


def first_bulk(fake: FakeLox24, label: str) -> str:
    return next(bulk.uuid for bulk in fake.account if bulk.label == label)


async def test_every_response_has_a_32_character_request_id(fake: FakeLox24) -> None:
    bulk = first_bulk(fake, "Black Friday newsletter")
    async with http(fake) as client:
        responses = [
            await client.get(f"/bulks/{bulk}/status", headers=auth()),
            await client.get("/bulks/00000000-0000-0000-0000-000000000000/status", headers=auth()),
            await client.get("/me", headers=auth(WRONG)),
            await client.get("/nowhere", headers=auth()),
        ]
    assert [r.status_code for r in responses] == [200, 404, 401, 404]
    ids = [r.headers["X-LOX24-REQUEST-ID"] for r in responses]
    assert all(re.fullmatch(r"[A-Za-z0-9]{32}", i) for i in ids)
    assert len(set(ids)) == 4


async def test_status_has_every_contract_field_in_json_and_ld_json(fake: FakeLox24) -> None:
    bulk = first_bulk(fake, "Appointment reminders (voice)")
    fields = {
        "uuid",
        "delivery_at",
        "status_code",
        "msg_total_count",
        "created_at",
        "processed_at",
        "ip",
        "is_unicode",
        "is_dryrun",
        "service_code",
        "key_id",
        "source",
        "voice_lang",
        "is_text_deleted",
        "price",
    }
    async with http(fake) as client:
        plain = await client.get(f"/bulks/{bulk}/status", headers=auth())
        ld = await client.get(
            f"/bulks/{bulk}/status", headers={**auth(), "Accept": "application/ld+json"}
        )
    assert plain.headers["content-type"].startswith("application/json")
    assert set(plain.json()) == fields
    assert ld.headers["content-type"].startswith("application/ld+json")
    assert set(ld.json()) == fields | {"@context", "@id", "@type"}
    assert ld.json()["@id"] == f"/bulks/{bulk}"
    assert plain.json()["voice_lang"] == "DE" and plain.json()["service_code"] == "text2speech"


async def test_the_full_bulk_adds_its_content(fake: FakeLox24) -> None:
    bulk = first_bulk(fake, "Store opening reminder")
    async with http(fake) as client:
        body = (await client.get(f"/bulks/{bulk}", headers=auth())).json()
    assert {"sender_id", "text", "phones", "msg_groups"} <= set(body)


async def test_a_bulk_moves_from_scheduled_through_sending_to_processed(
    fake: FakeLox24, clock: VirtualClock
) -> None:
    bulk = first_bulk(fake, "Store opening reminder")
    seen = []
    async with http(fake) as client:
        for _ in range(6):
            body = (await client.get(f"/bulks/{bulk}/status", headers=auth())).json()
            seen.append((body["status_code"], body["msg_total_count"], body["price"]))
            clock.advance(12)
    codes = [code for code, _, _ in seen]
    assert codes[0] == 0 and body["delivery_at"] > clock.now() - 72
    assert 5 in codes and codes[-1] == 10
    counts = [count for _, count, _ in seen]
    prices = [price for _, _, price in seen]
    assert counts == sorted(counts) and counts[-1] > counts[0]
    assert prices == sorted(prices) and prices[-1] > 0


def test_the_demo_account_has_every_kind_of_bulk(clock: VirtualClock) -> None:
    account = SimulatedAccount.demo(clock.now())
    now = clock.now()
    states = [bulk.status_json(now) for bulk in account]
    codes = {state["status_code"] for state in states}
    assert {0, 5, 10, 15, 20, 201} <= codes
    assert any(s["status_code"] == 0 and s["delivery_at"] > now + 3600 for s in states)
    assert any(s["is_dryrun"] for s in states)
    assert any(s["is_unicode"] for s in states)
    assert any(s["voice_lang"] == "DE" for s in states)
    assert any(s["service_code"] == "text2speech_ssml" and s["voice_lang"] is None for s in states)
    assert any(isinstance(s["created_at"], str) and isinstance(s["price"], str) for s in states)
    watched = account.watched_demo_ids()
    changing_soon = [
        bulk
        for bulk in account
        if (bulk.uuid, bulk.label) in watched and bulk.state(now)[0] != bulk.state(now + 120)[0]
    ]
    assert len(changing_soon) >= 2


async def test_a_wrong_or_missing_token_gets_401(fake: FakeLox24) -> None:
    async with http(fake) as client:
        wrong = await client.get("/me", headers=auth(WRONG))
        missing = await client.get("/me")
    assert wrong.status_code == missing.status_code == 401
    assert wrong.json()["detail"] == "Invalid credentials."


async def test_more_than_three_bad_credentials_in_a_minute_block_the_ip_for_ten_minutes(
    fake: FakeLox24, clock: VirtualClock
) -> None:
    async with http(fake) as client, http(fake, "10.9.9.9") as other:
        statuses = []
        for _ in range(4):
            statuses.append((await client.get("/me", headers=auth(WRONG))).status_code)
            clock.advance(5)
        assert statuses == [401, 401, 401, 429]
        blocked = await client.get("/me", headers=auth())
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) == pytest.approx(BLOCK_SECONDS - 5, abs=1)
        assert (await other.get("/me", headers=auth())).status_code == 200
        clock.advance(BLOCK_SECONDS - 10)
        assert (await client.get("/me", headers=auth())).status_code == 429
        clock.advance(10)
        assert (await client.get("/me", headers=auth())).status_code == 200


async def test_bad_credentials_spread_over_more_than_a_minute_do_not_block(
    fake: FakeLox24, clock: VirtualClock
) -> None:
    async with http(fake) as client:
        for _ in range(8):
            assert (await client.get("/me", headers=auth(WRONG))).status_code == 401
            clock.advance(21)
        assert (await client.get("/me", headers=auth())).status_code == 200


async def test_the_block_can_come_without_retry_after(clock: VirtualClock) -> None:
    fake = FakeLox24(SimulatedAccount(), clock=clock, retry_after_on_block=False)
    async with http(fake) as client:
        for _ in range(4):
            response = await client.get("/me", headers=auth(WRONG))
    assert response.status_code == 429 and "Retry-After" not in response.headers


async def test_an_account_not_yet_active_gets_403(clock: VirtualClock) -> None:
    fake = FakeLox24(SimulatedAccount(), clock=clock, account_active=False)
    async with http(fake) as client:
        assert (await client.get("/me", headers=auth())).status_code == 403


async def test_the_list_is_newest_first_paged_and_filtered(fake: FakeLox24) -> None:
    async with http(fake) as client:
        first = (await client.get("/bulks?page=1", headers=auth())).json()
        second = (await client.get("/bulks?page=2", headers=auth())).json()
        ld = (
            await client.get("/bulks?page=1", headers={**auth(), "Accept": "application/ld+json"})
        ).json()
        canceled = (await client.get("/bulks?status_code[]=15", headers=auth())).json()
    assert len(first) == 30 and len(second) == 30
    created = [int(b["created_at"]) for b in first + second]
    assert created == sorted(created, reverse=True)
    assert ld["hydra:totalItems"] == len(fake.account)
    assert ld["hydra:view"]["hydra:next"] == "/bulks?page=2"
    assert canceled and all(b["status_code"] == 15 for b in canceled)


async def test_faults_are_served_as_asked_and_used_up(fake: FakeLox24) -> None:
    bulk = first_bulk(fake, "Black Friday newsletter")
    fake.fail("status", status=503, times=2)
    fake.fail("html", status=502, bulk_id=bulk)
    async with http(fake) as client:
        statuses = [
            (await client.get(f"/bulks/{bulk}/status", headers=auth())).status_code
            for _ in range(4)
        ]
        page = await client.get(f"/bulks/{bulk}/status", headers=auth())
    assert statuses == [503, 503, 502, 502]
    assert page.headers["content-type"].startswith("text/html")
    fake.clear_faults()
    assert [entry.status for entry in fake.requests("/bulks/")] == [503, 503, 502, 502, 502]


def test_the_fake_is_written_from_the_contract_not_from_the_client() -> None:
    package = Path(__file__).parent.parent / "lox24tui" / "fake"
    for source in package.glob("*.py"):
        tree = ast.parse(source.read_text())
        imported = [
            node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module
        ] + [
            alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import)
            for alias in node.names
        ]
        assert not [m for m in imported if m.startswith("lox24tui.api")], source.name


def test_status_bodies_are_plain_json(fake: FakeLox24) -> None:
    for bulk in fake.account:
        body = bulk.status_json(fake.clock.now())
        assert json.loads(json.dumps(body)) == body  # nothing but JSON's own types
        assert body["uuid"] == bulk.uuid


async def test_odd_query_values_do_not_break_the_fake(fake: FakeLox24) -> None:
    async with http(fake) as client:
        response = await client.get("/bulks?page=²&status_code[]=¹", headers=auth())
    assert response.status_code == 200
    assert len(response.json()) == 30
