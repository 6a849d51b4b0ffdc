"""Every way a LOX24 call can fail, one class per kind, each with a sentence a person understands.

::

    Lox24Error                     any failure; .kind, .title, .message, .http_status, .request_id
    ├── InvalidBulkId              not a UUID: refused before any request
    ├── AccountError               the whole account is stopped; nothing more should be sent
    │   ├── InvalidToken           401: token wrong or not active
    │   └── AccountNotActive       403: account not activated yet, blocked, or key inactive
    ├── BulkNotFound               404: no such bulk for this account
    ├── WriteRefused               400, 402, 409, 422 on a write (cancel): LOX24 said no, and why
    ├── RateLimited                429: too many requests or the IP is blocked; .retry_after
    ├── TransientError             worth retrying later, with backoff
    │   ├── ServerError            5xx: trouble on LOX24's side
    │   ├── NetworkError           timeout, refused, reset, DNS
    │   └── UnreadableResponse     not JSON, JSON of the wrong shape, truncated
    └── UnexpectedStatus           any other HTTP status

Messages never contain the token: the client builds them from the status, the request id and a
scrubbed, shortened excerpt of the response body only.
"""

from __future__ import annotations

from typing import ClassVar, TypedDict, Unpack


class ErrorContext(TypedDict, total=False):
    """What the client knows about a failed response, passed to every error class."""

    http_status: int | None
    request_id: str | None
    detail: str | None


class Lox24Error(Exception):
    """Base of every lox24tui API failure."""

    kind: ClassVar[str] = "error"
    """A stable machine-readable name, used in ``--json`` output and exports."""
    title: ClassVar[str] = "error"
    """A few words for a table cell."""

    def __init__(self, message: str | None = None, **context: Unpack[ErrorContext]) -> None:
        self.http_status = context.get("http_status")
        self.request_id = context.get("request_id")
        self.detail = context.get("detail")
        """What the server said about it, when it said anything readable."""
        self.message = message if message is not None else self._describe()
        super().__init__(self.message)

    def _describe(self) -> str:
        return "The LOX24 request failed."

    def __str__(self) -> str:
        text = self.message
        if self.detail:
            text += f" LOX24 said: {self.detail}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind!r}, http_status={self.http_status!r}, "
            f"request_id={self.request_id!r})"
        )

    def to_dict(self) -> dict[str, object]:
        """The error as ``--json`` output and exports show it."""
        return {
            "kind": self.kind,
            "message": str(self),
            "http_status": self.http_status,
            "request_id": self.request_id,
        }


class InvalidBulkId(Lox24Error, ValueError):
    """The text is not a bulk id (a UUID); it was never sent."""

    kind = "invalid_id"
    title = "invalid id"

    def __init__(self, text: str) -> None:
        self.text = text
        super().__init__()

    def _describe(self) -> str:
        shown = self.text if len(self.text) <= 60 else self.text[:57] + "…"
        return (
            f"{shown!r} is not a LOX24 bulk id (expected a UUID such as "
            "da0fa78c-4699-11ea-a637-96000028b339); no request was made for it."
        )


class AccountError(Lox24Error):
    """The account as a whole cannot be used: every further request would fail the same way."""


class InvalidToken(AccountError):
    kind = "invalid_token"
    title = "bad token"

    def __init__(
        self,
        message: str | None = None,
        *,
        source: str | None = None,
        **context: Unpack[ErrorContext],
    ) -> None:
        self.source = source
        """Where the refused token came from (Token.source), so the way on names that place."""
        super().__init__(message, **context)

    def _describe(self) -> str:
        where = (
            f"from {self.source} (401): it is wrong or not active. Set a valid token there"
            if self.source
            else "(401): it is wrong or not active. Set a valid token"
        )
        return (
            f"LOX24 rejected the API token {where}; nothing more is sent with this one, since "
            "repeated failures block your IP."
        )


class AccountNotActive(AccountError):
    kind = "account_not_active"
    title = "account inactive"

    def _describe(self) -> str:
        # LOX24's reference says "not activated yet"; its own PHP client calls the same answer
        # "account blocked or API key not active". The client cannot tell which: say all three.
        return (
            "LOX24 refused the account (403): it is not activated yet, it is blocked, or its "
            "API key is not active. Contact LOX24 support."
        )


class BulkNotFound(Lox24Error):
    kind = "not_found"
    title = "not found"

    def __init__(self, bulk_id: str, **context: Unpack[ErrorContext]) -> None:
        self.bulk_id = bulk_id
        super().__init__(**context)

    def _describe(self) -> str:
        return f"LOX24 has no bulk {self.bulk_id} on this account (404)."


class WriteRefused(Lox24Error):
    """LOX24 refused a write (a cancel) with a reason: shown to the user, never retried blindly."""

    kind = "refused"
    title = "refused"

    def _describe(self) -> str:
        reasons = {402: "not enough funds for the operation", 422: "it cannot be processed"}
        why = reasons.get(self.http_status or 0)
        if why is None:  # not "refused … it was refused": the detail, if any, says why
            return f"LOX24 did not do it (HTTP {self.http_status})."
        return f"LOX24 did not do it (HTTP {self.http_status}): {why}."


class RateLimited(Lox24Error):
    kind = "rate_limited"
    title = "rate limited"

    def __init__(self, retry_after: float | None = None, **context: Unpack[ErrorContext]) -> None:
        self.retry_after = retry_after
        """Seconds from the Retry-After header, or None when the response had none."""
        super().__init__(**context)

    def _describe(self) -> str:
        wait = (
            f"LOX24 asks to wait {self.retry_after:g} s"
            if self.retry_after is not None
            else "an IP block lasts ten minutes"
        )
        return f"LOX24 refused the request (429): too many requests or this IP is blocked; {wait}."


class TransientError(Lox24Error):
    """A failure that may pass by itself: retry later with backoff."""


class ServerError(TransientError):
    kind = "server_error"
    title = "LOX24 error"

    def _describe(self) -> str:
        return (
            f"LOX24 had a system error (HTTP {self.http_status}); the trouble is on LOX24's side."
        )


class NetworkError(TransientError):
    kind = "network"
    title = "network"

    def __init__(
        self, reason: str, *, never_sent: bool = False, **context: Unpack[ErrorContext]
    ) -> None:
        self.reason = reason
        self.never_sent = never_sent
        """No connection was made, so LOX24 cannot have seen (or counted) the request."""
        super().__init__(**context)

    def _describe(self) -> str:
        return f"Could not reach LOX24: {self.reason}."


class UnreadableResponse(TransientError):
    kind = "unreadable_response"
    title = "unreadable reply"

    def __init__(self, reason: str, **context: Unpack[ErrorContext]) -> None:
        self.reason = reason
        super().__init__(**context)

    def _describe(self) -> str:
        return f"LOX24's response could not be read: {self.reason}."


class UnexpectedStatus(Lox24Error):
    kind = "unexpected_status"
    title = "unexpected reply"

    def _describe(self) -> str:
        return f"LOX24 answered with HTTP {self.http_status}, which this client does not expect."
