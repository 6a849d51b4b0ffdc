"""Several clients behind one face, for many requests in flight.

httpcore assigns a request to a connection in O(connections²) per request, so one client with 20 or
more connections spends more CPU on bookkeeping than on HTTP (benchmarks/README.md: 1,000 requests
at concurrency 20 cost ~1.4 s CPU in one client, 0.7–0.9 s sharded over clients of ≤ 5–10
connections). The pool hands each request to the least busy of a few small clients.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Final, TypedDict, TypeVar, Unpack

import httpx

from lox24tui.api.clicks import ClickPage
from lox24tui.api.client import (
    ALL_BULKS,
    DEFAULT_BASE_URL,
    BulkFilters,
    BulkPage,
    ClosesOnExit,
    Lox24Client,
    StatusReply,
)
from lox24tui.api.opt_outs import OptOutPage
from lox24tui.api.replies import ReplyPage
from lox24tui.api.sms import ALL_MESSAGES, Account, MessageFilters, MessagePage
from lox24tui.api.token import Token

CONNECTIONS_PER_CLIENT: Final = 5
T = TypeVar("T")


class ClientOptions(TypedDict, total=False):
    """What the pool hands on to each of its clients (see :class:`Lox24Client`)."""

    transport: httpx.AsyncBaseTransport | None
    timeout: float
    accept: str
    now: Callable[[], float]


class Lox24ClientPool(ClosesOnExit):
    """Spreads requests over ``ceil(max_connections / 5)`` clients; same calls as a client."""

    def __init__(
        self,
        token: Token,
        base_url: str = DEFAULT_BASE_URL,
        *,
        max_connections: int = 10,
        **options: Unpack[ClientOptions],
    ) -> None:
        count = max(1, math.ceil(max_connections / CONNECTIONS_PER_CLIENT))
        per_client = math.ceil(max_connections / count)
        self._clients = [
            Lox24Client(token, base_url, max_connections=per_client, **options)
            for _ in range(count)
        ]
        self._busy = [0] * count

    @property
    def token(self) -> Token:
        return self._clients[0].token

    @property
    def size(self) -> int:
        return len(self._clients)

    async def _on_least_busy(self, call: Callable[[Lox24Client], Awaitable[T]]) -> T:
        index = min(range(len(self._clients)), key=self._busy.__getitem__)
        self._busy[index] += 1
        try:
            return await call(self._clients[index])
        finally:
            self._busy[index] -= 1

    async def get_bulk_status(self, bulk_id: str) -> StatusReply:
        return await self._on_least_busy(lambda client: client.get_bulk_status(bulk_id))

    async def list_messages(
        self, bulk_id: str, *, page: int = 1, filters: MessageFilters = ALL_MESSAGES
    ) -> MessagePage:
        return await self._on_least_busy(
            lambda client: client.list_messages(bulk_id, page=page, filters=filters)
        )

    async def get_account(self) -> Account:
        return await self._clients[0].get_account()

    async def list_clicks(self, bulk_id: str, *, page: int = 1) -> ClickPage:
        return await self._clients[0].list_clicks(bulk_id, page=page)

    async def list_replies(self, *, page: int = 1, msg_uuids: Sequence[str] = ()) -> ReplyPage:
        return await self._clients[0].list_replies(page=page, msg_uuids=msg_uuids)

    async def list_opt_outs(self, *, page: int = 1, number: str | None = None) -> OptOutPage:
        return await self._clients[0].list_opt_outs(page=page, number=number)

    async def cancel_bulk(self, bulk_id: str) -> StatusReply:
        return await self._clients[0].cancel_bulk(bulk_id)

    async def check_token(self) -> dict[str, Any]:
        return await self._clients[0].check_token()

    async def list_bulks(self, *, page: int = 1, filters: BulkFilters = ALL_BULKS) -> BulkPage:
        return await self._clients[0].list_bulks(page=page, filters=filters)

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()
