"""Did it arrive? A bulk's messages counted by delivery outcome, in at most
:data:`MAX_REQUESTS` requests whatever the bulk's size.

LOX24 counts for us: ``GET /sms?bulk=…&dlr_code=1`` answers ``hydra:totalItems``, the number of
delivered messages, in one request. So a breakdown is one count of the messages never sent (their
status codes) and one per delivery report code. When LOX24 sends no total, the counts cannot be
had that way; the breakdown then tallies the messages of the first few pages instead, and says
it is partial.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from lox24tui.api import (
    NOT_SENT_CODES,
    BulkStatus,
    DlrCode,
    MessageCount,
    MessageFilters,
    SmsStatusCode,
    StatusCode,
    count_messages,
)
from lox24tui.api.protocol import MessageSource

MAX_REQUESTS: Final = 7
"""One count of the not-sent messages and one per delivery report code: the cost of a
breakdown, whatever the bulk's size."""
SETTLE_AFTER: Final = timedelta(hours=72)
"""Reports later than this after a bulk was processed are not waited for."""
OUTCOME_CODES: Final[dict[str, int]] = {
    "delivered": DlrCode.DELIVERED,
    "queued": DlrCode.QUEUED,
    "submitted": DlrCode.SUBMITTED,
    "expired": DlrCode.EXPIRED,
    "rejected": DlrCode.REJECTED,
    "none": DlrCode.NONE,
}
"""The outcomes counted by delivery report code, by their names in output."""
OUTCOMES: Final = (*OUTCOME_CODES, "not_sent")
"""Every outcome a user can ask for (``messages --dlr``)."""
OUTCOME_FILTERS: Final[dict[str, MessageFilters]] = {
    **{
        name: MessageFilters(dlr_codes=(code,))
        for name, code in OUTCOME_CODES.items()
        if name != "none"
    },
    "none": MessageFilters(dlr_codes=(OUTCOME_CODES["none"],), is_sent=True),
    "not_sent": MessageFilters(status_codes=NOT_SENT_CODES),
}
"""What to ask LOX24 for to list the messages of one outcome (``messages --dlr``, the messages
screen): the same split as a breakdown, so "none" leaves out the messages never sent."""
_KNOWN_DLR: Final = frozenset(int(code) for code in DlrCode)


@dataclass(frozen=True, slots=True)
class DeliveryBreakdown:
    """A bulk's messages by delivery outcome at one moment."""

    delivered: int
    queued: int
    submitted: int
    expired: int
    rejected: int
    none: int
    """No report yet, among the messages that were sent."""
    not_sent: int
    """Never sent (no funds, blocked, no operator, stopped): no report will come."""
    other: int
    """Messages seen with a delivery report code no documentation lists."""
    total: int
    """Every message counted: the sum over the delivery report codes."""
    partial: bool
    """LOX24 sent no totals, so the counts come from the pages read: lower bounds."""
    settled: bool
    """Nothing will change any more (see :func:`is_settled`)."""
    taken_at: float
    """Unix seconds."""
    no_funds: bool = False
    """The latest messages not sent include some LOX24 held back for want of funds (3000):
    the balance ran out while this bulk sent."""
    waiting: int = 0
    """Created and not sent yet: a bulk creates all its messages when it starts sending (its
    ``msg_total_count``) and sends them over a while. Part of :attr:`total`."""

    @property
    def sent(self) -> int:
        """The messages that went out to an operator: every one with a report, or none yet."""
        return self.total - self.not_sent - self.waiting

    @property
    def failed(self) -> int:
        """Expired, rejected or never sent: the messages that did not arrive and never will."""
        return self.expired + self.rejected + self.not_sent

    def to_record(self) -> dict[str, Any]:
        """The breakdown as ``status --json`` writes it (``taken_at`` is the record's own)."""
        record = asdict(self)
        del record["taken_at"], record["no_funds"]
        return record


def is_settled(
    *,
    open_messages: int,
    counted_all: bool,
    bulk_final: bool,
    processed_at: datetime | None,
    now: datetime,
) -> bool:
    """Whether a bulk's delivery can still change: not once every message is final (delivered,
    expired, rejected or never sent) in a bulk that creates no more, nor 72 hours after it was
    last processed, when late reports are no longer worth waiting for."""
    if processed_at is not None and now - processed_at >= SETTLE_AFTER:
        return True
    return bulk_final and counted_all and open_messages == 0


async def count_delivery(
    client: MessageSource,
    bulk_id: str,
    *,
    status: BulkStatus | None = None,
    now: Callable[[], float] = time.time,
) -> DeliveryBreakdown:
    """Count a bulk's messages by outcome in at most :data:`MAX_REQUESTS` requests, each
    through ``client`` (a guarded client asks the account guard for every one). ``status``, when
    known, decides whether the breakdown is settled and spares the requests for a bulk that
    created no messages, or that has not started sending (status 0: every message it created
    waits). A failure raises the client's ``Lox24Error``."""
    if status is not None and (status.msg_total_count == 0 or status.status_code == StatusCode.NEW):
        return _breakdown(
            Counter(), 0, Counter(), partial=False, complete=True, status=status, now=now
        )
    not_sent = await count_messages(
        client, bulk_id, status_codes=NOT_SENT_CODES, max_pages=1, newest_first=True
    )
    if not_sent.partial:
        return await _tally_pages(client, bulk_id, MAX_REQUESTS - 1, status, now)
    counts = await _gather(
        count_messages(
            client,
            bulk_id,
            dlr_code=code,
            is_sent=True if code == DlrCode.NONE else None,
            max_pages=1,
        )
        for code in OUTCOME_CODES.values()
    )
    by_code = Counter(
        {code: c.count for code, c in zip(OUTCOME_CODES.values(), counts, strict=True)}
    )
    seen = Counter(not_sent.seen_dlr_codes)
    for counted in counts:
        seen.update(counted.seen_dlr_codes)
    return _breakdown(
        by_code,
        not_sent.count,
        seen,
        partial=any(c.partial for c in counts),
        complete=all(c.complete for c in counts),
        status=status,
        now=now,
        no_funds=SmsStatusCode.NO_FUNDS in not_sent.seen_status_codes,
    )


async def _gather(calls: Iterable[Awaitable[MessageCount]]) -> list[MessageCount]:
    """Run the counts side by side; the first failure is raised once all have ended (none is
    left running behind the caller's back)."""
    results = await asyncio.gather(*calls, return_exceptions=True)
    counts: list[MessageCount] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        counts.append(result)
    return counts


async def _tally_pages(
    client: MessageSource,
    bulk_id: str,
    budget: int,
    status: BulkStatus | None,
    now: Callable[[], float],
) -> DeliveryBreakdown:
    """Without totals: read up to ``budget`` pages of all the bulk's messages and count what
    they show."""
    by_code: Counter[int] = Counter()
    not_sent = 0
    waiting = 0
    no_funds = False
    page: int | None = 1
    read = 0
    while page is not None and read < budget:
        result = await client.list_messages(bulk_id, page=page, filters=MessageFilters())
        read += 1
        for message in result.items:
            if message.status_code in NOT_SENT_CODES:
                not_sent += 1
            elif message.is_sent is False:
                waiting += 1
            elif message.dlr_code is not None:
                by_code[message.dlr_code] += 1
            no_funds = no_funds or message.status_code == SmsStatusCode.NO_FUNDS
        ended = result.next_page is None or result.next_page <= page or not result.items
        page = None if ended else result.next_page
    seen = Counter({code: n for code, n in by_code.items() if code not in _KNOWN_DLR})
    return _breakdown(
        by_code,
        not_sent,
        seen,
        partial=True,
        complete=page is None,
        status=status,
        now=now,
        no_funds=no_funds,
        waiting=waiting,
    )


def _breakdown(
    by_code: Counter[int],
    not_sent: int,
    seen: Counter[int],
    *,
    partial: bool,
    complete: bool,
    status: BulkStatus | None,
    now: Callable[[], float],
    no_funds: bool = False,
    waiting: int | None = None,
) -> DeliveryBreakdown:
    """``by_code``: the messages sent, by report code; ``waiting``: those not sent yet, when
    counted (else what the bulk's ``msg_total_count`` leaves once every other is counted)."""
    taken_at = now()
    other = sum(n for code, n in seen.items() if code not in _KNOWN_DLR)
    none = by_code[DlrCode.NONE]
    counted = sum(by_code[code] for code in _KNOWN_DLR) + other + not_sent
    if waiting is None:
        created = status.msg_total_count if status is not None else None
        waiting = max(0, created - counted) if created is not None and not partial else 0
    open_messages = none + by_code[DlrCode.QUEUED] + by_code[DlrCode.SUBMITTED] + waiting
    settled = is_settled(
        open_messages=open_messages,
        counted_all=complete,
        bulk_final=status is not None and status.is_final,
        processed_at=status.processed_at if status is not None else None,
        now=datetime.fromtimestamp(taken_at, UTC),
    )
    return DeliveryBreakdown(
        delivered=by_code[DlrCode.DELIVERED],
        queued=by_code[DlrCode.QUEUED],
        submitted=by_code[DlrCode.SUBMITTED],
        expired=by_code[DlrCode.EXPIRED],
        rejected=by_code[DlrCode.REJECTED],
        none=none,
        not_sent=not_sent,
        other=other,
        total=counted + waiting,
        partial=partial,
        settled=settled,
        taken_at=taken_at,
        no_funds=no_funds,
        waiting=waiting,
    )
