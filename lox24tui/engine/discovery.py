"""Finding bulks instead of pasting ids: the account's recent bulks from ``GET /bulks``, newest
first, page by page. Shared by ``lox24tui bulks`` and the dashboard's import screen."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from lox24tui.api import Bulk, BulkFilters
from lox24tui.api.protocol import BulkLister

_DURATION: Final = re.compile(r"(\d+(?:\.\d+)?)\s*(s|m|min|h|d|w)", re.IGNORECASE)
_UNIT_SECONDS: Final = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_age(text: str) -> timedelta:
    """ "24h", "30m", "7d", "2w", "90s" → a timedelta; raises ValueError with a readable reason."""
    match = _DURATION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not an age such as 30m, 24h, 7d or 2w")
    amount, unit = float(match.group(1)), match.group(2).lower()
    return timedelta(seconds=amount * _UNIT_SECONDS[unit])


@dataclass(frozen=True, slots=True)
class BulkQuery:
    status_codes: tuple[int, ...] = ()
    since: timedelta | None = None

    def created_since(self, now: datetime) -> datetime | None:
        return None if self.since is None else now - self.since


async def recent_bulks(
    client: BulkLister,
    query: BulkQuery,
    *,
    limit: int,
    now: datetime | None = None,
    max_pages: int | None = None,
) -> AsyncIterator[Bulk]:
    """The account's bulks matching ``query``, newest first, at most ``limit`` of them, from
    at most ``max_pages`` requests (side work is charged for each page it may read)."""
    now = now or datetime.now(UTC)
    since = query.created_since(now)
    page: int | None = 1
    seen = 0
    read = 0
    while page is not None and seen < limit and (max_pages is None or read < max_pages):
        read += 1
        filters = BulkFilters(status_codes=tuple(query.status_codes), created_since=since)
        result = await client.list_bulks(page=page, filters=filters)
        for bulk in result.items:
            if since is not None and bulk.created_at is not None and bulk.created_at < since:
                continue  # the server filtered already; this guards against one that did not
            yield bulk
            seen += 1
            if seen >= limit:
                return
        page = result.next_page if result.items else None


def label_for(bulk: Bulk) -> str:
    """A label a person recognises: the start of the text, or the creation time."""
    text = " ".join((bulk.text or "").split())
    if text:
        return text[:40]
    if bulk.created_at is not None:
        return f"Bulk of {bulk.created_at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return ""
