"""Ways the fake can be told to misbehave, so every failure path of a client can be exercised."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class FaultKind(StrEnum):
    STATUS = "status"
    """Answer with ``status`` (5xx, 429, 403, …) and an API Platform error body."""
    HTML = "html"
    """Answer with ``status`` and an HTML error page, as a proxy in front of LOX24 would."""
    EMPTY = "empty"
    """Answer with ``status`` and no body at all."""
    MALFORMED = "malformed"
    """200 with a body that is not JSON."""
    TRUNCATED = "truncated"
    """200 with JSON cut off halfway."""
    WRONG_SHAPE = "wrong_shape"
    """200 with valid JSON that is not an object."""
    HANG = "hang"
    """Say nothing for ``delay`` seconds (or until the client gives up), then answer normally."""


@dataclass
class Fault:
    """One injected misbehaviour: which requests it hits and how many times."""

    kind: FaultKind
    status: int = 500
    bulk_id: str | None = None
    """Only requests about this bulk; None for every request."""
    times: int | None = None
    """How many requests it hits before it is used up; None for as long as it is installed."""
    delay: float = 30.0
    retry_after: str | None = None
    """A Retry-After header value to send with a STATUS fault."""
    detail: str = "Internal error (simulated)."
    """What the error body of a STATUS fault says (LOX24 may quote a request in it)."""
    path: str | None = None
    """Only requests whose path starts with this (``/sms``: the message counts); None for any."""

    def matches(self, bulk_id: str | None, path: str = "/") -> bool:
        return (self.bulk_id is None or self.bulk_id == bulk_id) and (
            self.path is None or path.startswith(self.path)
        )

    @property
    def used_up(self) -> bool:
        return self.times is not None and self.times <= 0
