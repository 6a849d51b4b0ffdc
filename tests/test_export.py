"""Exports: one row per watched bulk, every status field, readable by spreadsheets and programs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from lox24tui.api import MESSAGE_FIELDS, BulkStatus, InvalidToken, Message, StatusReply
from lox24tui.api.records import CONTRACT_FIELDS
from lox24tui.engine.bulk_state import BulkState, export_row
from lox24tui.fake import FAKE_TOKEN, FakeLox24, SimulatedAccount
from lox24tui.fake.server import serve_in_thread
from lox24tui.session.config import Locations
from lox24tui.state.export import COLUMNS, message_columns, message_record, to_csv, to_json
from lox24tui.state.store import WatchList
from tests.cli_process import lox24tui

BULK = "da0fa78c-4699-11ea-a637-96000028b339"
NOW = datetime(2025, 11, 26, 10, 0, tzinfo=UTC)
OTHER = "00000000-0000-1000-8000-000000000001"


def states() -> list[tuple[str, BulkState]]:
    status = BulkStatus.model_validate(
        {
            "uuid": BULK,
            "delivery_at": 1764150000,
            "status_code": 10,
            "msg_total_count": 1200,
            "created_at": 1764146400,
            "processed_at": 1764150600,
            "ip": "203.0.113.7",
            "is_unicode": True,
            "is_dryrun": False,
            "service_code": "text2speech",
            "key_id": 3,
            "source": None,
            "voice_lang": "DE",
            "is_text_deleted": False,
            "price": Decimal("90.075"),
        }
    )
    done = BulkState(BULK, reply=StatusReply(BULK, status, "a" * 32, "{}"), last_checked=1764150660)
    broken = BulkState(
        OTHER, error=InvalidToken(http_status=401, request_id="b" * 32), last_checked=1764150661
    )
    return [('Black, "Friday"', done), ("", broken)]


def test_csv_opens_cleanly_in_a_spreadsheet() -> None:
    text = to_csv(export_row(label, state, NOW) for label, state in states())
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == list(COLUMNS)
    first, second = rows
    assert first["label"] == 'Black, "Friday"'
    assert first["id"] == BULK and first["status"] == "processed" and first["status_code"] == "10"
    assert first["delivery_at"] == "2025-11-26T09:40:00+00:00"
    assert first["processed_at"] == "2025-11-26T09:50:00+00:00"
    assert first["last_checked"] == "2025-11-26T09:51:00+00:00"
    assert first["price"] == "90.075" and first["msg_total_count"] == "1200"
    assert first["is_unicode"] == "true" and first["is_dryrun"] == "false"
    assert first["source"] == "" and first["voice_language"] == "German"
    assert first["request_id"] == "a" * 32 and first["last_error"] == ""
    assert second["status"] == "" and second["last_error_kind"] == "invalid_token"
    assert second["request_id"] == "b" * 32
    assert "rejected the API token" in second["last_error"]


def test_json_is_an_array_of_objects_with_every_field() -> None:
    records = json.loads(to_json(export_row(label, state, NOW) for label, state in states()))
    assert isinstance(records, list) and len(records) == 2
    assert set(CONTRACT_FIELDS) <= set(records[0])
    assert records[0]["price"] == 90.075 and records[0]["is_unicode"] is True
    assert records[0]["created_at"] == "2025-11-26T08:40:00+00:00"
    assert records[1]["status_code"] is None


@pytest.fixture
def watched_fake() -> Iterator[tuple[FakeLox24, str, WatchList]]:
    import time

    fake = FakeLox24(SimulatedAccount.demo(time.time()))
    watchlist = WatchList(Locations.default().watchlist_file)
    watchlist.add_many(fake.account.watched_demo_ids()[:5])
    with serve_in_thread(fake) as url:
        yield fake, url, watchlist


def test_export_command_writes_every_watched_bulk(
    watched_fake: tuple[FakeLox24, str, WatchList], tmp_path: Path
) -> None:
    _, url, watchlist = watched_fake
    done = lox24tui("export", "--format", "json", url=url)
    assert done.returncode == 0, done.stderr
    records = json.loads(done.stdout)
    assert [r["id"] for r in records] == watchlist.ids
    assert [r["label"] for r in records] == [watchlist.label_of(i) for i in watchlist.ids]
    assert all(r["status"] and r["last_checked"] for r in records)
    target = tmp_path / "out.csv"
    assert lox24tui("export", "-o", str(target), url=url).returncode == 0
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert len(rows) == 5 and rows[0]["id"] == watchlist.ids[0]
    assert FAKE_TOKEN not in done.stdout + target.read_text()


def test_export_stopped_by_a_bad_token_writes_nothing_and_never_shows_it(
    watched_fake: tuple[FakeLox24, str, WatchList], tmp_path: Path
) -> None:
    fake, url, _ = watched_fake
    bad = "1234567:" + "f" * 32
    earlier = tmp_path / "earlier.csv"
    earlier.write_text("a good export")
    done = lox24tui("export", "-o", str(earlier), url=url, token=bad)
    assert done.returncode == 2
    assert "nothing exported" in done.stderr and "rejected the API token" in done.stderr
    assert earlier.read_text() == "a good export"
    assert "f" * 32 not in done.stdout + done.stderr
    assert len(fake.log) == 1


def test_csv_cells_never_run_as_formulas_and_files_carry_a_bom() -> None:
    label, state = states()[0]
    text = to_csv([export_row('=HYPERLINK("http://x")', state, NOW)], bom=True)
    assert text.startswith("\ufeff")
    row = next(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
    assert row["label"] == '\'=HYPERLINK("http://x")'
    assert label


def test_messages_export_with_every_field_and_inert_cells() -> None:
    message = Message.model_validate(
        {
            "uuid": "m1",
            "phone": "+447700900123",
            "dlr_code": 1,
            "price": "0.075",
            "callback_data": {"order": "=1+1"},
            "brand_new_field": "x",
        }
    )
    rows = [message_record(message)]
    columns = message_columns(rows)
    assert columns[: len(MESSAGE_FIELDS)] == MESSAGE_FIELDS and columns[-1] == "brand_new_field"
    row = next(csv.DictReader(io.StringIO(to_csv(rows, columns=columns))))
    assert row["phone"] == "'+447700900123"  # a spreadsheet must not read it as a formula
    assert row["price"] == "0.075" and row["dlr_code"] == "1"
    assert json.loads(row["callback_data"]) == {"order": "=1+1"}
    assert message_record(message, mask=True)["phone"] == "+44 ••• 0123"
