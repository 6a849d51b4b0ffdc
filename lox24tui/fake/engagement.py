"""Who clicked and who answered in the simulated account: short-link clicks, replies and opt-outs,
computed from each bulk's messages the way their delivery reports are (:mod:`messages`), so that
they follow the clock and nothing is stored.

- A bulk whose text holds a link (``https://…``) is clicked: 40 in a thousand of its delivered
  messages, each one to three times, from a minute to two hours after delivery.
- 12 in a thousand delivered messages are answered, from two minutes to a day after delivery.
  A quarter of the answers say STOP, which unsubscribes the number (``/blocked_numbers``, type
  2); the account blocked two numbers itself before any bulk (type 1).
- A reply names the message it answers (``msg_uuid``), as LOX24 does for Economy replies; with
  the ``replies_unlinked`` quirk it does not (other services: unconfirmed), and with
  ``hostile_replies`` its texts carry markup, escape sequences and right-to-left marks.

Every number is in Ofcom's drama range, every IP in 198.51.100.0/24 (kept for documentation):
the fake's people reach nobody.
"""

from __future__ import annotations

import functools
import hashlib
import random
import uuid as uuid_module
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from lox24tui.fake.messages import (
    PATTERN,
    BulkMessages,
    country_of_recipient,
    message_uuid,
    recipient,
)

if TYPE_CHECKING:
    from lox24tui.fake.account import SimBulk

CLICKED_PER_THOUSAND: Final = 40
ANSWERED_PER_THOUSAND: Final = 12
FIRST_PAGE: Final = 30
"""Messages on LOX24's first page of a list."""
REPLY_NUMBER: Final = "+447700900000"
"""The number replies are sent to (the account's inbound number; drama range too)."""
CUSTOMER_BLOCKED: Final = ("+447700900013", "+447700900666")
"""Numbers the account blocked itself (type 1), before any of its bulks."""
_REPLIES: Final = (
    "Thanks, got it!",
    "STOP",
    "Can I change the delivery day?",
    "Danke, bis Freitag.",
    "Who is this?",
    "Stop",
    "Merci !",
    "Is the sale on in stores too?",
)
_HOSTILE_REPLIES: Final = (
    "[bold red]YOU WON[/] click [link=https://198.51.100.9]here[/link]",
    "\x1b[2J\x1b]0;pwned\x07cleared your screen",
    "\u202eSTOP\u202c please",
    "<script>alert(1)</script>",
)
_BROWSERS: Final = (
    ("Chrome", "131.0", "Android", "14", "browser", "mobile"),
    ("Safari", "18.1", "iOS", "18.1", "browser", "mobile"),
    ("Samsung Internet", "26.0", "Android", "13", "browser", "mobile"),
    ("WhatsApp", None, "Android", "14", "link previewer", "mobile"),
    ("Firefox", "133.0", "Windows", "11", "browser", "desktop"),
)


@dataclass(frozen=True, slots=True)
class Click:
    bulk: SimBulk
    index: int
    number: int
    at: float

    def json(self) -> dict[str, Any]:
        """A click as LOX24's ``/bulks/{id}/requests`` lists it."""
        seed = _hash(self.bulk.uuid, "click", self.index, self.number)
        browser, version, system, system_version, software, hardware = _BROWSERS[
            seed % len(_BROWSERS)
        ]
        return {
            "id": self.id,
            "date": int(self.at),
            "url": link_in(self.bulk.text),
            "short_link": f"/short_links/{_hash(self.bulk.uuid, 'link') % 100_000}",
            "country": country_of_recipient(self.bulk, self.index),
            "type": 1,
            "ip": f"198.51.100.{seed % 254 + 1}",
            "user_agent": f"Mozilla/5.0 ({system} {system_version}) {browser}/{version or '1'}",
            "referer": None,
            "browser": browser,
            "browser_version": version,
            "os": system,
            "os_version": system_version,
            "software_type": software,
            "hardware_type": hardware,
        }

    @property
    def id(self) -> int:
        return _hash(self.bulk.uuid, "click-id", self.index, self.number) % 2**31


@dataclass(frozen=True, slots=True)
class Reply:
    bulk: SimBulk
    index: int
    at: float

    @property
    def text(self) -> str:
        texts = _HOSTILE_REPLIES if "hostile_replies" in self.bulk.quirks else _REPLIES
        return texts[_hash(self.bulk.uuid, "reply", self.index) % len(texts)]

    @property
    def uuid(self) -> str:
        return _reply_uuid(self.bulk.uuid, self.index)

    @property
    def unsubscribes(self) -> bool:
        return self.text.strip().casefold() == "stop"

    def json(self) -> dict[str, Any]:
        """A reply as LOX24's ``/incomings`` lists it."""
        linked = "replies_unlinked" not in self.bulk.quirks
        return {
            "uuid": self.uuid,
            "from": recipient(self.bulk, self.index)[0],
            "to": REPLY_NUMBER,
            "received_at": int(self.at),
            "text": self.text,
            "msg_uuid": message_uuid(self.bulk.uuid, self.index) if linked else None,
        }


def link_in(text: str) -> str | None:
    """The first link in a bulk's text, if it has one."""
    return next((word for word in text.split() if word.startswith("https://")), None)


def clicks(bulk: SimBulk, messages: BulkMessages, now: float) -> Iterator[Click]:
    """The bulk's clicks made by ``now``, message by message."""
    if link_in(bulk.text) is None:
        return
    for index, delivered in _delivered(bulk, messages, CLICKED_PER_THOUSAND, "clicks"):
        seed = _hash(bulk.uuid, "clicks", index)
        for number in range(1 + seed % 3):
            at = delivered + 60 + (seed >> (8 * number + 4)) % 7200
            if at <= now:
                yield Click(bulk, index, number, at)


def replies(bulk: SimBulk, messages: BulkMessages, now: float) -> Iterator[Reply]:
    """The answers to the bulk's messages received by ``now``."""
    for index, delivered in _delivered(bulk, messages, ANSWERED_PER_THOUSAND, "replies"):
        # most answers come within the hour, a few the next day: the fourth power of a share
        # of a day (a quarter within 6 min, half within 1.5 h)
        share = _hash(bulk.uuid, "answer", index) % 10_000 / 10_000
        at = delivered + 60 + share**4 * 86_400
        if at <= now:
            yield Reply(bulk, index, at)


def blocked_numbers(answers: Iterable[Reply], opened_at: float) -> list[dict[str, Any]]:
    """The account's opt-out list: its own blocks, then every number that answered STOP, in
    the order they were added (so an id never changes as the list grows)."""
    entries = [(opened_at, number, 1) for number in CUSTOMER_BLOCKED]
    seen = set(CUSTOMER_BLOCKED)
    for reply in sorted((r for r in answers if r.unsubscribes), key=lambda r: r.at):
        number = recipient(reply.bulk, reply.index)[0]
        if number not in seen:
            seen.add(number)
            entries.append((reply.at, number, 2))
    return [
        {"id": id_, "number": number, "type": kind, "added_at": int(at)}
        for id_, (at, number, kind) in enumerate(entries, 1)
    ]


def _delivered(
    bulk: SimBulk, messages: BulkMessages, per_thousand: int, what: str
) -> Iterator[tuple[int, float]]:
    """(index, when delivered) of the messages chosen for ``what``, in creation order."""
    chosen = sorted(random.Random(f"{bulk.uuid} {what}").sample(range(PATTERN), per_thousand))
    # one among the first page's messages (where the detail pane and the table look), so that
    # every bulk of the demo that sent shows one; still distinct, still in order
    chosen[0] %= FIRST_PAGE
    for start in range(0, messages.total, PATTERN):
        for position in chosen:
            index = start + position
            if index >= messages.total:
                return
            after = messages.delivered_after(index)
            if after is not None:
                yield index, bulk.message_sent_at(index) + after


@functools.lru_cache(maxsize=1 << 16)
def _reply_uuid(bulk_uuid: str, index: int) -> str:
    return str(uuid_module.uuid5(uuid_module.UUID(bulk_uuid), f"reply {index}"))


@functools.lru_cache(maxsize=1 << 16)
def _hash(*parts: object) -> int:
    """A stable number from ``parts`` (kept: a list of replies is made anew at every moment
    it is asked for, from the same messages)."""
    digest = hashlib.blake2b(" ".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")
