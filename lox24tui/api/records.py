"""A bulk's status as one flat record with plain JSON values: the ``--json`` output and exports.

Timestamps stay unix seconds and money a ``Decimal`` (written as an exact JSON number), as LOX24
sends them, so a script can compare them with what it got from the API itself.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lox24tui.api import BulkStatus, Lox24Error, StatusReply

CONTRACT_FIELDS: tuple[str, ...] = (
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
)


def status_fields(status: BulkStatus, now: datetime) -> dict[str, Any]:
    """Every field of the contract (null when absent), plus labels a person can read: the
    status label as it reads at ``now`` ("scheduled" while a new bulk's delivery is ahead)."""
    values = status.model_dump(mode="python")
    record: dict[str, Any] = {}
    for name in CONTRACT_FIELDS:
        value = values.get(name)
        if isinstance(value, datetime):
            value = int(value.timestamp())
        record[name] = value
    record["status"] = status.label_at(now)
    record["is_final"] = status.is_final
    record["voice_language"] = status.voice_language
    if status.json_ld_id is not None:
        record["@id"] = status.json_ld_id
    if status.json_ld_type is not None:
        record["@type"] = status.json_ld_type
    if status.extra_fields:
        record["extra"] = status.extra_fields
    if status.unreadable_fields:
        record["unreadable"] = {key: repr(value) for key, value in status.unreadable_fields.items()}
    return record


def reply_record(reply: StatusReply, now: datetime) -> dict[str, Any]:
    return {
        "id": reply.bulk_id,
        "request_id": reply.request_id,
        **status_fields(reply.status, now),
    }


def error_record(bulk_id: str, error: Lox24Error) -> dict[str, Any]:
    return {"id": bulk_id, "error": error.to_dict()}
