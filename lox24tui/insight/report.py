"""What do I tell my manager? One campaign's story, gathered once: its status, the changes
lox24tui saw (the history file, no request), delivery outcomes, failures by reason × country,
clicks, cost, duration and send rate.

Requests, each through the client it is handed (a guarded one asks the account guard): one for
the status, at most seven for the delivery counts, the failed messages' pages, one for the
clicks. Replies are not counted: LOX24 has no bulk filter for them, so counting them would read
every message (the dashboard's replies screen checks them on demand). Nothing personal is in a
report: no phone number, no click's IP or browser string, no reply text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Protocol

from lox24tui.api import BulkStatus, StatusReply
from lox24tui.api.protocol import ClickSource, MessageSource, StatusSource
from lox24tui.engine.delivery import DeliveryBreakdown, count_delivery
from lox24tui.insight.failures import FailureTable, failure_table, read_failures


class ReportSource(StatusSource, MessageSource, ClickSource, Protocol):
    pass


@dataclass(frozen=True)
class CampaignReport:
    bulk_id: str
    label: str
    status: BulkStatus
    request_id: str | None
    timeline: tuple[tuple[float, str], ...]
    """The statuses lox24tui saw the bulk in, oldest first, as (unix time, label); none when it
    never watched the bulk."""
    delivery: DeliveryBreakdown
    failures: FailureTable
    clicks: int | None
    """Clicks on the bulk's short links (requests, not people); None when LOX24 gave no total."""
    made_at: float
    currency: str | None = None
    """The account's currency, for the money in words."""

    @property
    def started(self) -> datetime | None:
        return self.status.delivery_at or self.status.created_at

    @property
    def duration_seconds(self) -> float | None:
        """From delivery to the last change, once the bulk is final; None before."""
        started, ended = self.started, self.status.processed_at
        if started is None or ended is None or not self.status.status.is_final:
            return None
        return max(0.0, (ended - started).total_seconds())

    @property
    def per_minute(self) -> float | None:
        """Messages created a minute over the duration."""
        seconds, count = self.duration_seconds, self.status.msg_total_count
        if not seconds or count is None:
            return None
        return count / seconds * 60

    @property
    def cost(self) -> Decimal | None:
        return self.status.price

    @property
    def made_at_utc(self) -> datetime:
        return datetime.fromtimestamp(self.made_at, UTC)


async def gather_report(
    client: ReportSource,
    bulk_id: str,
    *,
    label: str = "",
    timeline: Sequence[tuple[float, str]] = (),
    currency: str | None = None,
    now: Callable[[], float],
) -> CampaignReport:
    """The report of one bulk. A failure raises the client's ``Lox24Error``: a report is made
    whole or not at all."""
    reply: StatusReply = await client.get_bulk_status(bulk_id)
    delivery = await count_delivery(client, bulk_id, status=reply.status, now=now)
    failed = await read_failures(client, bulk_id)
    clicks = await client.list_clicks(bulk_id)
    return CampaignReport(
        bulk_id=bulk_id,
        label=label,
        status=reply.status,
        request_id=reply.request_id,
        timeline=tuple(timeline),
        delivery=delivery,
        failures=failure_table(failed),
        clicks=clicks.total,
        made_at=now(),
        currency=currency,
    )
