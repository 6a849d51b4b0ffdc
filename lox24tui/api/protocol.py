"""The calls lox24tui makes to LOX24, declared once.

:class:`~lox24tui.api.Lox24Client`, the pool of clients and the account guard's guarded client
all provide them. Each consumer asks for the narrowest part it needs (the engine only a
:class:`StatusSource`, discovery only a :class:`BulkLister`), so a test can hand it a small
stand-in; :class:`Lox24Api` is all of them together.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from lox24tui.api.clicks import ClickPage
from lox24tui.api.client import ALL_BULKS, BulkFilters, BulkPage, StatusReply
from lox24tui.api.opt_outs import OptOutPage
from lox24tui.api.replies import ReplyPage
from lox24tui.api.sms import ALL_MESSAGES, Account, MessageFilters, MessagePage


class StatusSource(Protocol):
    async def get_bulk_status(self, bulk_id: str) -> StatusReply: ...


class BulkLister(Protocol):
    async def list_bulks(self, *, page: int = 1, filters: BulkFilters = ALL_BULKS) -> BulkPage: ...


class MessageSource(Protocol):
    """Lists a bulk's messages a page at a time (through a guarded client, every page asks the
    account guard)."""

    async def list_messages(
        self, bulk_id: str, *, page: int = 1, filters: MessageFilters = ALL_MESSAGES
    ) -> MessagePage: ...


class AccountSource(Protocol):
    async def get_account(self) -> Account: ...


class ClickSource(Protocol):
    async def list_clicks(self, bulk_id: str, *, page: int = 1) -> ClickPage: ...


class ReplySource(Protocol):
    async def list_replies(self, *, page: int = 1, msg_uuids: Sequence[str] = ()) -> ReplyPage: ...


class OptOutSource(Protocol):
    async def list_opt_outs(self, *, page: int = 1, number: str | None = None) -> OptOutPage: ...


class Lox24Api(
    StatusSource,
    BulkLister,
    MessageSource,
    AccountSource,
    OptOutSource,
    ClickSource,
    ReplySource,
    Protocol,
):
    """Every call lox24tui makes."""

    async def check_token(self) -> dict[str, Any]: ...

    async def cancel_bulk(self, bulk_id: str) -> StatusReply: ...
