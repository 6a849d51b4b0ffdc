"""Bulk states as the engine keeps them, made from LOX24's own fields: for the tests of what
is decided from them (alert conditions) without an engine around."""

from __future__ import annotations

import json

from lox24tui.api import BulkStatus, StatusReply
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.delivery import DeliveryBreakdown
from lox24tui.state.history import ProgressSample

BULK = "5e7d0c00-4699-11ea-a637-96000028b339"
NOW = 1_764_150_000.0


def bulk(
    code: int,
    *,
    delivered: int = 0,
    failed: int = 0,
    settled: bool = False,
    delivery_at: float | None = None,
    bulk_id: str = BULK,
) -> BulkState:
    """A bulk of 1,000 messages in status ``code``, with a delivery count of ``delivered`` and
    ``failed`` (expired) messages."""
    body: dict[str, object] = {
        "uuid": bulk_id,
        "status_code": code,
        "msg_total_count": 1000,
        "created_at": NOW - 600,
    }
    if delivery_at is not None:
        body["delivery_at"] = int(delivery_at)
    reply = StatusReply(bulk_id, BulkStatus.model_validate(body), None, json.dumps(body))
    delivery = DeliveryBreakdown(
        delivered=delivered,
        queued=0,
        submitted=0,
        expired=failed,
        rejected=0,
        none=0,
        not_sent=0,
        other=0,
        total=delivered + failed,
        partial=False,
        settled=settled,
        taken_at=NOW,
    )
    return BulkState(bulk_id, reply, delivery=delivery)


def sample(at: float, done: int) -> ProgressSample:
    """A progress sample of a 1,000-message bulk with ``done`` sent (and delivered)."""
    return ProgressSample(BULK, at, 1000, done, 0, done, 0)
