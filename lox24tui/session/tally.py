"""Running counts of bulks per status, and their messages and cost: what the summary bar says
of the rows on screen.

The engine keeps counts of its own, of what it knows this instant; the rows show what the
session last flushed. Counting the flushed states instead means the bar and the rows never
disagree (the bar ahead of rows that still read "checking…"), and a bulk is counted again only
when its row changes.
"""

from __future__ import annotations

import decimal
from collections import Counter
from decimal import Decimal
from typing import NamedTuple

from lox24tui.engine.bulk_state import BulkState, bucket


class _Share(NamedTuple):
    label: str
    messages: int
    price: Decimal


class Tally:
    """Bulks per summary label, total messages and total price, one share per bulk id (so a
    bulk taken out is taken out as it was counted, even if its label has aged since)."""

    def __init__(self) -> None:
        self.by_label: Counter[str] = Counter()
        self.messages = 0
        self.price = Decimal(0)
        self._shares: dict[str, _Share] = {}
        self._count: int | None = None
        """Set on a tally made by :meth:`without`, which keeps no shares."""

    @property
    def bulks(self) -> int:
        return len(self._shares) if self._count is None else self._count

    def set(self, state: BulkState, now: float) -> None:
        """Count ``state`` for its bulk, in place of what was counted for it before."""
        self.drop(state.bulk_id)
        status = state.reply.status if state.reply is not None else None
        share = _Share(
            bucket(state, now),
            (status.msg_total_count or 0) if status is not None else 0,
            (status.price or Decimal(0)) if status is not None else Decimal(0),
        )
        self._shares[state.bulk_id] = share
        self._apply(share, 1)

    def drop(self, bulk_id: str) -> None:
        share = self._shares.pop(bulk_id, None)
        if share is not None:
            self._apply(share, -1)

    def without(self, part: Tally) -> Tally:
        """These counts less ``part``'s (the archive taken out of the whole list); the result
        holds counts only, no shares: it is for reading."""
        rest = Tally()
        rest.by_label = self.by_label - part.by_label
        rest.messages = self.messages - part.messages
        with decimal.localcontext(prec=60):
            rest.price = self.price - part.price
        rest._count = self.bulks - part.bulks
        return rest

    def _apply(self, share: _Share, sign: int) -> None:
        """Prices are exact: bounded by the model, and 60 digits hold any sum of them."""
        self.by_label[share.label] += sign
        if not self.by_label[share.label]:
            del self.by_label[share.label]
        self.messages += sign * share.messages
        with decimal.localcontext(prec=60):
            self.price += sign * share.price
