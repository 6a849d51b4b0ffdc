"""The messages of a simulated bulk and their delivery reports, computed rather than stored.

A bulk of 50,000 messages must answer ``GET /sms?bulk=…&dlr_code=1`` without building 50,000
objects per request. So each bulk has a fixed pattern of :data:`PATTERN` outcome kinds, shuffled
by a generator seeded with the bulk's id: message ``i`` has the kind ``pattern[i % PATTERN]``.
A kind is a short timeline of delivery-report stages by the time since the message was sent. A bulk
creates all its messages when it starts sending (``msg_total_count`` says how many from then on)
and sends them in index order, so the messages sent at least ``a`` seconds ago are exactly the
first ``sent_by(now - a)`` of them, and every count is a handful of prefix sums. Those not sent
yet wait with status 0 and ``is_sent`` false (a cancel stops them: 6000).

Phone numbers come from Ofcom's range for drama, +44 7700 900000 to +44 7700 900999: numbers
reserved for fiction, which reach nobody.
"""

from __future__ import annotations

import bisect
import functools
import random
import uuid as uuid_module
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

PATTERN: Final = 1000
PHONE_PREFIX: Final = "+447700900"
"""Ofcom's drama range (07700 900000–900999): fictional UK mobile numbers."""
NOT_SENT_CODES: Final = frozenset({208, 400, 410, 2000, 3000, 5000, 6000})
HOUR: Final = 3600.0


@dataclass(frozen=True, slots=True)
class Stage:
    """From ``after`` seconds past its creation, a message reads like this."""

    after: float
    dlr_code: int
    status_code: int
    is_sent: bool = True


@dataclass(frozen=True, slots=True)
class Kind:
    """One way a message's life goes, and how many in a thousand go that way."""

    name: str
    per_thousand: int
    stages: tuple[Stage, ...]


KINDS: Final = (
    Kind("delivered", 860, (Stage(0, 0, 100), Stage(3, 4, 100), Stage(8, 1, 100))),
    Kind(
        "delivered late",
        50,
        (Stage(0, 0, 100), Stage(3, 2, 100), Stage(600, 4, 100), Stage(1800, 1, 100)),
    ),
    Kind("submitted for hours", 30, (Stage(0, 0, 100), Stage(3, 4, 100), Stage(4 * HOUR, 1, 100))),
    Kind("expired", 20, (Stage(0, 0, 100), Stage(3, 2, 100), Stage(6 * HOUR, 8, 100))),
    Kind("rejected", 20, (Stage(0, 0, 100), Stage(20, 16, 100))),
    Kind("blocked", 5, (Stage(0, 0, 208, is_sent=False),)),
    Kind("no landline", 5, (Stage(0, 0, 2000, is_sent=False),)),
    Kind("no operator", 10, (Stage(0, 0, 5000, is_sent=False),)),
)
"""Most delivered within seconds, some queued or submitted for a while, a few expired or
rejected, a few never sent (208 blocked, 2000 no connection to a landline, 5000 no
operator). Messages created after the
account's balance ran out are never sent either (:data:`NO_FUNDS`)."""
WAITING: Final = Stage(0, 0, 0, is_sent=False)
"""A message created and not sent yet: status 0 (new), no report. A bulk creates all its messages
when it starts sending, and sends them over a while."""
STOPPED_BY_API: Final = Stage(0, 0, 6000, is_sent=False)
"""Where the messages not sent yet stay once their bulk is canceled: 6000, stopped before
transmission via the API."""
NOT_DELIVERED: Final = Stage(0, 0, 400, is_sent=False)
"""Where the messages not sent yet stay once their bulk failed (a system error): 400, not
delivered during maintenance."""
NO_FUNDS: Final = Stage(0, 0, 3000, is_sent=False)
"""Where every message created once the balance ran out stays: 3000, not enough money."""
ODD_KINDS: Final = (
    *KINDS[:4],
    Kind("rejected, undocumented code", 20, (Stage(0, 0, 100), Stage(20, 32, 7777))),
    *KINDS[5:],
)
"""For a bulk with the ``odd_codes`` quirk: a dlr code (32) and a status code (7777) that no
documentation lists, which a client must survive."""


def pending_forever(kinds: tuple[Kind, ...], fraction: float) -> tuple[Kind, ...]:
    """``kinds`` with ``fraction`` of all messages taken from the promptly delivered ones and
    left submitted (4) for ever: reports that never come, as on real accounts for 72 h."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError("pending_forever is a fraction between 0 and 1")
    taken = min(kinds[0].per_thousand, round(fraction * PATTERN))
    if not taken:
        return kinds
    first = kinds[0]
    return (
        Kind(first.name, first.per_thousand - taken, first.stages),
        *kinds[1:],
        Kind("pending forever", taken, (Stage(0, 0, 100), Stage(3, 4, 100))),
    )


@dataclass(frozen=True, slots=True)
class MessageFilter:
    """The filters of ``GET /sms`` the fake understands; None means "any"."""

    dlr_codes: frozenset[int] | None = None
    status_codes: frozenset[int] | None = None
    is_sent: bool | None = None

    def accepts(self, stage: Stage) -> bool:
        return (
            (self.dlr_codes is None or stage.dlr_code in self.dlr_codes)
            and (self.status_codes is None or stage.status_code in self.status_codes)
            and (self.is_sent is None or stage.is_sent == self.is_sent)
        )


class BulkMessages:
    """The messages of one bulk, as seen at one moment.

    ``sent_by(t)`` is how many messages the bulk had sent at time ``t`` (non-decreasing in
    ``t``).
    """

    def __init__(
        self,
        seed: str,
        kinds: tuple[Kind, ...],
        sent_by: Callable[[float], int],
        now: float,
        funds_out_at: float | None = None,
        *,
        created: int | None = None,
        unsent: Stage | None = None,
    ) -> None:
        """``created``: how many messages the bulk holds (all of them exist once it starts
        sending; by default as many as were sent); ``unsent``: where those not sent yet stand
        (:data:`WAITING`, or a stop)."""
        self._kinds = kinds
        self.pattern, self._prefix = _pattern(seed, kinds)
        self.sent = sent_by(now)
        """Messages sent so far (the first ``sent`` of them)."""
        self.total = self.sent if created is None else max(created, self.sent)
        """Messages the bulk holds, sent or not."""
        self.unsent = WAITING if unsent is None else unsent
        self.funded = self.sent if funds_out_at is None else min(self.sent, sent_by(funds_out_at))
        """Messages sent before the balance ran out; the later ones are :data:`NO_FUNDS`."""
        self._bounds: dict[float, int] = {
            stage.after: min(self.sent, sent_by(now - stage.after))
            for kind in kinds
            for stage in kind.stages
        }

    def _of_kind(self, kind: int, below: int) -> int:
        """How many of the first ``below`` messages are of ``kind``."""
        whole, rest = divmod(below, PATTERN)
        return whole * self._prefix[kind][PATTERN] + self._prefix[kind][rest]

    def count(self, match: MessageFilter, below: int | None = None) -> int:
        """How many of the first ``below`` messages (all by default) the filter accepts."""
        everything = self.total if below is None else min(below, self.total)
        sent = min(everything, self.sent)
        limit = min(sent, self.funded)
        found = sent - limit if match.accepts(NO_FUNDS) else 0
        if match.accepts(self.unsent):
            found += everything - sent
        for number, kind in enumerate(self._kinds):
            lower = 0
            for stage in reversed(kind.stages):  # the oldest messages are in the last stage
                end = min(limit, self._bounds[stage.after])
                if match.accepts(stage):
                    found += self._of_kind(number, end) - self._of_kind(number, lower)
                lower = max(lower, end)
        return found

    def stage_of(self, index: int) -> Stage:
        """Where message ``index`` stands now."""
        if index >= self.sent:
            return self.unsent
        if index >= self.funded:
            return NO_FUNDS
        stages = self._kinds[self.pattern[index % PATTERN]].stages
        current = stages[0]
        for stage in stages:
            if index < self._bounds[stage.after]:
                current = stage
        return current

    def delivered_after(self, index: int) -> float | None:
        """Seconds after it was sent when message ``index`` is delivered (dlr 1), if ever (and
        if it has been sent)."""
        if index >= self.funded:
            return None
        stages = self._kinds[self.pattern[index % PATTERN]].stages
        return next((stage.after for stage in stages if stage.dlr_code == 1), None)

    def page(
        self, match: MessageFilter, page: int, size: int, *, descending: bool = False
    ) -> Iterator[tuple[int, Stage]]:
        """The matching messages of one page, in creation order (or the reverse)."""
        skip = (page - 1) * size
        if size <= 0 or skip >= self.count(match):
            return
        # skip whole stretches by counting, then walk message by message
        if descending:
            total = self.count(match)
            start = bisect.bisect_left(
                range(self.total + 1), True, key=lambda m: total - self.count(match, m) <= skip
            )
            order = range(start - 1, -1, -1)
        else:
            start = bisect.bisect_left(
                range(self.total + 1), True, key=lambda m: self.count(match, m) > skip
            )
            order = range(max(0, start - 1), self.total)
        given = 0
        for index in order:
            stage = self.stage_of(index)
            if match.accepts(stage):
                yield index, stage
                given += 1
                if given == size:
                    return


def _pattern(seed: str, kinds: tuple[Kind, ...]) -> tuple[list[int], list[list[int]]]:
    """The bulk's shuffled kinds, and for each kind the count among the first n of them."""
    cached = _PATTERNS.get((seed, kinds))
    if cached is not None:
        return cached
    pattern = [number for number, kind in enumerate(kinds) for _ in range(kind.per_thousand)]
    random.Random(seed).shuffle(pattern)
    prefix = []
    for number in range(len(kinds)):
        running, counts = 0, [0]
        for kind in pattern:
            running += kind == number
            counts.append(running)
        prefix.append(counts)
    if len(_PATTERNS) >= _PATTERN_CACHE:
        _PATTERNS.pop(next(iter(_PATTERNS)))
    _PATTERNS[(seed, kinds)] = (pattern, prefix)
    return pattern, prefix


_PATTERN_CACHE: Final = 2048
_PATTERNS: dict[tuple[str, tuple[Kind, ...]], tuple[list[int], list[list[int]]]] = {}


@functools.lru_cache(maxsize=1 << 16)
def message_uuid(bulk_uuid: str, index: int) -> str:
    """A stable id for message ``index`` of a bulk (kept: the same pages and replies are
    asked for again and again, and a uuid5 is a SHA-1)."""
    return str(uuid_module.uuid5(uuid_module.UUID(bulk_uuid), str(index)))


def phone(bulk_uuid: str, index: int) -> str:
    """A fictional recipient: Ofcom's drama range, spread over the bulk."""
    offset = int(bulk_uuid[:8], 16) % 1000
    return f"{PHONE_PREFIX}{(offset + index * 7) % 1000:03d}"


NUMBERS_BY_COUNTRY: Final = {
    "GB": PHONE_PREFIX,
    "DE": "+493023125",  # Berlin, a block used in examples
    "FR": "+33639980",  # ARCEP's numbers reserved for fiction (06 39 98 …)
    "AT": "+4315050",
    "CH": "+41446681",
}
"""Where each country's fictional recipients live (the fake reaches nobody either way)."""
UNNAMED: Final = "?"
"""Before a country in ``SimBulk.countries``: its messages carry no ``iso2`` (LOX24 leaves it
out at times); the number alone says the country."""


def country_of_recipient(bulk: Any, index: int) -> str:
    """Where the message's recipient lives, whether or not its ``iso2`` says (a click is
    located there)."""
    countries = getattr(bulk, "countries", ())
    number = recipient(bulk, index)[0]
    for country, prefix in NUMBERS_BY_COUNTRY.items():
        if countries and number.startswith(prefix):
            return country
    return "GB"


def recipient(bulk: Any, index: int) -> tuple[str, str | None]:
    """The message's number and ``iso2``: GB unless the bulk spreads over countries
    (``SimBulk.countries``, weights per hundred), picked by a hash of the index so that every
    country's messages are spread over the bulk, and over every delivery outcome."""
    countries = getattr(bulk, "countries", ())
    number = phone(bulk.uuid, index)
    if not countries:
        return number, "GB"
    slot = (index * 2_654_435_761 >> 7) % sum(weight for _, weight in countries)
    country = countries[-1][0]
    for candidate, weight in countries:
        if slot < weight:
            country = candidate
            break
        slot -= weight
    named = country.removeprefix(UNNAMED)
    return NUMBERS_BY_COUNTRY[named] + number[-3:], None if country.startswith(UNNAMED) else named


def parts_and_chars(text: str, unicode: bool) -> tuple[int, int]:
    """SMS parts by length: 160 (70 in Unicode) fit one part, longer texts go in parts of 153
    (67)."""
    chars = len(text)
    single, part = (70, 67) if unicode else (160, 153)
    return (1 if chars <= single else -(-chars // part)), chars


def message_json(
    bulk: Any, index: int, stage: Stage, sent_at: float, unit_price: Decimal
) -> dict[str, Any]:
    """An item of ``GET /sms`` as LOX24 sends it (``bulk`` is a :class:`SimBulk`): created when
    the bulk started sending, sent at ``sent_at`` if it was."""
    parts, chars = parts_and_chars(bulk.text, bool(bulk.is_unicode))
    price = unit_price * parts if stage.is_sent else Decimal(0)
    number, iso2 = recipient(bulk, index)
    return (
        {
            "uuid": message_uuid(bulk.uuid, index),
            "text": None if bulk.is_text_deleted else bulk.text,
            "sender_id": bulk.sender_id,
            "phone": number,
            "delivery_at": int(bulk.delivery_at),
            "status_code": stage.status_code,
            "gateway_sent_at": int(sent_at) if stage.is_sent else None,
            "source": bulk.source,
            "dlr_code": stage.dlr_code,
            "ip": bulk.ip,
            "created_at": int(bulk.delivery_at),
            "is_unicode": bulk.is_unicode,
            "iso2": iso2,
            "voice_lang": bulk.voice_lang,
            "parts_count": parts,
            "chars_count": chars,
            "callback_data": None,
            "bulk_id": bulk.uuid,
            "key_id": bulk.key_id,
            "service_code": bulk.service_code,
            "is_text_deleted": bulk.is_text_deleted,
            "price": float(price),
            "is_sent": stage.is_sent,
        }
        | (_zero_times(stage) if "zero_times" in bulk.quirks else {})
        | (_odd_phone(bulk.uuid, index) if "odd_numbers" in bulk.quirks else {})
    )


ODD_NUMBERS: Final = (
    "07700 900{n}",  # national, read with the message's iso2
    "0044 7700 900{n}",  # international with 00
    "+44 7700 900{n}",  # spaced
    "12",  # too short to be anyone's
    "call me",  # not a number at all
    None,  # missing
)
"""How the ``odd_numbers`` quirk writes every tenth message's number (in turn): the forms a
client must read, and some it cannot."""


def _odd_phone(bulk_uuid: str, index: int) -> dict[str, Any]:
    if index % 10:
        return {}
    form = ODD_NUMBERS[(index // 10) % len(ODD_NUMBERS)]
    last = phone(bulk_uuid, index)[-3:]
    return {"phone": None if form is None else form.format(n=last)}


def _zero_times(stage: Stage) -> dict[str, Any]:
    """LOX24's "no time" as its PHP client's sample of a message has it: 0, not null."""
    return {"delivery_at": 0} | ({} if stage.is_sent else {"gateway_sent_at": 0})
