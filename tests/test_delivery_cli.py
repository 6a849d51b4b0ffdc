"""messages, account, cancel and status's delivery counts as a user runs them: subprocesses
against the fake LOX24 over loopback."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path

import pytest

from lox24tui.api import ACCOUNT_FIELDS, MESSAGE_FIELDS, NOT_SENT_CODES
from lox24tui.engine.delivery import OUTCOMES
from lox24tui.fake import FakeLox24
from tests.cli_process import answered_on_a_terminal, labelled, lox24tui

PHONE = "+447700900"
"""The start of every phone number of the fake (Ofcom's drama range)."""
SENDING = "Black Friday newsletter"
SCHEDULED = "Tomorrow's morning promo"
FINISHED = "Spring survey (text deleted)"


def set_config(text: str) -> None:
    folder = Path(os.environ["XDG_CONFIG_HOME"]) / "lox24tui"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.toml").write_text(text, encoding="utf-8")


def writes(fake: FakeLox24) -> list[str]:
    return [entry.path for entry in fake.log if entry.method != "GET"]


def test_messages_json_has_lox24_field_names_and_exact_prices(
    live_fake: FakeLox24, live_url: str
) -> None:
    bulk = labelled(live_fake, SENDING)
    done = lox24tui("messages", bulk, "--json", "--limit", "5", url=live_url)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line, parse_float=Decimal) for line in done.stdout.splitlines()]
    assert len(records) == 5
    assert set(records[0]) == set(MESSAGE_FIELDS)
    assert all(r["phone"].startswith(PHONE) and r["bulk_id"] == bulk for r in records)
    assert '"price": 0.075' in done.stdout  # an exact number, not a string, not a float's tail


def test_messages_can_be_masked_and_filtered(live_fake: FakeLox24, live_url: str) -> None:
    bulk = labelled(live_fake, SENDING)
    masked = lox24tui("messages", bulk, "--mask", "--limit", "3", url=live_url)
    assert masked.returncode == 0, masked.stderr
    assert PHONE not in masked.stdout and masked.stdout.count("+44 ••• ") == 3
    never = lox24tui("messages", bulk, "--dlr", "not_sent", "--json", "--mask", url=live_url)
    records = [json.loads(line) for line in never.stdout.splitlines()]
    assert records and all(r["status_code"] in NOT_SENT_CODES for r in records)
    assert all(r["phone"].startswith("+44 ••• ") for r in records)
    assert "not_sent" in OUTCOMES  # one vocabulary: `messages --dlr` offers exactly these


def test_account_shows_balance_currency_and_a_low_balance_warning(live_url: str) -> None:
    as_json = lox24tui("account", "--json", url=live_url)
    assert as_json.returncode == 0, as_json.stderr
    record = json.loads(as_json.stdout, parse_float=Decimal)
    assert set(record) == {*ACCOUNT_FIELDS, "forecast"} and record["currency"] == "EUR"
    assert isinstance(record["balance_amount"], Decimal)
    spend = record["forecast"]  # the demo: tomorrow's promo estimated, next week's priced
    assert spend["estimated"] and spend["over_balance"] and Decimal(spend["cost"]) > 2000
    assert {bulk["basis"] for bulk in spend["bulks"]} >= {"priced", "estimate"}
    set_config("low_balance = 1000\n")
    human = lox24tui("account", url=live_url)
    assert human.returncode == 0
    assert "EUR" in human.stdout and "below your low_balance of 1,000.00 EUR" in human.stdout
    lines = {line.split(maxsplit=1)[0]: line for line in human.stdout.splitlines()}
    assert "scheduled bulks need at least" in lines["scheduled"]  # one starts in 20 s: no size
    assert "1 bulk priced by LOX24; estimate at the price per message" in lines["basis"]
    assert "would cost more than the balance" in human.stdout


def test_cancel_without_a_terminal_needs_yes(live_fake: FakeLox24, live_url: str) -> None:
    bulk = labelled(live_fake, SCHEDULED)
    refused = lox24tui("cancel", bulk, url=live_url)
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert writes(live_fake) == []
    done = lox24tui("cancel", bulk, "--yes", url=live_url)
    assert done.returncode == 0, done.stderr
    assert f"✓ {bulk}  canceled (15)" in done.stdout
    assert writes(live_fake) == [f"/bulks/{bulk}/cancel"]


def test_cancel_says_why_lox24_refused_and_exits_1(live_fake: FakeLox24, live_url: str) -> None:
    scheduled, finished = labelled(live_fake, SCHEDULED), labelled(live_fake, FINISHED)
    done = lox24tui("cancel", finished, scheduled, "--yes", url=live_url)
    assert done.returncode == 1
    assert f"✗ {finished}  refused:" in done.stdout and "cannot be canceled" in done.stdout
    assert f"✓ {scheduled}" in done.stdout


@pytest.mark.parametrize("how", ["flag", "config"])
def test_read_only_refuses_to_cancel_and_sends_nothing(
    live_fake: FakeLox24, live_url: str, how: str
) -> None:
    bulk = labelled(live_fake, SCHEDULED)
    if how == "flag":
        done = lox24tui("--read-only", "cancel", bulk, "--yes", url=live_url)
    else:
        set_config("read_only = true\n")
        done = lox24tui("cancel", bulk, "--yes", url=live_url)
    assert done.returncode == 2 and "read-only" in done.stderr
    assert live_fake.log == []
    assert lox24tui("--read-only", "watch", "add", bulk).returncode == 0  # local: allowed


def test_cancel_on_a_terminal_asks_first(live_fake: FakeLox24, live_url: str) -> None:
    bulk = labelled(live_fake, SCHEDULED)
    done = answered_on_a_terminal("cancel", bulk, answer=b"y\n", url=live_url)
    assert done.returncode == 0, done.stderr
    assert "[y/N]" in done.stdout and f"✓ {bulk}" in done.stdout


def test_status_with_delivery_carries_the_breakdown(live_fake: FakeLox24, live_url: str) -> None:
    bulk = labelled(live_fake, SENDING)
    done = lox24tui("status", bulk, "--json", "--delivery", url=live_url)
    assert done.returncode == 0, done.stderr
    delivery = json.loads(done.stdout)["delivery"]
    assert set(delivery) == {*OUTCOMES, "waiting", "other", "total", "partial", "settled"}
    assert delivery["total"] > 0 and delivery["settled"] is False
    assert delivery["partial"] is False  # counts ask for ld+json, whose totals make them cheap
    assert len(live_fake.requests("/sms")) <= 7
    human = lox24tui("status", bulk, "--delivery", url=live_url)
    assert "    outcomes " in human.stdout and " delivered · " in human.stdout


def test_status_sends_one_request_per_id_and_counts_nothing_unasked(
    live_fake: FakeLox24, live_url: str
) -> None:
    ids = [labelled(live_fake, name) for name in (SENDING, SCHEDULED, FINISHED)]
    done = lox24tui("status", *ids, "--json", url=live_url)
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [r["id"] for r in records] == ids
    assert all("delivery" not in r for r in records)  # the object comes only with --delivery
    assert len(live_fake.log) == len(ids)  # one request per id, and nothing else
    assert live_fake.requests("/sms") == []
    human = lox24tui("status", *ids, url=live_url)
    assert "outcomes" not in human.stdout
    assert len(live_fake.log) == 2 * len(ids)


def test_status_watch_does_not_take_delivery(live_url: str) -> None:
    done = lox24tui("status", "--watch", "--delivery", "x", url=live_url)
    assert done.returncode == 2 and "--delivery" in done.stderr


def test_status_stops_when_lox24_rate_limits_a_delivery_count(
    live_fake: FakeLox24, live_url: str
) -> None:
    bulk = labelled(live_fake, SENDING)
    live_fake.fail("status", status=429, path="/sms", retry_after="600")
    done = lox24tui("status", bulk, "--json", "--delivery", url=live_url)
    assert done.returncode == 2 and "stopped" in done.stderr
    record = json.loads(done.stdout)
    assert record["status_code"] == 5  # the status itself arrived
    assert record["delivery"] is None and record["delivery_error"]["kind"] == "rate_limited"
    assert [e.status for e in live_fake.requests("/sms")] == [429]  # the guard stopped the rest


def test_status_delivery_counts_when_asked_even_with_the_dashboards_delivery_off(
    live_fake: FakeLox24, live_url: str
) -> None:
    set_config("delivery = false\n")
    done = lox24tui("status", labelled(live_fake, SENDING), "--json", "--delivery", url=live_url)
    assert json.loads(done.stdout)["delivery"]["total"] > 0


def test_phone_numbers_appear_only_in_messages_output(
    live_fake: FakeLox24, live_url: str, tmp_path: Path
) -> None:
    bulk = labelled(live_fake, SENDING)
    assert lox24tui("watch", "add", bulk).returncode == 0
    outputs = [
        lox24tui("status", bulk, "--json", "--delivery", url=live_url),
        lox24tui("status", bulk, "--delivery", url=live_url),
        lox24tui("export", "--format", "json", url=live_url),
        lox24tui("export", url=live_url),
    ]
    live_fake.fail("status", status=500, bulk_id=bulk)
    outputs.append(lox24tui("messages", bulk, url=live_url))
    assert outputs[-1].returncode == 2 and "LOX24" in outputs[-1].stderr  # no answer: a 5xx
    for done in outputs:
        assert PHONE not in done.stdout + done.stderr
    state = Path(os.environ["XDG_STATE_HOME"])
    for path in state.rglob("*"):
        if path.is_file():
            assert PHONE not in path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("command", ["messages", "account", "cancel"])
def test_help_lists_the_exit_statuses(command: str) -> None:
    done = lox24tui(command, "--help")
    assert done.returncode == 0
    assert "exit status:" in done.stdout and "  0  " in done.stdout and "  2  " in done.stdout
