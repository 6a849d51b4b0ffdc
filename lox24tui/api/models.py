"""The status of a bulk as LOX24 returns it, read tolerantly.

The reference is loose in places (``created_at`` documented as a UUID, numbers sent as strings,
fields absent or null, unknown keys), so a field that cannot be read becomes ``None`` and is
listed in :attr:`BulkStatus.unreadable_fields` with its raw value, instead of failing the whole
record: one odd field must not hide the rest of a bulk.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import IntEnum
from typing import Annotated, Any, Final, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from lox24tui.api.ids import BULK_ID_PATTERN


class StatusCode(IntEnum):
    """The status codes the contract documents; others are kept as plain ints."""

    NEW = 0
    IN_PROGRESS = 5
    PROCESSED = 10
    CANCELED = 15
    SYSTEM_ERROR = 20
    NO_RECIPIENTS = 201


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """What a status code means to a person, and whether it can still change."""

    code: int | None
    label: str
    meaning: str
    is_final: bool
    is_known: bool

    @property
    def is_failed(self) -> bool:
        """Ended without sending, by LOX24's fault or for want of recipients (20, 201)."""
        return self.code in FAILED_CODES

    @property
    def is_sent(self) -> bool:
        """Ended with every message handed on (10): the one ending that is not a setback."""
        return self.code == StatusCode.PROCESSED

    @property
    def is_cancelable(self) -> bool:
        """Not yet sent in full (0, 5): LOX24 refuses to cancel anything else."""
        return self.code in CANCELABLE_CODES


_STATUS_TEXT: Final[dict[int, tuple[str, str]]] = {
    StatusCode.NEW: ("new", "new, not processed yet"),
    StatusCode.IN_PROGRESS: ("in progress", "being sent"),
    StatusCode.PROCESSED: ("processed", "processed successfully"),
    StatusCode.CANCELED: ("canceled", "canceled by the user"),
    StatusCode.SYSTEM_ERROR: ("system error", "stopped by a LOX24 system error"),
    StatusCode.NO_RECIPIENTS: ("no recipients", "error: no recipients found"),
}
SCHEDULED: Final = "scheduled"
"""The label of a new bulk (0) whose delivery time is still ahead."""
FINAL_CODES: Final = frozenset(
    {StatusCode.PROCESSED, StatusCode.CANCELED, StatusCode.SYSTEM_ERROR, StatusCode.NO_RECIPIENTS}
)
FAILED_CODES: Final = frozenset({StatusCode.SYSTEM_ERROR, StatusCode.NO_RECIPIENTS})
CANCELABLE_CODES: Final = frozenset({StatusCode.NEW, StatusCode.IN_PROGRESS})


def status_info(code: int | None) -> StatusInfo:
    """Describe a status code; unknown and missing codes are described as such, never rejected."""
    if code is None:
        return StatusInfo(None, "no status", "LOX24 sent no status code", False, False)
    if code in _STATUS_TEXT:
        label, meaning = _STATUS_TEXT[code]
        return StatusInfo(code, label, meaning, code in FINAL_CODES, True)
    return StatusInfo(
        code, f"unknown ({code})", f"status code {code} is not documented", False, False
    )


def status_label(code: int | None, delivery_at: datetime | None, at: datetime) -> str:
    """The label of a status as it reads at a time: the one vocabulary of the table, the detail
    pane and its timeline, toasts, the CLI and exports. A new bulk (0) whose delivery is still
    ahead at ``at`` is "scheduled"; otherwise the code's own label ("new", "unknown (7)", …)."""
    if code == StatusCode.NEW and delivery_at is not None and delivery_at > at:
        return SCHEDULED
    return status_info(code).label


def label_with_code(label: str, code: int | None) -> str:
    """A status label followed by its code, once: "scheduled (0)"; "unknown (7)" names its code
    already, and "no status" has none."""
    return f"{label} ({code})" if status_info(code).is_known else label


VOICE_LANGUAGES: Final[dict[str, str]] = {
    "EN": "English",
    "DE": "German",
    "FR": "French",
    "IT": "Italian",
    "ES": "Spanish",
    "PL": "Polish",
    "NL": "Dutch",
    "RO": "Romanian",
    "PT": "Portuguese",
    "CS": "Czech",
    "HU": "Hungarian",
    "SV": "Swedish",
    "DA": "Danish",
    "FI": "Finnish",
    "SK": "Slovak",
    "HR": "Croatian",
    "TR": "Turkish",
    "RU": "Russian",
    "BG": "Bulgarian",
    "UK": "Ukrainian",
}


def voice_language_name(code: str | None) -> str:
    """``None`` means LOX24 detects the language; unknown codes are shown as they came."""
    if code is None:
        return "auto-detect"
    return VOICE_LANGUAGES.get(code.upper(), f"unknown ({code})")


def voice_language_with_code(code: str | None) -> str:
    """The voice language with its code, once: "German (DE)"; "auto-detect" has no code, and
    "unknown (XX)" names it already."""
    name = voice_language_name(code)
    return name if code is None or code.upper() not in VOICE_LANGUAGES else f"{name} ({code})"


LATEST_TIMESTAMP: Final = 32_503_680_000  # 3000-01-01: later "seconds" are a misreading
MAX_PRICE_DIGITS: Final = 12
"""A price of a trillion or more is a misreading (and would overflow exact totals)."""


def _unix_time(value: Any) -> Any:
    """Unix seconds (int, float or numeric string) to an aware UTC datetime; other values pass on.

    Done here rather than by pydantic, which reads large numbers as milliseconds; numbers
    outside 1970–3000 are refused, so the field is set aside as unreadable. 0 is LOX24's "no
    time" (its PHP client writes it for "send now"): None here, so no reader ever shows
    1970-01-01 or takes it for a moment long past.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except ArithmeticError:
            return value
    if isinstance(value, int | float | Decimal):
        if not (0 <= value < LATEST_TIMESTAMP):  # also False for NaN
            raise ValueError("not a unix time between 1970 and 3000")
        if value == 0:
            return None
        return datetime.fromtimestamp(float(value), tz=UTC)
    return value


def _no_bool(value: Any) -> Any:
    """JSON true/false is not a number, whatever Python thinks."""
    if isinstance(value, bool):
        raise ValueError("a boolean where a number belongs")
    return value


def _sane_price(value: Decimal) -> Decimal:
    if not value.is_finite() or (value and value.adjusted() >= MAX_PRICE_DIGITS):
        raise ValueError("not a price")
    return value


Timestamp = Annotated[datetime | None, BeforeValidator(_unix_time)]
"""A time LOX24 sends as unix seconds; None for 0, LOX24's "no time"."""
Integer = Annotated[int, BeforeValidator(_no_bool)]
Price = Annotated[Decimal, BeforeValidator(_no_bool), AfterValidator(_sane_price)]


class TolerantModel(BaseModel):
    """A LOX24 record read leniently: unknown keys are kept, and a field that cannot be read is
    set aside (``None``, listed in :attr:`unreadable_fields`) instead of failing the record."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    _unreadable: dict[str, Any] = PrivateAttr(default_factory=dict)

    @model_validator(mode="wrap")
    @classmethod
    def _set_aside_unreadable_fields(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self]
    ) -> Self:
        try:
            return _compact(handler(data))
        except ValidationError as exc:
            if not isinstance(data, dict):
                raise
            bad = {str(err["loc"][0]) for err in exc.errors() if err["loc"]}
            if not bad:
                raise
            model = handler({key: value for key, value in data.items() if key not in bad})
            model._unreadable = {key: data[key] for key in sorted(bad)}
            return _compact(model)

    @property
    def unreadable_fields(self) -> dict[str, Any]:
        """Fields LOX24 sent in a form this client could not read, with their raw values."""
        return dict(self._unreadable)

    @property
    def extra_fields(self) -> dict[str, Any]:
        """Keys the contract does not mention, kept as they came."""
        return dict(self.model_extra or {})


M = TypeVar("M", bound=BaseModel)
_FIELDS_SETS: dict[frozenset[str], set[str]] = {}
"""One set of field names per shape of record, shared by every record of that shape."""
SHARED_TEXT_CHARS: Final = 24
"""Text fields up to this long ("Bulk", "/contexts/Bulk", an IP address, a service code) are
interned: they repeat from record to record; free text is longer and does not. A bulk id (the
``uuid``) is interned too: it is the very id the watch list already holds."""


_CLEAN: Final[dict[str, Any]] = {"_unreadable": {}}
"""The private part of every record with no field set aside. Shared, so never written to:
``_unreadable`` is set (on a record's own dict) before a record is compacted, never after."""


def _compact(model: M) -> M:
    """A record as small as it can be kept: the dashboard keeps one per watched bulk (10,000
    of them, ~2.2 KB each as pydantic makes them). Records of one shape share their set of
    field names (pydantic's is ~730 bytes per record, and a frozen record never changes it)
    and, when no field was set aside, their private part; short texts that repeat are shared.
    What the record reads is unchanged (10,000 statuses: 21.8 → ~10 MiB)."""
    if model.__pydantic_private__ == _CLEAN:  # nothing set aside: one dict for all such
        object.__setattr__(model, "__pydantic_private__", _CLEAN)
    fields_set = model.__pydantic_fields_set__
    shared = _FIELDS_SETS.setdefault(frozenset(fields_set), fields_set)
    object.__setattr__(model, "__pydantic_fields_set__", shared)
    values = model.__dict__
    for name, value in values.items():
        if type(value) is str and (
            len(value) <= SHARED_TEXT_CHARS or BULK_ID_PATTERN.fullmatch(value)
        ):
            values[name] = sys.intern(value)
    return model


class BulkStatus(TolerantModel):
    """``GET /bulks/{id}/status``: short info about a bulk's status. Every field may be missing."""

    json_ld_context: str | dict[str, Any] | None = Field(None, alias="@context")
    json_ld_id: str | None = Field(None, alias="@id")
    json_ld_type: str | None = Field(None, alias="@type")
    uuid: str | None = None
    delivery_at: Timestamp | None = None
    """When the bulk is (or was) to be delivered."""
    status_code: Integer | None = None
    msg_total_count: Integer | None = None
    """How many messages the bulk created."""
    created_at: Timestamp | None = None
    processed_at: Timestamp | None = None
    """The time of the last change."""
    ip: str | None = None
    """IPv4 of the host that created the bulk."""
    is_unicode: bool | None = None
    is_dryrun: bool | None = None
    service_code: str | None = None
    key_id: Integer | None = None
    source: Integer | None = None
    voice_lang: str | None = None
    is_text_deleted: bool | None = None
    price: Price | None = None
    """Cost of the messages the bulk created, in the account's currency."""

    @property
    def status(self) -> StatusInfo:
        return status_info(self.status_code)

    @property
    def is_final(self) -> bool:
        """A bulk in a final state (10, 15, 20, 201) does not change again."""
        return self.status.is_final

    def label_at(self, now: datetime) -> str:
        """The status label at ``now`` (see :func:`status_label`)."""
        return status_label(self.status_code, self.delivery_at, now)

    @property
    def voice_language(self) -> str:
        return voice_language_name(self.voice_lang)


class Bulk(BulkStatus):
    """``GET /bulks/{id}`` and the items of ``GET /bulks``: the status plus the bulk's content."""

    sender_id: str | None = None
    text: str | None = None
    phones: list[Any] | None = None
    msg_groups: list[Any] | None = None
