"""Bulk ids: LOX24 bulks are named by UUIDs, and nothing else may reach a URL path.

A value such as ``../me`` or ``x?y=`` would otherwise turn ``/bulks/{id}/status`` into another
request entirely, so every id is checked here before a request is built.
"""

from __future__ import annotations

import re
import sys
from typing import Final

from lox24tui.api.errors import InvalidBulkId

BULK_ID_PATTERN: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_bulk_id(text: str) -> str:
    """Return the canonical (lower-case, trimmed) bulk id, or raise :class:`InvalidBulkId`.

    Upper-case hex is accepted and lowered, since people paste ids from many places; anything
    else that is not exactly a UUID is refused. The id is interned: the watch list, the engine,
    every reply and the table all hold it, and 10,000 watched bulks would otherwise keep three
    copies of each (~2.5 MiB).
    """
    candidate = text.strip().lower()
    if BULK_ID_PATTERN.fullmatch(candidate) is None:
        raise InvalidBulkId(text)
    return sys.intern(candidate)


def is_bulk_id(text: str) -> bool:
    """Whether ``text`` is a bulk id that :func:`parse_bulk_id` accepts."""
    try:
        parse_bulk_id(text)
    except InvalidBulkId:
        return False
    return True
