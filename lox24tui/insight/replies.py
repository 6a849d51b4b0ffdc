"""Who answered? The replies to a bulk's messages, found the only way LOX24 allows: there is no
bulk filter on ``GET /incomings``, so the bulk's sent messages are read a page at a time and the
replies to exactly those are asked for (``msg_uuid[]``). Two requests or so per page of
messages, on demand: a screen checks more as the user asks, never the whole bulk unasked.

Best effort, and said so: LOX24 fills ``msg_uuid`` for Economy replies; for other services it is
unconfirmed, so a reply may exist that no ``msg_uuid`` ties to its message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from lox24tui.api import MessageFilters
from lox24tui.api.protocol import MessageSource, ReplySource
from lox24tui.api.replies import MOST_UUIDS_PER_ASK, Reply

SENT = MessageFilters(is_sent=True)
"""Only a message that was sent can be answered."""


class RepliesSource(MessageSource, ReplySource, Protocol):
    pass


@dataclass(frozen=True, slots=True)
class RepliesAmong:
    """The replies to one page of a bulk's sent messages."""

    replies: tuple[Reply, ...]
    checked: int
    """Messages on the page (whose replies were asked for)."""
    next_page: int | None
    """The next page of messages to check; None once every sent message was."""
    sent: int | None
    """The bulk's sent messages in all, when LOX24 says."""
    requests: int


async def replies_among(client: RepliesSource, bulk_id: str, *, page: int = 1) -> RepliesAmong:
    """The replies to the sent messages on page ``page`` of the bulk; every request through
    ``client`` (a guarded client asks the account guard for each)."""
    messages = await client.list_messages(bulk_id, page=page, filters=SENT)
    requests = 1
    uuids = [message.uuid for message in messages.items if message.uuid]
    replies: list[Reply] = []
    for start in range(0, len(uuids), MOST_UUIDS_PER_ASK):
        chunk = uuids[start : start + MOST_UUIDS_PER_ASK]
        wanted = set(chunk)
        reply_page: int | None = 1
        while reply_page is not None:
            found = await client.list_replies(page=reply_page, msg_uuids=chunk)
            requests += 1
            # only replies tied to these messages: a server that ignored the filter lists others
            replies.extend(reply for reply in found.items if reply.msg_uuid in wanted)
            onward = found.next_page is not None and found.next_page > reply_page
            reply_page = found.next_page if onward and found.items else None
    onward = messages.next_page is not None and messages.next_page > page
    return RepliesAmong(
        replies=tuple(replies),
        checked=len(messages.items),
        next_page=messages.next_page if onward and messages.items else None,
        sent=messages.total,
        requests=requests,
    )
