"""Why did these fail, and where? A bulk's failed messages by reason (the operator's report, or
why LOX24 never sent it) and destination country, with what the failures cost.

Failed means what no later report will change: expired (8) or rejected (16), or never sent (the
not-sent status codes). Only those messages are read, never every message, in two asks, page by
page, at most :data:`MOST_FAILURES`; a bulk with more says so. The country is LOX24's ``iso2``,
or, where LOX24 left it out, read from the number by libphonenumber (never a prefix table of
ours); the table says how many were read that way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Final

from lox24tui.api import (
    NOT_SENT_CODES,
    DlrCode,
    Message,
    MessageFilters,
    dlr_label,
    sms_status_label,
)
from lox24tui.api.protocol import MessageSource
from lox24tui.text.phones import country_of

MOST_FAILURES: Final = 5000
"""The most failed messages read for one bulk: about 170 requests at LOX24's page size of 30.
A bulk with more gets the first ones and says so ("first 5,000 failures")."""
FAILED: Final = (
    MessageFilters(dlr_codes=(DlrCode.EXPIRED, DlrCode.REJECTED)),
    MessageFilters(status_codes=NOT_SENT_CODES),
)
"""The two asks that list a bulk's failed messages: no message is in both (a message never sent
has no delivery report)."""
UNKNOWN_COUNTRY: Final = "??"
"""A failure whose country neither LOX24 nor the number says."""


@dataclass(frozen=True, slots=True)
class FailedMessages:
    """What :func:`read_failures` read."""

    messages: tuple[Message, ...]
    capped: bool
    """There were more than the cap; only the first were read."""
    requests: int

    @property
    def count_words(self) -> str:
        """ "120 failed messages", or "the first 5,000 failed messages (the bulk has more)"."""
        count = len(self.messages)
        if self.capped:
            return f"the first {count:,} failed messages (the bulk has more)"
        return f"{count:,} failed message{'' if count == 1 else 's'}"


async def read_failures(
    client: MessageSource, bulk_id: str, *, most: int = MOST_FAILURES
) -> FailedMessages:
    """A bulk's failed messages, at most ``most``; every request through ``client`` (a guarded
    client asks the account guard for each). A failure raises the client's ``Lox24Error``."""
    requests = 0
    failures: list[Message] = []
    for filters in FAILED:
        page: int | None = 1
        while page is not None:
            result = await client.list_messages(bulk_id, page=page, filters=filters)
            requests += 1
            room = most - len(failures)
            failures.extend(result.items[:room])
            if len(result.items) > room:  # more than the cap was seen: there are more
                return FailedMessages(tuple(failures), True, requests)
            ended = result.next_page is None or result.next_page <= page or not result.items
            page = None if ended else result.next_page
    return FailedMessages(tuple(failures), False, requests)


def reason_of(message: Message) -> str:
    """Why it failed, in words with LOX24's code: the report for a message that was sent, the
    status for one that never was."""
    if message.status_code in NOT_SENT_CODES or message.dlr_code not in (
        DlrCode.EXPIRED,
        DlrCode.REJECTED,
    ):
        return f"not sent: {sms_status_label(message.status_code)}"
    return dlr_label(message.dlr_code)


def destination_of(message: Message) -> tuple[str, bool]:
    """The message's country, and whether it was read from the number (LOX24 sent no iso2)."""
    named = (message.iso2 or "").strip().upper()
    if len(named) == 2 and named.isalpha() and named.isascii():
        return named, False
    return country_of(message.phone) or UNKNOWN_COUNTRY, True


@dataclass(frozen=True)
class FailureTable:
    """Failures by reason × country: the cells hold the messages themselves, so opening one
    lists exactly those messages without another request."""

    failed: FailedMessages
    reasons: tuple[str, ...]
    """Most failures first."""
    countries: tuple[str, ...]
    """Most failures first; :data:`UNKNOWN_COUNTRY` last."""
    cells: dict[tuple[str, str], tuple[Message, ...]] = field(repr=False)
    from_number: int
    """Failures whose country was read from the number."""

    @property
    def total(self) -> int:
        return len(self.failed.messages)

    def messages(self, reason: str | None = None, country: str | None = None) -> list[Message]:
        """The failures of one reason, one country, one cell, or all (None: any)."""
        return [
            message
            for (r, c), messages in self.cells.items()
            if (reason is None or r == reason) and (country is None or c == country)
            for message in messages
        ]

    def count(self, reason: str | None = None, country: str | None = None) -> int:
        return len(self.messages(reason, country))

    def cost(self, reason: str | None = None, country: str | None = None) -> Decimal:
        """What LOX24 charged for these failures (a message never sent costs nothing)."""
        return sum((m.price or Decimal(0) for m in self.messages(reason, country)), Decimal(0))

    def share(self, reason: str | None = None, country: str | None = None) -> float:
        return self.count(reason, country) / self.total if self.total else 0.0


def failure_table(failed: FailedMessages) -> FailureTable:
    cells: dict[tuple[str, str], list[Message]] = {}
    reasons: Counter[str] = Counter()
    countries: Counter[str] = Counter()
    from_number = 0
    for message in failed.messages:
        reason = reason_of(message)
        country, guessed = destination_of(message)
        from_number += guessed
        cells.setdefault((reason, country), []).append(message)
        reasons[reason] += 1
        countries[country] += 1
    ordered_countries = sorted(countries, key=lambda c: (c == UNKNOWN_COUNTRY, -countries[c], c))
    return FailureTable(
        failed=failed,
        reasons=tuple(sorted(reasons, key=lambda r: (-reasons[r], r))),
        countries=tuple(ordered_countries),
        cells={key: tuple(messages) for key, messages in cells.items()},
        from_number=from_number,
    )
