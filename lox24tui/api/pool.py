"""Several clients behind one face, for many requests in flight.

httpcore assigns a request to a connection in O(connections²) per request, so one client with 20 or
more connections spends more CPU on bookkeeping than on HTTP (benchmarks/README.md: 1,000 requests
at concurrency 20 cost ~1.4 s CPU in one client, 0.7–0.9 s sharded over clients of ≤ 5–10
connections). The pool hands each request to the least busy of a few small clients.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Final, Self, TypeVar

import httpx

from lox24tui.api.client import (
    DEFAULT_BASE_URL,
    JSON,
    BulkPage,
    Lox24Client,
    StatusReply,
)
from lox24tui.api.sms import ALL_MESSAGES, Account, MessageFilters, MessagePage
from lox24tui.api.token import Token

CONNECTIONS_PER_CLIENT: Final = 5
T = TypeVar("T")


class Lox24ClientPool:
    """Spreads requests over ``ceil(max_connections / 5)`` clients; same calls as a client."""

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
        count = max(1, math.ceil(max_connections / CONNECTIONS_PER_CLIENT))
        per_client = math.ceil(max_connections / count)
        self._clients = [
            Lox24Client(
                token,
                base_url,
                transport=transport,
                timeout=timeout,
                max_connections=per_client,
                accept=accept,
                now=now,
            )
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

    async def cancel_bulk(self, bulk_id: str) -> StatusReply:
        return await self._clients[0].cancel_bulk(bulk_id)

    async def check_token(self) -> dict[str, Any]:
        return await self._clients[0].check_token()

    async def list_bulks(
        self,
        *,
        page: int = 1,
        status_codes: Sequence[int] = (),
        created_since: datetime | None = None,
    ) -> BulkPage:
        return await self._clients[0].list_bulks(
            page=page, status_codes=status_codes, created_since=created_since
        )

    async def aclose(self) -> None:
        for client in self._clients:
            await client.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
