"""The fake LOX24's messages, account and cancel follow the contract, over a real loopback socket:
``GET /sms`` with its filters and pages, ``GET /me`` with a balance that goes down as bulks send,
and ``PUT /bulks/{id}/cancel``."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount, VirtualClock
from lox24tui.fake.account import CANCELED
from lox24tui.fake.server import serve

from .conftest import BIG, TOPPED_UP, add_sending_bulk
from .serving import Served, free_port, stop, wait_until_listening

LD = "application/ld+json"


@pytest.fixture
def fake(clock: VirtualClock) -> FakeLox24:
    account = SimulatedAccount.demo(clock.now())
    add_sending_bulk(account, clock.now())
    return FakeLox24(account, clock=clock)


def client(url: str, accept: str = LD) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=url, headers={"X-LOX24-AUTH-TOKEN": FAKE_TOKEN, "Accept": accept}
    )


async def sms(url: str, accept: str = LD, **params: Any) -> Any:
    async with client(url, accept) as http:
        response = await http.get("/sms", params=params)
    assert response.status_code == 200
    return response.json()


async def total(url: str, **params: Any) -> int:
    body = await sms(url, **params)
    assert isinstance(body["hydra:totalItems"], int)
    return int(body["hydra:totalItems"])


async def test_delivery_reports_arrive_over_time(fake_url: str, clock: VirtualClock) -> None:
    # every message exists once the bulk starts, waiting as new (0) until it is sent
    assert await total(fake_url, bulk=BIG) == 50_000
    assert await total(fake_url, bulk=BIG, is_sent="true") == 0
    assert await total(fake_url, bulk=BIG, **{"status_code[]": 0}) == 50_000
    clock.advance(60)  # a tenth of the bulk is out
    assert await total(fake_url, bulk=BIG, is_sent="true") == 5_000 - 100  # less 2 % never sent
    assert await total(fake_url, bulk=BIG, **{"status_code[]": 0}) == 45_000
    delivered_early = await total(fake_url, bulk=BIG, dlr_code=1)
    clock.advance(8 * 3600)  # long after the last message
    assert await total(fake_url, bulk=BIG) == 50_000
    by_code = {code: await total(fake_url, bulk=BIG, dlr_code=code) for code in (0, 1, 2, 4, 8, 16)}
    assert sum(by_code.values()) == 50_000
    assert by_code[1] > 0.9 * 50_000 > delivered_early  # most delivered, over time
    assert by_code[8] > 0 and by_code[16] > 0  # a few expired or rejected
    assert by_code[2] == by_code[4] == 0  # nothing left on the way after eight hours
    not_sent = await total(fake_url, bulk=BIG, **{"status_code[]": [3000, 208, 2000, 5000]})
    assert not_sent == by_code[0] > 0  # the messages never sent have no report
    assert await total(fake_url, bulk=BIG, is_sent="false") == not_sent


async def test_some_messages_are_still_on_the_way_while_a_bulk_sends(
    fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(300)
    queued = await total(fake_url, bulk=BIG, dlr_code=2)
    submitted = await total(fake_url, bulk=BIG, dlr_code=4)
    either = await total(fake_url, bulk=BIG, **{"dlr_code[]": [2, 4]})
    assert queued > 0 and submitted > 0 and either == queued + submitted


async def test_each_not_sent_status_appears(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(3600)
    counts = {c: await total(fake_url, bulk=BIG, **{"status_code[]": c}) for c in (208, 5000)}
    assert all(count > 0 for count in counts.values())
    assert sum(counts.values()) < 0.05 * 50_000
    assert await total(fake_url, bulk=BIG, **{"status_code[]": 3000}) == 0  # money enough


async def test_once_the_balance_runs_out_messages_get_3000_and_cost_nothing(
    clock: VirtualClock,
) -> None:
    account = SimulatedAccount()
    add_sending_bulk(account, clock.now())
    account.set_balance(Decimal("75.00"), clock.now())  # 1,000 messages at 0.075
    clock.advance(600)
    async with serve(FakeLox24(account, clock=clock)) as url:
        no_funds = await total(url, bulk=BIG, **{"status_code[]": 3000})
        sent = await total(url, bulk=BIG, is_sent="true")
        async with client(url, "application/json") as http:
            me = (await http.get("/me")).json(parse_float=Decimal)
    assert no_funds == 49_000
    assert 900 < sent < 1_000  # the paid ones, but those blocked or without operator
    assert me["balance_amount"] == 0
    assert me["balance_changed_at"] < clock.now() - 500  # paid for nothing since it ran out


async def test_pages_follow_the_view_and_hold_the_same_messages_every_time(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(2)  # 166 messages sent, none with a report yet
    transmitted: dict[str, Any] = {"status_code[]": 100}  # sent to an operator
    first = await sms(fake_url, bulk=BIG, **transmitted)
    view = first["hydra:view"]
    assert first["hydra:totalItems"] == 161  # less the few never sent: 208, 2000 or 5000
    assert len(first["hydra:member"]) == fake.page_size
    assert view["hydra:next"].endswith("page=2") and "hydra:previous" not in view
    assert view["hydra:last"].endswith(f"page={-(-161 // fake.page_size)}")
    async with client(fake_url) as http:
        second = (await http.get(view["hydra:next"])).json()
    uuids = [m["uuid"] for m in first["hydra:member"] + second["hydra:member"]]
    assert len(set(uuids)) == 2 * fake.page_size
    again = await sms(fake_url, bulk=BIG, **transmitted)
    assert [m["uuid"] for m in again["hydra:member"]] == uuids[: fake.page_size]
    newest = await sms(fake_url, bulk=BIG, **transmitted, **{"_order[created_at]": "desc"})
    created = [m["created_at"] for m in newest["hydra:member"]]
    assert created == sorted(created, reverse=True)
    assert not {m["uuid"] for m in newest["hydra:member"]} & set(uuids)  # 161 - 60 > 30


async def test_a_message_has_the_contract_fields_and_a_fictional_number(
    fake_url: str, clock: VirtualClock
) -> None:
    clock.advance(60)
    (message, *_) = (await sms(fake_url, bulk=BIG, dlr_code=1))["hydra:member"]
    assert message["dlr_code"] == 1 and message["status_code"] == 100
    assert message["phone"].startswith("+447700900") and len(message["phone"]) == 13
    assert message["is_sent"] is True and message["bulk_id"] == BIG
    assert message["parts_count"] == 1 and message["price"] == 0.075
    for name in ("uuid", "text", "sender_id", "delivery_at", "gateway_sent_at", "created_at"):
        assert message[name] is not None
    assert {"source", "ip", "is_unicode", "iso2", "voice_lang", "service_code"} <= set(message)
    (never, *_) = (await sms(fake_url, bulk=BIG, is_sent="false"))["hydra:member"]
    assert never["gateway_sent_at"] is None and never["price"] == 0


async def test_plain_json_is_a_bare_array(fake_url: str, clock: VirtualClock) -> None:
    clock.advance(60)
    body = await sms(fake_url, accept="application/json", bulk=BIG, dlr_code=1)
    assert isinstance(body, list) and body and all(m["dlr_code"] == 1 for m in body)


@pytest.mark.parametrize(
    ("quirk", "expected"), [("absent", ...), ("null", None), ("string", "50000")]
)
async def test_total_items_can_be_made_absent_null_or_a_string(
    fake: FakeLox24, fake_url: str, quirk: Any, expected: Any
) -> None:
    fake.total_items = quirk
    body = await sms(fake_url, bulk=BIG)
    assert body.get("hydra:totalItems", ...) == expected


async def test_unknown_codes_appear_on_a_quirky_bulk(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    fake.account.get(BIG).quirks = frozenset({"odd_codes"})  # type: ignore[union-attr]
    clock.advance(600)
    assert await total(fake_url, bulk=BIG, dlr_code=32) > 0
    assert await total(fake_url, bulk=BIG, dlr_code=16) == 0


async def test_the_account_balance_goes_down_as_bulks_send(
    fake: FakeLox24, fake_url: str, clock: VirtualClock
) -> None:
    async with client(fake_url, "application/json") as http:
        before = (await http.get("/me")).json(parse_float=Decimal)
        clock.advance(60)
        after = (await http.get("/me")).json(parse_float=Decimal)
    assert set(before) == {
        "id",
        "currency",
        "balance_amount",
        "balance_changed_at",
        "is_text_deleted",
        "services",
        "groups",
    }
    assert before["id"] == 1234567 and before["currency"] == "EUR"
    assert before["balance_amount"] == TOPPED_UP
    assert after["balance_amount"] <= before["balance_amount"] - Decimal("375")  # 5,000 x 0.075
    assert after["balance_changed_at"] > before["balance_changed_at"]
    assert "direct" in after["services"]


async def test_cancel_stops_a_sending_bulk(fake_url: str, clock: VirtualClock) -> None:
    clock.advance(60)
    async with client(fake_url) as http:
        canceled = await http.put(f"/bulks/{BIG}/cancel")
        clock.advance(600)
        status = (await http.get(f"/bulks/{BIG}/status")).json()
        again = await http.put(f"/bulks/{BIG}/cancel")
    assert canceled.status_code == 200 and canceled.json()["status_code"] == CANCELED
    assert status["status_code"] == CANCELED and status["msg_total_count"] == 50_000
    sent = await total(fake_url, bulk=BIG, **{"status_code[]": [100, 208, 2000, 5000]})
    assert sent == 5_000  # nothing more was sent: the rest were stopped (6000)
    assert await total(fake_url, bulk=BIG, **{"status_code[]": 6000}) == 45_000
    assert again.status_code == 400
    assert "cannot be canceled" in again.json()["hydra:description"]


async def test_cancel_of_a_finished_or_unknown_bulk_is_refused(
    fake: FakeLox24, fake_url: str
) -> None:
    finished = next(b.uuid for b in fake.account if b.label == "Spring survey (text deleted)")
    async with client(fake_url, "application/json") as http:
        refused = await http.put(f"/bulks/{finished}/cancel")
        unknown = await http.put("/bulks/00000000-0000-1000-8000-000000000000/cancel")
        methods = [
            (await http.request(m, f"/bulks/{BIG}/cancel")).status_code
            for m in ("GET", "POST", "DELETE", "PATCH")
        ]
    assert refused.status_code == 400 and "status_code 10" in refused.json()["detail"]
    assert unknown.status_code == 404
    assert methods == [405, 405, 405, 405]


PENDING: dict[str, Any] = {"dlr_code[]": [2, 4]}


async def test_a_share_of_messages_stays_pending_for_ever(clock: VirtualClock) -> None:
    start = clock.now()
    stuck = SimulatedAccount.generated(
        2, start, final_fraction=1.0, messages=2_000, pending_forever=0.05
    )
    settled = SimulatedAccount.generated(2, start, final_fraction=1.0, messages=2_000)
    async with (
        serve(FakeLox24(stuck, clock=clock)) as stuck_url,
        serve(FakeLox24(settled, clock=clock)) as settled_url,
    ):
        bulk = next(iter(stuck)).uuid
        clock.advance(7 * 3600)  # every report of the other kinds is final by now
        early = await sms(stuck_url, bulk=bulk, **PENDING)
        clock.advance(65 * 3600)  # three days after sending
        late = await sms(stuck_url, bulk=bulk, **PENDING)
        assert await total(settled_url, bulk=bulk, **PENDING) == 0
        assert await total(stuck_url, bulk=bulk) == 2_000
    assert early["hydra:totalItems"] == late["hydra:totalItems"] == 100  # 5 % of 2,000
    # the same messages every time, submitted and never final
    assert [m["uuid"] for m in late["hydra:member"]] == [m["uuid"] for m in early["hydra:member"]]
    assert {m["dlr_code"] for m in late["hydra:member"]} == {4}


def test_fake_server_serves_pending_forever_from_the_command_line(tmp_path: Path) -> None:
    port = free_port()
    out, err = tmp_path / "fake.out", tmp_path / "fake.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lox24tui",
                "fake-server",
                "--port",
                str(port),
                "--bulks",
                "3",
                "--final-fraction",
                "1",
                "--messages",
                "1000",
                "--pending-forever",
                "0.05",
            ],
            stdin=subprocess.DEVNULL,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    try:
        served = Served(f"http://127.0.0.1:{port}", process, out, err)
        wait_until_listening(served, says="Fake LOX24 serving")
        headers = {"X-LOX24-AUTH-TOKEN": FAKE_TOKEN, "Accept": LD}
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as http:
            bulks = http.get("/bulks", params={"itemsPerPage": 10}).json()["hydra:member"]
            pending = [
                http.get("/sms", params={"bulk": bulk["uuid"], **PENDING}).json()[
                    "hydra:totalItems"
                ]
                for bulk in bulks
            ]
    finally:
        stop(process)
    # processed within the last two hours: the pending-forever 5 % plus those still on the way
    assert len(pending) == 3 and all(50 <= count < 1000 for count in pending)


def test_fake_server_refuses_a_share_outside_0_to_1(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "lox24tui", "fake-server", "--bulks", "1", "--pending-forever", "5"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--pending-forever: must be a number from 0 to 1" in done.stderr
    assert "Traceback" not in done.stderr
