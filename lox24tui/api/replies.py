"""Replies and other inbound messages (``GET /incomings``), newest first. A reply's text and
number are its sender's: the text is shown sanitised, the number masked."""

from __future__ import annotations

from typing import Final

from pydantic import Field

from lox24tui.api.models import Timestamp, TolerantModel
from lox24tui.api.page import Page

MOST_UUIDS_PER_ASK: Final = 30
"""Messages asked about in one ``msg_uuid[]`` filter: one page of messages, and a URL far below
any server's limit."""


class Reply(TolerantModel):
    uuid: str | None = None
    sender: str | None = Field(None, alias="from", repr=False)
    """The number it came from: personal data."""
    to: str | None = None
    received_at: Timestamp | None = None
    text: str | None = Field(None, repr=False)
    """The sender's own words: sanitised wherever shown."""
    msg_uuid: str | None = None
    """The message it answers, where LOX24 filled it (Economy replies; others unconfirmed)."""


ReplyPage = Page[Reply]
"""A page of inbound messages, newest first."""
