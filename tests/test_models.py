"""Reading GET /bulks/{id}/status as the contract describes it, quirks included."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lox24tui.api import (
    BulkStatus,
    Message,
    StatusCode,
    label_with_code,
    status_info,
    status_label,
    voice_language_name,
    voice_language_with_code,
)

FULL = {
    "uuid": "da0fa78c-4699-11ea-a637-96000028b339",
    "delivery_at": 1580515200,
    "status_code": 5,
    "msg_total_count": 1200,
    "created_at": 1580511600,
    "processed_at": 1580515260,
    "ip": "203.0.113.7",
    "is_unicode": True,
    "is_dryrun": False,
    "service_code": "text2speech",
    "key_id": 3,
    "source": 2,
    "voice_lang": "DE",
    "is_text_deleted": False,
    "price": 90.075,
}


def parse(raw: str) -> BulkStatus:
    return BulkStatus.model_validate(json.loads(raw, parse_float=Decimal))


def test_every_contract_field_is_read_with_its_type() -> None:
    status = parse(json.dumps(FULL))
    assert status.uuid == FULL["uuid"]
    assert status.delivery_at == datetime(2020, 2, 1, tzinfo=UTC)
    assert status.created_at == datetime(2020, 1, 31, 23, 0, tzinfo=UTC)
    assert status.processed_at == datetime(2020, 2, 1, 0, 1, tzinfo=UTC)
    assert status.status_code == StatusCode.IN_PROGRESS
    assert status.msg_total_count == 1200
    assert status.ip == "203.0.113.7"
    assert status.is_unicode is True
    assert status.is_dryrun is False
    assert status.service_code == "text2speech"
    assert status.key_id == 3
    assert status.source == 2
    assert status.voice_lang == "DE"
    assert status.voice_language == "German"
    assert status.is_text_deleted is False
    assert status.price == Decimal("90.075")
    assert status.unreadable_fields == {}


def test_json_ld_keys_are_read_when_present() -> None:
    status = parse(
        json.dumps({"@context": "/contexts/Bulk", "@id": "/bulks/x", "@type": "Bulk", **FULL})
    )
    assert (status.json_ld_context, status.json_ld_id, status.json_ld_type) == (
        "/contexts/Bulk",
        "/bulks/x",
        "Bulk",
    )
    assert status.extra_fields == {}


def test_an_empty_object_and_all_nulls_are_valid_records() -> None:
    empty = parse("{}")
    nulls = parse(json.dumps(dict.fromkeys(FULL)))
    for status in (empty, nulls):
        assert status.status_code is None
        assert status.status.label == "no status"
        assert status.price is None
        assert status.voice_language == "auto-detect"


@pytest.mark.parametrize(
    ("created_at", "expected"),
    [
        (1580511600, datetime(2020, 1, 31, 23, 0, tzinfo=UTC)),
        ("1580511600", datetime(2020, 1, 31, 23, 0, tzinfo=UTC)),
        ("da0fa78c-4699-11ea-a637-96000028b339", None),
        ({"odd": True}, None),
    ],
)
def test_created_at_in_any_documented_form_never_fails_the_record(
    created_at: object, expected: datetime | None
) -> None:
    status = parse(json.dumps({**FULL, "created_at": created_at}))
    assert status.created_at == expected
    assert status.status_code == 5 and status.msg_total_count == 1200
    if expected is None:
        assert status.unreadable_fields == {"created_at": created_at}


def test_numbers_sent_as_strings_are_read_as_numbers() -> None:
    status = parse(
        json.dumps(
            {**FULL, "status_code": "10", "msg_total_count": "7", "price": "0.525", "key_id": "2"}
        )
    )
    assert status.status_code == 10 and status.is_final
    assert status.msg_total_count == 7
    assert status.price == Decimal("0.525")
    assert status.key_id == 2


def test_an_unreadable_field_is_set_aside_and_the_rest_kept() -> None:
    status = parse(json.dumps({**FULL, "msg_total_count": "many", "is_dryrun": "perhaps"}))
    assert status.msg_total_count is None and status.is_dryrun is None
    assert status.unreadable_fields == {"is_dryrun": "perhaps", "msg_total_count": "many"}
    assert status.price == Decimal("90.075") and status.status_code == 5


def test_records_of_one_shape_keep_their_own_values_and_set_asides() -> None:
    """Records are kept small by sharing what they have in common (the field names, short
    texts that repeat): what one record reads never leaks into another."""
    clean = parse(json.dumps(FULL))
    odd = parse(json.dumps({**FULL, "msg_total_count": "many"}))
    other = parse(json.dumps({**FULL, "uuid": "0b7e2d4c-4699-11ea-a637-96000028b339", "ip": "x"}))
    again = parse(json.dumps(FULL))
    assert odd.unreadable_fields == {"msg_total_count": "many"}
    assert clean.unreadable_fields == again.unreadable_fields == other.unreadable_fields == {}
    assert other.uuid != clean.uuid and other.ip == "x" and clean.ip == FULL["ip"]
    assert clean == again and clean.model_dump() == again.model_dump()
    assert clean.model_fields_set == set(FULL)


def test_unknown_keys_are_kept_not_fatal() -> None:
    status = parse(json.dumps({**FULL, "sms_parts": 2, "new_thing": {"a": 1}}))
    assert status.extra_fields == {"sms_parts": 2, "new_thing": {"a": 1}}


@pytest.mark.parametrize(
    ("code", "label", "final"),
    [
        (0, "new", False),
        (5, "in progress", False),
        (10, "processed", True),
        (15, "canceled", True),
        (20, "system error", True),
        (201, "no recipients", True),
        (7, "unknown (7)", False),
        (-1, "unknown (-1)", False),
    ],
)
def test_every_status_code_has_a_label_and_finality(code: int, label: str, final: bool) -> None:
    status = parse(json.dumps({**FULL, "status_code": code}))
    assert status.status_code == code
    assert status.status.label == label
    assert status.is_final is final
    assert status_info(code).is_known is (code in {0, 5, 10, 15, 20, 201})


def test_unknown_service_codes_and_voice_languages_are_kept_as_strings() -> None:
    status = parse(json.dumps({**FULL, "service_code": "whatsapp", "voice_lang": "XX"}))
    assert status.service_code == "whatsapp"
    assert status.voice_lang == "XX"
    assert status.voice_language == "unknown (XX)"


@pytest.mark.parametrize(
    ("code", "name"),
    [("EN", "English"), ("UK", "Ukrainian"), ("sv", "Swedish"), (None, "auto-detect")],
)
def test_voice_language_codes_map_to_names(code: str | None, name: str) -> None:
    assert voice_language_name(code) == name


@pytest.mark.parametrize(
    ("code", "shown"),
    [("DE", "German (DE)"), ("sv", "Swedish (sv)"), (None, "auto-detect"), ("XX", "unknown (XX)")],
)
def test_a_voice_language_code_is_shown_once(code: str | None, shown: str) -> None:
    assert voice_language_with_code(code) == shown


def test_prices_add_up_exactly_over_many_bulks() -> None:
    prices = [parse(json.dumps({"price": 0.1})).price for _ in range(10)]
    assert sum(p for p in prices if p is not None) == Decimal("1.0")


DELIVERY = datetime(2020, 2, 1, tzinfo=UTC)  # FULL's delivery_at


@pytest.mark.parametrize(
    ("code", "delivery_at", "at", "label"),
    [
        (0, DELIVERY, datetime(2020, 1, 31, tzinfo=UTC), "scheduled"),
        (0, DELIVERY, DELIVERY, "new"),
        (0, DELIVERY, datetime(2020, 2, 2, tzinfo=UTC), "new"),
        (0, None, DELIVERY, "new"),
        (5, DELIVERY, datetime(2020, 1, 31, tzinfo=UTC), "in progress"),
        (7, DELIVERY, datetime(2020, 1, 31, tzinfo=UTC), "unknown (7)"),
        (None, DELIVERY, datetime(2020, 1, 31, tzinfo=UTC), "no status"),
    ],
)
def test_scheduled_means_new_with_delivery_still_ahead(
    code: int | None, delivery_at: datetime | None, at: datetime, label: str
) -> None:
    assert status_label(code, delivery_at, at) == label
    timestamp = None if delivery_at is None else FULL["delivery_at"]
    status = parse(json.dumps({**FULL, "status_code": code, "delivery_at": timestamp}))
    assert status.label_at(at) == label


@pytest.mark.parametrize(
    ("label", "code", "shown"),
    [
        ("scheduled", 0, "scheduled (0)"),
        ("processed", 10, "processed (10)"),
        ("unknown (7)", 7, "unknown (7)"),
        ("no status", None, "no status"),
    ],
)
def test_a_code_is_shown_once_beside_its_label(label: str, code: int | None, shown: str) -> None:
    assert label_with_code(label, code) == shown


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("delivery_at", 253402300800),  # year 10000: not seconds
        ("created_at", -5),
        ("status_code", True),
        ("msg_total_count", False),
        ("price", "1e999999999"),
        ("price", "NaN"),
        ("price", True),
    ],
)
def test_absurd_values_are_set_aside_not_misread(field: str, value: object) -> None:
    status = parse(json.dumps({**FULL, field: value}))
    assert getattr(status, field) is None
    assert field in status.unreadable_fields
    assert status.uuid == FULL["uuid"]


def test_a_time_of_zero_is_no_time_in_every_record() -> None:
    """LOX24 writes 0 for "no time": every reader (the archive rule among them) sees None."""
    status = BulkStatus.model_validate(
        {"delivery_at": 0, "processed_at": "0", "created_at": 1_764_150_000, "status_code": 10}
    )
    assert status.delivery_at is None and status.processed_at is None
    assert status.created_at is not None and status.unreadable_fields == {}
    message = Message.model_validate({"gateway_sent_at": 0, "delivery_at": 0.0})
    assert message.gateway_sent_at is None and message.delivery_at is None


@pytest.mark.parametrize(
    ("code", "failed", "sent", "cancelable"),
    [
        (0, False, False, True),
        (5, False, False, True),
        (10, False, True, False),
        (15, False, False, False),
        (20, True, False, False),
        (201, True, False, False),
        (7, False, False, False),
        (None, False, False, False),
    ],
)
def test_each_status_says_once_whether_it_failed_was_sent_or_can_be_canceled(
    code: int | None, failed: bool, sent: bool, cancelable: bool
) -> None:
    status = status_info(code)
    assert (status.is_failed, status.is_sent, status.is_cancelable) == (failed, sent, cancelable)
