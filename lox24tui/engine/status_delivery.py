"""The delivery counts of one-shot ``status --delivery``: asked for, they are the one exception to
"one request per id", at most one count per outcome (:data:`lox24tui.engine.delivery.MAX_REQUESTS`)
for each bulk that was fetched, never retried."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

from lox24tui.api import Lox24Error, UnreadableResponse
from lox24tui.api.protocol import MessageSource
from lox24tui.engine.bulk_state import BulkState
from lox24tui.engine.delivery import DeliveryBreakdown, count_delivery
from lox24tui.text import humanize

Delivery = DeliveryBreakdown | Lox24Error
"""A bulk's breakdown, or why it could not be counted."""


async def deliveries(
    client: MessageSource, states: Iterable[BulkState], *, concurrency: int
) -> dict[str, Delivery]:
    """Count the delivery of every bulk whose status arrived, a few bulks at a time."""
    slots = asyncio.Semaphore(max(1, concurrency))

    async def count(state: BulkState) -> tuple[str, Delivery]:
        assert state.reply is not None
        async with slots:
            try:
                return state.bulk_id, await count_delivery(
                    client, state.bulk_id, status=state.reply.status
                )
            except Lox24Error as error:
                return state.bulk_id, error
            except Exception as exc:  # a bug must mark one bulk, not end the command
                return state.bulk_id, UnreadableResponse(
                    f"the client failed to read it ({type(exc).__name__})"
                )

    counted = await asyncio.gather(*(count(s) for s in states if s.reply is not None))
    return dict(counted)


def delivery_fields(counted: Delivery | None) -> dict[str, Any]:
    """``"delivery"`` of a ``status --delivery --json`` record: the breakdown, or null when it
    could not be counted (then ``"delivery_error"`` says why, or nothing was sent)."""
    if counted is None:
        return {"delivery": None}
    if isinstance(counted, Lox24Error):
        return {"delivery": None, "delivery_error": counted.to_dict()}
    return {"delivery": counted.to_record()}


def delivery_text(counted: Delivery) -> str:
    """One line for people: the outcomes, the total, and whether it can still change."""
    if isinstance(counted, Lox24Error):
        return f"not counted: {counted}"
    parts = [
        f"{humanize.count(counted.delivered)} delivered",
        f"{humanize.count(counted.queued)} queued",
        f"{humanize.count(counted.submitted)} submitted",
        f"{humanize.count(counted.expired)} expired",
        f"{humanize.count(counted.rejected)} rejected",
        f"{humanize.count(counted.none)} no report yet",
        f"{humanize.count(counted.not_sent)} not sent",
    ]
    if counted.waiting:
        parts.append(f"{humanize.count(counted.waiting)} waiting to be sent")
    if counted.other:
        parts.append(f"{humanize.count(counted.other)} other")
    notes = [f"of {humanize.count(counted.total)}"]
    if counted.partial:
        notes.append("partial: LOX24 sent no totals")
    notes.append("settled" if counted.settled else "may still change")
    return " · ".join(parts) + f" ({', '.join(notes)})"
