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
import math
import random
import re
import secrets
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any, Final, Literal
from urllib.parse import parse_qsl, urlencode

from lox24tui.clock import Clock, SystemClock
from lox24tui.fake.account import SimBulk, SimulatedAccount
from lox24tui.fake.faults import Fault, FaultKind
from lox24tui.fake.messages import MessageFilter

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

FAKE_TOKEN: Final = "1234567:0a1b2c3d4e5f60718293a4b5c6d7e8f9"
"""The token the fake accepts unless given another one. Not a secret: it only opens the fake."""
BAD_CREDENTIALS_LIMIT: Final = 3
BAD_CREDENTIALS_WINDOW: Final = 60.0
BLOCK_SECONDS: Final = 600.0
_BULK_PATH: Final = re.compile(r"/bulks/([^/]+)(/status|/cancel)?")
TotalItems = Literal["number", "absent", "null", "string"]


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
    ) -> None:
        self.clock: Clock = clock or SystemClock()
        self.account = account if account is not None else SimulatedAccount.demo(self.clock.now())
        self.token = token
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
        authorized = headers.get("x-lox24-auth-token") == self.token

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
        status, body = self._route(path, query, ld)
        log(status)
        if status == 200:
            await reply.json(200, body)
        else:
            await reply.error(status, str(body))

    def _request_id(self) -> str:
        if self._rng is None:
            return secrets.token_hex(16)
        return f"{self._rng.getrandbits(128):032x}"

    def _route(self, path: str, query: str, ld: bool) -> tuple[int, Any]:
        now = self.clock.now()
        if path == "/me":
            return 200, self._me(ld)
        if path == "/bulks":
            return 200, self._list(query, now, ld)
        if path == "/sms":
            return self._messages(query, now, ld)
        match = _BULK_PATH.fullmatch(path)
        if match is None:
            return 404, f'No route found for "GET {path}".'
        bulk = self.account.get(match.group(1))
        if bulk is None:
            return 404, "Not Found"
        if match.group(2) == "/cancel":
            if not self.account.cancel(bulk, now):
                code = bulk.state(now)[0]
                return 400, f"The bulk cannot be canceled any more (status_code {code})."
            return 200, _with_ld(bulk.status_json(now), bulk, ld)
        if match.group(2):
            return 200, _with_ld(bulk.status_json(now), bulk, ld)
        return 200, _with_ld(bulk.bulk_json(now), bulk, ld)

    def _me(self, ld: bool) -> dict[str, Any]:
        client_id = self.token.partition(":")[0]
        now = self.clock.now()
        changed = self.account.balance_changed_at(now)
        body: dict[str, Any] = {
            "id": int(client_id) if _integer(client_id) else 0,
            "currency": self.account.currency,
            "balance_amount": float(self.account.balance(now)),
            "balance_changed_at": int(changed) if changed is not None else None,
            "is_text_deleted": self.account.is_text_deleted,
            "services": list(self.account.services),
            "groups": {"1": "/groups/1"},
        }
        if ld:
            body = {"@context": "/contexts/User", "@id": "/me", "@type": "User", **body}
        return body

    def _list(self, query: str, now: float, ld: bool) -> Any:
        params = parse_qsl(query, keep_blank_values=True)
        codes = {int(v) for k, v in params if k in ("status_code", "status_code[]") and _integer(v)}
        uuids = {v for k, v in params if k == "uuid[]"}
        bounds = [(k[len("created_at[") : -1], v) for k, v in params if k.startswith("created_at[")]
        page = next((int(v) for k, v in params if k == "page" and _integer(v) and int(v) > 0), 1)
        ascending = dict(params).get("_order[created_at]", "desc").lower() == "asc"
        bulks = self.account.newest_first()
        if ascending:
            bulks.reverse()
        selected = [
            b
            for b in bulks
            if (not codes or b.state(now)[0] in codes)
            and (not uuids or b.uuid in uuids)
            and all(_within(b.created_at, op, value) for op, value in bounds)
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

    def _messages(self, query: str, now: float, ld: bool) -> tuple[int, Any]:
        """``GET /sms``: one bulk's messages (the fake knows no others: without ``bulk`` the
        list is empty), filtered, paged, oldest first unless ``_order[created_at]=desc``."""
        params = parse_qsl(query, keep_blank_values=True)
        values: dict[str, list[str]] = defaultdict(list)
        for key, value in params:
            values[key].append(value)
        dlr = [int(v) for v in values["dlr_code"] + values["dlr_code[]"] if _integer(v)]
        status = [int(v) for v in values["status_code[]"] + values["status_code"] if _integer(v)]
        sent = values["is_sent"][-1].lower() if values["is_sent"] else None
        match = MessageFilter(
            frozenset(dlr) if dlr else None,
            frozenset(status) if status else None,
            {"true": True, "1": True, "false": False, "0": False}.get(sent) if sent else None,
        )
        page = next((int(v) for v in values["page"] if _integer(v) and int(v) > 0), 1)
        descending = (values["_order[created_at]"] or ["asc"])[-1].lower() == "desc"
        bulk = self.account.get(values["bulk"][-1]) if values["bulk"] else None
        members: list[dict[str, Any]] = []
        total = 0
        if bulk is not None:
            messages = bulk.messages(now, self.account.funds_out_at())
            total = messages.count(match)
            for index, stage in messages.page(match, page, self.page_size, descending=descending):
                item = bulk.message_json(index, stage)
                if ld:
                    item = {"@id": f"/sms/{item['uuid']}", "@type": "Sms", **item}
                members.append(item)
        if not ld:
            return 200, members
        last = max(1, -(-total // self.page_size))
        kept = [(k, v) for k, v in params if k != "page"]

        def link(number: int) -> str:
            return "/sms?" + urlencode([*kept, ("page", str(number))])

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
        body: dict[str, Any] = {
            "@context": "/contexts/Sms",
            "@id": "/sms",
            "@type": "hydra:Collection",
            "hydra:member": members,
            "hydra:totalItems": total,
            "hydra:view": view,
        }
        if self.total_items == "absent":
            del body["hydra:totalItems"]
        elif self.total_items == "null":
            body["hydra:totalItems"] = None
        elif self.total_items == "string":
            body["hydra:totalItems"] = str(total)
        return 200, body

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


def _integer(text: str) -> bool:
    """ASCII digits only: "²".isdigit() is true, and int("²") fails."""
    digits = text.removeprefix("-")
    return digits.isascii() and digits.isdigit() and len(digits) < 10


def _query_bulk(path: str, query: str) -> str | None:
    """The bulk a ``GET /sms`` asks about, so a fault aimed at a bulk hits its messages too."""
    if path != "/sms":
        return None
    return next((v for k, v in parse_qsl(query) if k == "bulk"), None)


def _within(created_at: float, op: str, value: str) -> bool:
    try:
        bound = float(value)
    except ValueError:
        return True
    return {
        "gte": created_at >= bound,
        "after": created_at >= bound,
        "gt": created_at > bound,
        "strictly_after": created_at > bound,
        "lte": created_at <= bound,
        "before": created_at <= bound,
        "lt": created_at < bound,
        "strictly_before": created_at < bound,
    }.get(op, True)


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
