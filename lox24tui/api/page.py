"""One page of a LOX24 collection, whatever it lists: bulks, clicks, replies, opt-outs.

Every list LOX24 answers pages the same way (``?page=N``; in ld+json a ``hydra:totalItems``
and a next page), so one generic page says it once. Messages have a page of their own
(:class:`lox24tui.api.sms.MessagePage`): a count reads their codes without building models."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

Item = TypeVar("Item")


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    items: list[Item]
    page: int
    next_page: int | None
    """The page to ask for next, or None on the last page."""
    total: int | None
    """``hydra:totalItems``: every item matching the request, when the answer says (ld+json
    only; a numeric string is read, absent or null is None)."""
    request_id: str | None
