"""The fake LOX24 as an ASGI application.

Follows the API contract (lox24tui/api/CONTRACT.md): ``X-LOX24-AUTH-TOKEN`` auth,
``X-LOX24-REQUEST-ID`` on every response, ``application/json`` or ``application/ld+json`` (hydra
collections), API Platform error bodies, and the IP-block rule: more than three bad-credential
requests from one IP within a minute and every request from that IP gets 429 for the next ten
minutes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import random
import re
import secrets
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, urlencode

from lox24tui.clock import Clock, SystemClock
from lox24tui.fake import engagement
from lox24tui.fake.account import SimBulk, SimulatedAccount
from lox24tui.fake.faults import Fault, FaultKind
from lox24tui.fake.messages import BulkMessages, MessageFilter, Stage
from lox24tui.fake.query import Collection, Query, is_integer
from lox24tui.fake.query import read as read_query

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

FAKE_TOKEN: Final = "1234567:0a1b2c3d4e5f60718293a4b5c6d7e8f9"
SWISS_TOKEN: Final = "7654321:9f8e7d6c5b4a39281706f5e4d3c2b1a0"
"""The token of the Swiss demo account that ``fake-server`` serves beside the demo's (not a
secret either: it opens nothing but the fake)."""
"""The token the fake accepts unless given another one. Not a secret: it only opens the fake."""
BAD_CREDENTIALS_LIMIT: Final = 3
BAD_CREDENTIALS_WINDOW: Final = 60.0
BLOCK_SECONDS: Final = 600.0
_BULK_PATH: Final = re.compile(r"/bulks/([^/]+)(/status|/cancel)?")
TotalItems = Literal["number", "absent", "null", "string"]
BULKS: Final = Collection(
    "/bulks",
    exact=frozenset({"status_code", "uuid"}),
    ranges=frozenset({"created_at"}),
    order=frozenset({"created_at"}),
)
"""``GET /bulks`` as the contract lists its filters."""
MESSAGES: Final = Collection(
    "/sms",
    exact=frozenset({"bulk", "uuid", "iso2", "dlr_code", "status_code"}),
    booleans=frozenset({"is_sent", "is_unicode"}),
    ranges=frozenset({"gateway_sent_at", "delivery_at", "created_at"}),
    order=frozenset({"created_at", "gateway_sent_at"}),
)
"""``GET /sms`` as the contract lists its filters (``bulk`` from LOX24's PHP client)."""
INCOMINGS: Final = Collection(
    "/incomings",
    exact=frozenset({"msg_uuid"}),
    partial=frozenset({"text", "from", "to"}),
    order=frozenset({"received_at"}),
    type="Incoming",
    order_by=("received_at", True),
)
"""``GET /incomings``: replies and other inbound messages, newest first."""
BLOCKED: Final = Collection(
    "/blocked_numbers",
    exact=frozenset({"type"}),
    partial=frozenset({"number"}),
    type="BlockedNumber",
)
"""``GET /blocked_numbers``: the account's opt-outs."""
CLICKS: Final = Collection(
    "/short_link_requests",
    exact=frozenset({"country", "type"}),
    partial=frozenset({"url", "user_agent", "referer", "browser", "os"}),
    ranges=frozenset({"date"}),
    order=frozenset({"date"}),
    type="ShortLinkRequest",
    order_by=("date", False),
)
"""Short-link clicks: of the account, of a bulk (``/bulks/{id}/requests``)."""
_ENGAGEMENT_PATH: Final = re.compile(
    r"(/incomings|/blocked_numbers|/short_link_requests)(?:/([^/]+))?|(/bulks/)([^/]+)/requests"
)
_ENGAGED_KEPT: Final = 1024
"""Bulks whose clicks or replies are kept between requests (see FakeLox24._of_bulk)."""
_PATTERN_FILTERS: Final = frozenset({"bulk", "dlr_code", "status_code", "is_sent"})
"""The filters a bulk's message pattern counts without looking at each message."""

_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the fake saw it, for tests and the benchmark to count."""

    at: float
    method: str
    path: str
    query: str
    client: str
    status: int
    authorized: bool


class FakeLox24:
    """A simulated LOX24 API. Tests reach into ``log``, ``faults`` and ``in_flight``."""

    def __init__(
        self,
        account: SimulatedAccount | None = None,
        *,
        token: str = FAKE_TOKEN,
        clock: Clock | None = None,
        latency: float = 0.0,
        account_active: bool = True,
        retry_after_on_block: bool = True,
        page_size: int = 30,
        rng: random.Random | None = None,
        total_items: TotalItems = "number",
        more_accounts: Mapping[str, SimulatedAccount] | None = None,
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.account = account if account is not None else SimulatedAccount.demo(self.clock.now())
        self.token = token
        self.more_accounts: dict[str, SimulatedAccount] = dict(more_accounts or {})
        """Other accounts on the same server, by their tokens: each request sees the account of
        its token (its bulks, its balance); what protects the IP is the server's, shared."""
        self.latency = latency
        """Seconds (real time) every request waits before it is answered."""
        self.account_active = account_active
        self.retry_after_on_block = retry_after_on_block
        self.page_size = page_size
        """Items per page of a collection; LOX24 does not document its own, so clients must
        read it from the answer (``itemsPerPage`` is ignored, as API Platform does by default)."""
        self.total_items: TotalItems = total_items
        """How ``GET /sms`` in ld+json writes ``hydra:totalItems``: as a number, not at all, as
        null or as a numeric string (the quirks a client must survive)."""
        self._rng = rng
        """Seeded, it makes request ids repeatable (for snapshot tests); else they are random."""
        self.faults: list[Fault] = []
        self.log: list[LoggedRequest] = []
        self._engaged: dict[tuple[Any, ...], list[Any]] = {}
        self.unknown_filters: list[str] = []
        """Query parameters a collection does not know ("/sms: itemsPerPage"): ignored, as LOX24
        ignores them. The tests insist it stays empty."""
        self.in_flight = 0
        self.max_in_flight = 0
        self._bad_credentials: dict[str, deque[float]] = defaultdict(deque)
        self._blocked_until: dict[str, float] = {}

    def fail(self, kind: FaultKind | str, **options: Any) -> Fault:
        """Install a fault (see :class:`Fault`); it stays until used up or :meth:`clear_faults`."""
        fault = Fault(FaultKind(kind), **options)
        self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        self.faults.clear()

    def requests(self, path_prefix: str = "/") -> list[LoggedRequest]:
        return [entry for entry in self.log if entry.path.startswith(path_prefix)]

    def blocked_for(self, client: str = "127.0.0.1") -> float:
        """Seconds of IP block left for ``client``; 0 when it is not blocked."""
        return max(0.0, self._blocked_until.get(client, 0.0) - self.clock.now())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await self._handle(scope, receive, send)
        finally:
            self.in_flight -= 1

    async def _handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {
            key.decode("latin-1").lower(): value.decode("latin-1")
            for key, value in scope["headers"]
        }
        client = scope["client"][0] if scope.get("client") else "unknown"
        path: str = scope["path"]
        query = scope.get("query_string", b"").decode("latin-1")
        ld = "application/ld+json" in headers.get("accept", "")
        reply = _Reply(send, ld, self._request_id())
        if self.latency > 0:
            await asyncio.sleep(self.latency)
        now = self.clock.now()
        given = headers.get("x-lox24-auth-token")
        accounts = {**self.more_accounts, self.token: self.account}
        authorized = given in accounts

        def log(status: int) -> None:
            self.log.append(
                LoggedRequest(now, scope["method"], path, query, client, status, authorized)
            )

        blocked_left = self._blocked_until.get(client, 0.0) - now
        if blocked_left > 0:
            log(429)
            await self._send_block(reply, blocked_left)
            return
        if not authorized:
            if self._count_bad_credentials(client, now):
                log(429)
                await self._send_block(reply, BLOCK_SECONDS)
                return
            log(401)
            await reply.error(401, "Invalid credentials.")
            return
        if not self.account_active:
            log(403)
            await reply.error(403, "Your account has not been activated yet.")
            return
        match = _BULK_PATH.fullmatch(path)
        cancel = match is not None and match.group(2) == "/cancel"
        if scope["method"] != ("PUT" if cancel else "GET"):
            log(405)
            await reply.error(
                405, f'No route found for "{scope["method"]} {path}": Method Not Allowed.'
            )
            return
        bulk_id = match.group(1) if match else _query_bulk(path, query)
        fault = self._take_fault(bulk_id, path)
        if fault is not None:
            status = await self._send_fault(fault, reply, receive)
            if status is not None:
                log(status)
                return
        status, body = self._route(accounts[given or ""], given or "", path, query, ld)
        log(status)
        if status == 200:
            await reply.json(200, body)
        else:
            await reply.error(status, str(body))

    def _request_id(self) -> str:
        if self._rng is None:
            return secrets.token_hex(16)
        return f"{self._rng.getrandbits(128):032x}"

    def _route(
        self, account: SimulatedAccount, token: str, path: str, query: str, ld: bool
    ) -> tuple[int, Any]:
        """The answer to an authorized request, from the account of its token."""
        now = self.clock.now()
        if path == "/me":
            return 200, self._me(account, token, ld)
        if path == "/bulks":
            return 200, self._list(account, query, now, ld)
        if path == "/sms":
            return self._messages(account, query, now, ld)
        engaged = _ENGAGEMENT_PATH.fullmatch(path)
        if engaged is not None:
            kind = engaged.group(1) or engaged.group(3)
            item = engaged.group(2) or engaged.group(4)
            return self._engagement(account, kind, item, query, now, ld)
        match = _BULK_PATH.fullmatch(path)
        if match is None:
            return 404, f'No route found for "GET {path}".'
        bulk = account.get(match.group(1))
        if bulk is None:
            return 404, "Not Found"
        if match.group(2) == "/cancel":
            if not account.cancel(bulk, now):
                code = bulk.state(now)[0]
                return 400, f"The bulk cannot be canceled any more (status_code {code})."
            return 200, _with_ld(bulk.status_json(now), bulk, ld)
        if match.group(2):
            return 200, _with_ld(bulk.status_json(now), bulk, ld)
        return 200, _with_ld(bulk.bulk_json(now), bulk, ld)

    def _me(self, account: SimulatedAccount, token: str, ld: bool) -> dict[str, Any]:
        client_id = token.partition(":")[0]
        now = self.clock.now()
        changed = account.balance_changed_at(now)
        body: dict[str, Any] = {
            "id": int(client_id) if is_integer(client_id) else 0,
            "currency": account.currency,
            "balance_amount": float(account.balance(now)),
            "balance_changed_at": int(changed) if changed is not None else None,
            "is_text_deleted": account.is_text_deleted,
            "services": list(account.services),
            "groups": {"1": "/groups/1"},
        }
        if ld:
            body = {"@context": "/contexts/User", "@id": "/me", "@type": "User", **body}
        return body

    def _list(self, account: SimulatedAccount, query: str, now: float, ld: bool) -> Any:
        asked = self._read(query, BULKS)
        codes, uuids = asked.integers("status_code"), asked.texts("uuid")
        wanted = None if uuids is None else {u.lower() for u in uuids}
        page = asked.page
        bulks = account.newest_first()
        if not asked.descending("created_at", default=True):
            bulks.reverse()
        selected = [
            b
            for b in bulks
            if (codes is None or b.state(now)[0] in codes)
            and (wanted is None or b.uuid in wanted)
            and asked.within("created_at", int(b.created_at))  # as LOX24 stores it
        ]
        start = (page - 1) * self.page_size
        members = [
            _with_ld(b.bulk_json(now), b, ld) for b in selected[start : start + self.page_size]
        ]
        if not ld:
            return members
        view: dict[str, Any] = {
            "@id": f"/bulks?page={page}",
            "@type": "hydra:PartialCollectionView",
        }
        if start + self.page_size < len(selected):
            view["hydra:next"] = f"/bulks?page={page + 1}"
        return {
            "@context": "/contexts/Bulk",
            "@id": "/bulks",
            "@type": "hydra:Collection",
            "hydra:member": members,
            "hydra:totalItems": len(selected),
            "hydra:view": view,
        }

    def _messages(
        self, account: SimulatedAccount, query: str, now: float, ld: bool
    ) -> tuple[int, Any]:
        """``GET /sms``: one bulk's messages (the fake knows no others: without ``bulk`` the
        list is empty), filtered, paged, oldest first unless ``_order[created_at]=desc``."""
        asked = self._read(query, MESSAGES)
        page = asked.page
        bulk_ids = asked.values.get("bulk")
        bulk = account.get(bulk_ids[-1]) if bulk_ids else None
        members: list[dict[str, Any]] = []
        total = 0
        if bulk is not None:
            messages = bulk.messages(now, account.funds_out_at())
            if _counted_by_pattern(asked):
                total, found = _by_pattern(asked, messages, page, self.page_size)
                members = [bulk.message_json(index, stage) for index, stage in found]
            else:
                total, members = _one_by_one(asked, bulk, messages, page, self.page_size)
            if ld:
                members = [{"@id": f"/sms/{m['uuid']}", "@type": "Sms", **m} for m in members]
        if not ld:
            return 200, members
        body: dict[str, Any] = {
            "@context": "/contexts/Sms",
            "@id": "/sms",
            "@type": "hydra:Collection",
            "hydra:member": members,
            "hydra:totalItems": total,
            "hydra:view": self._view("/sms", query, page, total),
        }
        if self.total_items == "absent":
            del body["hydra:totalItems"]
        elif self.total_items == "null":
            body["hydra:totalItems"] = None
        elif self.total_items == "string":
            body["hydra:totalItems"] = str(total)
        return 200, body

    def _engagement(
        self,
        account: SimulatedAccount,
        kind: str,
        item: str | None,
        query: str,
        now: float,
        ld: bool,
    ) -> tuple[int, Any]:
        """Replies (``/incomings``), opt-outs (``/blocked_numbers``) and short-link clicks
        (``/short_link_requests``, ``/bulks/{id}/requests``), as :mod:`engagement` makes them."""
        if kind == "/bulks/":
            bulk = account.get(item or "")
            if bulk is None:
                return 404, "Not Found"
            collection, items = CLICKS, self._clicks(account, [bulk], now)
            path, id_key = f"/bulks/{bulk.uuid}/requests", "id"  # items named as below
        elif kind == "/short_link_requests":
            collection, items = CLICKS, self._clicks(account, account, now)
            path, id_key = kind, "id"
        elif kind == "/incomings":
            collection, id_key, path = INCOMINGS, "uuid", kind
            items = [answer for _, answer in self._replies(account, now)]
        else:
            collection, id_key, path = BLOCKED, "id", kind
            opened = min((b.created_at for b in account), default=now) - 86_400
            replies = (reply for reply, _ in self._replies(account, now))
            items = engagement.blocked_numbers(replies, opened)
        if item is not None and kind != "/bulks/":
            found = next((i for i in items if str(i[id_key]) == item), None)
            if found is None:
                return 404, "Not Found"
            return 200, _as_ld(found, collection, id_key) if ld else found
        asked = self._read(query, collection)
        kept = asked.ordered([i for i in items if asked.accepts(i)])
        return 200, self._page(kept, path, query, asked.page, ld, id_key, collection)

    def _clicks(
        self, account: SimulatedAccount, bulks: Iterable[SimBulk], now: float
    ) -> list[dict[str, Any]]:
        return [click for bulk in bulks for click in self._of_bulk(account, "clicks", bulk, now)]

    def _replies(
        self, account: SimulatedAccount, now: float
    ) -> list[tuple[engagement.Reply, dict[str, Any]]]:
        return [r for bulk in account for r in self._of_bulk(account, "replies", bulk, now)]

    def _of_bulk(
        self, account: SimulatedAccount, what: str, bulk: SimBulk, now: float
    ) -> list[Any]:
        """A bulk's clicks (as JSON) or replies at ``now``, kept while nothing they follow
        from changed: a client paging through them asks again for every page."""
        out = account.funds_out_at()
        key = (what, bulk.uuid, now, out, bulk.state(now)[1], bulk.quirks, bulk.text)
        kept = self._engaged.get(key)
        if kept is None:
            if len(self._engaged) >= _ENGAGED_KEPT:
                self._engaged.clear()
            messages = bulk.messages(now, out)
            kept = self._engaged[key] = (
                [click.json() for click in engagement.clicks(bulk, messages, now)]
                if what == "clicks"
                else [(reply, reply.json()) for reply in engagement.replies(bulk, messages, now)]
            )
        return kept

    def _page(
        self,
        items: list[dict[str, Any]],
        path: str,
        query: str,
        page: int,
        ld: bool,
        id_key: str,
        collection: Collection,
    ) -> Any:
        """One page of a collection: a plain list, or a hydra collection in JSON-LD."""
        start = (page - 1) * self.page_size
        members = items[start : start + self.page_size]
        if not ld:
            return members
        return {
            "@context": f"/contexts/{collection.type}",
            "@id": path,
            "@type": "hydra:Collection",
            "hydra:member": [_as_ld(m, collection, id_key) for m in members],
            "hydra:totalItems": len(items),
            "hydra:view": self._view(path, query, page, len(items)),
        }

    def _view(self, path: str, query: str, page: int, total: int) -> dict[str, Any]:
        """``hydra:view``: links to the first, last, previous and next page, each with the
        query as it was asked (its page aside)."""
        kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k != "page"]

        def link(number: int) -> str:
            return f"{path}?" + urlencode([*kept, ("page", str(number))])

        last = max(1, -(-total // self.page_size))
        view: dict[str, Any] = {
            "@id": link(page),
            "@type": "hydra:PartialCollectionView",
            "hydra:first": link(1),
            "hydra:last": link(last),
        }
        if page > 1:
            view["hydra:previous"] = link(page - 1)
        if page < last:
            view["hydra:next"] = link(page + 1)
        return view

    def _read(self, query: str, collection: Collection) -> Query:
        """The query as LOX24 reads it. A parameter LOX24 would ignore silently is ignored
        here too, and noted: a client of ours must never send one."""
        asked = read_query(query, collection)
        for key in asked.unknown:
            self.unknown_filters.append(f"{collection.path}: {key}")
            _log.warning(
                "%s: ignored the parameter %s, which LOX24 does not know", collection.path, key
            )
        return asked

    def _count_bad_credentials(self, client: str, now: float) -> bool:
        """Record a bad-credential request; True when it trips the block."""
        recent = self._bad_credentials[client]
        while recent and recent[0] <= now - BAD_CREDENTIALS_WINDOW:
            recent.popleft()
        recent.append(now)
        if len(recent) > BAD_CREDENTIALS_LIMIT:
            self._blocked_until[client] = now + BLOCK_SECONDS
            recent.clear()
            return True
        return False

    async def _send_block(self, reply: _Reply, seconds_left: float) -> None:
        headers = (
            [("retry-after", str(math.ceil(seconds_left)))] if self.retry_after_on_block else []
        )
        await reply.error(429, "Too Many Requests: this IP is blocked.", extra_headers=headers)

    def _take_fault(self, bulk_id: str | None, path: str) -> Fault | None:
        self.faults = [f for f in self.faults if not f.used_up]
        for fault in self.faults:
            if fault.matches(bulk_id, path):
                if fault.times is not None:
                    fault.times -= 1
                return fault
        return None

    async def _send_fault(self, fault: Fault, reply: _Reply, receive: Receive) -> int | None:
        """Answer as the fault says; None when the request should then be answered normally."""
        match fault.kind:
            case FaultKind.STATUS:
                extra = (
                    [("retry-after", fault.retry_after)] if fault.retry_after is not None else []
                )
                await reply.error(fault.status, fault.detail, extra_headers=extra)
            case FaultKind.HTML:
                page = (
                    f"<html><head><title>{fault.status} Bad Gateway</title></head>"
                    "<body><h1>Bad Gateway</h1><p>nginx</p></body></html>"
                )
                await reply.raw(fault.status, page.encode(), "text/html; charset=utf-8")
            case FaultKind.EMPTY:
                await reply.raw(fault.status, b"", "text/plain")
            case FaultKind.MALFORMED:
                await reply.raw(200, b"Service temporarily degraded", "application/json")
            case FaultKind.TRUNCATED:
                await reply.raw(
                    200,
                    b'{"uuid": "da0fa78c-4699-11ea-a637-96000028b339", "status_co',
                    reply.content_type,
                )
            case FaultKind.WRONG_SHAPE:
                await reply.raw(200, b'["not", "a", "bulk"]', reply.content_type)
            case FaultKind.HANG:
                await _wait_or_disconnect(fault.delay, receive)
                return None
        return (
            fault.status
            if fault.kind in (FaultKind.STATUS, FaultKind.HTML, FaultKind.EMPTY)
            else 200
        )


def _query_bulk(path: str, query: str) -> str | None:
    """The bulk a ``GET /sms`` asks about, so a fault aimed at a bulk hits its messages too."""
    if path != "/sms":
        return None
    return next((v for k, v in parse_qsl(query) if k == "bulk"), None)


def _with_ld(body: dict[str, Any], bulk: SimBulk, ld: bool) -> dict[str, Any]:
    if not ld:
        return body
    return {"@context": "/contexts/Bulk", "@id": f"/bulks/{bulk.uuid}", "@type": "Bulk", **body}


class _Reply:
    """Writes one response, always with a request id."""

    def __init__(self, send: Send, ld: bool, request_id: str) -> None:
        self._send = send
        self.ld = ld
        self.request_id = request_id
        self.content_type = (
            "application/ld+json; charset=utf-8" if ld else "application/json; charset=utf-8"
        )

    async def json(self, status: int, body: Any) -> None:
        await self.raw(status, json.dumps(body, ensure_ascii=False).encode(), self.content_type)

    async def error(
        self, status: int, description: str, extra_headers: list[tuple[str, str]] | None = None
    ) -> None:
        if self.ld:
            body: dict[str, Any] = {
                "@context": "/contexts/Error",
                "@type": "hydra:Error",
                "hydra:title": "An error occurred",
                "hydra:description": description,
            }
            content_type = "application/ld+json; charset=utf-8"
        else:
            body = {
                "type": "https://tools.ietf.org/html/rfc2616#section-10",
                "title": "An error occurred",
                "status": status,
                "detail": description,
            }
            content_type = "application/problem+json; charset=utf-8"
        await self.raw(status, json.dumps(body).encode(), content_type, extra_headers)

    async def raw(
        self,
        status: int,
        body: bytes,
        content_type: str,
        extra_headers: list[tuple[str, str]] | None = None,
    ) -> None:
        headers = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"x-lox24-request-id", self.request_id.encode()),
        ]
        headers += [(k.encode(), v.encode()) for k, v in extra_headers or []]
        await self._send({"type": "http.response.start", "status": status, "headers": headers})
        await self._send({"type": "http.response.body", "body": body})


async def _wait_or_disconnect(seconds: float, receive: Receive) -> None:
    """Sleep, but stop early when the client goes away, so a server can shut down promptly."""

    async def disconnected() -> None:
        while (await receive())["type"] != "http.disconnect":
            pass

    watcher = asyncio.ensure_future(disconnected())
    try:
        await asyncio.wait({watcher}, timeout=seconds)
    finally:
        watcher.cancel()
        await asyncio.wait({watcher})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def _counted_by_pattern(asked: Query) -> bool:
    return (
        set(asked.values) <= _PATTERN_FILTERS
        and not asked.bounds
        and not asked.exists
        and all(prop == "created_at" for prop, _ in asked.order)
    )


def _by_pattern(
    asked: Query, messages: BulkMessages, page: int, size: int
) -> tuple[int, list[tuple[int, Stage]]]:
    """Counted and paged from the pattern: cheap for a bulk of 50,000."""
    match = MessageFilter(
        asked.integers("dlr_code"), asked.integers("status_code"), asked.boolean("is_sent")
    )
    descending = asked.descending("created_at", default=False)
    return messages.count(match), list(messages.page(match, page, size, descending=descending))


def _one_by_one(
    asked: Query, bulk: SimBulk, messages: BulkMessages, page: int, size: int
) -> tuple[int, list[dict[str, Any]]]:
    """Every message read and filtered as LOX24's database would: for the filters the pattern
    cannot count (a message's uuid, its country, times)."""
    found = [
        item
        for item in (bulk.message_json(i, messages.stage_of(i)) for i in range(messages.total))
        if asked.accepts(item, besides=("bulk",))
    ]
    asked.ordered(found)
    start = (page - 1) * size
    return len(found), found[start : start + size]


def _as_ld(item: dict[str, Any], collection: Collection, id_key: str) -> dict[str, Any]:
    """An item with its IRI: where it is found alone, whichever list it came in."""
    return {"@id": f"{collection.path}/{item[id_key]}", "@type": collection.type, **item}
