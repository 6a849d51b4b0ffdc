"""The account's opt-outs (``GET /blocked_numbers``): numbers the customer blocked, and numbers
whose owners unsubscribed (answered STOP). A list of people who must not be sent to again: the
retry list leaves them out."""

from __future__ import annotations

from enum import IntEnum
from typing import Final

from lox24tui.api.models import Integer, Timestamp, TolerantModel
from lox24tui.api.page import Page


class OptOutType(IntEnum):
    BLOCKED = 1
    """Blocked by the customer (in LOX24's web account or through the API)."""
    UNSUBSCRIBED = 2
    """Unsubscribed by the recipient."""


class OptOut(TolerantModel):
    """One entry; every field may be missing. ``number`` is personal data."""

    id: Integer | None = None
    number: str | None = None
    type: Integer | None = None
    """:class:`OptOutType`; other values are undocumented (and still opt-outs)."""
    added_at: Timestamp | None = None
    """A unix time (the English reference) or an ISO 8601 string (2.27+): both are read."""


OptOutPage = Page[OptOut]
"""A page of opt-outs; ``total`` counts every entry matching the filter."""


ALL_OPT_OUTS: Final = None
"""No ``number`` filter: the whole list."""
