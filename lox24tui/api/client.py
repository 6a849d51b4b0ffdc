"""The LOX24 client: one long-lived ``httpx.AsyncClient`` that turns responses into models and
failures into the typed errors of :mod:`lox24tui.api.errors`.

This is the only module that builds LOX24 URLs and headers. Ids are checked before a URL exists,
so a value like ``../me`` can never become a request.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import re
import ssl
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, Final, Self, TypeVar
from urllib.parse import parse_qs, urlsplit

import httpx
from pydantic import BaseModel

from lox24tui import __version__
from lox24tui.api import kept_body
from lox24tui.api.clicks import Click, ClickPage
from lox24tui.api.errors import (
    AccountNotActive,
    BulkNotFound,
    ErrorContext,
    InvalidToken,
    Lox24Error,
    NetworkError,
    RateLimited,
    ServerError,
    UnexpectedStatus,
    UnreadableResponse,
    WriteRefused,
)
from lox24tui.api.ids import parse_bulk_id
from lox24tui.api.models import Bulk, BulkStatus
from lox24tui.api.opt_outs import OptOut, OptOutPage
from lox24tui.api.page import Page
from lox24tui.api.replies import MOST_UUIDS_PER_ASK, Reply, ReplyPage
from lox24tui.api.sms import (
    ALL_MESSAGES,
    Account,
    MessageFilters,
    MessagePage,
)
from lox24tui.api.token import Token

DEFAULT_BASE_URL: Final = "https://api.lox24.eu"
JSON: Final = "application/json"
JSON_LD: Final = "application/ld+json"
AUTH_HEADER: Final = "X-LOX24-AUTH-TOKEN"
REQUEST_ID_HEADER: Final = "X-LOX24-REQUEST-ID"
USER_AGENT: Final = f"lox24tui/{__version__}"
_DETAIL_LIMIT: Final = 200
_REFUSED_WRITE: Final = frozenset({400, 402, 409, 422})

_log = logging.getLogger(__name__)
"""The debug log (``--log``): method and path of each request, never its query, whose values
could be filters or numbers; then the answer's status and request id."""


@dataclass(frozen=True, slots=True, init=False)
class StatusReply:
    """A bulk's status together with what support needs and the dashboard shows. The body is
    kept deflated (:mod:`kept_body`): one is kept per watched bulk, and read only when shown."""

    bulk_id: str
    status: BulkStatus
    request_id: str | None
    deflated_body: bytes = field(repr=False)

    def __init__(
        self, bulk_id: str, status: BulkStatus, request_id: str | None, raw_json: str
    ) -> None:
        object.__setattr__(self, "bulk_id", bulk_id)
        object.__setattr__(self, "status", status)
        object.__setattr__(self, "request_id", request_id)
        object.__setattr__(self, "deflated_body", kept_body.keep(raw_json))

    @property
    def raw_json(self) -> str:
        """The response body exactly as received."""
        return kept_body.read(self.deflated_body)


class ClosesOnExit:
    """``async with`` for a client: whatever the block does, its connections are closed."""

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class BulkFilters:
    """Which of the account's bulks ``GET /bulks`` lists; the empty filter lists them all."""

    status_codes: tuple[int, ...] = ()
    created_since: datetime | None = None


ALL_BULKS: Final = BulkFilters()


BulkPage = Page[Bulk]
"""A page of ``GET /bulks``, newest first; ``total`` counts the bulks matching the filters."""


class Lox24Client(ClosesOnExit):
    """An open connection pool to LOX24, authenticated with one token.

    Use as ``async with Lox24Client(token) as client: ...``, or call :meth:`aclose` yourself.
    ``transport`` swaps what is underneath (``httpx.MockTransport`` in unit tests, an in-process
    ASGI transport for the demo).
    """

    def __init__(
        self,
        token: Token,
        base_url: str = DEFAULT_BASE_URL,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
        max_connections: int = 10,
        accept: str = JSON,
        now: Callable[[], float] = time.time,
    ) -> None:
        self._token = token
        self._now = now
        """Unix seconds: what a Retry-After date is measured from (the app's clock in tests)."""
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                keepalive_expiry=30.0,
            ),
            headers={"Accept": accept, "User-Agent": USER_AGENT},
            follow_redirects=False,
            verify=shared_ssl_context() if transport is None else True,
        )

    @property
    def token(self) -> Token:
        return self._token

    async def aclose(self) -> None:
        await self._http.aclose()

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        """``GET /bulks/{id}/status``. Raises :class:`InvalidBulkId` before sending anything."""
        bulk_id = parse_bulk_id(bulk_id)
        response, payload = await self._get_json(f"/bulks/{bulk_id}/status", bulk_id=bulk_id)
        status = BulkStatus.model_validate(_require_object(payload, response))
        return StatusReply(bulk_id, status, _request_id(response), response.text)

    async def list_bulks(self, *, page: int = 1, filters: BulkFilters = ALL_BULKS) -> BulkPage:
        """``GET /bulks``: the account's bulks, newest first, optionally filtered."""
        params: list[tuple[str, str | int]] = [("_order[created_at]", "desc"), ("page", page)]
        params += [("status_code[]", code) for code in filters.status_codes]
        if filters.created_since is not None:
            params.append(("created_at[gte]", int(filters.created_since.timestamp())))
        # ld+json: its hydra:view says which page is the last, so the last costs no request
        # for an empty page after it (a plain JSON array cannot say)
        response, payload = await self._request_json("GET", "/bulks", params=params, accept=JSON_LD)
        return _page(Bulk, payload, response, page, "bulks")

    async def list_messages(
        self, bulk_id: str, *, page: int = 1, filters: MessageFilters = ALL_MESSAGES
    ) -> MessagePage:
        """``GET /sms?bulk=…``: one page of a bulk's messages, optionally filtered."""
        bulk_id = parse_bulk_id(bulk_id)
        params = [*_message_filters(bulk_id, filters), ("page", page)]
        # always ld+json: only a hydra collection carries the total that makes a count cheap
        response, payload = await self._request_json(
            "GET", "/sms", params=params, bulk_id=bulk_id, accept=JSON_LD
        )
        members, next_page, total = _collection(payload, response, page, "messages")
        return MessagePage(members, page, next_page, total, _request_id(response))

    async def list_clicks(self, bulk_id: str, *, page: int = 1) -> ClickPage:
        """``GET /bulks/{id}/requests``: one page of the clicks on a bulk's short links, newest
        first; ``total`` counts them all."""
        bulk_id = parse_bulk_id(bulk_id)
        response, payload = await self._request_json(
            "GET",
            f"/bulks/{bulk_id}/requests",
            params=[("_order[date]", "desc"), ("page", page)],
            bulk_id=bulk_id,
            accept=JSON_LD,
        )
        return _page(Click, payload, response, page, "clicks")

    async def list_replies(self, *, page: int = 1, msg_uuids: Sequence[str] = ()) -> ReplyPage:
        """``GET /incomings``: one page of inbound messages, newest first; with ``msg_uuids``,
        only the replies to those messages (at most :data:`MOST_UUIDS_PER_ASK` at a time)."""
        if len(msg_uuids) > MOST_UUIDS_PER_ASK:
            raise ValueError(f"at most {MOST_UUIDS_PER_ASK} message uuids per request")
        params: list[tuple[str, str | int]] = [("msg_uuid[]", uuid) for uuid in msg_uuids]
        params.append(("page", page))
        response, payload = await self._request_json(
            "GET", "/incomings", params=params, accept=JSON_LD
        )
        return _page(Reply, payload, response, page, "replies")

    async def list_opt_outs(self, *, page: int = 1, number: str | None = None) -> OptOutPage:
        """``GET /blocked_numbers``: one page of the account's opt-outs; ``number`` narrows it
        to entries holding those digits (LOX24 matches it partially)."""
        params: list[tuple[str, str | int]] = [("page", page)]
        if number is not None:
            params.insert(0, ("number", number))
        response, payload = await self._request_json(
            "GET", "/blocked_numbers", params=params, accept=JSON_LD
        )
        return _page(OptOut, payload, response, page, "opt-outs")

    async def get_account(self) -> Account:
        """``GET /me``: balance, currency, services."""
        response, payload = await self._get_json("/me")
        return Account.model_validate(_require_object(payload, response))

    async def cancel_bulk(self, bulk_id: str) -> StatusReply:
        """``PUT /bulks/{id}/cancel``: stop a bulk that has not finished sending. A refusal
        raises :class:`WriteRefused` with LOX24's reason."""
        bulk_id = parse_bulk_id(bulk_id)
        response, payload = await self._request_json(
            "PUT", f"/bulks/{bulk_id}/cancel", bulk_id=bulk_id, write=True
        )
        status = BulkStatus.model_validate(_require_object(payload, response))
        return StatusReply(bulk_id, status, _request_id(response), response.text)

    async def check_token(self) -> dict[str, Any]:
        """``GET /me``: a cheap request that succeeds only with a working token."""
        response, payload = await self._get_json("/me")
        return _require_object(payload, response)

    async def _get_json(
        self,
        path: str,
        *,
        params: Sequence[tuple[str, str | int]] = (),
        bulk_id: str | None = None,
    ) -> tuple[httpx.Response, Any]:
        return await self._request_json("GET", path, params=params, bulk_id=bulk_id)

    async def _request_json(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str | int]] = (),
        bulk_id: str | None = None,
        write: bool = False,
        accept: str | None = None,
    ) -> tuple[httpx.Response, Any]:
        headers = {AUTH_HEADER: self._token.reveal()}
        if accept is not None:
            headers["Accept"] = accept
        request = self._http.build_request(method, path, params=list(params), headers=headers)
        _log.debug("request %s %s", method, path)
        try:
            response = await self._http.send(request, stream=True)
        except httpx.TimeoutException:
            _log.debug("no answer to GET %s within %g s", path, self.timeout)
            raise NetworkError(f"no answer within {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            reason = self._token.scrub(_reason(exc))
            _log.debug("could not connect for GET %s: %s", path, reason)
            raise NetworkError(
                f"could not connect to {self.base_url} ({reason})", never_sent=True
            ) from None
        except httpx.TransportError as exc:
            reason = self._token.scrub(_reason(exc))
            _log.debug("connection failed for GET %s: %s", path, reason)
            raise NetworkError(f"the connection failed ({reason})") from None
        try:
            await response.aread()
        except httpx.TimeoutException:
            raise NetworkError(f"the response stalled for over {self.timeout:g} s") from None
        except httpx.TransportError:
            raise UnreadableResponse(
                "it was cut off before the end (truncated)", **_context(response)
            ) from None
        finally:
            await response.aclose()
        _log.debug(
            "answer %d to %s %s, request id %s",
            response.status_code,
            method,
            path,
            _request_id(response) or "none",
        )
        if response.status_code != 200:
            error = self._error_for(response, bulk_id, write=write)
            _log.debug("%s %s failed: %s", method, path, error)
            raise error
        return response, _parse_json(response)

    def _error_for(
        self, response: httpx.Response, bulk_id: str | None, *, write: bool = False
    ) -> Lox24Error:
        context = _context(response)
        context["detail"] = _detail(response, self._token)
        status = response.status_code
        if status == 401:
            return InvalidToken(source=self._token.source, **context)
        if status == 403:
            return AccountNotActive(**context)
        if status == 404 and bulk_id is not None:
            return BulkNotFound(bulk_id, **context)
        if status == 429:
            retry_after = _retry_after(response.headers.get("Retry-After"), self._now())
            return RateLimited(retry_after, **context)
        if 500 <= status <= 599:
            return ServerError(**context)
        if write and status in _REFUSED_WRITE:
            return WriteRefused(**context)
        return UnexpectedStatus(**context)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """What httpx builds for ``verify=True`` (certifi's roots, or SSL_CERT_FILE / SSL_CERT_DIR),
    once per process: loading the roots costs ~35 ms, and a pool opens several clients."""
    return httpx.create_ssl_context()


def _context(response: httpx.Response) -> ErrorContext:
    return {"http_status": response.status_code, "request_id": _request_id(response)}


def _request_id(response: httpx.Response) -> str | None:
    value = response.headers.get(REQUEST_ID_HEADER)
    if not value:
        return None
    return _printable(value)[:64] or None


def _reason(exc: httpx.TransportError) -> str:
    text = str(exc).strip()
    return text if text else type(exc).__name__


def _parse_json(response: httpx.Response) -> Any:
    text = response.text
    if not text.strip():
        raise UnreadableResponse("the body was empty", **_context(response))
    try:
        return json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, 5,000-digit ints, deep nesting
        if not isinstance(exc, json.JSONDecodeError):
            raise UnreadableResponse(
                "it is JSON this client refuses to read (numbers too long or nesting too deep)",
                **_context(response),
            ) from None
        content_type = response.headers.get("Content-Type", "")
        if "html" in content_type or text.lstrip().startswith("<"):
            reason = "an HTML page came instead of JSON (often a proxy's error page)"
        elif _looks_truncated(text):
            reason = "the JSON ends too early (truncated)"
        else:
            reason = f"it is not valid JSON ({exc.msg}, character {exc.pos})"
        raise UnreadableResponse(reason, **_context(response)) from None


def _looks_truncated(text: str) -> bool:
    """Whether the text ends inside a string or with brackets still open: JSON cut short."""
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return in_string or depth > 0


def _require_object(payload: Any, response: httpx.Response) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise UnreadableResponse(
            f"expected a JSON object, got {type(payload).__name__}", **_context(response)
        )
    return payload


Listed = TypeVar("Listed", bound=BaseModel)
"""What a page lists: a model read from each of its members."""


def _page(
    model: type[Listed], payload: Any, response: httpx.Response, page: int, what: str
) -> Page[Listed]:
    """One page of a collection, its items read into ``model``."""
    members, next_page, total = _collection(payload, response, page, what)
    items = [model.model_validate(member) for member in members]
    return Page(items, page, next_page, total, _request_id(response))


def _collection(
    payload: Any, response: httpx.Response, page: int, what: str
) -> tuple[list[dict[str, Any]], int | None, int | None]:
    """(items, next page, total) of a collection: a bare array (plain JSON) or a hydra
    document (ld+json), whose ``hydra:totalItems`` may be absent, null or a numeric string."""
    members: Any
    next_page: int | None
    total: int | None = None
    if isinstance(payload, list):
        members = payload
        next_page = page + 1 if payload else None
    elif isinstance(payload, dict) and ("hydra:member" in payload or "member" in payload):
        members = payload.get("hydra:member", payload.get("member"))
        total = _total(payload.get("hydra:totalItems", payload.get("totalItems")))
        next_page = _next_page(payload.get("hydra:view", payload.get("view")))
    else:
        raise UnreadableResponse(f"expected a list of {what}", **_context(response))
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise UnreadableResponse(
            f"the list of {what} has items that are not {what}", **_context(response)
        )
    return members, next_page, total


def _total(value: Any) -> int | None:
    if type(value) is int and value >= 0:
        return value
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        return int(value) if len(value.strip()) < 16 else None
    return None


def _message_filters(bulk_id: str, filters: MessageFilters) -> list[tuple[str, str | int]]:
    """The query of ``GET /sms`` for one bulk: one dlr code as ``dlr_code``, several as
    ``dlr_code[]``; status codes always as ``status_code[]``."""
    params: list[tuple[str, str | int]] = [("bulk", bulk_id)]
    if len(filters.dlr_codes) == 1:
        params.append(("dlr_code", filters.dlr_codes[0]))
    else:
        params += [("dlr_code[]", code) for code in filters.dlr_codes]
    params += [("status_code[]", code) for code in filters.status_codes]
    if filters.is_sent is not None:
        params.append(("is_sent", "true" if filters.is_sent else "false"))
    if filters.newest_first:
        params.append(("_order[created_at]", "desc"))
    return params


def _next_page(view: Any) -> int | None:
    if not isinstance(view, Mapping):
        return None
    link = view.get("hydra:next", view.get("next"))
    if not isinstance(link, str):
        return None
    pages = parse_qs(urlsplit(link).query).get("page")
    if pages and pages[0].isascii() and pages[0].isdigit() and len(pages[0]) < 10:
        return int(pages[0])
    return None


def _retry_after(value: str | None, now: float) -> float | None:
    """Retry-After as seconds: either a number of seconds or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    return max(0.0, seconds) if math.isfinite(seconds) else None


_TAGS = re.compile(r"<[^>]+>")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Drop control characters (terminal escapes included) and fold white space."""
    return " ".join(_CONTROL.sub("", text).split())


def _detail(response: httpx.Response, token: Token) -> str | None:
    """What an error body says, in one short line: API Platform JSON, an HTML title, or text."""
    try:
        text = response.text
    except (UnicodeDecodeError, LookupError):
        return None
    if not text.strip():
        return None
    detail: str | None = None
    try:
        payload = json.loads(text)
    except (ValueError, RecursionError):
        title = _TITLE.search(text)
        if title:
            detail = title.group(1)
        elif not text.lstrip().startswith("<"):
            detail = text
        else:
            detail = _TAGS.sub(" ", text)
    else:
        if isinstance(payload, dict):
            for key in ("hydra:description", "detail", "message", "hydra:title", "title", "error"):
                value = payload.get(key)
                if isinstance(value, str) and value.strip():
                    detail = value
                    break
    if detail is None:
        return None
    detail = _printable(token.scrub(detail))
    if len(detail) > _DETAIL_LIMIT:
        detail = detail[: _DETAIL_LIMIT - 1] + "…"
    return detail or None
