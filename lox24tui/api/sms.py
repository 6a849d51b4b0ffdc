"""The messages of a bulk (``GET /sms``) and the account (``GET /me``), read as tolerantly as a
bulk's status: unknown codes survive as plain ints, any field may be missing or null, money is a
``Decimal``. A message's ``phone`` is a recipient's personal data, so it is left out of ``repr``:
a message that ends up in a log or a traceback does not carry the number with it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import TYPE_CHECKING, Any, Final

from pydantic import Field

from lox24tui.api.models import Integer, Price, Timestamp, TolerantModel

if TYPE_CHECKING:
    from lox24tui.api.protocol import MessageSource

COUNT_PAGE_CAP: Final = 10
"""Pages a count reads at most when LOX24 sends no total: a bound on requests, not a count."""


class DlrCode(IntEnum):
    """Delivery report codes of a message (``dlr_code``)."""

    NONE = 0
    """No report yet (and never one for a message that was not sent)."""
    DELIVERED = 1
    QUEUED = 2
    """Queued at the operator."""
    SUBMITTED = 4
    """Acknowledged by the operator, no final report yet."""
    EXPIRED = 8
    REJECTED = 16


FINAL_DLR_CODES: Final = frozenset({DlrCode.DELIVERED, DlrCode.EXPIRED, DlrCode.REJECTED})


class SmsStatusCode(IntEnum):
    """Status codes of a message (not of a bulk); others are kept as plain ints."""

    NEW = 0
    TRANSMITTED = 100
    BLOCKED = 208
    """The destination network or country is blocked."""
    MAINTENANCE = 400
    """Not delivered during maintenance."""
    STOPPED_WEB = 410
    """Stopped before transmission via the web account."""
    NO_LANDLINE = 2000
    """No connection to a landline possible at the moment: not delivered."""
    NO_FUNDS = 3000
    """Not enough money on the balance."""
    NO_OPERATOR = 5000
    STOPPED_API = 6000
    """Stopped before transmission via the API."""


NOT_SENT_CODES: Final = (
    SmsStatusCode.NO_FUNDS,
    SmsStatusCode.BLOCKED,
    SmsStatusCode.MAINTENANCE,
    SmsStatusCode.NO_LANDLINE,
    SmsStatusCode.NO_OPERATOR,
    SmsStatusCode.STOPPED_WEB,
    SmsStatusCode.STOPPED_API,
)
"""Message statuses that mean it was never sent: it keeps dlr code 0 and gets no report
(2000, no connection to a landline, is LOX24 PHP client's "gateway error": not delivered)."""


class Message(TolerantModel):
    """One item of ``GET /sms`` (and ``GET /sms/{uuid}``). Every field may be missing."""

    json_ld_id: str | None = Field(None, alias="@id")
    json_ld_type: str | None = Field(None, alias="@type")
    uuid: str | None = None
    text: str | None = Field(None, repr=False)
    """Null when the account deletes texts."""
    sender_id: str | None = None
    phone: str | None = Field(None, repr=False)
    """The recipient: personal data, shown only where the user asks for messages."""
    delivery_at: Timestamp | None = None
    status_code: Integer | None = None
    gateway_sent_at: Timestamp | None = None
    source: Integer | None = None
    dlr_code: Integer | None = None
    ip: str | None = None
    created_at: Timestamp | None = None
    is_unicode: bool | None = None
    iso2: str | None = None
    voice_lang: str | None = None
    parts_count: Integer | None = None
    chars_count: Integer | None = None
    callback_data: Any = Field(None, repr=False)
    bulk_id: Any = None
    key_id: Integer | None = None
    service_code: str | None = None
    is_text_deleted: bool | None = None
    price: Price | None = None
    is_sent: bool | None = None
    requests: Any = None
    clicks: Any = None


MESSAGE_FIELDS: Final = tuple(
    name for name, info in Message.model_fields.items() if not name.startswith("json_ld")
)
"""LOX24's names of a message's fields, in the contract's order."""


class Account(TolerantModel):
    """``GET /me``. ``balance_amount`` is the available balance (pre-paid, excluding VAT) or the
    remaining credit limit (post-paid), in ``currency``."""

    id: Integer | None = None
    currency: str | None = None
    balance_amount: Price | None = None
    balance_changed_at: Timestamp | None = None
    is_text_deleted: bool | None = None
    services: list[str] | None = None
    groups: dict[str, Any] | None = None


ACCOUNT_FIELDS: Final = tuple(Account.model_fields)


@dataclass(frozen=True, slots=True)
class MessageFilters:
    """Which of a bulk's messages ``GET /sms`` lists; the empty filter lists them all."""

    dlr_codes: tuple[int, ...] = ()
    status_codes: tuple[int, ...] = ()
    is_sent: bool | None = None
    newest_first: bool = False


ALL_MESSAGES: Final = MessageFilters()


@dataclass(frozen=True)
class MessagePage:
    """One page of ``GET /sms``. Its messages are read into models only when asked for: a count
    needs the page's total and codes, and reading 30 messages per count was most of the CPU
    a delivery refresh cost."""

    raw_items: list[dict[str, Any]] = field(repr=False)
    """The page's messages as LOX24 sent them (may hold phone numbers: kept out of repr)."""
    page: int
    next_page: int | None
    """The page to ask for next, or None on the last page."""
    total: int | None
    """``hydra:totalItems``: every message matching the filters, when the answer says (ld+json;
    a numeric string is read, absent or null is None)."""
    request_id: str | None

    @cached_property
    def items(self) -> list[Message]:
        return [Message.model_validate(item) for item in self.raw_items]

    @property
    def dlr_codes(self) -> list[int]:
        """The delivery report codes on the page, read as the model reads them (numbers or
        numeric strings; anything else is left out)."""
        return [code for code in map(_code, self.raw_items) if code is not None]

    @property
    def status_codes(self) -> list[int]:
        """The messages' own status codes on the page (3000: not sent, no funds)."""
        codes = (_code(item, "status_code") for item in self.raw_items)
        return [code for code in codes if code is not None]


def _code(item: dict[str, Any], key: str = "dlr_code") -> int | None:
    value = item.get(key)
    if type(value) is int:
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value) if len(value.strip()) < 10 else None
    return None


@dataclass(frozen=True, slots=True)
class MessageCount:
    """How many messages match some filters."""

    count: int
    partial: bool
    """The answers had no total, so the count was made by paging."""
    complete: bool
    """Every matching message was counted (False: paging stopped at its cap; a lower bound)."""
    requests: int
    seen_dlr_codes: dict[int, int]
    """Dlr codes of the messages on the pages read, with how many of each."""
    seen_status_codes: dict[int, int] = field(default_factory=dict)
    """The messages' status codes on the pages read, with how many of each."""


async def count_messages(
    source: MessageSource,
    bulk_id: str,
    *,
    dlr_code: int | Sequence[int] | None = None,
    status_codes: Sequence[int] = (),
    is_sent: bool | None = None,
    max_pages: int = COUNT_PAGE_CAP,
    newest_first: bool = False,
) -> MessageCount:
    """How many of a bulk's messages match: ``hydra:totalItems`` of one page, or, when the
    answer has none, the items of up to ``max_pages`` pages (then flagged partial).
    ``newest_first``: the page read shows the latest matching messages."""
    filters = MessageFilters(as_codes(dlr_code), tuple(status_codes), is_sent, newest_first)
    return await count_by_pages(
        lambda page: source.list_messages(bulk_id, page=page, filters=filters), max_pages
    )


def as_codes(value: int | Sequence[int] | None) -> tuple[int, ...]:
    """One code, several or none, as a tuple (what the count calls take as ``dlr_code``)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, int) else tuple(value)


async def count_by_pages(
    fetch: Callable[[int], Awaitable[MessagePage]], max_pages: int
) -> MessageCount:
    """Count with ``fetch(page)``: the first page's total when it has one, else the items of
    pages read in turn, at most ``max_pages`` of them. Each page is a request of its own, so a
    guarded ``fetch`` asks the guard for each."""
    seen: Counter[int] = Counter()
    statuses: Counter[int] = Counter()
    counted = full = 0
    number = 1
    for requests in range(1, max(1, max_pages) + 1):
        page = await fetch(number)
        seen.update(page.dlr_codes)
        statuses.update(page.status_codes)
        if requests == 1 and page.total is not None:
            return MessageCount(page.total, False, True, 1, dict(seen), dict(statuses))
        size = len(page.raw_items)
        counted += size
        full = size if requests == 1 else full
        short = size < full  # a bare array says no more than this
        if page.next_page is None or page.next_page <= number or not size or short:
            return MessageCount(counted, True, True, requests, dict(seen), dict(statuses))
        number = page.next_page
    return MessageCount(counted, True, False, max(1, max_pages), dict(seen), dict(statuses))


_DLR_TEXT: Final[dict[int, str]] = {
    DlrCode.NONE: "no report yet",
    DlrCode.DELIVERED: "delivered",
    DlrCode.QUEUED: "queued",
    DlrCode.SUBMITTED: "submitted",
    DlrCode.EXPIRED: "expired",
    DlrCode.REJECTED: "rejected",
}
_SMS_STATUS_TEXT: Final[dict[int, str]] = {
    SmsStatusCode.NEW: "new",
    SmsStatusCode.TRANSMITTED: "transmitted",
    SmsStatusCode.BLOCKED: "network blocked",
    SmsStatusCode.MAINTENANCE: "maintenance",
    SmsStatusCode.STOPPED_WEB: "stopped (web)",
    SmsStatusCode.NO_LANDLINE: "no landline connection",
    SmsStatusCode.NO_FUNDS: "no funds",
    SmsStatusCode.NO_OPERATOR: "no operator",
    SmsStatusCode.STOPPED_API: "stopped (API)",
}


def dlr_label(code: int | None) -> str:
    """A delivery report code for people, with the code: "delivered (1)", "unknown (32)"."""
    if code is None:
        return "—"
    return f"{_DLR_TEXT.get(code, 'unknown')} ({code})"


def sms_status_label(code: int | None) -> str:
    """A message's status code for people, with the code: "no funds (3000)"."""
    if code is None:
        return "—"
    return f"{_SMS_STATUS_TEXT.get(code, 'unknown')} ({code})"
