"""Whom can I safely send again? The numbers of a bulk's failed messages, in E.164, minus every
number on the account's opt-out list (blocked by the customer, or unsubscribed by its owner).

The failed messages are read as :mod:`failures` reads them (only those, at most
:data:`~lox24tui.insight.failures.MOST_FAILURES`; a bulk with more says so).

The opt-outs are checked the cheaper way: the whole list, page by page, when it is short; one
filtered request per number (``GET /blocked_numbers?number=…``) when that costs fewer requests.
A number the opt-out list could not be checked for is never written: the list fails whole.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from lox24tui.api.opt_outs import OptOutPage
from lox24tui.api.protocol import MessageSource
from lox24tui.insight.failures import MOST_FAILURES, read_failures
from lox24tui.text.phones import to_e164


class RetrySource(MessageSource, Protocol):
    async def list_opt_outs(self, *, page: int = 1, number: str | None = None) -> OptOutPage: ...


@dataclass(frozen=True, slots=True)
class RetryList:
    """The numbers to send again, and what was left out and why (counts only: the numbers
    themselves are personal data, and go nowhere but the file)."""

    numbers: tuple[str, ...]
    """E.164, each once, in the order the failures were listed."""
    failures: int
    """Failed messages read."""
    opted_out: int
    """Numbers left out because they are on the opt-out list."""
    unreadable: int
    """Failed messages whose number could not be read as a phone number."""
    repeated: int
    """Failed messages whose number was already in the list."""
    capped: bool
    """There were more than :data:`MOST_FAILURES` failed messages; only the first were read."""
    requests: int

    def summary(self) -> str:
        """What the list holds and what it left out, in words (no number in it)."""
        said = [f"{self.failures:,} failed {_plural(self.failures, 'message')}"]
        if self.capped:
            said[0] = f"the first {self.failures:,} failed messages (the bulk has more)"
        left = []
        if self.opted_out:
            left.append(f"{self.opted_out:,} opted out")
        if self.unreadable:
            left.append(f"{self.unreadable:,} not a phone number")
        if self.repeated:
            left.append(f"{self.repeated:,} repeated")
        out = f"; left out: {', '.join(left)}" if left else ""
        count = len(self.numbers)
        return f"{count:,} {_plural(count, 'number')} to send again, from {said[0]}{out}"


async def retry_list(client: RetrySource, bulk_id: str, *, most: int = MOST_FAILURES) -> RetryList:
    """The retry list of one bulk. Every request goes through ``client`` (a guarded client asks
    the account guard for each); a failure raises the client's ``Lox24Error`` and nothing is
    returned, so no list is ever written without its opt-outs checked."""
    failed = await read_failures(client, bulk_id, most=most)
    numbers: dict[str, None] = {}
    unreadable = repeated = 0
    for message in failed.messages:
        number = to_e164(message.phone, message.iso2)
        if number is None:
            unreadable += 1
        elif number in numbers:
            repeated += 1
        else:
            numbers[number] = None
    blocked, asked = await _opted_out(client, list(numbers))
    kept = tuple(number for number in numbers if number not in blocked)
    return RetryList(
        numbers=kept,
        failures=len(failed.messages),
        opted_out=len(numbers) - len(kept),
        unreadable=unreadable,
        repeated=repeated,
        capped=failed.capped,
        requests=failed.requests + asked,
    )


async def _opted_out(client: RetrySource, numbers: list[str]) -> tuple[set[str], int]:
    """Which of ``numbers`` are on the opt-out list, and the requests it took: the first page
    says how long the list is, then the cheaper of reading the rest or asking per number."""
    if not numbers:
        return set(), 0
    first = await client.list_opt_outs()
    found = _numbers(first.items)
    if first.next_page is None:
        return found & set(numbers), 1
    page_size = max(1, len(first.items))
    pages_left = math.ceil(first.total / page_size) - 1 if first.total is not None else None
    if pages_left is not None and pages_left <= len(numbers):
        asked = 1
        page: int | None = first.next_page
        while page is not None:
            result = await client.list_opt_outs(page=page)
            asked += 1
            found |= _numbers(result.items)
            ended = result.next_page is None or result.next_page <= page or not result.items
            page = None if ended else result.next_page
        return found & set(numbers), asked
    asked = 1
    for number in numbers:
        if number in found:
            continue
        result = await client.list_opt_outs(number=number)
        asked += 1
        if number in _numbers(result.items):  # LOX24 matches partly: only an equal one counts
            found.add(number)
    return found & set(numbers), asked


def _numbers(entries: Iterable[object]) -> set[str]:
    found = set()
    for entry in entries:
        number = to_e164(getattr(entry, "number", None))
        if number is not None:
            found.add(number)
    return found


def _plural(count: int, noun: str) -> str:
    return noun if count == 1 else noun + "s"
